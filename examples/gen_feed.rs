//! Writes N synthetic JSONL events (hand-written fragments, see `jaga_export::synth`) for
//! end-to-end throughput measurements. `--mixed` writes the mixed feed the performance
//! figures are measured on (short replies, long announcements, English, styled Unicode,
//! emoji, links: `synth::mixed_message`):
//!
//! ```sh
//! cargo run --release --example gen_feed -- 1000000 > /tmp/feed-1m.jsonl
//! cargo run --release --example gen_feed -- 1000000 --mixed > /tmp/mixed-1m.jsonl
//! time target/release/jaga scan /tmp/feed-1m.jsonl > /dev/null
//! ```

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mixed = args.iter().any(|a| a == "--mixed");
    let mut numbers = args.iter().filter_map(|a| a.parse::<u64>().ok());
    let n = numbers.next().unwrap_or(100_000);
    let seed = numbers.next().unwrap_or(42);
    let mut rng = jaga_export::synth::Rng::new(seed);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for i in 0..n {
        let line = if mixed {
            jaga_export::synth::mixed_event_line(&mut rng, i)
        } else {
            jaga_export::synth::event_line(&mut rng, i)
        };
        writeln!(out, "{line}")?;
    }
    out.flush()
}
