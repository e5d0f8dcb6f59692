"""The saved texts' word timings in exports: a word tier in TextGrid (praatio) and EAF
(pympi), lhotse supervisions' alignment (lhotse), a Kaldi CTM, word cues in SRT/VTT and a
word list in NeMo manifests as options; none where a text is not aligned (or a stale one)."""

import json

import pytest

from tests.conftest import as_user
from tests.helpers.scripted_engines import SpreadAligner
from workbench import store
from workbench.formats import subtitles
from workbench.formats.corpus_export import ExportOptions, carried_words, export_batch
from workbench.formats.textgrid import WORD_TIER
from workbench.labelling.retiming import run_retime_job, start_retime_job


@pytest.fixture
def timed(wb, labelled):
    """The labelled corpus with its saved texts re-timed: {segment id: [(word, start, end)]}
    in recording seconds."""
    ann = as_user(wb, "ann")
    run_retime_job(ann, start_retime_job(ann, labelled), SpreadAligner())
    views = [store.segment_view(wb.db, q["id"]) for q in store.segment_queue(wb.db, labelled.id)]
    return {v.segment.id: [(w.word, w.start, w.end) for w in v.timed] for v in views if v.timed}


def _near(a: float, b: float) -> bool:
    return abs(a - b) < 0.0015  # times are kept to the millisecond


def test_carried_words_pair_the_exported_words_with_the_saved_times():
    from workbench.core.records import Word

    timed = [Word("Don't", 1.0, 1.2, 0.9), Word("stop", 1.3, 1.5, 0.9)]
    assert carried_words("dont stop", timed, -1.0) == (("dont", 0.0, 0.2), ("stop", 0.3, 0.5))
    assert carried_words("dont", timed, 0.0) == ()  # a word dropped: no times on wrong words
    assert carried_words("dont stop", [], 0.0) == ()


def test_textgrid_word_tiers_read_with_praatio(wb, labelled, timed, tmp_path):
    praatio = pytest.importorskip("praatio.textgrid")
    export_batch(wb, labelled, tmp_path / "t", "textgrid", status="any")
    read = []
    for path in sorted((tmp_path / "t").glob("*.TextGrid")):
        tg = praatio.openTextgrid(str(path), includeEmptyIntervals=False)
        for name in tg.tierNames:
            if name.endswith(WORD_TIER):
                assert name[: -len(WORD_TIER)] in tg.tierNames  # beside its speaker's tier
                read += [(e.label, e.start, e.end) for e in tg.getTier(name).entries]
    expected = sorted(w for words in timed.values() for w in words)
    assert len(read) == len(expected) > 0
    assert all(
        r[0] == e[0] and _near(r[1], e[1]) and _near(r[2], e[2])
        for r, e in zip(sorted(read), expected, strict=True)
    )


def test_eaf_word_tiers_read_with_pympi_and_skipped_on_import(wb, labelled, timed, tmp_path):
    pympi = pytest.importorskip("pympi")
    from workbench.formats.eaf import read_eaf

    export_batch(wb, labelled, tmp_path / "e", "eaf", status="any")
    read, imported = [], 0
    for path in sorted((tmp_path / "e").glob("*.eaf")):
        doc = pympi.Elan.Eaf(str(path))
        for name in doc.get_tier_names():
            if name.endswith(WORD_TIER):
                assert doc.tiers[name][2]["PARENT_REF"] == name[: -len(WORD_TIER)]
                read += [
                    (v, a / 1000, b / 1000) for a, b, v in doc.get_annotation_data_for_tier(name)
                ]
        with open(path, encoding="utf-8") as f:
            imported += len(read_eaf(f).annotations)
    expected = sorted(w for words in timed.values() for w in words)
    assert [r[0] for r in sorted(read)] == [e[0] for e in expected]
    assert all(_near(r[1], e[1]) for r, e in zip(sorted(read), expected, strict=True))
    assert imported == len(store.segment_queue(wb.db, labelled.id))  # the words are not segments


def test_lhotse_supervisions_carry_the_word_alignment(wb, labelled, timed, tmp_path):
    lhotse = pytest.importorskip("lhotse")
    out = tmp_path / "l"
    export_batch(wb, labelled, out, "lhotse", status="any")
    recordings = lhotse.load_manifest(out / "recordings.jsonl.gz").with_path_prefix(out)
    supervisions = lhotse.load_manifest(out / "supervisions.jsonl.gz")
    lhotse.validate_recordings_and_supervisions(recordings, supervisions)
    aligned = {s.custom["segment_id"]: s.alignment["word"] for s in supervisions if s.alignment}
    assert set(aligned) == set(timed)
    for seg_id, items in aligned.items():
        assert [i.symbol for i in items] == [w for w, _, _ in timed[seg_id]]
        assert all(
            _near(i.start, w[1]) and _near(i.end, w[2])
            for i, w in zip(items, timed[seg_id], strict=True)
        )


def test_kaldi_ctm_times_words_from_their_utterance(wb, labelled, timed, tmp_path):
    export_batch(wb, labelled, tmp_path / "k", "kaldi", status="any")
    folder = tmp_path / "k"
    lines = (folder / "ctm").read_text(encoding="utf-8").splitlines()
    assert len(lines) == sum(len(w) for w in timed.values())
    texts = {
        utt: text
        for utt, _, text in (x.partition(" ") for x in (folder / "text").read_text().splitlines())
    }
    by_utt: dict[str, list[str]] = {}
    for line in lines:
        utt, channel, start, duration, word = line.split(" ")
        assert channel == "1" and float(start) >= 0 and float(duration) >= 0
        by_utt.setdefault(utt, []).append(word)
    assert all(" ".join(words) == texts[utt] for utt, words in by_utt.items())


def test_word_cues_and_nemo_words_are_an_option(wb, labelled, timed, tmp_path):
    export_batch(wb, labelled, tmp_path / "plain", "srt", status="any")
    plain = [
        subtitles.read_srt(p.open(encoding="utf-8")) for p in (tmp_path / "plain").glob("*.srt")
    ]
    assert sum(len(r.annotations) for r in plain) == len(store.segment_queue(wb.db, labelled.id))

    for fmt, reader in (("srt", subtitles.read_srt), ("vtt", subtitles.read_vtt)):
        out = tmp_path / fmt
        export_batch(wb, labelled, out, fmt, status="any", options=ExportOptions(words=True))
        cues = {
            (round(a.start, 3), a.text)
            for p in out.glob(f"*.{fmt}")
            for a in reader(p.open(encoding="utf-8")).annotations
        }
        words = {(round(s, 3), w) for ws in timed.values() for w, s, _ in ws}
        assert words <= cues, fmt  # a cue per timed word, at its time
        assert len(cues) > len(plain)

    export_batch(wb, labelled, tmp_path / "n", "nemo", status="any")
    lines = [json.loads(x) for x in (tmp_path / "n" / "manifest.json").read_text().splitlines()]
    assert not any("words" in line for line in lines)
    export_batch(
        wb, labelled, tmp_path / "nw", "nemo", status="any", options=ExportOptions(words=True)
    )
    lines = [json.loads(x) for x in (tmp_path / "nw" / "manifest.json").read_text().splitlines()]
    with_words = {line["segment_id"]: line["words"] for line in lines if "words" in line}
    assert set(with_words) == set(timed)
    for seg_id, words in with_words.items():  # clips: seconds from the clip's start
        assert [w["word"] for w in words] == [w for w, _, _ in timed[seg_id]]
        assert all(0.0 <= w["start"] <= w["end"] for w in words)


def test_a_text_saved_again_since_its_timing_exports_no_words(wb, labelled, timed, tmp_path):
    from workbench.labelling.labeller_edits import save_segment

    seg_id = next(iter(timed))
    seg = store.get_segment(wb.db, seg_id)
    save_segment(as_user(wb, "ann"), seg_id, seg.version, "changed since", seg.start, seg.end)
    out = tmp_path / "l"
    export_batch(wb, labelled, out, "lhotse", status="any")
    import gzip

    with gzip.open(out / "supervisions.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(x) for x in f]
    stale = next(r for r in rows if r["custom"]["segment_id"] == seg_id)
    assert "alignment" not in stale
    assert sum("alignment" in r for r in rows) == len(timed) - 1
