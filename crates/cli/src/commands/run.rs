//! `cartpk run`: assay CSV (and subjects file) to the tables and figures of a clinical
//! pharmacology report, in one output directory replaced as a whole.

use super::fit::fit_rows;
use super::nca::print_failures;
use super::plot::{
    by_kind, cohort_plot, gof_plot, patient_plot, patients, safe_name, write_figure,
};
use super::Outcome;
use crate::flags::hiargs::{Outputs, RunConfig};
use crate::output::atomic::write_atomic;
use crate::output::fields::{push_fields, push_record};
use crate::output::fit_tables;
use crate::output::nca_tables::{self, Failure, Row};
use anyhow::{Context, Result};
use cartpk_ck::{fit_batch, Stein2019};
use cartpk_core::ingest::read_path;
use cartpk_core::SubjectsTable;
use cartpk_core::{Dose, Profile};
use cartpk_nca::{nca_batch, LambdaZOverrides};
use cartpk_plot::{render, series_label, ImageFormat};
use cartpk_report::cohort::{self, ExposureRow};
use cartpk_report::html::{self, Figure, Report, Section, Table};
use cartpk_report::stats::Summary;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Landmark days for the fraction of patients with quantifiable transgene.
const LANDMARK_DAYS: [f64; 4] = [28.0, 84.0, 168.0, 365.0];

fn fmt(v: Option<f64>) -> String {
    match v {
        None => "NA".to_string(),
        Some(0.0) => "0".to_string(),
        Some(x) if x.abs() >= 1e5 || x.abs() < 1e-3 => format!("{x:.3e}"),
        Some(x) if x.abs() >= 100.0 => format!("{x:.0}"),
        Some(x) => {
            let s = format!("{x:.3}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}

fn med_range(s: &Summary) -> String {
    format!("{} ({} - {})", fmt(s.median), fmt(s.min), fmt(s.max))
}

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
    let mut data = read_path(&config.input, &config.ingest)?;
    crate::ingest_notes::print(&data, config.quiet);
    let subjects = config
        .subjects
        .as_deref()
        .map(|p| SubjectsTable::read_mapped(p, config.ingest.delimiter, &config.ingest.columns))
        .transpose()?;
    if let Some(t) = &subjects {
        crate::ingest_notes::print_subjects(t, config.quiet);
    }
    let mut warnings: Vec<String> = Vec::new();

    // Dose from the subjects file, for dose-normalised metrics.
    if let Some(t) = &subjects {
        if let Some(dc) = t.column("dose") {
            let du = t.column("dose_unit");
            for p in data.profiles.iter_mut() {
                if let Some(v) = t.get(&p.key.subject, dc) {
                    match v.parse::<f64>() {
                        Ok(a) if a > 0.0 && a.is_finite() => {
                            let unit = du.and_then(|c| t.get(&p.key.subject, c)).unwrap_or("cells").to_string();
                            p.dose = Some(Dose { amount: a, unit });
                        }
                        _ => warnings.push(format!("{}: subject {}: dose '{v}' is not a number > 0; no dose-normalised values", t.file, p.key.subject)),
                    }
                }
            }
        }
        let missing: Vec<&str> = {
            let mut m: Vec<&str> = data
                .profiles
                .iter()
                .map(|p| p.key.subject.as_str())
                .filter(|s| !t.rows.contains_key(*s))
                .collect();
            m.dedup();
            m
        };
        if !missing.is_empty() {
            warnings.push(format!(
                "{}: no row for subject(s) {}",
                t.file,
                missing.join(", ")
            ));
        }
    }
    let response_col = subjects
        .as_ref()
        .and_then(|t| t.column(&config.response_column));
    if let (Some(t), None) = (&subjects, response_col) {
        warnings.push(format!(
            "{}: no column '{}' (--response-column): no exposure-response analysis, no grouping",
            t.file, config.response_column
        ));
    }
    let group_of = |subject: &str| -> Option<&str> {
        subjects
            .as_ref()
            .zip(response_col)
            .and_then(|(t, c)| t.get(subject, c))
    };
    let is_responder = |g: &str| -> Option<bool> {
        Some(
            config
                .responders
                .iter()
                .any(|r| r.eq_ignore_ascii_case(g.trim())),
        )
    };

    // Analyses.
    let nca = nca_batch(&data.profiles, &config.nca, &LambdaZOverrides::new());
    let fits = fit_batch(&Stein2019, &data.profiles, &config.fit);
    let mut failures = Failure::from_dataset(&data);
    let mut nca_rows = Vec::new();
    for (p, r) in data.profiles.iter().zip(&nca) {
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
    let frows = fit_rows(&data, &fits, &mut fit_failures);

    let staging = staging_dir(&config.out_dir)?;
    let dir = staging.path();
    let all = Outputs {
        csv: true,
        json: true,
    };
    nca_tables::write_tables(dir, &nca_rows, &config.nca, &data.source, &failures, all)?;
    fit_tables::write_tables(dir, &frows, &config.fit, &data.source, &fit_failures, all)?;

    // Cohort statistics.
    let exposure: Vec<ExposureRow<'_>> = nca_rows
        .iter()
        .map(|r| ExposureRow {
            profile: r.profile,
            nca: r.result,
            group: group_of(&r.profile.key.subject),
        })
        .collect();
    let summary = cohort::summary_table(&exposure);
    let quant = cohort::quantifiable_table(&exposure, &LANDMARK_DAYS);
    let er = if response_col.is_some() {
        cohort::exposure_response(&exposure, &is_responder)
    } else {
        Vec::new()
    };
    let profiles: Vec<&Profile> = data.profiles.iter().collect();
    let ratios = cohort::tissue_ratios(&profiles);

    let mut csv = Vec::new();
    push_record(
        &mut csv,
        &[
            "matrix",
            "assay",
            "group",
            "parameter",
            "unit",
            "n",
            "n_missing",
            "n_nonpositive",
            "geo_mean",
            "geo_cv_pct",
            "mean",
            "sd",
            "median",
            "min",
            "max",
        ],
    );
    for r in &summary {
        let s = &r.summary;
        push_fields(
            &mut csv,
            &[&r.matrix, &r.assay, &r.group, r.parameter, &r.unit],
            &[
                Some(s.n as f64),
                Some(s.n_missing as f64),
                Some(s.n_nonpositive as f64),
                s.geo_mean,
                s.geo_cv_pct,
                s.mean,
                s.sd,
                s.median,
                s.min,
                s.max,
            ],
        );
        csv.push(b'\n');
    }
    write_atomic(&dir.join("summary.csv"), &csv)?;
    let mut csv = Vec::new();
    push_record(
        &mut csv,
        &[
            "matrix",
            "assay",
            "group",
            "day",
            "n_quantifiable",
            "n_sampled",
            "fraction",
        ],
    );
    for q in &quant {
        push_fields(
            &mut csv,
            &[&q.matrix, &q.assay, &q.group],
            &[
                Some(q.day),
                Some(q.n_quantifiable as f64),
                Some(q.n_sampled as f64),
                q.fraction,
            ],
        );
        csv.push(b'\n');
    }
    write_atomic(&dir.join("quantifiable.csv"), &csv)?;
    if !er.is_empty() {
        let mut csv = Vec::new();
        push_record(
            &mut csv,
            &[
                "matrix",
                "assay",
                "parameter",
                "unit",
                "n_responders",
                "geo_mean_responders",
                "n_non_responders",
                "geo_mean_non_responders",
                "gm_ratio",
                "gm_ratio_lower_95",
                "gm_ratio_upper_95",
                "wilcoxon_w",
                "wilcoxon_p",
                "wilcoxon_exact",
            ],
        );
        for r in &er {
            push_fields(
                &mut csv,
                &[&r.matrix, &r.assay, r.parameter, &r.unit],
                &[
                    Some(r.responders.n as f64),
                    r.responders.geo_mean,
                    Some(r.non_responders.n as f64),
                    r.non_responders.geo_mean,
                    r.ratio.as_ref().map(|x| x.ratio),
                    r.ratio.as_ref().map(|x| x.lower),
                    r.ratio.as_ref().map(|x| x.upper),
                    r.wilcoxon.as_ref().map(|w| w.w),
                    r.wilcoxon.as_ref().map(|w| w.p_value),
                ],
            );
            csv.extend_from_slice(match &r.wilcoxon {
                Some(w) if w.exact => b",true\n",
                Some(_) => b",false\n",
                None => b",NA\n",
            });
        }
        write_atomic(&dir.join("exposure_response.csv"), &csv)?;
    }
    let mut csv = Vec::new();
    push_record(
        &mut csv,
        &[
            "matrix",
            "day",
            "n",
            "geo_mean_ratio",
            "median_ratio",
            "min_ratio",
            "max_ratio",
        ],
    );
    for r in &ratios {
        push_fields(
            &mut csv,
            &[&r.matrix],
            &[
                Some(r.day),
                Some(r.n as f64),
                r.geo_mean,
                r.median,
                r.min,
                r.max,
            ],
        );
        csv.push(b'\n');
    }
    write_atomic(&dir.join("tissue_to_blood.csv"), &csv)?;

    // Figures: PNG files for people, SVG inline in the report.
    let plots = dir.join("plots");
    std::fs::create_dir_all(plots.join("patients")).context("cannot create the plots directory")?;
    let patients = patients(&data.profiles);
    let fit_of = |i: usize| fits[i].as_ref().ok();
    let patient_svgs: Vec<Result<(String, String)>> = patients
        .par_iter()
        .map(|patient| {
            let plot = patient_plot(patient, &data.profiles, &nca, &fit_of);
            write_figure(
                &plot,
                &plots.join("patients"),
                &patient.file_name,
                &[ImageFormat::Png],
                &config.plot,
            )?;
            let svg = String::from_utf8(render(&plot, ImageFormat::Svg, &config.plot)?)?;
            Ok((patient.subject.to_string(), svg))
        })
        .collect();
    let patient_svgs: Vec<(String, String)> = patient_svgs.into_iter().collect::<Result<_>>()?;

    let mut cohort_figs = Vec::new();
    let mut gof_figs = Vec::new();
    for ((matrix, assay), idx) in by_kind(&data.profiles) {
        let first = &data.profiles[idx[0]];
        let label = series_label(&first.key.matrix, &first.key.assay);
        let stem = format!("{}_{}", safe_name(&matrix), safe_name(&assay));
        let cohort_plot = cohort_plot(&data.profiles, &idx, &|s: &str| {
            group_of(s).map(str::to_string)
        });
        write_figure(
            &cohort_plot,
            &plots,
            &format!("cohort_{stem}"),
            &[ImageFormat::Png],
            &config.plot,
        )?;
        cohort_figs.push(Figure {
            caption: format!("{label}: every patient, median and 5-95th percentile by group"),
            svg: String::from_utf8(render(&cohort_plot, ImageFormat::Svg, &config.plot)?)?,
        });
        let preds: Vec<cartpk_ck::Prediction> = frows
            .iter()
            .filter(|r| {
                (r.profile.key.matrix.label(), r.profile.key.assay.label())
                    == (matrix.as_str(), assay.as_str())
            })
            .flat_map(|r| r.predictions.iter().copied())
            .collect();
        if !preds.is_empty() {
            let gof = gof_plot(first, &preds);
            write_figure(
                &gof,
                &plots,
                &format!("gof_{stem}"),
                &[ImageFormat::Png],
                &config.plot,
            )?;
            gof_figs.push(Figure {
                caption: format!("{label}: goodness of fit"),
                svg: String::from_utf8(render(&gof, ImageFormat::Svg, &config.plot)?)?,
            });
        }
    }

    // Warnings, all of them.
    for f in failures.iter().chain(&fit_failures) {
        warnings.push(f.message.clone());
    }
    for r in &nca_rows {
        for w in &r.result.warnings {
            warnings.push(format!("{}: NCA: {w}", r.profile.key));
        }
    }
    for r in &frows {
        for w in &r.fit.warnings {
            warnings.push(format!("{}: fit: {w}", r.profile.key));
        }
    }
    warnings.extend(data.notes.iter().cloned());

    // The report.
    let counts = Counts {
        skipped: failures.len(),
        not_fitted: fit_failures.len(),
    };
    let report = build_report(
        config,
        &data.source,
        &data.profiles,
        &summary,
        &quant,
        &er,
        &ratios,
        &frows,
        subjects.as_ref(),
        cohort_figs,
        gof_figs,
        patient_svgs,
        warnings.clone(),
        counts,
    );
    write_atomic(
        &dir.join("report.html"),
        html::render_html(&report).as_bytes(),
    )?;

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
        eprintln!(
            "cartpk run: {} subjects, {} profiles ({} NCA, {} fitted), {} warnings; report {} ({:.1} s)",
            patients.len(),
            data.profiles.len(),
            nca_rows.len(),
            frows.len(),
            warnings.len(),
            config.out_dir.join("report.html").display(),
            started.elapsed().as_secs_f64()
        );
    }
    // Skipped profiles are in the report; only fatal errors make the run fail.
    Ok(Outcome::Complete)
}

/// How many profiles or rows were skipped by ingestion or NCA, and how many profiles the
/// model could not be fitted to.
struct Counts {
    skipped: usize,
    not_fitted: usize,
}

#[allow(clippy::too_many_arguments)]
fn build_report(
    config: &RunConfig,
    source: &str,
    profiles: &[Profile],
    summary: &[cohort::SummaryRow],
    quant: &[cohort::QuantifiableRow],
    er: &[cohort::ExposureResponseRow],
    ratios: &[cohort::TissueRatioRow],
    frows: &[fit_tables::FitRow<'_>],
    subjects: Option<&SubjectsTable>,
    cohort_figs: Vec<Figure>,
    gof_figs: Vec<Figure>,
    patient_svgs: Vec<(String, String)>,
    warnings: Vec<String>,
    counts: Counts,
) -> Report {
    let n_subjects = {
        let mut s: Vec<&str> = profiles.iter().map(|p| p.key.subject.as_str()).collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    let mut sections = Vec::new();

    // Exposure summary: one table per matrix x assay.
    let mut kinds: BTreeMap<(String, String), Vec<&cohort::SummaryRow>> = BTreeMap::new();
    for r in summary {
        kinds
            .entry((r.matrix.clone(), r.assay.clone()))
            .or_default()
            .push(r);
    }
    let mut tables = Vec::new();
    for ((m, a), rows) in &kinds {
        let mut t = Table {
            id: format!("summary-{m}-{a}"),
            caption: format!("{m} {a}: exposure"),
            header: ["group", "parameter", "unit", "n", "geo. mean", "geo. CV%", "mean", "SD", "median", "min - max"].iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            note: Some("Tmax and Tlast: median (min - max). Geometric statistics over positive values (the n column says how many were <= 0, e.g. Cmax 0 of all-BLQ profiles); NA values (e.g. no half-life) are excluded and counted as missing.".into()),
        };
        for r in rows {
            let s = &r.summary;
            let time_like = matches!(r.parameter, "tmax" | "tlast");
            t.rows.push(vec![
                r.group.clone(),
                r.parameter.to_string(),
                r.unit.clone(),
                format!(
                    "{}{}",
                    s.n,
                    match (s.n_missing, s.n_nonpositive) {
                        (0, 0) => String::new(),
                        (m, 0) => format!(" ({m} NA)"),
                        (0, z) => format!(" ({z} <= 0)"),
                        (m, z) => format!(" ({m} NA, {z} <= 0)"),
                    }
                ),
                if time_like {
                    "".into()
                } else {
                    fmt(s.geo_mean)
                },
                if time_like {
                    "".into()
                } else {
                    fmt(s.geo_cv_pct)
                },
                if time_like { "".into() } else { fmt(s.mean) },
                if time_like { "".into() } else { fmt(s.sd) },
                if time_like {
                    med_range(s)
                } else {
                    fmt(s.median)
                },
                format!("{} - {}", fmt(s.min), fmt(s.max)),
            ]);
        }
        tables.push(t);
    }
    sections.push(Section {
        title: "Exposure".into(),
        paragraphs: vec![format!(
            "{n_subjects} subjects, {} profiles from {source}; {} profile(s) or row(s) skipped by ingestion or NCA, {} profile(s) too sparse for a model fit (see Warnings). Non-compartmental analysis with PKNCA's rules (AUC0-28d and AUC0-84d: aucint.last).",
            profiles.len(),
            counts.skipped,
            counts.not_fitted
        )],
        tables,
        ..Section::default()
    });

    let quant_table = Table {
        id: "quantifiable".into(),
        caption: "Patients with quantifiable levels at landmark days".into(),
        header: [
            "matrix",
            "assay",
            "group",
            "day",
            "quantifiable / sampled",
            "fraction",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: quant
            .iter()
            .map(|q| {
                vec![
                    q.matrix.clone(),
                    q.assay.clone(),
                    q.group.clone(),
                    fmt(Some(q.day)),
                    format!("{} / {}", q.n_quantifiable, q.n_sampled),
                    fmt(q.fraction),
                ]
            })
            .collect(),
        note: Some("Among the patients sampled that day.".into()),
    };
    sections.push(Section {
        title: "Persistence".into(),
        tables: vec![quant_table],
        ..Section::default()
    });

    if !er.is_empty() {
        let t = Table {
            id: "exposure-response".into(),
            caption: format!("Exposure by response ({})", config.response_column),
            header: ["matrix", "assay", "parameter", "unit", "responders n, geo. mean", "non-responders n, geo. mean", "GM ratio (95% CI)", "Wilcoxon p"].iter().map(|s| s.to_string()).collect(),
            rows: er
                .iter()
                .map(|r| {
                    vec![
                        r.matrix.clone(),
                        r.assay.clone(),
                        r.parameter.to_string(),
                        r.unit.clone(),
                        format!("{}, {}", r.responders.n, fmt(r.responders.geo_mean)),
                        format!("{}, {}", r.non_responders.n, fmt(r.non_responders.geo_mean)),
                        r.ratio.as_ref().map_or("NA".into(), |x| format!("{} ({} - {})", fmt(Some(x.ratio)), fmt(Some(x.lower)), fmt(Some(x.upper)))),
                        r.wilcoxon.as_ref().map_or("NA".into(), |w| format!("{}{}", fmt(Some(w.p_value)), if w.exact { " (exact)" } else { "" })),
                    ]
                })
                .collect(),
            note: Some(format!(
                "Responders: {} = {}. Ratio of geometric means responders / non-responders with a 95% CI from Welch's t-test on log values; two-sided Wilcoxon rank-sum test, exact for small samples without ties (as R's wilcox.test).",
                config.response_column,
                config.responders.join(", ")
            )),
        };
        sections.push(Section {
            title: "Exposure-response".into(),
            tables: vec![t],
            ..Section::default()
        });
    }

    if !ratios.is_empty() {
        let t = Table {
            id: "tissue-ratios".into(),
            caption: "Tissue-to-blood ratios (qPCR, same subject and day)".into(),
            header: [
                "matrix",
                "day",
                "n",
                "geo. mean ratio",
                "median",
                "min - max",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: ratios
                .iter()
                .map(|r| {
                    vec![
                        r.matrix.clone(),
                        fmt(Some(r.day)),
                        r.n.to_string(),
                        fmt(r.geo_mean),
                        fmt(r.median),
                        format!("{} - {}", fmt(r.min), fmt(r.max)),
                    ]
                })
                .collect(),
            note: None,
        };
        sections.push(Section {
            title: "Tissue distribution".into(),
            tables: vec![t],
            ..Section::default()
        });
    }

    let fit_table = Table {
        id: "fits".into(),
        caption: "Stein 2019 model: individual estimates (RSE%)".into(),
        header: ["subject", "matrix", "assay", "converged", "cmax", "tmax (day)", "rho (1/day)", "alpha (1/day)", "beta (1/day)", "fb", "sigma"].iter().map(|s| s.to_string()).collect(),
        rows: frows
            .iter()
            .map(|r| {
                let mut row = vec![r.profile.key.subject.clone(), r.profile.key.matrix.label().to_string(), r.profile.key.assay.label().to_string(), r.fit.converged.to_string()];
                for e in &r.fit.estimates {
                    row.push(format!("{} ({})", fmt(Some(e.value)), e.rse_pct.map_or("NA".to_string(), |x| format!("{x:.0}%"))));
                }
                row
            })
            .collect(),
        note: Some("Maximum likelihood per profile, BLQ as censored observations (M3). RSE above 100% or NA: not identifiable from this profile (see Warnings).".into()),
    };
    sections.push(Section {
        title: "Model fits".into(),
        tables: vec![fit_table],
        figures: gof_figs,
        ..Section::default()
    });
    sections.push(Section {
        title: "Cohort profiles".into(),
        figures: cohort_figs,
        ..Section::default()
    });
    sections.push(Section {
        title: "Per-patient profiles".into(),
        figures: patient_svgs
            .into_iter()
            .map(|(s, svg)| Figure { caption: s, svg })
            .collect(),
        thumbnails: true,
        ..Section::default()
    });

    if let Some(t) = subjects {
        let cols = t.covariates();
        let mut subs: Vec<&String> = t.rows.keys().collect();
        subs.sort();
        let table = Table {
            id: "subjects".into(),
            caption: format!("Subjects ({})", t.file),
            header: std::iter::once(t.header[t.subject_column].clone())
                .chain(cols.iter().map(|(_, h)| h.to_string()))
                .collect(),
            rows: subs
                .iter()
                .map(|s| {
                    std::iter::once((*s).clone())
                        .chain(
                            cols.iter()
                                .map(|&(c, _)| t.get(s, c).unwrap_or("").to_string()),
                        )
                        .collect()
                })
                .collect(),
            note: None,
        };
        sections.push(Section {
            title: "Subjects".into(),
            tables: vec![table],
            ..Section::default()
        });
    }

    let n = &config.nca;
    let settings = vec![
        ("software".to_string(), format!("cartpk {}", env!("CARGO_PKG_VERSION"))),
        ("assay file".to_string(), source.to_string()),
        ("subjects file".to_string(), config.subjects.as_ref().map_or("none".into(), |p| p.display().to_string())),
        ("time unit of the input".to_string(), config.ingest.time_unit.map_or("from the file".into(), |u| u.label().to_string())),
        ("AUC method".to_string(), n.auc_method.pknca_name().to_string()),
        ("BLQ before first / between / after last quantifiable".to_string(), format!("{} / {} / {}", n.blq.before_first, n.blq.between, n.blq.after_last)),
        ("partial AUC intervals (day)".to_string(), n.intervals.iter().map(|i| i.label()).collect::<Vec<_>>().join(", ")),
        ("lambda_z".to_string(), format!("best adjusted R2 within {}, at least {} points, Tmax excluded", n.lambda_z.adj_r2_factor, n.lambda_z.min_points)),
        ("CK model".to_string(), "Stein et al. 2019 (expansion, contraction, persistence), closed form".to_string()),
        ("likelihood".to_string(), format!("log-normal residual, BLQ {:?}, sigma >= {}", config.fit.blq, config.fit.sigma_min)),
        ("optimiser".to_string(), format!("multi-start Nelder-Mead ({} iterations per start) + L-BFGS ({} iterations), argmin", config.fit.nm_max_iters, config.fit.lbfgs_max_iters)),
        ("response".to_string(), format!("column '{}', responders: {}", config.response_column, config.responders.join(", "))),
    ];
    Report {
        title: "CAR-T cellular kinetics report".into(),
        subtitle: format!(
            "{source}: {n_subjects} subjects. Generated by cartpk {}.",
            env!("CARGO_PKG_VERSION")
        ),
        settings,
        sections,
        warnings,
    }
}
