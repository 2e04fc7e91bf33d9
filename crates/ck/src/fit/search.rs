//! The search for the maximum-likelihood estimate of one profile.
//!
//! The likelihood of a CK model has several local optima (expansion rate against peak time,
//! contraction against memory fraction) and, for a model with a peak time among the
//! parameters, a kink wherever the peak time crosses a sample time (the curve switches
//! phase there), where gradient methods stall. The search:
//!
//! 1. *Spread*: the model's data-driven starts (NCA Cmax, Tmax, slopes) and a Latin
//!    hypercube of [`SearchOptions::n_spread`] points over the model's plausible region
//!    ([`CkModel::start_box`]), the same design (fixed seed) for every profile; the cost of
//!    every point.
//! 2. *Local*: L-BFGS (analytic gradient) from the best [`SearchOptions::n_start_local`]
//!    model starts and the best [`SearchOptions::n_local`] spread points, each set at least
//!    0.3 apart on the unconstrained scale.
//! 3. *Polish*: from the best [`SearchOptions::n_polish`] distinct local ends, Nelder-Mead
//!    (which walks along kinks) then L-BFGS.
//! 4. *Confirm*: a second start, the optimum moved by a deterministic perturbation, polished
//!    the same way, must land at the same optimum (within
//!    [`SearchOptions::same_optimum_tol`] in ln L). If it lands lower, it becomes the best
//!    and the round repeats; a best point that is not stationary or not confirmed is
//!    retried from a wider simplex, up to [`SearchOptions::max_rounds`] rounds.
//!
//! Stationarity: the gradient norm is below [`SearchOptions::gradient_tol`], where a
//! component that is large only because the point sits on a kink (the cost rises on both
//! sides along that coordinate) counts as zero.
//!
//! Everything is sequential and seeded by constants: the result depends on the data only.
//!
//! [`CkModel::start_box`]: crate::model::CkModel::start_box

use super::FitError;
use crate::likelihood::NegLogLik;
use argmin::core::{Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt;

/// Settings of the search.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchOptions {
    /// Latin-hypercube points over the model's plausible region.
    pub n_spread: usize,
    /// Local searches (L-BFGS) from the best, mutually distant, model starts
    /// ([`CkModel::starts`](crate::model::CkModel::starts)).
    pub n_start_local: usize,
    /// Local searches (L-BFGS) from the best, mutually distant, points of the spread.
    pub n_local: usize,
    /// L-BFGS iterations of a local search.
    pub local_max_iters: u64,
    /// Distinct local optima polished (Nelder-Mead + L-BFGS).
    pub n_polish: usize,
    /// Nelder-Mead iterations of a polish.
    pub nm_max_iters: u64,
    /// L-BFGS iterations of a polish.
    pub polish_max_iters: u64,
    /// Rounds of polish + confirmation (retries of a fit that is not converged).
    pub max_rounds: usize,
    /// Two optima are the same when their ln L differ by at most this.
    pub same_optimum_tol: f64,
    /// Largest gradient norm of a stationary point (ln L units per unconstrained unit).
    pub gradient_tol: f64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            n_spread: 48,
            n_start_local: 8,
            n_local: 4,
            local_max_iters: 80,
            n_polish: 2,
            nm_max_iters: 150,
            polish_max_iters: 200,
            max_rounds: 3,
            same_optimum_tol: 0.01,
            gradient_tol: 1e-3,
        }
    }
}

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// Stationary, and a second start landed at the same optimum.
    Converged,
    /// Stationary, but a second start did not land at the same optimum.
    NotConfirmed,
    /// The last polish stopped at its iteration limit away from a stationary point.
    IterationLimit,
    /// The last polish stopped (line search failed or no progress) away from a stationary
    /// point.
    NotStationary,
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Termination::Converged => "converged",
            Termination::NotConfirmed => "second start did not confirm the optimum",
            Termination::IterationLimit => "iteration limit",
            Termination::NotStationary => "stopped away from a stationary point",
        })
    }
}

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutcome {
    /// The best point (theta, s).
    pub param: Vec<f64>,
    /// -ln L there.
    pub cost: f64,
    /// Why it stopped.
    pub termination: Termination,
    /// Optimiser iterations, all stages.
    pub iterations: u64,
    /// Gradient norm at the best point (kink components excluded).
    pub gradient_norm: f64,
}

/// How a local optimiser run ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    Converged,
    IterationLimit,
    Other,
}

/// One optimiser run: the best point, its cost, iterations, how it stopped.
struct Run {
    param: Vec<f64>,
    cost: f64,
    iterations: u64,
    stop: Stop,
}

fn lbfgs(problem: NegLogLik<'_>, x0: &[f64], max_iters: u64) -> Option<Run> {
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
        .with_tolerance_grad(1e-7)
        .and_then(|s| s.with_tolerance_cost(1e-11))
        .ok()?;
    let res = Executor::new(problem, solver)
        .configure(|s| s.param(x0.to_vec()).max_iters(max_iters))
        .run()
        .ok()?;
    let stop = match res.state.get_termination_status() {
        TerminationStatus::Terminated(TerminationReason::SolverConverged) => Stop::Converged,
        TerminationStatus::Terminated(TerminationReason::MaxItersReached) => Stop::IterationLimit,
        _ => Stop::Other,
    };
    let cost = res.state.get_best_cost();
    let param = res.state.get_best_param()?.clone();
    cost.is_finite().then_some(Run {
        param,
        cost,
        iterations: res.state.get_iter(),
        stop,
    })
}

fn nelder_mead(problem: NegLogLik<'_>, x0: &[f64], size: f64, max_iters: u64) -> Option<Run> {
    let simplex: Vec<Vec<f64>> = std::iter::once(x0.to_vec())
        .chain((0..x0.len()).map(|i| {
            let mut v = x0.to_vec();
            v[i] += size;
            v
        }))
        .collect();
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-10).ok()?;
    let res = Executor::new(problem, solver)
        .configure(|s| s.max_iters(max_iters))
        .run()
        .ok()?;
    let cost = res.state.get_best_cost();
    let param = res.state.get_best_param()?.clone();
    cost.is_finite().then_some(Run {
        param,
        cost,
        iterations: res.state.get_iter(),
        stop: Stop::Other,
    })
}

/// Nelder-Mead then L-BFGS from `x0`; the better of the two ends, and how the L-BFGS
/// ended.
fn polish(problem: NegLogLik<'_>, x0: &[f64], size: f64, o: &SearchOptions) -> Option<Run> {
    let nm = nelder_mead(problem, x0, size, o.nm_max_iters)?;
    let mut iterations = nm.iterations;
    match lbfgs(problem, &nm.param, o.polish_max_iters) {
        Some(lb) => {
            iterations += lb.iterations;
            let run = if lb.cost <= nm.cost {
                lb
            } else {
                Run {
                    stop: lb.stop,
                    ..nm
                }
            };
            Some(Run { iterations, ..run })
        }
        None => Some(nm),
    }
}

/// Gradient norm at `p` with kink components removed: a component whose coordinate
/// rises on both sides (a minimum on a kink) counts as zero.
pub fn stationary_gradient_norm(problem: &NegLogLik<'_>, p: &[f64], tol: f64) -> f64 {
    let mut g = vec![0.0; p.len()];
    let c0 = problem.eval(p, Some(&mut g));
    let mut x = p.to_vec();
    let mut sum = 0.0;
    for i in 0..p.len() {
        if g[i].abs() > tol || !g[i].is_finite() {
            let h = 1e-6 * p[i].abs().max(1.0);
            x[i] = p[i] + h;
            let up = problem.eval(&x, None);
            x[i] = p[i] - h;
            let down = problem.eval(&x, None);
            x[i] = p[i];
            let slack = 1e-12 * c0.abs().max(1.0);
            if up >= c0 - slack && down >= c0 - slack {
                continue;
            }
        }
        sum += g[i] * g[i];
    }
    if c0.is_finite() {
        sum.sqrt()
    } else {
        f64::INFINITY
    }
}

/// `n` points of a Latin hypercube over `bounds`, from a fixed seed.
pub fn latin_hypercube(bounds: &[(f64, f64)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cols: Vec<Vec<f64>> = bounds
        .iter()
        .map(|&(lo, hi)| {
            let mut strata: Vec<usize> = (0..n).collect();
            strata.shuffle(&mut rng);
            strata
                .into_iter()
                .map(|i| lo + (hi - lo) * (i as f64 + rng.random::<f64>()) / n as f64)
                .collect()
        })
        .collect();
    (0..n)
        .map(|i| cols.iter().map(|c| c[i]).collect())
        .collect()
}

/// The seed of the spread design: a constant, so that every profile gets the same design.
const SPREAD_SEED: u64 = 0x0C4A_57E1_2019;

/// The candidate points: `starts`, then the Latin hypercube over `bounds`, each with the
/// residual parameter `s0` appended; with their costs, best first (ties in input order),
/// non-finite costs dropped.
fn candidates(
    problem: &NegLogLik<'_>,
    starts: &[Vec<f64>],
    bounds: Option<&[(f64, f64)]>,
    n_spread: usize,
    seed: u64,
    s0: f64,
) -> Vec<(f64, Vec<f64>)> {
    let spread = bounds.map_or_else(Vec::new, |b| latin_hypercube(b, n_spread, seed));
    let mut c: Vec<(f64, Vec<f64>)> = starts
        .iter()
        .chain(&spread)
        .map(|t| {
            let mut x = t.clone();
            x.push(s0);
            (problem.eval(&x, None), x)
        })
        .filter(|(c, _)| c.is_finite())
        .collect();
    // A stable sort keeps input order among equal costs.
    c.sort_by(|a, b| a.0.total_cmp(&b.0));
    c
}

/// Up to `n` of `sorted` (best first), each at least `min_dist` (max-norm) from those
/// already taken.
fn diverse(sorted: &[(f64, Vec<f64>)], n: usize, min_dist: f64) -> Vec<&Vec<f64>> {
    let mut taken: Vec<&Vec<f64>> = Vec::with_capacity(n);
    for (_, x) in sorted {
        if taken.len() == n {
            break;
        }
        let far = taken.iter().all(|y| {
            x.iter()
                .zip(y.iter())
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
                >= min_dist
        });
        if far {
            taken.push(x);
        }
    }
    taken
}

/// A deterministic perturbation of `x` for the confirming start of round `round`.
fn perturbed(x: &[f64], round: usize, size: f64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(0xC0F1_2A00 + round as u64);
    x.iter()
        .map(|v| v + size * (2.0 * rng.random::<f64>() - 1.0))
        .collect()
}

/// Runs the search. `starts` are points of theta (without the residual parameter); `s0` is
/// the residual parameter of every start.
pub fn search(
    problem: NegLogLik<'_>,
    starts: &[Vec<f64>],
    bounds: Option<&[(f64, f64)]>,
    s0: f64,
    o: &SearchOptions,
) -> Result<SearchOutcome, FitError> {
    let cands = candidates(&problem, starts, bounds, o.n_spread, SPREAD_SEED, s0);
    if cands.is_empty() {
        return Err(FitError::NoStart);
    }
    let mut iterations = 0;
    let mut best: Option<Run> = None;
    let consider = |run: Option<Run>, iterations: &mut u64, best: &mut Option<Run>| {
        if let Some(r) = run {
            *iterations += r.iterations;
            if best.as_ref().is_none_or(|b| r.cost < b.cost) {
                *best = Some(r);
            }
        }
    };
    // Local searches from the best distinct model starts (data-driven, e.g. one per peak
    // interval) and from the best distinct points of the spread.
    let model_cands = candidates(&problem, starts, None, 0, SPREAD_SEED, s0);
    let spread: Vec<(f64, Vec<f64>)> = cands
        .iter()
        .filter(|(_, x)| !starts.iter().any(|s| s[..] == x[..x.len() - 1]))
        .cloned()
        .collect();
    let mut ends: Vec<(f64, Vec<f64>)> = Vec::new();
    for x in diverse(&model_cands, o.n_start_local, 0.3)
        .into_iter()
        .chain(diverse(&spread, o.n_local, 0.3))
    {
        if let Some(r) = lbfgs(problem, x, o.local_max_iters) {
            iterations += r.iterations;
            ends.push((r.cost, r.param));
        }
    }
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Polish the best few distinct ends: a local search can stall on a kink short of its
    // basin's optimum.
    for x in diverse(&ends, o.n_polish.max(1), 0.05) {
        consider(polish(problem, x, 0.1, o), &mut iterations, &mut best);
    }
    // Every local search may fail (non-finite costs along the way): the best candidate
    // itself is then the starting point of the polish.
    let best = best.unwrap_or_else(|| Run {
        param: cands[0].1.clone(),
        cost: cands[0].0,
        iterations: 0,
        stop: Stop::Other,
    });

    Ok(rounds(problem, best, iterations, o))
}

/// The search again from `x` (theta, s), a point better than the optimum [`search`]
/// reported (the tie-break on ridges found one: [`super::ridge::Settled::Better`]): a
/// polish from there, then the same rounds of confirmation. `iterations` are those spent
/// so far.
pub fn search_from(
    problem: NegLogLik<'_>,
    x: &[f64],
    iterations: u64,
    o: &SearchOptions,
) -> SearchOutcome {
    let start = Run {
        param: x.to_vec(),
        cost: problem.eval(x, None),
        iterations: 0,
        stop: Stop::Other,
    };
    let best = match polish(problem, x, 0.1, o) {
        Some(p) if p.cost <= start.cost => p,
        Some(p) => Run {
            iterations: p.iterations,
            ..start
        },
        None => start,
    };
    let iterations = iterations + best.iterations;
    rounds(problem, best, iterations, o)
}

/// Polish + confirmation rounds from the best point so far (steps 4-5 of the module docs).
fn rounds(
    problem: NegLogLik<'_>,
    mut best: Run,
    mut iterations: u64,
    o: &SearchOptions,
) -> SearchOutcome {
    let mut termination = Termination::NotStationary;
    let mut gradient_norm = f64::INFINITY;
    for round in 0..o.max_rounds.max(1) {
        // Wider simplexes on retries.
        // (powi, not a shift: `max_rounds` is a public option and 1 << 32 overflows.)
        let size = 0.1 * 2f64.powi(round.min(60) as i32);
        let mut last_stop = best.stop;
        // Round 0 starts from a polished point; retries polish again from wider simplexes.
        if round > 0 {
            if let Some(p) = polish(problem, &best.param, size, o) {
                iterations += p.iterations;
                last_stop = p.stop;
                if p.cost <= best.cost {
                    best = p;
                }
            }
        }
        gradient_norm = stationary_gradient_norm(&problem, &best.param, o.gradient_tol);
        let stationary = gradient_norm < o.gradient_tol;
        // The second start.
        let second = polish(problem, &perturbed(&best.param, round, 0.5), 0.1, o);
        let mut confirmed = false;
        if let Some(s) = second {
            iterations += s.iterations;
            if s.cost < best.cost - 1e-9 {
                // Lower: adopt it and check again in the next round.
                let improved = best.cost - s.cost > o.same_optimum_tol;
                best = s;
                gradient_norm = stationary_gradient_norm(&problem, &best.param, o.gradient_tol);
                if improved {
                    termination = Termination::NotConfirmed;
                    continue;
                }
                confirmed = true;
            } else {
                confirmed = s.cost - best.cost <= o.same_optimum_tol;
            }
        }
        let stationary = stationary && gradient_norm < o.gradient_tol;
        termination = match (stationary, confirmed) {
            (true, true) => Termination::Converged,
            (true, false) => Termination::NotConfirmed,
            (false, _) if last_stop == Stop::IterationLimit => Termination::IterationLimit,
            (false, _) => Termination::NotStationary,
        };
        if termination == Termination::Converged {
            break;
        }
    }
    SearchOutcome {
        param: best.param,
        cost: best.cost,
        termination,
        iterations,
        gradient_norm,
    }
}

/// The exhaustive reference search the acceptance is measured against: `n` spread starts
/// over the plausible region widened by half its width on each side (its own design,
/// another seed), L-BFGS from every one, Nelder-Mead + L-BFGS from the best 25 distinct
/// ends, then three polishing rounds of the best. About 100 times the work of [`search`];
/// for tests and benchmarks, not for production.
pub fn exhaustive_search(
    problem: NegLogLik<'_>,
    starts: &[Vec<f64>],
    bounds: &[(f64, f64)],
    s0: f64,
    n: usize,
) -> Option<(Vec<f64>, f64)> {
    let wide: Vec<(f64, f64)> = bounds
        .iter()
        .map(|&(lo, hi)| (lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo)))
        .collect();
    let cands = candidates(&problem, starts, Some(&wide), n, 0xE8A0_5717, s0);
    let mut ends: Vec<(f64, Vec<f64>)> = cands
        .iter()
        .filter_map(|(_, x)| lbfgs(problem, x, 150).map(|r| (r.cost, r.param)))
        .collect();
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    let o = SearchOptions {
        nm_max_iters: 600,
        polish_max_iters: 400,
        ..SearchOptions::default()
    };
    let mut best: Option<(f64, Vec<f64>)> = None;
    for x in diverse(&ends, 25, 0.05) {
        for size in [0.05, 0.3] {
            if let Some(r) = polish(problem, x, size, &o) {
                if best.as_ref().is_none_or(|b| r.cost < b.0) {
                    best = Some((r.cost, r.param));
                }
            }
        }
    }
    let (mut cost, mut param) = best.or_else(|| ends.first().cloned())?;
    for size in [0.02, 0.2, 0.05] {
        if let Some(r) = polish(problem, &param, size, &o) {
            if r.cost < cost {
                cost = r.cost;
                param = r.param;
            }
        }
    }
    Some((param, cost))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let pts = latin_hypercube(&[(0.0, 1.0), (-2.0, 2.0)], 10, 3);
        assert_eq!(pts.len(), 10);
        for (j, (lo, hi)) in [(0.0, 1.0), (-2.0f64, 2.0f64)].into_iter().enumerate() {
            let mut strata: Vec<usize> = pts
                .iter()
                .map(|p| ((p[j] - lo) / (hi - lo) * 10.0).floor() as usize)
                .collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(pts, latin_hypercube(&[(0.0, 1.0), (-2.0, 2.0)], 10, 3));
    }
}
