"""Speech transcription labelling workbench: import audio, draft with Whisper, correct, export."""

__version__ = "0.1.0"
