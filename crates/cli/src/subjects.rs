//! Reading a subjects file: one row per subject with covariates (dose, weight,
//! response...). Every column is kept, so unknown ones pass through to the tables.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;

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
    pub fn read(path: &Path, delimiter: u8) -> Result<SubjectsTable> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("{file}: cannot read"))?;
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .trim(csv::Trim::All)
            .from_reader(&bytes[..]);
        let header: Vec<String> = rdr
            .headers()
            .with_context(|| format!("{file}: cannot read the header"))?
            .iter()
            .map(str::to_string)
            .collect();
        let Some(cs) = ["subject", "usubjid", "subjid", "id"]
            .iter()
            .find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)))
        else {
            bail!(
                "{file}:1: no subject column; expected subject, USUBJID, SUBJID or ID; the header has: {}",
                header.join(", ")
            );
        };
        let mut rows = HashMap::new();
        for rec in rdr.records() {
            let rec = rec.with_context(|| format!("{file}: not valid CSV"))?;
            let line = rec
                .position()
                .map_or(0, |p| cartpk_core::ingest::record_line(&bytes, p));
            let subject = rec.get(cs).unwrap_or("").to_string();
            if subject.is_empty() {
                bail!(
                    "{file}:{line}:{}: column '{}': expected a non-empty subject",
                    cs + 1,
                    header[cs]
                );
            }
            let values: Vec<String> = rec.iter().map(str::to_string).collect();
            if rows.insert(subject.clone(), values).is_some() {
                bail!("{file}:{line}: subject '{subject}' appears twice; expected one row per subject");
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
}

/// `subject -> value of column` from a subjects file.
pub fn read_column(path: &Path, column: &str, delimiter: u8) -> Result<HashMap<String, String>> {
    let table = SubjectsTable::read(path, delimiter)?;
    let Some(c) = table.column(column) else {
        bail!(
            "{}:1: no column '{column}'; the header has: {}",
            table.file,
            table.header.join(", ")
        );
    };
    Ok(table
        .rows
        .iter()
        .map(|(s, r)| (s.clone(), r.get(c).cloned().unwrap_or_default()))
        .collect())
}
