//! Reading a subjects file: one row per subject with covariates (dose, weight,
//! response...). Every column is kept, so unknown ones pass through to the tables.

use crate::ingest::{
    decode, detect_delimiter, normalise_header, record_line, skip_leading_junk, ColumnMapping,
    ColumnRole,
};
use std::collections::HashMap;
use std::path::Path;

/// A subjects file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SubjectsError {
    /// The file could not be read.
    #[error("{file}: cannot read: {cause}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The CSV layer failed.
    #[error("{file}:{line}: not valid CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// 1-based line, 0 when unknown.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// No column names the subject.
    #[error("{file}:1: no subject column; expected subject, USUBJID, SUBJID, Patient ID or ID (or --columns subject=NAME); the header has: {found}")]
    NoSubjectColumn {
        /// The file.
        file: String,
        /// The header, comma-separated.
        found: String,
    },
    /// A row without a subject.
    #[error("{file}:{line}:{column}: column '{name}': expected a non-empty subject")]
    EmptySubject {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: usize,
        /// The column's name.
        name: String,
    },
    /// The same subject twice.
    #[error("{file}:{line}: subject '{subject}' appears twice; expected one row per subject")]
    Duplicate {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// The subject.
        subject: String,
    },
    /// A column asked for is not in the file.
    #[error("{file}:1: no column '{name}'; the header has: {found}")]
    NoSuchColumn {
        /// The file.
        file: String,
        /// The column asked for.
        name: String,
        /// The header, comma-separated.
        found: String,
    },
}

/// A subjects file.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectsTable {
    /// The file, for messages.
    pub file: String,
    /// Column names, as written.
    pub header: Vec<String>,
    /// Index of the subject column.
    pub subject_column: usize,
    /// Rows by subject.
    pub rows: HashMap<String, Vec<String>>,
    /// Columns found for the roles cartpk uses (subject, dose, dose_unit, response),
    /// by alias or `--columns`: `(role, column index)`.
    pub roles: Vec<(ColumnRole, usize)>,
    /// Columns cartpk does not recognise (no role, no known covariate name). They still
    /// pass through to the tables; callers should say so.
    pub unrecognised: Vec<String>,
}

/// Covariate names that are recognised (normalised as [`normalise_header`]) although no
/// computation uses them: they are expected to pass through to the tables.
const KNOWN_COVARIATES: &[&str] = &[
    "weight",
    "wt",
    "weight_kg",
    "age",
    "sex",
    "gender",
    "bmi",
    "height",
    "race",
    "group",
    "arm",
    "cohort",
    "disease",
    "indication",
    "diagnosis",
    "product",
    "site",
    "study",
    "studyid",
    "crs",
    "crs_grade",
    "icans",
    "icans_grade",
    "ldh",
    "tumor_burden",
];

/// Header names of the subjects file, per role, after the user's mapping.
fn subject_aliases(role: ColumnRole) -> &'static [&'static str] {
    match role {
        ColumnRole::Dose => &[
            "dose",
            "exdose",
            "dosea",
            "dose_car_cells",
            "dose_car_t_cells",
            "dose_cells",
            "car_t_dose",
            "infused_dose",
            "dose_cells_kg",
        ],
        ColumnRole::DoseUnit => &["dose_unit", "exdosu", "doseu", "dose_units"],
        ColumnRole::Response => &[
            "response",
            "best_overall_response",
            "best_response",
            "bor",
            "overall_response",
            "rsp",
        ],
        _ => role.aliases(),
    }
}

/// The roles a subjects file can carry.
const SUBJECT_ROLES: [ColumnRole; 4] = [
    ColumnRole::Subject,
    ColumnRole::Dose,
    ColumnRole::DoseUnit,
    ColumnRole::Response,
];

impl SubjectsTable {
    /// Reads the file (subject column `subject`, `USUBJID`, `SUBJID`, `Patient ID` or
    /// `ID`). Errors name the file, line and column.
    pub fn read(path: &Path, delimiter: u8) -> Result<SubjectsTable, SubjectsError> {
        Self::read_mapped(path, delimiter, &ColumnMapping::default())
    }

    /// As [`SubjectsTable::read`], with the user's column mapping (`--columns`, shared with
    /// the assay file: a mapped name this file does not have falls back to the aliases).
    pub fn read_mapped(
        path: &Path,
        delimiter: u8,
        mapping: &ColumnMapping,
    ) -> Result<SubjectsTable, SubjectsError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|cause| SubjectsError::Io {
            file: file.clone(),
            cause,
        })?;
        Self::from_bytes_mapped(&file, &bytes, delimiter, mapping)
    }

    /// Reads a subjects table from bytes; `file` names it in messages.
    pub fn from_bytes(
        file: &str,
        bytes: &[u8],
        delimiter: u8,
    ) -> Result<SubjectsTable, SubjectsError> {
        Self::from_bytes_mapped(file, bytes, delimiter, &ColumnMapping::default())
    }

    /// Reads a subjects table from bytes with a column mapping. A UTF-8 BOM, Latin-1 text,
    /// lines before the header with no names and a `;` or tab delimiter (when the header
    /// has no `delimiter`) are handled as in the assay file.
    pub fn from_bytes_mapped(
        file: &str,
        bytes: &[u8],
        delimiter: u8,
        mapping: &ColumnMapping,
    ) -> Result<SubjectsTable, SubjectsError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let (_, bytes) = skip_leading_junk(bytes);
        let delimiter = detect_delimiter(bytes, delimiter);
        let file = file.to_string();
        let csv_error = |e: csv::Error| SubjectsError::Csv {
            file: file.clone(),
            line: e.position().map_or(0, |p| record_line(bytes, p)),
            message: e.to_string(),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let header: Vec<String> = rdr
            .byte_headers()
            .map_err(csv_error)?
            .iter()
            .map(|f| decode(f).trim().to_string())
            .collect();
        let norm: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
        let mut roles: Vec<(ColumnRole, usize)> = Vec::new();
        for role in SUBJECT_ROLES {
            let mapped = mapping.0.get(&role).and_then(|name| {
                let want = normalise_header(name);
                header
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(name))
                    .or_else(|| norm.iter().position(|h| *h == want))
            });
            let found = mapped.or_else(|| {
                subject_aliases(role).iter().find_map(|alias| {
                    norm.iter()
                        .enumerate()
                        .position(|(i, h)| h == alias && !roles.iter().any(|&(_, j)| j == i))
                })
            });
            if let Some(i) = found {
                roles.push((role, i));
            }
        }
        let Some(cs) = roles
            .iter()
            .find(|(r, _)| *r == ColumnRole::Subject)
            .map(|&(_, i)| i)
        else {
            return Err(SubjectsError::NoSubjectColumn {
                file,
                found: header.join(", "),
            });
        };
        let unrecognised = header
            .iter()
            .enumerate()
            .filter(|(i, _)| !roles.iter().any(|&(_, j)| j == *i))
            .filter(|(i, _)| !KNOWN_COVARIATES.contains(&norm[*i].as_str()))
            .map(|(_, h)| h.clone())
            .collect();
        let mut rows = HashMap::new();
        for rec in rdr.byte_records() {
            let rec = rec.map_err(csv_error)?;
            let line = rec.position().map_or(0, |p| record_line(bytes, p));
            let subject = rec
                .get(cs)
                .map(|s| decode(s).trim().to_string())
                .unwrap_or_default();
            if subject.is_empty() {
                return Err(SubjectsError::EmptySubject {
                    file,
                    line,
                    column: cs + 1,
                    name: header[cs].clone(),
                });
            }
            let values: Vec<String> = rec.iter().map(|v| decode(v).trim().to_string()).collect();
            if rows.insert(subject.clone(), values).is_some() {
                return Err(SubjectsError::Duplicate {
                    file,
                    line,
                    subject,
                });
            }
        }
        Ok(SubjectsTable {
            file,
            header,
            subject_column: cs,
            rows,
            roles,
            unrecognised,
        })
    }

    /// Index of a column, case-insensitive; a role name (`dose`, `dose_unit`, `response`)
    /// also finds the column resolved for that role (e.g. `Dose (CAR+ cells)` mapped by
    /// `--columns dose=...`, or `Best Overall Response` by alias).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .or_else(|| {
                let role: ColumnRole = name.parse().ok()?;
                self.roles.iter().find(|(r, _)| *r == role).map(|&(_, i)| i)
            })
    }

    /// The value of column `col` for `subject` (empty cells are `None`).
    pub fn get(&self, subject: &str, col: usize) -> Option<&str> {
        self.rows
            .get(subject)
            .and_then(|r| r.get(col))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The covariate columns (all but the subject column).
    pub fn covariates(&self) -> Vec<(usize, &str)> {
        self.header
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.subject_column)
            .map(|(i, h)| (i, h.as_str()))
            .collect()
    }

    /// `subject -> value of column` (empty string where the cell is empty).
    pub fn column_values(&self, name: &str) -> Result<HashMap<String, String>, SubjectsError> {
        let Some(c) = self.column(name) else {
            return Err(SubjectsError::NoSuchColumn {
                file: self.file.clone(),
                name: name.to_string(),
                found: self.header.join(", "),
            });
        };
        Ok(self
            .rows
            .iter()
            .map(|(s, r)| (s.clone(), r.get(c).cloned().unwrap_or_default()))
            .collect())
    }
}
