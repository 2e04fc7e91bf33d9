//! The bundled example data reads as documented in data/README.md.

use cartpk_core::ingest::{read_bytes, read_path, IngestOptions};
use cartpk_core::{Matrix, SampleValue};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
}

#[test]
fn native_example_reads_without_errors() {
    let ds = read_path(&data("cart_cohort.csv"), &IngestOptions::default()).unwrap();
    assert!(!ds.has_errors());
    assert_eq!(ds.n_rows, 700);
    // 20 patients x (blood qpcr, blood flow, marrow qpcr, csf qpcr).
    assert_eq!(ds.profiles.len(), 80);
}

/// The messy CDISC export holds patients P00001-P00003 of the native example with time in
/// hours, BLQ spelled three ways and µ in the unit: the profiles must be the same.
#[test]
fn messy_cdisc_export_reads_like_the_native_file() {
    let native = read_path(&data("cart_cohort.csv"), &IngestOptions::default()).unwrap();
    let messy = read_path(&data("messy_lab_export.csv"), &IngestOptions::default()).unwrap();
    assert!(!messy.has_errors(), "{:?}", messy.rejected);
    assert_eq!(messy.profiles.len(), 12);
    for m in &messy.profiles {
        let id = format!("P00{}", &m.key.subject[m.key.subject.len() - 3..]);
        let n = native
            .profiles
            .iter()
            .find(|p| {
                p.key.subject == id && p.key.matrix == m.key.matrix && p.key.assay == m.key.assay
            })
            .unwrap_or_else(|| panic!("no native profile for {}", m.key));
        assert_eq!(m.unit, n.unit, "{}", m.key);
        assert_eq!(m.samples.len(), n.samples.len(), "{}", m.key);
        for (a, b) in m.samples.iter().zip(&n.samples) {
            // Hours / 24 is exact for these whole-day schedules.
            assert_eq!(a.time, b.time, "{}", m.key);
            assert_eq!(a.value, b.value, "{} day {}", m.key, a.time);
        }
    }
}

#[test]
fn row_order_and_chunking_do_not_change_profiles() {
    // A file large enough to be parsed in parallel chunks (> 1 MiB), written in one order
    // and read back; then the rows shuffled (deterministically) and read again.
    let mut rows = Vec::new();
    for s in 0..4000 {
        for (j, t) in [0, 1, 4, 7, 11, 14, 21, 28, 56, 84].iter().enumerate() {
            let value = if j == 0 {
                "<50".to_string()
            } else {
                format!("{}", 100 + (s * 7 + j * 13) % 900)
            };
            rows.push(format!("\"S{s:05}\",PB,qPCR,{t},{value},copies/ug,50\n"));
        }
    }
    let header = "subject,matrix,assay,time,value,unit,lloq\n";
    let ordered: String = std::iter::once(header.to_string())
        .chain(rows.iter().cloned())
        .collect();
    assert!(ordered.len() > 1 << 20);
    let mut shuffled = rows.clone();
    let mut x: u64 = 42;
    for i in (1..shuffled.len()).rev() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        shuffled.swap(i, (x >> 33) as usize % (i + 1));
    }
    let shuffled: String = std::iter::once(header.to_string())
        .chain(shuffled)
        .collect();
    let a = read_bytes(ordered.as_bytes(), "ordered.csv", &IngestOptions::default()).unwrap();
    let b = read_bytes(
        shuffled.as_bytes(),
        "shuffled.csv",
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(a.profiles.len(), 4000);
    assert_eq!(a.profiles, b.profiles);
    assert_eq!(a.profiles[0].key.matrix, Matrix::Blood);
    assert_eq!(
        a.profiles[0].samples[0].value,
        SampleValue::Blq { lloq: Some(50.0) }
    );
}

#[test]
fn errors_in_a_late_chunk_carry_true_line_numbers() {
    let mut text = String::from("subject,matrix,assay,time,value,unit,lloq\n");
    for s in 0..30000 {
        text.push_str(&format!("S{s:05},blood,qpcr,1,100,copies/ug,50\n"));
    }
    // Line 30002 (header is line 1): a bad time, and a profile with two units across chunks.
    text.push_str("S29999,blood,qpcr,abc,100,copies/ug,50\n");
    text.push_str("S00000,blood,qpcr,2,100,%,50\n");
    assert!(text.len() > 1 << 20);
    let ds = read_bytes(text.as_bytes(), "big.csv", &IngestOptions::default()).unwrap();
    assert_eq!(ds.rejected.len(), 2);
    let msgs: Vec<String> = ds
        .rejected
        .iter()
        .flat_map(|r| r.errors.iter().map(|e| e.to_string()))
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("big.csv:30002:4: column 'time'") && m.contains("'abc'")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("big.csv:30003:6: column 'unit'")
                && m.contains("line 2 uses 'copies/ug'")),
        "{msgs:?}"
    );
    assert_eq!(ds.profiles.len(), 29998);
}
