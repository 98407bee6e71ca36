# Two commands matter: `make serve` runs the API server, `make test` runs the whole test suite.
# Both create the virtualenv in .venv and install everything on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch, installed before anything that depends on torch (see README).
TORCH := torch==2.13.0

.PHONY: install serve test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

serve: install
	$(VENV)/bin/evaluator serve

test: install
	$(PY) -m pytest

clean:
	rm -rf $(VENV) build *.egg-info
