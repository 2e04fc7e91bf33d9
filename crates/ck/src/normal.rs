//! The standard normal distribution, with the log-CDF stable far into the lower tail, where
//! heavily censored observations put it.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};

/// ln(sqrt(2 pi)).
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Standard normal density (`statrs`).
pub fn pdf(z: f64) -> f64 {
    Normal::standard().pdf(z)
}

/// Phi(z) (`statrs`, erfc-based).
fn cdf(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

/// ln Phi(z). statrs has no log-CDF: ln of its CDF down to z = -30, and below, where the
/// CDF underflows, the asymptotic series of the Mills ratio: ln Phi(z) ~ -z^2/2 - ln(-z) - ln sqrt(2 pi)
/// + ln(1 - 1/z^2 + 3/z^4 - 15/z^6).
pub fn ln_cdf(z: f64) -> f64 {
    if z > -30.0 {
        cdf(z).ln()
    } else {
        let z2 = z * z;
        -0.5 * z2 - (-z).ln() - LN_SQRT_2PI
            + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2)).ln()
    }
}

/// The inverse Mills ratio phi(z) / Phi(z), the derivative of ln Phi(z).
pub fn mills(z: f64) -> f64 {
    if z > -30.0 {
        pdf(z) / cdf(z)
    } else {
        // phi/Phi = -z / (1 - 1/z^2 + 3/z^4 - 15/z^6) from the same series.
        let z2 = z * z;
        -z / (1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Phi(0) = 0.5; Phi(-1.959963985) = 0.025; Phi(-5) = 2.866515718791939e-7
        // (Abramowitz & Stegun, Table 26.1; R: pnorm(-5) = 2.866516e-07).
        assert!((ln_cdf(0.0) - 0.5f64.ln()).abs() < 1e-15);
        assert!((ln_cdf(-1.959963984540054) - 0.025f64.ln()).abs() < 1e-12);
        assert!((ln_cdf(-5.0) - 2.866515718791939e-7f64.ln()).abs() < 1e-10);
        // R: pnorm(-40, log.p = TRUE) = -804.6084420137538
        assert!((ln_cdf(-40.0) - -804.6084420137538).abs() < 1e-8);
        assert!((ln_cdf(-30.0 + 1e-9) - ln_cdf(-30.0 - 1e-9)).abs() < 1e-6);
    }

    #[test]
    fn ln_cdf_agrees_with_statrs_cdf() {
        // Where statrs' CDF does not underflow, ln_cdf is its log; across z = -30 the
        // asymptotic series joins it to 1e-10 relative (checked just above the switch).
        for z in [-29.9, -20.0, -8.0, -3.0, -0.5, 0.0, 1.0, 5.0] {
            let r = Normal::standard().cdf(z).ln();
            assert!((ln_cdf(z) - r).abs() <= 1e-13 * r.abs().max(1e-300), "{z}");
        }
        let z = -30.0_f64;
        let z2 = z * z;
        let series = -0.5 * z2 - (-z).ln() - LN_SQRT_2PI
            + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2)).ln();
        let r = Normal::standard().cdf(z).ln();
        assert!((series - r).abs() < 1e-10 * r.abs(), "{series} vs {r}");
    }

    #[test]
    fn mills_is_the_derivative_of_ln_cdf() {
        for z in [-45.0, -31.0, -29.0, -8.0, -1.0, 0.0, 2.0, 6.0] {
            let h = 1e-6;
            let fd = (ln_cdf(z + h) - ln_cdf(z - h)) / (2.0 * h);
            assert!(
                (mills(z) - fd).abs() < 1e-5 * fd.abs().max(1e-3),
                "z = {z}: {} vs {fd}",
                mills(z)
            );
        }
    }
}
