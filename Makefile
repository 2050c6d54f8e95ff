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

# The whole suite on SQLite; with TEST_POSTGRES_URL naming a database that the tests may empty
# (e.g. postgresql+psycopg2://arkanna:arkanna@127.0.0.1:5432/arkanna_test), the suite runs on
# both, each test once where the store makes no difference: the pure rules (tests/unit) on SQLite,
# the process-killing fault tests (tests/faults) on PostgreSQL, the production store.
test: lint
	@if [ -z "$$TEST_POSTGRES_URL" ]; then \
		echo "== pytest on SQLite"; \
		env -u DATABASE_URL $(BIN)/pytest && \
		echo "== pytest on PostgreSQL SKIPPED: TEST_POSTGRES_URL is not set"; \
	else \
		echo "== pytest on SQLite (tests/faults run on PostgreSQL)" && \
		env -u DATABASE_URL $(BIN)/pytest --ignore=tests/faults && \
		echo "== pytest on PostgreSQL (TEST_POSTGRES_URL; tests/unit ran on SQLite)" && \
		DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/pytest --ignore=tests/unit; \
	fi

# The benchmark entry points (the other files of bench/ are their parts); each prints its figures.
BENCHES := bench/pdf_render.py bench/quote_load.py bench/open_quotes_scale.py

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
