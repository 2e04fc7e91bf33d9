//! Running a closure under a time limit on a thread, for tests: a hang fails the test
//! instead of blocking the suite. (The thread cannot be stopped; it is left to spin until
//! the test process exits. The harness binary uses a child process instead.)

use std::time::Duration;

/// How a closure ended.
#[derive(Debug)]
pub enum Ended<T> {
    /// It returned.
    Returned(T),
    /// It panicked, with this message.
    Panicked(String),
    /// It was still running at the deadline.
    TimedOut,
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-text panic payload)".into())
}

/// Runs `f` on a new thread and waits at most `limit`.
pub fn within<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Ended<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => Ended::Returned(v),
        Ok(Err(p)) => Ended::Panicked(panic_message(&*p)),
        Err(_) => Ended::TimedOut,
    }
}
