//! `cartpk fit`: read, fit the CK model to every profile in parallel, write.

use super::nca::print_failures;
use super::Outcome;
use crate::flags::hiargs::{FitConfig, PopulationConfig};
use crate::output::publish::{self, Publisher};
use crate::output::tables;
use anyhow::Result;
use cartpk_ck::{fit_batch, CkModel, FitError, FitOptions, FitResult};
use cartpk_core::ingest::{read_path, Dataset};
use cartpk_printer::fit::FitRow;
use cartpk_printer::Failure;

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
    let model = &config.model.0;
    // Outputs as a set (output/publish.rs), as `cartpk nca` does.
    let publisher = Publisher::begin(
        &config.out_dir,
        "fit",
        publish::context(&[config.input.as_path()]),
    )?;
    let out_dir = publisher.staging_dir().to_path_buf();
    let data = read_path(&config.input, &config.ingest)?;
    crate::ingest_notes::print(&data, config.quiet);
    let fits = fit_batch(model.as_ref(), &data.profiles, &config.fit);
    let mut failures = Failure::from_dataset(&data);
    let rows = fit_rows_with(model.as_ref(), &config.fit, &data, &fits, &mut failures);

    let written = tables::write_fit(
        &out_dir,
        &rows,
        &config.fit,
        &data.source,
        &failures,
        config.outputs,
    )?;

    let mut population_failed = false;
    if let Some(pop) = &config.population {
        let (n_fitted, failed) = run_population(config, pop, &data, &out_dir)?;
        population_failed = failed;
        if !config.quiet {
            eprintln!(
                "cartpk fit --population: {n_fitted} matrix x assay cohort(s) fitted; wrote population_*.{} to {}",
                match (config.outputs.csv, config.outputs.json) {
                    (true, true) => "csv/json",
                    (false, true) => "json",
                    _ => "csv",
                },
                config.out_dir.display()
            );
        }
    }

    let published = publisher.commit()?;
    print_failures(&failures, "fit_errors.csv");
    if !config.quiet {
        for w in published.warnings() {
            eprintln!("warning: {w}");
        }
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
    Ok(if failures.is_empty() && !population_failed {
        Outcome::Complete
    } else {
        Outcome::Partial
    })
}

/// The population fit of every matrix x assay with enough subjects; returns the cohorts
/// fitted and whether one of them failed. A cohort that cannot be fitted is a warning; the
/// others are still fitted and written.
fn run_population(
    config: &FitConfig,
    pop: &PopulationConfig,
    data: &Dataset,
    out_dir: &std::path::Path,
) -> Result<(usize, bool)> {
    use cartpk_ck::population::{report, PopulationModel};
    if config.model.name() != cartpk_ck::Stein2019.name() {
        anyhow::bail!(
            "--population: only the stein2019 model has a population parameterisation, not {}",
            config.model.name()
        );
    }
    let model = PopulationModel::stein2019();
    let table = pop
        .subjects
        .as_deref()
        .map(|p| {
            cartpk_core::SubjectsTable::read_mapped(
                p,
                config.ingest.delimiter,
                &config.ingest.columns,
            )
        })
        .transpose()?;
    let (cohorts, mut warnings) = report::cohorts(&data.profiles, pop.min_subjects);
    let mut fits = Vec::with_capacity(cohorts.len());
    let mut failed = false;
    for c in &cohorts {
        let fitted = report::fit_cohort_with_covariates(
            c,
            &model,
            &pop.covariates,
            table.as_ref(),
            &pop.options,
        );
        // A covariate statement the subjects file cannot support is the user's error: say
        // so and stop, rather than fit without it.
        if let Err(e @ cartpk_ck::population::PopulationError::Statement(_)) = &fitted {
            if !pop.covariates.is_empty() {
                anyhow::bail!("--covariate ({} {}): {e}", c.matrix, c.assay);
            }
        }
        match fitted {
            Ok(t) => {
                warnings.extend(
                    t.warnings
                        .iter()
                        .map(|w| format!("{} {}: {w}", c.matrix, c.assay)),
                );
                fits.push(t);
            }
            Err(e) => {
                failed = true;
                warnings.push(format!(
                    "{} {}: population fit failed: {e}",
                    c.matrix, c.assay
                ));
            }
        }
    }
    if !config.quiet {
        for w in &warnings {
            eprintln!("warning: population: {w}");
        }
    }
    tables::write_population(
        out_dir,
        &fits,
        &pop.options,
        &data.source,
        &warnings,
        config.outputs,
    )?;
    Ok((fits.len(), failed))
}
