//! `cartpk plot`: per-patient figures in parallel with a progress bar, cohort figures per
//! matrix x assay, and goodness-of-fit figures when the model is fitted.

use super::Outcome;
use crate::flags::hiargs::PlotConfig;
use crate::output::atomic::write_atomic;
use anyhow::{Context, Result};
use cartpk_ck::fit::observations;
use cartpk_ck::{fit_batch, CkModel, FitOptions, FitResult, Prediction, Stein2019};
use cartpk_core::ingest::read_path;
use cartpk_core::Profile;
use cartpk_nca::{nca_batch, LambdaZOverrides, NcaError, NcaOptions, NcaResult};
use cartpk_plot::cohort::{CohortPlot, CohortProfile};
use cartpk_plot::gof::{GofPlot, GofPoint};
use cartpk_plot::patient::{PatientPlot, PatientSeries};
use cartpk_plot::{render, series_label, Figure, ImageFormat, PlotOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// One file name per subject, in the order given: [`safe_name`], with `_2`, `_3`... added
/// where two subjects would otherwise share a name (`A/1` and `A_1`), so that no figure
/// overwrites another.
pub fn file_names(subjects: &[&str]) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    subjects
        .iter()
        .map(|s| {
            let base = safe_name(s);
            let mut name = base.clone();
            let mut k = 1;
            while !used.insert(name.to_ascii_lowercase()) {
                k += 1;
                name = format!("{base}_{k}");
            }
            name
        })
        .collect()
}

/// A file name made of the characters every file system accepts.
pub fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn write_figure<F: Figure>(
    fig: &F,
    dir: &Path,
    stem: &str,
    formats: &[ImageFormat],
    size: &PlotOptions,
) -> Result<()> {
    for &f in formats {
        let bytes = render(fig, f, size).with_context(|| format!("{stem}: cannot draw"))?;
        write_atomic(&dir.join(format!("{stem}.{}", f.extension())), &bytes)?;
    }
    Ok(())
}

/// Profile indices by (matrix, assay) label, in label order.
pub fn by_kind(profiles: &[Profile]) -> BTreeMap<(String, String), Vec<usize>> {
    let mut out: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, p) in profiles.iter().enumerate() {
        out.entry((
            p.key.matrix.label().to_string(),
            p.key.assay.label().to_string(),
        ))
        .or_default()
        .push(i);
    }
    out
}

/// The cohort figure of the profiles `idx` (one matrix x assay), grouped by `group_of`.
pub fn cohort_plot(
    profiles: &[Profile],
    idx: &[usize],
    group_of: &dyn Fn(&str) -> Option<String>,
) -> CohortPlot {
    let first = &profiles[idx[0]];
    CohortPlot {
        title: format!(
            "{}: {} patients",
            series_label(&first.key.matrix, &first.key.assay),
            idx.len()
        ),
        unit: first.unit.clone(),
        profiles: idx
            .iter()
            .map(|&i| {
                let p = &profiles[i];
                CohortProfile {
                    subject: p.key.subject.clone(),
                    group: group_of(&p.key.subject),
                    points: PatientSeries::from_profile(p, None).points,
                }
            })
            .collect(),
    }
}

/// The goodness-of-fit figure of the predictions of one matrix x assay (`first` is one of
/// its profiles, for the labels).
pub fn gof_plot(first: &Profile, predictions: &[Prediction]) -> GofPlot {
    GofPlot {
        title: format!(
            "{}: Stein 2019 model, individual fits (open: BLQ at LLOQ)",
            series_label(&first.key.matrix, &first.key.assay)
        ),
        unit_label: first.unit.label().to_string(),
        points: predictions
            .iter()
            .map(|p| GofPoint {
                time: p.time,
                observed: p.observed,
                predicted: p.predicted,
                weighted_residual: p.weighted_residual,
                blq: p.blq,
            })
            .collect(),
    }
}

/// One patient: its subject, the indices of its profiles, and its figure's file name.
pub struct Patient<'a> {
    /// Subject identifier.
    pub subject: &'a str,
    /// Indices of the subject's profiles.
    pub profiles: Vec<usize>,
    /// File name of its figure, unique among the patients ([`file_names`]).
    pub file_name: String,
}

/// The patients of `profiles`, in subject order.
pub fn patients(profiles: &[Profile]) -> Vec<Patient<'_>> {
    let mut by_subject: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in profiles.iter().enumerate() {
        by_subject
            .entry(p.key.subject.as_str())
            .or_default()
            .push(i);
    }
    let names = file_names(&by_subject.keys().copied().collect::<Vec<_>>());
    by_subject
        .into_iter()
        .zip(names)
        .map(|((subject, profiles), file_name)| Patient {
            subject,
            profiles,
            file_name,
        })
        .collect()
}

/// The figure of one patient: every profile with its NCA marks and, when `fit_of` gives
/// one, the fitted curve up to the last sample (at least day 28).
pub fn patient_plot<'f>(
    patient: &Patient<'_>,
    profiles: &[Profile],
    nca: &[Result<NcaResult, NcaError>],
    fit_of: &(dyn Fn(usize) -> Option<&'f FitResult> + Sync),
) -> PatientPlot {
    let series = patient
        .profiles
        .iter()
        .map(|&i| {
            let p = &profiles[i];
            let s = PatientSeries::from_profile(p, nca[i].as_ref().ok());
            match fit_of(i) {
                Some(f) => {
                    let t_end = p.samples.last().map_or(28.0, |s| s.time).max(28.0);
                    s.with_fit(curve(&Stein2019, f, t_end))
                }
                None => s,
            }
        })
        .collect();
    PatientPlot {
        subject: patient.subject.to_string(),
        series,
    }
}

/// The fitted curve from day 0 to the last sample, on the plot crate's grid (dense over
/// days 0-28, where the curve peaks).
pub fn curve(model: &dyn CkModel, fit: &FitResult, t_end: f64) -> Vec<(f64, f64)> {
    let k = model.n_theta();
    cartpk_plot::patient::curve_times(0.0, t_end)
        .into_iter()
        .map(|t| (t, model.ln_conc(&fit.optimum[..k], t, None).exp()))
        .collect()
}

/// Draws every figure.
pub fn run(config: &PlotConfig) -> Result<Outcome> {
    let data = read_path(&config.input, &config.ingest)?;
    crate::ingest_notes::print(&data, config.quiet);
    let groups = match &config.groups {
        Some((path, column)) => Some(
            cartpk_core::SubjectsTable::read_mapped(
                path,
                config.ingest.delimiter,
                &config.ingest.columns,
            )?
            .column_values(column)?,
        ),
        None => None,
    };
    let nca = nca_batch(
        &data.profiles,
        &NcaOptions::default(),
        &LambdaZOverrides::new(),
    );
    let model = Stein2019;
    let fits: Vec<Option<FitResult>> = if config.fit {
        fit_batch(&model, &data.profiles, &FitOptions::default())
            .into_iter()
            .map(Result::ok)
            .collect()
    } else {
        vec![None; data.profiles.len()]
    };

    let patients = patients(&data.profiles);
    let patient_dir = config.out_dir.join("patients");
    std::fs::create_dir_all(&patient_dir).with_context(|| {
        format!(
            "{}: cannot create the output directory",
            patient_dir.display()
        )
    })?;

    let total = patients.len() as u64;
    let bar = if config.quiet {
        ProgressBar::hidden()
    } else {
        // indicatif draws only when stderr is a terminal.
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} patients {elapsed_precise}")
            .expect("the template is valid"),
    );
    let fit_of = |i: usize| fits[i].as_ref();
    let results: Vec<Result<()>> = patients
        .par_iter()
        .map(|patient| {
            let plot = patient_plot(patient, &data.profiles, &nca, &fit_of);
            let r = write_figure(
                &plot,
                &patient_dir,
                &patient.file_name,
                &config.formats,
                &config.size,
            );
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(Result::err)
        .map(|e| format!("{e:#}"))
        .collect();

    // Cohort and goodness-of-fit figures per matrix x assay.
    let mut n_cohort = 0;
    for ((matrix, assay), idx) in by_kind(&data.profiles) {
        let group_of = |subject: &str| {
            groups.as_ref().map(|g| {
                g.get(subject)
                    .cloned()
                    .unwrap_or_else(|| "(no group)".into())
            })
        };
        let stem = format!("{}_{}", safe_name(&matrix), safe_name(&assay));
        let cohort = cohort_plot(&data.profiles, &idx, &group_of);
        write_figure(
            &cohort,
            &config.out_dir,
            &format!("cohort_{stem}"),
            &config.formats,
            &config.size,
        )?;
        n_cohort += 1;
        if config.fit {
            let preds: Vec<Prediction> = idx
                .iter()
                .filter_map(|&i| fits[i].as_ref().map(|f| (i, f)))
                .flat_map(|(i, f)| f.predictions(&model, &observations(&data.profiles[i]).0))
                .collect();
            let gof = gof_plot(&data.profiles[idx[0]], &preds);
            write_figure(
                &gof,
                &config.out_dir,
                &format!("gof_{stem}"),
                &config.formats,
                &config.size,
            )?;
        }
    }

    for e in &failed {
        eprintln!("error: {e}");
    }
    for r in &data.rejected {
        for e in &r.errors {
            eprintln!("error: {e}");
        }
    }
    if !config.quiet {
        eprintln!(
            "cartpk plot: {} patient figures, {} cohort figures{} in {}",
            patients.len() - failed.len(),
            n_cohort,
            if config.fit {
                " with model fits and goodness of fit"
            } else {
                ""
            },
            config.out_dir.display()
        );
    }
    Ok(if failed.is_empty() && !data.has_errors() {
        Outcome::Complete
    } else {
        Outcome::Partial
    })
}
