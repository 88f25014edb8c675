//! The bodies of jaga's fuzz targets, as plain functions.
//!
//! `fuzz_targets/*.rs` hand each to libFuzzer (`cargo fuzz run NAME`, coverage-guided, on a
//! toolchain with `-Z sanitizer`); `tests/smoke.rs` calls the same functions on the seeds
//! in `seeds/NAME/` and on a few thousand mutations of them, on stable, in CI. Each target
//! asserts what must hold for any input, beyond "does not panic": see each function.

#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jaga_core::event::Event;
use jaga_core::{Detector, Field, Scratch};
use jaga_export::{Collected, Format, ReadOptions};

pub mod mutate;

/// The repository root (the fuzz crate is `fuzz/` in it).
pub fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn engine() -> &'static Detector {
    static ENGINE: OnceLock<Detector> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Detector::from_dir(repo_root().join("rules")).expect("the shipped rules load")
    })
}

/// One JSONL event line, parsed as `jaga scan` parses it, then scored by the shipped rules.
///
/// Holds: every score is a number in `[0, 1]`; the verdict serialises to JSON.
pub fn event_line(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(event) = serde_json::from_str::<Event>(text) else {
        return;
    };
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::new());
    }
    let verdict = SCRATCH.with(|s| engine().check(&event, 0, &mut s.borrow_mut()));
    // The output contract: every span names its field and lies on char boundaries of it.
    for r in &verdict.reasons {
        for sp in &r.spans {
            let field = match sp.field {
                Field::Text => &event.text,
                Field::Name => &event.name,
                Field::Attachment => panic!("{}: an attachment span {sp:?}", r.id),
            };
            assert!(
                sp.start < sp.end
                    && sp.end <= field.len()
                    && field.is_char_boundary(sp.start)
                    && field.is_char_boundary(sp.end),
                "{}: {sp:?} does not fit its field",
                r.id
            );
        }
    }
    let s = &verdict.scores;
    for v in [s.spam, s.scam, s.doxing, s.abuse] {
        assert!((0.0..=1.0).contains(&v), "score {v} outside [0, 1]");
    }
    serde_json::to_string(&verdict).expect("a verdict serialises");
}

/// The normaliser on any text (bytes that are not UTF-8 are replaced, as readers do).
///
/// Holds the offset-map contract spans rely on: any range of the normalised text maps to a
/// range of the original that is ordered, inside it and on its char boundaries.
pub fn normalise(data: &[u8]) {
    let original = String::from_utf8_lossy(data);
    let mut entities = Vec::new();
    jaga_core::extract::extract(&original, &mut entities);
    for e in &entities {
        assert!(e.start <= e.end && e.end <= original.len(), "entity {e:?}");
        assert!(original.is_char_boundary(e.start) && original.is_char_boundary(e.end));
    }
    let mut n = jaga_core::normalise::Normalised::new();
    n.normalise(&original, &entities);
    let len = n.text().len();
    let step = (len / 64).max(1);
    for start in (0..=len).step_by(step) {
        for end in [start, start + 1, start + step, len] {
            let (s, e) = n.to_original(start, end.min(len));
            assert!(
                s <= e && e <= original.len(),
                "({start},{end}) -> ({s},{e})"
            );
            assert!(
                original.is_char_boundary(s) && original.is_char_boundary(e),
                "({start},{end}) -> ({s},{e}) not on char boundaries"
            );
        }
    }
}

/// Events and diagnostics of one read, checked against the input.
fn check_read(data: &[u8], c: &Collected, max_event_bytes: usize) {
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for (origin, event) in &c.events {
        assert!(
            origin.line >= 1 && origin.line <= lines,
            "line {} of {lines}",
            origin.line
        );
        // A message is cut at the limit (the newline joining a cut line may add one byte;
        // a replaced invalid byte may add three).
        assert!(
            event.text.len() <= max_event_bytes + 4,
            "a {}-byte message passed the {max_event_bytes}-byte cap",
            event.text.len()
        );
    }
    for d in &c.diagnostics {
        if let Some(l) = d.line {
            assert!(l >= 1 && l <= lines, "diagnostic on line {l} of {lines}");
        }
    }
}

fn read(name: &str, data: &[u8], format: Option<Format>, max: usize) -> Collected {
    let opts = ReadOptions {
        format,
        max_event_bytes: max,
        ..ReadOptions::default()
    };
    let mut c = Collected::default();
    jaga_export::read_bytes(name, data, &opts, &mut c).expect("in-memory reads do not fail");
    c
}

/// A WhatsApp `.txt` export, read as one (small cap, so cutting is exercised) and with the
/// format recognised.
///
/// Holds: events and diagnostics point at lines that exist; messages respect the cap.
pub fn whatsapp(data: &[u8]) {
    let c = read("chat.txt", data, Some(Format::WhatsApp), 200);
    check_read(data, &c, 200);
    let c = read("chat.txt", data, None, 1 << 20);
    check_read(data, &c, 1 << 20);
}

/// A Telegram Desktop JSON export (one chat, a batch, an account).
///
/// Holds: events point at lines that exist; messages respect the cap.
pub fn telegram(data: &[u8]) {
    let c = read("result.json", data, Some(Format::Telegram), 4096);
    for (origin, _) in &c.events {
        assert!(origin.line >= 1);
    }
    let c = read("result.json", data, None, 1 << 20);
    for (origin, _) in &c.events {
        assert!(origin.line >= 1);
    }
}

/// A `.zip` export, from its bytes (the readers sniff the zip signature).
///
/// Holds: a damaged zip is a diagnostic, never an error or a panic; every event names its
/// entry (`chat.zip/ENTRY`).
pub fn zip(data: &[u8]) {
    let mut data = data.to_vec();
    // Most mutations would lose the signature: keep it so the zip reader is what runs.
    if !jaga_export::zip::is_zip(&data) {
        data.splice(0..0, *b"PK\x03\x04");
    }
    let c = read("chat.zip", &data, None, 4096);
    for (origin, _) in &c.events {
        assert!(origin.file.starts_with("chat.zip/"), "{}", origin.file);
    }
}

/// A rule file: written as the only rule file of a rules directory and loaded (lint and
/// all), and parsed as a policy file.
///
/// Holds: a broken file is a lint error with a location, never a panic.
pub fn rule_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = jaga_core::policy::Policy::parse(text);
    let dir = rules_dir();
    std::fs::write(dir.join("fuzz.toml"), text).expect("write the rule file");
    if let Err(e) = jaga_core::rules::RuleSet::load(dir) {
        assert!(!e.diagnostics.is_empty(), "a refused rule set says why");
    }
}

/// A rules directory of this process (and thread: the smoke test runs targets in
/// parallel), with the shipped lists a rule file may name.
fn rules_dir() -> &'static Path {
    thread_local! {
        static DIR: &'static Path = {
            let dir: PathBuf = std::env::temp_dir().join(format!(
                "jaga-fuzz-rules-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let lists = dir.join("lists");
            std::fs::create_dir_all(&lists).expect("create the rules directory");
            if let Ok(entries) = std::fs::read_dir(repo_root().join("rules/lists")) {
                for e in entries.flatten() {
                    let _ = std::fs::copy(e.path(), lists.join(e.file_name()));
                }
            }
            Box::leak(dir.into_boxed_path())
        };
    }
    DIR.with(|d| *d)
}

/// A target's body.
pub type Target = fn(&[u8]);

/// The targets by name, for the smoke test and tools.
pub const TARGETS: &[(&str, Target)] = &[
    ("event_line", event_line),
    ("normalise", normalise),
    ("whatsapp", whatsapp),
    ("telegram", telegram),
    ("zip", zip),
    ("rule_file", rule_file),
];
