//! Issue 9, data in, at the library level: lab exports as they come (aliases, constant
//! columns, codes, delimiters, encodings), baseline samples, and the defects found by
//! mutation testing (each with a regression test here or in crates/cli/tests/ingest_cli.rs).

use cartpk_core::ingest::{read_bytes, read_path, IngestError, IngestOptions, RowProblem};
use cartpk_core::{Assay, ConcUnit, Matrix, SampleValue, SubjectsTable};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
}

fn opts() -> IngestOptions {
    IngestOptions::default()
}

#[test]
fn three_patient_export_reads_like_its_clean_twin() {
    let o = IngestOptions {
        assay: Some(Assay::Qpcr),
        lloq: Some(50.0),
        uloq: Some(105414.0),
        ..opts()
    };
    let messy = read_path(&data("lab_export_3pt.csv"), &o).unwrap();
    let clean = read_path(&data("lab_export_3pt_clean.csv"), &opts()).unwrap();
    assert!(!messy.has_errors(), "{:?}", messy.rejected);
    assert_eq!(messy.profiles.len(), 3);
    for (m, c) in messy.profiles.iter().zip(&clean.profiles) {
        assert_eq!(m.key, c.key);
        assert_eq!(m.key.matrix, Matrix::Blood);
        assert_eq!(m.unit, ConcUnit::CopiesPerUg, "Latin-1 µ read");
        let m_samples: Vec<_> = m
            .samples
            .iter()
            .filter(|s| s.value != SampleValue::Missing)
            .collect();
        assert_eq!(m_samples.len(), c.samples.len(), "{}", m.key);
        for (a, b) in m_samples.iter().zip(&c.samples) {
            assert_eq!(a.time, b.time);
            assert_eq!(a.is_baseline(), b.is_baseline());
            match (a.value, b.value) {
                (SampleValue::AboveUloq { uloq: Some(u) }, SampleValue::Quantified { value }) => {
                    assert_eq!(u, value)
                }
                (x, y) => assert_eq!(x, y, "{} day {}", m.key, a.time),
            }
        }
    }
    let n = &messy.assumptions;
    assert_eq!(n.baseline_samples, 9);
    assert_eq!(n.not_done.len(), 1);
    assert_eq!(n.not_done[0].text, "QNS");
    assert_eq!(n.above_uloq.len(), 1);
    assert!(n.latin1);
    assert_eq!(n.blq_without_lloq, 0);
    // Screening rows carry the visit label.
    let first = &messy.profiles[0].samples[0];
    assert!(first.baseline_visit && first.time == -6.0);
}

#[test]
fn subjects_file_with_lab_names_and_the_shared_column_mapping() {
    let t = SubjectsTable::read(&data("lab_export_3pt_subjects.csv"), b',').unwrap();
    assert_eq!(t.header[t.subject_column], "Patient ID");
    assert_eq!(t.column("response"), Some(1));
    assert_eq!(t.column("dose"), Some(2));
    assert_eq!(t.get("101-002", 2), Some("100000000"));
    assert_eq!(t.unrecognised, vec!["Site Comment".to_string()]);

    // `--columns` is shared with the assay file: a subject mapping to a name this file
    // does not have falls back to the aliases; a mapped dose column is found.
    let bytes = b"Pt,Resp,Cells infused,Weight\n1,CR,5e7,70\n";
    let mut map = cartpk_core::ingest::ColumnMapping::default();
    map.extend_from("subject=Pt,dose=Cells infused,response=Resp")
        .unwrap();
    let t = SubjectsTable::from_bytes_mapped("s.csv", bytes, b',', &map).unwrap();
    assert_eq!(t.column("dose"), Some(2));
    assert_eq!(t.column("response"), Some(1));
    assert!(t.unrecognised.is_empty(), "{:?}", t.unrecognised);
    let t = SubjectsTable::from_bytes("s.csv", bytes, b',');
    assert!(t.unwrap_err().to_string().contains("no subject column"));
    // Semicolons, a BOM and Latin-1 read as in the assay file.
    let t =
        SubjectsTable::from_bytes("s.csv", b"\xEF\xBB\xBFsubject;note\nP1;\xb5g\n", b',').unwrap();
    assert_eq!(t.get("P1", 1), Some("µg"));
}

#[test]
fn lab_column_names_are_recognised() {
    let csv = "Patient ID,Sample type,Study Day,Result,Units,Visit\n\
               1,PB,-5,<LLOQ,copies/ug,Screening\n1,PB,0,<LLOQ,copies/ug,Day 0\n1,PB,7,900,copies/ug,Day 7\n";
    let o = IngestOptions {
        assay: Some(Assay::Qpcr),
        ..opts()
    };
    let ds = read_bytes(csv.as_bytes(), "lab.csv", &o).unwrap();
    assert!(!ds.has_errors(), "{:?}", ds.rejected);
    let p = &ds.profiles[0];
    assert_eq!(p.key.subject, "1");
    assert_eq!(p.samples.len(), 3);
    assert!(p.samples[0].is_baseline());
    assert!(!p.samples[1].is_baseline());
    // <LLOQ with no LLOQ anywhere: counted, loudly.
    assert_eq!(ds.assumptions.blq_without_lloq, 2);
    assert!(ds
        .assumptions
        .summary()
        .iter()
        .any(|l| l.starts_with("2 BLQ sample(s) without an LLOQ")));
    assert_eq!(
        ds.assumptions.constants,
        vec![("assay".to_string(), "qpcr".to_string())]
    );
}

#[test]
fn a_baseline_visit_at_day_zero_is_baseline() {
    let csv = "subject,matrix,assay,time,value,unit,visit\n\
               P1,blood,qpcr,0,<50,copies/ug,Pre-infusion\nP1,blood,qpcr,7,900,copies/ug,D7\n";
    let ds = read_bytes(csv.as_bytes(), "v.csv", &opts()).unwrap();
    assert!(ds.profiles[0].samples[0].is_baseline());
    assert_eq!(ds.assumptions.baseline_samples, 1);
}

#[test]
fn missing_columns_come_in_one_error() {
    let err = read_bytes(b"PatientID,Day,Result\n1,0,5\n", "lab.csv", &opts()).unwrap_err();
    let IngestError::MissingColumns { missing, found, .. } = &err else {
        panic!("{err}");
    };
    let roles: Vec<&str> = missing.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["matrix", "assay", "unit"]);
    assert_eq!(found, "PatientID, Day, Result");
    assert!(err.to_string().contains("--assay qpcr"), "{err}");
}

#[test]
fn header_only_and_empty_files_are_errors() {
    let e = read_bytes(b"subject,matrix,assay,time,value,unit\n", "h.csv", &opts());
    assert!(matches!(e, Err(IngestError::NoData { header_line: 1, .. })));
    let e = read_bytes(b" , ,\n,,,\n", "j.csv", &opts());
    assert!(matches!(e, Err(IngestError::Empty { .. })));
    // A first line of spaces and commas is skipped, and line numbers stay true.
    let csv = b" , , \nsubject,matrix,assay,time,value,unit\nP1,blood,qpcr,0,x?,copies/ug\n";
    let ds = read_bytes(csv, "j.csv", &opts()).unwrap();
    assert_eq!(ds.assumptions.skipped_lines, vec![1]);
    assert_eq!(ds.assumptions.unknown_codes[0].line, 3);
}

#[test]
fn a_title_above_the_header_is_skipped_and_lines_stay_true() {
    // Exports from LIMS put the study name and export date above the header; found as a
    // lab-export shape while using the CLI on a hand-written messy export (2026-12-04).
    let csv = "Study CART-01 export 2026-12-01\n\nSubject;Matrix;Assay;Day;Result;Unit\n\
               P1;blood;qpcr;0;<50;copies/ug\nP1;blood;qpcr;7;1250,5;copies/ug\n\
               P2;blood;qpcr;x;9;copies/ug\n";
    let ds = read_bytes(csv.as_bytes(), "t.csv", &opts()).unwrap();
    assert_eq!(
        ds.assumptions.preamble_lines,
        vec![(1, "Study CART-01 export 2026-12-01".to_string())]
    );
    assert_eq!(ds.assumptions.skipped_lines, vec![2]);
    assert_eq!(ds.assumptions.delimiter, ';');
    assert_eq!(ds.profiles[0].samples[1].value.quantified(), Some(1250.5));
    // The bad time is on line 6 of the file (it rejects the profile, naming the row).
    assert_eq!(ds.rejected[0].errors[0].line, 6, "{:?}", ds.rejected);
    let summary = ds.assumptions.summary().join("\n");
    assert!(summary.contains("line(s) 1 before the header"), "{summary}");
    assert!(summary.contains("Study CART-01"), "{summary}");
}

#[test]
fn without_a_header_anywhere_the_first_lines_error_stands() {
    // A blank line, then a header missing roles, then data: the error is about line 2 (the
    // header's own line, no longer always "1"), not about a data row tried after it.
    let err = read_bytes(
        b"\nPatientID,Day,Result\n1,0,5\n2,1,6\n",
        "lab.csv",
        &opts(),
    )
    .unwrap_err();
    let IngestError::MissingColumns { line, found, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!((*line, found.as_str()), (2, "PatientID, Day, Result"));
    assert!(
        err.to_string().starts_with("lab.csv:2: no matrix column"),
        "{err}"
    );
}

#[test]
fn a_latin1_cell_is_quoted_as_latin1_in_notes_and_errors() {
    // Regression (2026-12-04): the cell was decoded as Latin-1 but the note quoted it with
    // U+FFFD replacement characters.
    let csv = b"subject,matrix,assay,time,value,unit\nP1,blood,qpcr,0,\xe9l\xe9v\xe9,copies/ug\nP1,blood,qpcr,7,900,copies/ug\nP2,blood,qpcr,-\xb5,900,copies/ug\n";
    let ds = read_bytes(csv, "l.csv", &opts()).unwrap();
    assert_eq!(ds.assumptions.unknown_codes[0].text, "\u{e9}l\u{e9}v\u{e9}");
    assert_eq!(ds.rejected[0].errors[0].text, "-\u{b5}");
}

#[test]
fn a_unit_in_the_value_columns_name_is_the_unit_of_every_row() {
    // `AVAL (copies/ug)` and `Result [cells/uL]`: exports that write the unit into the
    // header instead of a unit column (found 2026-12-04 on a hand-written ADaM-like export).
    let csv = "USUBJID,PCSPEC,PARAMCD,ADY,AVAL (copies/ug)\n\
               P1,blood,qpcr,1,900\nP1,blood,qpcr,7,45000\n";
    let ds = read_bytes(csv.as_bytes(), "u.csv", &opts()).unwrap();
    assert!(!ds.has_errors(), "{:?}", ds.rejected);
    assert_eq!(ds.profiles[0].unit, ConcUnit::CopiesPerUg);
    assert_eq!(
        ds.assumptions.header_unit,
        Some(("copies/ug".to_string(), "AVAL (copies/ug)".to_string()))
    );
    let summary = ds.assumptions.summary().join("\n");
    assert!(
        summary.contains("from the header 'AVAL (copies/ug)'"),
        "{summary}"
    );
    assert!(
        !summary.contains("(the file has no unit column)\n"),
        "{summary}"
    );

    let flow = "subject,matrix,assay,time,Result [cells/uL]\nP1,blood,flow,7,12.5\n";
    let ds = read_bytes(flow.as_bytes(), "f.csv", &opts()).unwrap();
    assert_eq!(ds.profiles[0].unit, ConcUnit::CellsPerUl);
    // A bracket that is not a unit only names the column.
    let plain = "subject,matrix,assay,time,Result (final),unit\nP1,blood,qpcr,7,900,copies/ug\n";
    let ds = read_bytes(plain.as_bytes(), "p.csv", &opts()).unwrap();
    assert_eq!(ds.profiles[0].samples[0].value.quantified(), Some(900.0));
    assert_eq!(ds.assumptions.header_unit, None);
    // Without a unit anywhere it is still the missing-unit error.
    let none = "subject,matrix,assay,time,Result (final)\nP1,blood,qpcr,7,900\n";
    let err = read_bytes(none.as_bytes(), "n.csv", &opts()).unwrap_err();
    assert!(err.to_string().contains("no unit column"), "{err}");
}

#[test]
fn bracketed_names_never_take_a_column_another_role_names_exactly() {
    // Review of 2026-12-04: the bracket-stripped fallback ran inside each role's alias
    // list, so `Time (unit)` became the time column (bare `time`) before `Day` was tried,
    // and `Result (Units)` the value column before the unit role's `result_units`.
    let e4 = "subject,matrix,assay,Day,Time (unit),value,unit\nP1,blood,qpcr,0,d,50,copies/ug\n\
              P1,blood,qpcr,7,d,900,copies/ug\n";
    let ds = read_bytes(e4.as_bytes(), "e4.csv", &opts()).unwrap();
    assert!(!ds.has_errors(), "{:?}", ds.rejected);
    assert_eq!(ds.profiles[0].samples[1].time, 7.0);
    let e3 =
        "subject,matrix,assay,time,Reported Result,Result (Units)\nP1,blood,qpcr,7,50,copies/ug\n";
    let ds = read_bytes(e3.as_bytes(), "e3.csv", &opts()).unwrap();
    assert_eq!(ds.profiles[0].unit, ConcUnit::CopiesPerUg);
    assert_eq!(ds.profiles[0].samples[0].value.quantified(), Some(50.0));
    // Nested brackets: the unit is the whole last bracket.
    let nested = "subject,matrix,assay,time,AVAL (copies/ug (gDNA))\nP1,blood,qpcr,7,900\n";
    let ds = read_bytes(nested.as_bytes(), "n.csv", &opts()).unwrap();
    assert_eq!(ds.profiles[0].unit, ConcUnit::CopiesPerUg);
    // `--columns value=Messwert` finds `Messwert (copies/ug)`, unit included.
    let mapped = "subject,matrix,assay,time,Messwert (copies/ug)\nP1,blood,qpcr,7,900\n";
    let o = IngestOptions {
        columns: cartpk_core::ingest::ColumnMapping::parse("value=Messwert").unwrap(),
        ..opts()
    };
    let ds = read_bytes(mapped.as_bytes(), "m.csv", &o).unwrap();
    assert_eq!(ds.profiles[0].samples[0].value.quantified(), Some(900.0));
    assert_eq!(ds.profiles[0].unit, ConcUnit::CopiesPerUg);
}

#[test]
fn a_unit_in_the_header_that_disagrees_is_an_error_not_a_rescaling() {
    // `Time (h)` read with the default time unit (days) would be a 24-fold error: refused,
    // with the flag that reads it right; with that flag the times are converted.
    let csv = "subject,matrix,assay,Time (h),value,unit\nP1,blood,qpcr,24,900,copies/ug\n\
               P1,blood,qpcr,168,9000,copies/ug\n";
    let err = read_bytes(csv.as_bytes(), "h.csv", &opts()).unwrap_err();
    assert!(
        matches!(err, IngestError::HeaderUnit { line: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("use --time-unit h"), "{err}");
    let hours = IngestOptions {
        time_unit: Some(cartpk_core::TimeUnit::Hours),
        ..opts()
    };
    let ds = read_bytes(csv.as_bytes(), "h.csv", &hours).unwrap();
    assert_eq!(ds.profiles[0].samples[1].time, 7.0);
    // Below a title line too: the header's unit error, not the title's missing columns.
    let titled = format!("Export of 2026-12-01\n{csv}");
    let err = read_bytes(titled.as_bytes(), "t.csv", &opts()).unwrap_err();
    assert!(
        matches!(err, IngestError::HeaderUnit { line: 2, .. }),
        "{err}"
    );
    // Days in the header and the default agree.
    let days = csv.replace("Time (h)", "Time (days)");
    assert!(read_bytes(days.as_bytes(), "d.csv", &opts()).is_ok());
    // --unit against the header's unit.
    let both = "subject,matrix,assay,time,AVAL (copies/ug)\nP1,blood,qpcr,7,900\n";
    let pct = IngestOptions {
        unit: Some(ConcUnit::PercentCarPositive),
        ..opts()
    };
    let err = read_bytes(both.as_bytes(), "b.csv", &pct).unwrap_err();
    assert!(err.to_string().contains("--unit gives '%'"), "{err}");
}

#[test]
fn bom_tab_and_latin1() {
    let csv = b"\xEF\xBB\xBFsubject\tmatrix\tassay\ttime\tvalue\tunit\nP1\tblood\tqpcr\t0\t<50\tcopies/\xb5g gDNA\nP1\tblood\tqpcr\t7\t1 250\tcopies/\xb5g gDNA\n";
    let ds = read_bytes(csv, "t.tsv", &opts()).unwrap();
    assert!(!ds.has_errors(), "{:?}", ds.rejected);
    assert_eq!(ds.profiles[0].unit, ConcUnit::CopiesPerUg);
    assert_eq!(ds.profiles[0].samples[1].value.quantified(), Some(1250.0));
    assert_eq!(ds.assumptions.delimiter, '\t');
    assert!(ds.assumptions.latin1);
}

#[test]
fn semicolons_mean_decimal_commas() {
    let csv = "subject;matrix;assay;time;value;unit;lloq\nP1;blood;qpcr;0,5;<0,5;copies/ug;0,5\nP1;blood;qpcr;7;1.250,75;copies/ug;0,5\n";
    let ds = read_bytes(csv.as_bytes(), "s.csv", &opts()).unwrap();
    assert!(!ds.has_errors(), "{:?}", ds.rejected);
    let s = &ds.profiles[0].samples;
    assert_eq!(s[0].time, 0.5);
    assert_eq!(s[0].value, SampleValue::Blq { lloq: Some(0.5) });
    assert_eq!(s[1].value.quantified(), Some(1250.75));
    // A decimal comma in a comma file is not guessed: the profile is rejected, with a hint.
    let csv = "subject,matrix,assay,time,value,unit\nP1,blood,qpcr,0,\"1,5\",copies/ug\n";
    let ds = read_bytes(csv.as_bytes(), "c.csv", &opts()).unwrap();
    assert_eq!(ds.rejected[0].errors[0].problem, RowProblem::DecimalComma);
    let o = IngestOptions {
        decimal_comma: true,
        ..opts()
    };
    let ds = read_bytes(csv.as_bytes(), "c.csv", &o).unwrap();
    assert_eq!(ds.profiles[0].samples[0].value.quantified(), Some(1.5));
}

/// Mutation-testing regressions: an empty-after-normalisation label panicked; values at
/// the limits of f64 and huge times sank later stages. Each is now one row's problem.
#[test]
fn punctuation_labels_and_extreme_numbers_are_row_problems() {
    let csv = "subject,matrix,assay,time,value,unit,lloq\n\
               P1,blood,-,0,5,copies/ug,1\n\
               P2,_,qpcr,0,5,copies/ug,1\n\
               P3,(),qpcr,0,5,copies/ug,1\n\
               P4,blood,qpcr,0,1e308,copies/ug,1\n\
               P4,blood,qpcr,1,1e-310,copies/ug,1\n\
               P4,blood,qpcr,1e16,5,copies/ug,1\n\
               P4,blood,qpcr,2,5,copies/ug,1\n";
    let ds = read_bytes(csv.as_bytes(), "m.csv", &opts()).unwrap();
    assert_eq!(ds.row_errors.len(), 3);
    for e in &ds.row_errors {
        assert!(matches!(e.problem, RowProblem::NoLabel { .. }), "{e}");
    }
    assert_eq!(ds.profiles.len(), 1);
    let p = &ds.profiles[0];
    assert_eq!(p.samples.len(), 3, "the 1e16-day row is left out");
    assert_eq!(p.samples[0].value, SampleValue::Missing);
    assert_eq!(p.samples[1].value, SampleValue::Missing);
    assert_eq!(ds.assumptions.out_of_range.len(), 3);
}
