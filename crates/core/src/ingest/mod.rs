//! Long-format assay CSV in, [`Profile`]s out.
//!
//! One measurement per row. Columns are found by role ([`ColumnRole`]): native names
//! (`subject, matrix, assay, time, value, unit, lloq`), CDISC ADPC names (`USUBJID, PCSPEC,
//! PARAMCD, AFRLT, AVAL, AVALC, AVALU, PCLLOQ`...), or a user [`ColumnMapping`].
//!
//! Errors come in two kinds. A file that cannot be read as a table at all (no header, a
//! required column missing) is an [`IngestError`]. A bad row is a [`RowError`] that names
//! the file, line, column, the text found and what was expected; it rejects the profile it
//! belongs to (reported in [`Dataset::rejected`]) while the other profiles are still read.

// Row errors carry the file, line, column and text by value so that they can be reported
// as they are; they are the cold path of a row, so their size does not matter.
#![allow(clippy::result_large_err)]

mod cell;
mod columns;
mod error;
mod notes;
mod record;
mod stream;
mod text;

pub use cell::{TIME_MAX_ABS_DAYS, VALUE_MAX, VALUE_MIN_POSITIVE};
pub use columns::{normalise_header, ColumnMapping, ColumnRole, ResolvedColumns};
pub use error::{CellRef, IngestError, MissingColumn, RowError, RowProblem};
pub use notes::IngestNotes;
pub use stream::ChunkedReader;
pub use text::{decode, detect_delimiter, skip_leading_junk};

use crate::{Assay, ConcUnit, Dose, Matrix, Profile, ProfileKey, Sample, SampleValue, TimeUnit};
use cell::{
    classify, is_baseline_visit, parse_flag, parse_limit, parse_number_styled, parse_result,
    NumberStyle, ResultText,
};
use rayon::prelude::*;
use record::Record;
use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

/// How to read an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOptions {
    /// Column names for roles the header does not name in a known way.
    pub columns: ColumnMapping,
    /// Unit of the time column when the file has no time unit column (or the cell is
    /// empty). `None` makes a missing time unit an error.
    pub time_unit: Option<TimeUnit>,
    /// Unit of the values when the file has no unit column (or the cell is empty).
    pub unit: Option<ConcUnit>,
    /// Field delimiter, `b','` for CSV.
    pub delimiter: u8,
    /// When the header has no `delimiter`, use the one it has (`;`, tab or `,`, the most
    /// frequent). Off when the user named a delimiter.
    pub detect_delimiter: bool,
    /// `,` is the decimal mark (`1,5`). Always on for a `;`-separated file.
    pub decimal_comma: bool,
    /// Subject of every row when the file has no subject column (`--subject`).
    pub subject: Option<String>,
    /// Matrix of every row when the file has no matrix column (`--matrix`).
    pub matrix: Option<Matrix>,
    /// Assay of every row when the file has no assay column (`--assay`).
    pub assay: Option<Assay>,
    /// LLOQ of every row when the file has no LLOQ column (`--lloq`), in the value unit.
    pub lloq: Option<f64>,
    /// ULOQ of every row when the file has no ULOQ column (`--uloq`), in the value unit:
    /// the limit of `>ULOQ` results.
    pub uloq: Option<f64>,
}

impl Default for IngestOptions {
    /// Days (the CAR-T convention) as the default time unit, no default value unit, comma
    /// (or the delimiter the header uses), decimal point.
    fn default() -> Self {
        IngestOptions {
            columns: ColumnMapping::default(),
            time_unit: Some(TimeUnit::Days),
            unit: None,
            delimiter: b',',
            detect_delimiter: true,
            decimal_comma: false,
            subject: None,
            matrix: None,
            assay: None,
            lloq: None,
            uloq: None,
        }
    }
}

impl IngestOptions {
    /// The roles these options give one value for the whole file.
    pub fn constant_roles(&self) -> Vec<ColumnRole> {
        let mut roles = Vec::new();
        if self.subject.is_some() {
            roles.push(ColumnRole::Subject);
        }
        if self.matrix.is_some() {
            roles.push(ColumnRole::Matrix);
        }
        if self.assay.is_some() {
            roles.push(ColumnRole::Assay);
        }
        if self.unit.is_some() {
            roles.push(ColumnRole::Unit);
        }
        if self.lloq.is_some() {
            roles.push(ColumnRole::Lloq);
        }
        if self.uloq.is_some() {
            roles.push(ColumnRole::Uloq);
        }
        roles
    }
}

/// A profile that could not be read, with every problem found in its rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RejectedProfile {
    /// Which profile.
    pub key: ProfileKey,
    /// Its problems, in line order.
    pub errors: Vec<RowError>,
}

/// What was read from one input.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The file name (or stream name) errors refer to.
    pub source: String,
    /// Which column played which role.
    pub columns: ResolvedColumns,
    /// The good profiles, sorted by subject, matrix, assay.
    pub profiles: Vec<Profile>,
    /// Profiles skipped because of bad rows.
    pub rejected: Vec<RejectedProfile>,
    /// Bad rows that belong to no profile (e.g. an empty subject cell).
    pub row_errors: Vec<RowError>,
    /// Things worth knowing that are not errors (e.g. a repeated identical row).
    pub notes: Vec<String>,
    /// What ingestion assumed, by category (baseline samples, codes taken as missing,
    /// BLQ without LLOQ, above-range values...): print [`IngestNotes::summary`].
    pub assumptions: IngestNotes,
    /// Number of data rows read.
    pub n_rows: u64,
}

impl Dataset {
    /// Whether anything was rejected or any row was bad.
    pub fn has_errors(&self) -> bool {
        !self.rejected.is_empty() || !self.row_errors.is_empty()
    }
}

/// Reads a CSV file.
pub fn read_path(path: &Path, options: &IngestOptions) -> Result<Dataset, IngestError> {
    let file_name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|cause| IngestError::Io {
        file: file_name.clone(),
        cause,
    })?;
    read_bytes(&bytes, &file_name, options)
}

/// Reads CSV from any reader; `source` names it in errors.
pub fn read_from<R: Read>(
    mut reader: R,
    source: &str,
    options: &IngestOptions,
) -> Result<Dataset, IngestError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|cause| IngestError::Io {
            file: source.to_string(),
            cause,
        })?;
    read_bytes(&bytes, source, options)
}

/// Below this many bytes of data a file is parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Reads CSV held in memory; `source` names it in errors. Large inputs are cut at line
/// ends (never inside a quoted field) into chunks parsed in parallel; the chunks are then
/// merged in file order, so the result is the same as a sequential read.
pub fn read_bytes(
    bytes: &[u8],
    source: &str,
    options: &IngestOptions,
) -> Result<Dataset, IngestError> {
    let (header, body) = read_header(bytes, source, options)?;
    let effective = header.options(options);
    let setup = Setup {
        source,
        columns: &header.columns,
        options: &effective,
        delimiter: header.delimiter,
        style: header.style,
    };
    let (state, _) = parse_body(&setup, body, header.first_line)?;
    if state.n_rows == 0 {
        return Err(header.no_data(source));
    }
    let mut dataset = state.finish(header.columns.clone());
    header
        .notes
        .apply(&mut dataset.assumptions, &header.columns, options);
    Ok(dataset)
}

/// The header of an input and how to read its rows.
#[derive(Debug, Clone)]
struct Header {
    columns: ResolvedColumns,
    delimiter: u8,
    style: NumberStyle,
    notes: HeaderNotes,
    /// The 1-based line of the first data row.
    first_line: u64,
}

impl Header {
    /// `options` with the header's value unit as the unit of every row, when it gives one.
    fn options(&self, options: &IngestOptions) -> IngestOptions {
        let mut o = options.clone();
        if o.unit.is_none() {
            o.unit = self.notes.value_unit.as_ref().map(|(u, _)| u.clone());
        }
        o
    }

    /// The error of a file with a header and no data row.
    fn no_data(&self, source: &str) -> IngestError {
        IngestError::NoData {
            file: source.to_string(),
            header_line: self.notes.header_line,
        }
    }
}

/// Lines with text tried as the header before giving up: exports put a title, a date or
/// a study name above the header, rarely more than a few lines.
const MAX_PREAMBLE_LINES: usize = 10;

/// Reads the header at the start of `bytes` (after a byte-order mark, junk lines and up to
/// [`MAX_PREAMBLE_LINES`] lines of title text); returns it and the bytes after it.
///
/// The header is the first line with text whose names resolve to the required columns.
/// When no line does, the error is the one of the first line with text, the most likely
/// header.
fn read_header<'b>(
    bytes: &'b [u8],
    source: &str,
    options: &IngestOptions,
) -> Result<(Header, &'b [u8]), IngestError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut skipped = Vec::new();
    let mut preamble = Vec::new();
    let mut rest = bytes;
    // Lines before `rest`.
    let mut before = 0u64;
    let mut first_error = None;
    loop {
        let (junk, after) = skip_leading_junk(rest);
        skipped.extend(junk.iter().map(|l| l + before));
        before += junk.len() as u64;
        rest = after;
        if rest.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(first_error.unwrap_or_else(|| IngestError::Empty {
                file: source.to_string(),
            }));
        }
        match header_at(rest, before, source, options) {
            Ok((mut header, body)) => {
                header.notes.skipped = skipped;
                header.notes.preamble = preamble;
                return Ok((header, body));
            }
            Err(e @ IngestError::MissingColumns { .. }) if preamble.len() < MAX_PREAMBLE_LINES => {
                let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                    return Err(first_error.unwrap_or(e));
                };
                let text = decode(&rest[..end]).trim().to_string();
                first_error.get_or_insert(e);
                before += 1;
                preamble.push((before, text));
                rest = &rest[end + 1..];
            }
            // This line resolved: it is the header, and its units are the problem.
            Err(e @ IngestError::HeaderUnit { .. }) => return Err(e),
            Err(e) => return Err(first_error.unwrap_or(e)),
        }
    }
}

/// The header on the first line of `bytes`, which has `before` lines before it in the
/// file.
fn header_at<'b>(
    bytes: &'b [u8],
    before: u64,
    source: &str,
    options: &IngestOptions,
) -> Result<(Header, &'b [u8]), IngestError> {
    let delimiter = if options.detect_delimiter {
        detect_delimiter(bytes, options.delimiter)
    } else {
        options.delimiter
    };
    let style = NumberStyle {
        decimal_comma: options.decimal_comma || delimiter == b';',
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let mut latin1 = false;
    let header: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| csv_error(source, before, e))?
        .iter()
        .map(|f| {
            let t = decode(f);
            latin1 |= matches!(t, Cow::Owned(_));
            t.into_owned()
        })
        .collect();
    let constant = options.constant_roles();
    let mut resolved = ResolvedColumns::resolve_with(source, header, &options.columns, &constant);
    if let Err(IngestError::MissingColumns { line, .. }) = &mut resolved {
        // `resolve_with` does not know where the header is.
        *line = before + 1;
    }
    let columns = resolved?;
    let value_unit = units_in_header(&columns, before + 1, source, options)?;
    let body_start = rdr.position().byte() as usize;
    let first_line = rdr.position().line() + before;
    let body = &bytes[body_start.min(bytes.len())..];
    let header = Header {
        columns,
        delimiter,
        style,
        notes: HeaderNotes {
            delimiter,
            decimal_comma: style.decimal_comma,
            skipped: Vec::new(),
            preamble: Vec::new(),
            header_line: before + 1,
            value_unit,
            latin1,
        },
        first_line,
    };
    Ok((header, body))
}

/// The value unit the header writes after the value column's name (`AVAL (copies/ug)`),
/// with that name, when nothing else gives one; an error when the header's units
/// disagree with the options. A time unit in the header (`Time (h)`) is never applied on
/// its own: the time unit has a default (days), so one that differs is an error asking
/// for `--time-unit` rather than a silent change of scale.
fn units_in_header(
    columns: &ResolvedColumns,
    line: u64,
    source: &str,
    options: &IngestOptions,
) -> Result<Option<(ConcUnit, String)>, IngestError> {
    let units = columns.header_units();
    let conflict =
        |column: &str, header_unit: &str, conflict: String, fix: String| IngestError::HeaderUnit {
            file: source.to_string(),
            line,
            column: column.to_string(),
            message: format!("gives the unit '{header_unit}', but {conflict}; {fix}"),
        };
    if let Some((unit, name)) = &units.time {
        if columns.get(ColumnRole::TimeUnit).is_none() && options.time_unit != Some(*unit) {
            let read_as = options
                .time_unit
                .map_or("no time unit is given".to_string(), |u| {
                    let plural = match u {
                        TimeUnit::Minutes => "minutes",
                        TimeUnit::Hours => "hours",
                        TimeUnit::Days => "days",
                        TimeUnit::Weeks => "weeks",
                    };
                    format!("the times would be read in {plural} (--time-unit, default days)")
                });
            return Err(conflict(
                name,
                unit.label(),
                read_as,
                format!("use --time-unit {unit} to read them as the header says"),
            ));
        }
    }
    let Some((unit, name)) = units.value else {
        return Ok(None);
    };
    if columns.get(ColumnRole::Unit).is_some() {
        // A unit column gives each row its unit; the cells win over the header.
        return Ok(None);
    }
    match &options.unit {
        Some(given) if *given != unit => Err(conflict(
            &name,
            unit.label(),
            format!("--unit gives '{}'", given.label()),
            "drop --unit or correct it".to_string(),
        )),
        Some(_) => Ok(None),
        None => Ok(Some((unit, name))),
    }
}

/// What reading the header found, for [`IngestNotes`].
#[derive(Debug, Clone)]
struct HeaderNotes {
    delimiter: u8,
    decimal_comma: bool,
    /// Blank or delimiter-only lines before the header.
    skipped: Vec<u64>,
    /// Lines of text before the header (a title): `(line, text)`.
    preamble: Vec<(u64, String)>,
    /// 1-based line of the header.
    header_line: u64,
    /// The value unit taken from the header, and the column name that gave it.
    value_unit: Option<(ConcUnit, String)>,
    latin1: bool,
}

impl HeaderNotes {
    /// Fills the file-wide fields of `a` (delimiter, decimal mark, skipped lines, constants).
    fn apply(&self, a: &mut IngestNotes, columns: &ResolvedColumns, options: &IngestOptions) {
        a.delimiter = self.delimiter as char;
        a.decimal_comma = self.decimal_comma;
        a.skipped_lines = self.skipped.clone();
        a.preamble_lines = self.preamble.clone();
        a.header_unit = self
            .value_unit
            .as_ref()
            .map(|(u, name)| (u.label().to_string(), name.clone()));
        a.latin1 |= self.latin1;
        for role in options.constant_roles() {
            if role == ColumnRole::Unit && self.value_unit.is_some() {
                // From the header, with its own note (the streamed reader's options carry
                // it as the unit of every row).
                continue;
            }
            if role == ColumnRole::Unit && columns.get(role).is_some() {
                // --unit also fills the empty cells of a unit column: not ignored.
                continue;
            }
            if columns.get(role).is_some() {
                a.ignored_constants.push(role.name().to_string());
            } else {
                let value = match role {
                    ColumnRole::Subject => options.subject.clone().unwrap_or_default(),
                    ColumnRole::Matrix => options
                        .matrix
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    ColumnRole::Assay => options
                        .assay
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    ColumnRole::Unit => options
                        .unit
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    ColumnRole::Lloq => options.lloq.map(|v| v.to_string()).unwrap_or_default(),
                    ColumnRole::Uloq => options.uloq.map(|v| v.to_string()).unwrap_or_default(),
                    _ => String::new(),
                };
                a.constants.push((role.name().to_string(), value));
            }
        }
    }
}

/// Parses the data rows in `body` (whose first line is line `first_line` of the file):
/// large bodies are cut at line ends (never inside a quoted field) into chunks parsed in
/// parallel, then merged in file order, so the result is the same as a sequential read.
fn parse_body<'a>(
    setup: &Setup<'a>,
    body: &'a [u8],
    first_line: u64,
) -> Result<(Reader<'a>, u64), IngestError> {
    let source = setup.source;
    let delimiter = setup.delimiter;
    let n_chunks = if body.len() >= PARALLEL_MIN_BYTES {
        rayon::current_num_threads() * 4
    } else {
        1
    };
    let chunks = split_at_record_ends(body, n_chunks);
    // Line number of each chunk's first line: newlines before it, counted in parallel.
    let newlines: Vec<u64> = chunks
        .par_iter()
        .map(|c| memchr::memchr_iter(b'\n', c).count() as u64)
        .collect();
    let mut offsets = Vec::with_capacity(chunks.len());
    let mut line = first_line - 1;
    for n in &newlines {
        offsets.push(line);
        line += n;
    }
    let parts: Vec<Result<Reader<'_>, IngestError>> = chunks
        .par_iter()
        .zip(offsets)
        .map(|(chunk, offset)| {
            let mut state = Reader::new(setup, offset, chunk);
            if let Some(text) = record::plain_text(chunk) {
                // The usual export: read line by line, without the tokeniser.
                record::each_plain_record(text, delimiter, |rec, index| {
                    state.row(rec, offset + 1 + index)
                });
                return Ok(state);
            }
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .has_headers(false)
                .from_reader(*chunk);
            let mut record = csv::ByteRecord::new();
            while rdr
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(source, offset, e))?
            {
                let line = state.line_of(&record);
                state.row(&record, line);
            }
            Ok(state)
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut state = match parts.next() {
        Some(first) => first?,
        None => Reader::new(setup, first_line - 1, body),
    };
    for part in parts {
        state.absorb(part?);
    }
    Ok((state, newlines.iter().sum()))
}

/// What every chunk's reader shares.
struct Setup<'a> {
    source: &'a str,
    columns: &'a ResolvedColumns,
    options: &'a IngestOptions,
    delimiter: u8,
    style: NumberStyle,
}

/// The 1-based line on which the record at `pos` of `bytes` starts. csv reports the
/// position where it began reading a record, which is before the `\n` of a `\r\n` line end
/// and before blank lines; the line breaks from there to the first byte of the record are
/// counted here. Any reader of CSV bytes can use it to report true line numbers.
pub fn record_line(bytes: &[u8], pos: &csv::Position) -> u64 {
    let mut line = pos.line();
    for &c in bytes.get(pos.byte() as usize..).unwrap_or_default() {
        match c {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn csv_error(source: &str, line_offset: u64, e: csv::Error) -> IngestError {
    IngestError::Csv {
        file: source.to_string(),
        line: e.position().map_or(0, |p| p.line() + line_offset),
        message: e.to_string(),
    }
}

/// Cuts `body` into about `n` pieces, each ending just after a newline that is outside any
/// quoted field (RFC 4180 quotes: a `"` toggles, `""` toggles twice).
fn split_at_record_ends(body: &[u8], n: usize) -> Vec<&[u8]> {
    if n <= 1 || body.is_empty() {
        return vec![body];
    }
    let has_quotes = body.contains(&b'"');
    let mut cuts = Vec::with_capacity(n + 1);
    cuts.push(0);
    let mut in_quotes = false;
    let mut pos = 0;
    for k in 1..n {
        let target = body.len() * k / n;
        if target <= pos {
            continue;
        }
        if has_quotes {
            while pos < target {
                in_quotes ^= body[pos] == b'"';
                pos += 1;
            }
            while pos < body.len() && (in_quotes || body[pos] != b'\n') {
                in_quotes ^= body[pos] == b'"';
                pos += 1;
            }
        } else {
            pos = match body[target..].iter().position(|&b| b == b'\n') {
                Some(i) => target + i,
                None => body.len(),
            };
        }
        if pos >= body.len() {
            break;
        }
        pos += 1; // past the newline
        cuts.push(pos);
    }
    cuts.push(body.len());
    cuts.dedup();
    cuts.windows(2).map(|w| &body[w[0]..w[1]]).collect()
}

/// Column indices copied out of [`ResolvedColumns`] for the hot loop.
struct Cols {
    subject: Option<usize>,
    matrix: Option<usize>,
    assay: Option<usize>,
    visit: Option<usize>,
    uloq: Option<usize>,
    time: usize,
    time_unit: Option<usize>,
    value: Option<usize>,
    value_text: Option<usize>,
    unit: Option<usize>,
    lloq: Option<usize>,
    blq_flag: Option<usize>,
    dose: Option<usize>,
    dose_unit: Option<usize>,
}

struct Builder {
    key: ProfileKey,
    unit: Option<(ConcUnit, u64)>,
    unit_raw: Vec<u8>,
    time_unit: Option<(TimeUnit, u64)>,
    dose: Option<(f64, u64)>,
    dose_unit: Option<String>,
    samples: Vec<(Sample, u64)>,
    errors: Vec<RowError>,
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    source: &'a str,
    header: &'a [String],
}

impl Ctx<'_> {
    fn error(&self, line: u64, col: Option<usize>, text: &[u8], problem: RowProblem) -> RowError {
        RowError {
            file: self.source.to_string(),
            line,
            column: col.map(|i| error::CellRef {
                index: i + 1,
                name: self.header[i].clone(),
            }),
            // As the cells are read: Latin-1 when not UTF-8, so a note quotes `élévé`,
            // not `\u{fffd}l\u{fffd}v\u{fffd}`.
            text: decode(text).into_owned(),
            problem,
        }
    }
}

struct Reader<'a> {
    ctx: Ctx<'a>,
    /// The bytes this reader parses (its chunk of the file).
    chunk: &'a [u8],
    n_fields: usize,
    cols: Cols,
    options: &'a IngestOptions,
    delimiter: u8,
    style: NumberStyle,
    /// The last visit text seen and whether it names a baseline visit.
    last_visit: (Vec<u8>, bool),
    /// The last LLOQ text seen and its value.
    last_lloq: (Vec<u8>, Option<f64>),
    notes: IngestNotes,
    builders: Vec<Builder>,
    /// Builder of each profile key; foldhash, which is several times cheaper than the
    /// default SipHash on these short keys and still seeded per process.
    index: foldhash::HashMap<ProfileKey, usize>,
    last_key: (Vec<u8>, Vec<u8>, Vec<u8>),
    last_builder: Option<usize>,
    row_errors: Vec<RowError>,
    n_rows: u64,
    line_offset: u64,
}

impl<'a> Reader<'a> {
    fn new(setup: &Setup<'a>, line_offset: u64, chunk: &'a [u8]) -> Self {
        let columns = setup.columns;
        let options = setup.options;
        let source = setup.source;
        let cols = Cols {
            subject: columns.get(ColumnRole::Subject),
            matrix: columns.get(ColumnRole::Matrix),
            assay: columns.get(ColumnRole::Assay),
            visit: columns.get(ColumnRole::Visit),
            uloq: columns.get(ColumnRole::Uloq),
            time: columns
                .get(ColumnRole::Time)
                .expect("ResolvedColumns::resolve_with guarantees a time column"),
            time_unit: columns.get(ColumnRole::TimeUnit),
            value: columns.get(ColumnRole::Value),
            value_text: columns.get(ColumnRole::ValueText),
            unit: columns.get(ColumnRole::Unit),
            lloq: columns.get(ColumnRole::Lloq),
            blq_flag: columns.get(ColumnRole::BlqFlag),
            dose: columns.get(ColumnRole::Dose),
            dose_unit: columns.get(ColumnRole::DoseUnit),
        };
        Reader {
            ctx: Ctx {
                source,
                header: &columns.header,
            },
            chunk,
            n_fields: columns.header.len(),
            cols,
            options,
            delimiter: setup.delimiter,
            style: setup.style,
            last_visit: (Vec::new(), false),
            // An empty cell is "no LLOQ", so the empty text starts the cache.
            last_lloq: (Vec::new(), None),
            notes: IngestNotes::default(),
            builders: Vec::new(),
            // About one profile per 512 bytes (15 rows of 35 bytes), so that the index is
            // not grown and rehashed over and over.
            index: foldhash::HashMap::with_capacity_and_hasher(
                chunk.len() / 512,
                Default::default(),
            ),
            last_key: (Vec::new(), Vec::new(), Vec::new()),
            last_builder: None,
            row_errors: Vec::new(),
            n_rows: 0,
            line_offset,
        }
    }

    /// Reads one data row, which starts on `line` (1-based).
    fn row(&mut self, rec: &impl Record, line: u64) {
        self.n_rows += 1;
        if rec.len() != self.n_fields {
            // Show the row as written: its fields joined by the delimiter.
            let sep = [self.delimiter];
            let text = rec.fields().collect::<Vec<_>>().join(&sep[..]);
            let e = self.ctx.error(
                line,
                None,
                &text,
                RowProblem::FieldCount {
                    expected: self.n_fields,
                    found: rec.len(),
                },
            );
            // A row that still names its profile rejects that profile, like any bad row.
            let c = &self.cols;
            let key_cols = [c.subject, c.matrix, c.assay];
            if key_cols.iter().flatten().all(|&i| i < rec.len()) {
                if let Ok(b) = self.builder_for(rec, line) {
                    self.builders[b].errors.push(e);
                    return;
                }
            }
            self.row_errors.push(e);
            return;
        }
        let builder = match self.builder_for(rec, line) {
            Ok(b) => b,
            Err(e) => {
                self.row_errors.push(e);
                return;
            }
        };
        if let Err(e) = self.parse_into(rec, line, builder) {
            self.builders[builder].errors.push(e);
        }
    }

    /// The 1-based line a record starts on.
    fn line_of(&self, rec: &csv::ByteRecord) -> u64 {
        rec.position()
            .map_or(0, |p| record_line(self.chunk, p) + self.line_offset)
    }

    /// The profile a row belongs to. Rows of one profile usually come together, so the
    /// previous row's key is compared first, as raw bytes.
    fn builder_for(&mut self, rec: &impl Record, line: u64) -> Result<usize, RowError> {
        let raw = |col: Option<usize>| -> &[u8] { col.map_or(&b""[..], |i| rec.bytes(i)) };
        let (s, m, a) = (
            raw(self.cols.subject),
            raw(self.cols.matrix),
            raw(self.cols.assay),
        );
        if let Some(i) = self.last_builder {
            if self.last_key.0 == s && self.last_key.1 == m && self.last_key.2 == a {
                return Ok(i);
            }
        }
        let ctx = self.ctx;
        let text = |col: usize, role: &'static str| -> Result<String, RowError> {
            let raw = rec.bytes(col);
            let t = rec.text(col);
            let t = t.trim();
            if t.is_empty() {
                return Err(ctx.error(line, Some(col), raw, RowProblem::Empty { role }));
            }
            Ok(t.to_string())
        };
        let no_label = |col: usize, role: &'static str| {
            ctx.error(
                line,
                Some(col),
                rec.bytes(col),
                RowProblem::NoLabel { role },
            )
        };
        let options = self.options;
        let subject = match self.cols.subject {
            Some(col) => text(col, "subject")?,
            None => options
                .subject
                .clone()
                .expect("resolve_with requires a subject column or --subject"),
        };
        let matrix = match self.cols.matrix {
            Some(col) => {
                Matrix::parse(&text(col, "matrix")?).ok_or_else(|| no_label(col, "matrix"))?
            }
            None => options
                .matrix
                .clone()
                .expect("resolve_with requires a matrix column or --matrix"),
        };
        let assay = match self.cols.assay {
            Some(col) => {
                Assay::parse(&text(col, "assay")?).ok_or_else(|| no_label(col, "assay"))?
            }
            None => options
                .assay
                .clone()
                .expect("resolve_with requires an assay column or --assay"),
        };
        let key = ProfileKey {
            subject,
            matrix,
            assay,
        };
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.builders.len();
                self.index.insert(key.clone(), i);
                self.builders.push(Builder {
                    key,
                    unit: None,
                    unit_raw: Vec::new(),
                    time_unit: None,
                    dose: None,
                    dose_unit: None,
                    // Room for a usual profile (CAR-T schedules have 10-20 visits), so
                    // that it is not grown three times.
                    samples: Vec::with_capacity(16),
                    errors: Vec::new(),
                });
                i
            }
        };
        self.last_key = (s.to_vec(), m.to_vec(), a.to_vec());
        self.last_builder = Some(i);
        Ok(i)
    }

    fn parse_into(&mut self, rec: &impl Record, line: u64, b: usize) -> Result<(), RowError> {
        let c = &self.cols;
        let ctx = self.ctx;
        let options = self.options;
        let builder = &mut self.builders[b];
        let err = |col: usize, p: RowProblem| ctx.error(line, Some(col), rec.bytes(col), p);

        // Time and its unit. Negative times are samples before the infusion (baseline).
        let time_text = rec.text(c.time);
        let Some(time_raw) = parse_number_styled(&time_text, self.style) else {
            return Err(err(c.time, RowProblem::TimeNotANumber));
        };
        let time_unit = match c.time_unit {
            Some(col) if !rec.bytes(col).iter().all(u8::is_ascii_whitespace) => {
                TimeUnit::parse(&rec.text(col))
                    .ok_or_else(|| err(col, RowProblem::UnknownTimeUnit))?
            }
            _ => self
                .options
                .time_unit
                .ok_or_else(|| err(c.time, RowProblem::NoTimeUnit))?,
        };
        match &builder.time_unit {
            Some((first, first_line)) if *first != time_unit => {
                let col = c.time_unit.unwrap_or(c.time);
                return Err(err(
                    col,
                    RowProblem::MixedTimeUnits {
                        first: first.label().to_string(),
                        first_line: *first_line,
                    },
                ));
            }
            Some(_) => {}
            None => builder.time_unit = Some((time_unit, line)),
        }

        // Value unit. The rows of a profile repeat the same unit text, so it is parsed
        // only when the raw bytes differ from the previous row's.
        let same_text = match (c.unit, &builder.unit) {
            (Some(col), Some(_)) => builder.unit_raw.as_slice() == rec.bytes(col),
            (None, Some(_)) => true,
            _ => false,
        };
        if !same_text {
            let unit = match c.unit {
                Some(col) => match ConcUnit::parse(&{
                    let text = rec.text(col);
                    self.notes.latin1 |= matches!(text, Cow::Owned(_));
                    text
                }) {
                    Some(u) => u,
                    None => options
                        .unit
                        .clone()
                        .ok_or_else(|| err(col, RowProblem::NoUnit))?,
                },
                None => options
                    .unit
                    .clone()
                    .ok_or_else(|| ctx.error(line, None, b"", RowProblem::NoUnit))?,
            };
            match &builder.unit {
                Some((first, first_line)) if *first != unit => {
                    let col = c.unit.unwrap_or(c.time);
                    return Err(err(
                        col,
                        RowProblem::MixedUnits {
                            first: first.label().to_string(),
                            first_line: *first_line,
                        },
                    ));
                }
                Some(_) => {}
                None => builder.unit = Some((unit, line)),
            }
            if let Some(col) = c.unit {
                builder.unit_raw.clear();
                builder.unit_raw.extend_from_slice(rec.bytes(col));
            }
        }

        // Result, LLOQ, ULOQ, BLQ flag.
        let style = self.style;
        // The LLOQ cell usually repeats one text down a profile: parsed once per change.
        let lloq = match c.lloq {
            Some(col) if self.last_lloq.0.as_slice() == rec.bytes(col) => self.last_lloq.1,
            Some(col) => {
                let v = parse_limit(&rec.text(col), style).map_err(|p| err(col, p))?;
                self.last_lloq = (rec.bytes(col).to_vec(), v);
                v
            }
            None => options.lloq,
        };
        let uloq = match c.uloq {
            Some(col) => parse_limit(&rec.text(col), style).map_err(|p| err(col, p))?,
            None => options.uloq,
        };
        let flag = match c.blq_flag {
            Some(col) => parse_flag(&rec.text(col)).map_err(|p| err(col, p))?,
            None => None,
        };
        let mut result = Ok(ResultText::Empty);
        let mut result_col = c
            .value
            .or(c.value_text)
            .expect("resolve guarantees a value column");
        for col in [c.value, c.value_text].into_iter().flatten() {
            result_col = col;
            result = parse_result(&rec.text(col), style);
            if result != Ok(ResultText::Empty) {
                break;
            }
        }
        // A code that is no result (not done, unknown, out of range) makes this one
        // sample missing, said in the notes; only a systematic problem (a decimal comma
        // in a decimal-point file, a negative value) rejects the profile.
        let note = |p: RowProblem| err(result_col, p);
        let value = match result {
            Ok(ResultText::NotDone) => {
                self.notes.not_done.push(note(RowProblem::NotDone));
                SampleValue::Missing
            }
            Ok(r) => classify(r, lloq, uloq, flag).map_err(|p| err(result_col, p))?,
            Err(p @ (RowProblem::UnknownCode | RowProblem::ValueOutOfRange { .. })) => {
                let bucket = if p == RowProblem::UnknownCode {
                    &mut self.notes.unknown_codes
                } else {
                    &mut self.notes.out_of_range
                };
                bucket.push(note(p));
                SampleValue::Missing
            }
            Err(p) => return Err(err(result_col, p)),
        };
        if value.is_above_uloq() {
            self.notes.above_uloq.push(note(RowProblem::AboveRange));
        }

        // Dose.
        if let Some(col) = c.dose {
            let text = rec.text(col);
            if !text.trim().is_empty() {
                let amount = parse_number_styled(&text, style)
                    .filter(|d| *d > 0.0)
                    .ok_or_else(|| err(col, RowProblem::BadDose))?;
                match builder.dose {
                    Some((first, first_line)) if first != amount => {
                        return Err(err(col, RowProblem::MixedDoses { first, first_line }))
                    }
                    Some(_) => {}
                    None => builder.dose = Some((amount, line)),
                }
                if let Some(ucol) = c.dose_unit {
                    let u = rec.text(ucol);
                    let u = u.trim();
                    if !u.is_empty() && builder.dose_unit.is_none() {
                        builder.dose_unit = Some(u.to_string());
                    }
                }
            }
        }

        let time = time_unit.to_days(time_raw);
        // NaN cannot come from parse_number_styled; a conversion overflow gives inf.
        if time.is_nan() || time.abs() > TIME_MAX_ABS_DAYS {
            // The row is left out (said in the notes); its profile is still analysed.
            self.notes.out_of_range.push(err(
                c.time,
                RowProblem::TimeOutOfRange {
                    max_days: TIME_MAX_ABS_DAYS,
                },
            ));
            return Ok(());
        }
        let baseline_visit = match c.visit {
            Some(col) if self.last_visit.0.as_slice() == rec.bytes(col) => self.last_visit.1,
            Some(col) => {
                let b = is_baseline_visit(&rec.text(col));
                self.last_visit = (rec.bytes(col).to_vec(), b);
                b
            }
            None => false,
        };
        let sample = Sample {
            time,
            value,
            baseline_visit,
        };
        builder.samples.push((sample, line));
        Ok(())
    }

    /// Appends the state of the next chunk of the file. A profile seen in both keeps one
    /// builder; a unit, time unit or dose that differs between the chunks is the same error
    /// a sequential read reports.
    fn absorb(&mut self, next: Reader<'_>) {
        let ctx = self.ctx;
        let cols = &self.cols;
        self.n_rows += next.n_rows;
        self.row_errors.extend(next.row_errors);
        self.notes.absorb(next.notes);
        for b in next.builders {
            let Some(&i) = self.index.get(&b.key) else {
                self.index.insert(b.key.clone(), self.builders.len());
                self.builders.push(b);
                continue;
            };
            let dst = &mut self.builders[i];
            let conflict = |col: usize, line: u64, text: &str, problem: RowProblem| {
                ctx.error(line, Some(col), text.as_bytes(), problem)
            };
            match (&dst.unit, b.unit) {
                (Some((first, first_line)), Some((u, line))) if *first != u => {
                    let e = conflict(
                        cols.unit.unwrap_or(cols.time),
                        line,
                        u.label(),
                        RowProblem::MixedUnits {
                            first: first.label().to_string(),
                            first_line: *first_line,
                        },
                    );
                    dst.errors.push(e);
                }
                (None, u) => dst.unit = u,
                _ => {}
            }
            match (&dst.time_unit, b.time_unit) {
                (Some((first, first_line)), Some((u, line))) if *first != u => {
                    let e = conflict(
                        cols.time_unit.unwrap_or(cols.time),
                        line,
                        u.label(),
                        RowProblem::MixedTimeUnits {
                            first: first.label().to_string(),
                            first_line: *first_line,
                        },
                    );
                    dst.errors.push(e);
                }
                (None, u) => dst.time_unit = u,
                _ => {}
            }
            match (dst.dose, b.dose) {
                (Some((first, first_line)), Some((d, line))) if first != d => {
                    let col = cols
                        .dose
                        .expect("a dose was read, so there is a dose column");
                    let e = conflict(
                        col,
                        line,
                        &d.to_string(),
                        RowProblem::MixedDoses { first, first_line },
                    );
                    dst.errors.push(e);
                }
                (None, d) => dst.dose = d,
                _ => {}
            }
            if dst.dose_unit.is_none() {
                dst.dose_unit = b.dose_unit;
            }
            dst.samples.extend(b.samples);
            dst.errors.extend(b.errors);
        }
    }

    fn finish(self, columns: ResolvedColumns) -> Dataset {
        let time_col = Some(self.cols.time);
        let mut profiles = Vec::new();
        let mut rejected = Vec::new();
        let mut notes = Vec::new();
        for mut b in self.builders {
            b.samples
                .sort_by(|x, y| x.0.time.total_cmp(&y.0.time).then(x.1.cmp(&y.1)));
            let mut samples: Vec<Sample> = Vec::with_capacity(b.samples.len());
            let mut last_line = 0;
            for &(s, line) in &b.samples {
                match samples.last() {
                    Some(prev) if prev.time == s.time => {
                        if prev.value == s.value {
                            notes.push(format!(
                                "{}:{}: repeats line {} ({} at day {}); counted once",
                                self.ctx.source, line, last_line, b.key, s.time
                            ));
                        } else {
                            b.errors.push(RowError {
                                file: self.ctx.source.to_string(),
                                line,
                                column: time_col.map(|i| error::CellRef {
                                    index: i + 1,
                                    name: self.ctx.header[i].clone(),
                                }),
                                text: describe(&s.value),
                                problem: RowProblem::DuplicateTime {
                                    other: describe(&prev.value),
                                    other_line: last_line,
                                },
                            });
                        }
                    }
                    _ => {
                        samples.push(s);
                        last_line = line;
                    }
                }
            }
            if !b.errors.is_empty() {
                b.errors.sort_by_key(|e| e.line);
                rejected.push(RejectedProfile {
                    key: b.key,
                    errors: b.errors,
                });
                continue;
            }
            let Some((unit, _)) = b.unit else {
                continue; // every row of this profile failed before its unit was known
            };
            let mut profile = Profile::new(b.key, unit, samples);
            profile.dose = b.dose.map(|(amount, _)| Dose {
                amount,
                unit: b.dose_unit.unwrap_or_default(),
            });
            profiles.push(profile);
        }
        profiles.sort_by(|a, b| a.key.cmp(&b.key));
        rejected.sort_by(|a, b| a.key.cmp(&b.key));
        let mut assumptions = self.notes;
        assumptions.finish(&profiles);
        Dataset {
            source: self.ctx.source.to_string(),
            columns,
            profiles,
            rejected,
            row_errors: self.row_errors,
            notes,
            assumptions,
            n_rows: self.n_rows,
        }
    }
}

/// A fixed-seed pseudo-random generator (xorshift64) for the tests that compare a fast path
/// with its reference on many generated inputs: the same inputs on every run.
#[cfg(test)]
pub(crate) fn test_random(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

fn describe(v: &SampleValue) -> String {
    match v {
        SampleValue::Quantified { value } => value.to_string(),
        SampleValue::Blq { lloq: Some(l) } => format!("<{l}"),
        SampleValue::Blq { lloq: None } => "BLQ".to_string(),
        SampleValue::AboveUloq { uloq: Some(u) } => format!(">{u}"),
        SampleValue::AboveUloq { uloq: None } => ">ULOQ".to_string(),
        SampleValue::Missing => "NA".to_string(),
    }
}
