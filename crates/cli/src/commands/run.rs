//! `cartpk run`: assay CSV (and subjects file) to the tables and figures of a clinical
//! pharmacology report, in one output directory replaced as a whole. Orchestration only:
//! the analysis, tables, figures and page come from `cartpk_report::analyse`.

use super::nca::print_failures;
use super::Outcome;
use crate::flags::hiargs::{Outputs, RunConfig};
use crate::output::atomic::write_atomic;
use crate::output::fit_tables::{self, FitRow};
use crate::output::nca_tables::{self, Failure, Row};
use crate::overrides::read_overrides;
use anyhow::{Context, Result};
use cartpk_ck::Stein2019;
use cartpk_core::ingest::read_path;
use cartpk_core::SubjectsTable;
use cartpk_report::warnings::counts;
use cartpk_report::{analyse, Provenance, Severity, Warning};
use std::path::{Path, PathBuf};

/// Name of the marker file that says a directory was written by `cartpk run`.
const MARKER: &str = ".cartpk-run";

/// Refuses an output path that is a file, or a non-empty directory that `cartpk run` did
/// not write (no marker file): replacing it would delete the user's files.
fn check_out_dir(out: &Path) -> Result<()> {
    if out.is_file() {
        anyhow::bail!(
            "{}: is a file; expected a directory for the results",
            out.display()
        );
    }
    if out.is_dir() {
        let mut entries =
            std::fs::read_dir(out).with_context(|| format!("{}: cannot read", out.display()))?;
        let empty = entries.next().is_none();
        if !empty && !out.join(MARKER).is_file() {
            anyhow::bail!(
                "{}: not empty and not written by cartpk run; refusing to replace it (choose a new or empty directory)",
                out.display()
            );
        }
    }
    Ok(())
}

/// A sibling of `out` to build the new directory in, on the same file system so that the
/// final rename is atomic.
fn staging_dir(out: &Path) -> Result<tempfile::TempDir> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("{}: cannot create", parent.display()))?;
    tempfile::Builder::new()
        .prefix(".cartpk-run-")
        .tempdir_in(&parent)
        .with_context(|| format!("{}: cannot create a staging directory", parent.display()))
}

/// Moves the finished `staging` directory to `out`, replacing what was there: the old
/// directory is renamed aside first and removed only after the new one is in place.
fn replace_dir(staging: tempfile::TempDir, out: &Path) -> Result<()> {
    let new = staging.keep();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o755));
    }
    let old = if out.exists() {
        let aside = out.with_file_name(format!(
            ".{}.old-{}",
            out.file_name()
                .map_or("out".into(), |n| n.to_string_lossy().into_owned()),
            std::process::id()
        ));
        std::fs::rename(out, &aside).with_context(|| {
            format!("{}: cannot move the previous results aside", out.display())
        })?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&new, out)
        .with_context(|| format!("{}: cannot move the new results in place", out.display()))?;
    if let Some(old) = old {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("{}: cannot remove the previous results", old.display()))?;
    }
    Ok(())
}

/// Runs the whole analysis.
pub fn run(config: &RunConfig) -> Result<Outcome> {
    let started = std::time::Instant::now();
    check_out_dir(&config.out_dir)?;
    let data = read_path(&config.input, &config.ingest)?;
    crate::ingest_notes::print(&data, config.quiet);
    let subjects = config
        .subjects
        .as_deref()
        .map(|p| SubjectsTable::read_mapped(p, config.ingest.delimiter, &config.ingest.columns))
        .transpose()?;
    if let Some(t) = &subjects {
        crate::ingest_notes::print_subjects(t, config.quiet);
    }
    let mut settings = config.settings.clone();
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

    let staging = staging_dir(&config.out_dir)?;
    let dir = staging.path();

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
                predictions: f.predictions_for(&Stein2019, p, &settings.fit),
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
        json: true,
    };
    nca_tables::write_tables(dir, &nca_rows, &settings.nca, &data.source, &failures, all)?;
    fit_tables::write_tables(
        dir,
        &fit_rows,
        &settings.fit,
        &data.source,
        &fit_failures,
        all,
    )?;

    // Figures first: one that cannot be written becomes a warning of its patient, in the
    // tables and the page written next.
    std::fs::create_dir_all(dir.join("plots").join("patients"))
        .context("cannot create the plots directory")?;
    let mut not_written: Vec<Warning> = Vec::new();
    for (f, (path, bytes)) in report.figures.iter().zip(report.figure_files()) {
        if let Err(e) = write_atomic(&dir.join(&path), &bytes) {
            not_written.push(Warning {
                file: data.source.clone(),
                line: None,
                subject: Some(f.caption.clone()),
                matrix: None,
                assay: None,
                kind: "figure_not_written".into(),
                severity: Severity::Skipped,
                message: format!("{path}: {e:#}"),
            });
        }
    }
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
        write_atomic(&dir.join(&path), &bytes)?;
    }
    write_atomic(
        &dir.join(MARKER),
        format!(
            "written by cartpk {} run; this directory is replaced by the next run into it\n",
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes(),
    )?;
    replace_dir(staging, &config.out_dir)?;

    print_failures(&failures, "nca_errors.csv");
    if !config.quiet {
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
