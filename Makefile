# One-command set-up: every target creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## demo: decode every drug name of the bundled example document
demo: $(STAMP)
	@echo "== examples/monograph.txt: the names it mentions, decoded =="
	@$(BIN)/innkit decode < examples/monograph-names.txt
	@echo
	@$(BIN)/innkit explain "inotuzumab ozogamicin"
	@echo
	@$(BIN)/innkit explain ecromeximab

## test: lint, then the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

## bench: quick benchmarks (they skip what needs ../shared when it is absent)
bench: $(STAMP)
	$(BIN)/python benchmarks/decode_speed.py
	$(BIN)/python benchmarks/decode_accuracy.py
	$(BIN)/python benchmarks/stems_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
