//! Fast property tests: the fuzz harness's inputs, a few hundred of them, through the
//! stages in process, each case under a time limit so that a hang fails instead of
//! blocking the suite. The long runs are the `cartpk-fuzz` binary's (docs/benchmarks.md).
//!
//! Open defects (crates/fuzz/FINDINGS.md) are left out of the generated inputs through
//! [`AVOID`] and [`OPEN_PANICS`]; when a fix lands, turn its entry off here and un-ignore
//! its test in `regressions.rs`.

use cartpk_fuzz::deadline::{within, Ended};
use cartpk_fuzz::mutate::mutated_case;
use cartpk_fuzz::rng::Rng;
use cartpk_fuzz::stages::{self, run_all};
use cartpk_fuzz::structured::{native_file, structured_rows, Avoid};
use proptest::prelude::*;
use std::time::Duration;

/// Open defects the generated rows avoid (each has an ignored test in regressions.rs).
/// Nothing is avoided since main's ingestion fixes: labels that normalise to nothing are
/// row errors, and values and times at the limits of f64 are rejected per row before they
/// reach the fit and the figures (the library-level hangs F2/F2b and the fit panic F3
/// remain for profiles built in code: see FINDINGS.md).
const AVOID: Avoid = Avoid::NOTHING;

/// Panics of open defects that the mutation test tolerates (and counts), by message.
/// (Empty now: the label panic, "a non-empty label always parses to", is fixed.)
const OPEN_PANICS: &[&str] = &[];

/// Per case; a stage of these small inputs takes milliseconds.
const LIMIT: Duration = Duration::from_secs(20);

fn open(message: &str) -> bool {
    OPEN_PANICS.iter().any(|p| message.contains(p))
}

/// Mutated example files through ingestion, the subjects table and NCA (the stages with
/// no open hang).
#[test]
fn mutated_files_never_panic_or_hang_in_ingestion_and_nca() {
    // Keep the log readable: the tolerated panics of open defects are counted, not printed.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !open(&cartpk_fuzz::deadline::panic_message(info.payload())) {
            default_hook(info);
        }
    }));
    let mut tolerated = 0;
    let mut read = 0;
    for index in 0..300u64 {
        let case = mutated_case(&mut Rng::for_case(7, index));
        let bytes = case.bytes.clone();
        let ended = within(LIMIT, move || {
            let options = stages::ingest_options(&bytes, index);
            stages::subjects(&bytes, options.delimiter);
            match stages::ingest(&bytes, &options) {
                Some(d) => {
                    let r = stages::nca(&d.profiles);
                    assert_eq!(r.len(), d.profiles.len(), "one NCA result per profile");
                    true
                }
                None => false,
            }
        });
        match ended {
            Ended::Returned(ok) => read += ok as usize,
            Ended::Panicked(m) if open(&m) => tolerated += 1,
            Ended::Panicked(m) => panic!(
                "case {index} ({}): panic: {m}\ninput:\n{}",
                case.origin,
                String::from_utf8_lossy(&case.bytes)
            ),
            Ended::TimedOut => panic!(
                "case {index} ({}): still running after {LIMIT:?}\ninput:\n{}",
                case.origin,
                String::from_utf8_lossy(&case.bytes)
            ),
        }
    }
    // Most mutated files still hold readable rows: the test reaches NCA, it does not stop
    // at clean errors only.
    assert!(read > 100, "only {read} of 300 mutated files were read");
    eprintln!("{read} of 300 read; {tolerated} hit an open defect");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Generated rows (extremes but no open defect) through every stage: ingestion, NCA
    /// under four option sets and manual lambda_z, the fit and patient figures.
    #[test]
    fn generated_rows_pass_every_stage(rows in structured_rows()) {
        let bytes = native_file(&AVOID.clean(rows));
        let b = bytes.clone();
        match within(LIMIT, move || run_all(&b, 0)) {
            Ended::Returned(t) => {
                prop_assert!(t.nca_ok <= t.profiles);
                prop_assert!(t.figures <= 4);
            }
            Ended::Panicked(m) => prop_assert!(false, "panic: {m}\ninput:\n{}", String::from_utf8_lossy(&bytes)),
            Ended::TimedOut => prop_assert!(false, "hang\ninput:\n{}", String::from_utf8_lossy(&bytes)),
        }
    }
}

/// Clean profiles reach every stage (9 quantified samples: a Stein fit needs parameters + 2): NCA results, fits and both figure formats, so that
/// the property above tests the stages and not only the error paths.
#[test]
fn a_clean_file_reaches_every_stage() {
    let bytes = b"subject,matrix,assay,time,value,unit,lloq\n\
        P01,blood,qpcr,0,<50,copies/ug,50\n\
        P01,blood,qpcr,4,2000,copies/ug,50\n\
        P01,blood,qpcr,7,40000,copies/ug,50\n\
        P01,blood,qpcr,10,20000,copies/ug,50\n\
        P01,blood,qpcr,14,9000,copies/ug,50\n\
        P01,blood,qpcr,21,5000,copies/ug,50\n\
        P01,blood,qpcr,28,2500,copies/ug,50\n\
        P01,blood,qpcr,56,900,copies/ug,50\n\
        P01,blood,qpcr,84,500,copies/ug,50\n\
        P01,blood,qpcr,180,200,copies/ug,50\n"
        .to_vec();
    let t = run_all(&bytes, 0);
    assert_eq!(t.profiles, 1);
    assert_eq!(t.nca_ok, 1);
    assert_eq!(t.fitted, 1);
    assert_eq!(t.figures, 2, "PNG and SVG");
}

/// A case replays from its seed and number: findings can be reproduced.
#[test]
fn cases_are_deterministic() {
    for i in 0..50 {
        assert_eq!(cartpk_fuzz::make_case(3, i), cartpk_fuzz::make_case(3, i));
    }
    assert_ne!(
        cartpk_fuzz::make_case(3, 1).bytes,
        cartpk_fuzz::make_case(4, 1).bytes
    );
}
