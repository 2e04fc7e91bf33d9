//! `cartpk nca` writes the same bytes streamed (in chunks of whole subjects, any chunk
//! size) as read whole, and as the writer before streaming: the sizes and SHA-256 of
//! every output of the runs in fixtures/nca_outputs/variants.txt were made by the binary
//! of commit a3729cd with fixtures/nca_outputs/make.py (which also writes the derived
//! inputs: a dose on the last subject only, subjects in reverse order, bad rows); those of
//! the runs on the bundled seed cohort were made again when it was regenerated, by a binary
//! that gave the a3729cd bytes on the cohort before (make.py says which).

use crate::util::{cartpk, workspace_file};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(workspace_file(&format!(
        "crates/cli/tests/fixtures/nca_outputs/{name}"
    )))
    .unwrap()
}

/// `variant -> file -> (size, sha256)`.
fn pinned() -> BTreeMap<String, BTreeMap<String, (u64, String)>> {
    let mut out: BTreeMap<String, BTreeMap<String, (u64, String)>> = BTreeMap::new();
    for line in fixture_text("sha256.txt").lines() {
        let f: Vec<&str> = line.split('\t').collect();
        out.entry(f[0].to_string())
            .or_default()
            .insert(f[1].to_string(), (f[2].parse().unwrap(), f[3].to_string()));
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The pinned runs of variants.txt: id and the arguments after `cartpk nca`, input first.
fn variants() -> Vec<(String, Vec<String>)> {
    fixture_text("variants.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (id, args) = l.split_once('\t').unwrap();
            (id.to_string(), args.split(' ').map(String::from).collect())
        })
        .collect()
}

/// `cartpk nca INPUT --out OUT --quiet [extra] [rest of args]` from the workspace root, with
/// `CARTPK_NCA_CHUNK_BYTES` set to `chunk` if given; the exit code must be 0 or 3.
fn nca(args: &[String], out: &std::path::Path, extra: &[&str], chunk: Option<&str>, what: &str) {
    let mut cmd = cartpk();
    cmd.current_dir(workspace_file(""))
        .args(["nca", &args[0], "--out"])
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .args(&args[1..]);
    if let Some(c) = chunk {
        cmd.env("CARTPK_NCA_CHUNK_BYTES", c);
    }
    let status = cmd.output().unwrap().status.code();
    assert!(
        matches!(status, Some(0 | 3)),
        "{what} {chunk:?}: {status:?}"
    );
}

#[test]
fn streamed_and_whole_outputs_are_the_bytes_of_the_writer_before_streaming() {
    let pinned = pinned();
    let root = workspace_file("");
    for (id, args) in variants() {
        let expected = &pinned[&id];
        // Default chunks (one here), the whole input, and chunks of a few subjects.
        for chunk in [None, Some("0"), Some("1500"), Some("9000")] {
            let out = tempfile::tempdir().unwrap();
            nca(&args, out.path(), &[], chunk, &id);
            let mut got = BTreeMap::new();
            for e in std::fs::read_dir(out.path()).unwrap() {
                let name = e.unwrap().file_name().into_string().unwrap();
                if name.ends_with("_manifest.json") {
                    // The inputs' hashes are those of the files (the streamed read hashes
                    // the input as it reads it; a fallback to the whole read hashes it at
                    // commit).
                    let m: serde_json::Value =
                        serde_json::from_slice(&std::fs::read(out.path().join(&name)).unwrap())
                            .unwrap();
                    let inputs = m["inputs"].as_array().unwrap();
                    assert!(
                        !inputs.is_empty(),
                        "{id} {chunk:?}: no input in the manifest"
                    );
                    for input in inputs {
                        let bytes =
                            std::fs::read(root.join(input["path"].as_str().unwrap())).unwrap();
                        assert_eq!(input["size"], bytes.len(), "{id} {chunk:?}");
                        assert_eq!(
                            input["sha256"].as_str().unwrap(),
                            hex(&Sha256::digest(&bytes)),
                            "{id} {chunk:?}"
                        );
                    }
                    continue;
                }
                let bytes = std::fs::read(out.path().join(&name)).unwrap();
                got.insert(name, (bytes.len() as u64, hex(&Sha256::digest(&bytes))));
            }
            assert_eq!(&got, expected, "{id}, chunk bytes {chunk:?}");
        }
    }
}

/// `--no-long` writes every file of the pinned runs but `nca_long.csv`, byte for byte, streamed
/// at any chunk size and read whole; its manifest lists no long table, and a run into a
/// directory holding an earlier run's long table removes that table with the rest of the
/// earlier set (it would no longer match the wide one).
#[test]
fn no_long_writes_the_pinned_files_but_the_long_table() {
    let pinned = pinned();
    for (id, args) in variants() {
        let mut expected = pinned[&id].clone();
        expected.remove("nca_long.csv");
        for chunk in [None, Some("0"), Some("1500")] {
            let out = tempfile::tempdir().unwrap();
            // An earlier run's full set in the directory first.
            nca(&args, out.path(), &[], None, &format!("{id} earlier"));
            nca(&args, out.path(), &["--no-long"], chunk, &id);
            let mut got = BTreeMap::new();
            for e in std::fs::read_dir(out.path()).unwrap() {
                let name = e.unwrap().file_name().into_string().unwrap();
                let bytes = std::fs::read(out.path().join(&name)).unwrap();
                if name.ends_with("_manifest.json") {
                    let m: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    let listed: Vec<&str> = m["files"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f["name"].as_str().unwrap())
                        .collect();
                    let want: Vec<&str> = expected.keys().map(String::as_str).collect();
                    assert_eq!(listed, want, "{id} {chunk:?}: manifest");
                    continue;
                }
                got.insert(name, (bytes.len() as u64, hex(&Sha256::digest(&bytes))));
            }
            assert_eq!(got, expected, "{id}, --no-long, chunk bytes {chunk:?}");
        }
    }
}
