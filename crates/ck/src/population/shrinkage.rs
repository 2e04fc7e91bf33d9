//! Shrinkage of the individual estimates (Savic & Karlsson, AAPS J 2009;11:558-569):
//! eta-shrinkage 1 - SD(eta_mode)/omega per parameter, epsilon-shrinkage 1 - SD(IWRES)
//! with IWRES = (ln y - ln C(t; mode))/sigma over the quantified observations. Large
//! shrinkage (> 20-30%) means the individual estimates lean on the population: their
//! spread understates the variability and plots against them mislead.

/// Sample SD (n - 1).
pub(crate) fn sd(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let m = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// 100 (1 - SD(etas)/omega).
pub(crate) fn eta_shrinkage_percent(etas: &[f64], omega2: f64) -> f64 {
    100.0 * (1.0 - sd(etas) / omega2.sqrt())
}

/// 100 (1 - SD(iwres)).
pub(crate) fn epsilon_shrinkage_percent(iwres: &[f64]) -> f64 {
    100.0 * (1.0 - sd(iwres))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinkage_by_hand() {
        // etas -1, 0, 1: SD 1; omega^2 4 -> omega 2 -> 50%.
        assert!((eta_shrinkage_percent(&[-1.0, 0.0, 1.0], 4.0) - 50.0).abs() < 1e-12);
        // iwres -2, 2: SD sqrt(8) -> 1 - 2.828 = -182.8%.
        assert!(
            (epsilon_shrinkage_percent(&[-2.0, 2.0]) - 100.0 * (1.0 - 8f64.sqrt())).abs() < 1e-12
        );
    }
}
