# Two commands matter: `make serve` runs the API server, `make test` runs the whole test suite.
# Both create the virtualenv in .venv and install everything on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch, installed before anything that depends on torch (see README).
TORCH := torch==2.13.0

.PHONY: install chromium serve test bench onnx clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,ray]'
	touch $(STAMP)

serve: install onnx
	$(VENV)/bin/evaluator serve

test: install chromium
	$(PY) -m pytest

# Export the bundled model to ONNX once (the default backend; else done on the first start).
onnx: install
	$(VENV)/bin/evaluator export-onnx

# The one benchmark (scripts/bench.py): raw model, library, API, cold start, batch; ARGS="--quick" for a subset.
bench: install
	$(PY) scripts/bench.py $(ARGS)

# The browser tests (tests/browser/) drive Debian's chromium. Where it is missing, install it with
# apt-get if we are root and apt-get is there (as on CI); otherwise warn: those tests then skip.
CHROMIUM ?= /usr/bin/chromium
APT_GET ?= apt-get
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v $(APT_GET) >/dev/null 2>&1; then \
		echo "installing chromium and chromium-driver with apt-get, for the browser tests"; \
		{ $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium chromium-driver >/dev/null; } \
			|| echo "warning: apt-get could not install chromium: the browser tests will be skipped" >&2; \
	else \
		echo "warning: $(CHROMIUM) is missing and apt-get cannot be used as root: the browser tests will be skipped" >&2; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info
