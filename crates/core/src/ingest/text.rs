//! Bytes to text: encodings, delimiters and lines before the header.

use std::borrow::Cow;

/// A cell's text: UTF-8 when it is valid UTF-8 (a BOM already removed), else Latin-1
/// (ISO 8859-1, every byte one character: `µ` is byte 0xB5), which is what spreadsheet
/// exports on Windows write. Valid UTF-8 is borrowed, so clean files pay nothing.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
    }
}

/// Whether a line carries no column names: only spaces, tabs, quotes and delimiters.
fn is_junk(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b',' | b';' | b'"' | b'\r'))
}

/// The 1-based numbers of the lines before the header that carry no column names (empty,
/// or only spaces/commas/semicolons, as some exports write), and the bytes from the header
/// on. A file of nothing but such lines comes back empty.
pub fn skip_leading_junk(bytes: &[u8]) -> (Vec<u64>, &[u8]) {
    let mut skipped = Vec::new();
    let mut rest = bytes;
    let mut line = 1;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n');
        let this = &rest[..end.unwrap_or(rest.len())];
        if !is_junk(this) {
            break;
        }
        // Blank lines are skipped by the CSV reader too, but their numbers count.
        skipped.push(line);
        line += 1;
        rest = match end {
            Some(e) => &rest[e + 1..],
            None => &[],
        };
    }
    // Only lines that had something on them are worth a note.
    (skipped, rest)
}

/// The delimiter of the header line: the most frequent of `preferred`, `;`, tab and `,`
/// outside quotes, `preferred` on a tie (and when none is there). So a `;` file whose
/// header has a name with a comma in it is still read with `;`.
pub fn detect_delimiter(bytes: &[u8], preferred: u8) -> u8 {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let header = &bytes[..end];
    let candidates = [preferred, b';', b'\t', b','];
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for &b in header {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            for (c, n) in candidates.iter().zip(counts.iter_mut()) {
                *n += (*c == b) as usize;
            }
        }
    }
    let mut best = 0;
    for i in 1..candidates.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_and_utf8() {
        assert_eq!(decode("copies/µg".as_bytes()), "copies/µg");
        assert_eq!(decode(b"copies/\xb5g"), "copies/µg");
    }

    #[test]
    fn junk_lines_and_delimiters() {
        let (skipped, rest) = skip_leading_junk(b"  , ,\n\nsubject,time\n");
        assert_eq!(skipped, vec![1, 2]);
        assert_eq!(rest, b"subject,time\n");
        assert_eq!(skip_leading_junk(b" ,,\n").1, b"");
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3", b','), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc\n", b','), b'\t');
        assert_eq!(detect_delimiter(b"a,b;c\n", b','), b',');
        assert_eq!(detect_delimiter(b"\"a;b\",c\n", b','), b',');
        assert_eq!(detect_delimiter(b"abc\n", b','), b',');
        assert_eq!(detect_delimiter(b"id;dose (cells, total);x\n", b','), b';');
        assert_eq!(detect_delimiter(b"a|b|c\n", b'|'), b'|');
    }
}
