//! The standard normal distribution, with the log-CDF stable far into the lower tail, where
//! heavily censored observations put it.
//!
//! The CDF is libm's `erfc` (the Rust port of musl's libm), not `statrs`: statrs 0.18's
//! normal CDF is accurate to only ~1e-10 relative (Phi(-1.96) is 9e-11 off), which would
//! move the censored (M3) likelihood and the fits pinned by tests; libm's erfc is accurate
//! to ~1e-16. statrs has no log-CDF. The test `agrees_with_statrs` checks both against each
//! other.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// ln(sqrt(2 pi)).
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Standard normal density.
pub fn pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// ln Phi(z). Uses erfc (libm) down to z = -30 and the asymptotic series of the Mills
/// ratio below, where erfc underflows: ln Phi(z) ~ -z^2/2 - ln(-z) - ln sqrt(2 pi)
/// + ln(1 - 1/z^2 + 3/z^4 - 15/z^6).
pub fn ln_cdf(z: f64) -> f64 {
    if z > -30.0 {
        (0.5 * libm::erfc(-z * FRAC_1_SQRT_2)).ln()
    } else {
        let z2 = z * z;
        -0.5 * z2 - (-z).ln() - LN_SQRT_2PI
            + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2)).ln()
    }
}

/// The inverse Mills ratio phi(z) / Phi(z), the derivative of ln Phi(z).
pub fn mills(z: f64) -> f64 {
    if z > -30.0 {
        pdf(z) / (0.5 * libm::erfc(-z * FRAC_1_SQRT_2))
    } else {
        // phi/Phi = -z / (1 - 1/z^2 + 3/z^4 - 15/z^6) from the same series.
        let z2 = z * z;
        -z / (1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2))
    }
}

/// ([`ln_cdf`], [`mills`]) at z from one erfc: the censored term of a likelihood and its
/// derivative, bit for bit what the two functions give.
pub fn ln_cdf_and_mills(z: f64) -> (f64, f64) {
    if z > -30.0 {
        let cdf = 0.5 * libm::erfc(-z * FRAC_1_SQRT_2);
        (cdf.ln(), pdf(z) / cdf)
    } else {
        (ln_cdf(z), mills(z))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_cdf_and_mills_is_the_two_functions() {
        for i in -400..=200 {
            let z = f64::from(i) * 0.1 + 0.013;
            let (l, m) = ln_cdf_and_mills(z);
            assert_eq!(l.to_bits(), ln_cdf(z).to_bits(), "{z}");
            assert_eq!(m.to_bits(), mills(z).to_bits(), "{z}");
        }
    }

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
    fn agrees_with_statrs() {
        use statrs::distribution::{Continuous, ContinuousCDF, Normal};
        let n = Normal::standard();
        for z in [-29.9, -20.0, -8.0, -3.0, -1.0, -0.5, 0.0, 1.0, 5.0] {
            let r = n.cdf(z).ln();
            // 1e-9 relative on Phi: statrs' own accuracy.
            assert!(
                (ln_cdf(z) - r).abs() <= 1e-9,
                "ln_cdf({z}): {} vs {r}",
                ln_cdf(z)
            );
            assert!(
                (pdf(z) - n.pdf(z)).abs() <= 1e-15 * n.pdf(z).max(1e-300),
                "pdf({z})"
            );
        }
        // Across the switch to the asymptotic series at z = -30 the two pieces join.
        let r = n.cdf(-30.0).ln();
        assert!((ln_cdf(-30.0 - 1e-12) - r).abs() < 1e-9 * r.abs(), "{r}");
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
