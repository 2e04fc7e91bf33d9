//! `cartpk fit`: read, fit the CK model to every profile in parallel, write.

use super::Outcome;
use crate::flags::hiargs::FitConfig;
use crate::output::atomic::write_atomic;
use crate::output::fit_tables::{self, FitRow};
use crate::output::nca_tables::{self, Failure};
use anyhow::{Context, Result};
use cartpk_ck::fit::observations;
use cartpk_ck::{fit_batch, Stein2019};
use cartpk_core::ingest::read_path;
use std::io::Write;

const MAX_PRINTED: usize = 20;

/// Runs the fits as configured.
pub fn run(config: &FitConfig) -> Result<Outcome> {
    let data = read_path(&config.input, &config.ingest)?;
    let model = Stein2019;
    let fits = fit_batch(&model, &data.profiles, &config.fit);

    let mut failures: Vec<Failure> = Vec::new();
    for rejected in &data.rejected {
        failures.extend(
            rejected
                .errors
                .iter()
                .map(|e| Failure::from_row(e, Some(&rejected.key))),
        );
    }
    failures.extend(data.row_errors.iter().map(|e| Failure::from_row(e, None)));
    let mut rows = Vec::with_capacity(fits.len());
    for (profile, fit) in data.profiles.iter().zip(&fits) {
        match fit {
            Ok(f) => rows.push(FitRow {
                profile,
                fit: f,
                predictions: f.predictions(&model, &observations(profile).0),
            }),
            Err(e) => failures.push(Failure {
                file: data.source.clone(),
                line: None,
                column: None,
                profile: Some(profile.key.clone()),
                message: format!("{}: not fitted: {e}", profile.key),
            }),
        }
    }

    std::fs::create_dir_all(&config.out_dir).with_context(|| {
        format!(
            "{}: cannot create the output directory",
            config.out_dir.display()
        )
    })?;
    let out = |name: &str| config.out_dir.join(name);
    let mut written = Vec::new();
    if config.outputs.csv {
        write_atomic(&out("fit_estimates.csv"), &fit_tables::estimates_csv(&rows))?;
        write_atomic(&out("fit_summary.csv"), &fit_tables::summary_csv(&rows))?;
        write_atomic(
            &out("fit_predictions.csv"),
            &fit_tables::predictions_csv(&rows),
        )?;
        written.extend([
            "fit_estimates.csv",
            "fit_summary.csv",
            "fit_predictions.csv",
        ]);
    }
    if config.outputs.json {
        write_atomic(
            &out("fit.json"),
            &fit_tables::json(&rows, &config.fit, &data.source, &failures),
        )?;
        written.push("fit.json");
    }
    write_atomic(&out("fit_errors.csv"), &nca_tables::errors_csv(&failures))?;
    written.push("fit_errors.csv");

    let mut err = std::io::stderr().lock();
    for f in failures.iter().take(MAX_PRINTED) {
        let _ = writeln!(err, "error: {}", f.message);
    }
    if failures.len() > MAX_PRINTED {
        let _ = writeln!(
            err,
            "error: ... and {} more, see fit_errors.csv",
            failures.len() - MAX_PRINTED
        );
    }
    if !config.quiet {
        let n_conv = rows.iter().filter(|r| r.fit.converged).count();
        let n_warn = rows.iter().filter(|r| !r.fit.warnings.is_empty()).count();
        let _ = writeln!(
            err,
            "cartpk fit: {} profiles fitted ({} converged, {} with warnings), {} not fitted; wrote {} to {}",
            rows.len(),
            n_conv,
            n_warn,
            failures.len(),
            written.join(", "),
            config.out_dir.display()
        );
    }
    Ok(if failures.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Partial
    })
}
