# churnlab: two commands from a fresh machine with Python 3.11.
#   make demo   set up .venv; generate the demo operator, validate it, train a churn model,
#               evaluate it (HTML report), explain it (SHAP pictures and tables), score every
#               active customer at the latest month with three reasons and an action each, and
#               write the retention campaign's target list (CSV, XLSX, Parquet, win-back list)
#   make test   set up .venv with the dev extra, then lint, type checks and the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= data/demo
DEMO_CUSTOMERS ?= 20000
DEMO_MONTHS ?= 36
DEMO_OUT ?= reports/demo

.PHONY: demo test lint typecheck pytest setup setup-dev kernel bench clean

demo: $(VENV)/.installed
	$(BIN)/churnlab demo-data $(DEMO_DIR) --customers $(DEMO_CUSTOMERS) --months $(DEMO_MONTHS) --seed 7
	$(BIN)/churnlab validate $(DEMO_DIR)
	$(BIN)/churnlab train $(DEMO_DIR) --out $(DEMO_OUT)/model
	$(BIN)/churnlab evaluate $(DEMO_OUT)/model --out $(DEMO_OUT)/evaluation --data $(DEMO_DIR)
	$(BIN)/churnlab explain $(DEMO_OUT)/model $(DEMO_DIR) --out $(DEMO_OUT)/explanation
	$(BIN)/churnlab score $(DEMO_DIR) --model $(DEMO_OUT)/model --out $(DEMO_OUT)/scores.csv --reasons 3
	$(BIN)/churnlab target-list $(DEMO_DIR) --model $(DEMO_OUT)/model --out $(DEMO_OUT)/target_list
	@echo ""
	@echo "Evaluation report:  $(DEMO_OUT)/evaluation/report.html"
	@echo "What drives churn:  $(DEMO_OUT)/explanation/"
	@echo "Scores and reasons: $(DEMO_OUT)/scores.csv"
	@echo "Target list:        $(DEMO_OUT)/target_list/ (target_list.xlsx, winback.csv, profit_curve.png)"

test: $(VENV)/.installed-dev lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check churnlab tests benchmarks notebooks
	$(BIN)/ruff format --check churnlab tests benchmarks notebooks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest --doctest-modules churnlab
	$(BIN)/pytest

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
