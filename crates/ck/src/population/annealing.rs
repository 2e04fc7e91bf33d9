//! Simulated annealing of the variances in the exploratory phase, as Monolix does it
//! (Lavielle, *Mixed Effects Models for the Population Approach*, 2014, section 9.2.4): the
//! variances may decrease by at most a factor `rate` (0.95) per iteration, so that early on
//! the chains explore a wide neighbourhood and the algorithm does not settle in a local
//! maximum near the initial values.

use super::mstep::PopState;

/// omega_k^2 <- max(omega_k^2, rate * previous) for the parameters in `annealed`, and the
/// same for sigma^2.
pub(crate) fn anneal(next: &mut PopState, prev: &PopState, annealed: &[usize], rate: f64) {
    for &k in annealed {
        next.omega2[k] = next.omega2[k].max(rate * prev.omega2[k]);
    }
    next.sigma = next.sigma.max(rate.sqrt() * prev.sigma);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variances_decrease_at_most_geometrically() {
        let prev = PopState {
            coef: vec![vec![0.0]; 2],
            omega2: vec![1.0, 1.0],
            sigma: 2.0,
        };
        let mut next = PopState {
            coef: vec![vec![0.0]; 2],
            omega2: vec![0.1, 1.5],
            sigma: 0.5,
        };
        anneal(&mut next, &prev, &[0, 1], 0.95);
        assert_eq!(next.omega2, vec![0.95, 1.5]);
        // sigma^2 >= 0.95 * 4.
        assert!((next.sigma * next.sigma - 3.8).abs() < 1e-12);
    }
}
