//! The tie-break on flat likelihood ridges.
//!
//! On profiles that do not determine every parameter, the likelihood is flat along a
//! ridge: the peak slides between two samples with Cmax rising as Tmax moves, or the
//! contraction trades against the memory fraction, and points far apart along it have the
//! same ln L to 1e-4. Where a search stops on such a ridge is arbitrary (it depends on the
//! starting points), so the maximum-likelihood estimate alone does not say which point to
//! report. The tie-break reports the point of the ridge nearest the model's anchor
//! ([`CkModel::ridge_anchor`]: for Stein 2019 the population's typical rates and memory
//! fraction, and the data's own peak), among the points whose ln L is at most
//! [`FitOptions::ridge_tol`] below the optimum the search found.
//!
//! It minimises `-ln L(theta) + lambda * sum(((theta_i - anchor_i) / sd_i)^2)` from the
//! optimum with L-BFGS, for lambda = 0.1, 0.01, 0.001; the first end within the tolerance
//! and nearer the anchor wins. The fitter calls it only on converged fits the data do not
//! determine ([`FitOptions::ridge_tol`]); a fit the data determine is never moved.
//!
//! [`CkModel::ridge_anchor`]: crate::model::CkModel::ridge_anchor
//! [`FitOptions::ridge_tol`]: super::FitOptions::ridge_tol

use crate::likelihood::NegLogLik;
use crate::model::RidgeAnchor;
use argmin::core::{CostFunction, Error, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;

/// -ln L plus the distance to the anchor, scaled by `lambda`.
#[derive(Clone, Copy)]
struct Penalised<'a> {
    nll: NegLogLik<'a>,
    anchor: &'a RidgeAnchor,
    lambda: f64,
}

impl Penalised<'_> {
    fn penalty(&self, p: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let mut sum = 0.0;
        let mut grad = grad;
        for (i, (&a, &sd)) in self.anchor.theta.iter().zip(&self.anchor.sd).enumerate() {
            let z = (p[i] - a) / sd;
            sum += z * z;
            if let Some(g) = grad.as_deref_mut() {
                g[i] += self.lambda * 2.0 * z / sd;
            }
        }
        self.lambda * sum
    }
}

impl CostFunction for Penalised<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Self::Param) -> Result<f64, Error> {
        // -ln L's own cost (NaN as +inf) plus the penalty, finite for a finite point.
        Ok(self.nll.cost(p)? + self.penalty(p, None))
    }
}

impl Gradient for Penalised<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Self::Param) -> Result<Vec<f64>, Error> {
        // -ln L's own gradient (an error where it is not finite) plus the penalty's.
        let mut g = self.nll.gradient(p)?;
        self.penalty(p, Some(&mut g));
        Ok(g)
    }
}

/// `tol` as a [`FitOptions::ridge_tol`]: from 0 (off) to below 1 ln L unit; the message
/// says what was expected. One check for the library, the CLI flag and the Python option.
///
/// [`FitOptions::ridge_tol`]: super::FitOptions::ridge_tol
pub fn check_tol(tol: f64) -> Result<(), String> {
    if (0.0..1.0).contains(&tol) {
        Ok(())
    } else {
        Err(format!(
            "expected a ln L difference from 0 (off) to below 1, found {tol}"
        ))
    }
}

/// The penalty weights tried, largest first.
const LAMBDAS: [f64; 3] = [1e-1, 1e-2, 1e-3];

/// L-BFGS iterations of each penalised search.
const MAX_ITERS: u64 = 100;

/// A penalised end better than the optimum by more than this (-ln L) means the search
/// had not reached the optimum: see [`Settled::Better`].
pub const BETTER_BY: f64 = 1e-6;

/// What the tie-break found from an optimum.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// No penalised end within the tolerance and nearer the anchor: the optimum stands.
    Stays,
    /// The point to report (theta, s), its -ln L, at most the tolerance above the optimum's
    /// (and at most [`BETTER_BY`] below it).
    Moved(Vec<f64>, f64),
    /// A point better than the "optimum" by more than [`BETTER_BY`]: the search stopped short
    /// of the optimum (a degenerate point that passed its tests). The caller searches again
    /// from here.
    Better(Vec<f64>, f64),
}

/// The tie-break from the optimum `best` (cost `best_cost`, -ln L), and the iterations
/// spent. `tol` is the largest loss of ln L for a move.
pub fn settle(
    nll: NegLogLik<'_>,
    anchor: &RidgeAnchor,
    best: &[f64],
    best_cost: f64,
    tol: f64,
) -> (Settled, u64) {
    let mut iterations = 0;
    if anchor.theta.len() + 1 != best.len() || anchor.sd.len() != anchor.theta.len() {
        return (Settled::Stays, 0);
    }
    let distance = |p: &[f64]| {
        Penalised {
            nll,
            anchor,
            lambda: 1.0,
        }
        .penalty(p, None)
    };
    let d0 = distance(best);
    for lambda in LAMBDAS {
        let problem = Penalised {
            nll,
            anchor,
            lambda,
        };
        let Ok(solver) = LBFGS::new(MoreThuenteLineSearch::new(), 7)
            .with_tolerance_grad(1e-8)
            .and_then(|s| s.with_tolerance_cost(1e-13))
        else {
            return (Settled::Stays, iterations);
        };
        let Ok(res) = Executor::new(problem, solver)
            .configure(|s| s.param(best.to_vec()).max_iters(MAX_ITERS))
            .run()
        else {
            continue;
        };
        iterations += res.state.get_iter();
        let Some(p) = res.state.get_best_param() else {
            continue;
        };
        let cost = nll.eval(p, None);
        if !cost.is_finite() {
            continue;
        }
        if cost < best_cost - BETTER_BY {
            return (Settled::Better(p.clone(), cost), iterations);
        }
        if cost <= best_cost + tol && distance(p) < d0 {
            return (Settled::Moved(p.clone(), cost), iterations);
        }
    }
    (Settled::Stays, iterations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::likelihood::{BlqMethod, Observation};
    use crate::model::Stein2019;

    /// The penalised gradient is the gradient of the penalised cost (central differences).
    #[test]
    fn penalised_gradient_matches_finite_differences() {
        let obs: Vec<Observation> = [
            (1.0, 200.0),
            (7.0, 9e4),
            (14.0, 3e4),
            (28.0, 2e3),
            (90.0, 300.0),
        ]
        .iter()
        .map(|&(t, y)| Observation::Quantified { t, y })
        .chain(std::iter::once(Observation::Censored {
            t: 180.0,
            lloq: 50.0,
        }))
        .collect();
        let nll = NegLogLik {
            model: &Stein2019,
            obs: &obs,
            method: BlqMethod::M3,
            sigma_min: 0.05,
        };
        let anchor = RidgeAnchor {
            theta: vec![10.0, 2.2, -0.1, -1.9, -5.7, -4.8],
            sd: vec![0.8, 0.6, 0.64, 0.95, 0.93, 0.89],
        };
        let p = Penalised {
            nll,
            anchor: &anchor,
            lambda: 0.1,
        };
        let x = vec![11.0, 2.0, 0.3, -1.0, -5.0, -3.0, -0.7];
        let g = p.gradient(&x).unwrap();
        for i in 0..x.len() {
            let h = 1e-6;
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (p.cost(&up).unwrap() - p.cost(&down).unwrap()) / (2.0 * h);
            assert!(
                (fd - g[i]).abs() < 1e-5 * fd.abs().max(1.0),
                "{i}: {fd} vs {}",
                g[i]
            );
        }
        // The penalty itself: lambda times the squared scaled distance, theta only.
        let d: f64 = x[..6]
            .iter()
            .zip(&anchor.theta)
            .zip(&anchor.sd)
            .map(|((x, a), s)| ((x - a) / s).powi(2))
            .sum();
        assert!((p.penalty(&x, None) - 0.1 * d).abs() < 1e-12);
    }
}
