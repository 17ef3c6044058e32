# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
# uv verifies TLS with the system certificate store, as pip does here.
export UV_NATIVE_TLS ?= 1

.PHONY: demo test lint typecheck imports pytest bench clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/genmedia: pyproject.toml uv.lock $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --locked --quiet
	@touch $@

demo: $(BIN)/genmedia
	$(BIN)/genmedia demo

lint: $(BIN)/genmedia
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

typecheck: $(BIN)/genmedia
	$(BIN)/mypy

imports: $(BIN)/genmedia
	$(BIN)/lint-imports

pytest: $(BIN)/genmedia
	$(BIN)/pytest

test: lint typecheck imports pytest

bench: $(BIN)/genmedia
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .tools var .pytest_cache .mypy_cache .ruff_cache
