# Two entry points, both from a bare Python >= 3.11:
#   make reproduce   -> .venv, install, tensorglass reproduce --out report/
#   make test        -> .venv, install with test extras, the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: reproduce test quick bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP) $@

reproduce: $(STAMP)
	$(VENV)/bin/tensorglass reproduce --out report/

quick: $(STAMP)
	$(VENV)/bin/tensorglass reproduce --out report/ --quick

test: $(TSTAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/reproduce_speed.py

clean:
	rm -rf $(VENV) report build *.egg-info src/*.egg-info .pytest_cache .hypothesis
