"""One writer per export format, each formatting into a file object the caller opens.

`exporting.export_batch` picks the segments, cuts the audio and calls these writers; the
writers are pure formatting. Most modules also read their format back, for
`annotations` (import of existing transcripts).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.messages import N_

__all__ = ["FormatInfo", "FORMAT_INFO", "FORMATS", "CLIP_MODES", "MISSING_SPEAKERS"]

CLIP_MODES = ("wav", "flac", "pcm", "none")  # 'none': no clips, offsets into whole recordings
# 'pcm': headerless 16 kHz 16-bit little-endian mono, as KsponSpeech is distributed
# what an export does when its format's speaker fields (FormatInfo.speaker_fields) are not all
# in the registry: refuse, naming each speaker and field; or write them empty, with that warning
MISSING_SPEAKERS = ("refuse", "blank")


@dataclass(frozen=True)
class FormatInfo:
    name: str
    label: str  # for people, in English: the page shows it with t() (a name alone: unmarked)
    clips: tuple[str, ...]  # clip modes it takes; the first is its default
    per_recording: bool = False  # one file per recording, beside that recording's audio
    audio: bool = True  # whether the corpus holds audio at all
    whole: str = "flac"  # how whole recordings are written (clips "none"): wav or flac
    dual_order: bool = False  # dual transcriptions in the profile's export.dual_order (AI Hub)
    # the saved text's word timings: "always" written where aligned, "option" with the export's
    # `words` option, "" never
    words: str = ""
    # the speaker registry's fields its files carry for every speaker (see formats.speakers):
    # an export lacking one is refused unless it asks for them written empty
    speaker_fields: tuple[str, ...] = ()


FORMAT_INFO = {
    f.name: f
    for f in (
        FormatInfo("nemo", N_("NeMo ASR manifest"), ("wav", "flac", "none"), words="option"),
        FormatInfo("hf", "Hugging Face audiofolder", ("wav", "flac")),
        FormatInfo(
            "kaldi",
            N_("Kaldi data directory"),
            ("wav", "flac", "none"),
            whole="wav",
            words="always",
        ),
        FormatInfo("lhotse", N_("lhotse manifests"), ("none", "wav", "flac"), words="always"),
        FormatInfo("cv", "Common Voice TSV", ("wav", "flac")),
        FormatInfo(
            "srt",
            N_("SubRip subtitles per recording"),
            ("none",),
            per_recording=True,
            words="option",
        ),
        FormatInfo(
            "vtt",
            N_("WebVTT subtitles per recording"),
            ("none",),
            per_recording=True,
            words="option",
        ),
        FormatInfo(
            "textgrid",
            N_("Praat TextGrid per recording"),
            ("none",),
            per_recording=True,
            words="always",
        ),
        FormatInfo(
            "eaf", N_("ELAN .eaf per recording"), ("none",), per_recording=True, words="always"
        ),
        FormatInfo("csv", N_("CSV of segments (spreadsheets)"), ("none",)),
        FormatInfo("txt", N_("Plain text, a segment per line"), ("none",), audio=False),
        FormatInfo(
            "kspon", N_("KsponSpeech layout (.pcm and .txt per utterance, scripts/*.trn)"), ("pcm",)
        ),
        FormatInfo(
            "aihub-doc",
            N_("AI Hub JSON per recording (metadata, speaker, utterance)"),
            ("none",),
            per_recording=True,
            whole="wav",
            dual_order=True,
            speaker_fields=("gender", "age"),
        ),
        FormatInfo(
            "aihub-dialogs",
            N_("AI Hub JSON per session (dataSet, dialogs), a WAV and a TXT per utterance"),
            ("wav",),
            dual_order=True,
            speaker_fields=("gender", "age", "region"),
        ),
        FormatInfo(
            "aihub-stt",
            N_("AI Hub JSON per utterance WAV (발화정보, 대화정보, 녹음자정보)"),
            ("wav",),
            dual_order=True,
            speaker_fields=("gender", "age"),
        ),
    )
}
FORMATS = tuple(FORMAT_INFO)  # formats `exporting.export_batch` can write
