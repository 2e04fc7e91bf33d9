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
}

/// Prints the subjects file's unrecognised columns (they still pass through to tables).
pub fn print_subjects(table: &SubjectsTable, quiet: bool) {
    if quiet || table.unrecognised.is_empty() {
        return;
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "note: {}: column(s) not recognised, passed through to the tables as they are: {}",
        table.file,
        table.unrecognised.join(", ")
    );
}
