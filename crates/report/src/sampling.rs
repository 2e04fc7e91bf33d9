//! Which metrics a profile's sampling supports.
//!
//! The rule: a profile is *rich* when it has at least [`SamplingRule::min_times`] sampling
//! times with a result (quantified or BLQ, baseline included) and at least
//! [`SamplingRule::min_expansion_times`] of them within the expansion window
//! (day 0 to [`SamplingRule::expansion_end_day`]). Only then do Cmax, Tmax, partial AUCs,
//! Clast/Tlast, half-life and AUCinf describe the profile: with fewer samples, Cmax is just
//! the largest of a few visits, Tmax the visit day, and an AUC from day 0 is mostly the
//! zero imputed at day 0 (a CSF AUC0-28d from one day-28 sample is 14 x C28).
//!
//! A matrix x assay is reported with the full NCA when at least half of its profiles are
//! rich; otherwise (bone marrow, CSF: a few visits) as the concentration at each visit
//! and the tissue-to-blood ratio at matched visits. `cartpk nca` still computes every
//! PKNCA parameter for every profile; the report flags the unsupported ones.

use cartpk_core::{Profile, SampleValue};
use serde::Serialize;

/// The rule, with its documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SamplingRule {
    /// Fewest sampling times with a result for the full NCA (default 5).
    pub min_times: usize,
    /// Fewest of them within the expansion window (default 3).
    pub min_expansion_times: usize,
    /// End of the expansion window, days (default 28, the AUC0-28d window).
    pub expansion_end_day: f64,
}

impl Default for SamplingRule {
    fn default() -> Self {
        SamplingRule {
            min_times: 5,
            min_expansion_times: 3,
            expansion_end_day: 28.0,
        }
    }
}

/// What a profile's sampling supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// Every NCA metric.
    FullNca,
    /// Concentrations at each visit only.
    Visits,
}

impl SamplingRule {
    /// What `profile` supports.
    pub fn support(&self, profile: &Profile) -> Support {
        let times = profile
            .samples
            .iter()
            .filter(|s| s.value != SampleValue::Missing);
        let (mut n, mut early) = (0, 0);
        for s in times {
            n += 1;
            if s.time <= self.expansion_end_day {
                early += 1;
            }
        }
        if n >= self.min_times && early >= self.min_expansion_times {
            Support::FullNca
        } else {
            Support::Visits
        }
    }

    /// What a matrix x assay supports: the full NCA when at least half its profiles do.
    pub fn support_of_kind(&self, profiles: &[&Profile]) -> Support {
        let rich = profiles
            .iter()
            .filter(|p| self.support(p) == Support::FullNca)
            .count();
        if !profiles.is_empty() && 2 * rich >= profiles.len() {
            Support::FullNca
        } else {
            Support::Visits
        }
    }

    /// The rule in words, for the report's settings.
    pub fn describe(&self) -> String {
        format!(
            "full NCA when >= {} sampling times with a result and >= {} in days 0-{}; otherwise concentration at each visit",
            self.min_times, self.min_expansion_times, self.expansion_end_day
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartpk_core::{Assay, ConcUnit, Matrix, ProfileKey, Sample};

    fn profile(matrix: Matrix, days: &[f64]) -> Profile {
        let key = ProfileKey {
            subject: "P".into(),
            matrix,
            assay: Assay::Qpcr,
        };
        let s = days.iter().map(|&t| Sample::quantified(t, 100.0)).collect();
        Profile::new(key, ConcUnit::CopiesPerUg, s)
    }

    #[test]
    fn seed_trial_schedules_are_classified() {
        let rule = SamplingRule::default();
        // Blood on the seed trial's schedule: 13 times, 8 in days 0-28.
        let blood = profile(
            Matrix::Blood,
            &[
                0., 1., 4., 7., 11., 14., 21., 28., 56., 84., 168., 270., 365.,
            ],
        );
        assert_eq!(rule.support(&blood), Support::FullNca);
        // Marrow at days 28, 84, 168 and CSF at day 28: visits only.
        let marrow = profile(Matrix::BoneMarrow, &[28., 84., 168.]);
        let csf = profile(Matrix::Csf, &[28.]);
        assert_eq!(rule.support(&marrow), Support::Visits);
        assert_eq!(rule.support(&csf), Support::Visits);
        // Five late samples: enough times, but nothing describes the expansion.
        let late = profile(Matrix::Blood, &[28., 56., 84., 168., 365.]);
        assert_eq!(rule.support(&late), Support::Visits);
        assert_eq!(
            rule.support_of_kind(&[&blood, &late]),
            Support::FullNca,
            "half rich is enough"
        );
        assert_eq!(
            rule.support_of_kind(&[&marrow, &csf, &blood]),
            Support::Visits
        );
    }
}
