//! Criterion benchmarks of each stage and of full scoring, on synthetic typical chat
//! messages (`jaga_export::synth`): per message and per byte.
//!
//! `cargo bench --bench pipeline`

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use jaga_core::engine::{Engine, Scratch};
use jaga_core::event::Event;
use jaga_core::extract::{self, Entity, EntityKind};
use jaga_core::links::{self, LinkLists};
use jaga_core::normalise::Normalised;
use jaga_core::rules::RuleField;

const N: usize = 1000;

fn corpus() -> (Vec<String>, u64) {
    let msgs = jaga_export::synth::messages(42, N);
    let bytes = msgs.iter().map(|m| m.len() as u64).sum();
    (msgs, bytes)
}

fn stages(c: &mut Criterion) {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let engine = Engine::load(&rules).expect("shipped rules load");
    let lists = LinkLists::load(&rules).expect("shipped lists load");
    let (msgs, bytes) = corpus();
    let events: Vec<Event> = msgs.iter().map(|m| Event::message(m)).collect();

    let mut g = c.benchmark_group(format!("{N} messages, bytes"));
    g.throughput(Throughput::Bytes(bytes));
    let mut ents = Vec::new();
    g.bench_function("extract", |b| {
        b.iter(|| {
            for m in &msgs {
                extract::extract(black_box(m), &mut ents);
            }
        })
    });
    let mut norm = Normalised::new();
    g.bench_function("extract+normalise", |b| {
        b.iter(|| {
            for m in &msgs {
                extract::extract(m, &mut ents);
                norm.normalise(black_box(m), &ents);
            }
        })
    });
    let normalised: Vec<String> = msgs
        .iter()
        .map(|m| jaga_core::normalise::normalise_str(m))
        .collect();
    let mut hits = Vec::new();
    g.bench_function("keywords+regex", |b| {
        b.iter(|| {
            for n in &normalised {
                hits.clear();
                engine
                    .matcher()
                    .find(RuleField::Text, black_box(n), &mut hits);
            }
        })
    });
    let entities: Vec<Vec<Entity>> = msgs
        .iter()
        .map(|m| {
            let mut v = Vec::new();
            extract::extract(m, &mut v);
            v.retain(|e| e.kind == EntityKind::Url);
            v
        })
        .collect();
    let mut findings = Vec::new();
    g.bench_function("links", |b| {
        b.iter(|| {
            for (m, urls) in msgs.iter().zip(&entities) {
                findings.clear();
                links::analyse(&lists, black_box(m), urls, &[], &mut findings);
            }
        })
    });
    let doxing = jaga_core::doxing::Doxing::default();
    let mut dox_scratch = jaga_core::doxing::DoxingScratch::default();
    let prepared: Vec<(Vec<Entity>, Normalised)> = msgs
        .iter()
        .map(|m| {
            let mut e = Vec::new();
            extract::extract(m, &mut e);
            let mut n = Normalised::new();
            n.normalise(m, &e);
            (e, n)
        })
        .collect();
    g.bench_function("doxing", |b| {
        b.iter(|| {
            for (m, (e, n)) in msgs.iter().zip(&prepared) {
                findings.clear();
                doxing.analyse(black_box(m), n, e, false, &mut dox_scratch, &mut findings);
            }
        })
    });
    let mut scratch = Scratch::new();
    g.bench_function("full scoring", |b| {
        b.iter(|| {
            for ev in &events {
                black_box(engine.evaluate(black_box(ev), &mut scratch));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("per message");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("full scoring", |b| {
        b.iter(|| {
            for ev in &events {
                black_box(engine.evaluate(black_box(ev), &mut scratch));
            }
        })
    });
    let lines: Vec<String> = {
        let mut rng = jaga_export::synth::Rng::new(9);
        (0..N as u64)
            .map(|i| jaga_export::synth::event_line(&mut rng, i))
            .collect()
    };
    g.bench_function("parse+score+serialise", |b| {
        b.iter_batched(
            Vec::<u8>::new,
            |mut out| {
                for l in &lines {
                    let ev: Event = serde_json::from_str(l).unwrap();
                    serde_json::to_writer(&mut out, &engine.evaluate(&ev, &mut scratch)).unwrap();
                }
                out
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
