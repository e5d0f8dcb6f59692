# Two commands: `make run` (install, then start the app) and `make test` (install, then lint,
# type-check and test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH := torch==2.13.0

.PHONY: run test install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)  # the CPU build first, so openai-whisper keeps it
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

# who may connect: this machine only; `make run ADDRESS=0.0.0.0` behind a TLS proxy serves a team
ADDRESS ?= localhost

run: install
	$(PY) -m streamlit run streamlit_app.py --server.address $(ADDRESS) --server.headless true --browser.gatherUsageStats false

test: install
	$(PY) -m ruff check
	$(PY) -m ruff format --check
	$(PY) -m mypy
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache tests/artifacts
