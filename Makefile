# Everyday commands. A machine with Python 3.11+ needs nothing else: the first target run creates
# .venv and installs the project there (again only when pyproject.toml changes). Running needs
# only the project (`pip install -e .`); lint, test and bench add the test tools ('.[test]').

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run demo install lint test bench clean clean-data

run: $(RUN_STAMP)
	$(BIN)/python run.py

demo: $(RUN_STAMP)
	$(BIN)/python run.py --demo

install: $(RUN_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

# A test install holds everything a run needs, so it stamps both; a run install alone leaves the
# test stamp missing, and the next test target installs the extras.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@ $(RUN_STAMP)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# The whole suite on SQLite, then on PostgreSQL: the database TEST_POSTGRES_URL names (which the
# tests may empty) or, without it, a private cluster started for the run when PostgreSQL's server
# binaries are installed (tests/run_suite.py says what it skips and how to enable it).
test: lint
	$(BIN)/python -m tests.run_suite

# The benchmark entry points (the other files of bench/ are their parts); each prints its figures.
BENCHES := bench/pdf_render.py bench/quote_load.py bench/open_quotes_scale.py

bench: $(TEST_STAMP)
	@set -e; for script in $(BENCHES); do \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

# Deletes every local datum: databases, Temporal history, outbox, documents and generated keys.
clean-data:
	rm -rf var
