//! Load generator for `jaga serve`: N keep-alive connections over loopback, each posting
//! batches of synthetic events (`jaga_export::synth`, JSON lines, every id unique so the store
//! writes every flagged one) for a bounded time; reports sustained events/s and request
//! latency percentiles.
//!
//! ```sh
//! target/release/jaga serve --store /tmp/load.db &        # prints its address
//! cargo run --release --example loadgen -- --addr 127.0.0.1:8080 --connections 8 --duration 20
//! ```
//!
//! Only loopback addresses are accepted: this tool is for measuring a server on this machine.

#[path = "../tests/common/http.rs"]
mod http;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    warmup: Duration,
    batch: usize,
    users: usize,
    groups: usize,
    /// Target events/s over all connections (open loop); 0 sends as fast as answers come.
    rate: f64,
    token: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        addr: "127.0.0.1:8080".parse().unwrap(),
        connections: 8,
        duration: Duration::from_secs(20),
        warmup: Duration::from_secs(2),
        batch: 100,
        users: 200_000,
        groups: 10_000,
        rate: 0.0,
        token: std::env::var("JAGA_INGEST_TOKEN").ok(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => a.addr = val()?.parse().map_err(|e| format!("--addr: {e}"))?,
            "--connections" => a.connections = val()?.parse().map_err(|e| format!("--connections: {e}"))?,
            "--duration" => a.duration = Duration::from_secs_f64(val()?.parse().map_err(|e| format!("--duration: {e}"))?),
            "--warmup" => a.warmup = Duration::from_secs_f64(val()?.parse().map_err(|e| format!("--warmup: {e}"))?),
            "--batch" => a.batch = val()?.parse().map_err(|e| format!("--batch: {e}"))?,
            "--users" => a.users = val()?.parse().map_err(|e| format!("--users: {e}"))?,
            "--groups" => a.groups = val()?.parse().map_err(|e| format!("--groups: {e}"))?,
            "--rate" => a.rate = val()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "--token" => a.token = Some(val()?),
            _ => return Err(format!("unknown flag {flag}; use --addr, --connections, --duration, --warmup, --batch, --users, --groups, --rate, --token")),
        }
    }
    if !a.addr.ip().is_loopback() {
        return Err(format!(
            "{} is not a loopback address; loadgen only targets this machine",
            a.addr
        ));
    }
    if a.duration > Duration::from_secs(600) {
        return Err("--duration is capped at 600 s".into());
    }
    Ok(a)
}

/// Event lines without id, user, name, group and time: the part to append after
/// `{"id":"ID","user":"U","name":"N","group":"G","ts":T,`. Users and groups are drawn per
/// request from `--users` and `--groups`, so the flood quotas see a realistic load per user
/// and per group (the synthetic corpus has only four groups) and no template repeats a user.
/// The time is the send time: the stateful stages count on the events' own `ts`, and the
/// corpus's times (a 4096 s window, replayed over and over) would run their clock backwards
/// at every wrap and make most events look like floods.
fn templates(seed: u64, n: usize) -> Vec<String> {
    let mut rng = jaga_export::synth::Rng::new(seed);
    (0..n as u64)
        .map(|i| {
            let line = jaga_export::synth::event_line(&mut rng, i);
            let mut v: serde_json::Value = serde_json::from_str(&line).unwrap();
            let o = v.as_object_mut().unwrap();
            for k in ["id", "user", "name", "group", "ts"] {
                o.remove(k);
            }
            let s = v.to_string();
            s[1..].to_string()
        })
        .collect()
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let measure_from = t0 + a.warmup;
    let end = measure_from + a.duration;
    let handles: Vec<_> = (0..a.connections)
        .map(|c| {
            let stop = stop.clone();
            let tpl = templates(c as u64 + 1, 4096);
            let (addr, batch, token) = (a.addr, a.batch, a.token.clone());
            let (users, groups) = (a.users.max(1), a.groups.max(1));
            let (rate, conns) = (a.rate, a.connections);
            let mut rng = jaga_export::synth::Rng::new(1000 + c as u64);
            std::thread::spawn(move || {
                let auth = token.map(|t| format!("Bearer {t}"));
                let mut headers = vec![("Content-Type", "application/x-ndjson")];
                if let Some(h) = &auth {
                    headers.push(("Authorization", h.as_str()));
                }
                let mut client = http::Client::connect(addr, Duration::from_secs(10)).expect("connect");
                let (mut lat, mut events, mut busy, mut errors) = (Vec::new(), 0u64, 0u64, 0u64);
                let mut body = String::with_capacity(batch * 400);
                let mut k = 0usize;
                // With --rate each connection follows a fixed schedule and latency counts
                // from the scheduled send time, so a slow answer that delays the next batch
                // is charged to that batch (no coordinated omission).
                let interval = (rate > 0.0).then(|| Duration::from_secs_f64(batch as f64 * conns as f64 / rate));
                let mut next = Instant::now();
                while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                    body.clear();
                    let ts = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    for _ in 0..batch {
                        let (u, g) = (rng.below(users), rng.below(groups));
                        body.push_str(&format!(
                            "{{\"id\":\"lg{nonce}-{c}-{k}\",\"user\":\"u{u}\",\"name\":\"Member {u}\",\"group\":\"group-{g}\",\"ts\":{ts},"
                        ));
                        body.push_str(&tpl[k % tpl.len()]);
                        body.push('\n');
                        k += 1;
                    }
                    let sent = match interval {
                        Some(i) => {
                            let now = Instant::now();
                            if next > now {
                                std::thread::sleep(next - now);
                            }
                            let scheduled = next;
                            next += i;
                            scheduled
                        }
                        None => Instant::now(),
                    };
                    let r = client.send("POST", "/v1/events", &headers, body.as_bytes());
                    let took = sent.elapsed();
                    let measured = sent >= measure_from && Instant::now() <= end;
                    match r {
                        Ok(r) if r.status == 200 => {
                            if measured {
                                lat.push(took.as_micros() as u32);
                                events += batch as u64;
                            }
                        }
                        Ok(r) if r.status == 503 => {
                            busy += 1;
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        _ => errors += 1,
                    }
                }
                (lat, events, busy, errors)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let (mut events, mut busy, mut errors) = (0, 0, 0);
    for h in handles {
        let (l, e, b, x) = h.join().unwrap();
        lat.extend(l);
        events += e;
        busy += b;
        errors += x;
    }
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)] as f64 / 1000.0
    };
    let secs = a.duration.as_secs_f64();
    let mode = if a.rate > 0.0 {
        format!("target {:.0} events/s", a.rate)
    } else {
        "closed loop".to_string()
    };
    println!(
        "{mode}, {} connections, {}-event batches, {:.0}s measured after {:.0}s warm-up: {} requests, {:.0} events/s; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}; {} answered 503, {} errors",
        a.connections,
        a.batch,
        secs,
        a.warmup.as_secs_f64(),
        lat.len(),
        events as f64 / secs,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
        busy,
        errors
    );
}
