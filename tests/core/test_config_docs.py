"""Config in one place: `workbench.core.config.VARIABLES` lists every `WORKBENCH_*` variable the
code, the tests and the docs name; the README's table is written from that list; and no module
but config.py reads a `WORKBENCH_*` variable from the environment."""

import ast
import re
from pathlib import Path

import pytest

from workbench.core import config

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "workbench" / "core" / "config.py"
CODE = sorted(
    [ROOT / "streamlit_app.py", *ROOT.glob("workbench/**/*.py"), *ROOT.glob("bench/*.py")]
)
TESTS = sorted(p for p in ROOT.glob("tests/**/*.py") if p != Path(__file__).resolve())
SCRIPTS = [ROOT / "Makefile", ROOT / ".ci" / "run", ROOT / ".streamlit" / "config.toml"]
DOCS = sorted([ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("*/README.md")])
NAME = re.compile(r"\bWORKBENCH_[A-Z0-9_]*[A-Z0-9]\b")
LISTED = {v.name for v in config.VARIABLES}


def _named(paths: list[Path]) -> dict[str, list[str]]:
    """Each `WORKBENCH_*` name written in `paths`, with the files that write it."""
    found: dict[str, list[str]] = {}
    for path in paths:
        for name in set(NAME.findall(path.read_text(encoding="utf-8"))):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_variable_the_code_the_tests_or_the_docs_name_is_listed():
    named = _named(CODE + TESTS + SCRIPTS + DOCS)
    missing = {name: files for name, files in named.items() if name not in LISTED}
    assert not missing, f"add these to workbench/core/config.py's VARIABLES: {missing}"


def test_only_the_tests_name_a_test_only_variable():
    test_only = {v.name for v in config.VARIABLES if v.test_only}
    assert test_only, "WORKBENCH_TEST_PG is listed as test-only"
    named = _named([path for path in CODE if path != CONFIG])
    assert not {name: files for name, files in named.items() if name in test_only}


def test_the_readme_table_is_written_from_the_list():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert config.markdown_table() in readme, (
        "the README's configuration table is out of date; paste the output of\n"
        "  python -c 'from workbench.core.config import markdown_table; print(markdown_table())'"
    )


def test_the_limits_defaults_are_the_listed_defaults():
    defaults = {v.name: v.default for v in config.VARIABLES}
    for field, variable in config._LIMIT_VARIABLES.items():
        assert defaults[variable] == str(getattr(config.Limits(), field))


def _is_environ(node: ast.expr) -> bool:
    """`os.environ` or a bare `environ`."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _keys_read(tree: ast.AST) -> list[ast.expr]:
    """The keys of every read of the environment in `tree`: `os.environ[KEY]`,
    `os.environ.get(KEY)` (and pop, setdefault), `os.getenv(KEY)`, `KEY in os.environ`."""
    keys = []
    for node in ast.walk(tree):
        loaded = isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
        if loaded and _is_environ(node.value):
            keys.append(node.slice)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            getenv = (isinstance(func, ast.Attribute) and func.attr == "getenv") or (
                isinstance(func, ast.Name) and func.id == "getenv"
            )
            method = (
                isinstance(func, ast.Attribute)
                and func.attr in ("get", "pop", "setdefault")
                and _is_environ(func.value)
            )
            if getenv or method:
                keys.append(node.args[0])
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            keys.append(node.left)
    return keys


def _workbench_reads(source: str) -> list[str]:
    """The reads of `source` that may be of a `WORKBENCH_*` variable: a literal key so named,
    or a key the reader cannot see (a name, an expression)."""
    return [
        ast.unparse(key)
        for key in _keys_read(ast.parse(source))
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str))
        or key.value.startswith("WORKBENCH_")
    ]


@pytest.mark.parametrize(
    "source, flagged",
    [
        ('os.environ["WORKBENCH_HOME"]', ["'WORKBENCH_HOME'"]),
        ('os.environ.get("WORKBENCH_HOME", "data")', ["'WORKBENCH_HOME'"]),
        ('os.getenv("WORKBENCH_DB_URL")', ["'WORKBENCH_DB_URL'"]),
        ('"WORKBENCH_HOME" in os.environ', ["'WORKBENCH_HOME'"]),
        ("environ.get(variable)", ["variable"]),
        ('os.environ["PATH"]', []),
        ('env = dict(os.environ, WORKBENCH_HOME="/srv/wb")', []),
        ('os.environ["WORKBENCH_HOME"] = "/srv/wb"', []),
    ],
)
def test_the_reads_are_found(source, flagged):
    assert _workbench_reads(source) == flagged


def test_only_config_reads_workbench_variables():
    reads = {
        str(path.relative_to(ROOT)): found
        for path in CODE
        if path != CONFIG and (found := _workbench_reads(path.read_text(encoding="utf-8")))
    }
    assert not reads, f"read these through workbench.core.config: {reads}"
    assert _workbench_reads(CONFIG.read_text(encoding="utf-8")), "config.py reads the environment"
