//! The command line as the user typed it: clap parses argv into these plain structs. No
//! validation beyond types happens here; [`super::hiargs`] turns them into a resolved
//! configuration.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// cartpk: cellular kinetics of CAR-T cell therapies, from assay CSV to exposure metrics.
#[derive(Debug, Parser)]
#[command(name = "cartpk", version, about, long_about = None, propagate_version = true)]
pub struct LowArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Non-compartmental analysis (Cmax, Tmax, AUC0-28d, lambda_z, half-life...) per
    /// subject x matrix x assay, matching PKNCA.
    Nca(NcaArgs),
    /// Fit a mechanistic CK model (Stein 2019) to every subject x matrix x assay by maximum
    /// likelihood, BLQ as censored data (M3).
    Fit(FitArgs),
    /// Simulate a virtual CAR-T cohort from the Stein 2019 model to a CSV in the input
    /// format.
    Simulate(SimulateArgs),
    /// Per-patient PK plots (log10 axis, BLQ at the LLOQ, Cmax, AUC0-28d window), cohort
    /// spaghetti plots with median and 5-95th percentile band, and with --fit the model
    /// curves and goodness-of-fit plots. PNG and/or SVG.
    Plot(PlotArgs),
    /// The whole analysis in one command: NCA, model fits, plots, cohort summary tables,
    /// exposure-response and a self-contained report.html.
    Run(RunArgs),
}

/// Image formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImageFormats {
    /// PNG only.
    Png,
    /// SVG only.
    Svg,
    /// PNG and SVG.
    Both,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Long CSV (one row per parameter) and wide CSV (one row per profile).
    Csv,
    /// JSON (one object per profile).
    Json,
    /// CSV and JSON.
    All,
}

/// How to read the input.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Long-format assay CSV: one measurement per row (subject, matrix, assay, time,
    /// value, unit, lloq; CDISC ADPC names are recognised too).
    pub input: PathBuf,

    /// Map column roles to names the file uses, e.g. `--columns subject=PATID,time=DAY`.
    /// Roles: subject, matrix, assay, time, time_unit, value, value_text, unit, lloq, uloq,
    /// blq_flag, visit, dose, dose_unit, response. Applies to the subjects file too
    /// (subject, dose, dose_unit, response).
    #[arg(long, value_name = "ROLE=COLUMN,...")]
    pub columns: Vec<String>,

    /// Unit of the time column when the file has no time unit column: min, hours, days or
    /// weeks. Results are always in days.
    #[arg(long, default_value = "days", value_name = "UNIT")]
    pub time_unit: String,

    /// Unit of the values when the file has no unit column (e.g. copies/ug, %, cells/uL).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,

    /// Field delimiter (a single character; `\t` for tab). Default: the header's, among
    /// `,`, `;` and tab.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// Read `,` as the decimal mark (`1,5`). Always on for a `;`-separated file.
    #[arg(long)]
    pub decimal_comma: bool,

    /// Subject of every row, for a file with no subject column (one patient).
    #[arg(long, value_name = "ID")]
    pub subject: Option<String>,

    /// Matrix of every row, for a file with no matrix column (blood, marrow, csf...).
    #[arg(long, value_name = "MATRIX")]
    pub matrix: Option<String>,

    /// Assay of every row, for a file with no assay column (qpcr, flow...).
    #[arg(long, value_name = "ASSAY")]
    pub assay: Option<String>,

    /// LLOQ of every row, in the value unit, for a file with no LLOQ column.
    #[arg(long, value_name = "VALUE")]
    pub lloq: Option<f64>,

    /// ULOQ of every row, in the value unit, for a file with no ULOQ column: the limit of
    /// `>ULOQ` results.
    #[arg(long, value_name = "VALUE")]
    pub uloq: Option<f64>,
}

/// Arguments of `cartpk nca`.
#[derive(Debug, Args)]
pub struct NcaArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Directory for the results (created if needed; files in it are replaced atomically).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,

    /// Leave out nca_long.csv (one row per parameter) and write the wide table alone (one
    /// row per profile, every parameter as a column). For large virtual cohorts: the long
    /// table is five sixths of the bytes and about a third of the run time.
    #[arg(long)]
    pub no_long: bool,

    #[command(flatten)]
    pub rules: NcaRuleArgs,

    /// CSV of manual lambda_z choices: subject, matrix, assay, start, end (days) and an
    /// optional `exclude` column of times (days) separated by `;`.
    #[arg(long, value_name = "FILE")]
    pub lambda_z_overrides: Option<PathBuf>,

    /// Dose for every profile whose input rows give none (e.g. 5e7), for dose-normalised
    /// Cmax and AUC.
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub dose: Option<f64>,

    /// Unit of --dose (e.g. cells, "CAR+ cells", cells/kg).
    #[arg(long, default_value = "cells", value_name = "UNIT")]
    pub dose_unit: String,

    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `cartpk fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Directory for the results (created if needed; files in it are replaced atomically).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,

    #[command(flatten)]
    pub model: ModelArgs,

    /// Also fit the population model (SAEM with BLQ censored, docs/population.md) to every
    /// matrix x assay with at least --min-subjects subjects, writing population_*.csv.
    #[arg(long)]
    pub population: bool,

    /// Seed of the population fit's random streams (same seed, same results for any
    /// thread count).
    #[arg(long, default_value_t = cartpk_ck::population::SaemOptions::default().seed, value_name = "SEED")]
    pub seed: u64,

    /// SAEM exploratory iterations K1 (step size 1).
    #[arg(long, default_value_t = cartpk_ck::population::SaemOptions::default().exploratory, value_name = "N")]
    pub k1: usize,

    /// SAEM smoothing iterations K2 (step size 1/k).
    #[arg(long, default_value_t = cartpk_ck::population::SaemOptions::default().smoothing, value_name = "N")]
    pub k2: usize,

    /// Fewest subjects with a quantified sample after the infusion for a population fit of
    /// one matrix x assay; below it, per-profile fits only.
    #[arg(long, default_value_t = cartpk_ck::population::report::MIN_POPULATION_SUBJECTS, value_name = "N")]
    pub min_subjects: usize,

    /// Covariate effect of the population fit, from the subjects file (repeatable):
    /// PARAMETER~COLUMN (categorical; reference: the most frequent level),
    /// PARAMETER~COLUMN:categorical=LEVEL, PARAMETER~COLUMN:power (continuous power effect,
    /// reference: the median) or PARAMETER~COLUMN:power=REFERENCE. E.g. cmax~response.
    #[arg(long = "covariate", value_name = "SPEC", requires = "population")]
    pub covariates: Vec<String>,

    /// Subjects file (CSV with a `subject` or `USUBJID` column) holding the covariate
    /// columns of --covariate.
    #[arg(long, value_name = "FILE")]
    pub subjects: Option<PathBuf>,

    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `cartpk simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Output CSV (long input format). Beside it: `<OUT stem>_params.csv` (every subject's
    /// true parameters) and `<OUT stem>_subjects.csv` (dose, weight, age, response at month
    /// 3, CRS grade).
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,

    /// Number of subjects.
    #[arg(long, default_value_t = 48, value_name = "N")]
    pub n_subjects: usize,

    /// Seed of the random stream (same seed, same cohort).
    #[arg(long, default_value_t = 1, value_name = "SEED")]
    pub seed: u64,

    /// Residual SD of ln C (Stein 2019: 0.56).
    #[arg(long, default_value_t = 0.56, value_name = "SD")]
    pub sigma: f64,

    /// Scale every between-subject variance (omega^2) by this factor; 0 gives every
    /// subject the typical values.
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub variability: f64,

    /// qPCR LLOQ, copies/ug.
    #[arg(long, default_value_t = 50.0, value_name = "LLOQ")]
    pub lloq: f64,

    /// What to sample, comma-separated: blood (qPCR on the seed trial's schedule: days 0,
    /// 1, 4, 7, 11, 14, 21, 28, months 2, 3, 6, 9, 12), flow (%CAR+ in blood, same days),
    /// marrow (qPCR, day 28, months 3 and 6), csf (qPCR, day 28, taken in 60% of patients).
    #[arg(long, default_value = "blood,flow,marrow,csf", value_name = "LIST")]
    pub matrices: String,

    /// Flat dose, CAR+ cells, written to the subjects file (seed trial: 0.5e8).
    #[arg(long, default_value_t = 5e7, value_name = "CELLS")]
    pub dose: f64,

    /// Subject identifier prefix.
    #[arg(long, default_value = "SIM", value_name = "TEXT")]
    pub prefix: String,

    /// Keep every scheduled sample, also after a subject's simulated death or last contact
    /// (for studies of an estimator). By default, as in a trial, a subject's samples end
    /// with its follow-up (`os_time` of the subjects file).
    #[arg(long)]
    pub full_schedule: bool,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `cartpk plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Directory for the figures (created if needed; files are replaced atomically).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Image format.
    #[arg(long, value_enum, default_value_t = ImageFormats::Png)]
    pub format: ImageFormats,

    /// Figure width, inches.
    #[arg(long, default_value_t = 8.0, value_name = "IN")]
    pub width_in: f64,

    /// Figure height, inches.
    #[arg(long, default_value_t = 5.0, value_name = "IN")]
    pub height_in: f64,

    /// Resolution, dots per inch (PNG pixels = inches x dpi).
    #[arg(long, default_value_t = 100.0, value_name = "DPI")]
    pub dpi: f64,

    /// Fit the Stein 2019 model to every profile first and draw the fitted curves and the
    /// goodness-of-fit plots.
    #[arg(long)]
    pub fit: bool,

    #[command(flatten)]
    pub rules: NcaRuleArgs,

    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Subjects file (CSV with a `subject` or `USUBJID` column) giving a group per subject.
    #[arg(long, value_name = "FILE", requires = "group_by")]
    pub subjects: Option<PathBuf>,

    /// Column of the subjects file to split the cohort plots by (e.g. `response`).
    #[arg(long, value_name = "COLUMN", requires = "subjects")]
    pub group_by: Option<String>,

    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `cartpk run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub rules: NcaRuleArgs,

    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Subjects file: one row per subject (`subject` or `USUBJID` column) with covariates
    /// (dose, weight, response...); unknown columns pass through to the tables.
    #[arg(long, value_name = "FILE")]
    pub subjects: Option<PathBuf>,

    /// Output directory: new, empty, or written by an earlier `cartpk run` (it is then
    /// replaced as a whole when the run succeeds). Any other directory is refused.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Column of the subjects file with the response (default: `response` for the exposure
    /// tables and box plots; the response-rate table then takes every column named like
    /// `response*`, `best_response*`, `bor`, `orr*` or `remission*`).
    #[arg(long, value_name = "COLUMN")]
    pub response_column: Option<String>,

    /// Response values that count as response (comma-separated, case-insensitive), e.g.
    /// `CR,CRi`; NE, NA, UNK and empty cells are not evaluable, every other value is a
    /// non-response. Default: CR, CRi, CR/CRi, CR+CRi, responder, yes, 1, true.
    #[arg(long, value_name = "LIST")]
    pub responders: Option<String>,

    /// Interval of the response rates: clopper-pearson (exact, default), wilson, jeffreys
    /// or mid-p.
    #[arg(long, value_name = "METHOD")]
    pub response_ci: Option<String>,

    /// Column of the subjects file to split the summaries and cohort figures by (default:
    /// the response column).
    #[arg(long, value_name = "COLUMN")]
    pub group_by: Option<String>,

    /// Population fit (docs/population.md) of each rich matrix x assay with at least this
    /// many subjects with a quantified sample after the infusion; 0 turns it off.
    #[arg(long = "population-min-subjects", default_value_t = cartpk_ck::population::report::MIN_POPULATION_SUBJECTS, value_name = "N")]
    pub population_min_subjects: usize,

    /// Covariate effect of the population fit from --subjects (repeatable), as
    /// `cartpk fit --covariate`: e.g. cmax~response or cmax~weight_kg:power.
    #[arg(long = "covariate", value_name = "SPEC", requires = "subjects")]
    pub covariates: Vec<String>,

    /// Most patients whose figures are drawn inside report.html; beyond, the report links
    /// the files under plots/patients/ so that the page stays small.
    #[arg(long, default_value_t = cartpk_report::settings::INLINE_PATIENT_LIMIT, value_name = "N")]
    pub inline_patients: usize,

    /// File format of the per-patient figures: auto (PNG up to 500 patients, SVG beyond:
    /// a tenth of the CPU time for virtual-trial cohorts), png or svg.
    #[arg(long, default_value = "auto", value_name = "FORMAT")]
    pub patient_figures: String,

    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The NCA rules, shared by `cartpk nca` and `cartpk run`.
#[derive(Debug, Args)]
pub struct NcaRuleArgs {
    /// Trapezoid rule: lin-up-log-down (PKNCA's default) or linear.
    #[arg(long, default_value = "lin-up-log-down", value_name = "METHOD")]
    pub auc_method: String,

    /// Concentration at day 0 for every AUC (PKNCA impute): start_conc0 (0 at day 0, the
    /// CAR-T default), start_predose (last baseline value within 5% of the span) or none
    /// (PKNCA's default: an AUC whose start has no sample is NA).
    #[arg(long, default_value = "start_conc0", value_name = "RULE")]
    pub auc_start: String,

    /// Partial AUC interval in days, START-END; repeat for several. Default: 0-28 and 0-84.
    #[arg(long = "interval", value_name = "START-END")]
    pub intervals: Vec<String>,

    /// BLQ before the first quantifiable sample: zero, drop, lloq, half-lloq or a number.
    #[arg(long, default_value_t = cartpk_nca::BlqRules::default().before_first.to_string(), value_name = "RULE")]
    pub blq_before_first: String,

    /// BLQ between quantifiable samples: zero, drop, lloq, half-lloq or a number.
    #[arg(long, default_value_t = cartpk_nca::BlqRules::default().between.to_string(), value_name = "RULE")]
    pub blq_between: String,

    /// BLQ after the last quantifiable sample: zero, drop, lloq, half-lloq or a number.
    #[arg(long, default_value_t = cartpk_nca::BlqRules::default().after_last.to_string(), value_name = "RULE")]
    pub blq_after_last: String,

    /// Fewest points in an automatic lambda_z fit (PKNCA min.hl.points).
    #[arg(long, default_value_t = cartpk_nca::LambdaZRule::default().min_points, value_name = "N")]
    pub lambda_z_min_points: usize,

    /// Adjusted-R2 tolerance within which the fit with most points wins (PKNCA
    /// adj.r.squared.factor).
    #[arg(long, default_value_t = cartpk_nca::LambdaZRule::default().adj_r2_factor, value_name = "X")]
    pub lambda_z_adj_r2_factor: f64,
}

/// The per-profile model fit's options, shared by `cartpk fit`, `plot` and `run` (one
/// definition, so the three accept the same flags with the same defaults, those of
/// `cartpk_ck::FitOptions`).
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// The CK model fitted and drawn. Only `stein2019` for now.
    #[arg(long, default_value = "stein2019", value_name = "MODEL")]
    pub model: String,

    /// BLQ in the model fit's likelihood: m3 (censored, Beal's M3) or m1 (dropped; for
    /// comparison). `--blq` is accepted as an alias (the flag's name in `cartpk fit`).
    #[arg(long, alias = "blq", default_value_t = cartpk_ck::FitOptions::default().blq.to_string(), value_name = "METHOD")]
    pub fit_blq: String,

    /// Smallest residual SD of ln C in the model fit (keeps the likelihood bounded on
    /// sparse profiles).
    #[arg(long, default_value_t = cartpk_ck::FitOptions::default().sigma_min, value_name = "SD")]
    pub sigma_min: f64,

    /// Keep pre-infusion (baseline, time <= 0) samples in the model fit's likelihood. By
    /// default they are left out: they measure background, not the model's C(0).
    #[arg(long)]
    pub fit_baseline: bool,

    /// Tie-break on flat likelihood ridges: a fit with a parameter the data do not
    /// determine (RSE above 100%) is reported at the point nearest the population's typical
    /// values among those whose ln L is at most this far below the optimum (flagged in the
    /// warnings). 0 reports the optimum the search found.
    #[arg(long, default_value_t = cartpk_ck::FitOptions::default().ridge_tol, value_name = "LNL")]
    pub ridge_tol: f64,
}

/// The options beyond the NCA rules that change a number of the report, shared by
/// `cartpk run` and `cartpk plot`. Defaults are those of `cartpk_report::Settings`.
#[derive(Debug, Args)]
pub struct AnalysisArgs {
    /// CSV of manual lambda_z choices: subject, matrix, assay, start, end (days) and an
    /// optional `exclude` column of times (days) separated by `;`.
    #[arg(long, value_name = "FILE")]
    pub lambda_z_overrides: Option<PathBuf>,

    /// Dose for every profile whose input rows and subjects file give none (e.g. 5e7), for
    /// dose-normalised Cmax and AUC.
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub dose: Option<f64>,

    /// Unit of --dose (e.g. cells, "CAR+ cells", cells/kg).
    #[arg(long, default_value = "cells", value_name = "UNIT")]
    pub dose_unit: String,

    #[command(flatten)]
    pub model: ModelArgs,

    /// Acceptance: smallest adjusted R2 of the lambda_z regression for t1/2 and AUCinf to
    /// enter the summaries.
    #[arg(long, default_value_t = cartpk_report::AcceptanceCriteria::default().min_adj_r_squared, value_name = "R2")]
    pub min_adj_r_squared: f64,

    /// Acceptance: smallest lambda_z span, in half-lives, for t1/2 and AUCinf.
    #[arg(long, default_value_t = cartpk_report::AcceptanceCriteria::default().min_span_half_lives, value_name = "X")]
    pub min_span_half_lives: f64,

    /// Acceptance: largest %AUC extrapolated for AUCinf.
    #[arg(long, default_value_t = cartpk_report::AcceptanceCriteria::default().max_aucpext_pct, value_name = "PCT")]
    pub max_aucpext_pct: f64,

    /// Sampling rule: fewest sampling times for the full NCA of a profile (fewer: reported
    /// as visit concentrations).
    #[arg(long, default_value_t = cartpk_report::SamplingRule::default().min_times, value_name = "N")]
    pub rich_min_samples: usize,

    /// Sampling rule: fewest of them within days 0-28 (the expansion phase).
    #[arg(long, default_value_t = cartpk_report::SamplingRule::default().min_expansion_times, value_name = "N")]
    pub rich_min_expansion_samples: usize,
}
