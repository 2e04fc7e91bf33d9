//! `cartpk nca`: read, analyse, write. Large inputs are streamed (`nca_stream`): read,
//! analysed and written in chunks of whole subjects, in bounded memory.

use super::nca_stream;
use super::Outcome;
use crate::flags::hiargs::NcaConfig;
use crate::output::publish::{self, Publisher};
use crate::output::tables;
use crate::overrides::read_overrides;
use anyhow::{Context, Result};
use cartpk_core::ingest::{read_path, IngestNotes};
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

/// What a run of NCA did, for stderr and the exit code.
#[derive(Debug, Default)]
pub struct Summary {
    /// The input's name in messages.
    pub source: String,
    /// What ingestion assumed.
    pub assumptions: IngestNotes,
    /// Subject ids that look like spreadsheet formulas.
    pub formula_warnings: Vec<String>,
    /// The first notes of ingestion (repeated rows...).
    pub notes: Vec<String>,
    /// Data rows read.
    pub n_rows: u64,
    /// Profiles analysed.
    pub n_analysed: usize,
    /// Profiles analysed with warnings.
    pub n_warned: usize,
    /// Profiles not analysed (bad rows or no result).
    pub n_skipped: usize,
    /// Bad rows outside any profile.
    pub n_row_errors: usize,
    /// Everything not analysed, as in the errors file.
    pub failures: Vec<Failure>,
    /// The files written.
    pub written: Vec<&'static str>,
    /// Name, size and SHA-256 of the files hashed as they were written.
    pub hashes: Vec<(&'static str, u64, String)>,
    /// Size and SHA-256 of the input, when it was hashed as it was read.
    pub input_hash: Option<(u64, String)>,
}

/// Runs NCA as configured.
pub fn run(config: &NcaConfig) -> Result<Outcome> {
    // Begun first, so that hashing the inputs for the manifest overlaps the analysis.
    let mut inputs: Vec<&Path> = vec![&config.input];
    inputs.extend(config.overrides.as_deref());
    let mut context = publish::context(&inputs);
    if nca_stream::chunk_bytes() > 0 {
        // The streamed read hashes the input as it reads it, instead of a second read.
        context.hashed_by_command.push(config.input.clone());
    }
    let mut publisher = Publisher::begin(&config.out_dir, "nca", context)?;
    let overrides = match &config.overrides {
        Some(path) => read_overrides(path)
            .with_context(|| format!("--lambda-z-overrides {}", path.display()))?,
        None => LambdaZOverrides::new(),
    };
    let summary = match nca_stream::run(config, &overrides, publisher.staging_dir())? {
        Some(summary) => summary,
        // Rows not grouped by subject in cartpk's order: read whole.
        None => in_memory(config, &overrides, publisher.staging_dir())?,
    };

    for (name, size, sha256) in &summary.hashes {
        publisher.hashed_while_written(name, *size, sha256.clone());
    }
    if let Some((size, sha256)) = &summary.input_hash {
        publisher.input_hashed(&config.input, *size, sha256.clone());
    }
    let published = publisher.commit()?;
    if !config.quiet {
        crate::ingest_notes::print_parts(
            &summary.source,
            &summary.assumptions,
            &summary.formula_warnings,
        );
    }
    print_failures(&summary.failures, "nca_errors.csv");
    if !config.quiet {
        for w in published.warnings() {
            eprintln!("warning: {w}");
        }
    }
    if !config.quiet {
        let mut err = std::io::stderr().lock();
        for note in summary.notes.iter().take(MAX_PRINTED) {
            let _ = writeln!(err, "note: {note}");
        }
        let _ = writeln!(
            err,
            "cartpk nca: {} rows, {} profiles analysed ({} with warnings), {} skipped, {} bad rows outside any profile; wrote {} to {}",
            summary.n_rows,
            summary.n_analysed,
            summary.n_warned,
            summary.n_skipped,
            summary.n_row_errors,
            summary.written.join(", "),
            config.out_dir.display()
        );
    }
    Ok(if summary.failures.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Partial
    })
}

/// The dose of `--dose` for every profile that has none.
pub fn apply_default_dose(config: &NcaConfig, profiles: &mut [cartpk_core::Profile]) {
    if let Some(d) = &config.dose {
        for p in profiles.iter_mut().filter(|p| p.dose.is_none()) {
            p.dose = Some(Dose {
                amount: d.amount,
                unit: d.unit.clone(),
            });
        }
    }
}

/// The failure of an override that matches no profile: reported with the failures, so
/// that the exit code and nca_errors.csv tell the same story.
pub fn unused_override_failure(
    config: &NcaConfig,
    source: &str,
    key: &cartpk_core::ProfileKey,
) -> Failure {
    let overrides_file = config
        .overrides
        .as_ref()
        .map_or(String::new(), |p| p.display().to_string());
    let message = format!("lambda_z override for {key} matches no profile in {source}");
    Failure::of_profile(&overrides_file, key, message)
}

/// The whole input read at once, analysed and written.
fn in_memory(config: &NcaConfig, overrides: &LambdaZOverrides, dir: &Path) -> Result<Summary> {
    let mut data = read_path(&config.input, &config.ingest)?;
    apply_default_dose(config, &mut data.profiles);
    let results = nca_batch(&data.profiles, &config.nca, overrides);

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
    for key in unused_overrides(&data.profiles, overrides) {
        failures.push(unused_override_failure(config, &data.source, key));
    }

    let written = tables::write_nca(
        dir,
        &rows,
        &config.nca,
        &data.source,
        &failures,
        config.outputs,
    )?;
    let ids = data.profiles.iter().map(|p| p.key.subject.as_str());
    Ok(Summary {
        formula_warnings: crate::ingest_notes::formula_warnings(
            &data.source,
            ids,
            &mut Default::default(),
        ),
        n_rows: data.n_rows,
        n_analysed: rows.len(),
        n_warned: rows
            .iter()
            .filter(|r| !r.result.warnings.is_empty())
            .count(),
        n_skipped: data.rejected.len() + (results.len() - rows.len()),
        n_row_errors: data.row_errors.len(),
        written,
        hashes: Vec::new(),
        // Hashed by the publisher.
        input_hash: None,
        failures,
        notes: data.notes.iter().take(MAX_PRINTED).cloned().collect(),
        assumptions: data.assumptions.clone(),
        source: data.source.clone(),
    })
}
