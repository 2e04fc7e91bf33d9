//! The cohort tables of a CAR-T clinical pharmacology report, from per-profile NCA:
//! exposure summaries per matrix x assay (and group), the fraction of patients with
//! quantifiable transgene at landmark days, exposure-response, and tissue-to-blood ratios.

use crate::criteria::{AcceptanceCriteria, Exclusion};
use crate::metric::Metric;
use crate::sampling::Support;
use crate::stats::{
    fraction_quantifiable, geometric_mean_ratio, summarise, summarise_values, wilcoxon_rank_sum,
};
use cartpk_core::{Matrix, Profile, SampleValue};
use cartpk_nca::NcaResult;
use serde::Serialize;
use std::collections::BTreeMap;

/// One profile as the cohort tables see it: its NCA, its group, what its sampling
/// supports.
#[derive(Debug, Clone, Copy)]
pub struct ExposureRow<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Its NCA (`None`: NCA failed, see the warnings).
    pub nca: Option<&'a NcaResult>,
    /// The subject's group (e.g. response), when a subjects file gives one.
    pub group: Option<&'a str>,
    /// What the profile's sampling supports.
    pub support: Support,
}

/// A summarised exposure metric: one row of `summary.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Matrix label.
    pub matrix: String,
    /// Assay label.
    pub assay: String,
    /// `all`, or the group.
    pub group: String,
    /// PKNCA's name (`cmax`, `aucint.last.0-28`, `half.life`), as in `nca_wide.csv`.
    pub parameter: String,
    /// CDISC PPTESTCD.
    pub pptestcd: String,
    /// Study-report label (`Cmax`, `AUC0-28d`, `t1/2`).
    pub label: String,
    /// Unit of the statistics.
    pub unit: String,
    /// Values the statistics are computed over.
    pub n: usize,
    /// Profiles whose value fails the acceptance criteria or the sampling rule.
    pub n_excluded: usize,
    /// Why, by reason code: `span_short: 3; adj_r_squared_low: 1`.
    pub excluded_reasons: String,
    /// Profiles without any quantifiable sample (no exposure metric to summarise).
    pub n_blq: usize,
    /// Profiles whose value is NA (e.g. no terminal phase for t1/2) or whose NCA failed.
    pub n_missing: usize,
    /// Geometric mean (values > 0).
    #[serde(serialize_with = "crate::files::opt_num")]
    pub geo_mean: Option<f64>,
    /// Geometric CV, %.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub geo_cv_pct: Option<f64>,
    /// Arithmetic mean.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub mean: Option<f64>,
    /// SD.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub sd: Option<f64>,
    /// Median.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub median: Option<f64>,
    /// Smallest value.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub min: Option<f64>,
    /// Largest value.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub max: Option<f64>,
}

type Key = (String, String);

fn key(p: &Profile) -> Key {
    (
        p.key.matrix.label().to_string(),
        p.key.assay.label().to_string(),
    )
}

/// Profiles by matrix x assay, and within each by `all` and by group.
#[allow(clippy::type_complexity)]
fn by_kind_and_group<'a>(
    rows: &[ExposureRow<'a>],
) -> BTreeMap<Key, Vec<(String, Vec<ExposureRow<'a>>)>> {
    let mut kinds: BTreeMap<Key, Vec<ExposureRow<'a>>> = BTreeMap::new();
    for r in rows {
        kinds.entry(key(r.profile)).or_default().push(*r);
    }
    kinds
        .into_iter()
        .map(|(k, rs)| {
            let mut groups: BTreeMap<String, Vec<ExposureRow<'a>>> = BTreeMap::new();
            for r in &rs {
                if let Some(g) = r.group {
                    groups.entry(g.to_string()).or_default().push(*r);
                }
            }
            let mut out = vec![("all".to_string(), rs)];
            out.extend(groups);
            (k, out)
        })
        .collect()
}

/// What one profile contributes to a metric's summary.
#[derive(Debug, Clone, PartialEq)]
pub enum Contribution {
    /// A value that enters the statistics (`None`: NA).
    Value(Option<f64>),
    /// No quantifiable sample.
    AllBlq,
    /// Left out, with the reasons.
    Excluded(Vec<Exclusion>),
    /// NCA failed.
    Failed,
}

/// What `r` contributes to the summary of `metric`.
pub fn contribution(r: &ExposureRow<'_>, metric: Metric, c: &AcceptanceCriteria) -> Contribution {
    let Some(nca) = r.nca else {
        return Contribution::Failed;
    };
    if r.support == Support::Visits {
        return Contribution::Excluded(vec![Exclusion::SparseSampling]);
    }
    if nca.n_quant == 0 {
        return Contribution::AllBlq;
    }
    let ex = metric.exclusions(nca, c);
    if ex.is_empty() {
        Contribution::Value(metric.value(nca))
    } else {
        Contribution::Excluded(ex)
    }
}

/// Summary statistics of `metrics` for the matrix x assay kinds in `kinds` (those whose
/// sampling supports the full NCA), for all subjects and per group. Estimates failing the
/// acceptance criteria, sparse profiles and all-BLQ profiles are left out and counted.
pub fn summary_table(
    rows: &[ExposureRow<'_>],
    metrics: &[Metric],
    criteria: &AcceptanceCriteria,
    kinds: &dyn Fn(&str, &str) -> bool,
) -> Vec<SummaryRow> {
    let mut out = Vec::new();
    for ((matrix, assay), groups) in by_kind_and_group(rows) {
        if !kinds(&matrix, &assay) {
            continue;
        }
        for (group, rs) in groups {
            let conc = rs[0].profile.unit.label().to_string();
            let dose_unit = rs
                .iter()
                .find_map(|r| r.profile.dose.as_ref().map(|d| d.unit.clone()));
            for &metric in metrics {
                if metric.needs_dose() && dose_unit.is_none() {
                    continue;
                }
                let mut values = Vec::new();
                let (mut n_blq, mut n_failed, mut n_excluded) = (0, 0, 0);
                let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
                for r in &rs {
                    match contribution(r, metric, criteria) {
                        Contribution::Value(v) => values.push(v),
                        Contribution::AllBlq => n_blq += 1,
                        Contribution::Failed => n_failed += 1,
                        Contribution::Excluded(ex) => {
                            n_excluded += 1;
                            for e in ex {
                                *reasons.entry(e.code()).or_default() += 1;
                            }
                        }
                    }
                }
                let s = summarise(&values);
                out.push(SummaryRow {
                    matrix: matrix.clone(),
                    assay: assay.clone(),
                    group: group.clone(),
                    parameter: metric.name(),
                    pptestcd: metric.pptestcd().to_string(),
                    label: metric.label(),
                    unit: metric.unit(&conc, dose_unit.as_deref()),
                    n: s.n,
                    n_excluded,
                    excluded_reasons: reasons
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                    n_blq,
                    n_missing: s.n_missing + n_failed,
                    geo_mean: s.geo_mean,
                    geo_cv_pct: s.geo_cv_pct,
                    mean: s.mean,
                    sd: s.sd,
                    median: s.median,
                    min: s.min,
                    max: s.max,
                });
            }
        }
    }
    out
}

/// One profile's value of one metric, with whether it enters the summaries: a row of
/// `estimates.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateRow {
    /// Subject.
    pub subject: String,
    /// Matrix.
    pub matrix: String,
    /// Assay.
    pub assay: String,
    /// PKNCA name.
    pub parameter: String,
    /// CDISC PPTESTCD.
    pub pptestcd: String,
    /// Study-report label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// The value (NA when not computable).
    #[serde(serialize_with = "crate::files::opt_num")]
    pub value: Option<f64>,
    /// Whether it enters the summary statistics.
    pub included: bool,
    /// Why not (empty when included).
    pub reason: String,
}

/// Every profile's value of every metric of the kinds in `kinds`, flagged.
pub fn estimate_rows(
    rows: &[ExposureRow<'_>],
    metrics: &[Metric],
    criteria: &AcceptanceCriteria,
    kinds: &dyn Fn(&str, &str) -> bool,
) -> Vec<EstimateRow> {
    let mut out = Vec::new();
    for r in rows {
        let (m, a) = key(r.profile);
        if !kinds(&m, &a) {
            continue;
        }
        let Some(nca) = r.nca else { continue };
        let conc = r.profile.unit.label();
        let dose_unit = r.profile.dose.as_ref().map(|d| d.unit.as_str());
        for &metric in metrics {
            if metric.needs_dose() && dose_unit.is_none() {
                continue;
            }
            let (included, reason) = match contribution(r, metric, criteria) {
                Contribution::Value(_) => (true, String::new()),
                Contribution::AllBlq => (false, "all samples BLQ".to_string()),
                Contribution::Failed => (false, "NCA failed".to_string()),
                Contribution::Excluded(ex) => (
                    false,
                    ex.iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            out.push(EstimateRow {
                subject: r.profile.key.subject.clone(),
                matrix: m.clone(),
                assay: a.clone(),
                parameter: metric.name(),
                pptestcd: metric.pptestcd().to_string(),
                label: metric.label(),
                unit: metric.unit(conc, dose_unit),
                value: metric.value(nca),
                included,
                reason,
            });
        }
    }
    out
}

/// Concentrations at one visit of a sparsely sampled matrix: a row of `visits.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitRow {
    /// Matrix.
    pub matrix: String,
    /// Assay.
    pub assay: String,
    /// `all` or the group.
    pub group: String,
    /// Visit day (sample time rounded to the day).
    #[serde(serialize_with = "crate::files::num")]
    pub day: f64,
    /// Concentration unit.
    pub unit: String,
    /// Patients sampled at the visit.
    pub n_sampled: usize,
    /// Of them, BLQ.
    pub n_blq: usize,
    /// Of them, quantified (the statistics are over these).
    pub n: usize,
    /// Geometric mean.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub geo_mean: Option<f64>,
    /// Geometric CV, %.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub geo_cv_pct: Option<f64>,
    /// Median.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub median: Option<f64>,
    /// Smallest.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub min: Option<f64>,
    /// Largest.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub max: Option<f64>,
}

/// Concentration at each visit (sample time rounded to the day) for the kinds in `kinds`
/// (those reported as visits), for all subjects and per group.
pub fn visit_table(rows: &[ExposureRow<'_>], kinds: &dyn Fn(&str, &str) -> bool) -> Vec<VisitRow> {
    let mut out = Vec::new();
    for ((matrix, assay), groups) in by_kind_and_group(rows) {
        if !kinds(&matrix, &assay) {
            continue;
        }
        for (group, rs) in groups {
            let unit = rs[0].profile.unit.label().to_string();
            let mut days: BTreeMap<i64, (usize, Vec<Option<f64>>)> = BTreeMap::new();
            for r in &rs {
                for s in &r.profile.samples {
                    let e = days.entry(s.time.round() as i64).or_default();
                    match s.value {
                        SampleValue::Missing => {}
                        SampleValue::Quantified { value } if value > 0.0 => e.1.push(Some(value)),
                        _ => e.0 += 1,
                    }
                }
            }
            for (day, (n_blq, values)) in days {
                if n_blq + values.len() == 0 {
                    continue;
                }
                let s = summarise(&values);
                out.push(VisitRow {
                    matrix: matrix.clone(),
                    assay: assay.clone(),
                    group: group.clone(),
                    day: day as f64,
                    unit: unit.clone(),
                    n_sampled: n_blq + values.len(),
                    n_blq,
                    n: s.n,
                    geo_mean: s.geo_mean,
                    geo_cv_pct: s.geo_cv_pct,
                    median: s.median,
                    min: s.min,
                    max: s.max,
                });
            }
        }
    }
    out
}

/// Half-width of the visit window around a landmark day: 10% of the day, at least 1 day
/// (day 28 +-2.8, day 84 +-8.4, day 168 +-16.8, day 365 +-36.5), the order of the visit
/// windows of CAR-T protocols.
pub fn landmark_window(day: f64) -> f64 {
    (0.1 * day).max(1.0)
}

/// Whether a profile is quantifiable at a landmark `day`: the sample nearest to the day
/// within its visit window ([`landmark_window`]) decides; `None` when no sample falls in
/// the window.
pub fn quantifiable_at(profile: &Profile, day: f64) -> Option<bool> {
    let w = landmark_window(day);
    profile
        .samples
        .iter()
        .filter(|s| (s.time - day).abs() <= w && s.value != SampleValue::Missing)
        .min_by(|a, b| (a.time - day).abs().total_cmp(&(b.time - day).abs()))
        .map(|s| s.value.quantified().is_some_and(|x| x > 0.0))
}

/// Fraction of subjects with quantifiable levels at a landmark day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantifiableRow {
    /// Matrix label.
    pub matrix: String,
    /// Assay label.
    pub assay: String,
    /// `all` or the group.
    pub group: String,
    /// Day.
    #[serde(serialize_with = "crate::files::num")]
    pub day: f64,
    /// Subjects quantifiable then.
    pub n_quantifiable: usize,
    /// Subjects sampled then.
    pub n_sampled: usize,
    /// n_quantifiable / n_sampled.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub fraction: Option<f64>,
}

/// The fraction of subjects with quantifiable levels at each of `days` (e.g. 28, 84, 168,
/// 365), among those sampled that day.
pub fn quantifiable_table(rows: &[ExposureRow<'_>], days: &[f64]) -> Vec<QuantifiableRow> {
    let mut out = Vec::new();
    for ((matrix, assay), groups) in by_kind_and_group(rows) {
        for (group, rs) in groups {
            for &day in days {
                let flags: Vec<Option<bool>> =
                    rs.iter().map(|r| quantifiable_at(r.profile, day)).collect();
                let (n_quantifiable, n_sampled, fraction) = fraction_quantifiable(&flags);
                if n_sampled == 0 {
                    continue;
                }
                out.push(QuantifiableRow {
                    matrix: matrix.clone(),
                    assay: assay.clone(),
                    group: group.clone(),
                    day,
                    n_quantifiable,
                    n_sampled,
                    fraction,
                });
            }
        }
    }
    out
}

/// An exposure metric compared between responders and non-responders: a row of
/// `exposure_response.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureResponseRow {
    /// Matrix label.
    pub matrix: String,
    /// Assay label.
    pub assay: String,
    /// PKNCA name.
    pub parameter: String,
    /// CDISC PPTESTCD.
    pub pptestcd: String,
    /// Study-report label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Responders with a value.
    pub n_responders: usize,
    /// Their geometric mean.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub geo_mean_responders: Option<f64>,
    /// Non-responders with a value.
    pub n_non_responders: usize,
    /// Their geometric mean.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub geo_mean_non_responders: Option<f64>,
    /// Ratio of geometric means responders / non-responders (Welch t on the log scale).
    #[serde(serialize_with = "crate::files::opt_num")]
    pub gm_ratio: Option<f64>,
    /// Its 95% CI, lower bound.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub gm_ratio_lower_95: Option<f64>,
    /// Its 95% CI, upper bound.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub gm_ratio_upper_95: Option<f64>,
    /// Two-sided Wilcoxon rank-sum W.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub wilcoxon_w: Option<f64>,
    /// Its p-value.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub wilcoxon_p: Option<f64>,
    /// Whether the p-value is exact.
    pub wilcoxon_exact: Option<bool>,
}

/// `metrics` (e.g. Cmax and AUC0-28d) by response, per matrix x assay of `kinds`.
/// `responder` says whether a group value counts as response (`Some(true)`),
/// non-response (`Some(false)`), or neither. All-BLQ profiles enter the rank test (their
/// exposure is the lowest) and not the geometric means.
pub fn exposure_response(
    rows: &[ExposureRow<'_>],
    metrics: &[Metric],
    criteria: &AcceptanceCriteria,
    kinds: &dyn Fn(&str, &str) -> bool,
    responder: &dyn Fn(&str) -> Option<bool>,
) -> Vec<ExposureResponseRow> {
    let mut by: BTreeMap<Key, Vec<ExposureRow<'_>>> = BTreeMap::new();
    for r in rows {
        by.entry(key(r.profile)).or_default().push(*r);
    }
    let mut out = Vec::new();
    for ((matrix, assay), rs) in by {
        if !kinds(&matrix, &assay) {
            continue;
        }
        let conc = rs[0].profile.unit.label().to_string();
        for &metric in metrics {
            let (mut yes, mut no) = (Vec::new(), Vec::new());
            for r in &rs {
                let v = match contribution(r, metric, criteria) {
                    Contribution::Value(Some(v)) if v.is_finite() => v,
                    Contribution::AllBlq => 0.0,
                    _ => continue,
                };
                match r.group.and_then(responder) {
                    Some(true) => yes.push(v),
                    Some(false) => no.push(v),
                    None => {}
                }
            }
            if yes.is_empty() && no.is_empty() {
                continue;
            }
            let positive =
                |v: &[f64]| -> Vec<f64> { v.iter().copied().filter(|x| *x > 0.0).collect() };
            let ratio = geometric_mean_ratio(&positive(&yes), &positive(&no));
            let w = wilcoxon_rank_sum(&yes, &no);
            out.push(ExposureResponseRow {
                matrix: matrix.clone(),
                assay: assay.clone(),
                parameter: metric.name(),
                pptestcd: metric.pptestcd().to_string(),
                label: metric.label(),
                unit: metric.unit(&conc, None),
                n_responders: yes.len(),
                geo_mean_responders: summarise_values(&yes).geo_mean,
                n_non_responders: no.len(),
                geo_mean_non_responders: summarise_values(&no).geo_mean,
                gm_ratio: ratio.map(|x| x.ratio),
                gm_ratio_lower_95: ratio.map(|x| x.lower),
                gm_ratio_upper_95: ratio.map(|x| x.upper),
                wilcoxon_w: w.map(|w| w.w),
                wilcoxon_p: w.map(|w| w.p_value),
                wilcoxon_exact: w.map(|w| w.exact),
            });
        }
    }
    out
}

/// Tissue-to-blood ratio at one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TissueRatioRow {
    /// `marrow` or `csf`.
    pub matrix: String,
    /// Day.
    #[serde(serialize_with = "crate::files::num")]
    pub day: f64,
    /// Pairs (a subject with both values quantifiable that day).
    pub n: usize,
    /// Geometric mean of the ratios.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub geo_mean: Option<f64>,
    /// Median ratio.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub median: Option<f64>,
    /// Smallest ratio.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub min: Option<f64>,
    /// Largest ratio.
    #[serde(serialize_with = "crate::files::opt_num")]
    pub max: Option<f64>,
}

/// Largest time between a tissue sample and the blood sample it is paired with, days:
/// marrow, CSF and blood are drawn at the same visit.
pub const PAIRING_WINDOW_DAYS: f64 = 1.0;

/// Marrow-to-blood and CSF-to-blood qPCR ratios at matched days: for each quantifiable
/// tissue sample, the quantifiable blood sample of the same subject nearest in time within
/// [`PAIRING_WINDOW_DAYS`]; ratios are grouped by the tissue sample's day, rounded.
pub fn tissue_ratios(profiles: &[&Profile]) -> Vec<TissueRatioRow> {
    let is_qpcr = |p: &Profile| p.key.assay == cartpk_core::Assay::Qpcr;
    let blood: BTreeMap<&str, &Profile> = profiles
        .iter()
        .filter(|p| p.key.matrix == Matrix::Blood && is_qpcr(p))
        .map(|p| (p.key.subject.as_str(), *p))
        .collect();
    let mut ratios: BTreeMap<(String, i64), Vec<f64>> = BTreeMap::new();
    for p in profiles
        .iter()
        .filter(|p| matches!(p.key.matrix, Matrix::BoneMarrow | Matrix::Csf) && is_qpcr(p))
    {
        let Some(b) = blood.get(p.key.subject.as_str()) else {
            continue;
        };
        for s in &p.samples {
            let Some(t) = s.value.quantified().filter(|v| *v > 0.0) else {
                continue;
            };
            let paired = b
                .samples
                .iter()
                .filter(|x| (x.time - s.time).abs() <= PAIRING_WINDOW_DAYS)
                .min_by(|x, y| (x.time - s.time).abs().total_cmp(&(y.time - s.time).abs()))
                .and_then(|x| x.value.quantified())
                .filter(|v| *v > 0.0);
            if let Some(bv) = paired {
                ratios
                    .entry((p.key.matrix.label().to_string(), s.time.round() as i64))
                    .or_default()
                    .push(t / bv);
            }
        }
    }
    ratios
        .into_iter()
        .map(|((matrix, day), v)| {
            let s = summarise(&v.iter().map(|x| Some(*x)).collect::<Vec<_>>());
            TissueRatioRow {
                matrix,
                day: day as f64,
                n: v.len(),
                geo_mean: s.geo_mean,
                median: s.median,
                min: s.min,
                max: s.max,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartpk_core::{Assay, ConcUnit, ProfileKey, Sample};

    fn profile(matrix: Matrix, samples: Vec<Sample>) -> Profile {
        let key = ProfileKey {
            subject: "S1".into(),
            matrix,
            assay: Assay::Qpcr,
        };
        Profile::new(key, ConcUnit::CopiesPerUg, samples)
    }

    #[test]
    fn landmarks_use_the_visit_window() {
        // A day-28 visit at day 26.5 counts (window +-2.8); at day 24 it does not.
        let p = profile(
            Matrix::Blood,
            vec![
                Sample::quantified(26.5, 80.0),
                Sample::blq(90.0, Some(50.0)),
            ],
        );
        assert_eq!(quantifiable_at(&p, 28.0), Some(true));
        assert_eq!(quantifiable_at(&p, 84.0), Some(false));
        assert_eq!(quantifiable_at(&p, 168.0), None);
        let late = profile(Matrix::Blood, vec![Sample::quantified(24.0, 80.0)]);
        assert_eq!(quantifiable_at(&late, 28.0), None);
    }

    #[test]
    fn tissue_is_paired_with_blood_of_the_same_visit() {
        let blood = profile(
            Matrix::Blood,
            vec![
                Sample::quantified(27.5, 1000.0),
                Sample::quantified(84.0, 400.0),
            ],
        );
        let marrow = profile(
            Matrix::BoneMarrow,
            vec![
                Sample::quantified(28.0, 500.0),
                Sample::quantified(90.0, 100.0),
            ],
        );
        let r = tissue_ratios(&[&blood, &marrow]);
        // Day 28 pairs with blood at 27.5 (ratio 0.5); day 90 has no blood within 1 day.
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].matrix.as_str(), r[0].day, r[0].n),
            ("marrow", 28.0, 1)
        );
        assert!((r[0].median.unwrap() - 0.5).abs() < 1e-12);
    }
}
