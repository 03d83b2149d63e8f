# One entry point: `make dev` serves the API locally, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make dev PORT=4001 TLS_PORT=4444`: where the API listens (HTTP, and HTTPS/WSS with the local certificate).
PORT ?= 4000
TLS_PORT ?= 4443
# `make token USER=alice ADMIN=1`: USER is also the shell's login name, so only a USER given to make counts.
TOKEN_USER := $(if $(filter command line,$(origin USER)),$(USER),alice)
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check

.PHONY: dev test lint format typecheck pytest seed token bench clean install install-local web webtest

## install: everything (the local API, tests, lint, the CDK app, the partner client).
install: $(VENV)/.installed-all node_modules/.installed

## install-local: only what the local API needs (what `make dev` installs).
install-local: $(VENV)/.installed-local node_modules/.installed

$(VENV)/.installed-local: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[local]'
	touch $@

# Everything includes the local extra, so it marks that as installed too.
$(VENV)/.installed-all: pyproject.toml clients/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[dev,infra]' -e 'clients[iam]'
	touch $@ $(VENV)/.installed-local

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Real JavaScript clients (Amplify JS v6 in Node) that the tests drive against the local AppSync.
tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# AWS's ESLint plugin for the APPSYNC_JS resolver files (appsync/package.json): the tests lint them.
appsync/node_modules/.installed: appsync/package.json appsync/package-lock.json
	cd appsync && npm ci --no-audit --no-fund --loglevel=error
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

# Debian's Chromium, which the browser tests drive (a system package, like Java: apt-get needs root).
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

## dev: start DynamoDB Local, seed sample flights, serve the local AppSync and the Flight App.
dev: install-local web
	$(BIN)/airline dev --port $(PORT) --tls-port $(TLS_PORT)

## token: print a user token for the Authorization header (`make token USER=bob ADMIN=1`).
token: install-local
	@$(BIN)/airline token $(TOKEN_USER) $(if $(filter 1 yes true,$(ADMIN)),--admin)

## test: lint, type-check and run the whole test suite (the web app's unit tests and build included).
test: install lint typecheck webtest web pytest

pytest: install tests/node/node_modules/.installed appsync/node_modules/.installed web /usr/bin/chromium
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

seed: install-local
	$(BIN)/airline seed

bench: install
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/booking_cost.py
	$(BIN)/python bench/local_server.py
	$(BIN)/python bench/booking_latency.py
	$(BIN)/python bench/hold_expiry.py
	$(BIN)/python bench/booking_throughput.py
	$(BIN)/python bench/subscriptions.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/slow_subscribers.py
	$(BIN)/python bench/cognito_sign_in.py
	$(BIN)/python bench/appsync_js.py

clean:
	rm -rf $(VENV) node_modules tests/node/node_modules appsync/node_modules web/node_modules web/dist web/.build-stamp \
		web/src/generated .local .pytest_cache .mypy_cache .ruff_cache
