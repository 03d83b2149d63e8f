# One entry point: `make dev` serves the API locally, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS ?= dev,infra

.PHONY: dev test lint format typecheck pytest seed token bench clean install

install: $(VENV)/.installed-$(EXTRAS) node_modules/.installed

$(VENV)/.installed-$(EXTRAS): pyproject.toml clients/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS)]'
	$(BIN)/python -m pip install -q -e 'clients[iam]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Real JavaScript clients (Amplify JS v6 in Node) that the tests drive against the local AppSync.
tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## dev: start DynamoDB Local, seed sample flights, serve the local AppSync.
dev: install
	$(BIN)/airline dev

## test: lint, type-check and run the whole test suite.
test: install lint typecheck pytest

pytest: install tests/node/node_modules/.installed
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

seed: install
	$(BIN)/airline seed

bench: install
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/local_server.py
	$(BIN)/python bench/booking_latency.py

clean:
	rm -rf $(VENV) node_modules tests/node/node_modules .local .pytest_cache .mypy_cache .ruff_cache
