//! Cellular-kinetic models. A model is a trait the user implements ([`CkModel`]); the
//! fitter knows nothing about any particular model. [`by_name`] resolves a model from its
//! name (the CLI's `--model`), once, so that fit, plot and report share the same value.

mod stein;

use crate::fit::FitError;
use std::sync::Arc;

pub use stein::{Stein2019, SteinLogParams, SteinParams};

/// A parameter as reported, on the natural scale.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ParamSpec {
    /// Name, e.g. `alpha`.
    pub name: &'static str,
    /// Unit, e.g. `1/day`.
    pub unit: &'static str,
    /// What it is, for reports.
    pub description: &'static str,
}

/// A quantity derived from the natural-scale parameters (e.g. fold expansion), for reports.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Derived {
    /// Name, e.g. `foldx`.
    pub name: &'static str,
    /// Unit (`conc` is the profile's concentration unit).
    pub unit: &'static str,
    /// Value.
    pub value: f64,
}

/// What the data say before any fit, for starting values: taken from NCA of the profile.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSummary {
    /// Observed Cmax (concentration unit).
    pub cmax: f64,
    /// Observed Tmax (day).
    pub tmax: f64,
    /// Quantified (time, concentration) pairs, by time.
    pub quantified: Vec<(f64, f64)>,
    /// The smallest LLOQ of the profile, if any.
    pub lloq: Option<f64>,
    /// The NCA terminal rate constant, if any (1/day).
    pub lambda_z: Option<f64>,
}

/// Where on a flat likelihood ridge the tie-break ([`crate::fit::ridge`]) settles: a point of
/// `theta` and a spread per component (the distance is sum(((theta - anchor) / sd)^2)).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RidgeAnchor {
    /// The anchor on the scale of `theta`.
    pub theta: Vec<f64>,
    /// The spread of each component (e.g. the population's between-subject SD).
    pub sd: Vec<f64>,
}

/// A mechanistic CK model with a closed form or a solver for ln C(t).
///
/// Parameters live on an unconstrained scale `theta` (log, logit, log-differences) inside
/// the optimiser; [`CkModel::to_natural`] maps them to the natural scale for reports.
pub trait CkModel: Sync + Send {
    /// Short name, e.g. `stein2019`.
    fn name(&self) -> &'static str;

    /// The natural-scale parameters, in the order of [`CkModel::to_natural`].
    fn parameters(&self) -> &'static [ParamSpec];

    /// Number of unconstrained parameters (the length of `theta`).
    fn n_theta(&self) -> usize;

    /// ln C(t) at `t` days for `theta`; when `grad` is given, fills it with
    /// d ln C / d theta (length [`CkModel::n_theta`]).
    fn ln_conc(&self, theta: &[f64], t: f64, grad: Option<&mut [f64]>) -> f64;

    /// ln C at every time in `times` into `out`; when `grad` is given (row-major,
    /// `times.len()` rows of [`CkModel::n_theta`]), the gradients too. The default calls
    /// [`CkModel::ln_conc`] per time; a model overrides it to transform `theta` once per
    /// evaluation instead of once per observation.
    fn ln_conc_batch(
        &self,
        theta: &[f64],
        times: &[f64],
        out: &mut [f64],
        mut grad: Option<&mut [f64]>,
    ) {
        let k = self.n_theta();
        for (i, &t) in times.iter().enumerate() {
            out[i] = self.ln_conc(
                theta,
                t,
                grad.as_deref_mut().map(|g| &mut g[i * k..(i + 1) * k]),
            );
        }
    }

    /// Natural-scale parameter values.
    fn to_natural(&self, theta: &[f64]) -> Vec<f64>;

    /// The unconstrained parameters of natural-scale values (inverse of `to_natural`);
    /// `None` if the values are outside the model's domain.
    fn to_theta(&self, natural: &[f64]) -> Option<Vec<f64>>;

    /// Starting points for the optimiser, from the data (the model's best guesses). Must
    /// not panic for any finite data.
    fn starts(&self, data: &DataSummary) -> Vec<Vec<f64>>;

    /// The plausible region of `theta` for this profile, one `(low, high)` interval per
    /// component: the fitter spreads further starting points over it (a Latin hypercube).
    /// The optimiser is not confined to it. `None` (the default): the fitter uses
    /// [`CkModel::starts`] only.
    fn start_box(&self, data: &DataSummary) -> Option<Vec<(f64, f64)>> {
        let _ = data;
        None
    }

    /// The anchor of the tie-break on flat likelihood ridges for this profile (the
    /// population's typical values, say): among the points the data cannot tell apart, the
    /// fitter reports the one nearest it. `None` (the default): the optimum the search found
    /// stands.
    fn ridge_anchor(&self, data: &DataSummary) -> Option<RidgeAnchor> {
        let _ = data;
        None
    }

    /// Quantities derived from the natural parameters, for reports.
    fn derived(&self, natural: &[f64]) -> Vec<Derived>;
}

/// A model resolved once ([`by_name`]) and passed by value through the settings of fit,
/// plot and report, so that no caller names a particular model.
#[derive(Clone)]
pub struct SharedModel(pub Arc<dyn CkModel>);

impl Default for SharedModel {
    /// Stein 2019, the model every command fits unless `--model` says otherwise.
    fn default() -> Self {
        SharedModel(Arc::new(Stein2019))
    }
}

impl std::fmt::Debug for SharedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedModel").field(&self.0.name()).finish()
    }
}

impl std::ops::Deref for SharedModel {
    type Target = dyn CkModel;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}

/// The names [`by_name`] knows.
pub const MODEL_NAMES: &[&str] = &["stein2019"];

/// The model called `name` (case and surrounding spaces ignored): `stein2019`.
pub fn by_name(name: &str) -> Result<Arc<dyn CkModel>, FitError> {
    match name.trim().to_ascii_lowercase().as_str() {
        "stein2019" | "stein" => Ok(Arc::new(Stein2019)),
        _ => Err(FitError::UnknownModel {
            name: name.to_string(),
            known: MODEL_NAMES.join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_model_defaults_to_stein2019() {
        let m = SharedModel::default();
        assert_eq!(m.name(), "stein2019");
        assert_eq!(format!("{m:?}"), "SharedModel(\"stein2019\")");
        let named = SharedModel(by_name("stein").expect("stein is a known name"));
        assert_eq!(named.parameters(), m.parameters());
    }

    #[test]
    fn models_by_name() {
        let m = by_name(" Stein2019 ").unwrap();
        assert_eq!(m.name(), "stein2019");
        assert_eq!(m.parameters().len(), m.n_theta());
        let e = by_name("emax").err().unwrap();
        assert_eq!(
            e.to_string(),
            "unknown model 'emax'; expected one of: stein2019"
        );
    }
}
