//! The model statement of a population fit: which structural parameters there are, how
//! each is distributed between subjects (log-normal, logit-normal, normal), which are fixed
//! or have no random effect, and which covariates act on them.
//!
//! Individual parameters follow Monolix's model (Lavielle, *Mixed Effects Models for the
//! Population Approach*, 2014, ch. 3): on the transformed scale phi = h(psi) (h = ln for a
//! log-normal parameter, logit for a logit-normal one),
//!
//! phi_i = mu + sum_c beta_c x_ic + eta_i,  eta_i ~ N(0, omega^2),
//!
//! where a categorical covariate gives an indicator x_ic (1 in the level, 0 in the reference)
//! and a continuous power covariate gives x_ic = ln(cov_i / reference), so that
//! psi_i = psi_pop (cov_i / reference)^beta for a log-normal parameter.

use super::structural::Structural;
use std::sync::Arc;

/// The distribution of a parameter between subjects: the transform h with phi = h(psi)
/// normally distributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// Log-normal: phi = ln psi (psi > 0).
    LogNormal,
    /// Logit-normal: phi = ln(psi / (1 - psi)) (0 < psi < 1).
    LogitNormal,
    /// Normal: phi = psi.
    Normal,
}

impl Transform {
    /// phi = h(psi); `None` outside the domain.
    pub fn to_phi(self, psi: f64) -> Option<f64> {
        match self {
            Transform::LogNormal => (psi > 0.0).then(|| psi.ln()),
            Transform::LogitNormal => (psi > 0.0 && psi < 1.0).then(|| (psi / (1.0 - psi)).ln()),
            Transform::Normal => psi.is_finite().then_some(psi),
        }
    }

    /// psi = h^-1(phi).
    pub fn to_psi(self, phi: f64) -> f64 {
        match self {
            Transform::LogNormal => phi.exp(),
            Transform::LogitNormal => 1.0 / (1.0 + (-phi).exp()),
            Transform::Normal => phi,
        }
    }

    /// d psi / d phi, for the delta method.
    pub fn dpsi_dphi(self, phi: f64) -> f64 {
        match self {
            Transform::LogNormal => phi.exp(),
            Transform::LogitNormal => {
                let p = self.to_psi(phi);
                p * (1.0 - p)
            }
            Transform::Normal => 1.0,
        }
    }
}

/// Whether a parameter is estimated and varies between subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variability {
    /// Typical value estimated, with a random effect (omega^2 estimated). The default.
    RandomEffect,
    /// Typical value estimated, the same for every subject (no random effect). SAEM
    /// estimates it as Monolix does with a vanishing variance: a random effect whose
    /// variance is divided by [`super::SaemOptions::vanishing_rate`] every iteration.
    NoRandomEffect,
    /// Typical value fixed at its initial value, the same for every subject.
    Fixed,
}

/// One parameter of the statement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParamStatement {
    /// Name, as the structural parameterisation names it (e.g. `cmax`).
    pub name: &'static str,
    /// Unit, for reports.
    pub unit: &'static str,
    /// Distribution between subjects.
    pub transform: Transform,
    /// Estimated with a random effect, without, or fixed.
    pub variability: Variability,
    /// Initial (or fixed) typical value on the natural scale.
    pub initial: f64,
    /// Initial omega^2 (transformed scale). A large value (1) lets the annealing explore.
    pub omega2_initial: f64,
}

/// How a covariate enters the transformed parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CovariateKind {
    /// Indicator of one level of a categorical covariate against the others (the
    /// reference): psi is multiplied by exp(beta) in that level (log-normal parameter).
    Categorical {
        /// The level that gets the effect, e.g. `tocilizumab`.
        level: String,
    },
    /// Continuous power effect: x = ln(value / reference), psi ~ (value/reference)^beta.
    Power {
        /// Reference value (e.g. the median), in the covariate's unit.
        reference: f64,
    },
}

/// A covariate effect on one parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CovariateStatement {
    /// The parameter it acts on (its name in the statement).
    pub parameter: &'static str,
    /// The covariate's column name in the subjects' data.
    pub covariate: String,
    /// Categorical or power.
    pub kind: CovariateKind,
}

impl CovariateStatement {
    /// The effect's label in reports, e.g. `beta_cmax_group_high` or `beta_cmax_weight`.
    pub fn label(&self) -> String {
        match &self.kind {
            CovariateKind::Categorical { level } => {
                format!("beta_{}_{}_{}", self.parameter, self.covariate, level)
            }
            CovariateKind::Power { .. } => format!("beta_{}_{}", self.parameter, self.covariate),
        }
    }
}

/// The whole statement: the structural model, its parameters, covariate effects and the
/// residual error (additive on ln C, i.e. proportional/log-normal on C).
#[derive(Clone)]
pub struct PopulationModel {
    /// The structural model and its population parameterisation.
    pub structural: Arc<dyn Structural>,
    /// One statement per parameter of `structural`, in its order.
    pub parameters: Vec<ParamStatement>,
    /// Covariate effects.
    pub covariates: Vec<CovariateStatement>,
    /// Initial residual SD of ln C.
    pub sigma_initial: f64,
}

impl std::fmt::Debug for PopulationModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PopulationModel")
            .field("structural", &self.structural.name())
            .field("parameters", &self.parameters)
            .field("covariates", &self.covariates)
            .field("sigma_initial", &self.sigma_initial)
            .finish()
    }
}

impl PopulationModel {
    /// The Stein 2019 model in the paper's parameterisation (Cmax, foldx, Tmax, alpha, FB,
    /// beta), log-normal random effects on all (logit-normal on FB), no covariates. Initial
    /// values: Cmax 10,000 copies/ug, foldx 1,000, Tmax 7 d, alpha 0.3/d, FB 0.02, beta
    /// 0.01/d, omega^2 1, sigma 1: deliberately not the published values, so that a fit
    /// shows it does not need them.
    pub fn stein2019() -> PopulationModel {
        let s = super::structural::SteinPopulation;
        let init = [10_000.0, 1_000.0, 7.0, 0.3, 0.02, 0.01];
        let parameters = s
            .parameters()
            .iter()
            .zip(init)
            .map(|(p, initial)| ParamStatement {
                name: p.name,
                unit: p.unit,
                transform: p.transform,
                variability: Variability::RandomEffect,
                initial,
                omega2_initial: 1.0,
            })
            .collect();
        PopulationModel {
            structural: Arc::new(s),
            parameters,
            covariates: Vec::new(),
            sigma_initial: 1.0,
        }
    }

    /// The index of a parameter by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.parameters.iter().position(|p| p.name == name)
    }

    /// Sets a parameter's variability; `false` if no parameter has that name.
    pub fn set_variability(&mut self, name: &str, variability: Variability) -> bool {
        match self.index(name) {
            Some(k) => {
                self.parameters[k].variability = variability;
                true
            }
            None => false,
        }
    }
}
