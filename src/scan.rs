//! Batch scanning: read inputs of any format, score in parallel, write verdicts in input
//! order.
//!
//! A reader thread runs the [`jaga_export`] readers (JSONL, WhatsApp, Telegram, zip) and
//! cuts what they produce into batches: raw JSONL lines, already parsed export events, and
//! diagnostics, in input order. rayon scores each batch across the cores with one
//! [`Scratch`] per worker (JSONL lines are parsed there too, and verdicts are serialised
//! there); the calling thread writes each batch's verdicts before the next and tells an
//! [`Observer`] (report, progress bar) about each one. Memory stays bounded by a few
//! batches whatever the input size. A bad line or message is reported with its file and
//! line and the scan goes on.

use std::io::{self, BufRead, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use jaga_core::event::Event;
use jaga_core::state::{key, now_ms, Arrival};
use jaga_core::verdict::{Action, Category, Verdict};
use jaga_core::{Detector, ScratchPool};
use jaga_export::{
    self, DateOrder, Diagnostic, Format, InputStats, Level, Origin, ReadOptions, Sink, Source,
    Stop, TimeZone,
};

/// Tuning knobs for [`scan`] and [`scan_inputs`].
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Events (or lines) per batch handed to the workers.
    pub batch_lines: usize,
    /// Longest accepted line or message in bytes; longer events are reported and skipped.
    pub max_event_bytes: usize,
    /// Forces an input format instead of recognising it from the content.
    pub format: Option<Format>,
    /// Forces the WhatsApp date order instead of inferring it from each file.
    pub date_order: Option<DateOrder>,
    /// The `group` of events read from exports (default: the chat's name).
    pub group: Option<String>,
    /// The zone of the exports' local times.
    pub tz: TimeZone,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            batch_lines: 4096,
            max_event_bytes: 1 << 20,
            format: None,
            date_order: None,
            group: None,
            tz: TimeZone::default(),
        }
    }
}

/// Text bytes per batch before it is sent on, whatever its event count.
const BATCH_BYTES: usize = 8 << 20;

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
    /// Diagnostics of level error: lines or messages that got no verdict.
    pub errors: u64,
    pub warnings: u64,
    /// Index 0 is `ok`, then [`Category::ALL`] order.
    pub by_category: [u64; 5],
    pub by_action: Vec<(Action, u64)>,
    pub elapsed: Duration,
    /// What each input held (exports: messages, joins, system lines...).
    pub inputs: Vec<InputStats>,
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

    /// A few lines for stderr.
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
        let mut s = format!(
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
        );
        if self.warnings > 0 {
            s.push_str(&format!(", {} warning(s)", self.warnings));
        }
        for i in self.inputs.iter().filter(|i| i.format != "jsonl") {
            s.push_str("\njaga: ");
            s.push_str(&i.render());
        }
        s
    }
}

/// Told about everything a scan produces, in input order, on the calling thread.
pub trait Observer {
    /// An event and its verdict (already written to the output).
    fn scored(&mut self, _event: &Event, _verdict: &Verdict, _origin: &Origin) {}
    /// A problem with the input (errors are counted in the summary).
    fn diagnostic(&mut self, _d: &Diagnostic) {}
    /// An input was read to its end.
    fn input_done(&mut self, _stats: &InputStats) {}
    /// Bytes of input read so far (after each batch).
    fn progress(&mut self, _bytes_read: u64) {}
}

/// Observes nothing.
pub struct NoObserver;
impl Observer for NoObserver {}

/// One output line of `jaga scan`: the verdict's fields, then where the event came from.
#[derive(Serialize)]
pub struct Scanned<'a> {
    #[serde(flatten)]
    pub verdict: &'a Verdict,
    pub origin: &'a Origin,
}

enum Unit {
    /// A raw JSONL line in the batch's `data`.
    Line {
        line: u64,
        start: usize,
        end: usize,
    },
    Event {
        line: u64,
        event: Event,
    },
    Diag(Diagnostic),
}

struct Batch {
    source: Arc<str>,
    data: Vec<u8>,
    units: Vec<Unit>,
    bytes: usize,
    /// Input bytes read when the batch was sent, for progress.
    read: u64,
}

impl Batch {
    fn new(source: Arc<str>) -> Batch {
        Batch {
            source,
            data: Vec::new(),
            units: Vec::new(),
            bytes: 0,
            read: 0,
        }
    }
}

enum Msg {
    Batch(Batch),
    Done(InputStats),
}

/// A scored batch on its way to the writer.
enum Scored {
    Batch {
        source: Arc<str>,
        outcomes: Vec<Outcome>,
        read: u64,
    },
    Done(InputStats),
}

/// The reader thread's [`Sink`]: cuts what the readers produce into batches.
struct Batcher {
    tx: mpsc::SyncSender<Msg>,
    batch: Batch,
    max_units: usize,
    counter: Arc<AtomicU64>,
}

impl Batcher {
    fn flush(&mut self) -> Result<(), Stop> {
        if self.batch.units.is_empty() {
            return Ok(());
        }
        let source = self.batch.source.clone();
        let mut b = std::mem::replace(&mut self.batch, Batch::new(source));
        b.read = self.counter.load(Ordering::Relaxed);
        self.tx.send(Msg::Batch(b)).map_err(|_| Stop)
    }

    fn push(&mut self, unit: Unit, bytes: usize) -> Result<(), Stop> {
        self.batch.units.push(unit);
        self.batch.bytes += bytes;
        if self.batch.units.len() >= self.max_units || self.batch.bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }
}

impl Sink for Batcher {
    fn begin(&mut self, source: Arc<str>) -> Result<(), Stop> {
        self.flush()?;
        self.batch.source = source;
        Ok(())
    }

    fn event(&mut self, line: u64, event: Event) -> Result<(), Stop> {
        let bytes = event.text.len() + event.name.len() + 64;
        self.push(Unit::Event { line, event }, bytes)
    }

    fn line(&mut self, line: u64, bytes: &[u8]) -> Result<(), Stop> {
        let start = self.batch.data.len();
        self.batch.data.extend_from_slice(bytes);
        let end = self.batch.data.len();
        self.push(Unit::Line { line, start, end }, bytes.len())
    }

    fn diagnostic(&mut self, line: Option<u64>, level: Level, message: String) -> Result<(), Stop> {
        let d = Diagnostic {
            file: self.batch.source.clone(),
            line,
            level,
            message,
        };
        self.push(Unit::Diag(d), 0)
    }

    fn end(&mut self, stats: InputStats) -> Result<(), Stop> {
        self.flush()?;
        self.tx.send(Msg::Done(stats)).map_err(|_| Stop)
    }
}

// Nearly every outcome is `Scored`: boxing it would only add an allocation per event.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Skip,
    /// Parsed, not scored yet.
    Parsed {
        line: u64,
        event: Event,
    },
    /// The serialised verdict line (with its newline), the event and the verdict.
    Scored {
        line: u64,
        json: Vec<u8>,
        event: Event,
        verdict: Verdict,
    },
    Diag(Diagnostic),
}

/// Scans every input in order and writes one verdict JSON line (with `origin`) per event
/// to `out`. Diagnostics go to the observer and are counted; the scan goes on.
///
/// Each input is read from the one handle it was opened with ([`jaga_export::Input::open`]), so pipes,
/// FIFOs and process substitutions are read exactly once.
pub fn scan_inputs<W: Write>(
    detector: &Detector,
    inputs: Vec<Source<'_>>,
    out: W,
    opts: &ScanOptions,
    observer: &mut dyn Observer,
) -> io::Result<Summary> {
    run(
        detector,
        |read_opts, sink| {
            for input in inputs {
                jaga_export::read_source(input, read_opts, sink)?;
            }
            Ok(())
        },
        out,
        opts,
        true,
        observer,
    )
}

/// Scans a JSONL stream and writes one verdict JSON line per valid event to `out`, in input
/// order (without `origin`: the caller knows its stream). Each bad line is passed to
/// `on_error` (and counted) and the scan goes on.
pub fn scan<R, W>(
    detector: &Detector,
    input: R,
    out: W,
    opts: &ScanOptions,
    on_error: &mut dyn FnMut(&LineError),
) -> io::Result<Summary>
where
    R: BufRead + Send,
    W: Write,
{
    struct Errors<'a>(&'a mut dyn FnMut(&LineError));
    impl Observer for Errors<'_> {
        fn diagnostic(&mut self, d: &Diagnostic) {
            if d.level == Level::Error {
                (self.0)(&LineError {
                    line: d.line.unwrap_or(0),
                    message: d.message.clone(),
                });
            }
        }
    }
    run(
        detector,
        move |read_opts, sink| {
            if sink.begin("".into()).is_err() {
                return Ok(());
            }
            let mut stats = InputStats::new(
                "".into(),
                Format::Jsonl,
                jaga_export::decode::Encoding::Utf8,
            );
            match jaga_export::jsonl::read(input, read_opts.max_event_bytes, &mut stats, sink) {
                Ok(()) => {
                    let _ = sink.end(stats);
                    Ok(())
                }
                Err(jaga_export::ReadError::Stop) => Ok(()),
                Err(jaga_export::ReadError::Io(e)) => Err(e),
            }
        },
        out,
        opts,
        false,
        &mut Errors(on_error),
    )
}

fn run<W, P>(
    detector: &Detector,
    produce: P,
    mut out: W,
    opts: &ScanOptions,
    with_origin: bool,
    observer: &mut dyn Observer,
) -> io::Result<Summary>
where
    W: Write,
    P: FnOnce(&ReadOptions, &mut dyn Sink) -> io::Result<()> + Send,
{
    let started = Instant::now();
    let mut summary = Summary::default();
    let counter = Arc::new(AtomicU64::new(0));
    let read_opts = ReadOptions {
        format: opts.format,
        date_order: opts.date_order,
        group: opts.group.clone(),
        max_event_bytes: opts.max_event_bytes,
        tz: opts.tz.clone(),
        progress: Some(counter.clone()),
    };
    let max_bytes = opts.max_event_bytes;
    let (tx, rx) = mpsc::sync_channel::<Msg>(2);
    let (err_tx, err_rx) = mpsc::sync_channel::<io::Error>(1);
    let mut batcher = Batcher {
        tx,
        batch: Batch::new("".into()),
        max_units: opts.batch_lines.max(1),
        counter,
    };
    let result = std::thread::scope(|scope| -> io::Result<()> {
        scope.spawn(move || {
            let r = produce(&read_opts, &mut batcher);
            let _ = batcher.flush();
            if let Err(e) = r {
                let _ = err_tx.send(e);
            }
        });
        // Scoring runs on its own thread so the next batch is scored while this thread
        // writes and observes the previous one.
        let (scored_tx, scored_rx) = mpsc::sync_channel::<Scored>(2);
        scope.spawn(move || {
            // Kept from batch to batch: see `ScratchPool`.
            let scratches = ScratchPool::default();
            for msg in rx {
                let scored = match msg {
                    Msg::Done(stats) => Scored::Done(stats),
                    Msg::Batch(batch) => {
                        let Batch {
                            source,
                            data,
                            units,
                            read,
                            ..
                        } = batch;
                        let outcomes = score_batch(
                            detector,
                            &scratches,
                            units,
                            &data,
                            &source,
                            max_bytes,
                            with_origin,
                        );
                        Scored::Batch {
                            source,
                            outcomes,
                            read,
                        }
                    }
                };
                if scored_tx.send(scored).is_err() {
                    return;
                }
            }
        });
        let mut buf = Vec::with_capacity(1 << 20);
        for scored in scored_rx {
            let (source, outcomes, read) = match scored {
                Scored::Batch {
                    source,
                    outcomes,
                    read,
                } => (source, outcomes, read),
                Scored::Done(stats) => {
                    observer.input_done(&stats);
                    summary.inputs.push(stats);
                    continue;
                }
            };
            buf.clear();
            for o in outcomes {
                match o {
                    Outcome::Skip | Outcome::Parsed { .. } => {}
                    Outcome::Scored {
                        line,
                        json,
                        event,
                        verdict,
                    } => {
                        summary.add(&verdict);
                        buf.extend_from_slice(&json);
                        let origin = Origin {
                            file: source.clone(),
                            line,
                        };
                        observer.scored(&event, &verdict, &origin);
                    }
                    Outcome::Diag(d) => {
                        match d.level {
                            Level::Error => summary.errors += 1,
                            Level::Warning => summary.warnings += 1,
                        }
                        observer.diagnostic(&d);
                    }
                }
            }
            out.write_all(&buf)?;
            observer.progress(read);
        }
        if let Ok(e) = err_rx.try_recv() {
            return Err(e);
        }
        out.flush()
    });
    summary.elapsed = started.elapsed();
    result.map(|()| summary)
}

/// Scores one batch like `jaga serve` scores a request: lines are parsed in parallel, every
/// event arrives at the detector's state in input order (group-level state), then each
/// user's events are checked in order, users in parallel. The verdicts do not depend on
/// the number of threads.
fn score_batch(
    detector: &Detector,
    scratches: &ScratchPool,
    units: Vec<Unit>,
    data: &[u8],
    source: &Arc<str>,
    max_bytes: usize,
    with_origin: bool,
) -> Vec<Outcome> {
    let mut parsed: Vec<Outcome> = units
        .into_par_iter()
        .with_min_len(64)
        .map(|unit| parse_unit(unit, data, source, max_bytes))
        .collect();
    let now = now_ms();
    const BUCKETS: u64 = 64;
    let mut buckets: Vec<Vec<(usize, Event, Arrival)>> = (0..BUCKETS).map(|_| Vec::new()).collect();
    for (i, o) in parsed.iter_mut().enumerate() {
        if let Outcome::Parsed { event, .. } = o {
            let event = std::mem::take(event);
            let arrival = detector.arrive(&event, now);
            let b = key(&[&event.community, &event.user]) % BUCKETS;
            buckets[b as usize].push((i, event, arrival));
        }
    }
    let scored: Vec<(usize, Outcome)> = buckets
        .into_par_iter()
        .map_init(
            || scratches.take(),
            |scratch, bucket| {
                bucket
                    .into_iter()
                    .map(|(i, event, arrival)| {
                        let line = match &parsed[i] {
                            Outcome::Parsed { line, .. } => *line,
                            _ => 0,
                        };
                        let verdict = detector.check_arrived(&event, arrival, scratch);
                        (
                            i,
                            verdict_outcome(line, event, verdict, source, with_origin),
                        )
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten()
        .collect();
    for (i, o) in scored {
        parsed[i] = o;
    }
    parsed
}

/// A unit of a batch as an event, a line to skip or a diagnostic.
fn parse_unit(unit: Unit, data: &[u8], source: &Arc<str>, max_bytes: usize) -> Outcome {
    match unit {
        Unit::Diag(d) => Outcome::Diag(d),
        Unit::Event { line, event } => Outcome::Parsed { line, event },
        Unit::Line { line, start, end } => match parse_line(&data[start..end], line, max_bytes) {
            Ok(None) => Outcome::Skip,
            Ok(Some(event)) => Outcome::Parsed { line, event },
            Err(e) => Outcome::Diag(Diagnostic {
                file: source.clone(),
                line: Some(e.line),
                level: Level::Error,
                message: e.message,
            }),
        },
    }
}

fn verdict_outcome(
    line: u64,
    event: Event,
    verdict: Verdict,
    source: &Arc<str>,
    with_origin: bool,
) -> Outcome {
    let mut json = Vec::with_capacity(256);
    let written = if with_origin {
        let origin = Origin {
            file: source.clone(),
            line,
        };
        serde_json::to_writer(
            &mut json,
            &Scanned {
                verdict: &verdict,
                origin: &origin,
            },
        )
    } else {
        serde_json::to_writer(&mut json, &verdict)
    };
    if let Err(e) = written {
        return Outcome::Diag(Diagnostic {
            file: source.clone(),
            line: Some(line),
            level: Level::Error,
            message: format!("verdict could not be written: {e}"),
        });
    }
    json.push(b'\n');
    Outcome::Scored {
        line,
        json,
        event,
        verdict,
    }
}

/// Parses one JSONL line; blank lines give `Ok(None)`.
fn parse_line(line: &[u8], line_no: u64, max_bytes: usize) -> Result<Option<Event>, LineError> {
    jaga_export::jsonl::parse_event(line, max_bytes).map_err(|message| LineError {
        line: line_no,
        message,
    })
}

/// Writes a line error the way the CLI reports it.
pub fn format_error(source: &str, e: &LineError) -> String {
    format!("{source}:{}: {}", e.line, e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Detector {
        Detector::from_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
            .expect("shipped rules load")
    }

    #[test]
    fn jsonl_streams_keep_order_and_report_bad_lines() {
        let input =
            b"{\"id\":\"a\",\"text\":\"halo\"}\nnot json\n\n{\"id\":\"b\",\"text\":\"lagi\"}";
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let opts = ScanOptions {
            batch_lines: 1,
            ..ScanOptions::default()
        };
        let s = scan(&engine(), &input[..], &mut out, &opts, &mut |e| {
            errors.push(e.clone())
        })
        .unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let ids: Vec<&str> = lines.iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(
            lines.iter().all(|v| v.get("origin").is_none()),
            "no origin from scan()"
        );
        assert_eq!((s.events, s.errors), (2, 1));
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.starts_with("not a valid event"));
    }

    #[test]
    fn exports_and_jsonl_in_one_scan_carry_their_origin() {
        let dir = tempfile::tempdir().unwrap();
        let wa = dir.path().join("chat.txt");
        std::fs::write(
            &wa,
            "26/11/20 23.10 - Rina: halo\n26/11/20 23.11 - Budi telah bergabung menggunakan tautan undangan grup ini\n26/11/20 23.12 - Budi: halo kak\n",
        )
        .unwrap();
        let jl = dir.path().join("events.jsonl");
        std::fs::write(&jl, "{\"id\":\"x\",\"text\":\"hai\"}\n").unwrap();
        let mut out = Vec::new();
        struct Seen(Vec<(String, u64, Option<u64>)>);
        impl Observer for Seen {
            fn scored(&mut self, e: &Event, _v: &Verdict, o: &Origin) {
                self.0.push((o.file.to_string(), o.line, e.member_messages));
            }
        }
        let mut seen = Seen(Vec::new());
        let inputs = vec![
            jaga_export::Input::Path(wa.clone()).open().unwrap(),
            jaga_export::Input::Path(jl.clone()).open().unwrap(),
        ];
        let s = scan_inputs(
            &engine(),
            inputs,
            &mut out,
            &ScanOptions::default(),
            &mut seen,
        )
        .unwrap();
        assert_eq!(s.events, 4);
        assert_eq!(s.inputs.len(), 2);
        let (wa, jl) = (wa.display().to_string(), jl.display().to_string());
        assert_eq!(
            seen.0,
            [
                (wa.clone(), 1, None),
                (wa.clone(), 2, None),
                (wa.clone(), 3, Some(0)),
                (jl.clone(), 1, None)
            ]
        );
        let text = String::from_utf8(out).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["origin"], serde_json::json!({"file": jl, "line": 1}));
    }
}
