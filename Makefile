# The two commands: `make run` (set up and serve with demo data) and `make test` (set up and test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench install install-test translations chromium axe serve extract-messages clean

run: install
	$(FLASK) init
	$(FLASK) demo
	@echo "Serving on http://$(HOST):$(PORT)  (demo accounts: see README.md; Ctrl-C stops)"
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install-test chromium axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every benchmark runs (run.py exits 1 on a slow page); specs.py and search.py exit non-zero only if they broke.
bench: install
	$(BIN)/python bench/run.py; status=$$?; $(BIN)/python bench/specs.py || exit $$?; $(BIN)/python bench/search.py || exit $$?; $(BIN)/python bench/needs.py || exit $$?; exit $$status

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d network_app/translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o network_app/translations/messages.pot .
	$(BIN)/pybabel update -i network_app/translations/messages.pot -d network_app/translations --no-fuzzy-matching

# Browser tests drive Debian's Chromium; Playwright cannot download its own browser here.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then echo "Installing Chromium from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing. Install it with: sudo apt-get install chromium  (then run make test again)"; exit 1; fi

# axe-core (accessibility checks, run inside the page by the browser tests) from the npm registry.
axe: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) node_modules
