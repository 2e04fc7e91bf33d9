//! The log-rank test between groups, as `survival::survdiff(Surv(time, event) ~ group)`
//! (rho = 0).

use super::{SurvivalError, TimeToEvent};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRank {
    /// Group labels, in the order given.
    pub groups: Vec<String>,
    /// Subjects per group.
    pub n: Vec<usize>,
    /// Observed events per group.
    pub observed: Vec<f64>,
    /// Expected events per group under the null hypothesis.
    pub expected: Vec<f64>,
    /// Chi-squared statistic, `(O - E)' V^-1 (O - E)` over all groups but the last.
    pub chisq: f64,
    /// Degrees of freedom, groups - 1.
    pub df: usize,
    /// `pchisq(chisq, df, lower.tail = FALSE)`.
    pub p_value: f64,
}

/// Log-rank test of `groups` (label, observations); groups without an observation are
/// dropped. Hypergeometric variance at tied event times, as survdiff.
pub fn log_rank(groups: &[(String, Vec<TimeToEvent>)]) -> Result<LogRank, SurvivalError> {
    let groups: Vec<&(String, Vec<TimeToEvent>)> =
        groups.iter().filter(|(_, v)| !v.is_empty()).collect();
    let k = groups.len();
    if k < 2 {
        return Err(SurvivalError::Groups(k));
    }
    for (_, obs) in &groups {
        if let Some((index, d)) = obs
            .iter()
            .enumerate()
            .find(|(_, d)| !(d.time.is_finite() && d.time >= 0.0))
        {
            return Err(SurvivalError::BadTime {
                index,
                time: d.time,
            });
        }
    }
    let mut times: Vec<f64> = groups
        .iter()
        .flat_map(|(_, v)| v.iter().filter(|d| d.event).map(|d| d.time))
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut var = DMatrix::<f64>::zeros(k, k);
    for &t in &times {
        let at_risk: Vec<f64> = groups
            .iter()
            .map(|(_, v)| v.iter().filter(|d| d.time >= t).count() as f64)
            .collect();
        let deaths: Vec<f64> = groups
            .iter()
            .map(|(_, v)| v.iter().filter(|d| d.event && d.time == t).count() as f64)
            .collect();
        let n: f64 = at_risk.iter().sum();
        let d: f64 = deaths.iter().sum();
        for j in 0..k {
            observed[j] += deaths[j];
            expected[j] += d * at_risk[j] / n;
        }
        if n > 1.0 {
            let f = d * (n - d) / (n * n * (n - 1.0));
            for j in 0..k {
                for l in 0..k {
                    let delta = if j == l { n } else { 0.0 };
                    var[(j, l)] += f * at_risk[j] * (delta - at_risk[l]);
                }
            }
        }
    }
    let m = k - 1;
    let diff = DVector::from_iterator(m, (0..m).map(|j| observed[j] - expected[j]));
    let v = var.view((0, 0), (m, m)).into_owned();
    let chisq = match v.clone().cholesky() {
        Some(ch) => diff.dot(&ch.solve(&diff)),
        // A singular variance (e.g. no event in a group's risk set): survdiff's generalised
        // inverse is then 0 on that direction; the pseudo-inverse does the same.
        None => v
            .pseudo_inverse(1e-10)
            .map(|pi| diff.dot(&(pi * &diff)))
            .unwrap_or(f64::NAN),
    };
    let df = m;
    let p_value = ChiSquared::new(df as f64)
        .map(|c| c.sf(chisq))
        .unwrap_or(f64::NAN);
    Ok(LogRank {
        groups: groups.iter().map(|(g, _)| g.clone()).collect(),
        n: groups.iter().map(|(_, v)| v.len()).collect(),
        observed,
        expected,
        chisq,
        df,
        p_value,
    })
}
