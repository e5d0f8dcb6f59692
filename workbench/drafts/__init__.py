"""Whisper drafts: the draft job over a project's recordings, a span drafted alone, and cutting
drafts into segments."""
