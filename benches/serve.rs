//! Criterion benchmarks of the parts `jaga serve` adds per event: the stateful stages
//! (flood, raid, cross-post) and the review store's batched case writes.
//!
//! `cargo bench --bench serve`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use jaga_core::event::Event;
use jaga_core::state::{raid::Raids, State, StateConfig};
use jaga_core::verdict::{Action, Category, Reason, Scores, Source, Span, Verdict};
use jaga_store::{Durability, NewCase, Store};

fn events(n: usize) -> Vec<Event> {
    let mut rng = jaga_export::synth::Rng::new(7);
    (0..n as u64)
        .map(|i| {
            let mut e: Event =
                serde_json::from_str(&jaga_export::synth::event_line(&mut rng, i)).unwrap();
            e.user = format!("u{}", rng.below(100_000));
            e.group = format!("g{}", rng.below(1000));
            e
        })
        .collect()
}

fn state(c: &mut Criterion) {
    let evs = events(1000);
    let mut g = c.benchmark_group("state");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("observe_1000_messages", |b| {
        let state = State::new(StateConfig::default(), Arc::new(Raids::default()));
        let mut out = Vec::new();
        let mut round = 0u64;
        b.iter(|| {
            round += 1;
            for (i, e) in evs.iter().enumerate() {
                out.clear();
                // Fresh ids each round so the recent-id cache does not short-cut the work.
                let mut e = e.clone();
                e.id = format!("{round}-{i}");
                let arrival = state.arrive(&e, round as i64 * 1000);
                state.observe(&e, arrival, &e.text, &mut out);
                black_box(&out);
            }
        })
    });
    g.bench_function("fingerprints_1000_texts", |b| {
        b.iter(|| {
            for e in &evs {
                black_box(jaga_core::state::crosspost::fingerprints(&e.text));
            }
        })
    });
    g.finish();
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db"), Durability::Normal).unwrap();
    // As in `jaga serve`, checkpoints (and their fsyncs) happen on another thread.
    store.disable_autocheckpoint().unwrap();
    let evs = events(100);
    // Six reasons per case from a few dozen rules, as flagged events carry: each case's rules
    // are counted in `rule_stats`.
    let verdict = |e: &Event| Verdict {
        id: e.id.clone(),
        kind: e.kind,
        category: Some(Category::Scam),
        action: Action::Remove,
        scores: Scores {
            scam: 0.9,
            ..Default::default()
        },
        reasons: (0..6)
            .map(|k| {
                let seed: usize = e.id.bytes().map(usize::from).sum();
                let rule = format!("scam.rule{}", (seed * 7 + k * 5) % 40);
                Reason::new(
                    Source::Rule,
                    rule,
                    Category::Scam,
                    0.4,
                    vec![Span::text(0, 4)],
                    "kw",
                )
            })
            .collect(),
        helpers: Vec::new(),
        doxing_helper_spans: Vec::new(),
    };
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(evs.len() as u64));
    let mut round = 0u64;
    g.bench_function("insert_100_cases_one_transaction", |b| {
        b.iter(|| {
            round += 1;
            let cases: Vec<NewCase> = evs
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    e.id = format!("{round}-{}", e.id);
                    NewCase::new(&e, &verdict(&e), 0)
                })
                .collect();
            black_box(store.insert_cases(&cases).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, state, store);
criterion_main!(benches);
