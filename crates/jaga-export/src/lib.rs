//! Exported chat logs as event streams: WhatsApp `.txt` and `.zip` exports, Telegram Desktop
//! JSON and the JSONL event format, recognised from their first bytes.
//!
//! Every reader streams: it holds one message (or one JSONL line) at a time plus per-user
//! join state, never the whole file, and hands each event to a [`Sink`] with the line it
//! starts on. The scan pipeline of `jaga scan` is one such sink; [`read_all`] collects into
//! memory for tests and small files.
//!
//! ```text
//! file -> zip? (zip.rs) -> encoding (decode.rs) -> detect -> whatsapp.rs | telegram.rs | jsonl.rs -> Sink
//! ```

pub mod decode;
pub mod jsonl;
pub mod source;
pub mod synth;
pub mod telegram;
pub mod tz;
pub mod whatsapp;
pub mod zip;

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use decode::{Encoding, Utf16ToUtf8};
use jaga_core::event::Event;
use source::{read_full, At, Counting, Handle, RandomAccess};
pub use source::{Input, Source, MAX_STREAMED_ZIP};
pub use tz::{TimeZone, DEFAULT_TZ};
pub use whatsapp::DateOrder;

/// Bytes looked at to recognise an encoding and a format.
const HEAD_BYTES: usize = 64 * 1024;
/// Buffer of the text readers.
const READ_BUFFER: usize = 1 << 20;

/// The input formats `jaga scan` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One event per line, the engine's input contract.
    Jsonl,
    /// A WhatsApp chat export (`.txt`, or the `.txt` inside a `.zip`).
    WhatsApp,
    /// A Telegram Desktop JSON export (one chat, a batch, or a whole account).
    Telegram,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::WhatsApp => "whatsapp",
            Format::Telegram => "telegram",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "jsonl" => Ok(Format::Jsonl),
            "whatsapp" => Ok(Format::WhatsApp),
            "telegram" => Ok(Format::Telegram),
            _ => Err(format!(
                "unknown format `{s}`; use auto, jsonl, whatsapp or telegram"
            )),
        }
    }
}

/// Where an event came from: the file as named on the command line (`<stdin>` for standard
/// input, `chat.zip/_chat.txt` inside a zip) and the 1-based line its message starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u64,
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Origin", 2)?;
        st.serialize_field("file", &*self.file)?;
        st.serialize_field("line", &self.line)?;
        st.end()
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something was read in a way that may not be what the user expects; nothing was lost.
    Warning,
    /// Part of the input could not be read: it got no verdict. Makes `jaga scan` exit 1.
    Error,
}

/// A problem with the input, for the user: the file, the line, what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: Arc<str>,
    pub line: Option<u64>,
    pub level: Level,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: ", self.file)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if self.level == Level::Warning {
            f.write_str("warning: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The receiver stopped (e.g. its output closed); the reader should return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// Where readers put what they read, in input order.
pub trait Sink {
    /// A new input starts; every later call belongs to it until the next `begin`.
    fn begin(&mut self, source: Arc<str>) -> Result<(), Stop>;
    /// An event read from an export, with the line it starts on.
    fn event(&mut self, line: u64, event: Event) -> Result<(), Stop>;
    /// A raw JSONL line, parsed later (in parallel, by the scan workers).
    fn line(&mut self, line: u64, bytes: &[u8]) -> Result<(), Stop>;
    fn diagnostic(&mut self, line: Option<u64>, level: Level, message: String) -> Result<(), Stop>;
    /// The current input is done.
    fn end(&mut self, stats: InputStats) -> Result<(), Stop>;
}

/// How many lines, messages, joins... an export holds: what a reader counted
/// ([`InputStats`]), or what the synthetic generator wrote ([`synth::Written`]), so a test
/// compares the two in one step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Lines (JSONL, WhatsApp) or message objects (Telegram) read.
    pub lines: u64,
    /// Message events produced.
    pub messages: u64,
    /// Join events produced (one per joined user).
    pub joins: u64,
    /// System lines or service messages that are not joins (left, removed, created, ...).
    pub system: u64,
    /// Deleted messages (no text to score; they still count as the sender's messages).
    pub deleted: u64,
    /// Messages that were media (with or without a file name).
    pub media: u64,
}

/// What was read from one input, for the summary and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputStats {
    #[serde(serialize_with = "ser_arc")]
    pub source: Arc<str>,
    pub format: &'static str,
    pub encoding: &'static str,
    /// What the input held.
    #[serde(flatten)]
    pub counts: Counts,
    /// The day/month order used for WhatsApp dates.
    pub date_order: Option<&'static str>,
    /// The zone local times were read in (WhatsApp).
    pub time_zone: Option<String>,
}

fn ser_arc<S: Serializer>(a: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a)
}

impl InputStats {
    pub fn new(source: Arc<str>, format: Format, encoding: Encoding) -> InputStats {
        InputStats {
            source,
            format: format.as_str(),
            encoding: encoding.as_str(),
            counts: Counts::default(),
            date_order: None,
            time_zone: None,
        }
    }

    /// One line for the scan summary.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{}: {} ({}), {} messages, {} joins, {} system, {} deleted, {} media",
            self.source,
            self.format,
            self.encoding,
            self.counts.messages,
            self.counts.joins,
            self.counts.system,
            self.counts.deleted,
            self.counts.media
        );
        if let Some(o) = self.date_order {
            s.push_str(&format!(", dates read as {o}"));
        }
        if let Some(tz) = &self.time_zone {
            s.push_str(&format!(", times in {tz}"));
        }
        s
    }
}

/// How to read the inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Forces a format instead of recognising it.
    pub format: Option<Format>,
    /// Forces the WhatsApp date order instead of inferring it from the whole file.
    pub date_order: Option<DateOrder>,
    /// The `group` of every event from an export (default: the chat's name).
    pub group: Option<String>,
    /// Longest event kept, in bytes; longer lines/messages are reported and skipped or cut.
    pub max_event_bytes: usize,
    /// The zone of the exports' local times (WhatsApp headers, Telegram `date` without
    /// `date_unixtime`); events carry UTC.
    pub tz: TimeZone,
    /// Bytes of input read so far, for a progress bar.
    pub progress: Option<Arc<AtomicU64>>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            date_order: None,
            group: None,
            max_event_bytes: 1 << 20,
            tz: TimeZone::default(),
            progress: None,
        }
    }
}

/// Per-user join state, so messages after a join carry `member_messages` and `joined_at`.
///
/// Only users whose join is in the export are tracked: for anyone else the export may start
/// after they joined, so their message count is unknown and stays `None` (a `first_message`
/// rule must not fire on every member's first line of an export).
#[derive(Debug, Default)]
pub(crate) struct Members {
    map: HashMap<String, Member>,
}

#[derive(Debug, Clone, Copy)]
struct Member {
    joined_at: Option<i64>,
    messages: u64,
}

impl Members {
    pub(crate) fn joined(&mut self, user: &str, ts: Option<i64>) {
        let m = Member {
            joined_at: ts,
            messages: 0,
        };
        match self.map.get_mut(user) {
            Some(old) => *old = m,
            None => {
                self.map.insert(user.to_string(), m);
            }
        }
    }

    /// Counts a message by `user`; returns the messages before it and the join time, when
    /// the join was seen.
    pub(crate) fn message(&mut self, user: &str) -> Option<(u64, Option<i64>)> {
        let m = self.map.get_mut(user)?;
        let before = m.messages;
        m.messages += 1;
        Some((before, m.joined_at))
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }
}

/// Recognises the format from the first bytes of the (UTF-8) text.
pub fn detect(head: &[u8]) -> Option<Format> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if head[0] == b'{' {
        return Some(detect_json(head));
    }
    let mut lines = 0;
    for line in head.split(|&b| b == b'\n') {
        if whatsapp::looks_like_header(line) {
            return Some(Format::WhatsApp);
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines += 1;
            if lines >= 32 {
                break;
            }
        }
    }
    None
}

/// JSONL has a whole event on its first line; a Telegram export is one big object, usually
/// pretty-printed (`{` alone on the first line) or minified (one line longer than the head).
fn detect_json(head: &[u8]) -> Format {
    let Some(nl) = memchr::memchr(b'\n', head) else {
        return Format::Telegram;
    };
    let first = head[..nl].trim_ascii();
    if first == b"{" {
        return Format::Telegram;
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        messages: Option<serde::de::IgnoredAny>,
        chats: Option<serde::de::IgnoredAny>,
    }
    match serde_json::from_slice::<Probe>(first) {
        Ok(p) if p.messages.is_some() || p.chats.is_some() => Format::Telegram,
        // An object that goes on past its first line (`{"name":"ARMY","messages":[`) with a
        // top-level key of an export; inside a JSON string the quotes would be escaped.
        Err(e) if e.is_eof() && has_export_key(first) => Format::Telegram,
        _ => Format::Jsonl,
    }
}

fn has_export_key(line: &[u8]) -> bool {
    [&b"\"messages\""[..], b"\"chats\""].iter().any(|key| {
        memchr::memmem::find_iter(line, key).any(|i| {
            let after = line[i + key.len()..].trim_ascii_start();
            (i == 0 || line[i - 1] != b'\\') && after.first() == Some(&b':')
        })
    })
}

/// Reads one input into the sink: opens it once (see [`Input::open`]) and reads it.
pub fn read_input(input: &Input, opts: &ReadOptions, sink: &mut dyn Sink) -> io::Result<()> {
    read_source(input.open()?, opts, sink)
}

/// Reads an opened input into the sink. Problems with the content are diagnostics; only an
/// I/O error while reading is returned.
pub fn read_source(source: Source<'_>, opts: &ReadOptions, sink: &mut dyn Sink) -> io::Result<()> {
    let Source { name, handle } = source;
    match handle {
        Handle::File(file) => read_random(name, &file, opts, sink),
        Handle::Bytes(bytes) => read_random(name, &bytes, opts, sink),
        Handle::Deferred(path) => {
            let file = File::open(&path)?;
            read_stream(name, Box::new(file), opts, sink)
        }
        Handle::Stream(r) => read_stream(name, r, opts, sink),
    }
}

/// A file or bytes in memory: sniffed, pre-scanned and read through independent cursors.
fn read_random(
    name: Arc<str>,
    input: &dyn RandomAccess,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut sig = [0u8; 4];
    let n = read_full(&mut At::new(input), &mut sig)?;
    if zip::is_zip(&sig[..n]) {
        return zip::read(name, input, opts, sink);
    }
    let raw = Counting {
        inner: At::new(input),
        counter: opts.progress.as_deref(),
    };
    let mut prescan = || whatsapp::infer_order(decoded(At::new(input))?.0);
    read_text(name, raw, Prescan::Reopen(&mut prescan), None, opts, sink)
}

/// A pipe, FIFO or standard input: read once, with the sniffed head replayed in front.
fn read_stream(
    name: Arc<str>,
    r: Box<dyn Read + Send + '_>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut r = Counting {
        inner: r,
        counter: opts.progress.as_deref(),
    };
    let mut sig = [0u8; 4];
    let n = read_full(&mut r, &mut sig)?;
    if !zip::is_zip(&sig[..n]) {
        let raw = Cursor::new(&sig[..n]).chain(r);
        return read_text(name, raw, Prescan::Lookahead, None, opts, sink);
    }
    // A zip's directory is at its end: hold the whole zip in memory, up to a limit.
    let mut all = sig.to_vec();
    (&mut r)
        .take(MAX_STREAMED_ZIP + 1 - all.len() as u64)
        .read_to_end(&mut all)?;
    if all.len() as u64 > MAX_STREAMED_ZIP {
        if sink.begin(name).is_ok() {
            let _ = sink.diagnostic(
                None,
                Level::Error,
                format!(
                    "a zip read from a pipe or standard input is held in memory, and this one is larger than {} MiB; give the zip's path instead (jaga scan export.zip), or unzip it and scan the chat .txt inside",
                    MAX_STREAMED_ZIP >> 20
                ),
            );
        }
        return Ok(());
    }
    // Already counted while buffered.
    let opts = ReadOptions {
        progress: None,
        ..opts.clone()
    };
    zip::read(name, &&all[..], &opts, sink)
}

/// Reads an export held in memory (a whole file's bytes, a zip too) into the sink: for
/// benchmarks, tests and callers that already have the bytes.
pub fn read_bytes(
    source: &str,
    bytes: &[u8],
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    read_source(Source::from_bytes(source, bytes), opts, sink)
}

/// Reads a file (or a `.zip` export) completely into memory: for tests and small files.
pub fn read_all(path: &Path, opts: &ReadOptions) -> io::Result<Collected> {
    let mut c = Collected::default();
    read_input(&Input::Path(path.to_path_buf()), opts, &mut c)?;
    Ok(c)
}

/// Everything a reader produced, in order.
#[derive(Debug, Default)]
pub struct Collected {
    pub events: Vec<(Origin, Event)>,
    /// Raw JSONL lines with their line numbers.
    pub lines: Vec<(Origin, Vec<u8>)>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Vec<InputStats>,
    source: Option<Arc<str>>,
}

impl Collected {
    fn source(&self) -> Arc<str> {
        self.source.clone().unwrap_or_else(|| "".into())
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.level == Level::Error)
    }
}

impl Sink for Collected {
    fn begin(&mut self, source: Arc<str>) -> Result<(), Stop> {
        self.source = Some(source);
        Ok(())
    }
    fn event(&mut self, line: u64, event: Event) -> Result<(), Stop> {
        let file = self.source();
        self.events.push((Origin { file, line }, event));
        Ok(())
    }
    fn line(&mut self, line: u64, bytes: &[u8]) -> Result<(), Stop> {
        let file = self.source();
        self.lines.push((Origin { file, line }, bytes.to_vec()));
        Ok(())
    }
    fn diagnostic(&mut self, line: Option<u64>, level: Level, message: String) -> Result<(), Stop> {
        let file = self.source();
        self.diagnostics.push(Diagnostic {
            file,
            line,
            level,
            message,
        });
        Ok(())
    }
    fn end(&mut self, stats: InputStats) -> Result<(), Stop> {
        self.stats.push(stats);
        Ok(())
    }
}

/// How the WhatsApp reader learns the day/month order when it is not forced.
pub(crate) enum Prescan<'a> {
    /// Read the input a second time (a file or a zip entry): the whole file decides.
    Reopen(&'a mut dyn FnMut() -> io::Result<whatsapp::OrderGuess>),
    /// Standard input cannot be read twice: decide from a bounded look-ahead.
    Lookahead,
}

/// A stream is buffered up to this much to infer the date order. The look-ahead is cut at
/// this size even inside a line (the line goes on after it and is read, and capped at
/// `--max-event-bytes`, like any other): a 2 GB line must not be held to find its end.
pub const LOOKAHEAD_BYTES: usize = 16 << 20;

/// Wraps a raw byte stream into a UTF-8 text reader, skipping any byte-order mark.
pub(crate) fn decoded<'a, R: Read + 'a>(raw: R) -> io::Result<(Box<dyn BufRead + 'a>, Encoding)> {
    let mut raw = raw;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut raw).take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    let enc = Encoding::sniff(&head);
    // A small input (all of it in the head) gets a small buffer: a 1 MiB one is zeroed on
    // first use, which would cost more than reading a short chat.
    let cap = if head.len() < HEAD_BYTES {
        (head.len() * 2).clamp(4096, READ_BUFFER)
    } else {
        READ_BUFFER
    };
    let chained = Cursor::new(head).chain(raw);
    let mut text: Box<dyn BufRead + 'a> = match enc {
        Encoding::Utf16Le | Encoding::Utf16Be => Box::new(BufReader::with_capacity(
            cap,
            Utf16ToUtf8::new(chained, enc == Encoding::Utf16Be),
        )),
        _ => Box::new(BufReader::with_capacity(cap, chained)),
    };
    if text.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        text.consume(3);
    }
    Ok((text, enc))
}

/// Reads one text input (a file, standard input or a zip entry) of any format.
pub(crate) fn read_text<R: Read>(
    source: Arc<str>,
    raw: R,
    prescan: Prescan<'_>,
    attachments: Option<&zip::Attachments>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    if sink.begin(source.clone()).is_err() {
        return Ok(());
    }
    let (mut text, encoding) = decoded(raw)?;
    let head = text.fill_buf()?;
    let format = match opts.format {
        Some(f) => f,
        // Nothing to read is not an unknown format: an empty stream scans to no events.
        None if head.iter().all(u8::is_ascii_whitespace) => Format::Jsonl,
        None => match detect(head) {
            Some(f) => f,
            None => {
                let _ = sink.diagnostic(
                    None,
                    Level::Error,
                    "cannot tell what this is: not JSONL events, not a Telegram JSON export and no WhatsApp message header in its first lines; give --format jsonl|whatsapp|telegram".into(),
                );
                return Ok(());
            }
        },
    };
    let mut stats = InputStats::new(source, format, encoding);
    let result = match format {
        Format::Jsonl => jsonl::read(text, opts.max_event_bytes, &mut stats, sink),
        Format::Telegram => telegram::read(text, opts, &mut stats, sink),
        Format::WhatsApp => {
            let group = opts
                .group
                .clone()
                .unwrap_or_else(|| whatsapp::chat_name(&stats.source));
            match (opts.date_order, prescan) {
                (Some(order), _) => whatsapp::read(
                    text,
                    whatsapp::OrderGuess::forced(order),
                    group,
                    attachments,
                    opts,
                    &mut stats,
                    sink,
                ),
                (None, Prescan::Reopen(f)) => {
                    let guess = f()?;
                    whatsapp::read(text, guess, group, attachments, opts, &mut stats, sink)
                }
                (None, Prescan::Lookahead) => {
                    let mut head = Vec::new();
                    (&mut text)
                        .take(LOOKAHEAD_BYTES as u64)
                        .read_to_end(&mut head)?;
                    // Whole lines only decide: a header cut at the limit is not a vote.
                    let whole = if head.len() < LOOKAHEAD_BYTES {
                        head.len()
                    } else {
                        memchr::memrchr(b'\n', &head).map_or(0, |i| i + 1)
                    };
                    let guess = whatsapp::infer_order(&head[..whole])?;
                    let rest = BufReader::with_capacity(READ_BUFFER, Cursor::new(head).chain(text));
                    whatsapp::read(rest, guess, group, attachments, opts, &mut stats, sink)
                }
            }
        }
    };
    match result {
        Ok(()) | Err(ReadError::Stop) => {}
        Err(ReadError::Io(e)) => return Err(e),
    }
    let _ = sink.end(stats);
    Ok(())
}

/// Why a reader returned early.
#[derive(Debug)]
pub enum ReadError {
    /// The sink stopped.
    Stop,
    Io(io::Error),
}

impl From<Stop> for ReadError {
    fn from(_: Stop) -> Self {
        ReadError::Stop
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Reads one line into `data`; beyond `max` bytes the rest of the line is consumed but not
/// kept and `data` holds the single marker byte 0xFF (never valid UTF-8 at a line start).
/// Returns the bytes consumed, 0 at the end of the input. The one capped line reader of
/// jaga: exports, JSONL files and `jaga serve --stdin` read with it.
pub fn read_line_capped<R: BufRead + ?Sized>(
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

/// The line without its `\n` / `\r\n` ending.
pub(crate) fn trim_eol(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_from_its_head() {
        assert_eq!(
            detect(b"{\"id\":\"m1\",\"text\":\"halo\"}\n{\"id\":\"m2\"}\n"),
            Some(Format::Jsonl)
        );
        assert_eq!(
            detect(b"{\"id\":\"m1\",\"text\":\"unterminated\n"),
            Some(Format::Jsonl),
            "a broken first event is still JSONL, reported per line"
        );
        assert_eq!(
            detect(b"{\n \"name\": \"ARMY\",\n \"messages\": [\n"),
            Some(Format::Telegram)
        );
        assert_eq!(
            detect(b"{\"messages\":[{\"id\":1,\"text\":\"x\"}]}\n"),
            Some(Format::Telegram)
        );
        assert_eq!(detect(b"{\"chats\":{\"list\":["), Some(Format::Telegram));
        assert_eq!(
            detect(b"{\"name\":\"ARMY\",\"messages\":[\n {\"id\":1}\n]}\n"),
            Some(Format::Telegram),
            "an export object that goes on past its first line"
        );
        assert_eq!(
            detect(b"{\"text\":\"say \\\"messages\\\": hi\n"),
            Some(Format::Jsonl),
            "a broken event that quotes the key in its text"
        );
        assert_eq!(
            detect("\u{200e}[1/2/24, 9:05:01\u{202f}PM] Rini: halo\n".as_bytes()),
            Some(Format::WhatsApp)
        );
        assert_eq!(
            detect(b"26/11/20 23.10 - Rina: Halo semua\n"),
            Some(Format::WhatsApp)
        );
        assert_eq!(detect(b"hello\nworld\n"), None);
        assert_eq!(detect(b"   \n"), None);
    }

    #[test]
    fn members_are_tracked_only_after_a_seen_join() {
        let mut m = Members::default();
        assert_eq!(m.message("Rini"), None);
        m.joined("Rini", Some(100));
        assert_eq!(m.message("Rini"), Some((0, Some(100))));
        assert_eq!(m.message("Rini"), Some((1, Some(100))));
        m.joined("Rini", Some(500));
        assert_eq!(
            m.message("Rini"),
            Some((0, Some(500))),
            "a re-join restarts"
        );
        assert_eq!(m.message("Budi"), None);
    }

    #[test]
    fn capped_lines_keep_a_marker() {
        let mut r = &b"short\nthis line is far too long\nend"[..];
        let mut data = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut data, 10).unwrap(), 6);
        assert_eq!(trim_eol(&data), b"short");
        data.clear();
        assert_eq!(read_line_capped(&mut r, &mut data, 10).unwrap(), 26);
        assert_eq!(data, [0xFF]);
        data.clear();
        assert_eq!(read_line_capped(&mut r, &mut data, 10).unwrap(), 3);
        assert_eq!(data, b"end");
    }
}
