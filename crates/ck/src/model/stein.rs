//! The Stein et al. 2019 tisagenlecleucel CK model in closed form.
//!
//! Stein AM et al. CPT Pharmacometrics Syst Pharmacol 2019;8(5):285-295,
//! doi:10.1002/psp4.12388. Effector cells expand exponentially at rate rho until Tmax, then
//! contract at alpha while converting to memory cells that decline at beta:
//!
//! - 0 <= t < Tmax: C(t) = Cmax exp(-rho (Tmax - t))   (= C0 exp(rho t), C0 = Cmax/foldx)
//! - t >= Tmax:     C(t) = Cmax [(1 - FB) exp(-alpha (t - Tmax)) + FB exp(-beta (t - Tmax))]
//!
//! Unconstrained parameters: theta = (ln Cmax, ln Tmax, ln rho, ln(alpha - beta), ln beta,
//! logit FB), which keeps Cmax, Tmax, rho > 0, alpha > beta > 0 and 0 < FB < 1.

use super::{CkModel, DataSummary, ParamSpec};

/// The Stein 2019 model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stein2019;

/// Natural-scale parameters of the Stein model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SteinParams {
    /// Peak concentration (concentration unit, e.g. copies/ug).
    pub cmax: f64,
    /// Time of the peak, days.
    pub tmax: f64,
    /// Expansion rate, 1/day.
    pub rho: f64,
    /// Contraction rate, 1/day.
    pub alpha: f64,
    /// Persistence rate, 1/day (< alpha).
    pub beta: f64,
    /// Memory fraction at the peak (0-1).
    pub fb: f64,
}

impl SteinParams {
    /// The published typical values (Stein 2019, Table 1): Cmax 24,000 copies/ug, foldx
    /// 3,900 (rho = ln 3900 / 9.3), Tmax 9.3 d, alpha 0.16/d, beta 0.0032/d, FB 0.0079.
    pub fn published() -> SteinParams {
        SteinParams {
            cmax: 24_000.0,
            tmax: 9.3,
            rho: 3900f64.ln() / 9.3,
            alpha: 0.16,
            beta: 0.0032,
            fb: 0.0079,
        }
    }

    /// As a natural-scale vector in [`Stein2019`]'s parameter order.
    pub fn to_vec(&self) -> Vec<f64> {
        vec![
            self.cmax, self.tmax, self.rho, self.alpha, self.beta, self.fb,
        ]
    }

    /// From a natural-scale vector in [`Stein2019`]'s parameter order.
    pub fn from_slice(v: &[f64]) -> SteinParams {
        SteinParams {
            cmax: v[0],
            tmax: v[1],
            rho: v[2],
            alpha: v[3],
            beta: v[4],
            fb: v[5],
        }
    }

    /// C(t), concentration unit.
    pub fn conc(&self, t: f64) -> f64 {
        if t < self.tmax {
            self.cmax * (-self.rho * (self.tmax - t)).exp()
        } else {
            let d = t - self.tmax;
            self.cmax
                * ((1.0 - self.fb) * (-self.alpha * d).exp() + self.fb * (-self.beta * d).exp())
        }
    }
}

const PARAMS: [ParamSpec; 6] = [
    ParamSpec {
        name: "cmax",
        unit: "conc",
        description: "peak concentration",
    },
    ParamSpec {
        name: "tmax",
        unit: "day",
        description: "time of the peak",
    },
    ParamSpec {
        name: "rho",
        unit: "1/day",
        description: "expansion rate",
    },
    ParamSpec {
        name: "alpha",
        unit: "1/day",
        description: "contraction rate",
    },
    ParamSpec {
        name: "beta",
        unit: "1/day",
        description: "persistence rate",
    },
    ParamSpec {
        name: "fb",
        unit: "fraction",
        description: "memory fraction at the peak",
    },
];

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The parameters of one evaluation, transformed once.
struct Natural {
    ln_cmax: f64,
    tmax: f64,
    rho: f64,
    a_minus_b: f64,
    beta: f64,
    alpha: f64,
    fb: f64,
    ln_1m_fb: f64,
    ln_fb: f64,
}

impl Natural {
    fn of(th: &[f64]) -> Natural {
        let a_minus_b = th[3].exp();
        let beta = th[4].exp();
        let fb = logistic(th[5]);
        Natural {
            ln_cmax: th[0],
            tmax: th[1].exp(),
            rho: th[2].exp(),
            a_minus_b,
            beta,
            alpha: beta + a_minus_b,
            fb,
            // ln(1 - FB) = -ln(1 + e^x) and ln FB = x - ln(1 + e^x), stable for any x.
            ln_1m_fb: -softplus(th[5]),
            ln_fb: th[5] - softplus(th[5]),
        }
    }

    fn ln_conc(&self, t: f64, grad: Option<&mut [f64]>) -> f64 {
        let (tmax, rho) = (self.tmax, self.rho);
        if t < tmax {
            if let Some(g) = grad {
                g.fill(0.0);
                g[0] = 1.0;
                g[1] = -rho * tmax;
                g[2] = -rho * (tmax - t);
            }
            return self.ln_cmax - rho * (tmax - t);
        }
        let (alpha, beta, fb) = (self.alpha, self.beta, self.fb);
        let d = t - tmax;
        // S = (1 - FB) e^{-alpha d} + FB e^{-beta d}, in log space (e^{-alpha d} underflows
        // in the persistence phase).
        let la = self.ln_1m_fb - alpha * d;
        let lb = self.ln_fb - beta * d;
        let m = la.max(lb);
        let ln_s = m + ((la - m).exp() + (lb - m).exp()).ln();
        if let Some(g) = grad {
            // Weights of the two exponentials in S: wa + wb = 1.
            let wa = (la - ln_s).exp();
            let wb = (lb - ln_s).exp();
            g[0] = 1.0;
            // d ln S / d d = -(alpha wa + beta wb); d d / d ln Tmax = -Tmax.
            g[1] = (alpha * wa + beta * wb) * tmax;
            g[2] = 0.0;
            // d ln S / d alpha = -d wa; d alpha / d ln(alpha - beta) = alpha - beta.
            g[3] = -d * wa * self.a_minus_b;
            // beta moves both rates: d alpha / d ln beta = d beta / d ln beta = beta.
            g[4] = -d * (wa + wb) * beta;
            // d ln S / d FB = (e^{-beta d} - e^{-alpha d}) / S; d FB / d logit = FB (1 - FB).
            g[5] = wb * (1.0 - fb) - wa * fb;
        }
        self.ln_cmax + ln_s
    }
}

/// ln(1 + e^x) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

impl CkModel for Stein2019 {
    fn name(&self) -> &'static str {
        "stein2019"
    }

    fn parameters(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn n_theta(&self) -> usize {
        6
    }

    fn ln_conc(&self, th: &[f64], t: f64, grad: Option<&mut [f64]>) -> f64 {
        Natural::of(th).ln_conc(t, grad)
    }

    fn ln_conc_batch(
        &self,
        th: &[f64],
        times: &[f64],
        out: &mut [f64],
        mut grad: Option<&mut [f64]>,
    ) {
        let nat = Natural::of(th);
        for (i, &t) in times.iter().enumerate() {
            out[i] = nat.ln_conc(t, grad.as_deref_mut().map(|g| &mut g[i * 6..(i + 1) * 6]));
        }
    }

    fn to_natural(&self, th: &[f64]) -> Vec<f64> {
        let beta = th[4].exp();
        vec![
            th[0].exp(),
            th[1].exp(),
            th[2].exp(),
            beta + th[3].exp(),
            beta,
            logistic(th[5]),
        ]
    }

    fn to_theta(&self, v: &[f64]) -> Option<Vec<f64>> {
        let p = SteinParams::from_slice(v);
        let ok = p.cmax > 0.0
            && p.tmax > 0.0
            && p.rho > 0.0
            && p.beta > 0.0
            && p.alpha > p.beta
            && p.fb > 0.0
            && p.fb < 1.0;
        ok.then(|| {
            vec![
                p.cmax.ln(),
                p.tmax.ln(),
                p.rho.ln(),
                (p.alpha - p.beta).ln(),
                p.beta.ln(),
                logit(p.fb),
            ]
        })
    }

    fn starts(&self, data: &DataSummary) -> Vec<Vec<f64>> {
        let (cmax, tmax) = (data.cmax, data.tmax.max(0.5));
        // Expansion: from the first quantified value before the peak, else from the LLOQ at
        // time 0 (the product is infused below the LLOQ in most patients).
        let rho = data
            .quantified
            .iter()
            .find(|&&(t, c)| t < tmax && c > 0.0 && c < cmax)
            .map(|&(t, c)| (cmax / c).ln() / (tmax - t))
            .or_else(|| data.lloq.map(|l| (cmax / l).max(2.0).ln() / tmax))
            .unwrap_or(3900f64.ln() / tmax)
            .clamp(0.05, 5.0);
        // Contraction: the log-slope from the peak to the first value a week or more later.
        let alpha = data
            .quantified
            .iter()
            .find(|&&(t, _)| t >= tmax + 5.0)
            .map(|&(t, c)| (cmax / c).ln() / (t - tmax))
            .unwrap_or(0.16)
            .clamp(0.02, 2.0);
        // Persistence: NCA lambda_z when it is slower than the contraction, else a typical
        // value.
        let beta = data
            .lambda_z
            .filter(|&l| l > 0.0 && l < 0.5 * alpha)
            .unwrap_or(0.003)
            .clamp(1e-4, 0.5 * alpha);
        // Memory fraction: the last quantified value against the persistence line.
        let fb = data
            .quantified
            .iter()
            .rev()
            .find(|&&(t, _)| t > tmax + 28.0)
            .map(|&(t, c)| c / (cmax * (-beta * (t - tmax)).exp()))
            .unwrap_or(0.01)
            .clamp(1e-4, 0.3);
        let base = SteinParams {
            cmax,
            tmax,
            rho,
            alpha,
            beta,
            fb,
        };
        let variants = [
            (1.0, 1.0, 1.0),
            (2.0, 0.5, 1.0),
            (0.5, 2.0, 1.0),
            (1.0, 0.3, 3.0),
            (1.5, 3.0, 0.3),
        ];
        variants
            .iter()
            .filter_map(|&(fa, ffb, fbeta)| {
                let alpha = base.alpha * fa;
                let beta = (base.beta * fbeta).min(0.5 * alpha);
                let fb = (base.fb * ffb).clamp(1e-5, 0.5);
                self.to_theta(
                    &SteinParams {
                        alpha,
                        beta,
                        fb,
                        ..base
                    }
                    .to_vec(),
                )
            })
            .collect()
    }

    fn derived(&self, v: &[f64]) -> Vec<(&'static str, &'static str, f64)> {
        let p = SteinParams::from_slice(v);
        let ln2 = std::f64::consts::LN_2;
        vec![
            ("foldx", "unitless", (p.rho * p.tmax).exp()),
            ("c0", "conc", p.cmax * (-p.rho * p.tmax).exp()),
            ("doubling_time", "day", ln2 / p.rho),
            ("contraction_half_life", "day", ln2 / p.alpha),
            ("persistence_half_life", "day", ln2 / p.beta),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_published_derivations() {
        // science.md: C0 = 24000/3900 = 6.154 copies/ug; rho = ln(3900)/9.3 = 0.889111/day;
        // half-lives ln2/0.16 = 4.33 d and ln2/0.0032 = 216.6 d.
        let p = SteinParams::published();
        let m = Stein2019;
        let d = m.derived(&p.to_vec());
        assert!((d[1].2 - 24000.0 / 3900.0).abs() < 1e-9);
        assert!((p.rho - 0.889111).abs() < 1e-6);
        assert!((d[3].2 - 4.332).abs() < 1e-3);
        assert!((d[4].2 - 216.6).abs() < 0.1);
        // Continuity at Tmax, and the value a week after it by hand:
        // 24000 * (0.9921 e^{-1.12} + 0.0079 e^{-0.0224}) = 7954.25 copies/ug.
        let th = m.to_theta(&p.to_vec()).unwrap();
        assert!((m.ln_conc(&th, 9.3, None) - 24000f64.ln()).abs() < 1e-12);
        assert!((m.ln_conc(&th, 9.3 - 1e-12, None) - 24000f64.ln()).abs() < 1e-9);
        let want = 24000.0 * (0.9921 * (-1.12f64).exp() + 0.0079 * (-0.0224f64).exp());
        assert!((m.ln_conc(&th, 16.3, None).exp() - want).abs() < 1e-6 * want);
        assert!((p.conc(16.3) - want).abs() < 1e-6 * want);
        // Round trip through the unconstrained scale.
        let back = m.to_natural(&th);
        for (a, b) in back.iter().zip(p.to_vec()) {
            assert!((a - b).abs() < 1e-12 * b.abs());
        }
    }
}
