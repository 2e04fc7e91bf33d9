//! `cartpk.run`: the analysis of `cartpk run` (`cartpk_report::analyse`) with the same
//! settings, its files written under `out`, each one atomically (a temporary file renamed
//! into place).

use crate::options;
use cartpk_report::Settings;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::Path;

fn bad(arg: &str, msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{arg}: {msg}"))
}

/// The settings of `cartpk run` from its keyword arguments (`crates/cli/src/flags/hiargs.rs`
/// `settings` and `RunConfig::from_args`), on top of `Settings::default()`.
pub fn settings(d: &Bound<'_, PyDict>) -> PyResult<Settings> {
    let mut s = Settings {
        nca: options::nca(d)?,
        ..Settings::default()
    };
    s.default_dose = options::dose(d)?;
    s.model = options::model(d)?;
    s.fit = options::fit(d, "fit_blq")?;
    let c = s.criteria;
    let min_r2 = options::get::<f64>(d, "min_adj_r_squared")?.unwrap_or(c.min_adj_r_squared);
    if min_r2.is_nan() || min_r2 > 1.0 {
        return Err(bad(
            "min_adj_r_squared",
            format!("expected a number <= 1, found {min_r2}"),
        ));
    }
    let span = options::get::<f64>(d, "min_span_half_lives")?.unwrap_or(c.min_span_half_lives);
    if !(span >= 0.0 && span.is_finite()) {
        return Err(bad(
            "min_span_half_lives",
            format!("expected a number >= 0, found {span}"),
        ));
    }
    let pext = options::get::<f64>(d, "max_aucpext_pct")?.unwrap_or(c.max_aucpext_pct);
    if !(0.0..=100.0).contains(&pext) {
        return Err(bad(
            "max_aucpext_pct",
            format!("expected a percentage 0-100, found {pext}"),
        ));
    }
    s.criteria = cartpk_report::AcceptanceCriteria {
        min_adj_r_squared: min_r2,
        min_span_half_lives: span,
        max_aucpext_pct: pext,
    };
    if let Some(n) = options::get::<usize>(d, "rich_min_samples")? {
        s.sampling.min_times = n;
    }
    if let Some(n) = options::get::<usize>(d, "rich_min_expansion_samples")? {
        s.sampling.min_expansion_times = n;
    }
    if let Some(list) = options::get::<String>(d, "responders")? {
        let set = cartpk_report::response::ResponderSet::parse(&list);
        if set.responders.is_empty() {
            return Err(bad(
                "responders",
                "expected at least one value, e.g. CR,CRi",
            ));
        }
        s.responders = set.responders.iter().cloned().collect();
        s.endpoints.responders = set;
    }
    if let Some(col) = options::get::<String>(d, "response_column")? {
        s.endpoints.response_columns = vec![col.clone()];
        s.response_column = col;
    }
    if let Some(m) = options::get::<String>(d, "response_ci")? {
        s.endpoints.ci_method = cartpk_report::response::CiMethod::parse(&m).ok_or_else(|| {
            bad(
                "response_ci",
                format!("expected clopper-pearson, wilson, jeffreys or mid-p, found '{m}'"),
            )
        })?;
    }
    s.group_by = options::get::<String>(d, "group_by")?;
    if let Some(n) = options::get::<usize>(d, "inline_patients")? {
        s.inline_patient_limit = n;
    }
    Ok(s)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed,
/// renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The NCA and fit tables `cartpk run` writes beside the report (`nca_long.csv`,
/// `nca_wide.csv`, `nca.json`, `nca_errors.csv`, `fit_*.csv`, `fit.json`), by the same
/// writers (`cartpk_printer`) and from the same rows as `crates/cli/src/commands/run.rs`.
pub fn nca_and_fit_tables(
    report: &cartpk_report::Report,
    data: &cartpk_core::ingest::Dataset,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    use cartpk_printer::{failure, fit, nca, Failure};
    let settings = &report.settings;
    let mut failures = Failure::from_dataset(data);
    let mut nca_rows = Vec::new();
    for (p, r) in report.profiles.iter().zip(&report.nca) {
        match r {
            Ok(r) => nca_rows.push(nca::Row {
                profile: p,
                result: r,
            }),
            Err(e) => failures.push(Failure::of_profile(
                &data.source,
                &p.key,
                format!("{}: {e}", p.key),
            )),
        }
    }
    let mut fit_failures = Vec::new();
    let mut fit_rows = Vec::new();
    for (p, f) in report.profiles.iter().zip(&report.fits) {
        match f {
            Some(Ok(f)) => fit_rows.push(fit::FitRow {
                profile: p,
                fit: f,
                predictions: f.predictions_for(&*settings.model, p, &settings.fit),
            }),
            Some(Err(e)) => fit_failures.push(Failure::of_profile(
                &data.source,
                &p.key,
                format!("{}: not fitted: {e}", p.key),
            )),
            None => {}
        }
    }
    let any_dose = nca::any_dose(&nca_rows);
    let mut long = nca::LONG_HEADER.as_bytes().to_vec();
    for part in nca::long_body(&nca_rows) {
        long.extend_from_slice(&part);
    }
    let mut wide = nca::wide_header(&settings.nca, any_dose).into_bytes();
    for part in nca::wide_body(&nca_rows, &settings.nca, any_dose) {
        wide.extend_from_slice(&part);
    }
    let summary = fit::summary_csv_of(&fit_rows).map_err(|e| e.to_string())?;
    Ok(vec![
        ("nca_long.csv".into(), long),
        ("nca_wide.csv".into(), wide),
        (
            "nca.json".into(),
            nca::json(&nca_rows, &settings.nca, &data.source, &failures),
        ),
        ("nca_errors.csv".into(), failure::errors_csv(&failures)),
        ("fit_estimates.csv".into(), fit::estimates_csv(&fit_rows)),
        ("fit_summary.csv".into(), summary),
        (
            "fit_predictions.csv".into(),
            fit::predictions_csv(&fit_rows),
        ),
        (
            "fit.json".into(),
            fit::json(&fit_rows, &settings.fit, &data.source, &fit_failures),
        ),
        ("fit_errors.csv".into(), failure::errors_csv(&fit_failures)),
    ])
}
