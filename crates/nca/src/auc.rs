//! Areas under the concentration-time curve.
//!
//! Between two samples `(t1, c1)`, `(t2, c2)` the area is the linear trapezoid
//! `(t2 - t1)(c1 + c2)/2`, or, under [`AucMethod::LinUpLogDown`] on a falling segment with
//! both concentrations positive, the log trapezoid `(t2 - t1)(c1 - c2)/ln(c1/c2)`.
//! A concentration at a time with no sample is interpolated the same way: linearly, or
//! log-linearly on a falling positive segment under lin-up/log-down (PKNCA
//! `interp.extrap.conc`).

use crate::options::AucMethod;

/// Whether the log rule applies to a segment.
#[inline]
fn use_log(c1: f64, c2: f64, method: AucMethod) -> bool {
    method == AucMethod::LinUpLogDown && c2 < c1 && c2 > 0.0
}

/// Area of one segment.
#[inline]
pub fn segment(t1: f64, c1: f64, t2: f64, c2: f64, method: AucMethod) -> f64 {
    let dt = t2 - t1;
    if use_log(c1, c2, method) {
        dt * (c1 - c2) / (c1 / c2).ln()
    } else {
        dt * (c1 + c2) / 2.0
    }
}

/// Concentration at `t` between two samples (`t1 <= t <= t2`).
#[inline]
pub fn interpolate(t1: f64, c1: f64, t2: f64, c2: f64, t: f64, method: AucMethod) -> f64 {
    if t == t1 {
        return c1;
    }
    if t == t2 {
        return c2;
    }
    let f = (t - t1) / (t2 - t1);
    if use_log(c1, c2, method) {
        (c1.ln() + f * (c2.ln() - c1.ln())).exp()
    } else {
        c1 + f * (c2 - c1)
    }
}

/// Sum of the segments from the first point to point `last` (inclusive).
pub fn auc_to_index(time: &[f64], conc: &[f64], last: usize, method: AucMethod) -> f64 {
    (1..=last)
        .map(|i| segment(time[i - 1], conc[i - 1], time[i], conc[i], method))
        .sum()
}

/// Why a partial AUC has no value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoPartialAuc {
    /// The interval starts before the first sample, so the concentration at its start is
    /// unknown.
    StartsBeforeFirstSample {
        /// Time of the first sample, days.
        first_sample: f64,
    },
    /// The profile has no usable sample.
    NoSamples,
}

/// AUC over `[a, b]` in the manner of PKNCA's `aucint.last`: the cleaned samples (with the
/// zeros the BLQ rules kept after the last quantifiable one) are integrated, the
/// concentration at an end with no sample is interpolated, and no area is counted after the
/// last sample.
pub fn auc_interval(
    time: &[f64],
    conc: &[f64],
    a: f64,
    b: f64,
    method: AucMethod,
) -> Result<f64, NoPartialAuc> {
    let n = time.len();
    if n == 0 {
        return Err(NoPartialAuc::NoSamples);
    }
    if a < time[0] {
        return Err(NoPartialAuc::StartsBeforeFirstSample {
            first_sample: time[0],
        });
    }
    let t_end = b.min(time[n - 1]);
    if a >= t_end {
        return Ok(0.0);
    }
    // Index of the first sample strictly after a, and of the last strictly before t_end.
    let i0 = time.partition_point(|&t| t <= a);
    let i1 = time.partition_point(|&t| t < t_end);
    let c_at = |t: f64, hi: usize| -> f64 {
        // hi is the index of the first sample >= t, hi >= 1 here.
        if time[hi] == t {
            conc[hi]
        } else {
            interpolate(time[hi - 1], conc[hi - 1], time[hi], conc[hi], t, method)
        }
    };
    let ca = if time[i0 - 1] == a {
        conc[i0 - 1]
    } else {
        c_at(a, i0)
    };
    let cb = c_at(t_end, i1);
    let mut area = 0.0;
    let (mut tp, mut cp) = (a, ca);
    for i in i0..i1 {
        area += segment(tp, cp, time[i], conc[i], method);
        tp = time[i];
        cp = conc[i];
    }
    area += segment(tp, cp, t_end, cb, method);
    Ok(area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AucMethod::*;

    #[test]
    fn segment_by_hand() {
        // Linear: 2 * (10 + 4) / 2 = 14. Log: 2 * (10 - 4) / ln(2.5) = 13.0962...
        assert_eq!(segment(0.0, 10.0, 2.0, 4.0, Linear), 14.0);
        assert!((segment(0.0, 10.0, 2.0, 4.0, LinUpLogDown) - 12.0 / 2.5f64.ln()).abs() < 1e-12);
        // Rising or ending in zero: linear under both methods.
        assert_eq!(segment(0.0, 4.0, 2.0, 10.0, LinUpLogDown), 14.0);
        assert_eq!(segment(0.0, 4.0, 2.0, 0.0, LinUpLogDown), 4.0);
        assert_eq!(segment(0.0, 4.0, 2.0, 4.0, LinUpLogDown), 8.0);
    }

    #[test]
    fn interpolation_by_hand() {
        assert_eq!(interpolate(0.0, 10.0, 2.0, 4.0, 1.0, Linear), 7.0);
        // Log: sqrt(10 * 4) at the midpoint.
        assert!((interpolate(0.0, 10.0, 2.0, 4.0, 1.0, LinUpLogDown) - 40f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn interval_interpolates_and_stops_at_last_sample() {
        let t = [0.0, 7.0, 14.0, 21.0];
        let c = [0.0, 100.0, 50.0, 0.0];
        // [0, 10]: 0-7 linear = 350; 7-10 log to c(10) = 100*0.5^(3/7) = 74.29.
        let c10 = 100.0 * 0.5f64.powf(3.0 / 7.0);
        let want = 350.0 + 3.0 * (100.0 - c10) / (100.0 / c10).ln();
        assert!((auc_interval(&t, &c, 0.0, 10.0, LinUpLogDown).unwrap() - want).abs() < 1e-9);
        // [0, 28] counts nothing after day 21: 350 + 7*50/ln2 + 175.
        let want = 350.0 + 350.0 / 2f64.ln() + 175.0;
        assert!((auc_interval(&t, &c, 0.0, 28.0, LinUpLogDown).unwrap() - want).abs() < 1e-9);
        assert!(auc_interval(&t[1..], &c[1..], 0.0, 28.0, Linear).is_err());
    }
}
