# newsetl: `make run` loads seeds/ into data/warehouse.duckdb; `make test` runs the test suite.
# `make run` installs the runtime dependencies only; `make test`, `make test-fast` and `make lint`
# add the development extras. Each creates .venv with exact pins (requirements.lock) the first time.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# Unit tests: no Prefect server, no flow run, nothing marked slow (tests/conftest.py marks every
# test that uses the flow fixtures).
FAST_TESTS := -m "not flow and not slow"

.PHONY: install install-dev run test test-fast lint format bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "newsetl needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"

$(RUN_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(RUN_STAMP) $(DEV_STAMP)

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

run: $(RUN_STAMP)
	$(BIN)/newsetl run

test: $(DEV_STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -q $(FAST_TESTS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf data/warehouse.duckdb* data/lake data/prefect
