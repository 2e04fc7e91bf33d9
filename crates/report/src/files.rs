//! The report's output files as (relative path, bytes), for the caller to write: the
//! cohort tables as CSV (serialised from the row structs, one column per field), the
//! warnings table, the figures and report.html. No I/O here.

use crate::analysis::Report;
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
    persistence: &'a [crate::cohort::QuantifiableRow],
    exposure_response: &'a [crate::cohort::ExposureResponseRow],
    tissue_ratios: &'a [crate::cohort::TissueRatioRow],
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

    /// The figures' PNG files (`plots/...`).
    pub fn figure_files(&self) -> Vec<(String, Vec<u8>)> {
        self.figures
            .iter()
            .map(|f| (f.path.clone(), f.png.clone()))
            .collect()
    }

    /// The tables and the page: summary.csv, estimates.csv, visits.csv, quantifiable.csv,
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
                "quantifiable.csv".to_string(),
                csv_bytes("quantifiable.csv", &self.persistence)?,
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
        if !self.exposure_response.is_empty() {
            out.push((
                "exposure_response.csv".to_string(),
                csv_bytes("exposure_response.csv", &self.exposure_response)?,
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
            persistence: &self.persistence,
            exposure_response: &self.exposure_response,
            tissue_ratios: &self.tissue_ratios,
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
