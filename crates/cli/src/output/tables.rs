//! The tables of `cartpk_printer` written atomically into a command's output directory.

use super::atomic::{write_atomic, write_atomic_with};
use crate::flags::hiargs::Outputs;
use anyhow::Result;
use cartpk_ck::population::report::{CohortFitOptions, PopulationTables};
use cartpk_ck::FitOptions;
use cartpk_nca::NcaOptions;
use cartpk_printer::fit::FitRow;
use cartpk_printer::nca::Row;
use cartpk_printer::{failure, fit, nca, population, Failure};
use std::io::Write as _;
use std::path::Path;

/// Writes the NCA tables into `dir` (long and wide CSV, JSON, errors CSV, as `outputs`
/// asks); returns the file names written.
pub fn write_nca(
    dir: &Path,
    rows: &[Row<'_>],
    options: &NcaOptions,
    source: &str,
    failures: &[Failure],
    outputs: Outputs,
) -> Result<Vec<&'static str>> {
    // Tables are formatted and written in batches of profiles, each batch in parallel
    // chunks: memory stays bounded (the long table of 100,000 profiles is 150 MB) and the
    // allocator reuses the same pages instead of faulting in new ones.
    const BATCH: usize = 16 * 1024;
    let stream = |path: std::path::PathBuf,
                  header: String,
                  body: &(dyn Fn(&[Row<'_>]) -> Vec<Vec<u8>> + Sync)| {
        write_atomic_with(&path, |f| {
            f.write_all(header.as_bytes())?;
            for batch in rows.chunks(BATCH) {
                for part in body(batch) {
                    f.write_all(&part)?;
                }
            }
            Ok(())
        })
    };
    let any_dose = nca::any_dose(rows);
    let mut written = Vec::new();
    if outputs.csv {
        let wide = || {
            stream(
                dir.join("nca_wide.csv"),
                nca::wide_header(options, any_dose),
                &|b| nca::wide_body(b, options, any_dose),
            )
        };
        if outputs.long {
            // Each table on its own thread, so that one file's disk flush overlaps the
            // other's formatting.
            let (long, wide) = rayon::join(
                || {
                    stream(
                        dir.join("nca_long.csv"),
                        nca::LONG_HEADER.to_string(),
                        &|b| nca::long_body(b),
                    )
                },
                wide,
            );
            long?;
            wide?;
            written.push("nca_long.csv");
        } else {
            wide()?;
        }
        written.push("nca_wide.csv");
    }
    if outputs.json {
        write_atomic(
            &dir.join("nca.json"),
            &nca::json(rows, options, source, failures),
        )?;
        written.push("nca.json");
    }
    write_atomic(&dir.join("nca_errors.csv"), &failure::errors_csv(failures))?;
    written.push("nca_errors.csv");
    Ok(written)
}

/// Writes the fit tables into `dir` (estimates, summary, predictions CSV, JSON, errors
/// CSV, as `outputs` asks); returns the file names written.
pub fn write_fit(
    dir: &Path,
    rows: &[FitRow<'_>],
    options: &FitOptions,
    source: &str,
    failures: &[Failure],
    outputs: Outputs,
) -> Result<Vec<&'static str>> {
    let mut written = Vec::new();
    if outputs.csv {
        write_atomic(&dir.join("fit_estimates.csv"), &fit::estimates_csv(rows))?;
        write_atomic(&dir.join("fit_summary.csv"), &fit::summary_csv_of(rows)?)?;
        write_atomic(
            &dir.join("fit_predictions.csv"),
            &fit::predictions_csv(rows),
        )?;
        written.extend([
            "fit_estimates.csv",
            "fit_summary.csv",
            "fit_predictions.csv",
        ]);
    }
    if outputs.json {
        write_atomic(
            &dir.join("fit.json"),
            &fit::json(rows, options, source, failures),
        )?;
        written.push("fit.json");
    }
    write_atomic(&dir.join("fit_errors.csv"), &failure::errors_csv(failures))?;
    written.push("fit_errors.csv");
    Ok(written)
}

/// Writes the population tables into `dir` (CSV and/or `population.json`, as `outputs`
/// asks), atomically; returns the file names written.
pub fn write_population(
    dir: &Path,
    fits: &[PopulationTables],
    settings: &CohortFitOptions,
    source: &str,
    warnings: &[String],
    outputs: Outputs,
) -> Result<Vec<&'static str>> {
    let mut written = Vec::new();
    if outputs.csv {
        let tables: [(&'static str, Vec<u8>); 5] = [
            (
                "population_parameters.csv",
                population::parameters_csv(fits),
            ),
            (
                "population_individual.csv",
                population::individual_csv(fits),
            ),
            ("population_shrinkage.csv", population::shrinkage_csv(fits)),
            ("population_vpc.csv", population::vpc_csv(fits)),
            ("population_residuals.csv", population::residuals_csv(fits)),
        ];
        for (name, bytes) in tables {
            write_atomic(&dir.join(name), &bytes)?;
            written.push(name);
        }
    }
    if outputs.json {
        write_atomic(
            &dir.join("population.json"),
            &population::json(fits, settings, source, warnings),
        )?;
        written.push("population.json");
    }
    Ok(written)
}
