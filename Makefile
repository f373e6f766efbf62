# Titan Commerce. The two commands: `make up` (run the platform locally) and `make test`.
# Everything else is a step of those or a tool for developers (`make help`).
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV      = infra/bin/uv
PY312   = $(shell infra/bin/find-python 3.12)
PY313   = $(shell infra/bin/find-python 3.13)
CLOUD   = .venv-localcloud/bin/python -m localcloud
PYTEST  = .venv/bin/pytest
PYTEST_ARGS ?=

.PHONY: help install up down status logs reload deploy seed test lint unit integration e2e \
        bench bench-search replay import-reviews openapi contracts lock clean fit-logistics \
        eval-logistics web web-test web-publish

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# --------------------------------------------------------------------------- environments
# Three locked uv projects: the code and tests (Python 3.12, the Lambda runtime), the local
# cloud (LocalStack 2026.3.0 needs 3.13) and the SAM CLI (its pins clash with LocalStack's).
install: .venv/.synced .venv-localcloud/.synced .venv-sam/.synced .venv-checkov/.synced web/node_modules/.installed ## Install everything (idempotent)

.venv/.synced: pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PY312)
	@touch $@

.venv-localcloud/.synced: infra/localcloud/pyproject.toml infra/localcloud/uv.lock
	cd infra/localcloud && UV_PROJECT_ENVIRONMENT=$(CURDIR)/.venv-localcloud ../../$(UV) sync --frozen --python $(PY313)
	@touch $@

.venv-sam/.synced: infra/sam-cli/pyproject.toml infra/sam-cli/uv.lock
	cd infra/sam-cli && UV_PROJECT_ENVIRONMENT=$(CURDIR)/.venv-sam ../../$(UV) sync --frozen --python $(PY312)
	@touch $@

.venv-checkov/.synced: infra/checkov/pyproject.toml infra/checkov/uv.lock
	cd infra/checkov && UV_PROJECT_ENVIRONMENT=$(CURDIR)/.venv-checkov ../../$(UV) sync --frozen --python $(PY312)
	@touch $@

# The web front's packages, from its lock file (Node.js from the machine or Debian's packages).
web/node_modules/.installed: web/package.json web/package-lock.json
	infra/bin/ensure-web-tools node
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lock: ## Re-resolve all lock files and the layer's pinned requirements
	$(UV) lock --python $(PY312)
	cd infra/localcloud && ../../$(UV) lock --python $(PY313)
	cd infra/sam-cli && ../../$(UV) lock --python $(PY312)
	cd infra/checkov && ../../$(UV) lock --python $(PY312)
	$(UV) pip compile layers/shared/requirements.in -o layers/shared/requirements.txt \
	  --python-version 3.12 --python-platform x86_64-manylinux_2_28 --no-header --no-annotate --quiet

# --------------------------------------------------------------------------- local cloud
up: install web ## Start the local cloud, deploy template.yaml, seed, publish the web front, print the URLs
	@$(CLOUD) up

down: ## Stop the local cloud (and every Lambda worker)
	@if [ -x .venv-localcloud/bin/python ]; then $(CLOUD) down; else echo "local cloud not installed"; fi

status: ## Is the local cloud up?
	@$(CLOUD) status

logs: ## Show the local cloud's and the functions' logs (FOLLOW=1 to follow)
	@$(CLOUD) logs $(if $(FOLLOW),-f)

deploy: install ## Build and deploy template.yaml to the running local cloud
	@$(CLOUD) deploy

reload: install ## Push code-only changes to the running functions (seconds, no stack update)
	@$(CLOUD) reload

seed: install ## Seed the deployed local cloud again
	@$(CLOUD) seed

# --------------------------------------------------------------------------- web front
web: install ## Build the web front (Vite into web/dist; `make lint` type-checks it)
	cd web && npm run --silent build -- --logLevel warn

web-publish: web ## Publish web/dist to a deployed AWS stack (STACK=name [REGION=...])
	.venv/bin/python infra/tools/web_site.py --stack $(STACK) $(if $(REGION),--region $(REGION))

web-test: install web ## The web front's browser tests (Playwright, headless Chromium) against the local cloud
	infra/bin/ensure-web-tools chromium
	$(PYTEST) tests/web -q $(PYTEST_ARGS)

# --------------------------------------------------------------------------- quality
openapi: install ## Regenerate functions/meta/openapi.json from every context's routes, and the web front's typed client
	.venv/bin/python infra/tools/openapi.py
	cd web && npm run --silent client

contracts: install ## Regenerate events/schemas/ from the event contracts (layers/shared/contracts)
	.venv/bin/python infra/tools/event_schemas.py

lint: install ## ruff, sam validate --lint, checkov, context independence, OpenAPI and event schemas up to date
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	SAM_CLI_TELEMETRY=0 .venv-sam/bin/sam validate --lint
	.venv-sam/bin/cfn-lint functions/*/template.yaml infra/templates/*.yaml
	.venv/bin/python infra/tools/iac_scan.py
	.venv/bin/python infra/tools/import_contracts.py
	.venv/bin/python infra/tools/openapi.py --check
	cd web && npm run --silent client:check && npm run --silent typecheck
	.venv/bin/python infra/tools/event_schemas.py --check

unit: install ## Tests that need no cloud: the contexts' unit tests (moto) and the local cloud's own
	$(PYTEST) tests/unit tests/localcloud -m offline -n auto -q $(PYTEST_ARGS)

integration: install ## Integration tests (start or reuse the local cloud)
	$(PYTEST) tests/integration tests/localcloud -m localcloud -q $(PYTEST_ARGS)

e2e: install ## End-to-end tests over HTTP (start or reuse the local cloud)
	$(PYTEST) tests/e2e -q $(PYTEST_ARGS)

# The cloud tests share one local cloud, started and deployed (if the sources changed) while
# the unit tests run (the deploy waits on LocalStack about half of its time), and stopped by
# the last phase if this run started it: first the tests that redeploy or reload every
# function, alone; then the rest on two workers, a test file per worker at a time (they wait
# on the cloud more than they use the CPU).
TEST_RUN := $(shell date +%s%N)

test: lint web ## Lint, then every test: unit, integration, e2e, the web front in a browser
	infra/bin/ensure-web-tools chromium
	@mkdir -p .localcloud/logs
	@TITAN_TEST_RUN=$(TEST_RUN) $(CLOUD) test-cloud > .localcloud/logs/test-cloud.log 2>&1 & cloud=$$!; \
	  $(PYTEST) tests/unit tests/localcloud -m offline -n auto -q $(PYTEST_ARGS); unit=$$?; \
	  wait $$cloud; ready=$$?; cat .localcloud/logs/test-cloud.log; \
	  if [ $$unit -ne 0 ] || [ $$ready -ne 0 ]; then \
	    TITAN_TEST_RUN=$(TEST_RUN) $(CLOUD) test-cloud-end; exit 1; fi
	TITAN_TEST_RUN=$(TEST_RUN) TITAN_KEEP_CLOUD=1 $(PYTEST) tests/integration -m "localcloud and serial" -q $(PYTEST_ARGS) \
	  || { TITAN_TEST_RUN=$(TEST_RUN) $(CLOUD) test-cloud-end; exit 1; }
	TITAN_TEST_RUN=$(TEST_RUN) $(PYTEST) tests/integration tests/localcloud tests/e2e tests/web \
	  -m "localcloud and not serial" -n 2 --dist loadfile -q --durations=10 $(PYTEST_ARGS)

bench: install ## Benchmarks against the local cloud, printing figures (SECTIONS="crowd checkout" for some)
	PYTHONPATH=infra/localcloud:infra/tools:functions:layers/shared .venv/bin/python -m bench $(SECTIONS)

replay: install ## Place the real Olist orders through the HTTP API, deliver them, import their reviews (OFFSET=N LIMIT=N WORKERS=N RESULTS=file)
	.venv/bin/python infra/tools/replay.py $(if $(OFFSET),--offset $(OFFSET)) \
	  $(if $(LIMIT),--limit $(LIMIT)) $(if $(WORKERS),--workers $(WORKERS)) \
	  $(if $(RESULTS),--results $(RESULTS))

import-reviews: install ## Import the real Olist reviews of replayed orders through moderation (RESULTS=file from make replay)
	.venv/bin/python infra/tools/import_reviews.py --results $(RESULTS)

fit-logistics: install ## Fit the market shipping rate and the delivery promise on the real orders (writes functions/shipping/data/market.json, promise.json)
	.venv/bin/python infra/tools/fit_logistics.py

eval-logistics: install ## The delivery promise against Olist's and the market rate against its freight (ORDERS=folder of Olist orders)
	.venv/bin/python infra/tools/eval_logistics.py $(if $(ORDERS),--orders $(ORDERS))

bench-search: install ## Compare search engine candidates on the real catalog (no cloud needed)
	PYTHONPATH=functions:layers/shared .venv/bin/python -m bench.search_candidates

clean: down ## Remove environments, build output and local-cloud state
	rm -rf .venv .venv-localcloud .venv-sam .venv-checkov .aws-sam .localcloud .pytest_cache .ruff_cache \
	  web/node_modules web/dist
