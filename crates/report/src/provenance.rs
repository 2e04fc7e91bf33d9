//! Where a report comes from: run date, cartpk version, command line and the SHA-256 of
//! every input file, shown in the report's header so that a reader can tie the page to
//! its inputs.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The provenance of one run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Provenance {
    /// Run date and time, UTC, ISO 8601 (`2026-11-23T19:31:29Z`).
    pub run_date: String,
    /// cartpk version.
    pub version: String,
    /// The command line, as typed (empty when the report is built from Rust).
    pub command_line: String,
    /// Input files with their SHA-256 (hex): (name, hash).
    pub inputs: Vec<(String, String)>,
}

impl Provenance {
    /// Provenance stamped now, for `command_line`, without inputs yet.
    pub fn now(command_line: &str) -> Provenance {
        Provenance {
            run_date: utc_now(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            command_line: command_line.to_string(),
            inputs: Vec::new(),
        }
    }

    /// Adds an input file by name and content.
    pub fn with_input(mut self, name: &str, bytes: &[u8]) -> Provenance {
        self.inputs.push((name.to_string(), sha256_hex(bytes)));
        self
    }
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The current UTC time, ISO 8601 to the second.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    iso8601(secs)
}

/// Seconds since 1970-01-01T00:00:00Z as ISO 8601 (H. Hinnant's days-to-civil algorithm).
pub fn iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn dates() {
        // `date -u -d @1795462289`: Mon Nov 23 19:31:29 UTC 2026.
        assert_eq!(iso8601(1_795_462_289), "2026-11-23T19:31:29Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (leap day): 951782400.
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }
}
