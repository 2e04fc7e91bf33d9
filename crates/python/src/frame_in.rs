//! A data frame in, as the CSV file it stands for: the columns are written as CSV bytes
//! (numbers with the shortest text that reads back to the same f64, text quoted as RFC
//! 4180 asks) and read by the same ingestion as a file, so that a data frame and the file
//! it was read from give the same profiles, the same warnings and the same errors. Row `i`
//! of the frame is line `i + 2` of that CSV (line 1 is the header).

use rayon::prelude::*;

/// One column as handed over from Python.
pub enum InColumn {
    /// Floats; NaN is an empty cell.
    Num(Vec<f64>),
    /// Integers.
    Int(Vec<i64>),
    /// Text as Arrow lays it out: row `i` is `data[offsets[i]..offsets[i + 1]]`, empty
    /// (missing) where `valid[i]` is 0.
    Utf8 {
        /// `n + 1` offsets into `data`.
        offsets: Vec<i64>,
        /// The UTF-8 bytes of every row.
        data: Vec<u8>,
        /// One byte per row, 0 for missing.
        valid: Vec<u8>,
    },
    /// Text: codes into `levels`, -1 for an empty (missing) cell.
    Text {
        /// Distinct values.
        levels: Vec<String>,
        /// One per row.
        codes: Vec<i64>,
    },
}

impl InColumn {
    fn len(&self) -> usize {
        match self {
            InColumn::Num(v) => v.len(),
            InColumn::Int(v) => v.len(),
            InColumn::Utf8 { valid, .. } => valid.len(),
            InColumn::Text { codes, .. } => codes.len(),
        }
    }
}

fn push_text(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn push_num(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
    } else if x.is_finite() {
        let mut buf = ryu::Buffer::new();
        let s = buf.format_finite(x);
        out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
    } else if x > 0.0 {
        out.extend_from_slice(b"inf");
    } else {
        out.extend_from_slice(b"-inf");
    }
}

/// A problem with the columns handed over (not with their content: that is for ingestion).
#[derive(Debug)]
pub struct ShapeError(pub String);

/// The CSV bytes of the columns `names` (comma-separated, header first).
pub fn to_csv(names: &[String], columns: &[InColumn]) -> Result<Vec<u8>, ShapeError> {
    if names.len() != columns.len() {
        return Err(ShapeError(format!(
            "{} column names for {} columns",
            names.len(),
            columns.len()
        )));
    }
    let n = columns.first().map_or(0, InColumn::len);
    if let Some((name, c)) = names.iter().zip(columns).find(|(_, c)| c.len() != n) {
        return Err(ShapeError(format!(
            "column '{name}' has {} rows, expected {n}",
            c.len()
        )));
    }
    for (name, c) in names.iter().zip(columns) {
        match c {
            InColumn::Text { levels, codes }
                if codes.iter().any(|&k| k >= levels.len() as i64 || k < -1) =>
            {
                return Err(ShapeError(format!("column '{name}': a code out of range")));
            }
            InColumn::Utf8 {
                offsets,
                data,
                valid,
            } => {
                let ok = offsets.len() == valid.len() + 1
                    && offsets.windows(2).all(|w| 0 <= w[0] && w[0] <= w[1])
                    && offsets.last().is_none_or(|&e| e as usize <= data.len())
                    && std::str::from_utf8(data).is_ok();
                if !ok {
                    return Err(ShapeError(format!(
                        "column '{name}': inconsistent Arrow text buffers"
                    )));
                }
            }
            _ => {}
        }
    }
    let mut header = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            header.push(b',');
        }
        push_text(&mut header, name);
    }
    header.push(b'\n');
    // Rows in parallel chunks, concatenated in order.
    const CHUNK: usize = 16 * 1024;
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let parts: Vec<Vec<u8>> = starts
        .par_iter()
        .map(|&s| {
            let e = (s + CHUNK).min(n);
            let mut out = Vec::with_capacity((e - s) * 16 * columns.len());
            for i in s..e {
                for (j, c) in columns.iter().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    match c {
                        InColumn::Num(v) => push_num(&mut out, v[i]),
                        InColumn::Int(v) => {
                            out.extend_from_slice(itoa::Buffer::new().format(v[i]).as_bytes())
                        }
                        InColumn::Utf8 {
                            offsets,
                            data,
                            valid,
                        } => {
                            if valid[i] != 0 {
                                let (a, b) = (offsets[i] as usize, offsets[i + 1] as usize);
                                // Checked above: offsets in range and the data UTF-8; a
                                // row boundary inside a character would be a broken
                                // Arrow array, read lossily rather than trusted.
                                push_text(&mut out, &String::from_utf8_lossy(&data[a..b]));
                            }
                        }
                        InColumn::Text { levels, codes } => {
                            if let Ok(k) = usize::try_from(codes[i]) {
                                push_text(&mut out, &levels[k]);
                            }
                        }
                    }
                }
                out.push(b'\n');
            }
            out
        })
        .collect();
    let mut out = Vec::with_capacity(header.len() + parts.iter().map(Vec::len).sum::<usize>());
    out.extend_from_slice(&header);
    for p in parts {
        out.extend_from_slice(&p);
    }
    Ok(out)
}
