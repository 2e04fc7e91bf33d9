//! Which input column plays which role: native names, CDISC ADPC names, or a user mapping.

use super::error::IngestError;
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
}

impl ColumnRole {
    /// Every role, in the order they are resolved.
    pub const ALL: [ColumnRole; 12] = [
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
        }
    }

    /// Header names recognised for the role, in order of preference (case-insensitive).
    /// Actual time (`AFRLT`) is preferred to nominal time (`NFRLT`).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            ColumnRole::Subject => &[
                "subject",
                "usubjid",
                "subjid",
                "subject_id",
                "patient",
                "id",
            ],
            ColumnRole::Matrix => &["matrix", "pcspec", "specimen", "spec", "tissue"],
            ColumnRole::Assay => &["assay", "paramcd", "pctestcd", "analyte", "method"],
            ColumnRole::Time => &[
                "time",
                "afrlt",
                "areltm",
                "nfrlt",
                "nreltm",
                "time_since_infusion",
                "day",
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
            ColumnRole::Value => &["value", "aval", "pcstresn", "conc", "concentration", "dv"],
            ColumnRole::ValueText => &["value_text", "avalc", "pcstresc", "pcorres"],
            ColumnRole::Unit => &["unit", "avalu", "pcstresu", "pcorresu", "units"],
            ColumnRole::Lloq => &["lloq", "pclloq", "lloq_value"],
            ColumnRole::BlqFlag => &["blq", "blq_flag", "blqfl", "pcblqfl", "bloqfl"],
            ColumnRole::Dose => &["dose", "exdose", "dosea"],
            ColumnRole::DoseUnit => &["dose_unit", "exdosu", "doseu"],
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            ColumnRole::Subject | ColumnRole::Matrix | ColumnRole::Assay | ColumnRole::Time
        )
    }
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
        let lower: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let found = || header.join(", ");
        let mut index = BTreeMap::new();
        for role in ColumnRole::ALL {
            if let Some(name) = mapping.0.get(&role) {
                let want = name.to_ascii_lowercase();
                match lower.iter().position(|h| *h == want) {
                    Some(i) => {
                        index.insert(role, i);
                    }
                    None => {
                        return Err(IngestError::MappedColumnNotFound {
                            file: file.to_string(),
                            role: role.name().to_string(),
                            name: name.clone(),
                            found: found(),
                        })
                    }
                }
                continue;
            }
            let taken: Vec<usize> = index.values().copied().collect();
            if let Some(i) = role.aliases().iter().find_map(|alias| {
                lower
                    .iter()
                    .enumerate()
                    .position(|(i, h)| h == alias && !taken.contains(&i))
            }) {
                index.insert(role, i);
            }
        }
        let missing = |role: ColumnRole| IngestError::MissingColumn {
            file: file.to_string(),
            role: role.name().to_string(),
            tried: role.aliases().join("/"),
            found: found(),
        };
        for role in ColumnRole::ALL.into_iter().filter(|r| r.required()) {
            if !index.contains_key(&role) {
                return Err(missing(role));
            }
        }
        if !index.contains_key(&ColumnRole::Value) && !index.contains_key(&ColumnRole::ValueText) {
            return Err(missing(ColumnRole::Value));
        }
        Ok(ResolvedColumns { header, index })
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
