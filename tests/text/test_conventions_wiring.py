"""Conventions in use: project creation, lint from the CLI, export text forms, settings, quality."""

import json

import pytest

from tests.conftest import as_user
from workbench import store
from workbench.cli import main
from workbench.labelling.labeller_edits import save_segment
from workbench.projects.settings import draft_quality, ensure_project

KSPON_LINES = [
    "o/ (70%)/(칠십 퍼센트) 정도 b/ 되는 것 같아요 음/ 그+ 그래서",
    "u/ 뭐라고 하는지 모르겠어요",
    "(70%)/(칠십 퍼센트 정도",  # unbalanced: an error
]


@pytest.fixture
def kspon(wb, drafted):
    store.update_project(wb.db, drafted.id, conventions="kspon", language="ko")
    for q, text in zip(store.segment_queue(wb.db, drafted.id), KSPON_LINES, strict=False):
        save_segment(as_user(wb, "ann"), q["id"], 1, text, q["start"], q["end"])
    return store.get_project(wb.db, drafted.id)


def test_import_creates_a_project_with_conventions(home, tmp_path, capsys):
    from tests.conftest import tone

    wav = str(tone(tmp_path / "k.wav", 1.0))
    assert (
        main(["import", wav, "--project", "ko", "--conventions", "kspon", "--home", str(home)]) == 0
    )
    assert (
        main(
            [
                "import",
                wav,
                "--project",
                "bad",
                "--conventions",
                str(tmp_path / "nope.yaml"),
                "--home",
                str(home),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "nope.yaml" in err and "Traceback" not in err
    from workbench.projects.settings import open_workbench

    wb = open_workbench(home, f"sqlite:///{home / 'workbench.db'}")
    assert store.find_project(wb.db, "ko").conventions == "kspon"
    assert store.find_project(wb.db, "bad") is None


def test_lint_command_lists_findings_and_fails_on_errors(wb, kspon, home, capsys):
    assert main(["lint", "--project", "demo", "--home", str(home)]) == 1
    out = capsys.readouterr().out
    assert "dual-transcription" in out and "demo (kspon):" in out
    assert main(["lint", "--project", "demo", "--json", "--home", str(home)]) == 1
    findings = json.loads(capsys.readouterr().out)
    errors = [f for f in findings if f["level"] == "error"]
    # the unbalanced line, and the fake drafts' digits ("w3 x3"), which kspon writes as words
    assert {f["rule"] for f in errors} == {"dual-transcription", "digits"}
    assert [f["segment_id"] for f in errors if f["rule"] == "dual-transcription"] == [
        store.segment_queue(wb.db, kspon.id)[2]["id"]
    ]
    assert all({"segment_id", "rule", "message"} <= set(f) for f in findings)


def test_lint_command_passes_a_clean_project(wb, drafted, home, capsys):
    assert main(["lint", "--project", "demo", "--home", str(home)]) == 0


@pytest.mark.parametrize(
    "form,tags,first",
    [
        ("written", "keep", KSPON_LINES[0]),
        ("spelling", "strip", "70% 정도 되는 것 같아요 음 그 그래서"),
        ("pronunciation", "strip", "칠십 퍼센트 정도 되는 것 같아요 음 그 그래서"),
    ],
)
def test_export_text_forms_follow_the_conventions(kspon, home, tmp_path, capsys, form, tags, first):
    out = tmp_path / f"{form}-{tags}"
    code = main(
        [
            "export",
            "--project",
            "demo",
            "--format",
            "nemo",
            "--out",
            str(out),
            "--text-form",
            form,
            "--tags",
            tags,
            "--home",
            str(home),
        ]
    )
    assert code == 0, capsys.readouterr()
    entries = [json.loads(line) for line in (out / "manifest.json").read_text().splitlines()]
    assert entries[0]["text"] == first


def test_export_drop_leaves_out_unusable_tags(kspon, home, tmp_path):
    out = tmp_path / "dropped"
    assert (
        main(
            [
                "export",
                "--project",
                "demo",
                "--format",
                "nemo",
                "--out",
                str(out),
                "--text-form",
                "spelling",
                "--tags",
                "drop",
                "--home",
                str(home),
            ]
        )
        == 0
    )
    texts = [json.loads(line)["text"] for line in (out / "manifest.json").read_text().splitlines()]
    assert len(texts) == 2 and not any("뭐라고" in t for t in texts)  # the u/ line is gone


def test_draft_quality_uses_cer_for_korean(wb, kspon):
    quality = draft_quality(wb, kspon)
    assert quality["headline"] == "CER" and quality["segments"] == 3
    assert quality["cer"] > 0 and quality["wer"] > 0


def test_draft_quality_is_zero_when_drafts_were_right(wb, drafted):
    for q in store.segment_queue(wb.db, drafted.id):
        save_segment(as_user(wb, "ann"), q["id"], 1, q["text"], q["start"], q["end"])
    quality = draft_quality(wb, store.get_project(wb.db, drafted.id))
    assert (quality["wer"], quality["cer"], quality["headline"]) == (0.0, 0.0, "WER")
    assert draft_quality(wb, ensure_project(wb, "nothing yet")) is None


def test_projects_page_settings_and_quality(wb, kspon, home, monkeypatch):
    from tests.conftest import open_page
    from workbench.ui.common import form_key

    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    at = open_page(home, "workbench/pages/projects.py", kspon.id)
    assert not at.exception
    assert any("CER" in c.value for c in at.caption)

    def key(name):
        return form_key(store.get_project(wb.db, kspon.id), name)

    at.text_input(key=key("set_speakers")).input("김민지, Lee Joon")
    at.text_area(key=key("set_guidelines")).input("# Our rules\\nWrite numbers as words.")
    at.checkbox(key=key("set_lint_blocks")).check()
    at.button(key=key("save_project_settings")).click().run()
    assert not at.exception
    project = store.get_project(wb.db, kspon.id)
    assert project.speakers == ("김민지", "Lee Joon") and project.lint_blocks
    assert project.guidelines.startswith("# Our rules")
    # the form now shows the stored values (a fresh form keyed by them)
    assert at.text_input(key=key("set_speakers")).value == "김민지, Lee Joon"
    # a server path cannot be chosen: the field only offers profiles, and no free-text path
    assert "/no/such/profile.yaml" not in at.selectbox(key=key("set_conventions")).options
    assert not [t for t in at.text_input if "profile" in (t.key or "")]
