//! The SAEM driver: burn-in, exploratory phase with annealing, smoothing phase, then the
//! post-convergence chains that give the conditional means, the Fisher information, the
//! conditional modes and the importance-sampling likelihood.

use super::annealing::anneal;
use super::data::{compile, PopulationSubject, SubjectData};
use super::fisher::{identified_covariance, Layout, Louis};
use super::individual::{conditional_mode, Posterior};
use super::kernels::{adapt, iterate, Acceptance, Chain, KernelSettings, Prior};
use super::loglik::{sigma_derivatives, Evaluator};
use super::mstep::{m_step, PopState};
use super::result::{
    CovariateEffectEstimate, IndividualEstimate, IterationRecord, PopulationFit,
    PopulationParameter, ResidualError,
};
use super::sa::{step_size, SufficientStats};
use super::shrinkage::{epsilon_shrinkage_percent, eta_shrinkage_percent};
use super::statement::{PopulationModel, Transform, Variability};
use super::{importance, truncnorm, PopulationError};
use crate::likelihood::BlqMethod;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Settings of the algorithm. The defaults are saemix's and Monolix's where they agree.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SaemOptions {
    /// Seed of every random stream: one seed gives bit-identical results for any number
    /// of threads.
    pub seed: u64,
    /// Burn-in iterations: MCMC only, the estimates stay at their initial values (5).
    pub burn_in: usize,
    /// Exploratory iterations K1 (step size 1) (300).
    pub exploratory: usize,
    /// Smoothing iterations K2 (step size 1/k) (200).
    pub smoothing: usize,
    /// Iterations at the start of the exploratory phase with annealed variances (150).
    pub annealing: usize,
    /// Largest decrease factor of a variance per annealed iteration (0.95).
    pub annealing_rate: f64,
    /// Factor of the vanishing variance of a parameter without random effect (0.95).
    pub vanishing_rate: f64,
    /// Chains per subject; `None`: enough for 50 chains in all (Monolix's rule).
    pub chains: Option<usize>,
    /// Iterations of kernels 1 (prior), 2 (joint random walk), 3 (one at a time) per SAEM
    /// iteration ([2, 2, 2]).
    pub kernel_iterations: [usize; 3],
    /// Target acceptance rate of the random-walk kernels (0.4).
    pub target_acceptance: f64,
    /// Post-convergence MCMC iterations for conditional means, SDs and the Fisher
    /// information (500: the conditional medians need that many for their Monte Carlo
    /// error to stay small against the between-subject spread).
    pub conditional_iterations: usize,
    /// Importance-sampling draws per subject for -2LL (1000).
    pub importance_draws: usize,
    /// BLQ handling (M3, the default: censored; M1 drops BLQ, for comparison).
    pub blq: BlqMethod,
}

impl Default for SaemOptions {
    fn default() -> Self {
        SaemOptions {
            seed: 12345,
            burn_in: 5,
            exploratory: 300,
            smoothing: 200,
            annealing: 150,
            annealing_rate: 0.95,
            vanishing_rate: 0.95,
            chains: None,
            kernel_iterations: [2, 2, 2],
            target_acceptance: 0.4,
            conditional_iterations: 500,
            importance_draws: 1000,
            blq: BlqMethod::M3,
        }
    }
}

/// Per-subject state.
struct SubjectState {
    chains: Vec<Chain>,
    /// The subject's prior mean m_i of the current iteration.
    mean: Vec<f64>,
    /// This iteration's draw (buffers reused from one iteration to the next).
    draw: Draw,
    sum_phi: Vec<f64>,
    sum_phi2: Vec<f64>,
    sum_psi: Vec<f64>,
    sum_model: Vec<f64>,
    /// Post-convergence draws of the model's natural parameters, per parameter.
    draws_model: Vec<Vec<f64>>,
    n_cond: usize,
    louis: Option<Louis>,
}

/// One subject's contribution to the sufficient statistics of an iteration.
struct Draw {
    phi: Vec<f64>,
    phi2: Vec<f64>,
    rss: f64,
    acc: Acceptance,
}

impl Draw {
    fn reset(&mut self) {
        self.phi.fill(0.0);
        self.phi2.fill(0.0);
        self.rss = 0.0;
        self.acc.reset();
    }
}

/// Most SAEM iterations in all (burn-in + K1 + K2) a fit accepts: 200 times saemix's
/// default 505; a larger count is a typo, and one near `usize::MAX` would overflow.
pub const MAX_SAEM_ITERATIONS: usize = 100_000;

/// The total iteration count of `options`, or why it is out of range.
fn total_iterations(options: &SaemOptions) -> Result<usize, PopulationError> {
    options
        .burn_in
        .checked_add(options.exploratory)
        .and_then(|n| n.checked_add(options.smoothing))
        .filter(|&n| n <= MAX_SAEM_ITERATIONS)
        .ok_or_else(|| {
            PopulationError::Options(format!(
                "burn-in {} + K1 {} + K2 {} iterations: expected at most {MAX_SAEM_ITERATIONS} in all",
                options.burn_in, options.exploratory, options.smoothing
            ))
        })
}

fn validate(model: &PopulationModel) -> Result<(), PopulationError> {
    let specs = model.structural.parameters();
    if specs.len() != model.parameters.len()
        || specs
            .iter()
            .zip(&model.parameters)
            .any(|(s, p)| s.name != p.name)
    {
        return Err(PopulationError::Statement(format!(
            "the statement's parameters ({}) are not the structural model's ({})",
            model
                .parameters
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
            specs.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
        )));
    }
    for p in &model.parameters {
        if p.transform.to_phi(p.initial).is_none() {
            return Err(PopulationError::Statement(format!(
                "initial value {} of {} is outside its {:?} domain",
                p.initial, p.name, p.transform
            )));
        }
        if p.variability != Variability::Fixed
            && p.omega2_initial.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        {
            return Err(PopulationError::Statement(format!(
                "initial omega^2 of {} must be > 0 (got {})",
                p.name, p.omega2_initial
            )));
        }
    }
    let psi: Vec<f64> = model.parameters.iter().map(|p| p.initial).collect();
    if model.structural.theta(&psi).is_none() {
        return Err(PopulationError::Statement(
            "the initial typical values are outside the structural model's domain".into(),
        ));
    }
    for c in &model.covariates {
        match model.index(c.parameter) {
            None => {
                return Err(PopulationError::Statement(format!(
                    "covariate {} acts on unknown parameter {}",
                    c.covariate, c.parameter
                )))
            }
            Some(k) if model.parameters[k].variability != Variability::RandomEffect => {
                return Err(PopulationError::Statement(format!(
                    "covariate {} acts on {}, which has no random effect; covariate effects \
                     need one",
                    c.covariate, c.parameter
                )))
            }
            _ => {}
        }
    }
    if model.sigma_initial.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(PopulationError::Statement(format!(
            "initial sigma must be > 0 (got {})",
            model.sigma_initial
        )));
    }
    Ok(())
}

/// Fits the population model to the subjects by SAEM.
pub fn fit_population(
    model: &PopulationModel,
    subjects: &[PopulationSubject],
    options: &SaemOptions,
) -> Result<PopulationFit, PopulationError> {
    validate(model)?;
    let total = total_iterations(options)?;
    let mut warnings = Vec::new();
    let data = compile(model, subjects, options.blq, &mut warnings);
    if data.len() < 2 {
        return Err(PopulationError::TooFewSubjects(data.len()));
    }
    let np = model.parameters.len();
    let structural = model.structural.as_ref();
    let transforms: Vec<Transform> = model.parameters.iter().map(|p| p.transform).collect();
    let var = |k: usize| model.parameters[k].variability;
    let sampled: Vec<usize> = (0..np).filter(|&k| var(k) != Variability::Fixed).collect();
    let random: Vec<usize> = (0..np)
        .filter(|&k| var(k) == Variability::RandomEffect)
        .collect();
    let vanishing: Vec<usize> = (0..np)
        .filter(|&k| var(k) == Variability::NoRandomEffect)
        .collect();
    let with_omega: Vec<bool> = (0..np)
        .map(|k| var(k) == Variability::RandomEffect)
        .collect();
    for &k in &random {
        if data[0].x[k].len() > 1 && super::mstep::regress(&data, k, |_| 0.0).is_none() {
            return Err(PopulationError::Statement(format!(
                "the covariates on {} do not vary between the subjects fitted",
                model.parameters[k].name
            )));
        }
    }

    let mut state = PopState {
        coef: (0..np)
            .map(|k| {
                let mut c = vec![0.0; data[0].x[k].len()];
                c[0] = transforms[k]
                    .to_phi(model.parameters[k].initial)
                    .expect("validated above");
                c
            })
            .collect(),
        omega2: (0..np)
            .map(|k| match var(k) {
                Variability::Fixed => 0.0,
                _ => model.parameters[k].omega2_initial,
            })
            .collect(),
        sigma: model.sigma_initial,
    };

    let n_chains = options
        .chains
        .unwrap_or_else(|| 50usize.div_ceil(data.len()))
        .max(1);
    let mut subjects_state: Vec<SubjectState> = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let m = state.mean_of(d);
            let mut eval = Evaluator::new(structural, &transforms);
            let chains = (0..n_chains)
                .map(|c| {
                    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
                    rng.set_stream((i * n_chains + c) as u64);
                    Chain::new(m.clone(), rng, d, &mut eval, state.sigma)
                })
                .collect();
            SubjectState {
                chains,
                mean: m,
                draw: Draw {
                    phi: vec![0.0; np],
                    phi2: vec![0.0; np],
                    rss: 0.0,
                    acc: Acceptance::new(np),
                },
                sum_phi: vec![0.0; np],
                sum_phi2: vec![0.0; np],
                sum_psi: vec![0.0; np],
                sum_model: vec![0.0; structural.model().parameters().len()],
                draws_model: vec![Vec::new(); structural.model().parameters().len()],
                n_cond: 0,
                louis: None,
            }
        })
        .collect();
    let mut kernel = KernelSettings {
        iterations: options.kernel_iterations,
        scale_all: vec![0.5; np],
        scale_one: vec![0.5; np],
    };
    let n_obs: usize = data.iter().map(|d| d.times.len()).sum();
    let n_censored: usize = data
        .iter()
        .map(|d| d.censored.iter().filter(|c| **c).count())
        .sum();
    let mut stats = SufficientStats::zeros(data.len(), np);
    let mut trace = Vec::new();

    for it in 0..total {
        let sd: Vec<f64> = state.omega2.iter().map(|w| w.sqrt()).collect();
        subjects_state
            .par_iter_mut()
            .zip(data.par_iter())
            .for_each_init(
                || Evaluator::new(structural, &transforms),
                |eval, (st, d)| {
                    state.mean_into(d, &mut st.mean);
                    let prior = Prior {
                        mean: &st.mean,
                        sd: &sd,
                        sampled: &sampled,
                    };
                    let draw = &mut st.draw;
                    draw.reset();
                    for chain in &mut st.chains {
                        iterate(
                            chain,
                            d,
                            eval,
                            &prior,
                            state.sigma,
                            &kernel,
                            false,
                            &mut draw.acc,
                        );
                        draw.rss += imputed_rss(chain, d, state.sigma);
                        for k in 0..np {
                            draw.phi[k] += chain.phi[k];
                            draw.phi2[k] += chain.phi[k] * chain.phi[k];
                        }
                    }
                    let c = st.chains.len() as f64;
                    draw.phi.iter_mut().for_each(|v| *v /= c);
                    draw.phi2.iter_mut().for_each(|v| *v /= c);
                    draw.rss /= c;
                },
            );
        // Reductions in subject order: the same sums for any thread count.
        let mut acc = Acceptance::new(np);
        let mut s = SufficientStats::zeros(data.len(), np);
        for (i, d) in subjects_state.iter().map(|st| &st.draw).enumerate() {
            acc.add(&d.acc);
            s.phi[i].copy_from_slice(&d.phi);
            for k in 0..np {
                s.phi2[k] += d.phi2[k];
            }
            s.rss += d.rss;
        }
        adapt(&mut kernel, &acc, &sampled, options.target_acceptance);
        if it < options.burn_in {
            continue;
        }
        let k = it - options.burn_in;
        stats.approach(&s, step_size(k, options.exploratory));
        let mut next = m_step(&stats, &data, &sampled, &with_omega, n_obs, &state);
        if k < options.annealing.min(options.exploratory) {
            anneal(&mut next, &state, &random, options.annealing_rate);
        }
        for &j in &vanishing {
            next.omega2[j] = (state.omega2[j] * options.vanishing_rate).max(1e-12);
        }
        state = next;
        trace.push(IterationRecord {
            iteration: k + 1,
            phase: if k < options.exploratory {
                "exploratory"
            } else {
                "smoothing"
            },
            typical: (0..np)
                .map(|j| transforms[j].to_psi(state.coef[j][0]))
                .collect(),
            omega2: (0..np)
                .map(|j| if with_omega[j] { state.omega2[j] } else { 0.0 })
                .collect(),
            sigma: state.sigma,
        });
    }

    // Post-convergence chains at the final estimates: parameters without a random effect
    // are held at their estimates.
    let layout = Layout::new(&random, &state);
    let sd: Vec<f64> = state.omega2.iter().map(|w| w.sqrt()).collect();
    subjects_state
        .par_iter_mut()
        .zip(data.par_iter())
        .for_each(|(st, d)| {
            let mut eval = Evaluator::new(structural, &transforms);
            let m = state.mean_of(d);
            let prior = Prior {
                mean: &m,
                sd: &sd,
                sampled: &random,
            };
            let mut louis = Louis::new(layout.len());
            let mut acc = Acceptance::new(np);
            let mut psi = vec![0.0; np];
            for chain in &mut st.chains {
                for &k in &vanishing {
                    chain.phi[k] = m[k];
                }
                chain.evaluate(d, &mut eval, state.sigma);
                chain.best_phi.copy_from_slice(&chain.phi);
                chain.best_lpost = f64::NEG_INFINITY;
            }
            for _ in 0..options.conditional_iterations {
                for chain in &mut st.chains {
                    iterate(
                        chain,
                        d,
                        &mut eval,
                        &prior,
                        state.sigma,
                        &kernel,
                        true,
                        &mut acc,
                    );
                    if !chain.pred_valid {
                        continue;
                    }
                    let ds = sigma_derivatives(&chain.pred, d, state.sigma);
                    louis.add(&layout, &state, d, &chain.phi, &m, ds);
                    super::structural::to_psi(&chain.phi, &transforms, &mut psi);
                    if let Some(theta) = structural.theta(&psi) {
                        let nat = structural.model().to_natural(&theta);
                        for ((a, d), v) in st.sum_model.iter_mut().zip(&mut st.draws_model).zip(nat)
                        {
                            *a += v;
                            d.push(v);
                        }
                    }
                    for (k, (&phi, psi)) in chain.phi.iter().zip(&psi).enumerate() {
                        st.sum_phi[k] += phi;
                        st.sum_phi2[k] += phi * phi;
                        st.sum_psi[k] += psi;
                    }
                    st.n_cond += 1;
                }
            }
            st.louis = Some(louis);
        });

    // Individual estimates.
    struct Indiv {
        est: IndividualEstimate,
        phi: Vec<f64>,
        iwres: Vec<f64>,
    }
    let indiv: Vec<Indiv> = subjects_state
        .par_iter()
        .zip(data.par_iter())
        .enumerate()
        .map(|(i, (st, d))| {
            let m = state.mean_of(d);
            let n = st.n_cond.max(1) as f64;
            let cond_mean: Vec<f64> = st.sum_phi.iter().map(|s| s / n).collect();
            let cond_sd: Vec<f64> = st
                .sum_phi
                .iter()
                .zip(&st.sum_phi2)
                .map(|(s, s2)| (s2 / n - (s / n).powi(2)).max(0.0).sqrt())
                .collect();
            let problem = Posterior {
                structural,
                transforms: &transforms,
                data: d,
                mean: &m,
                sd: &sd,
                random: &random,
                sigma: state.sigma,
            };
            let pick = |phi: &[f64]| random.iter().map(|&k| phi[k]).collect::<Vec<f64>>();
            let mut starts = vec![pick(&cond_mean)];
            for c in &st.chains {
                starts.push(pick(&c.best_phi));
                starts.push(pick(&c.phi));
            }
            starts.push(pick(&m));
            let steps: Vec<f64> = random
                .iter()
                .map(|&k| cond_sd[k].max(0.05 * sd[k]).max(1e-3))
                .collect();
            let mode = conditional_mode(&problem, &starts, &steps);
            let mut eval = Evaluator::new(structural, &transforms);
            let is_sd: Vec<f64> = cond_sd.iter().map(|s| s.max(1e-3)).collect();
            let ll = importance::ln_marginal(
                &mut eval,
                d,
                &m,
                &sd,
                &random,
                &cond_mean,
                &is_sd,
                state.sigma,
                options.importance_draws,
                options.seed ^ 0x1A9_0A7A_5EED,
                i as u64,
            );
            let psi_mode: Vec<f64> = (0..np).map(|k| transforms[k].to_psi(mode.phi[k])).collect();
            let model_mode = structural
                .theta(&psi_mode)
                .map(|t| structural.model().to_natural(&t))
                .unwrap_or_else(|| vec![f64::NAN; st.sum_model.len()]);
            let mut iwres = Vec::new();
            if eval.predict(&mode.phi, d) {
                for ((f, y), c) in eval.pred.iter().zip(&d.ln_y).zip(&d.censored) {
                    if !c {
                        iwres.push((y - f) / state.sigma);
                    }
                }
            }
            Indiv {
                est: IndividualEstimate {
                    subject: d.id.clone(),
                    mode: psi_mode,
                    mean: st.sum_psi.iter().map(|s| s / n).collect(),
                    sd_phi: cond_sd,
                    model_mode,
                    model_mean: st.sum_model.iter().map(|s| s / n).collect(),
                    model_median: st.draws_model.iter().map(|d| median(d.clone())).collect(),
                    eta_mode: (0..np)
                        .map(|k| {
                            if with_omega[k] {
                                mode.phi[k] - m[k]
                            } else {
                                0.0
                            }
                        })
                        .collect(),
                    neg2ll: -2.0 * ll,
                    neg2_ln_posterior: 2.0 * mode.cost,
                    local_modes: mode.local_modes,
                    mode_gap: mode.gap,
                    n_observations: d.times.len(),
                    n_censored: d.censored.iter().filter(|c| **c).count(),
                },
                phi: mode.phi,
                iwres,
            }
        })
        .collect();

    // Fisher information and standard errors.
    let mut info = DMatrix::zeros(layout.len(), layout.len());
    for st in &subjects_state {
        if let Some(l) = &st.louis {
            info += l.information();
        }
    }
    let (cov, unidentified) = identified_covariance(&info);
    if !unidentified.is_empty() {
        let row_name = |row: usize| -> String {
            if let Some(&(k, j)) = layout.coef.get(row) {
                let name = model.parameters[k].name;
                if j == 0 {
                    format!("typical {name}")
                } else {
                    format!("covariate effect {j} on {name}")
                }
            } else if let Some(&k) = layout.omega.get(row - layout.coef.len()) {
                format!("omega2 of {}", model.parameters[k].name)
            } else {
                "sigma".to_string()
            }
        };
        let names: Vec<String> = unidentified.iter().map(|&r| row_name(r)).collect();
        warnings.push(if cov.is_some() {
            format!(
                "the Fisher information is not positive definite: no standard error for {} \
                 (not identifiable from these data); the other standard errors hold {} at \
                 the estimate",
                names.join(", "),
                if names.len() == 1 { "it" } else { "them" }
            )
        } else {
            "the Fisher information is not positive definite: standard errors not computed \
             (a parameter may not be identifiable from these data)"
                .into()
        });
    }
    let se = |row: usize| -> Option<f64> {
        cov.as_ref()
            .map(|c| c[(row, row)])
            .filter(|v| *v >= 0.0)
            .map(f64::sqrt)
    };
    let coef_row = |k: usize, j: usize| layout.coef.iter().position(|&(a, b)| a == k && b == j);
    let omega_row = |k: usize| {
        layout
            .omega
            .iter()
            .position(|&a| a == k)
            .map(|p| layout.coef.len() + p)
    };

    let etas: Vec<Vec<f64>> = (0..np)
        .map(|k| indiv.iter().map(|v| v.est.eta_mode[k]).collect())
        .collect();
    let parameters: Vec<PopulationParameter> = (0..np)
        .map(|k| {
            let p = &model.parameters[k];
            let phi = state.coef[k][0];
            let typical = transforms[k].to_psi(phi);
            let typical_se = coef_row(k, 0)
                .and_then(se)
                .map(|s| s * transforms[k].dpsi_dphi(phi).abs());
            let w2 = with_omega[k].then_some(state.omega2[k]);
            let omega2_se = omega_row(k).and_then(se);
            PopulationParameter {
                name: p.name,
                unit: p.unit,
                transform: p.transform,
                variability: p.variability,
                typical,
                typical_se,
                typical_rse_percent: typical_se.map(|s| 100.0 * s / typical.abs()),
                omega2: w2,
                omega2_se,
                omega2_rse_percent: w2.zip(omega2_se).map(|(w, s)| 100.0 * s / w),
                cv_percent: w2.map(|w| match p.transform {
                    Transform::LogNormal => 100.0 * (w.exp() - 1.0).sqrt(),
                    _ => 100.0 * w.sqrt(),
                }),
                shrinkage_percent: w2.map(|w| eta_shrinkage_percent(&etas[k], w)),
            }
        })
        .collect();
    let mut next_col = vec![1usize; np];
    let covariate_effects = model
        .covariates
        .iter()
        .map(|c| {
            let k = model.index(c.parameter).expect("validated above");
            let j = next_col[k];
            next_col[k] += 1;
            let estimate = state.coef[k][j];
            let s = coef_row(k, j).and_then(se);
            CovariateEffectEstimate {
                label: c.label(),
                parameter: model.parameters[k].name,
                covariate: c.covariate.clone(),
                kind: c.kind.clone(),
                estimate,
                se: s,
                rse_percent: s.map(|s| 100.0 * s / estimate.abs()),
                ci95: s.map(|s| (estimate - 1.959964 * s, estimate + 1.959964 * s)),
                ratio: estimate.exp(),
            }
        })
        .collect();
    let sigma_se = se(layout.len() - 1);
    let iwres: Vec<f64> = indiv.iter().flat_map(|v| v.iwres.iter().copied()).collect();
    let neg2ll: f64 = indiv.iter().map(|v| v.est.neg2ll).sum();
    let n_estimated = layout.len() + vanishing.len();
    let n = data.len() as f64;
    Ok(PopulationFit {
        model: structural.name(),
        parameters,
        model_parameter_names: structural
            .model()
            .parameters()
            .iter()
            .map(|p| p.name)
            .collect(),
        covariate_effects,
        residual: ResidualError {
            sigma: state.sigma,
            se: sigma_se,
            rse_percent: sigma_se.map(|s| 100.0 * s / state.sigma),
        },
        epsilon_shrinkage_percent: epsilon_shrinkage_percent(&iwres),
        neg2ll,
        aic: neg2ll + 2.0 * n_estimated as f64,
        bic: neg2ll + n_estimated as f64 * n.ln(),
        n_estimated,
        n_subjects: data.len(),
        n_observations: n_obs,
        n_censored,
        trace,
        warnings,
        blq: options.blq,
        mode_phi: data
            .iter()
            .zip(&indiv)
            .map(|(d, v)| (d.index, v.phi.clone()))
            .collect(),
        individuals: indiv.into_iter().map(|v| v.est).collect(),
        state,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The residual sum of squares on ln C at the chain's state, with each censored value
/// imputed from its conditional distribution (normal truncated above at ln LLOQ).
fn imputed_rss(chain: &mut Chain, d: &SubjectData, sigma: f64) -> f64 {
    if !chain.pred_valid {
        return 0.0;
    }
    let mut rss = 0.0;
    for ((f, y), c) in chain.pred.iter().zip(&d.ln_y).zip(&d.censored) {
        if *c {
            let z = truncnorm::below(&mut chain.rng, (y - f) / sigma);
            rss += sigma * sigma * z * z;
        } else {
            rss += (y - f) * (y - f);
        }
    }
    rss
}
