//! Draws from the standard normal truncated above, for imputing censored observations in
//! the E-step (Samson, Lavielle & Mentre, Comput Stat Data Anal 2006;51:1562-1574: SAEM
//! with left-censored data simulates the censored values from their conditional
//! distribution given the individual parameters).
//!
//! Robert CP, "Simulation of truncated normal variables", Stat Comput 1995;5:121-125:
//! for x ~ N(0,1) restricted to x > a with a > 0, propose x = a + Exp(lambda) with
//! lambda = (a + sqrt(a^2 + 4))/2 and accept with probability exp(-(x - lambda)^2 / 2);
//! for a <= 0 plain rejection accepts at least half the draws.

use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// z ~ N(0, 1) conditioned on z < b.
pub fn below<R: Rng + ?Sized>(rng: &mut R, b: f64) -> f64 {
    -above(rng, -b)
}

/// x ~ N(0, 1) conditioned on x > a.
pub fn above<R: Rng + ?Sized>(rng: &mut R, a: f64) -> f64 {
    if a <= 0.0 {
        loop {
            let x: f64 = StandardNormal.sample(rng);
            if x > a {
                return x;
            }
        }
    }
    let lambda = 0.5 * (a + (a * a + 4.0).sqrt());
    loop {
        let e: f64 = Exp1.sample(rng);
        let x = a + e / lambda;
        let u: f64 = rng.random();
        if u.ln() <= -0.5 * (x - lambda) * (x - lambda) {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Mean of N(0,1) truncated to x > a is phi(a)/(1 - Phi(a)) (the inverse Mills
    /// ratio): 0.2876000 at a = -1, 0.7978846 at a = 0, 1.525135 at a = 1, 3.283099 at a = 3 (R:
    /// dnorm(a)/pnorm(a, lower.tail = FALSE)).
    #[test]
    fn means_match_the_inverse_mills_ratio() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for (a, mean) in [
            (-1.0, 0.2875999),
            (0.0, 0.7978846),
            (1.0, 1.525135),
            (3.0, 3.283099),
        ] {
            let n = 40_000;
            let draws: Vec<f64> = (0..n).map(|_| above(&mut rng, a)).collect();
            assert!(draws.iter().all(|x| *x > a));
            let m = draws.iter().sum::<f64>() / n as f64;
            assert!((m - mean).abs() < 0.02, "a {a}: {m} vs {mean}");
        }
        assert!(below(&mut rng, -2.0) < -2.0);
    }
}
