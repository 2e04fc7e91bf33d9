//! Standard errors from the observed information: the Hessian of -ln L at the optimum
//! (central differences of the analytic gradient), inverted with nalgebra, mapped to the
//! natural scale by the delta method.

use nalgebra::{DMatrix, SymmetricEigen};

/// What the curvature at the optimum says.
#[derive(Debug, Clone, PartialEq)]
pub struct Curvature {
    /// Covariance of the unconstrained parameters, when the Hessian is positive definite.
    pub covariance: Option<DMatrix<f64>>,
    /// Ratio of the largest to the smallest Hessian eigenvalue (absolute values).
    pub condition_number: f64,
}

/// Hessian by central differences of `grad` at `p`.
pub fn hessian(p: &[f64], grad: &dyn Fn(&[f64]) -> Vec<f64>) -> DMatrix<f64> {
    let n = p.len();
    let mut h = DMatrix::zeros(n, n);
    let mut x = p.to_vec();
    for j in 0..n {
        let step = 1e-5 * p[j].abs().max(1.0);
        x[j] = p[j] + step;
        let gp = grad(&x);
        x[j] = p[j] - step;
        let gm = grad(&x);
        x[j] = p[j];
        for i in 0..n {
            h[(i, j)] = (gp[i] - gm[i]) / (2.0 * step);
        }
    }
    // Finite differences are not exactly symmetric; the Hessian is.
    (&h + h.transpose()) * 0.5
}

/// Inverts the Hessian when it is positive definite.
pub fn curvature(h: &DMatrix<f64>) -> Curvature {
    let eig = SymmetricEigen::new(h.clone());
    let abs: Vec<f64> = eig.eigenvalues.iter().map(|v| v.abs()).collect();
    let max = abs.iter().copied().fold(0.0, f64::max);
    let min = abs.iter().copied().fold(f64::INFINITY, f64::min);
    let positive = eig.eigenvalues.iter().all(|&v| v > 0.0 && v.is_finite());
    let covariance = if positive {
        h.clone().cholesky().map(|c| c.inverse())
    } else {
        None
    };
    Curvature {
        covariance,
        condition_number: if min > 0.0 { max / min } else { f64::INFINITY },
    }
}

/// Relative standard error, %: 100 SE / |estimate|.
pub fn rse_pct(se: f64, estimate: f64) -> f64 {
    100.0 * se / estimate.abs()
}

/// Standard errors of `f(theta)` (natural-scale parameters) by the delta method:
/// diag(J C J^T) with J the Jacobian of `f` by central differences.
pub fn delta_method_se(
    theta: &[f64],
    cov: &DMatrix<f64>,
    f: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Vec<f64> {
    let n = theta.len();
    let m = f(theta).len();
    let mut jac = DMatrix::zeros(m, n);
    let mut x = theta.to_vec();
    for j in 0..n {
        let step = 1e-6 * theta[j].abs().max(1.0);
        x[j] = theta[j] + step;
        let fp = f(&x);
        x[j] = theta[j] - step;
        let fm = f(&x);
        x[j] = theta[j];
        for i in 0..m {
            jac[(i, j)] = (fp[i] - fm[i]) / (2.0 * step);
        }
    }
    let v = &jac * cov * jac.transpose();
    (0..m).map(|i| v[(i, i)].max(0.0).sqrt()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadratic_known_answer() {
        // f = x^2 + 3 y^2 + x y: Hessian [[2, 1], [1, 6]], inverse [[6, -1], [-1, 2]] / 11.
        let grad = |p: &[f64]| vec![2.0 * p[0] + p[1], 6.0 * p[1] + p[0]];
        let h = hessian(&[0.3, -0.2], &grad);
        assert!((h[(0, 0)] - 2.0).abs() < 1e-8 && (h[(0, 1)] - 1.0).abs() < 1e-8);
        let c = curvature(&h);
        let cov = c.covariance.unwrap();
        assert!((cov[(0, 0)] - 6.0 / 11.0).abs() < 1e-8);
        assert!((cov[(0, 1)] + 1.0 / 11.0).abs() < 1e-8);
        // Eigenvalues 4 +- sqrt(5): condition number (4 + sqrt 5)/(4 - sqrt 5) = 3.5353.
        assert!((c.condition_number - (4.0 + 5f64.sqrt()) / (4.0 - 5f64.sqrt())).abs() < 1e-6);
        // Delta method on exp(x): SE = exp(x) * sqrt(6/11).
        let se = delta_method_se(&[0.3, -0.2], &cov, &|p: &[f64]| vec![p[0].exp()]);
        assert!((se[0] - 0.3f64.exp() * (6.0f64 / 11.0).sqrt()).abs() < 1e-6);
    }

    #[test]
    fn indefinite_hessian_has_no_covariance() {
        let h = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, -1.0]);
        assert!(curvature(&h).covariance.is_none());
    }
}
