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

help:  ## Visa målen (den här listan)
	@echo "Mål (kör ett med make MÅL):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' -v period='$(PERIOD)' -v data='$(DATA)' \
		'{gsub(/\$$\(PERIOD\)/, period, $$2); gsub(/\$$\(DATA\)/, data, $$2); printf "  make %-12s %s\n", $$1, $$2}'
	@echo "Variabler: DATA=$(DATA) PERIOD=$(PERIOD), t.ex. make report PERIOD=2025H1."

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@touch $(STAMP)

install: $(STAMP)  ## Skapa .venv och installera paketet med test- och mätverktyg

sample-data: $(STAMP)  ## Skriv det syntetiska exempeldatasetet till $(DATA)
	$(BIN)/finsam sample-data --out $(DATA)

validate: sample-data  ## Läs in och kontrollera exempeldatasetet
	$(BIN)/finsam validate --data-dir $(DATA)

report: validate  ## Bygg exempeldata och skriv varje förbunds rapport för $(PERIOD) till reports/
	$(BIN)/finsam report --data-dir $(DATA) --period $(PERIOD) --all --out reports
	@echo "Öppna reports/$(PERIOD)/index.html för att se alla förbund."

test: $(STAMP)  ## Kör testerna
	$(BIN)/python -m pytest

bench: $(STAMP)  ## Mät rapportkörningen mot en enkel papermill+nbconvert-slinga och 1 M rader mot DuckDB
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:  ## Ta bort genererade data, rapporter och den virtuella miljön
	rm -rf $(VENV) $(DATA) reports/*/ .pytest_cache .bench

docs: $(STAMP)  ## Skriv om docs/dataformat.md och nyckeltalen i docs/rapporter.md från koden
	$(BIN)/python -m finsam_analysis.datadictionary
