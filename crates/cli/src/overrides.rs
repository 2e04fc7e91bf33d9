//! Reading a manual lambda_z selection file.
//!
//! ```text
//! subject,matrix,assay,start,end,exclude
//! P00001,blood,qpcr,56,365,
//! P00002,blood,qpcr,28,270,112;168
//! ```
//! Times are in days. Every error names the file, line and column.

use anyhow::{bail, Context, Result};
use cartpk_core::{Assay, Matrix, ProfileKey};
use cartpk_nca::{LambdaZOverrides, ManualLambdaZ};
use std::path::Path;

/// Reads an overrides CSV into a map by profile.
pub fn read_overrides(path: &Path) -> Result<LambdaZOverrides> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{file}: cannot read"))?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(&bytes[..]);
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{file}: cannot read the header"))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let col = |name: &str| -> Result<usize> {
        match header.iter().position(|h| h == name) {
            Some(i) => Ok(i),
            None => bail!("{file}:1: no '{name}' column; expected subject, matrix, assay, start, end [, exclude]"),
        }
    };
    let (cs, cm, ca, cstart, cend) = (
        col("subject")?,
        col("matrix")?,
        col("assay")?,
        col("start")?,
        col("end")?,
    );
    let cex = header.iter().position(|h| h == "exclude");
    let mut out = LambdaZOverrides::new();
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("{file}: not valid CSV"))?;
        let line = rec
            .position()
            .map_or(0, |p| cartpk_core::ingest::record_line(&bytes, p));
        let get = |i: usize| rec.get(i).unwrap_or("");
        let num = |i: usize, what: &str| -> Result<f64> {
            get(i)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .with_context(|| {
                    format!(
                        "{file}:{line}:{}: column '{}': expected {what} (days, >= 0), found '{}'",
                        i + 1,
                        header[i],
                        get(i)
                    )
                })
        };
        let empty = |i: usize, role: &str| -> Result<()> {
            if get(i).is_empty() {
                bail!(
                    "{file}:{line}:{}: column '{role}': expected a non-empty {role}",
                    i + 1
                );
            }
            Ok(())
        };
        // A label of punctuation only (`-`, `_`, `()`) normalises to nothing.
        let label_error = |i: usize, role: &str| {
            format!(
                "{file}:{line}:{}: column '{role}': expected a {role} label with letters or digits, found '{}'",
                i + 1,
                get(i)
            )
        };
        empty(cs, "subject")?;
        empty(cm, "matrix")?;
        empty(ca, "assay")?;
        let key = ProfileKey {
            subject: get(cs).to_string(),
            matrix: Matrix::parse(get(cm)).with_context(|| label_error(cm, "matrix"))?,
            assay: Assay::parse(get(ca)).with_context(|| label_error(ca, "assay"))?,
        };
        let start = num(cstart, "a start time")?;
        let end = num(cend, "an end time")?;
        if end <= start {
            bail!("{file}:{line}:{}: column 'end': expected an end after the start ({start}), found '{}'", cend + 1, get(cend));
        }
        let mut exclude = Vec::new();
        if let Some(ci) = cex {
            for t in get(ci).split(';').map(str::trim).filter(|t| !t.is_empty()) {
                let v = t.parse::<f64>().ok().filter(|v| v.is_finite()).with_context(|| {
                    format!("{file}:{line}:{}: column 'exclude': expected times in days separated by ';', found '{t}'", ci + 1)
                })?;
                exclude.push(v);
            }
        }
        if out
            .insert(
                key.clone(),
                ManualLambdaZ {
                    start,
                    end,
                    exclude,
                },
            )
            .is_some()
        {
            bail!("{file}:{line}: a second override for {key}; expected one per profile");
        }
    }
    Ok(out)
}
