//! Load run of the platform adapters on loopback: the real `jaga serve` (release build)
//! against a fake Telegram Bot API (long polling) or a fake GoWA gateway (signed webhooks),
//! with the shipped rules. Reports events/s through the adapter and the action latency
//! (from the moment the platform hands jaga a spam message to the moment jaga's delete
//! reaches the platform), p50/p90/p99.
//!
//! ```sh
//! cargo build --release --examples
//! target/release/examples/platform_load telegram --events 20000
//! target/release/examples/platform_load whatsapp --events 5000 --connections 4
//! ```
//!
//! Every 10th message is a gambling spam the shipped rules remove; the others are ordinary
//! chat. Each event has its own sender, and the flood limiter is off for the run (a synthetic
//! burst from 20,000 members is not what it is for). WhatsApp pacing is off too: in
//! production it deliberately limits actions to about one every 3-7 s.

#[path = "../tests/common/fake.rs"]
mod fake;
#[path = "../tests/common/http.rs"]
mod http;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake::{Fake, Reply};
use serde_json::{json, Value};

const SPAM: &str = "Situs slot gacor maxwin hari ini, daftar di bit.ly/gacor88 bonus 100%";
const CLEAN: [&str; 6] = [
    "halo semua, nanti malam nonton bareng konsernya?",
    "kak, jadwal fansign minggu depan sudah keluar belum?",
    "makasih infonya min, sudah aku isi formnya",
    "aku baru join, salam kenal semuanya 💜",
    "ada yang mau titip lightstick? aku berangkat jumat",
    "streaming MV jam 8 ya, jangan lupa",
];

struct Args {
    platform: String,
    events: usize,
    connections: usize,
    jaga: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let platform = it.next().ok_or(
        "usage: platform_load telegram|whatsapp [--events N] [--connections N] [--jaga PATH]",
    )?;
    let mut a = Args {
        platform,
        events: 10_000,
        connections: 4,
        jaga: PathBuf::from("target/release/jaga"),
    };
    while let Some(flag) = it.next() {
        let v = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--events" => a.events = v.parse().map_err(|e| format!("--events: {e}"))?,
            "--connections" => {
                a.connections = v.parse().map_err(|e| format!("--connections: {e}"))?
            }
            "--jaga" => a.jaga = PathBuf::from(v),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    // The child runs in a temporary directory: resolve the path here.
    a.jaga = std::fs::canonicalize(&a.jaga).map_err(|e| {
        format!(
            "{}: {e}; build it with cargo build --release",
            a.jaga.display()
        )
    })?;
    Ok(a)
}

fn text(i: usize) -> &'static str {
    if i % 10 == 9 {
        SPAM
    } else {
        CLEAN[i % CLEAN.len()]
    }
}

/// A working directory with jaga.toml (the repository's rules and model) and `platform`.
fn workspace(platform: &str) -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let model = repo.join("models/jaga.model");
    let model = if model.exists() {
        model.display().to_string()
    } else {
        String::new()
    };
    let cfg = format!(
        "rules = \"{}\"\nmodel = \"{model}\"\n[state.flood]\nenabled = false\n{platform}",
        repo.join("rules").display()
    );
    std::fs::write(dir.path().join("jaga.toml"), cfg).unwrap();
    dir
}

fn start_jaga(jaga: &Path, dir: &Path, env: &[(&str, &str)]) -> (Child, SocketAddr) {
    let mut cmd = Command::new(jaga);
    cmd.args(["serve", "--config", "jaga.toml", "--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env("JAGA_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot start {}: {e}; build it with cargo build --release",
            jaga.display()
        )
    });
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(a) = line.strip_prefix("jaga: listening on http://") {
                let _ = tx.send(a.parse::<SocketAddr>().unwrap());
            } else if line.contains("ERROR") || line.starts_with("jaga:") {
                eprintln!("{line}");
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("jaga serve did not start");
    (child, addr)
}

fn percentiles(mut v: Vec<Duration>) -> String {
    if v.is_empty() {
        return "no actions".into();
    }
    v.sort();
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    format!(
        "{} actions; latency ms p50 {:.1} p90 {:.1} p99 {:.1}",
        v.len(),
        p(0.5),
        p(0.9),
        p(0.99)
    )
}

fn telegram(a: &Args) {
    let groups = 20;
    let n = a.events;
    let updates: Vec<Value> = (0..n)
        .map(|i| {
            let chat = -1_001_000_000_000 - (i % groups) as i64;
            json!({"update_id": i as i64 + 1, "message": {"message_id": i as i64 + 1, "from": {"id": 5_000_000 + i as i64, "is_bot": false, "first_name": "Member"}, "chat": {"id": chat, "type": "supergroup"}, "date": 1_794_626_100, "text": text(i)}})
        })
        .collect();
    let served: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let deleted: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let done_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let (s, d, da, u) = (
        served.clone(),
        deleted.clone(),
        done_at.clone(),
        Arc::new(updates),
    );
    let fake = Fake::start(move |c| {
        let ok = |r: Value| Reply::Json(200, json!({"ok": true, "result": r}).to_string());
        let b = c.json();
        match c.method_name() {
            "getMe" => ok(json!({"id": 1, "is_bot": true, "first_name": "Jaga"})),
            "getChatAdministrators" => ok(
                json!([{"status": "creator", "user": {"id": 42, "is_bot": false, "first_name": "Admin"}}]),
            ),
            "getUpdates" => {
                let offset = b["offset"].as_i64().unwrap_or(1).max(1) as usize;
                if offset > u.len() {
                    da.lock().unwrap().get_or_insert_with(Instant::now);
                    std::thread::sleep(Duration::from_millis(200));
                    return ok(json!([]));
                }
                let batch: Vec<Value> = u[offset - 1..u.len().min(offset - 1 + 100)].to_vec();
                let now = Instant::now();
                let mut s = s.lock().unwrap();
                for x in &batch {
                    s.entry(x["update_id"].as_i64().unwrap()).or_insert(now);
                }
                ok(json!(batch))
            }
            "deleteMessage" => {
                d.lock()
                    .unwrap()
                    .insert(b["message_id"].as_i64().unwrap_or(0), Instant::now());
                ok(json!(true))
            }
            _ => ok(json!(true)),
        }
    });
    let mut groups_cfg = String::new();
    for g in 0..groups {
        groups_cfg.push_str(&format!(
            "[[telegram.groups]]\nchat = {}\nname = \"g{g}\"\nmode = \"enforce\"\n",
            -1_001_000_000_000 - g as i64
        ));
    }
    let dir = workspace(&format!(
        "[telegram]\ncommunity = \"load\"\npoll_timeout_secs = 1\nnotify = []\n{groups_cfg}"
    ));
    let url = fake.url();
    let (mut child, _addr) = start_jaga(
        &a.jaga,
        dir.path(),
        &[
            ("JAGA_TELEGRAM_TOKEN", "1:LOAD"),
            ("JAGA_TELEGRAM_API", &url),
        ],
    );
    let spam: Vec<i64> = (0..n)
        .filter(|i| i % 10 == 9)
        .map(|i| i as i64 + 1)
        .collect();
    let deadline = Instant::now() + Duration::from_secs(600);
    while (done_at.lock().unwrap().is_none() || deleted.lock().unwrap().len() < spam.len())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let served = served.lock().unwrap();
    let first = served.values().min().copied().unwrap();
    let last = done_at.lock().unwrap().unwrap_or_else(Instant::now);
    let secs = (last - first).as_secs_f64();
    let deleted = deleted.lock().unwrap();
    let lat: Vec<Duration> = spam
        .iter()
        .filter_map(|id| Some(*deleted.get(id)? - *served.get(id)?))
        .collect();
    println!(
        "telegram: {n} updates through getUpdates in {secs:.2} s = {:.0} events/s; {} of {} spam deleted; {}",
        n as f64 / secs,
        deleted.len(),
        spam.len(),
        percentiles(lat)
    );
}

fn whatsapp(a: &Args) {
    let group = "120363025550000001@g.us";
    let revoked: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let r = revoked.clone();
    let fake = Fake::start(move |c| {
        let path = c.path.split('?').next().unwrap_or("").to_string();
        if path == "/group/participants" {
            return Reply::Json(200, json!({"code": "SUCCESS", "message": "", "results": {"group_id": group, "participants": []}}).to_string());
        }
        if let Some(id) = path
            .strip_prefix("/message/")
            .and_then(|p| p.strip_suffix("/revoke"))
        {
            r.lock().unwrap().insert(id.to_string(), Instant::now());
        }
        Reply::Json(200, json!({"code": "SUCCESS", "message": "ok", "results": {"message_id": "x", "status": "ok"}}).to_string())
    });
    let secret = "load-secret-0123456789";
    let dir = workspace(&format!(
        "[whatsapp]\ncommunity = \"load\"\ngateway = \"{}\"\njoin_poll_secs = 0\nnotify = []\npacing = {{ min_gap_ms = 0, jitter_ms = 0, group_gap_ms = 0, per_hour = 100000000 }}\n[[whatsapp.groups]]\njid = \"{group}\"\nmode = \"enforce\"\n",
        fake.url()
    ));
    let (mut child, addr) =
        start_jaga(&a.jaga, dir.path(), &[("JAGA_GOWA_WEBHOOK_SECRET", secret)]);
    let n = a.events;
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let started = Instant::now();
    let threads: Vec<_> = (0..a.connections)
        .map(|t| {
            let sent = sent.clone();
            let conns = a.connections;
            std::thread::spawn(move || {
                let mut c = http::Client::connect(addr, Duration::from_secs(30)).unwrap();
                for i in (t..n).step_by(conns) {
                    let id = format!("3EB0LOAD{i:012}");
                    let body = json!({"device_id": "6281100000001@s.whatsapp.net", "event": "message", "payload": {"body": text(i), "chat_id": group, "from": format!("62813{i:08}@s.whatsapp.net"), "from_name": "Member", "id": id, "is_from_me": false, "timestamp": "2026-11-14T03:15:00Z"}}).to_string();
                    let sig = jaga_serve::platform::webhook::hub_signature(secret.as_bytes(), body.as_bytes());
                    sent.lock().unwrap().insert(id, Instant::now());
                    let r = c
                        .send("POST", "/v1/whatsapp/whatsapp", &[("X-Hub-Signature-256", &sig)], body.as_bytes())
                        .unwrap();
                    assert_eq!(r.status, 200, "{}", r.text());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let spam: Vec<String> = (0..n)
        .filter(|i| i % 10 == 9)
        .map(|i| format!("3EB0LOAD{i:012}"))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(600);
    while revoked.lock().unwrap().len() < spam.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let revoked = revoked.lock().unwrap();
    let sent = sent.lock().unwrap();
    let lat: Vec<Duration> = spam
        .iter()
        .filter_map(|id| Some(*revoked.get(id)? - *sent.get(id)?))
        .collect();
    println!(
        "whatsapp: {n} signed webhooks over {} connections in {secs:.2} s = {:.0} events/s; {} of {} spam revoked; {}",
        a.connections,
        n as f64 / secs,
        revoked.len(),
        spam.len(),
        percentiles(lat)
    );
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match a.platform.as_str() {
        "telegram" => telegram(&a),
        "whatsapp" => whatsapp(&a),
        other => {
            eprintln!("unknown platform {other}; use telegram or whatsapp");
            std::process::exit(2);
        }
    }
}
