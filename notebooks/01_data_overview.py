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
# # Data overview
#
# What a data directory holds, whether it meets churnlab's data contract, how churn moved month by
# month, and the point-in-time features churnlab builds from it. Run it by hand, or with papermill:
#
# ```bash
# .venv/bin/papermill notebooks/01_data_overview.ipynb reports/overview.ipynb -p data_dir data/shop
# ```

# %% tags=["parameters"]
data_dir = "data/demo"  # folder with customers.csv/.parquet and optional event tables
make_demo = True  # generate the demo operator into data_dir first when it is missing
demo_customers = 5000
demo_months = 24
seed = 7

# %%
from pathlib import Path

import matplotlib.pyplot as plt

import churnlab
from churnlab.demo import DemoSpec, generate_demo
from churnlab.features import build_scoring_frame, list_features

if make_demo and not (Path(data_dir) / "churnlab.toml").exists():
    generate_demo(data_dir, DemoSpec(customers=demo_customers, months=demo_months, seed=seed))

# %% [markdown]
# ## Does the data meet the contract?
# Every problem is listed at once, with the table, column, check, number of rows and examples.

# %%
report = churnlab.check_data(data_dir)
print(report)
tables = report.raise_for_problems()
tables.summary()

# %% [markdown]
# ## Churn by month
# Customers active at the start of each month and the share who left during it.

# %%
by_month = tables.summary().by_month
fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(by_month["month"], by_month["churn_rate"] * 100, marker="o")
ax.set_ylabel("monthly churn, %")
ax.set_title("Churn by month")
fig.autofmt_xdate()

# %% [markdown]
# ## Point-in-time features at the latest month end
# Only what was known by the end of the cutoff day counts.

# %%
as_of = tables.extract_date
features = build_scoring_frame(tables, as_of=as_of)
features

# %%
features.frame.describe().T

# %%
list_features()
