//! A visual predictive check with censored data (Bergstrand, Hooker, Wallin & Karlsson,
//! AAPS J 2011;13:143-151; for BLQ: Bergstrand & Karlsson, AAPS J 2009;11:371-380): the
//! observed design is simulated `replicates` times from the fitted model, with residual
//! error and the same LLOQ censoring. Per time bin, each percentile of the observations is
//! compared with the prediction interval of the same percentile across replicates; BLQ
//! values count as below every quantified value, so a percentile that falls on a BLQ value
//! is reported as censored (`None`) rather than imputed. The fraction of BLQ observations
//! per bin against its simulated interval is its own panel.

use super::data::{compile, PopulationSubject, SubjectData};
use super::simulate_design::Simulator;
use super::{PopulationError, PopulationFit, PopulationModel};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// How observations are grouped in time.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VpcBinning {
    /// One bin per distinct observation time (scheduled visits); with more than 20
    /// distinct times, 10 bins with equal numbers of observations.
    NominalTimes,
    /// Bins [e_0, e_1), [e_1, e_2), ... (days).
    Edges(Vec<f64>),
}

/// Settings of the VPC.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VpcOptions {
    /// Simulated replicates of the design (500).
    pub replicates: usize,
    /// Percentiles of the data shown, in % (5, 50, 95).
    pub percentiles: Vec<f64>,
    /// Level of the prediction intervals (0.90).
    pub interval: f64,
    /// Binning (nominal times).
    pub binning: VpcBinning,
    /// Seed.
    pub seed: u64,
}

impl Default for VpcOptions {
    fn default() -> Self {
        VpcOptions {
            replicates: 500,
            percentiles: vec![5.0, 50.0, 95.0],
            interval: 0.9,
            binning: VpcBinning::NominalTimes,
            seed: 20_110_101,
        }
    }
}

/// One percentile in one bin (concentrations in the data's unit).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VpcPercentileRow {
    /// Bin index.
    pub bin: usize,
    /// Median observation time in the bin, days.
    pub time: f64,
    /// Percentile, %.
    pub percentile: f64,
    /// Observed percentile; `None` when it falls below the LLOQ.
    pub observed: Option<f64>,
    /// Median over replicates of the simulated percentile (`None`: below the LLOQ).
    pub simulated_median: Option<f64>,
    /// Lower end of its prediction interval (`None`: below the LLOQ).
    pub simulated_low: Option<f64>,
    /// Upper end.
    pub simulated_high: Option<f64>,
}

/// The BLQ fraction in one bin.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VpcBlqRow {
    /// Bin index.
    pub bin: usize,
    /// Median time, days.
    pub time: f64,
    /// Observations in the bin.
    pub n: usize,
    /// Observed fraction below the LLOQ.
    pub observed: f64,
    /// Median simulated fraction.
    pub simulated_median: f64,
    /// Prediction interval.
    pub simulated_low: f64,
    /// Prediction interval.
    pub simulated_high: f64,
}

/// The VPC's rows, ready to plot.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Vpc {
    /// Percentile panel.
    pub percentiles: Vec<VpcPercentileRow>,
    /// BLQ-fraction panel.
    pub blq: Vec<VpcBlqRow>,
}

/// Percentile (R type 7) of sorted values; NEG_INFINITY stands for BLQ.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    if sorted[lo] == f64::NEG_INFINITY || sorted[hi] == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn as_conc(ln: f64) -> Option<f64> {
    ln.is_finite().then(|| ln.exp())
}

/// Bin index of each observation (subject-major order) and the bins' median times.
fn bins(data: &[SubjectData], binning: &VpcBinning) -> (Vec<Vec<usize>>, Vec<f64>) {
    let mut times: Vec<f64> = data.iter().flat_map(|d| d.times.iter().copied()).collect();
    times.sort_by(f64::total_cmp);
    let edges: Vec<f64> = match binning {
        VpcBinning::Edges(e) => e.clone(),
        VpcBinning::NominalTimes => {
            let mut distinct = times.clone();
            distinct.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
            if distinct.len() <= 20 {
                let mut e: Vec<f64> = distinct.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
                e.insert(0, f64::NEG_INFINITY);
                e.push(f64::INFINITY);
                e
            } else {
                let mut e: Vec<f64> = (1..10)
                    .map(|q| percentile(&times, 10.0 * q as f64))
                    .collect();
                e.insert(0, f64::NEG_INFINITY);
                e.push(f64::INFINITY);
                e.dedup();
                e
            }
        }
    };
    let n_bins = edges.len().saturating_sub(1);
    let index: Vec<Vec<usize>> = data
        .iter()
        .map(|d| {
            d.times
                .iter()
                .map(|t| {
                    edges
                        .windows(2)
                        .position(|w| *t >= w[0] && *t < w[1])
                        .unwrap_or(usize::MAX)
                })
                .collect()
        })
        .collect();
    let mid = (0..n_bins)
        .map(|b| {
            let mut ts: Vec<f64> = data
                .iter()
                .zip(&index)
                .flat_map(|(d, ix)| d.times.iter().zip(ix).filter(move |(_, i)| **i == b))
                .map(|(t, _)| *t)
                .collect();
            ts.sort_by(f64::total_cmp);
            percentile(&ts, 50.0)
        })
        .collect();
    (index, mid)
}

/// Per bin: the values (ln C, NEG_INFINITY when BLQ).
fn binned(
    data: &[SubjectData],
    index: &[Vec<usize>],
    n_bins: usize,
    value: impl Fn(usize, usize) -> f64,
) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new(); n_bins];
    for (i, d) in data.iter().enumerate() {
        for j in 0..d.times.len() {
            if index[i][j] < n_bins {
                out[index[i][j]].push(value(i, j));
            }
        }
    }
    for v in &mut out {
        v.sort_by(f64::total_cmp);
    }
    out
}

/// The censored VPC of a fit on the subjects it was fitted to.
pub fn vpc(
    fit: &PopulationFit,
    model: &PopulationModel,
    subjects: &[PopulationSubject],
    options: &VpcOptions,
) -> Result<Vpc, PopulationError> {
    // Percentiles index the sorted replicates: out of [0, 100] they would index past them.
    if let Some(p) = options
        .percentiles
        .iter()
        .find(|p| !(0.0..=100.0).contains(*p))
    {
        return Err(PopulationError::Options(format!(
            "VPC percentile {p}: expected 0 to 100"
        )));
    }
    if !(options.interval > 0.0 && options.interval < 1.0) {
        return Err(PopulationError::Options(format!(
            "VPC interval {}: expected a level between 0 and 1 (e.g. 0.9)",
            options.interval
        )));
    }
    let mut warnings = Vec::new();
    let data = compile(model, subjects, fit.blq, &mut warnings);
    if data.is_empty() {
        return Err(PopulationError::TooFewSubjects(0));
    }
    let sim = Simulator::new(model, &fit.state);
    // The LLOQ of a quantified observation: its subject's, else the cohort's smallest.
    let cohort_lloq = data
        .iter()
        .flat_map(|d| d.ln_y.iter().zip(&d.censored).filter(|(_, c)| **c))
        .map(|(y, _)| *y)
        .fold(f64::INFINITY, f64::min);
    let lloq: Vec<f64> = data
        .iter()
        .map(|d| {
            d.ln_y
                .iter()
                .zip(&d.censored)
                .filter(|(_, c)| **c)
                .map(|(y, _)| *y)
                .fold(cohort_lloq, f64::min)
        })
        .collect();
    let (index, mid) = bins(&data, &options.binning);
    let n_bins = mid.len();
    let observed = binned(&data, &index, n_bins, |i, j| {
        if data[i].censored[j] {
            f64::NEG_INFINITY
        } else {
            data[i].ln_y[j]
        }
    });
    let sigma = fit.state.sigma;
    // Per replicate: per bin, (percentiles, BLQ fraction).
    let reps: Vec<Vec<(Vec<f64>, f64)>> = (0..options.replicates)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(r as u64);
            let sims: Vec<Vec<f64>> = data
                .iter()
                .zip(&lloq)
                .map(|(d, l)| {
                    let f = sim
                        .ln_conc_drawn(d, &mut rng)
                        .unwrap_or_else(|| vec![f64::NAN; d.times.len()]);
                    f.iter()
                        .map(|f| {
                            let z: f64 = StandardNormal.sample(&mut rng);
                            let y = f + sigma * z;
                            if y < *l {
                                f64::NEG_INFINITY
                            } else {
                                y
                            }
                        })
                        .collect()
                })
                .collect();
            let per_bin = binned(&data, &index, n_bins, |i, j| sims[i][j]);
            per_bin
                .iter()
                .map(|v| {
                    let p = options
                        .percentiles
                        .iter()
                        .map(|p| percentile(v, *p))
                        .collect();
                    let blq = v.iter().filter(|x| **x == f64::NEG_INFINITY).count() as f64
                        / v.len().max(1) as f64;
                    (p, blq)
                })
                .collect()
        })
        .collect();
    let lo = 50.0 * (1.0 - options.interval);
    let hi = 100.0 - lo;
    let mut percentiles = Vec::new();
    let mut blq = Vec::new();
    for b in 0..n_bins {
        for (q, p) in options.percentiles.iter().enumerate() {
            let mut s: Vec<f64> = reps.iter().map(|r| r[b].0[q]).collect();
            s.sort_by(f64::total_cmp);
            percentiles.push(VpcPercentileRow {
                bin: b,
                time: mid[b],
                percentile: *p,
                observed: as_conc(percentile(&observed[b], *p)),
                simulated_median: as_conc(percentile(&s, 50.0)),
                simulated_low: as_conc(percentile(&s, lo)),
                simulated_high: as_conc(percentile(&s, hi)),
            });
        }
        let mut s: Vec<f64> = reps.iter().map(|r| r[b].1).collect();
        s.sort_by(f64::total_cmp);
        let n = observed[b].len();
        blq.push(VpcBlqRow {
            bin: b,
            time: mid[b],
            n,
            observed: observed[b]
                .iter()
                .filter(|x| **x == f64::NEG_INFINITY)
                .count() as f64
                / n.max(1) as f64,
            simulated_median: percentile(&s, 50.0),
            simulated_low: percentile(&s, lo),
            simulated_high: percentile(&s, hi),
        });
    }
    Ok(Vpc { percentiles, blq })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_r_type_7() {
        // R: quantile(c(1, 2, 4, 8), c(0.05, 0.5, 0.95)) = 1.15, 3.00, 7.40.
        let v = [1.0, 2.0, 4.0, 8.0];
        assert!((percentile(&v, 5.0) - 1.15).abs() < 1e-12);
        assert!((percentile(&v, 50.0) - 3.0).abs() < 1e-12);
        assert!((percentile(&v, 95.0) - 7.4).abs() < 1e-12);
        // A percentile that touches a BLQ value is censored.
        assert_eq!(
            percentile(&[f64::NEG_INFINITY, 1.0, 2.0], 25.0),
            f64::NEG_INFINITY
        );
    }
}
