# ELMo Explorer: `make app` starts the app, `make test` runs every test. Both create or reuse .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8501

.PHONY: app test bench browser-deps clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0   # first, pinned: the local CPU wheel, not the CUDA stack
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install --quiet -e ".[dev]"
	touch $@

# Debian's Chromium for the real-browser test (Playwright's own browser download fails here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

app: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev-installed browser-deps
	$(PY) -m pytest -q

bench: $(VENV)/.installed
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
