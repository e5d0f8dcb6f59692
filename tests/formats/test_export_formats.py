"""Every export format read back by the library that consumes it, plus filters, splits, options."""

from __future__ import annotations

import csv
import gzip
import json
import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import sqlalchemy as sa

from tests.helpers.corpus import label
from workbench import store
from workbench.core.errors import NotFound, WorkbenchError
from workbench.formats import FORMATS
from workbench.formats.corpus_export import (
    CHECKSUMS,
    ExportCancelled,
    ExportOptions,
    Filters,
    export_batch,
    exported_segment_ids,
)
from workbench.formats.kaldi import speaker_id
from workbench.formats.select import parse_when
from workbench.formats.split import assign_splits, parse_split
from workbench.formats.subtitles import timestamp
from workbench.formats.textform import lower, strip_tags


def expected(wb, project) -> list[tuple[float, float, str, str | None]]:
    rows = store.export_rows(wb.db, project.id, None)
    return [(r["start"], r["end"], r["text"], r["speaker"]) for r in rows]


def durations(wb, project) -> dict[int, float]:
    return {r.id: r.duration for r in store.list_recordings(wb.db, project.id)}


# ---------------------------------------------------------------- NeMo


def test_nemo_offsets_point_into_copied_working_copies(wb, labelled, tmp_path):
    result = export_batch(wb, labelled, tmp_path / "c", "nemo", options=ExportOptions(clips="none"))
    entries = [json.loads(x) for x in (tmp_path / "c" / "manifest.json").read_text().splitlines()]
    assert len(entries) == result.segments == 6
    assert not (tmp_path / "c" / "clips").exists()
    for e, (start, end, text, speaker) in zip(entries, expected(wb, labelled), strict=True):
        assert re.fullmatch(r"audio/rec\d{6}\.flac", e["audio_filepath"])
        info = sf.info(str(tmp_path / "c" / e["audio_filepath"]))
        assert (info.samplerate, info.channels) == (16000, 1)
        assert e["offset"] == pytest.approx(start) and e["duration"] == pytest.approx(end - start)
        assert e["offset"] + e["duration"] <= info.duration + 1e-3
        assert e["text"] == text and e.get("speaker") == speaker
    assert len(list((tmp_path / "c" / "audio").iterdir())) == 2


def test_nemo_flac_clips_resampled_and_padded(wb, labelled, tmp_path):
    opts = ExportOptions(clips="flac", sample_rate=8000, padding=0.25)
    export_batch(wb, labelled, tmp_path / "c", options=opts)
    entries = [json.loads(x) for x in (tmp_path / "c" / "manifest.json").read_text().splitlines()]
    lengths = durations(wb, labelled)
    rows = store.export_rows(wb.db, labelled.id, None)
    for e, row in zip(entries, rows, strict=True):
        info = sf.info(str(tmp_path / "c" / e["audio_filepath"]))
        assert info.samplerate == 8000 and info.format == "FLAC"
        start = max(0.0, row["start"] - 0.25)
        end = min(lengths[row["recording_id"]], row["end"] + 0.25)
        assert info.duration == pytest.approx(end - start, abs=2e-3)
        assert e["duration"] == pytest.approx(info.duration, abs=1e-3)


@pytest.mark.parametrize("fmt,suffix", [("nemo", ".flac"), ("kaldi", ".wav")])
def test_whole_recordings_resampled(wb, labelled, tmp_path, fmt, suffix):
    export_batch(
        wb, labelled, tmp_path / "c", fmt, options=ExportOptions(clips="none", sample_rate=22050)
    )
    files = sorted((tmp_path / "c" / "audio").iterdir())
    assert [f.suffix for f in files] == [suffix, suffix]
    for path, duration in zip(files, durations(wb, labelled).values(), strict=True):
        info = sf.info(str(path))
        assert (info.samplerate, info.channels) == (22050, 1)
        assert info.frames == pytest.approx(duration * 22050, abs=2)
        data, _ = sf.read(str(path))
        assert 0.1 < np.abs(data).max() <= 1.0  # the signal came through


def test_original_rate_reads_the_source_or_says_it_is_gone(wb, labelled, tmp_path, sources):
    result = export_batch(
        wb, labelled, tmp_path / "c", options=ExportOptions(sample_rate="original")
    )
    entries = [json.loads(x) for x in (tmp_path / "c" / "manifest.json").read_text().splitlines()]
    rates = {sf.info(str(tmp_path / "c" / e["audio_filepath"])).samplerate for e in entries}
    assert rates == {16000, 48000} and result.segments == 6  # a.wav at 16 kHz, b.flac at 48 kHz
    sources[1].unlink()
    with pytest.raises(WorkbenchError, match=r"original rate is not available for b\.flac"):
        export_batch(wb, labelled, tmp_path / "d", options=ExportOptions(sample_rate="original"))
    assert not (tmp_path / "d").exists()


# ---------------------------------------------------------------- Hugging Face


def test_hf_audiofolder_loads_with_datasets(wb, labelled, tmp_path):
    datasets = pytest.importorskip("datasets")
    export_batch(wb, labelled, tmp_path / "hf", "hf")
    ds = datasets.load_dataset(
        "audiofolder", data_dir=str(tmp_path / "hf"), cache_dir=str(tmp_path / "cache")
    )["train"]
    assert len(ds) == 6
    want = {(t, s) for _, _, t, s in expected(wb, labelled)}
    assert {(r["transcription"], r["speaker"] or None) for r in ds} == want
    row = ds[0]
    assert row["audio"]["sampling_rate"] == 16000
    assert len(row["audio"]["array"]) / 16000 == pytest.approx(row["duration"], abs=1e-3)


def test_hf_splits_load_as_dataset_splits(wb, labelled, tmp_path):
    datasets = pytest.importorskip("datasets")
    opts = ExportOptions(split="0.5,0.25,0.25", split_by="speaker", seed=3)
    result = export_batch(wb, labelled, tmp_path / "hf", "hf", options=opts)
    ds = datasets.load_dataset(
        "audiofolder", data_dir=str(tmp_path / "hf"), cache_dir=str(tmp_path / "cache")
    )
    assert set(ds) <= {"train", "validation", "test"} and sum(len(d) for d in ds.values()) == 6
    speakers = [set(d["speaker"]) for d in ds.values()]
    named = [s - {""} for s in speakers]
    assert all(not (a & b) for i, a in enumerate(named) for b in named[i + 1 :])
    assert set(result.splits) == {"train", "dev", "test"}


# ---------------------------------------------------------------- Kaldi


def _c_sorted(lines: list[str]) -> bool:
    keys = [line.split(" ", 1)[0].encode() for line in lines]
    return keys == sorted(keys) and len(keys) == len(set(keys))


def validate_kaldi_dir(folder: Path) -> None:
    """The checks of Kaldi's utils/validate_data_dir.sh (--no-feats) that apply to these files."""

    def lines(name: str) -> list[str]:
        text = (folder / name).read_text(encoding="utf-8")
        assert text.endswith("\n") and "\r" not in text, name
        found = text[:-1].split("\n")
        assert all(line.strip() for line in found), f"{name} has an empty line"
        assert all(line == line.strip() for line in found), f"{name} has stray whitespace"
        return found

    utt2spk = lines("utt2spk")
    assert _c_sorted(utt2spk) and all(len(x.split()) == 2 for x in utt2spk)
    spk2utt = lines("spk2utt")
    assert _c_sorted(spk2utt)
    expanded = [f"{u} {s.split()[0]}" for s in spk2utt for u in s.split()[1:]]
    assert expanded == utt2spk, "spk2utt and utt2spk do not match"
    utts = [x.split()[0] for x in utt2spk]
    for u, spk in (x.split() for x in utt2spk):
        assert u.startswith(spk), "speaker id must prefix the utterance id"
    text = lines("text")
    assert _c_sorted(text) and [x.split(" ", 1)[0] for x in text] == utts
    wav = lines("wav.scp")
    assert _c_sorted(wav)
    recos = [x.split(" ", 1)[0] for x in wav]
    if (folder / "segments").exists():
        segments = lines("segments")
        assert _c_sorted(segments) and [x.split()[0] for x in segments] == utts
        for line in segments:
            _, reco, start, end = line.split()
            assert reco in recos and 0 <= float(start) < float(end)
        assert {x.split()[1] for x in segments} == set(recos)
    else:
        assert recos == utts
    for line in wav:
        rx = line.split(" ", 1)[1]
        path = rx.split()[-2] if rx.endswith("|") else rx
        assert (folder / path).is_file(), path


@pytest.mark.parametrize("clips", ["wav", "flac", "none"])
def test_kaldi_data_dir_passes_validation_rules(wb, labelled, tmp_path, clips):
    export_batch(wb, labelled, tmp_path / "k", "kaldi", options=ExportOptions(clips=clips))
    validate_kaldi_dir(tmp_path / "k")
    spk2name = dict(
        line.split(" ", 1) for line in (tmp_path / "k" / "spk2name").read_text().splitlines()
    )
    assert spk2name == {"Anne_O_Neil": "Anne O'Neil", "Kim_Min_su": "Kim Min-su"}
    text = (tmp_path / "k" / "text").read_text(encoding="utf-8")
    assert "안녕하세요, 반갑습니다!" in text and "🎉" in text
    if clips == "none":
        assert all(
            x.split()[1].startswith("audio/")
            for x in (tmp_path / "k" / "wav.scp").read_text().splitlines()
        )


def test_kaldi_speaker_ids_keep_prefix_order():
    # 'a' prefixes 'a-b': with '-' kept, 'a-b-...' would sort before 'a-rec...'
    assert speaker_id("a-b") == "a_b" and speaker_id("O'Neil x") == "O_Neil_x"
    assert speaker_id("김 민수") == "김_민수"


def test_kaldi_validation_with_prefixing_speakers(wb, noisy_project, tmp_path):
    names = ["a", "a-b", "a b", "a(c)", "a.d", "b"]
    label(wb, noisy_project, [(f"t{i}", n) for i, n in enumerate(names)])
    export_batch(wb, noisy_project, tmp_path / "k", "kaldi")
    validate_kaldi_dir(tmp_path / "k")


# ---------------------------------------------------------------- lhotse


@pytest.mark.parametrize("clips", ["none", "wav"])
def test_lhotse_manifests_load_and_validate(wb, labelled, tmp_path, clips):
    lhotse = pytest.importorskip("lhotse")
    out = tmp_path / "l"
    export_batch(wb, labelled, out, "lhotse", options=ExportOptions(clips=clips))
    recordings = lhotse.load_manifest(out / "recordings.jsonl.gz").with_path_prefix(out)
    supervisions = lhotse.load_manifest(out / "supervisions.jsonl.gz")
    lhotse.validate_recordings_and_supervisions(recordings, supervisions)
    assert len(supervisions) == 6 and len(recordings) == (2 if clips == "none" else 6)
    sup = next(s for s in supervisions if s.text == "마지막 segment.")
    audio = recordings[sup.recording_id].load_audio(offset=sup.start, duration=sup.duration)
    assert audio.shape[1] == pytest.approx(sup.duration * 16000, abs=2)
    assert {s.speaker for s in supervisions} == {"Kim Min-su", "Anne O'Neil", None}
    with gzip.open(out / "supervisions.jsonl.gz", "rb") as f:
        f.read()


# ---------------------------------------------------------------- Common Voice


def test_common_voice_tsv(wb, labelled, tmp_path):
    pandas = pytest.importorskip("pandas")
    export_batch(wb, labelled, tmp_path / "cv", "cv")
    tsv = pandas.read_csv(
        tmp_path / "cv" / "validated.tsv",
        sep="\t",
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        dtype=str,
    )
    assert list(tsv.columns) == [
        "client_id",
        "path",
        "sentence",
        "up_votes",
        "down_votes",
        "age",
        "gender",
        "accents",
        "locale",
        "segment",
    ]
    assert list(tsv["sentence"]) == [t for _, _, t, _ in expected(wb, labelled)]
    assert set(tsv["locale"]) == {"en"}
    for path in tsv["path"]:
        assert (tmp_path / "cv" / "clips" / path).is_file()


@pytest.mark.parametrize("fmt", ["csv", "cv"])
def test_spreadsheet_cells_never_run_as_formulas(wb, labelled, tmp_path, fmt):
    first = store.segment_queue(wb.db, labelled.id, statuses=None)[0]
    with wb.db.begin() as conn:
        conn.execute(
            sa.update(store.revisions)
            .where(store.revisions.c.segment_id == first["id"])
            .values(text="=cmd|' /c calc'!a0")
        )
        conn.execute(
            sa.update(store.segments)
            .where(store.segments.c.id == first["id"])
            .values(speaker="@SUM(A1)")
        )
    name = {"csv": "segments.csv", "cv": "validated.tsv"}[fmt]
    export_batch(wb, labelled, tmp_path / "safe", fmt, status="any")
    written = (tmp_path / "safe" / name).read_text(encoding="utf-8-sig")
    assert "'=cmd|' /c calc'!a0" in written and "'@SUM(A1)" in written
    cells = [c.strip('"') for line in written.splitlines() for c in re.split("[,\t]", line)]
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    raw = ExportOptions(raw_cells=True)
    export_batch(wb, labelled, tmp_path / "raw", fmt, status="any", options=raw)
    written = (tmp_path / "raw" / name).read_text(encoding="utf-8-sig")
    assert "'=cmd" not in written and "=cmd|' /c calc'!a0" in written


# ---------------------------------------------------------------- per recording


def _recording_files(folder: Path, suffix: str) -> list[Path]:
    found = sorted(folder.glob(f"*{suffix}"))
    assert len(found) == 2
    for path in found:
        assert path.with_suffix(".flac").is_file()
    return found


def test_srt_parses(wb, labelled, tmp_path):
    srt = pytest.importorskip("srt")
    export_batch(wb, labelled, tmp_path / "s", "srt")
    cues = []
    for path in _recording_files(tmp_path / "s", ".srt"):
        cues += list(srt.parse(path.read_text(encoding="utf-8")))
    want = expected(wb, labelled)
    assert [round(c.start.total_seconds(), 3) for c in cues] == [w[0] for w in want]
    assert [round(c.end.total_seconds(), 3) for c in cues] == [w[1] for w in want]
    assert cues[0].content == "Kim Min-su: 안녕하세요, 반갑습니다!"
    assert cues[3].content == "Anne O'Neil:"


def test_vtt_parses(wb, labelled, tmp_path):
    webvtt = pytest.importorskip("webvtt")
    import html

    export_batch(wb, labelled, tmp_path / "v", "vtt")
    captions = []
    for path in _recording_files(tmp_path / "v", ".vtt"):
        captions += list(webvtt.read(str(path)))
    want = expected(wb, labelled)
    assert [c.start for c in captions] == [timestamp(w[0]) for w in want]
    assert [c.end for c in captions] == [timestamp(w[1]) for w in want]
    assert [html.unescape(c.text) for c in captions] == [w[2] for w in want]
    assert [c.voice for c in captions] == [w[3] for w in want]


def test_textgrid_reads_with_praatio(wb, labelled, tmp_path):
    praatio = pytest.importorskip("praatio.textgrid")
    export_batch(wb, labelled, tmp_path / "t", "textgrid")
    lengths = list(durations(wb, labelled).values())
    for path, duration in zip(_recording_files(tmp_path / "t", ".TextGrid"), lengths, strict=True):
        tg = praatio.openTextgrid(str(path), includeEmptyIntervals=True)
        assert tg.maxTimestamp == pytest.approx(duration)
        for name in tg.tierNames:
            entries = tg.getTier(name).entries
            assert entries[0].start == 0 and entries[-1].end == pytest.approx(duration)
            for a, b in pairwise(entries):
                assert a.end == b.start  # tiles: no overlap, no hole
    first = praatio.openTextgrid(str(_recording_files(tmp_path / "t", ".TextGrid")[0]), False)
    assert set(first.tierNames) == {"Kim Min-su", "transcription"}
    assert first.getTier("Kim Min-su").entries[0].label == "안녕하세요, 반갑습니다!"


def test_textgrid_overlapping_segments_never_overlap(wb, labelled, tmp_path):
    praatio = pytest.importorskip("praatio.textgrid")
    export_batch(wb, labelled, tmp_path / "t", "textgrid", options=ExportOptions(padding=0.3))
    for path in _recording_files(tmp_path / "t", ".TextGrid"):
        tg = praatio.openTextgrid(str(path), includeEmptyIntervals=True)
        for name in tg.tierNames:
            entries = tg.getTier(name).entries
            assert all(a.end <= b.start for a, b in pairwise(entries))
            assert all(0 <= e.start < e.end <= tg.maxTimestamp for e in entries)


def test_eaf_reads_with_pympi(wb, labelled, tmp_path):
    pympi = pytest.importorskip("pympi")
    export_batch(wb, labelled, tmp_path / "e", "eaf")
    found = []
    for path in _recording_files(tmp_path / "e", ".eaf"):
        doc = pympi.Elan.Eaf(str(path))
        for tier in doc.get_tier_names():
            speaker = doc.tiers[tier][2].get("PARTICIPANT")
            found += [
                (a / 1000, b / 1000, v, speaker)
                for a, b, v in doc.get_annotation_data_for_tier(tier)
            ]
    assert sorted(found, key=lambda x: x[:2]) == sorted(expected(wb, labelled), key=lambda x: x[:2])


def test_csv_and_txt(wb, labelled, tmp_path):
    export_batch(wb, labelled, tmp_path / "c", "csv")
    with open(tmp_path / "c" / "segments.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    got = [(float(r["start"]), float(r["end"]), r["text"], r["speaker"] or None) for r in rows]
    assert got == expected(wb, labelled)
    assert all((tmp_path / "c" / r["file"]).is_file() for r in rows)
    export_batch(wb, labelled, tmp_path / "t", "txt", status="any")
    lines = (tmp_path / "t" / "transcripts.txt").read_text(encoding="utf-8").split("\n")[:-1]
    ids = (tmp_path / "t" / "segments.txt").read_text().split()
    assert lines == [t for _, _, t, _ in expected(wb, labelled)] and len(ids) == 6
    assert not list((tmp_path / "t").rglob("*.flac"))


# ---------------------------------------------------------------- text, filters, splits


def test_text_forms():
    assert lower("Café, CRÈME! don't 'quote' 🎉 안녕하세요?") == "café crème don't quote 안녕하세요"
    assert lower("l’eau — 12,5%") == "l’eau 12 5"
    assert strip_tags("hello [laughter] <noise> world {breath}") == "hello world"


def test_text_options_apply_and_drop(wb, labelled, tmp_path):
    opts = ExportOptions(text_form="lower", tags="drop")
    result = export_batch(wb, labelled, tmp_path / "c", "txt", options=opts)
    lines = (tmp_path / "c" / "transcripts.txt").read_text(encoding="utf-8").splitlines()
    assert result.dropped == 1 and "안녕하세요 반갑습니다" in lines and "don't stop now" in lines
    custom = ExportOptions(text_form=lambda t: None if not t else t.upper())
    result = export_batch(wb, labelled, tmp_path / "d", "txt", options=custom)
    assert result.dropped == 1 and result.segments == 5
    with pytest.raises(WorkbenchError, match="unknown text form"):
        export_batch(wb, labelled, tmp_path / "e", "txt", options=ExportOptions(text_form="nope"))


def test_filters(wb, labelled, tmp_path):
    def count(**kw) -> int:
        out = tmp_path / f"f{len(list(tmp_path.iterdir()))}"
        return export_batch(wb, labelled, out, "txt", filters=Filters(**kw)).segments

    assert count(speakers=("Kim Min-su",)) == 2
    assert count(recordings=("a.wav",)) == 3 and count(recordings=("b",)) == 3
    assert count(labellers=("ann",)) == 6
    with pytest.raises(WorkbenchError, match="no segments"):
        count(labellers=("bob",))
    with pytest.raises(NotFound, match="no recording 'zz'"):
        count(recordings=("zz",))
    assert count(since=parse_when("2000-01-01"), until=parse_when("2999-01-01", end=True)) == 6
    with pytest.raises(WorkbenchError, match="no segments"):
        count(until=parse_when("2000-01-01", end=True))
    first = store.segment_queue(wb.db, labelled.id)[0]["id"]
    with wb.db.begin() as conn:
        conn.execute(
            sa.update(store.revisions)
            .where(store.revisions.c.segment_id == first)
            .values(asr_meta={"tags": ["music"]})
        )
    assert count(exclude_tags=("music",)) == 5


def test_not_exported_before(wb, labelled, tmp_path):
    export_batch(wb, labelled, tmp_path / "one", "txt", filters=Filters(recordings=("a.wav",)))
    assert len(exported_segment_ids(wb, labelled)) == 3
    again = export_batch(
        wb, labelled, tmp_path / "two", "txt", filters=Filters(not_exported_before=True)
    )
    assert again.segments == 3
    with pytest.raises(WorkbenchError, match="no segments"):
        export_batch(
            wb, labelled, tmp_path / "three", "txt", filters=Filters(not_exported_before=True)
        )


def test_split_is_groupwise_and_deterministic():
    from workbench.formats.select import Row

    rows = [
        Row(
            i,
            i % 7,
            f"r{i % 7}",
            "",
            "",
            10.0,
            None,
            0.0,
            1.0 + i % 3,
            f"spk{i % 5}" if i % 4 else None,
            "labeled",
            "",
            "a",
            None,
        )
        for i in range(200)
    ]
    ratios = parse_split("0.8,0.1,0.1")
    for by in ("segment", "recording", "speaker"):
        a = assign_splits(rows, ratios, by, seed=1)
        assert a == assign_splits(rows, ratios, by, seed=1)
        assert sum(len(p) for p in a.values()) == 200
        if by == "recording":
            owners = [{r.recording_id for r in p} for p in a.values()]
            assert all(not (x & y) for i, x in enumerate(owners) for y in owners[i + 1 :])
            assert all(a.values())  # 7 recordings: each split gets one at least
    seg = assign_splits(rows, ratios, "segment", seed=1)
    total = sum(r.end - r.start for r in rows)
    assert sum(r.end - r.start for r in seg["train"]) / total == pytest.approx(0.8, abs=0.02)
    assert assign_splits(rows, ratios, "segment", seed=2) != seg
    for bad in ("0.8,0.3", "a,b", "1,1,1,1", "-0.2,1.2"):
        with pytest.raises(WorkbenchError):
            parse_split(bad)
    assert parse_split("80,20") == (("train", 0.8), ("test", 0.2))


@pytest.mark.parametrize(
    "bad,says",
    [
        ("0.5,0.6,-0.1", "cannot be negative, as -0.1 is"),  # adds up to 1: not the problem
        ("0.8,0.3", "must add up to 1 (or 100), not 1.1"),
        ("nan,0.5,0.5", "cannot read the split"),
        ("inf,0,0", "cannot read the split"),
    ],
)
def test_a_bad_split_says_what_is_wrong(bad, says):
    with pytest.raises(WorkbenchError, match=re.escape(says)):
        parse_split(bad)


def test_split_writes_a_corpus_per_split(wb, labelled, tmp_path):
    opts = ExportOptions(split="0.5,0.5", split_by="recording")
    result = export_batch(wb, labelled, tmp_path / "n", "nemo", options=opts)
    assert set(result.splits) == {"train", "test"}
    for name in ("train", "test"):
        lines = (tmp_path / "n" / name / "manifest.json").read_text().splitlines()
        assert len({json.loads(x)["recording"] for x in lines}) == 1
        assert all(
            (tmp_path / "n" / name / json.loads(x)["audio_filepath"]).is_file() for x in lines
        )
    past = store.list_exports(wb.db, labelled.id)[0]
    assert past["filters"]["options"]["split_by"] == "recording"
    assert set(past["counts"]["splits"]) == {"train", "test"}


def test_checksum_covers_the_manifests(wb, labelled, tmp_path):
    import hashlib

    result = export_batch(wb, labelled, tmp_path / "k", "kaldi")
    listing = (tmp_path / "k" / CHECKSUMS).read_bytes()
    assert hashlib.sha256(listing).hexdigest() == result.checksum
    for line in listing.decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((tmp_path / "k" / name).read_bytes()).hexdigest() == digest
    assert {"text", "wav.scp", "utt2spk", "spk2utt", "segments.txt"} <= set(result.files)


def test_cancel_leaves_nothing(wb, labelled, tmp_path):
    calls = iter(range(100))
    with pytest.raises(ExportCancelled):
        export_batch(wb, labelled, tmp_path / "c", cancel=lambda: next(calls) >= 3)
    assert not any(p.name.startswith(".c") for p in tmp_path.iterdir())
    assert not (tmp_path / "c").exists() and store.list_exports(wb.db, labelled.id) == []


@pytest.mark.parametrize("fmt,clips", [("hf", "none"), ("srt", "wav"), ("cv", "none")])
def test_clip_modes_a_format_cannot_take(wb, labelled, tmp_path, fmt, clips):
    with pytest.raises(WorkbenchError, match=f"{fmt} takes clips"):
        export_batch(wb, labelled, tmp_path / "x", fmt, options=ExportOptions(clips=clips))


@pytest.mark.parametrize("bad", [{"sample_rate": "fast"}, {"padding": -1}, {"split_by": "day"}])
def test_bad_options(wb, labelled, tmp_path, bad):
    with pytest.raises(WorkbenchError):
        export_batch(wb, labelled, tmp_path / "x", options=ExportOptions(**bad))


def test_every_format_writes(wb, labelled, tmp_path):
    blank = ExportOptions(missing_speakers="blank")  # AI Hub's: no speaker registry here
    for fmt in FORMATS:
        result = export_batch(wb, labelled, tmp_path / fmt, fmt, options=blank)
        assert result.segments == 6 and (tmp_path / fmt / CHECKSUMS).is_file(), fmt


# ---------------------------------------------------------------- CLI and page


def test_cli_export_with_options(home, wb, labelled, tmp_path, capsys):
    from workbench.cli import main

    code = main(
        [
            "export",
            "--project",
            "demo",
            "--format",
            "kaldi",
            "--out",
            str(tmp_path / "k"),
            "--split",
            "0.5,0.5",
            "--split-by",
            "recording",
            "--clips",
            "none",
            "--speaker",
            "Kim Min-su",
            "--speaker",
            "Anne O'Neil",
            "--home",
            str(home),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "wrote 4 segments" in out and " h, to " in out
    assert (tmp_path / "k" / "train" / "wav.scp").is_file()
    for argv, message in [
        (["--split", "0.9,0.9"], "add up to 1"),
        (["--padding", "x"], "padding takes a number"),
        (["--sample-rate", "fast"], "sample rate"),
        (["--since", "yesterday"], "cannot read the date"),
        (["--text-form", "odd"], "unknown text form"),
        (["--format", "hf", "--clips", "none"], "hf takes clips"),
    ]:
        code = main(
            [
                "export",
                "--project",
                "demo",
                "--out",
                str(tmp_path / "bad"),
                *argv,
                "--home",
                str(home),
            ]
        )
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (argv, err)


def test_export_page_offers_formats_and_options(home, wb, labelled, monkeypatch):
    from tests.conftest import open_page

    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    at = open_page(home, "workbench/pages/export.py", labelled.id)
    assert not at.exception
    at.selectbox(key="export_format").select("kaldi").run()
    at.selectbox(key="export_clips").select("none")
    at.text_input(key="export_split").input("0.5,0.5")
    at.selectbox(key="export_split_by").select("recording")
    at.selectbox(key="export_text_form").select("lower")
    at.multiselect(key=f"export_speakers_{labelled.id}").select("Kim Min-su")
    at.button(key="export_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Exported 2 segments" in s.value for s in at.success), [e.value for e in at.error]
    past = store.list_exports(wb.db, labelled.id)[0]
    assert past["format"] == "kaldi" and past["filters"]["speakers"] == ["Kim Min-su"]
    assert past["filters"]["options"]["clips"] == "none"
    assert (Path(past["path"]) / "train" / "segments").is_file()
