//! Writes a synthetic WhatsApp export of about N bytes (hand-written fragments, see
//! `jaga_export::synth`) for end-to-end measurements of `jaga scan` on big exports:
//!
//! ```sh
//! cargo run --release --example gen_whatsapp -- 1000000000 android > /tmp/wa-1g.txt
//! /usr/bin/time -v target/release/jaga scan /tmp/wa-1g.txt --report /tmp/r.html > /dev/null
//! rm /tmp/wa-1g.txt
//! ```
//!
//! The layout is `android` (Indonesian, `26/11/20 23.10 - `) or `ios` (English, bracketed).

use std::io::{BufWriter, Write};

use jaga_export::synth::whatsapp::{whatsapp, Layout};

fn main() -> std::io::Result<()> {
    let bytes: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let layout = match std::env::args().nth(2).as_deref() {
        Some("ios") => Layout::IosEn,
        _ => Layout::AndroidId,
    };
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let w = whatsapp(42, bytes, layout, &mut out)?;
    out.flush()?;
    eprintln!(
        "{} bytes, {} lines: {} messages, {} joins, {} system, {} deleted, {} media",
        w.bytes,
        w.counts.lines,
        w.counts.messages,
        w.counts.joins,
        w.counts.system,
        w.counts.deleted,
        w.counts.media
    );
    Ok(())
}
