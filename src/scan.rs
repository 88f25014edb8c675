//! Batch scanning of a JSONL event stream: parse, score in parallel, write verdicts in input
//! order.
//!
//! A reader thread cuts the input into batches of lines; rayon scores each batch across the
//! cores with one [`Scratch`] per worker; the calling thread writes each batch's verdicts
//! before the next. Memory stays bounded by two batches whatever the input size. A line that
//! is not valid UTF-8 or not a valid event is reported with its line number and skipped; the
//! scan goes on.

use std::io::{self, BufRead, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::engine::{Engine, Scratch};
use crate::event::Event;
use crate::verdict::{Action, Category, Verdict};

/// Tuning knobs for [`scan`].
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Lines per batch handed to the workers.
    pub batch_lines: usize,
    /// Longest accepted line in bytes; longer events are reported and skipped.
    pub max_event_bytes: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            batch_lines: 4096,
            max_event_bytes: 1 << 20,
        }
    }
}

/// A line that produced no verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// Totals of a scan, for the human summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub events: u64,
    pub errors: u64,
    /// Index 0 is `ok`, then [`Category::ALL`] order.
    pub by_category: [u64; 5],
    pub by_action: Vec<(Action, u64)>,
    pub elapsed: Duration,
}

impl Summary {
    fn add(&mut self, v: &Verdict) {
        self.events += 1;
        self.by_category[v.category.map_or(0, |c| c.index() + 1)] += 1;
        match self.by_action.iter_mut().find(|(a, _)| *a == v.action) {
            Some((_, n)) => *n += 1,
            None => self.by_action.push((v.action, 1)),
        }
    }

    /// One or two lines for stderr.
    pub fn render(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            self.events as f64 / secs
        } else {
            0.0
        };
        let mut cats = vec![format!("{} ok", self.by_category[0])];
        for c in Category::ALL {
            let n = self.by_category[c.index() + 1];
            if n > 0 {
                cats.push(format!("{n} {c}"));
            }
        }
        let mut actions = self.by_action.clone();
        actions.sort_by_key(|(a, _)| (a.severity(), a.as_str()));
        let actions: Vec<String> = actions.iter().map(|(a, n)| format!("{n} {a}")).collect();
        format!(
            "jaga: {} events in {:.2}s ({:.0}/s): {}; actions: {}; {} line(s) with errors",
            self.events,
            secs,
            rate,
            cats.join(", "),
            if actions.is_empty() {
                "none".to_string()
            } else {
                actions.join(", ")
            },
            self.errors
        )
    }
}

struct Batch {
    first_line: u64,
    data: Vec<u8>,
    /// `(start, end)` of each line in `data`, without the newline.
    lines: Vec<(usize, usize)>,
}

/// Scans `input` and writes one verdict JSON line per valid event to `out`, in input order.
/// Each bad line is passed to `on_error` (and counted) and the scan goes on. The verdicts
/// are also passed to `on_verdict`, e.g. for a review store.
pub fn scan<R, W>(
    engine: &Engine,
    input: R,
    mut out: W,
    opts: &ScanOptions,
    on_error: &mut dyn FnMut(&LineError),
) -> io::Result<Summary>
where
    R: BufRead + Send,
    W: Write,
{
    let started = Instant::now();
    let mut summary = Summary::default();
    let (tx, rx) = mpsc::sync_channel::<io::Result<Batch>>(2);
    let batch_lines = opts.batch_lines.max(1);
    let max_bytes = opts.max_event_bytes;
    let result = std::thread::scope(|scope| -> io::Result<()> {
        scope.spawn(move || read_batches(input, batch_lines, max_bytes, tx));
        let mut buf = Vec::with_capacity(1 << 20);
        for batch in rx {
            let batch = batch?;
            let results: Vec<Result<Option<Verdict>, LineError>> = batch
                .lines
                .par_iter()
                .enumerate()
                .with_min_len(64)
                .map_init(Scratch::new, |scratch, (i, &(s, e))| {
                    score_line(
                        engine,
                        &batch.data[s..e],
                        batch.first_line + i as u64,
                        max_bytes,
                        scratch,
                    )
                })
                .collect();
            buf.clear();
            for r in results {
                match r {
                    Ok(None) => {}
                    Ok(Some(v)) => {
                        summary.add(&v);
                        serde_json::to_writer(&mut buf, &v).map_err(io::Error::other)?;
                        buf.push(b'\n');
                    }
                    Err(e) => {
                        summary.errors += 1;
                        on_error(&e);
                    }
                }
            }
            out.write_all(&buf)?;
        }
        out.flush()
    });
    summary.elapsed = started.elapsed();
    result.map(|()| summary)
}

fn read_batches<R: BufRead>(
    mut input: R,
    batch_lines: usize,
    max_bytes: usize,
    tx: mpsc::SyncSender<io::Result<Batch>>,
) {
    let mut line_no = 0u64;
    loop {
        let mut batch = Batch {
            first_line: line_no + 1,
            data: Vec::with_capacity(batch_lines * 256),
            lines: Vec::with_capacity(batch_lines),
        };
        while batch.lines.len() < batch_lines {
            let start = batch.data.len();
            match read_line_capped(&mut input, &mut batch.data, max_bytes) {
                Ok(0) => break,
                Ok(_) => {
                    line_no += 1;
                    let mut end = batch.data.len();
                    while end > start && matches!(batch.data[end - 1], b'\n' | b'\r') {
                        end -= 1;
                    }
                    batch.lines.push((start, end));
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        let done = batch.lines.len() < batch_lines;
        if !batch.lines.is_empty() && tx.send(Ok(batch)).is_err() {
            return;
        }
        if done {
            return;
        }
    }
}

/// Reads one line; beyond `max` bytes the rest of the line is consumed but not kept, and a
/// single marker byte (0xFF, never valid UTF-8 at a line start) tells the scorer it was cut.
fn read_line_capped<R: BufRead>(
    input: &mut R,
    data: &mut Vec<u8>,
    max: usize,
) -> io::Result<usize> {
    let start = data.len();
    let mut total = 0;
    let mut oversized = false;
    loop {
        let avail = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            break;
        }
        let (chunk, found) = match memchr::memchr(b'\n', avail) {
            Some(i) => (&avail[..=i], true),
            None => (avail, false),
        };
        let n = chunk.len();
        if !oversized {
            if data.len() - start + n > max + 1 {
                oversized = true;
                data.truncate(start);
                data.push(0xFF);
            } else {
                data.extend_from_slice(chunk);
            }
        }
        total += n;
        input.consume(n);
        if found {
            break;
        }
    }
    Ok(total)
}

/// Scores one line; blank lines give `Ok(None)`.
fn score_line(
    engine: &Engine,
    line: &[u8],
    line_no: u64,
    max_bytes: usize,
    scratch: &mut Scratch,
) -> Result<Option<Verdict>, LineError> {
    let err = |message: String| LineError {
        line: line_no,
        message,
    };
    if line.first() == Some(&0xFF) && line.len() == 1 {
        return Err(err(format!(
            "event is longer than {max_bytes} bytes; skipped (raise --max-event-bytes to score it)"
        )));
    }
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let text = std::str::from_utf8(line).map_err(|e| {
        err(format!(
            "not valid UTF-8 at byte {}; re-encode the file as UTF-8",
            e.valid_up_to()
        ))
    })?;
    let event: Event =
        serde_json::from_str(text).map_err(|e| err(format!("not a valid event: {e}")))?;
    Ok(Some(engine.evaluate(&event, scratch)))
}

/// Writes a line error the way the CLI reports it.
pub fn format_error(source: &str, e: &LineError) -> String {
    format!("{source}:{}: {}", e.line, e.message)
}
