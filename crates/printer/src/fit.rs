//! The model-fit result tables: estimates (long), one row per fit (wide), individual
//! predictions and residuals, and JSON.

use crate::failure::Failure;
use crate::fields::{push_num, push_record, push_text};
use crate::PrintError;
use cartpk_ck::fit::trust::format_rse;
use cartpk_ck::{CkModel, FitOptions, FitResult, Prediction};
use cartpk_core::Profile;
use serde::Serialize;

/// A profile with its fit and predictions.
pub struct FitRow<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// The fit.
    pub fit: &'a FitResult,
    /// Predictions at the observations.
    pub predictions: Vec<Prediction>,
}

/// A model unit with `conc` replaced by the profile's concentration unit.
fn unit_of(unit: &str, conc_unit: &str) -> String {
    match unit {
        "conc" => conc_unit.to_string(),
        "ln(conc)" => format!("ln({conc_unit})"),
        u => u.to_string(),
    }
}

/// An RSE cell: the number, `>1000` above 1000%, `NA` when missing.
fn push_rse(out: &mut Vec<u8>, rse_pct: Option<f64>) {
    match rse_pct {
        Some(r) if r <= 1000.0 => push_num(out, Some(r)),
        r => push_text(out, &format_rse(r)),
    }
}

fn key_fields(p: &Profile) -> [&str; 3] {
    [
        p.key.subject.as_str(),
        p.key.matrix.label(),
        p.key.assay.label(),
    ]
}

fn push_key(out: &mut Vec<u8>, p: &Profile) {
    for f in key_fields(p) {
        push_text(out, f);
        out.push(b',');
    }
}

/// The columns of `fit_estimates.csv`.
pub const ESTIMATES_COLUMNS: [&str; 9] = [
    "subject",
    "matrix",
    "assay",
    "parameter",
    "kind",
    "value",
    "unit",
    "se",
    "rse_pct",
];

/// `subject, matrix, assay, parameter, kind, value, unit, se, rse_pct`: every estimate
/// (kind `estimate`, with SE and RSE%) and derived quantity (kind `derived`).
pub fn estimates_csv(rows: &[FitRow<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    push_record(&mut out, &ESTIMATES_COLUMNS);
    for r in rows {
        let cu = r.profile.unit.label();
        for e in &r.fit.estimates {
            push_key(&mut out, r.profile);
            push_text(&mut out, e.name);
            out.extend_from_slice(b",estimate,");
            push_num(&mut out, Some(e.value));
            out.push(b',');
            push_text(&mut out, &unit_of(e.unit, cu));
            out.push(b',');
            push_num(&mut out, e.se);
            out.push(b',');
            push_rse(&mut out, e.rse_pct);
            out.push(b'\n');
        }
        for d in &r.fit.derived {
            push_key(&mut out, r.profile);
            push_text(&mut out, d.name);
            out.extend_from_slice(b",derived,");
            push_num(&mut out, Some(d.value));
            out.push(b',');
            push_text(&mut out, &unit_of(d.unit, cu));
            out.extend_from_slice(b",NA,NA\n");
        }
    }
    out
}

/// One row per fit: key, fit statistics, whether it is reportable and which trust
/// criteria fail, every estimate and its RSE, derived quantities, warnings. Columns from
/// the model's parameter list; units in the column names, `conc_unit` meaning the row's
/// unit.
pub fn summary_csv(model: &dyn CkModel, rows: &[FitRow<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let header = summary_columns(model);
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    push_record(&mut out, &h);
    for r in rows {
        summary_row(&mut out, r);
    }
    out
}

/// [`summary_csv`] with the model the rows were fitted with (Stein 2019 when there are no
/// rows).
pub fn summary_csv_of(rows: &[FitRow<'_>]) -> Result<Vec<u8>, PrintError> {
    let name = rows.first().map_or("stein2019", |r| r.fit.model);
    let model = cartpk_ck::by_name(name).map_err(|e| PrintError::UnknownModel {
        model: name.to_string(),
        message: e.to_string(),
    })?;
    Ok(summary_csv(model.as_ref(), rows))
}

/// The columns of `fit_summary.csv` for `model`: key, fit statistics, trust, every
/// parameter and its RSE, sigma, derived quantities, warnings.
pub fn summary_columns(model: &dyn CkModel) -> Vec<String> {
    let mut header: Vec<String> = [
        "subject",
        "matrix",
        "assay",
        "conc_unit",
        "model",
        "blq_method",
        "scale",
        "n_obs",
        "n_quantified",
        "n_blq",
        "n_baseline",
        "n_params",
        "neg2ll",
        "aic",
        "bic",
        "converged",
        "termination",
        "iterations",
        "gradient_norm",
        "condition_number",
        "reportable",
        "trust_failures",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let params = model.parameters();
    for p in params {
        let u = unit_of(p.unit, "conc_unit");
        header.push(format!("{} [{u}]", p.name));
        header.push(format!("{}.rse [%]", p.name));
    }
    header.push("sigma [ln(conc_unit)]".to_string());
    header.push("sigma.rse [%]".to_string());
    let k = model.n_theta();
    let derived_names = model.derived(&model.to_natural(&vec![0.0; k]));
    for d in &derived_names {
        header.push(format!("{} [{}]", d.name, unit_of(d.unit, "conc_unit")));
    }
    header.push("warnings".to_string());
    header
}

/// One row of `fit_summary.csv`.
fn summary_row(out: &mut Vec<u8>, r: &FitRow<'_>) {
    let f = r.fit;
    push_key(out, r.profile);
    let blq = match f.blq {
        cartpk_ck::BlqMethod::M3 => "M3",
        cartpk_ck::BlqMethod::M1 => "M1",
    };
    let scale = match f.scale {
        cartpk_ck::fit::ObservationScale::Log => "log",
        cartpk_ck::fit::ObservationScale::Logit { .. } => "logit",
    };
    for t in [r.profile.unit.label(), f.model, blq, scale] {
        push_text(out, t);
        out.push(b',');
    }
    for v in [
        f.n_obs as f64,
        f.n_quantified as f64,
        f.n_blq as f64,
        f.n_baseline as f64,
        f.n_params as f64,
        f.neg2ll,
        f.aic,
        f.bic,
    ] {
        push_num(out, Some(v));
        out.push(b',');
    }
    out.extend_from_slice(if f.converged { b"true," } else { b"false," });
    push_text(out, &f.termination.to_string());
    out.push(b',');
    push_num(out, Some(f.iterations as f64));
    out.push(b',');
    push_num(out, Some(f.gradient_norm));
    out.push(b',');
    push_num(out, Some(f.condition_number));
    out.extend_from_slice(if f.reportable() {
        b",true,"
    } else {
        b",false,"
    });
    let failures: Vec<String> = f.trust_failures.iter().map(|t| t.to_string()).collect();
    push_text(out, &failures.join("; "));
    for e in &f.estimates {
        out.push(b',');
        push_num(out, Some(e.value));
        out.push(b',');
        push_rse(out, e.rse_pct);
    }
    for d in &f.derived {
        out.push(b',');
        push_num(out, Some(d.value));
    }
    out.push(b',');
    let warnings: Vec<String> = f.warnings.iter().map(|w| w.to_string()).collect();
    push_text(out, &warnings.join("; "));
    out.push(b'\n');
}

/// The columns of `fit_predictions.csv`.
pub const PREDICTIONS_COLUMNS: [&str; 10] = [
    "subject",
    "matrix",
    "assay",
    "time_day",
    "observed",
    "blq",
    "predicted",
    "residual_log",
    "weighted_residual",
    "conc_unit",
];

/// `subject, matrix, assay, time_day, observed, blq, predicted, residual_log,
/// weighted_residual, conc_unit`: the individual predictions at every observation (for a
/// BLQ observation, `observed` is its LLOQ).
pub fn predictions_csv(rows: &[FitRow<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    push_record(&mut out, &PREDICTIONS_COLUMNS);
    for r in rows {
        for p in &r.predictions {
            push_key(&mut out, r.profile);
            push_num(&mut out, Some(p.time));
            out.push(b',');
            push_num(&mut out, Some(p.observed));
            out.extend_from_slice(if p.blq { b",true," } else { b",false," });
            for v in [p.predicted, p.residual_log, p.weighted_residual] {
                push_num(&mut out, Some(v));
                out.push(b',');
            }
            push_text(&mut out, r.profile.unit.label());
            out.push(b'\n');
        }
    }
    out
}

#[derive(Serialize)]
struct JsonFit<'a> {
    subject: &'a str,
    matrix: &'a str,
    assay: &'a str,
    conc_unit: &'a str,
    fit: &'a FitResult,
    predictions: &'a [Prediction],
}

#[derive(Serialize)]
struct JsonReport<'a> {
    cartpk_version: &'static str,
    input: &'a str,
    settings: &'a FitOptions,
    fits: Vec<JsonFit<'a>>,
    failures: &'a [Failure],
}

/// Everything as JSON.
pub fn json(
    rows: &[FitRow<'_>],
    options: &FitOptions,
    input: &str,
    failures: &[Failure],
) -> Vec<u8> {
    let fits = rows
        .iter()
        .map(|r| JsonFit {
            subject: &r.profile.key.subject,
            matrix: r.profile.key.matrix.label(),
            assay: r.profile.key.assay.label(),
            conc_unit: r.profile.unit.label(),
            fit: r.fit,
            predictions: &r.predictions,
        })
        .collect();
    let report = JsonReport {
        cartpk_version: env!("CARGO_PKG_VERSION"),
        input,
        settings: options,
        fits,
        failures,
    };
    crate::fields::json_bytes(&report)
}
