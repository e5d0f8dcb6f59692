"""The message catalogue: every text the interface shows in Korean has a Korean entry (found by
scanning the source, so a new string without one fails here), translations keep their
{fields}, and the language is the reader's choice, else their project's default."""

from __future__ import annotations

import ast
import re
import string
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT
from workbench.core import messages
from workbench.core.messages import (
    catalogue,
    current_language,
    interface_language,
    phrase,
    project_language,
    t,
    use_language,
)
from workbench.core.records import Project

MARKERS = ("t", "N_", "phrase")  # the calls whose first argument is a text of the catalogue
EDITOR_JS = ROOT / "workbench" / "ui" / "editor" / "editor.js"
JS_TEXT = re.compile(r'\bT\("((?:[^"\\]|\\.)*)"')


def _sources() -> list[Path]:
    return [*sorted((ROOT / "workbench").rglob("*.py")), ROOT / "streamlit_app.py"]


def _marked_calls() -> list[tuple[Path, ast.Call]]:
    return [
        (path, node)
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in MARKERS
        and node.args
    ]


def texts_in_source() -> dict[str, str]:
    """Every text of the catalogue the code uses: {text: where}."""
    texts = {}
    for path, call in _marked_calls():
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            texts.setdefault(first.value, f"{path.relative_to(ROOT)}:{call.lineno}")
    for m in JS_TEXT.finditer(EDITOR_JS.read_text()):
        texts.setdefault(m.group(1), str(EDITOR_JS.relative_to(ROOT)))
    return texts


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture
def korean():
    use_language("ko")
    yield
    use_language("en")


def test_every_text_the_code_shows_has_a_korean_entry():
    texts = texts_in_source()
    assert len(texts) > 300  # the scan found the interface (a broken scan finds nothing)
    missing = {text: where for text, where in texts.items() if text not in catalogue("ko")}
    assert not missing, "add these to workbench/locale/ko/LC_MESSAGES/workbench.po: " + "; ".join(
        f"{where}: {text!r}" for text, where in missing.items()
    )


def test_the_catalogue_holds_no_entry_the_code_no_longer_uses():
    unused = sorted(set(catalogue("ko")) - set(texts_in_source()))
    assert not unused, unused


def test_a_marked_text_is_written_out_never_built():
    """t(f"…") or t("…" + x) would look up a text no catalogue holds: fields go in {…}."""
    built = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path, call in _marked_calls()
        if isinstance(call.args[0], ast.JoinedStr | ast.BinOp)
    ]
    assert not built, built
    assert not [m for m in JS_TEXT.findall(EDITOR_JS.read_text()) if "\\" in m or "${" in m]


def test_translations_keep_their_fields_and_format():
    for english, korean in catalogue("ko").items():
        assert _fields(korean) == _fields(english), english
        values = dict.fromkeys(_fields(english), "x")
        korean.format(**values)  # no stray brace
        assert korean != english, english  # left in English: not translated


def test_the_korean_interface_speaks_korean_and_falls_back_to_english(korean):
    assert t("Save & next") == "저장 후 다음"
    assert t("Saved segment {name} (revision {n}).", name="#3", n=2) == (
        "구간 #3을(를) 저장했습니다 (수정본 2)."
    )
    assert t("a text nobody translated: {n}", n=1) == "a text nobody translated: 1"
    assert phrase("{n} spaces between words", n=2).said().startswith("단어 사이에 빈칸이 2개")
    assert str(phrase("{n} spaces between words", n=2)) == "2 spaces between words"


def test_a_thread_that_chose_no_language_speaks_english():
    import threading

    use_language("ko")
    try:
        heard = []
        thread = threading.Thread(target=lambda: heard.append((current_language(), t("Save"))))
        thread.start()
        thread.join()
        assert heard == [("en", "Save")]
    finally:
        use_language("en")
    use_language("xx")  # not offered: English
    assert current_language() == "en" and t("Save") == "Save"


def _project(language: str, interface: str | None = None) -> Project:
    return Project(
        1,
        "p",
        language,
        "plain",
        "faster-whisper",
        "base",
        datetime(2026, 1, 1),
        interface_language=interface,
    )


def test_the_reader_s_choice_wins_then_the_project_s_default_then_english():
    assert project_language(None) == "en"
    assert project_language(_project("ko")) == "ko"  # a Korean project: Korean for new members
    assert project_language(_project("en")) == "en"
    assert project_language(_project("ko", "en")) == "en"  # the owner's setting
    assert project_language(_project("en", "ko")) == "ko"
    assert interface_language(None, _project("ko")) == "ko"
    assert interface_language("en", _project("ko")) == "en"  # the person chose
    assert interface_language("fr", _project("en")) == "en"  # not offered: the default
    assert set(messages.LANGUAGES) == {"en", "ko"}
