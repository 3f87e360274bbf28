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
# # Train a churn model
#
# Point-in-time features at the labelled month ends, a LightGBM model validated out of time
# (the latest cutoff is held out, never a random split), calibrated probabilities, how good the
# model is beside a logistic-regression baseline, and what drives its predictions. Run it by
# hand in JupyterLab, or as a recorded run whose model `03_target_list` then picks up:
#
# ```bash
# churnlab run 02_train_model -p data_dir data/shop
# ```

# %% tags=["parameters"]
data_dir: str = "data/demo"  # folder with customers and event tables (a demo is made when empty)
make_demo: bool = True  # generate the demo operator into data_dir when it holds no data
demo_customers: int = 20000  # demo size, the same in every notebook and `make demo`
demo_months: int = 36  # months of demo history
seed: int = 7  # seed of the demo data and of the model
horizon_days: int = 90  # a customer churned when the contract ends within this many days
model_dir: str = ""  # where the model is saved; empty: the model folder in output_dir
output_dir: str = ""  # set by `churnlab run`; by hand, empty means reports/notebooks/02_train_model
run_id: str = ""  # set by `churnlab run`

# %%
from pathlib import Path

import pandas as pd

import churnlab
from churnlab.demo import DemoSpec, ensure_demo
from churnlab.evaluate import CalibrationDisplay, GainsLiftDisplay, RocPrDisplay
from churnlab.explanations import BeeswarmDisplay, DependenceDisplay, SegmentDriversDisplay
from churnlab.runs import record_figures

output_dir = output_dir or "reports/notebooks/02_train_model"
model_dir = model_dir or str(Path(output_dir) / "model")
if make_demo:
    ensure_demo(data_dir, DemoSpec(customers=demo_customers, months=demo_months, seed=seed))
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
_ = RocPrDisplay.from_predictions(y, p, baseline=holdout["baseline_probability"]).plot()
_ = GainsLiftDisplay.from_predictions(y, p, baseline=holdout["baseline_probability"]).plot()
_ = CalibrationDisplay.from_predictions(y, p).plot()

# %% [markdown]
# ## What drives churn
# Exact SHAP values of the held-out customers, on the log-odds scale: a positive value raises a
# customer's risk above the model's base value. The beeswarm shows one dot per customer and
# feature, coloured by the feature's value.

# %%
holdout_cutoffs = set(pd.to_datetime(list(model.card_.holdout_cutoffs)))
explanation = churnlab.explain(model, frame.frame[frame.frame["cutoff"].isin(holdout_cutoffs)])
_ = BeeswarmDisplay.from_explanation(explanation).plot()

# %% [markdown]
# The five strongest drivers, in words:

# %%
for sentence in explanation.drivers(5)["sentence"]:
    print(sentence)

# %% [markdown]
# How the top driver moves the risk (coloured by the feature it interacts with most), and which
# reason categories carry each risk band's predicted churn.

# %%
_ = DependenceDisplay.from_explanation(explanation).plot()
_ = SegmentDriversDisplay.from_explanation(explanation).plot()

# %% [markdown]
# ## Save the model
# A model directory holds LightGBM's text model and JSON (no pickle); loading checks checksums.
# `03_target_list` uses the latest successful run's model unless told otherwise.

# %%
saved = churnlab.save_model(model, model_dir, run_id=run_id or None)
model_id = churnlab.load_model(saved).card_.model_id  # the saved model's id, as lists cite it
record_figures(
    output_dir,
    holdout_auc=round(float(evaluation.metrics["roc_auc"]), 4),
    holdout_churn_rate=round(float(y.mean()), 4),
    training_rows=len(frame.frame),
    model_id=model_id,
)
print(f"Model {model_id} saved to {saved}")
