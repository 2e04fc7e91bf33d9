//! The conditional log-likelihood of one subject's observations given its parameters, with
//! BLQ as censored (Beal's M3), and its derivatives in the residual SD for the Fisher
//! information.
//!
//! Quantified: l = -ln sigma - ln sqrt(2 pi) - r^2/2, r = (ln y - f)/sigma.
//! Censored:   l = ln Phi(z), z = (ln LLOQ - f)/sigma.

use super::data::SubjectData;
use super::statement::Transform;
use super::structural::Structural;
use crate::normal::{ln_cdf, mills, LN_SQRT_2PI};

/// Evaluates predictions for one subject; reuses its buffers.
pub(crate) struct Evaluator<'a> {
    pub structural: &'a dyn Structural,
    pub transforms: &'a [Transform],
    psi: Vec<f64>,
    pub pred: Vec<f64>,
    /// Whether the last [`Self::predict`] was inside the domain (`pred` is then ln C).
    pub valid: bool,
    /// (sigma, ln sigma) of the last call: sigma changes once per SAEM iteration, the
    /// likelihood is evaluated ~16 times per subject in between.
    ln_sigma: (f64, f64),
}

impl<'a> Evaluator<'a> {
    pub fn new(structural: &'a dyn Structural, transforms: &'a [Transform]) -> Self {
        Evaluator {
            structural,
            transforms,
            psi: vec![0.0; transforms.len()],
            pred: Vec::new(),
            valid: false,
            ln_sigma: (f64::NAN, f64::NAN),
        }
    }

    /// Fills `pred` with ln C at the subject's times; `false` if phi is outside the model's
    /// domain.
    pub fn predict(&mut self, phi: &[f64], data: &SubjectData) -> bool {
        self.pred.resize(data.times.len(), 0.0);
        self.valid = self.structural.ln_conc_phi(
            phi,
            self.transforms,
            &mut self.psi,
            &data.times,
            &mut self.pred,
        ) && self.pred.iter().all(|f| f.is_finite());
        self.valid
    }

    /// ln p(y_i | phi, sigma); -inf outside the domain.
    pub fn loglik(&mut self, phi: &[f64], data: &SubjectData, sigma: f64) -> f64 {
        if !self.predict(phi, data) {
            return f64::NEG_INFINITY;
        }
        let ln_sigma = self.ln_sigma(sigma);
        loglik_with_ln_sigma(&self.pred, data, sigma, ln_sigma)
    }

    /// ln p(y_i | f, sigma) for predictions `pred` made earlier.
    pub fn loglik_of_pred(&mut self, pred: &[f64], data: &SubjectData, sigma: f64) -> f64 {
        let ln_sigma = self.ln_sigma(sigma);
        loglik_with_ln_sigma(pred, data, sigma, ln_sigma)
    }

    /// ln sigma, computed once per sigma.
    fn ln_sigma(&mut self, sigma: f64) -> f64 {
        if self.ln_sigma.0 != sigma {
            self.ln_sigma = (sigma, sigma.ln());
        }
        self.ln_sigma.1
    }
}

/// ln p(y | f, sigma) from predictions.
#[cfg(test)]
fn loglik_of_pred(pred: &[f64], data: &SubjectData, sigma: f64) -> f64 {
    loglik_with_ln_sigma(pred, data, sigma, sigma.ln())
}

/// [`loglik_of_pred`] with ln sigma given.
fn loglik_with_ln_sigma(pred: &[f64], data: &SubjectData, sigma: f64, ln_sigma: f64) -> f64 {
    let mut l = 0.0;
    for ((f, y), c) in pred.iter().zip(&data.ln_y).zip(&data.censored) {
        let r = (y - f) / sigma;
        if *c {
            l += ln_cdf(r);
        } else {
            l += -ln_sigma - LN_SQRT_2PI - 0.5 * r * r;
        }
    }
    l
}

/// (dl/dsigma, d2l/dsigma2) of ln p(y | f, sigma).
pub(crate) fn sigma_derivatives(pred: &[f64], data: &SubjectData, sigma: f64) -> (f64, f64) {
    let s2 = sigma * sigma;
    let (mut g, mut h) = (0.0, 0.0);
    for ((f, y), c) in pred.iter().zip(&data.ln_y).zip(&data.censored) {
        let z = (y - f) / sigma;
        if *c {
            // l = ln Phi(z), dz/dsigma = -z/sigma, m = phi/Phi, m' = -m (z + m).
            let m = mills(z);
            let dm = -m * (z + m);
            g += -m * z / sigma;
            h += (dm * z * z + 2.0 * m * z) / s2;
        } else {
            g += (z * z - 1.0) / sigma;
            h += (1.0 - 3.0 * z * z) / s2;
        }
    }
    (g, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> SubjectData {
        SubjectData {
            index: 0,
            id: "A".into(),
            times: vec![1.0, 2.0, 3.0],
            ln_y: vec![1.0, 0.2, 0.5],
            censored: vec![false, true, false],
            x: vec![],
        }
    }

    #[test]
    fn sigma_derivatives_match_finite_differences() {
        let d = data();
        let pred = [0.7, 1.5, 0.1];
        for sigma in [0.3, 0.56, 1.2] {
            let h = 1e-5;
            let l = |s: f64| loglik_of_pred(&pred, &d, s);
            let (g, hh) = sigma_derivatives(&pred, &d, sigma);
            let fd_g = (l(sigma + h) - l(sigma - h)) / (2.0 * h);
            let fd_h = (l(sigma + h) - 2.0 * l(sigma) + l(sigma - h)) / (h * h);
            assert!((g - fd_g).abs() < 1e-6 * fd_g.abs().max(1.0), "{g} {fd_g}");
            assert!(
                (hh - fd_h).abs() < 1e-3 * fd_h.abs().max(1.0),
                "{hh} {fd_h}"
            );
        }
    }

    #[test]
    fn censored_term_is_the_normal_cdf() {
        // One censored observation at z = (0.2 - 1.5)/0.56 = -2.3214: R
        // pnorm((0.2 - 1.5)/0.56, log.p = TRUE) = -4.592070118.
        let d = SubjectData {
            times: vec![2.0],
            ln_y: vec![0.2],
            censored: vec![true],
            ..data()
        };
        let l = loglik_of_pred(&[1.5], &d, 0.56);
        assert!((l - -4.592070118).abs() < 1e-8, "{l}");
    }
}
