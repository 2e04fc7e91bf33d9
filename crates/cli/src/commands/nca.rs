//! `cartpk nca`: read, analyse, write.

use super::Outcome;
use crate::flags::hiargs::NcaConfig;
use crate::output::publish::{self, Publisher};
use crate::output::tables;
use crate::overrides::read_overrides;
use anyhow::{Context, Result};
use cartpk_core::ingest::read_path;
use cartpk_core::Dose;
use cartpk_nca::{nca_batch, unused_overrides, LambdaZOverrides};
use cartpk_printer::nca::Row;
use cartpk_printer::Failure;
use std::io::Write;
use std::path::Path;

/// Most errors printed on stderr; the rest are in the errors file.
pub const MAX_PRINTED: usize = 20;

/// Prints the first failures on stderr.
pub fn print_failures(failures: &[Failure], errors_file: &str) {
    let mut err = std::io::stderr().lock();
    for f in failures.iter().take(MAX_PRINTED) {
        let _ = writeln!(err, "error: {}", f.message);
    }
    if failures.len() > MAX_PRINTED {
        let _ = writeln!(
            err,
            "error: ... and {} more, see {errors_file}",
            failures.len() - MAX_PRINTED
        );
    }
}

/// Runs NCA as configured.
pub fn run(config: &NcaConfig) -> Result<Outcome> {
    // Begun first, so that hashing the inputs for the manifest overlaps the analysis.
    let mut inputs: Vec<&Path> = vec![&config.input];
    inputs.extend(config.overrides.as_deref());
    let publisher = Publisher::begin(&config.out_dir, "nca", publish::context(&inputs))?;
    let mut data = read_path(&config.input, &config.ingest)?;
    crate::ingest_notes::print(&data, config.quiet);
    if let Some(d) = &config.dose {
        for p in data.profiles.iter_mut().filter(|p| p.dose.is_none()) {
            p.dose = Some(Dose {
                amount: d.amount,
                unit: d.unit.clone(),
            });
        }
    }
    let overrides = match &config.overrides {
        Some(path) => read_overrides(path)
            .with_context(|| format!("--lambda-z-overrides {}", path.display()))?,
        None => LambdaZOverrides::new(),
    };
    let results = nca_batch(&data.profiles, &config.nca, &overrides);

    let mut failures = Failure::from_dataset(&data);
    let mut rows = Vec::with_capacity(results.len());
    for (profile, result) in data.profiles.iter().zip(&results) {
        match result {
            Ok(r) => rows.push(Row { profile, result: r }),
            Err(e) => failures.push(Failure::of_profile(
                &data.source,
                &profile.key,
                format!("{}: {e}", profile.key),
            )),
        }
    }
    // An override that matches nothing is reported with the failures, so that the exit
    // code and nca_errors.csv tell the same story.
    let overrides_file = config
        .overrides
        .as_ref()
        .map_or(String::new(), |p| p.display().to_string());
    for key in unused_overrides(&data.profiles, &overrides) {
        let message = format!(
            "lambda_z override for {key} matches no profile in {}",
            data.source
        );
        failures.push(Failure::of_profile(&overrides_file, key, message));
    }

    let written = tables::write_nca(
        publisher.staging_dir(),
        &rows,
        &config.nca,
        &data.source,
        &failures,
        config.outputs,
    )?;

    let published = publisher.commit()?;
    print_failures(&failures, "nca_errors.csv");
    if !config.quiet {
        for w in published.warnings() {
            eprintln!("warning: {w}");
        }
    }
    if !config.quiet {
        let mut err = std::io::stderr().lock();
        for note in data.notes.iter().take(MAX_PRINTED) {
            let _ = writeln!(err, "note: {note}");
        }
        let n_warned = rows
            .iter()
            .filter(|r| !r.result.warnings.is_empty())
            .count();
        let skipped = data.rejected.len() + (results.len() - rows.len());
        let _ = writeln!(
            err,
            "cartpk nca: {} rows, {} profiles analysed ({} with warnings), {} skipped, {} bad rows outside any profile; wrote {} to {}",
            data.n_rows,
            rows.len(),
            n_warned,
            skipped,
            data.row_errors.len(),
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
