# Two commands on a fresh machine: `make run` and `make test`. Each does its own set-up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test demo-data browser venv clean-data bench

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Debian's Chromium for the browser tests (`playwright install` cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	    echo "Installing Debian's chromium for the browser tests ..."; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The dashboard on PRECOG_DATABASE_URL, or on the embedded PostgreSQL with demo data loaded on
# first start. It listens on this machine only (.streamlit/config.toml); ADDRESS=0.0.0.0 serves a
# network, which needs sign-in: without it `python -m serving` stops here, before anything starts
# (docs/security.md).
SERVE = --server.port $(PORT) $(if $(ADDRESS),--server.address $(ADDRESS))
run: venv
	$(BIN)/python -m serving $(SERVE)
	$(BIN)/python -m demo --if-empty
	@echo "Precog dashboard: http://$(or $(ADDRESS),localhost):$(PORT)"
	$(BIN)/streamlit run app.py $(SERVE)

# Every test, on PRECOG_TEST_DATABASE_URL when set, else on the embedded server.
test: venv browser
	$(BIN)/python -m pytest

# Demo data into PRECOG_DATABASE_URL (or the embedded database). SCALE=years (default 0.25),
# SEED=n; REPLACE=1 drops what is there first.
demo-data: venv
	$(BIN)/python -m demo $(if $(SCALE),--scale $(SCALE)) $(if $(SEED),--seed $(SEED)) $(if $(REPLACE),--replace)

# The ten-year benchmark (README "Performance"): loads SCALE=10 demo data into
# PRECOG_BENCH_DATABASE_URL / PRECOG_DATABASE_URL / the embedded server when it is not there yet
# (18-26 min), then measures: database about 6 min, Chromium and 20 sessions about 6 more.
# QUICK=1: default filters only, fewer runs. BROWSER_ONLY=1: the Chromium and memory part only.
bench: venv browser
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(if $(SCALE),--scale $(SCALE)) $(if $(BROWSER_ONLY),--browser-only)

clean-data:
	rm -rf .precog-data
