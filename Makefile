# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
# `make serve` runs the HTTP API on the embedded default at http://127.0.0.1:8000.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
# uv verifies TLS with the system certificate store, as pip does here.
export UV_NATIVE_TLS ?= 1

.PHONY: demo serve fuzz test lint typecheck imports sizes pytest chaos bench stats clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/genmedia: pyproject.toml uv.lock $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --locked --quiet
	@touch $@

demo: $(BIN)/genmedia
	$(BIN)/genmedia demo

serve: $(BIN)/genmedia
	$(BIN)/genmedia db upgrade
	$(BIN)/genmedia seed
	$(BIN)/genmedia serve --host 127.0.0.1 --port 8000

lint: $(BIN)/genmedia
	$(BIN)/ruff check src tests bench migrations tools
	$(BIN)/ruff format --check src tests bench migrations tools

typecheck: $(BIN)/genmedia
	$(BIN)/mypy src tools

imports: $(BIN)/genmedia
	$(BIN)/lint-imports

# The size limits of src/ (median function length ≤ 8 per layer, no module over 250 lines).
sizes: $(BIN)/genmedia
	$(BIN)/python tools/stats.py --check

# Two test processes (pytest-xdist): the e2e tests spend most of their time waiting on
# subprocesses, and every test already uses its own database, Redis namespace and ports.
PYTEST_WORKERS ?= 2
pytest: $(BIN)/genmedia
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

test: lint typecheck imports sizes pytest

# Schemathesis against a served API with many more examples than `make test` runs.
fuzz: $(BIN)/genmedia
	GENMEDIA_FUZZ_EXAMPLES=$${GENMEDIA_FUZZ_EXAMPLES:-500} $(BIN)/pytest tests/e2e/test_fuzz.py

# The full chaos test (issue #21): 300 jobs, 120 polled, workers SIGKILLed every 2–4 s for
# 60 s. `make test` runs a short version of it.
chaos: $(BIN)/genmedia
	$(BIN)/pytest -m chaos -s tests/e2e/test_chaos.py

bench: $(BIN)/genmedia
	$(BIN)/python -m bench

# Size figures of src/: median function length per layer, modules over 250 lines.
# The script is stdlib only; with --check it exits 1 when a limit is broken.
stats:
	$(PYTHON) tools/stats.py

clean:
	rm -rf $(VENV) .tools var .pytest_cache .mypy_cache .ruff_cache
