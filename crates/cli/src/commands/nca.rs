//! `cartpk nca`: read, analyse, write.

use super::Outcome;
use crate::flags::hiargs::NcaConfig;
use crate::output::atomic::{write_atomic, write_atomic_parts};
use crate::output::nca_tables::{self, Failure, Row};
use crate::overrides::read_overrides;
use anyhow::{Context, Result};
use cartpk_core::ingest::read_path;
use cartpk_core::Dose;
use cartpk_nca::{nca_batch, unused_overrides, LambdaZOverrides};
use std::io::Write;

/// Most errors printed on stderr; the rest are in `nca_errors.csv`.
const MAX_PRINTED: usize = 20;

/// Runs NCA as configured.
pub fn run(config: &NcaConfig) -> Result<Outcome> {
    let mut data = read_path(&config.input, &config.ingest)?;
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
    let mut rows = Vec::with_capacity(results.len());
    for (profile, result) in data.profiles.iter().zip(&results) {
        match result {
            Ok(r) => rows.push(Row { profile, result: r }),
            Err(e) => failures.push(Failure {
                file: data.source.clone(),
                line: None,
                column: None,
                profile: Some(profile.key.clone()),
                message: format!("{}: {e}", profile.key),
            }),
        }
    }
    let unused = unused_overrides(&data.profiles, &overrides);
    // An override that matches nothing is reported with the failures, so that the exit
    // code and nca_errors.csv tell the same story.
    for key in &unused {
        failures.push(Failure {
            file: config
                .overrides
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string()),
            line: None,
            column: None,
            profile: Some((*key).clone()),
            message: format!(
                "lambda_z override for {key} matches no profile in {}",
                data.source
            ),
        });
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
        // Format and write each table on its own thread, so that one file's disk flush
        // overlaps the other's formatting.
        let (long, wide) = rayon::join(
            || write_atomic_parts(&out("nca_long.csv"), &nca_tables::long_csv(&rows)),
            || {
                write_atomic_parts(
                    &out("nca_wide.csv"),
                    &nca_tables::wide_csv(&rows, &config.nca),
                )
            },
        );
        long?;
        wide?;
        written.extend(["nca_long.csv", "nca_wide.csv"]);
    }
    if config.outputs.json {
        let json = nca_tables::json(&rows, &config.nca, &data.source, &failures);
        write_atomic(&out("nca.json"), &json)?;
        written.push("nca.json");
    }
    write_atomic(&out("nca_errors.csv"), &nca_tables::errors_csv(&failures))?;
    written.push("nca_errors.csv");

    let mut err = std::io::stderr().lock();
    for f in failures.iter().take(MAX_PRINTED) {
        let _ = writeln!(err, "error: {}", f.message);
    }
    if failures.len() > MAX_PRINTED {
        let _ = writeln!(
            err,
            "error: ... and {} more, see nca_errors.csv",
            failures.len() - MAX_PRINTED
        );
    }
    for key in &unused {
        let _ = writeln!(
            err,
            "warning: lambda_z override for {key} matches no profile in {}",
            data.source
        );
    }
    if !config.quiet {
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
    if failures.is_empty() {
        Ok(Outcome::Complete)
    } else {
        Ok(Outcome::Partial)
    }
}
