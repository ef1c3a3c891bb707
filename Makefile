# The two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exact versions of everything `make run` and `make test` install (pip-compile's output, read by
# plain pip); the image installs requirements.lock, the same pins without the dev tools.
LOCK := requirements-dev.lock
HOST ?= 127.0.0.1
PORT ?= 8000
# Links the service prints (tracking pages, Open311 discovery) follow the port; a server bound
# to every address is still reached here on 127.0.0.1. An exported LAPOR_PUBLIC_BASE_URL wins.
PUBLIC_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
COMPILE = pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-trusted-host \
	--no-emit-find-links pyproject.toml

.PHONY: run test lint typecheck pytest openapi bench clean lock

$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

## Serve the API and the worker on HOST:PORT, 127.0.0.1:8000 unless given (`make run PORT=8080
## HOST=0.0.0.0`); embedded PostgreSQL without DATABASE_URL.
run: $(STAMP)
	LAPOR_PUBLIC_BASE_URL="$${LAPOR_PUBLIC_BASE_URL:-http://$(PUBLIC_HOST):$(PORT)}" \
		$(BIN)/python -m app dev --host $(HOST) --port $(PORT)

## Re-pin both locks to the newest versions pyproject.toml allows (README "Dependencies").
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet pip-tools
	PATH=.venv-lock/bin:$$PATH $(COMPILE) --upgrade --output-file requirements.lock
	PATH=.venv-lock/bin:$$PATH $(COMPILE) --upgrade --extra dev --output-file $(LOCK)
	rm -rf .venv-lock

## Every check CI runs: lint, format, types, tests (TEST_DATABASE_URL or embedded PostgreSQL).
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n auto -rs --durations=10

## Regenerate openapi/openapi.json from the code (a test fails when it drifts).
openapi: $(STAMP)
	$(BIN)/python -m app openapi > openapi/openapi.json

## Intake under load: the service against a bare asyncpg app (see bench/RESULTS.md). Not in `test`.
bench: $(STAMP)
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) .venv-lock .mypy_cache .ruff_cache
