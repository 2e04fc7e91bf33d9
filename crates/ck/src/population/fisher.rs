//! Standard errors of the population parameters from the observed Fisher information,
//! by Louis' missing-information principle (Louis, J R Stat Soc B 1982;44:226-233) with the
//! conditional expectations taken over the post-convergence MCMC draws, as Monolix's
//! "stochastic approximation" of the Fisher information (Kuhn & Lavielle 2005, section 4):
//!
//! I(theta) = sum_i ( -E[d2 l_c,i] - Var[d l_c,i] ),
//!
//! with l_c,i = ln p(y_i | phi_i; sigma) + ln p(phi_i; b, Omega) the complete-data
//! log-likelihood of subject i and the expectations over p(phi_i | y_i; theta).
//! The parameters are the fixed effects b (typical phi and covariate effects) and omega^2 of
//! the parameters with a random effect, and sigma. Censored observations enter through the
//! M3 likelihood (integrated, not imputed).

use super::data::SubjectData;
use super::mstep::PopState;
use nalgebra::DMatrix;

/// Which population parameter each row of the information matrix is.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// (parameter, coefficient) of each fixed effect.
    pub coef: Vec<(usize, usize)>,
    /// Parameters whose omega^2 is estimated.
    pub omega: Vec<usize>,
}

impl Layout {
    pub fn new(random: &[usize], state: &PopState) -> Self {
        let coef = random
            .iter()
            .flat_map(|&k| (0..state.coef[k].len()).map(move |j| (k, j)))
            .collect();
        Layout {
            coef,
            omega: random.to_vec(),
        }
    }
    pub fn len(&self) -> usize {
        self.coef.len() + self.omega.len() + 1
    }
}

/// Running sums of one subject's complete-data score and Hessian over the draws (plain
/// row-major buffers: this runs once per draw per subject).
#[derive(Debug, Clone)]
pub(crate) struct Louis {
    n: f64,
    p: usize,
    g: Vec<f64>,
    gg: Vec<f64>,
    h: Vec<f64>,
    scratch: Vec<f64>,
}

impl Louis {
    pub fn new(p: usize) -> Self {
        Louis {
            n: 0.0,
            p,
            g: vec![0.0; p],
            gg: vec![0.0; p * p],
            h: vec![0.0; p * p],
            scratch: vec![0.0; p],
        }
    }

    /// Adds one draw phi with mean m (x' b per parameter) and the residual-SD derivatives
    /// (dl/dsigma, d2l/dsigma2) of the observation term at it.
    pub fn add(
        &mut self,
        layout: &Layout,
        state: &PopState,
        data: &SubjectData,
        phi: &[f64],
        m: &[f64],
        dsigma: (f64, f64),
    ) {
        let p = self.p;
        let n_coef = layout.coef.len();
        let g = &mut self.scratch;
        for (row, &(k, j)) in layout.coef.iter().enumerate() {
            let w2 = state.omega2[k];
            let r = phi[k] - m[k];
            let xj = data.x[k][j];
            g[row] = xj * r / w2;
            for (col, &(k2, j2)) in layout.coef.iter().enumerate() {
                if k2 == k {
                    self.h[row * p + col] -= xj * data.x[k][j2] / w2;
                }
            }
            let o = n_coef
                + layout
                    .omega
                    .iter()
                    .position(|&q| q == k)
                    .expect("every fixed effect in the layout has a random effect");
            let cross = -xj * r / (w2 * w2);
            self.h[row * p + o] += cross;
            self.h[o * p + row] += cross;
        }
        for (a, &k) in layout.omega.iter().enumerate() {
            let w2 = state.omega2[k];
            let r2 = (phi[k] - m[k]).powi(2);
            g[n_coef + a] = -0.5 / w2 + 0.5 * r2 / (w2 * w2);
            self.h[(n_coef + a) * p + n_coef + a] += 0.5 / (w2 * w2) - r2 / (w2 * w2 * w2);
        }
        g[p - 1] = dsigma.0;
        self.h[p * p - 1] += dsigma.1;
        self.n += 1.0;
        for a in 0..p {
            self.g[a] += g[a];
            for b in 0..p {
                self.gg[a * p + b] += g[a] * g[b];
            }
        }
    }

    /// This subject's contribution -E[H] - (E[g g'] - E[g] E[g]').
    pub fn information(&self) -> DMatrix<f64> {
        let n = self.n.max(1.0);
        let p = self.p;
        DMatrix::from_fn(p, p, |a, b| {
            -self.h[a * p + b] / n - (self.gg[a * p + b] / n - self.g[a] * self.g[b] / (n * n))
        })
    }
}

/// The covariance of the estimates (inverse information) the data identify, and the rows
/// left out (none when the information is positive definite).
///
/// When the information is not positive definite (typically one omega^2 collapsed towards
/// zero, or a parameter the data do not inform), the rows responsible are left out one at
/// a time (first any row with a non-finite entry or no positive information, then each
/// time the row with the largest weight in the eigenvector of the smallest eigenvalue of
/// the scaled matrix) until the rest is positive definite. The rest is inverted as the
/// information of the other parameters with the left-out ones held at their estimates (as
/// a parameter fixed in NONMEM or Monolix): their SEs are conditional on those, i.e.
/// somewhat smaller than if they were identified. The returned matrix has the full size,
/// NaN in the rows and columns left out; `None` when no row is left.
pub(crate) fn identified_covariance(info: &DMatrix<f64>) -> (Option<DMatrix<f64>>, Vec<usize>) {
    let p = info.nrows();
    // Rows with a non-finite entry or without positive information are out first.
    let mut keep: Vec<usize> = (0..p)
        .filter(|&i| (0..p).all(|j| info[(i, j)].is_finite()) && info[(i, i)] > 0.0)
        .collect();
    let mut dropped: Vec<usize> = (0..p).filter(|i| !keep.contains(i)).collect();
    while !keep.is_empty() {
        let sub = DMatrix::from_fn(keep.len(), keep.len(), |a, b| info[(keep[a], keep[b])]);
        // Judged on the scaled matrix D^-1/2 I D^-1/2 (unit diagonal), so that parameters on
        // very different scales (a collapsed omega^2 has a huge information) do not make a
        // well-determined one look singular. Positive definite in floating point: smallest
        // eigenvalue above 1e-12 (below that, rounding decides the sign and the inverse is
        // noise; a zero pivot can even pass the Cholesky factorisation).
        let scaled = DMatrix::from_fn(keep.len(), keep.len(), |a, b| {
            sub[(a, b)] / (sub[(a, a)] * sub[(b, b)]).sqrt()
        });
        let eig = scaled.symmetric_eigen();
        let (smallest, &min) = eig
            .eigenvalues
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .expect("keep is not empty");
        let inverse = if min > 1e-12 {
            sub.cholesky().map(|c| c.inverse())
        } else {
            None
        };
        if let Some(inv) = inverse {
            let mut full = DMatrix::from_element(p, p, f64::NAN);
            for (a, &i) in keep.iter().enumerate() {
                for (b, &j) in keep.iter().enumerate() {
                    full[(i, j)] = inv[(a, b)];
                }
            }
            dropped.sort_unstable();
            return (Some(full), dropped);
        }
        let v = eig.eigenvectors.column(smallest);
        let worst = v.iamax();
        dropped.push(keep.remove(worst));
    }
    dropped.sort_unstable();
    (None, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A positive definite information is inverted whole (nothing left out).
    #[test]
    fn identified_covariance_of_a_regular_information_is_its_inverse() {
        let info = DMatrix::from_row_slice(2, 2, &[4.0, 1.0, 1.0, 3.0]);
        let (cov, dropped) = identified_covariance(&info);
        assert!(dropped.is_empty());
        let cov = cov.unwrap();
        // Hand calculation: inverse of [[4, 1], [1, 3]] = [[3, -1], [-1, 4]] / 11.
        for (got, want) in cov
            .iter()
            .zip([3.0 / 11.0, -1.0 / 11.0, -1.0 / 11.0, 4.0 / 11.0])
        {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
    }

    /// Regression: one parameter without information (a collapsed omega^2: its row and
    /// column zero but for a negative diagonal from the Monte Carlo noise) made every SE
    /// NA. Now that row is left out and the others come from the rest of the matrix: by
    /// hand, the inverse of [[4, 1], [1, 3]] as above.
    #[test]
    fn a_parameter_without_information_is_left_out_and_the_rest_inverted() {
        let info = DMatrix::from_row_slice(3, 3, &[4.0, 0.0, 1.0, 0.0, -1e-3, 0.0, 1.0, 0.0, 3.0]);
        assert!(info.clone().cholesky().is_none(), "not positive definite");
        let (cov, dropped) = identified_covariance(&info);
        assert_eq!(dropped, vec![1]);
        let cov = cov.unwrap();
        assert!((cov[(0, 0)] - 3.0 / 11.0).abs() < 1e-15);
        assert!((cov[(2, 2)] - 4.0 / 11.0).abs() < 1e-15);
        assert!((cov[(0, 2)] + 1.0 / 11.0).abs() < 1e-15);
        assert!(cov[(1, 1)].is_nan() && cov[(0, 1)].is_nan());
    }

    /// Two parameters the data cannot tell apart (equal rows: the information is singular
    /// along their difference): one of them is left out, the other keeps its SE; a row
    /// with a NaN is left out first.
    #[test]
    fn collinear_and_non_finite_rows_are_left_out() {
        let info = DMatrix::from_row_slice(3, 3, &[2.0, 2.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0, 5.0]);
        let (cov, dropped) = identified_covariance(&info);
        assert_eq!(dropped.len(), 1);
        let cov = cov.unwrap();
        let kept = 1 - dropped[0];
        assert!((cov[(kept, kept)] - 0.5).abs() < 1e-12);
        assert!((cov[(2, 2)] - 0.2).abs() < 1e-15);
        let mut with_nan = DMatrix::<f64>::identity(2, 2);
        with_nan[(1, 0)] = f64::NAN;
        let (cov, dropped) = identified_covariance(&with_nan);
        assert_eq!(dropped, vec![1]);
        assert_eq!(cov.unwrap()[(0, 0)], 1.0);
    }

    /// With phi observed exactly (every draw the same), the information of a normal mean
    /// and variance from N subjects is N/omega^2 and N/(2 omega^4) at the MLE (textbook
    /// result for the normal distribution).
    #[test]
    fn information_of_a_normal_sample() {
        let phis = [0.5, -0.5, 1.5, -1.5];
        let omega2 = phis.iter().map(|p| p * p).sum::<f64>() / 4.0; // MLE: 1.25
        let state = PopState {
            coef: vec![vec![0.0]],
            omega2: vec![omega2],
            sigma: 1.0,
        };
        let layout = Layout::new(&[0], &state);
        let mut total = DMatrix::zeros(3, 3);
        for p in phis {
            let d = SubjectData {
                index: 0,
                id: String::new(),
                times: vec![],
                ln_y: vec![],
                censored: vec![],
                x: vec![vec![1.0]],
            };
            let mut l = Louis::new(3);
            l.add(&layout, &state, &d, &[p], &[0.0], (0.0, -1.0));
            l.add(&layout, &state, &d, &[p], &[0.0], (0.0, -1.0));
            total += l.information();
        }
        assert!((total[(0, 0)] - 4.0 / omega2).abs() < 1e-12);
        assert!((total[(1, 1)] - 4.0 / (2.0 * omega2 * omega2)).abs() < 1e-12);
        assert!(total[(0, 1)].abs() < 1e-12);
    }
}
