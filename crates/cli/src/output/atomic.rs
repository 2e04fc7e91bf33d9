//! Atomic file output: write to a temporary file in the destination directory, flush it to
//! disk, then rename it over the destination. A crash leaves the old file or the new one,
//! never half a file.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Replaces `path` with `bytes` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_parts(path, &[bytes])
}

/// Replaces `path` with the concatenation of `parts` atomically.
pub fn write_atomic_parts<B: AsRef<[u8]>>(path: &Path, parts: &[B]) -> Result<()> {
    write_atomic_with(path, |f| {
        parts.iter().try_for_each(|p| f.write_all(p.as_ref()))
    })
}

/// Replaces `path` atomically with what `write` writes, so that a large table can be
/// streamed in batches instead of held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write(file.file()).with_context(|| format!("{}: cannot write", path.display()))?;
    file.commit()
}

/// A file written over time (for example one chunk of a table after another) that
/// replaces `path` only on [`AtomicFile::commit`]; dropped without a commit, it leaves
/// nothing.
pub struct AtomicFile {
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
    /// Bytes written, and the offset up to which the kernel was asked to start writing
    /// them to disk (see [`WRITEBACK_BYTES`]).
    written: u64,
    writeback_from: u64,
}

/// After this many bytes, [`AtomicFile::write_all`] asks the kernel to start writing them to
/// disk (Linux `sync_file_range`, which does not wait), so that the flush in
/// [`AtomicFile::commit`] waits only for the last few MB instead of the whole file: for the
/// 154 MB long table of 100,000 profiles that flush was 60 ms of a 0.65 s run, all of it
/// after the last chunk.
const WRITEBACK_BYTES: u64 = 8 << 20;

impl AtomicFile {
    /// A temporary file beside `path`.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".cartpk-").suffix(".tmp");
        // tempfile creates 0600 files; results are meant to be shared like any other file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let tmp = builder
            .tempfile_in(dir)
            .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            written: 0,
            writeback_from: 0,
        })
    }

    /// The file being written.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.tmp.as_file_mut()
    }

    /// Appends `bytes`.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.tmp
            .as_file_mut()
            .write_all(bytes)
            .with_context(|| format!("{}: cannot write", self.path.display()))?;
        self.written += bytes.len() as u64;
        if self.written - self.writeback_from >= WRITEBACK_BYTES {
            start_writeback(self.tmp.as_file(), self.writeback_from, self.written);
            self.writeback_from = self.written;
        }
        Ok(())
    }

    /// Flushes the file to disk and renames it over `path`.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .as_file()
            .sync_all()
            .with_context(|| format!("{}: cannot write", path.display()))?;
        self.tmp
            .persist(&path)
            .with_context(|| format!("{}: cannot replace", path.display()))?;
        Ok(())
    }
}

/// Asks the kernel to start writing bytes `from..to` of `file` to disk, without waiting.
/// Only a hint: the flush at commit is what guarantees the data is on disk, so a failure
/// here (a file system without support) changes nothing.
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File, from: u64, to: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(from), i64::try_from(to - from)) else {
        return;
    };
    // SAFETY: a valid open descriptor and a byte range; the call reads no user memory.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _from: u64, _to: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_atomic(&p, b"old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.csv")]);
    }

    #[test]
    fn early_writeback_keeps_every_byte() {
        // Pieces of odd sizes across several WRITEBACK_BYTES boundaries: the writeback hint
        // is asked for mid-stream, and the published file must be exactly what was written.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.csv");
        let mut f = AtomicFile::create(&p).unwrap();
        let mut expected = Vec::new();
        let mut i = 0u32;
        while (expected.len() as u64) < 3 * WRITEBACK_BYTES + 12_345 {
            let piece: Vec<u8> = (0..(700_001 + i * 13))
                .map(|k| (k as u8) ^ (i as u8))
                .collect();
            f.write_all(&piece).unwrap();
            expected.extend_from_slice(&piece);
            i += 1;
        }
        assert!(f.writeback_from > 0 && f.writeback_from <= f.written);
        assert_eq!(f.written, expected.len() as u64);
        f.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), expected);
    }
}
