"""Scale-out: a simulated cohort partitioned by subject, fitted on a Dask cluster
(examples/dask_fit.py), equals the fit on one machine."""

import sys
from pathlib import Path

import pandas as pd
import pytest

import cartpk

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples"))


def test_dask_fit_equals_local_fit():
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    import dask_fit

    # Every scheduled sample, so that most patients have enough to fit.
    cohort = cartpk.simulate(n_subjects=60, seed=3, matrices="blood,flow", full_schedule=True).data
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        summary = dask_fit.fit_partitioned(cohort, npartitions=4)
    local = cartpk.fit(cohort).summary
    key = ["subject", "matrix", "assay"]
    summary = summary.sort_values(key).reset_index(drop=True)
    local = local.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(summary, local)
    assert summary["subject"].nunique() > 30
