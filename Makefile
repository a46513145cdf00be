# `make demo`: install into .venv (created when missing) and run the whole job on synthetic data.
# `make test`: install into .venv, type-check the packages (settings in mypy.ini) and run the test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.lvseg-installed

.PHONY: demo test install clean

install: $(STAMP)

$(STAMP): setup.py requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/lvseg demo --out demo_output

test: $(STAMP)
	$(PY) -m mypy lvseg beam_pipelines trainer export
	$(PY) -m pytest tests

clean:
	rm -rf demo_output .pytest_cache
