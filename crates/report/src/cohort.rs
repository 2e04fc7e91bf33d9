//! The cohort tables of a CAR-T clinical pharmacology report, from per-profile NCA:
//! exposure summaries per matrix x assay (and group), the fraction of patients with
//! quantifiable transgene at landmark days, exposure-response, and tissue-to-blood ratios.

use crate::stats::{
    fraction_quantifiable, geometric_mean_ratio, summarise, wilcoxon_rank_sum, RatioCi, Summary,
    WilcoxonResult,
};
use cartpk_core::{Matrix, Profile, SampleValue};
use cartpk_nca::NcaResult;
use std::collections::BTreeMap;

/// One profile with its NCA and the subject's group.
#[derive(Debug, Clone, Copy)]
pub struct ExposureRow<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Its NCA.
    pub nca: &'a NcaResult,
    /// The subject's group (e.g. response), when a subjects file gives one.
    pub group: Option<&'a str>,
}

/// A summarised exposure metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Matrix label.
    pub matrix: String,
    /// Assay label.
    pub assay: String,
    /// `all`, or the group.
    pub group: String,
    /// Metric: `cmax`, `auc_0_28`, `auc_0_84`, `clast`, `half_life`, `tmax`, `tlast`.
    pub parameter: &'static str,
    /// Its unit.
    pub unit: String,
    /// The statistics.
    pub summary: Summary,
}

type Key = (String, String);

fn key(p: &Profile) -> Key {
    (
        p.key.matrix.label().to_string(),
        p.key.assay.label().to_string(),
    )
}

/// Profiles by matrix x assay, and within each by `all` and by group.
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

/// Metrics summarised, with the function giving each from an NCA result and its unit kind
/// (`c` concentration, `a` AUC, `t` days).
#[allow(clippy::type_complexity)]
const METRICS: [(&str, char, fn(&NcaResult) -> Option<f64>); 7] = [
    ("cmax", 'c', |r| r.cmax),
    ("auc_0_28", 'a', |r| r.auc_over(0.0, 28.0)),
    ("auc_0_84", 'a', |r| r.auc_over(0.0, 84.0)),
    ("clast", 'c', |r| r.clast_obs),
    ("half_life", 't', |r| r.half_life()),
    ("tmax", 't', |r| r.tmax),
    ("tlast", 't', |r| r.tlast),
];

fn unit(kind: char, conc: &str) -> String {
    match kind {
        'c' => conc.to_string(),
        'a' => format!("day*{conc}"),
        _ => "day".to_string(),
    }
}

/// Summary statistics of every metric per matrix x assay, for all subjects and per group.
/// NA values (e.g. no half-life) are counted as missing, not as zero.
pub fn summary_table(rows: &[ExposureRow<'_>]) -> Vec<SummaryRow> {
    let mut out = Vec::new();
    for ((matrix, assay), groups) in by_kind_and_group(rows) {
        for (group, rs) in groups {
            let conc = rs[0].profile.unit.label().to_string();
            for (name, kind, f) in METRICS {
                // A profile with no usable sample (all missing) has no exposure to
                // summarise: NA, not the 0 PKNCA reports for its partial AUCs.
                let values: Vec<Option<f64>> = rs
                    .iter()
                    .map(|r| {
                        if r.nca.n_quant + r.nca.n_blq > 0 {
                            f(r.nca)
                        } else {
                            None
                        }
                    })
                    .collect();
                out.push(SummaryRow {
                    matrix: matrix.clone(),
                    assay: assay.clone(),
                    group: group.clone(),
                    parameter: name,
                    unit: unit(kind, &conc),
                    summary: summarise(&values),
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
#[derive(Debug, Clone, PartialEq)]
pub struct QuantifiableRow {
    /// Matrix label.
    pub matrix: String,
    /// Assay label.
    pub assay: String,
    /// `all` or the group.
    pub group: String,
    /// Day.
    pub day: f64,
    /// Subjects quantifiable then.
    pub n_quantifiable: usize,
    /// Subjects sampled then.
    pub n_sampled: usize,
    /// n_quantifiable / n_sampled.
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

/// An exposure metric compared between responders and non-responders.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposureResponseRow {
    /// Matrix label.
    pub matrix: String,
    /// Assay label.
    pub assay: String,
    /// `cmax` or `auc_0_28`.
    pub parameter: &'static str,
    /// Unit.
    pub unit: String,
    /// Responders: statistics.
    pub responders: Summary,
    /// Non-responders: statistics.
    pub non_responders: Summary,
    /// Ratio of geometric means responders / non-responders with its 95% CI (Welch t on
    /// the log scale).
    pub ratio: Option<RatioCi>,
    /// Two-sided Wilcoxon rank-sum test (exact for small samples without ties).
    pub wilcoxon: Option<WilcoxonResult>,
}

/// Cmax and AUC0-28d by response, per matrix x assay. `responder` says whether a group
/// value counts as response (`Some(true)`), non-response (`Some(false)`), or neither.
pub fn exposure_response(
    rows: &[ExposureRow<'_>],
    responder: &dyn Fn(&str) -> Option<bool>,
) -> Vec<ExposureResponseRow> {
    let mut kinds: BTreeMap<Key, Vec<ExposureRow<'_>>> = BTreeMap::new();
    for r in rows {
        kinds.entry(key(r.profile)).or_default().push(*r);
    }
    let mut out = Vec::new();
    for ((matrix, assay), rs) in kinds {
        let conc = rs[0].profile.unit.label().to_string();
        for (name, kind, f) in METRICS.iter().take(2) {
            let (mut yes, mut no) = (Vec::new(), Vec::new());
            for r in &rs {
                match (r.group.and_then(responder), f(r.nca)) {
                    (Some(true), v) => yes.push(v),
                    (Some(false), v) => no.push(v),
                    (None, _) => {}
                }
            }
            if yes.is_empty() && no.is_empty() {
                continue;
            }
            let finite = |v: &[Option<f64>]| -> Vec<f64> {
                v.iter()
                    .flatten()
                    .copied()
                    .filter(|x| x.is_finite())
                    .collect()
            };
            let positive =
                |v: &[f64]| -> Vec<f64> { v.iter().copied().filter(|x| *x > 0.0).collect() };
            let (a, b) = (finite(&yes), finite(&no));
            out.push(ExposureResponseRow {
                matrix: matrix.clone(),
                assay: assay.clone(),
                parameter: name,
                unit: unit(*kind, &conc),
                responders: summarise(&yes),
                non_responders: summarise(&no),
                ratio: geometric_mean_ratio(&positive(&a), &positive(&b)),
                wilcoxon: wilcoxon_rank_sum(&a, &b),
            });
        }
    }
    out
}

/// Tissue-to-blood ratio at one day.
#[derive(Debug, Clone, PartialEq)]
pub struct TissueRatioRow {
    /// `marrow` or `csf`.
    pub matrix: String,
    /// Day.
    pub day: f64,
    /// Pairs (a subject with both values quantifiable that day).
    pub n: usize,
    /// Geometric mean of the ratios.
    pub geo_mean: Option<f64>,
    /// Median ratio.
    pub median: Option<f64>,
    /// Smallest ratio.
    pub min: Option<f64>,
    /// Largest ratio.
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
