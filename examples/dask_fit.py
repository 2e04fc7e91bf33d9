"""Fit a large simulated CAR-T cohort partitioned by subject on a Dask cluster.

    python examples/dask_fit.py                       # 2,000 subjects on a LocalCluster
    python examples/dask_fit.py 20000 tcp://scheduler:8786   # the same code on a cluster

Each profile's fit is independent of the others, so a cohort splits by subject without
changing any number: every partition holds whole subjects (the frame is indexed by
subject and Dask cuts between index values), each worker runs `cartpk.fit` on its
partitions (one thread each: Dask provides the parallelism), and the per-profile tables
are concatenated. The result equals `cartpk.fit(cohort)` on one machine (tests/test_dask.py).

When to do this, rather than `cartpk.fit` on one machine: docs/python.md ("When a cohort
outgrows one machine").
"""

from __future__ import annotations

import sys
import time

import pandas as pd

import cartpk


def _fit_partition(part: pd.DataFrame) -> pd.DataFrame:
    # `threads=1`: each Dask worker thread fits its own partition.
    return cartpk.fit(part.reset_index(), threads=1, on_error="ignore").summary


def fit_partitioned(cohort: pd.DataFrame, npartitions: int) -> pd.DataFrame:
    """The fit summary of `cohort` (input format), fitted partition by partition on the
    current Dask client; partitions hold whole subjects."""
    import dask.dataframe as dd

    by_subject = cohort.set_index("subject").sort_index(kind="stable")
    ddf = dd.from_pandas(by_subject, npartitions=npartitions, sort=True)
    # The output schema, from a fit of the first subject (computed locally).
    first = by_subject.index[0]
    meta = _fit_partition(by_subject.loc[[first]]).iloc[:0]
    summary = ddf.map_partitions(_fit_partition, meta=meta).compute()
    return summary.reset_index(drop=True)


def main() -> None:
    from dask.distributed import Client, LocalCluster

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    address = sys.argv[2] if len(sys.argv) > 2 else None
    cohort = cartpk.simulate(n_subjects=n, seed=1, matrices="blood,flow").data
    if address:
        client = Client(address)
    else:
        client = Client(LocalCluster(threads_per_worker=1, dashboard_address=None))
    with client:
        workers = len(client.scheduler_info()["workers"])
        start = time.perf_counter()
        summary = fit_partitioned(cohort, npartitions=max(4 * workers, 1))
        elapsed = time.perf_counter() - start
    print(f"{n} subjects, {len(summary)} profiles fitted on {workers} workers in {elapsed:.1f} s; "
          f"{int(summary['converged'].sum())} converged, {int(summary['reportable'].sum())} reportable")


if __name__ == "__main__":
    main()
