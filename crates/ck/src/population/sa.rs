//! The stochastic-approximation step of SAEM (Delyon, Lavielle & Moulines, Ann Stat
//! 1999;27:94-128): the sufficient statistics of the complete-data model are averaged over
//! iterations, S_k = S_{k-1} + gamma_k (s(phi_k) - S_{k-1}).
//!
//! Step sizes as Monolix and saemix use them: gamma_k = 1 during the exploratory phase (the
//! estimates move freely towards the neighbourhood of the maximum), then
//! gamma_k = 1/(k - K1) during the smoothing phase, which satisfies sum gamma = inf,
//! sum gamma^2 < inf, so the estimates converge almost surely.

/// The complete-data sufficient statistics of the population model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SufficientStats {
    /// Per subject, per parameter: E[phi_ik].
    pub phi: Vec<Vec<f64>>,
    /// Per parameter: sum over subjects of E[phi_ik^2].
    pub phi2: Vec<f64>,
    /// Sum over observations of E[(ln y_ij - f_ij)^2], censored values imputed.
    pub rss: f64,
}

impl SufficientStats {
    pub fn zeros(n_subjects: usize, n_params: usize) -> Self {
        SufficientStats {
            phi: vec![vec![0.0; n_params]; n_subjects],
            phi2: vec![0.0; n_params],
            rss: 0.0,
        }
    }

    /// S <- S + gamma (s - S).
    pub fn approach(&mut self, s: &SufficientStats, gamma: f64) {
        for (a, b) in self.phi.iter_mut().zip(&s.phi) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += gamma * (y - *x);
            }
        }
        for (x, y) in self.phi2.iter_mut().zip(&s.phi2) {
            *x += gamma * (y - *x);
        }
        self.rss += gamma * (s.rss - self.rss);
    }
}

/// gamma_k for iteration `k` (0-based, burn-in excluded) with `k1` exploratory iterations.
pub(crate) fn step_size(k: usize, k1: usize) -> f64 {
    if k < k1 {
        1.0
    } else {
        1.0 / (k - k1 + 1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_phase_averages_the_draws() {
        // With gamma = 1/(k - K1 + 1) the statistic is the running mean of the draws made in
        // the smoothing phase: (1 + 2 + 3 + 4) / 4 = 2.5.
        let mut s = SufficientStats::zeros(1, 1);
        for (k, v) in [(0, 9.0), (1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0)] {
            let draw = SufficientStats {
                phi: vec![vec![v]],
                phi2: vec![v * v],
                rss: v,
            };
            s.approach(&draw, step_size(k, 1));
        }
        assert!((s.phi[0][0] - 2.5).abs() < 1e-12);
        assert!((s.rss - 2.5).abs() < 1e-12);
        assert!((s.phi2[0] - 7.5).abs() < 1e-12);
    }
}
