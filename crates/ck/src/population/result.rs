//! What a population fit reports: plain data, serialisable.

use super::statement::{CovariateKind, Transform, Variability};

/// One population parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PopulationParameter {
    /// Name (e.g. `cmax`).
    pub name: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Between-subject distribution.
    pub transform: Transform,
    /// Estimated with a random effect, without, or fixed.
    pub variability: Variability,
    /// Typical value, natural scale (for the reference covariate values).
    pub typical: f64,
    /// Its standard error (delta method from the transformed scale); `None` when fixed or
    /// not computed.
    pub typical_se: Option<f64>,
    /// 100 SE / typical.
    pub typical_rse_percent: Option<f64>,
    /// Between-subject variance on the transformed scale; `None` without a random effect.
    pub omega2: Option<f64>,
    /// Its standard error.
    pub omega2_se: Option<f64>,
    /// 100 SE / omega^2.
    pub omega2_rse_percent: Option<f64>,
    /// Coefficient of variation, % (log-normal: 100 sqrt(exp(omega^2) - 1); otherwise
    /// 100 omega, the SD on the transformed scale).
    pub cv_percent: Option<f64>,
    /// Eta-shrinkage of the conditional modes, % (1 - SD(eta)/omega).
    pub shrinkage_percent: Option<f64>,
}

/// One covariate effect on a transformed parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CovariateEffectEstimate {
    /// Label, e.g. `beta_cmax_group_high`.
    pub label: String,
    /// Parameter name.
    pub parameter: &'static str,
    /// Covariate column.
    pub covariate: String,
    /// Categorical or power.
    pub kind: CovariateKind,
    /// The coefficient beta on the transformed scale.
    pub estimate: f64,
    /// Its standard error.
    pub se: Option<f64>,
    /// 100 SE / |beta|.
    pub rse_percent: Option<f64>,
    /// 95% Wald interval of beta.
    pub ci95: Option<(f64, f64)>,
    /// exp(beta): the ratio of the (log-normal) parameter in the level against the
    /// reference, or per e-fold of a power covariate.
    pub ratio: f64,
}

/// The residual error model: additive on ln C.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResidualError {
    /// SD of ln C.
    pub sigma: f64,
    /// Its standard error.
    pub se: Option<f64>,
    /// 100 SE / sigma.
    pub rse_percent: Option<f64>,
}

/// One subject's individual estimates.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndividualEstimate {
    /// Subject identifier.
    pub subject: String,
    /// Conditional mode (maximum a posteriori) of the population parameters, natural
    /// scale, in the statement's order (e.g. cmax, foldx, tmax, alpha, fb, beta).
    pub mode: Vec<f64>,
    /// Conditional mean of the population parameters (natural scale, averaged over the
    /// post-convergence chains).
    pub mean: Vec<f64>,
    /// Conditional SD of phi (transformed scale), per parameter.
    pub sd_phi: Vec<f64>,
    /// The model's natural parameters at the mode ([`crate::CkModel::parameters`] order:
    /// for Stein 2019 cmax, tmax, rho, alpha, beta, fb, the per-profile table's columns).
    pub model_mode: Vec<f64>,
    /// The model's natural parameters, conditional mean over the chains.
    pub model_mean: Vec<f64>,
    /// The model's natural parameters, conditional median over the chains (the Bayesian
    /// reference's posterior median).
    pub model_median: Vec<f64>,
    /// Random effects at the mode (phi - typical phi), per parameter (0 without one).
    pub eta_mode: Vec<f64>,
    /// -2 ln p(y_i) by importance sampling.
    pub neg2ll: f64,
    /// -2 ln p(y_i | phi) p(phi) at the mode, without constants (compare modes of one
    /// subject).
    pub neg2_ln_posterior: f64,
    /// How many distinct local modes the optimisation starts reached (>1: a multimodal
    /// posterior; the best is reported).
    pub local_modes: usize,
    /// -2 ln posterior of the second-best local mode minus that of the best (0 when one).
    pub mode_gap: f64,
    /// Observations in the likelihood; censored among them.
    pub n_observations: usize,
    /// Censored observations.
    pub n_censored: usize,
}

/// One SAEM iteration's estimates, for convergence plots.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IterationRecord {
    /// Iteration, 1-based, burn-in excluded.
    pub iteration: usize,
    /// `exploratory` or `smoothing`.
    pub phase: &'static str,
    /// Typical values, natural scale.
    pub typical: Vec<f64>,
    /// omega^2 (0 without a random effect).
    pub omega2: Vec<f64>,
    /// Residual SD.
    pub sigma: f64,
}

/// The result of [`super::fit_population`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct PopulationFit {
    /// Structural model name.
    pub model: &'static str,
    /// Population parameters.
    pub parameters: Vec<PopulationParameter>,
    /// The model's natural parameter names (the individual `model_*` columns).
    pub model_parameter_names: Vec<&'static str>,
    /// Covariate effects.
    pub covariate_effects: Vec<CovariateEffectEstimate>,
    /// Residual error.
    pub residual: ResidualError,
    /// Individual estimates, one per subject fitted.
    pub individuals: Vec<IndividualEstimate>,
    /// Epsilon-shrinkage, % (1 - SD of the individual weighted residuals at the modes).
    pub epsilon_shrinkage_percent: f64,
    /// -2 ln L by importance sampling.
    pub neg2ll: f64,
    /// -2LL + 2 P.
    pub aic: f64,
    /// -2LL + P ln(N subjects) (Monolix's BIC).
    pub bic: f64,
    /// P: estimated population parameters.
    pub n_estimated: usize,
    /// Subjects fitted.
    pub n_subjects: usize,
    /// Observations in the likelihood.
    pub n_observations: usize,
    /// Censored observations among them.
    pub n_censored: usize,
    /// Estimates per iteration.
    pub trace: Vec<IterationRecord>,
    /// Warnings (subjects left out, Fisher information not invertible...).
    pub warnings: Vec<String>,
    /// The estimates on the transformed scale, for diagnostics.
    #[serde(skip)]
    pub(crate) state: super::mstep::PopState,
    /// Conditional-mode phi per subject fitted, with the subject's index in the input.
    /// How BLQ entered.
    pub blq: crate::likelihood::BlqMethod,
    #[serde(skip)]
    pub(crate) mode_phi: Vec<(usize, Vec<f64>)>,
}
