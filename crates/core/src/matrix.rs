//! The biological matrix a sample was measured in.

use std::fmt;

/// Where a sample was taken. CAR-T studies measure peripheral blood most often, bone marrow
/// at a few visits (e.g. day 28, months 3 and 6) and cerebrospinal fluid when available.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Matrix {
    /// Peripheral (whole) blood.
    Blood,
    /// Bone marrow aspirate.
    BoneMarrow,
    /// Cerebrospinal fluid.
    Csf,
    /// Any other matrix (plasma, serum, tissue...), kept as the lower-cased label given.
    Other(String),
}

impl Matrix {
    /// Recognises the spellings lab exports and CDISC `PCSPEC` use: `blood`, `PB`,
    /// `peripheral blood`, `whole blood`; `marrow`, `BM`, `bone marrow`; `CSF`,
    /// `cerebrospinal fluid`. Anything else becomes [`Matrix::Other`]. Returns `None` for
    /// an empty label.
    pub fn parse(text: &str) -> Option<Matrix> {
        let norm = normalise_label(text);
        let matrix = match norm.as_str() {
            "" => return None,
            "blood" | "pb" | "peripheral blood" | "whole blood" | "wb" | "venous blood" => {
                Matrix::Blood
            }
            "marrow" | "bm" | "bone marrow" | "bone marrow aspirate" | "bma" => Matrix::BoneMarrow,
            "csf" | "cerebrospinal fluid" | "cerebrospinal fluid csf" | "spinal fluid" => {
                Matrix::Csf
            }
            _ => Matrix::Other(norm),
        };
        Some(matrix)
    }

    /// The label written in results: `blood`, `marrow`, `csf`, or the other label.
    pub fn label(&self) -> &str {
        match self {
            Matrix::Blood => "blood",
            Matrix::BoneMarrow => "marrow",
            Matrix::Csf => "csf",
            Matrix::Other(label) => label,
        }
    }
}

impl fmt::Display for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Lower-cases, turns `_`, `-`, `(`, `)` into spaces and collapses runs of spaces, so that
/// `Bone_Marrow`, `bone-marrow` and `BONE  MARROW` compare equal.
pub(crate) fn normalise_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace() || matches!(c, '_' | '-' | '(' | ')'))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_spellings() {
        for s in [
            "blood",
            "PB",
            "Peripheral Blood",
            "peripheral_blood",
            "BLOOD",
        ] {
            assert_eq!(Matrix::parse(s), Some(Matrix::Blood), "{s}");
        }
        for s in ["marrow", "BM", "Bone Marrow", "BONE MARROW", "bone-marrow"] {
            assert_eq!(Matrix::parse(s), Some(Matrix::BoneMarrow), "{s}");
        }
        for s in [
            "csf",
            "CSF",
            "CEREBROSPINAL FLUID",
            "Cerebrospinal fluid (CSF)",
        ] {
            assert_eq!(Matrix::parse(s), Some(Matrix::Csf), "{s}");
        }
        assert_eq!(
            Matrix::parse("Plasma"),
            Some(Matrix::Other("plasma".into()))
        );
        assert_eq!(Matrix::parse("  "), None);
    }
}
