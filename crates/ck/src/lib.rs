//! # cartpk-ck
//!
//! Mechanistic cellular-kinetic (CK) models of CAR-T cells, fitted per patient by maximum
//! likelihood.
//!
//! - [`model::CkModel`] is the trait a model implements (closed form or solver for ln C(t)
//!   and its gradient on an unconstrained scale); [`model::Stein2019`] is the Stein et al.
//!   2019 tisagenlecleucel model (exponential expansion, biphasic contraction/persistence).
//! - [`likelihood::NegLogLik`] is the problem: a log-normal residual error, BLQ as censored
//!   observations (Beal's M3) or dropped (M1).
//! - [`fit::fit_profile`] runs a multi-start search ([`fit::search`]: Latin-hypercube
//!   starts, L-BFGS, Nelder-Mead polish, a confirming second start; argmin), and reports
//!   estimates with SE/RSE from the observed information, -2LL, AIC, BIC, typed warnings
//!   ([`fit::FitWarning`]) and trust criteria ([`fit::trust`], [`FitResult::reportable`]);
//!   [`fit::fit_batch`] fits many profiles in parallel (rayon).
//! - [`model::by_name`] resolves a model from its name (`--model`).
//! - [`population`] fits a population (mixed-effects) model by SAEM with BLQ as censored
//!   data: typical values, variability, covariate effects, individual estimates, VPC.
//! - [`simulate`] draws virtual cohorts (between-subject variability, residual error, LLOQ
//!   censoring), seeded and reproducible.
//!
//! No I/O, no printing.

pub mod fit;
pub mod likelihood;
pub mod model;
pub mod normal;
pub mod population;
pub mod simulate;

pub use fit::{
    fit_batch, fit_profile, Estimate, FitError, FitOptions, FitResult, FitWarning, Prediction,
    Termination, TrustCriteria, TrustFailure,
};
pub use likelihood::{BlqMethod, NegLogLik, Observation};
pub use model::{by_name, CkModel, Derived, SharedModel, Stein2019, SteinParams};
