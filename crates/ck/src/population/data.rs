//! The data of a population fit: one subject's observations and covariates, and their
//! compiled form (log values, censoring flags, one design row per parameter).

use super::statement::{CovariateKind, PopulationModel};
use crate::likelihood::{BlqMethod, Observation};
use std::collections::BTreeMap;

/// A covariate value of one subject.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum CovariateValue {
    /// Continuous, in the covariate's unit.
    Number(f64),
    /// Categorical level.
    Level(String),
}

/// One subject of a population fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PopulationSubject {
    /// Identifier.
    pub id: String,
    /// Observations of one matrix x assay (e.g. blood qPCR). Samples at t <= 0 are
    /// pre-infusion (background) and are left out of the likelihood (science notes).
    pub observations: Vec<Observation>,
    /// Covariates by column name.
    pub covariates: BTreeMap<String, CovariateValue>,
}

impl PopulationSubject {
    /// A subject from an ingested profile (one matrix x assay): quantified values and BLQ
    /// samples with an LLOQ; missing values and BLQ without an LLOQ are left out (the M3
    /// likelihood needs the limit).
    pub fn from_profile(profile: &cartpk_core::Profile) -> Self {
        use cartpk_core::SampleValue;
        let observations = profile
            .samples
            .iter()
            .filter_map(|s| match s.value {
                SampleValue::Quantified { value } => Some(Observation::Quantified {
                    t: s.time,
                    y: value,
                }),
                SampleValue::Blq { lloq: Some(lloq) } => {
                    Some(Observation::Censored { t: s.time, lloq })
                }
                _ => None,
            })
            .collect();
        PopulationSubject::new(profile.key.subject.clone(), observations)
    }

    /// A subject without covariates.
    pub fn new(id: impl Into<String>, observations: Vec<Observation>) -> Self {
        PopulationSubject {
            id: id.into(),
            observations,
            covariates: BTreeMap::new(),
        }
    }
}

/// A subject as the algorithm sees it.
#[derive(Debug, Clone)]
pub(crate) struct SubjectData {
    /// Index in the caller's subject list.
    pub index: usize,
    pub id: String,
    /// Observation times (days), quantified and censored.
    pub times: Vec<f64>,
    /// ln y for a quantified value, ln LLOQ for a censored one.
    pub ln_y: Vec<f64>,
    pub censored: Vec<bool>,
    /// Per parameter, the design row: 1 (the typical value) then its covariate columns.
    pub x: Vec<Vec<f64>>,
}

/// Compiles the subjects: a subject without a quantified observation after the infusion,
/// or with a missing or unusable covariate, is left out with a warning naming it.
pub(crate) fn compile(
    model: &PopulationModel,
    subjects: &[PopulationSubject],
    blq: BlqMethod,
    warnings: &mut Vec<String>,
) -> Vec<SubjectData> {
    let mut out = Vec::new();
    'subject: for (index, s) in subjects.iter().enumerate() {
        let (mut times, mut ln_y, mut censored) = (Vec::new(), Vec::new(), Vec::new());
        for o in &s.observations {
            match *o {
                Observation::Quantified { t, y } if t > 0.0 && y > 0.0 && y.is_finite() => {
                    times.push(t);
                    ln_y.push(y.ln());
                    censored.push(false);
                }
                Observation::Censored { t, lloq }
                    if t > 0.0 && lloq > 0.0 && lloq.is_finite() && blq == BlqMethod::M3 =>
                {
                    times.push(t);
                    ln_y.push(lloq.ln());
                    censored.push(true);
                }
                _ => {}
            }
        }
        if censored.iter().all(|c| *c) {
            warnings.push(format!(
                "subject {}: no quantified observation after the infusion; left out of the population fit",
                s.id
            ));
            continue;
        }
        let mut x: Vec<Vec<f64>> = vec![vec![1.0]; model.parameters.len()];
        for c in &model.covariates {
            let Some(k) = model.index(c.parameter) else {
                continue; // checked by validate()
            };
            let value = match (&c.kind, s.covariates.get(&c.covariate)) {
                (CovariateKind::Categorical { level }, Some(CovariateValue::Level(v))) => {
                    f64::from(u8::from(v == level))
                }
                (CovariateKind::Categorical { level }, Some(CovariateValue::Number(v))) => {
                    f64::from(u8::from(level.parse::<f64>().ok() == Some(*v)))
                }
                (CovariateKind::Power { reference }, Some(CovariateValue::Number(v)))
                    if *v > 0.0 && v.is_finite() =>
                {
                    (v / reference).ln()
                }
                (_, value) => {
                    warnings.push(format!(
                        "subject {}: covariate '{}' is {}; left out of the population fit",
                        s.id,
                        c.covariate,
                        match value {
                            None => "missing".to_string(),
                            Some(v) => format!("{v:?}, not a positive number"),
                        }
                    ));
                    continue 'subject;
                }
            };
            x[k].push(value);
        }
        out.push(SubjectData {
            index,
            id: s.id.clone(),
            times,
            ln_y,
            censored,
            x,
        });
    }
    out
}
