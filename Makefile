# The README's quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
YASGUI := src/alliance_ld/static/vendor/yasgui/VERSION

.PHONY: run test setup system-deps lint build clean

run: setup  ## set everything up, validate the shipped data and serve it on http://127.0.0.1:8000/
	$(BIN)/alliance-ld serve --public-url http://127.0.0.1:8000/

test: system-deps setup lint  ## set everything up and run the whole test suite
	$(BIN)/python -m pytest

setup: $(VENV)/.installed $(YASGUI)

# The query editor (YASGUI, pinned in frontend/package-lock.json), built into the package's
# static files; not committed.
$(YASGUI): frontend/package.json frontend/package-lock.json scripts/build-frontend.sh
	bash scripts/build-frontend.sh

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
