# Two entry points, both from a bare Python >= 3.11:
#   make reproduce   -> .venv, install, tensorglass reproduce --out report/
#   make test        -> .venv, install with test extras, the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: reproduce test fuzz quick bench clean

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

fuzz: $(TSTAMP)   # the bad-input suite with more generated examples (Hypothesis "dev" profile)
	TG_HYPOTHESIS=dev $(PY) -m pytest -q tests/test_fuzz_cli.py tests/test_fuzz_disk.py

bench: $(STAMP)
	$(PY) benchmarks/reproduce_speed.py

clean:
	rm -rf $(VENV) report build *.egg-info src/*.egg-info .pytest_cache .hypothesis
