//! Telegram Desktop JSON exports: one chat (`{"name":..,"messages":[..]}`), a batch or a
//! whole account (`{"chats":{"list":[..]}}`, `{"chats":[..]}`, `left_chats`).
//!
//! An account export can be gigabytes in one JSON value, so it is never parsed whole. A
//! small hand-written scanner walks the structure byte by byte with the line number, skips
//! what it does not need, and cuts out each element of every `messages` array as raw bytes;
//! serde_json then parses that one message. A bad message is reported with its line and the
//! scan goes on; a file cut mid-way keeps every message before the cut.
//!
//! Text may be a string or an array of strings and entity objects; a `text_link` keeps its
//! `href` (written after the visible text) so the link rules see where it really points.
//! Service messages `join_group_by_link`, `join_group_by_request`, `invite_members` and
//! `add_members` become join events for each joined user.

use std::fmt;
use std::io::{self, Read};

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{InputStats, Level, Members, ReadError, ReadOptions, Sink, TimeZone};
use jaga_core::event::{parse_rfc3339, Attachment, Event, Kind};

/// Deepest nesting followed outside messages; deeper input is refused, not recursed into.
const MAX_DEPTH: usize = 64;
/// Longest key or chat name kept while walking.
const MAX_META: usize = 1024;

/// A string, number or bool as text; anything else (null, arrays, objects) as empty. Exports
/// from different Telegram versions disagree on types; a field of the wrong type must not
/// cost the message.
#[derive(Debug, Default, Clone, PartialEq)]
struct Str(String);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Str, E> {
                Ok(Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Str, E> {
                Ok(Str(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Str, E> {
                Ok(Str(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Str, E> {
                Ok(Str(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Str, E> {
                Ok(Str(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Str, E> {
                Ok(Str(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Str, E> {
                Ok(Str::default())
            }
            fn visit_none<E>(self) -> Result<Str, E> {
                Ok(Str::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Str, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Str::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Str, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Str::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// True when the field is present at all (even `null`): `forwarded_from` of a hidden user.
#[derive(Debug, Default, Clone, Copy)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d)?;
        Ok(Present(true))
    }
}

/// One piece of a message text: plain, or an entity with its type and link target.
#[derive(Debug, Default, Clone, PartialEq)]
struct Part {
    kind: String,
    text: String,
    href: String,
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Part;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a text entity")
            }
            fn visit_str<E>(self, v: &str) -> Result<Part, E> {
                Ok(Part {
                    text: v.to_string(),
                    ..Part::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Part, A::Error> {
                let mut p = Part::default();
                while let Some(k) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*k {
                        "type" => p.kind = a.next_value::<Str>()?.0,
                        "text" => p.text = a.next_value::<Str>()?.0,
                        "href" => p.href = a.next_value::<Str>()?.0,
                        _ => {
                            a.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(p)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Part, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Part::default())
            }
            fn visit_unit<E>(self) -> Result<Part, E> {
                Ok(Part::default())
            }
            fn visit_i64<E>(self, v: i64) -> Result<Part, E> {
                Ok(Part::visit(&v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Part, E> {
                Ok(Part::visit(&v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Part, E> {
                Ok(Part::visit(&v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Part, E> {
                Ok(Part::visit(&v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A message text: a string, or an array of strings and entities.
#[derive(Debug, Default, Clone, PartialEq)]
struct Text(Vec<Part>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of text parts")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Text, A::Error> {
                let mut parts = Vec::new();
                while let Some(p) = a.next_element::<Part>()? {
                    parts.push(p);
                }
                Ok(Text(parts))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(vec![Part::visit(v)]))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Text, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text::default())
            }
            fn visit_unit<E>(self) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(vec![Part::visit(&v.to_string())]))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(vec![Part::visit(&v.to_string())]))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(vec![Part::visit(&v.to_string())]))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
                Ok(Text(vec![Part::visit(&v.to_string())]))
            }
        }
        d.deserialize_any(V)
    }
}

impl Part {
    fn visit(s: &str) -> Part {
        Part {
            text: s.to_string(),
            ..Part::default()
        }
    }
}

impl Text {
    fn is_empty(&self) -> bool {
        self.0
            .iter()
            .all(|p| p.text.is_empty() && p.href.is_empty())
    }

    /// The visible text, with each `text_link` target after its text: `promo (https://x.y)`.
    fn render(&self) -> String {
        let mut s = String::new();
        for p in &self.0 {
            s.push_str(&p.text);
            if !p.href.is_empty() && p.href != p.text {
                s.push_str(" (");
                s.push_str(&p.href);
                s.push(')');
            }
        }
        s
    }
}

/// A user in a service message: a bare name (older exports) or `{"id":..,"name":..}`.
#[derive(Debug, Default, Clone, PartialEq)]
struct Member {
    id: String,
    name: String,
}

impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Member;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name or object")
            }
            fn visit_str<E>(self, v: &str) -> Result<Member, E> {
                Ok(Member {
                    name: v.to_string(),
                    ..Member::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Member, A::Error> {
                let mut m = Member::default();
                while let Some(k) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*k {
                        "id" | "user_id" => m.id = a.next_value::<Str>()?.0,
                        "name" => m.name = a.next_value::<Str>()?.0,
                        _ => {
                            a.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(m)
            }
            fn visit_unit<E>(self) -> Result<Member, E> {
                Ok(Member::default())
            }
            fn visit_u64<E>(self, v: u64) -> Result<Member, E> {
                Ok(Member {
                    id: v.to_string(),
                    ..Member::default()
                })
            }
            fn visit_i64<E>(self, v: i64) -> Result<Member, E> {
                Ok(Member {
                    id: v.to_string(),
                    ..Member::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Member, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Member::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The fields of a Telegram message jaga reads; the rest is skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Message {
    id: Str,
    #[serde(rename = "type")]
    kind: Str,
    date: Str,
    date_unixtime: Str,
    from: Str,
    from_id: Str,
    actor: Str,
    actor_id: Str,
    action: Str,
    members: Vec<Member>,
    text: Text,
    text_entities: Text,
    reply_to_message_id: Str,
    forwarded_from: Present,
    file: Str,
    file_name: Str,
    photo: Str,
    media_type: Str,
}

impl Message {
    fn ts(&self, tz: &TimeZone) -> Option<i64> {
        if let Ok(t) = self.date_unixtime.0.trim().parse::<i64>() {
            return Some(t);
        }
        let d = self.date.0.trim();
        // Desktop writes local time without an offset (older exports have no
        // `date_unixtime`): the chat's zone places it, like WhatsApp's.
        parse_rfc3339(d).or_else(|| parse_rfc3339(&format!("{d}Z")).map(|t| tz.to_utc(t)))
    }

    fn text(&self) -> String {
        // Newer exports repeat the text as `text_entities`, which always is an array.
        if !self.text_entities.is_empty() {
            self.text_entities.render()
        } else {
            self.text.render()
        }
    }

    fn attachments(&self) -> Vec<Attachment> {
        let mut out = Vec::new();
        let path_name = |p: &str| -> String {
            // "(File not included. Change data exporting settings to download.)"
            if p.starts_with('(') {
                String::new()
            } else {
                p.rsplit(['/', '\\']).next().unwrap_or(p).to_string()
            }
        };
        if !self.file_name.0.is_empty() || !self.file.0.is_empty() {
            let name = if self.file_name.0.is_empty() {
                path_name(&self.file.0)
            } else {
                self.file_name.0.clone()
            };
            let kind = if self.media_type.0.is_empty() {
                "file".to_string()
            } else {
                self.media_type.0.clone()
            };
            out.push(Attachment { kind, name });
        }
        if !self.photo.0.is_empty() {
            out.push(Attachment {
                kind: "photo".into(),
                name: path_name(&self.photo.0),
            });
        }
        out
    }
}

/// Byte source with the line number, for the structural scanner.
struct Bytes<R> {
    r: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    line: u64,
}

impl<R: Read> Bytes<R> {
    fn peek(&mut self) -> io::Result<Option<u8>> {
        if self.pos == self.len {
            self.pos = 0;
            self.len = loop {
                match self.r.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if self.len == 0 {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[self.pos]))
    }

    fn bump(&mut self) {
        if self.buf[self.pos] == b'\n' {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        while let Some(b) = self.peek()? {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Ok(Some(b));
            }
            self.bump();
        }
        Ok(None)
    }

    /// Copies one JSON value (object) into `out`, up to `max` bytes; returns `Ok(false)` at
    /// the end of the input before the value closed.
    fn capture_value(&mut self, out: &mut Vec<u8>, max: usize) -> io::Result<Capture> {
        let mut depth = 0usize;
        let (mut in_str, mut esc) = (false, false);
        let mut oversized = false;
        loop {
            if self.pos == self.len && self.peek()?.is_none() {
                return Ok(Capture::Eof);
            }
            // Work on the buffered slice directly: this is the hot loop of the reader.
            let avail = &self.buf[self.pos..self.len];
            let mut end = None;
            for (i, &b) in avail.iter().enumerate() {
                if in_str {
                    if esc {
                        esc = false;
                    } else if b == b'\\' {
                        esc = true;
                    } else if b == b'"' {
                        in_str = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let n = end.unwrap_or(avail.len());
            let chunk = &avail[..n];
            self.line += memchr::memchr_iter(b'\n', chunk).count() as u64;
            if !oversized {
                if out.len() + n > max {
                    oversized = true;
                    out.clear();
                } else {
                    out.extend_from_slice(chunk);
                }
            }
            self.pos += n;
            if end.is_some() {
                return Ok(if oversized {
                    Capture::Oversized
                } else {
                    Capture::Done
                });
            }
        }
    }

    /// Reads a string (at its opening quote); keeps up to `MAX_META` raw bytes in `out`.
    fn string(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        out.clear();
        self.bump();
        let mut esc = false;
        while let Some(b) = self.peek()? {
            self.bump();
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                return Ok(true);
            }
            if out.len() < MAX_META {
                out.push(b);
            }
        }
        Ok(false)
    }

    /// Skips a number or literal; keeps it in `out`.
    fn scalar(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        out.clear();
        while let Some(b) = self.peek()? {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b':') {
                break;
            }
            if out.len() < MAX_META {
                out.push(b);
            }
            self.bump();
        }
        Ok(())
    }
}

enum Capture {
    Done,
    Oversized,
    Eof,
}

/// What the walker expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    ValueOrEnd,
    Key,
    KeyOrEnd,
    Colon,
    CommaOrEnd,
}

#[derive(Debug)]
enum Frame {
    Object {
        key: Vec<u8>,
        name: Option<String>,
        id: Option<String>,
    },
    Array {
        messages: bool,
    },
}

/// Turns messages into events, with the chat's join state.
struct Chat<'a> {
    sink: &'a mut dyn Sink,
    stats: &'a mut InputStats,
    /// The zone of `date` fields without `date_unixtime`.
    tz: &'a TimeZone,
    group: String,
    members: Members,
    index: u64,
}

impl Chat<'_> {
    fn begin(&mut self, forced: Option<&str>, name: Option<&str>, id: Option<&str>) {
        self.index += 1;
        self.members.clear();
        self.group = match (forced, name, id) {
            (Some(g), _, _) => g.to_string(),
            (None, Some(n), _) if !n.is_empty() => n.to_string(),
            (None, _, Some(i)) if !i.is_empty() => i.to_string(),
            _ => format!("chat {}", self.index),
        };
    }

    fn message(&mut self, line: u64, raw: &[u8]) -> Result<(), ReadError> {
        self.stats.counts.lines += 1;
        let m: Message = match serde_json::from_slice(raw) {
            Ok(m) => m,
            Err(e) => {
                self.sink.diagnostic(
                    Some(line),
                    Level::Error,
                    format!("not a valid Telegram message ({e}); skipped"),
                )?;
                return Ok(());
            }
        };
        let ts = m.ts(self.tz);
        if m.kind.0 == "service" {
            return self.service(line, &m, ts);
        }
        let user = if m.from_id.0.is_empty() {
            m.from.0.clone()
        } else {
            m.from_id.0.clone()
        };
        let counted = self.members.message(&user).or_else(|| {
            self.members
                .message(&m.from.0)
                .filter(|_| !m.from.0.is_empty())
        });
        let attachments = m.attachments();
        if !attachments.is_empty() {
            self.stats.counts.media += 1;
        }
        self.stats.counts.messages += 1;
        let event = Event {
            id: id_or_line(&m, line),
            kind: Kind::Message,
            group: self.group.clone(),
            user,
            name: m.from.0.clone(),
            text: m.text(),
            ts,
            reply_to: m.reply_to_message_id.0.clone(),
            forwarded: m.forwarded_from.0,
            attachments,
            member_messages: counted.map(|c| c.0),
            joined_at: counted.and_then(|c| c.1),
            ..Event::default()
        };
        self.sink.event(line, event)?;
        Ok(())
    }

    fn service(&mut self, line: u64, m: &Message, ts: Option<i64>) -> Result<(), ReadError> {
        let joined: Vec<Member> = match m.action.0.as_str() {
            "join_group_by_link" | "join_group_by_request" => vec![Member {
                id: m.actor_id.0.clone(),
                name: m.actor.0.clone(),
            }],
            "invite_members" | "add_members" => m.members.clone(),
            _ => Vec::new(),
        };
        let joined: Vec<Member> = joined
            .into_iter()
            .filter(|j| !j.id.is_empty() || !j.name.is_empty())
            .collect();
        if joined.is_empty() {
            self.stats.counts.system += 1;
            return Ok(());
        }
        let many = joined.len() > 1;
        for (k, j) in joined.into_iter().enumerate() {
            let user = if j.id.is_empty() {
                j.name.clone()
            } else {
                j.id
            };
            self.members.joined(&user, ts);
            if !j.name.is_empty() && j.name != user {
                self.members.joined(&j.name, ts);
            }
            self.stats.counts.joins += 1;
            let id = if many {
                format!("{}.{}", id_or_line(m, line), k + 1)
            } else {
                id_or_line(m, line)
            };
            let event = Event {
                id,
                kind: Kind::JoinRequest,
                group: self.group.clone(),
                user,
                name: j.name,
                ts,
                ..Event::default()
            };
            self.sink.event(line, event)?;
        }
        Ok(())
    }
}

/// The message's id, or its line when the export has none (older exports, hand-made ones).
fn id_or_line(m: &Message, line: u64) -> String {
    if m.id.0.is_empty() {
        line.to_string()
    } else {
        m.id.0.clone()
    }
}

/// Reads a Telegram export into the sink.
pub(crate) fn read<R: Read>(
    r: R,
    opts: &ReadOptions,
    stats: &mut InputStats,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut b = Bytes {
        r,
        buf: vec![0u8; 256 * 1024].into_boxed_slice(),
        pos: 0,
        len: 0,
        line: 1,
    };
    let mut chat = Chat {
        sink,
        stats,
        tz: &opts.tz,
        group: String::new(),
        members: Members::default(),
        index: 0,
    };
    let forced = opts.group.as_deref();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect = Expect::Value;
    let mut scratch = Vec::new();
    let mut msg = Vec::with_capacity(4096);
    let cut = |chat: &mut Chat, line: u64, what: &str| -> Result<(), ReadError> {
        chat.sink.diagnostic(
            Some(line),
            Level::Error,
            format!("the JSON ends {what} (the export was cut short?); every message before this line was scanned; re-export the chat to read the rest"),
        )?;
        Ok(())
    };
    loop {
        let Some(c) = b.skip_ws()? else {
            if !stack.is_empty() || expect == Expect::Value {
                let what = if stack
                    .iter()
                    .any(|f| matches!(f, Frame::Array { messages: true }))
                {
                    "inside the messages"
                } else {
                    "early"
                };
                cut(&mut chat, b.line, what)?;
            }
            return Ok(());
        };
        let syntax = |chat: &mut Chat,
                      line: u64,
                      found: u8,
                      wanted: &str|
         -> Result<(), ReadError> {
            chat.sink.diagnostic(
                Some(line),
                Level::Error,
                format!(
                    "not valid JSON: found `{}` where {wanted} should be; stopped reading this file, every message before this line was scanned",
                    (found as char).escape_default()
                ),
            )?;
            Ok(())
        };
        match expect {
            Expect::Value | Expect::ValueOrEnd => {
                if expect == Expect::ValueOrEnd && c == b']' {
                    b.bump();
                    stack.pop();
                    expect = Expect::CommaOrEnd;
                    continue;
                }
                if stack.is_empty() && c != b'{' {
                    syntax(&mut chat, b.line, c, "`{` (the start of a Telegram export)")?;
                    return Ok(());
                }
                let in_messages = matches!(stack.last(), Some(Frame::Array { messages: true }));
                if in_messages && c == b'{' {
                    let line = b.line;
                    msg.clear();
                    match b.capture_value(&mut msg, opts.max_event_bytes)? {
                        Capture::Done => chat.message(line, &msg)?,
                        Capture::Oversized => chat.sink.diagnostic(
                            Some(line),
                            Level::Error,
                            format!(
                                "message is longer than {} bytes; skipped (raise --max-event-bytes to read it)",
                                opts.max_event_bytes
                            ),
                        )?,
                        Capture::Eof => {
                            cut(&mut chat, line, "in the middle of this message")?;
                            return Ok(());
                        }
                    }
                    expect = Expect::CommaOrEnd;
                    continue;
                }
                match c {
                    b'{' | b'[' => {
                        if stack.len() >= MAX_DEPTH {
                            chat.sink.diagnostic(
                                Some(b.line),
                                Level::Error,
                                format!("JSON nested deeper than {MAX_DEPTH} levels; this is not a Telegram export; stopped reading"),
                            )?;
                            return Ok(());
                        }
                        b.bump();
                        if c == b'{' {
                            stack.push(Frame::Object {
                                key: Vec::new(),
                                name: None,
                                id: None,
                            });
                            expect = Expect::KeyOrEnd;
                        } else {
                            let messages = match stack.last() {
                                Some(Frame::Object { key, name, id }) if key == b"messages" => {
                                    chat.begin(forced, name.as_deref(), id.as_deref());
                                    true
                                }
                                _ => false,
                            };
                            stack.push(Frame::Array { messages });
                            expect = Expect::ValueOrEnd;
                        }
                    }
                    b'"' => {
                        let line = b.line;
                        if !b.string(&mut scratch)? {
                            cut(&mut chat, line, "inside a string")?;
                            return Ok(());
                        }
                        keep_meta(&mut stack, &scratch);
                        expect = Expect::CommaOrEnd;
                    }
                    b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                        b.scalar(&mut scratch)?;
                        keep_meta(&mut stack, &scratch);
                        expect = Expect::CommaOrEnd;
                    }
                    _ => {
                        syntax(&mut chat, b.line, c, "a value")?;
                        return Ok(());
                    }
                }
            }
            Expect::Key | Expect::KeyOrEnd => {
                if expect == Expect::KeyOrEnd && c == b'}' {
                    b.bump();
                    stack.pop();
                    expect = Expect::CommaOrEnd;
                    continue;
                }
                if c != b'"' {
                    syntax(&mut chat, b.line, c, "a key")?;
                    return Ok(());
                }
                let line = b.line;
                if !b.string(&mut scratch)? {
                    cut(&mut chat, line, "inside a key")?;
                    return Ok(());
                }
                if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                    key.clear();
                    key.extend_from_slice(&scratch);
                }
                expect = Expect::Colon;
            }
            Expect::Colon => {
                if c != b':' {
                    syntax(&mut chat, b.line, c, "`:`")?;
                    return Ok(());
                }
                b.bump();
                expect = Expect::Value;
            }
            Expect::CommaOrEnd => match (c, stack.last()) {
                (b',', Some(Frame::Object { .. })) => {
                    b.bump();
                    expect = Expect::Key;
                }
                (b',', Some(Frame::Array { .. })) => {
                    b.bump();
                    expect = Expect::Value;
                }
                (b'}', Some(Frame::Object { .. })) | (b']', Some(Frame::Array { .. })) => {
                    b.bump();
                    stack.pop();
                }
                (_, None) => {
                    chat.sink.diagnostic(
                        Some(b.line),
                        Level::Warning,
                        "text after the end of the JSON export; ignored".into(),
                    )?;
                    return Ok(());
                }
                _ => {
                    syntax(&mut chat, b.line, c, "`,` or the end of a list")?;
                    return Ok(());
                }
            },
        }
    }
}

/// Keeps a chat's `name` and `id` (written before its `messages`) for the events' `group`.
fn keep_meta(stack: &mut [Frame], raw: &[u8]) {
    if let Some(Frame::Object { key, name, id }) = stack.last_mut() {
        let slot = match key.as_slice() {
            b"name" => name,
            b"id" => id,
            _ => return,
        };
        let quoted = [b"\"", raw, b"\""].concat();
        *slot = serde_json::from_slice::<String>(&quoted)
            .ok()
            .or_else(|| std::str::from_utf8(raw).ok().map(str::to_string));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Collected, InputStats};

    fn read_str(s: &str) -> (Collected, InputStats) {
        let mut c = Collected::default();
        let mut stats = InputStats::new(
            "t.json".into(),
            super::super::Format::Telegram,
            super::super::decode::Encoding::Utf8,
        );
        read(s.as_bytes(), &ReadOptions::default(), &mut stats, &mut c).unwrap();
        (c, stats)
    }

    #[test]
    fn single_chat_with_entities_links_and_joins() {
        let json = r#"{
 "name": "ARMY Peduli",
 "type": "private_supergroup",
 "id": 77,
 "messages": [
  {"id": 1, "type": "service", "date": "2024-03-01T10:00:00", "date_unixtime": "1709287200",
   "actor": "Budi", "actor_id": "user9", "action": "join_group_by_link", "text": ""},
  {"id": 2, "type": "message", "date_unixtime": "1709287260", "from": "Budi", "from_id": "user9",
   "text": ["Promo ", {"type": "text_link", "text": "klik", "href": "https://bit.ly/x"}, " ya"]},
  {"id": 3, "type": "message", "date_unixtime": 1709287320, "from": "Budi", "from_id": "user9",
   "text": "lagi", "forwarded_from": null, "reply_to_message_id": 2,
   "file": "files/undangan.apk", "media_type": "file"}
 ]
}"#;
        let (c, stats) = read_str(json);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            (
                stats.counts.messages,
                stats.counts.joins,
                stats.counts.system
            ),
            (2, 1, 0)
        );
        let evs: Vec<&Event> = c.events.iter().map(|(_, e)| e).collect();
        assert_eq!(evs[0].kind, Kind::JoinRequest);
        assert_eq!(
            (evs[0].user.as_str(), evs[0].group.as_str()),
            ("user9", "ARMY Peduli")
        );
        assert_eq!(evs[1].text, "Promo klik (https://bit.ly/x) ya");
        assert_eq!(evs[1].member_messages, Some(0));
        assert_eq!(evs[1].joined_at, Some(1_709_287_200));
        assert_eq!(evs[2].member_messages, Some(1));
        assert!(evs[2].forwarded);
        assert_eq!(evs[2].reply_to, "2");
        assert_eq!(evs[2].attachments[0].name, "undangan.apk");
        assert_eq!(c.events[1].0.line, 8);
    }

    #[test]
    fn a_cut_export_keeps_what_came_before() {
        let json = "{\"messages\":[\n{\"id\":1,\"type\":\"message\",\"from\":\"A\",\"text\":\"satu\"},\n{\"id\":2,\"type\":\"message\",\"text\":\"du";
        let (c, stats) = read_str(json);
        assert_eq!(stats.counts.messages, 1);
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].line, Some(3));
        assert!(c.diagnostics[0].message.contains("cut short"));
    }

    #[test]
    fn garbage_and_deep_nesting_never_panic() {
        for s in [
            "",
            "{",
            "[[[[",
            "{\"messages\":[1,2,\"x\",{]}",
            "}",
            "{\"a\" 1}",
            &"[".repeat(10_000),
            "{\"messages\":[{\"text\":{\"a\":[1]}}]}",
        ] {
            let _ = read_str(s);
        }
    }
}
