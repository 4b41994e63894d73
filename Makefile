# The two commands of the quickstart: `make up` and `make test`.
SHELL := /bin/bash
# The first Python 3.11+ that actually runs (pyenv shims exist for versions that are not selected).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APP_PORT ?= 8501
DAGSTER_PORT ?= 3000
WEBHOOKS_PORT ?= 8600
BENCH_ORDERS ?= 100000

.PHONY: up test bench lint fmt install browser db-start db-stop clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required (python3, python3.11, python3.12 or python3.13)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Debian's Chromium for the browser tests (never a browser download from a test tool).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing and cannot be installed (not root): browser tests will be skipped"; fi; \
	fi

up: install
	$(BIN)/oms serve --app-port $(APP_PORT) --dagster-port $(DAGSTER_PORT) --webhooks-port $(WEBHOOKS_PORT)

test: install browser
	$(BIN)/python -m pytest

bench: install
	BENCH_ORDERS=$(BENCH_ORDERS) $(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .

fmt: install
	$(BIN)/ruff format .

db-start: install
	$(BIN)/oms db start

db-stop: install
	$(BIN)/oms db stop

clean:
	-$(BIN)/oms db stop
	rm -rf .oms dbt_project/target dbt_project/logs
