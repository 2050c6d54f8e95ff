# Everyday commands. A machine with Python 3.11+ needs nothing else: the first target run creates
# .venv and installs the project there (again only when pyproject.toml changes).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo install lint test bench clean clean-data

run: $(STAMP)
	$(BIN)/python run.py

demo: $(STAMP)
	$(BIN)/python run.py --demo

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# The whole suite on SQLite, then again on PostgreSQL when TEST_POSTGRES_URL names a database
# that the tests may empty (e.g. postgresql+psycopg2://arkanna:arkanna@127.0.0.1:5432/arkanna_test).
test: lint
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== pytest on PostgreSQL (TEST_POSTGRES_URL)"; \
		DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/pytest; \
	else \
		echo "== pytest on PostgreSQL SKIPPED: TEST_POSTGRES_URL is not set"; \
	fi

# The benchmark entry points (the other files of bench/ are their parts); each prints its figures.
BENCHES := bench/pdf_render.py bench/quote_load.py

bench: $(STAMP)
	@set -e; for script in $(BENCHES); do \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

# Deletes every local datum: databases, Temporal history, outbox, documents and generated keys.
clean-data:
	rm -rf var
