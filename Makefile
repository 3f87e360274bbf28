# churnlab: two commands from a fresh machine with Python 3.11.
#   make demo   set up .venv; generate the demo operator and validate it; run the notebooks
#               02_train_model (model, evaluation, SHAP pictures) and 03_target_list (the
#               retention campaign's list: CSV, XLSX, Parquet, win-back list) with `churnlab run`,
#               each with an HTML report. A second `make demo` lists the next month and
#               compares the two months.
#   make test   set up .venv with the dev extra, then lint, type checks and the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= data/demo
DEMO_CUSTOMERS ?= 20000
DEMO_MONTHS ?= 36
RUNS_DIR ?= reports/runs

.PHONY: demo test lint typecheck pytest setup setup-dev kernel bench clean

demo: $(VENV)/.installed
	@test -f $(DEMO_DIR)/churnlab.toml || $(BIN)/churnlab demo-data $(DEMO_DIR) --customers $(DEMO_CUSTOMERS) --months $(DEMO_MONTHS) --seed 7
	$(BIN)/churnlab validate $(DEMO_DIR)
	$(BIN)/churnlab run 02_train_model -p data_dir $(DEMO_DIR) --runs-dir $(RUNS_DIR)
	$(BIN)/churnlab run 03_target_list -p data_dir $(DEMO_DIR) --runs-dir $(RUNS_DIR) \
	    -p as_of $$($(BIN)/python -c "import churnlab.runs as r, churnlab.tables as t; print(r.next_month_end('$(RUNS_DIR)', t.read_config('$(DEMO_DIR)/churnlab.toml').extract_date))")
	@if [ $$(ls $(RUNS_DIR)/03_target_list/*/snapshot.json $(RUNS_DIR)/03_target_list/*/outputs/snapshot.json 2>/dev/null | wc -l) -ge 2 ]; then \
	    echo ""; echo "This month against the last:"; $(BIN)/churnlab compare --runs-dir $(RUNS_DIR); \
	else echo ""; echo "Run make demo again for next month's list and the month-on-month comparison."; fi
	@echo ""
	@echo "Reports and runs:   $(RUNS_DIR)/index.html"
	@echo "Model report:       $(RUNS_DIR)/02_train_model/$$(cat $(RUNS_DIR)/02_train_model/latest)/report.html"
	@echo "Target list report: $(RUNS_DIR)/03_target_list/$$(cat $(RUNS_DIR)/03_target_list/latest)/report.html"
	@echo "Target list files:  $(RUNS_DIR)/03_target_list/$$(cat $(RUNS_DIR)/03_target_list/latest)/outputs/target_list/"

test: $(VENV)/.installed-dev lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check churnlab tests benchmarks notebooks
	$(BIN)/ruff format --check churnlab tests benchmarks notebooks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The suite runs on every core (pytest-xdist), a test file per worker at a time, so that the
# per-module fixtures (one Spark session, one batch of killed runs) are made once.
pytest: $(VENV)/.installed-dev
	$(BIN)/pytest --doctest-modules churnlab
	$(BIN)/pytest -n auto --dist loadfile

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# Re-install only when the project's dependencies change; a second run reuses what is there.
$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --compile-bytecode -e .
	$(MAKE) --no-print-directory kernel
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/uv
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --compile-bytecode -e ".[dev]"
	$(MAKE) --no-print-directory kernel
	touch $@ $(VENV)/.installed

kernel:
	$(BIN)/python -m ipykernel install --sys-prefix --name churnlab --display-name "Python (churnlab)" >/dev/null

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_demo_data.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
