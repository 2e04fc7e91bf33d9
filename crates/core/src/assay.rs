//! The assay (measurement method) behind a profile.

use crate::matrix::normalise_label;
use std::fmt;

/// How CAR-T cells were measured. The assay and the matrix together with the subject
/// identify one concentration-time profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Assay {
    /// Quantitative PCR of the CAR transgene in genomic DNA (copies/ug gDNA).
    Qpcr,
    /// Flow cytometry (%CAR+ among CD3+ T cells, or CAR+ cells/uL).
    Flow,
    /// Any other assay or analyte code (e.g. a CDISC `PARAMCD`), kept as given (trimmed).
    Other(String),
}

impl Assay {
    /// Recognises `qPCR`, `PCR`, `ddPCR`, `transgene`; `flow`, `FACS`, `flow cytometry`,
    /// `FCM`. Anything else becomes [`Assay::Other`]. Returns `None` for an empty label.
    pub fn parse(text: &str) -> Option<Assay> {
        let norm = normalise_label(text);
        let assay = match norm.as_str() {
            "" => return None,
            "qpcr" | "pcr" | "ddpcr" | "q pcr" | "transgene" | "qpcr transgene" => Assay::Qpcr,
            "flow" | "facs" | "flow cytometry" | "fcm" | "flow cytometry car+" => Assay::Flow,
            _ => Assay::Other(text.trim().to_string()),
        };
        Some(assay)
    }

    /// The label written in results: `qpcr`, `flow`, or the other label.
    pub fn label(&self) -> &str {
        match self {
            Assay::Qpcr => "qpcr",
            Assay::Flow => "flow",
            Assay::Other(label) => label,
        }
    }
}

impl fmt::Display for Assay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_spellings() {
        for s in ["qpcr", "qPCR", "PCR", "ddPCR"] {
            assert_eq!(Assay::parse(s), Some(Assay::Qpcr), "{s}");
        }
        for s in ["flow", "FACS", "Flow Cytometry", "flow_cytometry"] {
            assert_eq!(Assay::parse(s), Some(Assay::Flow), "{s}");
        }
        assert_eq!(
            Assay::parse("CARTCPY"),
            Some(Assay::Other("CARTCPY".into()))
        );
        assert_eq!(Assay::parse(""), None);
    }
}
