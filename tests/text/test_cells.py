"""Spreadsheet cells: a text that would run as a formula is defused, numbers and raw text kept."""

import io

import pytest

from workbench.text.cells import cell, write_rows


@pytest.mark.parametrize(
    "text", ["=cmd|' /c calc'!a0", "+1+cmd|x", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_a_formula_gets_an_apostrophe(text):
    assert cell(text) == "'" + text
    assert cell(text, raw=True) == text


@pytest.mark.parametrize("value", ["-0.5", "+3", "1e-3", "plain", "", "a=b", 7, -2.5, None])
def test_numbers_and_plain_text_are_kept(value):
    assert cell(value) == value


def test_rows_are_written_through_cell():
    out = io.StringIO()
    assert write_rows(out, ["name", "n"], [["=1+1", -1], ["ok", 2]]) == 2
    assert out.getvalue() == "name,n\n'=1+1,-1\nok,2\n"
    raw = io.StringIO()
    write_rows(raw, ["name"], [["=1+1"]], raw=True, delimiter="\t")
    assert raw.getvalue() == "name\n=1+1\n"
