//! What ingestion assumed, told on stderr: the library returns it
//! ([`cartpk_core::ingest::IngestNotes`], `SubjectsTable::unrecognised`), the CLI prints it.

use cartpk_core::ingest::{Dataset, IngestNotes};
use cartpk_core::SubjectsTable;
use std::io::Write;

/// Prints the input's assumptions summary, one `note:` line per category.
pub fn print(data: &Dataset, quiet: bool) {
    if quiet {
        return;
    }
    let ids = data.profiles.iter().map(|p| p.key.subject.as_str());
    print_parts(
        &data.source,
        &data.assumptions,
        &formula_warnings(&data.source, ids, &mut Default::default()),
    );
}

/// Warnings for the subject ids a spreadsheet would run as formulas (neutralised in every
/// CSV table), once per id: `warned` holds the ids already warned about.
pub fn formula_warnings<'a>(
    source: &str,
    ids: impl Iterator<Item = &'a str>,
    warned: &mut std::collections::BTreeSet<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(w) = cartpk_core::spreadsheet::formula_warning(source, "subject", id) {
            if warned.insert(id.to_string()) {
                out.push(w);
            }
        }
    }
    out
}

/// Prints the assumptions summary and the formula warnings of [`formula_warnings`].
pub fn print_parts(source: &str, assumptions: &IngestNotes, formula_warnings: &[String]) {
    let mut err = std::io::stderr().lock();
    for line in assumptions.summary() {
        let _ = writeln!(err, "note: {source}: {line}");
    }
    for w in formula_warnings {
        let _ = writeln!(err, "warning: {w}");
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
