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

# uv installs from the lock (uv.lock, the one dependency list), in a virtualenv of its own so that
# `uv sync` never removes it from .venv. It uses this machine's Python, never downloads one.
UV_VERSION := 0.13.9
UV_VENV := .uv
UV := $(UV_VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup run test test-fast bench build lint format eval alertmanager chromium clean lock layers deps-check

$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# Everything from uv.lock: the runtime, the investigation clients, the local stack and the test tools
# (tool.uv.default-groups), and aisre itself, editable. Compiled to bytecode at install, as pip does (uv does
# not by default): every start of the server, the tests and the cold-start bench would compile them again.
$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required"; exit 1; }
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/aisre serve --host $(HOST) --port $(PORT)

# Prometheus Alertmanager from Debian, for the end-to-end test.
alertmanager:
	@command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null; }

# Debian's chromium, for the console's browser tests and bench: Playwright for Python drives it (its own browser
# downloads are never used).
chromium:
	@test -x /usr/bin/chromium || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

# Everything CI checks but the bundle's build: lint, format, types, import contracts, the API document, the
# whole suite in parallel, and the running server held to its document (schemathesis).
test: setup alertmanager chromium lint openapi-check
	$(VENV)/bin/pytest -n auto
	$(MAKE) --no-print-directory contract

test-fast: setup
	$(VENV)/bin/pytest tests/unit -q

bench: setup chromium
	$(PY) -m tests.bench

# Investigation quality: every suite under tests/evals/cases, each scored with the rubric beside it — HolmesGPT's
# public cases (tests/evals/cases/holmesgpt, see SOURCE.md there: the investigations, and the questions answered
# as /api/chat answers them) and this project's own cases (tests/evals/cases/aisre, see README.md there).
# SUITE=<folder> [RUBRIC=<file>] scores one other suite instead.
SUITE ?=
RUBRIC ?=
eval: setup
	$(VENV)/bin/aisre eval $(if $(strip $(SUITE)),--suite $(SUITE)) $(if $(strip $(RUBRIC)),--rubric $(RUBRIC))

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# After editing pyproject.toml's dependencies: `make lock` (re-resolve) then `make layers`.
lock: | $(UV)
	$(UV) lock

# Each Lambda layer's requirements.txt, exported from the lock (never written by hand). boto3 and botocore
# are pruned: the Lambda runtime provides them (lambda-runtime.txt lists what the layer test puts beside them).
LAYER_EXPORT := $(UV) export --frozen --no-hashes --no-emit-project --no-default-groups --quiet
layers: | $(UV)
	$(LAYER_EXPORT) --prune boto3 --prune botocore -o layers/base/requirements.txt
	$(LAYER_EXPORT) --prune boto3 --prune botocore --group investigations -o layers/investigations/requirements.txt
	$(LAYER_EXPORT) --only-group lambda-runtime -o layers/lambda-runtime.txt

# For CI: the lock matches pyproject.toml and the layers' lists match the lock.
deps-check: | $(UV)
	$(UV) lock --check
	$(MAKE) --no-print-directory layers
	git diff --exit-code -- layers/

# SAM CLI in its own virtualenv: it pins its own boto3. `sam build` needs python3.12 on PATH, and uv for the
# layers (layers/Makefile).
$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli
	@touch $@

SAM := PATH="$(CURDIR)/$(UV_VENV)/bin:$$(dirname $$(readlink -f $$(command -v $(PYTHON)))):$$PATH" SAM_CLI_TELEMETRY=0 \
	$(SAM_VENV)/bin/sam
build: $(SAM_VENV)/.installed | $(UV)
	$(SAM) validate --lint
	$(SAM) build

clean:
	rm -rf $(VENV) $(SAM_VENV) $(UV_VENV) .aws-sam .pytest_cache .ruff_cache .mypy_cache

# The built-in workflows' state machines (infra/statemachines/<id>.asl.json): their YAML
# (shared/aisre/workflows/builtin/) compiled; tests/unit/test_workflow_builtins.py fails when they differ.
.PHONY: statemachines
statemachines: setup
	$(PY) -m aisre.workflows.adapters.builtin_files .

# The API document (docs/openapi.json) and the contract the running server is held to.
.PHONY: openapi openapi-check contract

openapi: setup
	$(VENV)/bin/aisre openapi --output docs/openapi.json

openapi-check: setup
	$(VENV)/bin/aisre openapi --output docs/openapi.json --check

# schemathesis over every operation against `aisre serve` on a free port (a fresh stack); prints the figures.
CONTRACT_MAX_EXAMPLES ?= 20
contract: setup
	CONTRACT_MAX_EXAMPLES=$(CONTRACT_MAX_EXAMPLES) $(PY) -m tests.contract
