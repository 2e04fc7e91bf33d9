# %% [markdown]
# # CAR-T cellular kinetics in a notebook with `cartpk`
#
# The example cohort (`data/seed_cohort.csv`: 48 simulated adults, qPCR and flow in
# blood, marrow and CSF) through NCA and Stein 2019 model fits, with the results as
# pandas DataFrames and a figure drawn with matplotlib from them. Cells are marked with
# `# %%` (VS Code, Jupytext, Spyder); as a script:
#
#     pip install ./crates/python matplotlib
#     python examples/notebook_nca_fit.py [output.png]

# %%
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; in Jupyter the figure shows inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import cartpk

root = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd()
cohort = pd.read_csv(root / "data/seed_cohort.csv")
subjects = pd.read_csv(root / "data/seed_cohort_subjects.csv")
cohort.head()

# %% NCA: one row per profile, the columns of nca_wide.csv
nca = cartpk.nca(cohort)
blood_qpcr = nca[(nca["matrix"] == "blood") & (nca["assay"] == "qpcr")]
blood_qpcr[["subject", "cmax [conc_unit]", "tmax [day]", "aucint.last.0-28 [day*conc_unit]",
            "half.life [day]"]].describe()

# %% Model fits: fit_summary.csv and fit_predictions.csv as DataFrames
fits = cartpk.fit(cohort, on_error="ignore")
summary = fits.summary
print(f"{len(summary)} profiles fitted, {summary['converged'].sum()} converged, "
      f"{summary['reportable'].sum()} reportable")

# %% Exposure by response at month 3
exposure = blood_qpcr.merge(subjects[["subject", "response"]], on="subject")
exposure.groupby("response")[["cmax [conc_unit]", "aucint.last.0-28 [day*conc_unit]"]].median()

# %% Figure: observed and fitted profiles of four patients, and Cmax by response
pred = fits.predictions
pred = pred[(pred["matrix"] == "blood") & (pred["assay"] == "qpcr")]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
fitted = blood_qpcr[blood_qpcr["subject"].isin(pred["subject"])]
shown = fitted.sort_values("cmax [conc_unit]", ascending=False)["subject"].iloc[::10][:4]
for colour, subject in zip(plt.cm.tab10.colors, shown):
    p = pred[pred["subject"] == subject].sort_values("time_day")
    quantified = p[~p["blq"]]
    ax1.plot(quantified["time_day"], quantified["observed"], "o", color=colour, label=subject)
    blq = p[p["blq"]]
    ax1.plot(blq["time_day"], blq["observed"], "o", mfc="none", color=colour)
    ax1.plot(p["time_day"], p["predicted"], "x--", color=colour, lw=1, ms=4)
lloq = cohort.loc[(cohort["matrix"] == "blood") & (cohort["assay"] == "qpcr"), "lloq"].iloc[0]
ax1.axhline(lloq, ls="--", color="grey", lw=0.8, label="LLOQ")
ax1.set_yscale("log")
ax1.set_xscale("symlog", linthresh=28, linscale=1.5)
ticks = [0, 7, 14, 28, 84, 168, 365]
ax1.set_xticks(ticks, [str(t) for t in ticks])
ax1.set_xlabel("Days since infusion (linear to day 28, log beyond)")
ax1.set_ylabel("Transgene, copies/ug gDNA")
ax1.set_title("Blood qPCR: observed (open: BLQ at LLOQ), Stein 2019\nindividual predictions at the samples (x)", fontsize=10)
ax1.legend(fontsize=8, ncol=2)

groups = sorted(exposure["response"].dropna().unique())
data = [exposure.loc[exposure["response"] == g, "cmax [conc_unit]"].dropna() for g in groups]
ax2.boxplot(data, showfliers=False)
ax2.set_xticks(range(1, len(groups) + 1), groups)
for i, d in enumerate(data, start=1):
    ax2.plot(np.random.default_rng(i).normal(i, 0.05, len(d)), d, ".", color="k", alpha=0.6)
ax2.set_yscale("log")
ax2.set_ylabel("Cmax, copies/ug gDNA")
ax2.set_title("Blood qPCR Cmax by response at month 3")
fig.tight_layout()
out = Path(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else Path("nca_fit.png")
fig.savefig(out, dpi=110)
print(f"figure: {out}")
