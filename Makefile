# Two commands are all a user needs (see README): `make run` and `make test`.
# Each creates the virtual environment in .venv on first use (and updates it when pyproject.toml
# changes). `make run` installs only what the app needs; `make test` adds the test tools.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
APP    := $(VENV)/.installed-app
TOOLS  := $(VENV)/.installed-test

.PHONY: run test bench lint screenshot clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(APP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $(APP)

$(TOOLS): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(APP) $(TOOLS)

run: $(APP)
	$(PY) main.py

test: $(TOOLS)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# Speed figures, each measured side by side with its reference in one run (never a timed test).
bench: $(TOOLS)
	$(PY) -m cnnviz bench
	QT_QPA_PLATFORM=offscreen $(PY) scripts/bench_playground_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) scripts/bench_gui_responsiveness.py

lint: $(TOOLS)
	$(PY) -m ruff check .

screenshot: $(APP)
	$(PY) main.py --screenshot screenshot.png

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
