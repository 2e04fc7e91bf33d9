//! Outputs as a set: each command's files are published together, with a manifest, so that
//! a reader can never mix two runs, and nothing the tool did not write is ever deleted.
//!
//! How a command publishes (docs/robustness.md has the user-facing rules):
//!
//! 1. [`Publisher::begin`] cleans the leftovers of interrupted runs (below) and creates a
//!    staging directory beside the output directory (same file system, so moves are
//!    renames): `.cartpk-run-<command>-<pid>-<random>`.
//! 2. The command writes every file into it (`Publisher::write`, or
//!    `Publisher::path_for` for a streaming writer, or any writer pointed at
//!    [`Publisher::staging_dir`]: every file there is part of the set).
//! 3. [`Publisher::commit`] hashes the files and publishes them in this order:
//!    - a journal `.cartpk-<command>-<pid>.journal` in the output directory names every
//!      file of the previous and the new set (so that an interrupted commit is recovered
//!      by the next run);
//!    - the previous manifest `<command>_manifest.json` is removed (from here until step
//!      5 there is no manifest: a reader knows a publish is under way);
//!    - each file is renamed into place;
//!    - files of the previous manifest that the new run did not write are removed;
//!    - the new manifest is renamed into place, last; the journal is removed.
//!
//! A reader that needs a consistent set reads `<command>_manifest.json` first and checks
//! each file's SHA-256 against it: a file replaced by a later run no longer matches.
//!
//! Files are the tool's when a manifest (or the journal of an interrupted commit) of this
//! command lists them. Any other file in the output directory is *foreign*: it is never
//! deleted and is named in [`PublishReport::kept_foreign`] (files of another command's
//! manifest in the same directory, e.g. `cartpk fit` beside `cartpk nca`, are neither). A
//! foreign file that has the very name of one of the command's outputs (for example the
//! tables of a cartpk version without manifests) is that output: it is replaced and named
//! in [`PublishReport::replaced_unlisted`].
//!
//! Leftovers of interrupted runs are removed by the next run when they are older than the
//! current process and not held by a live process: staging directories `.cartpk-run-*`
//! beside the output directory (by the PID in their name; without one, as written by
//! cartpk before manifests, when untouched for [`UNNAMED_LEFTOVER_AGE`] and, on Linux, not
//! open in any process), temporary files `.cartpk-*.tmp` in the output directory (same
//! rule), and `.<out>.old-<pid>` copies of a directory swap: put back as the output
//! directory if that is missing, removed if every file in it is also in the output
//! directory, else kept and named as foreign.

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Leftovers whose name carries no process id are removed only when nothing in them has
/// changed for this long: a live run of an older cartpk may be between two writes.
pub const UNNAMED_LEFTOVER_AGE: Duration = Duration::from_secs(60);

/// Prefix of staging directories (the prefix `cartpk run` has always used).
const STAGING_PREFIX: &str = ".cartpk-run-";

/// Marker file of `cartpk run` output directories before manifests.
const LEGACY_MARKER: &str = ".cartpk-run";

/// Why a set of outputs could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// A file system operation failed.
    #[error("{path}: cannot {action}: {cause}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What was being done ("create", "rename into place"...).
        action: &'static str,
        /// The cause.
        cause: std::io::Error,
    },
    /// The output path exists and is not a directory.
    #[error("{0}: is a file; expected a directory for the results")]
    NotADirectory(PathBuf),
    /// An output name that is not a plain relative path.
    #[error("'{0}': an output name must be a relative path of visible names (no '..', no leading '.', not the manifest)")]
    BadName(String),
}

fn io(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> PublishError {
    let path = path.to_path_buf();
    move |cause| PublishError::Io {
        path,
        action,
        cause,
    }
}

/// What the manifest records about the run, given by the command.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishContext {
    /// The command line, as given.
    pub command_line: Vec<String>,
    /// Input files, hashed by [`Publisher::begin`] (except those in `hashed_by_command`).
    pub inputs: Vec<PathBuf>,
    /// Inputs the command hashes as it reads them and gives to
    /// [`Publisher::input_hashed`], so that they are not read a second time; one it does
    /// not give is hashed by [`Publisher::commit`].
    pub hashed_by_command: Vec<PathBuf>,
    /// When the process started: leftovers younger than this are never touched.
    pub process_started: SystemTime,
    /// The cartpk version.
    pub version: String,
}

/// The context of this process (started at [`crate::STARTED`]) with `inputs`.
pub fn context(inputs: &[&Path]) -> PublishContext {
    let started = *crate::STARTED.get_or_init(SystemTime::now);
    PublishContext::new(inputs, started)
}

impl PublishContext {
    /// This process's command line and version, `inputs` as given, and `process_started`
    /// (take it first thing in `main`; `SystemTime::now()` at `begin` is a later, and so
    /// less careful, bound).
    pub fn new(inputs: &[&Path], process_started: SystemTime) -> PublishContext {
        PublishContext {
            command_line: std::env::args().collect(),
            inputs: inputs.iter().map(|p| p.to_path_buf()).collect(),
            hashed_by_command: Vec::new(),
            process_started,
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// A file of the set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// Path relative to the output directory, `/`-separated.
    pub name: String,
    /// Size, bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// An input file of the run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputEntry {
    /// The path as given on the command line.
    pub path: String,
    /// Size, bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// `<command>_manifest.json`: what one run of one command wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// `cartpk-manifest/1`.
    pub format: String,
    /// The command (`nca`, `fit`, `plot`, `run`).
    pub command: String,
    /// Unique id of the run: start time, process id and a hash.
    pub run_id: String,
    /// cartpk version.
    pub cartpk_version: String,
    /// The command line.
    pub command_line: Vec<String>,
    /// When the set was published, RFC 3339 UTC.
    pub published: String,
    /// Inputs with their hashes.
    pub inputs: Vec<InputEntry>,
    /// The files, by name.
    pub files: Vec<FileEntry>,
}

/// The manifest's file name for `command`.
pub fn manifest_name(command: &str) -> String {
    format!("{command}_manifest.json")
}

fn journal_prefix(command: &str) -> String {
    format!(".cartpk-{command}-")
}

/// What a commit did besides writing the new files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishReport {
    /// The run's id, as in the manifest.
    pub run_id: String,
    /// The manifest written.
    pub manifest: PathBuf,
    /// The files written, by name.
    pub written: Vec<String>,
    /// Files of the previous run of this command that this run did not write: removed.
    pub removed_stale: Vec<PathBuf>,
    /// Files the tool did not write: kept.
    pub kept_foreign: Vec<PathBuf>,
    /// Files not listed in any manifest that had the name of one of this run's outputs:
    /// replaced.
    pub replaced_unlisted: Vec<PathBuf>,
    /// Leftovers of interrupted runs: removed (or, for a moved-aside output directory,
    /// put back).
    pub cleaned_leftovers: Vec<PathBuf>,
}

impl PublishReport {
    /// One line per thing a user should know: foreign files kept, unlisted files
    /// replaced, leftovers cleaned.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if !self.kept_foreign.is_empty() {
            w.push(format!(
                "kept {} file(s) in the output directory that cartpk did not write: {}",
                self.kept_foreign.len(),
                list(&self.kept_foreign)
            ));
        }
        if !self.replaced_unlisted.is_empty() {
            w.push(format!(
                "replaced {} file(s) that no manifest listed (written by an earlier cartpk?): {}",
                self.replaced_unlisted.len(),
                list(&self.replaced_unlisted)
            ));
        }
        if !self.cleaned_leftovers.is_empty() {
            w.push(format!(
                "cleaned {} leftover(s) of interrupted runs: {}",
                self.cleaned_leftovers.len(),
                list(&self.cleaned_leftovers)
            ));
        }
        w
    }
}

fn list(paths: &[PathBuf]) -> String {
    const MAX: usize = 10;
    let mut s: Vec<String> = paths
        .iter()
        .take(MAX)
        .map(|p| p.display().to_string())
        .collect();
    if paths.len() > MAX {
        s.push(format!("and {} more", paths.len() - MAX));
    }
    s.join(", ")
}

/// A set of outputs being built.
#[derive(Debug)]
pub struct Publisher {
    out_dir: PathBuf,
    command: String,
    staging: PathBuf,
    context: PublishContext,
    inputs: Option<std::thread::JoinHandle<Result<Vec<InputEntry>, PublishError>>>,
    names: BTreeSet<String>,
    /// Size and SHA-256 of files whose writer hashed them as it wrote them.
    hashed: BTreeMap<String, (u64, String)>,
    /// Size and SHA-256 of the inputs the command hashed as it read them.
    inputs_hashed: BTreeMap<PathBuf, (u64, String)>,
    run_id: String,
    cleaned: Vec<PathBuf>,
    kept: Vec<PathBuf>,
    committed: bool,
}

impl Publisher {
    /// Cleans leftovers of interrupted runs beside and in `out_dir`, hashes the inputs,
    /// and creates the staging directory.
    pub fn begin(
        out_dir: &Path,
        command: &str,
        context: PublishContext,
    ) -> Result<Publisher, PublishError> {
        if out_dir.exists() && !out_dir.is_dir() {
            return Err(PublishError::NotADirectory(out_dir.to_path_buf()));
        }
        let parent = parent_of(out_dir);
        std::fs::create_dir_all(&parent).map_err(io(&parent, "create"))?;
        let mut cleaned = Vec::new();
        let mut kept = Vec::new();
        clean_leftovers(out_dir, &context, &mut cleaned, &mut kept);
        // Inputs are hashed on a thread of their own while the command works (a 58 MB
        // input takes ~0.04 s of CPU with SHA extensions); `commit` joins it.
        let paths: Vec<PathBuf> = context
            .inputs
            .iter()
            .filter(|p| !context.hashed_by_command.contains(p))
            .cloned()
            .collect();
        let inputs = std::thread::spawn(move || {
            paths
                .iter()
                .map(|p| {
                    let (size, sha256) = hash_file(p)?;
                    Ok(InputEntry {
                        path: p.display().to_string(),
                        size,
                        sha256,
                    })
                })
                .collect::<Result<Vec<_>, PublishError>>()
        });
        let pid = std::process::id();
        let staging = tempfile::Builder::new()
            .prefix(&format!("{STAGING_PREFIX}{command}-{pid}-"))
            .tempdir_in(&parent)
            .map_err(io(&parent, "create a staging directory in"))?
            .keep();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o755));
        }
        let now = SystemTime::now();
        let mut h = Sha256::new();
        h.update(format!("{now:?} {pid} {command} {}", staging.display()));
        let run_id = format!(
            "{}-p{pid}-{}",
            humantime::format_rfc3339_seconds(now),
            &hex(&h.finalize())[..8]
        );
        Ok(Publisher {
            out_dir: out_dir.to_path_buf(),
            command: command.to_string(),
            staging,
            context,
            inputs: Some(inputs),
            names: BTreeSet::new(),
            hashed: BTreeMap::new(),
            inputs_hashed: BTreeMap::new(),
            run_id,
            cleaned,
            kept,
            committed: false,
        })
    }

    /// The staging directory.
    pub fn staging_dir(&self) -> &Path {
        &self.staging
    }

    // The commands point their own writers at `staging_dir`; these two helpers name a
    // file explicitly, for the tests of the publishing rules.
    #[cfg(test)]
    /// Where to write the output `name` (e.g. `nca_long.csv`, `patients/P01.png`): a path
    /// in the staging directory, its parent directories created. The name joins the set.
    pub fn path_for(&mut self, name: &str) -> Result<PathBuf, PublishError> {
        check_name(name, &self.command)?;
        let path = self.staging.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir, "create"))?;
        }
        self.names.insert(name.to_string());
        Ok(path)
    }

    #[cfg(test)]
    /// Writes the output `name`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), PublishError> {
        let path = self.path_for(name)?;
        std::fs::write(&path, bytes).map_err(io(&path, "write"))
    }

    /// Records the size and SHA-256 of the staged file `name` (e.g. `nca_long.csv`) as its
    /// writer computed them while writing it, so that [`Publisher::commit`] does not read
    /// it again (it still flushes it to disk, and hashes it anyway if its size differs).
    pub fn hashed_while_written(&mut self, name: &str, size: u64, sha256: String) {
        self.hashed.insert(name.to_string(), (size, sha256));
    }

    /// Records the size and SHA-256 of the input `path` (one of
    /// [`PublishContext::hashed_by_command`]) as the command computed them while reading
    /// it whole.
    pub fn input_hashed(&mut self, path: &Path, size: u64, sha256: String) {
        self.inputs_hashed
            .insert(path.to_path_buf(), (size, sha256));
    }

    /// Publishes the set (see the module documentation for the order of operations).
    /// Every file in the staging directory is part of it, however it was written (so an
    /// existing writer can be pointed at [`Publisher::staging_dir`] as it is); a hidden
    /// name there is refused.
    pub fn commit(mut self) -> Result<PublishReport, PublishError> {
        let out = self.out_dir.clone();
        std::fs::create_dir_all(&out).map_err(io(&out, "create"))?;
        let mname = manifest_name(&self.command);
        for name in staged_files(&self.staging)? {
            check_name(&name, &self.command)?;
            self.names.insert(name);
        }

        // Hash, and flush to disk, every staged file, in parallel (the two NCA tables of
        // 100,000 profiles are 180 MB: ~0.13 s of CPU with SHA extensions).
        let names: Vec<&String> = self.names.iter().collect();
        let files = names
            .par_iter()
            .map(|name| {
                let path = self.staging.join(name);
                let f = std::fs::File::open(&path).map_err(io(&path, "open"))?;
                f.sync_all().map_err(io(&path, "flush"))?;
                let len = f.metadata().map_err(io(&path, "read"))?.len();
                let (size, sha256) = match self.hashed.get(*name) {
                    Some((size, sha256)) if *size == len => (*size, sha256.clone()),
                    _ => hash_file(&path)?,
                };
                Ok(FileEntry {
                    name: (*name).clone(),
                    size,
                    sha256,
                })
            })
            .collect::<Result<Vec<_>, PublishError>>()?;
        let hashed_at_begin = match self.inputs.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r?,
            // A panic while hashing is a bug: let it surface as one.
            Some(Err(p)) => std::panic::resume_unwind(p),
            None => Vec::new(),
        };
        // In the order given: those hashed at `begin` come in their order.
        let mut hashed_at_begin = hashed_at_begin.into_iter();
        let mut inputs = Vec::with_capacity(self.context.inputs.len());
        for p in &self.context.inputs {
            if !self.context.hashed_by_command.contains(p) {
                inputs.extend(hashed_at_begin.next());
                continue;
            }
            let (size, sha256) = match self.inputs_hashed.get(p) {
                Some(h) => h.clone(),
                None => hash_file(p)?,
            };
            inputs.push(InputEntry {
                path: p.display().to_string(),
                size,
                sha256,
            });
        }
        let manifest = Manifest {
            format: "cartpk-manifest/1".into(),
            command: self.command.clone(),
            run_id: self.run_id.clone(),
            cartpk_version: self.context.version.clone(),
            command_line: self.context.command_line.clone(),
            published: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            inputs,
            files,
        };

        // What the previous runs of this command wrote: the manifest, and the journals
        // of interrupted commits.
        let previous = read_manifest(&out.join(&mname));
        let mut ours: BTreeSet<String> = previous
            .as_ref()
            .map(|m| m.files.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default();
        let journals = dead_journals(&out, &self.command);
        for (_, names) in &journals {
            ours.extend(names.iter().cloned());
        }
        let others = other_manifests_files(&out, &self.command);

        // 1. The journal.
        let journal = out.join(format!(
            "{}{}.journal",
            journal_prefix(&self.command),
            std::process::id()
        ));
        let all: BTreeSet<&String> = ours.iter().chain(&self.names).collect();
        write_synced(
            &self.staging.join(".journal"),
            &journal,
            &serde_json::to_vec(&all).expect("a set of strings serialises"),
        )?;
        // 2. No manifest while files move.
        remove_if_exists(&out.join(&mname))?;
        // 3. The files.
        let mut report = PublishReport {
            run_id: self.run_id.clone(),
            manifest: out.join(&mname),
            written: self.names.iter().cloned().collect(),
            ..PublishReport::default()
        };
        for name in &self.names {
            let dest = out.join(name);
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir).map_err(io(dir, "create"))?;
            }
            if dest.exists() && !ours.contains(name) && !others.contains(name) {
                report.replaced_unlisted.push(dest.clone());
            }
            move_into_place(&self.staging.join(name), &dest)?;
        }
        // 4. Stale files of the previous run.
        for name in ours.difference(&self.names) {
            if check_name(name, &self.command).is_err() {
                continue; // never follow a doctored manifest out of the directory
            }
            let p = out.join(name);
            if p.is_file() {
                std::fs::remove_file(&p).map_err(io(&p, "remove"))?;
                report.removed_stale.push(p.clone());
                remove_empty_parents(&p, &out);
            }
        }
        let legacy = out.join(LEGACY_MARKER);
        if self.command == "run" && legacy.is_file() {
            std::fs::remove_file(&legacy).map_err(io(&legacy, "remove"))?;
            report.removed_stale.push(legacy);
        }
        // 5. The manifest, last.
        let mut bytes = serde_json::to_vec_pretty(&manifest)
            .expect("a manifest holds only strings and numbers");
        bytes.push(b'\n');
        write_synced(&self.staging.join(&mname), &out.join(&mname), &bytes)?;
        sync_dir(&out);
        let _ = std::fs::remove_file(&journal);
        for (j, _) in journals {
            let _ = std::fs::remove_file(j);
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.staging);

        // Foreign files: everything else in the directories the set lives in.
        let mut known: BTreeSet<String> = self.names.clone();
        known.extend(others);
        known.extend(ours);
        known.insert(mname);
        report.kept_foreign = std::mem::take(&mut self.kept);
        report
            .kept_foreign
            .extend(foreign_files(&out, &known, &self.names));
        report.cleaned_leftovers = std::mem::take(&mut self.cleaned);
        Ok(report)
    }
}

impl Drop for Publisher {
    /// A set that was not committed (an error on the way) leaves nothing behind.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Relative `/`-separated paths of the files under `dir`.
fn staged_files(dir: &Path) -> Result<Vec<String>, PublishError> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let here = dir.join(&rel);
        for e in std::fs::read_dir(&here).map_err(io(&here, "read"))? {
            let e = e.map_err(io(&here, "read"))?;
            let r = rel.join(e.file_name());
            if e.file_type().map_err(io(&e.path(), "read"))?.is_dir() {
                stack.push(r);
            } else {
                out.push(r.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(out)
}

/// The directory that holds `out` (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Output names are relative paths of visible, normal components, and not the manifest.
fn check_name(name: &str, command: &str) -> Result<(), PublishError> {
    let p = Path::new(name);
    let ok = !name.is_empty()
        && name != manifest_name(command)
        && p.components().all(|c| match c {
            Component::Normal(s) => {
                let s = s.to_string_lossy();
                !s.starts_with('.') && s.len() <= 255
            }
            _ => false,
        });
    if ok {
        Ok(())
    } else {
        Err(PublishError::BadName(name.to_string()))
    }
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Size and SHA-256 of a file, read in blocks.
pub fn hash_file(path: &Path) -> Result<(u64, String), PublishError> {
    let mut f = std::fs::File::open(path).map_err(io(path, "read"))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io(path, "read"))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&h.finalize())))
}

fn read_manifest(path: &Path) -> Option<Manifest> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes `bytes` to `tmp`, flushes it, and renames it to `dest`.
fn write_synced(tmp: &Path, dest: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let mut f = std::fs::File::create(tmp).map_err(io(tmp, "create"))?;
    f.write_all(bytes).map_err(io(tmp, "write"))?;
    f.sync_all().map_err(io(tmp, "flush"))?;
    move_into_place(tmp, dest)
}

/// Renames `from` to `to`; across file systems (an output directory that is a mount
/// point), copies to a temporary file beside `to` and renames that.
fn move_into_place(from: &Path, to: &Path) -> Result<(), PublishError> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            let dir = parent_of(to);
            let tmp = tempfile::Builder::new()
                .prefix(".cartpk-")
                .suffix(".tmp")
                .tempfile_in(&dir)
                .map_err(io(&dir, "create a temporary file in"))?;
            std::fs::copy(from, tmp.path()).map_err(io(to, "copy into place"))?;
            tmp.persist(to).map_err(|e| PublishError::Io {
                path: to.to_path_buf(),
                action: "rename into place",
                cause: e.error,
            })?;
            let _ = std::fs::remove_file(from);
            Ok(())
        }
        Err(cause) => Err(PublishError::Io {
            path: to.to_path_buf(),
            action: "rename into place",
            cause,
        }),
    }
}

fn remove_if_exists(path: &Path) -> Result<(), PublishError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(PublishError::Io {
            path: path.to_path_buf(),
            action: "remove",
            cause: e,
        }),
        _ => Ok(()),
    }
}

/// Removes the now empty directories between `file` and `root` (e.g. `patients/` when the
/// new run has no patient figures).
fn remove_empty_parents(file: &Path, root: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Journals of this command's interrupted commits (their process is gone), with the file
/// names they list.
fn dead_journals(out: &Path, command: &str) -> Vec<(PathBuf, Vec<String>)> {
    let prefix = journal_prefix(command);
    let Ok(rd) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    rd.filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid: u32 = name
                .strip_prefix(&prefix)?
                .strip_suffix(".journal")?
                .parse()
                .ok()?;
            if process_alive(pid) {
                return None;
            }
            let names: Vec<String> = serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok()?;
            Some((e.path(), names))
        })
        .collect()
}

/// Files listed by the manifests of the other commands in `out`.
fn other_manifests_files(out: &Path, command: &str) -> BTreeSet<String> {
    let mine = manifest_name(command);
    let mut set = BTreeSet::new();
    let Ok(rd) = std::fs::read_dir(out) else {
        return set;
    };
    for e in rd.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with("_manifest.json") && name != mine {
            set.insert(name.clone());
            if let Some(m) = read_manifest(&e.path()) {
                set.extend(m.files.into_iter().map(|f| f.name));
            }
        }
    }
    set
}

/// Files in `out` and in the subdirectories this run wrote into that are not `known`
/// (cartpk's own hidden files aside).
fn foreign_files(out: &Path, known: &BTreeSet<String>, names: &BTreeSet<String>) -> Vec<PathBuf> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::from([PathBuf::new()]);
    for n in names {
        let mut p = Path::new(n).parent();
        while let Some(d) = p {
            if d.as_os_str().is_empty() {
                break;
            }
            dirs.insert(d.to_path_buf());
            p = d.parent();
        }
    }
    let mut out_files = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(out.join(&d)) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let file_name = e.file_name().to_string_lossy().into_owned();
            let rel = d.join(&file_name);
            let rel_s = rel.to_string_lossy().replace('\\', "/");
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let prefix = format!("{rel_s}/");
            if is_dir && known.iter().any(|k| k.starts_with(&prefix)) {
                continue; // a directory of the tool's outputs (scanned when written into)
            }
            if known.contains(&rel_s) || file_name.starts_with(".cartpk-") {
                continue;
            }
            out_files.push(out.join(rel));
        }
    }
    out_files.sort();
    out_files
}

/// Whether process `pid` is alive (or cannot be known to be dead).
pub fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(p) = i32::try_from(pid) else {
            return false;
        };
        if p <= 0 {
            return false;
        }
        // SAFETY: kill with signal 0 sends nothing; it only checks that the process
        // exists and may be signalled.
        let r = unsafe { libc::kill(p, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// The newest modification time of `path` and everything under it.
fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let mut newest = meta.modified().ok()?;
    if meta.is_dir() {
        for e in std::fs::read_dir(path).ok()?.filter_map(Result::ok) {
            if let Some(t) = newest_mtime(&e.path()) {
                newest = newest.max(t);
            }
        }
    }
    Some(newest)
}

/// Paths that a process has open (file descriptors and working directories), on Linux;
/// `None` elsewhere (then only names with a process id and age decide).
fn open_paths() -> Option<Vec<PathBuf>> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let mut out = Vec::new();
    for p in std::fs::read_dir("/proc").ok()?.filter_map(Result::ok) {
        let name = p.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Ok(cwd) = std::fs::read_link(p.path().join("cwd")) {
            out.push(cwd);
        }
        if let Ok(fds) = std::fs::read_dir(p.path().join("fd")) {
            out.extend(
                fds.filter_map(Result::ok)
                    .filter_map(|fd| std::fs::read_link(fd.path()).ok()),
            );
        }
    }
    Some(out)
}

/// A leftover found on the way in.
struct Leftover {
    path: PathBuf,
    pid: Option<u32>,
}

/// The leftovers around `out`: staging directories beside it, `.<out>.old-<pid>` copies,
/// and temporary files in it and in its subdirectories.
fn find_leftovers(out: &Path) -> (Vec<Leftover>, Vec<(PathBuf, u32)>) {
    let parent = parent_of(out);
    let out_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old_prefix = format!(".{out_name}.old-");
    let mut removable = Vec::new();
    let mut old_copies = Vec::new();
    if let Ok(rd) = std::fs::read_dir(&parent) {
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(rest) = name.strip_prefix(STAGING_PREFIX) {
                // `<command>-<pid>-<random>`, or `<random>` before manifests.
                let pid = rest.split('-').nth(1).and_then(|s| s.parse().ok());
                removable.push(Leftover {
                    path: e.path(),
                    pid,
                });
            } else if let Some(pid) = name.strip_prefix(&old_prefix).and_then(|s| s.parse().ok()) {
                if !out_name.is_empty() {
                    old_copies.push((e.path(), pid));
                }
            }
        }
    }
    let mut dirs = vec![out.to_path_buf()];
    if let Ok(rd) = std::fs::read_dir(out) {
        dirs.extend(
            rd.filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path()),
        );
    }
    for d in dirs {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.filter_map(Result::ok) {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(".cartpk-") && name.ends_with(".tmp") {
                    removable.push(Leftover {
                        path: e.path(),
                        pid: None,
                    });
                }
            }
        }
    }
    (removable, old_copies)
}

/// Cleans what interrupted runs left (see the module documentation for the rules).
fn clean_leftovers(
    out: &Path,
    context: &PublishContext,
    cleaned: &mut Vec<PathBuf>,
    kept: &mut Vec<PathBuf>,
) {
    let (removable, old_copies) = find_leftovers(out);
    if removable.is_empty() && old_copies.is_empty() {
        return;
    }
    let started = context.process_started;
    let open = open_paths();
    let held = |p: &Path| {
        let Some(open) = &open else { return false };
        let Ok(c) = p.canonicalize() else {
            return false;
        };
        open.iter().any(|o| o.starts_with(&c))
    };
    let old_enough = |p: &Path, pid: Option<u32>| {
        let Some(t) = newest_mtime(p) else {
            return false;
        };
        match pid {
            Some(pid) => t < started && !process_alive(pid),
            None => t + UNNAMED_LEFTOVER_AGE < started,
        }
    };
    for l in removable {
        if !old_enough(&l.path, l.pid) || held(&l.path) {
            continue;
        }
        let r = if l.path.is_dir() {
            std::fs::remove_dir_all(&l.path)
        } else {
            std::fs::remove_file(&l.path)
        };
        if r.is_ok() {
            cleaned.push(l.path);
        }
    }
    for (path, pid) in old_copies {
        if !old_enough(&path, Some(pid)) || held(&path) {
            continue;
        }
        if !out.exists() {
            // The swap was interrupted between its two renames: the copy is the results.
            if std::fs::rename(&path, out).is_ok() {
                cleaned.push(path);
            }
            continue;
        }
        let extra = files_not_in(&path, out);
        if extra.is_empty() {
            if std::fs::remove_dir_all(&path).is_ok() {
                cleaned.push(path);
            }
        } else {
            kept.extend(extra);
        }
    }
}

/// Files under `dir` whose relative path does not exist under `other`, other than
/// cartpk's own (legacy marker, manifests and the files they list).
fn files_not_in(dir: &Path, other: &Path) -> Vec<PathBuf> {
    let mut listed: BTreeSet<String> = BTreeSet::from([LEGACY_MARKER.to_string()]);
    let mut manifests: BTreeMap<String, ()> = BTreeMap::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with("_manifest.json") {
                manifests.insert(name.clone(), ());
                listed.insert(name);
                if let Some(m) = read_manifest(&e.path()) {
                    listed.extend(m.files.into_iter().map(|f| f.name));
                }
            }
        }
    }
    let mut extra = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let r = rel.join(e.file_name());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(r);
            } else if !other.join(&r).exists()
                && !listed.contains(&r.to_string_lossy().replace('\\', "/"))
            {
                extra.push(dir.join(r));
            }
        }
    }
    extra.sort();
    extra
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(started: SystemTime) -> PublishContext {
        PublishContext {
            hashed_by_command: Vec::new(),
            command_line: vec!["cartpk".into(), "nca".into(), "in.csv".into()],
            inputs: Vec::new(),
            process_started: started,
            version: "0.1.0".into(),
        }
    }

    fn now_ctx() -> PublishContext {
        context(SystemTime::now())
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn publish(out: &Path, command: &str, files: &[(&str, &str)]) -> PublishReport {
        let mut p = Publisher::begin(out, command, now_ctx()).unwrap();
        for (n, b) in files {
            p.write(n, b.as_bytes()).unwrap();
        }
        p.commit().unwrap()
    }

    /// Sets the modification time of `path` an hour back.
    fn age(path: &Path) {
        let t = SystemTime::now() - Duration::from_secs(3600);
        if path.is_dir() {
            for e in std::fs::read_dir(path).unwrap() {
                age(&e.unwrap().path());
            }
            // Directories cannot be opened for writing; their own mtime is set through
            // a read-only handle where the platform allows.
            if let Ok(f) = std::fs::File::open(path) {
                let _ = f.set_modified(t);
            }
        } else {
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
    }

    /// A process id that is not running: above Linux's largest pid_max (2^22).
    const DEAD_PID: u32 = 4_194_305;

    #[test]
    fn first_publish_writes_the_files_and_a_manifest_with_their_hashes() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let input = tmp.path().join("in.csv");
        std::fs::write(&input, "abc").unwrap();
        let mut ctx = now_ctx();
        ctx.inputs = vec![input.clone()];
        let mut p = Publisher::begin(&out, "nca", ctx).unwrap();
        p.write("nca_long.csv", b"abc").unwrap();
        let streamed = p.path_for("patients/P01.png").unwrap();
        std::fs::write(&streamed, b"").unwrap();
        let r = p.commit().unwrap();
        assert_eq!(r.written, vec!["nca_long.csv", "patients/P01.png"]);
        assert!(r.removed_stale.is_empty() && r.kept_foreign.is_empty());
        assert_eq!(
            names(&out),
            vec!["nca_long.csv", "nca_manifest.json", "patients"]
        );
        // Nothing left beside the output directory: no staging, no journal.
        assert_eq!(names(tmp.path()), vec!["in.csv", "out"]);
        let m: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("nca_manifest.json")).unwrap()).unwrap();
        assert_eq!(m.command, "nca");
        assert_eq!(m.run_id, r.run_id);
        assert_eq!(m.command_line, vec!["cartpk", "nca", "in.csv"]);
        // SHA-256 test vectors (FIPS 180-2, appendix B.1; and the empty message).
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(m.inputs[0].sha256, abc);
        assert_eq!(m.inputs[0].size, 3);
        assert_eq!(m.files[0].name, "nca_long.csv");
        assert_eq!((m.files[0].size, m.files[0].sha256.as_str()), (3, abc));
        assert_eq!((m.files[1].size, m.files[1].sha256.as_str()), (0, empty));
    }

    /// An input the command hashes is not read at `begin`: its given hash is recorded,
    /// in the inputs' order; one the command did not hash after all is hashed at commit.
    #[test]
    fn inputs_hashed_by_the_command_keep_their_order_and_fall_back_to_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let [a, b, c] = ["a.csv", "b.csv", "c.csv"].map(|n| tmp.path().join(n));
        for f in [&a, &b, &c] {
            std::fs::write(f, "abc").unwrap();
        }
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let mut ctx = now_ctx();
        ctx.inputs = vec![a.clone(), b.clone(), c.clone()];
        ctx.hashed_by_command = vec![a.clone(), c.clone()];
        let mut p = Publisher::begin(&out, "nca", ctx).unwrap();
        p.input_hashed(&a, 3, "given".into());
        p.write("nca_long.csv", b"abc").unwrap();
        p.commit().unwrap();
        let m: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("nca_manifest.json")).unwrap()).unwrap();
        let got: Vec<(&str, u64, &str)> = m
            .inputs
            .iter()
            .map(|i| (i.path.as_str(), i.size, i.sha256.as_str()))
            .collect();
        let name = |p: &Path| p.display().to_string();
        assert_eq!(
            got,
            vec![
                (name(&a).as_str(), 3, "given"),
                (name(&b).as_str(), 3, abc),
                (name(&c).as_str(), 3, abc),
            ]
        );
    }

    /// Existing writers can write into the staging directory as into any directory.
    #[test]
    fn a_hash_computed_while_writing_is_used_when_the_size_matches() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut p = Publisher::begin(&out, "nca", now_ctx()).unwrap();
        p.write("nca_long.csv", b"abc").unwrap();
        p.write("nca_wide.csv", b"abc").unwrap();
        // The writer's hash is taken as it is (not recomputed)...
        p.hashed_while_written("nca_long.csv", 3, "given".into());
        // ...unless the file on disk is not the size the writer saw.
        p.hashed_while_written("nca_wide.csv", 4, "stale".into());
        p.commit().unwrap();
        let m: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("nca_manifest.json")).unwrap()).unwrap();
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(m.files[0].sha256, "given");
        assert_eq!((m.files[1].size, m.files[1].sha256.as_str()), (3, abc));
    }

    #[test]
    fn files_written_into_the_staging_directory_by_any_means_are_in_the_set() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let p = Publisher::begin(&out, "plot", now_ctx()).unwrap();
        std::fs::create_dir_all(p.staging_dir().join("patients")).unwrap();
        std::fs::write(p.staging_dir().join("patients/P01.png"), "png").unwrap();
        std::fs::write(p.staging_dir().join("cohort_blood_qpcr.png"), "png").unwrap();
        let r = p.commit().unwrap();
        assert_eq!(r.written, vec!["cohort_blood_qpcr.png", "patients/P01.png"]);
        let m: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("plot_manifest.json")).unwrap())
                .unwrap();
        assert_eq!(m.files.len(), 2);
        // A hidden file in the staging directory is refused, not published.
        let p = Publisher::begin(&out, "plot", now_ctx()).unwrap();
        std::fs::write(p.staging_dir().join(".cartpk-run"), "marker").unwrap();
        assert!(matches!(p.commit(), Err(PublishError::BadName(_))));
        assert!(
            out.join("patients/P01.png").is_file(),
            "the previous set stays"
        );
    }

    #[test]
    fn stale_files_of_the_previous_run_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(
            &out,
            "nca",
            &[
                ("nca_long.csv", "1"),
                ("nca.json", "1"),
                ("patients/A.png", "1"),
            ],
        );
        let r = publish(&out, "nca", &[("nca_long.csv", "2")]);
        assert_eq!(
            r.removed_stale,
            vec![out.join("nca.json"), out.join("patients/A.png")]
        );
        assert_eq!(names(&out), vec!["nca_long.csv", "nca_manifest.json"]);
        assert_eq!(
            std::fs::read_to_string(out.join("nca_long.csv")).unwrap(),
            "2"
        );
    }

    #[test]
    fn foreign_files_are_kept_and_named() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(
            &out,
            "run",
            &[("report.html", "1"), ("patients/A.png", "1")],
        );
        std::fs::write(out.join("my notes.txt"), "mine").unwrap();
        std::fs::write(out.join("patients/annotated.png"), "mine").unwrap();
        let r = publish(&out, "run", &[("report.html", "2")]);
        assert_eq!(
            std::fs::read_to_string(out.join("my notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("patients/annotated.png")).unwrap(),
            "mine"
        );
        // The stale figure went; patients/ stays because the user's file is in it. It is
        // not in a directory this run wrote into, so only the top-level file is named.
        assert_eq!(r.removed_stale, vec![out.join("patients/A.png")]);
        assert_eq!(r.kept_foreign, vec![out.join("my notes.txt")]);
        assert!(
            r.warnings()[0].contains("my notes.txt"),
            "{:?}",
            r.warnings()
        );
        let r = publish(
            &out,
            "run",
            &[("report.html", "3"), ("patients/B.png", "3")],
        );
        assert_eq!(
            r.kept_foreign,
            vec![out.join("my notes.txt"), out.join("patients/annotated.png")]
        );
    }

    #[test]
    fn another_commands_files_are_neither_stale_nor_foreign() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, "fit", &[("fit_summary.csv", "f")]);
        publish(&out, "nca", &[("nca_long.csv", "1")]);
        let r = publish(&out, "nca", &[("nca_wide.csv", "2")]);
        assert_eq!(r.removed_stale, vec![out.join("nca_long.csv")]);
        assert!(r.kept_foreign.is_empty(), "{:?}", r.kept_foreign);
        assert_eq!(
            names(&out),
            vec![
                "fit_manifest.json",
                "fit_summary.csv",
                "nca_manifest.json",
                "nca_wide.csv"
            ]
        );
    }

    #[test]
    fn an_unlisted_file_with_an_output_name_is_replaced_and_named() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("nca_long.csv"), "from cartpk 0.0").unwrap();
        let r = publish(&out, "nca", &[("nca_long.csv", "new")]);
        assert_eq!(r.replaced_unlisted, vec![out.join("nca_long.csv")]);
        assert!(r.warnings().iter().any(|w| w.contains("nca_long.csv")));
        // Listed from now on: not reported again.
        let r = publish(&out, "nca", &[("nca_long.csv", "newer")]);
        assert!(r.replaced_unlisted.is_empty());
    }

    /// A run killed before its commit: its staging directory (with its dead PID), an
    /// older cartpk's staging directory, a temporary file and a moved-aside copy are
    /// cleaned by the next run.
    #[test]
    fn leftovers_of_an_interrupted_run_are_cleaned_on_the_next_run() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, "run", &[("report.html", "1")]);
        let dead = tmp
            .path()
            .join(format!(".cartpk-run-run-{DEAD_PID}-AbCdEf"));
        std::fs::create_dir_all(dead.join("patients")).unwrap();
        std::fs::write(dead.join("patients/P1.png"), "partial").unwrap();
        let legacy = tmp.path().join(".cartpk-run-XyZ123");
        std::fs::create_dir_all(&legacy).unwrap();
        std::fs::write(legacy.join("report.html"), "partial").unwrap();
        let tmpfile = out.join(".cartpk-Qw3rty.tmp");
        std::fs::write(&tmpfile, "partial").unwrap();
        let aside = tmp.path().join(format!(".out.old-{DEAD_PID}"));
        std::fs::create_dir_all(&aside).unwrap();
        std::fs::write(aside.join("report.html"), "0").unwrap();
        std::fs::write(aside.join(".cartpk-run"), "marker").unwrap();
        for p in [&dead, &legacy, &tmpfile, &aside] {
            age(p);
        }
        let r = publish(&out, "run", &[("report.html", "2")]);
        let mut cleaned = r.cleaned_leftovers.clone();
        cleaned.sort();
        let mut expected = vec![dead, legacy, aside, tmpfile];
        expected.sort();
        assert_eq!(cleaned, expected);
        assert_eq!(names(tmp.path()), vec!["out"]);
        assert_eq!(names(&out), vec!["report.html", "run_manifest.json"]);
    }

    #[test]
    fn leftovers_of_live_or_recent_runs_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        // This process is alive: its staging directory is in use.
        let live = tmp
            .path()
            .join(format!(".cartpk-run-nca-{}-live01", std::process::id()));
        std::fs::create_dir_all(&live).unwrap();
        age(&live);
        // No PID and touched a moment ago: may be a live run of an older cartpk.
        let recent = tmp.path().join(".cartpk-run-Recent");
        std::fs::create_dir_all(&recent).unwrap();
        // A dead PID, but newer than this process.
        let newer = tmp
            .path()
            .join(format!(".cartpk-run-nca-{DEAD_PID}-newer1"));
        std::fs::create_dir_all(&newer).unwrap();
        // This process started ten seconds ago.
        let ctx = context(SystemTime::now() - Duration::from_secs(10));
        let mut p = Publisher::begin(&out, "nca", ctx).unwrap();
        p.write("nca_long.csv", b"1").unwrap();
        let r = p.commit().unwrap();
        assert!(r.cleaned_leftovers.is_empty(), "{:?}", r.cleaned_leftovers);
        for p in [&live, &recent, &newer] {
            assert!(p.is_dir(), "{}", p.display());
        }
    }

    /// Killed between the two renames of the old directory swap: the output directory is
    /// missing and its previous content is in `.out.old-PID`: it is put back.
    #[test]
    fn a_moved_aside_output_directory_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let aside = tmp.path().join(format!(".out.old-{DEAD_PID}"));
        std::fs::create_dir_all(&aside).unwrap();
        std::fs::write(aside.join("my notes.txt"), "mine").unwrap();
        age(&aside);
        let r = publish(&out, "run", &[("report.html", "2")]);
        assert_eq!(r.cleaned_leftovers, vec![aside]);
        assert_eq!(
            std::fs::read_to_string(out.join("my notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(r.kept_foreign, vec![out.join("my notes.txt")]);
    }

    /// A moved-aside copy that holds a file the output directory does not have is kept,
    /// and the file named: it may be the user's.
    #[test]
    fn a_moved_aside_copy_with_a_foreign_file_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, "run", &[("report.html", "1")]);
        let aside = tmp.path().join(format!(".out.old-{DEAD_PID}"));
        std::fs::create_dir_all(&aside).unwrap();
        std::fs::write(aside.join("report.html"), "0").unwrap();
        std::fs::write(aside.join("my notes.txt"), "mine").unwrap();
        age(&aside);
        let r = publish(&out, "run", &[("report.html", "2")]);
        assert!(aside.join("my notes.txt").is_file());
        assert_eq!(r.kept_foreign, vec![aside.join("my notes.txt")]);
    }

    /// Killed during a commit: no manifest, some new files in place, and the journal. The
    /// next run knows the journal's files are the tool's: stale ones go, none is foreign.
    #[test]
    fn an_interrupted_commit_is_recovered_from_its_journal() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("nca.json"), "old").unwrap();
        std::fs::write(out.join("nca_long.csv"), "half-published").unwrap();
        std::fs::write(
            out.join(format!(".cartpk-nca-{DEAD_PID}.journal")),
            r#"["nca.json","nca_long.csv"]"#,
        )
        .unwrap();
        let r = publish(&out, "nca", &[("nca_long.csv", "new")]);
        assert_eq!(r.removed_stale, vec![out.join("nca.json")]);
        assert!(r.kept_foreign.is_empty() && r.replaced_unlisted.is_empty());
        assert_eq!(names(&out), vec!["nca_long.csv", "nca_manifest.json"]);
    }

    #[test]
    fn a_set_that_is_not_committed_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, "nca", &[("nca_long.csv", "1")]);
        {
            let mut p = Publisher::begin(&out, "nca", now_ctx()).unwrap();
            p.write("nca_long.csv", b"2").unwrap();
            // dropped: an error on the way
        }
        assert_eq!(names(tmp.path()), vec!["out"]);
        assert_eq!(
            std::fs::read_to_string(out.join("nca_long.csv")).unwrap(),
            "1"
        );
    }

    #[test]
    fn output_names_stay_inside_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let mut p = Publisher::begin(&tmp.path().join("out"), "nca", now_ctx()).unwrap();
        for bad in [
            "",
            "../x",
            "/etc/x",
            "a/../../x",
            ".hidden",
            "p/.x",
            "nca_manifest.json",
        ] {
            assert!(
                matches!(p.write(bad, b""), Err(PublishError::BadName(_))),
                "{bad}"
            );
        }
        let long = "x".repeat(256);
        assert!(p.write(&long, b"").is_err());
        assert!(p.write("patients/ok.png", b"").is_ok());
    }

    #[test]
    fn an_output_path_that_is_a_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("out");
        std::fs::write(&f, "x").unwrap();
        assert!(matches!(
            Publisher::begin(&f, "nca", now_ctx()),
            Err(PublishError::NotADirectory(_))
        ));
    }

    #[test]
    fn a_doctored_manifest_cannot_delete_outside_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, "nca", &[("nca_long.csv", "1")]);
        std::fs::write(tmp.path().join("victim.txt"), "keep").unwrap();
        let m = out.join("nca_manifest.json");
        let text = std::fs::read_to_string(&m)
            .unwrap()
            .replace("\"nca_long.csv\"", "\"../victim.txt\"");
        std::fs::write(&m, text).unwrap();
        publish(&out, "nca", &[("nca_wide.csv", "2")]);
        assert!(tmp.path().join("victim.txt").is_file());
    }
}
