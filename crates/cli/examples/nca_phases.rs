//! Times each phase of `cartpk nca` on one input, the whole file at once: parsing, NCA,
//! formatting the long and wide tables in one pass (as the streamed command does),
//! SHA-256 of the tables, writing them. For finding where the CPU goes (run with
//! `RAYON_NUM_THREADS=1` for per-phase CPU cost).
//!
//! usage: cargo run --release -p cartpk --example nca_phases -- INPUT.csv [ROUNDS=3]

use cartpk_core::ingest::{read_bytes, IngestOptions};
use cartpk_nca::{nca_batch, LambdaZOverrides, NcaOptions};
use cartpk_printer::nca::{tables_body, Row, TablesBody, WideColumns};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: nca_phases INPUT.csv [ROUNDS]");
    let rounds: usize = args
        .get(2)
        .map_or(3, |r| r.parse().expect("ROUNDS is a number"));
    let options = NcaOptions::default();
    let out = std::env::temp_dir().join("nca_phases.out");
    for _ in 0..rounds {
        let t = Instant::now();
        let bytes = std::fs::read(path).expect("input readable");
        let t_read = t.elapsed();
        let t = Instant::now();
        let data = read_bytes(&bytes, path, &IngestOptions::default()).expect("input parses");
        let t_parse = t.elapsed();
        let t = Instant::now();
        let results = nca_batch(&data.profiles, &options, &LambdaZOverrides::default());
        let t_nca = t.elapsed();
        let rows: Vec<Row<'_>> = data
            .profiles
            .iter()
            .zip(&results)
            .filter_map(|(profile, r)| r.as_ref().ok().map(|result| Row { profile, result }))
            .collect();
        let t = Instant::now();
        let TablesBody { long, wide, .. } =
            tables_body(&rows, &options, WideColumns::WithoutDose, true);
        let t_format = t.elapsed();
        let t = Instant::now();
        let mut h = Sha256::new();
        for p in long.iter().chain(&wide) {
            h.update(p);
        }
        let _ = h.finalize();
        let t_sha = t.elapsed();
        let t = Instant::now();
        let mut f = std::fs::File::create(&out).expect("a writable temporary directory");
        for p in long.iter().chain(&wide) {
            f.write_all(p).expect("write");
        }
        drop(f);
        let t_write = t.elapsed();
        let n: usize = long.iter().chain(&wide).map(|p| p.len()).sum();
        println!(
            "read {:.3} parse {:.3} nca {:.3} format {:.3} sha {:.3} write {:.3} s ({} profiles, {:.0} MB out)",
            t_read.as_secs_f64(),
            t_parse.as_secs_f64(),
            t_nca.as_secs_f64(),
            t_format.as_secs_f64(),
            t_sha.as_secs_f64(),
            t_write.as_secs_f64(),
            rows.len(),
            n as f64 / 1e6
        );
    }
    let _ = std::fs::remove_file(&out);
}
