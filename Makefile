# tbms — two commands do everything on a fresh machine: `make dev` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
TRACE_RESULTS ?= $(CURDIR)/var/trace-results.json
PYTEST_ARGS ?=

.PHONY: dev test bootstrap up down status lint check-imports audit unit system trace fmt

dev: bootstrap ## install what is missing, start everything, load demo data, print the URL and logins
	uv run tbms stack up
	uv run tbms demo-data
	uv run tbms search reindex  # the index is never the source of truth: rebuilt from the owners' current state

bootstrap:
	bash scripts/bootstrap.sh

up:
	uv run tbms stack up

down:
	uv run tbms stack down

status:
	uv run tbms stack status

lint: ## ruff over the whole workspace
	uv run ruff check .
	uv run ruff format --check .

check-imports: ## no service imports another service; only libs are shared
	uv run python scripts/check_imports.py

audit: ## known vulnerabilities in the locked Python packages and the pinned images (deploy/security/)
	uv run python scripts/audit_dependencies.py

test: bootstrap lint check-imports audit ## lint, boundaries, then every suite against the real stack
	uv run tbms stack up
	TBMS_TRACE_RESULTS=$(TRACE_RESULTS) uv run pytest -q $(PYTEST_ARGS)
	uv run python scripts/trace.py --results $(TRACE_RESULTS) --summary

trace: ## each requirement ID: proven, partial (with what is missing), FAILING or none (after `make test`)
	uv run python scripts/trace.py --results $(TRACE_RESULTS)

fmt:
	uv run ruff check --fix .
	uv run ruff format .
