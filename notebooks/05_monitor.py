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
# # This month's target list against last month's
#
# Each month `03_target_list` scores every customer. This notebook puts two such runs side by
# side: did the scores move, did the customers' data change, did the reasons for risk change,
# who entered and who left the list, and, once last month's outcomes are known, did its
# predictions come true. By default it compares the latest successful run with the one before:
#
# ```bash
# churnlab run 05_monitor
# churnlab run 05_monitor -p run_a reports/runs/03_target_list/<older> -p run_b reports/runs/03_target_list/<newer>
# ```

# %% tags=["parameters"]
run_a: str = ""  # earlier run folder (empty: the one before the latest 03_target_list run)
run_b: str = ""  # later run folder (empty: the latest successful 03_target_list run)
runs_dir: str = "reports/runs"  # where `churnlab run` keeps its run folders
data_dir: str = ""  # data that tell the earlier run's outcomes (empty: the later run's data)
output_dir: str = ""  # where the pictures and comparison.json go (empty: reports/monitor)
run_id: str = ""  # set by `churnlab run`

# %%
import json
from pathlib import Path

from churnlab.runs import compare_runs, latest_pair

if not run_a or not run_b:
    earlier, later = latest_pair(runs_dir, "03_target_list")
    run_a, run_b = run_a or str(earlier), run_b or str(later)
out = Path(output_dir or "reports/monitor")
out.mkdir(parents=True, exist_ok=True)
comparison = compare_runs(run_a, run_b, data_dir=data_dir or None)
comparison

# %% [markdown]
# ## What to look at
# Each line below is a threshold crossed (PSI above 0.1 for the scores or 0.25 for a feature,
# more missing values, new categories, a shift in the reasons, a list that changed a lot, or
# outcomes that differ from the predictions). No line means nothing needs attention.

# %%
for line in comparison.warnings() or ["No warning: nothing crossed a threshold."]:
    print(line)

# %% [markdown]
# ## Did the scores move?
# The population stability index (PSI) compares the two months' churn probabilities over the
# earlier month's deciles: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a
# significant one.

# %%
scores = comparison.score_display().plot()
scores.figure_.savefig(out / "score_shift.png", dpi=110)

# %% [markdown]
# ## Did the customers' data change?
# The features that matter most to the model (mean |SHAP| this month) come first: a shift in
# those moves the scores. Missing values and categories never seen before are listed too.

# %%
features = comparison.feature_display(n=15).plot()
features.figure_.savefig(out / "feature_shift.png", dpi=110)
comparison.features.head(15)

# %% [markdown]
# ## Why customers are at risk
# The share of customers whose strongest reason falls into each category, last month and now.

# %%
reasons = comparison.reason_display().plot()
reasons.figure_.savefig(out / "reason_mix.png", dpi=110)
comparison.reasons

# %% [markdown]
# ## Who entered and who left the list
# Customers to contact (the control group left out) in either month; the overlap is the
# Jaccard index: the customers in both lists over those in either.

# %%
lists = comparison.lists
print(
    f"{len(lists.stayed):,} stayed on the list, {len(lists.entered):,} entered, "
    f"{len(lists.left):,} left; overlap (Jaccard) {lists.jaccard:.2f}."
)

# %% [markdown]
# ## Did last month's predictions come true?
# Only once the earlier run's whole outcome window lies in the data.

# %%
realised = comparison.realised
if realised is None:
    print("Not yet. " + " ".join(n for n in comparison.notes if "outcome" in n))
else:
    print(
        f"Of {realised.customers:,} customers, {realised.churn_rate:.1%} churned; the model "
        f"predicted {realised.predicted_rate:.1%}. ROC-AUC {realised.roc_auc:.3f}, "
        f"calibration error (ECE) {realised.ece:.3f}."
    )

# %%
summary = comparison.to_dict()
(out / "comparison.json").write_text(json.dumps(summary, indent=2) + "\n")
figures = {
    "score_psi": round(comparison.score_psi, 4),
    "list_jaccard": round(lists.jaccard, 4),
    "entered": len(lists.entered),
    "left": len(lists.left),
    "warnings": len(comparison.warnings()),
}
(out / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
figures
