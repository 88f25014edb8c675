//! The full pipeline's CPU per event over a reference program's, on the project's mixed
//! feed (`jaga_export::synth::mixed_event_line`: short replies, long announcements,
//! English, styled Unicode, emoji, links, about one in ten spam or scam).
//!
//! The **reference** does only the work no moderation pipeline can avoid: parse the JSON
//! line, case-fold the text, one Aho-Corasick DFA pass with every keyword of the shipped
//! rules, write one JSON line. The **pipeline** is what `jaga scan` does per event on one
//! thread: parse the line into an event, [`Detector::check`] (extraction, normalisation,
//! keywords and regexes, links, doxing, the stateful stages, rules, the classifier, the
//! policy), write the verdict as one JSON line.
//!
//! Criterion times each; then both run in alternating rounds in this one process and the
//! ratio of their thread CPU time is printed, so it holds on a noisy shared machine where
//! absolute times drift:
//!
//! Each round reads events it has not seen before (the feed is `ROUNDS` times the events of
//! a round), as a real feed does: the regex engines' lazy DFAs and the stateful windows
//! meet new text, which replaying one sample would hide.
//!
//! ```sh
//! cargo bench --bench ratio                 # criterion, then the ratio
//! cargo bench --bench ratio -- --ratio-only # the ratio alone (about a minute)
//! # the ratio on another JSONL feed, e.g. one made from ../shared/data (not shipped):
//! JAGA_RATIO_FEED=/tmp/real.jsonl cargo bench --bench ratio -- --ratio-only
//! ```

use std::borrow::Cow;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

// The allocator of the `jaga` binary (src/main.rs), so the pipeline here allocates as
// `jaga scan` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use criterion::{BatchSize, Criterion, Throughput};
use serde::Deserialize;

use jaga_core::detector::Detector;
use jaga_core::engine::Scratch;
use jaga_core::model::Model;
use jaga_core::rules::{Detector as RuleDetector, RuleSet};

/// Events per round: enough that every kind of message of the mixed feed is there many times.
const N: usize = 4000;
/// Timed rounds of the ratio (after one warm-up round).
const ROUNDS: usize = 15;
const MAX_EVENT_BYTES: usize = 1 << 20;

/// The events of every round: `$JAGA_RATIO_FEED`'s lines, or the mixed feed.
fn feed() -> Vec<String> {
    if let Some(path) = std::env::var("JAGA_RATIO_FEED")
        .ok()
        .filter(|p| !p.is_empty())
    {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("JAGA_RATIO_FEED={path}: {e}"));
        let lines: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        assert!(
            lines.len() >= N,
            "JAGA_RATIO_FEED needs at least {N} events"
        );
        return lines;
    }
    let mut rng = jaga_export::synth::Rng::new(42);
    (0..(N * (ROUNDS + 1)) as u64)
        .map(|i| jaga_export::synth::mixed_event_line(&mut rng, i))
        .collect()
}

/// The events of round `r` (wrapping around a feed shorter than all rounds).
fn round(lines: &[String], r: usize) -> &[String] {
    let chunks = lines.len() / N;
    let c = r % chunks;
    &lines[c * N..(c + 1) * N]
}

fn rules_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// The reference program: the unavoidable work per event.
struct Reference {
    keywords: AhoCorasick,
    folded: String,
}

#[derive(Deserialize)]
struct RefEvent<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    text: Cow<'a, str>,
}

impl Reference {
    fn new() -> Reference {
        let ruleset = RuleSet::load(&rules_dir()).expect("shipped rules load");
        let mut words: Vec<&str> = ruleset
            .rules
            .iter()
            .filter_map(|r| match &r.detector {
                RuleDetector::Patterns { keywords, .. } => Some(keywords),
                _ => None,
            })
            .flatten()
            .map(|(k, _)| k.as_str())
            .collect();
        words.sort_unstable();
        words.dedup();
        let words: Vec<String> = words.into_iter().map(str::to_owned).collect();
        let keywords = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&words)
            .expect("keywords compile");
        Reference {
            keywords,
            folded: String::new(),
        }
    }

    fn run(&mut self, line: &str, out: &mut Vec<u8>) {
        let ev: RefEvent = serde_json::from_str(line).expect("feed line parses");
        self.folded.clear();
        self.folded
            .extend(ev.text.chars().flat_map(char::to_lowercase));
        let hits = self.keywords.find_overlapping_iter(&self.folded).count();
        serde_json::to_writer(
            &mut *out,
            &serde_json::json!({"id": ev.id, "keyword_hits": hits}),
        )
        .expect("writes");
        out.push(b'\n');
    }
}

/// The pipeline per event, as `jaga scan` runs it on one thread.
fn pipeline(detector: &Detector, line: &str, scratch: &mut Scratch, out: &mut Vec<u8>) {
    let ev = jaga_export::jsonl::parse_event(line.as_bytes(), MAX_EVENT_BYTES)
        .expect("feed line parses")
        .expect("not blank");
    let verdict = detector.check(&ev, ev.ts.unwrap_or(0) * 1000, scratch);
    serde_json::to_writer(&mut *out, &verdict).expect("writes");
    out.push(b'\n');
}

fn detectors() -> (Detector, Detector) {
    let model = Model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/jaga.model"))
        .expect("shipped model loads");
    let full = Detector::builder()
        .rules_dir(rules_dir())
        .model(Some(model))
        .build()
        .expect("shipped rules build");
    let no_model = Detector::from_dir(rules_dir()).expect("shipped rules build");
    (full, no_model)
}

fn bench(c: &mut Criterion, lines: &[String]) {
    let (full, no_model) = detectors();
    let mut reference = Reference::new();
    let mut out = Vec::with_capacity(1 << 20);
    let lines = round(lines, 0);
    let mut g = c.benchmark_group(format!("{N} events"));
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("reference", |b| {
        b.iter(|| {
            out.clear();
            for l in lines {
                reference.run(black_box(l), &mut out);
            }
        })
    });
    for (name, detector) in [("pipeline", &full), ("pipeline --no-model", &no_model)] {
        let mut scratch = Scratch::new();
        g.bench_function(name, |b| {
            // A fresh state per pass: the same events replayed would look like a flood.
            b.iter_batched(
                || detector.with_fresh_state(),
                |d| {
                    out.clear();
                    for l in lines {
                        pipeline(&d, black_box(l), &mut scratch, &mut out);
                    }
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

/// This thread's CPU time: other processes on the machine do not count.
fn cpu_now() -> Duration {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime");
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
    #[cfg(not(unix))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed()
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Alternating rounds of reference, pipeline and pipeline without the model; prints the CPU
/// per event of each and the ratios (medians over rounds of the per-round ratio).
fn ratio(feed: &[String], rounds: usize) {
    let (full, no_model) = detectors();
    let mut reference = Reference::new();
    // One scratch per detector, as `jaga scan` keeps one per thread for the whole run: a
    // scratch shared by two detectors drops its regex caches at every switch, so each round
    // would rebuild the lazy DFA states a scan builds once.
    let (mut full_scratch, mut no_model_scratch) = (Scratch::new(), Scratch::new());
    let mut out = Vec::with_capacity(1 << 20);
    let per_event = |d: Duration| d.as_secs_f64() * 1e6 / N as f64;
    let (mut r_us, mut p_us, mut n_us, mut pr, mut nr) = (vec![], vec![], vec![], vec![], vec![]);
    for k in 0..=rounds {
        let lines = round(feed, k);
        let t = cpu_now();
        out.clear();
        for l in lines {
            reference.run(l, &mut out);
        }
        let r = per_event(cpu_now() - t);
        let mut time = |d: &Detector, scratch: &mut Scratch| {
            let d = d.with_fresh_state();
            let t = cpu_now();
            out.clear();
            for l in lines {
                pipeline(&d, l, scratch, &mut out);
            }
            per_event(cpu_now() - t)
        };
        let p = time(&full, &mut full_scratch);
        let n = time(&no_model, &mut no_model_scratch);
        if k == 0 {
            continue; // warm-up: allocations, the first lazy-DFA states
        }
        r_us.push(r);
        p_us.push(p);
        n_us.push(n);
        pr.push(p / r);
        nr.push(n / r);
    }
    let name = std::env::var("JAGA_RATIO_FEED")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "mixed feed".into());
    println!(
        "\n{name}, {rounds} alternating rounds of {N} new events, thread CPU per event (median):"
    );
    println!("  reference            {:8.2} us", median(&mut r_us));
    println!("  pipeline             {:8.2} us", median(&mut p_us));
    println!("  pipeline --no-model  {:8.2} us", median(&mut n_us));
    println!(
        "  ratio pipeline / reference: {:.2}x (--no-model {:.2}x)",
        median(&mut pr),
        median(&mut nr)
    );
}

fn main() {
    let lines = feed();
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test" || a == "--list");
    if args.iter().any(|a| a == "--ratio-only") {
        ratio(&lines, ROUNDS);
        return;
    }
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    bench(&mut c, &lines);
    c.final_summary();
    if !args.iter().any(|a| a == "--list") {
        ratio(&lines, if quick { 1 } else { ROUNDS });
    }
}
