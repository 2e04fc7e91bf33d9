//! Cohort statistics for the summary tables of a CAR-T clinical pharmacology report.
//!
//! Every function is pure, never panics on user data and reproduces the corresponding R
//! 4.2.2 computation (named in each doc comment):
//!
//! * [`summarise`]: n, missing, arithmetic mean and SD, median and range, geometric mean and
//!   geometric CV% of an exposure metric (e.g. Cmax in copies/ug gDNA, AUC0-28d in
//!   copies/ug gDNA x day); statistics keep the unit of the input values, CV% is unitless.
//! * [`quantile`]: R's default (type 7) quantile.
//! * [`geometric_mean_ratio`]: ratio of geometric means with the 95% CI of Welch's t-test on
//!   the log scale (e.g. responders / non-responders).
//! * [`wilcoxon_rank_sum`]: two-sided Wilcoxon rank-sum (Mann-Whitney) test, exact or normal
//!   approximation as `wilcox.test` decides.
//! * [`fraction_quantifiable`]: how many sampled subjects had a quantifiable sample.
//!
//! The distribution functions behind them ([`normal_cdf`], [`student_t_cdf`],
//! [`student_t_quantile`]) are public as well.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};
use std::cmp::Ordering;

/// Descriptive statistics of one metric over a cohort. Every statistic has the unit of the
/// input values, except the counts and the geometric CV (%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Number of finite values (the values the statistics are computed over).
    pub n: usize,
    /// Number of missing values: `None` or non-finite (NaN, +/-Inf) inputs.
    pub n_missing: usize,
    /// Arithmetic mean (R: `mean(x)`); `None` when `n == 0`.
    pub mean: Option<f64>,
    /// Sample standard deviation, denominator n - 1 (R: `sd(x)`); `None` when `n < 2`.
    pub sd: Option<f64>,
    /// Median (R: `median(x)`, equal to `quantile(x, 0.5, type = 7)`); `None` when `n == 0`.
    pub median: Option<f64>,
    /// Smallest value; `None` when `n == 0`.
    pub min: Option<f64>,
    /// Largest value; `None` when `n == 0`.
    pub max: Option<f64>,
    /// Geometric mean over the values > 0 (R: `exp(mean(log(x[x > 0])))`); `None` when no
    /// value is > 0.
    pub geo_mean: Option<f64>,
    /// Geometric coefficient of variation in %, `100 * sqrt(exp(s^2) - 1)` with `s` the SD
    /// of the natural logs of the values > 0 (R: `100 * sqrt(exp(var(log(x[x > 0]))) - 1)`);
    /// `None` when fewer than 2 values are > 0.
    pub geo_cv_pct: Option<f64>,
    /// Number of finite values <= 0, excluded from the geometric statistics.
    pub n_nonpositive: usize,
}

/// Ratio of geometric means `a / b` with its 95% confidence interval, from Welch's two-sample
/// t-test on the natural logs. Unitless.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioCi {
    /// Ratio of geometric means, `exp(mean(log(a)) - mean(log(b)))`.
    pub ratio: f64,
    /// Lower bound of the 95% CI, `exp(t.test(log(a), log(b))$conf.int[1])`.
    pub lower: f64,
    /// Upper bound of the 95% CI, `exp(t.test(log(a), log(b))$conf.int[2])`.
    pub upper: f64,
    /// Welch-Satterthwaite degrees of freedom, `t.test(log(a), log(b))$parameter`.
    pub df: f64,
    /// Two-sided p-value of Welch's t-test, `t.test(log(a), log(b))$p.value`.
    pub p_value: f64,
}

/// Result of a two-sided Wilcoxon rank-sum (Mann-Whitney U) test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WilcoxonResult {
    /// W statistic: sum of the ranks of `a` in the pooled sample minus `n_a (n_a + 1) / 2`
    /// (R: `wilcox.test(a, b)$statistic`). Equals the number of pairs with `a_i > b_j` plus
    /// half the number of tied pairs.
    pub w: f64,
    /// Two-sided p-value (R: `wilcox.test(a, b)$p.value`).
    pub p_value: f64,
    /// `true` when the p-value is exact (both groups < 50 values and no ties), `false` for
    /// the normal approximation with continuity and tie corrections.
    pub exact: bool,
    /// Number of values of `a` used (NaN dropped).
    pub n_a: usize,
    /// Number of values of `b` used (NaN dropped).
    pub n_b: usize,
}

/// Descriptive statistics of `values` (any unit; the statistics keep it). `None` and
/// non-finite values are counted in [`Summary::n_missing`] and ignored otherwise; values
/// <= 0 enter the arithmetic statistics but are excluded from the geometric ones (counted in
/// [`Summary::n_nonpositive`]). Statistics that cannot be computed are `None`.
pub fn summarise(values: &[Option<f64>]) -> Summary {
    let mut finite: Vec<f64> = Vec::with_capacity(values.len());
    let mut n_missing = 0;
    for v in values {
        match v {
            Some(x) if x.is_finite() => finite.push(*x),
            _ => n_missing += 1,
        }
    }
    finite.sort_by(f64::total_cmp);
    let n = finite.len();

    let logs: Vec<f64> = finite
        .iter()
        .filter(|&&x| x > 0.0)
        .map(|x| x.ln())
        .collect();
    let n_nonpositive = n - logs.len();
    let log_mean = mean(&logs);

    Summary {
        n,
        n_missing,
        mean: mean(&finite),
        sd: variance(&finite).map(f64::sqrt),
        median: quantile(&finite, 0.5),
        min: finite.first().copied(),
        max: finite.last().copied(),
        geo_mean: log_mean.map(f64::exp),
        geo_cv_pct: variance(&logs).map(|v| 100.0 * v.exp_m1().sqrt()),
        n_nonpositive,
    }
}

/// [`summarise`] for plain values: non-finite values (NaN, +/-Inf) count as missing.
pub fn summarise_values(values: &[f64]) -> Summary {
    let wrapped: Vec<Option<f64>> = values.iter().map(|&v| Some(v)).collect();
    summarise(&wrapped)
}

/// The `p`-th quantile (`0 <= p <= 1`) of `sorted` (ascending, finite values), R's type 7
/// (the default of `quantile()`): linear interpolation between the order statistics at
/// position `1 + (n - 1) p`. Unit of the values.
///
/// `None` when `sorted` is empty or `p` is outside [0, 1] or NaN. Unsorted input gives a
/// meaningless value, not a panic.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let n = sorted.len();
    // As R: index <- 1 + (n - 1) * p; lo <- floor(index); hi <- ceiling(index) (1-based).
    let index = 1.0 + (n - 1) as f64 * p;
    let lo = index.floor();
    let hi = index.ceil();
    let lo_i = (lo as usize).clamp(1, n) - 1;
    let hi_i = (hi as usize).clamp(1, n) - 1;
    let x_lo = sorted[lo_i];
    let x_hi = sorted[hi_i];
    if index > lo && x_hi != x_lo {
        let h = index - lo;
        Some((1.0 - h) * x_lo + h * x_hi)
    } else {
        Some(x_lo)
    }
}

/// Ratio of the geometric means of `a` and `b` (same unit, e.g. Cmax of responders and
/// non-responders), with the 95% CI of Welch's two-sample t-test on the natural logs. As R:
/// `exp(mean(log(a)) - mean(log(b)))` and `exp(t.test(log(a), log(b))$conf.int)`.
///
/// NaN values are dropped (as `NA` in R). `None` when, after that, a group has fewer than 2
/// values, a value is infinite or <= 0 (log undefined: exclude or impute such values before
/// calling), or both groups are constant on the log scale (R: "data are essentially
/// constant").
pub fn geometric_mean_ratio(a: &[f64], b: &[f64]) -> Option<RatioCi> {
    let log_values = |v: &[f64]| -> Option<Vec<f64>> {
        v.iter()
            .filter(|x| !x.is_nan())
            .map(|&x| (x.is_finite() && x > 0.0).then(|| x.ln()))
            .collect()
    };
    let la = log_values(a)?;
    let lb = log_values(b)?;
    if la.len() < 2 || lb.len() < 2 {
        return None;
    }
    let (nx, ny) = (la.len() as f64, lb.len() as f64);
    let (mx, my) = (mean(&la)?, mean(&lb)?);
    let (vx, vy) = (variance(&la)?, variance(&lb)?);
    let stderrx = (vx / nx).sqrt();
    let stderry = (vy / ny).sqrt();
    let stderr = (stderrx * stderrx + stderry * stderry).sqrt();
    if stderr.is_nan() || stderr == 0.0 || stderr < 10.0 * f64::EPSILON * mx.abs().max(my.abs()) {
        return None;
    }
    let df = stderr.powi(4) / (stderrx.powi(4) / (nx - 1.0) + stderry.powi(4) / (ny - 1.0));
    let tstat = (mx - my) / stderr;
    let q = student_t_quantile(0.975, df)?;
    let p_value = (2.0 * student_t_upper_tail(tstat.abs(), df)).min(1.0);
    let ratio = (mx - my).exp();
    let lower = ((tstat - q) * stderr).exp();
    let upper = ((tstat + q) * stderr).exp();
    if !(ratio.is_finite() && lower.is_finite() && upper.is_finite() && p_value.is_finite()) {
        return None;
    }
    Some(RatioCi {
        ratio,
        lower,
        upper,
        df,
        p_value,
    })
}

/// Two-sided Wilcoxon rank-sum (Mann-Whitney) test of `a` against `b`, as R's
/// `wilcox.test(a, b)` with its defaults (`exact = NULL`, `correct = TRUE`).
///
/// NaN values are dropped (as `NA` in R; +/-Inf are ranked). The p-value is exact (null
/// distribution of W counted exactly) when both groups have fewer than 50 values and there
/// are no ties; otherwise it is the normal approximation with continuity correction and
/// the tie correction of the variance.
///
/// `None` when a group has no value, or when every value is identical (the test is
/// undefined; R returns a NaN p-value).
pub fn wilcoxon_rank_sum(a: &[f64], b: &[f64]) -> Option<WilcoxonResult> {
    let xa: Vec<f64> = a.iter().copied().filter(|x| !x.is_nan()).collect();
    let xb: Vec<f64> = b.iter().copied().filter(|x| !x.is_nan()).collect();
    let (n_a, n_b) = (xa.len(), xb.len());
    if n_a == 0 || n_b == 0 {
        return None;
    }
    let pooled: Vec<f64> = xa.iter().chain(xb.iter()).copied().collect();
    let (ranks, tie_sizes) = average_ranks(&pooled);
    let (nx, ny) = (n_a as f64, n_b as f64);
    let rank_sum: f64 = ranks[..n_a].iter().sum();
    let w = rank_sum - nx * (nx + 1.0) / 2.0;
    let ties = tie_sizes.iter().any(|&t| t > 1);

    if n_a < 50 && n_b < 50 && !ties {
        // No ties: W is an integer in 0..=n_a n_b.
        let w_int = w.round().clamp(0.0, (n_a * n_b) as f64) as usize;
        let p_value = wilcoxon_exact_p(w_int, n_a, n_b)?;
        return Some(WilcoxonResult {
            w,
            p_value,
            exact: true,
            n_a,
            n_b,
        });
    }

    let tie_sum: f64 = tie_sizes
        .iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum();
    let z = w - nx * ny / 2.0;
    let sigma =
        ((nx * ny / 12.0) * ((nx + ny + 1.0) - tie_sum / ((nx + ny) * (nx + ny - 1.0)))).sqrt();
    if sigma.is_nan() || sigma <= 0.0 || sigma.is_infinite() {
        return None;
    }
    let correction = if z > 0.0 {
        0.5
    } else if z < 0.0 {
        -0.5
    } else {
        0.0
    };
    let z = (z - correction) / sigma;
    // 2 * min(pnorm(z), pnorm(z, lower.tail = FALSE)) = 2 * P(Z > |z|).
    let p_value = (2.0 * normal_upper_tail(z.abs())).min(1.0);
    Some(WilcoxonResult {
        w,
        p_value,
        exact: false,
        n_a,
        n_b,
    })
}

/// Counts of quantifiable samples over subjects: for each subject `Some(true)` when the
/// sample is quantifiable (>= LLOQ), `Some(false)` when sampled but BLQ, `None` when not
/// sampled. Returns `(n_quantifiable, n_sampled, fraction)` with `fraction =
/// n_quantifiable / n_sampled` (0-1), `None` when no subject was sampled.
pub fn fraction_quantifiable(subjects: &[Option<bool>]) -> (usize, usize, Option<f64>) {
    let n_sampled = subjects.iter().filter(|s| s.is_some()).count();
    let n_quantifiable = subjects.iter().filter(|s| **s == Some(true)).count();
    let fraction = (n_sampled > 0).then(|| n_quantifiable as f64 / n_sampled as f64);
    (n_quantifiable, n_sampled, fraction)
}

/// Result of a Kruskal-Wallis rank-sum test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KruskalWallis {
    /// H statistic with the tie correction (R: `kruskal.test(x, g)$statistic`).
    pub statistic: f64,
    /// Degrees of freedom, groups - 1.
    pub df: usize,
    /// `pchisq(H, df, lower.tail = FALSE)`.
    pub p_value: f64,
    /// Values per group (NaN dropped), in the order given.
    pub n: Vec<usize>,
}

/// Kruskal-Wallis test of `groups` (e.g. Cmax by CRS grade), as R's `kruskal.test(x, g)`:
/// average ranks, tie-corrected H, chi-squared with k - 1 df. NaN values are dropped and
/// groups left empty do not count. `None` with fewer than two non-empty groups or when all
/// values are equal (R: NaN).
pub fn kruskal_wallis(groups: &[&[f64]]) -> Option<KruskalWallis> {
    let groups: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .copied()
                .filter(|x| !x.is_nan())
                .collect::<Vec<f64>>()
        })
        .filter(|g| !g.is_empty())
        .collect();
    let k = groups.len();
    if k < 2 {
        return None;
    }
    let pooled: Vec<f64> = groups.iter().flatten().copied().collect();
    let n = pooled.len() as f64;
    let (ranks, tie_sizes) = average_ranks(&pooled);
    let mut start = 0;
    let mut h = 0.0;
    for g in &groups {
        let r: f64 = ranks[start..start + g.len()].iter().sum();
        h += r * r / g.len() as f64;
        start += g.len();
    }
    let ties: f64 = tie_sizes
        .iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum();
    let denom = 1.0 - ties / (n * n * n - n);
    if denom <= 0.0 {
        return None;
    }
    let statistic = (12.0 * h / (n * (n + 1.0)) - 3.0 * (n + 1.0)) / denom;
    let df = k - 1;
    let p_value = ChiSquared::new(df as f64).ok()?.sf(statistic.max(0.0));
    Some(KruskalWallis {
        statistic,
        df,
        p_value,
        n: groups.iter().map(Vec::len).collect(),
    })
}

/// Standard normal cumulative distribution function P(Z <= x) (R: `pnorm(x)`), from
/// `statrs` (erfc-based, relative accuracy ~1e-15 in both tails). NaN for NaN input.
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    Normal::standard().cdf(x)
}

/// Student t cumulative distribution function P(T <= t) with `df` degrees of freedom
/// (`df > 0`, need not be an integer) (R: `pt(t, df)`), from `statrs`' regularized
/// incomplete beta; above df = 1e6, where the beta function loses digits, the normal
/// approximation with a 1/df correction (Abramowitz & Stegun 26.7.8, error ~1e-11). `None`
/// when `df` is not > 0 or `t` is NaN.
pub fn student_t_cdf(t: f64, df: f64) -> Option<f64> {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return None;
    }
    let tail = student_t_upper_tail(t.abs(), df);
    Some(if t > 0.0 { 1.0 - tail } else { tail })
}

/// Quantile of the Student t distribution: the `t` with P(T <= t) = `p` for `df` degrees of
/// freedom (`df > 0`, need not be an integer) (R: `qt(p, df)`): `statrs`' inverse, refined by
/// bisection on [`student_t_cdf`] to machine precision. `None` when `p` is not in (0, 1) or
/// `df` is not > 0.
pub fn student_t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) || df.is_nan() || df <= 0.0 {
        return None;
    }
    if p == 0.5 {
        return Some(0.0);
    }
    // Upper-tail probability of |t|.
    let target = if p > 0.5 { 1.0 - p } else { p };
    let start = if df.is_finite() && df <= 1e6 {
        StudentsT::new(0.0, 1.0, df)
            .map(|d| d.inverse_cdf(1.0 - target))
            .unwrap_or(1.0)
    } else {
        Normal::standard().inverse_cdf(1.0 - target)
    };
    let start = if start.is_finite() && start > 0.0 {
        start
    } else {
        1.0
    };
    // Bracket around the crate's value, then bisect.
    let mut lo = start * (1.0 - 1e-6);
    let mut hi = start * (1.0 + 1e-6);
    while student_t_upper_tail(lo, df) < target {
        lo *= 0.5;
        if lo < 1e-300 {
            lo = 0.0;
            break;
        }
    }
    while student_t_upper_tail(hi, df) > target {
        hi *= 2.0;
        if !hi.is_finite() {
            return None;
        }
    }
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if student_t_upper_tail(mid, df) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = 0.5 * (lo + hi);
    Some(if p > 0.5 { t } else { -t })
}

// ---------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------

/// Mean with R's second (refinement) pass; `None` for no value.
fn mean(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    Some(m + x.iter().map(|v| v - m).sum::<f64>() / n)
}

/// Sample variance (denominator n - 1), two-pass; `None` for fewer than 2 values.
fn variance(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    Some(x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64)
}

/// Average ranks (1-based, ties get the mean of their ranks, as R's `rank()`) and the sizes
/// of the groups of equal values. Input has no NaN.
fn average_ranks(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| x[i].partial_cmp(&x[j]).unwrap_or(Ordering::Equal));
    let mut ranks = vec![0.0; x.len()];
    let mut tie_sizes = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) hold ranks start+1..=end.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        tie_sizes.push(end - start);
        start = end;
    }
    (ranks, tie_sizes)
}

/// Exact two-sided p-value of the rank-sum statistic `w` for group sizes `m`, `n` (no
/// ties), as R: `p <- if (w > m n / 2) pwilcox(w - 1, m, n, lower.tail = FALSE) else
/// pwilcox(w, m, n); min(2 p, 1)`. The null distribution is counted exactly in 128-bit
/// integers: the number of arrangements with U = u is the coefficient of q^u in the
/// Gaussian binomial coefficient [m + n choose m]_q = prod_{i=1..k} (1 - q^(N-k+i)) /
/// (1 - q^i), k = min(m, n), N = m + n. `None` if the counts would overflow (not for
/// m, n < 50: C(98, 49) < 2^95).
fn wilcoxon_exact_p(w: usize, m: usize, n: usize) -> Option<f64> {
    let k = m.min(n);
    let big_n = m + n;
    let max_u = m.checked_mul(n)?;
    if big_n > 120 {
        return None;
    }
    let mut c = vec![0_i128; max_u + 1];
    c[0] = 1;
    for i in 1..=k {
        // Multiply by (1 - q^(N - k + i)), truncated at degree max_u.
        let e = big_n - k + i;
        if e <= max_u {
            for j in (e..=max_u).rev() {
                c[j] = c[j].checked_sub(c[j - e])?;
            }
        }
        // Divide by (1 - q^i): power series 1 + q^i + q^(2i) + ...
        for j in i..=max_u {
            c[j] = c[j].checked_add(c[j - i])?;
        }
    }
    let to_u = |v: i128| u128::try_from(v).ok();
    let mut total: u128 = 0;
    for &v in &c {
        total = total.checked_add(to_u(v)?)?;
    }
    if total == 0 {
        return None;
    }
    let w = w.min(max_u);
    let tail: u128 = if 2 * w > max_u {
        // P(W >= w)
        c[w..].iter().map(|&v| v as u128).sum()
    } else {
        // P(W <= w)
        c[..=w].iter().map(|&v| v as u128).sum()
    };
    let p = tail as f64 / total as f64;
    Some((2.0 * p).min(1.0))
}

/// P(Z > y), from `statrs` (no cancellation in the upper tail).
fn normal_upper_tail(y: f64) -> f64 {
    if y.is_nan() {
        return f64::NAN;
    }
    Normal::standard().sf(y)
}

/// P(T > t) for t >= 0 and df > 0.
fn student_t_upper_tail(t: f64, df: f64) -> f64 {
    if t <= 0.0 {
        return 0.5;
    }
    if df > 1e6 {
        // Abramowitz & Stegun 26.7.8 (normal with a 1/df correction, error O(df^-2), below
        // ~1e-11 relative here), where the incomplete beta loses digits; df = Inf gives
        // the normal distribution.
        let val = 1.0 / (4.0 * df);
        return normal_upper_tail(t * (1.0 - val) / (1.0 + t * t * 2.0 * val).sqrt());
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.sf(t),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn quantile_type7_small() {
        // R 4.2.2: quantile(c(1, 2, 4, 8), c(0, 0.25, 0.5, 0.9, 1), type = 7)
        //   = 1, 1.75, 3, 6.8, 8
        let x = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile(&x, 0.0), Some(1.0));
        assert!(close(quantile(&x, 0.25).unwrap(), 1.75, 1e-15));
        assert_eq!(quantile(&x, 0.5), Some(3.0));
        assert!(close(quantile(&x, 0.9).unwrap(), 6.8, 1e-15));
        assert_eq!(quantile(&x, 1.0), Some(8.0));
        assert_eq!(quantile(&[5.0], 0.3), Some(5.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&x, 1.5), None);
        assert_eq!(quantile(&x, f64::NAN), None);
    }

    #[test]
    fn summary_edge_cases() {
        let s = summarise(&[]);
        assert_eq!(s.n, 0);
        assert_eq!(s.mean, None);
        assert_eq!(s.median, None);
        assert_eq!(s.geo_mean, None);

        let s = summarise(&[Some(3.0), None, Some(f64::NAN), Some(f64::INFINITY)]);
        assert_eq!((s.n, s.n_missing), (1, 3));
        assert_eq!(s.mean, Some(3.0));
        assert_eq!(s.sd, None);
        assert!(close(s.geo_mean.unwrap(), 3.0, 1e-15));
        assert_eq!(s.geo_cv_pct, None);

        let s = summarise(&[Some(0.0), Some(-1.0)]);
        assert_eq!(s.n_nonpositive, 2);
        assert_eq!(s.geo_mean, None);
        assert_eq!(s.min, Some(-1.0));
        assert_eq!(s.max, Some(0.0));
    }

    #[test]
    fn fraction_counts() {
        assert_eq!(fraction_quantifiable(&[]), (0, 0, None));
        assert_eq!(fraction_quantifiable(&[None, None]), (0, 0, None));
        assert_eq!(
            fraction_quantifiable(&[Some(true), Some(false), None, Some(true)]),
            (2, 3, Some(2.0 / 3.0))
        );
    }

    #[test]
    fn ranks_average_ties() {
        let (r, t) = average_ranks(&[3.0, 1.0, 3.0, 2.0, -0.0, 0.0]);
        // R 4.2.2: rank(c(3, 1, 3, 2, 0, 0)) = 5.5 3.0 5.5 4.0 1.5 1.5
        assert_eq!(r, vec![5.5, 3.0, 5.5, 4.0, 1.5, 1.5]);
        assert_eq!(t.iter().filter(|&&s| s > 1).count(), 2);
    }

    #[test]
    fn exact_distribution_sums_to_binomial() {
        // Both tails at the extremes: P(W <= 0) = 1 / C(m + n, m).
        // R 4.2.2: pwilcox(0, 3, 4) = 0.02857142857142857 (= 1/35)
        let p = wilcoxon_exact_p(0, 3, 4).unwrap();
        assert!(close(p, 2.0 / 35.0, 1e-15));
        // R 4.2.2: 2 * pwilcox(0, 49, 49) = 7.8500291929632906e-29 (= 2 / choose(98, 49))
        let p = wilcoxon_exact_p(0, 49, 49).unwrap();
        assert!(close(p, 7.850029192963291e-29, 1e-12), "{p}");
    }

    #[test]
    fn normal_cdf_against_r() {
        // R 4.2.2: sprintf("%.17g", pnorm(c(-40, -10, -3, -1, -0.5, 0, 0.3, 1.96, 8)))
        let cases = [
            (-40.0, 0.0),
            (-10.0, 7.619853024160527e-24),
            (-3.0, 1.349_898_031_630_094_6e-3),
            (-1.0, 0.158_655_253_931_457_05),
            (-0.5, 0.308_537_538_725_986_94),
            (0.0, 0.5),
            (0.3, 0.6179114221889527),
            (1.96, 0.9750021048517796),
            (8.0, 0.9999999999999993),
        ];
        for (x, r) in cases {
            let p = normal_cdf(x);
            // statrs' erf/erfc are accurate to ~1e-10 relative (pnorm(-1): 8.6e-11, pnorm(-3):
            // 4.1e-11, pnorm(-10): 5.2e-11), far below any digit a
            // report prints (Cody's algorithm, which R uses, reaches 1e-15 everywhere).
            let tol = 1e-10;
            assert!(
                close(p, r, tol) || (r == 0.0 && p < 1e-300),
                "{x}: {p} vs {r}"
            );
        }
        assert!(normal_cdf(f64::NAN).is_nan());
    }

    #[test]
    fn student_t_against_r() {
        // R 4.2.2: sprintf("%.17g", qt(0.975, c(1, 2.5, 7.3, 30, 1000)))
        let cases = [
            (1.0, 12.706_204_736_174_694),
            (2.5, 3.574654842003692),
            (7.3, 2.345_066_736_547_702_5),
            (30.0, 2.042_272_456_301_237_8),
            (1000.0, 1.962_339_080_826_407_6),
        ];
        for (df, r) in cases {
            let q = student_t_quantile(0.975, df).unwrap();
            assert!(close(q, r, 1e-12), "df {df}: {q} vs {r}");
            assert!(close(student_t_quantile(0.025, df).unwrap(), -r, 1e-12));
        }
        // R 4.2.2: sprintf("%.17g", pt(c(-12, -2.2, 0.7), 5.5))
        let cases = [
            (-12.0, 1.874_025_031_461_673_5e-5),
            (-2.2, 0.037_090_603_569_904_165),
            (0.7, 0.743785537531196),
        ];
        for (t, r) in cases {
            let p = student_t_cdf(t, 5.5).unwrap();
            assert!(close(p, r, 1e-12), "t {t}: {p} vs {r}");
        }
        // Large df (continued fraction, then the corrected normal approximation).
        // R 4.2.2: sprintf("%.17g", qt(0.975, c(1e5, 1.9e6, 2.1e6, 1e8, Inf)))
        let cases = [
            (1e5, 1.959_987_707_534_608_8),
            (1.9e6, 1.959_965_233_104_640_9),
            (2.1e6, 1.959_965_114_193_660_5),
            (1e8, 1.959_964_008_262_766_3),
            (f64::INFINITY, 1.959_963_984_540_053_6),
        ];
        for (df, r) in cases {
            let q = student_t_quantile(0.975, df).unwrap();
            assert!(close(q, r, 1e-10), "df {df}: {q} vs {r}");
        }
        // R 4.2.2: sprintf("%.17g", pt(-3, c(1e5, 1.9e6, 2.1e6, 1e8)))
        let cases = [
            (1e5, 1.350_230_442_032_360_2e-3),
            (1.9e6, 1.349_915_525_828_869_5e-3),
            (2.1e6, 1.349_913_859_709_505_7e-3),
            (1e8, 1.349_898_364_018_746_8e-3),
        ];
        for (df, r) in cases {
            let p = student_t_cdf(-3.0, df).unwrap();
            assert!(close(p, r, 1e-10), "df {df}: {p} vs {r}");
        }
        assert_eq!(student_t_quantile(0.0, 3.0), None);
        assert_eq!(student_t_quantile(0.5, 3.0), Some(0.0));
        assert_eq!(student_t_quantile(0.9, -1.0), None);
        assert_eq!(student_t_cdf(1.0, 0.0), None);
    }
}
