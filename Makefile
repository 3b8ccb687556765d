# pkh-case: `make run` (demo app on SQLite, tasks in-process) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run test bench load backup restore install messages check-deploy clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python scripts/run_tests.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The load test: locust (requirements-bench.txt) into .venv, then 100 facilitators + 5 coordinators for 2 minutes
# against gunicorn, PostgreSQL and Redis on this machine (BENCH_DATABASE_URL, BENCH_BROKER_URL; see bench/load.py).
load: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python bench/load.py

# PostgreSQL backups: `make backup` dumps DATABASE_URL's database (custom format) to backups/<name>-<time>.dump;
# `make restore FILE=backups/x.dump [DATABASE_URL=...] [FORCE=1]` restores one (into an empty or new database;
# FORCE=1 to replace the tables of a database that has data). See README "Backups and restore".
backup: $(STAMP)
	$(BIN)/python scripts/pg_backup.py backup

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<file>.dump [FORCE=1]"; exit 2; }
	$(BIN)/python scripts/pg_backup.py restore "$(FILE)" $(if $(FORCE),--force,)

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l id -l en --ignore=.venv --ignore=bench --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

check-deploy: $(STAMP)
	DEBUG=0 SECRET_KEY=check-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz ALLOWED_HOSTS=pkh.example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
