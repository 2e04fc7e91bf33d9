//! The analysis as a library: [`analyse`] takes the ingested data, the subjects table and
//! one [`Settings`] value and returns a typed [`Report`]: the NCA and fit results, the
//! cohort tables as serialisable rows, the figures and the triaged warnings. No I/O: the
//! caller writes [`Report::files`] wherever it wants.

use crate::cohort::{
    estimate_rows, exposure_response, summary_table, tissue_ratios, visit_table, EstimateRow,
    ExposureResponseRow, ExposureRow, SummaryRow, TissueRatioRow, VisitRow,
};
use crate::criteria::{aucinf_exclusions, fit_verdict, half_life_exclusions, FitVerdict};
use crate::endpoint_figures::{endpoint_figures, EndpointFigure};
use crate::endpoints::{endpoints, Endpoints};
use crate::figures::{by_kind, cohort_plot, gof_plot, patient_plot, patients};
use crate::metric::Metric;
use crate::provenance::Provenance;
use crate::sampling::Support;
use crate::settings::Settings;
use crate::warnings::{Severity, Warning};
use cartpk_ck::{fit_profile, FitError, FitResult, Prediction};
use cartpk_core::ingest::Dataset;
use cartpk_core::{Dose, Profile, SubjectsTable};
use cartpk_nca::{nca_batch, NcaError, NcaResult, NcaWarning};
use cartpk_plot::boxplot::{GroupValues, MetricByGroupPlot};
use cartpk_plot::{render_checked, series_label, Figure, ImageFormat, PlotOptions};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Largest cohort or goodness-of-fit SVG drawn inside the page; larger ones (thousands of
/// points) are shown as their linked PNG file.
pub const MAX_INLINE_SVG_BYTES: usize = 400_000;

/// A figure, drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedFigure {
    /// Which section it belongs to.
    pub kind: FigureKind,
    /// Path of its file, relative to the output directory (`plots/patients/X.png`; `.svg`
    /// for patient figures written as SVG, see [`crate::settings::PatientFigures`]).
    pub path: String,
    /// Caption.
    pub caption: String,
    /// The file's bytes: PNG, or SVG when `path` ends in `.svg`.
    pub bytes: Vec<u8>,
    /// The SVG drawn inline in the report, when the figure is inlined.
    pub svg: Option<String>,
}

/// The sections figures belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    /// One patient's profiles.
    Patient,
    /// One matrix x assay, every patient.
    Cohort,
    /// Goodness of fit of one matrix x assay.
    GoodnessOfFit,
    /// A trial-endpoint figure (Kaplan-Meier, logistic exposure-response), named by its
    /// [`endpoint_figures`] stem: `plots/<stem>.png`.
    Endpoint,
    /// Cmax or AUC0-28d of the exposure profiles by response level or `--group-by` group.
    ExposureByGroup,
    /// The censored VPC of a population fit (`plots/vpc_<matrix>_<assay>.png`).
    PopulationVpc,
}

/// One matrix x assay of the data, and what its sampling supports.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Kind {
    /// Matrix label.
    pub matrix: String,
    /// Assay label.
    pub assay: String,
    /// Display label (`blood qPCR`).
    pub label: String,
    /// Profiles.
    pub n_profiles: usize,
    /// Full NCA or visits.
    pub support: Support,
}

/// Everything `cartpk run` reports.
#[derive(Debug, Clone)]
pub struct Report {
    /// Run date, version, command line, input checksums (filled by the caller).
    pub provenance: Provenance,
    /// Input file name.
    pub source: String,
    /// Subjects file name, when one was given.
    pub subjects_file: Option<String>,
    /// The profiles analysed (with doses from the subjects file or the settings).
    pub profiles: Vec<Profile>,
    /// NCA per profile (aligned with `profiles`).
    pub nca: Vec<Result<NcaResult, NcaError>>,
    /// What each profile's sampling supports (aligned with `profiles`).
    pub support: Vec<Support>,
    /// Model fit per profile; `None` when not attempted (sparse sampling, or fits off).
    pub fits: Vec<Option<Result<FitResult, FitError>>>,
    /// Whether each fit is reportable.
    pub fit_verdicts: Vec<Option<FitVerdict>>,
    /// Individual predictions of the reportable fits, per profile.
    pub predictions: Vec<Vec<Prediction>>,
    /// The matrix x assay kinds.
    pub kinds: Vec<Kind>,
    /// Number of subjects.
    pub n_subjects: usize,
    /// Summary statistics (rich kinds).
    pub summary: Vec<SummaryRow>,
    /// Every profile's value of every metric, flagged (rich kinds).
    pub estimates: Vec<EstimateRow>,
    /// Concentration at each visit (sparse kinds).
    pub visits: Vec<VisitRow>,
    /// Exposure by response.
    pub exposure_response: Vec<ExposureResponseRow>,
    /// Tissue-to-blood ratios at matched visits.
    pub tissue_ratios: Vec<TissueRatioRow>,
    /// The trial endpoints: response rates, time-to-event, persistence, exposure-response.
    pub endpoints: Endpoints,
    /// Figures.
    pub figures: Vec<RenderedFigure>,
    /// Every warning, triaged.
    pub warnings: Vec<Warning>,
    /// The subjects table, for the report's subjects section.
    pub subjects: Option<SubjectsTable>,
    /// The settings, for the report's settings section.
    pub settings: Settings,
    /// Population fits of the cohorts large enough (population_section.rs).
    pub population: Vec<crate::population_section::PopulationResult>,
}

fn warning(
    file: &str,
    line: Option<u64>,
    p: Option<&Profile>,
    kind: &str,
    severity: Severity,
    message: String,
) -> Warning {
    Warning {
        file: file.to_string(),
        line,
        subject: p.map(|p| p.key.subject.clone()),
        matrix: p.map(|p| p.key.matrix.label().to_string()),
        assay: p.map(|p| p.key.assay.label().to_string()),
        kind: kind.to_string(),
        severity,
        message,
    }
}

/// The severity of an NCA warning kind.
pub fn nca_severity(w: &NcaWarning) -> Severity {
    match w {
        NcaWarning::NoLambdaZ(_) => Severity::Note,
        _ => Severity::Changes,
    }
}

/// A grouping of subjects: its name and each subject's group.
type Grouping<'a> = (String, &'a dyn Fn(&str) -> Option<String>);

/// A patient figure with its warnings, or (subject, why it was not drawn).
type PatientFigure = Result<(RenderedFigure, Vec<Warning>), (String, String)>;

/// A figure as PNG and SVG, with what it left out ([`cartpk_plot::Figure::warnings`]).
pub struct Drawn {
    /// PNG bytes.
    pub png: Vec<u8>,
    /// SVG bytes.
    pub svg: Vec<u8>,
    /// Values the figure could not draw, and why.
    pub warnings: Vec<String>,
}

/// Draws `figure` as PNG and SVG with [`render_checked`].
pub fn draw_both<F: Figure>(figure: &F, options: &PlotOptions) -> Result<Drawn, String> {
    let png = render_checked(figure, ImageFormat::Png, options).map_err(|e| e.to_string())?;
    let svg = render_checked(figure, ImageFormat::Svg, options).map_err(|e| e.to_string())?;
    Ok(Drawn {
        png: png.bytes,
        svg: svg.bytes,
        warnings: png.warnings,
    })
}

fn draw_endpoint(figure: &EndpointFigure, options: &PlotOptions) -> Result<Drawn, String> {
    match figure {
        EndpointFigure::KaplanMeier(p) => draw_both(p, options),
        EndpointFigure::ExposureResponse(p) => draw_both(p, options),
    }
}

/// A figure's warnings as report warnings (`figure_points_not_drawn`, a note).
fn figure_warnings(
    file: &str,
    subject: Option<&str>,
    figure: &str,
    lines: &[String],
) -> Vec<Warning> {
    lines
        .iter()
        .map(|l| Warning {
            subject: subject.map(str::to_string),
            ..warning(
                file,
                None,
                None,
                "figure_points_not_drawn",
                Severity::Note,
                format!("{figure}: {l}"),
            )
        })
        .collect()
}

/// Adds a drawn figure (PNG file, SVG inlined when small) and its warnings, or a
/// `figure_failed` warning.
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_figure(
    figures: &mut Vec<RenderedFigure>,
    warnings: &mut Vec<Warning>,
    source: &str,
    label: &str,
    kind: FigureKind,
    name: String,
    caption: String,
    fig: Result<Drawn, String>,
) {
    let path = format!("plots/{name}.png");
    match fig {
        Ok(d) => {
            warnings.extend(figure_warnings(source, None, &path, &d.warnings));
            figures.push(RenderedFigure {
                kind,
                path,
                caption,
                bytes: d.png,
                // A figure of thousands of points is linked, not inlined, so that the page
                // stays small.
                svg: (d.svg.len() <= MAX_INLINE_SVG_BYTES)
                    .then(|| String::from_utf8_lossy(&d.svg).into_owned()),
            });
        }
        Err(e) => warnings.push(warning(
            source,
            None,
            None,
            "figure_failed",
            Severity::Skipped,
            format!("{label}: {name} not drawn: {e}"),
        )),
    }
}

/// Cmax and AUC0-28d (the first interval) of the exposure profiles by group, one box/dot
/// plot per metric and grouping: by response level (the response column's values as
/// written) and by the `--group-by` column. Estimates excluded by the acceptance criteria
/// are left out, as in the summary statistics.
fn exposure_by_group_plots(
    estimates: &[EstimateRow],
    settings: &Settings,
    kind_label: &str,
    groupings: &[Grouping<'_>],
) -> Vec<(String, String, MetricByGroupPlot)> {
    let exposure = &settings.endpoints.exposure;
    let metrics: Vec<Metric> = std::iter::once(Metric::Cmax)
        .chain(settings.nca.intervals.first().map(|&i| Metric::Auc(i)))
        .collect();
    let mut out = Vec::new();
    for (by, group_of) in groupings {
        for m in &metrics {
            let name = m.name();
            let rows: Vec<&EstimateRow> = estimates
                .iter()
                .filter(|r| {
                    r.matrix == exposure.matrix.label()
                        && r.assay == exposure.assay.label()
                        && r.parameter == name
                        && r.included
                })
                .collect();
            let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            let mut unit = String::new();
            for r in rows {
                let (Some(v), Some(g)) = (r.value, group_of(&r.subject)) else {
                    continue;
                };
                unit = r.unit.clone();
                groups.entry(g).or_default().push(v);
            }
            if groups.len() < 2 {
                continue;
            }
            let mut groups: Vec<GroupValues> = groups
                .into_iter()
                .map(|(name, values)| GroupValues { name, values })
                .collect();
            // Responders first, so the plot reads CR, CRi ... NR.
            groups.sort_by_key(|g| {
                (
                    settings.endpoints.responders.classify(&g.name) != Some(true),
                    g.name.clone(),
                )
            });
            let label = m.label();
            let stem = format!(
                "{}_by_{}",
                crate::file_name::file_stem(&label.to_ascii_lowercase()),
                crate::file_name::file_stem(by)
            );
            out.push((
                stem,
                format!("{label} by {by} ({kind_label}); excluded estimates left out"),
                MetricByGroupPlot {
                    title: format!("{label} by {by} ({kind_label})"),
                    metric_label: format!("{label} ({unit})"),
                    group_label: by.clone(),
                    groups,
                },
            ));
        }
    }
    out
}

/// Runs the whole analysis.
pub fn analyse(data: &Dataset, subjects: Option<&SubjectsTable>, settings: &Settings) -> Report {
    let mut warnings = Vec::new();
    let source = data.source.clone();

    // Ingestion problems.
    for rejected in &data.rejected {
        for e in &rejected.errors {
            warnings.push(Warning {
                file: e.file.clone(),
                line: Some(e.line),
                subject: Some(rejected.key.subject.clone()),
                matrix: Some(rejected.key.matrix.label().to_string()),
                assay: Some(rejected.key.assay.label().to_string()),
                kind: "profile_skipped".into(),
                severity: Severity::Skipped,
                message: format!("{e} (profile {} skipped)", rejected.key),
            });
        }
    }
    for e in &data.row_errors {
        warnings.push(warning(
            &e.file,
            Some(e.line),
            None,
            "row_skipped",
            Severity::Skipped,
            e.to_string(),
        ));
    }
    for line in data.assumptions.summary() {
        warnings.push(warning(
            &source,
            None,
            None,
            "ingestion_assumption",
            Severity::Note,
            line,
        ));
    }
    let unrecognised: Vec<&str> = subjects
        .map(|t| unrecognised_subject_columns(t, settings))
        .unwrap_or_default();
    if let Some(t) = subjects.filter(|_| !unrecognised.is_empty()) {
        warnings.push(warning(
            &t.file,
            None,
            None,
            "subjects_column_not_recognised",
            Severity::Note,
            format!(
                "column(s) not recognised, passed through to the tables as they are: {}",
                unrecognised.join(", ")
            ),
        ));
    }
    for n in &data.notes {
        warnings.push(warning(
            &source,
            None,
            None,
            "ingestion_note",
            Severity::Note,
            n.clone(),
        ));
    }

    // Doses: the input's, else the subjects file's, else the settings'.
    let mut profiles = data.profiles.clone();
    let group_col = subjects.and_then(|t| {
        t.column(
            settings
                .group_by
                .as_deref()
                .unwrap_or(&settings.response_column),
        )
    });
    let response_col = subjects.and_then(|t| t.column(&settings.response_column));
    if let Some(t) = subjects {
        let dc = t.column("dose");
        let du = t.column("dose_unit");
        for p in profiles.iter_mut().filter(|p| p.dose.is_none()) {
            let Some(v) = dc.and_then(|c| t.get(&p.key.subject, c)) else {
                continue;
            };
            match v.trim().parse::<f64>() {
                Ok(a) if a > 0.0 && a.is_finite() => {
                    let unit = du
                        .and_then(|c| t.get(&p.key.subject, c))
                        .unwrap_or("cells")
                        .to_string();
                    p.dose = Some(Dose { amount: a, unit });
                }
                _ if v.trim().is_empty() => {}
                _ => warnings.push(warning(
                    &t.file,
                    None,
                    Some(p),
                    "dose_invalid",
                    Severity::Changes,
                    format!(
                        "subject {}: dose '{v}' is not a number > 0; no dose-normalised values",
                        p.key.subject
                    ),
                )),
            }
        }
        let mut missing: Vec<&str> = profiles
            .iter()
            .map(|p| p.key.subject.as_str())
            .filter(|s| !t.rows.contains_key(*s))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        for s in missing {
            warnings.push(Warning {
                subject: Some(s.to_string()),
                ..warning(
                    &t.file,
                    None,
                    None,
                    "subject_not_in_subjects_file",
                    Severity::Note,
                    format!("no row for subject {s}: no dose or group"),
                )
            });
        }
        for (col, what) in [
            (
                response_col,
                format!("response column '{}'", settings.response_column),
            ),
            (
                if settings.group_by.is_some() {
                    group_col
                } else {
                    response_col
                },
                format!(
                    "group column '{}'",
                    settings
                        .group_by
                        .as_deref()
                        .unwrap_or(&settings.response_column)
                ),
            ),
        ] {
            if col.is_none() {
                warnings.push(warning(
                    &t.file,
                    None,
                    None,
                    "subjects_column_missing",
                    Severity::Note,
                    format!("no {what}: no exposure-response analysis or grouping by it"),
                ));
            }
        }
    }
    if let Some(d) = &settings.default_dose {
        for p in profiles.iter_mut().filter(|p| p.dose.is_none()) {
            p.dose = Some(d.clone());
        }
    }

    // What each profile and each matrix x assay supports.
    let support: Vec<Support> = profiles
        .iter()
        .map(|p| settings.sampling.support(p))
        .collect();
    let kind_idx = by_kind(&profiles);
    let kinds: Vec<Kind> = kind_idx
        .iter()
        .map(|((m, a), idx)| {
            let ps: Vec<&Profile> = idx.iter().map(|&i| &profiles[i]).collect();
            Kind {
                matrix: m.clone(),
                assay: a.clone(),
                label: series_label(&ps[0].key.matrix, &ps[0].key.assay),
                n_profiles: idx.len(),
                support: settings.sampling.support_of_kind(&ps),
            }
        })
        .collect();
    let kind_support: BTreeMap<(String, String), Support> = kinds
        .iter()
        .map(|k| ((k.matrix.clone(), k.assay.clone()), k.support))
        .collect();
    let rich_kind = |m: &str, a: &str| {
        kind_support.get(&(m.to_string(), a.to_string())) == Some(&Support::FullNca)
    };
    let is_rich = |i: usize| {
        let p = &profiles[i];
        support[i] == Support::FullNca && rich_kind(p.key.matrix.label(), p.key.assay.label())
    };

    // The population fit needs only the profiles and their kinds. It runs on its own thread
    // beside the NCA, the per-profile fits and the figures (its parallel loops share the
    // same rayon pool), so the ~500 SAEM iterations, each waiting for every subject, leave no core idle while
    // the rest of the report is built. Its figures and warnings join the others' below, in
    // the order a serial run gives.
    let population_inputs = || {
        (
            profiles.clone(),
            kinds.clone(),
            subjects.cloned(),
            settings.population.clone(),
            settings.plot,
            settings.figures,
            source.clone(),
        )
    };
    let population_thread = std::thread::Builder::new()
        .name("cartpk-population".into())
        .spawn({
            let inputs = population_inputs();
            move || population_part(inputs)
        });

    // NCA on every profile; fits where the sampling supports them.
    let nca = nca_batch(&profiles, &settings.nca, &settings.lambda_z_overrides);
    let fits: Vec<Option<Result<FitResult, FitError>>> = (0..profiles.len())
        .into_par_iter()
        .map(|i| {
            (settings.fit_model && is_rich(i))
                .then(|| fit_profile(&*settings.model, &profiles[i], &settings.fit))
        })
        .collect();
    let fit_verdicts: Vec<Option<FitVerdict>> = fits
        .iter()
        .map(|f| f.as_ref().and_then(|r| r.as_ref().ok()).map(fit_verdict))
        .collect();
    let predictions: Vec<Vec<Prediction>> = fits
        .par_iter()
        .zip(&fit_verdicts)
        .zip(&profiles)
        .map(|((f, v), p)| match (f, v) {
            (Some(Ok(f)), Some(v)) if v.reportable => {
                f.predictions_for(&*settings.model, p, &settings.fit)
            }
            _ => Vec::new(),
        })
        .collect();

    // Per-profile warnings.
    let c = &settings.criteria;
    for (i, p) in profiles.iter().enumerate() {
        let rich = is_rich(i);
        let kind_rich = rich_kind(p.key.matrix.label(), p.key.assay.label());
        match &nca[i] {
            Err(e) => warnings.push(warning(
                &source,
                None,
                Some(p),
                "nca_failed",
                Severity::Skipped,
                format!("{}: {e}", p.key),
            )),
            // Sparse kinds are reported as visits: their NCA warnings concern values the
            // report does not show.
            Ok(_) if !kind_rich => {}
            Ok(_) if !rich => warnings.push(warning(
                &source,
                None,
                Some(p),
                "sparse_sampling",
                Severity::Excluded,
                format!(
                    "{}: sampling too sparse for NCA ({}); its metrics are left out of the summaries",
                    p.key,
                    settings.sampling.describe()
                ),
            )),
            Ok(r) => {
                let hl = half_life_exclusions(r, c);
                let inf = aucinf_exclusions(r, c);
                if !hl.is_empty() {
                    warnings.push(warning(
                        &source,
                        None,
                        Some(p),
                        "excluded_half_life",
                        Severity::Excluded,
                        format!(
                            "{}: t1/2 {} d and AUCinf excluded from the summaries: {}",
                            p.key,
                            crate::format::sig3(r.half_life(), crate::format::Notation::Fixed),
                            inf.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
                        ),
                    ));
                } else if !inf.is_empty() {
                    warnings.push(warning(
                        &source,
                        None,
                        Some(p),
                        "excluded_aucinf",
                        Severity::Excluded,
                        format!(
                            "{}: AUCinf excluded from the summaries: {}",
                            p.key,
                            inf.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
                        ),
                    ));
                }
                let covered = |code: &str| inf.iter().any(|e| e.code() == code);
                for w in &r.warnings {
                    let dup = match w {
                        NcaWarning::ShortSpan { .. } => covered("span_short"),
                        NcaWarning::HighExtrapolation { .. } => covered("aucpext_high"),
                        _ => false,
                    };
                    if !dup {
                        warnings.push(warning(
                            &source,
                            None,
                            Some(p),
                            w.code(),
                            nca_severity(w),
                            format!("{}: NCA: {w}", p.key),
                        ));
                    }
                }
            }
        }
        match (&fits[i], &fit_verdicts[i]) {
            (Some(Err(e)), _) => warnings.push(warning(
                &source,
                None,
                Some(p),
                "not_fitted",
                Severity::Note,
                format!("{}: not fitted: {e}", p.key),
            )),
            (Some(Ok(f)), Some(v)) => {
                if !v.reportable {
                    warnings.push(warning(
                        &source,
                        None,
                        Some(p),
                        "fit_not_reportable",
                        Severity::Excluded,
                        format!(
                            "{}: model fit not reportable (failed: {}); left out of the figures and summaries",
                            p.key,
                            v.failed.join(", ")
                        ),
                    ));
                }
                // A fit left out already says why; its own warnings would repeat it.
                for w in f.warnings.iter().filter(|_| v.reportable) {
                    warnings.push(warning(
                        &source,
                        None,
                        Some(p),
                        "fit_warning",
                        Severity::Changes,
                        format!("{}: fit: {w}", p.key),
                    ));
                }
            }
            _ => {}
        }
    }

    // Cohort tables.
    let group_of = |s: &str| -> Option<&str> {
        subjects
            .zip(group_col)
            .and_then(|(t, c)| t.get(s, c))
            .filter(|g| !g.trim().is_empty())
    };
    let response_of = |s: &str| -> Option<&str> {
        subjects
            .zip(response_col)
            .and_then(|(t, c)| t.get(s, c))
            .filter(|g| !g.trim().is_empty())
    };
    let rows: Vec<ExposureRow<'_>> = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| ExposureRow {
            profile: p,
            nca: nca[i].as_ref().ok(),
            group: group_of(&p.key.subject),
            support: support[i],
        })
        .collect();
    let metrics = Metric::full(&settings.nca.intervals);
    let sparse_kind = |m: &str, a: &str| !rich_kind(m, a);
    let summary = summary_table(&rows, &metrics, c, &rich_kind);
    let estimates = estimate_rows(&rows, &metrics, c, &rich_kind);
    let visits = visit_table(&rows, &sparse_kind);
    let er_rows: Vec<ExposureRow<'_>> = rows
        .iter()
        .map(|r| ExposureRow {
            group: response_of(&r.profile.key.subject),
            ..*r
        })
        .collect();
    let er_metrics: Vec<Metric> = std::iter::once(Metric::Cmax)
        .chain(settings.nca.intervals.first().map(|&i| Metric::Auc(i)))
        .collect();
    let exposure_response = if response_col.is_some() {
        exposure_response(&er_rows, &er_metrics, c, &rich_kind, &|g| {
            Some(settings.is_responder(g))
        })
    } else {
        Vec::new()
    };
    let refs: Vec<&Profile> = profiles.iter().collect();
    let tissue_ratios = tissue_ratios(&refs);
    let mut endpoint_options = settings.endpoints.clone();
    if endpoint_options.group_column.is_none() {
        endpoint_options.group_column = settings.group_by.clone();
    }
    // The endpoints take a patient's exposure (Cmax, AUC0-28d: logistic regression, exposure
    // groups, adverse events by exposure) from the profiles the summaries and the
    // exposure-response table use: a profile sampled too sparsely for NCA gives none. Its
    // samples still count (persistence, samples after death).
    let pairs: Vec<(&Profile, Option<&NcaResult>)> = profiles
        .iter()
        .zip(nca.iter().map(|r| r.as_ref().ok()))
        .enumerate()
        .map(|(i, (p, r))| (p, r.filter(|_| is_rich(i))))
        .collect();
    let endpoints = endpoints(&pairs, subjects, &endpoint_options);
    for w in &endpoints.warnings {
        warnings.push(warning(
            subjects.map_or(source.as_str(), |t| t.file.as_str()),
            None,
            None,
            "endpoint_not_computed",
            Severity::Note,
            w.clone(),
        ));
    }
    for d in &endpoints.samples_after_death {
        let mut w = warning(
            source.as_str(),
            None,
            None,
            "sample_after_death",
            Severity::Changes,
            format!(
                "{}: a sample at day {} after death at day {} (OS event in {}): check the subject's dates and identifiers; persistence counts the patient at risk until the last sample",
                d.subject,
                d.last_sample_day,
                d.death_day,
                subjects.map_or("the subjects file", |t| t.file.as_str())
            ),
        );
        w.subject = Some(d.subject.clone());
        warnings.push(w);
    }

    // Figures.
    let mut figures = Vec::new();
    if settings.figures {
        let pts = patients(&profiles);
        let inline = pts.len() <= settings.inline_patient_limit;
        let as_svg = settings.patient_figures.svg_for(pts.len());
        let fit_of = |i: usize| match (&fits[i], &fit_verdicts[i]) {
            (Some(Ok(f)), Some(v)) if v.reportable => Some(f),
            _ => None,
        };
        let drawn: Vec<PatientFigure> = pts
            .par_iter()
            .map(|patient| {
                let mut plot = patient_plot(
                    patient,
                    &profiles,
                    &nca,
                    &is_rich,
                    &*settings.model,
                    &fit_of,
                );
                // A death (OS event of the subjects file) is drawn where the samples end.
                plot.death_day = endpoints.deaths.get(patient.subject).copied();
                let render = |format| {
                    render_checked(&plot, format, &settings.plot)
                        .map_err(|e| (patient.subject.to_string(), e.to_string()))
                };
                let svg_file = if inline || as_svg {
                    Some(render(ImageFormat::Svg)?)
                } else {
                    None
                };
                let svg = svg_file
                    .as_ref()
                    .filter(|_| inline)
                    .map(|b| String::from_utf8_lossy(&b.bytes).into_owned());
                let (file, extension) = match svg_file {
                    Some(f) if as_svg => (f, "svg"),
                    _ => (render(ImageFormat::Png)?, "png"),
                };
                let path = format!("plots/patients/{}.{extension}", patient.file_name);
                let notes = figure_warnings(&source, Some(patient.subject), &path, &file.warnings);
                Ok((
                    RenderedFigure {
                        kind: FigureKind::Patient,
                        path,
                        caption: patient.subject.to_string(),
                        bytes: file.bytes,
                        svg,
                    },
                    notes,
                ))
            })
            .collect();
        for d in drawn {
            match d {
                Ok((f, notes)) => {
                    figures.push(f);
                    warnings.extend(notes);
                }
                Err((subject, e)) => warnings.push(Warning {
                    subject: Some(subject.clone()),
                    ..warning(
                        &source,
                        None,
                        None,
                        "figure_failed",
                        Severity::Skipped,
                        format!("patient {subject}: figure not drawn: {e}"),
                    )
                }),
            }
        }
        let stems = crate::file_name::unique_stems(
            &kinds
                .iter()
                .map(|k| format!("{}_{}", k.matrix, k.assay))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        for ((k, idx), stem) in kinds.iter().zip(kind_idx.values()).zip(stems) {
            let mut draw = |kind: FigureKind, name: String, caption: String, fig| {
                push_figure(
                    &mut figures,
                    &mut warnings,
                    &source,
                    &k.label,
                    kind,
                    name,
                    caption,
                    fig,
                )
            };
            // A sparse matrix is drawn only when some patient has two or more samples to
            // join; single visits would give an empty spaghetti panel.
            let drawable = k.support == Support::FullNca
                || idx.iter().any(|&i| profiles[i].n_quantified() >= 2);
            if drawable {
                let plot = cohort_plot(&profiles, idx, &|s: &str| group_of(s).map(str::to_string));
                draw(
                    FigureKind::Cohort,
                    format!("cohort_{stem}"),
                    match k.support {
                        Support::FullNca => format!(
                            "{}: every patient, median and 5-95th percentile by group",
                            k.label
                        ),
                        Support::Visits => format!("{}: every patient's visits", k.label),
                    },
                    draw_both(&plot, &settings.plot),
                );
            }
            let preds: Vec<Prediction> = idx
                .iter()
                .flat_map(|&i| predictions[i].iter().copied())
                .collect();
            if !preds.is_empty() {
                let plot = gof_plot(&profiles[idx[0]], &preds);
                draw(
                    FigureKind::GoodnessOfFit,
                    format!("gof_{stem}"),
                    format!("{}: goodness of fit (reportable fits)", k.label),
                    draw_both(&plot, &settings.plot),
                );
            }
        }
    }

    if settings.figures {
        for (stem, fig) in endpoint_figures(&endpoints) {
            let caption = match &fig {
                EndpointFigure::KaplanMeier(p) => p.title.clone(),
                EndpointFigure::ExposureResponse(p) => p.title.clone(),
            };
            let drawn = draw_endpoint(&fig, &settings.plot);
            push_figure(
                &mut figures,
                &mut warnings,
                &source,
                "endpoints",
                FigureKind::Endpoint,
                stem,
                caption,
                drawn,
            );
        }
        let kind_label = series_label(
            &settings.endpoints.exposure.matrix,
            &settings.endpoints.exposure.assay,
        );
        let response_level = |s: &str| response_of(s).map(|v| v.trim().to_string());
        let by_group = |s: &str| group_of(s).map(|v| v.trim().to_string());
        let mut groupings: Vec<Grouping<'_>> = Vec::new();
        if response_col.is_some() {
            groupings.push((settings.response_column.clone(), &response_level));
        }
        if let Some(g) = settings.group_by.as_ref().filter(|_| group_col.is_some()) {
            if *g != settings.response_column {
                groupings.push((g.clone(), &by_group));
            }
        }
        for (stem, caption, plot) in
            exposure_by_group_plots(&estimates, settings, &kind_label, &groupings)
        {
            let drawn = draw_both(&plot, &settings.plot);
            push_figure(
                &mut figures,
                &mut warnings,
                &source,
                &kind_label,
                FigureKind::ExposureByGroup,
                stem,
                caption,
                drawn,
            );
        }
    }

    let (population, population_figures, population_warnings) = match population_thread {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        // No thread to be had: the same work, here.
        Err(_) => population_part(population_inputs()),
    };
    figures.extend(population_figures);
    warnings.extend(population_warnings);

    warnings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.kind.cmp(&b.kind))
    });
    let n_subjects = {
        let mut s: Vec<&str> = profiles.iter().map(|p| p.key.subject.as_str()).collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    Report {
        provenance: Provenance::default(),
        source,
        subjects_file: subjects.map(|t| t.file.clone()),
        nca,
        support,
        fits,
        fit_verdicts,
        predictions,
        kinds,
        n_subjects,
        summary,
        estimates,
        visits,
        exposure_response,
        tissue_ratios,
        endpoints,
        figures,
        warnings,
        subjects: subjects.cloned(),
        settings: settings.clone(),
        profiles,
        population,
    }
}

/// What the population part of [`analyse`] is given: owned, for its own thread.
type PopulationInputs = (
    Vec<Profile>,
    Vec<Kind>,
    Option<SubjectsTable>,
    crate::population_section::PopulationSettings,
    PlotOptions,
    bool,
    String,
);

/// The population fits of [`analyse`], with the figures and warnings they add.
fn population_part(
    (profiles, kinds, subjects, population, plot, draw_figures, source): PopulationInputs,
) -> (
    Vec<crate::population_section::PopulationResult>,
    Vec<RenderedFigure>,
    Vec<Warning>,
) {
    let (mut figures, mut warnings) = (Vec::new(), Vec::new());
    let fits = crate::population_section::population_fits(
        &profiles,
        &kinds,
        subjects.as_ref(),
        &population,
        &plot,
        draw_figures,
        &source,
        &mut figures,
        &mut warnings,
    );
    (fits, figures, warnings)
}

/// The subjects file's columns that no part of the analysis reads (they still pass through
/// to the tables): those the subjects reader does not know, less the endpoint analyses'
/// (time-to-event `*_time`/`*_event`/`*_status`, `*_grade`, `*_date`, response columns).
pub fn unrecognised_subject_columns<'t>(
    table: &'t SubjectsTable,
    settings: &Settings,
) -> Vec<&'t str> {
    let endpoint_column = |c: &str| {
        let c = c.to_ascii_lowercase();
        ["_time", "_event", "_status", "_grade", "_date"]
            .iter()
            .any(|s| c.ends_with(s))
            || settings
                .endpoints
                .response_columns
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&c))
    };
    table
        .unrecognised
        .iter()
        .map(String::as_str)
        .filter(|c| !endpoint_column(c))
        .collect()
}
