//! Per-profile maximum-likelihood fits: multi-start Nelder-Mead (global stage) then L-BFGS
//! with the analytic gradient (polish), standard errors from the observed information.
//! [`fit_batch`] runs profiles in parallel with rayon; each fit is sequential and seeded by
//! the data only, so results do not depend on the thread count.

pub mod uncertainty;

use crate::likelihood::{BlqMethod, NegLogLik, Observation};
use crate::model::{CkModel, DataSummary};
use argmin::core::{Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;
use cartpk_core::{Profile, SampleValue};
use rayon::prelude::*;

/// Fitting settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FitOptions {
    /// How BLQ observations enter the likelihood.
    pub blq: BlqMethod,
    /// Nelder-Mead iterations per start.
    pub nm_max_iters: u64,
    /// L-BFGS iterations of the polish.
    pub lbfgs_max_iters: u64,
    /// Starting residual SD on the log scale.
    pub sigma_start: f64,
    /// Smallest residual SD of ln C (keeps the likelihood bounded when the model can pass
    /// through every quantified point).
    pub sigma_min: f64,
    /// Warn when a parameter's RSE exceeds this, %.
    pub max_rse_pct: f64,
    /// Day after which quantified samples are needed to identify the persistence phase.
    pub persistence_day: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            blq: BlqMethod::M3,
            nm_max_iters: 150,
            lbfgs_max_iters: 200,
            sigma_start: 0.5,
            sigma_min: 0.05,
            max_rse_pct: 100.0,
            persistence_day: 60.0,
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
    /// Maximum-likelihood estimate.
    pub value: f64,
    /// Standard error (delta method), when the Hessian is positive definite.
    pub se: Option<f64>,
    /// Relative standard error, 100 SE / |value|, %.
    pub rse_pct: Option<f64>,
}

/// The result of one fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FitResult {
    /// Model name.
    pub model: &'static str,
    /// BLQ handling.
    pub blq: BlqMethod,
    /// Estimates of the model parameters, then `sigma` (residual SD of ln C).
    pub estimates: Vec<Estimate>,
    /// Derived quantities (name, unit, value).
    pub derived: Vec<(&'static str, &'static str, f64)>,
    /// The optimum on the unconstrained scale (theta, ln sigma).
    pub optimum: Vec<f64>,
    /// -2 ln L at the optimum (log-scale data).
    pub neg2ll: f64,
    /// AIC = -2LL + 2k.
    pub aic: f64,
    /// BIC = -2LL + k ln n.
    pub bic: f64,
    /// Observations in the likelihood.
    pub n_obs: usize,
    /// BLQ observations among the profile's samples.
    pub n_blq: usize,
    /// Estimated parameters, sigma included.
    pub n_params: usize,
    /// Whether the polish ended on a small gradient.
    pub converged: bool,
    /// Why the optimiser stopped.
    pub termination: String,
    /// Iterations, all stages.
    pub iterations: u64,
    /// Condition number of the Hessian.
    pub condition_number: f64,
    /// Residual SD of ln C at the optimum.
    pub sigma: f64,
    /// Identifiability and convergence warnings.
    pub warnings: Vec<String>,
}

/// Why a profile could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
pub enum FitError {
    /// Too few quantified observations.
    #[error("{n} quantified observations, at least {needed} needed to fit")]
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
    /// Individual prediction C(t).
    pub predicted: f64,
    /// ln(observed) - ln(predicted); for BLQ, ln(LLOQ) - ln(predicted).
    pub residual_log: f64,
    /// Residual divided by sigma.
    pub weighted_residual: f64,
}

/// The observations of a profile the likelihood can use, and how many BLQ were skipped for
/// want of an LLOQ.
pub fn observations(profile: &Profile) -> (Vec<Observation>, usize) {
    let mut obs = Vec::with_capacity(profile.samples.len());
    let mut unusable = 0;
    for s in &profile.samples {
        match s.value {
            SampleValue::Quantified { value } if value > 0.0 => obs.push(Observation::Quantified {
                t: s.time,
                y: value,
            }),
            SampleValue::Blq { lloq: Some(l) } if l > 0.0 => {
                obs.push(Observation::Censored { t: s.time, lloq: l })
            }
            SampleValue::Missing => {}
            _ => unusable += 1,
        }
    }
    (obs, unusable)
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
    let (obs, unusable) = observations(profile);
    let lambda_z = cartpk_nca::nca_profile(profile, &cartpk_nca::NcaOptions::default(), None)
        .ok()
        .and_then(|r| r.lambda_z.map(|f| f.lambda_z));
    let mut result = fit_observations(model, &obs, lambda_z, options)?;
    if unusable > 0 {
        result.warnings.push(format!(
            "{unusable} BLQ sample(s) without an LLOQ left out of the likelihood"
        ));
    }
    Ok(result)
}

/// Fits `model` to observations; `lambda_z` (NCA) helps the starting values.
pub fn fit_observations(
    model: &dyn CkModel,
    obs: &[Observation],
    lambda_z: Option<f64>,
    options: &FitOptions,
) -> Result<FitResult, FitError> {
    let k = model.n_theta();
    let n_quant = obs
        .iter()
        .filter(|o| matches!(o, Observation::Quantified { .. }))
        .count();
    let needed = 3;
    if n_quant < needed {
        return Err(FitError::TooFewObservations { n: n_quant, needed });
    }
    let data = summary(obs, lambda_z).ok_or(FitError::NoStart)?;
    let starts = model.starts(&data);
    if starts.is_empty() {
        return Err(FitError::NoStart);
    }
    let problem = NegLogLik {
        model,
        obs,
        method: options.blq,
        sigma_min: options.sigma_min,
    };

    // Global stage: Nelder-Mead from every start.
    let mut best: Option<(f64, Vec<f64>)> = None;
    let mut iterations = 0;
    let mut last_error = String::new();
    for start in starts {
        let mut x0 = start;
        x0.push(problem.sigma_param(options.sigma_start.max(2.0 * options.sigma_min)));
        let simplex: Vec<Vec<f64>> = std::iter::once(x0.clone())
            .chain((0..=k).map(|i| {
                let mut v = x0.clone();
                v[i] += 0.5;
                v
            }))
            .collect();
        let solver = match NelderMead::new(simplex).with_sd_tolerance(1e-9) {
            Ok(s) => s,
            Err(e) => {
                last_error = e.to_string();
                continue;
            }
        };
        let run = Executor::new(problem, solver)
            .configure(|s| s.max_iters(options.nm_max_iters))
            .run();
        match run {
            Ok(res) => {
                iterations += res.state.get_iter();
                let cost = res.state.get_best_cost();
                if let Some(p) = res.state.get_best_param() {
                    if cost.is_finite() && best.as_ref().is_none_or(|(c, _)| cost < *c) {
                        best = Some((cost, p.clone()));
                    }
                }
            }
            Err(e) => last_error = e.to_string(),
        }
    }
    let (mut best_cost, mut best_param) = best.ok_or(FitError::Optimiser(last_error))?;

    // Polish: L-BFGS with the analytic gradient from the best simplex point.
    let mut termination = "Nelder-Mead: maximum iterations".to_string();
    let polish = LBFGS::new(MoreThuenteLineSearch::new(), 7)
        .with_tolerance_grad(1e-8)
        .and_then(|s| s.with_tolerance_cost(1e-12));
    if let Ok(solver) = polish {
        let run = Executor::new(problem, solver)
            .configure(|s| {
                s.param(best_param.clone())
                    .max_iters(options.lbfgs_max_iters)
            })
            .run();
        if let Ok(res) = run {
            iterations += res.state.get_iter();
            termination = match res.state.get_termination_status() {
                TerminationStatus::Terminated(TerminationReason::SolverConverged) => {
                    "L-BFGS: converged".to_string()
                }
                TerminationStatus::Terminated(r) => format!("L-BFGS: {r}"),
                TerminationStatus::NotTerminated => "L-BFGS: not terminated".to_string(),
            };
            let cost = res.state.get_best_cost();
            if let Some(p) = res.state.get_best_param() {
                if cost.is_finite() && cost <= best_cost {
                    best_cost = cost;
                    best_param = p.clone();
                }
            }
        }
    }

    let mut grad = vec![0.0; k + 1];
    problem.eval(&best_param, Some(&mut grad));
    let grad_norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
    let converged = grad_norm < 1e-3;

    // Observed information.
    let h = uncertainty::hessian(&best_param, &|p: &[f64]| {
        let mut g = vec![0.0; p.len()];
        problem.eval(p, Some(&mut g));
        g
    });
    let curv = uncertainty::curvature(&h);
    let natural_with_sigma = |p: &[f64]| {
        let mut v = model.to_natural(&p[..k]);
        v.push(problem.sigma(p));
        v
    };
    let values = natural_with_sigma(&best_param);
    let ses: Option<Vec<f64>> = curv
        .covariance
        .as_ref()
        .map(|cov| uncertainty::delta_method_se(&best_param, cov, &natural_with_sigma));
    let specs = model.parameters();
    let mut warnings = Vec::new();
    let estimates: Vec<Estimate> = values
        .iter()
        .enumerate()
        .map(|(i, &value)| {
            let (name, unit) = match specs.get(i) {
                Some(s) => (s.name, s.unit),
                None => ("sigma", "ln(conc)"),
            };
            let se = ses.as_ref().map(|s| s[i]).filter(|s| s.is_finite());
            let rse_pct = se.map(|s| 100.0 * s / value.abs());
            if let Some(r) = rse_pct {
                if r > options.max_rse_pct {
                    warnings.push(format!("{name} poorly identified (RSE {r:.0}%)"));
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
    if curv.covariance.is_none() {
        warnings.push("Hessian not positive definite at the optimum: no standard errors; some parameters are not identifiable".to_string());
    }
    if n_quant <= k + 1 {
        warnings.push(format!(
            "{n_quant} quantified observations for {} parameters: the estimates are not identifiable from this profile alone",
            k + 1
        ));
    }
    if !converged {
        warnings.push(format!("not converged (gradient norm {grad_norm:.2e})"));
    }
    let last_quant = obs
        .iter()
        .filter_map(|o| match *o {
            Observation::Quantified { t, .. } => Some(t),
            _ => None,
        })
        .fold(f64::NEG_INFINITY, f64::max);
    if last_quant <= data.tmax {
        warnings.push("no quantified sample after the peak: contraction and persistence (alpha, beta, fb) are not identifiable".to_string());
    } else if last_quant < options.persistence_day {
        warnings.push(format!(
            "no quantified sample after day {}: persistence (beta, fb) is not identifiable",
            options.persistence_day
        ));
    }

    let n_obs = problem.n_used();
    let n_params = k + 1;
    let neg2ll = 2.0 * best_cost;
    let n_blq = obs
        .iter()
        .filter(|o| matches!(o, Observation::Censored { .. }))
        .count();
    Ok(FitResult {
        model: model.name(),
        blq: options.blq,
        derived: model.derived(&values[..k]),
        estimates,
        optimum: best_param,
        neg2ll,
        aic: neg2ll + 2.0 * n_params as f64,
        bic: neg2ll + n_params as f64 * (n_obs as f64).ln(),
        n_obs,
        n_blq,
        n_params,
        converged,
        termination,
        iterations,
        condition_number: curv.condition_number,
        sigma: values[k],
        warnings,
    })
}

impl FitResult {
    /// Individual predictions and residuals at the observations.
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
                let residual_log = observed.ln() - ln_pred;
                Prediction {
                    time: t,
                    observed,
                    blq,
                    predicted: ln_pred.exp(),
                    residual_log,
                    weighted_residual: residual_log / sigma,
                }
            })
            .collect()
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
