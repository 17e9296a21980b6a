# voipadmin: `make run` serves the console, `make test` runs every test on PostgreSQL and Redis.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell bin/find-python)
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/voipadmin
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
SCALE ?= 1m

.PHONY: help run test lint bench reliability venv venv-dev clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.txt
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.runtime ## Create the virtualenv with the runtime requirements
venv-dev: $(VENV)/.dev ## ... and the test tools

run: venv ## Set up everything and serve http://127.0.0.1:8000 with a Celery worker and beat
	DEBUG=$${DEBUG:-1} bin/run-console

test: venv-dev ## Set up everything and run lint, migration check and every test (PostgreSQL, Redis, Chromium)
	bin/ensure-chromium
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)} \
	  REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} DJANGO_SETTINGS_MODULE=voipadmin.settings.test \
	  $(PY) manage.py check_services --require-postgres --require-redis --create-database
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)} \
	  REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: venv ## Load SCALE=1m (or 10m) rows into PostgreSQL, measure against the alternatives, write bench/results.md
	SCALE=$(SCALE) $(PY) -m bench

reliability: venv-dev ## Fuzz the API, replay, crash and outage runs on a database of its own; figures in var/reliability/results.md
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)} \
	  REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} timeout 3600 $(PY) -m reliability

lint: venv-dev ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean: ## Remove the virtualenv and the local SQLite data
	rm -rf $(VENV) var
