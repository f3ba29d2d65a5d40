# One-command set-up: every target creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo shell test lint bench clean

# The package alone (what the demo needs), then the development extras on top for the tests.
$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

## demo: find and decode every drug name of the bundled example document
demo: $(RUN_STAMP)
	@$(BIN)/innkit annotate examples/monograph.txt --html examples/monograph.html
	@echo
	@$(BIN)/innkit explain "inotuzumab ozogamicin"

## shell: a new shell with .venv active, so that `innkit` is on the PATH (exit leaves it)
shell: $(RUN_STAMP)
	@echo "innkit is on the PATH in this shell; type exit to leave it"
	@VIRTUAL_ENV="$(CURDIR)/$(VENV)" PATH="$(CURDIR)/$(BIN):$$PATH" $${SHELL:-/bin/sh}

## test: lint, then the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

## bench: quick benchmarks; those that need ../shared skip when it is absent
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/decode_speed.py
	$(BIN)/python benchmarks/decode_accuracy.py
	$(BIN)/python benchmarks/readings.py
	$(BIN)/python benchmarks/check_accuracy.py
	$(BIN)/python benchmarks/identity.py --repeats 3
	$(BIN)/python benchmarks/stems_speed.py
	$(BIN)/python benchmarks/annotate_accuracy.py
	$(BIN)/python benchmarks/annotate_speed.py --quick
	$(BIN)/python benchmarks/scale.py --quick
	$(BIN)/python benchmarks/screen_accuracy.py
	$(BIN)/python benchmarks/screen_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
