//! The result of NCA on one profile, and its computation.

use crate::auc::{auc_interval, auclast as auclast_of};
use crate::blq::{self, MissingLloq};
use crate::blq::{BlqRule, BlqRules};
use crate::lambda_z::{self, LambdaZFit, ManualLambdaZ};
use crate::options::{Interval, NcaOptions, StartImpute};
use crate::parameter::{Parameter, ParameterValue};
use crate::warning::{NcaWarning, StartNote};
use cartpk_core::{Dose, Sample, SampleValue};
use std::borrow::Cow;

/// A partial AUC over one interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PartialAuc {
    /// The interval, days.
    pub interval: Interval,
    /// The area, concentration x day; `None` when it cannot be computed.
    pub auc: Option<f64>,
}

/// NCA of one profile. Times are in days, concentrations in the profile's unit; `None`
/// is NA, as PKNCA reports it, with the reason among `warnings`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NcaResult {
    /// Samples in the profile from day 0 on (baseline samples before day 0 are not
    /// analysed; see [`NcaWarning::BaselineSamples`]).
    pub n_samples: usize,
    /// Quantifiable samples (a positive value above the LLOQ).
    pub n_quant: usize,
    /// BLQ samples (including reported zeros).
    pub n_blq: usize,
    /// Cmax (0 for an all-BLQ profile, as in PKNCA).
    pub cmax: Option<f64>,
    /// Tmax, days (NA when Cmax is 0).
    pub tmax: Option<f64>,
    /// First quantifiable time, days.
    pub tfirst: Option<f64>,
    /// Last quantifiable time, days.
    pub tlast: Option<f64>,
    /// Last quantifiable concentration (0 for an all-BLQ profile).
    pub clast_obs: Option<f64>,
    /// AUC from the first sample to Tlast (0 for an all-BLQ profile), concentration x day.
    pub auclast: Option<f64>,
    /// Partial AUCs, one per requested interval.
    pub partial_aucs: Vec<PartialAuc>,
    /// The terminal-phase fit.
    pub lambda_z: Option<LambdaZFit>,
    /// Concentration at Tlast predicted by the terminal fit.
    pub clast_pred: Option<f64>,
    /// AUClast + Clast,obs / lambda_z, concentration x day.
    pub aucinf_obs: Option<f64>,
    /// AUClast + Clast,pred / lambda_z, concentration x day.
    pub aucinf_pred: Option<f64>,
    /// 100 (AUCinf,obs - AUClast) / AUCinf,obs, %.
    pub aucpext_obs: Option<f64>,
    /// The dose, when known, for dose-normalised values.
    pub dose: Option<Dose>,
    /// The rule that gave the concentration at day 0 for every AUC of this result.
    pub auc_start: StartImpute,
    /// What this rule did to this profile: `None` when the day-0 sample was used as
    /// reported (or no AUC start could be set under [`StartImpute::None`]).
    pub auc_start_note: Option<StartNote>,
    /// What the reader of this result should know.
    pub warnings: Vec<NcaWarning>,
}

/// Why a profile has no NCA result at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NcaError {
    /// A BLQ rule needs an LLOQ the input does not give.
    #[error(transparent)]
    MissingLloq(#[from] MissingLloq),
    /// Sample times are not strictly increasing.
    #[error("sample times must be strictly increasing; day {time} comes after day {previous}")]
    UnsortedTimes {
        /// The offending time.
        time: f64,
        /// The time before it.
        previous: f64,
    },
}

/// Computes NCA on samples sorted by time (as [`cartpk_core::Profile`] keeps them).
pub fn compute(
    samples: &[Sample],
    dose: Option<&Dose>,
    options: &NcaOptions,
    manual: Option<&ManualLambdaZ>,
) -> Result<NcaResult, NcaError> {
    for w in samples.windows(2) {
        // NaN times compare as unordered and are refused too.
        if w[1].time.partial_cmp(&w[0].time) != Some(std::cmp::Ordering::Greater) {
            return Err(NcaError::UnsortedTimes {
                time: w[1].time,
                previous: w[0].time,
            });
        }
    }
    let mut warnings = Vec::new();
    // Baseline samples (before day 0) are outside the analysis interval [0, Inf), as in
    // PKNCA; only `start_predose` looks at them.
    let first_post = samples.partition_point(|s| s.time < 0.0);
    let (pre, post) = samples.split_at(first_post);
    if !pre.is_empty() {
        warnings.push(NcaWarning::BaselineSamples { n: pre.len() });
    }
    // Above-range samples count at their limit (a lower bound) and say so; without a
    // limit they cannot count at all.
    let samples: Cow<'_, [Sample]> = if post.iter().any(|s| s.value.is_above_uloq()) {
        let (mut n, mut n_no_limit) = (0, 0);
        let mapped = post
            .iter()
            .map(|s| match s.value {
                SampleValue::AboveUloq { uloq: Some(u) } => {
                    n += 1;
                    Sample::new(s.time, SampleValue::Quantified { value: u })
                }
                SampleValue::AboveUloq { uloq: None } => {
                    n_no_limit += 1;
                    Sample::new(s.time, SampleValue::Missing)
                }
                _ => *s,
            })
            .collect();
        warnings.push(NcaWarning::AboveUloq { n, n_no_limit });
        Cow::Owned(mapped)
    } else {
        Cow::Borrowed(post)
    };
    let samples = &samples[..];
    let mut n_quant = 0;
    let mut n_blq = 0;
    let mut n_missing = 0;
    for s in samples {
        match s.value {
            SampleValue::Quantified { value } if value > 0.0 => n_quant += 1,
            SampleValue::Quantified { .. } | SampleValue::Blq { .. } => n_blq += 1,
            SampleValue::Missing | SampleValue::AboveUloq { .. } => n_missing += 1,
        }
    }
    if n_missing > 0 {
        warnings.push(NcaWarning::MissingDropped { n: n_missing });
    }
    // Cmax, Tmax, Tfirst, Tlast and Clast come from the samples as reported (BLQ as 0,
    // missing left out), not from the BLQ-cleaned data: PKNCA computes them on the raw
    // interval data, so a rule that replaces BLQ by a number does not move Tlast.
    // One pass, no allocation: (time, value) of every non-missing sample.
    let raw = || {
        samples.iter().filter_map(|s| match s.value {
            // A reported zero (or a negative value, which ingestion refuses) is BLQ, as in
            // `blq::apply`.
            SampleValue::Quantified { value } => Some((s.time, value.max(0.0))),
            SampleValue::Blq { .. } => Some((s.time, 0.0)),
            SampleValue::Missing | SampleValue::AboveUloq { .. } => None,
        })
    };
    // The first of the largest values: a later equal value does not replace it.
    let peak = raw().fold(None, |best: Option<(f64, f64)>, (t, c)| match best {
        Some((_, b)) if b >= c => best,
        _ => Some((t, c)),
    });
    let cmax = peak.map(|(_, c)| c);
    let tmax = peak.filter(|&(_, c)| c > 0.0).map(|(t, _)| t);
    let first_pos = raw().find(|&(_, c)| c > 0.0);
    let last_pos = raw().rfind(|&(_, c)| c > 0.0);
    let any_raw = peak.is_some();
    let tfirst = first_pos.map(|(t, _)| t);
    let tlast = last_pos.map(|(t, _)| t);
    let clast_obs = match last_pos {
        Some((_, c)) => Some(c),
        None if any_raw => Some(0.0),
        None => None,
    };
    if any_raw && last_pos.is_none() {
        warnings.push(NcaWarning::AllBlq);
    }

    let clean = blq::apply(samples, &options.blq)?;
    let (time, conc) = (&clean.time[..], &clean.conc[..]);
    let method = options.auc_method;
    // The curve every AUC integrates: the cleaned samples with the start rule applied.
    let (auc_time, auc_conc, auc_start_note) = start_curve(time, conc, pre, options);
    if let Some(note) = auc_start_note {
        warnings.push(NcaWarning::AucStart(note));
    }
    let (time, conc) = (&auc_time[..], &auc_conc[..]);
    let auclast = match auclast_of(time, conc, tlast, method) {
        Ok(a) => Some(a),
        Err(why) => {
            warnings.push(NcaWarning::NoAuclast(why));
            None
        }
    };

    let first_sample = time.first().copied();
    let last_sample = time.last().copied();
    let any_positive = conc.iter().any(|&c| c > 0.0);
    let partial_aucs = options
        .intervals
        .iter()
        .map(|&interval| {
            let mut auc = Some(auc_interval(
                time,
                conc,
                interval.start,
                interval.end,
                method,
            ));
            if let Some(first) = first_sample.filter(|&f| interval.start < f && any_positive) {
                // No concentration at the start and the rule gave none: NA, as AUClast.
                auc = None;
                warnings.push(NcaWarning::IntervalStartsBeforeFirstSample {
                    start: interval.start,
                    end: interval.end,
                    first_sample: first,
                });
            }
            if let Some(last) = last_sample.filter(|&l| interval.end > l && any_positive) {
                warnings.push(NcaWarning::IntervalBeyondLastSample {
                    end: interval.end,
                    last_sample: last,
                });
            }
            PartialAuc { interval, auc }
        })
        .collect();

    // lambda_z uses the samples as reported, not the start-imputed curve.
    let (time, conc) = (&clean.time[..], &clean.conc[..]);
    let fit = match (manual, tmax) {
        (Some(choice), _) => lambda_z::manual(time, conc, choice).map(Some),
        (None, Some(tmax)) => lambda_z::select(time, conc, tmax, &options.lambda_z).map(Some),
        (None, None) => Ok(None),
    };
    let fit = match fit {
        Ok(f) => f,
        Err(why) => {
            warnings.push(NcaWarning::NoLambdaZ(why));
            None
        }
    };
    let (mut clast_pred, mut aucinf_obs, mut aucinf_pred, mut aucpext_obs) =
        (None, None, None, None);
    if last_pos.is_none() && auclast.is_some() {
        // PKNCA: with Clast = 0 nothing is extrapolated, so AUCinf = AUClast = 0 even
        // without a lambda_z; %extrapolated stays NA (0/0).
        aucinf_obs = auclast;
        aucinf_pred = auclast;
    } else if let (Some(f), Some(tl), Some(cl), Some(al)) = (fit, tlast, clast_obs, auclast) {
        let cp = f.predict(tl);
        let inf_obs = al + cl / f.lambda_z;
        let pext = 100.0 * (inf_obs - al) / inf_obs;
        // A wild terminal fit far from Tlast can overflow exp(): no prediction then.
        let cp = Some(cp).filter(|c| c.is_finite());
        clast_pred = cp;
        aucinf_obs = Some(inf_obs);
        aucinf_pred = cp.map(|cp| al + cp / f.lambda_z);
        aucpext_obs = Some(pext);
        if pext > options.max_aucpext_pct {
            warnings.push(NcaWarning::HighExtrapolation {
                aucpext_pct: pext,
                limit_pct: options.max_aucpext_pct,
            });
        }
        if f.span_ratio() < options.min_span_ratio {
            warnings.push(NcaWarning::ShortSpan {
                span_ratio: f.span_ratio(),
                limit: options.min_span_ratio,
            });
        }
    }

    Ok(NcaResult {
        n_samples: samples.len(),
        n_quant,
        n_blq,
        cmax,
        tmax,
        tfirst,
        tlast,
        clast_obs,
        auclast,
        partial_aucs,
        lambda_z: fit,
        clast_pred,
        aucinf_obs,
        aucinf_pred,
        aucpext_obs,
        dose: dose.cloned(),
        auc_start: options.start,
        auc_start_note,
        warnings,
    })
}

/// The cleaned curve with the concentration at day 0 set by `options.start`, and what the
/// rule did. `pre` are the baseline samples (time < 0), sorted.
fn start_curve<'a>(
    time: &'a [f64],
    conc: &'a [f64],
    pre: &[Sample],
    options: &NcaOptions,
) -> (Cow<'a, [f64]>, Cow<'a, [f64]>, Option<StartNote>) {
    let borrowed = (Cow::Borrowed(time), Cow::Borrowed(conc), None);
    let at_zero = time.first() == Some(&0.0);
    let with_start = |c0: f64| -> (Cow<'a, [f64]>, Cow<'a, [f64]>) {
        let mut t = Vec::with_capacity(time.len() + 1);
        let mut c = Vec::with_capacity(time.len() + 1);
        t.push(0.0);
        c.push(c0);
        t.extend_from_slice(time);
        c.extend_from_slice(conc);
        (Cow::Owned(t), Cow::Owned(c))
    };
    match options.start {
        StartImpute::None => borrowed,
        _ if time.is_empty() => borrowed,
        StartImpute::Conc0 if at_zero => {
            if conc[0] == 0.0 {
                return borrowed;
            }
            let mut c = conc.to_vec();
            let was = c[0];
            c[0] = 0.0;
            (
                Cow::Borrowed(time),
                Cow::Owned(c),
                Some(StartNote::Conc0Replaced { was }),
            )
        }
        StartImpute::Conc0 => {
            let (t, c) = with_start(0.0);
            (t, c, Some(StartNote::Conc0Added))
        }
        StartImpute::Predose if at_zero => borrowed,
        StartImpute::Predose => {
            let last_time = *time.last().expect("checked: not empty");
            let max_shift = 0.05 * last_time;
            let Some((from_time, value)) = pre
                .iter()
                .rev()
                .find_map(|s| predose_value(s, &options.blq).map(|v| (s.time, v)))
            else {
                return borrowed;
            };
            if -from_time > max_shift {
                return borrowed;
            }
            let (t, c) = with_start(value);
            (
                t,
                c,
                Some(StartNote::Predose {
                    from_time,
                    conc: value,
                }),
            )
        }
    }
}

/// The concentration a baseline sample stands for: its value, or for a BLQ one what the
/// before-first BLQ rule makes of it. `None` when it has none (missing, dropped).
fn predose_value(s: &Sample, rules: &BlqRules) -> Option<f64> {
    let lloq = match s.value {
        SampleValue::Quantified { value } if value > 0.0 => return Some(value),
        SampleValue::AboveUloq { uloq } => return uloq,
        SampleValue::Missing => return None,
        SampleValue::Quantified { .. } => None,
        SampleValue::Blq { lloq } => lloq,
    };
    match rules.before_first {
        BlqRule::Zero => Some(0.0),
        BlqRule::Drop => None,
        BlqRule::Value(v) => Some(v),
        BlqRule::Lloq => lloq,
        BlqRule::HalfLloq => lloq.map(|l| l / 2.0),
    }
}

impl NcaResult {
    /// Terminal half-life, days.
    pub fn half_life(&self) -> Option<f64> {
        self.lambda_z.map(|f| f.half_life())
    }

    /// The partial AUC over `[start, end]`, if that interval was requested.
    pub fn auc_over(&self, start: f64, end: f64) -> Option<f64> {
        self.partial_aucs
            .iter()
            .find(|p| p.interval.start == start && p.interval.end == end)
            .and_then(|p| p.auc)
    }

    /// AUC0-28d, the headline CAR-T exposure metric, if the interval was requested.
    pub fn auc_0_28(&self) -> Option<f64> {
        self.auc_over(0.0, 28.0)
    }

    /// Every parameter with its value, in report order; dose-normalised ones only when a
    /// dose is known.
    pub fn parameters(&self) -> Vec<ParameterValue> {
        let fit = self.lambda_z;
        let per_dose = |v: Option<f64>| match (&self.dose, v) {
            (Some(d), Some(v)) => Some(v / d.amount),
            _ => None,
        };
        let mut out = Vec::with_capacity(Parameter::ALL.len() + 2 * self.partial_aucs.len());
        for p in Parameter::ALL {
            if p.needs_dose() && self.dose.is_none() {
                continue;
            }
            if p.per_interval() {
                for pa in &self.partial_aucs {
                    let v = if p == Parameter::AucintLast {
                        pa.auc
                    } else {
                        per_dose(pa.auc)
                    };
                    out.push(ParameterValue {
                        parameter: p,
                        interval: Some(pa.interval),
                        value: v,
                    });
                }
                continue;
            }
            let value = match p {
                Parameter::NSamples => Some(self.n_samples as f64),
                Parameter::NQuant => Some(self.n_quant as f64),
                Parameter::NBlq => Some(self.n_blq as f64),
                Parameter::Cmax => self.cmax,
                Parameter::Tmax => self.tmax,
                Parameter::Tfirst => self.tfirst,
                Parameter::Tlast => self.tlast,
                Parameter::ClastObs => self.clast_obs,
                Parameter::Auclast => self.auclast,
                Parameter::LambdaZ => fit.map(|f| f.lambda_z),
                Parameter::RSquared => fit.map(|f| f.r_squared),
                Parameter::AdjRSquared => fit.map(|f| f.adj_r_squared),
                Parameter::LambdaZNPoints => fit.map(|f| f.n_points as f64),
                Parameter::LambdaZTimeFirst => fit.map(|f| f.time_first),
                Parameter::LambdaZTimeLast => fit.map(|f| f.time_last),
                Parameter::ClastPred => self.clast_pred,
                Parameter::HalfLife => fit.map(|f| f.half_life()),
                Parameter::SpanRatio => fit.map(|f| f.span_ratio()),
                Parameter::AucinfObs => self.aucinf_obs,
                Parameter::AucinfPred => self.aucinf_pred,
                Parameter::AucpextObs => self.aucpext_obs,
                Parameter::CmaxDn => per_dose(self.cmax),
                Parameter::AuclastDn => per_dose(self.auclast),
                Parameter::AucinfObsDn => per_dose(self.aucinf_obs),
                Parameter::AucintLast | Parameter::AucintLastDn => {
                    unreachable!("per-interval parameters are handled above")
                }
            };
            out.push(ParameterValue {
                parameter: p,
                interval: None,
                value,
            });
        }
        out
    }
}
