# The README's quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup system-deps lint build clean

run: setup  ## set everything up, validate the shipped data and summarise the graph
	$(BIN)/alliance-ld check

test: system-deps setup lint  ## set everything up and run the whole test suite
	$(BIN)/python -m pytest

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

build: setup  ## regenerate the ontology's release artefacts
	$(BIN)/alliance-ld build

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
