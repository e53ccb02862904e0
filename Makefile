# eventday: `make run` serves the demo edition, `make test` runs the whole suite.
# Both create .venv on first use and reuse it afterwards.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PORT, when given, serves both; by default `make run` uses 5000 and `make serve` 8000.
RUN_PORT = $(or $(PORT),5000)
SERVE_PORT = $(or $(PORT),8000)
WEB_CONCURRENCY ?= 2
# One line per request on standard output: when, what, answer, size, milliseconds.
# Attendee tokens in paths and query values are written "…" (eventday/log_redaction.py).
# No client address: the reverse proxy's log has it, for as long as its own rules say.
ACCESS_LOG_FORMAT := '%(t)s "%(r)s" %(s)s %(B)s %(M)sms'
CATALOGUES := $(wildcard eventday/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test serve lint translations extract-messages bench clean

$(BIN)/eventday: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "eventday needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

%.mo: %.po $(BIN)/eventday
	$(BIN)/pybabel -q compile -i $< -o $@

translations: $(COMPILED)

run: $(BIN)/eventday translations
	$(BIN)/eventday db upgrade
	$(BIN)/eventday seed-demo --if-no-edition
	@echo
	@echo "eventday is serving the demo edition on http://127.0.0.1:$(RUN_PORT)/"
	@echo "Organisers sign in at http://127.0.0.1:$(RUN_PORT)/admin/ ; create your account first with:"
	@echo "    $(BIN)/eventday create-user you@example.org --role admin"
	@echo "(stop with Ctrl-C)"
	@echo
	EVENTDAY_PUBLIC_URL="$${EVENTDAY_PUBLIC_URL:-http://127.0.0.1:$(RUN_PORT)}" \
		$(BIN)/eventday run --host 127.0.0.1 --port $(RUN_PORT)

# worksteal: a worker left idle takes tests queued for the other, so the slow
# server-backed tests at the end do not leave one core waiting.
test: $(BIN)/eventday translations
	$(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

serve: $(BIN)/eventday translations
	@$(BIN)/eventday public-url >/dev/null
	$(BIN)/eventday db upgrade
	$(BIN)/gunicorn --workers $(WEB_CONCURRENCY) --bind 0.0.0.0:$(SERVE_PORT) \
		--access-logfile - --access-logformat $(ACCESS_LOG_FORMAT) \
		--logger-class eventday.log_redaction.RedactingLogger 'eventday:create_app()'

lint: $(BIN)/eventday
	$(BIN)/ruff check eventday tests bench

extract-messages: $(BIN)/eventday
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 -o eventday/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i eventday/translations/messages.pot -d eventday/translations --no-fuzzy-matching

bench: $(BIN)/eventday translations
	$(BIN)/python bench/programme.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/checkin.py

clean:
	rm -rf $(VENV) $(COMPILED)
