//! Reading a subjects file: one row per subject with covariates (dose, response...).

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// `subject -> value of column` from a subjects CSV (subject column `subject`, `USUBJID`
/// or `ID`). Errors name the file, line and column.
pub fn read_column(path: &Path, column: &str) -> Result<HashMap<String, String>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{file}: cannot read"))?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(&bytes[..]);
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{file}: cannot read the header"))?
        .iter()
        .map(str::to_string)
        .collect();
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let Some(cs) = find(&["subject", "usubjid", "subjid", "id"]) else {
        bail!(
            "{file}:1: no subject column; expected subject, USUBJID or ID; the header has: {}",
            header.join(", ")
        );
    };
    let Some(cv) = find(&[column]) else {
        bail!(
            "{file}:1: no column '{column}'; the header has: {}",
            header.join(", ")
        );
    };
    let mut out = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("{file}: not valid CSV"))?;
        let line = rec
            .position()
            .map_or(0, |p| cartpk_core::ingest::record_line(&bytes, p));
        let subject = rec.get(cs).unwrap_or("");
        if subject.is_empty() {
            bail!(
                "{file}:{line}:{}: column '{}': expected a non-empty subject",
                cs + 1,
                header[cs]
            );
        }
        let value = rec.get(cv).unwrap_or("").to_string();
        if out.insert(subject.to_string(), value).is_some() {
            bail!("{file}:{line}: subject '{subject}' appears twice; expected one row per subject");
        }
    }
    Ok(out)
}
