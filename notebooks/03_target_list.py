# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (churnlab)
#     language: python
#     name: churnlab
# ---

# %% [markdown]
# # This month's target list
#
# Score every active customer with the latest trained model, explain each score in words,
# choose whom to contact so the campaign earns the most, set a control group aside to measure
# the effect, and export the list for the campaign team. Run it every month:
#
# ```bash
# churnlab run 03_target_list -p data_dir data/shop
# ```

# %% tags=["parameters"]
data_dir: str = "data/demo"  # folder with customers and event tables (a demo is made when empty)
make_demo: bool = True  # generate the demo operator into data_dir when it holds no data
demo_customers: int = 20000  # demo size, the same in every notebook and `make demo`
demo_months: int = 36  # months of demo history
seed: int = 7  # seed of the demo data and of the control group's draw
model_dir: str = ""  # empty: the model of the latest successful 02_train_model run
runs_dir: str = "reports/runs"  # where `churnlab run` keeps its runs
as_of: str = ""  # scoring date, YYYY-MM-DD; empty: the data's extract date
top: int = 0  # contact the best N customers by expected gain (0: unused)
top_share: float = 0.0  # contact the best share of customers, in (0, 1) (0: unused)
budget: float = 0.0  # contact the best customers whose expected cost fits the budget (0: unused)
min_probability: float = 0.0  # contact everyone at least this likely to churn (0: unused)
control_fraction: str = ""  # share kept as a control group, in (0, 1), or auto; empty: campaign's
language: str = "en"  # language of the reasons and actions, en or zh
campaign: str = ""  # campaign settings file (TOML); empty: the default offer terms
output_dir: str = ""  # set by `churnlab run`; by hand, empty means reports/notebooks/03_target_list
run_id: str = ""  # set by `churnlab run`

# %%
from pathlib import Path

from IPython.display import Markdown

import churnlab
from churnlab.campaign import Selection
from churnlab.demo import DemoSpec, ensure_demo
from churnlab.model import scoring_frame
from churnlab.runs import latest_run, record_figures
from churnlab.runs.snapshot import write_snapshot

output_dir = output_dir or "reports/notebooks/03_target_list"
if make_demo:
    ensure_demo(data_dir, DemoSpec(customers=demo_customers, months=demo_months, seed=seed))
if not model_dir:
    latest = latest_run(runs_dir, "02_train_model")
    if latest is None:
        raise FileNotFoundError(
            f"No successful 02_train_model run in {runs_dir}. Run `churnlab run 02_train_model` "
            "first, or set model_dir."
        )
    model_dir = str(latest / "outputs" / "model")
tables = churnlab.load_tables(data_dir)
model = churnlab.load_model(model_dir)
print(f"Model {model.card_.model_id} from {model_dir}")

# %% [markdown]
# ## Score, explain and select
# Each active customer's churn probability at the scoring date, their value, and the expected
# gain of contacting them (saves times value, less the offer's cost). The list holds the
# customers chosen by the selection below; a random share of it is the control group, which is
# not contacted.

# %%
selection = Selection.from_options(
    top=top or None,
    top_share=top_share or None,
    budget=budget or None,
    min_probability=min_probability or None,
)
features = scoring_frame(model, tables, as_of=as_of or None)
target_list = churnlab.target_list(
    tables,
    model,
    as_of=as_of or None,
    selection=selection,
    campaign=campaign or None,
    control_fraction=control_fraction or None,
    seed=seed,
    language=language,
)
target_list

# %% [markdown]
# ## How many to contact
# The expected gain as the list grows, best customers first; the band shows the offer's
# uncertain acceptance, the dot the size chosen.

# %%
_ = target_list.profit_curve().plot()

# %% [markdown]
# ## Who is on the list
# By segment and group, and the first customers with their reasons and suggested action.

# %%
target_list.by_segment()

# %%
first = target_list.frame.head(10)
first[
    ["customer_id", "group", "churn_probability", "expected_gain", "reason_1", "recommended_action"]
].style.format({"churn_probability": "{:.1%}", "expected_gain": "{:,.0f}"}).hide(axis="index")

# %% [markdown]
# ## Can the control group measure the effect?

# %%
Markdown(target_list.mde_line())

# %% [markdown]
# ## Export
# The list as CSV, Excel and Parquet with a manifest, and the scores of every customer for
# next month's comparison (`05_monitor`).

# %%
exported = target_list.export(
    Path(output_dir) / "target_list", protect=[data_dir, model_dir], run_id=run_id or None
)
write_snapshot(
    target_list,
    features.frame,
    output_dir,
    model_dir=model_dir,
    data_dir=data_dir,
    run_id=run_id or None,
)
totals = target_list.totals()
record_figures(
    output_dir,
    listed=totals["listed"],
    control=totals["control"],
    expected_gain=round(totals["expected_gain"], 2),
    cost=round(totals["cost"], 2),
    model_id=model.card_.model_id,
)
files = ", ".join(sorted(p.name for p in exported.iterdir()))
print(
    f"Target list of {totals['listed']:,} customers in {exported.name}/ of this run's outputs: {files}"
)
