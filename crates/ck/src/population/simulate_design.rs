//! Simulating the observed design (each subject's times, covariates and LLOQ) from the
//! fitted population model: the shared step of the VPC and the prediction discrepancies.

use super::data::SubjectData;
use super::loglik::Evaluator;
use super::mstep::PopState;
use super::statement::{PopulationModel, Transform, Variability};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// What a simulation needs from the fit.
pub(crate) struct Simulator<'a> {
    pub model: &'a PopulationModel,
    pub state: &'a PopState,
    pub transforms: Vec<Transform>,
    pub random: Vec<usize>,
}

impl<'a> Simulator<'a> {
    pub fn new(model: &'a PopulationModel, state: &'a PopState) -> Self {
        Simulator {
            model,
            state,
            transforms: model.parameters.iter().map(|p| p.transform).collect(),
            random: (0..model.parameters.len())
                .filter(|&k| model.parameters[k].variability == Variability::RandomEffect)
                .collect(),
        }
    }

    /// ln C at the subject's times for a new individual drawn from the population (with
    /// `eta`) or the typical one (without); `None` outside the model's domain (the draw
    /// is then repeated by the caller).
    pub fn ln_conc<R: Rng>(&self, d: &SubjectData, rng: Option<&mut R>) -> Option<Vec<f64>> {
        let mut phi = self.state.mean_of(d);
        if let Some(rng) = rng {
            for &k in &self.random {
                let z: f64 = StandardNormal.sample(rng);
                phi[k] += self.state.omega2[k].sqrt() * z;
            }
        }
        let mut eval = Evaluator::new(self.model.structural.as_ref(), &self.transforms);
        eval.predict(&phi, d).then(|| eval.pred.clone())
    }

    /// ln C of a new individual, redrawing (up to 100 times) a draw outside the domain.
    pub fn ln_conc_drawn<R: Rng>(&self, d: &SubjectData, rng: &mut R) -> Option<Vec<f64>> {
        (0..100).find_map(|_| self.ln_conc(d, Some(&mut *rng)))
    }
}
