# Two commands for a newcomer: `make run` and `make test`. Everything else is here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
HOST   ?= 127.0.0.1:8000

.PHONY: run run-postgres test test-sqlite test-fuzz test-postgres lint bench bench-scale bench-insights install migrate demo clean translations

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Northstar needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## make run: set up, load demo data, serve http://127.0.0.1:8000 on SQLite in var/ (DEBUG on: development only)
run: demo
	@echo ""
	@echo "  Northstar is starting at http://$(HOST)/  (log in with a demo user above)"
	@echo "  API docs: http://$(HOST)/api/v1/docs"
	@echo ""
	NORTHSTAR_DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

## make run-postgres: the production database layout on a local PostgreSQL: the owner role
## migrates, the server runs as the runtime role that cannot erase the audit log
PG_SERVER ?= postgresql://127.0.0.1:5432
PG_DB     ?= northstar
run-postgres: install
	@$(BIN)/python -c "import psycopg; c = psycopg.connect('$(PG_ADMIN_URL)', autocommit=True); \
	  c.execute('SELECT 1 FROM pg_database WHERE datname = %s', ['$(PG_DB)']).fetchone() \
	  or c.execute('CREATE DATABASE \"$(PG_DB)\"')"
	$(BIN)/python manage.py db_roles --create --admin-url "$(PG_ADMIN_URL:/postgres=/$(PG_DB))"
	DATABASE_MIGRATE_URL=$(PG_SERVER:postgresql://%=postgresql://northstar_owner@%)/$(PG_DB) \
	DATABASE_URL=$(PG_SERVER:postgresql://%=postgresql://northstar_runtime@%)/$(PG_DB) \
	  $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(PG_SERVER:postgresql://%=postgresql://northstar_runtime@%)/$(PG_DB) \
	  $(BIN)/python manage.py seed_demo
	NORTHSTAR_DEBUG=1 DATABASE_URL=$(PG_SERVER:postgresql://%=postgresql://northstar_runtime@%)/$(PG_DB) \
	  $(BIN)/python manage.py runserver $(HOST)

## make lint: ruff, then the import layers (.importlinter, restated in docs/architecture.md)
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## make test: the whole suite on SQLite, the API fuzzing run, then the suite again on PostgreSQL.
## Each suite runs in PYTEST_WORKERS processes (pytest-xdist, whole test files to each; 2 by
## default, this machine's cores): each worker has its own test database (SQLite in memory;
## on PostgreSQL <name>_gw0, <name>_gw1, each built by the real migrations). The browser
## tests run after the SQLite suite in one process. PYTEST_WORKERS=0: one process each.
PYTEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),-p no:xdist,-n $(PYTEST_WORKERS) --dist loadfile)
## The 25 slowest test phases are printed after each suite, so CI's log says where time goes.
SLOWEST ?= 25
test: lint test-sqlite test-fuzz test-postgres

test-sqlite: install
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo ""; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! No Chromium at /usr/bin/chromium: the browser tests are SKIPPED. !!"; \
	  echo "!! Install it with: apt-get install chromium fonts-noto-core        !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo ""; \
	  if [ "$$NORTHSTAR_REQUIRE_BROWSER" = "1" ]; then echo "NORTHSTAR_REQUIRE_BROWSER=1: failing."; exit 1; fi; \
	fi
	@echo "== Test suite on SQLite (the browser tests after it, in one process) =="
	env -u DATABASE_URL $(BIN)/pytest $(XDIST) --durations=$(SLOWEST) -m "not browser"
	@# Real-browser journeys wait on rendering (15 s steps): alone, not beside a worker.
	env -u DATABASE_URL $(BIN)/pytest -p no:xdist --durations=$(SLOWEST) tests/browser

## make test-fuzz: schemathesis sends generated requests (valid and invalid) to every API
## operation, in-process on SQLite with a caseworker's token; any 5xx fails it
FUZZ_EXAMPLES ?= 15
test-fuzz: install
	@echo "== API fuzzing (schemathesis, $(FUZZ_EXAMPLES) examples per operation and mode) =="
	env -u DATABASE_URL NORTHSTAR_FUZZ=1 NORTHSTAR_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  $(BIN)/pytest tests/test_api_fuzz.py

test-postgres: install
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_ADMIN_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== Test suite on PostgreSQL (throw-away database; browser tests ran on SQLite) =="; \
	  DATABASE_URL=$(PG_ADMIN_URL) NORTHSTAR_TEST_DB_NAME=test_northstar_$$$$ \
	    $(BIN)/pytest $(XDIST) --durations=$(SLOWEST) --create-db -m "not browser"; \
	else \
	  echo ""; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! No PostgreSQL answers at $(PG_ADMIN_URL)"; \
	  echo "!! The PostgreSQL half of the suite is SKIPPED.                       !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo ""; \
	  if [ "$$NORTHSTAR_REQUIRE_POSTGRES" = "1" ]; then echo "NORTHSTAR_REQUIRE_POSTGRES=1: failing."; exit 1; fi; \
	fi

## make bench: page weight and first render under slow 3G, as ratios to a baseline, then the
## scale run (bench/scale.py) at 1k, 10k and 100k survivors on PostgreSQL beside the framework
## floor (each population generated once and reused: the 100k one ~5 min the first time),
## then the k = 11 HTCDS release of 1,000,000 synthetic records (bench/htcds_release.py)
## make bench-scale: the scale run at 1k, 10k and 100k (the 100k population is generated once,
## ~5 min, and reused; the run itself ~15 min). SIZES=1000 for a quick one. Needs wrk.
SIZES ?= 1000,10000,100000
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scale.py --sizes 1000,10000,100000
	$(BIN)/python bench/htcds_release.py --records 1000000
	$(BIN)/python bench/insights.py --cases 10000 --materialised

bench-scale: install
	@command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk"; exit 2; }
	$(BIN)/python bench/scale.py --sizes $(SIZES)

## make bench-insights: the insights figures over INSIGHTS_CASES cases in 50 organisations and
## 10 jurisdictions on PostgreSQL against DuckDB over a Parquet extract (bench/insights.py);
## the population is generated once (1M: ~15-25 min on a busy 2-core machine) and reused
INSIGHTS_CASES ?= 1000000
bench-insights: install
	$(BIN)/python bench/insights.py --cases $(INSIGHTS_CASES) --organisations 50 \
	  --jurisdictions 10 --materialised

## make translations: refresh and compile the catalogues, list what needs a native review
translations: install
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=var --ignore=bench --no-obsolete
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py translation_review --write

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
