"""Audio: decode any supported file, write the 16 kHz mono working copy, peaks, slices.

Sample indices live only in this package; everything above it speaks seconds.
"""

from workbench.audio.decode import AudioError, SourceInfo, probe, stream_mono
from workbench.audio.peaks import PEAK_WINDOW, load_peaks, overview_peaks, pack_peaks, unpack_peaks
from workbench.audio.working import SAMPLE_RATE, convert, read_slice, to_opus_bytes, to_wav_bytes

__all__ = [
    "AudioError",
    "SourceInfo",
    "probe",
    "stream_mono",
    "PEAK_WINDOW",
    "load_peaks",
    "overview_peaks",
    "pack_peaks",
    "unpack_peaks",
    "SAMPLE_RATE",
    "convert",
    "read_slice",
    "to_opus_bytes",
    "to_wav_bytes",
]
