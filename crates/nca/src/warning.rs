//! Warnings that go with a result: the number is there (or is NA) and the user should know
//! why or how far to trust it.

use crate::auc::NoAuclast;
use crate::lambda_z::NoLambdaZ;
use crate::parameter::{Parameter, ParameterValue};
use std::fmt;

/// What the start rule ([`crate::StartImpute`]) did to a profile's day-0 concentration.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StartNote {
    /// `start_conc0`: no sample at day 0, a concentration of 0 was added there.
    Conc0Added,
    /// `start_conc0`: the day-0 sample's concentration was replaced by 0.
    Conc0Replaced {
        /// The concentration the day-0 sample had (after the BLQ rules).
        was: f64,
    },
    /// `start_predose`: the last baseline sample's concentration was moved to day 0.
    Predose {
        /// Its time, days (negative).
        from_time: f64,
        /// Its concentration.
        conc: f64,
    },
}

/// Something about a profile's result worth a reviewer's attention.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NcaWarning {
    /// No quantifiable sample: exposure metrics are 0 or NA, as in PKNCA.
    AllBlq,
    /// No lambda_z, hence no half-life or AUCinf.
    NoLambdaZ(NoLambdaZ),
    /// The AUC extrapolated to infinity is a large share of AUCinf,obs.
    HighExtrapolation {
        /// %AUC extrapolated.
        aucpext_pct: f64,
        /// The limit it exceeds.
        limit_pct: f64,
    },
    /// The lambda_z points span less than the given multiple of the half-life.
    ShortSpan {
        /// Span ratio.
        span_ratio: f64,
        /// The limit it is below.
        limit: f64,
    },
    /// AUClast (and so AUCinf) could not be computed.
    NoAuclast(NoAuclast),
    /// A partial AUC interval starts before the first sample and the start rule gave no
    /// concentration there: the AUC is NA (as AUClast).
    IntervalStartsBeforeFirstSample {
        /// Interval start, days.
        start: f64,
        /// Interval end, days.
        end: f64,
        /// First sample, days.
        first_sample: f64,
    },
    /// A partial AUC interval ends after the last sample; nothing is counted past it.
    IntervalBeyondLastSample {
        /// Interval end, days.
        end: f64,
        /// Last sample, days.
        last_sample: f64,
    },
    /// Missing samples were left out.
    MissingDropped {
        /// How many.
        n: usize,
    },
    /// Samples before day 0 (baseline) are not analysed (only `start_predose` looks at
    /// them).
    BaselineSamples {
        /// How many.
        n: usize,
    },
    /// The concentration at day 0 of every AUC was set by the start rule.
    AucStart(StartNote),
    /// Samples above the upper limit of quantification: counted at their limit (so Cmax,
    /// Clast and the AUCs are lower bounds), or left out when no limit is known.
    AboveUloq {
        /// Counted at their limit.
        n: usize,
        /// Left out: no limit known.
        n_no_limit: usize,
    },
}

impl NcaWarning {
    /// Whether this warning bears on a reported value, so that long tables can show it
    /// on the rows it concerns.
    pub fn concerns(&self, value: &ParameterValue) -> bool {
        use Parameter::*;
        let p = value.parameter;
        let terminal = matches!(
            p,
            LambdaZ
                | RSquared
                | AdjRSquared
                | LambdaZNPoints
                | LambdaZTimeFirst
                | LambdaZTimeLast
                | ClastPred
                | HalfLife
                | SpanRatio
                | AucinfObs
                | AucinfPred
                | AucpextObs
                | AucinfObsDn
        );
        let interval_end = value.interval.map(|i| (i.start, i.end));
        match self {
            NcaWarning::AllBlq => !matches!(p, NSamples | NQuant | NBlq),
            NcaWarning::NoLambdaZ(_) => terminal,
            NcaWarning::HighExtrapolation { .. } => {
                matches!(p, AucinfObs | AucinfPred | AucpextObs | AucinfObsDn)
            }
            NcaWarning::ShortSpan { .. } => matches!(p, LambdaZ | HalfLife | SpanRatio),
            NcaWarning::NoAuclast(_) => {
                matches!(
                    p,
                    Auclast | AuclastDn | AucinfObs | AucinfPred | AucpextObs | AucinfObsDn
                )
            }
            NcaWarning::IntervalStartsBeforeFirstSample { start, end, .. } => {
                interval_end == Some((*start, *end))
            }
            NcaWarning::IntervalBeyondLastSample { end, .. } => {
                interval_end.is_some_and(|(_, e)| e == *end)
            }
            NcaWarning::MissingDropped { .. } => p == NSamples,
            NcaWarning::BaselineSamples { .. } => p == NSamples,
            NcaWarning::AucStart(_) => matches!(
                p,
                Auclast
                    | AuclastDn
                    | AucinfObs
                    | AucinfPred
                    | AucpextObs
                    | AucinfObsDn
                    | AucintLast
                    | AucintLastDn
            ),
            NcaWarning::AboveUloq { .. } => !matches!(p, NSamples | NQuant | NBlq),
        }
    }

    /// A short machine-friendly code, e.g. `all_blq`.
    pub fn code(&self) -> &'static str {
        match self {
            NcaWarning::AllBlq => "all_blq",
            NcaWarning::NoLambdaZ(NoLambdaZ::TooFewPoints { .. }) => "lambda_z_too_few_points",
            NcaWarning::NoLambdaZ(NoLambdaZ::NotDeclining { .. }) => "lambda_z_not_declining",
            NcaWarning::HighExtrapolation { .. } => "aucpext_high",
            NcaWarning::ShortSpan { .. } => "span_ratio_low",
            NcaWarning::NoAuclast(_) => "auclast_na",
            NcaWarning::IntervalStartsBeforeFirstSample { .. } => "interval_before_first_sample",
            NcaWarning::IntervalBeyondLastSample { .. } => "interval_beyond_last_sample",
            NcaWarning::MissingDropped { .. } => "missing_dropped",
            NcaWarning::BaselineSamples { .. } => "baseline_samples",
            NcaWarning::AucStart(_) => "auc_start_imputed",
            NcaWarning::AboveUloq { .. } => "above_uloq",
        }
    }
}

impl fmt::Display for NcaWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NcaWarning::AllBlq => write!(f, "all samples BLQ: Cmax, Clast and AUCs are 0, times NA"),
            NcaWarning::NoLambdaZ(NoLambdaZ::TooFewPoints { available, needed }) => write!(
                f,
                "no lambda_z: {available} positive points after Tmax, {needed} needed"
            ),
            NcaWarning::NoLambdaZ(NoLambdaZ::NotDeclining { slope }) => write!(
                f,
                "no lambda_z: best terminal fit is not declining (slope {slope:.4} 1/day)"
            ),
            NcaWarning::HighExtrapolation { aucpext_pct, limit_pct } => write!(
                f,
                "AUCinf,obs is {aucpext_pct:.1}% extrapolated (> {limit_pct}%)"
            ),
            NcaWarning::ShortSpan { span_ratio, limit } => write!(
                f,
                "lambda_z points span {span_ratio:.2} half-lives (< {limit})"
            ),
            NcaWarning::NoAuclast(why) => match why {
                NoAuclast::NoSamples => write!(f, "AUClast NA: no usable sample"),
                NoAuclast::OneSample => write!(f, "AUClast NA: a single sample"),
                NoAuclast::FirstSampleAfterStart { first_sample } => write!(
                    f,
                    "AUClast NA: no sample at day 0 (first at day {first_sample})"
                ),
            },
            NcaWarning::IntervalStartsBeforeFirstSample { start, end, first_sample } => write!(
                f,
                "AUC{start}-{end} NA: no sample at day {start} (first at day {first_sample}) and the start rule gave no concentration there"
            ),
            NcaWarning::IntervalBeyondLastSample { end, last_sample } => write!(
                f,
                "AUC to day {end}: last sample at day {last_sample}, no area counted after it"
            ),
            NcaWarning::MissingDropped { n } => write!(f, "{n} missing sample(s) left out"),
            NcaWarning::BaselineSamples { n } => write!(
                f,
                "{n} baseline sample(s) before day 0 not analysed (only start_predose uses them)"
            ),
            NcaWarning::AucStart(StartNote::Conc0Added) => write!(
                f,
                "AUCs start from concentration 0 at day 0 (start_conc0: no sample at day 0)"
            ),
            NcaWarning::AucStart(StartNote::Conc0Replaced { was }) => write!(
                f,
                "AUCs start from concentration 0 at day 0 (start_conc0: the day-0 value {was} is taken as pre-infusion background)"
            ),
            NcaWarning::AucStart(StartNote::Predose { from_time, conc }) => write!(
                f,
                "AUCs start from the day {from_time} baseline concentration {conc} moved to day 0 (start_predose)"
            ),
            NcaWarning::AboveUloq { n, n_no_limit } => {
                if *n > 0 {
                    write!(f, "{n} sample(s) above the ULOQ counted at the limit (right-censored): Cmax, Clast and AUCs are lower bounds")?;
                }
                if *n > 0 && *n_no_limit > 0 {
                    f.write_str("; ")?;
                }
                if *n_no_limit > 0 {
                    write!(f, "{n_no_limit} sample(s) above the ULOQ with no limit known left out")?;
                }
                Ok(())
            }
        }
    }
}
