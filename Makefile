# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m compileall -q bot handlers storage  # an editable install compiles nothing: starts faster
	touch $@

.PHONY: install run test check lint demo bench clean
install: $(VENV)/.installed

# With TELEGRAM_BOT_TOKEN (in the environment or .env) this runs the bot; without it, the local chat simulator.
run: install
	$(BIN)/python -m bot run

demo: install
	$(BIN)/python -m bot demo

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The quick part while working: everything but the tests marked slow (a real bot process killed and restarted:
# the crash test). `make test` (CI, .ci/run) still runs them all.
check: install
	$(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
