"""The app's modules must not shadow packages the libraries import: Streamlit runs
workbench/app.py with `workbench/` first on sys.path, so `workbench/coverage.py` was imported
as the `coverage` package by numba (under openai-whisper) and fine-tuning from the Models
page failed with an AttributeError."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[1]  # streamlit_app.py's folder


def test_the_libraries_import_with_the_app_folder_first_on_the_path():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import whisper, numba, torch, "
        "faster_whisper, ctranslate2, librosa, soundfile, pandas, altair, sqlalchemy"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(APP_DIR)],
        capture_output=True,
        text=True,
        cwd=APP_DIR,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_no_app_module_is_named_like_an_installed_package():
    names = {p.stem for p in APP_DIR.glob("*.py") if not p.stem.startswith("__")} | {
        p.name for p in APP_DIR.iterdir() if (p / "__init__.py").is_file()
    }
    path = [p for p in sys.path if Path(p or ".").resolve() != APP_DIR]
    clashes = sorted(n for n in names if n in sys.builtin_module_names or _outside(n, path))
    assert not clashes, f"modules beside streamlit_app.py named like installed packages: {clashes}"


def _outside(name: str, path: list[str]) -> bool:
    """Whether `name` is importable from somewhere other than the app folder."""
    from importlib.machinery import PathFinder

    return PathFinder.find_spec(name, path) is not None
