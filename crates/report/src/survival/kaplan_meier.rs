//! The Kaplan-Meier estimator with Greenwood's variance and survfit's confidence intervals.

use super::quantile::{find_quantile, SurvivalQuantile};
use super::{SurvivalError, TimeToEvent};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// The transformation on which the pointwise confidence interval is symmetric, as
/// `survfit(conf.type = )`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConfType {
    /// `"log"` (survfit's default): `exp(log S +- z se)`, upper bound capped at 1.
    #[default]
    Log,
    /// `"log-log"`: symmetric on `log(-log S)`; undefined (None) where S is 0 or 1.
    LogLog,
    /// `"plain"`: `S +- z se S`, clipped to [0, 1].
    Plain,
}

impl ConfType {
    /// survfit's name.
    pub fn name(self) -> &'static str {
        match self {
            ConfType::Log => "log",
            ConfType::LogLog => "log-log",
            ConfType::Plain => "plain",
        }
    }

    /// Parses [`ConfType::name`].
    pub fn parse(s: &str) -> Option<ConfType> {
        [ConfType::Log, ConfType::LogLog, ConfType::Plain]
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// Options of a Kaplan-Meier fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KmOptions {
    /// Confidence interval type; default log, as survfit.
    pub conf_type: ConfType,
    /// Confidence level; default 0.95.
    pub level: f64,
}

impl Default for KmOptions {
    fn default() -> Self {
        KmOptions {
            conf_type: ConfType::Log,
            level: 0.95,
        }
    }
}

/// The curve at one distinct observed time (event or censoring), as a row of survfit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KmStep {
    /// Time.
    pub time: f64,
    /// Subjects at risk just before `time` (time >= this).
    pub n_risk: usize,
    /// Events at `time`.
    pub n_event: usize,
    /// Censored at `time`.
    pub n_censor: usize,
    /// S(time), right-continuous.
    pub surv: f64,
    /// Greenwood standard error of -log S (survfit's `std.err`):
    /// `sqrt(sum d / (n (n - d)))`; infinite once S is 0.
    pub std_err: f64,
    /// Lower confidence bound; `None` where the interval type is undefined.
    pub lower: Option<f64>,
    /// Upper confidence bound.
    pub upper: Option<f64>,
}

/// A Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KmFit {
    /// Subjects.
    pub n: usize,
    /// Events.
    pub n_events: usize,
    /// One step per distinct time, ascending.
    pub steps: Vec<KmStep>,
    /// The options used.
    pub options: KmOptions,
}

/// The curve at a chosen time (a landmark), as `summary(fit, times = t)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Landmark {
    /// The time asked for.
    pub time: f64,
    /// Subjects at risk at `time` (observed time >= `time`).
    pub n_risk: usize,
    /// Events up to and including `time`.
    pub n_event_cum: usize,
    /// Censored before or at `time`.
    pub n_censor_cum: usize,
    /// S(time).
    pub surv: f64,
    /// Greenwood standard error of S at `time` (S times the step's `std_err`), as
    /// `summary.survfit`'s `std.err`.
    pub std_err: f64,
    /// Lower bound.
    pub lower: Option<f64>,
    /// Upper bound.
    pub upper: Option<f64>,
}

/// Fits the Kaplan-Meier curve of `data`, as `survfit(Surv(time, event) ~ 1,
/// conf.type = , conf.int = )`.
pub fn kaplan_meier(data: &[TimeToEvent], options: KmOptions) -> Result<KmFit, SurvivalError> {
    if data.is_empty() {
        return Err(SurvivalError::Empty);
    }
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(SurvivalError::Level(options.level));
    }
    if let Some((index, d)) = data
        .iter()
        .enumerate()
        .find(|(_, d)| !(d.time.is_finite() && d.time >= 0.0))
    {
        return Err(SurvivalError::BadTime {
            index,
            time: d.time,
        });
    }
    let mut sorted: Vec<TimeToEvent> = data.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let z = Normal::standard().inverse_cdf(1.0 - (1.0 - options.level) / 2.0);
    let mut steps = Vec::new();
    let mut surv = 1.0;
    let mut var = 0.0;
    let mut at_risk = sorted.len();
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].time;
        let j = i + sorted[i..].iter().take_while(|d| d.time == t).count();
        let d = sorted[i..j].iter().filter(|o| o.event).count();
        let c = (j - i) - d;
        if d > 0 {
            let (nf, df) = (at_risk as f64, d as f64);
            surv *= 1.0 - df / nf;
            var += if d < at_risk {
                df / (nf * (nf - df))
            } else {
                f64::INFINITY
            };
        }
        let std_err = var.sqrt();
        let (lower, upper) = interval(surv, std_err, z, options.conf_type);
        steps.push(KmStep {
            time: t,
            n_risk: at_risk,
            n_event: d,
            n_censor: c,
            surv,
            std_err,
            lower,
            upper,
        });
        at_risk -= j - i;
        i = j;
    }
    Ok(KmFit {
        n: data.len(),
        n_events: data.iter().filter(|d| d.event).count(),
        steps,
        options,
    })
}

/// The pointwise interval of `surv` with standard error `se` of -log S, as survfit.
pub(crate) fn interval(
    surv: f64,
    se: f64,
    z: f64,
    conf_type: ConfType,
) -> (Option<f64>, Option<f64>) {
    let finite = |v: f64| v.is_finite().then_some(v);
    if se == 0.0 && surv > 0.0 {
        // No event yet (or only certain ones): the interval is the point, as survfit.
        return match conf_type {
            ConfType::LogLog if surv == 1.0 => (None, None),
            _ => (Some(surv), Some(surv)),
        };
    }
    match conf_type {
        ConfType::Log => {
            if surv <= 0.0 || !se.is_finite() {
                return (None, None);
            }
            (
                finite((surv.ln() - z * se).exp()),
                finite((surv.ln() + z * se).exp().min(1.0)),
            )
        }
        ConfType::LogLog => {
            if surv <= 0.0 || surv >= 1.0 || !se.is_finite() {
                return (None, None);
            }
            let ll = (-surv.ln()).ln();
            let a = (-(ll + z * se / surv.ln()).exp()).exp();
            let b = (-(ll - z * se / surv.ln()).exp()).exp();
            (finite(a.min(b)), finite(a.max(b)))
        }
        ConfType::Plain => {
            if !se.is_finite() {
                return (None, None);
            }
            (
                finite((surv - z * se * surv).max(0.0)),
                finite((surv + z * se * surv).min(1.0)),
            )
        }
    }
}

impl KmFit {
    /// The step in force at `time` (the last with step time <= `time`); `None` before the
    /// first observed time.
    fn step_at(&self, time: f64) -> Option<&KmStep> {
        let k = self.steps.partition_point(|s| s.time <= time);
        k.checked_sub(1).map(|k| &self.steps[k])
    }

    /// Last observed time (event or censoring).
    pub fn max_time(&self) -> f64 {
        self.steps.last().map_or(0.0, |s| s.time)
    }

    /// The curve at `time`, as `summary(fit, times = time)`: `None` after the last observed
    /// time (survfit drops such times by default, `extend = FALSE`) or for a negative or
    /// non-finite time.
    pub fn at(&self, time: f64) -> Option<Landmark> {
        if !(time.is_finite() && time >= 0.0) || time > self.max_time() {
            return None;
        }
        let n_risk = self.n_risk(time);
        let upto: Vec<&KmStep> = self.steps.iter().take_while(|s| s.time <= time).collect();
        let n_event_cum = upto.iter().map(|s| s.n_event).sum();
        let n_censor_cum = upto.iter().map(|s| s.n_censor).sum();
        Some(match self.step_at(time) {
            Some(s) => Landmark {
                time,
                n_risk,
                n_event_cum,
                n_censor_cum,
                surv: s.surv,
                std_err: s.surv * s.std_err,
                lower: s.lower,
                upper: s.upper,
            },
            // Before the first observed time every interval type is the point 1, as
            // summary.survfit.
            None => {
                let (lower, upper) = (Some(1.0), Some(1.0));
                Landmark {
                    time,
                    n_risk,
                    n_event_cum: 0,
                    n_censor_cum: 0,
                    surv: 1.0,
                    std_err: 0.0,
                    lower,
                    upper,
                }
            }
        })
    }

    /// Subjects at risk at `time`: observed time >= `time` (the number-at-risk table under
    /// a Kaplan-Meier plot).
    pub fn n_risk(&self, time: f64) -> usize {
        self.steps
            .iter()
            .filter(|s| s.time >= time)
            .map(|s| s.n_event + s.n_censor)
            .sum()
    }

    /// The `p` quantile of the event-time distribution (`p = 0.5`: the median) with its
    /// confidence interval, as `quantile(fit, p)`: the first time 1 - S reaches `p`, the
    /// midpoint of a flat stretch at exactly `p` (tolerance sqrt(machine epsilon)); the
    /// bounds likewise from the lower and upper curves. `None` where not reached.
    pub fn quantile(&self, p: f64) -> SurvivalQuantile {
        let tol = f64::EPSILON.sqrt();
        let times: Vec<f64> = self.steps.iter().map(|s| s.time).collect();
        let curve = |f: &dyn Fn(&KmStep) -> Option<f64>| -> Option<f64> {
            let ys: Vec<Option<f64>> = self.steps.iter().map(|s| f(s).map(|v| 1.0 - v)).collect();
            find_quantile(&times, &ys, p, tol)
        };
        SurvivalQuantile {
            p,
            estimate: curve(&|s| Some(s.surv)),
            // 1 - lower is the higher cumulative curve: it reaches p first.
            lower: curve(&|s| s.lower),
            upper: curve(&|s| s.upper),
        }
    }

    /// The median with its CI (`quantile(0.5)`).
    pub fn median(&self) -> SurvivalQuantile {
        self.quantile(0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(v: &[(f64, bool)]) -> Vec<TimeToEvent> {
        v.iter()
            .map(|&(time, event)| TimeToEvent { time, event })
            .collect()
    }

    #[test]
    fn hand_computed_curve() {
        // Times 1, 2+, 3, 3, 4+: S(1) = 4/5, S(3) = 4/5 * (1 - 2/3) = 4/15.
        let fit = kaplan_meier(
            &obs(&[
                (1.0, true),
                (2.0, false),
                (3.0, true),
                (3.0, true),
                (4.0, false),
            ]),
            KmOptions::default(),
        )
        .unwrap();
        assert_eq!(fit.steps.len(), 4);
        assert!((fit.steps[0].surv - 0.8).abs() < 1e-15);
        assert!((fit.steps[2].surv - 4.0 / 15.0).abs() < 1e-15);
        // Greenwood: 1/(5*4) + 2/(3*1).
        assert!((fit.steps[2].std_err - (0.05f64 + 2.0 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(fit.n_risk(2.5), 3);
        assert_eq!(fit.at(0.5).unwrap().surv, 1.0);
        assert!(fit.at(5.0).is_none());
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            kaplan_meier(&[], KmOptions::default()),
            Err(SurvivalError::Empty)
        );
        assert!(matches!(
            kaplan_meier(&obs(&[(f64::NAN, true)]), KmOptions::default()),
            Err(SurvivalError::BadTime { index: 0, .. })
        ));
    }
}
