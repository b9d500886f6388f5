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

.PHONY: install browser run test demo bench clean
install: $(VENV)/.installed

# The desk's browser tests drive Debian's Chromium (Playwright never downloads a browser here); as root it is
# installed when absent, otherwise those tests skip and say why.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } || \
	    echo "chromium could not be installed: the desk's browser tests will be skipped"; \
	  else echo "no $(CHROMIUM) (install the chromium package as root): the desk's browser tests will be skipped"; fi; \
	fi

# With TELEGRAM_BOT_TOKEN (in the environment or .env) this runs the bot; without it, the local chat simulator.
run: install
	$(BIN)/python -m bot run

demo: install
	$(BIN)/python -m bot demo

test: install browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
