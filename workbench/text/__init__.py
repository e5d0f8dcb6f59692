"""Text: transcription conventions (Korean first), as-you-type lint, text forms, WER/CER.

Pure logic, no Streamlit. A convention profile is data (`workbench/conventions/*.yaml`);
`lint` checks a transcript against it, `render` turns it into the written, spelling or
pronunciation form for export and metrics.
"""

from workbench.text.conventions import RULES, Dual, Profile, Style, Tag, list_profiles, load_profile
from workbench.text.forms import FORMS, TAG_MODES, pronunciation, render, spelling, written
from workbench.text.lint import Finding, has_errors, lint
from workbench.text.metrics import Score, cer, headline_metric, normalise, score, wer
from workbench.text.width import display_width, pad

__all__ = [
    "RULES",
    "Dual",
    "Profile",
    "Style",
    "Tag",
    "list_profiles",
    "load_profile",
    "FORMS",
    "TAG_MODES",
    "written",
    "spelling",
    "pronunciation",
    "render",
    "Finding",
    "lint",
    "has_errors",
    "Score",
    "wer",
    "cer",
    "score",
    "normalise",
    "headline_metric",
    "display_width",
    "pad",
]
