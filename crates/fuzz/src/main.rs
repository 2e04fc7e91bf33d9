//! `cartpk-fuzz`: the fuzz harness.
//!
//! The supervisor generates cases (deterministic given `--seed`), hands their numbers to a
//! worker child process (this binary with `--worker`) over stdin, and reads on the
//! worker's stdout when each stage begins and how it ended. A panic is caught in the
//! worker (the worker is then restarted, so that no state leaks into the next case); a
//! stage still running after `--timeout-secs` is a hang: the worker is killed and
//! restarted. A hung thread cannot be stopped in process, hence the child process.
//!
//! ```text
//! nice cargo run --release -p cartpk-fuzz -- --minutes 10 --seed 1
//! cargo run --release -p cartpk-fuzz -- --replay crash.csv      # one file, in process
//! cargo run --release -p cartpk-fuzz -- --seed 1 --dump-case 42 # the bytes of a case
//! ```

use cartpk_fuzz::deadline::panic_message;
use cartpk_fuzz::stages::{self, Stage};
use cartpk_fuzz::{make_case, Case};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cartpk-fuzz [--minutes M] [--cases N] [--seed S] [--timeout-secs T]
                   [--report-secs R] [--findings DIR] [--first-case I]
       cartpk-fuzz --replay FILE [--variant V]
       cartpk-fuzz --seed S --dump-case I";

struct Args {
    minutes: f64,
    cases: Option<u64>,
    first_case: u64,
    seed: u64,
    timeout: Duration,
    report_every: Duration,
    findings: PathBuf,
    worker: bool,
    replay: Option<PathBuf>,
    variant: u64,
    dump_case: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        minutes: 1.0,
        cases: None,
        first_case: 0,
        seed: 1,
        timeout: Duration::from_secs(10),
        report_every: Duration::from_secs(60),
        findings: PathBuf::from("target/fuzz-findings"),
        worker: false,
        replay: None,
        variant: 0,
        dump_case: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let num = |s: String, name: &str| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("{name}: expected a number >= 0, found '{s}'"))
        };
        match flag.as_str() {
            "--minutes" => a.minutes = num(value("--minutes")?, "--minutes")?,
            "--cases" => a.cases = Some(num(value("--cases")?, "--cases")? as u64),
            "--first-case" => a.first_case = num(value("--first-case")?, "--first-case")? as u64,
            "--seed" => {
                let v = value("--seed")?;
                a.seed = v
                    .parse()
                    .map_err(|_| format!("--seed: expected an integer, found '{v}'"))?;
            }
            "--timeout-secs" => {
                a.timeout =
                    Duration::from_secs_f64(num(value("--timeout-secs")?, "--timeout-secs")?)
            }
            "--report-secs" => {
                a.report_every =
                    Duration::from_secs_f64(num(value("--report-secs")?, "--report-secs")?.max(1.0))
            }
            "--findings" => a.findings = PathBuf::from(value("--findings")?),
            "--worker" => a.worker = true,
            "--replay" => a.replay = Some(PathBuf::from(value("--replay")?)),
            "--variant" => a.variant = num(value("--variant")?, "--variant")? as u64,
            "--dump-case" => a.dump_case = Some(num(value("--dump-case")?, "--dump-case")? as u64),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    Ok(a)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if args.worker {
        worker();
    } else if let Some(path) = &args.replay {
        replay(path, args.variant);
    } else if let Some(i) = args.dump_case {
        let case = make_case(args.seed, i);
        eprintln!("case {i} of seed {}: {}", args.seed, case.origin);
        let _ = std::io::stdout().write_all(&case.bytes);
    } else {
        supervise(&args);
    }
}

// ---------------------------------------------------------------------------------------
// Worker: runs the stages of the cases it is given, reports on stdout.

/// The last panic seen by the hook: message, location and the cartpk frames of the
/// backtrace.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map_or("unknown location".to_string(), |l| {
            format!("{}:{}:{}", l.file(), l.line(), l.column())
        });
        let message = panic_message(info.payload());
        let bt = std::backtrace::Backtrace::force_capture().to_string();
        let frames: Vec<String> = bt
            .lines()
            .map(str::trim)
            .filter(|l| l.contains("cartpk") && !l.contains("cartpk_fuzz") && !l.starts_with("at "))
            .map(|l| l.split_once(": ").map_or(l, |(_, f)| f).to_string())
            .take(6)
            .collect();
        let text = format!(
            "{message} at {location}; frames: {}",
            if frames.is_empty() {
                "(none from cartpk)".into()
            } else {
                frames.join(" <- ")
            }
        );
        if let Ok(mut last) = LAST_PANIC.lock() {
            // The first panic of a stage is the cause; later ones (rayon re-raising it)
            // are not.
            if last.is_none() {
                *last = Some(text);
            }
        }
    }));
}

/// One line-oriented message; newlines escaped so a message stays on its line.
fn say(out: &mut impl Write, line: &str) {
    let _ = writeln!(out, "{}", line.replace('\n', "\\n"));
    let _ = out.flush();
}

/// Runs `f` as `stage`, reporting begin and end; `None` if it panicked.
fn stage<T>(out: &mut impl Write, stage: Stage, f: impl FnOnce() -> (T, bool)) -> Option<T> {
    say(out, &format!("B {}", stage.name()));
    if let Ok(mut last) = LAST_PANIC.lock() {
        *last = None;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok((v, clean)) => {
            say(
                out,
                &format!("E {} {}", stage.name(), if clean { "ok" } else { "err" }),
            );
            Some(v)
        }
        Err(payload) => {
            let text = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut l| l.take())
                .unwrap_or_else(|| panic_message(&*payload));
            say(out, &format!("E {} panic {text}", stage.name()));
            None
        }
    }
}

/// All stages of one case; stops at the first panic.
fn run_case(out: &mut impl Write, case: &Case, variant: u64) {
    let bytes = &case.bytes;
    let options = stages::ingest_options(bytes, variant);
    stage(out, Stage::Subjects, || {
        ((), stages::subjects(bytes, options.delimiter))
    });
    let Some(Some(data)) = stage(out, Stage::Ingest, || {
        let d = stages::ingest(bytes, &options);
        let ok = d.is_some();
        (d, ok)
    }) else {
        return;
    };
    // Work done, so that the counts show the later stages are reached with real data.
    say(out, &format!("W ingest {}", data.profiles.len()));
    let Some(nca) = stage(out, Stage::Nca, || {
        let r = stages::nca(&data.profiles);
        (r, true)
    }) else {
        return;
    };
    say(
        out,
        &format!("W nca {}", nca.iter().filter(|r| r.is_ok()).count()),
    );
    let patients = stages::patients(&data.profiles, stages::MAX_PATIENTS);
    let idx: Vec<usize> = patients
        .iter()
        .flat_map(|(_, i)| i.iter().copied())
        .collect();
    let Some(fits) = stage(out, Stage::Fit, || {
        let f = stages::fit(&data.profiles, &idx);
        (f, true)
    }) else {
        return;
    };
    say(out, &format!("W fit {}", fits.iter().flatten().count()));
    if let Some(drawn) = stage(out, Stage::Plot, || {
        let mut drawn = 0;
        let mut wanted = 0;
        for (s, i) in &patients {
            let plot = stages::patient_plot(s, i, &data.profiles, &nca, &fits);
            drawn += stages::render_both(&plot);
            wanted += 2;
        }
        (drawn, drawn == wanted)
    }) {
        say(out, &format!("W plot {drawn}"));
    }
}

fn worker() {
    install_panic_hook();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let mut parts = line.split_whitespace();
        let (Some(Ok(seed)), Some(Ok(index))) = (
            parts.next().map(str::parse::<u64>),
            parts.next().map(str::parse::<u64>),
        ) else {
            say(&mut out, &format!("X bad request '{line}'"));
            continue;
        };
        run_case(&mut out, &make_case(seed, index), index);
        say(&mut out, "D");
    }
}

fn replay(path: &PathBuf, variant: u64) {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
    };
    install_panic_hook();
    let case = Case {
        bytes,
        origin: path.display().to_string(),
    };
    let mut out = std::io::stdout().lock();
    run_case(&mut out, &case, variant);
}

// ---------------------------------------------------------------------------------------
// Supervisor.

/// A running worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Worker {
    fn spawn() -> std::io::Result<Worker> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .arg("--worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take().expect("stdin was piped");
        let stdout = child.stdout.take().expect("stdout was piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines: rx,
        })
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts of one stage.
#[derive(Default, Clone, Copy)]
struct Counts {
    executions: u64,
    ok: u64,
    clean_errors: u64,
    panics: u64,
    hangs: u64,
    /// Profiles read (ingest), analysed (nca, default options), fitted (fit), figures
    /// drawn (plot).
    work: u64,
}

/// A distinct defect: first reproducer and how often it was hit.
struct Finding {
    stage: Stage,
    kind: &'static str,
    detail: String,
    first_case: u64,
    origin: String,
    hits: u64,
    file: PathBuf,
}

struct Tally {
    counts: BTreeMap<Stage, Counts>,
    findings: BTreeMap<(Stage, &'static str, String), Finding>,
    cases: u64,
    restarts: u64,
}

/// The signature of a panic for de-duplication: its message up to the location.
fn signature(detail: &str) -> String {
    match detail.split_once("; frames:") {
        Some((head, _)) => head
            .rsplit_once(" at ")
            .map_or(head, |(_, loc)| loc)
            .to_string(),
        None => detail.to_string(),
    }
}

impl Tally {
    fn record(
        &mut self,
        args: &Args,
        index: u64,
        case: &Case,
        stage: Stage,
        kind: &'static str,
        detail: String,
    ) {
        let sig = if kind == "hang" {
            // The innermost frame of the busy thread, when gdb gave one (`floor`, `round`
            // and other leaf functions without a path are skipped).
            detail
                .split_once("frames: ")
                .and_then(|(_, f)| f.split(" <- ").find(|fr| fr.contains("::")))
                .unwrap_or("timeout")
                .to_string()
        } else {
            signature(&detail)
        };
        let n = self.findings.len();
        let entry = self
            .findings
            .entry((stage, kind, sig))
            .or_insert_with(|| {
                let file = args
                    .findings
                    .join(format!("{}-{kind}-{n:03}-seed{}-case{index}.csv", stage.name(), args.seed));
                let _ = std::fs::create_dir_all(&args.findings);
                let _ = std::fs::write(&file, &case.bytes);
                let _ = std::fs::write(
                    file.with_extension("txt"),
                    format!(
                        "stage: {}\nkind: {kind}\nseed: {} case: {index} (options variant {})\norigin: {}\ndetail: {detail}\n",
                        stage.name(),
                        args.seed,
                        index % 6,
                        case.origin
                    ),
                );
                eprintln!(
                    "NEW {kind} in {}: case {index} ({}) -> {}\n    {detail}",
                    stage.name(),
                    case.origin,
                    file.display()
                );
                Finding {
                    stage,
                    kind,
                    detail: detail.clone(),
                    first_case: index,
                    origin: case.origin.clone(),
                    hits: 0,
                    file,
                }
            });
        entry.hits += 1;
    }

    fn print(&self, elapsed: Duration, out: &mut impl Write) {
        let _ = writeln!(
            out,
            "after {:.1} min: {} cases, {} worker restarts",
            elapsed.as_secs_f64() / 60.0,
            self.cases,
            self.restarts
        );
        let _ = writeln!(
            out,
            "| stage | executions | handled (result) | handled (clean error) | panics | hangs | work done |"
        );
        let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        for s in Stage::ALL {
            let c = self.counts.get(&s).copied().unwrap_or_default();
            let work = match s {
                Stage::Ingest => format!("{} profiles read", c.work),
                Stage::Subjects => String::new(),
                Stage::Nca => format!("{} profiles analysed (x5 option sets)", c.work),
                Stage::Fit => format!("{} profiles fitted", c.work),
                Stage::Plot => format!("{} figures drawn", c.work),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {work} |",
                s.name(),
                c.executions,
                c.ok,
                c.clean_errors,
                c.panics,
                c.hangs
            );
        }
    }

    fn print_findings(&self, out: &mut impl Write) {
        let _ = writeln!(out, "{} distinct findings", self.findings.len());
        for f in self.findings.values() {
            let _ = writeln!(
                out,
                "- {} {} x{} (first: case {}, {}; {})\n    {}",
                f.stage.name(),
                f.kind,
                f.hits,
                f.first_case,
                f.origin,
                f.file.display(),
                f.detail
            );
        }
    }
}

/// The stack of the busy thread of a hung worker, innermost first, from gdb (when on the
/// PATH): the thread that runs cartpk code, function names without their hashes.
fn stack_of(pid: u32) -> Option<String> {
    let mut child = Command::new("gdb")
        .args([
            "-p",
            &pid.to_string(),
            "-batch",
            "-ex",
            "thread apply all bt 30",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let t0 = Instant::now();
    while child.try_wait().ok()?.is_none() {
        if t0.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = reader.join().ok()?;
    let function = |line: &str| -> Option<String> {
        let f = line.split_once(" in ").map_or(line, |(_, f)| f);
        let f = f.split(" (").next()?.trim();
        // Drop the `::h0123456789abcdef` hash of a mangled name.
        let f = match f.rfind("::h") {
            Some(i) if f.len() - i == 19 => &f[..i],
            _ => f,
        };
        Some(f.to_string())
    };
    text.split("\nThread ")
        .map(|t| {
            t.lines()
                .filter(|l| l.starts_with('#'))
                .filter_map(function)
                .collect::<Vec<_>>()
        })
        .find(|frames| frames.iter().any(|f| f.contains("cartpk_")))
        .map(|frames| {
            frames
                .into_iter()
                .filter(|f| !f.starts_with("std::") && !f.starts_with("core::"))
                .take(6)
                .collect::<Vec<_>>()
                .join(" <- ")
        })
}

fn supervise(args: &Args) {
    let started = Instant::now();
    let budget = Duration::from_secs_f64(args.minutes * 60.0);
    let mut tally = Tally {
        counts: BTreeMap::new(),
        findings: BTreeMap::new(),
        cases: 0,
        restarts: 0,
    };
    let mut worker: Option<Worker> = None;
    let mut last_report = Instant::now();
    let mut index = args.first_case;
    eprintln!(
        "cartpk-fuzz: seed {}, {} per stage, {}",
        args.seed,
        format_args!("{:.0} s", args.timeout.as_secs_f64()),
        match args.cases {
            Some(n) => format!("{n} cases"),
            None => format!("{} min", args.minutes),
        }
    );
    loop {
        let done = match args.cases {
            Some(n) => index - args.first_case >= n,
            None => started.elapsed() >= budget,
        };
        if done {
            break;
        }
        let case = make_case(args.seed, index);
        let mut w = match worker.take() {
            Some(w) => w,
            None => match Worker::spawn() {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("cartpk-fuzz: cannot start a worker: {e}");
                    std::process::exit(2);
                }
            },
        };
        if writeln!(w.stdin, "{} {index}", args.seed)
            .and_then(|()| w.stdin.flush())
            .is_err()
        {
            eprintln!("cartpk-fuzz: the worker is gone; restarting");
            w.kill();
            tally.restarts += 1;
            continue;
        }
        // Follow the case through its stages.
        let mut current: Option<(Stage, Instant)> = None;
        let mut restart = false;
        loop {
            let wait = match current {
                Some((_, t0)) => args.timeout.saturating_sub(t0.elapsed()),
                None => args.timeout,
            };
            match w.lines.recv_timeout(wait) {
                Ok(line) => {
                    let mut parts = line.splitn(4, ' ');
                    match (parts.next(), parts.next(), parts.next()) {
                        (Some("B"), Some(s), _) => {
                            current = Stage::from_name(s).map(|s| (s, Instant::now()));
                        }
                        (Some("E"), Some(s), Some(how)) => {
                            let Some(stage) = Stage::from_name(s) else {
                                continue;
                            };
                            let c = tally.counts.entry(stage).or_default();
                            c.executions += 1;
                            match how {
                                "ok" => c.ok += 1,
                                "err" => c.clean_errors += 1,
                                _ => {
                                    c.panics += 1;
                                    let detail = parts.next().unwrap_or("").to_string();
                                    tally.record(args, index, &case, stage, "panic", detail);
                                    restart = true;
                                }
                            }
                            current = None;
                        }
                        (Some("W"), Some(s), Some(n)) => {
                            if let (Some(stage), Ok(n)) = (Stage::from_name(s), n.parse::<u64>()) {
                                tally.counts.entry(stage).or_default().work += n;
                            }
                        }
                        (Some("D"), _, _) => break,
                        _ => eprintln!("cartpk-fuzz: worker said '{line}'"),
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let stage = current.map_or(Stage::Ingest, |(s, _)| s);
                    let c = tally.counts.entry(stage).or_default();
                    c.executions += 1;
                    c.hangs += 1;
                    let stack = stack_of(w.child.id());
                    tally.record(
                        args,
                        index,
                        &case,
                        stage,
                        "hang",
                        format!(
                            "still running after {:.0} s; frames: {}",
                            args.timeout.as_secs_f64(),
                            stack.as_deref().unwrap_or("(no stack: gdb not available)")
                        ),
                    );
                    restart = true;
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    // The worker died outside a caught panic (abort, stack overflow, out
                    // of memory): a crash of the stage it was in.
                    let stage = current.map_or(Stage::Ingest, |(s, _)| s);
                    let status = w.child.wait().map(|s| s.to_string()).unwrap_or_default();
                    let c = tally.counts.entry(stage).or_default();
                    c.executions += 1;
                    c.panics += 1;
                    tally.record(
                        args,
                        index,
                        &case,
                        stage,
                        "crash",
                        format!("worker exited: {status}"),
                    );
                    restart = true;
                    break;
                }
            }
        }
        tally.cases += 1;
        index += 1;
        if restart {
            w.kill();
            tally.restarts += 1;
        } else {
            worker = Some(w);
        }
        if last_report.elapsed() >= args.report_every {
            tally.print(started.elapsed(), &mut std::io::stderr());
            last_report = Instant::now();
        }
    }
    if let Some(w) = worker {
        drop(w.stdin);
        let mut child = w.child;
        let _ = child.wait();
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "cartpk-fuzz: seed {}, cases {}..{}, timeout {:.0} s per stage",
        args.seed,
        args.first_case,
        index,
        args.timeout.as_secs_f64()
    );
    tally.print(started.elapsed(), &mut out);
    tally.print_findings(&mut out);
    let bad = tally.counts.values().any(|c| c.panics + c.hangs > 0);
    std::process::exit(if bad { 1 } else { 0 });
}
