//! A profile or row that produced no result, for the errors table and the JSON reports.

use cartpk_core::ingest::RowError;
use cartpk_core::ProfileKey;
use serde::Serialize;

/// A profile or row that produced no result, for the errors table.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// Input file.
    pub file: String,
    /// Line, when one row is to blame.
    pub line: Option<u64>,
    /// Column name, when one cell is to blame.
    pub column: Option<String>,
    /// The profile, when known.
    pub profile: Option<ProfileKey>,
    /// What went wrong.
    pub message: String,
}

impl Failure {
    /// Every rejected profile's row errors and every bad row outside a profile.
    pub fn from_dataset(data: &cartpk_core::ingest::Dataset) -> Vec<Failure> {
        let mut failures = Vec::new();
        for rejected in &data.rejected {
            failures.extend(
                rejected
                    .errors
                    .iter()
                    .map(|e| Failure::from_row(e, Some(&rejected.key))),
            );
        }
        failures.extend(data.row_errors.iter().map(|e| Failure::from_row(e, None)));
        failures
    }

    /// A profile that produced no result.
    pub fn of_profile(file: &str, key: &ProfileKey, message: String) -> Failure {
        Failure {
            file: file.to_string(),
            line: None,
            column: None,
            profile: Some(key.clone()),
            message,
        }
    }

    /// From a row error, attributed to `profile` if known.
    pub fn from_row(e: &RowError, profile: Option<&ProfileKey>) -> Failure {
        Failure {
            file: e.file.clone(),
            line: Some(e.line),
            column: e.column.as_ref().map(|c| c.name.clone()),
            profile: profile.cloned(),
            message: match profile {
                Some(k) => format!("{e} (profile {k} skipped)"),
                None => e.to_string(),
            },
        }
    }
}

/// The columns of the errors CSV.
pub const ERRORS_COLUMNS: [&str; 7] = [
    "file", "line", "column", "subject", "matrix", "assay", "message",
];

/// Errors CSV (`nca_errors.csv`, `fit_errors.csv`): [`ERRORS_COLUMNS`], one row per failure.
pub fn errors_csv(failures: &[Failure]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = "writing CSV to memory cannot fail";
    w.write_record(ERRORS_COLUMNS).expect(e);
    for f in failures {
        let (s, m, a) = match &f.profile {
            Some(k) => (k.subject.as_str(), k.matrix.label(), k.assay.label()),
            None => ("", "", ""),
        };
        let line = f.line.map(|l| l.to_string()).unwrap_or_default();
        w.write_record([
            f.file.as_str(),
            &line,
            f.column.as_deref().unwrap_or(""),
            s,
            m,
            a,
            &f.message,
        ])
        .expect(e);
    }
    w.into_inner().expect("flushing CSV to memory cannot fail")
}
