//! One decision point: the library, `jaga scan` and `jaga serve --stdin` give the same
//! verdicts to the same events in the same order, stateful signals included.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use jaga_core::{Detector, Event, Scratch};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A flood by one member, a cross-post over three groups, gambling spam, a join wave and
/// ordinary chat, interleaved.
fn feed() -> String {
    let mut lines = Vec::new();
    let t0 = 1_764_000_000i64;
    let mut push = |v: serde_json::Value| lines.push(v.to_string());
    for i in 0..40i64 {
        let t = t0 + i * 2;
        push(
            serde_json::json!({"id": format!("f{i}"), "community": "army", "group": "ARMY Peduli",
            "user": "flooder", "ts": t, "text": format!("up up up {i}")}),
        );
        if i % 4 == 0 {
            push(
                serde_json::json!({"id": format!("o{i}"), "community": "army", "group": "ARMY Peduli",
                "user": format!("member{i}"), "ts": t, "text": "semangat streaming hari ini ya kak"}),
            );
        }
        if i % 10 == 0 {
            let g = [
                "Streaming Squad",
                "Info Konser",
                "Fanbase Umum",
                "ARMY Peduli",
            ][(i / 10) as usize];
            push(
                serde_json::json!({"id": format!("x{i}"), "community": "army", "group": g,
                "user": "crossposter", "ts": t,
                "text": "Halo kak! Gabung grup kami chat.whatsapp.com/AbCdEf123 info giveaway tiap hari"}),
            );
        }
        if i % 13 == 0 {
            push(
                serde_json::json!({"id": format!("g{i}"), "community": "army", "group": "Fanbase Umum",
                "user": format!("judol{i}"), "ts": t, "text": "SLOT GACOR maxwin hari ini, depo 10rb wd berapapun"}),
            );
        }
        if (10..25).contains(&i) {
            push(
                serde_json::json!({"id": format!("j{i}"), "kind": "join_request", "community": "army",
                "group": "Info Konser", "user": format!("joiner{i}"), "ts": t, "name": format!("Joiner {i}")}),
            );
        }
    }
    lines.join("\n") + "\n"
}

/// The verdict of each line without what only one path adds (`origin`).
fn verdicts(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("origin");
            v
        })
        .collect()
}

#[test]
fn library_scan_and_serve_give_identical_verdicts() {
    let input = feed();
    let n = input.lines().count();

    let detector = Detector::from_dir(root().join("rules")).unwrap();
    let mut scratch = Scratch::new();
    let library: Vec<serde_json::Value> = input
        .lines()
        .map(|l| {
            let ev: Event = serde_json::from_str(l).unwrap();
            let v = detector.check(&ev, jaga_core::state::now_ms(), &mut scratch);
            serde_json::to_value(&v).unwrap()
        })
        .collect();
    let fired = |vs: &[serde_json::Value], id: &str| {
        vs.iter()
            .filter(|v| {
                v["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["id"] == id)
            })
            .count()
    };
    assert!(fired(&library, "spam.flood_user") >= 10, "the flood fires");
    assert!(
        fired(&library, "spam.cross_post") >= 1,
        "the cross-post fires"
    );
    assert!(
        fired(&library, "spam.join_wave") >= 1,
        "the join wave fires"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.jsonl");
    std::fs::write(&file, &input).unwrap();
    let scan = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(["scan", "--no-model", "--rules"])
        .arg(root().join("rules"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        scan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let scanned = verdicts(&scan.stdout);
    assert_eq!(scanned.len(), n);
    assert_eq!(scanned, library, "jaga scan decides like the library");

    let mut serve = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args([
            "serve",
            "--stdin",
            "--no-model",
            "--listen",
            "127.0.0.1:0",
            "--rules",
        ])
        .arg(root().join("rules"))
        .arg("--store")
        .arg(dir.path().join("jaga.db"))
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    serve
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = serve.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let served = verdicts(&out.stdout);
    assert_eq!(served.len(), n);
    assert_eq!(served, library, "jaga serve decides like the library");
}
