# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (churnlab)
#     language: python
#     name: churnlab
# ---

# %% [markdown]
# # Explore the data
#
# Before any model: is the data sound, how has churn moved, who stays longest, which customers
# leave more often, and how much of the revenue a few customers carry. Run it by hand in
# JupyterLab, or on a schedule:
#
# ```bash
# churnlab run 01_explore_data -p data_dir data/shop
# ```

# %% tags=["parameters"]
data_dir: str = "data/demo"  # folder with customers and event tables (a demo is made when empty)
make_demo: bool = True  # generate the demo operator into data_dir when it holds no data
demo_customers: int = 20000  # demo size, the same in every notebook and `make demo`
demo_months: int = 36  # months of demo history
seed: int = 7  # the demo's random seed
horizon_days: int = 90  # a customer churned when the contract ends within this many days
output_dir: str = ""  # set by `churnlab run`; this notebook writes no files
run_id: str = ""  # set by `churnlab run`

# %%
import churnlab
from churnlab.demo import DemoSpec, ensure_demo
from churnlab.evaluate import CohortChurnDisplay
from churnlab.tables import ChurnByMonthDisplay, ConcentrationDisplay, RetentionDisplay

if make_demo:
    ensure_demo(data_dir, DemoSpec(customers=demo_customers, months=demo_months, seed=seed))

# %% [markdown]
# ## Is the data sound?
# Every problem is listed at once, with the table, column, check, number of rows and examples.

# %%
report = churnlab.check_data(data_dir)
print(report)

# %%
tables = report.raise_for_problems()
tables.summary()

# %% [markdown]
# ## Churn by month
# The share of customers active at a month's start who left during it. An extract holds only
# the customers who were still customers when it starts, so the months before its first leaver
# show no churn at all: that is the extract's blind spot, not loyalty, so those months are cut.

# %%
churn_by_month = ChurnByMonthDisplay.from_tables(tables).plot()
print(churn_by_month.title())

# %% [markdown]
# ## Who stays longest
# The share still with us after each month of tenure. Each customer counts from the month the
# extract starts to see them, so customers who left before it do not flatter the early months.
# An older cohort's curve therefore starts at the tenure it had then, at 100% of those still here.

# %%
_ = RetentionDisplay.from_tables(tables, by="cohort").plot()

# %%
_ = RetentionDisplay.from_tables(tables, by="plan").plot()

# %% [markdown]
# ## Who leaves more often
# Point-in-time features at every labelled month end, and whether the customer left within
# the next `horizon_days` days. Each chart cuts customers into deciles of one feature (or by a
# category) and gives each cohort's churn rate; the dashed line is everyone's.

# %%
frame = churnlab.build_training_frame(tables, churnlab.LabelSpec(horizon_days=horizon_days))
frame

# %%
for feature in ("tenure_days", "spend_mean_3m", "late_payments_12m", "plan", "contract"):
    _ = CohortChurnDisplay.from_frame(frame.frame, feature).plot()

# %% [markdown]
# ## Complaints and service failures
# Customers who complain, or whose service fails, often leave soon after.

# %%
for feature in ("complaints_90d", "complaints_open", "failures_30d", "outage_minutes_90d"):
    _ = CohortChurnDisplay.from_frame(frame.frame, feature).plot()

# %% [markdown]
# ## How concentrated value is
# The mean monthly bill of the last three months, for the customers active at the extract date.

# %%
latest = churnlab.build_scoring_frame(tables, as_of=tables.extract_date)
concentration = ConcentrationDisplay.from_values(
    latest.frame["spend_mean_3m"], what="monthly spend"
).plot()
print(concentration.sentence())
