//! Errors of ingestion: fatal ones ([`IngestError`]) and per-row ones ([`RowError`]).

use std::fmt;

/// A problem that stops the whole file from being read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    // The cause is in the message, not in `source()`, so that reporters that print the
    // chain (anyhow's `{:#}`) do not print it twice.
    #[error("{file}: cannot read: {cause}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The CSV layer failed (e.g. a broken quote or invalid UTF-8 in the header).
    #[error("{file}:{line}: not valid CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// 1-based line, 0 when unknown.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// The file has no header row.
    #[error("{file}: empty file; expected a header row with column names")]
    Empty {
        /// The file.
        file: String,
    },
    /// Required columns are not in the header (all of them, in one error).
    #[error("{file}:{line}: {}; the header has: {found}", missing.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("; "))]
    MissingColumns {
        /// The file.
        file: String,
        /// 1-based line of the header (after blank lines and a title, if any).
        line: u64,
        /// Every role that has no column, with how to fix each.
        missing: Vec<MissingColumn>,
        /// The names the header has.
        found: String,
    },
    /// A unit written in the header (`Time (h)`, `AVAL (copies/ug)`) disagrees with the
    /// unit the options give.
    #[error("{file}:{line}: column '{column}' {message}")]
    HeaderUnit {
        /// The file.
        file: String,
        /// 1-based line of the header.
        line: u64,
        /// The column's name, as written.
        column: String,
        /// The unit it gives, what that disagrees with, and how to resolve it.
        message: String,
    },
    /// The file has a header but no data row.
    #[error("{file}: no data rows after the header on line {header_line}; expected one row per measurement")]
    NoData {
        /// The file.
        file: String,
        /// 1-based line of the header.
        header_line: u64,
    },
}

/// One required column that is missing, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingColumn {
    /// The role, e.g. `assay`.
    pub role: String,
    /// What was looked for: the names tried, or the name `--columns` gave.
    pub tried: String,
    /// The flags that fix it, e.g. `--assay NAME or --columns assay=COLUMN`.
    pub fix: String,
}

impl fmt::Display for MissingColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no {} column (looked for {}; use {})",
            self.role, self.tried, self.fix
        )
    }
}

/// Where in the input a row problem is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellRef {
    /// 1-based column number.
    pub index: usize,
    /// Column name from the header.
    pub name: String,
}

/// A problem with one row (or one profile), naming the file, line, column and text.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
pub struct RowError {
    /// The input file (or stream name).
    pub file: String,
    /// 1-based line number in the file.
    pub line: u64,
    /// The cell, when the problem is in one.
    pub column: Option<CellRef>,
    /// The offending text, as found.
    pub text: String,
    /// What is wrong and what was expected.
    pub problem: RowProblem,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(
                f,
                "{}:{}:{}: column '{}': {}, found '{}'",
                self.file, self.line, c.index, c.name, self.problem, self.text
            ),
            None => write!(
                f,
                "{}:{}: {}, found '{}'",
                self.file, self.line, self.problem, self.text
            ),
        }
    }
}

/// What is wrong with a row. Each message says what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowProblem {
    /// The row has a different number of fields from the header.
    #[error("expected {expected} fields as in the header, the row has {found}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A cell is not valid UTF-8.
    #[error("expected UTF-8 text")]
    NotUtf8,
    /// A cell that identifies the profile is empty.
    #[error("expected a non-empty {role}")]
    Empty {
        /// Which identifier: subject, matrix or assay.
        role: &'static str,
    },
    /// The time is not a number.
    #[error("expected a time since infusion as a number")]
    TimeNotANumber,
    /// The time is outside what an analysis can use.
    #[error("expected a time since infusion within +-{max_days} days")]
    TimeOutOfRange {
        /// The bound, days.
        max_days: f64,
    },
    /// A time unit nobody knows.
    #[error("expected a time unit: min, h/hours, d/days or w/weeks")]
    UnknownTimeUnit,
    /// No time unit column value and no default.
    #[error("expected a time unit (no time unit column or value, and no --time-unit)")]
    NoTimeUnit,
    /// A value cell that is no number and no known result code (docs/input-format.md).
    #[error("unknown result code, sample taken as missing; expected a number, a BLQ code (<50, <LLOQ, BLQ, ND...), a not-done code (NA, QNS...), an above-range code (>ULOQ, >1e6) or an empty cell")]
    UnknownCode,
    /// A number written with a decimal comma in a file read with decimal points.
    #[error("expected a number with a decimal point; this looks like a decimal comma (use --decimal-comma)")]
    DecimalComma,
    /// A value (or limit) outside what an analysis can represent.
    #[error("expected 0 or a value between {min:e} and {max:e}; sample taken as missing")]
    ValueOutOfRange {
        /// Smallest positive value accepted.
        min: f64,
        /// Largest value accepted.
        max: f64,
    },
    /// A not-done code: the sample is missing.
    #[error("not-done code, sample taken as missing")]
    NotDone,
    /// An above-range code: kept as a right-censored value.
    #[error("above the upper limit of quantification, kept as censored at the limit")]
    AboveRange,
    /// A matrix, assay or subject label that is no label once punctuation is removed.
    #[error("expected a {role} label with letters or digits")]
    NoLabel {
        /// Which identifier.
        role: &'static str,
    },
    /// A negative value.
    #[error("expected a value >= 0")]
    NegativeValue,
    /// The LLOQ is not a non-negative number.
    #[error("expected an LLOQ that is a number >= 0, or an empty cell")]
    BadLloq,
    /// "<x" in the value disagrees with the LLOQ column.
    #[error("expected the LLOQ in the value to match the LLOQ column ({lloq})")]
    ConflictingLloq {
        /// The LLOQ column's value.
        lloq: f64,
    },
    /// A BLQ flag that is not yes/no.
    #[error("expected a BLQ flag of Y/N, 1/0, TRUE/FALSE or empty")]
    BadBlqFlag,
    /// The BLQ flag says no but the value says BLQ.
    #[error("expected the value to agree with the BLQ flag (N), but it is a BLQ marker")]
    BlqFlagConflict,
    /// No unit for the value.
    #[error("expected a unit (the unit cell is empty and no --unit was given)")]
    NoUnit,
    /// Two time units inside one profile.
    #[error("expected one time unit per profile; line {first_line} uses '{first}'")]
    MixedTimeUnits {
        /// The unit first seen in this profile.
        first: String,
        /// Its line.
        first_line: u64,
    },
    /// Two value units inside one profile.
    #[error("expected one unit per profile; line {first_line} uses '{first}'")]
    MixedUnits {
        /// The unit first seen in this profile.
        first: String,
        /// Its line.
        first_line: u64,
    },
    /// Two different results at the same time in one profile.
    #[error("expected one result per time in a profile; line {other_line} has '{other}' at the same time")]
    DuplicateTime {
        /// The other row's value text.
        other: String,
        /// The other row's line.
        other_line: u64,
    },
    /// A dose that is not a positive number.
    #[error("expected a dose > 0 or an empty cell")]
    BadDose,
    /// Two doses inside one profile.
    #[error("expected one dose per profile; line {first_line} has {first}")]
    MixedDoses {
        /// The dose first seen.
        first: f64,
        /// Its line.
        first_line: u64,
    },
}
