//! One settings value for the whole analysis: the NCA rules, the model fit, the figures,
//! the acceptance criteria of estimates, the sampling rule and the cohort options. Its
//! `Default` is the documented reference default of every rule; the command line reads its
//! defaults from here, so `nca`, `fit`, `plot` and `run` agree.

use crate::criteria::AcceptanceCriteria;
use crate::endpoints::EndpointOptions;
use crate::sampling::SamplingRule;
use cartpk_ck::{FitOptions, SharedModel};
use cartpk_core::Dose;
use cartpk_nca::{LambdaZOverrides, NcaOptions};
use cartpk_plot::PlotOptions;

/// Up to this many patients, the report inlines every patient's figure (SVG); beyond it,
/// the figures are linked PNG files under `plots/patients/`, so that the page stays small.
pub const INLINE_PATIENT_LIMIT: usize = 60;

/// Up to this many patients, linked patient figures are PNG files; beyond it, with
/// [`PatientFigures::Auto`], SVG files (see [`PatientFigures`]).
pub const PNG_PATIENT_LIMIT: usize = 500;

/// File format of the per-patient figures under `plots/patients/`.
///
/// A PNG costs about ten times the CPU of the same figure as SVG (rasterising and
/// compressing 800 x 500 pixels): 2,000 patients' PNGs were half the time of a `cartpk run`.
/// A virtual-trial cohort of thousands of patients is read through its cohort figures and
/// tables, and a patient opened from the report's links reads as well (better when zoomed)
/// as SVG in any browser. Up to [`PNG_PATIENT_LIMIT`] patients `Auto` writes PNG, which
/// slides and documents take as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PatientFigures {
    /// PNG up to [`PNG_PATIENT_LIMIT`] patients, SVG beyond.
    #[default]
    Auto,
    /// Always PNG.
    Png,
    /// Always SVG.
    Svg,
}

impl PatientFigures {
    /// Parses `auto`, `png` or `svg` (any case).
    pub fn parse(s: &str) -> Option<PatientFigures> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(PatientFigures::Auto),
            "png" => Some(PatientFigures::Png),
            "svg" => Some(PatientFigures::Svg),
            _ => None,
        }
    }

    /// Whether a cohort of `n_patients` gets SVG patient files.
    pub fn svg_for(self, n_patients: usize) -> bool {
        match self {
            PatientFigures::Auto => n_patients > PNG_PATIENT_LIMIT,
            PatientFigures::Png => false,
            PatientFigures::Svg => true,
        }
    }
}

/// Default response column of the subjects file.
pub const RESPONSE_COLUMN: &str = "response";

/// Default values of the response column that count as response.
pub const RESPONDERS: &str = "CR,CRi,CR/CRi,CR-CRi,responder,yes,1";

/// Everything that changes a number, a table or a figure of the report.
#[derive(Debug, Clone)]
pub struct Settings {
    /// NCA rules (PKNCA's defaults).
    pub nca: NcaOptions,
    /// Manual lambda_z choices per profile.
    pub lambda_z_overrides: LambdaZOverrides,
    /// Dose for profiles whose input and subjects file give none.
    pub default_dose: Option<Dose>,
    /// The CK model fitted to the rich profiles and drawn in the figures (`--model`; Stein
    /// 2019 by default).
    pub model: SharedModel,
    /// Model-fit settings (BLQ as M3 by default).
    pub fit: FitOptions,
    /// Whether to fit the model at all.
    pub fit_model: bool,
    /// Figure size and resolution.
    pub plot: PlotOptions,
    /// Whether to draw figures (a pipeline that wants tables only can skip them).
    pub figures: bool,
    /// Which estimates enter the summary statistics.
    pub criteria: AcceptanceCriteria,
    /// Which metrics a profile's sampling supports.
    pub sampling: SamplingRule,
    /// Column of the subjects file with the response.
    pub response_column: String,
    /// Values of that column that count as response (compared case-insensitively).
    pub responders: Vec<String>,
    /// Extra column of the subjects file to split the summaries and figures by.
    pub group_by: Option<String>,
    /// Most patients whose figures are inlined in the report ([`INLINE_PATIENT_LIMIT`]).
    pub inline_patient_limit: usize,
    /// File format of the per-patient figures ([`PatientFigures`]).
    pub patient_figures: PatientFigures,
    /// The trial endpoints: response rates, time-to-event, persistence, exposure-response
    /// (the library's documented defaults).
    pub endpoints: EndpointOptions,
    /// The population fit of large enough cohorts (docs/population.md).
    pub population: crate::population_section::PopulationSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            nca: NcaOptions::default(),
            lambda_z_overrides: LambdaZOverrides::new(),
            default_dose: None,
            model: SharedModel::default(),
            fit: FitOptions::default(),
            fit_model: true,
            plot: PlotOptions::default(),
            figures: true,
            criteria: AcceptanceCriteria::default(),
            sampling: SamplingRule::default(),
            response_column: RESPONSE_COLUMN.to_string(),
            responders: RESPONDERS
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .collect(),
            group_by: None,
            inline_patient_limit: INLINE_PATIENT_LIMIT,
            patient_figures: PatientFigures::Auto,
            endpoints: EndpointOptions::default(),
            population: crate::population_section::PopulationSettings::default(),
        }
    }
}

impl Settings {
    /// Whether a response value counts as response.
    pub fn is_responder(&self, value: &str) -> bool {
        let v = value.trim();
        self.responders.iter().any(|r| r.eq_ignore_ascii_case(v))
    }
}
