//! What a fit warns about, typed: the report and the tables print them with `Display`, and
//! code can match on them.

use std::fmt;

/// One warning of a fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FitWarning {
    /// A parameter's relative standard error exceeds the limit.
    PoorlyIdentified {
        /// Parameter name.
        parameter: &'static str,
        /// Its RSE, %.
        rse_pct: f64,
        /// The limit, %.
        limit_pct: f64,
    },
    /// The Hessian at the optimum is not positive definite: no standard errors.
    HessianNotPositiveDefinite,
    /// Fewer quantified observations than parameters + 2 (the fit was asked for anyway).
    FewObservations {
        /// Quantified observations in the likelihood.
        n_quantified: usize,
        /// Estimated parameters, sigma included.
        n_params: usize,
    },
    /// The search did not converge.
    NotConverged {
        /// Norm of the gradient at the best point (kink minima excluded).
        gradient_norm: f64,
        /// Why the optimiser stopped.
        termination: super::Termination,
    },
    /// The estimate sits on a flat likelihood ridge and was moved along it towards the
    /// model's anchor (`FitOptions::ridge_tol`).
    OnFlatRidge {
        /// ln L of the optimum minus ln L of the reported point: at most
        /// `FitOptions::ridge_tol`, at least `-ridge::BETTER_BY` (a move that lands a hair
        /// below the optimum; printed as 0).
        ln_l_loss: f64,
    },
    /// No quantified sample after the peak.
    NoSampleAfterPeak,
    /// No quantified sample after the persistence day.
    NoSampleAfterDay {
        /// The day (`FitOptions::persistence_day`).
        day: f64,
    },
    /// BLQ samples without an LLOQ, left out of the likelihood.
    BlqWithoutLloq {
        /// How many.
        n: usize,
    },
    /// Samples above the assay's upper limit (`>ULOQ`), left out of the likelihood.
    AboveRangeLeftOut {
        /// How many.
        n: usize,
    },
    /// Observations at or above the scale's upper bound (100 %), entered just below it.
    AtScaleLimit {
        /// How many.
        n: usize,
        /// The bound.
        upper: f64,
    },
    /// A model prediction outside the assay's range.
    PredictionOutsideRange {
        /// Time, days.
        time: f64,
        /// The prediction.
        predicted: f64,
        /// The range's upper end.
        upper: f64,
    },
}

impl fmt::Display for FitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitWarning::PoorlyIdentified {
                parameter,
                rse_pct,
                limit_pct,
            } => write!(
                f,
                "{parameter} poorly identified (RSE {} > {limit_pct}%)",
                super::trust::format_rse(Some(*rse_pct))
            ),
            FitWarning::HessianNotPositiveDefinite => write!(
                f,
                "Hessian not positive definite at the optimum: no standard errors; some parameters are not identifiable"
            ),
            FitWarning::FewObservations {
                n_quantified,
                n_params,
            } => write!(
                f,
                "{n_quantified} quantified observations for {n_params} parameters (fewer than parameters + 2): the estimates are not identifiable from this profile alone"
            ),
            FitWarning::NotConverged {
                gradient_norm,
                termination,
            } => write!(
                f,
                "not converged ({termination}; gradient norm {gradient_norm:.2e})"
            ),
            FitWarning::OnFlatRidge { ln_l_loss } => write!(
                f,
                "flat likelihood ridge: reported the point nearest the typical values, ln L {:.1e} below the optimum",
                ln_l_loss.max(0.0)
            ),
            FitWarning::NoSampleAfterPeak => write!(
                f,
                "no quantified sample after the peak: contraction and persistence (alpha, beta, fb) are not identifiable"
            ),
            FitWarning::NoSampleAfterDay { day } => write!(
                f,
                "no quantified sample after day {day}: persistence (beta, fb) is not identifiable"
            ),
            FitWarning::BlqWithoutLloq { n } => write!(
                f,
                "{n} BLQ sample(s) without an LLOQ left out of the likelihood"
            ),
            FitWarning::AboveRangeLeftOut { n } => write!(
                f,
                "{n} sample(s) above the assay's upper limit left out of the likelihood"
            ),
            FitWarning::AtScaleLimit { n, upper } => write!(
                f,
                "{n} observation(s) at or above {upper}: entered just below it"
            ),
            FitWarning::PredictionOutsideRange {
                time,
                predicted,
                upper,
            } => write!(
                f,
                "prediction {predicted:.4e} at day {time} outside the assay range (above {upper})"
            ),
        }
    }
}
