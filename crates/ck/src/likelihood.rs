//! The likelihood of a profile under a model, with a log-normal residual error and BLQ
//! observations as censored data (Beal's M3) or dropped (M1).
//!
//! For a quantified y with model prediction mu = ln C(t) and residual SD sigma on the log
//! scale, l = ln phi((ln y - mu)/sigma) - ln sigma. For a BLQ observation (M3),
//! l = ln Phi((ln LLOQ - mu)/sigma): the probability that the true value lies below the LLOQ
//! (Beal SL, J Pharmacokinet Pharmacodyn 2001;28:481-504). The cost minimised is -sum(l).

use crate::fit::FitError;
use crate::model::CkModel;
use crate::normal::{ln_cdf_and_mills, LN_SQRT_2PI};
use argmin::core::{CostFunction, Error, Gradient};
use std::cell::RefCell;

/// One observation of a profile, as the likelihood sees it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observation {
    /// A quantified value.
    Quantified {
        /// Time, days.
        t: f64,
        /// Value, concentration unit (> 0).
        y: f64,
    },
    /// Below the LLOQ.
    Censored {
        /// Time, days.
        t: f64,
        /// The LLOQ, concentration unit (> 0).
        lloq: f64,
    },
}

impl Observation {
    /// Time, days.
    pub fn time(&self) -> f64 {
        match *self {
            Observation::Quantified { t, .. } | Observation::Censored { t, .. } => t,
        }
    }
}

/// How BLQ observations enter the likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlqMethod {
    /// Beal's M3: censored, P(Y < LLOQ). The default.
    #[default]
    M3,
    /// Beal's M1: BLQ observations are dropped (biases the persistence phase; for
    /// comparison only).
    M1,
}

impl std::fmt::Display for BlqMethod {
    /// The name `FromStr` reads back (`m3`, `m1`), as the CLI flags spell it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BlqMethod::M3 => "m3",
            BlqMethod::M1 => "m1",
        })
    }
}

impl std::str::FromStr for BlqMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m3" | "censored" => Ok(BlqMethod::M3),
            "m1" | "drop" => Ok(BlqMethod::M1),
            _ => Err(format!("unknown BLQ method '{s}'; expected m3 or m1")),
        }
    }
}

/// The negative log-likelihood of one profile: the problem the optimiser solves. Its
/// parameter is the model's unconstrained theta followed by s, with the residual SD
/// sigma = sigma_min + exp(s).
///
/// The floor sigma_min keeps the maximum likelihood finite: with as many quantified
/// observations as parameters the model can pass through every point, and as sigma -> 0
/// the likelihood grows without bound.
#[derive(Clone, Copy)]
pub struct NegLogLik<'a> {
    /// The model.
    pub model: &'a dyn CkModel,
    /// The observations.
    pub obs: &'a [Observation],
    /// How BLQ enters.
    pub method: BlqMethod,
    /// Smallest residual SD of ln C.
    pub sigma_min: f64,
}

impl NegLogLik<'_> {
    /// Number of observations that enter the likelihood.
    pub fn n_used(&self) -> usize {
        match self.method {
            BlqMethod::M3 => self.obs.len(),
            BlqMethod::M1 => self
                .obs
                .iter()
                .filter(|o| matches!(o, Observation::Quantified { .. }))
                .count(),
        }
    }

    /// The residual SD at parameter `p`.
    pub fn sigma(&self, p: &[f64]) -> f64 {
        self.sigma_min + p[self.model.n_theta()].exp()
    }

    /// The unconstrained residual-SD parameter of `sigma` (> sigma_min).
    pub fn sigma_param(&self, sigma: f64) -> f64 {
        (sigma - self.sigma_min).max(1e-12).ln()
    }

    /// -ln L at `p` (theta, s), with `p` and `grad` checked: a parameter vector (or
    /// gradient buffer) of the wrong length is a [`FitError::ParameterCount`].
    pub fn try_eval(&self, p: &[f64], grad: Option<&mut [f64]>) -> Result<f64, FitError> {
        let expected = self.model.n_theta() + 1;
        for found in std::iter::once(p.len()).chain(grad.as_deref().map(<[f64]>::len)) {
            if found != expected {
                return Err(FitError::ParameterCount { expected, found });
            }
        }
        Ok(self.eval(p, grad))
    }

    /// -ln L at `p` (theta, s); fills `grad` with its gradient when given. `p` (and
    /// `grad`) must hold [`CkModel::n_theta`] + 1 values; otherwise the result is NaN
    /// ([`NegLogLik::try_eval`] says why).
    pub fn eval(&self, p: &[f64], mut grad: Option<&mut [f64]>) -> f64 {
        let k = self.model.n_theta();
        if p.len() != k + 1 || grad.as_deref().is_some_and(|g| g.len() != k + 1) {
            return f64::NAN;
        }
        let sigma = self.sigma(p);
        let ln_sigma = sigma.ln();
        // d ln sigma / d s, to turn derivatives in ln sigma into derivatives in s.
        let dls_ds = (sigma - self.sigma_min) / sigma;
        // Predictions and their gradients for all observations in one model call, in this
        // thread's buffers: zeroed stack arrays cost more than the model (8 KB per call for
        // the largest model, at ~2,000 calls per fit).
        let n = self.obs.len();
        let mut local = Scratch::default();
        let mut held = SCRATCH.with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)));
        let scratch = held.as_mut().unwrap_or(&mut local);
        scratch.resize(n, k);
        let Scratch { times, mu, g_mu } = scratch;
        for (t, o) in times.iter_mut().zip(self.obs) {
            *t = o.time();
        }
        let want_grad = grad.is_some();
        self.model
            .ln_conc_batch(&p[..k], times, mu, want_grad.then_some(&mut *g_mu));
        if let Some(g) = grad.as_deref_mut() {
            g.fill(0.0);
        }
        let mut nll = 0.0;
        for (i, o) in self.obs.iter().enumerate() {
            let mu = mu[i];
            // d(-l)/d mu and d(-l)/d ln sigma for this observation.
            let (term, d_mu, d_ls) = match *o {
                Observation::Quantified { y, .. } => {
                    let z = (y.ln() - mu) / sigma;
                    (
                        0.5 * z * z + ln_sigma + LN_SQRT_2PI,
                        -z / sigma,
                        1.0 - z * z,
                    )
                }
                Observation::Censored { lloq, .. } => match self.method {
                    BlqMethod::M1 => continue,
                    BlqMethod::M3 => {
                        let w = (lloq.ln() - mu) / sigma;
                        let (ln_p, lam) = ln_cdf_and_mills(w);
                        (-ln_p, lam / sigma, lam * w)
                    }
                },
            };
            nll += term;
            if let Some(g) = grad.as_deref_mut() {
                for (gi, dm) in g[..k].iter_mut().zip(&g_mu[i * k..(i + 1) * k]) {
                    *gi += d_mu * dm;
                }
                g[k] += d_ls * dls_ds;
            }
        }
        if let Ok(s) = held {
            SCRATCH.with(|cell| {
                if let Ok(mut c) = cell.try_borrow_mut() {
                    *c = s;
                }
            });
        }
        nll
    }
}

/// Buffers of one [`NegLogLik::eval`] call, kept per thread between calls.
#[derive(Default)]
struct Scratch {
    times: Vec<f64>,
    mu: Vec<f64>,
    g_mu: Vec<f64>,
}

impl Scratch {
    fn resize(&mut self, n: usize, k: usize) {
        for (v, len) in [
            (&mut self.times, n),
            (&mut self.mu, n),
            (&mut self.g_mu, n * k),
        ] {
            v.clear();
            v.resize(len, 0.0);
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl CostFunction for NegLogLik<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Self::Param) -> Result<f64, Error> {
        let v = self.try_eval(p, None)?;
        // Nelder-Mead copes with +inf (a point to move away from); NaN would poison it.
        Ok(if v.is_nan() { f64::INFINITY } else { v })
    }
}

impl Gradient for NegLogLik<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Self::Param) -> Result<Vec<f64>, Error> {
        let mut g = vec![0.0; p.len()];
        self.try_eval(p, Some(&mut g))?;
        if g.iter().any(|x| !x.is_finite()) {
            return Err(argmin::core::ArgminError::InvalidParameter {
                text: "non-finite gradient".to_string(),
            }
            .into());
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Stein2019;

    #[test]
    fn wrong_parameter_count_is_an_error_not_a_panic() {
        let obs = [Observation::Quantified { t: 1.0, y: 2.0 }];
        let nll = NegLogLik {
            model: &Stein2019,
            obs: &obs,
            method: BlqMethod::M3,
            sigma_min: 0.05,
        };
        assert_eq!(
            nll.try_eval(&[0.0; 3], None),
            Err(FitError::ParameterCount {
                expected: 7,
                found: 3
            })
        );
        assert!(nll.eval(&[0.0; 3], None).is_nan());
        let mut g = [0.0; 2];
        assert!(nll.try_eval(&[0.0; 7], Some(&mut g)).is_err());
        assert!(nll.try_eval(&[0.0; 7], None).unwrap().is_finite());
        assert!(CostFunction::cost(&nll, &vec![0.0; 8]).is_err());
    }
}
