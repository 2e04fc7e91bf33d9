//! The seeds: the example files of `data/`, compiled in so that the harness does not
//! depend on the working directory, and the dictionary of tokens real exports contain.

/// The example files, by name.
pub const SEEDS: &[(&str, &[u8])] = &[
    (
        "cart_cohort.csv",
        include_bytes!("../../../data/cart_cohort.csv"),
    ),
    (
        "seed_cohort.csv",
        include_bytes!("../../../data/seed_cohort.csv"),
    ),
    (
        "messy_lab_export.csv",
        include_bytes!("../../../data/messy_lab_export.csv"),
    ),
    (
        "seed_cohort_subjects.csv",
        include_bytes!("../../../data/seed_cohort_subjects.csv"),
    ),
    (
        "seed_cohort_params.csv",
        include_bytes!("../../../data/seed_cohort_params.csv"),
    ),
    (
        "lab_export_3pt.csv",
        include_bytes!("../../../data/lab_export_3pt.csv"),
    ),
    (
        "lab_export_3pt_subjects.csv",
        include_bytes!("../../../data/lab_export_3pt_subjects.csv"),
    ),
    (
        "cart_cohort_semicolon.csv",
        include_bytes!("../../../data/cart_cohort_semicolon.csv"),
    ),
    (
        "cart_cohort_no_assay.csv",
        include_bytes!("../../../data/cart_cohort_no_assay.csv"),
    ),
];

/// Tokens inserted or put in place of a field: result codes, numbers at the limits of
/// f64, separators, encodings, labels that normalise to nothing, spreadsheet formulas,
/// path tricks.
pub const TOKENS: &[&[u8]] = &[
    b"<LLOQ",
    b">ULOQ",
    b"QNS",
    b"Detected <LLOQ",
    b"< 50",
    b">1e6",
    b"BQL",
    b"ND",
    b"NA",
    b"Not done",
    b"1e308",
    b"-1e308",
    b"1.7976931348623157e308",
    b"1e-310",
    b"5e-324",
    b"1e400",
    b"1e16",
    b"-0",
    b"0",
    b"-6",
    b"NaN",
    b"inf",
    b"-inf",
    b"1,250",
    b"\"1,250\"",
    b"1 250",
    b"12,5",
    b";",
    b"\t",
    b"\xEF\xBB\xBF",
    b"\xB5",
    b"copies/\xB5g gDNA",
    b"copies/\xC2\xB5g gDNA",
    b"=cmd|' /C calc'!A0",
    b"+SUM(1+1)",
    b"@HYPERLINK(\"http://x\")",
    b"-",
    b"_",
    b"()",
    b"",
    b"\r\n",
    b"\"",
    b"\"\"",
    b"../../etc/x",
    b".hidden",
    b"screening",
    b"HOURS",
    b"weeks",
    b"%",
    b"cells/uL",
    b"bone marrow",
    b"CSF",
    b"flow",
    b"qpcr",
    b"99999999999999999999999",
    b"0x1F",
    b" ",
];

/// Bytes that matter to a CSV reader or to text decoding.
pub const INTERESTING_BYTES: &[u8] = b",;\t\n\r\"' -+=@.0e\xB5\xC2\xFF\x00\x80";

/// A subject id longer than any file name may be (255 bytes on most file systems).
pub fn long_id(len: usize) -> Vec<u8> {
    let mut id = b"P".to_vec();
    id.extend(std::iter::repeat_n(b'x', len.saturating_sub(1)));
    id
}
