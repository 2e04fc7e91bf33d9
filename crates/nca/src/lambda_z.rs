//! The terminal elimination rate constant lambda_z: log-linear regression on the last
//! points of the profile.
//!
//! Automatic selection follows PKNCA's `pk.calc.half.life` defaults: candidate points are
//! the positive concentrations after Tmax (Cmax itself excluded); every run of the last
//! n >= 3 of them is fitted by ordinary least squares of ln(C) on t; among the declining
//! fits whose adjusted R2 is within `adj_r2_factor` (1e-4, strictly) of the best adjusted R2
//! of all fits, the one with the most points wins. When none qualifies (a rising or flat
//! tail fits best) there is no lambda_z.

use cartpk_core::ProfileKey;
use std::collections::HashMap;

/// Automatic lambda_z selection settings (PKNCA defaults).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LambdaZRule {
    /// Fewest points in a fit (PKNCA `min.hl.points`: 3).
    pub min_points: usize,
    /// Fits whose adjusted R2 is within this of the best count as tied, and the one with
    /// most points wins (PKNCA `adj.r.squared.factor`: 1e-4).
    pub adj_r2_factor: f64,
    /// Whether the Tmax point may be part of the fit (PKNCA `allow.tmax.in.half.life`:
    /// false).
    pub allow_tmax: bool,
}

impl Default for LambdaZRule {
    fn default() -> Self {
        LambdaZRule {
            min_points: 3,
            adj_r2_factor: 1e-4,
            allow_tmax: false,
        }
    }
}

/// A user's choice of terminal-phase points for one profile, overriding the automatic
/// selection: every positive concentration with `start <= t <= end` (days), except the
/// times in `exclude`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ManualLambdaZ {
    /// First time to use, days.
    pub start: f64,
    /// Last time to use, days.
    pub end: f64,
    /// Times (days) to leave out of the fit, e.g. an outlier.
    pub exclude: Vec<f64>,
}

/// Manual selections by profile.
pub type LambdaZOverrides = HashMap<ProfileKey, ManualLambdaZ>;

/// A terminal-phase fit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LambdaZFit {
    /// Terminal rate constant, 1/day (the negative of the slope of ln C on t).
    pub lambda_z: f64,
    /// Intercept of ln C at t = 0, ln(concentration unit).
    pub intercept: f64,
    /// Coefficient of determination.
    pub r_squared: f64,
    /// Adjusted R2: `1 - (1 - R2) (n - 1) / (n - 2)`.
    pub adj_r_squared: f64,
    /// Number of points in the fit.
    pub n_points: usize,
    /// Time of the first point used, days.
    pub time_first: f64,
    /// Time of the last point used, days.
    pub time_last: f64,
    /// Whether a user chose the points.
    pub manual: bool,
}

impl LambdaZFit {
    /// Terminal half-life `ln 2 / lambda_z`, days.
    pub fn half_life(&self) -> f64 {
        std::f64::consts::LN_2 / self.lambda_z
    }

    /// Span of the points used divided by the half-life (PKNCA flags < 2).
    pub fn span_ratio(&self) -> f64 {
        (self.time_last - self.time_first) / self.half_life()
    }

    /// The fitted concentration at time `t` (days): `exp(intercept - lambda_z t)`.
    pub fn predict(&self, t: f64) -> f64 {
        (self.intercept - self.lambda_z * t).exp()
    }
}

/// Why no lambda_z was estimated.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoLambdaZ {
    /// Fewer usable points than the minimum.
    TooFewPoints {
        /// Points available.
        available: usize,
        /// Points needed.
        needed: usize,
    },
    /// The best fit does not decline (slope >= 0).
    NotDeclining {
        /// The slope of ln C on t, 1/day.
        slope: f64,
    },
}

/// Ordinary least squares of `y` on `x`; returns (slope, intercept, R2). Centred sums keep
/// the arithmetic stable when times are large (e.g. days 168-365). The y values are first
/// shifted by y[0], so that equal values give exactly zero deviations: the mean of equal
/// values computed as sum/n can be off by an ulp, which would turn a flat tail into a tiny
/// spurious slope.
fn ols(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let y0 = y[0];
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().map(|v| v - y0).sum::<f64>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (&xi, &yi) in x.iter().zip(y) {
        let (dx, dy) = (xi - mx, (yi - y0) - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    let slope = sxy / sxx;
    let intercept = y0 + my - slope * mx;
    // R2 = 1 - SSres/SStot with SSres = Syy - Sxy^2/Sxx; a flat line (Syy = 0) has R2 NaN.
    let r2 = if syy > 0.0 {
        (sxy * sxy) / (sxx * syy)
    } else {
        f64::NAN
    };
    (slope, intercept, r2)
}

fn fit(time: &[f64], ln_conc: &[f64], manual: bool) -> LambdaZFit {
    let (slope, intercept, r2) = ols(time, ln_conc);
    let n = time.len();
    let adj = 1.0 - (1.0 - r2) * (n as f64 - 1.0) / (n as f64 - 2.0);
    LambdaZFit {
        lambda_z: -slope,
        intercept,
        r_squared: r2,
        adj_r_squared: adj,
        n_points: n,
        time_first: time[0],
        time_last: time[n - 1],
        manual,
    }
}

/// Automatic selection on a cleaned profile (`time` increasing, `conc` >= 0), with `tmax`
/// the time of Cmax.
pub fn select(
    time: &[f64],
    conc: &[f64],
    tmax: f64,
    rule: &LambdaZRule,
) -> Result<LambdaZFit, NoLambdaZ> {
    let mut t = Vec::with_capacity(time.len());
    let mut y = Vec::with_capacity(time.len());
    for (&ti, &ci) in time.iter().zip(conc) {
        let after = if rule.allow_tmax {
            ti >= tmax
        } else {
            ti > tmax
        };
        if after && ci > 0.0 {
            t.push(ti);
            y.push(ci.ln());
        }
    }
    let needed = rule.min_points.max(3);
    if t.len() < needed {
        return Err(NoLambdaZ::TooFewPoints {
            available: t.len(),
            needed,
        });
    }
    let fits: Vec<LambdaZFit> = (needed..=t.len())
        .map(|n| {
            let s = t.len() - n;
            fit(&t[s..], &y[s..], false)
        })
        .collect();
    let best = fits
        .iter()
        .filter(|f| !f.adj_r_squared.is_nan())
        .max_by(|a, b| a.adj_r_squared.total_cmp(&b.adj_r_squared));
    let best_adj = best.map_or(f64::NEG_INFINITY, |f| f.adj_r_squared);
    // PKNCA: a fit qualifies if it declines and its adjusted R2 is strictly above the best
    // (over all fits, rising ones included) minus the factor; the most points wins.
    let chosen = fits
        .iter()
        .rev()
        .find(|f| f.lambda_z > 0.0 && f.adj_r_squared > best_adj - rule.adj_r2_factor);
    match chosen {
        Some(f) => Ok(*f),
        None => {
            // Report the slope of the best fit (of the longest one when every fit is flat).
            let shown =
                best.unwrap_or_else(|| fits.last().expect("at least one fit: t.len() >= needed"));
            Err(NoLambdaZ::NotDeclining {
                slope: -shown.lambda_z,
            })
        }
    }
}

/// A fit on the points a user chose.
pub fn manual(time: &[f64], conc: &[f64], choice: &ManualLambdaZ) -> Result<LambdaZFit, NoLambdaZ> {
    let mut t = Vec::new();
    let mut y = Vec::new();
    for (&ti, &ci) in time.iter().zip(conc) {
        let excluded = choice
            .exclude
            .iter()
            .any(|&e| (e - ti).abs() <= 1e-9 * ti.abs().max(1.0));
        if ti >= choice.start && ti <= choice.end && ci > 0.0 && !excluded {
            t.push(ti);
            y.push(ci.ln());
        }
    }
    // Two points define a line; PKNCA allows a manual fit on 2 (R2 is then 1, adjusted NaN).
    if t.len() < 2 {
        return Err(NoLambdaZ::TooFewPoints {
            available: t.len(),
            needed: 2,
        });
    }
    let f = fit(&t, &y, true);
    if f.lambda_z > 0.0 {
        Ok(f)
    } else {
        Err(NoLambdaZ::NotDeclining { slope: -f.lambda_z })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_exponential_recovers_rate() {
        // C = 1000 exp(-0.1 t): lambda_z = 0.1/day, half-life = ln2/0.1 = 6.931 d, R2 = 1.
        let time = [0.0, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0];
        let conc: Vec<f64> = [0.0, 500.0, 800.0]
            .into_iter()
            .chain(time[3..].iter().map(|t: &f64| 1000.0 * (-0.1 * t).exp()))
            .collect();
        let f = select(&time, &conc, 2.0, &LambdaZRule::default()).unwrap();
        assert!((f.lambda_z - 0.1).abs() < 1e-12);
        assert!((f.half_life() - 6.931471805599453).abs() < 1e-9);
        assert_eq!(f.n_points, 4);
        assert_eq!((f.time_first, f.time_last), (4.0, 24.0));
        assert!((f.predict(24.0) - 1000.0 * (-2.4f64).exp()).abs() < 1e-9);
    }

    #[test]
    fn hand_calculated_three_point_fit() {
        // Points (1, ln 8), (2, ln 4), (3, ln 3): x mean 2, Sxx = 2,
        // slope = Sxy / Sxx = (ln 3 - ln 8) / 2 = -0.490415, by hand.
        let f = select(
            &[0.0, 1.0, 2.0, 3.0],
            &[10.0, 8.0, 4.0, 3.0],
            0.0,
            &LambdaZRule::default(),
        )
        .unwrap();
        assert!((f.lambda_z - (8.0f64 / 3.0).ln() / 2.0).abs() < 1e-12);
        // R2 by hand: y = (2.07944, 1.38629, 1.09861), mean 1.52145; SStot = 0.508413,
        // Sxy = -0.980829, Sxx = 2 -> R2 = Sxy^2 / (Sxx SStot) = 0.481013 / 0.508413 = 0.946106.
        assert!((f.r_squared - 0.946106).abs() < 1e-6, "{}", f.r_squared);
        assert!((f.adj_r_squared - (1.0 - (1.0 - f.r_squared) * 2.0)).abs() < 1e-12);
    }

    #[test]
    fn flat_tail_has_no_lambda_z() {
        // Regression: equal ln C values gave a spurious slope of ~1e-32 (found by the
        // property tests); a flat tail does not decline.
        let e = select(
            &[0.0, 1.0, 2.0, 4.0],
            &[1000.0, 18.0, 18.0, 18.0],
            0.0,
            &LambdaZRule::default(),
        );
        assert_eq!(e, Err(NoLambdaZ::NotDeclining { slope: 0.0 }));
    }

    #[test]
    fn too_few_points_and_rising_tail() {
        let e = select(
            &[0.0, 1.0, 2.0, 3.0],
            &[0.0, 9.0, 5.0, 2.0],
            1.0,
            &LambdaZRule::default(),
        );
        assert_eq!(
            e,
            Err(NoLambdaZ::TooFewPoints {
                available: 2,
                needed: 3
            })
        );
        let e = select(
            &[0.0, 1.0, 2.0, 3.0, 4.0],
            &[9.0, 1.0, 2.0, 3.0, 4.0],
            0.0,
            &LambdaZRule::default(),
        );
        assert!(matches!(e, Err(NoLambdaZ::NotDeclining { .. })));
    }
}
