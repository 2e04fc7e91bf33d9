//! When a fit can be reported: the trust criteria shared by the fit tables and the report.
//!
//! A fit is *reportable* only when every criterion holds: the search converged, the profile
//! has at least (parameters + 2) quantified observations, every parameter has a standard
//! error with an RSE at or below [`TrustCriteria::max_rse_pct`], and the model's
//! predictions stay inside the assay's range. [`FitResult::trust_failures`] names every
//! criterion that fails; [`FitResult::reportable`] is true when none does.
//!
//! [`FitResult::trust_failures`]: super::FitResult::trust_failures
//! [`FitResult::reportable`]: super::FitResult::reportable

use std::fmt;

/// The criteria, with the documented defaults (docs/ck-model.md).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TrustCriteria {
    /// Largest acceptable relative standard error of any parameter (sigma included), %.
    /// Default 100: an RSE above 100% means the data do not determine the parameter (its
    /// 95% interval on the natural scale spans from about zero to three times the
    /// estimate).
    pub max_rse_pct: f64,
    /// Quantified observations needed beyond the number of estimated parameters. Default 2
    /// (at least parameters + 2 quantified observations).
    pub extra_observations: usize,
}

impl TrustCriteria {
    /// Whether an RSE (%) fails the criterion: above `max_rse_pct`, or not a number. One
    /// rule for the trust failures and for the tie-break's "not determined" test.
    pub fn rse_exceeds(&self, rse_pct: f64) -> bool {
        rse_pct > self.max_rse_pct || rse_pct.is_nan()
    }
}

impl Default for TrustCriteria {
    fn default() -> Self {
        TrustCriteria {
            max_rse_pct: 100.0,
            extra_observations: 2,
        }
    }
}

/// A failed trust criterion.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "criterion", rename_all = "snake_case")]
pub enum TrustFailure {
    /// The search did not converge.
    NotConverged,
    /// Too few quantified observations for the number of parameters.
    TooFewQuantified {
        /// Quantified observations in the likelihood.
        n: usize,
        /// Needed: parameters + [`TrustCriteria::extra_observations`].
        needed: usize,
    },
    /// No standard errors (the Hessian is not positive definite at the optimum).
    NoStandardErrors,
    /// A parameter's RSE is above the limit (or not finite).
    RseAboveLimit {
        /// Parameter name.
        parameter: &'static str,
        /// Its RSE, %.
        rse_pct: f64,
        /// The limit, %.
        limit_pct: f64,
    },
    /// A prediction outside the assay's range.
    PredictionOutsideRange {
        /// Time, days.
        time: f64,
        /// The prediction.
        predicted: f64,
        /// The range's upper end.
        upper: f64,
    },
}

impl TrustFailure {
    /// A short name of the criterion, for table cells: `not_converged`,
    /// `too_few_quantified`, `no_standard_errors`, `rse_above_limit`,
    /// `prediction_outside_range`.
    pub fn code(&self) -> &'static str {
        match self {
            TrustFailure::NotConverged => "not_converged",
            TrustFailure::TooFewQuantified { .. } => "too_few_quantified",
            TrustFailure::NoStandardErrors => "no_standard_errors",
            TrustFailure::RseAboveLimit { .. } => "rse_above_limit",
            TrustFailure::PredictionOutsideRange { .. } => "prediction_outside_range",
        }
    }
}

impl fmt::Display for TrustFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustFailure::NotConverged => write!(f, "not converged"),
            TrustFailure::TooFewQuantified { n, needed } => {
                write!(f, "{n} quantified observations, {needed} needed")
            }
            TrustFailure::NoStandardErrors => write!(f, "no standard errors"),
            TrustFailure::RseAboveLimit {
                parameter,
                rse_pct,
                limit_pct,
            } => write!(
                f,
                "{parameter} RSE {}% > {limit_pct}%",
                format_rse(Some(*rse_pct))
            ),
            TrustFailure::PredictionOutsideRange {
                time,
                predicted,
                upper,
            } => write!(
                f,
                "prediction {predicted:.4e} at day {time} above the assay range ({upper})"
            ),
        }
    }
}

/// An RSE for a table cell: `NA` when missing, `>1000` above 1000%, else the value with
/// one decimal.
pub fn format_rse(rse_pct: Option<f64>) -> String {
    match rse_pct {
        None => "NA".to_string(),
        Some(r) if !r.is_finite() || r > 1000.0 => ">1000".to_string(),
        Some(r) => format!("{r:.1}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rse_cells() {
        assert_eq!(format_rse(None), "NA");
        assert_eq!(format_rse(Some(12.345)), "12.3");
        assert_eq!(format_rse(Some(1000.0)), "1000.0");
        assert_eq!(format_rse(Some(1000.01)), ">1000");
        assert_eq!(format_rse(Some(3.2e6)), ">1000");
        assert_eq!(format_rse(Some(f64::INFINITY)), ">1000");
    }

    #[test]
    fn failures_are_named() {
        let f = TrustFailure::RseAboveLimit {
            parameter: "beta",
            rse_pct: 2.5e6,
            limit_pct: 100.0,
        };
        assert_eq!(f.code(), "rse_above_limit");
        assert_eq!(f.to_string(), "beta RSE >1000% > 100%");
        assert_eq!(
            TrustFailure::TooFewQuantified { n: 3, needed: 9 }.to_string(),
            "3 quantified observations, 9 needed"
        );
    }
}
