import pytest

from workbench.labelling.flags import DraftStats, draft_flags, echoes_prompt, repeated_ngram


def _stats(**kw):
    base = dict(
        text="hello there",
        start=0.0,
        end=2.0,
        avg_logprob=-0.2,
        no_speech_prob=0.05,
        compression_ratio=1.3,
        words=[(0.1, 0.5, 0.9), (0.6, 1.0, 0.95)],
        peak_level=0.3,
    )
    return DraftStats(**{**base, **kw})


@pytest.mark.parametrize(
    "text,looped",
    [
        (
            "the above copyright notice and the above copyright notice and the above copyright "
            "notice and",
            True,
        ),
        ("no no no", True),
        (
            "conditions, the above copyright notice and the above copyright notice and the above "
            "copyright notice.",
            True,
        ),
        ("I think, I think I said I think so", False),
        ("그래서 그래서 그래서 그래서", True),
        ("ask not what your country can do for you, ask what you can do", False),
        ("", False),
    ],
)
def test_repeated_ngram(text, looped):
    assert repeated_ngram(text) is looped


@pytest.mark.parametrize(
    "change,flag",
    [
        ({"text": "and the and the and the and the"}, "repetition"),
        ({"compression_ratio": 2.9}, "high_compression"),
        ({"no_speech_prob": 0.9, "avg_logprob": -1.4}, "no_speech"),
        ({"peak_level": 0.001}, "silent_audio"),
        ({"words": [(0.1, 0.5, 0.9), (3.5, 4.0, 0.9)]}, "words_outside"),
        ({"avg_logprob": -1.3}, "low_logprob"),
        ({"words": [(0.1, 0.5, 0.2)]}, "unsure_words"),
        (
            {
                "text": "Zentrolux, Quorvia, kubectl.",
                "prompt": "Zentrolux, Quorvia, kubectl, Grafana",
            },
            "prompt_echo",
        ),
    ],
)
def test_each_flag(change, flag):
    assert flag in draft_flags(_stats(**change))


def test_a_clean_draft_has_no_flags():
    assert draft_flags(_stats()) == []
    assert draft_flags(_stats(peak_level=None)) == []


PROMPT = "Cloud operations call. Zentrolux, Quorvia, kubectl, Grafana, ComfyUI, Traefik"


@pytest.mark.parametrize(
    "text,echo",
    [
        ("Zentrolux, Quorvia, kubectl, Grafana.", True),  # the term list read back
        ("cloud operations call", True),  # the prompt's sentence
        ("kubectl Grafana ComfyUI", True),  # case and punctuation ignored
        ("we restarted Traefik and looked at Grafana", False),  # two terms in a sentence
        ("then kubectl, Grafana, ComfyUI showed the pods were fine after the restart", False),
        (
            "so Zentrolux Quorvia kubectl Grafana ComfyUI Traefik and then the rest of it all "
            "went on for a long while",
            True,
        ),  # six in a row, whatever the rest
        ("Zentrolux Quorvia", False),  # too short to tell
        ("", False),
    ],
)
def test_echoes_prompt(text, echo):
    assert echoes_prompt(text, PROMPT) is echo


def test_no_prompt_no_echo():
    assert not echoes_prompt("Zentrolux, Quorvia, kubectl, Grafana.", None)
    assert not echoes_prompt("Zentrolux, Quorvia, kubectl, Grafana.", "")
    assert echoes_prompt("그래서 오늘은 회의를", "그래서 오늘은 회의를 시작하겠습니다")
