//! The resolved configuration of a run: every flag parsed, validated and turned into the
//! library crates' option types. Errors here name the flag and what it expects.

use super::lowargs::{Format, InputArgs, NcaArgs};
use crate::overrides::read_overrides;
use anyhow::{anyhow, bail, Context, Result};
use cartpk_core::ingest::{ColumnMapping, IngestOptions};
use cartpk_core::{ConcUnit, TimeUnit};
use cartpk_nca::{
    AucMethod, BlqRule, BlqRules, Interval, LambdaZOverrides, LambdaZRule, NcaOptions,
};
use std::path::PathBuf;

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outputs {
    /// Long and wide CSV.
    pub csv: bool,
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
    /// Manual lambda_z choices.
    pub overrides: LambdaZOverrides,
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
    let delimiter = match args.delimiter.as_str() {
        "\\t" | "tab" => b'\t',
        d if d.len() == 1 => d.as_bytes()[0],
        d => bail!("--delimiter: expected a single character (or \\t), found '{d}'"),
    };
    Ok(IngestOptions {
        columns,
        time_unit: Some(time_unit),
        unit,
        delimiter,
    })
}

fn blq_rule(flag: &str, text: &str) -> Result<BlqRule> {
    text.parse().map_err(|e| anyhow!("--{flag}: {e}"))
}

impl NcaConfig {
    /// Validates `cartpk nca` flags and reads the overrides file if one is given.
    pub fn from_args(args: NcaArgs) -> Result<NcaConfig> {
        let ingest = ingest_options(&args.input)?;
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
        let nca = NcaOptions {
            auc_method,
            blq,
            lambda_z: LambdaZRule {
                min_points: args.lambda_z_min_points,
                adj_r2_factor: args.lambda_z_adj_r2_factor,
                ..LambdaZRule::default()
            },
            intervals,
            ..NcaOptions::default()
        };
        let overrides = match &args.lambda_z_overrides {
            Some(path) => read_overrides(path)
                .with_context(|| format!("--lambda-z-overrides {}", path.display()))?,
            None => LambdaZOverrides::new(),
        };
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
            overrides,
            dose,
            out_dir: args.out,
            outputs: Outputs {
                csv: matches!(args.format, Format::Csv | Format::All),
                json: matches!(args.format, Format::Json | Format::All),
            },
            threads: args.threads,
            quiet: args.quiet,
        })
    }
}
