//! A data row as the row reader sees it: its fields as bytes and as text. Rows come from
//! the csv tokeniser ([`csv::ByteRecord`]) or, for a chunk that holds no quote, straight
//! from the chunk's lines ([`PlainRecord`]): a plain line needs no tokenising state
//! machine, its fields are slices of the chunk, and the chunk's UTF-8 is checked once
//! instead of once per cell.

use super::text::decode;
use std::borrow::Cow;

/// The fields of one data row.
pub(crate) trait Record {
    /// Number of fields.
    fn len(&self) -> usize;
    /// Field `i` as written.
    fn bytes(&self, i: usize) -> &[u8];
    /// Field `i` as text: UTF-8, or Latin-1 when it is not (`µ` as byte 0xB5).
    fn text(&self, i: usize) -> Cow<'_, str>;
    /// The fields in order.
    fn fields(&self) -> impl Iterator<Item = &[u8]>;
}

impl Record for csv::ByteRecord {
    fn len(&self) -> usize {
        csv::ByteRecord::len(self)
    }

    fn bytes(&self, i: usize) -> &[u8] {
        &self[i]
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        decode(&self[i])
    }

    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        self.iter()
    }
}

/// A line of a chunk read by [`each_plain_record`]: the byte range of each field in the
/// chunk's text.
#[derive(Debug)]
pub(crate) struct PlainRecord<'a> {
    text: &'a str,
    fields: Vec<(usize, usize)>,
}

impl<'a> PlainRecord<'a> {
    fn field(&self, i: usize) -> &'a str {
        let (start, end) = self.fields[i];
        // Fields are cut at ASCII bytes (delimiter, line end), so at char boundaries.
        &self.text[start..end]
    }
}

impl Record for PlainRecord<'_> {
    fn len(&self) -> usize {
        self.fields.len()
    }

    fn bytes(&self, i: usize) -> &[u8] {
        self.field(i).as_bytes()
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(self.field(i))
    }

    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.fields.len()).map(|i| self.bytes(i))
    }
}

/// The chunk as text when its records can be read line by line with the same result as
/// the csv tokeniser: valid UTF-8, no quote, and no carriage return other than in a
/// `\r\n` line end (csv also ends a record at a lone `\r`). `None` otherwise.
pub(crate) fn plain_text(chunk: &[u8]) -> Option<&str> {
    if memchr::memchr(b'"', chunk).is_some() {
        return None;
    }
    if memchr::memchr_iter(b'\r', chunk).any(|i| chunk.get(i + 1) != Some(&b'\n')) {
        return None;
    }
    std::str::from_utf8(chunk).ok()
}

/// Calls `row` with each record of a [`plain_text`] chunk and the 0-based index of the
/// line it is on. Blank lines are skipped, as the csv tokeniser skips them. One pass over
/// the bytes: a delimiter ends a field, a line break a record.
pub(crate) fn each_plain_record<'a>(
    text: &'a str,
    delimiter: u8,
    mut row: impl FnMut(&PlainRecord<'a>, u64),
) {
    let bytes = text.as_bytes();
    let mut record = PlainRecord {
        text,
        fields: Vec::with_capacity(16),
    };
    let mut line = 0u64;
    let mut line_start = 0;
    let mut field_start = 0;
    // The record whose last field runs from `field_start` to `end`, on a line that starts at
    // `line_start`; a blank line is no record.
    let mut end_record = |record: &mut PlainRecord<'a>, line_start, field_start, end, line| {
        // `\r\n`: the `\r` is part of the line end.
        let end = if end > line_start && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        if end > line_start {
            record.fields.push((field_start, end));
            row(record, line);
        }
        record.fields.clear();
    };
    for (i, &b) in bytes.iter().enumerate() {
        if b == delimiter {
            record.fields.push((field_start, i));
            field_start = i + 1;
        } else if b == b'\n' {
            end_record(&mut record, line_start, field_start, i, line);
            line += 1;
            line_start = i + 1;
            field_start = i + 1;
        }
    }
    end_record(&mut record, line_start, field_start, bytes.len(), line);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record's fields and the 0-based index of its line.
    type Records = Vec<(Vec<Vec<u8>>, u64)>;

    /// The records of `text`, read as plain lines and by the csv tokeniser (configured as
    /// the ingestion configures it).
    fn both_ways(text: &str) -> (Records, Records) {
        let mut plain = Vec::new();
        each_plain_record(plain_text(text.as_bytes()).unwrap(), b',', |r, i| {
            plain.push((r.fields().map(<[u8]>::to_vec).collect(), i))
        });
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut tokenised = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let line = super::super::record_line(text.as_bytes(), rec.position().unwrap());
            tokenised.push((rec.fields().map(<[u8]>::to_vec).collect(), line - 1));
        }
        (plain, tokenised)
    }

    #[test]
    fn plain_lines_are_read_as_the_csv_tokeniser_reads_them() {
        for text in [
            "a,b,c\n1,2,3\n",
            "a,b,c\r\n1,2,3\r\n",
            "a,b\n\n\n1,2\n",
            "a,b\r\n\r\n1,2",
            "a,,\n,\n x , y \n",
            "\n\na\n",
            "µg,1\n",
            "",
            "a,b\n,\n",
        ] {
            let (plain, tokenised) = both_ways(text);
            assert_eq!(plain, tokenised, "{text:?}");
        }
    }

    /// The same on 5,000 random texts of the bytes that matter (delimiter, line ends,
    /// spaces, multi-byte UTF-8), from a fixed-seed generator.
    #[test]
    fn random_plain_texts_are_read_as_the_csv_tokeniser_reads_them() {
        let pieces = ["a", "12.5", ",", ",", "\n", "\r\n", " ", "µ", "<50", ""];
        let mut next = crate::ingest::test_random(0x2545_f491_4f6c_dd1d);
        for _ in 0..5000 {
            let n = (next() % 40) as usize;
            let text: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let (plain, tokenised) = both_ways(&text);
            assert_eq!(plain, tokenised, "{text:?}");
        }
    }

    #[test]
    fn quotes_lone_carriage_returns_and_bad_utf8_go_to_the_tokeniser() {
        assert!(plain_text(b"a,\"b\"\n").is_none());
        assert!(plain_text(b"a,b\rc,d\n").is_none());
        assert!(plain_text(b"a,b\r").is_none());
        assert!(plain_text(b"a,\xb5g\n").is_none());
        assert!(plain_text(b"a,b\r\nc,d\r\n").is_some());
    }
}
