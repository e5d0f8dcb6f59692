"""Fine-tuning a project's Whisper drafting model on its approved segments.

Modules: `ct2` (CTranslate2 folders to and from openai-whisper models), `lora` (low-rank
adapters on attention, merged back into the weights), `options` (how to train), `train` (the
training loop on tensors), `jobs` (start, run, cancel a fine-tune job) and `registry` (the
versions: list them, choose one or the base model).
Nothing here imports streamlit; torch and openai-whisper are imported by these modules only,
so the rest of the workbench starts without them.
"""
