//! Reading a subjects file: one row per subject with covariates (dose, weight,
//! response...). Every column is kept, so unknown ones pass through to the tables.

use crate::ingest::record_line;
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
    #[error("{file}:1: no subject column; expected subject, USUBJID, SUBJID or ID; the header has: {found}")]
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
}

impl SubjectsTable {
    /// Reads the file (subject column `subject`, `USUBJID`, `SUBJID` or `ID`). Errors name
    /// the file, line and column.
    pub fn read(path: &Path, delimiter: u8) -> Result<SubjectsTable, SubjectsError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|cause| SubjectsError::Io {
            file: file.clone(),
            cause,
        })?;
        Self::from_bytes(&file, &bytes, delimiter)
    }

    /// Reads a subjects table from bytes; `file` names it in messages.
    pub fn from_bytes(
        file: &str,
        bytes: &[u8],
        delimiter: u8,
    ) -> Result<SubjectsTable, SubjectsError> {
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
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_string)
            .collect();
        let Some(cs) = ["subject", "usubjid", "subjid", "id"]
            .iter()
            .find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)))
        else {
            return Err(SubjectsError::NoSubjectColumn {
                file,
                found: header.join(", "),
            });
        };
        let mut rows = HashMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(csv_error)?;
            let line = rec.position().map_or(0, |p| record_line(bytes, p));
            let subject = rec.get(cs).unwrap_or("").to_string();
            if subject.is_empty() {
                return Err(SubjectsError::EmptySubject {
                    file,
                    line,
                    column: cs + 1,
                    name: header[cs].clone(),
                });
            }
            let values: Vec<String> = rec.iter().map(str::to_string).collect();
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
        })
    }

    /// Index of a column, case-insensitive.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
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
