"""Hostile names for the walk over every page: strings that Markdown would turn into a remote
image, bold text, HTML, a colour, LaTeX; and `rendered_raw`, which lists every string of a
page that Streamlit renders as Markdown and that still holds such syntax unescaped.

Streamlit renders Markdown in far more than `st.markdown`: widget labels and help, button
labels, alerts, toasts, captions, headings, metrics, expander and tab labels, radio options...
The walk reads every element's message (its protobuf, field by field), skipping only what is
shown as plain text: `st.text`, `st.code`, tables of data, JSON, the values typed into inputs,
the options of select boxes, and the data handed to the workbench's own components (their
scripts write text, never HTML)."""

from __future__ import annotations

from collections.abc import Iterator

from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

HOSTILE = "![x](https://host.example/p.png) **B** <b>h</b> :red[x] $x$"
RAW = ("![x](", "**B**", "<b>h", ":red[x]", "$x$")  # what escaping takes apart

_PLAIN_ELEMENTS = {"Text", "Code", "ArrowNamedDataSet", "Arrow", "Json", "BidiComponent"}
_PLAIN_FIELDS = {"value", "default", "rawValue", "setValue", "placeholder", "id", "formId", "data"}
_PLAIN_OPTIONS = {"Selectbox", "MultiSelect"}  # drawn as text by the select widgets


def _strings(value, skip: set[str]) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, inner in value.items():
            if name not in skip:
                yield from ((f"{name}.{f}" if f else name, s) for f, s in _strings(inner, skip))
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner, skip)
    elif isinstance(value, str):
        yield "", value


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def rendered_raw(at: AppTest) -> list[str]:
    """Every rendered string of the page (main area and sidebar) holding unescaped syntax of
    HOSTILE, as 'Element.field: text'; empty when all of it shows as text."""
    found = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        kind = proto.DESCRIPTOR.name
        if kind in _PLAIN_ELEMENTS:
            continue
        skip = _PLAIN_FIELDS | ({"options"} if kind in _PLAIN_OPTIONS else set())
        for field, text in _strings(MessageToDict(proto), skip):
            if any(mark in text for mark in RAW):
                found.append(f"{kind}.{field}: {text[:160]}")
    return found
