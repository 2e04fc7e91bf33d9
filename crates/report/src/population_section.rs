//! The population (SAEM) part of `cartpk run`: for every matrix x assay with rich sampling
//! and at least [`MIN_POPULATION_SUBJECTS`] subjects with a quantified sample after the
//! infusion, the population fit of the Stein 2019 model (docs/population.md) gives the
//! cohort's model results: the parameter table (typical value, omega^2 and CV%, covariate
//! effects, sigma, each with RSE%), the shrinkage, the individual estimates and the censored
//! VPC figure (with its BLQ-fraction panel). Below the threshold the per-profile fits stay
//! the model results, and a note says why.

use crate::analysis::{draw_both, push_figure, FigureKind, Kind, RenderedFigure};
use crate::html::{escape, figure, table, Table};
use crate::sampling::Support;
use crate::warnings::{Severity, Warning};
use cartpk_ck::population::report::{
    cohorts, fit_cohort_with_covariates, CohortFitOptions, PopulationTables,
    MIN_POPULATION_SUBJECTS,
};
use cartpk_ck::population::{CovariateSpec, PopulationModel};
use cartpk_core::{Profile, SubjectsTable};
use cartpk_plot::vpc::{VpcBin, VpcPercentile, VpcPlot};
use std::fmt::Write;

/// Settings of the population part of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSettings {
    /// Fit the population model where the cohort is large enough (default true).
    pub enabled: bool,
    /// Fewest subjects with a quantified sample after the infusion
    /// ([`MIN_POPULATION_SUBJECTS`] = 20).
    pub min_subjects: usize,
    /// Fit settings (seed 12345; the VPC and residual simulations use seed + 1 and + 2).
    pub options: CohortFitOptions,
    /// Covariate effects from the subjects file (none by default).
    pub covariates: Vec<CovariateSpec>,
}

impl Default for PopulationSettings {
    fn default() -> Self {
        PopulationSettings {
            enabled: true,
            min_subjects: MIN_POPULATION_SUBJECTS,
            options: CohortFitOptions::with_seed(
                cartpk_ck::population::SaemOptions::default().seed,
            ),
            covariates: Vec::new(),
        }
    }
}

/// One cohort's population fit, with its display label (`blood qPCR`).
#[derive(Debug, Clone)]
pub struct PopulationResult {
    /// The matrix x assay label.
    pub label: String,
    /// The tables of the fit.
    pub tables: PopulationTables,
    /// Path of the VPC figure (`plots/vpc_<matrix>_<assay>.png`), when drawn.
    pub vpc_figure: Option<String>,
}

fn note(source: &str, kind: &str, severity: Severity, message: String) -> Warning {
    Warning {
        file: source.to_string(),
        line: None,
        subject: None,
        matrix: None,
        assay: None,
        kind: kind.to_string(),
        severity,
        message,
    }
}

/// Fits every eligible cohort (rich kinds only: a matrix sampled a few times per patient
/// identifies little beyond Cmax) and draws its VPC. A cohort whose fit fails becomes a
/// warning; the others go on.
#[allow(clippy::too_many_arguments)]
pub fn population_fits(
    profiles: &[Profile],
    kinds: &[Kind],
    subjects: Option<&SubjectsTable>,
    settings: &PopulationSettings,
    plot: &cartpk_plot::PlotOptions,
    draw_figures: bool,
    source: &str,
    figures: &mut Vec<RenderedFigure>,
    warnings: &mut Vec<Warning>,
) -> Vec<PopulationResult> {
    if !settings.enabled {
        return Vec::new();
    }
    let rich: Vec<&Kind> = kinds
        .iter()
        .filter(|k| k.support == Support::FullNca)
        .collect();
    let pooled: Vec<Profile> = profiles
        .iter()
        .filter(|p| {
            rich.iter()
                .any(|k| k.matrix == p.key.matrix.label() && k.assay == p.key.assay.label())
        })
        .cloned()
        .collect();
    let (cs, left_out) = cohorts(&pooled, settings.min_subjects);
    for w in left_out {
        warnings.push(note(source, "population_not_fitted", Severity::Note, w));
    }
    let model = PopulationModel::stein2019();
    let mut out = Vec::new();
    for c in &cs {
        let label = rich
            .iter()
            .find(|k| k.matrix == c.matrix && k.assay == c.assay)
            .map_or_else(|| format!("{} {}", c.matrix, c.assay), |k| k.label.clone());
        match fit_cohort_with_covariates(
            c,
            &model,
            &settings.covariates,
            subjects,
            &settings.options,
        ) {
            Ok(tables) => {
                for w in &tables.warnings {
                    warnings.push(note(
                        source,
                        "population_fit_warning",
                        Severity::Note,
                        format!("{label}: population fit: {w}"),
                    ));
                }
                let mut vpc_figure = None;
                if draw_figures {
                    let name = format!(
                        "vpc_{}",
                        crate::file_name::file_stem(&format!("{}_{}", c.matrix, c.assay))
                    );
                    let n_before = figures.len();
                    push_figure(
                        figures,
                        warnings,
                        source,
                        &label,
                        FigureKind::PopulationVpc,
                        name,
                        format!(
                            "{label}: censored visual predictive check of the population fit ({} subjects)",
                            tables.n_subjects
                        ),
                        draw_both(&vpc_plot(&tables, &label), plot),
                    );
                    vpc_figure = figures[n_before..].first().map(|f| f.path.clone());
                }
                out.push(PopulationResult {
                    label,
                    tables,
                    vpc_figure,
                });
            }
            Err(e) => warnings.push(note(
                source,
                "population_fit_failed",
                Severity::Skipped,
                format!("{label}: population fit failed: {e}; per-profile fits only"),
            )),
        }
    }
    out
}

/// The VPC figure of a fit.
pub fn vpc_plot(t: &PopulationTables, label: &str) -> VpcPlot {
    let mut percentiles: Vec<VpcPercentile> = Vec::new();
    let mut blq = Vec::new();
    for r in &t.vpc {
        let bin = VpcBin {
            time: r.time_day,
            observed: r.observed,
            median: r.simulated_median,
            low: r.simulated_low,
            high: r.simulated_high,
        };
        match r.percentile {
            Some(p) => match percentiles.iter_mut().find(|v| v.percentile == p) {
                Some(v) => v.bins.push(bin),
                None => percentiles.push(VpcPercentile {
                    percentile: p,
                    bins: vec![bin],
                }),
            },
            None => blq.push(bin),
        }
    }
    let lloq = t
        .residuals
        .iter()
        .filter_map(|r| r.row.lloq)
        .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.min(l))));
    VpcPlot {
        title: format!("{label}: visual predictive check (population fit)"),
        y_label: format!("Concentration [{}]", t.key.conc_unit),
        lloq,
        percentiles,
        blq,
        interval_percent: 90.0,
    }
}

/// Three significant figures, the notation chosen per value (a parameter table mixes
/// Cmax in the tens of thousands with FB in the thousandths).
fn num(v: Option<f64>) -> String {
    let n = crate::format::notation(&v.into_iter().collect::<Vec<_>>());
    crate::format::sig3(v, n)
}

fn rse(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() && x > 1000.0 => ">1000".into(),
        Some(x) if x.is_finite() => format!("{x:.1}"),
        _ => "NA".into(),
    }
}

/// The report section: one parameter table, shrinkage and the VPC per fitted cohort.
pub fn population_html(results: &[PopulationResult], figures: &[RenderedFigure]) -> String {
    let mut out = String::new();
    if results.is_empty() {
        return out;
    }
    out.push_str("<section id=\"population\"><h2>Population model (SAEM)</h2>");
    let _ = write!(
        out,
        "<p class=\"note\">Where a matrix x assay has at least {MIN_POPULATION_SUBJECTS} subjects with a quantified sample after the infusion, the cohort's model results come from a population fit of the Stein 2019 model: SAEM as Monolix runs it, BLQ samples as censored (M3), log-normal random effects (logit-normal for FB), RSE% from the Fisher information (Louis' method), -2LL by importance sampling. Individual estimates are conditional modes that borrow strength from the cohort (docs/population.md).</p>"
    );
    for r in results {
        let t = &r.tables;
        let _ = write!(
            out,
            "<h3>{}</h3><p class=\"sub\">{} subjects, {} observations; -2LL {:.1}, AIC {:.1}, BIC {:.1}</p>",
            escape(&r.label),
            t.n_subjects,
            t.n_observations,
            t.neg2ll,
            t.aic,
            t.bic
        );
        let with_covariates = t.parameters.iter().any(|p| p.kind == "covariate");
        let rows = t
            .parameters
            .iter()
            .map(|p| {
                let mut row = vec![
                    p.parameter.clone(),
                    p.kind.to_string(),
                    num(Some(p.estimate)),
                    p.unit.clone(),
                    rse(p.rse_percent),
                    num(p.omega2),
                    rse(p.omega2_rse_percent),
                    p.cv_percent.map_or("NA".into(), |c| format!("{c:.0}")),
                ];
                if with_covariates {
                    row.push(match (p.ratio, p.ci95_low, p.ci95_high) {
                        (Some(ratio), Some(lo), Some(hi)) => format!(
                            "{} ({}-{})",
                            num(Some(ratio)),
                            num(Some(lo.exp())),
                            num(Some(hi.exp()))
                        ),
                        (Some(ratio), _, _) => num(Some(ratio)),
                        _ => String::new(),
                    });
                }
                row
            })
            .collect();
        let mut header: Vec<String> = [
            "parameter",
            "kind",
            "estimate",
            "unit",
            "RSE [%]",
            "omega\u{b2}",
            "omega\u{b2} RSE [%]",
            "CV [%]",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if with_covariates {
            header.push("covariate ratio (95% CI)".into());
        }
        table(
            &mut out,
            &Table {
                id: format!("population-{}-{}", t.key.matrix, t.key.assay),
                caption: format!("{}: population parameters", r.label),
                header,
                rows,
                note: Some(
                    "Typical values on the natural scale; omega^2 on the transformed (log, logit for FB) scale; sigma: residual SD of ln C. A covariate effect multiplies the typical value by the ratio exp(beta). NA: not estimated (e.g. a Fisher information that is not positive definite).".into(),
                ),
            },
        );
        table(
            &mut out,
            &Table {
                id: format!("population-shrinkage-{}-{}", t.key.matrix, t.key.assay),
                caption: format!("{}: shrinkage", r.label),
                header: vec!["parameter".into(), "kind".into(), "shrinkage [%]".into()],
                rows: t
                    .shrinkage
                    .iter()
                    .map(|s| {
                        vec![
                            s.parameter.clone(),
                            s.kind.to_string(),
                            format!("{:.0}", s.shrinkage_percent),
                        ]
                    })
                    .collect(),
                note: Some(
                    "eta-shrinkage 1 - SD(eta mode)/omega; above 30% the individual estimates of that parameter lean on the population (Savic & Karlsson 2009).".into(),
                ),
            },
        );
        out.push_str("<details><summary>Individual estimates (conditional modes)</summary>");
        let names = &t.model_parameters;
        let cols: Vec<Vec<String>> = (0..names.len())
            .map(|j| {
                crate::format::column(
                    &t.individuals
                        .iter()
                        .map(|i| i.mode.get(j).copied())
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        table(
            &mut out,
            &Table {
                id: format!("population-individual-{}-{}", t.key.matrix, t.key.assay),
                caption: format!("{}: individual estimates (population fit)", r.label),
                header: ["subject", "observations", "BLQ", "local modes"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(names.iter().map(|(n, u)| {
                        format!(
                            "{n} [{}]",
                            cartpk_ck::population::report::unit_of(u, &t.key.conc_unit)
                        )
                    }))
                    .collect(),
                rows: t
                    .individuals
                    .iter()
                    .enumerate()
                    .map(|(k, i)| {
                        [
                            i.subject.clone(),
                            i.n_obs.to_string(),
                            i.n_blq.to_string(),
                            i.local_modes.to_string(),
                        ]
                        .into_iter()
                        .chain(cols.iter().map(|c| c[k].clone()))
                        .collect()
                    })
                    .collect(),
                note: Some(
                    "Conditional modes given the population parameters (the better of several local optima when a patient's posterior has more than one). Files: population_parameters.csv, population_individual.csv, population_shrinkage.csv, population_vpc.csv, population_residuals.csv.".into(),
                ),
            },
        );
        out.push_str("</details>");
        if let Some(f) = r
            .vpc_figure
            .as_ref()
            .and_then(|p| figures.iter().find(|f| &f.path == p))
        {
            figure(&mut out, f);
        }
    }
    out.push_str("</section>");
    out
}

/// The population tables of `cartpk run`, by `cartpk fit --population`'s writers
/// (cartpk-printer, same columns): population_parameters.csv, population_individual.csv,
/// population_shrinkage.csv, population_vpc.csv, population_residuals.csv. None when no
/// cohort was fitted.
pub fn population_files(results: &[PopulationResult]) -> Vec<(String, Vec<u8>)> {
    if results.is_empty() {
        return Vec::new();
    }
    use cartpk_printer::population as print;
    let fits: Vec<PopulationTables> = results.iter().map(|r| r.tables.clone()).collect();
    vec![
        (
            "population_parameters.csv".into(),
            print::parameters_csv(&fits),
        ),
        (
            "population_individual.csv".into(),
            print::individual_csv(&fits),
        ),
        (
            "population_shrinkage.csv".into(),
            print::shrinkage_csv(&fits),
        ),
        ("population_vpc.csv".into(), print::vpc_csv(&fits)),
        (
            "population_residuals.csv".into(),
            print::residuals_csv(&fits),
        ),
    ]
}
