# The two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest openapi bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Serve the API and the worker on 127.0.0.1:8000 (embedded PostgreSQL without DATABASE_URL).
run: $(STAMP)
	$(BIN)/python -m app dev

## Every check CI runs: lint, format, types, tests (TEST_DATABASE_URL or embedded PostgreSQL).
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --durations=10

## Regenerate openapi/openapi.json from the code (a test fails when it drifts).
openapi: $(STAMP)
	$(BIN)/python -m app openapi > openapi/openapi.json

## Intake under load: the service against a bare asyncpg app (see bench/RESULTS.md). Not in `test`.
bench: $(STAMP)
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
