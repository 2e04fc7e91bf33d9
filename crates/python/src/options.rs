//! Keyword arguments of the Python functions into the library crates' option types, with
//! the same names, defaults and checks as the command line's flags (`crates/cli/src/flags`):
//! `auc_method` is `--auc-method`, and an error names the argument and what it expects.

use cartpk_core::ingest::{ColumnMapping, IngestOptions, VALUE_MAX, VALUE_MIN_POSITIVE};
use cartpk_core::{Assay, ConcUnit, Dose, Matrix, TimeUnit};
use cartpk_nca::{BlqRule, BlqRules, Interval, LambdaZRule, NcaOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn bad(arg: &str, msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{arg}: {msg}"))
}

/// The value of `key`, `None` when absent or `None`.
pub fn get<'py, T>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<T>>
where
    T: for<'a> FromPyObject<'a, 'py>,
    for<'a> PyErr: From<<T as FromPyObject<'a, 'py>>::Error>,
{
    match d.get_item(key)? {
        Some(v) if !v.is_none() => v
            .extract::<T>()
            .map(Some)
            .map_err(|e| bad(key, format!("{}", PyErr::from(e)))),
        _ => Ok(None),
    }
}

/// `read_assay`'s keywords: `columns` (a mapping role -> column name, or the CLI's
/// `ROLE=COLUMN,...` text), `time_unit`, `unit`, `delimiter`, `decimal_comma`, `subject`,
/// `matrix`, `assay`, `lloq`, `uloq`.
pub fn ingest(d: &Bound<'_, PyDict>) -> PyResult<IngestOptions> {
    let mut columns = ColumnMapping::default();
    if let Some(c) = d.get_item("columns")? {
        if let Ok(map) = c.cast::<PyDict>() {
            for (k, v) in map.iter() {
                let spec = format!("{}={}", k.extract::<String>()?, v.extract::<String>()?);
                columns.extend_from(&spec).map_err(|e| bad("columns", e))?;
            }
        } else if !c.is_none() {
            let spec: String = c.extract().map_err(|_| {
                bad(
                    "columns",
                    "expected a dict {role: column} or 'ROLE=COLUMN,...'",
                )
            })?;
            columns.extend_from(&spec).map_err(|e| bad("columns", e))?;
        }
    }
    let time_unit: TimeUnit = get::<String>(d, "time_unit")?
        .unwrap_or_else(|| "days".into())
        .parse()
        .map_err(|e| bad("time_unit", e))?;
    let unit = match get::<String>(d, "unit")? {
        Some(u) => {
            Some(ConcUnit::parse(&u).ok_or_else(|| bad("unit", "expected a unit, found ''"))?)
        }
        None => None,
    };
    let (delimiter, detect_delimiter) = match get::<String>(d, "delimiter")?.as_deref() {
        None => (b',', true),
        Some("\\t" | "tab" | "\t") => (b'\t', false),
        Some(x) if x.len() == 1 => (x.as_bytes()[0], false),
        Some(x) => {
            return Err(bad(
                "delimiter",
                format!("expected a single character (or \\t), found '{x}'"),
            ))
        }
    };
    let label = |arg: &str| -> PyResult<Option<String>> {
        match get::<String>(d, arg)?.as_deref().map(str::trim) {
            Some("") => Err(bad(arg, "expected a non-empty value")),
            other => Ok(other.map(str::to_string)),
        }
    };
    let matrix = match label("matrix")? {
        Some(m) => Some(Matrix::parse(&m).ok_or_else(|| {
            bad(
                "matrix",
                format!("expected a matrix with letters or digits, found '{m}'"),
            )
        })?),
        None => None,
    };
    let assay = match label("assay")? {
        Some(a) => Some(Assay::parse(&a).ok_or_else(|| {
            bad(
                "assay",
                format!("expected an assay with letters or digits, found '{a}'"),
            )
        })?),
        None => None,
    };
    let limit = |arg: &str| -> PyResult<Option<f64>> {
        match get::<f64>(d, arg)? {
            Some(x) if (VALUE_MIN_POSITIVE..=VALUE_MAX).contains(&x) => Ok(Some(x)),
            Some(x) => Err(bad(
                arg,
                format!(
                    "expected a value between {VALUE_MIN_POSITIVE:e} and {VALUE_MAX:e}, found {x}"
                ),
            )),
            None => Ok(None),
        }
    };
    Ok(IngestOptions {
        columns,
        time_unit: Some(time_unit),
        unit,
        delimiter,
        detect_delimiter,
        decimal_comma: get::<bool>(d, "decimal_comma")?.unwrap_or(false),
        subject: label("subject")?,
        matrix,
        assay,
        lloq: limit("lloq")?,
        uloq: limit("uloq")?,
    })
}

/// A BLQ rule: `zero`, `drop`, `lloq`, `half-lloq` (or `half_lloq`) or a number.
fn blq_rule(d: &Bound<'_, PyDict>, arg: &str, default: BlqRule) -> PyResult<BlqRule> {
    let Some(v) = d.get_item(arg)?.filter(|v| !v.is_none()) else {
        return Ok(default);
    };
    let text = match v.extract::<f64>() {
        Ok(x) if !v.is_instance_of::<pyo3::types::PyString>() => x.to_string(),
        _ => v
            .extract::<String>()
            .map_err(|_| bad(arg, "expected zero, drop, lloq, half-lloq or a number"))?
            .replace('_', "-"),
    };
    text.parse().map_err(|e| bad(arg, e))
}

/// The NCA rules: `auc_method`, `auc_start`, `intervals` (pairs of days), `blq_before_first`,
/// `blq_between`, `blq_after_last`, `lambda_z_min_points`, `lambda_z_adj_r2_factor`.
pub fn nca(d: &Bound<'_, PyDict>) -> PyResult<NcaOptions> {
    let defaults = NcaOptions::default();
    let auc_method = match get::<String>(d, "auc_method")? {
        Some(m) => m
            .replace('_', "-")
            .parse()
            .map_err(|e| bad("auc_method", e))?,
        None => defaults.auc_method,
    };
    let start = match get::<String>(d, "auc_start")? {
        Some(s) => s.parse().map_err(|e| bad("auc_start", e))?,
        None => defaults.start,
    };
    let mut intervals = match d.get_item("intervals")?.filter(|v| !v.is_none()) {
        None => defaults.intervals.clone(),
        Some(v) => {
            let pairs: Vec<(f64, f64)> = v.extract().map_err(|_| {
                bad(
                    "intervals",
                    "expected a list of (start, end) pairs in days, e.g. [(0, 28)]",
                )
            })?;
            pairs
                .into_iter()
                .map(|(a, b)| {
                    Interval::new(a, b).ok_or_else(|| {
                        bad(
                            "intervals",
                            format!("expected 0 <= start < end (days), found ({a}, {b})"),
                        )
                    })
                })
                .collect::<PyResult<Vec<_>>>()?
        }
    };
    // A repeated interval would give repeated columns (as the CLI).
    let mut seen = Vec::new();
    intervals.retain(|i| {
        let new = !seen.contains(i);
        seen.push(*i);
        new
    });
    let blq = BlqRules {
        before_first: blq_rule(d, "blq_before_first", defaults.blq.before_first)?,
        between: blq_rule(d, "blq_between", defaults.blq.between)?,
        after_last: blq_rule(d, "blq_after_last", defaults.blq.after_last)?,
    };
    let lz = LambdaZRule::default();
    let min_points = get::<usize>(d, "lambda_z_min_points")?.unwrap_or(lz.min_points);
    if min_points < 3 {
        return Err(bad(
            "lambda_z_min_points",
            format!("expected at least 3 (adjusted R2 needs n > 2), found {min_points}"),
        ));
    }
    let factor = get::<f64>(d, "lambda_z_adj_r2_factor")?.unwrap_or(lz.adj_r2_factor);
    if !(factor >= 0.0 && factor.is_finite()) {
        return Err(bad(
            "lambda_z_adj_r2_factor",
            format!("expected a number >= 0, found {factor}"),
        ));
    }
    Ok(NcaOptions {
        auc_method,
        blq,
        lambda_z: LambdaZRule {
            min_points,
            adj_r2_factor: factor,
            ..lz
        },
        intervals,
        start,
        ..defaults
    })
}

/// `dose` and `dose_unit`: the dose of every profile whose data give none.
pub fn dose(d: &Bound<'_, PyDict>) -> PyResult<Option<Dose>> {
    match get::<f64>(d, "dose")? {
        Some(x) if x > 0.0 && x.is_finite() => Ok(Some(Dose {
            amount: x,
            unit: get::<String>(d, "dose_unit")?.unwrap_or_else(|| "cells".into()),
        })),
        Some(x) => Err(bad("dose", format!("expected an amount > 0, found {x}"))),
        None => Ok(None),
    }
}

/// The model (`model`, default `stein2019`), resolved by `cartpk_ck::by_name` as the
/// CLI's `--model`.
pub fn model(d: &Bound<'_, PyDict>) -> PyResult<cartpk_ck::SharedModel> {
    match get::<String>(d, "model")? {
        Some(name) => cartpk_ck::by_name(&name)
            .map(cartpk_ck::SharedModel)
            .map_err(|e| bad("model", e)),
        None => Ok(cartpk_ck::SharedModel::default()),
    }
}

/// The model fit: `blq` (`m3`/`m1`), `sigma_min`, `fit_baseline`, `ridge_tol`.
pub fn fit(d: &Bound<'_, PyDict>, blq_arg: &str) -> PyResult<cartpk_ck::FitOptions> {
    let defaults = cartpk_ck::FitOptions::default();
    let blq = match get::<String>(d, blq_arg)? {
        Some(b) => b.parse().map_err(|e| bad(blq_arg, e))?,
        None => defaults.blq,
    };
    let sigma_min = get::<f64>(d, "sigma_min")?.unwrap_or(defaults.sigma_min);
    if !(sigma_min > 0.0 && sigma_min.is_finite()) {
        return Err(bad(
            "sigma_min",
            format!("expected a number > 0, found {sigma_min}"),
        ));
    }
    let ridge_tol = get::<f64>(d, "ridge_tol")?.unwrap_or(defaults.ridge_tol);
    cartpk_ck::fit::ridge::check_tol(ridge_tol).map_err(|e| bad("ridge_tol", e))?;
    Ok(cartpk_ck::FitOptions {
        blq,
        sigma_min,
        include_baseline: get::<bool>(d, "fit_baseline")?.unwrap_or(defaults.include_baseline),
        ridge_tol,
        ..defaults
    })
}

/// `threads`: `None` for every core.
pub fn threads(d: &Bound<'_, PyDict>) -> PyResult<Option<usize>> {
    match get::<usize>(d, "threads")? {
        Some(0) => Err(bad("threads", "expected at least 1")),
        t => Ok(t),
    }
}
