# The two commands: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast bench bench-fanout create-tables install system-packages clean

DAVTESTER := .venv-davtester
install: $(VENV)/.installed node_modules/.installed $(DAVTESTER)/.installed

# Debian packages the tests use: redis-server (several instances sharing broadcasts), wrk (the
# API benchmark's load generator), Mono's C# compiler and the two class libraries the C# sample
# client uses (clients/csharp/), chromium (the calendar page's end-to-end tests drive it with
# Playwright; a browser download at install time would not work) and fonts-nanum (Korean glyphs in
# the page's screenshot, docs/page.png). Installed when missing and we are root; otherwise named.
# A package counts as present when dpkg has it or a command of its name is on PATH.
SYSTEM_PACKAGES := redis-server wrk mono-mcs libmono-system-net-http4.0-cil libmono-system-runtime-serialization4.0-cil chromium fonts-nanum
system-packages:
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q 'ok installed' || command -v $$pkg >/dev/null 2>&1 \
	    || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "not installed:$$missing (sudo apt-get install$$missing); the tests that need them fail in CI"; fi; \
	fi

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# caldav-server-tester (tests/test_dav_server_tester.py runs it against the live CalDAV server) in a
# virtual environment of its own: its caldav>=3.6 brings urllib3-future, which breaks botocore in .venv.
$(DAVTESTER)/.installed: requirements-davtester.txt
	$(PYTHON) -m venv $(DAVTESTER)
	$(DAVTESTER)/bin/python -m pip install --quiet --upgrade pip
	$(DAVTESTER)/bin/python -m pip install --quiet -r requirements-davtester.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	cd backend && ../$(PY) -m local.run

# The fast tier first (it fails in seconds when a rule is broken), then everything else once.
# Three workers on two cores: much of the suite waits on servers and timeouts, not the CPU (16 min
# against about 20 with two). A module marked xdist_group runs on one worker (one server, one browser).
test: install system-packages
	$(VENV)/bin/ruff check .
	@$(MAKE) --no-print-directory test-fast
	$(PY) -m pytest -n 3 --dist loadgroup --ignore=tests/unit

# The type check of the data's shapes (mypy.ini: storage/, rules/, dav/, models.py), then the unit tests of
# the pure code (backend/rules/ and the checks built on it): no server, a few seconds each.
test-fast: install
	$(VENV)/bin/mypy
	$(PY) -m pytest -n 0 tests/unit

create-tables: install
	cd backend && ../$(PY) -c "from models import DynamoDBDatabase; DynamoDBDatabase().create_tables()"

bench: install
	$(PY) bench/run_all.py

bench-fanout: install
	$(PY) bench/bench_fanout.py

# 0 to 10,000 idle sockets on one process beside python-socketio's asyncio server (about 10 minutes).
.PHONY: bench-capacity
bench-capacity: install
	$(PY) bench/bench_capacity.py

.PHONY: bench-load bench-soak
bench-load: install
	$(PY) bench/load.py
# The 10-minute soak of issue 10, on make run's server then on gunicorn (about 25 minutes in all).
bench-soak: install
	$(PY) bench/load.py --soak 600 --sample-every 10

.PHONY: bench-migration
bench-migration: install
	$(PY) bench/bench_migration.py

clean:
	rm -rf $(VENV) $(DAVTESTER) node_modules
