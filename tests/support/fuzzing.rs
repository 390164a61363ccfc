//! What the fuzz tests share (`tests/fuzz.rs` for the SQL front ends,
//! `tests/fuzz_loader.rs` for the project loader): the case count, edits
//! of real inputs, and running one input on a worker thread that reports a
//! panic or a hang instead of taking the test binary down.

use std::sync::mpsc;
use std::time::Duration;

/// Far above any real parse or load of a fuzz input (milliseconds): only a
/// hang or runaway backtracking gets near it.
pub const HANG_BUDGET: Duration = Duration::from_secs(10);

/// `FUSIONC_FUZZ_CASES`, or `default` when it is unset or not a number.
pub fn case_count(default: u32) -> u32 {
    std::env::var("FUSIONC_FUZZ_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// One edit of a real input. Positions are taken modulo the text's length
/// and moved back to a character boundary.
#[derive(Clone, Debug)]
pub enum Mutation {
    Insert { at: usize, piece: String },
    Delete { at: usize, length: usize },
    Truncate { at: usize },
    Duplicate { at: usize, length: usize, to: usize },
}

/// `position` modulo the text's length plus one, moved back to the start
/// of the character it falls in.
pub fn boundary(text: &str, position: usize) -> usize {
    let mut position = if text.is_empty() {
        0
    } else {
        position % (text.len() + 1)
    };
    while !text.is_char_boundary(position) {
        position -= 1;
    }
    position
}

/// Applies one edit to `text`.
pub fn apply_mutation(text: &mut String, mutation: &Mutation) {
    match mutation {
        Mutation::Insert { at, piece } => {
            let at = boundary(text, *at);
            text.insert_str(at, piece);
        }
        Mutation::Delete { at, length } => {
            let start = boundary(text, *at);
            let end = boundary(text, (start + length).min(text.len()));
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Truncate { at } => {
            let at = boundary(text, *at);
            text.truncate(at);
        }
        Mutation::Duplicate { at, length, to } => {
            let start = boundary(text, *at);
            let end = boundary(text, (start + length).min(text.len())).max(start);
            let span = text[start..end].to_string();
            let to = boundary(text, *to);
            text.insert_str(to, &span);
        }
    }
}

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Why a worker gave no result.
#[derive(Debug)]
pub enum WorkerFailure {
    /// It panicked, with this message.
    Panicked(String),
    /// It ran past [`HANG_BUDGET`]; it is left running, since a hung
    /// thread cannot be stopped, and the test fails anyway.
    Hung,
    /// It ended without an answer, or could not be started.
    Died(String),
}

impl std::fmt::Display for WorkerFailure {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerFailure::Panicked(message) => write!(formatter, "panicked ({message})"),
            WorkerFailure::Hung => {
                write!(formatter, "ran longer than {HANG_BUDGET:?} (a hang)")
            }
            WorkerFailure::Died(reason) => write!(formatter, "worker died: {reason}"),
        }
    }
}

/// Runs `work` on a thread named `name` and waits at most [`HANG_BUDGET`]
/// for it. The caller vouches that `work` leaves nothing half-updated that
/// a later case could see when it panics.
pub fn run_with_budget<T: Send + 'static>(
    name: String,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WorkerFailure> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = sender.send(outcome.map_err(|payload| panic_message(&*payload)));
        })
        .map_err(|error| WorkerFailure::Died(format!("cannot start a worker thread: {error}")))?;
    match receiver.recv_timeout(HANG_BUDGET) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(message)) => Err(WorkerFailure::Panicked(message)),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(WorkerFailure::Hung),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(WorkerFailure::Died("no answer".to_string()))
        }
    }
}
