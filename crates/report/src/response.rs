//! Response rates of a trial: a binomial proportion (responders / evaluable patients) with
//! its confidence interval, and the per-level and per-group tables of a response column.
//!
//! Interval methods (all two-sided, level `1 - alpha`), with the R 4.2.2 computation each
//! reproduces (fixtures in `tests/fixtures/binomial.csv`, script `tests/fixtures/endpoints.R`):
//!
//! * [`CiMethod::ClopperPearson`] (default, the "exact" interval of trial reports):
//!   `binom.test(x, n)$conf.int`, beta quantiles `qbeta(alpha/2, x, n-x+1)` and
//!   `qbeta(1-alpha/2, x+1, n-x)`.
//! * [`CiMethod::Wilson`]: score interval, `prop.test(x, n, correct = FALSE)$conf.int`.
//! * [`CiMethod::WilsonCc`]: score interval with continuity correction (Newcombe 1998,
//!   method 4), `prop.test(x, n, correct = TRUE)$conf.int` whenever `|x - n/2| >= 1/2`.
//! * [`CiMethod::AgrestiCoull`]: add z^2/2 successes and failures, Wald on the result.
//! * [`CiMethod::Jeffreys`]: `qbeta(c(alpha/2, 1-alpha/2), x+1/2, n-x+1/2)`, 0 at x = 0
//!   and 1 at x = n.
//! * [`CiMethod::MidP`]: the Clopper-Pearson tail equations with half the probability of
//!   the observed count (`exactci::binom.exact(midp = TRUE)`; in the script by `uniroot`).

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF, Normal};
use statrs::function::beta::beta_reg;
use std::collections::{BTreeMap, BTreeSet};

/// A response rate that cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResponseError {
    /// No evaluable patient.
    #[error("no evaluable patient: a proportion needs n >= 1")]
    Empty,
    /// More responders than patients.
    #[error("{successes} responders out of {n}: expected at most n")]
    TooMany {
        /// Responders.
        successes: usize,
        /// Patients.
        n: usize,
    },
    /// The confidence level is not in (0, 1).
    #[error("confidence level {0}: expected a number in (0, 1), e.g. 0.95")]
    Level(f64),
}

/// How the confidence interval of a proportion is computed (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    /// Exact (beta quantiles), R `binom.test`. The reference default.
    #[default]
    ClopperPearson,
    /// Wilson score, R `prop.test(correct = FALSE)`.
    Wilson,
    /// Wilson score with continuity correction, R `prop.test(correct = TRUE)`.
    WilsonCc,
    /// Agresti-Coull.
    AgrestiCoull,
    /// Jeffreys (Bayesian, Beta(1/2, 1/2) prior; equal tails).
    Jeffreys,
    /// Mid-p exact.
    MidP,
}

impl CiMethod {
    /// Every method, in the order of the docs.
    pub const ALL: [CiMethod; 6] = [
        CiMethod::ClopperPearson,
        CiMethod::Wilson,
        CiMethod::WilsonCc,
        CiMethod::AgrestiCoull,
        CiMethod::Jeffreys,
        CiMethod::MidP,
    ];

    /// Name as in tables and flags.
    pub fn name(self) -> &'static str {
        match self {
            CiMethod::ClopperPearson => "clopper-pearson",
            CiMethod::Wilson => "wilson",
            CiMethod::WilsonCc => "wilson-cc",
            CiMethod::AgrestiCoull => "agresti-coull",
            CiMethod::Jeffreys => "jeffreys",
            CiMethod::MidP => "mid-p",
        }
    }

    /// Parses [`CiMethod::name`].
    pub fn parse(s: &str) -> Option<CiMethod> {
        CiMethod::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// A proportion with its confidence interval. Proportions are fractions (0-1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// Patients counted (e.g. responders).
    pub successes: usize,
    /// Evaluable patients.
    pub n: usize,
    /// successes / n.
    pub estimate: f64,
    /// Lower confidence bound.
    pub lower: f64,
    /// Upper confidence bound.
    pub upper: f64,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// How the interval was computed.
    pub method: CiMethod,
}

/// `successes / n` with its two-sided `level` confidence interval by `method`.
pub fn proportion(
    successes: usize,
    n: usize,
    level: f64,
    method: CiMethod,
) -> Result<Proportion, ResponseError> {
    if n == 0 {
        return Err(ResponseError::Empty);
    }
    if successes > n {
        return Err(ResponseError::TooMany { successes, n });
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(ResponseError::Level(level));
    }
    let alpha = 1.0 - level;
    let (x, nf) = (successes as f64, n as f64);
    let p = x / nf;
    let z = Normal::standard().inverse_cdf(1.0 - alpha / 2.0);
    let (lower, upper) = match method {
        CiMethod::ClopperPearson => (
            if successes == 0 {
                0.0
            } else {
                beta_quantile(alpha / 2.0, x, nf - x + 1.0)
            },
            if successes == n {
                1.0
            } else {
                beta_quantile(1.0 - alpha / 2.0, x + 1.0, nf - x)
            },
        ),
        CiMethod::Jeffreys => (
            if successes == 0 {
                0.0
            } else {
                beta_quantile(alpha / 2.0, x + 0.5, nf - x + 0.5)
            },
            if successes == n {
                1.0
            } else {
                beta_quantile(1.0 - alpha / 2.0, x + 0.5, nf - x + 0.5)
            },
        ),
        CiMethod::Wilson => wilson(p, nf, z, 0.0),
        CiMethod::WilsonCc => wilson(p, nf, z, 0.5),
        CiMethod::AgrestiCoull => {
            let nt = nf + z * z;
            let pt = (x + z * z / 2.0) / nt;
            let h = z * (pt * (1.0 - pt) / nt).sqrt();
            ((pt - h).max(0.0), (pt + h).min(1.0))
        }
        CiMethod::MidP => (
            if successes == 0 {
                0.0
            } else {
                // P(X > x) + P(X = x) / 2 = alpha / 2, increasing in p.
                bisect(|q| mid_upper_tail(successes, n, q) - alpha / 2.0)
            },
            if successes == n {
                1.0
            } else {
                // P(X < x) + P(X = x) / 2 = alpha / 2, decreasing in p.
                bisect(|q| alpha / 2.0 - (1.0 - mid_upper_tail(successes, n, q)))
            },
        ),
    };
    Ok(Proportion {
        successes,
        n,
        estimate: p,
        lower,
        upper,
        level,
        method,
    })
}

/// Quantile of Beta(a, b) (R `qbeta`).
fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    match Beta::new(a, b) {
        // statrs' inverse is refined by bisection on the CDF so the bound is exact to
        // machine precision (the crate's own inverse is accurate to ~1e-10).
        Ok(d) => {
            let start = d.inverse_cdf(p);
            refine_quantile(|q| d.cdf(q), p, start)
        }
        Err(_) => f64::NAN,
    }
}

/// Newton-free refinement: bisection on a bracket around `start` of an increasing `cdf`.
fn refine_quantile(cdf: impl Fn(f64) -> f64, p: f64, start: f64) -> f64 {
    let mut lo = (start - 1e-6).max(0.0);
    let mut hi = (start + 1e-6).min(1.0);
    if cdf(lo) > p {
        lo = 0.0;
    }
    if cdf(hi) < p {
        hi = 1.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Root in (0, 1) of an increasing function, by bisection to machine precision.
fn bisect(f: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(X > x) + P(X = x) / 2 for X ~ Binomial(n, p), from the regularized incomplete beta:
/// P(X >= x) = I_p(x, n - x + 1), P(X > x) = I_p(x + 1, n - x).
fn mid_upper_tail(x: usize, n: usize, p: f64) -> f64 {
    let (xf, nf) = (x as f64, n as f64);
    let ge = if x == 0 {
        1.0
    } else {
        beta_reg(xf, nf - xf + 1.0, p)
    };
    let gt = if x == n {
        0.0
    } else {
        beta_reg(xf + 1.0, nf - xf, p)
    };
    0.5 * (ge + gt)
}

/// Wilson score bounds with continuity correction `cc` (0 or 1/2), as R's `prop.test`.
fn wilson(p: f64, n: f64, z: f64, cc: f64) -> (f64, f64) {
    let z22n = z * z / (2.0 * n);
    let bound = |pc: f64, sign: f64| {
        (pc + z22n + sign * z * (pc * (1.0 - pc) / n + z22n / (2.0 * n)).sqrt())
            / (1.0 + 2.0 * z22n)
    };
    let pu = p + cc / n;
    let pl = p - cc / n;
    let upper = if pu >= 1.0 { 1.0 } else { bound(pu, 1.0) };
    let lower = if pl <= 0.0 { 0.0 } else { bound(pl, -1.0) };
    (lower, upper)
}

/// Which values of a response column count as response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponderSet {
    /// Values (case-insensitive, trimmed) that are a response, e.g. `CR`, `CRi`, `CR/CRi`.
    pub responders: BTreeSet<String>,
    /// Values that are not evaluable and leave the denominator (e.g. `NE`, `missing`);
    /// empty cells always leave it.
    pub not_evaluable: BTreeSet<String>,
}

impl ResponderSet {
    /// The default of B-ALL trials: overall remission = CR or CRi (also written `CR/CRi`,
    /// `CR+CRi`, `responder`, `yes`, `1`); `NE`, `NA`, `UNK` are not evaluable.
    pub fn remission() -> ResponderSet {
        let set = |v: &[&str]| v.iter().map(|s| s.to_ascii_lowercase()).collect();
        ResponderSet {
            responders: set(&[
                "CR",
                "CRi",
                "CR/CRi",
                "CR+CRi",
                "CR or CRi",
                "responder",
                "response",
                "yes",
                "y",
                "1",
                "true",
            ]),
            not_evaluable: set(&["NE", "NA", "UNK", "unknown", "not evaluable"]),
        }
    }

    /// A set from a comma-separated list (the `--responders` flag), e.g. `CR,CRi`.
    pub fn parse(list: &str) -> ResponderSet {
        ResponderSet {
            responders: list
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            not_evaluable: ResponderSet::remission().not_evaluable,
        }
    }

    /// `Some(true)` for a response, `Some(false)` for an evaluable non-response, `None` for
    /// an empty or not-evaluable value.
    pub fn classify(&self, value: &str) -> Option<bool> {
        let v = value.trim().to_ascii_lowercase();
        if v.is_empty() || self.not_evaluable.contains(&v) {
            return None;
        }
        Some(self.responders.contains(&v))
    }
}

/// One row of a response table: a group's responders and each level's count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRateRow {
    /// The response column (a visit, e.g. `response_d28`, `response`).
    pub column: String,
    /// `all` or the group.
    pub group: String,
    /// Responders with CI (default method).
    pub rate: Proportion,
    /// Wilson score interval on the same counts, for comparison.
    pub wilson: Proportion,
    /// Each level as written (first spelling seen), with its count and proportion of the
    /// evaluable patients (exact CI): e.g. CR, CRi, PR, NR.
    pub levels: Vec<(String, Proportion)>,
    /// Patients left out of the denominator (empty or not evaluable).
    pub n_not_evaluable: usize,
}

/// The response rates of `column` over `subjects` (`subject -> value`), overall and by
/// `groups` (`subject -> group`, e.g. dose level), with intervals at `level` by `method`.
/// Subjects are only those in `values`. Groups are in sorted order after `all`.
pub fn response_rates(
    column: &str,
    values: &BTreeMap<String, String>,
    groups: Option<&BTreeMap<String, String>>,
    responders: &ResponderSet,
    level: f64,
    method: CiMethod,
) -> Result<Vec<ResponseRateRow>, ResponseError> {
    let mut buckets: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (subject, v) in values {
        if let Some(g) = groups
            .and_then(|g| g.get(subject))
            .filter(|g| !g.is_empty())
        {
            buckets.entry(g.clone()).or_default().push(v);
        }
    }
    let all: Vec<&str> = values.values().map(String::as_str).collect();
    let mut out = Vec::new();
    for (group, vals) in std::iter::once(("all".to_string(), all)).chain(buckets) {
        let mut n = 0;
        let mut x = 0;
        let mut n_not_evaluable = 0;
        let mut levels: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for v in &vals {
            match responders.classify(v) {
                None => n_not_evaluable += 1,
                Some(r) => {
                    n += 1;
                    x += usize::from(r);
                    levels
                        .entry(v.trim().to_ascii_lowercase())
                        .or_insert_with(|| (v.trim().to_string(), 0))
                        .1 += 1;
                }
            }
        }
        if n == 0 {
            continue;
        }
        let mut level_rows = Vec::new();
        for (_, (name, k)) in levels {
            level_rows.push((name, proportion(k, n, level, CiMethod::ClopperPearson)?));
        }
        out.push(ResponseRateRow {
            column: column.to_string(),
            group,
            rate: proportion(x, n, level, method)?,
            wilson: proportion(x, n, level, CiMethod::Wilson)?,
            levels: level_rows,
            n_not_evaluable,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adult_rr_trial_orr() {
        // NCT04684147 adult R/R B-ALL: 34/48 = 70.8%, 95% CI 55.9-83.0 (R 4.2.2:
        // binom.test(34, 48)$conf.int = 0.5593652 0.8304692).
        let p = proportion(34, 48, 0.95, CiMethod::ClopperPearson).unwrap();
        assert_eq!(format!("{:.1}", 100.0 * p.estimate), "70.8");
        assert_eq!(format!("{:.1}", 100.0 * p.lower), "55.9");
        assert_eq!(format!("{:.1}", 100.0 * p.upper), "83.0");
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(
            proportion(0, 0, 0.95, CiMethod::Wilson),
            Err(ResponseError::Empty)
        );
        assert!(proportion(3, 2, 0.95, CiMethod::Wilson).is_err());
        assert!(proportion(1, 2, 1.0, CiMethod::Wilson).is_err());
    }

    #[test]
    fn classify_and_levels() {
        let r = ResponderSet::parse("CR, CRi");
        assert_eq!(r.classify(" cri "), Some(true));
        assert_eq!(r.classify("PR"), Some(false));
        assert_eq!(r.classify("NE"), None);
        assert_eq!(r.classify(""), None);
        let values: BTreeMap<String, String> = [("a", "CR"), ("b", "CRi"), ("c", "NR"), ("d", "")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let rows = response_rates("bor", &values, None, &r, 0.95, CiMethod::default()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].rate.successes, rows[0].rate.n), (2, 3));
        assert_eq!(rows[0].n_not_evaluable, 1);
        assert_eq!(rows[0].levels.len(), 3);
    }
}
