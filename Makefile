# aisre: `make run` starts the platform on the embedded local stack; `make test` passes the tests.
# Both set up everything they need on a fresh machine.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8888

# Python 3.12 matches the Lambda runtime; 3.11 works too. pyenv keeps 3.12 off PATH, so look for it.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 python3.11 python3; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
SAM_VENV := .sam-venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test test-fast bench build lint format eval alertmanager clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[local,test]'
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/aisre serve --host $(HOST) --port $(PORT)

# Prometheus Alertmanager from Debian, for the end-to-end test.
alertmanager:
	@command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null; }

test: setup alertmanager
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

test-fast: setup
	$(VENV)/bin/pytest tests/unit -q

bench: setup
	$(PY) -m tests.bench

# Investigation quality on HolmesGPT's public cases (read from ../shared, never copied here).
SUITE ?= ../shared/benchmarks/holmesgpt/test_investigate
RUBRIC ?= ../shared/benchmarks/holmesgpt/rubric.json
eval: setup
	$(VENV)/bin/aisre eval --suite $(SUITE) --rubric $(RUBRIC)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# SAM CLI in its own virtualenv: it pins its own boto3. `sam build` needs python3.12 on PATH.
$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli
	@touch $@

build: $(SAM_VENV)/.installed
	PATH="$$(dirname $$(readlink -f $$(command -v $(PYTHON)))):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint
	PATH="$$(dirname $$(readlink -f $$(command -v $(PYTHON)))):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache .mypy_cache

# The API document (docs/openapi.json) and the contract the running server is held to.
# The contract tools are installed here until the lock carries them (schemathesis, swagger-ui-bundle-v2).
.PHONY: openapi openapi-check contract api-tools
api-tools: setup
	@$(PY) -c 'import schemathesis, swagger_ui_bundle' 2>/dev/null || $(PY) -m pip install --quiet schemathesis swagger-ui-bundle-v2

openapi: setup
	$(VENV)/bin/aisre openapi --output docs/openapi.json

openapi-check: setup
	$(VENV)/bin/aisre openapi --output docs/openapi.json --check

# schemathesis over every operation against `aisre serve` on a free port (a fresh stack); prints the figures.
CONTRACT_MAX_EXAMPLES ?= 20
contract: api-tools
	CONTRACT_MAX_EXAMPLES=$(CONTRACT_MAX_EXAMPLES) $(PY) -m tests.contract
