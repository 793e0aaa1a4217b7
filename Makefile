# spindetect: `make demo` and `make test` set everything up on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp
# Tests and CI never reach a model hub: weights come from local packages.
TEST_ENV := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1

.PHONY: help install demo test lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

install: $(STAMP)  ## create .venv with pinned dependencies (quick when already done)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m detector.lexicon
	@touch $(STAMP)

demo: install  ## score the bundled example pair, in the terminal
	$(BIN)/spindetect score examples/spun.txt --original examples/original.txt
	$(BIN)/spindetect score examples/syndicated.txt --original examples/original.txt

test: install  ## run the test suite
	$(TEST_ENV) $(PY) -m pytest -q

lint: install  ## ruff
	$(BIN)/ruff check detector training tests bench
	$(BIN)/ruff format --check detector training tests bench

bench: install  ## reference-scoring benchmark -> BENCHMARKS.md
	$(PY) bench/bench_reference.py --pairs 1000 --write BENCHMARKS.md

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache
