//! Warnings triaged: every warning has a kind and each kind a severity, so that what
//! changes a reported number or excludes an estimate comes first and structural notes last.

use serde::Serialize;

/// How much a warning matters to the reader of the report, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A row, profile or figure produced no result.
    Skipped,
    /// An estimate is left out of the summary statistics.
    Excluded,
    /// A reported number rests on an assumption that changes it (an imputed or truncated
    /// AUC, a fit warning, a dose that could not be read).
    Changes,
    /// Structural: expected for the design (sparse tissue sampling, too few points for a
    /// terminal phase or a fit), no reported number affected.
    Note,
}

impl Severity {
    /// Its name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Skipped => "skipped",
            Severity::Excluded => "excluded",
            Severity::Changes => "changes a number",
            Severity::Note => "note",
        }
    }
}

/// One warning, as a row of `warnings.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// Input file the warning is about.
    pub file: String,
    /// Line of that file, when one row is to blame.
    pub line: Option<u64>,
    /// Subject, when known.
    pub subject: Option<String>,
    /// Matrix, when known.
    pub matrix: Option<String>,
    /// Assay, when known.
    pub assay: Option<String>,
    /// Kind (`lambda_z_too_few_points`, `excluded_half_life`...).
    pub kind: String,
    /// Severity of the kind.
    pub severity: Severity,
    /// What happened.
    pub message: String,
}

/// Warnings grouped by kind: (severity, kind, warnings), most serious first, then by kind.
pub fn grouped(warnings: &[Warning]) -> Vec<(Severity, &str, Vec<&Warning>)> {
    let mut groups: std::collections::BTreeMap<(Severity, &str), Vec<&Warning>> =
        std::collections::BTreeMap::new();
    for w in warnings {
        groups.entry((w.severity, &w.kind)).or_default().push(w);
    }
    groups.into_iter().map(|((s, k), v)| (s, k, v)).collect()
}

/// Counts per kind, most serious first: `(severity, kind, count)`.
pub fn counts(warnings: &[Warning]) -> Vec<(Severity, String, usize)> {
    grouped(warnings)
        .into_iter()
        .map(|(s, k, v)| (s, k.to_string(), v.len()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(kind: &str, severity: Severity) -> Warning {
        Warning {
            file: "f.csv".into(),
            line: None,
            subject: None,
            matrix: None,
            assay: None,
            kind: kind.into(),
            severity,
            message: String::new(),
        }
    }

    #[test]
    fn groups_put_what_changes_numbers_first() {
        let ws = vec![
            w("sparse_sampling", Severity::Note),
            w("excluded_half_life", Severity::Excluded),
            w("sparse_sampling", Severity::Note),
            w("row_skipped", Severity::Skipped),
        ];
        let c = counts(&ws);
        assert_eq!(
            c,
            vec![
                (Severity::Skipped, "row_skipped".to_string(), 1),
                (Severity::Excluded, "excluded_half_life".to_string(), 1),
                (Severity::Note, "sparse_sampling".to_string(), 2),
            ]
        );
    }
}
