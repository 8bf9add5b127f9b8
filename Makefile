# APEX — `make up` runs the system, `make test` runs every test against the real services.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := contracts runtime gateway project-service signage-service document-service notification-service audit-service
STAMP := $(VENV)/.installed

# Tests use their own database, RabbitMQ virtual host, Redis database and ports (set in
# conftest.py), so development data and a running `make up` are left alone.
TEST_VHOST := apex_test

.PHONY: install services migrate up test test-fast lint bench asyncapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	$(BIN)/pip install -q $(foreach p,$(PACKAGES),-e ./$(p)) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

services:
	scripts/ensure-services.sh

migrate: install services
	$(BIN)/apex db migrate

up: install services migrate
	scripts/up.sh

test: install
	APEX_AMQP_VHOST=$(TEST_VHOST) scripts/ensure-services.sh
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(foreach p,$(PACKAGES),$(p)/src)

asyncapi: install
	$(BIN)/python -m apex_runtime.asyncapi > contracts/asyncapi.yaml

bench: install services migrate
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/accept.py
	$(BIN)/python bench/e2e.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
