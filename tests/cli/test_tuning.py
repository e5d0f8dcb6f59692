"""`workbench tune` and `workbench models` on a tiny model the test builds."""

from __future__ import annotations

from tests.helpers.scripted_engines import script
from workbench import store
from workbench.cli import main


def test_tune_then_list_and_choose_models(wb, home, project, monkeypatch, capsys):
    script(monkeypatch, wb, project, new_is_better=False)

    def run(*argv):
        code = main([*argv, "--home", str(home)])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run(
        "tune",
        "--project",
        project.name,
        "--steps",
        "2",
        "--method",
        "decoder",
        "--lr",
        "0.001",
        "--holdout",
        "0.34",
    )
    assert code == 0, err
    assert "fine-tune [" in err  # progress lines on stderr
    assert "job done; v1: ready, not in use: not better" in out
    code, out, _ = run("models", "--project", project.name)
    assert code == 0 and "drafts with tiny" in out and "  v1 " in out and "decoder" in out
    code, out, _ = run("models", "--project", project.name, "--use", "v1")
    assert code == 0 and f"drafts with project-{project.id}/v1" in out
    code, out, _ = run("models", "--project", project.name)
    assert "* v1" in out
    code, out, _ = run("models", "--project", project.name, "--use", "base")
    assert code == 0 and store.get_project(wb.db, project.id).asr_model == "tiny"
    code, _, err = run("models", "--project", project.name, "--use", "9")
    assert code == 2 and "no ready version v9" in err
    code, _, err = run("tune", "--project", project.name, "--method", "full", "--steps", "0")
    assert code == 2 and "steps" in err
