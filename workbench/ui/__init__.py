"""Shared Streamlit helpers and the waveform component (the only streamlit code with pages)."""
