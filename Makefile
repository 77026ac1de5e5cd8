# Yingxiao — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV       := .venv
PY         := $(VENV)/bin/python
MANAGE     := $(PY) manage.py
PG_URL     ?= postgres://postgres@127.0.0.1:5432/yingxiao
PG_TEMPLATE := yingxiao_template
APT_STAMP  := var/.apt-$(shell uname -m)

export DJANGO_SETTINGS_MODULE ?= config.settings.base

.PHONY: help run setup demo test test-sqlite test-postgres test-browser lint messages bench clean pg-template

help:
	@echo "make run    install, create the SQLite database, load the demo company, serve http://127.0.0.1:8000"
	@echo "make test   lint, migrations check, the suite on SQLite and PostgreSQL, browser tests"
	@echo "make bench  1M customers / 10M activities on PostgreSQL, figures to benchmarks/results/"

# --- installation -----------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	@PYTHON=$$(scripts/find_python.sh) && echo "using $$PYTHON" && \
	  { [ -x $(PY) ] || $$PYTHON -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

yingxiao/web/static/vendor/.built: node_modules/.installed scripts/build_assets.mjs
	npm run --silent build
	@touch $@

# Debian packages the project needs: gettext (translations), chromium (browser tests),
# CJK fonts (PDFs and screenshots). Installed once per machine.
$(APT_STAMP):
	@mkdir -p var
	@missing=""; for p in gettext chromium fonts-noto-cjk; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@touch $@

setup: $(VENV)/.installed yingxiao/web/static/vendor/.built
	$(PY) scripts/i18n.py compile
	$(MANAGE) collectstatic --noinput -v 0

# Translations: extract English msgids into each app's zh_Hans .po (needs gettext), generate
# zh_Hant with OpenCC, compile every .mo. Commit the .po and .mo files it changes.
messages: $(VENV)/.installed $(APT_STAMP)
	$(PY) scripts/i18n.py extract
	$(PY) scripts/i18n.py
	@$(PY) scripts/i18n.py check

# --- running ----------------------------------------------------------------------
run: setup
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo --if-empty
	$(VENV)/bin/honcho start -f Procfile

demo: setup
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo

# --- quality and tests ------------------------------------------------------------
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run -v 1
	$(PY) scripts/check_rule_ids.py

pg-template:
	@psql "$(PG_URL:/yingxiao=/postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname='$(PG_TEMPLATE)'" | grep -q 1 || \
	  psql "$(PG_URL:/yingxiao=/postgres)" -q -c "CREATE DATABASE $(PG_TEMPLATE) TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
	@psql "$(PG_URL:/yingxiao=/$(PG_TEMPLATE))" -q -c "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS btree_gin;"

# SQLite builds its test tables from the models (--nomigrations: minutes faster per worker; the
# migrations' RunPython steps are PostgreSQL-only). PostgreSQL runs the real migrations, and
# `lint` checks that models and migrations agree.
test-sqlite: setup
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -q -n 2 -m "not browser" --ds=config.settings.test --nomigrations

test-postgres: setup pg-template
	DATABASE_URL=$(PG_URL) TEST_DB_TEMPLATE=$(PG_TEMPLATE) $(VENV)/bin/pytest -q -n 2 -m "not browser" --ds=config.settings.test

test-browser: setup $(APT_STAMP)
	$(VENV)/bin/pytest -q -m browser --ds=config.settings.test --nomigrations

test: $(APT_STAMP) setup lint test-sqlite test-postgres test-browser

bench: setup pg-template
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) node_modules var yingxiao/web/static/vendor
