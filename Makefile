# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 7860
STORE ?= .data/store

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export OMP_NUM_THREADS := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run serve-api test ingest eval bench lint fmt browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# torch==2.13.0 is pinned in pyproject.toml, in the same pip call as sentence-transformers,
# so pip takes the CPU build on local disk instead of a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

ingest: $(VENV)/.installed
	$(BIN)/python -m ingest --store $(STORE)

run: ingest
	PORT=$(PORT) BANSOU_STORE=$(STORE) $(BIN)/python ui.py

# The API and the widget on every core (no Gradio UI): WORKERS processes on one port.
WORKERS ?= 2
serve-api: ingest
	BANSOU_STORE=$(STORE) $(BIN)/python -m assistant.server --workers $(WORKERS) --port $(PORT)

# Browser tests need Debian's chromium, chromedriver and a Japanese font.
AXE := .cache/axe/node_modules/axe-core/axe.min.js

browser-deps:
	@# only what is missing: a machine whose Node.js and npm come from elsewhere keeps them
	@# (asking Debian for its npm beside them fails with "held broken packages")
	@PKGS=""; \
	command -v chromium >/dev/null || PKGS="$$PKGS chromium"; \
	command -v chromedriver >/dev/null || PKGS="$$PKGS chromium-driver"; \
	fc-list 2>/dev/null | grep -qi ipagothic || PKGS="$$PKGS fonts-ipafont-gothic"; \
	command -v npm >/dev/null || PKGS="$$PKGS nodejs npm"; \
	if [ -n "$$PKGS" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$PKGS >/dev/null; \
	fi
	@# axe-core (accessibility checks in the browser tests), from npm, pinned
	@[ -f $(AXE) ] || npm install --prefix .cache/axe --no-audit --no-fund --silent axe-core@4.14.1

test: $(VENV)/.installed-test browser-deps lint
	$(BIN)/python -m pytest -q

QA_SETS := tests/qa.jsonl tests/data/dev.jsonl $(sort $(wildcard tests/data/heldout*.jsonl)) $(sort $(wildcard tests/data/fresh*.jsonl))

eval: $(VENV)/.installed ingest
	@for f in $(QA_SETS); do echo "== $$f"; $(BIN)/python -m assistant.eval $$f --store $(STORE) || exit 1; done

bench: $(VENV)/.installed ingest
	$(BIN)/python -m assistant.bench --store $(STORE)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check assistant ingest ui.py tests
	$(BIN)/ruff format --check assistant ingest ui.py tests
	$(BIN)/mypy assistant ingest ui.py

fmt: $(VENV)/.installed-test
	$(BIN)/ruff format assistant ingest ui.py tests
	$(BIN)/ruff check --fix assistant ingest ui.py tests

clean:
	rm -rf .data tests/artifacts
