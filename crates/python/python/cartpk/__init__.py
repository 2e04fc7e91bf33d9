"""cartpk: cellular kinetics of CAR-T cell therapies, data frames in and out.

The functions mirror the ``cartpk`` command line, with the same option names (``_`` for
``-``) and the same defaults:

>>> import cartpk
>>> wide = cartpk.nca("data/cart_cohort.csv")              # nca_wide.csv as a DataFrame
>>> fits = cartpk.fit("data/seed_cohort.csv")              # fit_summary.csv, ...
>>> cohort = cartpk.simulate(n_subjects=48, seed=1)        # cartpk simulate
>>> report = cartpk.run("data/seed_cohort.csv", subjects="data/seed_cohort_subjects.csv",
...                     out="results/")                    # cartpk run

``data`` is a path to an assay CSV, a pandas or polars DataFrame in the same long format
(one measurement per row; the same column names and CDISC names are recognised), or a
:class:`Dataset` from :func:`read_assay`. A data frame is read exactly as the CSV file it
stands for: the same profiles, numbers, warnings and errors.

Result tables have the column names of the CSV files the command line writes. Bad rows
skip their profile and become :class:`DataWarning` warnings (``on_error="raise"`` raises
:class:`InputError` instead); the table of them is ``df.attrs["errors"]``. The work runs
in parallel in Rust with the GIL released.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from . import _cartpk
from ._cartpk import Dataset
from ._frames import from_frame, is_pandas, is_polars, to_pandas, to_polars
from .errors import CartpkError, DataWarning, InputError

__version__ = _cartpk.__version__

__all__ = [
    "read_assay",
    "nca",
    "fit",
    "simulate",
    "run",
    "Dataset",
    "FitTables",
    "SimulatedCohort",
    "RunResult",
    "CartpkError",
    "InputError",
    "DataWarning",
]

#: Most :class:`DataWarning` issued by one call; the rest are counted in one more.
MAX_WARNINGS = 20

_READ_OPTIONS = (
    "columns", "time_unit", "unit", "delimiter", "decimal_comma", "subject", "matrix",
    "assay", "lloq", "uloq",
)


def read_assay(
    source,
    *,
    columns: Union[Dict[str, str], str, None] = None,
    time_unit: str = "days",
    unit: Optional[str] = None,
    delimiter: Optional[str] = None,
    decimal_comma: bool = False,
    subject: Optional[str] = None,
    matrix: Optional[str] = None,
    assay: Optional[str] = None,
    lloq: Optional[float] = None,
    uloq: Optional[float] = None,
    threads: Optional[int] = None,
) -> Dataset:
    """Reads an assay export (``cartpk nca``'s input options) into a :class:`Dataset`.

    Args:
        source: path of a long-format CSV, or a pandas/polars DataFrame in that format.
        columns: column roles to names, ``{"subject": "PATID", "time": "DAY"}`` or the
            CLI's ``"subject=PATID,time=DAY"`` (``--columns``).
        time_unit: unit of the time column when there is no time unit column: min,
            hours, days or weeks (``--time-unit``). Results are always in days.
        unit: unit of the values when there is no unit column (``--unit``).
        delimiter: field delimiter of a file; default the header's (``--delimiter``).
        decimal_comma: read ``,`` as the decimal mark (``--decimal-comma``).
        subject, matrix, assay, lloq, uloq: one value for every row, for data without
            that column (``--subject``, ``--matrix``, ``--assay``, ``--lloq``, ``--uloq``).
        threads: worker threads (default every core).

    Returns:
        a :class:`Dataset`: ``.profiles()``, ``.samples()``, ``.errors()``, ``.notes()``,
        ``.assumptions()``, reusable by :func:`nca`, :func:`fit` and :func:`run`.

    Raises:
        InputError: the input cannot be read as a table (no header, a required column
            missing...), with file, line and column.
    """
    opts = dict(columns=columns, time_unit=time_unit, unit=unit, delimiter=delimiter,
                decimal_comma=decimal_comma, subject=subject, matrix=matrix, assay=assay,
                lloq=lloq, uloq=uloq, threads=threads)
    if isinstance(source, Dataset):
        return source
    if is_pandas(source) or is_polars(source):
        names, cols = from_frame(source)
        return _cartpk.read_columns_(names, cols, "<DataFrame>", opts)
    if isinstance(source, (str, os.PathLike)):
        return _cartpk.read_path_(os.fspath(source), opts)
    raise TypeError(
        f"expected a path, a pandas or polars DataFrame or a cartpk.Dataset, found {type(source).__name__}"
    )


def _dataset(data, read_options: Dict[str, Any], threads) -> Dataset:
    unknown = set(read_options) - set(_READ_OPTIONS)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    if isinstance(data, Dataset):
        if read_options:
            raise TypeError("read options apply to a path or a data frame, not to a Dataset")
        return data
    return read_assay(data, threads=threads, **read_options)


def _frame_out(columns, output: Optional[str], data, attrs=None):
    if output is None:
        output = "polars" if is_polars(data) else "pandas"
    if output == "pandas":
        return to_pandas(columns, attrs)
    if output == "polars":
        return to_polars(columns)
    raise ValueError(f"output: expected 'pandas' or 'polars', found '{output}'")


def _report_errors(errors_cols, on_error: str, stacklevel: int = 3):
    """Issues a DataWarning per failure (or raises the first with on_error='raise')."""
    if on_error not in ("warn", "raise", "ignore"):
        raise ValueError(f"on_error: expected 'warn', 'raise' or 'ignore', found '{on_error}'")
    table = to_pandas(errors_cols)
    if len(table) == 0 or on_error == "ignore":
        return table.drop(columns="column_index")
    if on_error == "raise":
        first = table.iloc[0]
        line = None if first["line"] != first["line"] else int(first["line"])
        col = None
        if "column_index" in table.columns and first["column_index"] == first["column_index"]:
            col = int(first["column_index"])
        more = f" (and {len(table) - 1} more)" if len(table) > 1 else ""
        raise InputError(first["message"] + more, first["file"], line, col,
                         first["column"] or None)
    for r in table.head(MAX_WARNINGS).itertuples(index=False):
        line = None if r.line != r.line else int(r.line)
        warnings.warn(DataWarning(r.message, r.file, line, r.column or None, r.subject,
                                  r.matrix, r.assay), stacklevel=stacklevel)
    if len(table) > MAX_WARNINGS:
        warnings.warn(DataWarning(f"... and {len(table) - MAX_WARNINGS} more skipped rows or "
                                  "profiles: see df.attrs['errors']"), stacklevel=stacklevel)
    return table.drop(columns="column_index")


def nca(
    data,
    *,
    layout: str = "wide",
    auc_method: str = "lin-up-log-down",
    auc_start: str = "start_conc0",
    intervals: Sequence[Tuple[float, float]] = ((0, 28), (0, 84)),
    blq_before_first: Union[str, float] = "zero",
    blq_between: Union[str, float] = "drop",
    blq_after_last: Union[str, float] = "zero",
    lambda_z_min_points: int = 3,
    lambda_z_adj_r2_factor: float = 1e-4,
    dose: Optional[float] = None,
    dose_unit: str = "cells",
    on_error: str = "warn",
    output: Optional[str] = None,
    threads: Optional[int] = None,
    **read_options,
):
    """Non-compartmental analysis of every profile, as ``cartpk nca`` (matches PKNCA).

    Args:
        data: a path, a pandas/polars DataFrame or a :class:`Dataset`.
        layout: ``"wide"`` (``nca_wide.csv``: one row per profile, columns
            ``cmax [conc_unit]``, ``aucint.last.0-28 [day*conc_unit]``...) or ``"long"``
            (``nca_long.csv``: one row per parameter with PKNCA names and PPTESTCD codes).
        auc_method: ``"lin-up-log-down"`` (PKNCA's) or ``"linear"`` (``--auc-method``).
        auc_start: concentration at day 0 for every AUC: ``"start_conc0"``,
            ``"start_predose"`` or ``"none"`` (PKNCA's) (``--auc-start``).
        intervals: partial AUC intervals in days (``--interval``).
        blq_before_first, blq_between, blq_after_last: ``"zero"``, ``"drop"``,
            ``"lloq"``, ``"half-lloq"`` or a number (``--blq-*``).
        lambda_z_min_points: fewest points of an automatic lambda_z fit.
        lambda_z_adj_r2_factor: adjusted-R2 tolerance (PKNCA adj.r.squared.factor).
        dose, dose_unit: dose of every profile whose data give none (dose-normalised
            ``.dn`` parameters).
        on_error: ``"warn"`` (default: each skipped row/profile a :class:`DataWarning`),
            ``"raise"`` (:class:`InputError`) or ``"ignore"``.
        output: ``"pandas"`` or ``"polars"``; default polars for a polars input.
        threads: worker threads (default every core).
        **read_options: :func:`read_assay`'s options when ``data`` is a path or frame.

    Returns:
        the NCA table with the CSV's column names (NaN for ``NA``); for pandas, the
        skipped rows and profiles are ``df.attrs["errors"]``.
    """
    ds = _dataset(data, read_options, threads)
    opts = dict(auc_method=auc_method, auc_start=auc_start,
                intervals=[tuple(i) for i in intervals], blq_before_first=blq_before_first,
                blq_between=blq_between, blq_after_last=blq_after_last,
                lambda_z_min_points=lambda_z_min_points,
                lambda_z_adj_r2_factor=lambda_z_adj_r2_factor, dose=dose,
                dose_unit=dose_unit, threads=threads)
    table, errors = _cartpk.nca_(ds, layout, opts)
    errors = _report_errors(errors, on_error)
    return _frame_out(table, output, data, {"errors": errors})


@dataclass
class FitTables:
    """The tables of ``cartpk fit``, as data frames with the CSV files' column names."""

    #: ``fit_summary.csv``: one row per fit (estimates, RSE%, -2LL, AIC, convergence...).
    summary: Any
    #: ``fit_estimates.csv``: one row per estimate or derived quantity.
    estimates: Any
    #: ``fit_predictions.csv``: individual predictions and residuals.
    predictions: Any
    #: ``fit_errors.csv``: profiles or rows not fitted.
    errors: Any
    #: ``population_*.csv`` by name (``"parameters"``, ``"individual"``...), with
    #: ``population=True``.
    population: Dict[str, Any] = field(default_factory=dict)


def fit(
    data,
    *,
    population: bool = False,
    model: str = "stein2019",
    blq: str = "m3",
    sigma_min: float = 0.05,
    fit_baseline: bool = False,
    ridge_tol: float = 0.005,
    seed: int = 12345,
    k1: int = 300,
    k2: int = 200,
    min_subjects: int = 20,
    on_error: str = "warn",
    output: Optional[str] = None,
    threads: Optional[int] = None,
    **read_options,
) -> FitTables:
    """Fits the Stein 2019 CK model to every profile by maximum likelihood, as
    ``cartpk fit`` (BLQ as censored data, Beal's M3).

    Args:
        data: a path, a pandas/polars DataFrame or a :class:`Dataset`.
        population: also fit the population model (``--population``).
        model: the model (``stein2019``).
        blq: ``"m3"`` (censored) or ``"m1"`` (dropped) (``--blq``).
        sigma_min: smallest residual SD of ln C (``--sigma-min``).
        fit_baseline: keep pre-infusion samples in the likelihood (``--fit-baseline``).
        ridge_tol: tie-break on flat likelihood ridges, the largest loss of ln L for the
            point nearest the typical values; 0 turns it off (``--ridge-tol``).
        seed, k1, k2, min_subjects: the population fit's seed, SAEM exploratory and
            smoothing iterations, and fewest subjects of a matrix x assay (``--seed``,
            ``--k1``, ``--k2``, ``--min-subjects``).
        on_error, output, threads, **read_options: as :func:`nca`.

    Returns:
        :class:`FitTables` (``summary``, ``estimates``, ``predictions``, ``errors``; with
        ``population=True`` also ``population``: ``"parameters"``, ``"individual"``,
        ``"shrinkage"``, ``"vpc"``, ``"residuals"``, the ``population_*.csv`` tables;
        a cohort that cannot be fitted is a :class:`DataWarning`).
    """
    ds = _dataset(data, read_options, threads)
    opts = dict(model=model, blq=blq, sigma_min=sigma_min, fit_baseline=fit_baseline,
                ridge_tol=ridge_tol, threads=threads)
    tables = _cartpk.fit_(ds, opts)
    errors = _report_errors(tables.pop("errors"), on_error)
    out = {k: _frame_out(v, output, data) for k, v in tables.items()}
    if output == "polars" or (output is None and is_polars(data)):
        import polars as pl
        errors = pl.from_pandas(errors)
    pop = {}
    if population:
        import io

        import pandas as pd

        tables, notes = _cartpk.population_(ds, dict(blq=blq, seed=seed, k1=k1, k2=k2,
                                                     min_subjects=min_subjects,
                                                     threads=threads))
        for note in notes:
            warnings.warn(DataWarning("population: " + note, ds.source), stacklevel=2)
        pop = {name: pd.read_csv(io.BytesIO(b), keep_default_na=False, na_values=["NA"])
               for name, b in tables.items()}
        if output == "polars" or (output is None and is_polars(data)):
            import polars as pl
            pop = {k: pl.from_pandas(v) for k, v in pop.items()}
    return FitTables(out["summary"], out["estimates"], out["predictions"], errors, pop)


def _defaults() -> Dict[str, Any]:
    """The Rust library's defaults (for tests: the Python signatures must equal them)."""
    return dict(_cartpk.defaults_())


@dataclass
class SimulatedCohort:
    """A virtual cohort, as the three files of ``cartpk simulate``."""

    #: the assay table in the input format (``subject, matrix, assay, time, value, unit,
    #: lloq``; a BLQ sample has ``value`` NaN and its ``lloq``, which reads as BLQ).
    data: Any
    #: every subject's true Stein 2019 parameters (``<out>_params.csv``).
    params: Any
    #: dose, weight, age, response, CRS grade, outcomes (``<out>_subjects.csv``).
    subjects: Any


def simulate(
    *,
    n_subjects: int = 48,
    seed: int = 1,
    sigma: float = 0.56,
    variability: float = 1.0,
    lloq: float = 50.0,
    matrices: str = "blood,flow,marrow,csf",
    dose: float = 5e7,
    prefix: str = "SIM",
    full_schedule: bool = False,
    output: str = "pandas",
) -> SimulatedCohort:
    """Simulates a virtual CAR-T cohort from the Stein 2019 model, as ``cartpk simulate``
    (same options, same seed, same cohort).

    Args:
        n_subjects: number of subjects.
        seed: seed of the random stream.
        sigma: residual SD of ln C (Stein 2019: 0.56).
        variability: factor on every between-subject variance (0: typical values).
        lloq: qPCR LLOQ, copies/ug.
        matrices: what to sample, comma-separated: blood, flow, marrow, csf.
        dose: flat dose, CAR+ cells (subjects table).
        prefix: subject identifier prefix.
        full_schedule: keep every scheduled sample, also after a subject's simulated death
            or last contact (for studies of an estimator). By default, as in a trial, a
            subject's samples end with its follow-up (``os_time`` of the subjects table).
        output: ``"pandas"`` or ``"polars"``.
    """
    data, params, subjects = _cartpk.simulate_(
        n_subjects, seed, float(sigma), float(variability), float(lloq), matrices,
        float(dose), prefix, bool(full_schedule))
    return SimulatedCohort(*(_frame_out(t, output, None) for t in (data, params, subjects)))


@dataclass
class RunResult:
    """What :func:`run` wrote and its tables."""

    #: the output directory.
    out: str
    #: the files written, relative to ``out``.
    files: Any
    #: the report's CSV tables by file name (``"summary.csv"``, ``"estimates.csv"``,
    #: ``"warnings.csv"``...), as DataFrames read from the bytes written.
    tables: Dict[str, Any]

    @property
    def report_html(self) -> str:
        return os.path.join(self.out, "report.html")


def _subjects_bytes(subjects) -> Optional[Tuple[str, bytes]]:
    if subjects is None:
        return None
    if is_pandas(subjects) or is_polars(subjects):
        if is_polars(subjects):
            subjects = subjects.to_pandas()
        return ("<subjects DataFrame>", subjects.to_csv(index=False).encode())
    path = os.fspath(subjects)
    with open(path, "rb") as f:
        return (path, f.read())


def run(
    data,
    *,
    subjects=None,
    out,
    auc_method: str = "lin-up-log-down",
    auc_start: str = "start_conc0",
    intervals: Sequence[Tuple[float, float]] = ((0, 28), (0, 84)),
    blq_before_first: Union[str, float] = "zero",
    blq_between: Union[str, float] = "drop",
    blq_after_last: Union[str, float] = "zero",
    lambda_z_min_points: int = 3,
    lambda_z_adj_r2_factor: float = 1e-4,
    dose: Optional[float] = None,
    dose_unit: str = "cells",
    model: str = "stein2019",
    fit_blq: str = "m3",
    sigma_min: float = 0.05,
    fit_baseline: bool = False,
    ridge_tol: float = 0.005,
    min_adj_r_squared: float = 0.8,
    min_span_half_lives: float = 2.0,
    max_aucpext_pct: float = 20.0,
    rich_min_samples: int = 5,
    rich_min_expansion_samples: int = 3,
    response_column: Optional[str] = None,
    responders: Optional[str] = None,
    response_ci: Optional[str] = None,
    group_by: Optional[str] = None,
    inline_patients: int = 60,
    threads: Optional[int] = None,
    **read_options,
) -> RunResult:
    """The whole analysis of ``cartpk run`` (``cartpk_report::analyse``): NCA, model fits,
    figures, cohort tables, triaged warnings and ``report.html``, written under ``out``.

    Args:
        data: a path, a pandas/polars DataFrame or a :class:`Dataset`.
        subjects: the subjects file (path) or a DataFrame with a ``subject`` column and
            covariates (dose, weight, response...).
        out: output directory (created if needed; each file written atomically).
        Every other option is the CLI's flag of the same name (``--fit-blq``,
        ``--min-adj-r-squared``, ``--responders``...), with the same default; ``None``
        means the library's default.

    Returns:
        :class:`RunResult` with the files written and the report's CSV tables.
    """
    import io

    import pandas as pd

    ds = _dataset(data, read_options, threads)
    opts = dict(auc_method=auc_method, auc_start=auc_start,
                intervals=[tuple(i) for i in intervals], blq_before_first=blq_before_first,
                blq_between=blq_between, blq_after_last=blq_after_last,
                lambda_z_min_points=lambda_z_min_points,
                lambda_z_adj_r2_factor=lambda_z_adj_r2_factor, dose=dose,
                dose_unit=dose_unit, model=model, fit_blq=fit_blq, sigma_min=sigma_min,
                fit_baseline=fit_baseline, ridge_tol=ridge_tol,
                min_adj_r_squared=min_adj_r_squared,
                min_span_half_lives=min_span_half_lives, max_aucpext_pct=max_aucpext_pct,
                rich_min_samples=rich_min_samples,
                rich_min_expansion_samples=rich_min_expansion_samples,
                response_column=response_column, responders=responders,
                response_ci=response_ci, group_by=group_by, inline_patients=inline_patients,
                threads=threads, columns=read_options.get("columns"))
    input_bytes = None
    if isinstance(data, (str, os.PathLike)):
        with open(os.fspath(data), "rb") as f:
            input_bytes = f.read()
    command = "cartpk.run(" + (repr(os.fspath(data)) if input_bytes is not None else
                               type(data).__name__) + f", out={os.fspath(out)!r})"
    files, tables = _cartpk.run_(ds, _subjects_bytes(subjects), input_bytes, os.fspath(out),
                                 command, opts)
    frames = {name: pd.read_csv(io.BytesIO(b), keep_default_na=False, na_values=["NA"])
              for name, b in tables.items()}
    return RunResult(os.fspath(out), files, frames)
