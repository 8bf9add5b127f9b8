# APEX — `make up` runs the system, `make test` runs every test against the real services.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := contracts runtime gateway project-service signage-service document-service notification-service audit-service
STAMP := $(VENV)/.installed

# Tests use their own database, RabbitMQ virtual host, Redis database and ports,
# so development data and a running `make up` are left alone.
TEST_ENV := APEX_DATABASE_URL=postgresql+asyncpg://root@127.0.0.1:5432/apex_test \
	APEX_AMQP_VHOST=apex_test APEX_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/apex_test \
	APEX_REDIS_URL=redis://127.0.0.1:6379/1 APEX_GATEWAY_PORT=18080 \
	APEX_PROJECT_PORT=18101 APEX_SIGNAGE_PORT=18102 APEX_NOTIFICATION_PORT=18103 \
	APEX_DOCUMENT_PORT=18104 APEX_AUDIT_PORT=18105

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
	$(TEST_ENV) scripts/ensure-services.sh
	$(TEST_ENV) $(BIN)/apex db migrate
	$(TEST_ENV) $(BIN)/pytest

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
