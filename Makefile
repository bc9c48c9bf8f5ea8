# dsmagic developer commands. `make lab` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
JOBS ?= 2

.PHONY: setup system-deps lab test demo bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	./scripts/system-deps.sh

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=examples

test: setup system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -n $(JOBS) -q

demo: setup
	$(PY) examples/demo.py

bench: setup
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/run.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
