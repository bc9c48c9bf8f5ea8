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

# Jupyter refuses to run as root unless told; containers often are root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=examples $(ROOT_FLAG) pipeline_canvas.ipynb

# Lint, types, the test suite, then the example notebooks run in place as `make lab` runs them
# (nbval; the files they write are git-ignored; --dist loadfile keeps a notebook on one worker).
test: setup system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -n $(JOBS) -q
	$(PY) -m pytest -n $(JOBS) --dist loadfile -q --nbval-lax examples/

demo: setup
	$(PY) examples/demo.py

# Benchmarks run in their own venv with the reference tools they compare against
# (the `bench` extra in pyproject.toml, kept out of the dev extra).
BENCH_VENV ?= .venv-bench

bench:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q -e ".[bench]"
	$(BENCH_VENV)/bin/python benchmarks/run.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
