# The two commands a new user needs:
#   make run    set up .venv, migrate, load the demo and serve on http://127.0.0.1:8000
#   make test   set up .venv and run the whole test suite (what CI runs)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test install install-dev migrate messages lint format check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiles locale/*.po when GNU gettext is there; the compiled .mo files are
# committed, so a machine without gettext still gets the Arabic interface.
messages: install
	@if command -v msgfmt >/dev/null; then DJANGO_DEBUG=1 $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0; fi

migrate: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --no-input

run: install messages migrate
	DJANGO_DEBUG=1 $(MANAGE) load_demo
	DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

# axe-core for the browser tests' accessibility checks; skipped without npm.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

test: install-dev messages node_modules/.installed
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install-dev
	DJANGO_DEBUG=1 $(MANAGE) check
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
