# finsam_analysis — two commands for a newcomer: `make report` and `make test`.
# Everything runs in a local virtual environment (.venv) made from Python 3.11+.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= data/sample
PERIOD ?= 2025

.DEFAULT_GOAL := help
.PHONY: help install sample-data validate report test bench clean docs

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@touch $(STAMP)

install: $(STAMP)  ## Create .venv and install the package with its test and benchmark tools

sample-data: $(STAMP)  ## Write the synthetic sample dataset to data/sample
	$(BIN)/finsam sample-data --out $(DATA)

validate: sample-data  ## Validate the sample dataset
	$(BIN)/finsam validate --data-dir $(DATA)

report: validate  ## Build the sample data and render every förbund's report for $(PERIOD)
	$(BIN)/finsam report --data-dir $(DATA) --period $(PERIOD) --all --out reports
	@echo "Öppna reports/$(PERIOD)/index.html för att se alla förbund."

test: $(STAMP)  ## Run the test suite
	$(BIN)/python -m pytest

bench: $(STAMP)  ## Time the report batch against naive papermill+nbconvert, and 1 M rows against DuckDB
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:  ## Remove generated data, reports and the virtual environment
	rm -rf $(VENV) $(DATA) reports/*/ .pytest_cache .bench

docs: $(STAMP)  ## Regenerate docs/dataformat.md and the key figures of docs/rapporter.md from the code
	$(BIN)/python -m finsam_analysis.datadictionary
