//! The log-likelihood of the population model by importance sampling, as Monolix computes
//! it (Lavielle 2014, section 9.3.2): for subject i,
//!
//! p(y_i) = E_q[ p(y_i | phi) p(phi) / q(phi) ],
//!
//! with the proposal q a multivariate Student t (5 degrees of freedom, diagonal scale)
//! centred on the conditional mean of phi_i with the conditional SD as scale, both from the
//! post-convergence chains. The t's heavy tails keep the weights' variance finite.

use super::data::SubjectData;
use super::loglik::Evaluator;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// Degrees of freedom of the t proposal.
const NU: f64 = 5.0;

/// ln p(y_i) by importance sampling with `draws` draws from its own stream.
#[allow(clippy::too_many_arguments)]
pub(crate) fn ln_marginal(
    eval: &mut Evaluator,
    data: &SubjectData,
    mean: &[f64],
    omega: &[f64],
    random: &[usize],
    cond_mean: &[f64],
    cond_sd: &[f64],
    sigma: f64,
    draws: usize,
    seed: u64,
    stream: u64,
) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let d = random.len() as f64;
    let chi = ChiSquared::new(NU).expect("5 degrees of freedom are valid");
    let ln_t_const = libm::lgamma(0.5 * (NU + d))
        - libm::lgamma(0.5 * NU)
        - 0.5 * d * (NU * std::f64::consts::PI).ln()
        - random.iter().map(|&k| cond_sd[k].ln()).sum::<f64>();
    let ln_prior_const = -random
        .iter()
        .map(|&k| (omega[k] * (2.0 * std::f64::consts::PI).sqrt()).ln())
        .sum::<f64>();
    let mut phi = mean.to_vec();
    let mut w = Vec::with_capacity(draws);
    for _ in 0..draws {
        let scale = (NU / chi.sample(&mut rng)).sqrt();
        let mut q2 = 0.0;
        let mut lp = ln_prior_const;
        for &k in random {
            let z: f64 = StandardNormal.sample(&mut rng);
            let t = z * scale;
            phi[k] = cond_mean[k] + cond_sd[k] * t;
            q2 += t * t;
            lp -= 0.5 * ((phi[k] - mean[k]) / omega[k]).powi(2);
        }
        let lq = ln_t_const - 0.5 * (NU + d) * (1.0 + q2 / NU).ln();
        let ll = eval.loglik(&phi, data, sigma);
        w.push(ll + lp - lq);
    }
    let m = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return f64::NEG_INFINITY;
    }
    m + (w.iter().map(|x| (x - m).exp()).sum::<f64>() / draws as f64).ln()
}
