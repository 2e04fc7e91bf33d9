//! From a profile's samples to the observations the likelihood sees: which samples enter
//! (pre-infusion samples do not, by default), and on which scale (bounded for %CAR+).

use crate::likelihood::Observation;
use cartpk_core::{ConcUnit, Profile, Sample, SampleValue};

/// Whether a sample was taken before the infusion (baseline): the one place the fitter
/// decides it. A sample the input labels as baseline (screening, baseline, pre-dose,
/// pre-infusion visit) or at a negative time ([`Sample::is_baseline`]), or at time 0
/// (science.md: the day-0 sample is taken before the infusion). Such a sample measures
/// background, not the model's C(0) = C0 (the cells just infused), so it stays out of the
/// likelihood unless `FitOptions::include_baseline`.
pub fn is_pre_infusion(sample: &Sample) -> bool {
    sample.is_baseline() || sample.time <= 0.0
}

/// The scale on which observations and predictions are compared.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObservationScale {
    /// ln C: log-normal residual error (copies/ug, cells/uL, any unbounded unit).
    Log,
    /// A fraction of cells with an upper bound (100 for %CAR+): logit-normal residual
    /// error. The model's C(t) is the odds scaled to the bound, `upper` x CAR+/CAR-, and
    /// the predicted fraction is `upper` C / (`upper` + C), below the bound for any C.
    Logit {
        /// The upper bound (100 for %).
        upper: f64,
    },
}

impl ObservationScale {
    /// The scale for a profile's unit: logit for %CAR+ when `bounded_percent`, log
    /// otherwise.
    pub fn of_unit(unit: &ConcUnit, bounded_percent: bool) -> ObservationScale {
        match unit {
            ConcUnit::PercentCarPositive if bounded_percent => {
                ObservationScale::Logit { upper: 100.0 }
            }
            _ => ObservationScale::Log,
        }
    }

    /// The upper end of the assay's range: 100 for %CAR+, none otherwise.
    pub fn range_upper(unit: &ConcUnit) -> Option<f64> {
        matches!(unit, ConcUnit::PercentCarPositive).then_some(100.0)
    }

    /// A measured value on the model's scale: y itself (log scale), or the odds
    /// `upper` y / (`upper` - y) (logit scale; values at the bound enter just below it, at
    /// `upper` (1 - 1e-4)). The second value says whether the value was at the bound.
    pub fn to_model(&self, y: f64) -> (f64, bool) {
        match *self {
            ObservationScale::Log => (y, false),
            ObservationScale::Logit { upper } => {
                let cap = upper * (1.0 - 1e-4);
                let at_limit = y >= cap;
                let y = y.min(cap);
                (upper * y / (upper - y), at_limit)
            }
        }
    }

    /// A model value C on the measurement scale: C (log scale), or `upper` C / (`upper` + C).
    pub fn to_measured(&self, c: f64) -> f64 {
        match *self {
            ObservationScale::Log => c,
            ObservationScale::Logit { upper } => {
                if c.is_infinite() {
                    upper
                } else {
                    upper * c / (upper + c)
                }
            }
        }
    }
}

/// The observations of a profile that enter the likelihood, and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct FitData {
    /// Observations on the model's scale, by sample order.
    pub observations: Vec<Observation>,
    /// The scale.
    pub scale: ObservationScale,
    /// Pre-infusion samples left out ([`is_pre_infusion`]).
    pub n_baseline: usize,
    /// BLQ samples without an LLOQ (or with an LLOQ <= 0), left out.
    pub n_blq_without_lloq: usize,
    /// Samples above the assay's upper limit (`>ULOQ`), left out (the likelihood has no
    /// right-censored term yet).
    pub n_above_range: usize,
    /// Observations at the scale's upper bound, entered just below it.
    pub n_at_limit: usize,
}

impl FitData {
    /// Selects and transforms the samples of `profile`.
    pub fn of(profile: &Profile, include_baseline: bool, bounded_percent: bool) -> FitData {
        let scale = ObservationScale::of_unit(&profile.unit, bounded_percent);
        let mut out = FitData {
            observations: Vec::with_capacity(profile.samples.len()),
            scale,
            n_baseline: 0,
            n_blq_without_lloq: 0,
            n_above_range: 0,
            n_at_limit: 0,
        };
        for s in &profile.samples {
            if matches!(s.value, SampleValue::Missing) {
                continue;
            }
            if !include_baseline && is_pre_infusion(s) {
                out.n_baseline += 1;
                continue;
            }
            match s.value {
                SampleValue::Quantified { value } if value > 0.0 => {
                    let (y, at_limit) = scale.to_model(value);
                    out.n_at_limit += usize::from(at_limit);
                    out.observations
                        .push(Observation::Quantified { t: s.time, y });
                }
                SampleValue::Blq { lloq: Some(l) } if l > 0.0 => {
                    out.observations.push(Observation::Censored {
                        t: s.time,
                        lloq: scale.to_model(l).0,
                    })
                }
                SampleValue::Missing => {}
                SampleValue::AboveUloq { .. } => out.n_above_range += 1,
                _ => out.n_blq_without_lloq += 1,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartpk_core::{Assay, Matrix, ProfileKey};

    fn profile(unit: ConcUnit, samples: Vec<Sample>) -> Profile {
        Profile::new(
            ProfileKey {
                subject: "S1".into(),
                matrix: Matrix::parse("blood").unwrap(),
                assay: Assay::parse("flow").unwrap(),
            },
            unit,
            samples,
        )
    }

    #[test]
    fn baseline_samples_are_left_out_by_default() {
        let p = profile(
            ConcUnit::CopiesPerUg,
            vec![
                Sample::blq(-7.0, Some(50.0)),
                Sample::blq(0.0, Some(50.0)),
                Sample::quantified(1.0, 80.0),
                Sample::blq(28.0, None),
            ],
        );
        let d = FitData::of(&p, false, true);
        assert_eq!(d.n_baseline, 2);
        assert_eq!(d.n_blq_without_lloq, 1);
        assert_eq!(
            d.observations,
            vec![Observation::Quantified { t: 1.0, y: 80.0 }]
        );
        let d = FitData::of(&p, true, true);
        assert_eq!(d.n_baseline, 0);
        assert_eq!(d.observations.len(), 3);
        assert!(is_pre_infusion(&Sample::blq(0.0, None)));
        let mut labelled = Sample::blq(3.0, None);
        labelled.baseline_visit = true;
        assert!(is_pre_infusion(&labelled));
        assert!(!is_pre_infusion(&Sample::blq(1e-9, None)));
    }

    #[test]
    fn percent_is_on_the_logit_scale() {
        let p = profile(
            ConcUnit::PercentCarPositive,
            vec![
                Sample::quantified(7.0, 50.0),
                Sample::quantified(9.0, 100.0),
                Sample::blq(28.0, Some(0.1)),
            ],
        );
        let d = FitData::of(&p, false, true);
        // 50% CAR+: odds 1, x 100 = 100; LLOQ 0.1%: 100 * 0.1 / 99.9.
        assert_eq!(
            d.observations[0],
            Observation::Quantified { t: 7.0, y: 100.0 }
        );
        assert_eq!(d.n_at_limit, 1);
        match d.observations[2] {
            Observation::Censored { lloq, .. } => {
                assert!((lloq - 10.0 / 99.9).abs() < 1e-12)
            }
            _ => panic!("censored expected"),
        }
        // Back on the measured scale: C = 100 -> 50%; any C stays below 100%.
        let s = d.scale;
        assert!((s.to_measured(100.0) - 50.0).abs() < 1e-12);
        assert!(s.to_measured(1e300) < 100.0 + 1e-9);
        // logit(y/100) - ln(C/100) = ln(model y) - ln C: the residual is a logit difference.
        let (y, _) = s.to_model(30.0);
        assert!(((y / 100.0).ln() - (0.3f64 / 0.7).ln()).abs() < 1e-12);
        // Off: the log scale.
        assert_eq!(FitData::of(&p, false, false).scale, ObservationScale::Log);
    }
}
