//! Areas under the concentration-time curve.
//!
//! Between two samples `(t1, c1)`, `(t2, c2)` the area is the linear trapezoid
//! `(t2 - t1)(c1 + c2)/2`, or, under [`AucMethod::LinUpLogDown`] on a falling segment with
//! both concentrations positive, the log trapezoid `(t2 - t1)(c1 - c2)/ln(c1/c2)`.
//! A concentration at a time with no sample is interpolated the same way: linearly, or
//! log-linearly on a falling positive segment under lin-up/log-down (PKNCA
//! `interp.extrap.conc`).

use crate::options::AucMethod;

/// Relative difference `(c1 - c2) / c2` below which a falling segment is integrated with
/// the linear trapezoid under lin-up/log-down. The two rules differ there by about
/// `x^2/12` relative (1e-21 at x = 1e-10), far below any reported digit, while the log
/// form's `0/0` limit is where rounding hurts. Documented in docs/nca.md.
pub const LOG_DOWN_MIN_RELATIVE_DROP: f64 = 1e-10;

/// Whether the log rule applies to a segment.
#[inline]
fn use_log(c1: f64, c2: f64, method: AucMethod) -> bool {
    method == AucMethod::LinUpLogDown
        && c2 > 0.0
        && c2 < c1
        && (c1 - c2) > LOG_DOWN_MIN_RELATIVE_DROP * c2
}

/// Below this relative drop `(c1 - c2) / c2`, `ln(c1 / c2)` is computed as
/// `ln_1p((c1 - c2) / c2)`; above it, as `ln(c1 / c2)`, PKNCA's expression, whose error is
/// then below 1e-13 relative (one rounding of the quotient, 1.1e-16, over ln >= 1e-3), so
/// that ordinary profiles keep PKNCA's numbers to the last bit.
const LN_1P_BELOW_RELATIVE_DROP: f64 = 1e-3;

/// `ln(c1 / c2)` for `c1 > c2 > 0`. For a small drop the quotient `c1 / c2` rounds away
/// most of its digits (500 and 500 - 1 ulp give 7168 instead of 14000 over 28 days), while
/// the difference of two close values is exact (Sterbenz): hence `ln_1p` there.
#[inline]
fn ln_ratio(c1: f64, c2: f64) -> f64 {
    let x = (c1 - c2) / c2;
    if x < LN_1P_BELOW_RELATIVE_DROP {
        x.ln_1p()
    } else {
        (c1 / c2).ln()
    }
}

/// Area of one segment.
#[inline]
pub fn segment(t1: f64, c1: f64, t2: f64, c2: f64, method: AucMethod) -> f64 {
    let dt = t2 - t1;
    if use_log(c1, c2, method) {
        dt * (c1 - c2) / ln_ratio(c1, c2)
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
        if (c1 - c2) / c2 < LN_1P_BELOW_RELATIVE_DROP {
            c1 * (-f * ln_ratio(c1, c2)).exp()
        } else {
            // PKNCA's expression, kept bit for bit for ordinary drops.
            (c1.ln() + f * (c2.ln() - c1.ln())).exp()
        }
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

/// Why AUClast has no value (PKNCA's `pk.calc.auxc` exclusions).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoAuclast {
    /// No usable sample.
    NoSamples,
    /// A single sample: no area.
    OneSample,
    /// The first usable sample is after day 0, so the concentration at the start of
    /// [0, Tlast] is unknown; PKNCA does not extrapolate back.
    FirstSampleAfterStart {
        /// Time of the first usable sample, days.
        first_sample: f64,
    },
}

/// AUC from day 0 to Tlast on cleaned samples, as PKNCA's `auclast` (interval [0, Inf)):
/// NA without samples, with one sample, or without a sample at day 0; 0 when every
/// concentration is 0. `tlast` is the time of the last quantified sample (from the samples
/// as reported); the area stops there even when a BLQ rule gave later samples a positive
/// value, so that AUCinf = AUClast + Clast/lambda_z counts the tail once.
pub fn auclast(
    time: &[f64],
    conc: &[f64],
    tlast: Option<f64>,
    method: AucMethod,
) -> Result<f64, NoAuclast> {
    match time.len() {
        0 => return Err(NoAuclast::NoSamples),
        1 => return Err(NoAuclast::OneSample),
        _ => {}
    }
    if !conc.iter().any(|&c| c > 0.0) {
        return Ok(0.0);
    }
    if time[0] > 0.0 {
        return Err(NoAuclast::FirstSampleAfterStart {
            first_sample: time[0],
        });
    }
    let last_positive = conc
        .iter()
        .rposition(|&c| c > 0.0)
        .expect("checked: a positive value exists");
    let ilast = match tlast {
        // Quantified samples are never dropped by the BLQ rules, so Tlast is a sample time.
        Some(t) => time.iter().position(|&x| x == t).unwrap_or(last_positive),
        // No quantified sample, but a rule gave BLQ samples a positive value.
        None => last_positive,
    };
    Ok(auc_to_index(time, conc, ilast, method))
}

/// AUC over `[a, b]` in the manner of PKNCA's `aucint.last`, on cleaned samples (the zeros
/// the BLQ rules kept after the last quantifiable one included):
///
/// - the concentration at an end with no sample is interpolated between the samples around
///   it (log-linearly on a falling positive segment under lin-up/log-down); before the first
///   sample it is 0 (PKNCA's `conc.origin`); after Tlast it is 0 and the segment that ends
///   there adds no area (PKNCA extrapolates to 0 with its log rule, whose limit is 0);
/// - between samples the usual rules apply, including the linear triangle from Tlast down
///   to a sample whose BLQ was kept as 0;
/// - no samples, or only zeros: 0.
///
/// Where PKNCA 0.12.1 returns NaN (an interval ending after a trailing zero sample, or lying
/// wholly in the zero tail: its log rule on 0 -> 0), this returns the area, counting nothing
/// in that last segment.
pub fn auc_interval(time: &[f64], conc: &[f64], a: f64, b: f64, method: AucMethod) -> f64 {
    let Some(ilast) = conc.iter().rposition(|&c| c > 0.0) else {
        return 0.0;
    };
    let tlast = time[ilast];
    // Concentration at t, and whether it was extrapolated past Tlast.
    let at = |t: f64| -> (f64, bool) {
        let hi = time.partition_point(|&x| x < t);
        if hi < time.len() && time[hi] == t {
            (conc[hi], false)
        } else if hi == 0 {
            (0.0, false)
        } else if t <= tlast {
            (
                interpolate(time[hi - 1], conc[hi - 1], time[hi], conc[hi], t, method),
                false,
            )
        } else {
            (0.0, true)
        }
    };
    let (ca, _) = at(a);
    let (cb, b_extrapolated) = at(b);
    let i0 = time.partition_point(|&t| t <= a);
    let i1 = time.partition_point(|&t| t < b);
    let mut area = 0.0;
    let (mut tp, mut cp) = (a, ca);
    for i in i0..i1 {
        area += segment(tp, cp, time[i], conc[i], method);
        tp = time[i];
        cp = conc[i];
    }
    if !b_extrapolated {
        area += segment(tp, cp, b, cb, method);
    }
    area
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
    fn log_down_is_stable_for_nearly_equal_concentrations() {
        // Regression (issue 9): (0, 500), (28, 500 - 1 ulp) gave 7168 with ln(c1/c2).
        // The exact area is 28 * 500 * (1 - x/2 + ...) with x ~ 1e-16: 14000.
        let c2 = 499.99999999999994;
        assert!(c2 < 500.0);
        let a = segment(0.0, 500.0, 28.0, c2, LinUpLogDown);
        assert!((a - 14000.0).abs() <= 1e-9 * 14000.0, "{a}");
        let t = [0.0, 28.0];
        let c = [500.0, c2];
        let al = auclast(&t, &c, Some(28.0), LinUpLogDown).unwrap();
        assert!((al - 14000.0).abs() <= 1e-9 * 14000.0, "{al}");
        // Just above the tolerance the log form is used and still accurate: the log
        // trapezoid of (500, 500(1 - 1e-9)) is 28 * 500 * (1 - 5e-10) to first order.
        let c2: f64 = 500.0 * (1.0 - 1e-9);
        let want = 28.0 * (500.0 - c2) / (500.0 / c2).ln();
        let got = segment(0.0, 500.0, 28.0, c2, LinUpLogDown);
        assert!((got - want).abs() <= 1e-6 * want);
        assert!(
            (got - 28.0 * 500.0 * (1.0 - 5e-10)).abs() <= 1e-9 * 14000.0,
            "{got}"
        );
        // Interpolation between nearly equal values stays between them.
        let m = interpolate(0.0, 500.0, 28.0, 499.99999999999994, 14.0, LinUpLogDown);
        assert!((499.99999999999994..=500.0).contains(&m));
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
        assert!((auc_interval(&t, &c, 0.0, 10.0, LinUpLogDown) - want).abs() < 1e-9);
        // [0, 21] ends on the trailing zero: the triangle 14-21 counts (PKNCA aucint.last
        // = aucall there): 350 + 7*50/ln2 + 175.
        let to_21 = 350.0 + 350.0 / 2f64.ln() + 175.0;
        assert!((auc_interval(&t, &c, 0.0, 21.0, LinUpLogDown) - to_21).abs() < 1e-9);
        // [0, 28] counts nothing after the last sample (PKNCA 0.12.1 gives NaN here).
        assert!((auc_interval(&t, &c, 0.0, 28.0, LinUpLogDown) - to_21).abs() < 1e-9);
        // [0, 18] ends between Tlast (14) and the zero at 21: extrapolated as 0 with no
        // area after Tlast, as PKNCA (helper-verified: tlast 8, zero at 12, end 10 ->
        // auclast).
        let to_14 = 350.0 + 350.0 / 2f64.ln();
        assert!((auc_interval(&t, &c, 0.0, 18.0, LinUpLogDown) - to_14).abs() < 1e-9);
        // Starting before the first sample: concentration 0 there (PKNCA conc.origin).
        // PKNCA 0.12.1 on (1,5),(2,4),(4,2),(8,1) over [0, 8]: 18.52298.
        let (t2, c2) = ([1.0, 2.0, 4.0, 8.0], [5.0, 4.0, 2.0, 1.0]);
        assert!((auc_interval(&t2, &c2, 0.0, 8.0, LinUpLogDown) - 18.52298).abs() < 1e-5);
        // ... while auclast needs a sample at day 0.
        assert_eq!(
            auclast(&t2, &c2, Some(8.0), LinUpLogDown),
            Err(NoAuclast::FirstSampleAfterStart { first_sample: 1.0 })
        );
    }

    #[test]
    fn pknca_worked_example() {
        // PKNCA 0.12.1 (run by the research helper, /tmp/rx): t = 0,.5,1,2,4,8,12,24,
        // c = 0,2,5,4,2,1,.5,0: auclast = 21.1583705266142, aucint.last [0, 24] =
        // 24.1583705266142 (= aucall: the triangle from Tlast 12 to the zero at 24).
        let t = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0];
        let c = [0.0, 2.0, 5.0, 4.0, 2.0, 1.0, 0.5, 0.0];
        assert!(
            (auclast(&t, &c, Some(12.0), LinUpLogDown).unwrap() - 21.1583705266142).abs() < 1e-12
        );
        assert!((auc_interval(&t, &c, 0.0, 24.0, LinUpLogDown) - 24.1583705266142).abs() < 1e-12);
        assert_eq!(
            auclast(&t[..1], &c[..1], None, Linear),
            Err(NoAuclast::OneSample)
        );
        assert_eq!(auclast(&[0.0, 1.0], &[0.0, 0.0], None, Linear), Ok(0.0));
        // A BLQ rule that gives the sample after Tlast a value (LLOQ 0.5 at day 24): the
        // area still stops at Tlast = 12, so AUCinf adds the tail once.
        let c_lloq = [0.0, 2.0, 5.0, 4.0, 2.0, 1.0, 0.5, 0.5];
        assert!(
            (auclast(&t, &c_lloq, Some(12.0), LinUpLogDown).unwrap() - 21.1583705266142).abs()
                < 1e-12
        );
    }
}
