# Gongkai: `make demo` serves the demo group; `make test` runs every gate and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2 --create-db

.PHONY: demo test venv venv-dev translations serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

translations: venv
	$(BIN)/gongkai compile-translations

demo: venv translations
	$(BIN)/gongkai migrate --no-input -v0
	$(BIN)/gongkai seed-demo --scale group --seed 1 --if-empty
	$(BIN)/gongkai demo-logins
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/gongkai worker --no-startup-delay >var/worker.log 2>&1 & \
	  $(BIN)/gongkai runserver --noreload $(HOST):$(PORT)

test: venv-dev translations
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/gongkai check
	$(BIN)/gongkai makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf var/gongkai.sqlite3* var/static test-artifacts
