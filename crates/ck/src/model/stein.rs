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

use super::{CkModel, DataSummary, Derived, ParamSpec, RidgeAnchor};

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

    /// Inside the model's domain: positive Cmax, Tmax, rho, beta; alpha > beta; 0 < FB < 1.
    pub fn in_domain(&self) -> bool {
        self.cmax > 0.0
            && self.tmax > 0.0
            && self.rho > 0.0
            && self.beta > 0.0
            && self.alpha > self.beta
            && self.fb > 0.0
            && self.fb < 1.0
    }

    /// From the paper's parameterisation, with the fold expansion foldx = Cmax/C0 in place
    /// of the expansion rate: rho = ln(foldx)/Tmax.
    pub fn from_fold_expansion(
        cmax: f64,
        foldx: f64,
        tmax: f64,
        alpha: f64,
        beta: f64,
        fb: f64,
    ) -> SteinParams {
        SteinParams {
            cmax,
            tmax,
            rho: foldx.ln() / tmax,
            alpha,
            beta,
            fb,
        }
    }

    /// As a natural-scale array in [`Stein2019`]'s parameter order.
    pub fn to_array(&self) -> [f64; 6] {
        [
            self.cmax, self.tmax, self.rho, self.alpha, self.beta, self.fb,
        ]
    }

    /// As a natural-scale vector in [`Stein2019`]'s parameter order.
    pub fn to_vec(&self) -> Vec<f64> {
        self.to_array().to_vec()
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
        // ln S = max + ln(1 + e^-|la - lb|): one exponential and one ln_1p per sample (this
        // is the innermost loop of every fit and of SAEM's sampler), exact where the
        // smaller term underflows.
        let e = (-(la - lb).abs()).exp();
        // Below 2^-53, ln_1p(e) rounds to e itself: late samples skip the call.
        let ln_s = la.max(lb) + if e < 1.1e-16 { e } else { e.ln_1p() };
        if let Some(g) = grad {
            // Weights of the two exponentials in S: wa + wb = 1, the larger one 1/(1 + e).
            let w_big = 1.0 / (1.0 + e);
            let w_small = e * w_big;
            let (wa, wb) = if la >= lb {
                (w_big, w_small)
            } else {
                (w_small, w_big)
            };
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

impl Stein2019 {
    /// ln C at `times` into `out` from natural-scale parameters, without the round trip
    /// through theta (ln, then exp again: a dozen transcendental calls per evaluation, as
    /// many as the samples of a profile cost). `false` outside the model's domain, the
    /// domain of [`CkModel::to_theta`].
    pub fn ln_conc_natural(p: &SteinParams, times: &[f64], out: &mut [f64]) -> bool {
        if !p.in_domain() {
            return false;
        }
        let nat = Natural {
            ln_cmax: p.cmax.ln(),
            tmax: p.tmax,
            rho: p.rho,
            a_minus_b: p.alpha - p.beta,
            beta: p.beta,
            alpha: p.alpha,
            fb: p.fb,
            ln_1m_fb: (-p.fb).ln_1p(),
            ln_fb: p.fb.ln(),
        };
        for (o, &t) in out.iter_mut().zip(times) {
            *o = nat.ln_conc(t, None);
        }
        true
    }
}

/// The paper's parameters as a population samples them: ln Cmax, ln foldx, ln Tmax,
/// ln alpha, logit FB, ln beta (foldx = Cmax/C0). [`Stein2019::ln_conc_log_scale`] computes
/// ln C(t) from them without the exp -> ln round trips of Cmax, foldx and FB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SteinLogParams {
    pub ln_cmax: f64,
    pub ln_foldx: f64,
    pub ln_tmax: f64,
    pub ln_alpha: f64,
    pub logit_fb: f64,
    pub ln_beta: f64,
}

impl Stein2019 {
    /// ln C at `times` into `out` from log-scale parameters; `false` outside the model's
    /// domain (foldx <= 1, alpha <= beta, or a value that over- or underflows), as
    /// [`Self::ln_conc_natural`] with the same parameters on the natural scale. Five
    /// transcendental calls per evaluation instead of ten: SAEM's sampler runs this
    /// millions of times.
    pub fn ln_conc_log_scale(p: &SteinLogParams, times: &[f64], out: &mut [f64]) -> bool {
        let tmax = p.ln_tmax.exp();
        let (alpha, beta) = (p.ln_alpha.exp(), p.ln_beta.exp());
        // FB = 1/(1 + e^-x): ln FB = -ln(1 + e^-x), ln(1 - FB) = ln FB - x.
        let e = (-p.logit_fb).exp();
        let fb = 1.0 / (1.0 + e);
        let ln_fb = -e.ln_1p();
        let nat = Natural {
            ln_cmax: p.ln_cmax,
            tmax,
            rho: p.ln_foldx / tmax,
            a_minus_b: alpha - beta,
            beta,
            alpha,
            fb,
            ln_1m_fb: ln_fb - p.logit_fb,
            ln_fb,
        };
        let in_domain = p.ln_cmax.is_finite()
            && tmax > 0.0
            && tmax.is_finite()
            && nat.rho > 0.0
            && beta > 0.0
            && alpha > beta
            && alpha.is_finite()
            && fb > 0.0
            && fb < 1.0;
        if !in_domain {
            return false;
        }
        for (o, &t) in out.iter_mut().zip(times) {
            *o = nat.ln_conc(t, None);
        }
        true
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

/// Variations of (alpha, FB, beta) around the data-driven guess, as factors.
const VARIANTS: [(f64, f64, f64); 5] = [
    (1.0, 1.0, 1.0),
    (2.0, 0.5, 1.0),
    (0.5, 2.0, 1.0),
    (1.0, 0.3, 3.0),
    (1.5, 3.0, 0.3),
];

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
        let ok = p.in_domain();
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
        // The likelihood is piecewise smooth in Tmax, with a kink at every sample time,
        // and the observed peak is a noisy sample: besides the observed Tmax, starts with
        // the peak in each of the intervals around it.
        let times: Vec<f64> = data.quantified.iter().map(|&(t, _)| t).collect();
        let j = times.iter().position(|&t| t >= data.tmax).unwrap_or(0);
        let mid = |a: usize, b: usize| match (times.get(a), times.get(b)) {
            (Some(&x), Some(&y)) if y > x => Some(0.5 * (x + y)),
            _ => None,
        };
        let mut peaks = vec![(None, &VARIANTS[..])];
        for t in [
            j.checked_sub(2).and_then(|a| mid(a, a + 1)),
            j.checked_sub(1).and_then(|a| mid(a, j)),
            mid(j, j + 1),
        ]
        .into_iter()
        .flatten()
        {
            peaks.push((Some(t), &VARIANTS[..2]));
        }
        let mut out = Vec::new();
        for (tmax, variants) in peaks {
            let g = Guess::of(data, tmax);
            for &(fa, ffb, fbeta) in variants {
                let alpha = g.alpha * fa;
                let p = SteinParams {
                    cmax: g.cmax,
                    tmax: g.tmax,
                    rho: g.rho,
                    alpha,
                    beta: (g.beta * fbeta).min(0.5 * alpha),
                    fb: (g.fb * ffb).clamp(1e-5, 0.5),
                };
                out.extend(self.to_theta(&p.to_vec()));
            }
            // A narrow peak between two samples: ten times higher, contracting fast, with a
            // memory fraction that keeps the later samples (the likelihood's optimum when
            // the sampled peak is far below the curve's).
            let alpha = (5.0 * g.alpha).max(1.0);
            let spike = SteinParams {
                cmax: (10.0 * g.cmax).min(f64::MAX),
                tmax: g.tmax,
                rho: g.rho * 1.5,
                alpha,
                beta: g.beta.min(0.5 * alpha),
                fb: (g.fb * 0.1).clamp(1e-5, 0.5),
            };
            out.extend(self.to_theta(&spike.to_vec()));
        }
        out
    }

    fn start_box(&self, data: &DataSummary) -> Option<Vec<(f64, f64)>> {
        let g = Guess::of(data, None);
        // The peak: the observed maximum is a noisy sample of the curve, and the true peak
        // may fall between two samples: from a third of it to five times it.
        let ln_cmax = g.cmax.ln();
        // Tmax between the quantified samples around the observed peak (the likelihood is
        // piecewise smooth in Tmax, with a kink at every sample time: starts on both sides).
        // (From two samples before the observed peak: with a flat peak and noise the
        // highest sample can be two samples late.)
        let before = data
            .quantified
            .iter()
            .rev()
            .map(|&(t, _)| t)
            .filter(|&t| t < g.tmax && t > 0.0)
            .take(2)
            .last()
            .unwrap_or(g.tmax / 3.0);
        let after = data
            .quantified
            .iter()
            .map(|&(t, _)| t)
            .find(|&t| t > g.tmax)
            .unwrap_or(g.tmax * 2.0);
        let lo_tmax = finite_or(before.max(0.1).ln(), 0.0);
        let hi_tmax = finite_or(after.max(g.tmax * 1.05).ln(), lo_tmax + 1.0);
        // The rates and the memory fraction over the population's plausible range (Stein
        // 2019 Table 1: typical value x exp(+-2.5 omega) or wider), wide enough to hold the
        // data-driven guesses.
        let rho = (g.rho.min(0.1), g.rho.max(4.0));
        let alpha = (g.alpha.min(0.015), g.alpha.max(2.0));
        let beta = (g.beta.min(1e-4), g.beta.max(0.05));
        let fb = (g.fb.min(2e-4), g.fb.max(0.3));
        Some(vec![
            (ln_cmax - 1.1, ln_cmax + 1.6),
            (lo_tmax, hi_tmax.max(lo_tmax + 0.05)),
            (rho.0.ln(), rho.1.ln()),
            (alpha.0.ln(), alpha.1.ln()),
            (beta.0.ln(), beta.1.ln()),
            (logit(fb.0), logit(fb.1)),
        ])
    }

    fn ridge_anchor(&self, data: &DataSummary) -> Option<RidgeAnchor> {
        // The rates and the memory fraction: Stein 2019 Table 1's typical values, spread by
        // the between-subject SDs (sqrt omega^2; rho = ln(foldx) / Tmax, whose ln has SD
        // ~0.64 from those of foldx and Tmax). The peak: the data's own (Cmax and Tmax
        // depend on the assay and its unit, the population's are for blood qPCR).
        let t = crate::simulate::Typical::published();
        let w = crate::simulate::published_omega2();
        let rho = t.foldx.ln() / t.tmax;
        let theta = vec![
            data.cmax.ln(),
            data.tmax.ln(),
            rho.ln(),
            (t.alpha - t.beta).ln(),
            t.beta.ln(),
            logit(t.fb),
        ];
        let sd = vec![
            w.cmax.sqrt(),
            w.tmax.sqrt(),
            0.64,
            w.alpha.sqrt(),
            w.beta.sqrt(),
            w.fb.sqrt(),
        ];
        theta
            .iter()
            .all(|x| x.is_finite())
            .then_some(RidgeAnchor { theta, sd })
    }

    fn derived(&self, v: &[f64]) -> Vec<Derived> {
        let p = SteinParams::from_slice(v);
        let ln2 = std::f64::consts::LN_2;
        let d = |name, unit, value| Derived { name, unit, value };
        vec![
            d("foldx", "unitless", (p.rho * p.tmax).exp()),
            d("c0", "conc", p.cmax * (-p.rho * p.tmax).exp()),
            d("doubling_time", "day", ln2 / p.rho),
            d("contraction_half_life", "day", ln2 / p.alpha),
            d("persistence_half_life", "day", ln2 / p.beta),
        ]
    }
}

/// `x` when finite, else `default`.
fn finite_or(x: f64, default: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        default
    }
}

/// `x` clamped to [lo, hi] when finite, else `default` (also clamped). Never panics for
/// finite bounds with lo <= hi; the bounds themselves are made safe by the callers.
fn clamp_or(x: f64, lo: f64, hi: f64, default: f64) -> f64 {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let v = if x.is_finite() { x } else { default };
    v.max(lo).min(hi)
}

/// The data-driven guesses of the six parameters (NCA-like), always finite and inside the
/// model's domain, whatever the (finite) data.
struct Guess {
    cmax: f64,
    tmax: f64,
    rho: f64,
    alpha: f64,
    beta: f64,
    fb: f64,
}

impl Guess {
    /// The guesses with the peak at the observed Tmax, or at `tmax` when given (a peak
    /// between samples: the peak is extrapolated from the sample before it at the rate of
    /// the rise into that sample).
    fn of(data: &DataSummary, tmax: Option<f64>) -> Guess {
        let observed = if data.cmax.is_finite() && data.cmax > 0.0 {
            data.cmax
        } else {
            1.0
        };
        let tmax = clamp_or(tmax.unwrap_or(data.tmax), 0.5, f64::MAX, 0.5);
        let q = &data.quantified;
        // The rise into the last sample before the peak (or at it).
        let left = q.iter().rposition(|&(t, _)| t <= tmax);
        let rise = left.and_then(|i| {
            let (tl, cl) = q[i];
            let (tp, cp) = q[..i].iter().rev().find(|&&(t, c)| t < tl && c > 0.0)?;
            let r = (cl / cp).ln() / (tl - tp);
            (r > 0.0 && r.is_finite()).then_some((r, tl, cl))
        });
        // Expansion: the rise into the peak, else from the first quantified value before
        // the peak, else from the LLOQ at time 0 (the product is infused below the LLOQ in
        // most patients).
        let rho = rise
            .map(|(r, ..)| r)
            .or_else(|| {
                q.iter()
                    .find(|&&(t, c)| t < tmax && c > 0.0 && c < observed)
                    .map(|&(t, c)| (observed / c).ln() / (tmax - t))
            })
            .or_else(|| data.lloq.map(|l| (observed / l).max(2.0).ln() / tmax))
            .unwrap_or(3900f64.ln() / tmax);
        let rho = clamp_or(rho, 0.05, 5.0, 0.889);
        // The peak: the observed maximum, or above it when the peak lies after the last
        // sample before it (at most 50 times).
        let cmax = match (tmax > data.tmax, left) {
            (true, Some(i)) => {
                let (tl, cl) = q[i];
                clamp_or(
                    cl * (rho * (tmax - tl)).exp(),
                    observed,
                    (50.0 * observed).min(f64::MAX),
                    observed,
                )
            }
            _ => observed,
        };
        // Contraction: the log-slope from the peak to the first value a week or more later.
        // (At times of ~1e16 days, t - tmax can be 0: the guess falls back to the typical
        // value instead of a NaN.)
        let alpha = data
            .quantified
            .iter()
            .find(|&&(t, _)| t >= tmax + 5.0)
            .map(|&(t, c)| (cmax / c).ln() / (t - tmax))
            .unwrap_or(0.16);
        let alpha = clamp_or(alpha, 0.02, 2.0, 0.16);
        // Persistence: NCA lambda_z when it is slower than the contraction, else a typical
        // value.
        let beta = data
            .lambda_z
            .filter(|&l| l > 0.0 && l < 0.5 * alpha)
            .unwrap_or(0.003);
        let beta = clamp_or(beta, 1e-4, 0.5 * alpha, 0.003);
        // Memory fraction: the last quantified value against the persistence line.
        let fb = data
            .quantified
            .iter()
            .rev()
            .find(|&&(t, _)| t > tmax + 28.0)
            .map(|&(t, c)| c / (cmax * (-beta * (t - tmax)).exp()))
            .unwrap_or(0.01);
        let fb = clamp_or(fb, 1e-4, 0.3, 0.01);
        Guess {
            cmax,
            tmax,
            rho,
            alpha,
            beta,
            fb,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_path_equals_the_closed_form_through_theta() {
        // Hand check at day 30 (science.md's equation): ln(24000) + ln((1 - 0.0079)
        // e^{-0.16 * 20.7} + 0.0079 e^{-0.0032 * 20.7}) = 6.8484..., and the theta path
        // gives the same numbers everywhere, including where e^{-alpha d} underflows.
        let p = SteinParams::published();
        let m = Stein2019;
        let th = m
            .to_theta(&p.to_vec())
            .expect("published values are in the domain");
        let times = [0.0, 1.0, 9.3, 9.3 + 1e-9, 16.3, 30.0, 180.0, 5_000.0, 1e6];
        let mut a = vec![0.0; times.len()];
        let mut b = vec![0.0; times.len()];
        m.ln_conc_batch(&th, &times, &mut a, None);
        assert!(Stein2019::ln_conc_natural(&p, &times, &mut b));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-12 * x.abs().max(1.0), "{x} {y}");
        }
        let d: f64 = 30.0 - 9.3;
        let want = 24000f64.ln()
            + ((1.0 - 0.0079) * (-0.16 * d).exp() + 0.0079 * (-0.0032 * d).exp()).ln();
        assert!((b[5] - want).abs() < 1e-12, "{} {want}", b[5]);
        let outside = SteinParams { alpha: 0.001, ..p };
        assert!(!Stein2019::ln_conc_natural(&outside, &times, &mut b));
    }

    #[test]
    fn log_scale_path_equals_the_natural_path() {
        // The published values (Cmax 24000, foldx 3900, Tmax 9.3, alpha 0.16, FB 0.0079,
        // beta 0.0032) on the population's log scale give the natural path's numbers,
        // including the hand value at day 30 of the test above, and the same domain.
        let p = SteinParams::published();
        let log =
            |cmax: f64, foldx: f64, tmax: f64, alpha: f64, fb: f64, beta: f64| SteinLogParams {
                ln_cmax: cmax.ln(),
                ln_foldx: foldx.ln(),
                ln_tmax: tmax.ln(),
                ln_alpha: alpha.ln(),
                logit_fb: (fb / (1.0 - fb)).ln(),
                ln_beta: beta.ln(),
            };
        let times = [0.0, 1.0, 9.3, 9.3 + 1e-9, 16.3, 30.0, 180.0, 5_000.0, 1e6];
        let mut a = vec![0.0; times.len()];
        let mut b = vec![0.0; times.len()];
        let q = log(24000.0, 3900.0, 9.3, 0.16, 0.0079, 0.0032);
        assert!(Stein2019::ln_conc_log_scale(&q, &times, &mut a));
        assert!(Stein2019::ln_conc_natural(&p, &times, &mut b));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-12 * x.abs().max(1.0), "{x} {y}");
        }
        let d: f64 = 30.0 - 9.3;
        let want = 24000f64.ln()
            + ((1.0 - 0.0079) * (-0.16 * d).exp() + 0.0079 * (-0.0032 * d).exp()).ln();
        assert!((a[5] - want).abs() < 1e-12, "{} {want}", a[5]);
        // Outside: alpha <= beta, foldx <= 1, FB rounding to 1.
        for bad in [
            log(24000.0, 3900.0, 9.3, 0.001, 0.0079, 0.0032),
            log(24000.0, 0.9, 9.3, 0.16, 0.0079, 0.0032),
            SteinLogParams {
                logit_fb: 40.0,
                ..q
            },
        ] {
            assert!(
                !Stein2019::ln_conc_log_scale(&bad, &times, &mut a),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn closed_form_matches_published_derivations() {
        // science.md: C0 = 24000/3900 = 6.154 copies/ug; rho = ln(3900)/9.3 = 0.889111/day;
        // half-lives ln2/0.16 = 4.33 d and ln2/0.0032 = 216.6 d.
        let p = SteinParams::published();
        let m = Stein2019;
        let d = m.derived(&p.to_vec());
        assert!((d[1].value - 24000.0 / 3900.0).abs() < 1e-9);
        assert!((p.rho - 0.889111).abs() < 1e-6);
        assert!((d[3].value - 4.332).abs() < 1e-3);
        assert!((d[4].value - 216.6).abs() < 0.1);
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

    /// Regression: times of ~1e16 days made `starts` panic (`f64::clamp` with a NaN bound,
    /// from t - tmax = 0 in f64). Any finite input gives finite starts in the domain.
    #[test]
    fn starts_never_panic_on_extreme_finite_data() {
        let m = Stein2019;
        let cases = [
            (
                1e16,
                vec![(1e16, 100.0), (1e16 + 2.0, 50.0), (1e16 + 4.0, 80.0)],
            ),
            (1e-300, vec![(0.0, 1e-300), (1e-300, 1e-300)]),
            (5.0, vec![(1.0, f64::MAX), (5.0, f64::MAX), (9.0, 1.0)]),
            (3.0, vec![(-1e300, 2.0), (3.0, 5.0), (1e300, 1e-300)]),
        ];
        for (tmax, q) in cases {
            let cmax = q.iter().map(|&(_, c)| c).fold(0.0, f64::max);
            for lambda_z in [None, Some(1e300), Some(1e-300), Some(0.01)] {
                for lloq in [None, Some(1e-300), Some(1e300)] {
                    let data = DataSummary {
                        cmax,
                        tmax,
                        quantified: q.clone(),
                        lloq,
                        lambda_z,
                    };
                    let starts = m.starts(&data);
                    assert!(!starts.is_empty());
                    for s in starts {
                        assert!(s.iter().all(|x| x.is_finite()), "{data:?}: {s:?}");
                    }
                    for (lo, hi) in m.start_box(&data).unwrap() {
                        assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{data:?}");
                    }
                }
            }
        }
    }
}
