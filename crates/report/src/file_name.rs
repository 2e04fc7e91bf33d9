//! File names from labels (subject ids, matrix and assay names): every label that reaches a
//! file name is made of characters every file system accepts, bounded in length, never
//! hidden (no leading dot), and unique among the names of one run.

use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// Longest stem kept from a label, bytes; the hash suffix comes on top.
pub const MAX_STEM: usize = 64;

/// First 8 hex digits of the SHA-256 of `label`.
pub fn short_hash(label: &str) -> String {
    let d = Sha256::digest(label.as_bytes());
    d.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// A file stem for `label`: ASCII letters, digits, `-`, `_` and `.` kept, everything else
/// `_`; leading dots become `_`; at most [`MAX_STEM`] bytes. When anything was changed or cut,
/// `-` and [`short_hash`] of the label are appended, so that two labels that clean to the
/// same text (`A/1`, `A_1`) still get different names.
pub fn file_stem(label: &str) -> String {
    let mut s: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let lead = s.len() - s.trim_start_matches('.').len();
    s.replace_range(..lead, &"_".repeat(lead));
    let changed = s != label || s.is_empty();
    if s.len() > MAX_STEM {
        s.truncate(MAX_STEM);
    }
    if changed || label.len() > MAX_STEM {
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&short_hash(label));
    }
    s
}

/// One stem per label, in the order given: [`file_stem`], with `_2`, `_3`... where two
/// labels would still share a name ignoring case (case-insensitive file systems).
pub fn unique_stems(labels: &[&str]) -> Vec<String> {
    let mut used = HashSet::new();
    labels
        .iter()
        .map(|l| {
            let base = file_stem(l);
            let mut name = base.clone();
            let mut k = 1;
            while !used.insert(name.to_ascii_lowercase()) {
                k += 1;
                name = format!("{base}_{k}");
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_are_kept() {
        assert_eq!(file_stem("SIM001"), "SIM001");
        assert_eq!(file_stem("101-001"), "101-001");
    }

    #[test]
    fn path_like_labels_never_hide_or_escape() {
        let s = file_stem("../../etc/x");
        assert!(!s.starts_with('.'), "{s}");
        assert!(!s.contains('/') && !s.contains('\\'));
        assert!(s.starts_with("___.._etc_x-"), "{s}");
        assert_eq!(file_stem(".hidden").chars().next(), Some('_'));
        assert_eq!(file_stem("").len(), 8);
    }

    #[test]
    fn long_labels_are_bounded_and_distinct() {
        let a = "A".repeat(300);
        let b = format!("{}B", "A".repeat(299));
        let (sa, sb) = (file_stem(&a), file_stem(&b));
        assert!(sa.len() <= MAX_STEM + 9, "{}", sa.len());
        assert_ne!(sa, sb);
        // A figure name is the stem plus ".png": far under the 255-byte limit.
        assert!(format!("{sa}.png").len() < 255);
    }

    #[test]
    fn labels_that_clean_alike_stay_apart() {
        let v = unique_stems(&["A/1", "A_1", "a_1"]);
        assert_eq!(v[1], "A_1");
        assert_ne!(v[0], v[1]);
        assert_eq!(v[2], "a_1_2");
    }
}
