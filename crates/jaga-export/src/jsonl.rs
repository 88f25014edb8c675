//! The JSONL event format: lines are handed on raw and parsed by the scan workers, in
//! parallel; this reader only cuts the stream into lines.

use std::io::BufRead;

use super::{read_line_capped, trim_eol, InputStats, ReadError, Sink};

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
