//! `cartpk plot`: per-patient figures in parallel with a progress bar, cohort figures per
//! matrix x assay, and goodness-of-fit figures when the model is fitted.

use super::Outcome;
use crate::flags::hiargs::PlotConfig;
use crate::output::atomic::write_atomic;
use crate::output::publish::{self, Publisher};
use crate::overrides::read_overrides;
use anyhow::{Context, Result};
use cartpk_ck::fit::observations;
use cartpk_ck::{fit_batch, FitResult, Prediction};
use cartpk_core::ingest::read_path;
use cartpk_nca::nca_batch;
use cartpk_plot::{render, Figure, ImageFormat, PlotOptions};
use cartpk_report::figures::{by_kind, cohort_plot, gof_plot, patient_plot, patients};
use cartpk_report::file_name::file_stem;
use cartpk_report::Support;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::path::Path;

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

/// Draws every figure.
pub fn run(config: &PlotConfig) -> Result<Outcome> {
    // Outputs as a set (output/publish.rs): figures of subjects no longer in the input are
    // removed as stale, files cartpk did not write are kept.
    let mut inputs: Vec<&std::path::Path> = vec![&config.input];
    inputs.extend(config.groups.as_ref().map(|(p, _)| p.as_path()));
    let publisher = Publisher::begin(&config.out_dir, "plot", publish::context(&inputs))?;
    let out_dir = publisher.staging_dir().to_path_buf();
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
    let mut settings = config.settings.clone();
    if let Some(path) = &config.overrides {
        settings.lambda_z_overrides = read_overrides(path)
            .with_context(|| format!("--lambda-z-overrides {}", path.display()))?;
    }
    let mut profiles = data.profiles.clone();
    if let Some(d) = &settings.default_dose {
        for p in profiles.iter_mut().filter(|p| p.dose.is_none()) {
            p.dose = Some(d.clone());
        }
    }
    let data = cartpk_core::ingest::Dataset { profiles, ..data };
    let nca = nca_batch(&data.profiles, &settings.nca, &settings.lambda_z_overrides);
    // Cmax is marked on the profiles whose sampling supports it (cartpk_report::sampling).
    let rich: Vec<bool> = data
        .profiles
        .iter()
        .map(|p| settings.sampling.support(p) == Support::FullNca)
        .collect();
    let model = &*settings.model;
    let fit = settings.fit_model;
    let fits: Vec<Option<FitResult>> = if fit {
        fit_batch(model, &data.profiles, &settings.fit)
            .into_iter()
            .map(Result::ok)
            .collect()
    } else {
        vec![None; data.profiles.len()]
    };

    let patients = patients(&data.profiles);
    let patient_dir = out_dir.join("patients");
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
    let marks = |i: usize| rich[i];
    let results: Vec<Result<()>> = patients
        .par_iter()
        .map(|patient| {
            let plot = patient_plot(patient, &data.profiles, &nca, &marks, model, &fit_of);
            let r = write_figure(
                &plot,
                &patient_dir,
                &patient.file_name,
                &config.formats,
                &settings.plot,
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
        let stem = file_stem(&format!("{matrix}_{assay}"));
        let cohort = cohort_plot(&data.profiles, &idx, &group_of);
        write_figure(
            &cohort,
            &out_dir,
            &format!("cohort_{stem}"),
            &config.formats,
            &settings.plot,
        )?;
        n_cohort += 1;
        if fit {
            let preds: Vec<Prediction> = idx
                .iter()
                .filter_map(|&i| fits[i].as_ref().map(|f| (i, f)))
                .flat_map(|(i, f)| f.predictions(model, &observations(&data.profiles[i]).0))
                .collect();
            let gof = gof_plot(&data.profiles[idx[0]], &preds);
            write_figure(
                &gof,
                &out_dir,
                &format!("gof_{stem}"),
                &config.formats,
                &settings.plot,
            )?;
        }
    }

    let published = publisher.commit()?;
    for e in &failed {
        eprintln!("error: {e}");
    }
    if !config.quiet {
        for w in published.warnings() {
            eprintln!("warning: {w}");
        }
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
            if fit {
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
