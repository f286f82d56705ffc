# Outreach. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-rabbitmq install install-dev lint bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Install, migrate, seed the demo once, then run web + worker + beat (Ctrl-C stops all).
run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	VENV=$(VENV) bin/run

## The suite runs in TEST_WORKERS pytest-xdist processes, each with its own test database,
## Redis database, Celery queues and var/ (outreach/testing_parallel.py); TEST_WORKERS=0 runs
## it serially in one process. A test file runs whole on one process (its module fixtures start once).
TEST_WORKERS ?= 3
XDIST := -n $(TEST_WORKERS) --dist loadfile

## Install and run the whole suite against the real PostgreSQL and Redis.
test: install-dev
	bin/test-prereqs
	$(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS)

## The tests that run a real Celery worker again, with RabbitMQ as the broker (the rest of
## the suite does not touch the broker). Each test session has queues of its own.
## Left out: the killed-mid-drain test assumes the worker still has QUEUED messages when it
## is frozen, which RabbitMQ's quicker hand-offs often make false (it runs on Redis in `test`).
TEST_RABBITMQ_URL ?= amqp://guest:guest@127.0.0.1:5672//
RABBITMQ_LEFT_OUT := messaging/tests/test_pipeline_crash.py::test_a_worker_killed_mid_drain_loses_nothing_and_sends_nothing_twice
test-rabbitmq: install-dev
	bin/test-prereqs
	CELERY_BROKER_URL=$(TEST_RABBITMQ_URL) $(VENV)/bin/pytest $(XDIST) -m "worker and not browser and not embedded" \
	  --deselect $(RABBITMQ_LEFT_OUT) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: install-dev
	for b in bench/[a-z]*.py; do case $$b in bench/peer_*) continue;; esac; $(PY) $$b || exit 1; done

clean:
	rm -rf var/ $(VENV)
