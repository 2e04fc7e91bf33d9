//! `cartpk run`: assay CSV (and subjects file) to the tables and figures of a clinical
//! pharmacology report, in one output directory published as a set (with a manifest). Orchestration only:
//! the analysis, tables, figures and page come from `cartpk_report::analyse`.

use super::nca::print_failures;
use super::Outcome;
use crate::flags::hiargs::{Outputs, RunConfig};
use crate::output::publish::{self, Publisher};
use crate::output::tables;
use crate::overrides::read_overrides;
use anyhow::{Context, Result};
use cartpk_core::ingest::read_path;
use cartpk_core::SubjectsTable;
use cartpk_printer::fit::FitRow;
use cartpk_printer::nca::Row;
use cartpk_printer::Failure;
use cartpk_report::warnings::counts;
use cartpk_report::{analyse, Provenance, Severity, Warning};
use rayon::prelude::*;
use std::path::Path;

/// Runs the whole analysis.
pub fn run(config: &RunConfig) -> Result<Outcome> {
    let started = std::time::Instant::now();
    // Outputs as a set (output/publish.rs): built beside --out, published with a manifest;
    // files cartpk did not write are kept and named, never deleted.
    let mut inputs: Vec<&Path> = vec![&config.input];
    inputs.extend(config.subjects.as_deref());
    inputs.extend(config.overrides.as_deref());
    let publisher = Publisher::begin(&config.out_dir, "run", publish::context(&inputs))?;
    let data = read_path(&config.input, &config.ingest)?;
    crate::ingest_notes::print(&data, config.quiet);
    let subjects = config
        .subjects
        .as_deref()
        .map(|p| SubjectsTable::read_mapped(p, config.ingest.delimiter, &config.ingest.columns))
        .transpose()?;
    let mut settings = config.settings.clone();
    if let Some(t) = &subjects {
        // The endpoint analyses read the time-to-event and grade columns: not listed.
        let unrecognised = cartpk_report::unrecognised_subject_columns(t, &settings);
        crate::ingest_notes::print_subjects(t, &unrecognised, config.quiet);
    }
    if let Some(path) = &config.overrides {
        settings.lambda_z_overrides = read_overrides(path)
            .with_context(|| format!("--lambda-z-overrides {}", path.display()))?;
    }

    let mut report = analyse(&data, subjects.as_ref(), &settings);
    let mut provenance = Provenance::now(&config.command_line).with_input(
        &data.source,
        &std::fs::read(&config.input)
            .with_context(|| format!("{}: cannot read", config.input.display()))?,
    );
    if let Some(p) = &config.subjects {
        let bytes = std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
        provenance = provenance.with_input(&p.display().to_string(), &bytes);
    }
    report.provenance = provenance;

    let dir = publisher.staging_dir();

    // The NCA and fit tables, by the writers of `cartpk nca` and `cartpk fit`.
    let mut failures = Failure::from_dataset(&data);
    let mut nca_rows = Vec::new();
    for (p, r) in report.profiles.iter().zip(&report.nca) {
        match r {
            Ok(r) => nca_rows.push(Row {
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
            Some(Ok(f)) => fit_rows.push(FitRow {
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
    let all = Outputs {
        csv: true,
        long: true,
        json: true,
    };
    // Side by side: one set's formatting overlaps the other's writes.
    let (nca_written, fit_written) = rayon::join(
        || tables::write_nca(dir, &nca_rows, &settings.nca, &data.source, &failures, all),
        || {
            tables::write_fit(
                dir,
                &fit_rows,
                &settings.fit,
                &data.source,
                &fit_failures,
                all,
            )
        },
    );
    nca_written?;
    fit_written?;

    // Figures first: one that cannot be written becomes a warning of its patient, in the
    // tables and the page written next.
    std::fs::create_dir_all(dir.join("plots").join("patients"))
        .context("cannot create the plots directory")?;
    // Plain writes, in parallel: the staging directory is private until the publisher
    // flushes, hashes and publishes it as a set (a temporary file and an fsync per figure
    // here made 2,000 figures a serial second of waiting on the disk).
    let not_written: Vec<Warning> = report
        .figures
        .par_iter()
        .filter_map(|f| {
            let path = dir.join(&f.path);
            let made = match path.parent() {
                Some(parent) => std::fs::create_dir_all(parent),
                None => Ok(()),
            };
            made.and_then(|()| std::fs::write(&path, &f.bytes))
                .err()
                .map(|e| Warning {
                    file: data.source.clone(),
                    line: None,
                    subject: Some(f.caption.clone()),
                    matrix: None,
                    assay: None,
                    kind: "figure_not_written".into(),
                    severity: Severity::Skipped,
                    message: format!("{}: {e}", f.path),
                })
        })
        .collect();
    let figures_missing = !not_written.is_empty();
    if figures_missing {
        let failed: Vec<String> = not_written
            .iter()
            .filter_map(|w| w.message.split(':').next().map(str::to_string))
            .collect();
        report.figures.retain(|f| !failed.contains(&f.path));
        report.warnings.extend(not_written);
        report.warnings.sort_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then_with(|| a.kind.cmp(&b.kind))
        });
    }
    for (path, bytes) in report.document_files()? {
        let path = dir.join(&path);
        std::fs::write(&path, &bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let published = publisher.commit()?;

    print_failures(&failures, "nca_errors.csv");
    if !config.quiet {
        for w in published.warnings() {
            eprintln!("warning: {w}");
        }
        for (severity, kind, n) in counts(&report.warnings) {
            eprintln!("warning: {n:>5} {kind} ({})", severity.label());
        }
        let n_fitted = report
            .fits
            .iter()
            .filter(|f| matches!(f, Some(Ok(_))))
            .count();
        eprintln!(
            "cartpk run: {} subjects, {} profiles ({} NCA, {} fitted), {} warnings (warnings.csv); report {} ({:.1} s)",
            report.n_subjects,
            report.profiles.len(),
            nca_rows.len(),
            n_fitted,
            report.warnings.len(),
            config.out_dir.join("report.html").display(),
            started.elapsed().as_secs_f64()
        );
    }
    // As `cartpk nca`: 0 only when everything was analysed and drawn; 3 when a profile or
    // row was skipped or a figure could not be written (all listed in the report).
    Ok(if failures.is_empty() && !figures_missing {
        Outcome::Complete
    } else {
        Outcome::Partial
    })
}
