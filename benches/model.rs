//! Criterion benchmarks of the classifier: featurise + predict per typical message (on the
//! normalised text and meta inputs the engine hands it), full scoring with and without the
//! model, and loading the shipped model file. `featurise+predict, format 1 path` replays
//! the previous model's predictor (a row table over 4,096 selected n-grams, f32 weights) on
//! the same messages, so the old and new paths are compared in one run.
//!
//! `JAGA_BENCH_MODEL_B=FILE` adds `featurise+predict, model B` with another model file (a
//! retrained or differently configured one) on the same messages, for a comparison in one run.
//!
//! `cargo bench --bench model`

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use jaga_core::engine::{Engine, Scratch};
use jaga_core::event::Event;
use jaga_core::features::{self, Buffers, FeatureConfig, Inputs};
use jaga_core::model::{self, Model, LABELS};

const N: usize = 1000;
const NO_ROW: u32 = u32::MAX;

/// The format-1 predictor: hashed id -> row of the 4,096 selected n-grams, f32 weights.
struct OldPath {
    cfg: FeatureConfig,
    rows: Vec<u32>,
    weights: Vec<[f32; LABELS]>,
    meta: Vec<[f32; LABELS]>,
    bias: [f32; LABELS],
    buffers: Buffers,
    ids: Vec<u32>,
}

impl OldPath {
    /// The 4,096 n-grams of `m` with the largest weights, laid out as format 1 did.
    fn from(m: &Model) -> OldPath {
        let cfg = m.file().features;
        let mut ids: Vec<(f32, u32)> = m
            .ids()
            .into_iter()
            .map(|id| {
                (
                    m.weights_of(id).iter().fold(0f32, |a, w| a.max(w.abs())),
                    id,
                )
            })
            .collect();
        ids.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut selected: Vec<u32> = ids.iter().take(4096).map(|p| p.1).collect();
        selected.sort_unstable();
        let mut rows = vec![NO_ROW; cfg.dimensions()];
        for (r, &id) in selected.iter().enumerate() {
            rows[id as usize] = r as u32;
        }
        let f = m.file();
        OldPath {
            cfg,
            rows,
            weights: selected.iter().map(|&id| m.weights_of(id)).collect(),
            meta: f
                .meta
                .chunks_exact(LABELS)
                .map(|w| std::array::from_fn(|c| w[c]))
                .collect(),
            bias: std::array::from_fn(|c| f.bias[c]),
            buffers: Buffers::default(),
            ids: Vec::new(),
        }
    }

    fn predict(&mut self, inp: &Inputs) -> model::Probs {
        self.ids.clear();
        features::hashed(&self.cfg, inp.normalised, &mut self.buffers, &mut self.ids);
        let scale = if self.ids.is_empty() {
            0.0
        } else {
            1.0 / (self.ids.len() as f32).sqrt()
        };
        let mut text = [0f32; LABELS];
        for &id in &self.ids {
            let row = self.rows[id as usize];
            if row != NO_ROW {
                let w = &self.weights[row as usize];
                for c in 0..LABELS {
                    text[c] += w[c];
                }
            }
        }
        let mut logits = self.bias;
        for c in 0..LABELS {
            logits[c] += text[c] * scale;
        }
        for (v, w) in features::meta(inp).iter().zip(&self.meta) {
            if *v != 0.0 {
                for c in 0..LABELS {
                    logits[c] += v * w[c];
                }
            }
        }
        model::softmax(logits)
    }
}

/// Calls `f` with each prepared message's inputs, its original text put back.
fn each_input(
    prepared: &[(String, Inputs<'static>)],
    events: &[Event],
    mut f: impl FnMut(&Inputs),
) {
    for ((norm, inp), ev) in prepared.iter().zip(events) {
        f(&Inputs {
            original: &ev.text,
            normalised: norm,
            ..*inp
        });
    }
}

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
            each_input(&prepared, &events, |inp| {
                black_box(model.predict(black_box(inp), &mut ms));
            })
        })
    });
    if let Some(path) = std::env::var_os("JAGA_BENCH_MODEL_B") {
        let b_model = Model::load(Path::new(&path)).expect("JAGA_BENCH_MODEL_B loads");
        let mut ms = model::Scratch::default();
        g.bench_function("featurise+predict, model B", |b| {
            b.iter(|| {
                each_input(&prepared, &events, |inp| {
                    black_box(b_model.predict(black_box(inp), &mut ms));
                })
            })
        });
    }
    let mut old = OldPath::from(&model);
    g.bench_function("featurise+predict, format 1 path", |b| {
        b.iter(|| {
            each_input(&prepared, &events, |inp| {
                black_box(old.predict(black_box(inp)));
            })
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
