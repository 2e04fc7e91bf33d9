//! Residual diagnostics per observation: population and individual predictions, individual
//! weighted residuals, and normalised prediction discrepancies (npd; Comets, Brendel &
//! Mentre, Comput Methods Programs Biomed 2008;90:154-166, the `npde` package's npd).
//!
//! pd_ij is the fraction of K simulations of y_ij from the fitted model (new random effects,
//! residual error) below the observation, npd = Phi^-1(pd). Under the model npd ~ N(0, 1) at
//! every time and prediction. A BLQ observation's pd is drawn uniformly on (0, pd(LLOQ))
//! (Nguyen, Comets & Mentre, J Pharmacokinet Pharmacodyn 2012;39:499-518), so censored data
//! do not leave gaps. The npd are not decorrelated within a subject (npde's npd, not npde):
//! plot them against time and prediction, do not test them jointly.

use super::data::compile;
use super::loglik::Evaluator;
use super::simulate_design::Simulator;
use super::{PopulationError, PopulationFit, PopulationModel, PopulationSubject};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal};

/// One observation's diagnostics (concentrations in the data's unit).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResidualRow {
    /// Subject.
    pub subject: String,
    /// Day.
    pub time: f64,
    /// The observed value; `None` when BLQ.
    pub observed: Option<f64>,
    /// The LLOQ of a BLQ observation.
    pub lloq: Option<f64>,
    /// Population prediction (typical individual with the subject's covariates).
    pub pred: f64,
    /// Individual prediction at the conditional mode.
    pub ipred: f64,
    /// (ln y - ln ipred)/sigma; `None` when BLQ.
    pub iwres: Option<f64>,
    /// Prediction discrepancy (0-1).
    pub pd: f64,
    /// Normalised prediction discrepancy Phi^-1(pd).
    pub npd: f64,
}

/// Settings of the residual diagnostics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResidualOptions {
    /// Simulations per observation (1000).
    pub simulations: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for ResidualOptions {
    fn default() -> Self {
        ResidualOptions {
            simulations: 1000,
            seed: 2008,
        }
    }
}

/// The rows of every observation of the subjects the fit used.
pub fn residuals(
    fit: &PopulationFit,
    model: &PopulationModel,
    subjects: &[PopulationSubject],
    options: &ResidualOptions,
) -> Result<Vec<ResidualRow>, PopulationError> {
    let mut warnings = Vec::new();
    let data = compile(model, subjects, fit.blq, &mut warnings);
    let sim = Simulator::new(model, &fit.state);
    let std_normal = Normal::standard();
    let k = options.simulations.max(1);
    let sigma = fit.state.sigma;
    let rows: Vec<Vec<ResidualRow>> = data
        .par_iter()
        .map(|d| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(d.index as u64);
            let pred = sim
                .ln_conc::<ChaCha8Rng>(d, None)
                .unwrap_or_else(|| vec![f64::NAN; d.times.len()]);
            let mode = fit
                .mode_phi
                .iter()
                .find(|(i, _)| *i == d.index)
                .map(|(_, p)| p.clone());
            let mut eval = Evaluator::new(model.structural.as_ref(), &sim.transforms);
            let ipred = match mode {
                Some(phi) if eval.predict(&phi, d) => eval.pred.clone(),
                _ => vec![f64::NAN; d.times.len()],
            };
            let mut below = vec![0usize; d.times.len()];
            for _ in 0..k {
                let f = sim
                    .ln_conc_drawn(d, &mut rng)
                    .unwrap_or_else(|| vec![f64::NAN; d.times.len()]);
                for (j, f) in f.iter().enumerate() {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    if f + sigma * z < d.ln_y[j] {
                        below[j] += 1;
                    }
                }
            }
            (0..d.times.len())
                .map(|j| {
                    // Keep pd inside (0, 1): 1/(2K) and 1 - 1/(2K) at the ends (npde).
                    let frac =
                        (below[j] as f64 / k as f64).clamp(0.5 / k as f64, 1.0 - 0.5 / k as f64);
                    let pd = if d.censored[j] {
                        (rng.random::<f64>() * frac).max(0.5 / k as f64)
                    } else {
                        frac
                    };
                    let y = d.ln_y[j];
                    ResidualRow {
                        subject: d.id.clone(),
                        time: d.times[j],
                        observed: (!d.censored[j]).then(|| y.exp()),
                        lloq: d.censored[j].then(|| y.exp()),
                        pred: pred[j].exp(),
                        ipred: ipred[j].exp(),
                        iwres: (!d.censored[j]).then(|| (y - ipred[j]) / sigma),
                        pd,
                        npd: std_normal.inverse_cdf(pd),
                    }
                })
                .collect()
        })
        .collect();
    Ok(rows.into_iter().flatten().collect())
}
