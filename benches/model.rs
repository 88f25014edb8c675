//! Criterion benchmarks of the classifier: featurise + predict per typical message (on the
//! normalised text and meta inputs the engine hands it), full scoring with and without the
//! model, and loading the shipped model file.
//!
//! `cargo bench --bench model`

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use jaga_core::engine::{Engine, Scratch};
use jaga_core::event::Event;
use jaga_core::features::Inputs;
use jaga_core::model::{self, Model};

const N: usize = 1000;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model_path = root.join(model::DEFAULT_PATH);
    let model = Model::load(&model_path).expect("models/jaga.model loads");
    let engine = Engine::load(&root.join("rules")).expect("shipped rules load");
    let msgs = jaga_export::synth::messages(42, N);
    let events: Vec<Event> = msgs.iter().map(|m| Event::message(m)).collect();
    // What the engine hands the model: computed once, outside the timed loop.
    let mut scratch = Scratch::new();
    let prepared: Vec<(String, Inputs<'static>)> = events
        .iter()
        .map(|ev| {
            let inp = engine.model_inputs(ev, &mut scratch);
            let detached = Inputs {
                original: "",
                normalised: "",
                kind: inp.kind,
                first_message: inp.first_message,
                links: inp.links,
                suspicious_link: inp.suspicious_link,
                invite_link: inp.invite_link,
                apk: inp.apk,
                personal_data: inp.personal_data,
                pii: inp.pii,
                obfuscation: inp.obfuscation,
            };
            (inp.normalised.to_string(), detached)
        })
        .collect();

    let mut g = c.benchmark_group("model per message");
    g.throughput(Throughput::Elements(N as u64));
    let mut ms = model::Scratch::default();
    g.bench_function("featurise+predict", |b| {
        b.iter(|| {
            for ((norm, inp), ev) in prepared.iter().zip(&events) {
                let inp = Inputs {
                    original: &ev.text,
                    normalised: norm,
                    ..*inp
                };
                black_box(model.predict(black_box(&inp), &mut ms));
            }
        })
    });
    let with_model = Engine::load(&root.join("rules"))
        .expect("shipped rules load")
        .with_model(Some(model.clone()));
    g.bench_function("full scoring, rules only", |b| {
        b.iter(|| {
            for ev in &events {
                black_box(engine.evaluate(black_box(ev), &mut scratch));
            }
        })
    });
    g.bench_function("full scoring, rules + model", |b| {
        b.iter(|| {
            for ev in &events {
                black_box(with_model.evaluate(black_box(ev), &mut scratch));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("model file");
    g.sample_size(20);
    g.bench_function("load models/jaga.model", |b| {
        b.iter(|| black_box(Model::load(black_box(&model_path)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
