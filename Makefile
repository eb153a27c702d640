# Two entry points, both from a bare Python >= 3.11:
#   make reproduce   -> .venv, install, tensorglass reproduce --out report/
#   make test        -> .venv, install with test extras, the whole suite
# (and make docs     -> the documentation site, into build/docs/)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
DSTAMP := $(VENV)/.installed-docs

.PHONY: reproduce test docs fuzz quick bench clean browser

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,docs]'
	touch $(STAMP) $(DSTAMP) $@

$(DSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(STAMP) $@

reproduce: $(STAMP)
	$(VENV)/bin/tensorglass reproduce --out report/

quick: $(STAMP)
	$(VENV)/bin/tensorglass reproduce --out report/ --quick

test: $(TSTAMP) browser
	$(PY) -m pytest -q

# The documentation site, into build/docs/ (open build/docs/index.html). Strict: any warning
# (a broken link or reference, an example that failed) fails the build. About a minute: the
# worked examples run, and `reproduce --quick` writes the report the site links to.
docs: $(DSTAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

fuzz: $(TSTAMP)   # the bad-input suite with more generated examples (Hypothesis "dev" profile)
	TG_HYPOTHESIS=dev $(PY) -m pytest -q tests/test_fuzz_cli.py tests/test_fuzz_disk.py

# Headless Chromium for tests/test_report_html.py: installed with apt-get where
# we are root on Debian/Ubuntu; elsewhere the browser test skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1; } || \
	  echo "chromium not installed: the browser test will skip"

bench: $(STAMP)
	$(PY) benchmarks/reproduce_speed.py

clean:
	rm -rf $(VENV) report build *.egg-info src/*.egg-info .pytest_cache .hypothesis
