"""`python -m workbench speakers`: the registry listed, added to, changed, emptied and filled
from a CSV; and `export --missing-speakers`, whose refusal names each speaker and field."""

from __future__ import annotations

from workbench.cli import main
from workbench.projects import speakers


def _run(home, *argv: str) -> int:
    return main([*argv, "--home", str(home)])


def test_speakers_add_set_list_remove(home, wb, labelled, capsys):
    assert (
        _run(home, "speakers", "add", "F01", "--project", "demo", "--gender", "여", "--age", "27")
        == 0
    )
    assert "added F01 · female, 20대" in capsys.readouterr().out
    assert _run(home, "speakers", "add", "M02", "--project", "demo", "--role", "상담사") == 0
    assert (
        _run(
            home,
            "speakers",
            "set",
            "F01",
            "--project",
            "demo",
            "--region",
            "서울",
            "--rename",
            "F1",
        )
        == 0
    )
    assert "set F1 · female, 20대, 서울" in capsys.readouterr().out
    assert _run(home, "speakers", "--project", "demo") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listed] == [["1", "F1"], ["2", "M02"]]
    assert _run(home, "speakers", "remove", "M02", "--project", "demo") == 0
    assert [s.name for s in speakers.registry(wb, labelled)] == ["F1"]
    # a value not understood: refused, with what is taken
    assert _run(home, "speakers", "add", "X", "--project", "demo", "--age", "old") == 2
    assert "age group 'old' is not one of" in capsys.readouterr().err
    assert _run(home, "speakers", "remove", "nobody", "--project", "demo") == 2


def test_speakers_import_a_cp949_csv(home, wb, labelled, tmp_path, capsys):
    table = tmp_path / "speakers.csv"
    table.write_bytes(
        "화자,성별,연령대,지역\nKim Min-su,남,30대,서울\nAnne O'Neil,?,20대,\n".encode("cp949")
    )
    assert _run(home, "speakers", "import", str(table), "--project", "demo") == 1
    out = capsys.readouterr().out
    assert "1 speakers added, 0 changed" in out and "skipped line 3: gender '?'" in out
    got = [(s.name, s.gender, s.age, s.region) for s in speakers.registry(wb, labelled)]
    assert got == [("Kim Min-su", "male", "30대", "서울")]


def test_export_refusal_names_speakers_and_fields_then_blank_writes(
    home, wb, labelled, tmp_path, capsys
):
    speakers.add_speaker(wb, labelled, "Kim Min-su", gender="male", age="30대")
    argv = ["export", "--project", "demo", "--format", "aihub-stt", "--speaker", "Kim Min-su"]
    argv += ["--speaker", "Anne O'Neil"]
    assert _run(home, *argv, "--out", str(tmp_path / "a")) == 2
    err = capsys.readouterr().err
    assert "Anne O'Neil: not in the registry" in err and "Kim Min-su" not in err
    assert _run(home, *argv, "--out", str(tmp_path / "b"), "--missing-speakers", "blank") == 0
    out = capsys.readouterr().out
    assert "wrote 4 segments" in out and "warning:" in out and "(written empty)" in out
