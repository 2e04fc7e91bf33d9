//! What ingestion assumed, by category, so that a user is told rather than surprised.

use super::error::RowError;
use crate::{Profile, SampleValue};

/// Everything ingestion decided on the user's behalf. Each list names the file, line,
/// column and text of every sample concerned; [`IngestNotes::summary`] gives the short
/// version for a terminal or a report.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IngestNotes {
    /// The field delimiter used (detected or given).
    pub delimiter: char,
    /// Whether `,` was read as the decimal mark.
    pub decimal_comma: bool,
    /// Lines before the header that had no column names (blank, or only spaces/commas),
    /// skipped.
    pub skipped_lines: Vec<u64>,
    /// Lines before the header that have text but do not name the columns (a title, the
    /// export's date, a study name), skipped: `(line, text)`.
    pub preamble_lines: Vec<(u64, String)>,
    /// The value unit written in the header after the value column's name, and that name
    /// (`("copies/ug", "AVAL (copies/ug)")`), used for every row.
    pub header_unit: Option<(String, String)>,
    /// Whether some text was not UTF-8 and was read as Latin-1.
    pub latin1: bool,
    /// Roles given one value for the whole file by an option (`--assay qpcr`...):
    /// `(role, value)`.
    pub constants: Vec<(String, String)>,
    /// Roles given by an option although the file has the column (the column wins).
    pub ignored_constants: Vec<String>,
    /// Samples before the infusion (negative time or a baseline visit label), kept and
    /// labelled baseline, in the profiles read.
    pub baseline_samples: usize,
    /// BLQ samples with no LLOQ anywhere (no LLOQ column or `--lloq`, no `<x`).
    pub blq_without_lloq: usize,
    /// Not-done codes (`QNS`, `NS`, `NA`, `Hemolysed`...): samples taken as missing.
    pub not_done: Vec<RowError>,
    /// Result texts that are no known code: samples taken as missing.
    pub unknown_codes: Vec<RowError>,
    /// Above-range results (`>ULOQ`, `>1e6`), kept as right-censored at the limit.
    pub above_uloq: Vec<RowError>,
    /// Values or times outside what an analysis can represent: the value taken as
    /// missing, or the row (for a time) left out.
    pub out_of_range: Vec<RowError>,
}

/// At most this many locations are quoted per category in the summary.
const QUOTED: usize = 3;

impl IngestNotes {
    pub(crate) fn absorb(&mut self, other: IngestNotes) {
        self.latin1 |= other.latin1;
        self.not_done.extend(other.not_done);
        self.unknown_codes.extend(other.unknown_codes);
        self.above_uloq.extend(other.above_uloq);
        self.out_of_range.extend(other.out_of_range);
    }

    /// Adds the notes of the next chunk of the same file ([`super::ChunkedReader`]): its
    /// lists and counts; the file-wide fields (delimiter, constants...) are kept.
    pub fn merge(&mut self, next: IngestNotes) {
        self.baseline_samples += next.baseline_samples;
        self.blq_without_lloq += next.blq_without_lloq;
        self.absorb(next);
    }

    pub(crate) fn finish(&mut self, profiles: &[Profile]) {
        for list in [
            &mut self.not_done,
            &mut self.unknown_codes,
            &mut self.above_uloq,
            &mut self.out_of_range,
        ] {
            list.sort_by_key(|e| e.line);
        }
        for p in profiles {
            for s in &p.samples {
                self.baseline_samples += s.is_baseline() as usize;
                self.blq_without_lloq +=
                    matches!(s.value, SampleValue::Blq { lloq: None }) as usize;
            }
        }
    }

    /// Whether anything was assumed beyond the plain defaults.
    pub fn is_empty(&self) -> bool {
        self.summary().is_empty()
    }

    /// One short line per category, e.g. `3 baseline samples (...)`, for stderr and the
    /// report. Empty when nothing was assumed.
    pub fn summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.delimiter != ',' && self.delimiter != '\0' {
            let name = match self.delimiter {
                '\t' => "tab".to_string(),
                c => format!("'{c}'"),
            };
            out.push(format!("fields separated by {name}"));
        }
        if self.decimal_comma {
            out.push("',' read as the decimal mark".to_string());
        }
        if !self.skipped_lines.is_empty() {
            let lines: Vec<String> = self.skipped_lines.iter().map(u64::to_string).collect();
            out.push(format!(
                "line(s) {} before the header have no column names (blank or only spaces/commas); skipped",
                lines.join(", ")
            ));
        }
        if let Some((_, first)) = self.preamble_lines.first() {
            let lines: Vec<String> = self
                .preamble_lines
                .iter()
                .map(|(l, _)| l.to_string())
                .collect();
            let shown: String = first.chars().take(60).collect();
            let more = if shown.len() < first.len() { "..." } else { "" };
            out.push(format!(
                "line(s) {} before the header do not name the columns (a title or notes, e.g. '{shown}{more}'); skipped",
                lines.join(", ")
            ));
        }
        if let Some((unit, name)) = &self.header_unit {
            out.push(format!(
                "unit '{unit}' for every row, from the header '{name}' (the file has no unit column)"
            ));
        }
        if self.latin1 {
            out.push("text that is not UTF-8 read as Latin-1 (e.g. byte B5 as µ)".to_string());
        }
        for (role, value) in &self.constants {
            out.push(format!(
                "{role} '{value}' for every row (the file has no {role} column)"
            ));
        }
        for role in &self.ignored_constants {
            out.push(format!("--{role} ignored: the file has a {role} column"));
        }
        if self.baseline_samples > 0 {
            out.push(format!(
                "{} baseline sample(s) (before infusion: negative time or a screening/baseline/pre-dose visit) kept and labelled baseline",
                self.baseline_samples
            ));
        }
        if self.blq_without_lloq > 0 {
            out.push(format!(
                "{} BLQ sample(s) without an LLOQ (no LLOQ column, no '<x', no --lloq): BLQ rules that need the LLOQ and plots cannot place them",
                self.blq_without_lloq
            ));
        }
        let mut quoted = |what: &str, list: &[RowError]| {
            if list.is_empty() {
                return;
            }
            let first: Vec<String> = list
                .iter()
                .take(QUOTED)
                .map(|e| match &e.column {
                    Some(c) => format!(
                        "{}:{}:{} ({}) '{}'",
                        e.file, e.line, c.index, c.name, e.text
                    ),
                    None => format!("{}:{} '{}'", e.file, e.line, e.text),
                })
                .collect();
            let more = if list.len() > QUOTED { ", ..." } else { "" };
            out.push(format!("{} {what}: {}{more}", list.len(), first.join(", ")));
        };
        quoted("not-done code(s) taken as missing", &self.not_done);
        quoted(
            "unknown result code(s) taken as missing",
            &self.unknown_codes,
        );
        quoted(
            "above-range result(s) kept as censored at the limit and flagged",
            &self.above_uloq,
        );
        quoted(
            "value(s) or time(s) out of range, left out",
            &self.out_of_range,
        );
        out
    }
}
