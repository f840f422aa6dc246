# Two commands do everything on a fresh machine with only Python 3.11 and npm:
#   make run    the whole system on embedded defaults (SQLite, filesystem broker, e-mail to files)
#   make test   the whole test suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL say so)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ASSETS := node_modules/.installed-stamp
# data-to-insight's CIN census validator, in its own environment: its pins (pandas<2, which needs
# numpy<2) are not the project's, and the tests call it as a program on the extract's XML.
CINVALIDATOR := .venv-cinvalidator
CINVALIDATOR_STAMP := $(CINVALIDATOR)/.installed-stamp
CSS := static/build/govuk-frontend.css

.PHONY: run test setup assets migrate demo lint bench clean screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# The DfE's CIN census XSD ships inside liiatools; its own pins (pandas<2, lxml<5, cchardet) do not
	# install on Python 3.11, and we need only its data files, so it goes in without dependencies.
	$(BIN)/python -m pip install --quiet --no-deps "liiatools==0.2.0"
	touch $(STAMP)

# data-to-insight's CIN validator checks the census extract in the tests (docs/reports.md). Its pins
# (pandas<2, rich<14) do not install beside the project's, so it has its own environment, made for the
# tests only: `make run` does not need it.
$(CINVALIDATOR_STAMP):
	test -x $(CINVALIDATOR)/bin/python || $(PYTHON) -m venv $(CINVALIDATOR)
	$(CINVALIDATOR)/bin/python -m pip install --quiet "csc-validator-be-cin==0.1.13" "numpy==1.26.4"
	touch $(CINVALIDATOR_STAMP)

# npm packages (no install scripts: none is needed), then GOV.UK Frontend's CSS built from its Sass
# without the GOV.UK-only GDS Transport font (docs/front-end.md) into static/build/ (git-ignored).
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(ASSETS)

$(CSS): $(ASSETS) static/scss/govuk-frontend.scss
	npm run --silent build:css

assets: $(CSS)

setup: $(STAMP) $(CSS)
	mkdir -p var/mail var/broker/control

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# MASH_PORT=8001 make run: another port. Once it is up, "welcome" prints the URL, where e-mail goes and
# how to sign in as each demo role.
run: demo
	@echo "Starting MASH on http://127.0.0.1:$${MASH_PORT:-8000}: web, a Celery worker, one beat."
	$(BIN)/honcho start -f Procfile.dev

# On every core (pytest-xdist): each worker has its own test database; a file's tests stay together.
test: setup $(CINVALIDATOR_STAMP)
	DJANGO_SETTINGS_MODULE=mash.settings.test $(BIN)/python -m pytest -n auto --dist loadfile --durations=15 $(PYTEST_ARGS)

# Every page as each role sees it, normal and error state, into var/screenshots/ (docs/screenshots.md)
screenshots: setup
	$(BIN)/python -m tests.e2e.gallery

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Figures at 1,000,000 referrals (PostgreSQL, BENCH_DATABASE_URL; wrk via apt): docs/PERFORMANCE.md
bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf var staticfiles .pytest_cache
