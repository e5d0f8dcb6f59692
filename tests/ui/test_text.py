"""User strings inside Markdown show as the text they are (workbench.ui.text)."""

import re

import pytest

from workbench.ui.text import guidelines_md, md

HOSTILE = [
    "![x](http://127.0.0.1:9/p.png)",
    "**bold** _it_ `code` ~~gone~~",
    ":red[red] :material/home: :smile:",
    "<img src=http://127.0.0.1:9/i.png> <b>x</b> &amp;",
    "[link](http://127.0.0.1:9/l) http://127.0.0.1:9/x www.example.com",
    "# heading",
    "- item",
    "1. item",
    "$x^2$ | a | b |",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_leaves_no_markup_active(text):
    out = md(text)
    unescaped = re.sub(r"\\.", "", out)  # what is left once the escaped characters are gone
    for syntax in ("![", "](", "**", "<img", "<b>", ":red[", "`", "$"):
        assert syntax not in unescaped, (text, out)
    assert ":material/" not in out and "http://" not in out and "www." + "e" not in out
    assert not re.match(r"^(#|-|\d+\.)", out)
    # a reader sees the same characters (escapes and zero-width spaces aside)
    assert out.replace("\\", "").replace("\u200b", "") == text.replace("\\", "")


def test_md_folds_lines_and_shortens():
    assert md("a\n\n# b") == "a \\# b"
    assert len(md("x" * 1000, limit=50)) == 50


def test_guidelines_keep_formatting_but_load_nothing():
    out = guidelines_md("# Rules\n**numbers** as words ![x](http://e/p.png) <img src=x>")
    assert out.startswith("# Rules") and "**numbers**" in out
    assert "\\![x]" in out and "<img" not in out


def test_audio_lengths_read_as_hours_minutes_or_seconds():
    from workbench.core.lengths import audio_length

    assert audio_length(0) == "0.0 s"
    assert audio_length(9.84) == "9.8 s"
    assert audio_length(750) == "12.5 min"
    assert audio_length(3600 * 2.345) == "2.35 h"
    assert audio_length(-1) == "0.0 s"


def test_a_set_of_lengths_reads_in_the_unit_of_its_largest():
    from workbench.core.lengths import length_unit

    assert length_unit(0.0) == ("s", "seconds", 1.0)
    assert length_unit(59.9) == ("s", "seconds", 1.0)  # a tiny project: no 0.02 h
    assert length_unit(60.0) == ("min", "minutes", 60.0)
    assert length_unit(3599.0)[0] == "min"
    assert length_unit(7200.0) == ("h", "hours", 3600.0)
