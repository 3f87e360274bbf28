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
# # Train and evaluate a churn model
#
# Point-in-time features at the last labelled month ends, a LightGBM model validated out of time
# (the latest cutoff is held out, never a random split), calibrated probabilities, and how good
# the model is beside a logistic-regression baseline. Run it by hand or with papermill:
#
# ```bash
# .venv/bin/papermill notebooks/02_train_and_evaluate.ipynb reports/train.ipynb -p data_dir data/demo
# ```

# %% tags=["parameters"]
data_dir = "data/demo"  # folder with customers.csv/.parquet and optional event tables
make_demo = True  # generate the demo operator into data_dir first when it is missing
demo_customers = 20000
demo_months = 36
horizon_days = 90  # churned = contract ends within this many days after the cutoff
model_dir = "reports/notebook_model"  # where the model directory is written
seed = 7

# %%
from pathlib import Path

import pandas as pd

import churnlab
from churnlab.demo import DemoSpec, generate_demo
from churnlab.evaluate import CalibrationDisplay, GainsLiftDisplay, RocPrDisplay
from churnlab.explanations import BeeswarmDisplay, DependenceDisplay, SegmentDriversDisplay

if make_demo and not (Path(data_dir) / "churnlab.toml").exists():
    generate_demo(data_dir, DemoSpec(customers=demo_customers, months=demo_months, seed=seed))
tables = churnlab.load_tables(data_dir)
tables

# %% [markdown]
# ## Training frame
# One row per customer and cutoff; `churned` looks only at the days after each cutoff.

# %%
frame = churnlab.build_training_frame(tables, churnlab.LabelSpec(horizon_days=horizon_days))
frame

# %% [markdown]
# ## Model
# Early stopping and calibration use the held-out latest cutoff; the final model is refitted on
# every cutoff with the chosen number of rounds.

# %%
model = churnlab.train(frame, churnlab.ModelSpec(seed=seed))
model

# %% [markdown]
# ## How good is it?
# On the held-out cutoff, beside the baseline: ranking (ROC-AUC, lift), probability quality
# (Brier, log loss) and calibration ("0.3" should mean three in ten).

# %%
evaluation = churnlab.evaluate_model(model)
evaluation

# %%
holdout = model.holdout_
y, p = holdout["churned"], holdout["probability"]
RocPrDisplay.from_predictions(y, p, baseline=holdout["baseline_probability"]).plot()
GainsLiftDisplay.from_predictions(y, p, baseline=holdout["baseline_probability"]).plot()
CalibrationDisplay.from_predictions(y, p).plot()

# %% [markdown]
# ## What drives churn
# Exact SHAP values of the held-out customers (TreeSHAP, on the log-odds scale: a positive value
# raises a customer's risk above the model's base value). The beeswarm shows one dot per customer
# and feature, coloured by the feature's value; the table sums the features of each reason
# category and gives the share of predicted churn each category carries.

# %%
holdout_cutoffs = set(pd.to_datetime(list(model.card_.holdout_cutoffs)))
holdout_frame = frame.frame[frame.frame["cutoff"].isin(holdout_cutoffs)]
explanation = churnlab.explain(model, holdout_frame)
explanation

# %%
_ = BeeswarmDisplay.from_explanation(explanation).plot()

# %%
explanation.importance("category")

# %%
for sentence in explanation.drivers(5)["sentence"]:
    print(sentence)

# %% [markdown]
# How the top driver moves the risk (coloured by the feature it interacts with most), and which
# reason categories carry each risk band's predicted churn.

# %%
_ = DependenceDisplay.from_explanation(explanation).plot()
_ = SegmentDriversDisplay.from_explanation(explanation).plot()
attribution = explanation.attribution("category")
bands = list(dict.fromkeys(attribution["risk_band"]))  # all customers, then lowest risk first
shares = attribution.pivot(index="reason_category", columns="risk_band", values="share")
shares[bands].style.format("{:.1%}")

# %% [markdown]
# ## Save, reload and score the latest month
# The model directory holds LightGBM's text model and JSON (no pickle); loading checks checksums.

# %%
churnlab.save_model(model, model_dir)
scores = churnlab.score(churnlab.load_model(model_dir), tables, as_of=tables.extract_date)
scores
