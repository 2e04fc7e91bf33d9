//! The structural model of a population fit: a [`CkModel`] seen through the parameters the
//! population statement puts distributions on. The CK model stays the seam: it computes
//! ln C(t) from its unconstrained theta; a [`Structural`] maps population parameters psi
//! (natural scale) to that theta.

use super::statement::Transform;
use crate::model::{CkModel, Stein2019, SteinLogParams, SteinParams};

/// A population parameter as the structural model names it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PopParamSpec {
    /// Name, e.g. `foldx`.
    pub name: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// The usual between-subject distribution.
    pub transform: Transform,
}

/// A CK model with a population parameterisation.
pub trait Structural: Sync + Send {
    /// Name for reports.
    fn name(&self) -> &'static str;
    /// The CK model that computes ln C(t).
    fn model(&self) -> &dyn CkModel;
    /// The population parameters psi, in order.
    fn parameters(&self) -> &[PopParamSpec];
    /// The model's theta from natural-scale psi; `None` outside the model's domain.
    fn theta(&self, psi: &[f64]) -> Option<Vec<f64>>;
    /// ln C at `times` into `out` from psi; `false` outside the model's domain. By default
    /// through [`Self::theta`]; a model can skip that round trip (SAEM's sampler calls this
    /// millions of times).
    fn ln_conc(&self, psi: &[f64], times: &[f64], out: &mut [f64]) -> bool {
        let Some(theta) = self.theta(psi) else {
            return false;
        };
        self.model().ln_conc_batch(&theta, times, out, None);
        true
    }
    /// As [`Self::ln_conc`], from the transformed parameters phi (psi = h^-1(phi) by
    /// `transforms`; `psi` is scratch space of the same length). By default through psi; a
    /// model whose ln C is simpler on the transformed scale can skip that step.
    fn ln_conc_phi(
        &self,
        phi: &[f64],
        transforms: &[Transform],
        psi: &mut [f64],
        times: &[f64],
        out: &mut [f64],
    ) -> bool {
        to_psi(phi, transforms, psi);
        self.ln_conc(psi, times, out)
    }
}

/// psi = h^-1(phi), parameter by parameter, into `psi`.
pub(crate) fn to_psi(phi: &[f64], transforms: &[Transform], psi: &mut [f64]) {
    for ((p, t), f) in psi.iter_mut().zip(transforms).zip(phi) {
        *p = t.to_psi(*f);
    }
}

/// Stein 2019 in the paper's parameterisation, as its Table 1 reports it: Cmax, fold
/// expansion foldx = Cmax/C0, Tmax, alpha, FB, beta; rho = ln(foldx)/Tmax. Log-normal
/// random effects, logit-normal for FB. A draw with alpha <= beta or foldx <= 1 is outside
/// the model's domain (the model needs alpha > beta, rho > 0); the sampler never accepts it,
/// which truncates the log-normal distributions there (at the published values this cuts
/// about 0.2% of the alpha/beta prior mass).
#[derive(Debug, Clone, Copy, Default)]
pub struct SteinPopulation;

const STEIN_POP: [PopParamSpec; 6] = [
    PopParamSpec {
        name: "cmax",
        unit: "conc",
        transform: Transform::LogNormal,
    },
    PopParamSpec {
        name: "foldx",
        unit: "fold",
        transform: Transform::LogNormal,
    },
    PopParamSpec {
        name: "tmax",
        unit: "day",
        transform: Transform::LogNormal,
    },
    PopParamSpec {
        name: "alpha",
        unit: "1/day",
        transform: Transform::LogNormal,
    },
    PopParamSpec {
        name: "fb",
        unit: "fraction",
        transform: Transform::LogitNormal,
    },
    PopParamSpec {
        name: "beta",
        unit: "1/day",
        transform: Transform::LogNormal,
    },
];

impl Structural for SteinPopulation {
    fn name(&self) -> &'static str {
        "stein2019"
    }
    fn model(&self) -> &dyn CkModel {
        &Stein2019
    }
    fn parameters(&self) -> &[PopParamSpec] {
        &STEIN_POP
    }
    fn theta(&self, psi: &[f64]) -> Option<Vec<f64>> {
        Stein2019.to_theta(&stein_params(psi)?.to_array())
    }
    fn ln_conc(&self, psi: &[f64], times: &[f64], out: &mut [f64]) -> bool {
        stein_params(psi).is_some_and(|p| Stein2019::ln_conc_natural(&p, times, out))
    }
    fn ln_conc_phi(
        &self,
        phi: &[f64],
        transforms: &[Transform],
        psi: &mut [f64],
        times: &[f64],
        out: &mut [f64],
    ) -> bool {
        // With the usual transforms, phi is already (ln Cmax, ln foldx, ln Tmax, ln alpha,
        // logit FB, ln beta): no round trip through psi.
        if transforms.iter().eq(STEIN_POP.iter().map(|s| &s.transform)) {
            let p = SteinLogParams {
                ln_cmax: phi[0],
                ln_foldx: phi[1],
                ln_tmax: phi[2],
                ln_alpha: phi[3],
                logit_fb: phi[4],
                ln_beta: phi[5],
            };
            return Stein2019::ln_conc_log_scale(&p, times, out);
        }
        to_psi(phi, transforms, psi);
        self.ln_conc(psi, times, out)
    }
}

/// The model's parameters from the population's (Cmax, foldx, Tmax, alpha, FB, beta):
/// rho = ln(foldx)/Tmax; `None` where that is not a positive rate.
fn stein_params(psi: &[f64]) -> Option<SteinParams> {
    let (cmax, foldx, tmax, alpha, fb, beta) = (psi[0], psi[1], psi[2], psi[3], psi[4], psi[5]);
    (foldx > 1.0 && tmax > 0.0)
        .then(|| SteinParams::from_fold_expansion(cmax, foldx, tmax, alpha, beta, fb))
}

/// Any [`CkModel`] with population distributions on its own natural parameters
/// ([`CkModel::parameters`], [`CkModel::to_theta`]); log-normal by default.
pub struct ModelParameters<M: CkModel> {
    model: M,
    specs: Vec<PopParamSpec>,
}

impl<M: CkModel> ModelParameters<M> {
    /// Log-normal on every parameter; change a transform with [`Self::with_transform`].
    pub fn new(model: M) -> Self {
        let specs = model
            .parameters()
            .iter()
            .map(|p| PopParamSpec {
                name: p.name,
                unit: p.unit,
                transform: Transform::LogNormal,
            })
            .collect();
        ModelParameters { model, specs }
    }

    /// Sets one parameter's transform (e.g. logit-normal for a fraction).
    pub fn with_transform(mut self, name: &str, transform: Transform) -> Self {
        for s in &mut self.specs {
            if s.name == name {
                s.transform = transform;
            }
        }
        self
    }
}

impl<M: CkModel> Structural for ModelParameters<M> {
    fn name(&self) -> &'static str {
        self.model.name()
    }
    fn model(&self) -> &dyn CkModel {
        &self.model
    }
    fn parameters(&self) -> &[PopParamSpec] {
        &self.specs
    }
    fn theta(&self, psi: &[f64]) -> Option<Vec<f64>> {
        self.model.to_theta(psi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_path_equals_the_psi_path_and_falls_back_for_other_transforms() {
        // psi = the published values (Cmax 24000, foldx 3900, Tmax 9.3, alpha 0.16,
        // FB 0.0079, beta 0.0032); phi by the usual transforms.
        let psi = [24000.0, 3900.0, 9.3, 0.16, 0.0079, 0.0032];
        let transforms: Vec<Transform> = STEIN_POP.iter().map(|s| s.transform).collect();
        let phi: Vec<f64> = psi
            .iter()
            .zip(&transforms)
            .map(|(p, t)| t.to_phi(*p).expect("in the domain"))
            .collect();
        let times = [0.0, 3.0, 9.3, 20.0, 90.0, 365.0];
        let (mut a, mut b) = (vec![0.0; 6], vec![0.0; 6]);
        let mut scratch = vec![0.0; 6];
        let m = SteinPopulation;
        assert!(m.ln_conc(&psi, &times, &mut a));
        assert!(m.ln_conc_phi(&phi, &transforms, &mut scratch, &times, &mut b));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-12 * x.abs().max(1.0), "{x} {y}");
        }
        // FB as a normal parameter: phi[4] is FB itself, through psi.
        let mut other = transforms.clone();
        other[4] = Transform::Normal;
        let mut phi_other = phi.clone();
        phi_other[4] = psi[4];
        assert!(m.ln_conc_phi(&phi_other, &other, &mut scratch, &times, &mut b));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-12 * x.abs().max(1.0), "{x} {y}");
        }
    }
}
