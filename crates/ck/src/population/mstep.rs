//! The M-step of SAEM in closed form (the complete-data model is an exponential family).
//!
//! For each parameter k with a random effect, with design rows x_i (1, then covariates):
//! - fixed effects: b_k = (X'X)^-1 X' S1_k, the least-squares fit of the subjects' expected
//!   phi_ik (Omega is diagonal, so each parameter is its own regression);
//! - variance: omega_k^2 = (1/N) sum_i E[(phi_ik - x_i'b_k)^2]
//!   = (1/N) (S2_k - 2 b_k'X'S1_k + sum_i (x_i'b_k)^2);
//! - residual: sigma^2 = S3 / n_obs, S3 the expected residual sum of squares on ln C with
//!   the censored values imputed (Samson, Lavielle & Mentre 2006).

use super::data::SubjectData;
use super::sa::SufficientStats;
use nalgebra::{DMatrix, DVector};

/// Population parameters on the transformed scale.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PopState {
    /// Per parameter: the typical value's phi, then covariate effects.
    pub coef: Vec<Vec<f64>>,
    /// Per parameter omega^2 (0 for a fixed parameter).
    pub omega2: Vec<f64>,
    /// Residual SD of ln C.
    pub sigma: f64,
}

impl PopState {
    /// m_ik = x_i' b_k for every parameter.
    pub fn mean_of(&self, data: &SubjectData) -> Vec<f64> {
        let mut m = vec![0.0; self.coef.len()];
        self.mean_into(data, &mut m);
        m
    }

    /// [`Self::mean_of`] into `out` (of one entry per parameter).
    pub fn mean_into(&self, data: &SubjectData, out: &mut [f64]) {
        for ((o, b), x) in out.iter_mut().zip(&self.coef).zip(&data.x) {
            *o = b.iter().zip(x).map(|(b, x)| b * x).sum();
        }
    }
}

/// Least squares b = (X'X)^-1 X'y with X the design rows of parameter k; `None` when X'X
/// is singular (a covariate constant over the subjects).
pub(crate) fn regress(
    data: &[SubjectData],
    k: usize,
    y: impl Fn(usize) -> f64,
) -> Option<Vec<f64>> {
    let p = data[0].x[k].len();
    let mut xtx = DMatrix::<f64>::zeros(p, p);
    let mut xty = DVector::<f64>::zeros(p);
    for (i, d) in data.iter().enumerate() {
        let x = &d.x[k];
        for a in 0..p {
            xty[a] += x[a] * y(i);
            for b in 0..p {
                xtx[(a, b)] += x[a] * x[b];
            }
        }
    }
    let chol = xtx.cholesky()?;
    Some(chol.solve(&xty).iter().copied().collect())
}

/// Updates the fixed effects and omega^2 of the parameters in `estimated` (those with a
/// random effect) and sigma. Parameters outside `estimated` keep their values.
pub(crate) fn m_step(
    stats: &SufficientStats,
    data: &[SubjectData],
    estimated: &[usize],
    with_omega: &[bool],
    n_obs: usize,
    prev: &PopState,
) -> PopState {
    let mut next = prev.clone();
    let n = data.len() as f64;
    for &k in estimated {
        if let Some(b) = regress(data, k, |i| stats.phi[i][k]) {
            next.coef[k] = b;
        }
        if with_omega[k] {
            let b = &next.coef[k];
            let (mut cross, mut sq) = (0.0, 0.0);
            for (i, d) in data.iter().enumerate() {
                let m: f64 = b.iter().zip(&d.x[k]).map(|(b, x)| b * x).sum();
                cross += m * stats.phi[i][k];
                sq += m * m;
            }
            next.omega2[k] = ((stats.phi2[k] - 2.0 * cross + sq) / n).max(1e-10);
        }
    }
    next.sigma = (stats.rss / n_obs as f64).max(1e-12).sqrt();
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(x: Vec<f64>) -> SubjectData {
        SubjectData {
            index: 0,
            id: String::new(),
            times: vec![],
            ln_y: vec![],
            censored: vec![],
            x: vec![x],
        }
    }

    #[test]
    fn m_step_is_the_regression_and_residual_variance() {
        // Four subjects, phi = 1, 2 (group 0) and 4, 6 (group 1): b = (1.5, 3.5);
        // residuals -0.5, 0.5, -1, 1: omega^2 = (0.25 + 0.25 + 1 + 1)/4 = 0.625 (by hand),
        // with E[phi^2] = phi^2 (no sampling variance). sigma^2 = 8 / 2.
        let data: Vec<_> = [0.0, 0.0, 1.0, 1.0]
            .iter()
            .map(|g| subject(vec![1.0, *g]))
            .collect();
        let phi = [1.0, 2.0, 4.0, 6.0];
        let stats = SufficientStats {
            phi: phi.iter().map(|p| vec![*p]).collect(),
            phi2: vec![phi.iter().map(|p| p * p).sum()],
            rss: 8.0,
        };
        let prev = PopState {
            coef: vec![vec![0.0, 0.0]],
            omega2: vec![1.0],
            sigma: 1.0,
        };
        let next = m_step(&stats, &data, &[0], &[true], 2, &prev);
        assert!((next.coef[0][0] - 1.5).abs() < 1e-12);
        assert!((next.coef[0][1] - 3.5).abs() < 1e-12);
        assert!((next.omega2[0] - 0.625).abs() < 1e-12);
        assert!((next.sigma - 2.0).abs() < 1e-12);
    }
}
