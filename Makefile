# Two commands do everything on a fresh machine:
#   make demo   - set up, then serve the bundled vulnerable API on loopback and scan it
#   make test   - set up, then lint (ruff), type-check (mypy --strict) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo demo-hardened test lint typecheck unit bench setup clean lock system-deps

# The example plugin (a third-party check package, tests/plugins/) is installed for its tests.
PLUGIN := tests/plugins/apivigil-example-plugin

$(STAMP): pyproject.toml requirements.lock $(PLUGIN)/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[all,dev]' -e $(PLUGIN)
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/apivigil demo

demo-hardened: $(STAMP)
	$(BIN)/apivigil demo --hardened

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 -p no:cacheprovider

# Chromium + ChromeDriver, PostgreSQL, Redis, poppler-utils (apt-get) and the SARIF Multitool
# (npm, into .tools/) for the report, history and fleet tests; quick when already installed.
system-deps:
	bash scripts/system-deps.sh

test: system-deps lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/demo_scan.py

# Re-pin after changing dependencies in pyproject.toml.
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^apivigil' > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
