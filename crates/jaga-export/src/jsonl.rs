//! The JSONL event format: the one line reader and the one line parser that `jaga scan`,
//! `jaga serve --stdin` and `jaga train` share. Lines are handed on raw and parsed by the
//! scan workers, in parallel; [`read`] only cuts the stream into lines.

use std::io::BufRead;

use jaga_core::Event;

pub use super::read_line_capped;
use super::{trim_eol, InputStats, ReadError, Sink};

/// Parses one JSONL line (with or without its line ending) into an event. A blank line is
/// `Ok(None)`; the error says what is wrong in words for the admin (too long, not UTF-8,
/// not an event), for the caller to prefix with the file and line.
pub fn parse_event(line: &[u8], max_bytes: usize) -> Result<Option<Event>, String> {
    let line = trim_eol(line);
    if line == [0xFF] || line.len() > max_bytes {
        return Err(format!(
            "event is longer than {max_bytes} bytes; skipped (raise --max-event-bytes to score it)"
        ));
    }
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let text = std::str::from_utf8(line).map_err(|e| {
        format!(
            "not valid UTF-8 at byte {}; re-encode the file as UTF-8",
            e.valid_up_to()
        )
    })?;
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| format!("not a valid event: {e}"))
}

/// Reads JSONL lines into the sink; a line longer than `max_bytes` arrives as the one-byte
/// marker `[0xFF]` (see [`super::read_line_capped`]).
pub fn read<R: BufRead>(
    mut r: R,
    max_bytes: usize,
    stats: &mut InputStats,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut buf = Vec::with_capacity(4096);
    loop {
        buf.clear();
        if read_line_capped(&mut r, &mut buf, max_bytes)? == 0 {
            return Ok(());
        }
        stats.counts.lines += 1;
        sink.line(stats.counts.lines, trim_eol(&buf))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parser_for_every_jsonl_reader() {
        assert_eq!(parse_event(b"  \r\n", 100), Ok(None));
        let ev = parse_event(b"{\"id\":\"a\",\"text\":\"halo\"}\r\n", 100)
            .unwrap()
            .unwrap();
        assert_eq!((ev.id.as_str(), ev.text.as_str()), ("a", "halo"));
        assert!(parse_event(b"not json", 100)
            .unwrap_err()
            .starts_with("not a valid event"));
        assert!(parse_event(b"{\"text\":\"\xff\"}", 100)
            .unwrap_err()
            .contains("UTF-8 at byte 9"));
        assert!(parse_event(&[0xFF], 100)
            .unwrap_err()
            .contains("longer than 100 bytes"));
        assert!(parse_event(&[b' '; 20], 10)
            .unwrap_err()
            .contains("longer than 10"));
    }
}
