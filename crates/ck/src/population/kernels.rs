//! The MCMC E-step of SAEM for one subject: Metropolis-Hastings kernels targeting
//! p(phi_i | y_i; population), as Monolix and saemix run them (Kuhn & Lavielle, Comput Stat
//! Data Anal 2005;49:1020-1038, section 3):
//!
//! 1. independent proposals from the prior N(m_i, Omega): accepted with probability
//!    min(1, p(y|phi') / p(y|phi));
//! 2. a random walk on all random effects at once, N(0, diag(d_k^2 omega_k^2));
//! 3. a random walk on one random effect at a time.
//!
//! The random-walk scales d_k adapt towards an acceptance rate of 0.4 (saemix's rule
//! d <- d (1 + 0.4 (rate - 0.4))). Every subject (and chain) has its own random stream,
//! derived from the seed and its index, so results do not depend on the thread count.

use super::data::SubjectData;
use super::loglik::Evaluator;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// The state of one Markov chain of one subject.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    /// Current transformed parameters (all parameters; fixed ones at their value).
    pub phi: Vec<f64>,
    /// ln p(y | phi) at `phi`.
    pub ll: f64,
    /// The sigma `ll` was computed under.
    ll_sigma: f64,
    /// The chain's random stream.
    pub rng: ChaCha8Rng,
    /// The state with the largest posterior density seen while `track_best` is on (a
    /// starting point for the conditional mode).
    pub best_phi: Vec<f64>,
    pub best_lpost: f64,
    /// ln C at the subject's times for `phi`, kept from the evaluation that accepted it (the
    /// imputed residuals and the Fisher information read it without predicting again).
    pub pred: Vec<f64>,
    /// Whether `pred` holds a prediction (`false` while `phi` is outside the domain).
    pub pred_valid: bool,
    /// Scratch space for proposals.
    proposal: Vec<f64>,
}

impl Chain {
    /// A chain at `phi`, with its likelihood and prediction from `eval`.
    pub fn new(
        phi: Vec<f64>,
        rng: ChaCha8Rng,
        data: &SubjectData,
        eval: &mut Evaluator,
        sigma: f64,
    ) -> Chain {
        let mut chain = Chain {
            best_phi: phi.clone(),
            proposal: phi.clone(),
            phi,
            ll: f64::NEG_INFINITY,
            ll_sigma: sigma,
            rng,
            best_lpost: f64::NEG_INFINITY,
            pred: Vec::new(),
            pred_valid: false,
        };
        chain.evaluate(data, eval, sigma);
        chain
    }

    /// Recomputes `ll` and `pred` at the current `phi` (after the population parameters or
    /// `phi` changed outside the kernels).
    pub fn evaluate(&mut self, data: &SubjectData, eval: &mut Evaluator, sigma: f64) {
        self.ll = eval.loglik(&self.phi, data, sigma);
        self.ll_sigma = sigma;
        self.pred_valid = eval.valid;
        self.pred.clone_from(&eval.pred);
    }

    /// Moves to the proposal `phi` just evaluated by `eval`.
    fn move_to(&mut self, phi: &[f64], ll: f64, sigma: f64, eval: &Evaluator) {
        self.phi.copy_from_slice(phi);
        self.ll = ll;
        self.ll_sigma = sigma;
        self.pred.copy_from_slice(&eval.pred);
        self.pred_valid = true;
    }
}

/// The subject's prior N(mean, sd^2) on the transformed scale.
pub(crate) struct Prior<'a> {
    pub mean: &'a [f64],
    pub sd: &'a [f64],
    /// Parameters the chain moves.
    pub sampled: &'a [usize],
}

impl Prior<'_> {
    /// ln density without the constant.
    pub fn ln_density(&self, phi: &[f64]) -> f64 {
        self.sampled
            .iter()
            .map(|&k| {
                let r = (phi[k] - self.mean[k]) / self.sd[k];
                -0.5 * r * r
            })
            .sum()
    }
}

/// Kernel iterations and random-walk scales.
#[derive(Debug, Clone)]
pub(crate) struct KernelSettings {
    pub iterations: [usize; 3],
    /// Random-walk scale (in units of omega) of kernel 2, per parameter.
    pub scale_all: Vec<f64>,
    /// Random-walk scale of kernel 3, per parameter.
    pub scale_one: Vec<f64>,
}

/// Accepted and tried proposals of kernels 2 and 3.
#[derive(Debug, Clone, Default)]
pub(crate) struct Acceptance {
    pub all: [u64; 2],
    pub one: Vec<[u64; 2]>,
}

impl Acceptance {
    pub fn new(n: usize) -> Self {
        Acceptance {
            all: [0, 0],
            one: vec![[0, 0]; n],
        }
    }
    pub fn reset(&mut self) {
        self.all = [0, 0];
        self.one.fill([0, 0]);
    }
    pub fn add(&mut self, o: &Acceptance) {
        self.all[0] += o.all[0];
        self.all[1] += o.all[1];
        for (a, b) in self.one.iter_mut().zip(&o.one) {
            a[0] += b[0];
            a[1] += b[1];
        }
    }
}

/// Metropolis-Hastings acceptance with probability min(1, e^log_ratio): u < e^r with u
/// uniform is -ln u > -r, and -ln u is a standard exponential, which the ziggurat draws
/// without a logarithm.
fn accept(rng: &mut ChaCha8Rng, log_ratio: f64) -> bool {
    if log_ratio >= 0.0 {
        return true;
    }
    if log_ratio.is_nan() {
        return false;
    }
    let e: f64 = Exp1.sample(rng);
    e > -log_ratio
}

/// One E-step iteration of one chain: the three kernels in turn.
#[allow(clippy::too_many_arguments)]
pub(crate) fn iterate(
    chain: &mut Chain,
    data: &SubjectData,
    eval: &mut Evaluator,
    prior: &Prior,
    sigma: f64,
    settings: &KernelSettings,
    track_best: bool,
    acc: &mut Acceptance,
) {
    // Where sigma moved since the chain's state was last evaluated (the M-step updates it
    // every iteration), its likelihood is recomputed from the kept prediction, or the
    // acceptance ratios would compare the proposals' likelihood under the new sigma with
    // the current state's under an old one. Post-convergence sigma stays: nothing to redo.
    if chain.pred_valid && chain.ll_sigma != sigma {
        chain.ll = eval.loglik_of_pred(&chain.pred, data, sigma);
        chain.ll_sigma = sigma;
    }
    // The chain's scratch buffer, handed back at the end (no allocation per iteration).
    let mut proposal = std::mem::take(&mut chain.proposal);
    proposal.copy_from_slice(&chain.phi);
    let mut lp = prior.ln_density(&chain.phi);
    let normal = |rng: &mut ChaCha8Rng| -> f64 { StandardNormal.sample(rng) };
    let note_best = |chain: &mut Chain, lpost: f64| {
        if track_best && lpost > chain.best_lpost {
            chain.best_lpost = lpost;
            chain.best_phi.copy_from_slice(&chain.phi);
        }
    };

    // Kernel 1: from the prior.
    for _ in 0..settings.iterations[0] {
        for &k in prior.sampled {
            proposal[k] = prior.mean[k] + prior.sd[k] * normal(&mut chain.rng);
        }
        let ll = eval.loglik(&proposal, data, sigma);
        if accept(&mut chain.rng, ll - chain.ll) {
            chain.move_to(&proposal, ll, sigma, eval);
            lp = prior.ln_density(&chain.phi);
            note_best(chain, ll + lp);
        }
    }
    // Kernel 2: random walk on all random effects.
    for _ in 0..settings.iterations[1] {
        proposal.copy_from_slice(&chain.phi);
        for &k in prior.sampled {
            proposal[k] += settings.scale_all[k] * prior.sd[k] * normal(&mut chain.rng);
        }
        let ll = eval.loglik(&proposal, data, sigma);
        let lp_new = prior.ln_density(&proposal);
        acc.all[1] += 1;
        if accept(&mut chain.rng, ll + lp_new - chain.ll - lp) {
            acc.all[0] += 1;
            chain.move_to(&proposal, ll, sigma, eval);
            lp = lp_new;
            note_best(chain, ll + lp);
        }
    }
    // Kernel 3: random walk on one random effect at a time.
    for _ in 0..settings.iterations[2] {
        for &k in prior.sampled {
            proposal.copy_from_slice(&chain.phi);
            proposal[k] += settings.scale_one[k] * prior.sd[k] * normal(&mut chain.rng);
            let ll = eval.loglik(&proposal, data, sigma);
            let lp_new = prior.ln_density(&proposal);
            acc.one[k][1] += 1;
            if accept(&mut chain.rng, ll + lp_new - chain.ll - lp) {
                acc.one[k][0] += 1;
                chain.move_to(&proposal, ll, sigma, eval);
                lp = lp_new;
                note_best(chain, ll + lp);
            }
        }
    }
    note_best(chain, chain.ll + lp);
    chain.proposal = proposal;
}

/// saemix's adaptation of the random-walk scales towards an acceptance rate `target`.
pub(crate) fn adapt(
    settings: &mut KernelSettings,
    acc: &Acceptance,
    sampled: &[usize],
    target: f64,
) {
    if acc.all[1] > 0 {
        let rate = acc.all[0] as f64 / acc.all[1] as f64;
        for &k in sampled {
            settings.scale_all[k] *= 1.0 + 0.4 * (rate - target);
        }
    }
    for &k in sampled {
        let [a, n] = acc.one[k];
        if n > 0 {
            settings.scale_one[k] *= 1.0 + 0.4 * (a as f64 / n as f64 - target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::statement::Transform;
    use crate::population::structural::{SteinPopulation, Structural};
    use rand::SeedableRng;

    /// Regression: the chain kept ln p(y | phi) from the sigma of the iteration that
    /// accepted phi, so after the M-step moved sigma the acceptance ratios mixed two sigmas.
    #[test]
    fn the_current_state_is_judged_under_the_current_sigma() {
        let model = SteinPopulation;
        let transforms: Vec<Transform> = model.parameters().iter().map(|p| p.transform).collect();
        let psi = [24000.0, 3900.0, 9.3, 0.16, 0.0079, 0.0032];
        let phi: Vec<f64> = psi
            .iter()
            .zip(&transforms)
            .map(|(p, t)| t.to_phi(*p).expect("published values are in the domain"))
            .collect();
        let data = SubjectData {
            index: 0,
            id: "A".into(),
            times: vec![0.0, 7.0, 14.0, 28.0],
            ln_y: vec![50f64.ln(), 9.5, 9.0, 8.0],
            censored: vec![true, false, false, false],
            x: vec![vec![1.0]; 6],
        };
        let mut eval = Evaluator::new(&model, &transforms);
        let rng = ChaCha8Rng::seed_from_u64(1);
        let mut chain = Chain::new(phi.clone(), rng, &data, &mut eval, 0.5);
        let sd = vec![0.5; 6];
        let sampled: Vec<usize> = (0..6).collect();
        let prior = Prior {
            mean: &phi,
            sd: &sd,
            sampled: &sampled,
        };
        let settings = KernelSettings {
            iterations: [0, 0, 0],
            scale_all: vec![0.5; 6],
            scale_one: vec![0.5; 6],
        };
        let mut acc = Acceptance::new(6);
        iterate(
            &mut chain, &data, &mut eval, &prior, 1.0, &settings, false, &mut acc,
        );
        let want = eval.loglik(&phi, &data, 1.0);
        assert!((chain.ll - want).abs() < 1e-12, "{} vs {want}", chain.ll);
        assert!((chain.ll - eval.loglik(&phi, &data, 0.5)).abs() > 1.0);
    }
}
