# The two commands: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench bench-fanout create-tables install clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	cd backend && ../$(PY) -m local.run

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

create-tables: install
	cd backend && ../$(PY) -c "from models import DynamoDBDatabase; DynamoDBDatabase().create_tables()"

bench: install
	$(PY) bench/run_all.py

bench-fanout: install
	$(PY) bench/bench_fanout.py

.PHONY: bench-migration
bench-migration: install
	$(PY) bench/bench_migration.py

clean:
	rm -rf $(VENV) node_modules
