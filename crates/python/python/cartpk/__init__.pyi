"""Type stubs of cartpk (see the docstrings in __init__.py and docs/python.md)."""

import os
from dataclasses import dataclass
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

import pandas as pd

from ._cartpk import Dataset as Dataset
from .errors import CartpkError as CartpkError
from .errors import DataWarning as DataWarning
from .errors import InputError as InputError

__version__: str
MAX_WARNINGS: int

PathLike = Union[str, os.PathLike]
#: A path to an assay CSV, a pandas or polars DataFrame in the same format, or a Dataset.
Data = Union[PathLike, pd.DataFrame, Any, Dataset]
BlqRule = Union[Literal["zero", "drop", "lloq", "half-lloq"], float]
OnError = Literal["warn", "raise", "ignore"]
Output = Optional[Literal["pandas", "polars"]]

def read_assay(
    source: Union[PathLike, pd.DataFrame, Any, Dataset],
    *,
    columns: Union[Dict[str, str], str, None] = ...,
    time_unit: str = ...,
    unit: Optional[str] = ...,
    delimiter: Optional[str] = ...,
    decimal_comma: bool = ...,
    subject: Optional[str] = ...,
    matrix: Optional[str] = ...,
    assay: Optional[str] = ...,
    lloq: Optional[float] = ...,
    uloq: Optional[float] = ...,
    threads: Optional[int] = ...,
) -> Dataset: ...

def nca(
    data: Data,
    *,
    layout: Literal["wide", "long"] = ...,
    auc_method: Literal["lin-up-log-down", "linear"] = ...,
    auc_start: Literal["start_conc0", "start_predose", "none"] = ...,
    intervals: Sequence[Tuple[float, float]] = ...,
    blq_before_first: BlqRule = ...,
    blq_between: BlqRule = ...,
    blq_after_last: BlqRule = ...,
    lambda_z_min_points: int = ...,
    lambda_z_adj_r2_factor: float = ...,
    dose: Optional[float] = ...,
    dose_unit: str = ...,
    on_error: OnError = ...,
    output: Output = ...,
    threads: Optional[int] = ...,
    **read_options: Any,
) -> Any: ...

@dataclass
class FitTables:
    summary: Any
    estimates: Any
    predictions: Any
    errors: Any
    population: Dict[str, Any] = ...

def fit(
    data: Data,
    *,
    population: bool = ...,
    model: str = ...,
    blq: Literal["m3", "m1"] = ...,
    sigma_min: float = ...,
    fit_baseline: bool = ...,
    ridge_tol: float = ...,
    seed: int = ...,
    k1: int = ...,
    k2: int = ...,
    min_subjects: int = ...,
    on_error: OnError = ...,
    output: Output = ...,
    threads: Optional[int] = ...,
    **read_options: Any,
) -> FitTables: ...

@dataclass
class SimulatedCohort:
    data: Any
    params: Any
    subjects: Any

def simulate(
    *,
    n_subjects: int = ...,
    seed: int = ...,
    sigma: float = ...,
    variability: float = ...,
    lloq: float = ...,
    matrices: str = ...,
    dose: float = ...,
    prefix: str = ...,
    output: Literal["pandas", "polars"] = ...,
) -> SimulatedCohort: ...

@dataclass
class RunResult:
    out: str
    files: List[str]
    tables: Dict[str, pd.DataFrame]
    @property
    def report_html(self) -> str: ...

def run(
    data: Data,
    *,
    subjects: Union[PathLike, pd.DataFrame, Any, None] = ...,
    out: PathLike,
    auc_method: Literal["lin-up-log-down", "linear"] = ...,
    auc_start: Literal["start_conc0", "start_predose", "none"] = ...,
    intervals: Sequence[Tuple[float, float]] = ...,
    blq_before_first: BlqRule = ...,
    blq_between: BlqRule = ...,
    blq_after_last: BlqRule = ...,
    lambda_z_min_points: int = ...,
    lambda_z_adj_r2_factor: float = ...,
    dose: Optional[float] = ...,
    dose_unit: str = ...,
    fit_blq: Literal["m3", "m1"] = ...,
    sigma_min: float = ...,
    fit_baseline: bool = ...,
    ridge_tol: float = ...,
    min_adj_r_squared: float = ...,
    min_span_half_lives: float = ...,
    max_aucpext_pct: float = ...,
    rich_min_samples: int = ...,
    rich_min_expansion_samples: int = ...,
    response_column: Optional[str] = ...,
    responders: Optional[str] = ...,
    response_ci: Optional[Literal["clopper-pearson", "wilson", "jeffreys", "mid-p"]] = ...,
    group_by: Optional[str] = ...,
    inline_patients: int = ...,
    threads: Optional[int] = ...,
    **read_options: Any,
) -> RunResult: ...
