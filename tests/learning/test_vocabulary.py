"""Learning terms and rewrite rules from drafts and their approved finals (pure), the prompt
drafts get, and applying rules: whole words, one pass, in a fixed order."""

from __future__ import annotations

from datetime import datetime

import pytest

from workbench.learning.records import Rewrite, Term
from workbench.learning.rewrites import apply, changes, find
from workbench.learning.vocabulary import (
    CJK_PROMPT_CHARS,
    Example,
    learn,
    plain,
    prompt_limit,
    prompt_text,
    tokens,
)
from workbench.text import load_profile

AT = datetime(2026, 1, 1)


def term(
    text: str, source: str = "learned", segments: int = 2, people: int = 2, enabled: bool = True
) -> Term:
    return Term(0, 1, text, source, segments, people, enabled, "olga", AT)


def test_tokens_drop_the_punctuation_at_word_ends_only():
    assert tokens("Well, we use kubectl's  ‘apply’ -- daily.") == [
        "Well",
        "we",
        "use",
        "kubectl's",
        "apply",
        "daily",
    ]
    assert tokens("쿠버네티스를 설치했어요.") == ["쿠버네티스를", "설치했어요"]


def test_terms_need_enough_segments_and_people():
    examples = [
        Example("we use cube control daily", "we use kubectl daily", "ann"),
        Example("the cube control tool", "the kubectl tool", "bob"),
        Example("install helm now", "install Helm now", "ann"),  # one person, twice
        Example("helm is fine", "Helm is fine", "ann"),
        Example("a plan", "a Terraform plan", "cy"),  # once
    ]
    found = {t.term: t for t in learn(examples)}
    assert set(found) == {"kubectl"}
    assert (found["kubectl"].segments, found["kubectl"].people) == (2, 2)
    loose = {t.term for t in learn(examples, min_segments=1, min_people=1)}
    assert {"kubectl", "Helm", "Terraform"} <= loose
    assert {t.term for t in learn(examples, min_segments=2, min_people=1)} == {"kubectl", "Helm"}


def test_a_word_the_draft_usually_writes_right_is_not_a_term():
    right = [Example(f"our meeting {i}", f"our meeting {i}", "x") for i in range(10)]
    fixes = [
        Example("our one", "our meeting one", "ann"),
        Example("our two", "our meeting two", "bob"),
    ]
    assert "meeting" not in {t.term for t in learn(right + fixes)}
    assert "meeting" in {t.term for t in learn(fixes)}  # nothing says it is common
    # a count of a fix in one segment: many insertions of one word in a segment count once
    twice = [Example("a", "Kafka Kafka a", "ann"), Example("b", "Kafka b", "bob")]
    assert [(t.term, t.segments) for t in learn(twice)] == [("Kafka", 2)]


def test_korean_terms_are_eojeols():
    examples = [
        Example("구버 내티스를 설치했어요", "쿠버네티스를 설치했어요", "민지"),
        Example("구버 네티스를 지웠어요", "쿠버네티스를 지웠어요", "서준"),
    ]
    assert [(t.term, t.segments, t.people) for t in learn(examples)] == [("쿠버네티스를", 2, 2)]


def test_conventions_markup_is_never_a_term():
    kspon = load_profile("kspon")
    text = "o/ (70%)/(칠십 퍼센트) 정도 b/ 음/ 그+ 그래서 쿠버네티스를"
    assert plain(text, kspon) == "70% 정도 그래서 쿠버네티스를"
    drafts = ["칠십 퍼센트 정도 그래서", "칠십 퍼센트 정도 그래서"]
    finals = [
        "n/ (70%)/(칠십 퍼센트) 정도 음/ 그래서 쿠버네티스를",
        "b/ (70%)/(칠십 퍼센트) 정도 어/ 그래서 쿠버네티스를",
    ]
    examples = [
        Example(plain(d, kspon), plain(f, kspon), who)
        for d, f, who in zip(drafts, finals, ["민지", "서준"], strict=True)
    ]
    learned = {t.term for t in learn(examples)}
    assert learned == {"쿠버네티스를"}  # no n/, b/, fillers or their marks; 70 is a number
    verbatim = load_profile("verbatim-en")
    assert plain("[noise] uh we use kubectl [laughter]", verbatim) == "we use kubectl"


def test_the_prompt_puts_the_owners_terms_first_and_stays_in_its_limit():
    terms = [
        term("kubectl", people=3),
        term("Helm", segments=9, people=2),
        term("ArgoCD", "owner", 0, 0),
        term("Istio", people=5, enabled=False),
    ]
    assert prompt_text(terms, "Cloud talk.") == "Cloud talk. ArgoCD, kubectl, Helm"
    assert prompt_text(terms) == "ArgoCD, kubectl, Helm"
    assert prompt_text([], "Cloud talk.") == "Cloud talk."
    short = prompt_text(terms, "Cloud talk.", limit=len("Cloud talk. ArgoCD, Helm"))
    assert short == "Cloud talk. ArgoCD, Helm"  # kubectl does not fit; Helm, after it, does
    many = [term(f"term{i:03d}", people=100 - i) for i in range(100)]
    text = prompt_text(many, limit=CJK_PROMPT_CHARS)
    assert len(text) <= CJK_PROMPT_CHARS and text.startswith("term000, term001")
    assert prompt_limit("ko") == CJK_PROMPT_CHARS < prompt_limit("en") == prompt_limit("auto")


def test_changes_are_short_replaced_spans():
    assert changes("I use cube control, daily.", "I use kubectl, daily.") == [
        ("cube control", "kubectl")
    ]
    assert changes("so we went", "So we went") == []  # sentence case is no rule
    assert changes("an iphone here", "an iPhone here") == [("iphone", "iPhone")]
    assert changes("one two three four five six", "1 2 3 4 5 6") == []  # longer than 3 words
    assert changes("a b", "a b c") == []  # an insertion replaces nothing
    # Korean: a one-eojeol change keeping its particle is learned without it
    assert changes("쿠버네티스를 설치했어요", "큐버네티스를 설치했어요") == [
        ("쿠버네티스", "큐버네티스")
    ]
    assert changes("쿠버네티스를 봤어요", "쿠버네티스가 봤어요") == [
        ("쿠버네티스를", "쿠버네티스가")
    ]


def test_rules_need_enough_people():
    examples = [
        Example("we use cube control daily", "we use kubectl daily", "ann"),
        Example("cube control again", "kubectl again", "bob"),
        Example("the hell chart", "the Helm chart", "ann"),
        Example("a hell chart", "a Helm chart", "ann"),
    ]
    found = find(examples)
    assert [(r.before, r.after, r.segments, r.people) for r in found] == [
        ("cube control", "kubectl", 2, 2)
    ]
    assert {(r.before, r.after) for r in find(examples, min_people=1)} == {
        ("cube control", "kubectl"),
        ("hell", "Helm"),
    }
    assert find(examples, min_people=3) == []


def test_apply_rewrites_whole_words_only():
    rules = [("cube control", "kubectl"), ("hell", "Helm")]
    text, applied = apply("cube control, hello hell shell cube controls hell.", rules)
    assert text == "kubectl, hello Helm shell cube controls Helm."
    assert applied == [("cube control", "kubectl"), ("hell", "Helm")]
    assert apply("nothing here", rules) == ("nothing here", [])
    assert apply("", rules) == ("", [])


def test_apply_makes_no_chains_and_keeps_a_fixed_order():
    rules = [("a", "b"), ("b", "c"), ("x y", "z"), ("x", "w")]
    text, applied = apply("a b x y x", rules)
    assert text == "b c z w"  # each word rewritten once: 'a' became 'b', not 'c'
    reordered = apply("a b x y x", list(reversed(rules)))
    assert reordered[0] == text
    assert list(applied) == [("a", "b"), ("b", "c"), ("x y", "z"), ("x", "w")]
    # two rules for one span: the first by text wins, whatever order they come in
    assert (
        apply("cat", [("cat", "dog"), ("cat", "cow")])[0]
        == apply("cat", [("cat", "cow"), ("cat", "dog")])[0]
        == "cow"
    )


def test_apply_takes_records_and_korean_particles():
    rule = Rewrite(1, 1, "쿠버네티스", "큐버네티스", 2, 2, "accepted", AT)
    text, applied = apply("쿠버네티스를 설치하고 쿠버네티스트 쿠버네티스에서 봤다", [rule])
    assert text == "큐버네티스를 설치하고 쿠버네티스트 큐버네티스에서 봤다"
    assert applied == [rule]


@pytest.mark.parametrize("before", ["c++", "e.g.", "a (b)"])
def test_apply_escapes_the_rule(before):
    text, applied = apply(f"say {before} now", [(before, "X")])
    assert (text, len(applied)) == ("say X now", 1)


def test_function_words_labellers_insert_are_not_terms():
    from workbench.learning.vocabulary import Example, learn

    examples = [
        Example("the graph panel is empty", "in the Grafana panel is empty", "ann"),
        Example("restart graph on", "restart Grafana in", "bob"),
        Example("the graph", "in Grafana", "cid"),
    ]
    assert [t.term for t in learn(examples)] == ["Grafana"]
