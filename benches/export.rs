//! Criterion benchmarks of the export readers, in bytes per second on one core: WhatsApp
//! text (Android-Indonesian and iOS-English layouts, with and without the date-order
//! pre-scan) and Telegram JSON, from synthetic exports built of hand-written fragments.
//! Events are built in full (strings, attachments, join state) and then dropped; scoring
//! is not included (see `benches/pipeline.rs`).
//!
//! `cargo bench --bench export`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use jaga_core::event::Event;
use jaga_export::{
    synth::whatsapp as synth, DateOrder, InputStats, Level, ReadOptions, Sink, Stop,
};

const BYTES: u64 = 16 << 20;

/// Counts what it is given and drops it, like a scan that only parses.
#[derive(Default)]
struct Count {
    events: u64,
    text: u64,
}

impl Sink for Count {
    fn begin(&mut self, _: Arc<str>) -> Result<(), Stop> {
        Ok(())
    }
    fn event(&mut self, _: u64, e: Event) -> Result<(), Stop> {
        self.events += 1;
        self.text += e.text.len() as u64;
        black_box(e);
        Ok(())
    }
    fn line(&mut self, _: u64, b: &[u8]) -> Result<(), Stop> {
        self.text += b.len() as u64;
        Ok(())
    }
    fn diagnostic(&mut self, _: Option<u64>, _: Level, _: String) -> Result<(), Stop> {
        Ok(())
    }
    fn end(&mut self, _: InputStats) -> Result<(), Stop> {
        Ok(())
    }
}

fn telegram_export(bytes: u64) -> Vec<u8> {
    let mut rng = jaga_export::synth::Rng::new(3);
    let mut messages = Vec::new();
    let mut size = 0u64;
    let mut id = 0u64;
    while size < bytes {
        id += 1;
        let text = jaga_export::synth::message(&mut rng);
        let m = if id % 50 == 0 {
            serde_json::json!({"id": id, "type": "service", "date": "2024-03-13T21:15:00", "date_unixtime": (1_710_364_500 + id).to_string(), "actor": format!("Member {id}"), "actor_id": format!("user{id}"), "action": "join_group_by_link", "text": "", "text_entities": []})
        } else {
            serde_json::json!({"id": id, "type": "message", "date": "2024-03-13T21:16:00", "date_unixtime": (1_710_364_500 + id).to_string(), "from": format!("Member {}", id % 300), "from_id": format!("user{}", id % 300), "text": ["", {"type": "bold", "text": text}], "text_entities": [{"type": "bold", "text": text}]})
        };
        let s = serde_json::to_string_pretty(&m).unwrap();
        size += s.len() as u64;
        messages.push(m);
    }
    let doc = serde_json::json!({"name": "ARMY Peduli", "type": "private_supergroup", "id": 1, "messages": messages});
    serde_json::to_vec_pretty(&doc).unwrap()
}

fn readers(c: &mut Criterion) {
    let mut g = c.benchmark_group("export");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for (name, layout) in [
        ("whatsapp android-id", synth::Layout::AndroidId),
        ("whatsapp ios-en", synth::Layout::IosEn),
    ] {
        let mut data = Vec::with_capacity(BYTES as usize + 4096);
        synth::whatsapp(11, BYTES, layout, &mut data).unwrap();
        g.throughput(Throughput::Bytes(data.len() as u64));
        let forced = ReadOptions {
            date_order: Some(DateOrder::Dmy),
            ..ReadOptions::default()
        };
        g.bench_function(format!("{name}, parse"), |b| {
            b.iter(|| {
                let mut sink = Count::default();
                jaga_export::read_bytes("chat.txt", black_box(&data), &forced, &mut sink).unwrap();
                sink.events
            })
        });
        g.bench_function(format!("{name}, date-order pre-scan + parse"), |b| {
            b.iter(|| {
                let mut sink = Count::default();
                jaga_export::read_bytes(
                    "chat.txt",
                    black_box(&data),
                    &ReadOptions::default(),
                    &mut sink,
                )
                .unwrap();
                sink.events
            })
        });
    }
    let tg = telegram_export(BYTES);
    g.throughput(Throughput::Bytes(tg.len() as u64));
    g.bench_function("telegram json, parse", |b| {
        b.iter(|| {
            let mut sink = Count::default();
            jaga_export::read_bytes(
                "result.json",
                black_box(&tg),
                &ReadOptions::default(),
                &mut sink,
            )
            .unwrap();
            sink.events
        })
    });
    g.finish();
}

criterion_group!(benches, readers);
criterion_main!(benches);
