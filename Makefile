# hemopt: two commands on a fresh machine with Python 3.11 and make.
#   make demo  - create .venv, install hemopt, run the main job on the default scenario
#   make test  - create .venv if needed, install the dev extras, run the whole test suite
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out

.PHONY: demo test docs docs-figures lint typecheck bench clean venv browser

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/hemopt compare --preset strangnas --seed 1 --out report

test: $(VENV)/.installed-dev browser
	$(BIN)/python -m pytest -n 2 -q

# The report test renders the HTML in Debian's headless Chromium; install it when we can
# (root with apt-get, as on CI). Elsewhere the test is skipped with a message.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: the HTML rendering test will be skipped"; }

# HEMOPT_DOCS_EXECUTE=1: the notebooks are executed (a few minutes; cached in .cache/notebooks
# until a notebook or hemopt changes) so that the site shows their tables and figures.
docs-figures: $(VENV)/.installed-dev  ## regenerate the generated figures of docs/ (benchmarks/docs_figures.py)
	$(BIN)/python benchmarks/docs_figures.py

docs: $(VENV)/.installed-dev
	HEMOPT_DOCS_EXECUTE=1 $(BIN)/mkdocs build --strict --site-dir site

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check hemopt tests benchmarks

# mypy with [tool.mypy] of pyproject.toml; make test runs it too (tests/test_types.py)
typecheck: $(VENV)/.installed-dev
	$(BIN)/python -m mypy hemopt

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) report site .cache .pytest_cache .mypy_cache .hypothesis build *.egg-info
