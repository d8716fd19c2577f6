# Two commands for a new user: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10: take PYTHON=… if given, else the first 3.10 found.
PYTHON ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 /root/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/assistant.tar.gz
TRAIN_INPUTS := config.yml $(shell find domain data -name '*.yml' 2>/dev/null)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

NODE_STAMP := node_modules/.installed

.PHONY: help install install-dev browser run shell train lint validate test test-unit test-nlu test-e2e test-conversations bench scale-test audit lock clean

help:
	@echo "make run    set up, train if needed, start the assistant (Ctrl-C stops everything)"
	@echo "make test   set up, train if needed, run the whole test suite"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.10 introuvable (Rasa 3.6 ne fonctionne pas avec 3.11+). Installez-le ou passez PYTHON=/chemin/vers/python3.10." >&2; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==24.2"

$(VENV)/.installed: $(BIN)/python requirements.in requirements.lock
	$(BIN)/pip install --quiet -r requirements.in -c requirements.lock
	$(BIN)/pip check
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.in
	$(BIN)/pip install --quiet -r requirements-dev.in -c requirements.lock
	$(BIN)/pip check
	@touch $@

# The socket.io client served to the widget and axe-core for the accessibility tests, from the npm registry.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm introuvable : installez Node.js et npm (paquets Debian nodejs et npm) pour servir le widget." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed $(NODE_STAMP)
install-dev: $(VENV)/.installed-dev $(NODE_STAMP) browser

# Browser tests drive Debian's chromium (never a browser downloaded by a test tool).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installation de chromium (paquet Debian) pour les tests navigateur"; \
		apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	else echo "chromium absent et non installable ici : les tests navigateur seront ignorés (apt-get install chromium)"; fi

# Rasa's own fingerprint decides whether anything changed since the last model.
$(MODEL): $(VENV)/.installed $(TRAIN_INPUTS)
	$(BIN)/rasa train --domain domain --fixed-model-name assistant --out models
	@touch $@

train: $(MODEL)

run: $(MODEL) $(NODE_STAMP)
	$(BIN)/python -m bot run

# The assistant in the terminal: Rasa's `rasa shell`, with the action server started alongside.
shell: $(MODEL)
	$(BIN)/python -m bot shell

# Lint and format (ruff), types (mypy, strict on bot/program/): settings in pyproject.toml.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

validate: install
	$(BIN)/python -m tests.tools.validate_data

test-unit: install-dev
	$(BIN)/python -m pytest tests/unit -q

# Intent and FAQ-answer accuracy on the held-out set (never tuned on), then on the development set.
test-nlu: install-dev $(MODEL)
	$(BIN)/python -m tests.tools.nlu_eval --model $(MODEL) --set heldout --set dev --min-accuracy 0.93

# Every suite that needs the running servers shares one start of them (one pytest session), the
# conversation suites included (random walks, held-out conversations, regression walks).
test-e2e: install-dev $(MODEL)
	$(BIN)/python -m pytest tests/actions tests/e2e tests/web tests/staff tests/security tests/conversations -q -rs

# More random walks against the servers than `make test` runs: make test-conversations N=2000
N ?= 1000
test-conversations: install-dev $(MODEL)
	CONVERSATION_WALKS=$(N) DIALOGUE_WALKS=$(N) $(BIN)/python -m pytest tests/conversations/test_properties.py tests/unit/dialogue/test_properties.py -q -s

# pip-audit in its own venv (it needs a newer `packaging` than Rasa allows); accepted risks in tests/tools/audit-accepted.txt.
# A vulnerability fails the run; an audit that could not reach PyPI's or OSV's advisories is reported, not hidden.
audit: install-dev
	@$(BIN)/python -m tests.tools.audit; code=$$?; \
	if [ $$code -eq 3 ]; then echo "make audit : audit des dépendances impossible depuis cette machine (raison ci-dessus) ; à relancer là où PyPI ou OSV répondent."; \
	elif [ $$code -ne 0 ]; then exit $$code; fi

# Training uses little more than one core: the checks that need no model run beside it (output kept per target).
test: install-dev
	$(MAKE) --no-print-directory -j4 --output-sync=target lint validate test-unit audit train
	$(MAKE) --no-print-directory test-nlu test-e2e
	@echo "make test: all suites passed"

# Figures of the running assistant against Rasa's starter assistant (bench/README.md); not part of `make test`.
bench: install $(MODEL)
	$(BIN)/python -m bench --baseline

# Two Rasa instances behind nginx on this machine's PostgreSQL and Redis (deploy/); checks every stored event.
scale-test: install $(MODEL)
	$(BIN)/python -m bench.scale_test

lock: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.in -r requirements-dev.in
	$(BIN)/pip check
	{ echo "# Exact versions resolved together (pip check clean) on Python 3.10."; \
	  echo "# Used as constraints for every install: regenerate with 'make lock'."; \
	  $(BIN)/pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) models/*.tar.gz var/results .pytest_cache
