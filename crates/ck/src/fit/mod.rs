//! Per-profile maximum-likelihood fits: a multi-start search ([`search`]: spread starts,
//! local L-BFGS, Nelder-Mead + L-BFGS polish, a confirming second start), standard errors
//! from the observed information, typed warnings and trust criteria ([`trust`]).
//! [`fit_batch`] runs profiles in parallel with rayon; each fit is sequential and depends on
//! the data only, so results do not depend on the thread count.

pub mod data;
pub mod ridge;
pub mod search;
pub mod trust;
pub mod uncertainty;
mod warning;

pub use data::{is_pre_infusion, FitData, ObservationScale};
pub use search::{SearchOptions, Termination};
pub use trust::{TrustCriteria, TrustFailure};
pub use warning::FitWarning;

use crate::likelihood::{BlqMethod, NegLogLik, Observation};
use crate::model::{CkModel, DataSummary, Derived};
use cartpk_core::Profile;
use rayon::prelude::*;

/// Fitting settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FitOptions {
    /// How BLQ observations enter the likelihood.
    pub blq: BlqMethod,
    /// Keep pre-infusion (baseline) samples in the likelihood ([`is_pre_infusion`]). Default
    /// false: a baseline sample measures background, not the model's C(0).
    pub include_baseline: bool,
    /// %CAR+ profiles on the logit scale, their predictions bounded at 100% (default true;
    /// false fits them on the log scale like any unit, and predictions above 100% are then
    /// warnings).
    pub bounded_percent: bool,
    /// Fit profiles with fewer than (parameters + 2) quantified observations (at least 3)
    /// anyway, flagged not reportable. Default false: such profiles are not fitted
    /// ([`FitError::TooFewObservations`]).
    pub fit_sparse: bool,
    /// The search.
    pub search: SearchOptions,
    /// Nelder-Mead iterations of each polish.
    pub nm_max_iters: u64,
    /// L-BFGS iterations of each polish.
    pub lbfgs_max_iters: u64,
    /// Starting residual SD on the log scale.
    pub sigma_start: f64,
    /// Smallest residual SD of ln C (keeps the likelihood bounded when the model can pass
    /// through every quantified point).
    pub sigma_min: f64,
    /// When a fit is reportable; RSEs above `trust.max_rse_pct` are also warnings.
    pub trust: TrustCriteria,
    /// Day after which quantified samples are needed to identify the persistence phase.
    pub persistence_day: f64,
    /// The tie-break on flat likelihood ridges ([`ridge`]): a converged fit with a parameter
    /// the data do not determine (RSE above `trust.max_rse_pct`, or no standard errors) is
    /// reported at the point nearest the model's anchor among those whose ln L is at most
    /// this far below the optimum. 0 reports the optimum the search found.
    pub ridge_tol: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        let search = SearchOptions::default();
        FitOptions {
            blq: BlqMethod::M3,
            include_baseline: false,
            bounded_percent: true,
            fit_sparse: false,
            nm_max_iters: search.nm_max_iters,
            lbfgs_max_iters: search.polish_max_iters,
            search,
            sigma_start: 0.5,
            sigma_min: 0.05,
            trust: TrustCriteria::default(),
            persistence_day: 60.0,
            ridge_tol: 0.005,
        }
    }
}

/// One estimated parameter, on the natural scale.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Name (`cmax`, `alpha`, ..., `sigma`).
    pub name: &'static str,
    /// Unit (`conc` is the profile's concentration unit).
    pub unit: &'static str,
    /// Maximum-likelihood estimate; on a flat ridge the tie-break's point
    /// ([`FitWarning::OnFlatRidge`]).
    pub value: f64,
    /// Standard error (delta method) of the maximum-likelihood estimate, when the Hessian
    /// at the optimum is positive definite.
    pub se: Option<f64>,
    /// Relative standard error of the maximum-likelihood estimate, 100 SE / |estimate|, %
    /// (on a fit the tie-break moved, of the optimum's estimate, not of `value`).
    pub rse_pct: Option<f64>,
}

/// The result of one fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FitResult {
    /// Model name.
    pub model: &'static str,
    /// BLQ handling.
    pub blq: BlqMethod,
    /// The scale of observations and predictions (logit for %CAR+).
    pub scale: ObservationScale,
    /// Estimates of the model parameters, then `sigma` (residual SD of ln C, or of the
    /// logit on the logit scale): the maximum-likelihood estimate, or on a flat ridge the
    /// tie-break's point ([`FitWarning::OnFlatRidge`]); standard errors and RSEs are those
    /// of the optimum.
    pub estimates: Vec<Estimate>,
    /// Derived quantities.
    pub derived: Vec<Derived>,
    /// The reported point on the unconstrained scale (theta, s): the optimum, or the
    /// tie-break's point on a flat ridge. Predictions and `neg2ll` are at this point.
    pub optimum: Vec<f64>,
    /// -2 ln L at the reported point (log- or logit-scale data).
    pub neg2ll: f64,
    /// AIC = -2LL + 2k.
    pub aic: f64,
    /// BIC = -2LL + k ln n.
    pub bic: f64,
    /// Observations in the likelihood (what was fitted).
    pub n_obs: usize,
    /// Quantified observations in the likelihood.
    pub n_quantified: usize,
    /// BLQ observations among the fitted samples (in the likelihood under M3).
    pub n_blq: usize,
    /// Pre-infusion samples left out of the likelihood.
    pub n_baseline: usize,
    /// Estimated parameters, sigma included.
    pub n_params: usize,
    /// Whether the search converged ([`Termination::Converged`]).
    pub converged: bool,
    /// Why the search stopped.
    pub termination: Termination,
    /// Iterations, all stages.
    pub iterations: u64,
    /// Gradient norm at the optimum (kink components excluded), of the convergence test.
    pub gradient_norm: f64,
    /// Condition number of the Hessian at the optimum.
    pub condition_number: f64,
    /// Residual SD at the reported point.
    pub sigma: f64,
    /// Largest prediction on the measured scale from day 0 to the last observation, of the
    /// reported point (the range criterion is about the curve that is reported).
    pub max_prediction: f64,
    /// Identifiability and convergence warnings.
    pub warnings: Vec<FitWarning>,
    /// The trust criteria this fit fails (empty: reportable).
    pub trust_failures: Vec<TrustFailure>,
}

/// Why a profile could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
pub enum FitError {
    /// Too few quantified observations.
    #[error("{n} quantified observations, at least {needed} (parameters + 2) needed to fit")]
    TooFewObservations {
        /// Quantified observations.
        n: usize,
        /// Needed.
        needed: usize,
    },
    /// The model gave no starting point.
    #[error("no valid starting values from the data")]
    NoStart,
    /// The optimiser failed on every start.
    #[error("optimisation failed: {0}")]
    Optimiser(String),
    /// A parameter vector of the wrong length.
    #[error("{found} parameters given, the model and sigma need {expected}")]
    ParameterCount {
        /// Expected length (model parameters + sigma).
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// Fit options out of their domain (library callers; the CLI and Python check theirs).
    #[error("invalid fit options: {0}")]
    Options(String),
    /// No model of this name.
    #[error("unknown model '{name}'; expected one of: {known}")]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The names known, comma-separated.
        known: String,
    },
}

/// A row of individual predictions and residuals.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Prediction {
    /// Time, days.
    pub time: f64,
    /// Observed value (quantified) or the LLOQ (BLQ).
    pub observed: f64,
    /// Whether the observation is BLQ.
    pub blq: bool,
    /// Individual prediction C(t), on the measured scale.
    pub predicted: f64,
    /// ln(observed) - ln(predicted) (log scale) or logit(observed) - logit(predicted)
    /// (logit scale); for BLQ, with the LLOQ as observed.
    pub residual_log: f64,
    /// Residual divided by sigma.
    pub weighted_residual: f64,
}

/// The observations of a profile the likelihood uses by default (pre-infusion samples out,
/// %CAR+ on the logit scale), and how many BLQ samples were skipped for want of an LLOQ.
pub fn observations(profile: &Profile) -> (Vec<Observation>, usize) {
    let d = FitData::of(profile, false, true);
    (d.observations, d.n_blq_without_lloq)
}

fn summary(obs: &[Observation], lambda_z: Option<f64>) -> Option<DataSummary> {
    let quantified: Vec<(f64, f64)> = obs
        .iter()
        .filter_map(|o| match *o {
            Observation::Quantified { t, y } => Some((t, y)),
            _ => None,
        })
        .collect();
    let &(tmax, cmax) = quantified
        .iter()
        .fold(None, |b: Option<&(f64, f64)>, q| match b {
            Some(b) if b.1 >= q.1 => Some(b),
            _ => Some(q),
        })?;
    let lloq = obs
        .iter()
        .filter_map(|o| match *o {
            Observation::Censored { lloq, .. } => Some(lloq),
            _ => None,
        })
        .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.min(l))));
    Some(DataSummary {
        cmax,
        tmax,
        quantified,
        lloq,
        lambda_z,
    })
}

/// Fits `model` to one profile.
pub fn fit_profile(
    model: &dyn CkModel,
    profile: &Profile,
    options: &FitOptions,
) -> Result<FitResult, FitError> {
    let data = FitData::of(profile, options.include_baseline, options.bounded_percent);
    let lambda_z = cartpk_nca::nca_profile(profile, &cartpk_nca::NcaOptions::default(), None)
        .ok()
        .and_then(|r| r.lambda_z.map(|f| f.lambda_z));
    let upper = ObservationScale::range_upper(&profile.unit);
    let mut result = fit_scaled(
        model,
        &data.observations,
        data.scale,
        upper,
        lambda_z,
        options,
    )?;
    result.n_baseline = data.n_baseline;
    if data.n_blq_without_lloq > 0 {
        result.warnings.push(FitWarning::BlqWithoutLloq {
            n: data.n_blq_without_lloq,
        });
    }
    if data.n_above_range > 0 {
        result.warnings.push(FitWarning::AboveRangeLeftOut {
            n: data.n_above_range,
        });
    }
    if data.n_at_limit > 0 {
        if let ObservationScale::Logit { upper } = data.scale {
            result.warnings.push(FitWarning::AtScaleLimit {
                n: data.n_at_limit,
                upper,
            });
        }
    }
    Ok(result)
}

/// Fits `model` to observations on the log scale; `lambda_z` (NCA) helps the starting
/// values.
pub fn fit_observations(
    model: &dyn CkModel,
    obs: &[Observation],
    lambda_z: Option<f64>,
    options: &FitOptions,
) -> Result<FitResult, FitError> {
    fit_scaled(model, obs, ObservationScale::Log, None, lambda_z, options)
}

/// The likelihood of `obs` under `model` as `options` configure it.
fn problem<'a>(
    model: &'a dyn CkModel,
    obs: &'a [Observation],
    options: &FitOptions,
) -> NegLogLik<'a> {
    NegLogLik {
        model,
        obs,
        method: options.blq,
        sigma_min: options.sigma_min,
    }
}

/// The exhaustive reference optimum of `obs` (see [`search::exhaustive_search`]), -ln L
/// and the point: what the acceptance of the search is measured against.
pub fn reference_optimum(
    model: &dyn CkModel,
    obs: &[Observation],
    lambda_z: Option<f64>,
    options: &FitOptions,
    n_starts: usize,
) -> Option<(Vec<f64>, f64)> {
    let data = summary(obs, lambda_z)?;
    let p = problem(model, obs, options);
    let bounds = model.start_box(&data)?;
    let s0 = p.sigma_param(options.sigma_start.max(2.0 * options.sigma_min));
    search::exhaustive_search(p, &model.starts(&data), &bounds, s0, n_starts)
}

fn fit_scaled(
    model: &dyn CkModel,
    obs: &[Observation],
    scale: ObservationScale,
    range_upper: Option<f64>,
    lambda_z: Option<f64>,
    options: &FitOptions,
) -> Result<FitResult, FitError> {
    let k = model.n_theta();
    let n_params = k + 1;
    let n_quant = obs
        .iter()
        .filter(|o| matches!(o, Observation::Quantified { .. }))
        .count();
    let needed = n_params + options.trust.extra_observations;
    if n_quant < needed && !(options.fit_sparse && n_quant >= 3) {
        return Err(FitError::TooFewObservations {
            n: n_quant,
            needed: if options.fit_sparse { 3 } else { needed },
        });
    }
    let data = summary(obs, lambda_z).ok_or(FitError::NoStart)?;
    let starts = model.starts(&data);
    let bounds = model.start_box(&data);
    if starts.is_empty() && bounds.is_none() {
        return Err(FitError::NoStart);
    }
    let problem = problem(model, obs, options);
    let s0 = problem.sigma_param(options.sigma_start.max(2.0 * options.sigma_min));
    let search_options = SearchOptions {
        nm_max_iters: options.nm_max_iters,
        polish_max_iters: options.lbfgs_max_iters,
        ..options.search.clone()
    };
    ridge::check_tol(options.ridge_tol)
        .map_err(|e| FitError::Options(format!("ridge_tol: {e}")))?;
    let mut found = search::search(problem, &starts, bounds.as_deref(), s0, &search_options)?;
    let natural_with_sigma = |p: &[f64]| {
        let mut v = model.to_natural(&p[..k]);
        v.push(problem.sigma(p));
        v
    };
    // Observed information at a point: its curvature and the natural-scale SEs.
    let information = |p: &[f64]| {
        let h = uncertainty::hessian(p, &|x: &[f64]| {
            let mut g = vec![0.0; x.len()];
            problem.eval(x, Some(&mut g));
            g
        });
        let curv = uncertainty::curvature(&h);
        let ses: Option<Vec<f64>> = curv
            .covariance
            .as_ref()
            .map(|cov| uncertainty::delta_method_se(p, cov, &natural_with_sigma));
        (curv, ses)
    };
    let limit = options.trust.max_rse_pct;
    // Every SE exists and no RSE fails the trust criterion (the fit has neither
    // `NoStandardErrors` nor `RseAboveLimit` below).
    let determined = |p: &[f64], ses: &Option<Vec<f64>>| {
        ses.as_ref().is_some_and(|s| {
            natural_with_sigma(p).iter().zip(s).all(|(&v, &se)| {
                se.is_finite() && !options.trust.rse_exceeds(uncertainty::rse_pct(se, v))
            })
        })
    };
    // The observed information at the optimum: the standard errors, RSEs, gradient norm and
    // the trust criteria built on them are those of the maximum-likelihood estimate, whether
    // or not the tie-break below moves the reported point (off the optimum the Hessian is
    // not the observed information, and a move of 0.005 ln L must not change them).
    let (mut curv, mut ses) = information(&found.param);
    // The tie-break on flat ridges (`ridge`): only where the data do not determine every
    // parameter; a fit that does is the exact maximum-likelihood estimate. When the
    // penalised search lands below the "optimum", the search had stopped short of it (a
    // degenerate point that passed its tests): search again from there, then retry.
    let anchor = (options.ridge_tol > 0.0)
        .then(|| model.ridge_anchor(&data))
        .flatten();
    let mut moved: Option<(Vec<f64>, f64)> = None;
    for _ in 0..3 {
        let Some(anchor) = anchor.as_ref() else {
            break;
        };
        if found.termination != Termination::Converged || determined(&found.param, &ses) {
            break;
        }
        let (settled, n) =
            ridge::settle(problem, anchor, &found.param, found.cost, options.ridge_tol);
        found.iterations += n;
        match settled {
            ridge::Settled::Stays => break,
            ridge::Settled::Moved(param, cost) => {
                moved = Some((param, cost));
                break;
            }
            ridge::Settled::Better(param, _) => {
                found = search::search_from(problem, &param, found.iterations, &search_options);
                (curv, ses) = information(&found.param);
            }
        }
    }
    let converged = found.termination == Termination::Converged;
    let gradient_norm = found.gradient_norm;
    let iterations = found.iterations;
    let optimum = found.param;
    // (A move may land up to `ridge::BETTER_BY` below the optimum.)
    let ridge_shift = moved.as_ref().map(|(_, c)| c - found.cost);
    let (best_param, best_cost) = moved.unwrap_or_else(|| (optimum.clone(), found.cost));
    let values = natural_with_sigma(&best_param);
    let optimum_values = natural_with_sigma(&optimum);
    let specs = model.parameters();
    let mut warnings = Vec::new();
    let mut trust_failures = Vec::new();
    let estimates: Vec<Estimate> = values
        .iter()
        .enumerate()
        .map(|(i, &value)| {
            let (name, unit) = match specs.get(i) {
                Some(s) => (s.name, s.unit),
                None => ("sigma", "ln(conc)"),
            };
            let se = ses.as_ref().map(|s| s[i]).filter(|s| s.is_finite());
            let rse_pct = se.map(|s| uncertainty::rse_pct(s, optimum_values[i]));
            if let Some(r) = rse_pct {
                if options.trust.rse_exceeds(r) {
                    warnings.push(FitWarning::PoorlyIdentified {
                        parameter: name,
                        rse_pct: r,
                        limit_pct: limit,
                    });
                    trust_failures.push(TrustFailure::RseAboveLimit {
                        parameter: name,
                        rse_pct: r,
                        limit_pct: limit,
                    });
                }
            }
            Estimate {
                name,
                unit,
                value,
                se,
                rse_pct,
            }
        })
        .collect();
    if let Some(loss) = ridge_shift {
        warnings.push(FitWarning::OnFlatRidge { ln_l_loss: loss });
    }
    if !converged {
        warnings.push(FitWarning::NotConverged {
            gradient_norm,
            termination: found.termination,
        });
        trust_failures.insert(0, TrustFailure::NotConverged);
    }
    if n_quant < needed {
        warnings.push(FitWarning::FewObservations {
            n_quantified: n_quant,
            n_params,
        });
        trust_failures.push(TrustFailure::TooFewQuantified { n: n_quant, needed });
    }
    if curv.covariance.is_none()
        || ses
            .as_ref()
            .is_some_and(|s| s.iter().any(|x| !x.is_finite()))
    {
        warnings.push(FitWarning::HessianNotPositiveDefinite);
        trust_failures.push(TrustFailure::NoStandardErrors);
    }
    let last_quant = obs
        .iter()
        .filter_map(|o| match *o {
            Observation::Quantified { t, .. } => Some(t),
            _ => None,
        })
        .fold(f64::NEG_INFINITY, f64::max);
    if last_quant <= data.tmax {
        warnings.push(FitWarning::NoSampleAfterPeak);
    } else if last_quant < options.persistence_day {
        warnings.push(FitWarning::NoSampleAfterDay {
            day: options.persistence_day,
        });
    }
    // The predictions over the observed period (a grid and the observation times), on the
    // measured scale, against the assay's range.
    let t_end = obs.iter().map(Observation::time).fold(0.0, f64::max);
    let grid = (0..=200).map(|i| t_end * f64::from(i) / 200.0);
    let (mut max_prediction, mut t_at_max) = (f64::NEG_INFINITY, 0.0);
    for t in grid.chain(obs.iter().map(Observation::time)) {
        let c = scale.to_measured(model.ln_conc(&best_param[..k], t, None).exp());
        if c > max_prediction {
            (max_prediction, t_at_max) = (c, t);
        }
    }
    if let Some(upper) = range_upper {
        if max_prediction > upper || max_prediction.is_nan() {
            warnings.push(FitWarning::PredictionOutsideRange {
                time: t_at_max,
                predicted: max_prediction,
                upper,
            });
            trust_failures.push(TrustFailure::PredictionOutsideRange {
                time: t_at_max,
                predicted: max_prediction,
                upper,
            });
        }
    }

    let n_obs = problem.n_used();
    let neg2ll = 2.0 * best_cost;
    let n_blq = obs
        .iter()
        .filter(|o| matches!(o, Observation::Censored { .. }))
        .count();
    Ok(FitResult {
        model: model.name(),
        blq: options.blq,
        scale,
        derived: model.derived(&values[..k]),
        estimates,
        optimum: best_param,
        neg2ll,
        aic: neg2ll + 2.0 * n_params as f64,
        bic: neg2ll + n_params as f64 * (n_obs as f64).ln(),
        n_obs,
        n_quantified: n_quant,
        n_blq,
        n_baseline: 0,
        n_params,
        converged,
        termination: found.termination,
        iterations,
        gradient_norm,
        condition_number: curv.condition_number,
        sigma: values[k],
        max_prediction,
        warnings,
        trust_failures,
    })
}

impl FitResult {
    /// Whether the fit meets every trust criterion ([`trust`]).
    pub fn reportable(&self) -> bool {
        self.trust_failures.is_empty()
    }

    /// The model's prediction at `t` days on the measured scale (bounded at 100 for %CAR+).
    pub fn predict(&self, model: &dyn CkModel, t: f64) -> f64 {
        let k = model.n_theta();
        self.scale
            .to_measured(model.ln_conc(&self.optimum[..k], t, None).exp())
    }

    /// Individual predictions and residuals at the observations (as [`observations`] or
    /// [`FitData`] give them, on the model's scale); values reported on the measured scale.
    pub fn predictions(&self, model: &dyn CkModel, obs: &[Observation]) -> Vec<Prediction> {
        let k = model.n_theta();
        let sigma = self.sigma;
        obs.iter()
            .map(|o| {
                let t = o.time();
                let ln_pred = model.ln_conc(&self.optimum[..k], t, None);
                let (observed, blq) = match *o {
                    Observation::Quantified { y, .. } => (y, false),
                    Observation::Censored { lloq, .. } => (lloq, true),
                };
                // On the model's scale, ln y - ln C is the log (or logit) residual.
                let residual_log = observed.ln() - ln_pred;
                Prediction {
                    time: t,
                    observed: self.scale.to_measured(observed),
                    blq,
                    predicted: self.scale.to_measured(ln_pred.exp()),
                    residual_log,
                    weighted_residual: residual_log / sigma,
                }
            })
            .collect()
    }

    /// Individual predictions at the samples of `profile` that were fitted with `options`.
    pub fn predictions_for(
        &self,
        model: &dyn CkModel,
        profile: &Profile,
        options: &FitOptions,
    ) -> Vec<Prediction> {
        let d = FitData::of(profile, options.include_baseline, options.bounded_percent);
        self.predictions(model, &d.observations)
    }

    /// The estimate called `name`.
    pub fn estimate(&self, name: &str) -> Option<&Estimate> {
        self.estimates.iter().find(|e| e.name == name)
    }
}

/// Fits every profile in parallel; output in the order of `profiles`.
pub fn fit_batch(
    model: &dyn CkModel,
    profiles: &[Profile],
    options: &FitOptions,
) -> Vec<Result<FitResult, FitError>> {
    profiles
        .par_iter()
        .map(|p| fit_profile(model, p, options))
        .collect()
}
