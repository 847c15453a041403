# krefeld-data: the stages of the flow as make targets. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export BROWSER_PATH ?= $(shell command -v chromium 2>/dev/null)

# Another city: make report CITY=Duisburg COMPARE=05113,05119 [CONTEXT=05,DG] (pages in reports/<city>/)
CITY    ?=
COMPARE ?=
CONTEXT ?=
CITY_OPTIONS := $(if $(CITY),--city "$(CITY)") $(if $(COMPARE),--compare "$(COMPARE)") $(if $(CONTEXT),--context "$(CONTEXT)")

.DEFAULT_GOAL := help
.PHONY: help install report fetch build demo test lab lint bench verify lock clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "krefeld-data needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[publish,dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies

report: install ## the main job: fetch what the stories need, build the reader pages (CITY=, COMPARE=)
	$(BIN)/krefeld-data report $(CITY_OPTIONS)

fetch: install ## fetch all story data into data/raw
	$(BIN)/krefeld-data fetch

build: install ## clean, run the story notebooks, export reports/*.html (CITY=, COMPARE=)
	$(BIN)/krefeld-data build $(CITY_OPTIONS)

demo: install ## build the pages offline from the package's sample data (reports/demo/)
	$(BIN)/krefeld-data demo

test: install ## install and run the whole test suite
	$(BIN)/python -m pytest

lab: install ## open the notebooks in JupyterLab, in the project's environment
	$(BIN)/jupyter lab notebooks/

lint: install ## ruff
	$(BIN)/ruff check src tests benchmarks notebooks/*.py

bench: install ## run the benchmarks (ratios against baselines in one process)
	$(BIN)/python benchmarks/run.py

verify: install ## check every raw file against its checksum
	$(BIN)/krefeld-data verify

lock: ## re-pin requirements.lock from a fresh resolve
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[publish,dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .lock-venv

clean: ## remove built pages and the virtual environment (never data/raw)
	rm -rf reports build $(VENV)
