//! The figures of the report, built from the analysis and drawn by cartpk-plot: one per
//! patient, and per matrix x assay the cohort figure and the model's goodness of fit.

use crate::file_name::unique_stems;
use cartpk_ck::{CkModel, FitResult, Prediction};
use cartpk_core::Profile;
use cartpk_nca::{NcaError, NcaResult};
use cartpk_plot::cohort::{CohortPlot, CohortProfile};
use cartpk_plot::gof::{GofPlot, GofPoint};
use cartpk_plot::patient::{PatientPlot, PatientSeries};
use cartpk_plot::series_label;
use std::collections::BTreeMap;

/// Profile indices by (matrix, assay) label, in label order.
pub fn by_kind(profiles: &[Profile]) -> BTreeMap<(String, String), Vec<usize>> {
    let mut out: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, p) in profiles.iter().enumerate() {
        out.entry((
            p.key.matrix.label().to_string(),
            p.key.assay.label().to_string(),
        ))
        .or_default()
        .push(i);
    }
    out
}

/// The cohort figure of the profiles `idx` (one matrix x assay), grouped by `group_of`.
pub fn cohort_plot(
    profiles: &[Profile],
    idx: &[usize],
    group_of: &dyn Fn(&str) -> Option<String>,
) -> CohortPlot {
    let first = &profiles[idx[0]];
    CohortPlot {
        title: format!(
            "{}: {} patients",
            series_label(&first.key.matrix, &first.key.assay),
            idx.len()
        ),
        unit: first.unit.clone(),
        profiles: idx
            .iter()
            .map(|&i| {
                let p = &profiles[i];
                CohortProfile {
                    subject: p.key.subject.clone(),
                    group: group_of(&p.key.subject),
                    points: PatientSeries::from_profile(p, None).points,
                }
            })
            .collect(),
    }
}

/// The goodness-of-fit figure of the predictions of one matrix x assay (`first` is one of
/// its profiles, for the labels).
pub fn gof_plot(first: &Profile, predictions: &[Prediction]) -> GofPlot {
    GofPlot {
        title: format!(
            "{}: Stein 2019 model, individual fits (open: BLQ at LLOQ)",
            series_label(&first.key.matrix, &first.key.assay)
        ),
        unit_label: first.unit.label().to_string(),
        points: predictions
            .iter()
            .map(|p| GofPoint {
                time: p.time,
                observed: p.observed,
                predicted: p.predicted,
                weighted_residual: p.weighted_residual,
                blq: p.blq,
            })
            .collect(),
    }
}

/// One patient: its subject, the indices of its profiles, and its figure's file stem.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient<'a> {
    /// Subject identifier.
    pub subject: &'a str,
    /// Indices of the subject's profiles.
    pub profiles: Vec<usize>,
    /// File stem of its figure, unique among the patients ([`unique_stems`]).
    pub file_name: String,
}

/// The patients of `profiles`, in subject order.
pub fn patients(profiles: &[Profile]) -> Vec<Patient<'_>> {
    let mut by_subject: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in profiles.iter().enumerate() {
        by_subject
            .entry(p.key.subject.as_str())
            .or_default()
            .push(i);
    }
    let names = unique_stems(&by_subject.keys().copied().collect::<Vec<_>>());
    by_subject
        .into_iter()
        .zip(names)
        .map(|((subject, profiles), file_name)| Patient {
            subject,
            profiles,
            file_name,
        })
        .collect()
}

/// The figure of one patient: every profile with, where `marks(i)` says so, its NCA marks
/// (Cmax: rich profiles only) and, when `fit_of` gives one, the fitted curve up to the last
/// sample (at least day 28), drawn from `model`.
pub fn patient_plot<'f>(
    patient: &Patient<'_>,
    profiles: &[Profile],
    nca: &[Result<NcaResult, NcaError>],
    marks: &(dyn Fn(usize) -> bool + Sync),
    model: &dyn CkModel,
    fit_of: &(dyn Fn(usize) -> Option<&'f FitResult> + Sync),
) -> PatientPlot {
    let series = patient
        .profiles
        .iter()
        .map(|&i| {
            let p = &profiles[i];
            let r = if marks(i) { nca[i].as_ref().ok() } else { None };
            let s = PatientSeries::from_profile(p, r);
            match fit_of(i) {
                Some(f) => {
                    let t_end = p.samples.last().map_or(28.0, |s| s.time).max(28.0);
                    s.with_fit(curve(model, f, t_end))
                }
                None => s,
            }
        })
        .collect();
    PatientPlot {
        subject: patient.subject.to_string(),
        series,
        // The caller knows the subjects file: see `analysis`.
        death_day: None,
    }
}

/// The fitted curve from day 0 to the last sample, on the measured scale.
pub fn curve(model: &dyn CkModel, fit: &FitResult, t_end: f64) -> Vec<(f64, f64)> {
    // On the measured scale (a %CAR+ fit is on the logit scale inside the model), on the
    // plot crate's grid, which is dense over days 0-28 where the curve peaks.
    cartpk_plot::patient::curve_times(0.0, t_end)
        .into_iter()
        .map(|t| (t, fit.predict(model, t)))
        .collect()
}
