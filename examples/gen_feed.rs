//! Writes N synthetic JSONL events (hand-written fragments, see `jaga_export::synth`) for
//! end-to-end throughput measurements:
//!
//! ```sh
//! cargo run --release --example gen_feed -- 1000000 > /tmp/feed-1m.jsonl
//! time target/release/jaga scan /tmp/feed-1m.jsonl > /dev/null
//! ```

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let seed: u64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(42);
    let mut rng = jaga_export::synth::Rng::new(seed);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for i in 0..n {
        writeln!(out, "{}", jaga_export::synth::event_line(&mut rng, i))?;
    }
    out.flush()
}
