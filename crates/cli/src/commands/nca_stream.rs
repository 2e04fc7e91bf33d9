//! `cartpk nca` in bounded memory: the input is read in chunks of whole subjects
//! ([`ChunkedReader`]); each chunk is analysed and formatted (in parallel) while a writer
//! thread writes the previous one, so memory is bounded by the chunk size, not the input.
//! The files are byte for byte those of the whole-input path (`nca::in_memory`).
//!
//! That holds when the chunks in order are the sorted profiles, i.e. when each subject's
//! rows come in one block and subjects come in cartpk's order (the usual export order).
//! When a chunk breaks that, the streamed files are dropped and [`run`] returns `None`:
//! the caller reads the input whole.

use super::nca::{apply_default_dose, unused_override_failure, Summary, MAX_PRINTED};
use crate::flags::hiargs::NcaConfig;
use crate::output::atomic::{write_atomic, AtomicFile};
use crate::output::publish::hex;
use anyhow::{Context, Result};
use cartpk_core::ingest::{ChunkedReader, ColumnRole, Dataset, IngestError};
use cartpk_core::ProfileKey;
use cartpk_nca::{nca_batch, LambdaZOverrides, NcaOptions};
use cartpk_printer::nca::{self, JsonStream, Row, TablesBody, WideColumns};
use cartpk_printer::{failure, Failure};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::mpsc;

/// Input bytes per chunk: about 3,500 profiles of 15 samples; a chunk's profiles, results
/// and formatted tables take a few tens of MB. With the next chunk parsed while the last
/// is written, 2 MB chunks ran as fast as 4 MB ones on 100,000 profiles at 97 MB peak
/// instead of 133 MB (docs/benchmarks.md), and fresh memory is slow on a virtual machine.
const CHUNK_BYTES: usize = 2 << 20;

/// The chunk size: [`CHUNK_BYTES`], or the environment variable `CARTPK_NCA_CHUNK_BYTES`
/// (for tests and tuning; `0` reads the input whole, as for an input not in order).
pub fn chunk_bytes() -> usize {
    std::env::var("CARTPK_NCA_CHUNK_BYTES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(CHUNK_BYTES)
}

/// Formatted chunks waiting for the writer at most (the rest of the pipeline waits).
const QUEUE: usize = 2;

/// One formatted chunk (or header) for the writer thread.
enum Piece {
    Long(Vec<Vec<u8>>),
    /// Wide rows, for the header already written; while it is not known whether any
    /// profile has a dose (which decides the dose-normalised columns), formatted both
    /// ways: `rows` with the dose columns, `without_dose` without.
    Wide {
        rows: Vec<Vec<u8>>,
        without_dose: Option<Vec<Vec<u8>>>,
    },
    /// Whether the wide table has the dose-normalised columns: its header, then the rows
    /// held so far.
    WideHeader(bool),
    Json(Vec<Vec<u8>>),
}

/// An output file hashed (SHA-256, for the manifest) as it is written, on the writer
/// thread while the next chunk is analysed, instead of read again at the end.
struct Out {
    name: &'static str,
    file: AtomicFile,
    sha256: Sha256,
    size: u64,
}

impl Out {
    fn create(dir: &Path, name: &'static str) -> Result<Out> {
        Ok(Out {
            name,
            file: AtomicFile::create(&dir.join(name))?,
            sha256: Sha256::new(),
            size: 0,
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes)?;
        self.sha256.update(bytes);
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Appends what `from` holds from its start.
    fn copy_from(&mut self, from: &mut std::fs::File) -> Result<()> {
        from.rewind().context("temporary file")?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = from.read(&mut buf).context("temporary file")?;
            if n == 0 {
                return Ok(());
            }
            self.write_all(&buf[..n])?;
        }
    }

    /// Flushes and renames the file into the staging directory; returns its name, size
    /// and SHA-256.
    fn commit(self) -> Result<(&'static str, u64, String)> {
        self.file.commit()?;
        Ok((self.name, self.size, hex(&self.sha256.finalize())))
    }
}

/// The streamed files, written by the writer thread.
struct Files {
    long: Option<Out>,
    wide: Option<Out>,
    json: Option<Out>,
    /// Wide rows formatted with and without the dose columns until the header is known.
    pending: Option<(std::fs::File, std::fs::File)>,
    options: NcaOptions,
}

impl Files {
    fn take(&mut self, piece: Piece) -> Result<()> {
        match piece {
            Piece::Long(parts) => {
                if let Some(f) = &mut self.long {
                    for p in parts {
                        f.write_all(&p)?;
                    }
                }
            }
            Piece::Wide { rows, without_dose } => {
                let Some(f) = &mut self.wide else {
                    return Ok(());
                };
                match (&mut self.pending, without_dose) {
                    (Some((with, without)), Some(without_parts)) => {
                        for p in rows {
                            with.write_all(&p).context("temporary file")?;
                        }
                        for p in without_parts {
                            without.write_all(&p).context("temporary file")?;
                        }
                    }
                    _ => {
                        for p in rows {
                            f.write_all(&p)?;
                        }
                    }
                }
            }
            Piece::WideHeader(any_dose) => {
                if let Some(f) = &mut self.wide {
                    f.write_all(nca::wide_header(&self.options, any_dose).as_bytes())?;
                    if let Some((with, without)) = self.pending.take() {
                        let mut held = if any_dose { with } else { without };
                        f.copy_from(&mut held)?;
                    }
                }
            }
            Piece::Json(parts) => {
                if let Some(f) = &mut self.json {
                    for p in parts {
                        f.write_all(&p)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The input file, hashed (SHA-256, for the manifest) as the chunks are read from it, so
/// that it is not read a second time to be hashed.
struct HashingReader {
    file: std::fs::File,
    sha256: Sha256,
    size: u64,
}

impl HashingReader {
    fn open(path: &Path) -> Result<HashingReader, IngestError> {
        let file = std::fs::File::open(path).map_err(|cause| IngestError::Io {
            file: path.display().to_string(),
            cause,
        })?;
        Ok(HashingReader {
            file,
            sha256: Sha256::new(),
            size: 0,
        })
    }

    /// Size and SHA-256 of what was read, if that is the whole file as it is now.
    fn finish(self) -> Option<(u64, String)> {
        let len = self.file.metadata().ok()?.len();
        (len == self.size).then(|| (self.size, hex(&self.sha256.finalize())))
    }
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.sha256.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// What the streamed run keeps from chunk to chunk, and how it takes each chunk.
struct Chunks<'a> {
    config: &'a NcaConfig,
    overrides: &'a LambdaZOverrides,
    source: &'a str,
    dose_known_absent: bool,
    /// Whether the wide table's header (with or without the dose columns) is written.
    wide_decided: bool,
    json: JsonStream,
    summary: Summary,
    rejected_failures: Vec<Failure>,
    row_failures: Vec<Failure>,
    nca_failures: Vec<Failure>,
    /// Profiles a lambda_z override matched.
    matched: HashSet<ProfileKey>,
    /// Subject ids already warned of as spreadsheet formulas.
    warned: BTreeSet<String>,
}

impl Chunks<'_> {
    /// Analyses one chunk, sends its formatted rows to the writer and adds it to the
    /// summary; `false` when the writer has stopped (on an error, which joining it reports).
    fn take(&mut self, mut data: Dataset, tx: &mpsc::SyncSender<Piece>) -> bool {
        let config = self.config;
        let outputs = config.outputs;
        let send = |piece: Piece| tx.send(piece).is_ok();
        let mut ok = true;
        apply_default_dose(config, &mut data.profiles);
        let results = nca_batch(&data.profiles, &config.nca, self.overrides);
        for rejected in &data.rejected {
            self.rejected_failures.extend(
                rejected
                    .errors
                    .iter()
                    .map(|e| Failure::from_row(e, Some(&rejected.key))),
            );
        }
        self.row_failures
            .extend(data.row_errors.iter().map(|e| Failure::from_row(e, None)));
        let mut rows = Vec::with_capacity(results.len());
        for (profile, result) in data.profiles.iter().zip(&results) {
            if self.overrides.contains_key(&profile.key) {
                self.matched.insert(profile.key.clone());
            }
            match result {
                Ok(r) => rows.push(Row { profile, result: r }),
                Err(e) => self.nca_failures.push(Failure::of_profile(
                    &data.source,
                    &profile.key,
                    format!("{}: {e}", profile.key),
                )),
            }
        }

        if outputs.csv {
            // Long and wide rows of the chunk formatted in one pass.
            let any_dose = nca::any_dose(&rows);
            let wide = if self.dose_known_absent {
                WideColumns::WithoutDose
            } else if self.wide_decided || any_dose {
                WideColumns::WithDose
            } else {
                WideColumns::Both
            };
            let TablesBody {
                long,
                wide: rows_bytes,
                wide_without_dose: without_dose,
            } = nca::tables_body(&rows, &config.nca, wide, outputs.long);
            if outputs.long {
                ok &= send(Piece::Long(long));
            }
            if !self.wide_decided && any_dose {
                ok &= send(Piece::WideHeader(true));
                self.wide_decided = true;
            }
            ok &= send(Piece::Wide {
                rows: rows_bytes,
                without_dose,
            });
        }
        if outputs.json {
            ok &= send(Piece::Json(self.json.profiles(&rows)));
        }

        let summary = &mut self.summary;
        let ids = data.profiles.iter().map(|p| p.key.subject.as_str());
        summary
            .formula_warnings
            .extend(crate::ingest_notes::formula_warnings(
                self.source,
                ids,
                &mut self.warned,
            ));
        let room = MAX_PRINTED.saturating_sub(summary.notes.len());
        summary.notes.extend(data.notes.into_iter().take(room));
        summary.assumptions.merge(data.assumptions);
        summary.n_rows += data.n_rows;
        summary.n_analysed += rows.len();
        summary.n_warned += rows
            .iter()
            .filter(|r| !r.result.warnings.is_empty())
            .count();
        summary.n_skipped += data.rejected.len() + (results.len() - rows.len());
        summary.n_row_errors += data.row_errors.len();
        ok
    }
}

/// Runs NCA streamed; `None` when the input is not in an order that streams (nothing is
/// left in `dir` then).
pub fn run(
    config: &NcaConfig,
    overrides: &LambdaZOverrides,
    dir: &Path,
) -> Result<Option<Summary>> {
    let chunk_bytes = chunk_bytes();
    if chunk_bytes == 0 {
        return Ok(None);
    }
    let file_name = config.input.display().to_string();
    let mut reader = HashingReader::open(&config.input)
        .and_then(|file| ChunkedReader::new(file, &file_name, &config.ingest, chunk_bytes))?;
    let source = reader.source().to_string();
    let outputs = config.outputs;
    let dose_known_absent =
        config.dose.is_none() && reader.columns().get(ColumnRole::Dose).is_none();
    let pending = if outputs.csv && !dose_known_absent {
        Some((
            tempfile::tempfile().context("cannot create a temporary file")?,
            tempfile::tempfile().context("cannot create a temporary file")?,
        ))
    } else {
        None
    };
    let mut files = Files {
        long: None,
        wide: None,
        json: None,
        pending,
        options: config.nca.clone(),
    };
    if outputs.csv && outputs.long {
        files.long = Some(Out::create(dir, "nca_long.csv")?);
    }
    if outputs.csv {
        files.wide = Some(Out::create(dir, "nca_wide.csv")?);
    }
    if outputs.json {
        files.json = Some(Out::create(dir, "nca.json")?);
    }
    let wide_decided = files.pending.is_none();

    let (tx, rx) = mpsc::sync_channel::<Piece>(QUEUE);
    let writer = std::thread::spawn(move || -> Result<Files> {
        for piece in rx {
            files.take(piece)?;
        }
        Ok(files)
    });
    // A send fails only when the writer stopped on an error, which `join` reports.
    let send = |piece: Piece| tx.send(piece).is_ok();

    let summary = Summary {
        source: source.clone(),
        assumptions: reader.header_notes(),
        ..Summary::default()
    };
    let json = JsonStream::new();
    let mut ok = true;
    if outputs.csv {
        if outputs.long {
            ok &= send(Piece::Long(vec![nca::LONG_HEADER.as_bytes().to_vec()]));
        }
        if wide_decided {
            ok &= send(Piece::WideHeader(false));
        }
    }
    if outputs.json {
        ok &= send(Piece::Json(vec![json.head(&config.nca, &source)]));
    }

    let mut chunks = Chunks {
        config,
        overrides,
        source: &source,
        dose_known_absent,
        wide_decided,
        json,
        summary,
        rejected_failures: Vec::new(),
        row_failures: Vec::new(),
        nca_failures: Vec::new(),
        matched: HashSet::new(),
        warned: BTreeSet::new(),
    };
    let mut last_key: Option<ProfileKey> = None;
    let mut in_order = true;
    let mut next = reader.next_chunk();
    while ok {
        let Some(chunk) = next else {
            break;
        };
        let data = chunk?;
        // The chunks are the sorted profiles only if each starts after the last one.
        let first = [
            data.profiles.first().map(|p| &p.key),
            data.rejected.first().map(|r| &r.key),
        ]
        .into_iter()
        .flatten()
        .min();
        let last = [
            data.profiles.last().map(|p| &p.key),
            data.rejected.last().map(|r| &r.key),
        ]
        .into_iter()
        .flatten()
        .max();
        if let (Some(prev), Some(first)) = (&last_key, first) {
            if prev >= first {
                in_order = false;
                break;
            }
        }
        if let Some(last) = last {
            last_key = Some(last.clone());
        }
        // This chunk is analysed, formatted and handed to the writer while the next one is
        // read and parsed: the serial parts of each (reading the file, merging and sorting
        // a chunk's profiles, freeing the last one) overlap the parallel parts of the other.
        let (following, sent) = rayon::join(|| reader.next_chunk(), || chunks.take(data, &tx));
        next = following;
        ok &= sent;
    }
    let Chunks {
        wide_decided,
        json,
        mut summary,
        rejected_failures,
        row_failures,
        nca_failures,
        matched,
        ..
    } = chunks;
    // Every byte was read when the last chunk was.
    if in_order && ok {
        summary.input_hash = reader.into_inner().finish();
    }
    if outputs.csv && !wide_decided && in_order {
        send(Piece::WideHeader(false));
    }
    drop(tx);
    let files = match writer.join() {
        Ok(r) => r?,
        // A panic in the writer is a bug: let it surface as one.
        Err(p) => std::panic::resume_unwind(p),
    };
    if !in_order {
        // Dropped uncommitted: the temporary files are removed.
        return Ok(None);
    }

    let mut failures = rejected_failures;
    failures.extend(row_failures);
    failures.extend(nca_failures);
    let mut unused: Vec<&ProfileKey> = overrides.keys().filter(|k| !matched.contains(k)).collect();
    unused.sort();
    for key in unused {
        failures.push(unused_override_failure(config, &source, key));
    }

    let Files {
        long,
        wide,
        json: json_file,
        ..
    } = files;
    if let Some(long) = long {
        summary.hashes.push(long.commit()?);
        summary.written.push("nca_long.csv");
    }
    if let Some(wide) = wide {
        summary.hashes.push(wide.commit()?);
        summary.written.push("nca_wide.csv");
    }
    if let Some(mut f) = json_file {
        f.write_all(&json.tail(&failures))?;
        summary.hashes.push(f.commit()?);
        summary.written.push("nca.json");
    }
    write_atomic(&dir.join("nca_errors.csv"), &failure::errors_csv(&failures))?;
    summary.written.push("nca_errors.csv");
    summary.failures = failures;
    Ok(Some(summary))
}
