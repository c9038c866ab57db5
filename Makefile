# ComplaintDesk — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run dev test install install-test lint format check clean-db bench-seed layers

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run — install, migrate the embedded database, load the demo organisation, then serve as production
## does: gunicorn (WEB_CONCURRENCY workers × GUNICORN_THREADS threads) + whitenoise, and the supervised worker.
run: install
	PORT=$(PORT) bin/run

## make dev — the same, but Django's development server (DEBUG on, reloads on code changes).
dev: install
	PORT=$(PORT) bin/run --dev

## make test — install test tools, lint, check the layers, run the whole suite (SQLite, and PostgreSQL when
## DATABASE_URL is set).
test: install-test
	bin/test-system-packages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) bin/import-graph --check
	bin/test

## make layers — the layers of STYLE.md (import-linter contracts in pyproject.toml) and no import of
## complaintdesk.* inside a function (bin/import-graph --check); `make test` runs both before the suite.
layers: install-test
	$(VENV)/bin/lint-imports
	$(PY) bin/import-graph --check

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench-seed: install
	$(PY) bench/seed.py --count $${COUNT:-100000}

clean-db:
	rm -f var/complaintdesk.sqlite3*
