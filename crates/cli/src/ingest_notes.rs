//! What ingestion assumed, told on stderr: the library returns it
//! ([`cartpk_core::ingest::IngestNotes`], `SubjectsTable::unrecognised`), the CLI prints it.

use cartpk_core::ingest::Dataset;
use cartpk_core::SubjectsTable;
use std::io::Write;

/// Prints the input's assumptions summary, one `note:` line per category.
pub fn print(data: &Dataset, quiet: bool) {
    if quiet {
        return;
    }
    let mut err = std::io::stderr().lock();
    for line in data.assumptions.summary() {
        let _ = writeln!(err, "note: {}: {line}", data.source);
    }
    // Ids a spreadsheet would run as formulas: neutralised in every CSV table.
    let mut seen = std::collections::BTreeSet::new();
    for p in &data.profiles {
        let id = p.key.subject.as_str();
        if seen.insert(id) {
            if let Some(w) = cartpk_core::spreadsheet::formula_warning(&data.source, "subject", id)
            {
                let _ = writeln!(err, "warning: {w}");
            }
        }
    }
}

/// Prints the subjects file's `unrecognised` columns (they still pass through to tables).
pub fn print_subjects<S: AsRef<str>>(table: &SubjectsTable, unrecognised: &[S], quiet: bool) {
    if quiet || unrecognised.is_empty() {
        return;
    }
    let names: Vec<&str> = unrecognised.iter().map(AsRef::as_ref).collect();
    let _ = writeln!(
        std::io::stderr().lock(),
        "note: {}: column(s) not recognised, passed through to the tables as they are: {}",
        table.file,
        names.join(", ")
    );
}
