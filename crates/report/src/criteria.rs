//! Acceptance criteria of estimates: which per-profile values enter the summary statistics.
//! An estimate that fails stays in the per-profile tables with a flag and the reason, and
//! the summary rows count it under `n_excluded` with the reasons.
//!
//! Defaults are the common practice of NCA reports (FDA/EMA reviewers, PKNCA's own
//! flags): terminal half-life and AUCinf only when the lambda_z regression has an adjusted
//! R2 >= 0.8 and spans >= 2 half-lives; AUCinf only when <= 20% of it is extrapolated.

use cartpk_ck::FitResult;
use cartpk_nca::NcaResult;
use serde::Serialize;
use std::fmt;

/// The criteria, each a named option with its documented default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AcceptanceCriteria {
    /// Smallest adjusted R2 of the lambda_z regression for t1/2 and AUCinf (default 0.8).
    pub min_adj_r_squared: f64,
    /// Smallest span of the lambda_z points, in half-lives, for t1/2 and AUCinf (default 2).
    pub min_span_half_lives: f64,
    /// Largest %AUC extrapolated for AUCinf (default 20%).
    pub max_aucpext_pct: f64,
}

impl Default for AcceptanceCriteria {
    fn default() -> Self {
        AcceptanceCriteria {
            min_adj_r_squared: 0.8,
            min_span_half_lives: 2.0,
            max_aucpext_pct: 20.0,
        }
    }
}

/// Why an estimate is left out of the summary statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Exclusion {
    /// The lambda_z regression fits poorly.
    AdjRSquaredLow {
        /// Its adjusted R2.
        value: f64,
        /// The criterion.
        limit: f64,
    },
    /// The lambda_z points span too few half-lives.
    SpanShort {
        /// Span / half-life.
        value: f64,
        /// The criterion.
        limit: f64,
    },
    /// Too much of AUCinf is extrapolated.
    ExtrapolationHigh {
        /// %AUC extrapolated.
        value: f64,
        /// The criterion, %.
        limit: f64,
    },
    /// The profile's sampling does not support the metric (see [`crate::sampling`]).
    SparseSampling,
    /// The model fit is not reportable.
    FitNotReportable {
        /// Which criteria failed.
        failed: Vec<String>,
    },
}

impl Exclusion {
    /// A short code, the same in every table (`adj_r_squared_low`...).
    pub fn code(&self) -> &'static str {
        match self {
            Exclusion::AdjRSquaredLow { .. } => "adj_r_squared_low",
            Exclusion::SpanShort { .. } => "span_short",
            Exclusion::ExtrapolationHigh { .. } => "aucpext_high",
            Exclusion::SparseSampling => "sparse_sampling",
            Exclusion::FitNotReportable { .. } => "fit_not_reportable",
        }
    }
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exclusion::AdjRSquaredLow { value, limit } => {
                write!(f, "adjusted R2 {value:.3} < {limit}")
            }
            Exclusion::SpanShort { value, limit } => {
                write!(f, "lambda_z span {value:.2} half-lives < {limit}")
            }
            Exclusion::ExtrapolationHigh { value, limit } => {
                write!(f, "{value:.1}% of AUCinf extrapolated > {limit}%")
            }
            Exclusion::SparseSampling => write!(f, "sampling too sparse for this metric"),
            Exclusion::FitNotReportable { failed } => {
                write!(f, "model fit not reportable: {}", failed.join(", "))
            }
        }
    }
}

/// Whether `value` fails a lower limit; NaN always fails.
fn below(value: f64, limit: f64) -> bool {
    value.is_nan() || value < limit
}

/// Whether `value` fails an upper limit; NaN always fails.
fn above(value: f64, limit: f64) -> bool {
    value.is_nan() || value > limit
}

/// Why the terminal half-life of `r` is excluded (empty: it is accepted, or there is none).
pub fn half_life_exclusions(r: &NcaResult, c: &AcceptanceCriteria) -> Vec<Exclusion> {
    let Some(fit) = r.lambda_z else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if below(fit.adj_r_squared, c.min_adj_r_squared) {
        out.push(Exclusion::AdjRSquaredLow {
            value: fit.adj_r_squared,
            limit: c.min_adj_r_squared,
        });
    }
    let span = fit.span_ratio();
    if below(span, c.min_span_half_lives) {
        out.push(Exclusion::SpanShort {
            value: span,
            limit: c.min_span_half_lives,
        });
    }
    out
}

/// Why AUCinf of `r` is excluded: the half-life's reasons and the extrapolated share.
pub fn aucinf_exclusions(r: &NcaResult, c: &AcceptanceCriteria) -> Vec<Exclusion> {
    let mut out = half_life_exclusions(r, c);
    if let Some(p) = r.aucpext_obs {
        if above(p, c.max_aucpext_pct) {
            out.push(Exclusion::ExtrapolationHigh {
                value: p,
                limit: c.max_aucpext_pct,
            });
        }
    }
    out
}

/// Whether a model fit is reported and enters summaries, with the failed criteria.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitVerdict {
    /// Included in summaries.
    pub reportable: bool,
    /// Names of the failed criteria (empty when reportable).
    pub failed: Vec<String>,
}

/// The one place that decides whether a model fit is reportable: cartpk-ck's trust
/// criteria (converged, quantified observations >= parameters + 2, every RSE at or below the
/// limit, predictions inside the assay's range), with the failed criteria named.
pub fn fit_verdict(fit: &FitResult) -> FitVerdict {
    FitVerdict {
        reportable: fit.reportable(),
        failed: fit.trust_failures.iter().map(|f| f.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
    use cartpk_nca::{nca_profile, NcaOptions};

    fn result(samples: Vec<Sample>) -> NcaResult {
        let key = ProfileKey {
            subject: "P".into(),
            matrix: Matrix::Blood,
            assay: Assay::Qpcr,
        };
        let p = Profile::new(key, ConcUnit::CopiesPerUg, samples);
        nca_profile(&p, &NcaOptions::default(), None).unwrap()
    }

    #[test]
    fn a_clean_mono_exponential_tail_passes() {
        // C = 1000 exp(-0.1 t) from day 7 to 84: half-life ln2/0.1 = 6.93 d, points over
        // 77 d = 11 half-lives, R2 = 1; AUC extrapolated C(84)/0.1 / AUCinf tiny.
        let s: Vec<Sample> = std::iter::once(Sample::blq(0.0, Some(1.0)))
            .chain(
                [7.0, 14.0, 28.0, 56.0, 84.0]
                    .iter()
                    .map(|&t| Sample::quantified(t, 1000.0 * (-0.1 * (t - 7.0)).exp())),
            )
            .collect();
        let r = result(s);
        assert!((r.half_life().unwrap() - std::f64::consts::LN_2 / 0.1).abs() < 1e-9);
        let c = AcceptanceCriteria::default();
        assert!(half_life_exclusions(&r, &c).is_empty());
        assert!(aucinf_exclusions(&r, &c).is_empty());
    }

    #[test]
    fn a_short_noisy_tail_is_excluded_with_reasons() {
        // Three points after Cmax at 7, 14, 21 with a slow, noisy decline: the half-life is
        // far longer than the 14-day span, so the span criterion fails, and AUCinf is mostly
        // extrapolated.
        let r = result(vec![
            Sample::blq(0.0, Some(1.0)),
            Sample::quantified(4.0, 1000.0),
            Sample::quantified(7.0, 900.0),
            Sample::quantified(14.0, 950.0),
            Sample::quantified(21.0, 800.0),
        ]);
        let c = AcceptanceCriteria::default();
        let hl = half_life_exclusions(&r, &c);
        let codes: Vec<&str> = hl.iter().map(Exclusion::code).collect();
        assert!(codes.contains(&"span_short"), "{codes:?}");
        let fit = r.lambda_z.unwrap();
        if fit.adj_r_squared < 0.8 {
            assert!(codes.contains(&"adj_r_squared_low"));
        }
        let inf: Vec<&str> = aucinf_exclusions(&r, &c)
            .iter()
            .map(Exclusion::code)
            .collect();
        assert!(r.aucpext_obs.unwrap() > 20.0);
        assert!(inf.contains(&"aucpext_high"));
    }
}
