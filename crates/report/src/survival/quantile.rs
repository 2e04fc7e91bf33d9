//! Quantiles of a survival curve (the median and its CI), with the midpoint rule of
//! `survival:::quantile.survfit` for a curve that is flat exactly at the quantile.

use serde::Serialize;

/// A quantile of the event-time distribution with its confidence interval, in the time unit
/// of the data. `None`: the curve (or the bound's curve) never reaches the quantile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurvivalQuantile {
    /// The probability, e.g. 0.5 for the median.
    pub p: f64,
    /// The quantile: first time with 1 - S(t) >= p (midpoint of a flat stretch at p).
    pub estimate: Option<f64>,
    /// Lower bound, from the lower confidence curve of S.
    pub lower: Option<f64>,
    /// Upper bound, from the upper confidence curve of S; often `None` ("not reached").
    pub upper: Option<f64>,
}

/// Where the cumulative curve `ys` (1 - S, nondecreasing, `None` where undefined) at
/// `times` first reaches `p`. The curve starts at (0, 0). A flat stretch within `tol` of `p`
/// gives the midpoint between its start and the next jump (or the last time when it is the
/// end of the curve), as quantile.survfit.
pub(crate) fn find_quantile(times: &[f64], ys: &[Option<f64>], p: f64, tol: f64) -> Option<f64> {
    let xmax = times.last().copied().unwrap_or(0.0);
    // The curve with the origin, undefined points dropped, repeated levels (censoring
    // times) reduced to their first time.
    let mut xs = vec![0.0];
    let mut ys_kept = vec![0.0];
    for (&t, y) in times.iter().zip(ys) {
        let Some(y) = *y else { continue };
        if !y.is_finite() || ys_kept.contains(&y) {
            continue;
        }
        xs.push(t);
        ys_kept.push(y);
    }
    let ymax = ys_kept.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if ymax < p {
        return None;
    }
    let first_at_or_above = |shift: f64| ys_kept.iter().position(|&y| y + shift >= p);
    let i1 = first_at_or_above(tol)?;
    let last = ys_kept.len() - 1;
    if (p - ys_kept[last]).abs() < tol && i1 == last {
        return Some((xs[i1] + xmax) / 2.0);
    }
    if (p - ys_kept[last]).abs() < tol {
        // The flat stretch at p is the end of the curve.
        return Some((xs[i1] + xmax) / 2.0);
    }
    let i2 = first_at_or_above(-tol)?;
    Some((xs[i1] + xs[i2]) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midpoint_of_a_flat_stretch() {
        // 1 - S = 0.25 at 1, 0.5 at 2, 0.75 at 5: median (2 + 5) / 2.
        let t = [1.0, 2.0, 5.0];
        let y = [Some(0.25), Some(0.5), Some(0.75)];
        assert_eq!(find_quantile(&t, &y, 0.5, 1e-8), Some(3.5));
        assert_eq!(find_quantile(&t, &y, 0.6, 1e-8), Some(5.0));
        assert_eq!(find_quantile(&t, &y, 0.8, 1e-8), None);
    }
}
