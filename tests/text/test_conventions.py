"""Convention profiles: built-ins, user files, and clear errors for malformed files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from workbench.core.errors import NotFound
from workbench.text import RULES, Dual, Profile, lint, list_profiles, load_profile
from workbench.text.conventions import ProfileError

BUILTINS = ["kspon", "plain", "verbatim-en"]


def write(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_list_profiles_names_the_builtins():
    assert list_profiles() == BUILTINS


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loads_frozen_hashable_with_guidelines(name):
    profile = load_profile(name)
    assert profile.name == name
    assert profile.guidelines.startswith("# ")
    assert profile.source.endswith(f"{name}.yaml")
    assert hash(profile) == hash(load_profile(name))
    assert load_profile(name) is profile  # built-ins are loaded once
    assert load_profile(profile) is profile  # a Profile passes through
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.name = "changed"  # type: ignore[misc]
    assert all(rule in RULES for rule, _ in profile.rules)


def test_kspon_profile_data():
    p = load_profile("kspon")
    assert p.language == "ko"
    assert p.tag_names == {"b", "l", "o", "n", "u"}
    assert p.unusable_tags == {"u"}
    assert [p.tag_text(t) for t in ("b", "u")] == ["b/", "u/"]
    assert p.dual == Dual("(", "/", ")")
    assert (p.filler_mark, p.repetition_mark, p.uncertain_mark) == ("/", "+", "*")
    assert p.numbers == "words"
    assert {"음", "어", "그"} <= set(p.fillers)
    assert p.level("dual-transcription") == "error"
    assert p.level("double-space") == "warning"
    assert p.level("filler-word") is None
    assert p.style("pronunciation").punctuation == "strip"
    assert p.style("spelling").punctuation == "keep"
    assert "(70%)/(칠십 퍼센트)" in p.guidelines


def test_verbatim_en_profile_data():
    p = load_profile("verbatim-en")
    assert p.tag_names == {"noise", "laughter", "inaudible"}
    assert p.tag_text("noise") == "[noise]"
    assert p.unusable_tags == {"inaudible"}
    assert p.dual is None and p.marks == ""
    assert p.style("spelling").case == "lower"


def test_plain_profile_has_no_markup():
    p = load_profile("plain")
    assert p.tags == () and p.tag_syntax == "" and p.dual is None and p.marks == ""
    assert p.numbers == "digits"


def test_user_profile_file(tmp_path):
    path = write(
        tmp_path,
        """
name: call-centre
title: Call centre (Korean)
language: ko
tags:
  syntax: "{}/"
  names: {b: breath, m: music}
  unusable: [m]
dual: true
marks: {filler: "/"}
fillers: [음]
numbers: words
lint: {digits: warning, unknown-tag: error, double-space: off}
export:
  pronunciation: {punctuation: strip}
""",
    )
    (tmp_path / "team.md").write_text("# Call centre rules\n", encoding="utf-8")
    p = load_profile(path)
    assert p.name == "call-centre" and p.title == "Call centre (Korean)"
    assert p.tag_names == {"b", "m"} and p.unusable_tags == {"m"}
    assert p.dual == Dual()
    assert p.marks == "/"
    assert p.guidelines == "# Call centre rules\n"
    assert p.level("digits") == "warning" and p.level("double-space") is None
    assert load_profile(str(path)) == p
    assert [f.rule for f in lint("3  m/ x/", p)] == ["digits", "unknown-tag"]


def test_user_profile_without_guidelines_gets_a_summary(tmp_path):
    p = load_profile(
        write(tmp_path, 'tags: {syntax: "<{}>", names: {cough: coughing}}\n', "mine.yaml")
    )
    assert p.name == "mine"  # defaults to the file's stem
    assert p.guidelines.startswith("# mine")
    assert "`<cough>`: coughing" in p.guidelines


def test_user_profile_extends_a_builtin(tmp_path):
    path = write(
        tmp_path, "name: kspon-digits\nextends: kspon\nnumbers: digits\nlint: {digits: off}\n"
    )
    p = load_profile(path)
    base = load_profile("kspon")
    assert p.name == "kspon-digits"
    assert p.numbers == "digits" and p.level("digits") is None
    assert p.tags == base.tags and p.dual == base.dual and p.fillers == base.fillers
    assert p.level("dual-transcription") == "error"  # lint levels merged key by key
    assert p.guidelines == base.guidelines
    assert lint("(70%)/(칠십 퍼센트) 3번", p) == []


def test_extends_chain_and_cycle(tmp_path):
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ProfileError, match="extends"):
        load_profile(tmp_path / "a.yaml")


@pytest.mark.parametrize("name", ["nosuch", "KSPON", ""])
def test_unknown_name_lists_builtins(name):
    with pytest.raises(NotFound, match="kspon, plain, verbatim-en"):
        load_profile(name)


def test_missing_file(tmp_path):
    with pytest.raises(NotFound, match="not found"):
        load_profile(tmp_path / "gone.yaml")


MALFORMED = [
    ("name: [1\n", "not valid YAML"),
    ("- a\n- b\n", "mapping of fields"),
    ("colour: red\n", "'colour'"),
    ("name: ''\n", "'name'"),
    ("title: 3\n", "'title'"),
    ("tags: {syntax: '{}', names: {}}\n", "tags.syntax"),
    ("tags: {syntax: 'x{}', names: {}}\n", "tags.syntax"),
    ("tags: {syntax: '{}/{}', names: {}}\n", "tags.syntax"),
    ("tags: {syntax: '{}/', names: {b1: x}}\n", "tags.names"),
    ("tags: {syntax: '[{}]', names: {noise: [x]}}\n", "tags.names.noise"),
    ("tags: {syntax: '[{}]', names: {noise: x}, unusable: [music]}\n", "tags.unusable"),
    ("tags: {syntax: '[{}]', sound: {}}\n", "tags.sound"),
    ("tags: [b, l]\n", "'tags'"),
    ("dual: {open: '((' }\n", "dual.open"),
    ("dual: {open: '(', separator: '(', close: ')'}\n", "'dual'"),
    ("dual: {open: '(', middle: '/'}\n", "dual.middle"),
    ("marks: {filler: '/', repetition: '/'}\n", "'marks'"),
    ("marks: {filler: 'a'}\n", "marks.filler"),
    ("dual: true\nmarks: {uncertain: '('}\n", "marks.uncertain"),
    ("marks: {hesitation: '~'}\n", "marks.hesitation"),
    ("fillers: 음\n", "'fillers'"),
    ("numbers: roman\n", "'numbers'"),
    ("lint: {speling: error}\n", "lint.speling"),
    ("lint: {digits: fatal}\n", "lint.digits"),
    ("export: {spoken: {}}\n", "export.spoken"),
    ("export: {spelling: {case: upper}}\n", "export.spelling.case"),
    ("export: {pronunciation: {punctuation: remove}}\n", "export.pronunciation.punctuation"),
    ("export: {spelling: {keep_in_words: 1}}\n", "export.spelling.keep_in_words"),
    ("guidelines: missing.md\n", "'guidelines'"),
    ("extends: nosuch\n", "'extends'"),
]


@pytest.mark.parametrize("text, field", MALFORMED)
def test_malformed_profile_names_file_and_field(tmp_path, text, field):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value)
    assert field in str(caught.value)


def test_malformed_base_is_reported_with_its_own_file(tmp_path):
    base = write(tmp_path, "numbers: roman\n", "base.yaml")
    path = write(tmp_path, "extends: base.yaml\n")
    with pytest.raises(ProfileError, match=r"base\.yaml") as caught:
        load_profile(path)
    assert "numbers" in str(caught.value) and str(base) in str(caught.value)


def test_profile_is_a_dataclass_of_plain_values():
    fields = {f.name for f in dataclasses.fields(Profile)}
    assert {"name", "tags", "dual", "numbers", "rules", "guidelines", "source"} <= fields
