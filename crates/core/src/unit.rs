//! Concentration units of the assays.

use std::fmt;

/// The unit of a measured value. Recognised CAR-T units get a canonical spelling so that
/// `copies/µg gDNA` and `copies/ug` land in one profile; any other unit is kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ConcUnit {
    /// CAR transgene copies per microgram of genomic DNA (qPCR).
    CopiesPerUg,
    /// Percent CAR+ cells among CD3+ T cells (flow cytometry).
    PercentCarPositive,
    /// Absolute CAR+ cells per microlitre of blood (flow cytometry).
    CellsPerUl,
    /// Any other unit, as written (trimmed), e.g. `mg/L`.
    Other(String),
}

impl ConcUnit {
    /// Parses a unit as lab exports write it. Returns `None` for an empty cell.
    pub fn parse(text: &str) -> Option<ConcUnit> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return None;
        }
        let norm: String = trimmed
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                'µ' | 'μ' => 'u',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        let unit = match norm.as_str() {
            "copies/ug" | "copies/ugdna" | "copies/uggdna" | "copies/ug(gdna)" | "copiesperug"
            | "cp/ug" => ConcUnit::CopiesPerUg,
            "%" | "%car+" | "percent" | "pct" | "%ofcd3+" | "%car+ofcd3+" | "%car+cd3+" => {
                ConcUnit::PercentCarPositive
            }
            "cells/ul" | "car+cells/ul" | "cells/mm3" | "/ul" | "cells/microl" => {
                ConcUnit::CellsPerUl
            }
            _ => ConcUnit::Other(trimmed.to_string()),
        };
        Some(unit)
    }

    /// The canonical label: `copies/ug`, `%`, `cells/uL`, or the other unit as written.
    pub fn label(&self) -> &str {
        match self {
            ConcUnit::CopiesPerUg => "copies/ug",
            ConcUnit::PercentCarPositive => "%",
            ConcUnit::CellsPerUl => "cells/uL",
            ConcUnit::Other(label) => label,
        }
    }

    /// The unit of an area under this curve with time in days, e.g. `day*copies/ug`.
    pub fn auc_label(&self) -> String {
        format!("day*{}", self.label())
    }
}

impl fmt::Display for ConcUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spellings() {
        for s in ["copies/ug", "copies/µg", "copies/μg gDNA", "Copies/ug DNA"] {
            assert_eq!(ConcUnit::parse(s), Some(ConcUnit::CopiesPerUg), "{s}");
        }
        for s in ["%", "%CAR+", "percent"] {
            assert_eq!(
                ConcUnit::parse(s),
                Some(ConcUnit::PercentCarPositive),
                "{s}"
            );
        }
        for s in ["cells/uL", "cells/µL", "CAR+ cells/uL", "cells/mm3"] {
            assert_eq!(ConcUnit::parse(s), Some(ConcUnit::CellsPerUl), "{s}");
        }
        assert_eq!(
            ConcUnit::parse("mg/L"),
            Some(ConcUnit::Other("mg/L".into()))
        );
        assert_eq!(ConcUnit::parse(" "), None);
        assert_eq!(ConcUnit::CopiesPerUg.auc_label(), "day*copies/ug");
    }
}
