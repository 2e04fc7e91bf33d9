//! Conditional modes (maximum a posteriori individual estimates, Monolix's "conditional
//! mode" / NONMEM's EBE): argmax over phi_i of ln p(y_i | phi_i) + ln p(phi_i), with the
//! population parameters at their estimates.
//!
//! A patient's posterior can have more than one mode (e.g. a contraction explained by a
//! fast alpha with a large FB, or by a slower alpha with a small FB, when the persistence
//! phase is censored). A single local optimiser started at the typical values finds the
//! mode nearest to them, not necessarily the best. So the optimiser (Nelder-Mead, then a
//! restart from its result) is started from several points: the conditional mean of the
//! post-convergence chains, the state with the largest posterior density those chains
//! visited, the chain's last state and the typical values; the best of the local optima is
//! the conditional mode. The chains explore the whole posterior (kernel 1 draws from the
//! prior), so the best state they visited lies in the basin of the best mode. The number of
//! distinct local optima reached is reported, with the posterior gap to the second.

use super::data::SubjectData;
use super::loglik::Evaluator;
use super::statement::Transform;
use super::structural::Structural;
use argmin::core::{CostFunction, Error, Executor, State};
use argmin::solver::neldermead::NelderMead;

/// -(ln p(y|phi) + ln p(phi)) over the parameters with a random effect.
#[derive(Clone, Copy)]
pub(crate) struct Posterior<'a> {
    pub structural: &'a dyn Structural,
    pub transforms: &'a [Transform],
    pub data: &'a SubjectData,
    /// Prior means (all parameters); parameters without a random effect are held here.
    pub mean: &'a [f64],
    /// Prior SDs (all parameters).
    pub sd: &'a [f64],
    /// The parameters optimised.
    pub random: &'a [usize],
    pub sigma: f64,
}

impl Posterior<'_> {
    /// Full phi from the optimised coordinates.
    pub fn phi(&self, x: &[f64]) -> Vec<f64> {
        let mut phi = self.mean.to_vec();
        for (&k, v) in self.random.iter().zip(x) {
            phi[k] = *v;
        }
        phi
    }

    /// -ln posterior (without constants); +inf outside the model's domain.
    pub fn neg_ln_post(&self, x: &[f64]) -> f64 {
        let phi = self.phi(x);
        let mut eval = Evaluator::new(self.structural, self.transforms);
        let ll = eval.loglik(&phi, self.data, self.sigma);
        let lp: f64 = self
            .random
            .iter()
            .map(|&k| -0.5 * ((phi[k] - self.mean[k]) / self.sd[k]).powi(2))
            .sum();
        let v = -(ll + lp);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    }
}

impl CostFunction for Posterior<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Self::Param) -> Result<f64, Error> {
        Ok(self.neg_ln_post(x))
    }
}

/// The conditional mode found from `starts` (each in the optimised coordinates).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mode {
    /// Full phi at the best optimum.
    pub phi: Vec<f64>,
    /// -ln posterior there.
    pub cost: f64,
    /// Distinct local optima reached.
    pub local_modes: usize,
    /// -2 ln posterior gap to the second-best optimum (0 if one).
    pub gap: f64,
}

fn nelder_mead(problem: &Posterior, start: &[f64], steps: &[f64]) -> Option<(Vec<f64>, f64)> {
    let mut simplex = vec![start.to_vec()];
    for (j, s) in steps.iter().enumerate() {
        let mut v = start.to_vec();
        v[j] += s;
        simplex.push(v);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-10).ok()?;
    let res = Executor::new(*problem, solver)
        .configure(|s| s.max_iters(3000))
        .run()
        .ok()?;
    let st = res.state();
    Some((st.get_best_param()?.clone(), st.get_best_cost()))
}

/// Optimises from every start (twice: a restart from the first result shakes a collapsed
/// simplex) and keeps the best.
pub(crate) fn conditional_mode(problem: &Posterior, starts: &[Vec<f64>], steps: &[f64]) -> Mode {
    if steps.is_empty() {
        // No random effect: the individual parameters are the typical ones (Nelder-Mead
        // cannot run on an empty simplex).
        return Mode {
            phi: problem.phi(&[]),
            cost: problem.neg_ln_post(&[]),
            local_modes: 1,
            gap: 0.0,
        };
    }
    let mut optima: Vec<(Vec<f64>, f64)> = Vec::new();
    for s in starts {
        if !problem.neg_ln_post(s).is_finite() {
            continue;
        }
        let Some((x1, _)) = nelder_mead(problem, s, steps) else {
            continue;
        };
        let small: Vec<f64> = steps.iter().map(|s| 0.1 * s).collect();
        if let Some(opt) = nelder_mead(problem, &x1, &small) {
            if opt.1.is_finite() {
                optima.push(opt);
            }
        }
    }
    optima.sort_by(|a, b| a.1.total_cmp(&b.1));
    // Distinct optima: more than 0.1 apart in some phi (10% on a log parameter) and
    // differing in -2 ln posterior by more than 0.02 (points along a flat ridge where
    // Nelder-Mead stopped at slightly different places are one optimum).
    let mut distinct: Vec<&(Vec<f64>, f64)> = Vec::new();
    for o in &optima {
        if distinct.iter().all(|d| {
            d.0.iter().zip(&o.0).any(|(a, b)| (a - b).abs() > 0.1) && 2.0 * (o.1 - d.1).abs() > 0.02
        }) {
            distinct.push(o);
        }
    }
    match distinct.first() {
        Some(best) => Mode {
            phi: problem.phi(&best.0),
            cost: best.1,
            local_modes: distinct.len(),
            gap: distinct.get(1).map_or(0.0, |s| 2.0 * (s.1 - best.1)),
        },
        None => Mode {
            phi: problem.mean.to_vec(),
            cost: f64::INFINITY,
            local_modes: 0,
            gap: 0.0,
        },
    }
}

/// The conditional mode of one subject from starting points of the caller's choice
/// (natural-scale population parameters, in the statement's order), with the population
/// parameters at the fit's estimates: the best local optimum and its -2 ln posterior
/// density (up to a constant shared by all parameter values of the subject, the same scale
/// as [`super::IndividualEstimate::neg2_ln_posterior`]). `None` if the subject has no
/// usable data or no start is inside the model's domain.
pub fn individual_mode(
    fit: &super::PopulationFit,
    model: &super::PopulationModel,
    subject: &super::PopulationSubject,
    starts: &[Vec<f64>],
) -> Option<(Vec<f64>, f64)> {
    let mut warnings = Vec::new();
    let data = super::data::compile(model, std::slice::from_ref(subject), fit.blq, &mut warnings);
    let d = data.first()?;
    let transforms: Vec<Transform> = model.parameters.iter().map(|p| p.transform).collect();
    let random: Vec<usize> = (0..transforms.len())
        .filter(|&k| model.parameters[k].variability == super::Variability::RandomEffect)
        .collect();
    let m = fit.state.mean_of(d);
    let sd: Vec<f64> = fit.state.omega2.iter().map(|w| w.sqrt()).collect();
    let problem = Posterior {
        structural: model.structural.as_ref(),
        transforms: &transforms,
        data: d,
        mean: &m,
        sd: &sd,
        random: &random,
        sigma: fit.state.sigma,
    };
    let starts: Vec<Vec<f64>> = starts
        .iter()
        .filter_map(|psi| {
            random
                .iter()
                .map(|&k| transforms[k].to_phi(psi[k]))
                .collect::<Option<Vec<f64>>>()
        })
        .collect();
    let steps: Vec<f64> = random.iter().map(|&k| 0.2 * sd[k]).collect();
    let mode = conditional_mode(&problem, &starts, &steps);
    mode.cost.is_finite().then(|| {
        (
            mode.phi
                .iter()
                .zip(&transforms)
                .map(|(p, t)| t.to_psi(*p))
                .collect(),
            2.0 * mode.cost,
        )
    })
}
