//! Byte-level mutations of the example files.
//!
//! A case starts from the header and a window of rows of one example file (small, so that
//! a mutation is likely to reach a stage that matters and a case stays fast), then takes
//! one to eight mutations. Every choice comes from the case's [`Rng`], so a case replays
//! from its seed and number.

use crate::corpus::{long_id, INTERESTING_BYTES, SEEDS, TOKENS};
use crate::rng::Rng;
use crate::Case;

/// Lines of `bytes`, each with its line end.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// The header and a window of rows of one example file; now and then the whole file, or
/// the header only.
pub fn base(rng: &mut Rng) -> (String, Vec<u8>) {
    let (name, bytes) = *rng.pick(SEEDS);
    let ls = lines(bytes);
    let rows = ls.len().saturating_sub(1);
    let (start, len) = match rng.below(20) {
        0 => (0, rows),
        1 => (0, 0),
        _ => {
            let len = rng.between(1, 40).min(rows);
            (rng.below(rows - len + 1), len)
        }
    };
    let mut out = ls[0].to_vec();
    for l in &ls[1 + start..1 + start + len] {
        out.extend_from_slice(l);
    }
    (
        format!("{name} rows {}..{}", start + 2, start + len + 1),
        out,
    )
}

/// Byte ranges of the fields of `bytes` (split at `,`, `;`, tab and line ends).
fn fields(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b',' | b';' | b'\t' | b'\n' | b'\r') {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, bytes.len()));
    out
}

/// Replaces one field (not of the header, when there are rows) with `with`.
fn replace_field(rng: &mut Rng, bytes: &mut Vec<u8>, with: &[u8]) {
    let header_end = bytes.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
    let fs: Vec<(usize, usize)> = fields(bytes)
        .into_iter()
        .filter(|&(s, _)| s >= header_end || header_end >= bytes.len())
        .collect();
    if fs.is_empty() {
        return;
    }
    let (s, e) = *rng.pick(&fs);
    bytes.splice(s..e, with.iter().copied());
}

/// The names of the mutations, in the order [`mutate_once`] numbers them.
pub const MUTATIONS: &[&str] = &[
    "bit flip",
    "insert byte",
    "delete bytes",
    "duplicate chunk",
    "splice line",
    "insert token",
    "field := token",
    "CRLF",
    "BOM",
    "long id",
    "empty field",
    "delimiter ;",
    "delete line",
    "truncate",
    "duplicate line",
];

/// Applies one mutation; returns its name.
pub fn mutate_once(rng: &mut Rng, bytes: &mut Vec<u8>) -> &'static str {
    let k = rng.below(MUTATIONS.len());
    let n = bytes.len();
    match k {
        0 if n > 0 => {
            let i = rng.below(n);
            bytes[i] ^= 1 << rng.below(8);
        }
        1 => {
            let b = if rng.chance(50) {
                *rng.pick(INTERESTING_BYTES)
            } else {
                rng.byte()
            };
            bytes.insert(rng.below(n + 1), b);
        }
        2 if n > 0 => {
            let s = rng.below(n);
            let e = (s + rng.between(1, 8)).min(n);
            bytes.drain(s..e);
        }
        3 if n > 0 => {
            let s = rng.below(n);
            let e = (s + rng.between(1, 64)).min(n);
            let chunk = bytes[s..e].to_vec();
            let at = rng.below(n + 1);
            bytes.splice(at..at, chunk);
        }
        4 => {
            // A line from another example file, at a line start: rows of a different
            // layout in the same file.
            let (_, other) = *rng.pick(SEEDS);
            let ls = lines(other);
            let line = rng.pick(&ls).to_vec();
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    bytes
                        .iter()
                        .enumerate()
                        .filter(|&(_, &b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect();
            let at = *rng.pick(&starts);
            bytes.splice(at..at, line);
        }
        5 => {
            let t = *rng.pick(TOKENS);
            let at = rng.below(n + 1);
            bytes.splice(at..at, t.iter().copied());
        }
        6 => {
            let t = *rng.pick(TOKENS);
            replace_field(rng, bytes, t);
        }
        7 => {
            let mut out = Vec::with_capacity(n + n / 20);
            for &b in bytes.iter() {
                if b == b'\n' {
                    out.push(b'\r');
                }
                out.push(b);
            }
            *bytes = out;
        }
        8 => {
            bytes.splice(0..0, *b"\xEF\xBB\xBF");
        }
        9 => {
            let len = rng.between(200, 600);
            replace_field(rng, bytes, &long_id(len));
        }
        10 => replace_field(rng, bytes, b""),
        11 => {
            for b in bytes.iter_mut() {
                if *b == b',' {
                    *b = b';';
                }
            }
        }
        12 => {
            let ls: Vec<Vec<u8>> = lines(bytes).into_iter().map(<[u8]>::to_vec).collect();
            if !ls.is_empty() {
                let drop = rng.below(ls.len());
                *bytes = ls
                    .into_iter()
                    .enumerate()
                    .filter(|&(i, _)| i != drop)
                    .flat_map(|(_, l)| l)
                    .collect();
            }
        }
        13 if n > 0 => bytes.truncate(rng.below(n)),
        14 => {
            let ls: Vec<Vec<u8>> = lines(bytes).into_iter().map(<[u8]>::to_vec).collect();
            if !ls.is_empty() {
                let dup = rng.below(ls.len());
                let line = ls[dup].clone();
                *bytes = ls
                    .into_iter()
                    .enumerate()
                    .flat_map(|(i, l)| {
                        if i == dup {
                            [l, line.clone()].concat()
                        } else {
                            l
                        }
                    })
                    .collect();
            }
        }
        _ => {}
    }
    MUTATIONS[k]
}

/// A mutated example file.
pub fn mutated_case(rng: &mut Rng) -> Case {
    let (origin, mut bytes) = base(rng);
    let n = rng.between(1, 8);
    let mut applied = Vec::with_capacity(n);
    for _ in 0..n {
        applied.push(mutate_once(rng, &mut bytes));
    }
    Case {
        bytes,
        origin: format!("mutated {origin}: {}", applied.join(", ")),
    }
}
