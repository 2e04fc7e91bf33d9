//! Logistic regression of a binary outcome (response) on covariates (e.g. log2 Cmax), by
//! iteratively reweighted least squares, as R's `glm(y ~ x, family = binomial)`, with Wald
//! intervals (`confint.default`) and profile-likelihood intervals (the exact root of the
//! profile deviance; `confint` of R 4.2 / MASS interpolates the same profile on a grid,
//! which differs in the 4th-5th digit: see docs/statistics.md).
//!
//! With `log2(exposure)` as the covariate, `exp(beta)` is the odds ratio per doubling of
//! exposure.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// A logistic regression that cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LogisticError {
    /// Fewer observations than coefficients, or covariates of different lengths.
    #[error("{n} observations for {p} coefficients: expected more observations than coefficients and equal-length columns")]
    TooFew {
        /// Observations.
        n: usize,
        /// Coefficients.
        p: usize,
    },
    /// A covariate value that is not finite.
    #[error("covariate '{name}', observation {index}: {value} is not a finite number")]
    NotFinite {
        /// Covariate.
        name: String,
        /// 0-based observation.
        index: usize,
        /// The value.
        value: f64,
    },
    /// All outcomes equal, or a covariate that separates them perfectly: the maximum
    /// likelihood estimate does not exist (R warns "fitted probabilities numerically 0 or 1
    /// occurred").
    #[error("the outcome is perfectly separated (or constant): the odds ratio is not estimable")]
    Separation,
    /// The design is singular (a constant covariate, or collinear ones).
    #[error("singular design: a covariate is constant or collinear with another")]
    Singular,
    /// The confidence level is not in (0, 1).
    #[error("confidence level {0}: expected a number in (0, 1), e.g. 0.95")]
    Level(f64),
}

/// One coefficient with its tests and intervals, on the log-odds scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// `(Intercept)` or the covariate's name.
    pub name: String,
    /// Estimate (log odds or log odds ratio).
    pub estimate: f64,
    /// Standard error from the inverse Fisher information.
    pub std_err: f64,
    /// Wald z = estimate / std_err.
    pub z: f64,
    /// Two-sided Wald p-value, `2 pnorm(-|z|)` (R's `summary(glm)` Pr(>|z|)).
    pub p_value: f64,
    /// Wald interval `estimate +- z_{1-alpha/2} std_err`.
    pub wald: (f64, f64),
    /// Profile-likelihood interval; a bound is `None` where the profile deviance does not
    /// reach the chi-squared cutoff (near separation).
    pub profile: (Option<f64>, Option<f64>),
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticFit {
    /// Intercept first, then the covariates.
    pub coefficients: Vec<Coefficient>,
    /// Residual deviance, -2 log L.
    pub deviance: f64,
    /// Null deviance (intercept only).
    pub null_deviance: f64,
    /// Likelihood-ratio test of all covariates: p-value of `null_deviance - deviance` on
    /// `p - 1` degrees of freedom (R: `anova(fit, test = "Chisq")` for one covariate).
    pub lr_p_value: f64,
    /// Observations.
    pub n: usize,
    /// Events (y = 1).
    pub n_events: usize,
    /// IRLS iterations.
    pub iterations: usize,
    /// Covariance of the estimates (inverse Fisher information), row-major p x p.
    pub covariance: Vec<f64>,
    /// Confidence level of the intervals.
    pub level: f64,
}

/// A fitted probability with its pointwise band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FittedProbability {
    /// Probability at the covariate values.
    pub p: f64,
    /// Lower bound: the Wald band on the logit scale, transformed.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

struct Irls {
    beta: DVector<f64>,
    deviance: f64,
    info: DMatrix<f64>,
    iterations: usize,
}

/// Binomial deviance of 0/1 outcomes with linear predictor `eta`.
fn deviance(y: &[f64], eta: &DVector<f64>) -> f64 {
    y.iter()
        .zip(eta.iter())
        .map(|(&yi, &e)| {
            // -2 log L, with log(1 + exp(e)) computed stably.
            let log1pexp = if e > 0.0 {
                e + (-e).exp().ln_1p()
            } else {
                e.exp().ln_1p()
            };
            2.0 * (log1pexp - yi * e)
        })
        .sum()
}

/// IRLS with a fixed offset, as glm.fit; convergence |dev - dev_old| / (|dev| + 0.1) <
/// 1e-14 (tighter than glm's 1e-8 so that the estimates are converged to machine
/// precision).
fn irls(x: &DMatrix<f64>, y: &[f64], offset: &DVector<f64>) -> Result<Irls, LogisticError> {
    let (n, p) = x.shape();
    // glm's start: mu = (y + 0.5) / 2.
    let mut eta = DVector::from_iterator(
        n,
        y.iter().map(|&yi| {
            let mu: f64 = (yi + 0.5) / 2.0;
            (mu / (1.0 - mu)).ln()
        }),
    );
    let mut dev_old = f64::INFINITY;
    for it in 1..=100 {
        let mu: Vec<f64> = eta.iter().map(|&e| 1.0 / (1.0 + (-e).exp())).collect();
        let w: Vec<f64> = mu.iter().map(|m| (m * (1.0 - m)).max(1e-300)).collect();
        let z = DVector::from_iterator(
            n,
            (0..n).map(|i| eta[i] - offset[i] + (y[i] - mu[i]) / w[i]),
        );
        let mut xtwx = DMatrix::<f64>::zeros(p, p);
        let mut xtwz = DVector::<f64>::zeros(p);
        for i in 0..n {
            let row = x.row(i);
            for a in 0..p {
                xtwz[a] += w[i] * row[a] * z[i];
                for b in 0..p {
                    xtwx[(a, b)] += w[i] * row[a] * row[b];
                }
            }
        }
        let chol = xtwx.clone().cholesky().ok_or(LogisticError::Singular)?;
        let beta = chol.solve(&xtwz);
        eta = x * &beta + offset;
        let dev = deviance(y, &eta);
        if !dev.is_finite() || beta.iter().any(|b| !b.is_finite()) {
            return Err(LogisticError::Separation);
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < 1e-14 || it == 100 {
            // Fisher information at the converged estimate.
            let mu: Vec<f64> = eta.iter().map(|&e| 1.0 / (1.0 + (-e).exp())).collect();
            let mut info = DMatrix::<f64>::zeros(p, p);
            for (i, m) in mu.iter().enumerate() {
                let wi = m * (1.0 - m);
                let row = x.row(i);
                for a in 0..p {
                    for b in 0..p {
                        info[(a, b)] += wi * row[a] * row[b];
                    }
                }
            }
            // Fitted probabilities numerically 0 or 1 with a huge coefficient: separation.
            if mu.iter().all(|m| *m < 1e-10 || *m > 1.0 - 1e-10) {
                return Err(LogisticError::Separation);
            }
            return Ok(Irls {
                beta,
                deviance: dev,
                info,
                iterations: it,
            });
        }
        dev_old = dev;
    }
    Err(LogisticError::Separation)
}

/// Fits `logit P(y) = b0 + sum b_j x_j`. `covariates` are (name, values) with one value per
/// outcome. Intervals at `level` (e.g. 0.95).
pub fn logistic_regression(
    y: &[bool],
    covariates: &[(&str, &[f64])],
    level: f64,
) -> Result<LogisticFit, LogisticError> {
    let n = y.len();
    let p = covariates.len() + 1;
    if !(level > 0.0 && level < 1.0) {
        return Err(LogisticError::Level(level));
    }
    if n <= p || covariates.iter().any(|(_, v)| v.len() != n) {
        return Err(LogisticError::TooFew { n, p });
    }
    for (name, v) in covariates {
        if let Some((index, &value)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(LogisticError::NotFinite {
                name: name.to_string(),
                index,
                value,
            });
        }
    }
    let n_events = y.iter().filter(|&&b| b).count();
    if n_events == 0 || n_events == n {
        return Err(LogisticError::Separation);
    }
    let yf: Vec<f64> = y.iter().map(|&b| f64::from(u8::from(b))).collect();
    let x = DMatrix::from_fn(
        n,
        p,
        |i, j| if j == 0 { 1.0 } else { covariates[j - 1].1[i] },
    );
    let zero = DVector::zeros(n);
    let fit = irls(&x, &yf, &zero)?;
    let cov = fit
        .info
        .clone()
        .try_inverse()
        .ok_or(LogisticError::Singular)?;
    let pbar = n_events as f64 / n as f64;
    let null_deviance = deviance(&yf, &DVector::from_element(n, (pbar / (1.0 - pbar)).ln()));
    let zq = Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0);
    let cutoff = ChiSquared::new(1.0)
        .map(|c| c.inverse_cdf(level))
        .unwrap_or(f64::NAN);
    let names: Vec<String> = std::iter::once("(Intercept)".to_string())
        .chain(covariates.iter().map(|(n, _)| n.to_string()))
        .collect();
    let coefficients = (0..p)
        .map(|j| {
            let estimate = fit.beta[j];
            let std_err = cov[(j, j)].sqrt();
            let z = estimate / std_err;
            Coefficient {
                name: names[j].clone(),
                estimate,
                std_err,
                z,
                p_value: 2.0 * Normal::standard().cdf(-z.abs()),
                wald: (estimate - zq * std_err, estimate + zq * std_err),
                profile: (
                    profile_bound(&x, &yf, j, estimate, std_err, fit.deviance, cutoff, -1.0),
                    profile_bound(&x, &yf, j, estimate, std_err, fit.deviance, cutoff, 1.0),
                ),
            }
        })
        .collect();
    let lr_p_value = ChiSquared::new((p - 1) as f64)
        .map(|c| c.sf((null_deviance - fit.deviance).max(0.0)))
        .unwrap_or(f64::NAN);
    Ok(LogisticFit {
        coefficients,
        deviance: fit.deviance,
        null_deviance,
        lr_p_value,
        n,
        n_events,
        iterations: fit.iterations,
        covariance: cov.transpose().iter().copied().collect(),
        level,
    })
}

/// Deviance with coefficient `j` fixed at `b` and the others re-estimated.
fn profile_deviance(x: &DMatrix<f64>, y: &[f64], j: usize, b: f64) -> Option<f64> {
    let offset = x.column(j) * b;
    let reduced = x.clone().remove_column(j);
    irls(&reduced, y, &offset).ok().map(|f| f.deviance)
}

/// The profile-likelihood bound on side `sign` (-1 lower, +1 upper): the `b` where the
/// profile deviance exceeds the minimum by `cutoff` (chi-squared 1 df quantile), bracketed
/// by stepping out in Wald standard errors and solved by bisection to 1e-12 relative.
#[allow(clippy::too_many_arguments)]
fn profile_bound(
    x: &DMatrix<f64>,
    y: &[f64],
    j: usize,
    estimate: f64,
    std_err: f64,
    dev_min: f64,
    cutoff: f64,
    sign: f64,
) -> Option<f64> {
    let excess = |b: f64| profile_deviance(x, y, j, b).map(|d| d - dev_min - cutoff);
    let mut inner = estimate;
    let mut step = std_err;
    let mut outer = estimate + sign * step;
    loop {
        match excess(outer) {
            Some(e) if e > 0.0 => break,
            Some(_) => {
                inner = outer;
                step *= 2.0;
                outer = estimate + sign * step;
                if step > 1e3 * std_err.max(1.0) {
                    return None;
                }
            }
            None => return None,
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (inner + outer);
        if (outer - inner).abs() <= 1e-13 * mid.abs().max(1e-3) {
            break;
        }
        match excess(mid) {
            Some(e) if e > 0.0 => outer = mid,
            Some(_) => inner = mid,
            None => return None,
        }
    }
    Some(0.5 * (inner + outer))
}

impl LogisticFit {
    /// The fitted probability at covariate values `x` (one per covariate) with its
    /// pointwise band at the fit's level: `plogis(eta +- z se(eta))`, as
    /// `predict(fit, newdata, type = "link", se.fit = TRUE)` transformed.
    pub fn predict(&self, x: &[f64]) -> Option<FittedProbability> {
        let p = self.coefficients.len();
        if x.len() + 1 != p {
            return None;
        }
        let row: Vec<f64> = std::iter::once(1.0).chain(x.iter().copied()).collect();
        let eta: f64 = row
            .iter()
            .zip(&self.coefficients)
            .map(|(v, c)| v * c.estimate)
            .sum();
        let mut var = 0.0;
        for a in 0..p {
            for b in 0..p {
                var += row[a] * row[b] * self.covariance[a * p + b];
            }
        }
        let z = Normal::standard().inverse_cdf(1.0 - (1.0 - self.level) / 2.0);
        let logistic = |e: f64| 1.0 / (1.0 + (-e).exp());
        let se = var.max(0.0).sqrt();
        Some(FittedProbability {
            p: logistic(eta),
            lower: logistic(eta - z * se),
            upper: logistic(eta + z * se),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separation_and_bad_input() {
        let y = [false, false, true, true];
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            logistic_regression(&y, &[("x", &x)], 0.95),
            Err(LogisticError::Separation)
        );
        assert!(matches!(
            logistic_regression(&y, &[("x", &[1.0, f64::NAN, 2.0, 3.0])], 0.95),
            Err(LogisticError::NotFinite { index: 1, .. })
        ));
        assert!(logistic_regression(&y[..1], &[("x", &x[..1])], 0.95).is_err());
    }
}
