//! Which input column plays which role: native names, CDISC ADPC names, or a user mapping.

use super::error::{IngestError, MissingColumn};
use crate::{ConcUnit, TimeUnit};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The role a column plays in the long input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnRole {
    /// Subject identifier (`subject`, `USUBJID`).
    Subject,
    /// Matrix (`matrix`, `PCSPEC`).
    Matrix,
    /// Assay or analyte (`assay`, `PARAMCD`, `PCTESTCD`).
    Assay,
    /// Time since infusion (`time`, `AFRLT`, `NFRLT`).
    Time,
    /// Unit of the time column (`time_unit`, `AFRLTU`, `RRLTU`).
    TimeUnit,
    /// Numeric result (`value`, `AVAL`, `PCSTRESN`).
    Value,
    /// Character result, where BLQ markers live in CDISC data (`AVALC`, `PCSTRESC`).
    ValueText,
    /// Unit of the result (`unit`, `AVALU`, `PCSTRESU`).
    Unit,
    /// Lower limit of quantification (`lloq`, `PCLLOQ`).
    Lloq,
    /// BLQ flag, Y/N (`blq`, `BLQFL`).
    BlqFlag,
    /// Dose amount (`dose`, `EXDOSE`).
    Dose,
    /// Dose unit (`dose_unit`, `EXDOSU`).
    DoseUnit,
    /// Visit label (`visit`, `AVISIT`): `Screening`, `Baseline`, `Pre-dose`... mark
    /// samples taken before the infusion.
    Visit,
    /// Upper limit of quantification (`uloq`, `PCULOQ`), the limit of `>ULOQ` results.
    Uloq,
    /// Response, in the subjects file (`response`, `Best Overall Response`, `BOR`).
    Response,
}

impl ColumnRole {
    /// Every role, in the order they are resolved.
    pub const ALL: [ColumnRole; 15] = [
        ColumnRole::Subject,
        ColumnRole::Matrix,
        ColumnRole::Assay,
        ColumnRole::Time,
        ColumnRole::TimeUnit,
        ColumnRole::Value,
        ColumnRole::ValueText,
        ColumnRole::Unit,
        ColumnRole::Lloq,
        ColumnRole::BlqFlag,
        ColumnRole::Dose,
        ColumnRole::DoseUnit,
        ColumnRole::Visit,
        ColumnRole::Uloq,
        ColumnRole::Response,
    ];

    /// The role's name, as used in `--columns role=NAME`.
    pub fn name(self) -> &'static str {
        match self {
            ColumnRole::Subject => "subject",
            ColumnRole::Matrix => "matrix",
            ColumnRole::Assay => "assay",
            ColumnRole::Time => "time",
            ColumnRole::TimeUnit => "time_unit",
            ColumnRole::Value => "value",
            ColumnRole::ValueText => "value_text",
            ColumnRole::Unit => "unit",
            ColumnRole::Lloq => "lloq",
            ColumnRole::BlqFlag => "blq_flag",
            ColumnRole::Dose => "dose",
            ColumnRole::DoseUnit => "dose_unit",
            ColumnRole::Visit => "visit",
            ColumnRole::Uloq => "uloq",
            ColumnRole::Response => "response",
        }
    }

    /// Header names recognised for the role, in order of preference. A header matches
    /// case-insensitively, with runs of spaces and punctuation read as `_` (so `Patient
    /// ID`, `patient-id` and `PATIENT_ID` all match `patient_id`). Actual time (`AFRLT`)
    /// is preferred to nominal time (`NFRLT`).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            ColumnRole::Subject => &[
                "subject",
                "usubjid",
                "subjid",
                "subject_id",
                "patient",
                "patient_id",
                "patientid",
                "patient_number",
                "participant",
                "participant_id",
                "id",
            ],
            ColumnRole::Matrix => &[
                "matrix",
                "pcspec",
                "specimen",
                "specimen_type",
                "sample_type",
                "sampletype",
                "spec",
                "tissue",
                "compartment",
            ],
            ColumnRole::Assay => &[
                "assay",
                "paramcd",
                "pctestcd",
                "analyte",
                "method",
                "assay_method",
                "test",
                "test_code",
            ],
            ColumnRole::Time => &[
                "time",
                "afrlt",
                "areltm",
                "nfrlt",
                "nreltm",
                "time_since_infusion",
                "days_since_infusion",
                "day",
                "study_day",
                "studyday",
                "days",
                "ady",
                "pcdy",
            ],
            ColumnRole::TimeUnit => &[
                "time_unit",
                "timeu",
                "afrltu",
                "nfrltu",
                "rrltu",
                "areltmu",
                "nreltmu",
            ],
            ColumnRole::Value => &[
                "value",
                "aval",
                "pcstresn",
                "conc",
                "concentration",
                "dv",
                "result",
                "results",
                "result_value",
                "reported_result",
            ],
            ColumnRole::ValueText => &["value_text", "avalc", "pcstresc", "pcorres"],
            ColumnRole::Unit => &[
                "unit",
                "avalu",
                "pcstresu",
                "pcorresu",
                "units",
                "result_unit",
                "result_units",
                "uom",
            ],
            ColumnRole::Lloq => &["lloq", "pclloq", "lloq_value", "loq"],
            ColumnRole::BlqFlag => &["blq", "blq_flag", "blqfl", "pcblqfl", "bloqfl"],
            ColumnRole::Dose => &["dose", "exdose", "dosea"],
            ColumnRole::DoseUnit => &["dose_unit", "exdosu", "doseu"],
            ColumnRole::Visit => &[
                "visit",
                "avisit",
                "visit_name",
                "visitname",
                "visit_label",
                "timepoint",
                "time_point",
            ],
            ColumnRole::Uloq => &["uloq", "pculoq", "uloq_value"],
            // Read from the subjects file only.
            ColumnRole::Response => &[],
        }
    }

    /// The flag that gives this role one value for the whole file, if there is one.
    pub fn constant_flag(self) -> Option<&'static str> {
        match self {
            ColumnRole::Subject => Some("--subject ID"),
            ColumnRole::Matrix => Some("--matrix blood"),
            ColumnRole::Assay => Some("--assay qpcr"),
            ColumnRole::Unit => Some("--unit copies/ug"),
            ColumnRole::TimeUnit => Some("--time-unit days"),
            ColumnRole::Lloq => Some("--lloq 50"),
            ColumnRole::Uloq => Some("--uloq 1e6"),
            _ => None,
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            ColumnRole::Subject | ColumnRole::Matrix | ColumnRole::Assay | ColumnRole::Time
        )
    }
}

/// A column name as compared with the aliases: lower case, a UTF-8 BOM dropped, runs of
/// anything but letters and digits turned into one `_`, none at either end.
pub fn normalise_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// A column name without a unit in brackets at its end, and that unit: `AVAL (copies/ug)`
/// is `("AVAL", "copies/ug")`, `Time [h]` is `("Time", "h")`. `None` when the name does not
/// end in a bracket (or the bracket is the whole name).
pub fn bracketed_unit(name: &str) -> Option<(&str, &str)> {
    let t = name.trim();
    let (open, close) = match t.chars().last()? {
        ')' => ('(', ')'),
        ']' => ('[', ']'),
        _ => return None,
    };
    // The bracket that opens the last one, nested brackets inside it included:
    // `AVAL (copies/ug (gDNA))` is `AVAL` in `copies/ug (gDNA)`.
    let mut depth = 0usize;
    let mut start = None;
    for (i, c) in t.char_indices().rev() {
        if c == close {
            depth += 1;
        } else if c == open {
            depth -= 1;
            if depth == 0 {
                start = Some(i);
                break;
            }
        }
    }
    let start = start?;
    let bare = t[..start].trim_end();
    let unit = t[start + 1..t.len() - close.len_utf8()].trim();
    (!bare.is_empty() && !unit.is_empty()).then_some((bare, unit))
}

impl fmt::Display for ColumnRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ColumnRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        ColumnRole::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<_> = ColumnRole::ALL.iter().map(|r| r.name()).collect();
                format!(
                    "unknown column role '{s}'; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// A user's `role=NAME` column mapping, for exports whose names cartpk does not know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping(pub BTreeMap<ColumnRole, String>);

impl ColumnMapping {
    /// Parses `subject=PATID,time=DAY` (commas or repeated flags both work).
    pub fn parse(spec: &str) -> Result<ColumnMapping, String> {
        let mut map = ColumnMapping::default();
        map.extend_from(spec)?;
        Ok(map)
    }

    /// Adds the pairs of `spec` to this mapping.
    pub fn extend_from(&mut self, spec: &str) -> Result<(), String> {
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (role, name) = pair
                .split_once('=')
                .ok_or_else(|| format!("expected role=COLUMN in --columns, found '{pair}'"))?;
            let role: ColumnRole = role.parse()?;
            let name = name.trim();
            if name.is_empty() {
                return Err(format!(
                    "expected a column name after '{role}=' in --columns"
                ));
            }
            self.0.insert(role, name.to_string());
        }
        Ok(())
    }
}

/// Units written in the header, after a column's name in brackets, with that name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeaderUnits {
    /// Unit of the values (`AVAL (copies/ug)`).
    pub value: Option<(ConcUnit, String)>,
    /// Unit of the times (`Time (h)`).
    pub time: Option<(TimeUnit, String)>,
}

/// The value unit in brackets after a column name: a unit cartpk knows, or one that reads
/// as a unit (has a `/` or `%`), so that `Result (final)` is not a unit called "final".
fn header_value_unit(name: &str) -> Option<ConcUnit> {
    let (_, text) = bracketed_unit(name)?;
    match ConcUnit::parse(text)? {
        ConcUnit::Other(t) if !t.contains(['/', '%']) => None,
        u => Some(u),
    }
}

/// Column indices (0-based) of each role found in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedColumns {
    /// The header's names, as written.
    pub header: Vec<String>,
    index: BTreeMap<ColumnRole, usize>,
}

impl ResolvedColumns {
    /// Resolves roles against a header: a user mapping first, then the aliases in order.
    /// Fails if a required role (subject, matrix, assay, time, and value or value text) has
    /// no column.
    pub fn resolve(
        file: &str,
        header: Vec<String>,
        mapping: &ColumnMapping,
    ) -> Result<ResolvedColumns, IngestError> {
        // The unit may come from an option the caller checks itself.
        Self::resolve_with(file, header, mapping, &[ColumnRole::Unit])
    }

    /// As [`ResolvedColumns::resolve`], with the roles in `constant` given a value for the
    /// whole file by the caller (e.g. `--assay qpcr`): those need no column. Every missing
    /// role is reported in one error, with the flags that fix each.
    pub fn resolve_with(
        file: &str,
        header: Vec<String>,
        mapping: &ColumnMapping,
        constant: &[ColumnRole],
    ) -> Result<ResolvedColumns, IngestError> {
        let lower: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let norm: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
        // The names without a unit in brackets (`AVAL (copies/ug)`), tried after the whole
        // names; the unit is read by `header_units`.
        let bare: Vec<Option<String>> = header
            .iter()
            .map(|h| bracketed_unit(h).map(|(b, _)| normalise_header(b)))
            .collect();
        let found = || header.join(", ");
        let mut index = BTreeMap::new();
        let mut missing = Vec::new();
        let mut unmatched = Vec::new();
        for role in ColumnRole::ALL {
            if let Some(name) = mapping.0.get(&role) {
                let want = name.to_lowercase();
                let want_norm = normalise_header(name);
                match lower
                    .iter()
                    .position(|h| *h == want)
                    .or_else(|| norm.iter().position(|h| *h == want_norm))
                    .or_else(|| bare.iter().position(|h| h.as_deref() == Some(&want_norm)))
                {
                    Some(i) => {
                        index.insert(role, i);
                    }
                    None if matches!(
                        role,
                        ColumnRole::Dose | ColumnRole::DoseUnit | ColumnRole::Response
                    ) =>
                    {
                        // May name a column of the subjects file (`--columns` serves both).
                    }
                    None => {
                        let mut fix = format!("--columns {role}=NAME with a name from the header");
                        if let Some(flag) = role.constant_flag() {
                            let flag = flag.split(' ').next().unwrap_or(flag);
                            fix.push_str(&format!(
                                ", or {flag} '{name}' to give every row that {role}"
                            ));
                        }
                        missing.push(MissingColumn {
                            role: role.name().to_string(),
                            tried: format!("'{name}' (from --columns)"),
                            fix,
                        });
                    }
                }
                continue;
            }
            let taken: Vec<usize> = index.values().copied().collect();
            if let Some(i) = role.aliases().iter().find_map(|alias| {
                norm.iter()
                    .enumerate()
                    .position(|(i, h)| h == alias && !taken.contains(&i))
            }) {
                index.insert(role, i);
            } else {
                unmatched.push(role);
            }
        }
        // Names without their bracket, once every role has had its whole names: `Result
        // (Units)` is the unit column's `result_units` before it is a bracketed `result`.
        for role in unmatched {
            let taken: Vec<usize> = index.values().copied().collect();
            if let Some(i) = role.aliases().iter().find_map(|alias| {
                bare.iter()
                    .enumerate()
                    .position(|(i, h)| h.as_deref() == Some(alias) && !taken.contains(&i))
            }) {
                index.insert(role, i);
            }
        }
        let missing_role = |role: ColumnRole| MissingColumn {
            role: role.name().to_string(),
            tried: role.aliases().join("/"),
            fix: match role.constant_flag() {
                Some(flag) => format!("{flag} for the whole file, or --columns {role}=NAME"),
                None => format!("--columns {role}=NAME"),
            },
        };
        let mapped = |role: ColumnRole| mapping.0.contains_key(&role);
        for role in ColumnRole::ALL.into_iter().filter(|r| r.required()) {
            if !index.contains_key(&role) && !constant.contains(&role) && !mapped(role) {
                missing.push(missing_role(role));
            }
        }
        let has_value = [ColumnRole::Value, ColumnRole::ValueText]
            .iter()
            .any(|r| index.contains_key(r) || mapped(*r));
        if !has_value {
            missing.push(missing_role(ColumnRole::Value));
        }
        let value_unit = index
            .get(&ColumnRole::Value)
            .and_then(|&i| header_value_unit(&header[i]));
        let has_unit = constant.contains(&ColumnRole::Unit)
            || index.contains_key(&ColumnRole::Unit)
            || mapped(ColumnRole::Unit)
            || value_unit.is_some();
        if !has_unit {
            missing.push(missing_role(ColumnRole::Unit));
        }
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                file: file.to_string(),
                // The caller that knows where the header is sets its line.
                line: 1,
                missing,
                found: found(),
            });
        }
        Ok(ResolvedColumns { header, index })
    }

    /// The units the header writes in brackets after the value and time columns' names.
    pub fn header_units(&self) -> HeaderUnits {
        let name = |role| self.get(role).map(|i| self.header[i].as_str());
        HeaderUnits {
            value: name(ColumnRole::Value)
                .and_then(|n| header_value_unit(n).map(|u| (u, n.to_string()))),
            time: name(ColumnRole::Time).and_then(|n| {
                bracketed_unit(n)
                    .and_then(|(_, u)| TimeUnit::parse(u))
                    .map(|u| (u, n.to_string()))
            }),
        }
    }

    /// The 0-based index of the column playing `role`, if any.
    pub fn get(&self, role: ColumnRole) -> Option<usize> {
        self.index.get(&role).copied()
    }

    /// `role -> column name` for every role found, for reports.
    pub fn describe(&self) -> Vec<(ColumnRole, String)> {
        self.index
            .iter()
            .map(|(r, &i)| (*r, self.header[i].clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resolves_cdisc_names_preferring_actual_time() {
        let h = header(&[
            "STUDYID", "USUBJID", "PCSPEC", "PARAMCD", "NFRLT", "AFRLT", "AVAL", "AVALC", "AVALU",
            "PCLLOQ",
        ]);
        let cols = ResolvedColumns::resolve("adpc.csv", h, &ColumnMapping::default()).unwrap();
        assert_eq!(cols.get(ColumnRole::Subject), Some(1));
        assert_eq!(cols.get(ColumnRole::Time), Some(5));
        assert_eq!(cols.get(ColumnRole::ValueText), Some(7));
        assert_eq!(cols.get(ColumnRole::Lloq), Some(9));
        assert_eq!(cols.get(ColumnRole::BlqFlag), None);
    }

    #[test]
    fn user_mapping_wins_and_missing_column_is_named() {
        let h = header(&["PATID", "tissue", "assay", "DAY", "RESULT"]);
        let map = ColumnMapping::parse("subject=patid, value=RESULT").unwrap();
        let cols = ResolvedColumns::resolve("x.csv", h.clone(), &map).unwrap();
        assert_eq!(cols.get(ColumnRole::Subject), Some(0));
        assert_eq!(cols.get(ColumnRole::Value), Some(4));
        let err = ResolvedColumns::resolve("x.csv", h, &ColumnMapping::default()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x.csv:1: no subject column"), "{msg}");
        assert!(msg.contains("--subject ID"), "{msg}");
        assert!(msg.contains("PATID, tissue"), "{msg}");
    }

    #[test]
    fn bad_mapping_is_refused() {
        assert!(ColumnMapping::parse("colour=x")
            .unwrap_err()
            .contains("unknown column role"));
        assert!(ColumnMapping::parse("time")
            .unwrap_err()
            .contains("role=COLUMN"));
    }
}
