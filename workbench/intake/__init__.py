"""Bringing material in: audio files, folders and zips, transcripts with their audio, and browser
upload limits."""
