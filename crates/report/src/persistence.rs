//! CAR-T persistence as a time-to-event endpoint: time to loss of quantifiable transgene
//! in a profile (by default blood qPCR), per patient, for a Kaplan-Meier curve.
//!
//! The rule ([`PersistenceRule`]) is explicit because the loss is only known to lie in an
//! interval: between the last quantifiable sample and the next (BLQ) sample. Every rule
//! below is a right-censored simplification of that interval-censored observation; with the
//! sparse late schedule of CAR-T trials (months 3, 6, 9, 12) the choice moves the median by
//! up to the gap between visits. The default puts the event at the first BLQ sample (the
//! time the loss was *observed*, as a relapse is dated at the visit that detects it).
//!
//! Samples before or at `time_origin` (day 0, pre-infusion) do not count; intermittent BLQ
//! samples between quantifiable ones are ignored (persistence lasts to the last
//! quantifiable sample); missing samples are skipped.

use cartpk_core::{Profile, SampleValue};
use serde::Serialize;

/// Where the loss of quantifiable transgene is dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PersistenceRule {
    /// Event at the first BLQ sample after the last quantifiable one (the right end of the
    /// censoring interval); censored at the last quantifiable sample when no BLQ sample
    /// follows it (still quantifiable at the last visit, or lost to follow-up). Default.
    #[default]
    FirstBlqAfterLastQuantifiable,
    /// Event at the midpoint of the interval (last quantifiable, first BLQ after it);
    /// censoring as the default.
    Midpoint,
    /// Event at the last quantifiable sample (the left end: the shortest persistence
    /// compatible with the data); censoring as the default.
    LastQuantifiable,
}

impl PersistenceRule {
    /// Name in tables and flags.
    pub fn name(self) -> &'static str {
        match self {
            PersistenceRule::FirstBlqAfterLastQuantifiable => "first-blq-after-last-quantifiable",
            PersistenceRule::Midpoint => "midpoint",
            PersistenceRule::LastQuantifiable => "last-quantifiable",
        }
    }
}

/// One patient's persistence observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersistenceRecord {
    /// Subject.
    pub subject: String,
    /// Time of the event or censoring, days.
    pub time: f64,
    /// Loss of quantifiable transgene observed (`false`: censored).
    pub event: bool,
    /// Last quantifiable sample, days.
    pub last_quantifiable: f64,
    /// First BLQ sample after it, days (the right end of the interval), if any.
    pub first_blq_after: Option<f64>,
    /// Last sample of any kind, days.
    pub last_sample: f64,
}

/// Why a profile gives no persistence observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PersistenceExclusion {
    /// No quantifiable sample after the origin: never quantifiable (no expansion measured).
    NeverQuantifiable {
        /// Subject.
        subject: String,
    },
}

/// The persistence observation of `profile` under `rule`; samples at or before
/// `time_origin` (days) are ignored.
pub fn persistence(
    profile: &Profile,
    rule: PersistenceRule,
    time_origin: f64,
) -> Result<PersistenceRecord, PersistenceExclusion> {
    let subject = profile.key.subject.clone();
    let mut samples: Vec<_> = profile
        .samples
        .iter()
        .filter(|s| s.time > time_origin && s.time.is_finite() && s.value != SampleValue::Missing)
        .collect();
    samples.sort_by(|a, b| a.time.total_cmp(&b.time));
    let quantifiable = |v: &SampleValue| v.quantified().is_some_and(|x| x > 0.0);
    let Some(last_q) = samples.iter().rposition(|s| quantifiable(&s.value)) else {
        return Err(PersistenceExclusion::NeverQuantifiable { subject });
    };
    let last_quantifiable = samples[last_q].time;
    // Every later non-missing sample is BLQ (or a reported zero), by the choice of last_q.
    let first_blq_after = samples.get(last_q + 1).map(|s| s.time);
    let last_sample = samples.last().map_or(last_quantifiable, |s| s.time);
    let (time, event) = match first_blq_after {
        None => (last_quantifiable, false),
        Some(b) => (
            match rule {
                PersistenceRule::FirstBlqAfterLastQuantifiable => b,
                PersistenceRule::Midpoint => 0.5 * (last_quantifiable + b),
                PersistenceRule::LastQuantifiable => last_quantifiable,
            },
            true,
        ),
    };
    Ok(PersistenceRecord {
        subject,
        time,
        event,
        last_quantifiable,
        first_blq_after,
        last_sample,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartpk_core::{Assay, ConcUnit, Matrix, ProfileKey, Sample};

    fn profile(samples: Vec<Sample>) -> Profile {
        let key = ProfileKey {
            subject: "P1".into(),
            matrix: Matrix::Blood,
            assay: Assay::Qpcr,
        };
        Profile::new(key, ConcUnit::CopiesPerUg, samples)
    }

    #[test]
    fn rule_cases() {
        let r = PersistenceRule::default();
        // Lost at day 168 (BLQ after quantifiable 84, with a transient BLQ at 56).
        let p = profile(vec![
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(7.0, 1e4),
            Sample::blq(56.0, Some(50.0)),
            Sample::quantified(84.0, 80.0),
            Sample::blq(168.0, Some(50.0)),
            Sample::missing(270.0),
            Sample::blq(365.0, Some(50.0)),
        ]);
        let rec = persistence(&p, r, 0.0).unwrap();
        assert_eq!((rec.time, rec.event, rec.last_sample), (168.0, true, 365.0));
        let mid = persistence(&p, PersistenceRule::Midpoint, 0.0).unwrap();
        assert_eq!(mid.time, 126.0);
        // Still quantifiable at the last sample: censored there.
        let p = profile(vec![
            Sample::quantified(7.0, 1e4),
            Sample::quantified(365.0, 60.0),
        ]);
        let rec = persistence(&p, r, 0.0).unwrap();
        assert_eq!((rec.time, rec.event), (365.0, false));
        // Never quantifiable after infusion (day 0 ignored).
        let p = profile(vec![
            Sample::quantified(0.0, 60.0),
            Sample::blq(7.0, Some(50.0)),
        ]);
        assert!(persistence(&p, r, 0.0).is_err());
    }
}
