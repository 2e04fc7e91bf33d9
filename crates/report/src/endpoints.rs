//! The trial endpoints beside the kinetics, in one typed result ([`Endpoints`]) built from
//! the profiles with their NCA and the subjects file: response rates, time-to-event
//! endpoints (overall, by response and by exposure group), CAR-T persistence as a
//! time-to-event endpoint, logistic exposure-response, and adverse-event grade by exposure.
//! Methods and references: docs/statistics.md, "Trial endpoints".

use crate::logistic::{logistic_regression, FittedProbability, LogisticFit};
use crate::persistence::{persistence, PersistenceExclusion, PersistenceRecord, PersistenceRule};
use crate::response::{
    proportion, response_rates, CiMethod, Proportion, ResponderSet, ResponseRateRow,
};
use crate::stats::{kruskal_wallis, quantile, wilcoxon_rank_sum, KruskalWallis, WilcoxonResult};
use crate::survival::{
    kaplan_meier, log_rank, ConfType, KmFit, KmOptions, Landmark, LogRank, SurvivalQuantile,
    TimeToEvent,
};
use cartpk_core::{Assay, Matrix, Profile, SubjectsTable};
use cartpk_nca::NcaResult;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which profiles give the exposure metrics and the persistence endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileKind {
    /// Matrix, default blood.
    pub matrix: Matrix,
    /// Assay, default qPCR.
    pub assay: Assay,
}

impl Default for ProfileKind {
    fn default() -> Self {
        ProfileKind {
            matrix: Matrix::Blood,
            assay: Assay::Qpcr,
        }
    }
}

/// A time-to-event endpoint's columns in the subjects file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventColumns {
    /// Endpoint name in tables, e.g. `OS`.
    pub name: String,
    /// Column with the time (days from infusion), or with the date of the event or
    /// censoring when `origin` is given.
    pub time: String,
    /// Column with the event indicator (1/0, yes/no, true/false, event/censored).
    pub event: String,
    /// Column with the date of the origin (e.g. `infusion_date`): `time` then holds ISO 8601
    /// dates (YYYY-MM-DD) and the time is the difference in days.
    pub origin: Option<String>,
}

/// Options of the endpoint analyses. Every default is the reference one named in the docs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointOptions {
    /// Response columns; empty: every column named like `response*`, `best_response*`,
    /// `bor`, `orr*` or `remission*`.
    pub response_columns: Vec<String>,
    /// Which values are a response.
    pub responders: ResponderSet,
    /// Column of a grouping (e.g. dose level) for per-group response rates.
    pub group_column: Option<String>,
    /// Confidence level of every interval, default 0.95.
    pub level: f64,
    /// Interval of response rates, default Clopper-Pearson.
    pub ci_method: CiMethod,
    /// Interval type of the Kaplan-Meier curves, default log (survfit's).
    pub conf_type: ConfType,
    /// Time-to-event endpoints; empty: every `<name>_time` column with a `<name>_event` (or
    /// `<name>_status`) column.
    pub time_to_event: Vec<EventColumns>,
    /// Landmark days of the time-to-event endpoints, default 365 and 730 (1 and 2 years).
    pub landmark_days: Vec<f64>,
    /// Days of the number-at-risk tables; empty: every 90 days to the last observation.
    pub risk_days: Vec<f64>,
    /// Profiles of the exposure metrics and of persistence, default blood qPCR.
    pub exposure: ProfileKind,
    /// How loss of persistence is dated.
    pub persistence_rule: PersistenceRule,
    /// Landmark days of persistence ("quantifiable at day N"), default 28, 84, 168, 365.
    pub persistence_days: Vec<f64>,
    /// Adverse-event grade columns; empty: `crs_grade` and `icans_grade` when present.
    pub grade_columns: Vec<String>,
}

impl Default for EndpointOptions {
    fn default() -> Self {
        EndpointOptions {
            response_columns: Vec::new(),
            responders: ResponderSet::remission(),
            group_column: None,
            level: 0.95,
            ci_method: CiMethod::ClopperPearson,
            conf_type: ConfType::Log,
            time_to_event: Vec::new(),
            landmark_days: vec![365.0, 730.0],
            risk_days: Vec::new(),
            exposure: ProfileKind::default(),
            persistence_rule: PersistenceRule::default(),
            persistence_days: vec![28.0, 84.0, 168.0, 365.0],
            grade_columns: Vec::new(),
        }
    }
}

/// One Kaplan-Meier curve with its summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// `all` or the group.
    pub label: String,
    /// The fit.
    pub fit: KmFit,
    /// Median with its CI, days.
    pub median: SurvivalQuantile,
    /// The curve at the landmark days (days past the last observation are left out).
    pub landmarks: Vec<Landmark>,
    /// Number at risk at the risk-table days.
    pub at_risk: Vec<(f64, usize)>,
}

/// Curves of the groups of one grouping, with the log-rank test between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stratified {
    /// What the groups are, e.g. `response`, `Cmax above vs at or below median`.
    pub by: String,
    /// One curve per group.
    pub curves: Vec<Curve>,
    /// Log-rank test; `None` with fewer than two non-empty groups.
    pub log_rank: Option<LogRank>,
}

/// A time-to-event endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToEventEndpoint {
    /// Its columns.
    pub columns: EventColumns,
    /// All subjects.
    pub overall: Curve,
    /// By response, by exposure group (median split, tertiles).
    pub stratified: Vec<Stratified>,
}

/// "Quantifiable at day N" as a landmark of the persistence curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersistenceLandmark {
    /// Day.
    pub day: f64,
    /// Kaplan-Meier probability of still being quantifiable, with its CI and numbers.
    pub estimate: Option<Landmark>,
    /// Subjects censored before the day (still quantifiable at their last sample, or lost):
    /// the estimate counts them as at risk until their censoring, not as lost.
    pub censored_before: Vec<String>,
}

impl PersistenceLandmark {
    /// Those of `censored_before` who died by the day, with the day of death (`deaths`:
    /// [`Endpoints::deaths`]): their persistence is not unknown then but ended with them.
    pub fn died_before<'a>(&'a self, deaths: &BTreeMap<String, f64>) -> Vec<(&'a str, f64)> {
        self.censored_before
            .iter()
            .filter_map(|s| {
                let death = *deaths.get(s)?;
                (death <= self.day).then_some((s.as_str(), death))
            })
            .collect()
    }
}

/// CAR-T persistence as a time-to-event endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersistenceEndpoint {
    /// The rule dating the loss.
    pub rule: PersistenceRule,
    /// Profiles used.
    pub kind: ProfileKind,
    /// One record per patient with a quantifiable sample.
    pub records: Vec<PersistenceRecord>,
    /// Patients never quantifiable after infusion (left out).
    pub never_quantifiable: Vec<String>,
    /// All patients.
    pub overall: Curve,
    /// By response, when a response column is given.
    pub by_response: Option<Stratified>,
    /// Landmark estimates.
    pub landmarks: Vec<PersistenceLandmark>,
}

/// Observed response in one exposure quartile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureBin {
    /// Lowest exposure in the bin.
    pub low: f64,
    /// Highest exposure in the bin.
    pub high: f64,
    /// Geometric mean exposure (the bin's position on a log axis).
    pub centre: f64,
    /// Responders / patients, exact CI.
    pub response: Proportion,
}

/// Logistic regression of response on log2 exposure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureResponseFit {
    /// The response column.
    pub response_column: String,
    /// `cmax` or `auc_0_28`.
    pub metric: &'static str,
    /// Its label in a study report (`Cmax`, `AUC0-28d`).
    pub label: &'static str,
    /// Unit of the exposure (e.g. copies/ug, day*copies/ug: as the NCA tables write it).
    pub unit: String,
    /// The fit on `log2(exposure)`.
    pub fit: LogisticFit,
    /// Odds ratio per doubling of exposure, exp(slope).
    pub odds_ratio: f64,
    /// Its Wald CI.
    pub odds_ratio_wald: (f64, f64),
    /// Its profile-likelihood CI.
    pub odds_ratio_profile: (Option<f64>, Option<f64>),
    /// Wald p-value of the slope.
    pub p_value: f64,
    /// The fitted probability across the observed exposure range (exposure, fit).
    pub curve: Vec<(f64, FittedProbability)>,
    /// Observed response by exposure quartile.
    pub quartiles: Vec<ExposureBin>,
    /// (exposure, responded) of every patient in the fit.
    pub observations: Vec<(f64, bool)>,
}

/// An adverse-event grade (CRS, ICANS) against an exposure metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeByExposure {
    /// The grade column.
    pub column: String,
    /// `cmax` or `auc_0_28`.
    pub metric: &'static str,
    /// Its label in a study report (`Cmax`, `AUC0-28d`).
    pub label: &'static str,
    /// Unit of the exposure.
    pub unit: String,
    /// Exposure values by grade (grade ascending).
    pub groups: Vec<(String, Vec<f64>)>,
    /// Kruskal-Wallis across grades.
    pub kruskal_wallis: Option<KruskalWallis>,
    /// Wilcoxon rank-sum of grade >= 1 against grade 0.
    pub any_vs_none: Option<WilcoxonResult>,
}

/// Every endpoint table of a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Endpoints {
    /// Response rates per response column, overall and per group.
    pub response: Vec<ResponseRateRow>,
    /// Time-to-event endpoints.
    pub time_to_event: Vec<TimeToEventEndpoint>,
    /// Persistence.
    pub persistence: Option<PersistenceEndpoint>,
    /// Exposure-response fits.
    pub exposure_response: Vec<ExposureResponseFit>,
    /// Grades by exposure.
    pub grades: Vec<GradeByExposure>,
    /// What could not be computed, and why (one line each).
    pub warnings: Vec<String>,
    /// Subjects with a sample after their death (an OS event): a date or subject error in
    /// the data, since no sample is taken after death.
    pub samples_after_death: Vec<SampleAfterDeath>,
    /// Day of death (an OS event) of each subject who died, for the figures.
    pub deaths: BTreeMap<String, f64>,
}

/// A sample dated after the subject's death.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleAfterDeath {
    /// Subject.
    pub subject: String,
    /// Day of death (the OS event time).
    pub death_day: f64,
    /// Day of the last sample with a result, any matrix and assay.
    pub last_sample_day: f64,
}

/// The subjects of `os` with an event (death) before their last sample with a result.
fn samples_after_death(
    profiles: &[(&Profile, Option<&NcaResult>)],
    os: &BTreeMap<String, TimeToEvent>,
) -> Vec<SampleAfterDeath> {
    let mut last: BTreeMap<&str, f64> = BTreeMap::new();
    for (p, _) in profiles {
        for smp in &p.samples {
            if !matches!(smp.value, cartpk_core::SampleValue::Missing) {
                let t = last
                    .entry(p.key.subject.as_str())
                    .or_insert(f64::NEG_INFINITY);
                *t = t.max(smp.time);
            }
        }
    }
    os.iter()
        .filter(|(_, e)| e.event)
        .filter_map(|(subject, e)| {
            let l = *last.get(subject.as_str())?;
            (l > e.time).then(|| SampleAfterDeath {
                subject: subject.clone(),
                death_day: e.time,
                last_sample_day: l,
            })
        })
        .collect()
}

/// Computes every endpoint: `profiles` are (profile, its NCA); `subjects` the subjects file.
/// Nothing fails as a whole: what cannot be computed becomes a warning.
pub fn endpoints(
    profiles: &[(&Profile, Option<&NcaResult>)],
    subjects: Option<&SubjectsTable>,
    options: &EndpointOptions,
) -> Endpoints {
    let mut out = Endpoints::default();
    if !(options.level > 0.0 && options.level < 1.0) {
        out.warnings.push(format!(
            "confidence level {}: expected a number in (0, 1), e.g. 0.95; no endpoint computed",
            options.level
        ));
        return out;
    }
    let km = KmOptions {
        conf_type: options.conf_type,
        level: options.level,
    };
    let exposure: Vec<(&Profile, Option<&NcaResult>)> = profiles
        .iter()
        .filter(|(p, _)| {
            p.key.matrix == options.exposure.matrix && p.key.assay == options.exposure.assay
        })
        .copied()
        .collect();
    let metrics = exposure_metrics(&exposure);

    // Response.
    let response_columns: Vec<String> = match subjects {
        None => Vec::new(),
        Some(s) if options.response_columns.is_empty() => s
            .header
            .iter()
            .filter(|h| is_response_column(h))
            .cloned()
            .collect(),
        Some(_) => options.response_columns.clone(),
    };
    let mut responded: BTreeMap<String, bool> = BTreeMap::new();
    if let Some(s) = subjects {
        let groups = options
            .group_column
            .as_ref()
            .and_then(|g| {
                s.column_values(g)
                    .map_err(|e| out.warnings.push(e.to_string()))
                    .ok()
            })
            .map(|m| m.into_iter().collect::<BTreeMap<_, _>>());
        for (i, col) in response_columns.iter().enumerate() {
            let values: BTreeMap<String, String> = match s.column_values(col) {
                Ok(v) => v.into_iter().collect(),
                Err(e) => {
                    out.warnings.push(e.to_string());
                    continue;
                }
            };
            if i == 0 {
                for (subj, v) in &values {
                    if let Some(r) = options.responders.classify(v) {
                        responded.insert(subj.clone(), r);
                    }
                }
            }
            match response_rates(
                col,
                &values,
                groups.as_ref(),
                &options.responders,
                options.level,
                options.ci_method,
            ) {
                Ok(rows) => out.response.extend(rows),
                Err(e) => out.warnings.push(format!("response column '{col}': {e}")),
            }
        }
    }
    let response_groups: Option<BTreeMap<String, String>> = (!responded.is_empty()).then(|| {
        responded
            .iter()
            .map(|(s, &r)| {
                (
                    s.clone(),
                    if r { "responders" } else { "non-responders" }.to_string(),
                )
            })
            .collect()
    });

    // Time-to-event; the day of each death (OS event) is kept (`Endpoints::deaths`) for the
    // figures and the persistence landmarks.
    if let Some(s) = subjects {
        let columns = if options.time_to_event.is_empty() {
            detect_event_columns(s)
        } else {
            options.time_to_event.clone()
        };
        for c in columns {
            let (data, warnings) = event_data(s, &c);
            out.warnings.extend(warnings);
            if c.name.eq_ignore_ascii_case("os") {
                out.samples_after_death = samples_after_death(profiles, &data);
                out.deaths = data
                    .iter()
                    .filter(|(_, o)| o.event)
                    .map(|(s, o)| (s.clone(), o.time))
                    .collect();
            }
            if data.is_empty() {
                out.warnings
                    .push(format!("{}: no subject with a time and event", c.name));
                continue;
            }
            let all: Vec<TimeToEvent> = data.values().copied().collect();
            let Some(overall) = curve("all", &all, km, options) else {
                continue;
            };
            let mut stratified = Vec::new();
            if let Some(g) = &response_groups {
                stratified.push(stratify("response", &data, g, km, options));
            }
            for (by, groups) in exposure_groupings(&metrics) {
                stratified.push(stratify(&by, &data, &groups, km, options));
            }
            out.time_to_event.push(TimeToEventEndpoint {
                columns: c,
                overall,
                stratified,
            });
        }
    }

    // Persistence.
    if !exposure.is_empty() {
        let mut records = Vec::new();
        let mut never = Vec::new();
        for (p, _) in &exposure {
            match persistence(p, options.persistence_rule, 0.0) {
                Ok(r) => records.push(r),
                Err(PersistenceExclusion::NeverQuantifiable { subject }) => never.push(subject),
            }
        }
        let data: BTreeMap<String, TimeToEvent> = records
            .iter()
            .map(|r| {
                (
                    r.subject.clone(),
                    TimeToEvent {
                        time: r.time,
                        event: r.event,
                    },
                )
            })
            .collect();
        let all: Vec<TimeToEvent> = data.values().copied().collect();
        let popts = EndpointOptions {
            landmark_days: options.persistence_days.clone(),
            ..options.clone()
        };
        if let Some(overall) = curve("all", &all, km, &popts) {
            let landmarks = options
                .persistence_days
                .iter()
                .map(|&day| PersistenceLandmark {
                    day,
                    estimate: overall.fit.at(day),
                    censored_before: records
                        .iter()
                        .filter(|r| !r.event && r.time < day)
                        .map(|r| r.subject.clone())
                        .collect(),
                })
                .collect();
            let by_response = response_groups
                .as_ref()
                .map(|g| stratify("response", &data, g, km, &popts));
            out.persistence = Some(PersistenceEndpoint {
                rule: options.persistence_rule,
                kind: options.exposure.clone(),
                records,
                never_quantifiable: never,
                overall,
                by_response,
                landmarks,
            });
        }
    }

    // Exposure-response.
    if let Some(col) = response_columns.first() {
        for m in &metrics {
            let obs: Vec<(f64, bool)> = m
                .values
                .iter()
                .filter_map(|(s, v)| Some((*v, *responded.get(s)?)))
                .filter(|(v, _)| *v > 0.0 && v.is_finite())
                .collect();
            let left_out = m
                .values
                .iter()
                .filter(|(s, v)| {
                    responded.contains_key(*s)
                        && v.partial_cmp(&&0.0) != Some(std::cmp::Ordering::Greater)
                })
                .count();
            if left_out > 0 {
                out.warnings.push(format!(
                    "exposure-response on {}: {left_out} patient(s) with {} = 0 left out (log2 undefined)",
                    m.name, m.name
                ));
            }
            match exposure_response(col, m, &obs, options.level) {
                Ok(f) => out.exposure_response.push(f),
                Err(e) => out
                    .warnings
                    .push(format!("exposure-response of '{col}' on {}: {e}", m.name)),
            }
        }
    }

    // Grades by exposure.
    if let Some(s) = subjects {
        let cols: Vec<String> = if options.grade_columns.is_empty() {
            ["crs_grade", "icans_grade"]
                .iter()
                .filter(|c| s.column(c).is_some())
                .map(|c| c.to_string())
                .collect()
        } else {
            options.grade_columns.clone()
        };
        for col in cols {
            let Some(ci) = s.column(&col) else {
                out.warnings
                    .push(format!("{}: no grade column '{col}'", s.file));
                continue;
            };
            for m in &metrics {
                let mut by: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
                for (subj, &v) in &m.values {
                    if let Some(g) = s.get(subj, ci).and_then(|g| g.trim().parse::<f64>().ok()) {
                        if g >= 0.0 && g.fract() == 0.0 {
                            by.entry(g as u32).or_default().push(v);
                        }
                    }
                }
                let groups: Vec<&[f64]> = by.values().map(Vec::as_slice).collect();
                let none: Vec<f64> = by.get(&0).cloned().unwrap_or_default();
                let any: Vec<f64> = by
                    .iter()
                    .filter(|(g, _)| **g > 0)
                    .flat_map(|(_, v)| v.clone())
                    .collect();
                out.grades.push(GradeByExposure {
                    column: col.clone(),
                    metric: m.name,
                    label: m.label,
                    unit: m.unit.clone(),
                    kruskal_wallis: kruskal_wallis(&groups),
                    any_vs_none: wilcoxon_rank_sum(&any, &none),
                    groups: by.into_iter().map(|(g, v)| (g.to_string(), v)).collect(),
                });
            }
        }
    }
    out
}

/// One exposure metric per subject.
struct Metric {
    name: &'static str,
    label: &'static str,
    unit: String,
    values: BTreeMap<String, f64>,
}

fn exposure_metrics(exposure: &[(&Profile, Option<&NcaResult>)]) -> Vec<Metric> {
    let unit = exposure
        .first()
        .map(|(p, _)| p.unit.label().to_string())
        .unwrap_or_default();
    let mut cmax = BTreeMap::new();
    let mut auc = BTreeMap::new();
    for (p, nca) in exposure {
        let Some(n) = nca else { continue };
        if let Some(v) = n.cmax.filter(|v| v.is_finite()) {
            cmax.insert(p.key.subject.clone(), v);
        }
        if let Some(v) = n.auc_0_28().filter(|v| v.is_finite()) {
            auc.insert(p.key.subject.clone(), v);
        }
    }
    vec![
        Metric {
            name: "cmax",
            label: "Cmax",
            unit: unit.clone(),
            values: cmax,
        },
        Metric {
            name: "auc_0_28",
            label: "AUC0-28d",
            unit: format!("day*{unit}"),
            values: auc,
        },
    ]
    .into_iter()
    .filter(|m| !m.values.is_empty())
    .collect()
}

/// Median split and tertiles of each metric: (description, subject -> group).
fn exposure_groupings(metrics: &[Metric]) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out = Vec::new();
    for m in metrics {
        let mut sorted: Vec<f64> = m.values.values().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let (Some(med), Some(t1), Some(t2)) = (
            quantile(&sorted, 0.5),
            quantile(&sorted, 1.0 / 3.0),
            quantile(&sorted, 2.0 / 3.0),
        ) else {
            continue;
        };
        out.push((
            format!(
                "{} above vs at or below the median ({} {})",
                m.label,
                fmt(med),
                m.unit
            ),
            m.values
                .iter()
                .map(|(s, &v)| {
                    let g = if v > med {
                        "above median"
                    } else {
                        "at or below median"
                    };
                    (s.clone(), g.to_string())
                })
                .collect(),
        ));
        out.push((
            format!(
                "{} tertiles (cut at {} and {} {})",
                m.label,
                fmt(t1),
                fmt(t2),
                m.unit
            ),
            m.values
                .iter()
                .map(|(s, &v)| {
                    let g = if v <= t1 {
                        "T1 (lowest)"
                    } else if v <= t2 {
                        "T2"
                    } else {
                        "T3 (highest)"
                    };
                    (s.clone(), g.to_string())
                })
                .collect(),
        ));
    }
    out
}

fn fmt(v: f64) -> String {
    if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-2) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

fn curve(
    label: &str,
    data: &[TimeToEvent],
    km: KmOptions,
    options: &EndpointOptions,
) -> Option<Curve> {
    let fit = kaplan_meier(data, km).ok()?;
    let max = fit.max_time();
    let risk_days: Vec<f64> = if options.risk_days.is_empty() {
        (0..)
            .map(|k| 90.0 * k as f64)
            .take_while(|&d| d <= max.max(0.0))
            .collect()
    } else {
        options.risk_days.clone()
    };
    Some(Curve {
        label: label.to_string(),
        median: fit.median(),
        landmarks: options
            .landmark_days
            .iter()
            .filter_map(|&d| fit.at(d))
            .collect(),
        at_risk: risk_days.iter().map(|&d| (d, fit.n_risk(d))).collect(),
        fit,
    })
}

fn stratify(
    by: &str,
    data: &BTreeMap<String, TimeToEvent>,
    groups: &BTreeMap<String, String>,
    km: KmOptions,
    options: &EndpointOptions,
) -> Stratified {
    let mut split: BTreeMap<String, Vec<TimeToEvent>> = BTreeMap::new();
    for (s, o) in data {
        if let Some(g) = groups.get(s) {
            split.entry(g.clone()).or_default().push(*o);
        }
    }
    let pairs: Vec<(String, Vec<TimeToEvent>)> = split.into_iter().collect();
    Stratified {
        by: by.to_string(),
        curves: pairs
            .iter()
            .filter_map(|(g, v)| curve(g, v, km, options))
            .collect(),
        log_rank: log_rank(&pairs).ok(),
    }
}

fn is_response_column(h: &str) -> bool {
    let h = h.to_ascii_lowercase();
    if h.ends_with("_time") || h.ends_with("_event") || h.ends_with("_date") {
        return false;
    }
    h == "bor"
        || h.starts_with("response")
        || h.starts_with("best_response")
        || h.starts_with("orr")
        || h.starts_with("remission")
}

/// Columns of the origin date when endpoints are given as dates.
pub const ORIGIN_COLUMNS: [&str; 3] = ["infusion_date", "origin_date", "index_date"];

/// `<name>_time` with `<name>_event` or `<name>_status`, in header order; also
/// `<name>_date` with `<name>_event` when an origin date column ([`ORIGIN_COLUMNS`]) exists
/// and no `<name>_time` does.
pub fn detect_event_columns(s: &SubjectsTable) -> Vec<EventColumns> {
    let mut out = Vec::new();
    let origin = ORIGIN_COLUMNS
        .iter()
        .find_map(|o| s.header.iter().find(|h| h.eq_ignore_ascii_case(o)))
        .cloned();
    for h in &s.header {
        let lower = h.to_ascii_lowercase();
        let (prefix, origin) = match (lower.strip_suffix("_time"), lower.strip_suffix("_date")) {
            (Some(p), _) => (p, None),
            (None, Some(p))
                if origin.is_some()
                    && !ORIGIN_COLUMNS.contains(&lower.as_str())
                    && s.column(&format!("{p}_time")).is_none() =>
            {
                (p, origin.clone())
            }
            _ => continue,
        };
        let event = ["_event", "_status"].iter().find_map(|suf| {
            s.header
                .iter()
                .find(|e| e.eq_ignore_ascii_case(&format!("{prefix}{suf}")))
        });
        if let Some(e) = event {
            out.push(EventColumns {
                name: prefix.to_ascii_uppercase(),
                time: h.clone(),
                event: e.clone(),
                origin,
            });
        }
    }
    out
}

/// Parses an event indicator.
fn parse_event(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "event" | "dead" | "died" | "relapse" => Some(true),
        "0" | "false" | "no" | "n" | "censored" | "alive" => Some(false),
        _ => None,
    }
}

/// subject -> observation, and warnings for unreadable cells (empty cells are skipped: the
/// endpoint does not apply, e.g. RFS of a non-responder).
fn event_data(s: &SubjectsTable, c: &EventColumns) -> (BTreeMap<String, TimeToEvent>, Vec<String>) {
    let mut out = BTreeMap::new();
    let mut warnings = Vec::new();
    let (Some(tc), Some(ec)) = (s.column(&c.time), s.column(&c.event)) else {
        warnings.push(format!(
            "{}: {}: no column '{}' or '{}'",
            s.file, c.name, c.time, c.event
        ));
        return (out, warnings);
    };
    let oc = match &c.origin {
        None => None,
        Some(o) => match s.column(o) {
            Some(i) => Some(i),
            None => {
                warnings.push(format!("{}: {}: no origin column '{o}'", s.file, c.name));
                return (out, warnings);
            }
        },
    };
    let date = |v: &str| v.trim().parse::<chrono::NaiveDate>().ok();
    let mut subjects: Vec<&String> = s.rows.keys().collect();
    subjects.sort();
    for subj in subjects {
        let (t, e) = (s.get(subj, tc), s.get(subj, ec));
        if t.is_none() && e.is_none() {
            continue;
        }
        let time = match oc {
            None => t.and_then(|v| v.trim().parse::<f64>().ok()),
            Some(oc) => match (t.and_then(date), s.get(subj, oc).and_then(date)) {
                (Some(end), Some(start)) => Some((end - start).num_days() as f64),
                _ => None,
            },
        }
        .filter(|v| v.is_finite() && *v >= 0.0);
        let event = e.and_then(parse_event);
        match (time, event) {
            (Some(time), Some(event)) => {
                out.insert(subj.clone(), TimeToEvent { time, event });
            }
            _ => warnings.push(format!(
                "{}: subject '{subj}', columns '{}'/'{}': expected a time in days >= 0 (or a date YYYY-MM-DD on or after the origin date) and an event 1/0, found '{}'/'{}'; left out of {}",
                s.file,
                c.time,
                c.event,
                t.unwrap_or(""),
                e.unwrap_or(""),
                c.name
            )),
        }
    }
    (out, warnings)
}

fn exposure_response(
    column: &str,
    m: &Metric,
    obs: &[(f64, bool)],
    level: f64,
) -> Result<ExposureResponseFit, crate::logistic::LogisticError> {
    let y: Vec<bool> = obs.iter().map(|o| o.1).collect();
    let x: Vec<f64> = obs.iter().map(|o| o.0.log2()).collect();
    let fit = logistic_regression(&y, &[("log2_exposure", &x)], level)?;
    let slope = &fit.coefficients[1];
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let curve = (0..=60)
        .filter_map(|k| {
            let l2 = lo + (hi - lo) * k as f64 / 60.0;
            fit.predict(&[l2]).map(|p| (l2.exp2(), p))
        })
        .collect();
    let mut sorted: Vec<(f64, bool)> = obs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let xs: Vec<f64> = sorted.iter().map(|o| o.0).collect();
    let cuts: Vec<f64> = [0.25, 0.5, 0.75]
        .iter()
        .filter_map(|&p| quantile(&xs, p))
        .collect();
    let mut quartiles = Vec::new();
    for q in 0..4 {
        let inside: Vec<&(f64, bool)> = sorted
            .iter()
            .filter(|(v, _)| (q == 0 || *v > cuts[q - 1]) && (q == 3 || *v <= cuts[q]))
            .collect();
        if inside.is_empty() {
            continue;
        }
        let n = inside.len();
        let k = inside.iter().filter(|o| o.1).count();
        let Ok(response) = proportion(k, n, level, CiMethod::ClopperPearson) else {
            continue;
        };
        let logs: f64 = inside.iter().map(|o| o.0.ln()).sum::<f64>() / n as f64;
        quartiles.push(ExposureBin {
            low: inside[0].0,
            high: inside[n - 1].0,
            centre: logs.exp(),
            response,
        });
    }
    Ok(ExposureResponseFit {
        response_column: column.to_string(),
        metric: m.name,
        label: m.label,
        unit: m.unit.clone(),
        odds_ratio: slope.estimate.exp(),
        odds_ratio_wald: (slope.wald.0.exp(), slope.wald.1.exp()),
        odds_ratio_profile: (slope.profile.0.map(f64::exp), slope.profile.1.map(f64::exp)),
        p_value: slope.p_value,
        curve,
        quartiles,
        observations: obs.to_vec(),
        fit,
    })
}

#[cfg(test)]
mod samples_after_death_tests {
    use super::*;
    use cartpk_core::{ConcUnit, ProfileKey, Sample, SampleValue};

    fn profile(subject: &str, samples: Vec<Sample>) -> Profile {
        Profile::new(
            ProfileKey {
                subject: subject.into(),
                matrix: Matrix::Blood,
                assay: Assay::Qpcr,
            },
            ConcUnit::CopiesPerUg,
            samples,
        )
    }

    /// Found by a review of the report (2026-12-04): SIM024 of the bundled cohort died on
    /// day 8 and had samples to day 365, with no word of it. A sample with a result (BLQ
    /// included) after an OS event is flagged; a censored subject, a death after the last
    /// sample and a missing result after death are not.
    #[test]
    fn a_sample_after_death_is_flagged() {
        let a = profile(
            "A",
            vec![Sample::quantified(7.0, 1e4), Sample::blq(84.0, Some(50.0))],
        );
        let b = profile(
            "B",
            vec![Sample::quantified(7.0, 1e4), Sample::quantified(84.0, 3e2)],
        );
        let c = profile("C", vec![Sample::quantified(7.0, 1e4)]);
        let d = profile(
            "D",
            vec![
                Sample::quantified(7.0, 1e4),
                Sample::new(84.0, SampleValue::Missing),
            ],
        );
        let profiles: Vec<(&Profile, Option<&NcaResult>)> =
            [&a, &b, &c, &d].into_iter().map(|p| (p, None)).collect();
        let os: BTreeMap<String, TimeToEvent> = [
            ("A", 50.0, true),
            ("B", 50.0, false),
            ("C", 50.0, true),
            ("D", 50.0, true),
        ]
        .into_iter()
        .map(|(s, time, event)| (s.to_string(), TimeToEvent { time, event }))
        .collect();
        assert_eq!(
            samples_after_death(&profiles, &os),
            vec![SampleAfterDeath {
                subject: "A".into(),
                death_day: 50.0,
                last_sample_day: 84.0
            }]
        );
    }
}
