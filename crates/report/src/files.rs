//! The report's output files as (relative path, bytes), for the caller to write: the
//! cohort tables as CSV (serialised from the row structs, one column per field), the
//! warnings table, the figures and report.html. No I/O here.

use crate::analysis::Report;
use crate::endpoints::{Curve, Endpoints, Stratified};
use crate::html::render_html;
use serde::Serialize;
use std::borrow::Cow;

/// Error building an output file.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// A table could not be serialised.
    #[error("{file}: {source}")]
    Csv {
        /// The file.
        file: String,
        /// Why.
        source: csv::Error,
    },
    /// The JSON document could not be serialised.
    #[error("{file}: {source}")]
    Json {
        /// The file.
        file: String,
        /// Why.
        source: serde_json::Error,
    },
}

/// Rows as CSV: a header from the field names, NA for missing values.
pub fn csv_bytes<T: Serialize>(file: &str, rows: &[T]) -> Result<Vec<u8>, FilesError> {
    let err = |source| FilesError::Csv {
        file: file.to_string(),
        source,
    };
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| err(csv::Error::from(e.into_error())))?;
    // The csv crate writes a missing value as an empty field; the NCA tables say NA.
    Ok(na_for_empty(&bytes))
}

/// A number as the NCA tables write it: integers without a trailing `.0` (`28`, not
/// `28.0`), others in the shortest form that reads back exactly.
pub fn num<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// [`num`] for an optional number (`None`: NA).
pub fn opt_num<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) if x.is_finite() => num(x, s),
        _ => s.serialize_none(),
    }
}

/// Empty unquoted fields become `NA`; text a spreadsheet would run as a formula gets a `'`
/// in front (`cartpk_core::spreadsheet`; report.json keeps the raw text).
fn na_for_empty(csv: &[u8]) -> Vec<u8> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for rec in r.records().flatten() {
        let fields: Vec<Cow<'_, str>> = rec
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Cow::Borrowed("NA")
                } else {
                    cartpk_core::spreadsheet::neutralise(f)
                }
            })
            .collect();
        let _ = w.write_record(fields.iter().map(|f| f.as_bytes()));
    }
    w.into_inner().unwrap_or_default()
}

/// One row of `response_rates.csv`: a response column's rate in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRateCsvRow {
    /// Response column (visit), e.g. `response`.
    pub column: String,
    /// `all` or the group.
    pub group: String,
    /// Responders.
    pub responders: usize,
    /// Evaluable patients.
    pub evaluable: usize,
    /// Responders / evaluable, percent.
    pub rate_pct: f64,
    /// Lower bound, percent.
    pub lower_pct: f64,
    /// Upper bound, percent.
    pub upper_pct: f64,
    /// Interval method of `lower_pct`/`upper_pct` (default Clopper-Pearson).
    pub ci_method: String,
    /// Wilson score bounds, percent.
    pub wilson_lower_pct: f64,
    /// Wilson score upper bound, percent.
    pub wilson_upper_pct: f64,
    /// Confidence level.
    pub level: f64,
    /// Each level with its count, e.g. `CR 20; CRi 14; NR 14`.
    pub levels: String,
    /// Patients left out of the denominator.
    pub n_not_evaluable: usize,
}

/// One row of `survival.csv`: a Kaplan-Meier curve at one landmark day, with its median
/// and the log-rank p-value of its stratification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalCsvRow {
    /// Endpoint (OS, RFS, EFS, persistence...).
    pub endpoint: String,
    /// Stratification (`all`, `response`, `Cmax above vs at or below the median`...).
    pub by: String,
    /// Curve label.
    pub group: String,
    /// Patients.
    pub n: usize,
    /// Events.
    pub n_events: usize,
    /// Median, days (NA: not reached).
    #[serde(serialize_with = "opt_num")]
    pub median_day: Option<f64>,
    /// Lower bound of the median, days.
    #[serde(serialize_with = "opt_num")]
    pub median_lower_day: Option<f64>,
    /// Upper bound of the median, days (NA: not reached).
    #[serde(serialize_with = "opt_num")]
    pub median_upper_day: Option<f64>,
    /// Landmark day.
    #[serde(serialize_with = "opt_num")]
    pub landmark_day: Option<f64>,
    /// At risk at the landmark.
    pub n_risk: Option<usize>,
    /// S(landmark).
    #[serde(serialize_with = "opt_num")]
    pub survival: Option<f64>,
    /// Lower bound of S(landmark).
    #[serde(serialize_with = "opt_num")]
    pub survival_lower: Option<f64>,
    /// Upper bound of S(landmark).
    #[serde(serialize_with = "opt_num")]
    pub survival_upper: Option<f64>,
    /// Log-rank p-value across the stratification's curves.
    #[serde(serialize_with = "opt_num")]
    pub log_rank_p: Option<f64>,
}

/// One row of `persistence_landmarks.csv`: P(quantifiable transgene) at a landmark day,
/// Kaplan-Meier, with who was censored before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersistenceLandmarkCsvRow {
    /// Matrix.
    pub matrix: String,
    /// Assay.
    pub assay: String,
    /// Landmark day.
    #[serde(serialize_with = "num")]
    pub day: f64,
    /// At risk (still quantifiable and followed) at the day.
    pub n_risk: Option<usize>,
    /// Kaplan-Meier estimate of persistence.
    #[serde(serialize_with = "opt_num")]
    pub persistence: Option<f64>,
    /// Lower bound.
    #[serde(serialize_with = "opt_num")]
    pub lower: Option<f64>,
    /// Upper bound.
    #[serde(serialize_with = "opt_num")]
    pub upper: Option<f64>,
    /// Subjects censored before the day (last sample quantifiable), `;`-separated.
    pub censored_before: String,
    /// Those of them who died by the day, as `subject:day of death`, `;`-separated.
    pub died_before: String,
}

/// One row of `exposure_response_logistic.csv`: logistic regression of response on log2
/// exposure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticCsvRow {
    /// Response column.
    pub response_column: String,
    /// Exposure metric (PKNCA name, e.g. `cmax`, `aucint.last.0-28`).
    pub metric: String,
    /// Study-report label (Cmax, AUC0-28d).
    pub label: String,
    /// Its unit.
    pub unit: String,
    /// Patients.
    pub n: usize,
    /// Responders.
    pub n_responders: usize,
    /// Odds ratio per doubling of exposure.
    pub odds_ratio_per_doubling: f64,
    /// Wald lower bound.
    pub wald_lower: f64,
    /// Wald upper bound.
    pub wald_upper: f64,
    /// Profile-likelihood lower bound (R's `confint`).
    #[serde(serialize_with = "opt_num")]
    pub profile_lower: Option<f64>,
    /// Profile-likelihood upper bound.
    #[serde(serialize_with = "opt_num")]
    pub profile_upper: Option<f64>,
    /// Wald p-value of the slope.
    pub p_value: f64,
    /// Likelihood-ratio p-value.
    pub lr_p_value: f64,
}

/// The endpoint tables as CSV rows.
pub fn response_rate_rows(e: &Endpoints) -> Vec<ResponseRateCsvRow> {
    e.response
        .iter()
        .map(|r| ResponseRateCsvRow {
            column: r.column.clone(),
            group: r.group.clone(),
            responders: r.rate.successes,
            evaluable: r.rate.n,
            rate_pct: 100.0 * r.rate.estimate,
            lower_pct: 100.0 * r.rate.lower,
            upper_pct: 100.0 * r.rate.upper,
            ci_method: r.rate.method.name().to_string(),
            wilson_lower_pct: 100.0 * r.wilson.lower,
            wilson_upper_pct: 100.0 * r.wilson.upper,
            level: r.rate.level,
            levels: r
                .levels
                .iter()
                .map(|(l, p)| format!("{l} {}", p.successes))
                .collect::<Vec<_>>()
                .join("; "),
            n_not_evaluable: r.n_not_evaluable,
        })
        .collect()
}

fn curve_rows(endpoint: &str, by: &str, c: &Curve, log_rank_p: Option<f64>) -> Vec<SurvivalCsvRow> {
    let base = SurvivalCsvRow {
        endpoint: endpoint.to_string(),
        by: by.to_string(),
        group: c.label.clone(),
        n: c.fit.n,
        n_events: c.fit.n_events,
        median_day: c.median.estimate,
        median_lower_day: c.median.lower,
        median_upper_day: c.median.upper,
        landmark_day: None,
        n_risk: None,
        survival: None,
        survival_lower: None,
        survival_upper: None,
        log_rank_p,
    };
    if c.landmarks.is_empty() {
        return vec![base];
    }
    c.landmarks
        .iter()
        .map(|l| SurvivalCsvRow {
            landmark_day: Some(l.time),
            n_risk: Some(l.n_risk),
            survival: Some(l.surv),
            survival_lower: l.lower,
            survival_upper: l.upper,
            ..base.clone()
        })
        .collect()
}

fn stratified_rows(endpoint: &str, s: &Stratified) -> Vec<SurvivalCsvRow> {
    let p = s.log_rank.as_ref().map(|l| l.p_value);
    s.curves
        .iter()
        .flat_map(|c| curve_rows(endpoint, &s.by, c, p))
        .collect()
}

/// `survival.csv`: every time-to-event endpoint and persistence, overall and stratified.
pub fn survival_rows(e: &Endpoints) -> Vec<SurvivalCsvRow> {
    let mut out = Vec::new();
    if let Some(p) = &e.persistence {
        out.extend(curve_rows("persistence", "all", &p.overall, None));
        if let Some(s) = &p.by_response {
            out.extend(stratified_rows("persistence", s));
        }
    }
    for t in &e.time_to_event {
        out.extend(curve_rows(&t.columns.name, "all", &t.overall, None));
        for s in &t.stratified {
            out.extend(stratified_rows(&t.columns.name, s));
        }
    }
    out
}

/// `persistence_landmarks.csv`.
pub fn persistence_landmark_rows(e: &Endpoints) -> Vec<PersistenceLandmarkCsvRow> {
    let Some(p) = &e.persistence else {
        return Vec::new();
    };
    p.landmarks
        .iter()
        .map(|l| PersistenceLandmarkCsvRow {
            matrix: p.kind.matrix.label().to_string(),
            assay: p.kind.assay.label().to_string(),
            day: l.day,
            n_risk: l.estimate.as_ref().map(|x| x.n_risk),
            persistence: l.estimate.as_ref().map(|x| x.surv),
            lower: l.estimate.as_ref().and_then(|x| x.lower),
            upper: l.estimate.as_ref().and_then(|x| x.upper),
            censored_before: l.censored_before.join(";"),
            died_before: l
                .died_before(&e.deaths)
                .iter()
                .map(|(s, day)| format!("{s}:{day}"))
                .collect::<Vec<_>>()
                .join(";"),
        })
        .collect()
}

/// `exposure_response_logistic.csv`.
pub fn logistic_rows(e: &Endpoints) -> Vec<LogisticCsvRow> {
    e.exposure_response
        .iter()
        .map(|f| LogisticCsvRow {
            response_column: f.response_column.clone(),
            metric: if f.metric == "cmax" {
                "cmax".to_string()
            } else {
                "aucint.last.0-28".to_string()
            },
            label: if f.metric == "cmax" {
                "Cmax".to_string()
            } else {
                "AUC0-28d".to_string()
            },
            unit: f.unit.clone(),
            n: f.fit.n,
            n_responders: f.fit.n_events,
            odds_ratio_per_doubling: f.odds_ratio,
            wald_lower: f.odds_ratio_wald.0,
            wald_upper: f.odds_ratio_wald.1,
            profile_lower: f.odds_ratio_profile.0,
            profile_upper: f.odds_ratio_profile.1,
            p_value: f.p_value,
            lr_p_value: f.fit.lr_p_value,
        })
        .collect()
}

/// The tables of `report.json`: the same rows as the CSV files, with the provenance.
#[derive(Serialize)]
struct Tables<'a> {
    provenance: &'a crate::provenance::Provenance,
    source: &'a str,
    subjects_file: Option<&'a str>,
    kinds: &'a [crate::analysis::Kind],
    summary: &'a [crate::cohort::SummaryRow],
    estimates: &'a [crate::cohort::EstimateRow],
    visits: &'a [crate::cohort::VisitRow],
    exposure_response: &'a [crate::cohort::ExposureResponseRow],
    tissue_ratios: &'a [crate::cohort::TissueRatioRow],
    response_rates: Vec<ResponseRateCsvRow>,
    survival: Vec<SurvivalCsvRow>,
    persistence_landmarks: Vec<PersistenceLandmarkCsvRow>,
    exposure_response_logistic: Vec<LogisticCsvRow>,
    endpoints: &'a Endpoints,
    warnings: &'a [crate::warnings::Warning],
}

impl Report {
    /// Every file of the report, relative to the output directory:
    /// [`Report::figure_files`] then [`Report::document_files`].
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, FilesError> {
        let mut out = self.figure_files();
        out.extend(self.document_files()?);
        Ok(out)
    }

    /// The figures' files (`plots/...`: PNG, and SVG for patient figures of large cohorts).
    pub fn figure_files(&self) -> Vec<(String, Vec<u8>)> {
        self.figures
            .iter()
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect()
    }

    /// The tables and the page: summary.csv, estimates.csv, visits.csv,
    /// persistence_landmarks.csv, survival.csv, response_rates.csv and
    /// exposure_response_logistic.csv (with a response column),
    /// tissue_to_blood.csv, exposure_response.csv (with a response column), warnings.csv,
    /// report.json (the same tables) and report.html. Built last so that figures that could not be written (a warning
    /// added by the caller) are in them.
    pub fn document_files(&self) -> Result<Vec<(String, Vec<u8>)>, FilesError> {
        let mut out = vec![
            (
                "summary.csv".to_string(),
                csv_bytes("summary.csv", &self.summary)?,
            ),
            (
                "estimates.csv".to_string(),
                csv_bytes("estimates.csv", &self.estimates)?,
            ),
            (
                "visits.csv".to_string(),
                csv_bytes("visits.csv", &self.visits)?,
            ),
            (
                "persistence_landmarks.csv".to_string(),
                csv_bytes(
                    "persistence_landmarks.csv",
                    &persistence_landmark_rows(&self.endpoints),
                )?,
            ),
            (
                "survival.csv".to_string(),
                csv_bytes("survival.csv", &survival_rows(&self.endpoints))?,
            ),
            (
                "tissue_to_blood.csv".to_string(),
                csv_bytes("tissue_to_blood.csv", &self.tissue_ratios)?,
            ),
            (
                "warnings.csv".to_string(),
                csv_bytes("warnings.csv", &self.warnings)?,
            ),
        ];
        out.extend(crate::population_section::population_files(
            &self.population,
        ));
        if !self.exposure_response.is_empty() {
            out.push((
                "exposure_response.csv".to_string(),
                csv_bytes("exposure_response.csv", &self.exposure_response)?,
            ));
        }
        if !self.endpoints.response.is_empty() {
            out.push((
                "response_rates.csv".to_string(),
                csv_bytes("response_rates.csv", &response_rate_rows(&self.endpoints))?,
            ));
        }
        if !self.endpoints.exposure_response.is_empty() {
            out.push((
                "exposure_response_logistic.csv".to_string(),
                csv_bytes(
                    "exposure_response_logistic.csv",
                    &logistic_rows(&self.endpoints),
                )?,
            ));
        }
        let json = Tables {
            provenance: &self.provenance,
            source: &self.source,
            subjects_file: self.subjects_file.as_deref(),
            kinds: &self.kinds,
            summary: &self.summary,
            estimates: &self.estimates,
            visits: &self.visits,
            exposure_response: &self.exposure_response,
            tissue_ratios: &self.tissue_ratios,
            response_rates: response_rate_rows(&self.endpoints),
            survival: survival_rows(&self.endpoints),
            persistence_landmarks: persistence_landmark_rows(&self.endpoints),
            exposure_response_logistic: logistic_rows(&self.endpoints),
            endpoints: &self.endpoints,
            warnings: &self.warnings,
        };
        let mut bytes = serde_json::to_vec_pretty(&json).map_err(|e| FilesError::Json {
            file: "report.json".into(),
            source: e,
        })?;
        bytes.push(b'\n');
        out.push(("report.json".to_string(), bytes));
        out.push(("report.html".to_string(), render_html(self).into_bytes()));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        a: String,
        b: Option<f64>,
        c: usize,
    }

    #[test]
    fn rows_with_missing_values() {
        let b = csv_bytes(
            "t.csv",
            &[
                Row {
                    a: "x,y".into(),
                    b: None,
                    c: 1,
                },
                Row {
                    a: "z".into(),
                    b: Some(2.5),
                    c: 2,
                },
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "a,b,c\n\"x,y\",NA,1\nz,2.5,2\n"
        );
    }
}
