# The two set-up commands: `make run` (the product, embedded: no database or broker server needed) and
# `make test` (the whole suite). Both create the virtual environment and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PYTEST_ARGS ?=
# `make test` runs the suite on this many pytest-xdist workers ("auto": one per CPU, at most TEST_MAX_WORKERS);
# each has its own test database and Redis databases (tests/conftest.py). TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
TEST_MAX_WORKERS ?= 4

.PHONY: install run test lint messages bench clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv

# supervisord.conf reads both; the database, the queue and the logs go under VAR_DIR.
run: export VAR_DIR ?= $(CURDIR)/var
run: export WEB_BIND ?= 127.0.0.1:8000
# Links in texts, PDFs and the simulated gateway's notifications point at the address served.
run: export GUIDANCE_SITE_URL ?= http://$(WEB_BIND)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@# The broker's tables and queue made now: three processes making them at once can collide (kombu's race).
	$(BIN)/celery -A programs amqp queue.declare celery >/dev/null
	@echo "Starting web (gunicorn), worker and beat at http://$(WEB_BIND) (admin: /admin/, API docs: /api/docs/);"
	@echo "each is restarted if it dies. Ctrl-C stops all three."
	$(BIN)/supervisord --configuration supervisord.conf

test: install
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --maxprocesses $(TEST_MAX_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf var/ .pytest_cache
