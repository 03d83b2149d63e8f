# One entry point: `make dev` serves the API locally, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS ?= dev,infra

.PHONY: dev test lint format typecheck pytest seed token bench clean install web webtest chromium

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

# The Flight App (web/): its own npm tree; rebuilt only when its sources, the contract or the lock changed.
WEB_SOURCES := $(shell find web/src web/scripts -type f -not -path 'web/src/generated/*' 2>/dev/null) \
	web/index.html web/vite.config.ts web/codegen.ts web/tsconfig.json web/eslint.config.js \
	schema.graphql appsync/builtins.graphql

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/.build-stamp: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run --silent build
	touch $@

## web: build the Flight App into web/dist (codegen, type-check, lint, bundle) if anything changed.
web: web/.build-stamp

## webtest: the Flight App's unit tests (vitest).
webtest: web/node_modules/.installed
	cd web && npm test --silent

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

## dev: start DynamoDB Local, seed sample flights, serve the local AppSync and the Flight App.
dev: install web
	$(BIN)/airline dev

## test: lint, type-check and run the whole test suite (the web app's unit tests and build included).
test: install lint typecheck webtest web pytest

pytest: install tests/node/node_modules/.installed web chromium
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
	rm -rf $(VENV) node_modules tests/node/node_modules web/node_modules web/dist web/.build-stamp web/src/generated .local .pytest_cache .mypy_cache .ruff_cache
