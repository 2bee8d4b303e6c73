# Keel: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Stop the embedded PostgreSQL at the end only when this command started it (DESIGN.md "Embedded default").
# Ctrl-C must run the EXIT trap too, hence the INT/TERM traps that exit. The stop ignores them: a second Ctrl-C
# while it runs (about a second) printed a KeyboardInterrupt traceback and could leave the server running.
WITH_DB := was=$$($(PY) -m config.embedded_db status); \
	trap 'trap "" INT TERM; [ "$$was" = stopped ] && $(PY) -m config.embedded_db stop >/dev/null' EXIT; \
	trap 'exit 130' INT TERM;
CHARTJS := static/vendor/chart.umd.min.js

.PHONY: install install-dev run test lint typecheck migrations-check pytest screenshots bench stop clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# Chart.js comes from the npm package pinned in package.json, served by Django as a static file (no CDN).
$(CHARTJS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/chart.js/dist/chart.umd.min.js $(CHARTJS)

## install: the virtualenv with Keel's runtime dependencies and the static vendor files
install: $(VENV)/.installed $(CHARTJS)

## install-dev: install + what the tests, linters and type checker need
install-dev: install $(VENV)/.installed-dev

## run: migrate, seed the demo company on an empty database, catch up snapshots, serve on 127.0.0.1:8000
run: install
	@$(WITH_DB) \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py prepare_run && \
	$(PY) manage.py runserver 127.0.0.1:8000

## test: lint, format check, type check, migrations check and the whole pytest suite (browser tests included)
test: install-dev
	@$(WITH_DB) \
	$(MAKE) --no-print-directory lint typecheck migrations-check pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy's Django plugin imports the settings; a placeholder URL keeps it from starting a database.
typecheck:
	DATABASE_URL=postgres://mypy@127.0.0.1/mypy $(VENV)/bin/mypy .

migrations-check:
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

pytest:
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## screenshots: rerun the browser tests and refresh the README's pictures in docs/screenshots/
screenshots: install-dev
	@$(WITH_DB) \
	KEEL_UPDATE_SCREENSHOTS=1 $(VENV)/bin/pytest tests/browser

## bench: the speed figures of DESIGN.md, printed as a table
bench: install-dev
	@$(WITH_DB) \
	$(PY) -m tests.bench $(BENCH_ARGS)

## stop: stop the embedded PostgreSQL if a command left it running
stop:
	@$(PY) -m config.embedded_db stop

clean: stop
	rm -rf $(VENV) node_modules static/vendor staticfiles
