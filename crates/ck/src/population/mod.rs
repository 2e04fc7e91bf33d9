//! Population (nonlinear mixed-effects) CK estimation by SAEM with censored data.
//!
//! The cohort's typical kinetics, their between-subject variability and individual
//! estimates that borrow strength from the cohort, as Monolix estimates them:
//!
//! - [`statement`]: the model statement ([`PopulationModel`]): log-normal / logit-normal
//!   random effects, diagonal Omega, fixed parameters or parameters without a random effect,
//!   categorical and power covariate effects on the transformed parameters;
//!   [`structural`]: the [`crate::CkModel`] seen through the population parameters
//!   ([`SteinPopulation`]: Stein 2019's Cmax, foldx, Tmax, alpha, FB, beta).
//! - [`fit_population`]: SAEM (Delyon, Lavielle & Moulines 1999; Kuhn & Lavielle 2005) with
//!   an MCMC E-step (`kernels`), stochastic approximation (`sa`), closed-form M-step
//!   (`mstep`), annealing (`annealing`), censored (M3) data handled by imputation in the
//!   E-step (Samson, Lavielle & Mentre 2006; `truncnorm`); then conditional modes from
//!   several starts (`individual`), Louis' Fisher information (`fisher`), -2LL by
//!   importance sampling (`importance`), shrinkage (`shrinkage`).
//! - [`vpc()`] and [`residuals()`]: a censored visual predictive check and normalised
//!   prediction discrepancies, as typed rows for plots.
//!
//! Every subject has its own random streams (seed + subject index): one seed gives
//! bit-identical results for any number of threads. docs/population.md has the method,
//! references and recovery figures.

mod annealing;
pub mod covariate_input;
mod data;
mod fisher;
mod importance;
mod individual;
mod kernels;
mod loglik;
mod mstep;
pub mod report;
pub mod residuals;
mod result;
mod sa;
mod saem;
mod shrinkage;
mod simulate_design;
pub mod statement;
pub mod structural;
mod truncnorm;
pub mod vpc;

pub use covariate_input::{
    attach_covariates, resolve_covariates, CovariateForm, CovariateSpec, SubjectCovariates,
};
pub use data::{CovariateValue, PopulationSubject};
pub use individual::individual_mode;
pub use residuals::{residuals, ResidualOptions, ResidualRow};
pub use result::{
    CovariateEffectEstimate, IndividualEstimate, IterationRecord, PopulationFit,
    PopulationParameter, ResidualError,
};
pub use saem::{fit_population, SaemOptions, MAX_SAEM_ITERATIONS};
pub use statement::{
    CovariateKind, CovariateStatement, ParamStatement, PopulationModel, Transform, Variability,
};
pub use structural::{ModelParameters, PopParamSpec, SteinPopulation, Structural};
pub use vpc::{vpc, Vpc, VpcBinning, VpcBlqRow, VpcOptions, VpcPercentileRow};

/// Why a population fit could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PopulationError {
    /// The model statement is inconsistent.
    #[error("population model statement: {0}")]
    Statement(String),
    /// An algorithm setting is out of range (e.g. an iteration count).
    #[error("population fit settings: {0}")]
    Options(String),
    /// Fewer than two subjects have usable data.
    #[error("a population fit needs at least 2 subjects with a quantified observation after the infusion; {0} have one")]
    TooFewSubjects(usize),
}
