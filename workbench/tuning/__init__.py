"""Fine-tuning a project's Whisper drafting model on its approved segments.

Modules: `ct2` (CTranslate2 folders to and from openai-whisper models), `lora` (low-rank
adapters on attention, merged back into the weights), `train` (the training loop on tensors),
`jobs` (the use cases: start, run, cancel a fine-tune job; list, promote, restore versions).
Nothing here imports streamlit; torch and openai-whisper are imported by these modules only,
so the rest of the workbench starts without them.
"""
