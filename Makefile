# Two commands are all a user needs (see README): `make run` and `make test`.
# Each creates the virtual environment in .venv on first use (and again when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# Speed figures, each measured side by side with its reference in one run (never a timed test).
bench: $(STAMP)
	$(PY) -m cnnviz bench
	QT_QPA_PLATFORM=offscreen $(PY) scripts/bench_playground_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) scripts/bench_gui_responsiveness.py

lint: $(STAMP)
	$(PY) -m ruff check .

screenshot: $(STAMP)
	$(PY) main.py --screenshot screenshot.png

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
