# The README's quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VENDOR := src/alliance_ld/static/vendor
YASGUI := $(VENDOR)/yasgui/VERSION
SWAGGER_UI := $(VENDOR)/swagger-ui/VERSION
WORLD_ATLAS := $(VENDOR)/world-atlas/VERSION

.PHONY: run test setup system-deps lint build clean

# `make run PORT=8150 HOST=0.0.0.0 PUBLIC_URL=https://…` (on make's command line: PORT and
# HOST in the environment are often set for other programs), or the server's own variables
# ALLIANCE_LD_PORT, ALLIANCE_LD_HOST, ALLIANCE_LD_PUBLIC_URL. Without a public URL, links and
# redirects follow the address served on (--public-url auto).
given = $(if $(filter command line,$(origin $(1))),$($(1)))
RUN_FLAGS = $(if $(call given,PORT),--port '$(PORT)') $(if $(call given,HOST),--host '$(HOST)') \
	$(if $(call given,PUBLIC_URL),--public-url '$(PUBLIC_URL)',$(if $(ALLIANCE_LD_PUBLIC_URL),,--public-url auto))

run: setup  ## set everything up, validate the shipped data and serve it on http://127.0.0.1:8000/
	$(BIN)/alliance-ld serve $(RUN_FLAGS)

test: system-deps setup lint  ## set everything up and run the whole test suite
	$(BIN)/python -m pytest

setup: $(VENV)/.installed $(YASGUI) $(SWAGGER_UI) $(WORLD_ATLAS)

# The query editor (YASGUI), the OpenAPI page's Swagger UI and the maps' country boundaries
# (world-atlas), pinned in frontend/package-lock.json, copied into the package's static
# files; not committed. One run of the script copies all three in that order, so each
# VERSION is newer than the one before when all are copied; otherwise (a folder is missing
# or older) the script runs again. Chained, so that make -j never runs the script twice at once.
$(YASGUI): frontend/package.json frontend/package-lock.json scripts/build-frontend.sh
	bash scripts/build-frontend.sh

$(SWAGGER_UI): $(YASGUI)
	@test $@ -nt $(YASGUI) || bash scripts/build-frontend.sh

$(WORLD_ATLAS): $(SWAGGER_UI)
	@test $@ -nt $(SWAGGER_UI) || bash scripts/build-frontend.sh

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

build: setup  ## normalise the ontology's edit file and regenerate its release artefacts
	$(BIN)/alliance-ld normalise-ontology
	$(BIN)/alliance-ld build

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
