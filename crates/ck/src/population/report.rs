//! A population fit of a cohort as rows of result tables: plain serialisable structs that
//! the CLI (`cartpk fit --population`) and the report write as they are. Which profiles make
//! a cohort ([`cohorts`]), the fit with its diagnostics ([`fit_cohort`]) and the rows
//! ([`PopulationTables`]): parameters, individual estimates in the per-profile table's
//! columns, shrinkage, VPC and residuals.

use super::{
    fit_population, residuals, vpc, PopulationError, PopulationFit, PopulationModel,
    PopulationSubject, ResidualOptions, SaemOptions, Variability, VpcOptions,
};
use crate::model::{CkModel, Derived};
use cartpk_core::{ConcUnit, Profile, SampleValue};

/// The fewest subjects with a quantified sample after the infusion for a population fit of
/// one matrix x assay (below it, per-profile fits only). With fewer, omega^2 rests on too few
/// subjects to be estimated with any precision (Monolix's tutorials and saemix's examples
/// use cohorts of 20 or more).
pub const MIN_POPULATION_SUBJECTS: usize = 20;

/// One matrix x assay of a dataset: the profiles a population fit pools.
#[derive(Debug, Clone)]
pub struct Cohort<'a> {
    /// Matrix label (`blood`, ...).
    pub matrix: String,
    /// Assay label (`qpcr`, ...).
    pub assay: String,
    /// The profiles' concentration unit.
    pub unit: ConcUnit,
    /// The profiles, in input order.
    pub profiles: Vec<&'a Profile>,
    /// Subjects with a quantified sample after the infusion.
    pub n_eligible: usize,
}

impl Cohort<'_> {
    /// The subjects of the fit (one per profile).
    pub fn subjects(&self) -> Vec<PopulationSubject> {
        self.profiles
            .iter()
            .map(|p| PopulationSubject::from_profile(p))
            .collect()
    }
}

fn has_quantified_after_infusion(p: &Profile) -> bool {
    p.samples.iter().any(|s| {
        s.time > 0.0 && matches!(s.value, SampleValue::Quantified { value } if value > 0.0)
    })
}

/// Groups the profiles by matrix x assay (in order of first appearance) and keeps the
/// groups a population fit can use: a concentration unit (the model's residual error is
/// additive on ln C; %CAR+ profiles are fitted per profile on the logit scale) and at least
/// `min_subjects` subjects with a quantified sample after the infusion. Every group left
/// out gets a warning saying why.
pub fn cohorts(profiles: &[Profile], min_subjects: usize) -> (Vec<Cohort<'_>>, Vec<String>) {
    let mut groups: Vec<Cohort<'_>> = Vec::new();
    for p in profiles {
        let (m, a) = (p.key.matrix.label(), p.key.assay.label());
        match groups.iter_mut().find(|g| g.matrix == m && g.assay == a) {
            Some(g) => g.profiles.push(p),
            None => groups.push(Cohort {
                matrix: m.to_string(),
                assay: a.to_string(),
                unit: p.unit.clone(),
                profiles: vec![p],
                n_eligible: 0,
            }),
        }
    }
    let mut warnings = Vec::new();
    let mut kept = Vec::new();
    for mut g in groups {
        g.n_eligible = g
            .profiles
            .iter()
            .filter(|p| has_quantified_after_infusion(p))
            .count();
        let name = format!("{} {}", g.matrix, g.assay);
        if g.profiles.iter().any(|p| p.unit != g.unit) {
            warnings.push(format!(
                "{name}: profiles in more than one unit; no population fit (per-profile fits only)"
            ));
        } else if g.unit == ConcUnit::PercentCarPositive {
            warnings.push(format!(
                "{name}: %CAR+ values; the population model is on ln concentration, so no population fit (per-profile fits only)"
            ));
        } else if g.n_eligible < min_subjects {
            warnings.push(format!(
                "{name}: {} subjects with a quantified sample after the infusion, fewer than the {min_subjects} a population fit needs; per-profile fits only",
                g.n_eligible
            ));
        } else {
            kept.push(g);
        }
    }
    (kept, warnings)
}

/// Settings of [`fit_cohort`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CohortFitOptions {
    /// SAEM.
    pub saem: SaemOptions,
    /// VPC.
    pub vpc: VpcOptions,
    /// Residual diagnostics.
    pub residuals: ResidualOptions,
}

impl CohortFitOptions {
    /// Defaults with every random stream derived from one seed (the SAEM, VPC and
    /// residual streams differ, so they never reuse each other's draws).
    pub fn with_seed(seed: u64) -> Self {
        CohortFitOptions {
            saem: SaemOptions {
                seed,
                ..SaemOptions::default()
            },
            vpc: VpcOptions {
                seed: seed.wrapping_add(1),
                ..VpcOptions::default()
            },
            residuals: ResidualOptions {
                seed: seed.wrapping_add(2),
                ..ResidualOptions::default()
            },
        }
    }
}

/// The key every row carries.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CohortKey {
    /// Matrix.
    pub matrix: String,
    /// Assay.
    pub assay: String,
    /// Concentration unit of the data.
    pub conc_unit: String,
}

/// A model unit with `conc` replaced by the data's unit.
pub fn unit_of(unit: &str, conc_unit: &str) -> String {
    match unit {
        "conc" => conc_unit.to_string(),
        "ln(conc)" => format!("ln({conc_unit})"),
        u => u.to_string(),
    }
}

/// One row of `population_parameters`: a typical value with its between-subject variance
/// (`kind` `typical`), a covariate effect (`covariate`) or the residual SD (`residual`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParameterRow {
    /// Cohort.
    #[serde(flatten)]
    pub key: CohortKey,
    /// Parameter name (`cmax`), covariate-effect label, or `sigma`.
    pub parameter: String,
    /// `typical`, `covariate` or `residual`.
    pub kind: &'static str,
    /// `random_effect`, `no_random_effect` or `fixed` (typical rows).
    pub variability: Option<&'static str>,
    /// Estimate: typical value (natural scale), covariate coefficient beta (transformed
    /// scale) or sigma (SD of ln C).
    pub estimate: f64,
    /// Unit of the estimate.
    pub unit: String,
    /// SE of the estimate.
    pub se: Option<f64>,
    /// RSE, %.
    pub rse_percent: Option<f64>,
    /// Between-subject variance on the transformed scale.
    pub omega2: Option<f64>,
    /// Its SE.
    pub omega2_se: Option<f64>,
    /// Its RSE, %.
    pub omega2_rse_percent: Option<f64>,
    /// Between-subject CV, %.
    pub cv_percent: Option<f64>,
    /// 95% Wald interval of a covariate coefficient.
    pub ci95_low: Option<f64>,
    /// Upper end.
    pub ci95_high: Option<f64>,
    /// exp(beta) of a covariate effect.
    pub ratio: Option<f64>,
}

/// One subject's individual estimates, in the per-profile fit table's parameter order
/// ([`CkModel::parameters`]) with its derived quantities.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndividualRow {
    /// Cohort.
    #[serde(flatten)]
    pub key: CohortKey,
    /// Subject.
    pub subject: String,
    /// Observations in the likelihood.
    pub n_obs: usize,
    /// Censored (BLQ) among them.
    pub n_blq: usize,
    /// -2 ln p(y_i) by importance sampling.
    pub neg2ll: f64,
    /// Distinct local modes the optimiser reached (the best is reported).
    pub local_modes: usize,
    /// -2 ln posterior gap to the second-best mode (0 when one).
    pub mode_gap: f64,
    /// Conditional mode (the empirical Bayes estimate), model parameter order.
    pub mode: Vec<f64>,
    /// Conditional median over the post-convergence chains.
    pub median: Vec<f64>,
    /// Derived quantities at the mode (the per-profile table's derived columns).
    pub derived: Vec<Derived>,
}

/// One row of `population_shrinkage`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ShrinkageRow {
    /// Cohort.
    #[serde(flatten)]
    pub key: CohortKey,
    /// `eta` (per parameter with a random effect) or `epsilon`.
    pub kind: &'static str,
    /// Parameter (`sigma` for epsilon).
    pub parameter: String,
    /// Shrinkage, %.
    pub shrinkage_percent: f64,
}

/// One row of `population_vpc`: a percentile (`panel` `percentile`, concentrations in
/// `conc_unit`) or the BLQ fraction (`blq`, fractions) in one time bin.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VpcRow {
    /// Cohort.
    #[serde(flatten)]
    pub key: CohortKey,
    /// `percentile` or `blq`.
    pub panel: &'static str,
    /// Bin index.
    pub bin: usize,
    /// Median time in the bin, days.
    pub time_day: f64,
    /// Percentile, % (percentile panel).
    pub percentile: Option<f64>,
    /// Observations in the bin (BLQ panel).
    pub n: Option<usize>,
    /// Observed percentile or BLQ fraction; `None` when the percentile is below the LLOQ.
    pub observed: Option<f64>,
    /// Median over the simulated replicates.
    pub simulated_median: Option<f64>,
    /// Lower end of the prediction interval.
    pub simulated_low: Option<f64>,
    /// Upper end.
    pub simulated_high: Option<f64>,
}

/// One row of `population_residuals`: one observation's diagnostics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResidualTableRow {
    /// Cohort.
    #[serde(flatten)]
    pub key: CohortKey,
    /// Subject, day, observed (None when BLQ), LLOQ of a BLQ value, PRED, IPRED, IWRES,
    /// pd, npd.
    #[serde(flatten)]
    pub row: super::ResidualRow,
}

/// Every table of one cohort's population fit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PopulationTables {
    /// Cohort.
    pub key: CohortKey,
    /// The model's parameter names and units (the individual columns; `conc` is the data's
    /// unit, see [`unit_of`]).
    pub model_parameters: Vec<(&'static str, &'static str)>,
    /// Parameters.
    pub parameters: Vec<ParameterRow>,
    /// Individual estimates.
    pub individuals: Vec<IndividualRow>,
    /// Shrinkage.
    pub shrinkage: Vec<ShrinkageRow>,
    /// VPC.
    pub vpc: Vec<VpcRow>,
    /// Residuals.
    pub residuals: Vec<ResidualTableRow>,
    /// -2LL, AIC, BIC, subjects, observations.
    pub neg2ll: f64,
    /// AIC.
    pub aic: f64,
    /// BIC.
    pub bic: f64,
    /// Subjects fitted.
    pub n_subjects: usize,
    /// Observations.
    pub n_observations: usize,
    /// Warnings of the fit.
    pub warnings: Vec<String>,
    /// The fit itself (trace and everything else).
    #[serde(skip)]
    pub fit: PopulationFit,
}

fn variability_label(v: &Variability) -> &'static str {
    match v {
        Variability::RandomEffect => "random_effect",
        Variability::NoRandomEffect => "no_random_effect",
        Variability::Fixed => "fixed",
    }
}

/// The rows of `population_parameters`.
pub fn parameter_rows(fit: &PopulationFit, key: &CohortKey) -> Vec<ParameterRow> {
    let mut rows = Vec::new();
    for p in &fit.parameters {
        rows.push(ParameterRow {
            key: key.clone(),
            parameter: p.name.to_string(),
            kind: "typical",
            variability: Some(variability_label(&p.variability)),
            estimate: p.typical,
            unit: unit_of(p.unit, &key.conc_unit),
            se: p.typical_se,
            rse_percent: p.typical_rse_percent,
            omega2: p.omega2,
            omega2_se: p.omega2_se,
            omega2_rse_percent: p.omega2_rse_percent,
            cv_percent: p.cv_percent,
            ci95_low: None,
            ci95_high: None,
            ratio: None,
        });
    }
    for c in &fit.covariate_effects {
        rows.push(ParameterRow {
            key: key.clone(),
            parameter: c.label.clone(),
            kind: "covariate",
            variability: None,
            estimate: c.estimate,
            unit: "transformed".to_string(),
            se: c.se,
            rse_percent: c.rse_percent,
            omega2: None,
            omega2_se: None,
            omega2_rse_percent: None,
            cv_percent: None,
            ci95_low: c.ci95.map(|c| c.0),
            ci95_high: c.ci95.map(|c| c.1),
            ratio: Some(c.ratio),
        });
    }
    rows.push(ParameterRow {
        key: key.clone(),
        parameter: "sigma".to_string(),
        kind: "residual",
        variability: None,
        estimate: fit.residual.sigma,
        unit: format!("ln({})", key.conc_unit),
        se: fit.residual.se,
        rse_percent: fit.residual.rse_percent,
        omega2: None,
        omega2_se: None,
        omega2_rse_percent: None,
        cv_percent: None,
        ci95_low: None,
        ci95_high: None,
        ratio: None,
    });
    rows
}

/// The rows of `population_individual`.
pub fn individual_rows(
    fit: &PopulationFit,
    model: &dyn CkModel,
    key: &CohortKey,
) -> Vec<IndividualRow> {
    fit.individuals
        .iter()
        .map(|i| IndividualRow {
            key: key.clone(),
            subject: i.subject.clone(),
            n_obs: i.n_observations,
            n_blq: i.n_censored,
            neg2ll: i.neg2ll,
            local_modes: i.local_modes,
            mode_gap: i.mode_gap,
            mode: i.model_mode.clone(),
            median: i.model_median.clone(),
            derived: model.derived(&i.model_mode),
        })
        .collect()
}

/// The rows of `population_shrinkage`: eta-shrinkage per parameter with a random effect,
/// then epsilon-shrinkage.
pub fn shrinkage_rows(fit: &PopulationFit, key: &CohortKey) -> Vec<ShrinkageRow> {
    let mut rows: Vec<ShrinkageRow> = fit
        .parameters
        .iter()
        .filter_map(|p| {
            p.shrinkage_percent.map(|s| ShrinkageRow {
                key: key.clone(),
                kind: "eta",
                parameter: p.name.to_string(),
                shrinkage_percent: s,
            })
        })
        .collect();
    rows.push(ShrinkageRow {
        key: key.clone(),
        kind: "epsilon",
        parameter: "sigma".to_string(),
        shrinkage_percent: fit.epsilon_shrinkage_percent,
    });
    rows
}

/// The rows of `population_vpc`: the percentile panel, then the BLQ panel.
pub fn vpc_rows(v: &super::Vpc, key: &CohortKey) -> Vec<VpcRow> {
    let mut rows: Vec<VpcRow> = v
        .percentiles
        .iter()
        .map(|r| VpcRow {
            key: key.clone(),
            panel: "percentile",
            bin: r.bin,
            time_day: r.time,
            percentile: Some(r.percentile),
            n: None,
            observed: r.observed,
            simulated_median: r.simulated_median,
            simulated_low: r.simulated_low,
            simulated_high: r.simulated_high,
        })
        .collect();
    rows.extend(v.blq.iter().map(|r| VpcRow {
        key: key.clone(),
        panel: "blq",
        bin: r.bin,
        time_day: r.time,
        percentile: None,
        n: Some(r.n),
        observed: Some(r.observed),
        simulated_median: Some(r.simulated_median),
        simulated_low: Some(r.simulated_low),
        simulated_high: Some(r.simulated_high),
    }));
    rows
}

/// Fits the population model to a cohort and computes its diagnostics (VPC, residuals).
pub fn fit_cohort(
    cohort: &Cohort<'_>,
    model: &PopulationModel,
    options: &CohortFitOptions,
) -> Result<PopulationTables, PopulationError> {
    fit_cohort_subjects(cohort, cohort.subjects(), model, options)
}

/// As [`fit_cohort`], with the covariate effects `specs` (e.g. `cmax~response`) added to
/// the model and their values taken from the subjects file `table`
/// ([`super::resolve_covariates`]; its errors name the file and column).
pub fn fit_cohort_with_covariates(
    cohort: &Cohort<'_>,
    model: &PopulationModel,
    specs: &[super::CovariateSpec],
    table: Option<&cartpk_core::SubjectsTable>,
    options: &CohortFitOptions,
) -> Result<PopulationTables, PopulationError> {
    let mut subjects = cohort.subjects();
    if specs.is_empty() {
        return fit_cohort_subjects(cohort, subjects, model, options);
    }
    let Some(table) = table else {
        return Err(PopulationError::Statement(
            "covariate effects need a subjects file with the covariate columns".into(),
        ));
    };
    let ids: Vec<&str> = subjects.iter().map(|s| s.id.as_str()).collect();
    let (statements, values) = super::resolve_covariates(model, specs, table, &ids)?;
    super::attach_covariates(&mut subjects, &values);
    let mut model = model.clone();
    model.covariates.extend(statements);
    fit_cohort_subjects(cohort, subjects, &model, options)
}

/// As [`fit_cohort`], with the cohort's subjects given (e.g. with covariates attached by
/// [`super::attach_covariates`]).
pub fn fit_cohort_subjects(
    cohort: &Cohort<'_>,
    subjects: Vec<PopulationSubject>,
    model: &PopulationModel,
    options: &CohortFitOptions,
) -> Result<PopulationTables, PopulationError> {
    let fit = fit_population(model, &subjects, &options.saem)?;
    let v = vpc(&fit, model, &subjects, &options.vpc)?;
    let r = residuals(&fit, model, &subjects, &options.residuals)?;
    let key = CohortKey {
        matrix: cohort.matrix.clone(),
        assay: cohort.assay.clone(),
        conc_unit: cohort.unit.label().to_string(),
    };
    let ck = model.structural.model();
    Ok(PopulationTables {
        model_parameters: ck.parameters().iter().map(|p| (p.name, p.unit)).collect(),
        parameters: parameter_rows(&fit, &key),
        individuals: individual_rows(&fit, ck, &key),
        shrinkage: shrinkage_rows(&fit, &key),
        vpc: vpc_rows(&v, &key),
        residuals: r
            .into_iter()
            .map(|row| ResidualTableRow {
                key: key.clone(),
                row,
            })
            .collect(),
        neg2ll: fit.neg2ll,
        aic: fit.aic,
        bic: fit.bic,
        n_subjects: fit.n_subjects,
        n_observations: fit.n_observations,
        warnings: fit.warnings.clone(),
        key,
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{simulate, CohortSpec};
    use cartpk_core::{Assay, Matrix};

    fn blood(n: usize) -> Vec<Profile> {
        simulate(&CohortSpec::published(n, 11))
            .iter()
            .flat_map(|s| s.profiles())
            .filter(|p| p.key.matrix == Matrix::Blood && p.key.assay == Assay::Qpcr)
            .collect()
    }

    #[test]
    fn cohorts_keep_concentration_groups_with_enough_subjects() {
        let mut profiles = blood(25);
        assert_eq!(profiles.len(), 25);
        // The same samples as %CAR+ flow values: never pooled.
        let flow: Vec<Profile> = profiles
            .iter()
            .map(|p| {
                let mut q = p.clone();
                q.key.assay = Assay::Flow;
                q.unit = ConcUnit::PercentCarPositive;
                q
            })
            .collect();
        profiles.extend(flow);
        let (kept, warnings) = cohorts(&profiles, 20);
        assert_eq!(kept.len(), 1);
        assert_eq!(
            (kept[0].matrix.as_str(), kept[0].assay.as_str()),
            ("blood", "qpcr")
        );
        assert_eq!(kept[0].profiles.len(), 25);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("blood flow: %CAR+"), "{warnings:?}");

        let (kept, warnings) = cohorts(&profiles[..25], 30);
        assert!(kept.is_empty());
        assert_eq!(
            warnings,
            vec![format!(
                "blood qpcr: {} subjects with a quantified sample after the infusion, fewer than the 30 a population fit needs; per-profile fits only",
                kept_eligible(&profiles[..25])
            )]
        );
    }

    /// Counted by hand from the samples, independently of `cohorts`.
    fn kept_eligible(profiles: &[Profile]) -> usize {
        profiles
            .iter()
            .filter(|p| {
                p.samples
                    .iter()
                    .any(|s| s.time > 0.0 && s.value.quantified().is_some())
            })
            .count()
    }

    #[test]
    fn parameter_rows_carry_every_estimate_with_units() {
        let profiles = blood(30);
        let (kept, _) = cohorts(&profiles, 20);
        let options = CohortFitOptions {
            saem: SaemOptions {
                seed: 5,
                exploratory: 60,
                smoothing: 40,
                conditional_iterations: 50,
                importance_draws: 100,
                ..SaemOptions::default()
            },
            vpc: VpcOptions {
                replicates: 50,
                ..VpcOptions::default()
            },
            residuals: ResidualOptions {
                simulations: 50,
                seed: 1,
            },
        };
        let t = fit_cohort(&kept[0], &PopulationModel::stein2019(), &options).unwrap();
        let names: Vec<&str> = t.parameters.iter().map(|r| r.parameter.as_str()).collect();
        assert_eq!(
            names,
            ["cmax", "foldx", "tmax", "alpha", "fb", "beta", "sigma"]
        );
        assert_eq!(t.parameters[0].unit, "copies/ug");
        assert_eq!(t.parameters[6].unit, "ln(copies/ug)");
        assert_eq!(t.parameters[6].estimate, t.fit.residual.sigma);
        for (row, p) in t.parameters.iter().zip(&t.fit.parameters) {
            assert_eq!(row.estimate, p.typical);
            assert_eq!(row.omega2, p.omega2);
        }
        // Individual rows: the model's parameter order, derived quantities at the mode.
        assert_eq!(t.individuals.len(), t.fit.individuals.len());
        let ck = crate::model::Stein2019;
        let names: Vec<&str> = ck.parameters().iter().map(|p| p.name).collect();
        assert_eq!(
            t.model_parameters.iter().map(|p| p.0).collect::<Vec<_>>(),
            names
        );
        assert_eq!(t.individuals[0].derived, ck.derived(&t.individuals[0].mode));
        // Six eta-shrinkages and epsilon; residual rows for every observation fitted.
        assert_eq!(t.shrinkage.len(), 7);
        assert_eq!(
            t.residuals.len(),
            t.individuals.iter().map(|i| i.n_obs).sum::<usize>()
        );
    }
}
