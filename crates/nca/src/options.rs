//! Analysis options. Every rule is named and documented, with PKNCA's default.

use crate::blq::BlqRules;
use crate::lambda_z::LambdaZRule;

/// How the area between two samples is integrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AucMethod {
    /// Linear trapezoid everywhere: `(t2 - t1) * (c1 + c2) / 2`.
    Linear,
    /// Linear trapezoid while the concentration rises or stays level, log trapezoid
    /// `(t2 - t1) * (c1 - c2) / ln(c1 / c2)` while it falls between two positive values.
    /// PKNCA's default (`auc.method = "lin up/log down"`).
    #[default]
    LinUpLogDown,
}

impl AucMethod {
    /// PKNCA's name of the method.
    pub fn pknca_name(self) -> &'static str {
        match self {
            AucMethod::Linear => "linear",
            AucMethod::LinUpLogDown => "lin up/log down",
        }
    }
}

impl std::str::FromStr for AucMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' ', '/'], "-")
            .as_str()
        {
            "linear" | "lin" => Ok(AucMethod::Linear),
            "lin-up-log-down" | "linuplogdown" | "linear-up-log-down" | "lin-log" => {
                Ok(AucMethod::LinUpLogDown)
            }
            _ => Err(format!(
                "unknown AUC method '{s}'; expected linear or lin-up-log-down"
            )),
        }
    }
}

/// What the concentration at the time of infusion (day 0) is, for every AUC: AUClast,
/// AUCinf and the partial AUCs alike. PKNCA's `impute` vocabulary; applied once to the
/// profile's post-infusion data, so that all areas see the same curve. Cmax, Tmax, Clast
/// and lambda_z use the samples as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum StartImpute {
    /// PKNCA `start_conc0`: the concentration at day 0 is 0, added when there is no
    /// sample at day 0 and replacing a day-0 value when there is one. The cartpk default:
    /// there are no CAR-T cells before the infusion (science.md: a day-0 sample is taken
    /// before it and measures background), see docs/nca.md.
    #[default]
    #[serde(rename = "start_conc0")]
    Conc0,
    /// PKNCA `start_predose`: without a sample at day 0, the last pre-infusion (negative
    /// time) sample's concentration is moved to day 0 when it is at most 5% of the span
    /// from day 0 to the last sample (or the interval end) away; otherwise nothing is
    /// imputed.
    #[serde(rename = "start_predose")]
    Predose,
    /// No imputation (PKNCA's default, `impute = NA`): an AUC whose start has no sample is
    /// NA (AUClast, AUCinf, and partial AUCs starting before the first sample).
    #[serde(rename = "none")]
    None,
}

impl StartImpute {
    /// PKNCA's name of the rule.
    pub fn pknca_name(self) -> &'static str {
        match self {
            StartImpute::Conc0 => "start_conc0",
            StartImpute::Predose => "start_predose",
            StartImpute::None => "none",
        }
    }
}

impl std::fmt::Display for StartImpute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.pknca_name())
    }
}

impl std::str::FromStr for StartImpute {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "start_conc0" | "conc0" | "zero" | "0" => Ok(StartImpute::Conc0),
            "start_predose" | "predose" => Ok(StartImpute::Predose),
            "none" | "na" => Ok(StartImpute::None),
            _ => Err(format!(
                "unknown start rule '{s}'; expected start_conc0, start_predose or none"
            )),
        }
    }
}

/// A time interval for a partial AUC, in days since infusion, e.g. `[0, 28]` for AUC0-28d.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    /// Start, in days.
    pub start: f64,
    /// End, in days (> start).
    pub end: f64,
}

impl Interval {
    /// A new interval; `None` unless `0 <= start < end` and both are finite.
    pub fn new(start: f64, end: f64) -> Option<Interval> {
        (start.is_finite() && end.is_finite() && start >= 0.0 && start < end)
            .then_some(Interval { start, end })
    }

    /// The label used in parameter names, e.g. `0-28`.
    pub fn label(&self) -> String {
        format!("{}-{}", self.start, self.end)
    }
}

impl std::str::FromStr for Interval {
    type Err = String;
    /// Parses `0-28`, `0,28` or `0:28` (days).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split([',', ':', '-']).map(str::trim).collect();
        let parsed = match parts.as_slice() {
            [a, b] => a.parse::<f64>().ok().zip(b.parse::<f64>().ok()),
            _ => None,
        };
        parsed
            .and_then(|(a, b)| Interval::new(a, b))
            .ok_or_else(|| {
                format!("expected an interval START-END in days with 0 <= START < END, found '{s}'")
            })
    }
}

/// Everything that decides an NCA result. `NcaOptions::default()` is PKNCA 0.12's defaults
/// with two CAR-T choices: AUC0-28d and AUC0-84d as the partial AUCs, and `start_conc0`
/// for the concentration at day 0 (PKNCA: no imputation). [`NcaOptions::pknca`] is PKNCA's
/// defaults exactly.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NcaOptions {
    /// Trapezoid rule.
    pub auc_method: AucMethod,
    /// The concentration at day 0 for every AUC (default `start_conc0`; PKNCA's own
    /// default, used by its reference results, is [`StartImpute::None`]).
    pub start: StartImpute,
    /// What a BLQ sample counts as, by position.
    pub blq: BlqRules,
    /// How the terminal phase is chosen.
    pub lambda_z: LambdaZRule,
    /// Partial AUC intervals, in days.
    pub intervals: Vec<Interval>,
    /// Warn when the AUC extrapolated to infinity is above this percentage (PKNCA: 20).
    pub max_aucpext_pct: f64,
    /// Warn when the lambda_z span ratio is below this (PKNCA: 2).
    pub min_span_ratio: f64,
}

impl Default for NcaOptions {
    fn default() -> Self {
        NcaOptions {
            auc_method: AucMethod::default(),
            start: StartImpute::default(),
            blq: BlqRules::default(),
            lambda_z: LambdaZRule::default(),
            intervals: vec![
                Interval {
                    start: 0.0,
                    end: 28.0,
                },
                Interval {
                    start: 0.0,
                    end: 84.0,
                },
            ],
            max_aucpext_pct: 20.0,
            min_span_ratio: 2.0,
        }
    }
}

impl NcaOptions {
    /// PKNCA 0.12's own defaults (no start imputation), with the CAR-T partial AUCs: what
    /// the reference results in `shared/reference` were computed with.
    pub fn pknca() -> NcaOptions {
        NcaOptions {
            start: StartImpute::None,
            ..NcaOptions::default()
        }
    }
}
