//! `cartpk fit`: read, fit the CK model to every profile in parallel, write.

use super::nca::print_failures;
use super::Outcome;
use crate::flags::hiargs::FitConfig;
use crate::output::fit_tables::{self, FitRow};
use crate::output::nca_tables::Failure;
use anyhow::{Context, Result};
use cartpk_ck::{fit_batch, CkModel, FitError, FitOptions, FitResult, Stein2019};
use cartpk_core::ingest::{read_path, Dataset};

/// The fitted profiles (with predictions) and the profiles not fitted, for Stein 2019 with
/// the default options (kept for `cartpk run`; see [`fit_rows_with`]).
pub fn fit_rows<'a>(
    data: &'a Dataset,
    fits: &'a [Result<FitResult, FitError>],
    failures: &mut Vec<Failure>,
) -> Vec<FitRow<'a>> {
    fit_rows_with(&Stein2019, &FitOptions::default(), data, fits, failures)
}

/// The fitted profiles (with predictions at the fitted samples) and the profiles not
/// fitted.
pub fn fit_rows_with<'a>(
    model: &dyn CkModel,
    options: &FitOptions,
    data: &'a Dataset,
    fits: &'a [Result<FitResult, FitError>],
    failures: &mut Vec<Failure>,
) -> Vec<FitRow<'a>> {
    let mut rows = Vec::with_capacity(fits.len());
    for (profile, fit) in data.profiles.iter().zip(fits) {
        match fit {
            Ok(f) => rows.push(FitRow {
                profile,
                fit: f,
                predictions: f.predictions_for(model, profile, options),
            }),
            Err(e) => failures.push(Failure::of_profile(
                &data.source,
                &profile.key,
                format!("{}: not fitted: {e}", profile.key),
            )),
        }
    }
    rows
}

/// Runs the fits as configured.
pub fn run(config: &FitConfig) -> Result<Outcome> {
    let model = cartpk_ck::by_name(&config.model).map_err(|e| anyhow::anyhow!("--model: {e}"))?;
    let data = read_path(&config.input, &config.ingest)?;
    crate::ingest_notes::print(&data, config.quiet);
    let fits = fit_batch(model.as_ref(), &data.profiles, &config.fit);
    let mut failures = Failure::from_dataset(&data);
    let rows = fit_rows_with(model.as_ref(), &config.fit, &data, &fits, &mut failures);

    std::fs::create_dir_all(&config.out_dir).with_context(|| {
        format!(
            "{}: cannot create the output directory",
            config.out_dir.display()
        )
    })?;
    let written = fit_tables::write_tables(
        &config.out_dir,
        &rows,
        &config.fit,
        &data.source,
        &failures,
        config.outputs,
    )?;

    print_failures(&failures, "fit_errors.csv");
    if !config.quiet {
        let n_conv = rows.iter().filter(|r| r.fit.converged).count();
        let n_rep = rows.iter().filter(|r| r.fit.reportable()).count();
        let n_warn = rows.iter().filter(|r| !r.fit.warnings.is_empty()).count();
        eprintln!(
            "cartpk fit: {} profiles fitted ({} converged, {} reportable, {} with warnings), {} not fitted; wrote {} to {}",
            rows.len(),
            n_conv,
            n_rep,
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
