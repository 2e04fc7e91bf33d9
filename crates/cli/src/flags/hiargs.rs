//! The resolved configuration of a run: every flag parsed, validated and turned into the
//! library crates' option types. Errors here name the flag and what it expects; they are
//! usage errors (exit code 2, as clap's own). Files named by flags are read by the command,
//! not here, so that a bad file is a run error (exit code 1).

use super::lowargs::{Format, InputArgs, NcaArgs};
use anyhow::{anyhow, bail, Context, Result};
use cartpk_core::ingest::{ColumnMapping, IngestOptions};
use cartpk_core::{ConcUnit, TimeUnit};
use cartpk_nca::{AucMethod, BlqRule, BlqRules, Interval, LambdaZRule, NcaOptions};
use cartpk_report::Settings;
use std::path::PathBuf;

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outputs {
    /// Long and wide CSV.
    pub csv: bool,
    /// With `csv`, the long CSV too (`cartpk nca --no-long` leaves it out).
    pub long: bool,
    /// JSON.
    pub json: bool,
}

/// The dose given on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultDose {
    /// Amount.
    pub amount: f64,
    /// Unit.
    pub unit: String,
}

/// Everything `cartpk nca` needs.
#[derive(Debug, Clone)]
pub struct NcaConfig {
    /// The input file.
    pub input: PathBuf,
    /// How to read it.
    pub ingest: IngestOptions,
    /// The analysis rules.
    pub nca: NcaOptions,
    /// File of manual lambda_z choices, read when the command runs.
    pub overrides: Option<PathBuf>,
    /// Dose for profiles without one.
    pub dose: Option<DefaultDose>,
    /// Output directory.
    pub out_dir: PathBuf,
    /// Output formats.
    pub outputs: Outputs,
    /// Threads, `None` for every core.
    pub threads: Option<usize>,
    /// Errors only.
    pub quiet: bool,
}

/// Resolves the input flags shared by commands that read an assay CSV.
pub fn ingest_options(args: &InputArgs) -> Result<IngestOptions> {
    let mut columns = ColumnMapping::default();
    for spec in &args.columns {
        columns
            .extend_from(spec)
            .map_err(|e| anyhow!("--columns: {e}"))?;
    }
    let time_unit: TimeUnit = args
        .time_unit
        .parse()
        .map_err(|e| anyhow!("--time-unit: {e}"))?;
    let unit = match &args.unit {
        Some(u) => Some(
            ConcUnit::parse(u)
                .ok_or_else(|| anyhow!("--unit: expected a unit, found an empty string"))?,
        ),
        None => None,
    };
    let (delimiter, detect_delimiter) = match args.delimiter.as_deref() {
        None => (b',', true),
        Some("\\t" | "tab") => (b'\t', false),
        Some(d) if d.len() == 1 => (d.as_bytes()[0], false),
        Some(d) => bail!("--delimiter: expected a single character (or \\t), found '{d}'"),
    };
    let label = |flag: &str, v: &Option<String>| -> Result<Option<String>> {
        match v.as_deref().map(str::trim) {
            Some("") => bail!("--{flag}: expected a non-empty value"),
            other => Ok(other.map(str::to_string)),
        }
    };
    let matrix = match label("matrix", &args.matrix)? {
        Some(m) => Some(cartpk_core::Matrix::parse(&m).ok_or_else(|| {
            anyhow!("--matrix: expected a matrix with letters or digits, found '{m}'")
        })?),
        None => None,
    };
    let assay = match label("assay", &args.assay)? {
        Some(a) => Some(cartpk_core::Assay::parse(&a).ok_or_else(|| {
            anyhow!("--assay: expected an assay with letters or digits, found '{a}'")
        })?),
        None => None,
    };
    let limit = |flag: &str, v: Option<f64>| -> Result<Option<f64>> {
        use cartpk_core::ingest::{VALUE_MAX, VALUE_MIN_POSITIVE};
        match v {
            Some(x) if (VALUE_MIN_POSITIVE..=VALUE_MAX).contains(&x) => Ok(Some(x)),
            Some(x) => bail!(
                "--{flag}: expected a value between {VALUE_MIN_POSITIVE:e} and {VALUE_MAX:e}, found {x}"
            ),
            None => Ok(None),
        }
    };
    Ok(IngestOptions {
        columns,
        time_unit: Some(time_unit),
        unit,
        delimiter,
        detect_delimiter,
        decimal_comma: args.decimal_comma,
        subject: label("subject", &args.subject)?,
        matrix,
        assay,
        lloq: limit("lloq", args.lloq)?,
        uloq: limit("uloq", args.uloq)?,
    })
}

/// Resolves the NCA rule flags (`--auc-method`, `--interval`, `--blq-*`, `--lambda-z-*`).
pub fn nca_options(args: &super::lowargs::NcaRuleArgs) -> Result<NcaOptions> {
    let auc_method: AucMethod = args
        .auc_method
        .parse()
        .map_err(|e| anyhow!("--auc-method: {e}"))?;
    let intervals = if args.intervals.is_empty() {
        NcaOptions::default().intervals
    } else {
        args.intervals
            .iter()
            .map(|s| {
                s.parse::<Interval>()
                    .map_err(|e| anyhow!("--interval: {e}"))
            })
            .collect::<Result<Vec<_>>>()?
    };
    // A repeated interval would give repeated columns.
    let mut intervals = intervals;
    let mut seen = Vec::new();
    intervals.retain(|i| {
        let new = !seen.contains(i);
        seen.push(*i);
        new
    });
    let blq = BlqRules {
        before_first: blq_rule("blq-before-first", &args.blq_before_first)?,
        between: blq_rule("blq-between", &args.blq_between)?,
        after_last: blq_rule("blq-after-last", &args.blq_after_last)?,
    };
    if args.lambda_z_min_points < 3 {
        bail!(
            "--lambda-z-min-points: expected at least 3 (adjusted R2 needs n > 2), found {}",
            args.lambda_z_min_points
        );
    }
    if !(args.lambda_z_adj_r2_factor >= 0.0 && args.lambda_z_adj_r2_factor.is_finite()) {
        bail!(
            "--lambda-z-adj-r2-factor: expected a number >= 0, found {}",
            args.lambda_z_adj_r2_factor
        );
    }
    Ok(NcaOptions {
        auc_method,
        blq,
        lambda_z: LambdaZRule {
            min_points: args.lambda_z_min_points,
            adj_r2_factor: args.lambda_z_adj_r2_factor,
            ..LambdaZRule::default()
        },
        intervals,
        start: args
            .auc_start
            .parse()
            .map_err(|e| anyhow!("--auc-start: {e}"))?,
        ..NcaOptions::default()
    })
}

fn blq_rule(flag: &str, text: &str) -> Result<BlqRule> {
    text.parse().map_err(|e| anyhow!("--{flag}: {e}"))
}

impl NcaConfig {
    /// Validates `cartpk nca` flags and reads the overrides file if one is given.
    pub fn from_args(args: NcaArgs) -> Result<NcaConfig> {
        let ingest = ingest_options(&args.input)?;
        let nca = nca_options(&args.rules)?;
        let dose = match args.dose {
            Some(d) if d > 0.0 && d.is_finite() => Some(DefaultDose {
                amount: d,
                unit: args.dose_unit.clone(),
            }),
            Some(d) => bail!("--dose: expected an amount > 0, found {d}"),
            None => None,
        };
        if args.threads == Some(0) {
            bail!("--threads: expected at least 1");
        }
        Ok(NcaConfig {
            input: args.input.input,
            ingest,
            nca,
            overrides: args.lambda_z_overrides,
            dose,
            out_dir: args.out,
            outputs: Outputs {
                csv: matches!(args.format, Format::Csv | Format::All),
                long: !args.no_long,
                json: matches!(args.format, Format::Json | Format::All),
            },
            threads: args.threads,
            quiet: args.quiet,
        })
    }
}

/// Everything `cartpk fit` needs.
#[derive(Debug, Clone)]
pub struct FitConfig {
    /// The input file.
    pub input: PathBuf,
    /// How to read it.
    pub ingest: IngestOptions,
    /// The model (`--model`, resolved by `cartpk_ck::by_name`).
    pub model: cartpk_ck::SharedModel,
    /// Estimation settings.
    pub fit: cartpk_ck::FitOptions,
    /// Output directory.
    pub out_dir: PathBuf,
    /// Output formats.
    pub outputs: Outputs,
    /// The population fit (`--population`), `None` without it.
    pub population: Option<PopulationConfig>,
    /// Threads, `None` for every core.
    pub threads: Option<usize>,
    /// Errors only.
    pub quiet: bool,
}

/// The population fit's settings.
#[derive(Debug, Clone)]
pub struct PopulationConfig {
    /// SAEM, VPC and residual settings (seeds derived from `--seed`).
    pub options: cartpk_ck::population::report::CohortFitOptions,
    /// Fewest eligible subjects per matrix x assay.
    pub min_subjects: usize,
    /// Covariate effects (`--covariate`).
    pub covariates: Vec<cartpk_ck::population::CovariateSpec>,
    /// The subjects file holding their columns (`--subjects`).
    pub subjects: Option<PathBuf>,
}

impl FitConfig {
    /// Validates `cartpk fit` flags.
    pub fn from_args(args: super::lowargs::FitArgs) -> Result<FitConfig> {
        let ingest = ingest_options(&args.input)?;
        let (model, fit) = model_fit(&args.model)?;
        let blq = fit.blq;
        if args.threads == Some(0) {
            bail!("--threads: expected at least 1");
        }
        if args.k2 == 0 {
            bail!("--k2: expected at least 1 smoothing iteration");
        }
        if args.min_subjects < 2 {
            bail!("--min-subjects: expected at least 2");
        }
        let covariates = args
            .covariates
            .iter()
            .map(|c| c.parse::<cartpk_ck::population::CovariateSpec>())
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| anyhow!("--covariate {e}"))?;
        if !covariates.is_empty() && args.subjects.is_none() {
            bail!("--covariate: needs --subjects FILE, the subjects file holding the covariate columns");
        }
        let subjects = args.subjects;
        let population = args.population.then(|| {
            let mut options = cartpk_ck::population::report::CohortFitOptions::with_seed(args.seed);
            options.saem.exploratory = args.k1;
            options.saem.smoothing = args.k2;
            options.saem.blq = blq;
            PopulationConfig {
                options,
                min_subjects: args.min_subjects,
                covariates,
                subjects,
            }
        });
        Ok(FitConfig {
            population,
            input: args.input.input,
            ingest,
            model,
            fit,
            out_dir: args.out,
            outputs: Outputs {
                csv: matches!(args.format, Format::Csv | Format::All),
                long: true,
                json: matches!(args.format, Format::Json | Format::All),
            },
            threads: args.threads,
            quiet: args.quiet,
        })
    }
}

/// The model and the fit options of the model flags (`fit`, `plot` and `run` alike).
fn model_fit(
    a: &super::lowargs::ModelArgs,
) -> Result<(cartpk_ck::SharedModel, cartpk_ck::FitOptions)> {
    let model = cartpk_ck::by_name(&a.model).map_err(|e| anyhow!("--model: {e}"))?;
    let blq = a.fit_blq.parse().map_err(|e| anyhow!("--fit-blq: {e}"))?;
    if !(a.sigma_min > 0.0 && a.sigma_min.is_finite()) {
        bail!("--sigma-min: expected a number > 0, found {}", a.sigma_min);
    }
    cartpk_ck::fit::ridge::check_tol(a.ridge_tol).map_err(|e| anyhow!("--ridge-tol: {e}"))?;
    let fit = cartpk_ck::FitOptions {
        blq,
        sigma_min: a.sigma_min,
        include_baseline: a.fit_baseline,
        ridge_tol: a.ridge_tol,
        ..cartpk_ck::FitOptions::default()
    };
    Ok((cartpk_ck::SharedModel(model), fit))
}

/// Everything `cartpk simulate` needs.
#[derive(Debug, Clone)]
pub struct SimulateConfig {
    /// Output CSV.
    pub out: PathBuf,
    /// The cohort.
    pub spec: cartpk_ck::simulate::CohortSpec,
    /// Flat dose, CAR+ cells, for the subjects file.
    pub dose_cells: f64,
    /// Which scheduled samples are kept (`--full-schedule`).
    pub sampling: cartpk_ck::simulate::TrialSampling,
    /// Errors only.
    pub quiet: bool,
}

impl SimulateConfig {
    /// Validates `cartpk simulate` flags into a cohort specification.
    pub fn from_args(args: super::lowargs::SimulateArgs) -> Result<SimulateConfig> {
        use cartpk_ck::simulate::{CohortSpec, SamplingArm, Typical, SEED_TRIAL_DAYS};
        if args.n_subjects == 0 {
            bail!("--n-subjects: expected at least 1");
        }
        if !(args.sigma >= 0.0 && args.sigma.is_finite()) {
            bail!("--sigma: expected a number >= 0, found {}", args.sigma);
        }
        if !(args.variability >= 0.0 && args.variability.is_finite()) {
            bail!(
                "--variability: expected a number >= 0, found {}",
                args.variability
            );
        }
        if !(args.lloq > 0.0 && args.lloq.is_finite()) {
            bail!("--lloq: expected a number > 0, found {}", args.lloq);
        }
        let mut spec = CohortSpec::published(args.n_subjects, args.seed);
        spec.sigma = args.sigma;
        spec.subject_prefix = args.prefix.clone();
        let o = spec.omega2;
        let f = args.variability;
        spec.omega2 = Typical {
            cmax: o.cmax * f,
            foldx: o.foldx * f,
            tmax: o.tmax * f,
            alpha: o.alpha * f,
            beta: o.beta * f,
            fb: o.fb * f,
        };
        let arm = |matrix: &str, times: Vec<f64>, scale: f64, availability: f64| SamplingArm {
            matrix: matrix.to_string(),
            assay: "qpcr".to_string(),
            unit: "copies/ug".to_string(),
            times,
            lloq: args.lloq,
            scale,
            availability,
            max_value: None,
        };
        spec.arms.clear();
        for m in args
            .matrices
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            spec.arms.push(match m.to_ascii_lowercase().as_str() {
                "blood" => arm("blood", SEED_TRIAL_DAYS.to_vec(), 1.0, 1.0),
                "flow" => SamplingArm::blood_flow(SEED_TRIAL_DAYS.to_vec(), 1e-3),
                // Marrow levels are of the order of blood's (half, here); CSF an order
                // lower and sampled in some patients only.
                "marrow" => arm("marrow", vec![28.0, 84.0, 168.0], 0.5, 1.0),
                "csf" => arm("csf", vec![28.0], 0.1, 0.6),
                other => {
                    bail!(
                        "--matrices: unknown matrix '{other}'; expected blood, flow, marrow or csf"
                    )
                }
            });
        }
        if spec.arms.is_empty() {
            bail!("--matrices: expected at least one of blood, flow, marrow, csf");
        }
        if !(args.dose > 0.0 && args.dose.is_finite()) {
            bail!(
                "--dose: expected a number of CAR+ cells > 0, found {}",
                args.dose
            );
        }
        Ok(SimulateConfig {
            out: args.out,
            spec,
            dose_cells: args.dose,
            sampling: cartpk_ck::simulate::TrialSampling::full_schedule(args.full_schedule),
            quiet: args.quiet,
        })
    }
}

/// Everything `cartpk plot` needs.
#[derive(Debug, Clone)]
pub struct PlotConfig {
    /// The input file.
    pub input: PathBuf,
    /// How to read it.
    pub ingest: IngestOptions,
    /// Output directory.
    pub out_dir: PathBuf,
    /// Formats to write.
    pub formats: Vec<cartpk_plot::ImageFormat>,
    /// The analysis settings (NCA rules, fit, sampling rule, figure size).
    pub settings: Settings,
    /// File of manual lambda_z choices, read when the command runs.
    pub overrides: Option<PathBuf>,
    /// Subjects file and grouping column.
    pub groups: Option<(PathBuf, String)>,
    /// Threads, `None` for every core.
    pub threads: Option<usize>,
    /// No progress bar, no summary.
    pub quiet: bool,
}

impl PlotConfig {
    /// Validates `cartpk plot` flags.
    pub fn from_args(args: super::lowargs::PlotArgs) -> Result<PlotConfig> {
        use super::lowargs::ImageFormats;
        use cartpk_plot::ImageFormat;
        let ingest = ingest_options(&args.input)?;
        for (flag, v) in [
            ("--width-in", args.width_in),
            ("--height-in", args.height_in),
        ] {
            if !(v > 0.0 && v <= 40.0) {
                bail!("{flag}: expected inches between 0 and 40, found {v}");
            }
        }
        if !(args.dpi >= 10.0 && args.dpi <= 1200.0) {
            bail!("--dpi: expected 10 to 1200, found {}", args.dpi);
        }
        if args.threads == Some(0) {
            bail!("--threads: expected at least 1");
        }
        let formats = match args.format {
            ImageFormats::Png => vec![ImageFormat::Png],
            ImageFormats::Svg => vec![ImageFormat::Svg],
            ImageFormats::Both => vec![ImageFormat::Png, ImageFormat::Svg],
        };
        let mut settings = settings(&args.rules, &args.analysis)?;
        settings.fit_model = args.fit;
        settings.plot = cartpk_plot::PlotOptions {
            width_in: args.width_in,
            height_in: args.height_in,
            dpi: args.dpi,
        };
        settings.group_by = args.group_by.clone();
        Ok(PlotConfig {
            input: args.input.input,
            ingest,
            out_dir: args.out,
            formats,
            settings,
            overrides: args.analysis.lambda_z_overrides,
            groups: args.subjects.zip(args.group_by),
            threads: args.threads,
            quiet: args.quiet,
        })
    }
}

/// The analysis settings from the NCA rule flags and the analysis flags, on top of the
/// library's defaults (`cartpk_report::Settings::default()`).
pub fn settings(
    rules: &super::lowargs::NcaRuleArgs,
    a: &super::lowargs::AnalysisArgs,
) -> Result<Settings> {
    let mut s = Settings {
        nca: nca_options(rules)?,
        ..Settings::default()
    };
    s.default_dose = match a.dose {
        Some(d) if d > 0.0 && d.is_finite() => Some(cartpk_core::Dose {
            amount: d,
            unit: a.dose_unit.clone(),
        }),
        Some(d) => bail!("--dose: expected an amount > 0, found {d}"),
        None => None,
    };
    (s.model, s.fit) = model_fit(&a.model)?;
    if a.min_adj_r_squared.is_nan() || a.min_adj_r_squared > 1.0 {
        bail!(
            "--min-adj-r-squared: expected a number <= 1, found {}",
            a.min_adj_r_squared
        );
    }
    if !(a.min_span_half_lives >= 0.0 && a.min_span_half_lives.is_finite()) {
        bail!(
            "--min-span-half-lives: expected a number >= 0, found {}",
            a.min_span_half_lives
        );
    }
    if !(a.max_aucpext_pct >= 0.0 && a.max_aucpext_pct <= 100.0) {
        bail!(
            "--max-aucpext-pct: expected a percentage 0-100, found {}",
            a.max_aucpext_pct
        );
    }
    s.criteria = cartpk_report::AcceptanceCriteria {
        min_adj_r_squared: a.min_adj_r_squared,
        min_span_half_lives: a.min_span_half_lives,
        max_aucpext_pct: a.max_aucpext_pct,
    };
    s.sampling.min_times = a.rich_min_samples;
    s.sampling.min_expansion_times = a.rich_min_expansion_samples;
    Ok(s)
}

/// Everything `cartpk run` needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The assay file.
    pub input: PathBuf,
    /// How to read it.
    pub ingest: IngestOptions,
    /// The subjects file.
    pub subjects: Option<PathBuf>,
    /// File of manual lambda_z choices, read when the command runs.
    pub overrides: Option<PathBuf>,
    /// Output directory.
    pub out_dir: PathBuf,
    /// Every analysis setting.
    pub settings: Settings,
    /// The command line, for the report's provenance.
    pub command_line: String,
    /// Threads, `None` for every core.
    pub threads: Option<usize>,
    /// Errors only.
    pub quiet: bool,
}

impl RunConfig {
    /// Validates `cartpk run` flags.
    pub fn from_args(args: super::lowargs::RunArgs) -> Result<RunConfig> {
        let ingest = ingest_options(&args.input)?;
        if args.threads == Some(0) {
            bail!("--threads: expected at least 1");
        }
        let mut settings = settings(&args.rules, &args.analysis)?;
        settings.population.enabled = args.population_min_subjects > 0;
        settings.population.min_subjects = args.population_min_subjects.max(2);
        settings.population.covariates = args
            .covariates
            .iter()
            .map(|c| c.parse::<cartpk_ck::population::CovariateSpec>())
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| anyhow!("--covariate {e}"))?;
        if let Some(list) = &args.responders {
            let set = cartpk_report::response::ResponderSet::parse(list);
            if set.responders.is_empty() {
                bail!("--responders: expected at least one value, e.g. CR,CRi");
            }
            settings.responders = set.responders.iter().cloned().collect();
            settings.endpoints.responders = set;
        }
        if let Some(c) = args.response_column {
            settings.endpoints.response_columns = vec![c.clone()];
            settings.response_column = c;
        }
        if let Some(m) = &args.response_ci {
            settings.endpoints.ci_method = cartpk_report::response::CiMethod::parse(m)
                .with_context(|| {
                    format!(
                        "--response-ci '{m}': expected clopper-pearson, wilson, jeffreys or mid-p"
                    )
                })?;
        }
        settings.group_by = args.group_by;
        settings.inline_patient_limit = args.inline_patients;
        settings.patient_figures = cartpk_report::settings::PatientFigures::parse(
            &args.patient_figures,
        )
        .with_context(|| {
            format!(
                "--patient-figures '{}': expected auto, png or svg",
                args.patient_figures
            )
        })?;
        Ok(RunConfig {
            input: args.input.input,
            ingest,
            subjects: args.subjects,
            overrides: args.analysis.lambda_z_overrides,
            out_dir: args.out,
            settings,
            command_line: command_line(),
            threads: args.threads,
            quiet: args.quiet,
        })
    }
}

/// The command line as typed, each argument quoted for a POSIX shell where needed.
pub fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c))
            {
                a
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::lowargs::{Command, LowArgs};
    use clap::Parser;

    fn run_config(args: &[&str]) -> RunConfig {
        let argv = ["cartpk", "run", "in.csv", "--out", "out"]
            .iter()
            .chain(args);
        match LowArgs::try_parse_from(argv).unwrap().command {
            Command::Run(a) => RunConfig::from_args(a).unwrap(),
            _ => unreachable!("parsed a run command"),
        }
    }

    /// One settings value: the command line's defaults are the library's.
    #[test]
    fn run_defaults_are_the_library_defaults() {
        let s = run_config(&[]).settings;
        let d = Settings::default();
        assert_eq!(s.nca, d.nca);
        assert_eq!(s.criteria, d.criteria);
        assert_eq!(s.sampling, d.sampling);
        assert_eq!(s.fit.blq, d.fit.blq);
        assert_eq!(s.fit.sigma_min, d.fit.sigma_min);
        assert_eq!(s.responders, d.responders);
        assert_eq!(s.response_column, d.response_column);
        assert_eq!(s.inline_patient_limit, d.inline_patient_limit);
        assert!(s.default_dose.is_none() && s.group_by.is_none());
    }

    #[test]
    fn run_takes_every_option_that_changes_a_number() {
        let s = run_config(&[
            "--dose",
            "2e6",
            "--dose-unit",
            "cells/kg",
            "--fit-blq",
            "m1",
            "--min-adj-r-squared",
            "0.9",
            "--max-aucpext-pct",
            "25",
            "--interval",
            "0-14",
            "--blq-after-last",
            "drop",
            "--group-by",
            "crs_grade",
        ])
        .settings;
        assert_eq!(s.default_dose.unwrap().amount, 2e6);
        assert_eq!(s.fit.blq, cartpk_ck::BlqMethod::M1);
        assert_eq!(s.criteria.min_adj_r_squared, 0.9);
        assert_eq!(s.criteria.max_aucpext_pct, 25.0);
        assert_eq!(
            s.nca.intervals,
            vec![Interval {
                start: 0.0,
                end: 14.0
            }]
        );
        assert_eq!(s.nca.blq.after_last, BlqRule::Drop);
        assert_eq!(s.group_by.as_deref(), Some("crs_grade"));
    }
}
