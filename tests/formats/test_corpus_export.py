import json

import pytest
import soundfile as sf

from tests.conftest import as_user
from workbench import store
from workbench.core.errors import WorkbenchError
from workbench.formats import clips
from workbench.formats.corpus_export import export_batch, statuses_for, zip_folder
from workbench.labelling.labeller_edits import save_segment


def _label_all(wb, project):
    for i, q in enumerate(store.segment_queue(wb.db, project.id)):
        save_segment(as_user(wb, "ann"), q["id"], 1, f"텍스트 {i} café", q["start"], q["end"])


def test_nemo_export_writes_manifest_and_clips(wb, drafted, tmp_path):
    _label_all(wb, drafted)
    out = tmp_path / "corpus"
    result = export_batch(wb, drafted, out, status="labeled")
    lines = (out / "manifest.json").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    assert result.segments == len(entries) == 6
    assert result.seconds == pytest.approx(sum(e["duration"] for e in entries), abs=0.01)
    assert result.seconds == pytest.approx(5.5, abs=0.05)  # drafting may trim boundaries
    for e in entries:
        assert not e["audio_filepath"].startswith("/")
        clip = out / e["audio_filepath"]
        info = sf.info(str(clip))
        assert (info.samplerate, info.channels) == (16000, 1)
        assert info.duration == pytest.approx(e["duration"], abs=1e-3)
        assert e["duration"] == pytest.approx(e["end"] - e["start"], abs=1e-3)
        assert {"text", "segment_id", "recording", "start", "end"} <= set(e)
    assert entries[0]["text"].startswith("텍스트 ")  # UTF-8 kept, not \u-escaped
    assert "텍스트" in lines[0]
    past = store.list_exports(wb.db, drafted.id)
    assert past[0]["checksum"] == result.checksum and past[0]["counts"]["segments"] == 6


def test_export_takes_only_the_status_asked(wb, drafted, tmp_path):
    q = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(as_user(wb, "ann"), q["id"], 1, "only me", q["start"], q["end"])
    export_batch(wb, drafted, tmp_path / "one", status="labeled")
    entries = (tmp_path / "one" / "manifest.json").read_text().splitlines()
    assert len(entries) == 1 and json.loads(entries[0])["text"] == "only me"
    with pytest.raises(WorkbenchError, match="no segments with status 'approved'"):
        export_batch(wb, drafted, tmp_path / "none", status="approved")
    export_batch(wb, drafted, tmp_path / "all", status="any")
    assert len((tmp_path / "all" / "manifest.json").read_text().splitlines()) == 6


def test_failed_export_leaves_nothing(wb, drafted, tmp_path, monkeypatch):
    _label_all(wb, drafted)
    calls = {"n": 0}
    real = clips.Reader.read

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(clips.Reader, "read", flaky)
    with pytest.raises(OSError, match="disk full"):
        export_batch(wb, drafted, tmp_path / "corpus")
    assert not (tmp_path / "corpus").exists()
    assert not any(p.name.startswith(".corpus") for p in tmp_path.iterdir())
    assert store.list_exports(wb.db, drafted.id) == []


def test_export_refuses_a_folder_with_files(wb, drafted, tmp_path):
    _label_all(wb, drafted)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(WorkbenchError):
        export_batch(wb, drafted, tmp_path / "busy")
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    assert export_batch(wb, drafted, tmp_path / "empty").segments == 6


def test_zip_folder_holds_every_file(wb, drafted, tmp_path):
    import zipfile

    _label_all(wb, drafted)
    result = export_batch(wb, drafted, tmp_path / "corpus")
    with zipfile.ZipFile(zip_folder(result.path)) as zf:
        names = zf.namelist()
    assert "corpus/manifest.json" in names and sum(n.endswith(".wav") for n in names) == 6


def test_statuses_for():
    assert statuses_for("labeled") == ["labeled", "passed", "approved"]
    assert statuses_for("accepted") == ["approved", "passed"]  # final, reviewed or sampled out
    assert statuses_for("any") is None
    with pytest.raises(WorkbenchError, match="unknown status"):
        statuses_for("done")


def test_deleted_segments_are_never_exported_and_tags_filter(wb, drafted, tmp_path):
    from workbench.core.records import Edit
    from workbench.formats.corpus_export import Filters
    from workbench.labelling.labeller_edits import delete, save

    queue = store.segment_queue(wb.db, drafted.id)
    delete(as_user(wb, "ann"), queue[0]["id"], 1)
    save(
        as_user(wb, "ann"),
        queue[1]["id"],
        1,
        Edit("noisy one", queue[1]["start"], queue[1]["end"], tags=("noise",)),
    )
    export_batch(wb, drafted, tmp_path / "any", status="any")
    ids = [
        json.loads(line)["segment_id"]
        for line in (tmp_path / "any" / "manifest.json").read_text().splitlines()
    ]
    assert queue[0]["id"] not in ids and len(ids) == 5
    export_batch(
        wb, drafted, tmp_path / "clean", filters=Filters(status="any", exclude_tags=("noise",))
    )
    ids = [
        json.loads(line)["segment_id"]
        for line in (tmp_path / "clean" / "manifest.json").read_text().splitlines()
    ]
    assert queue[1]["id"] not in ids and len(ids) == 4
