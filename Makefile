# The README's quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VENDOR := src/alliance_ld/static/vendor
YASGUI := $(VENDOR)/yasgui/VERSION
SWAGGER_UI := $(VENDOR)/swagger-ui/VERSION

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

setup: $(VENV)/.installed $(YASGUI) $(SWAGGER_UI)

# The query editor (YASGUI) and the OpenAPI page's Swagger UI, pinned in
# frontend/package-lock.json, built into the package's static files; not committed. One
# run of the script builds both, Swagger UI last, so its VERSION is newer than YASGUI's when
# both are built; otherwise (its folder is missing or older) the script runs again. Chained
# through YASGUI's, so that make -j never runs the script twice at once.
$(YASGUI): frontend/package.json frontend/package-lock.json scripts/build-frontend.sh
	bash scripts/build-frontend.sh

$(SWAGGER_UI): $(YASGUI)
	@test $@ -nt $(YASGUI) || bash scripts/build-frontend.sh

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
