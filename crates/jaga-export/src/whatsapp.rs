//! WhatsApp chat exports (`.txt`): every header layout the apps write, multi-line messages,
//! system lines, media and deleted-message markers in every language of [`lang`].
//!
//! A message starts with a header line and runs until the next one:
//!
//! ```text
//! 26/11/20, 23:10 - Rina: Halo semua            Android
//! 26/11/20 23.10 - Rina: Halo semua             Android, Indonesian (no comma, dot in the time)
//! 11/26/20, 11:10 PM - Rina: Halo semua         Android, US 12-hour
//! ‎[26/11/20, 11:10:05 PM] Rina: Halo semua      iOS: brackets, seconds, U+200E, U+202F before PM
//! 2020/11/26, 23:10 - ... | 26.11.20, 23:10 - ... | 26/11/2020, 11:10 p. m. - ...
//! ```
//!
//! Headers are recognised byte by byte (no regex), so parsing runs at memory speed. The
//! day/month order is a property of the file, not of a line: it is inferred from the whole
//! file first ([`infer_order`]: a day above 12 settles it), or forced with `--date-order`.
//! Times are the exporting phone's local time, converted to UTC with the chat's time zone
//! (`--tz`, see [`crate::tz`]).
//!
//! A line that is not a header continues the message above it. A header-shaped line with no
//! sender that is not a known system line also continues the message when one is open: a
//! member pasting `12/03/24, 10:00 - bring snacks` must not hide that text from the scan.

use std::io::{self, BufRead};
use std::str::FromStr;

mod lang;

use self::lang::{classify_system, System};
use super::zip::Attachments;
use super::{
    read_line_capped, trim_eol, InputStats, Level, Members, ReadError, ReadOptions, Sink, TimeZone,
};
use jaga_core::event::{days_from_civil, days_in_month, Attachment, Event, Kind};

/// How the two leading numbers of a date are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// Day first: `26/11/20` (most of the world, Indonesia included).
    Dmy,
    /// Month first: `11/26/20` (US).
    Mdy,
    /// Year first: `2020/11/26`, always recognisable by its 4-digit first number.
    Ymd,
}

impl DateOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Dmy => "day/month",
            DateOrder::Mdy => "month/day",
            DateOrder::Ymd => "year/month/day",
        }
    }

    fn swapped(self) -> DateOrder {
        match self {
            DateOrder::Dmy => DateOrder::Mdy,
            DateOrder::Mdy => DateOrder::Dmy,
            DateOrder::Ymd => DateOrder::Ymd,
        }
    }
}

impl FromStr for DateOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "dmy" => Ok(DateOrder::Dmy),
            "mdy" => Ok(DateOrder::Mdy),
            "ymd" => Ok(DateOrder::Ymd),
            _ => Err(format!(
                "unknown date order `{s}`; use auto, dmy, mdy or ymd"
            )),
        }
    }
}

/// The day/month order chosen for a file, and how sure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderGuess {
    pub order: DateOrder,
    pub forced: bool,
    /// Headers whose first number is above 12 (only day/month reads them).
    pub day_first_votes: u64,
    /// Headers whose second number is above 12 (only month/day reads them).
    pub month_first_votes: u64,
    /// No header settled it; chosen by chronology or by default.
    pub undecided: bool,
}

impl OrderGuess {
    pub fn forced(order: DateOrder) -> OrderGuess {
        OrderGuess {
            order,
            forced: true,
            day_first_votes: 0,
            month_first_votes: 0,
            undecided: false,
        }
    }
}

/// Infers the day/month order from every header of a file.
///
/// A first number above 12 can only be a day, a second one above 12 only a day too; the
/// majority wins (a file mixing both is reported by the reader). When no header settles it,
/// the order under which the dates run forward in time wins; failing that, day first.
pub fn infer_order<R: BufRead>(mut r: R) -> io::Result<OrderGuess> {
    let mut guess = OrderGuess {
        order: DateOrder::Dmy,
        forced: false,
        day_first_votes: 0,
        month_first_votes: 0,
        undecided: false,
    };
    let (mut ymd, mut other) = (0u64, 0u64);
    // Chronology, for files where every day is <= 12: count steps back in time per order.
    let (mut back_dmy, mut back_mdy) = (0u64, 0u64);
    let mut prev: Option<(u16, u16, u16)> = None;
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        if read_line_capped(&mut r, &mut line, 4096)? == 0 {
            break;
        }
        let Some(h) = parse_header(trim_eol(&line)) else {
            continue;
        };
        if h.year_first() {
            ymd += 1;
            continue;
        }
        other += 1;
        match (h.a > 12, h.b > 12) {
            (true, false) => guess.day_first_votes += 1,
            (false, true) => guess.month_first_votes += 1,
            _ => {}
        }
        let year = h.c;
        if let Some((pa, pb, py)) = prev {
            if (year, h.b, h.a) < (py, pb, pa) {
                back_dmy += 1;
            }
            if (year, h.a, h.b) < (py, pa, pb) {
                back_mdy += 1;
            }
        }
        prev = Some((h.a, h.b, year));
    }
    if ymd > other {
        guess.order = DateOrder::Ymd;
    } else if guess.day_first_votes > 0 || guess.month_first_votes > 0 {
        guess.order = if guess.month_first_votes > guess.day_first_votes {
            DateOrder::Mdy
        } else {
            DateOrder::Dmy
        };
    } else {
        guess.undecided = other > 0;
        guess.order = if back_mdy < back_dmy {
            DateOrder::Mdy
        } else {
            DateOrder::Dmy
        };
    }
    Ok(guess)
}

/// The shape of a header, to notice files that mix exports from different phones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    bracket: bool,
    date_sep: u8,
    comma: bool,
    time_sep: u8,
    seconds: bool,
    ampm: bool,
    year_first: bool,
}

impl Layout {
    fn describe(&self) -> String {
        let sep = self.date_sep as char;
        let date = if self.year_first {
            format!("yyyy{sep}mm{sep}dd")
        } else {
            format!("nn{sep}nn{sep}yy")
        };
        let t = self.time_sep as char;
        let mut time = format!("HH{t}MM");
        if self.seconds {
            time.push_str(&format!("{t}SS"));
        }
        if self.ampm {
            time.push_str(" AM");
        }
        let comma = if self.comma { "," } else { "" };
        if self.bracket {
            format!("[{date}{comma} {time}]")
        } else {
            format!("{date}{comma} {time} -")
        }
    }
}

/// A header line's numbers as written, before the date order is applied.
#[derive(Debug, Clone, Copy)]
struct RawHeader {
    a: u16,
    b: u16,
    c: u16,
    la: u8,
    lc: u8,
    h: u8,
    mi: u8,
    s: u8,
    pm: Option<bool>,
    layout: Layout,
    /// Byte offset of the body (`Name: text` or a system text) in the line.
    body: usize,
}

impl RawHeader {
    fn year_first(&self) -> bool {
        self.la == 4
    }

    /// Unix seconds of the header under `order`, if it is a real date and time.
    fn timestamp(&self, order: DateOrder) -> Option<i64> {
        let (y, m, d, ly) = if self.year_first() {
            (self.a, self.b, self.c, self.la)
        } else {
            match order {
                DateOrder::Dmy | DateOrder::Ymd => (self.c, self.b, self.a, self.lc),
                DateOrder::Mdy => (self.c, self.a, self.b, self.lc),
            }
        };
        let y = i64::from(y) + if ly == 2 { 2000 } else { 0 };
        let (m, d) = (i64::from(m), i64::from(d));
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        let h = match self.pm {
            None if self.h <= 23 => i64::from(self.h),
            Some(pm) if self.h <= 12 => i64::from(self.h % 12) + if pm { 12 } else { 0 },
            _ => return None,
        };
        if self.mi > 59 || self.s > 59 {
            return None;
        }
        Some(
            days_from_civil(y, m, d) * 86_400
                + h * 3600
                + i64::from(self.mi) * 60
                + i64::from(self.s),
        )
    }
}

/// Bidi and format marks iOS puts at line starts (U+200E, U+200F, U+202A-E, U+2066-9, BOM).
fn mark_len(b: &[u8]) -> usize {
    match b {
        [0xE2, 0x80, 0x8E | 0x8F | 0xAA..=0xAE, ..]
        | [0xE2, 0x81, 0xA6..=0xA9, ..]
        | [0xEF, 0xBB, 0xBF, ..] => 3,
        _ => 0,
    }
}

fn skip_marks(b: &[u8], mut i: usize) -> usize {
    loop {
        let n = mark_len(&b[i..]);
        if n == 0 {
            return i;
        }
        i += n;
    }
}

/// `s` without leading bidi/format marks.
fn strip_marks(s: &str) -> &str {
    &s[skip_marks(s.as_bytes(), 0)..]
}

/// Spaces as the apps write them: ASCII, U+00A0, U+202F (iOS and new Android before AM/PM).
fn space_len(b: &[u8]) -> usize {
    match b {
        [b' ', ..] => 1,
        [0xC2, 0xA0, ..] => 2,
        [0xE2, 0x80, 0xAF, ..] => 3,
        _ => 0,
    }
}

fn skip_spaces(b: &[u8], i: &mut usize) -> usize {
    let start = *i;
    loop {
        let n = space_len(&b[*i..]);
        if n == 0 {
            return *i - start;
        }
        *i += n;
    }
}

fn digits(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<(u16, u8)> {
    let start = *i;
    let mut v: u16 = 0;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        v = v * 10 + u16::from(b[*i] - b'0');
        *i += 1;
    }
    let n = *i - start;
    if n < min || b.get(*i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((v, n as u8))
}

/// `AM`, `pm`, `a.m.`, `p. m.` (Spanish-language phones) at `i`; true for PM.
fn ampm(b: &[u8], i: &mut usize) -> Option<bool> {
    let mut j = *i;
    let pm = match b.get(j)? {
        b'a' | b'A' => false,
        b'p' | b'P' => true,
        _ => return None,
    };
    j += 1;
    if b.get(j) == Some(&b'.') {
        j += 1;
        skip_spaces(b, &mut j);
    }
    if !matches!(b.get(j)?, b'm' | b'M') {
        return None;
    }
    j += 1;
    if b.get(j) == Some(&b'.') {
        j += 1;
    }
    *i = j;
    Some(pm)
}

/// Recognises a message header at the start of a line; `None` for anything else.
fn parse_header(line: &[u8]) -> Option<RawHeader> {
    let first = *line.first()?;
    if !(first.is_ascii_digit() || first == b'[' || first >= 0xE2) {
        return None;
    }
    let mut i = skip_marks(line, 0);
    let bracket = line.get(i) == Some(&b'[');
    if bracket {
        i += 1;
    }
    let (a, la) = digits(line, &mut i, 1, 4)?;
    let date_sep = *line.get(i)?;
    if !matches!(date_sep, b'/' | b'.' | b'-') || la == 3 {
        return None;
    }
    i += 1;
    let (b, _) = digits(line, &mut i, 1, 2)?;
    if line.get(i) != Some(&date_sep) {
        return None;
    }
    i += 1;
    let (c, lc) = digits(line, &mut i, 1, 4)?;
    let year_first = la == 4;
    if year_first && lc > 2 || !year_first && lc != 2 && lc != 4 {
        return None;
    }
    let comma = line.get(i) == Some(&b',');
    if comma {
        i += 1;
    }
    if skip_spaces(line, &mut i) == 0 {
        return None;
    }
    let (h, _) = digits(line, &mut i, 1, 2)?;
    let time_sep = *line.get(i)?;
    if !matches!(time_sep, b':' | b'.') {
        return None;
    }
    i += 1;
    let (mi, _) = digits(line, &mut i, 2, 2)?;
    let mut s = 0;
    let mut seconds = false;
    if line.get(i) == Some(&time_sep) && line.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        s = digits(line, &mut i, 2, 2)?.0;
        seconds = true;
    }
    let before_ampm = i;
    skip_spaces(line, &mut i);
    let pm = ampm(line, &mut i);
    if pm.is_none() {
        i = before_ampm;
    }
    if bracket {
        if line.get(i) != Some(&b']') {
            return None;
        }
        i += 1;
        skip_spaces(line, &mut i);
    } else {
        if skip_spaces(line, &mut i) == 0 {
            return None;
        }
        match line.get(i..) {
            Some([b'-', ..]) => i += 1,
            Some([0xE2, 0x80, 0x93, ..]) => i += 3,
            _ => return None,
        }
        if i < line.len() && skip_spaces(line, &mut i) == 0 {
            return None;
        }
    }
    Some(RawHeader {
        a,
        b,
        c,
        la,
        lc,
        h: h as u8,
        mi: mi as u8,
        s: s as u8,
        pm,
        layout: Layout {
            bracket,
            date_sep,
            comma,
            time_sep,
            seconds,
            ampm: pm.is_some(),
            year_first,
        },
        body: i,
    })
}

/// Whether a line is a message header under some date order (for format detection).
pub fn looks_like_header(line: &[u8]) -> bool {
    parse_header(trim_eol(line)).is_some_and(|h| {
        h.timestamp(DateOrder::Dmy).is_some() || h.timestamp(DateOrder::Mdy).is_some()
    })
}

/// The body of a header line: a sender and their text, or a system text.
#[derive(Debug, PartialEq, Eq)]
enum Body<'a> {
    Message { sender: &'a str, text: &'a str },
    System(&'a str),
}

/// Longest sender name accepted, in bytes (display names and `+62 812-3456-7890` fit).
const MAX_SENDER: usize = 128;

fn split_body(body: &str) -> Body<'_> {
    let b = body.as_bytes();
    let found = memchr::memmem::find(b, b": ")
        .map(|p| (p, p + 2))
        .or_else(|| {
            // `Name:text` with no space (an empty or one-character message).
            let p = memchr::memchr(b':', b)?;
            let rest = &b[p + 1..];
            (!rest.is_empty() && !rest[0].is_ascii_digit() && rest[0] != b'/').then_some((p, p + 1))
        });
    match found {
        // A quote before the colon is a subject or description being quoted, not a sender.
        Some((p, t))
            if p > 0 && p <= MAX_SENDER && !body[..p].contains(['"', '“', '”', '„', '«', '»']) =>
        {
            Body::Message {
                sender: strip_marks(&body[..p]).trim_end(),
                text: &body[t..],
            }
        }
        _ => Body::System(body),
    }
}

const DOCUMENT_OMITTED: &[&str] = &[
    " document omitted",
    " \u{200e}document omitted",
    " dokumen tidak disertakan",
    " \u{200e}dokumen tidak disertakan",
];
/// iOS names an exported attachment `<attached: name>`; the tag is translated.
const ATTACHED_TAGS: &[&str] = &[
    "<attached: ",
    "<terlampir: ",
    "<adjunto: ",
    "<anexado: ",
    "<Anhang: ",
    "<allegato: ",
    "<pièce jointe : ",
    "<bijlage: ",
    "<lampiran: ",
    "<ek: ",
    "<вложение: ",
];
/// Edited messages end with this marker (dropped before scoring).
const EDITED: &[&str] = &[
    "<This message was edited>",
    "<Pesan ini diedit>",
    "<Diese Nachricht wurde bearbeitet>",
    "<Se editó este mensaje.>",
    "<Mensagem editada>",
    "<Ce message a été modifié>",
    "<Questo messaggio è stato modificato>",
    "<Dit bericht is bewerkt>",
    "<Mesej ini telah disunting>",
    "<Bu mesaj düzenlendi>",
    "<Сообщение изменено>",
];

/// What the first line of a message says about media.
#[derive(Debug, PartialEq, Eq)]
enum Content<'a> {
    Text,
    Deleted,
    /// Media left out of the export (no file name).
    MediaOmitted,
    /// A named file; the caption (if any) follows on the next lines.
    File(&'a str),
}

fn classify_first_line<'a>(line: &'a str, zip: Option<&Attachments>) -> Content<'a> {
    let l = strip_marks(line).trim();
    if l.is_empty() {
        return Content::Text;
    }
    if lang::is_deleted(l) {
        return Content::Deleted;
    }
    if lang::is_media_omitted(l) {
        return Content::MediaOmitted;
    }
    for suffix in DOCUMENT_OMITTED {
        if let Some(doc) = l.strip_suffix(suffix) {
            // iOS: `undangan.apk • ‎2 pages ‎document omitted`.
            let name = doc.split(" • ").next().unwrap_or("");
            let name = strip_marks(name).trim();
            return if name.is_empty() {
                Content::MediaOmitted
            } else {
                Content::File(name)
            };
        }
    }
    if l.ends_with('>') {
        for tag in ATTACHED_TAGS {
            if let Some(p) = l.find(tag) {
                let name = l[p + tag.len()..l.len() - 1].trim();
                if !name.is_empty() {
                    return Content::File(name);
                }
            }
        }
    }
    if let Some(name) = lang::file_attached(l) {
        return Content::File(name);
    }
    // In a zip the attachments are known: `<name> (<"file attached" in any language>)`.
    if let Some(z) = zip {
        let name = l.find(" (").map_or(l, |p| &l[..p]);
        if z.contains(name) {
            return Content::File(name);
        }
    }
    Content::Text
}

/// The chat's name from the export's file name: `WhatsApp Chat with ARMY Peduli.txt`,
/// `Chat WhatsApp dengan ARMY Peduli.txt`, or the zip's name for an iOS `_chat.txt`.
pub fn chat_name(source: &str) -> String {
    let mut parts = source.rsplit(['/', '\\']);
    let mut name = parts.next().unwrap_or(source);
    if name.eq_ignore_ascii_case("_chat.txt") {
        if let Some(parent) = parts.next() {
            name = parent;
        }
    }
    for ext in [".txt", ".zip", ".TXT", ".ZIP"] {
        name = name.strip_suffix(ext).unwrap_or(name);
    }
    for prefix in [
        "WhatsApp Chat with ",
        "WhatsApp Chat - ",
        "Chat WhatsApp dengan ",
        "Chat WhatsApp - ",
        "Chat de WhatsApp con ",
        "Conversa do WhatsApp com ",
        "WhatsApp Chat mit ",
        "WhatsApp-Chat mit ",
        "Discussion WhatsApp avec ",
        "Chat WhatsApp con ",
        "WhatsApp-chat met ",
        "Sembang WhatsApp dengan ",
        "Чат WhatsApp с ",
    ] {
        if let Some(n) = name.strip_prefix(prefix) {
            return n.trim().to_string();
        }
    }
    name.trim().to_string()
}

/// A message being read: its header and the lines so far.
struct Pending {
    line: u64,
    ts: i64,
    sender: String,
    text: String,
    attachments: Vec<Attachment>,
    content: PendingContent,
    cut: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PendingContent {
    Text,
    Media,
    Deleted,
}

/// Diagnostics of one kind shown per file before they are only counted.
const MAX_REPEATS: u64 = 5;

struct Parser<'a> {
    sink: &'a mut dyn Sink,
    stats: &'a mut InputStats,
    guess: OrderGuess,
    group: String,
    zip: Option<&'a Attachments>,
    max_bytes: usize,
    /// The zone of the header times (the exporting phone's wall clock).
    tz: &'a TimeZone,
    members: Members,
    pending: Option<Pending>,
    /// The last record was a system line: continuation lines belong to it.
    after_system: bool,
    layout: Option<Layout>,
    layouts_seen: Vec<Layout>,
    orphans: u64,
    /// Lines of text after a system line (see [`Parser::stray`]).
    strays: u64,
    /// The sender of the last message, and the time of the last record.
    last_sender: Option<String>,
    last_ts: i64,
    bad_utf8: u64,
    swapped: u64,
    id_buf: itoa_like::Buf,
}

/// Writes line numbers as ids without going through `fmt`.
mod itoa_like {
    #[derive(Default)]
    pub struct Buf([u8; 20]);
    impl Buf {
        pub fn format(&mut self, mut n: u64) -> &str {
            let mut i = self.0.len();
            loop {
                i -= 1;
                self.0[i] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            std::str::from_utf8(&self.0[i..]).unwrap_or("0")
        }
    }
}

impl<'a> Parser<'a> {
    fn warn(
        &mut self,
        line: u64,
        count: u64,
        message: impl FnOnce() -> String,
    ) -> Result<(), ReadError> {
        if count <= MAX_REPEATS {
            self.sink
                .diagnostic(Some(line), Level::Warning, message())?;
        }
        Ok(())
    }

    fn line(&mut self, line_no: u64, raw: &[u8]) -> Result<(), ReadError> {
        self.stats.counts.lines += 1;
        if raw == [0xFF] {
            // A single line longer than --max-event-bytes (read_line_capped's marker).
            self.sink.diagnostic(
                Some(line_no),
                Level::Error,
                format!(
                    "line is longer than {} bytes; skipped (raise --max-event-bytes to read it)",
                    self.max_bytes
                ),
            )?;
            return Ok(());
        }
        match std::str::from_utf8(raw) {
            Ok(s) => self.text_line(line_no, s),
            Err(e) => {
                self.bad_utf8 += 1;
                let at = e.valid_up_to();
                self.warn(line_no, self.bad_utf8, || {
                    format!("not valid UTF-8 at byte {at}; the bad bytes were replaced with U+FFFD (re-export the chat, or re-save the file as UTF-8)")
                })?;
                let s = String::from_utf8_lossy(raw).into_owned();
                self.text_line(line_no, &s)
            }
        }
    }

    fn text_line(&mut self, line_no: u64, line: &str) -> Result<(), ReadError> {
        if let Some(h) = parse_header(line.as_bytes()) {
            if let Some(local) = self.timestamp(&h, line_no)? {
                let ts = self.tz.to_utc(local);
                let body = strip_marks(&line[h.body..]);
                return self.header(line_no, ts, h.layout, body, line);
            }
        }
        self.continuation(line_no, line)
    }

    fn timestamp(&mut self, h: &RawHeader, line_no: u64) -> Result<Option<i64>, ReadError> {
        if let Some(ts) = h.timestamp(self.guess.order) {
            return Ok(Some(ts));
        }
        if self.guess.order != DateOrder::Ymd {
            if let Some(ts) = h.timestamp(self.guess.order.swapped()) {
                self.swapped += 1;
                let (used, other) = (
                    self.guess.order.as_str(),
                    self.guess.order.swapped().as_str(),
                );
                self.warn(line_no, self.swapped, || {
                    format!("this date is only valid as {other} while the file reads as {used}; read as {other} (mixed exports? force the order with --date-order)")
                })?;
                return Ok(Some(ts));
            }
        }
        Ok(None)
    }

    fn header(
        &mut self,
        line_no: u64,
        ts: i64,
        layout: Layout,
        body: &str,
        whole: &str,
    ) -> Result<(), ReadError> {
        match self.layout {
            None => self.layout = Some(layout),
            Some(l) if l != layout && !self.layouts_seen.contains(&layout) => {
                self.layouts_seen.push(layout);
                if self.layouts_seen.len() as u64 <= MAX_REPEATS {
                    self.sink.diagnostic(
                        Some(line_no),
                        Level::Warning,
                        format!(
                            "the header layout changes here (was `{}`, now `{}`): several exports in one file? reading both",
                            l.describe(),
                            layout.describe()
                        ),
                    )?;
                }
            }
            Some(_) => {}
        }
        match split_body(body) {
            Body::Message { sender, text } => {
                // iOS writes system lines as `Group name: ‎<system text>` (and media and
                // deleted markers with the same mark, which stay messages).
                if text.as_bytes().starts_with("\u{200e}".as_bytes())
                    && classify_first_line(text, self.zip) == Content::Text
                {
                    let kind = classify_system(text);
                    if kind != System::Unknown {
                        return self.system(line_no, ts, kind);
                    }
                }
                self.start_message(line_no, ts, sender, text)
            }
            Body::System(text) => match classify_system(text) {
                System::Unknown if self.pending.is_some() && !self.after_system => {
                    self.continuation(line_no, whole)
                }
                System::Unknown if self.after_system && self.last_sender.is_some() => {
                    self.stray(line_no, ts, whole)
                }
                kind => self.system(line_no, ts, kind),
            },
        }
    }

    fn system(&mut self, line_no: u64, ts: i64, kind: System<'_>) -> Result<(), ReadError> {
        self.flush()?;
        self.after_system = true;
        self.last_ts = ts;
        match kind {
            System::Joined(who) => self.join(line_no, ts, who, 0),
            System::Added(list) => {
                let names: Vec<&str> = list.others().collect();
                for (k, who) in names.iter().enumerate() {
                    self.join(line_no, ts, who, if names.len() > 1 { k + 1 } else { 0 })?;
                }
                Ok(())
            }
            _ => {
                self.stats.counts.system += 1;
                Ok(())
            }
        }
    }

    fn join(&mut self, line_no: u64, ts: i64, who: &str, k: usize) -> Result<(), ReadError> {
        self.members.joined(who, Some(ts));
        self.stats.counts.joins += 1;
        let mut id = self.id_buf.format(line_no).to_string();
        if k > 0 {
            id.push('.');
            id.push_str(&k.to_string());
        }
        let event = Event {
            id,
            kind: Kind::JoinRequest,
            group: self.group.clone(),
            user: who.to_string(),
            name: who.to_string(),
            ts: Some(ts),
            ..Event::default()
        };
        self.sink.event(line_no, event)?;
        Ok(())
    }

    fn start_message(
        &mut self,
        line_no: u64,
        ts: i64,
        sender: &str,
        text: &str,
    ) -> Result<(), ReadError> {
        self.flush()?;
        self.after_system = false;
        self.last_ts = ts;
        if self.last_sender.as_deref() != Some(sender) {
            self.last_sender = Some(sender.to_string());
        }
        let mut p = Pending {
            line: line_no,
            ts,
            sender: sender.to_string(),
            text: String::with_capacity(text.len()),
            attachments: Vec::new(),
            content: PendingContent::Text,
            cut: false,
        };
        match classify_first_line(text, self.zip) {
            Content::Text => p.text.push_str(text),
            Content::Deleted => p.content = PendingContent::Deleted,
            Content::MediaOmitted => {
                p.content = PendingContent::Media;
                p.attachments.push(Attachment {
                    kind: "media".into(),
                    name: String::new(),
                });
            }
            Content::File(name) => {
                p.content = PendingContent::Media;
                p.attachments.push(Attachment {
                    kind: "file".into(),
                    name: name.to_string(),
                });
            }
        }
        if p.text.len() > self.max_bytes {
            p.text
                .truncate(floor_char_boundary(&p.text, self.max_bytes));
            p.cut = true;
        }
        self.pending = Some(p);
        Ok(())
    }

    /// Text where none belongs: after a system line, which never has more lines, or an
    /// unknown header-shaped line right after one. Real exports have none; a member who
    /// pastes a system line into a message does, and the text after it must not escape the
    /// scan: it is scored as a message of the sender above.
    fn stray(&mut self, line_no: u64, ts: i64, text: &str) -> Result<(), ReadError> {
        self.strays += 1;
        self.warn(line_no, self.strays, || {
            "text after a system line (a system line pasted into a message?); scored as a message of the sender above".into()
        })?;
        let sender = self.last_sender.take().unwrap_or_default();
        self.start_message(line_no, ts, &sender, text)
    }

    fn continuation(&mut self, line_no: u64, line: &str) -> Result<(), ReadError> {
        if self.after_system && !line.trim().is_empty() {
            return self.stray(line_no, self.last_ts, line);
        }
        let Some(p) = self.pending.as_mut().filter(|_| !self.after_system) else {
            if !self.after_system && !line.trim().is_empty() {
                self.orphans += 1;
                let n = self.orphans;
                self.warn(line_no, n, || {
                    "text before the first message header; skipped (is the start of the file missing?)".into()
                })?;
            }
            return Ok(());
        };
        if p.cut {
            return Ok(());
        }
        if p.text.len() + 1 + line.len() > self.max_bytes {
            p.cut = true;
            let max = self.max_bytes;
            let start = p.line;
            self.sink.diagnostic(
                Some(line_no),
                Level::Error,
                format!("the message that starts on line {start} is longer than {max} bytes; the rest of it is not scanned (raise --max-event-bytes)"),
            )?;
            return Ok(());
        }
        if !p.text.is_empty() || p.content != PendingContent::Text {
            p.text.push('\n');
        }
        p.text.push_str(line);
        Ok(())
    }

    /// Emits the message being read, if any.
    fn flush(&mut self) -> Result<(), ReadError> {
        let Some(mut p) = self.pending.take() else {
            return Ok(());
        };
        let counted = self.members.message(&p.sender);
        if p.content == PendingContent::Deleted {
            self.stats.counts.deleted += 1;
            return Ok(());
        }
        if p.content == PendingContent::Media {
            self.stats.counts.media += 1;
            // The caption follows the file line; drop the newline that joined them.
            if p.text.starts_with('\n') {
                p.text.remove(0);
            }
        }
        for e in EDITED {
            if let Some(t) = p.text.strip_suffix(e) {
                let n = t.trim_end().len();
                p.text.truncate(n);
                break;
            }
        }
        self.stats.counts.messages += 1;
        let user = p.sender.clone();
        let event = Event {
            id: self.id_buf.format(p.line).to_string(),
            kind: Kind::Message,
            group: self.group.clone(),
            user,
            name: p.sender,
            text: p.text,
            ts: Some(p.ts),
            attachments: p.attachments,
            member_messages: counted.map(|c| c.0),
            joined_at: counted.and_then(|c| c.1),
            ..Event::default()
        };
        self.sink.event(p.line, event)?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        self.flush()?;
        let summary = [
            (
                self.orphans,
                "line(s) before the first message header were skipped",
            ),
            (self.bad_utf8, "line(s) were not valid UTF-8"),
            (
                self.strays,
                "line(s) of text after a system line were scored as messages",
            ),
            (
                self.swapped,
                "date(s) only made sense in the other day/month order",
            ),
        ];
        for (n, what) in summary {
            if n > MAX_REPEATS {
                self.sink
                    .diagnostic(None, Level::Warning, format!("{n} {what} in all"))?;
            }
        }
        Ok(())
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Reads a WhatsApp export into the sink.
pub(crate) fn read<R: BufRead>(
    mut r: R,
    guess: OrderGuess,
    group: String,
    zip: Option<&Attachments>,
    opts: &ReadOptions,
    stats: &mut InputStats,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    stats.date_order = Some(guess.order.as_str());
    stats.time_zone = Some(opts.tz.name().to_string());
    if guess.undecided {
        sink.diagnostic(
            None,
            Level::Warning,
            format!(
                "no date in this file has a day above 12, so its day/month order is a guess: {} (force it with --date-order dmy|mdy)",
                guess.order.as_str()
            ),
        )?;
    } else if guess.day_first_votes > 0 && guess.month_first_votes > 0 {
        sink.diagnostic(
            None,
            Level::Warning,
            format!(
                "dates in both day/month ({}) and month/day ({}) order: several exports in one file? reading as {} (force it with --date-order)",
                guess.day_first_votes,
                guess.month_first_votes,
                guess.order.as_str()
            ),
        )?;
    }
    let mut parser = Parser {
        sink,
        stats,
        guess,
        group,
        zip,
        max_bytes: opts.max_event_bytes,
        tz: &opts.tz,
        members: Members::default(),
        pending: None,
        after_system: false,
        layout: None,
        layouts_seen: Vec::new(),
        orphans: 0,
        strays: 0,
        last_sender: None,
        last_ts: 0,
        bad_utf8: 0,
        swapped: 0,
        id_buf: Default::default(),
    };
    let mut buf = Vec::with_capacity(4096);
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if read_line_capped(&mut r, &mut buf, opts.max_event_bytes)? == 0 {
            break;
        }
        line_no += 1;
        parser.line(line_no, trim_eol(&buf))?;
    }
    parser.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        jaga_core::event::parse_rfc3339(s).unwrap()
    }

    fn header_ts(line: &str, order: DateOrder) -> Option<(i64, String)> {
        let h = parse_header(line.as_bytes())?;
        Some((h.timestamp(order)?, line[h.body..].to_string()))
    }

    #[test]
    fn every_layout_is_recognised() {
        let cases = [
            (
                "26/11/20, 23:10 - Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "26/11/20 23.10 - Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "11/26/20, 11:10 PM - Rina: Halo",
                DateOrder::Mdy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "11/26/20, 11:10\u{202f}pm - Rina: Halo",
                DateOrder::Mdy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "\u{200e}[26/11/20, 11:10:05\u{202f}PM] Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:05Z",
            ),
            (
                "[1/2/21, 9:05:01 AM] Rina: Halo",
                DateOrder::Mdy,
                "2021-01-02T09:05:01Z",
            ),
            (
                "[26/11/20 23.10.05] Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:05Z",
            ),
            (
                "[01/01/19 11:25] Rina: Halo",
                DateOrder::Dmy,
                "2019-01-01T11:25:00Z",
            ),
            (
                "26/11/2020, 11:10 p. m. - Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "26/11/2020, 12:05 a. m. - Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T00:05:00Z",
            ),
            (
                "01/20/2019, 12:10 p.m. - Rina: Halo",
                DateOrder::Mdy,
                "2019-01-20T12:10:00Z",
            ),
            (
                "2020/11/26, 23:10 - Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "2020-11-26 23:10 - Rina: Halo",
                DateOrder::Mdy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "26.11.20, 23:10 - Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:00Z",
            ),
            (
                "26.11.2020 23:10 – Rina: Halo",
                DateOrder::Dmy,
                "2020-11-26T23:10:00Z",
            ),
        ];
        for (line, order, want) in cases {
            let (got, body) =
                header_ts(line, order).unwrap_or_else(|| panic!("not a header: {line}"));
            assert_eq!(got, ts(want), "{line}");
            assert_eq!(body, "Rina: Halo", "{line}");
        }
    }

    #[test]
    fn date_like_text_is_not_a_header() {
        for line in [
            "12/03/2020 konser di JIS",
            "19:00 - 21:00 fan meeting",
            "1/2/24, 10:00 deadline vote",
            "[12/03/20] catatan",
            "26/11/20, 23:10- Rina: no space",
            "26/11/202, 23:10 - Rina: three-digit year",
            "26/11/20, 23:1 - Rina: one-digit minute",
            "2020/11/2020, 23:10 - x",
            "",
            "[",
            "26/",
        ] {
            assert!(parse_header(line.as_bytes()).is_none(), "{line}");
        }
        // Shaped like a header but not a real time: rejected when validated.
        let h = parse_header(b"31/02/20, 25:10 - x").unwrap();
        assert_eq!(h.timestamp(DateOrder::Dmy), None);
    }

    #[test]
    fn senders_and_system_lines_are_told_apart() {
        assert_eq!(
            split_body("+62 812-3456-7890: halo kak: ada info?"),
            Body::Message {
                sender: "+62 812-3456-7890",
                text: "halo kak: ada info?"
            }
        );
        assert_eq!(
            split_body("John Doe:."),
            Body::Message {
                sender: "John Doe",
                text: "."
            }
        );
        assert_eq!(
            split_body("Rini: "),
            Body::Message {
                sender: "Rini",
                text: ""
            }
        );
        assert_eq!(
            split_body("Rini changed the subject from \"a\" to \"b: c\""),
            Body::System("Rini changed the subject from \"a\" to \"b: c\"")
        );
        assert_eq!(
            split_body("Budi joined using this group's invite link"),
            Body::System("Budi joined using this group's invite link")
        );
        // Every language's system lines: see `lang.rs`.
        assert_eq!(
            split_body("Rini hat den Betreff von „Kpop: ARMY“ zu „ARMY“ geändert"),
            Body::System("Rini hat den Betreff von „Kpop: ARMY“ zu „ARMY“ geändert"),
            "German quotes protect a colon in a subject"
        );
        assert_eq!(
            split_body("Rini a modifié le sujet de « a: b » à « c »"),
            Body::System("Rini a modifié le sujet de « a: b » à « c »")
        );
    }

    #[test]
    fn media_and_deleted_markers() {
        let c = |s| classify_first_line(s, None);
        assert_eq!(c("<Media omitted>"), Content::MediaOmitted);
        assert_eq!(c("<Media tidak disertakan>"), Content::MediaOmitted);
        assert_eq!(c("\u{200e}image omitted"), Content::MediaOmitted);
        assert_eq!(
            c("\u{200e}<attached: 00000034-undangan.apk>"),
            Content::File("00000034-undangan.apk")
        );
        assert_eq!(
            c("undangan.apk (file attached)"),
            Content::File("undangan.apk")
        );
        assert_eq!(
            c("IMG-20201126-WA0001.jpg (file terlampir)"),
            Content::File("IMG-20201126-WA0001.jpg")
        );
        assert_eq!(
            c("undangan.apk • \u{200e}2 pages \u{200e}document omitted"),
            Content::File("undangan.apk")
        );
        assert_eq!(c("This message was deleted"), Content::Deleted);
        assert_eq!(c("\u{200e}This message was deleted."), Content::Deleted);
        assert_eq!(c("Pesan ini telah dihapus"), Content::Deleted);
        assert_eq!(c("ini pesan biasa"), Content::Text);
    }

    #[test]
    fn chat_names_come_from_file_names() {
        assert_eq!(
            chat_name("exports/WhatsApp Chat with ARMY Peduli.txt"),
            "ARMY Peduli"
        );
        assert_eq!(
            chat_name("Chat WhatsApp dengan ARMY Peduli.txt"),
            "ARMY Peduli"
        );
        assert_eq!(
            chat_name("WhatsApp Chat - ARMY Peduli.zip/_chat.txt"),
            "ARMY Peduli"
        );
        assert_eq!(chat_name("<stdin>"), "<stdin>");
    }

    #[test]
    fn order_is_inferred_from_the_whole_file() {
        let dmy = "01/02/20, 10:00 - A: x\n05/02/20, 10:00 - A: y\n25/02/20, 10:00 - A: z\n";
        let g = infer_order(dmy.as_bytes()).unwrap();
        assert_eq!((g.order, g.undecided), (DateOrder::Dmy, false));
        let mdy = "01/02/20, 10:00 - A: x\n02/25/20, 10:00 - A: y\n";
        assert_eq!(infer_order(mdy.as_bytes()).unwrap().order, DateOrder::Mdy);
        // No day above 12: chronology decides (Jan 5 -> Feb 3 only runs forward as m/d).
        let chrono = "01/05/20, 10:00 - A: x\n02/03/20, 10:00 - A: y\n02/04/20, 10:00 - A: y\n";
        let g = infer_order(chrono.as_bytes()).unwrap();
        assert_eq!((g.order, g.undecided), (DateOrder::Mdy, true));
        let ymd = "2020/01/05, 10:00 - A: x\n";
        assert_eq!(infer_order(ymd.as_bytes()).unwrap().order, DateOrder::Ymd);
    }

    #[test]
    fn ids_are_line_numbers() {
        let mut b = itoa_like::Buf::default();
        assert_eq!(b.format(0), "0");
        assert_eq!(b.format(1234567), "1234567");
        assert_eq!(b.format(u64::MAX), "18446744073709551615");
    }
}
