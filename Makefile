# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app expo
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Two workers by default: the machines here have two cores.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test install install-dev system-deps lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(FLASK) db upgrade
	$(FLASK) expo demo
	$(FLASK) expo demo-logins
	$(FLASK) run --host $(HOST) --port $(PORT)

# Debian's chromium (browser tests), zbar (QR decoding) and poppler (PDF to PNG),
# installed through apt-get only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v zbarimg  >/dev/null 2>&1 || missing="$$missing zbar-tools"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	[ -e /usr/lib/x86_64-linux-gnu/libzbar.so.0 ] || ldconfig -p | grep -q libzbar.so.0 || missing="$$missing libzbar0"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

lint: install-dev
	$(BIN)/ruff check expo tests $(wildcard bench)

test: system-deps install-dev
	$(BIN)/ruff check expo tests $(wildcard bench)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov *.egg-info
