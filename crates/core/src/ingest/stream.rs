//! Reading a large input in chunks of whole subjects, so that a caller can analyse and
//! write each chunk while memory stays bounded by the chunk size, not by the input.
//!
//! A chunk ends where the subject cell changes (compared as raw bytes), so every row of a
//! subject that is written in one block lands in one chunk. Each chunk is read exactly as
//! [`read_bytes`](super::read_bytes) reads a file (the same rows, errors, line numbers
//! and notes), and its profiles are sorted. When the input is grouped by subject and the
//! subjects come in the order cartpk sorts them, the chunks in order are the file: see
//! [`ChunkedReader::next_chunk`] for how a caller checks that.

use super::{
    parse_body, read_header, Dataset, Header, IngestError, IngestNotes, IngestOptions, Setup,
};
use crate::ingest::ColumnRole;
use std::io::Read;
use std::path::Path;

/// Bytes read past the chunk size before looking for the end of a subject: a sixteenth of
/// the chunk, at most 64 KiB.
fn margin(chunk_bytes: usize) -> usize {
    (chunk_bytes / 16).clamp(1, 1 << 16)
}

/// Reads an input in chunks of about `chunk_bytes` bytes of whole subjects.
pub struct ChunkedReader<R> {
    reader: R,
    source: String,
    options: IngestOptions,
    header: Header,
    /// Unread bytes; they start at the beginning of a record.
    buf: Vec<u8>,
    eof: bool,
    /// The 1-based line of the first byte of `buf`.
    next_line: u64,
    chunk_bytes: usize,
    /// Data rows read so far.
    n_rows: u64,
}

impl ChunkedReader<std::fs::File> {
    /// Opens a file and reads its header.
    pub fn open(
        path: &Path,
        options: &IngestOptions,
        chunk_bytes: usize,
    ) -> Result<Self, IngestError> {
        let source = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|cause| IngestError::Io {
            file: source.clone(),
            cause,
        })?;
        ChunkedReader::new(file, &source, options, chunk_bytes)
    }
}

impl<R: Read> ChunkedReader<R> {
    /// Reads the header from `reader`; `source` names it in errors.
    pub fn new(
        mut reader: R,
        source: &str,
        options: &IngestOptions,
        chunk_bytes: usize,
    ) -> Result<Self, IngestError> {
        // The header is read from the first block, at least 64 KiB.
        let first = chunk_bytes.max(1 << 16);
        let chunk_bytes = chunk_bytes.max(1);
        let mut buf = Vec::with_capacity(first + (1 << 16));
        let eof = fill(&mut reader, &mut buf, first, source)?;
        let (header, body) = read_header(&buf, source, options)?;
        // The header must be read whole: with more input to come, the first chunk must hold
        // a line break after it.
        if !eof && body.is_empty() {
            return Err(IngestError::Csv {
                file: source.to_string(),
                line: header.first_line,
                message: format!("header longer than {first} bytes"),
            });
        }
        let start = buf.len() - body.len();
        buf.drain(..start);
        Ok(ChunkedReader {
            reader,
            source: source.to_string(),
            options: header.options(options),
            next_line: header.first_line,
            header,
            buf,
            eof,
            chunk_bytes,
            n_rows: 0,
        })
    }

    /// Which column plays which role.
    pub fn columns(&self) -> &super::ResolvedColumns {
        &self.header.columns
    }

    /// The reader the chunks come from, e.g. to finish a checksum computed as the input
    /// was read.
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The file (or stream) name errors refer to.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The file-wide notes (delimiter, decimal mark, skipped lines, constants); each chunk's
    /// [`Dataset::assumptions`] has them too, with the notes of its own rows.
    pub fn header_notes(&self) -> IngestNotes {
        let mut notes = IngestNotes::default();
        self.header
            .notes
            .apply(&mut notes, &self.header.columns, &self.options);
        notes
    }

    /// The next chunk, `None` after the last. A file with a header and no data row is
    /// [`IngestError::NoData`], as for [`read_bytes`](super::read_bytes).
    ///
    /// The chunks together are the file when each subject's rows come in one block and
    /// subjects, matrices and assays are in cartpk's order: then the largest
    /// [`ProfileKey`](crate::ProfileKey) of a chunk (among its profiles and rejected
    /// profiles) is smaller than the smallest of the next. A caller that streams results
    /// checks that and falls back to [`read_path`](super::read_path) when it fails.
    pub fn next_chunk(&mut self) -> Option<Result<Dataset, IngestError>> {
        match self.next_inner() {
            Ok(Some(d)) => Some(Ok(d)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }

    fn next_inner(&mut self) -> Result<Option<Dataset>, IngestError> {
        let cut = loop {
            // A margin past the chunk size, so that the subject running at the cut
            // usually ends within the buffer (the rest is moved to the front after).
            let want = self.chunk_bytes + margin(self.chunk_bytes);
            if self.buf.len() < want && !self.eof {
                self.eof = fill(&mut self.reader, &mut self.buf, want, &self.source)?;
            }
            if self.eof && self.buf.len() <= want {
                break self.buf.len();
            }
            match subject_boundary(&self.buf, self.chunk_bytes, &self.header) {
                Some(cut) => break cut,
                // One subject runs past the end of the buffer: read on.
                None if !self.eof => {
                    let more = self.buf.len() + self.chunk_bytes;
                    self.eof = fill(&mut self.reader, &mut self.buf, more, &self.source)?;
                }
                None => break self.buf.len(),
            }
        };
        if cut == 0 {
            if self.n_rows == 0 {
                return Err(self.header.no_data(&self.source));
            }
            return Ok(None);
        }
        let body = &self.buf[..cut];
        let setup = Setup {
            source: &self.source,
            columns: &self.header.columns,
            options: &self.options,
            delimiter: self.header.delimiter,
            style: self.header.style,
        };
        let (state, newlines) = parse_body(&setup, body, self.next_line)?;
        let n_rows = state.n_rows;
        let mut dataset = state.finish(self.header.columns.clone());
        self.header.notes.apply(
            &mut dataset.assumptions,
            &self.header.columns,
            &self.options,
        );
        self.next_line += newlines;
        self.buf.drain(..cut);
        self.n_rows += n_rows;
        if n_rows == 0 && self.buf.is_empty() && self.eof {
            // Only blank lines were left.
            return if self.n_rows == 0 {
                Err(self.header.no_data(&self.source))
            } else {
                Ok(None)
            };
        }
        Ok(Some(dataset))
    }
}

/// Reads from `reader` until `buf` holds `target` bytes or the input ends; returns whether
/// it ended.
fn fill(
    reader: &mut impl Read,
    buf: &mut Vec<u8>,
    target: usize,
    source: &str,
) -> Result<bool, IngestError> {
    if buf.len() >= target {
        return Ok(false);
    }
    let want = (target - buf.len()) as u64;
    // read_to_end reads into the spare capacity without zeroing it first.
    let n = reader
        .take(want)
        .read_to_end(buf)
        .map_err(|cause| IngestError::Io {
            file: source.to_string(),
            cause,
        })?;
    Ok((n as u64) < want)
}

/// The offset of the first record at or after about `target` whose subject cell differs
/// from the previous record's; `None` when there is none in `buf` before its last
/// (possibly incomplete) line. Without a subject column every row is one subject.
fn subject_boundary(buf: &[u8], target: usize, header: &Header) -> Option<usize> {
    let subject = header.columns.get(ColumnRole::Subject)?;
    // A line start at or after `target`, outside any quoted field.
    let start = line_start_after(buf, target)?;
    // Records are only trusted up to the last line break: the rest may be cut short.
    let end = buf.iter().rposition(|&b| b == b'\n')? + 1;
    if start >= end {
        return None;
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(header.delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(&buf[start..end]);
    let mut record = csv::ByteRecord::new();
    let mut first: Option<Vec<u8>> = None;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            // A malformed tail is left to the parser of the chunk, which reports it.
            Ok(false) | Err(_) => return None,
        }
        let pos = record.position().map_or(0, |p| p.byte() as usize);
        let cell = record.get(subject).unwrap_or_default();
        match &first {
            None => first = Some(cell.to_vec()),
            Some(s) if s.as_slice() != cell => return Some(start + pos),
            Some(_) => {}
        }
    }
}

/// The first offset at or after `target` that starts a line outside any quoted field.
fn line_start_after(buf: &[u8], target: usize) -> Option<usize> {
    if target >= buf.len() {
        return None;
    }
    let mut pos = if buf.contains(&b'"') {
        // RFC 4180 quotes: a `"` toggles, `""` toggles twice.
        let mut in_quotes = false;
        let mut pos = 0;
        while pos < target || in_quotes {
            in_quotes ^= *buf.get(pos)? == b'"';
            pos += 1;
        }
        // `pos` is outside quotes; the line ends at the next line break outside them.
        while *buf.get(pos)? != b'\n' {
            in_quotes ^= buf[pos] == b'"';
            pos += 1;
            while in_quotes {
                in_quotes ^= *buf.get(pos)? == b'"';
                pos += 1;
            }
        }
        pos
    } else {
        target + buf[target..].iter().position(|&b| b == b'\n')?
    };
    pos += 1;
    (pos < buf.len()).then_some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_bytes;

    fn chunks(text: &str, chunk_bytes: usize) -> Vec<Dataset> {
        let mut r = ChunkedReader::new(
            text.as_bytes(),
            "in.csv",
            &IngestOptions::default(),
            chunk_bytes,
        )
        .unwrap();
        let mut out = Vec::new();
        while let Some(c) = r.next_chunk() {
            out.push(c.unwrap());
        }
        out
    }

    /// Rows of `n` subjects, two profiles each, with a bad row and a quoted line break.
    fn input(n: usize) -> String {
        let mut s = String::from("subject,matrix,assay,time,value,unit,lloq\n");
        for i in 0..n {
            for assay in ["qpcr", "flow"] {
                for t in [0, 1, 7, 14, 28] {
                    let v = if i == 3 && t == 7 { "x" } else { "100" };
                    s.push_str(&format!("S{i:03},blood,{assay},{t},{v},copies/ug,50\n"));
                }
            }
        }
        s.push_str("\"S9\n99\",blood,qpcr,1,5,copies/ug,1\n");
        s
    }

    #[test]
    fn chunks_of_whole_subjects_read_as_the_whole_file() {
        let text = input(40);
        let whole = read_bytes(text.as_bytes(), "in.csv", &IngestOptions::default()).unwrap();
        for size in [50, 300, 1000, 100_000] {
            let parts = chunks(&text, size);
            if size < 1000 {
                assert!(parts.len() > 5, "{size}: {} chunks", parts.len());
            }
            let profiles: Vec<_> = parts.iter().flat_map(|d| d.profiles.clone()).collect();
            let rejected: Vec<_> = parts.iter().flat_map(|d| d.rejected.clone()).collect();
            let n_rows: u64 = parts.iter().map(|d| d.n_rows).sum();
            assert_eq!(profiles, whole.profiles, "{size}");
            assert_eq!(rejected, whole.rejected, "{size}");
            assert_eq!(n_rows, whole.n_rows, "{size}");
            // No subject is split between chunks.
            let firsts: Vec<_> = parts.iter().map(|d| &d.profiles[0].key.subject).collect();
            for w in parts.windows(2) {
                let last = &w[0].profiles.last().unwrap().key.subject;
                assert!(last < &w[1].profiles[0].key.subject, "{firsts:?}");
            }
        }
    }

    #[test]
    fn a_header_without_rows_is_no_data() {
        let r = ChunkedReader::new(
            &b"subject,matrix,assay,time,value,unit\n\n"[..],
            "in.csv",
            &IngestOptions::default(),
            1 << 20,
        );
        let mut r = r.unwrap();
        assert!(matches!(
            r.next_chunk(),
            Some(Err(IngestError::NoData { .. }))
        ));
    }
}
