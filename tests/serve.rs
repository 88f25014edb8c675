//! Integration tests of `jaga serve`: the real binary, real HTTP on loopback, a real SQLite
//! file in a temporary directory. Every network wait is bounded.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use common::http::{request, Client};
use common::server::{Server, ADMIN, AUTH};
use jaga_store::{CaseFilter, Durability, Store};

const RULES: &str = r#"
[[rule]]
id = "scam.pinjol"
description = "Illegal online loans"
category = "scam"
keywords = ["pinjol"]
score = 0.9
tests = { hit = ["pinjol cair"], miss = ["halo semua"] }

[[rule]]
id = "spam.slot"
description = "Gambling promotion"
category = "spam"
keywords = ["slot gacor"]
score = 0.7
tests = { hit = ["slot gacor"], miss = ["halo semua"] }
"#;

/// A temporary directory with a rules directory and an optional jaga.toml.
fn workspace(config: &str) -> tempfile::TempDir {
    common::server::workspace(RULES, config)
}

fn event(id: &str, group: &str, user: &str, text: &str) -> String {
    serde_json::json!({"id": id, "community": "army-id", "group": group, "user": user, "text": text})
        .to_string()
}

fn open_store(dir: &Path) -> Store {
    Store::open(&dir.join("jaga.db"), Durability::Normal).unwrap()
}

fn all_cases(store: &Store) -> Vec<jaga_store::CaseSummary> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .list(&CaseFilter {
                before,
                limit: 1000,
                ..Default::default()
            })
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        out.extend(page);
    }
    out
}

fn reason_ids(v: &serde_json::Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn verdicts_round_trip_in_order_and_flagged_events_become_cases() {
    let dir = workspace("");
    let srv = Server::start(dir.path(), &[("JAGA_ADMIN_TOKEN", ADMIN)]);

    let one = srv.post(
        "/v1/events",
        &event("m1", "army-tiket", "u1", "Pinjol cair, WA 081234560491"),
    );
    assert_eq!(one.status, 200, "{}", one.text());
    let v = one.json();
    assert_eq!(
        (v["id"].as_str(), v["category"].as_str()),
        (Some("m1"), Some("scam"))
    );
    assert_eq!(v["action"], "remove");

    let arr = format!(
        "[{},{},{}]",
        event("m2", "g", "u2", "selamat pagi semuanya"),
        event("m3", "g", "u3", "slot gacor malam ini"),
        event("m4", "g", "u4", "nobar yuk")
    );
    let r = srv.post("/v1/events", &arr);
    assert_eq!(r.status, 200);
    let ids: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["m2", "m3", "m4"], "verdicts come back in input order");

    let lines = (5..25)
        .map(|i| {
            event(
                &format!("m{i}"),
                "g",
                &format!("u{i}"),
                if i % 2 == 0 { "pinjol" } else { "halo" },
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let r = request(
        srv.addr,
        "POST",
        "/v1/events",
        &[("Content-Type", "application/x-ndjson")],
        lines.as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let got: Vec<serde_json::Value> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), 20);
    for (i, v) in (5..25).zip(&got) {
        assert_eq!(v["id"], format!("m{i}"));
        assert_eq!(v["category"], if i % 2 == 0 { "scam" } else { "ok" });
    }

    // The admin API sees the cases; summaries and the kept event are masked (the full event
    // only with a store key, see tests/harden.rs).
    let list = srv
        .admin_get("/v1/cases?status=pending&category=scam")
        .json();
    let cases = list["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11, "m1 and ten pinjol lines");
    let m1 = cases.iter().find(|c| c["event_id"] == "m1").unwrap();
    assert_eq!(m1["summary"], "Pinjol cair, WA 0812****0491");
    let id = m1["id"].as_i64().unwrap();
    let detail = srv.admin_get(&format!("/v1/cases/{id}")).json();
    assert_eq!(detail["event"]["text"], "Pinjol cair, WA 0812****0491");
    assert_eq!(detail["verdict"]["reasons"][0]["id"], "scam.pinjol");
    let spam = srv.admin_get("/v1/cases?category=spam&group=g").json();
    assert_eq!(spam["cases"].as_array().unwrap().len(), 1);
    assert_eq!(srv.admin_get("/v1/cases?status=maybe").status, 400);
    assert_eq!(srv.admin_get("/v1/cases/999999").status, 404);

    // A decision changes the status and the rule statistics.
    let d = request(
        srv.addr,
        "POST",
        &format!("/v1/cases/{id}/decision"),
        &[AUTH],
        br#"{"admin":"rini","decision":"dismiss","note":"a member quoting a scam"}"#,
    );
    assert_eq!(d.status, 200, "{}", d.text());
    assert_eq!(d.json()["status"], "dismissed");
    let bad = request(
        srv.addr,
        "POST",
        &format!("/v1/cases/{id}/decision"),
        &[AUTH],
        br#"{"admin":"rini","decision":"maybe"}"#,
    );
    assert_eq!(bad.status, 400);
    let stats = srv.admin_get("/v1/rules/stats").json();
    let pinjol = stats["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "scam.pinjol")
        .unwrap()
        .clone();
    assert_eq!(
        (pinjol["hits"].as_i64(), pinjol["dismissed"].as_i64()),
        (Some(11), Some(1))
    );
    let audit = srv.admin_get("/v1/audit").json();
    assert!(audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["what"] == "case.decision"));

    // Health and metrics.
    let h = request(srv.addr, "GET", "/v1/health", &[], b"").json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["admin_api"], "enabled");
    assert_eq!(request(srv.addr, "GET", "/healthz", &[], b"").status, 200);
    let m = request(srv.addr, "GET", "/metrics", &[], b"").text();
    assert!(m.contains("jaga_events_total{kind=\"message\"} 24"), "{m}");
    assert!(m.contains("jaga_verdicts_total{category=\"scam\",action=\"remove\"} 11"));
    assert!(m.contains("jaga_store_write_seconds_count"));

    // Logs never carry message text or personal data.
    let (code, log) = srv.terminate();
    assert_eq!(code, Some(0), "{log}");
    for secret in ["Pinjol", "pinjol", "081234560491", "slot gacor"] {
        assert!(!log.contains(secret), "the log leaks `{secret}`:\n{log}");
    }
    // The CLI reads the same store.
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args([
            "review",
            "list",
            "--store",
            "jaga.db",
            "--status",
            "dismissed",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("dismissed") && text.contains("0812****0491"),
        "{text}"
    );
}

#[test]
fn auth_is_enforced() {
    let dir = workspace("");
    let srv = Server::start(
        dir.path(),
        &[
            ("JAGA_ADMIN_TOKEN", ADMIN),
            ("JAGA_INGEST_TOKEN", "ingest-t0ken"),
        ],
    );
    for path in ["/v1/cases", "/v1/cases/1", "/v1/rules/stats", "/v1/audit"] {
        let none = request(srv.addr, "GET", path, &[], b"");
        assert_eq!(none.status, 401, "{path} without a token");
        assert_eq!(none.header("www-authenticate"), Some("Bearer"));
        let wrong = request(
            srv.addr,
            "GET",
            path,
            &[("Authorization", "Bearer admin-s3creT")],
            b"",
        );
        assert_eq!(wrong.status, 401, "{path} with a wrong token");
        let ingest = request(
            srv.addr,
            "GET",
            path,
            &[("Authorization", "Bearer ingest-t0ken")],
            b"",
        );
        assert_eq!(
            ingest.status, 401,
            "{path}: the ingest token is not an admin token"
        );
    }
    let r = request(
        srv.addr,
        "POST",
        "/v1/cases/1/decision",
        &[],
        br#"{"admin":"x","decision":"confirm"}"#,
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        request(srv.addr, "POST", "/v1/reload", &[], b"").status,
        401
    );
    assert_eq!(srv.admin_get("/v1/cases").status, 200);
    let ev = event("a1", "g", "u", "halo");
    assert_eq!(srv.post("/v1/events", &ev).status, 401);
    let ok = request(
        srv.addr,
        "POST",
        "/v1/events",
        &[("Authorization", "Bearer ingest-t0ken")],
        ev.as_bytes(),
    );
    assert_eq!(ok.status, 200);
    drop(srv);

    // Without JAGA_ADMIN_TOKEN the admin API refuses everything and says why at start-up.
    let srv = Server::start(dir.path(), &[]);
    let r = srv.admin_get("/v1/cases");
    assert_eq!(r.status, 403);
    assert!(r.text().contains("JAGA_ADMIN_TOKEN"));
    assert_eq!(
        request(srv.addr, "POST", "/v1/reload", &[AUTH], b"").status,
        403
    );
    assert!(srv.log().contains("admin API is disabled"), "{}", srv.log());
    assert_eq!(
        srv.post("/v1/events", &ev).status,
        200,
        "no ingest token: ingestion is open"
    );
}

#[test]
fn duplicate_delivery_makes_one_case() {
    let dir = workspace("");
    let srv = Server::start(dir.path(), &[("JAGA_ADMIN_TOKEN", ADMIN)]);
    let ev = event("dup-1", "g", "u1", "pinjol tanpa BI checking");
    let first = srv.post("/v1/events", &ev).json();
    let again = srv.post("/v1/events", &ev).json();
    assert_eq!(first, again, "a re-delivered event gets the same verdict");
    let batch = format!("[{ev},{ev}]");
    assert_eq!(srv.post("/v1/events", &batch).status, 200);
    let cases = srv.admin_get("/v1/cases").json();
    assert_eq!(cases["cases"].as_array().unwrap().len(), 1);
    let stats = srv.admin_get("/v1/rules/stats").json();
    assert_eq!(stats["rules"][0]["hits"], 1, "rule hits are counted once");
}

#[test]
fn reload_with_a_broken_rule_file_keeps_the_old_rules() {
    let dir = workspace("");
    let srv = Server::start(dir.path(), &[("JAGA_ADMIN_TOKEN", ADMIN)]);
    let probe = |id: &str, text: &str| srv.post("/v1/events", &event(id, "g", id, text)).json();
    assert_eq!(probe("r1", "pinjol")["category"], "scam");

    let rules = dir.path().join("rules");
    std::fs::write(
        rules.join("broken.toml"),
        "[[rule]]\nid = \"spam.broken\"\ncategory = \"spam\"\nregex = ['(unclosed']\nscore = 0.5\n",
    )
    .unwrap();
    let r = request(srv.addr, "POST", "/v1/reload", &[AUTH], b"");
    assert_eq!(r.status, 422, "{}", r.text());
    let status = r.json();
    assert_eq!(status["ok"], false);
    assert!(
        status["message"].as_str().unwrap().contains("broken.toml"),
        "{status}"
    );
    let health = request(srv.addr, "GET", "/v1/health", &[], b"").json();
    assert_eq!(health["last_reload"]["ok"], false);
    assert_eq!(health["status"], "degraded");
    assert_eq!(
        probe("r2", "pinjol")["category"],
        "scam",
        "the old rules keep serving"
    );
    let m = request(srv.addr, "GET", "/metrics", &[], b"").text();
    assert!(m.contains("jaga_last_reload_success 0"));

    // Fixing the file (and adding a rule) is picked up by the file watcher.
    std::fs::write(
        rules.join("broken.toml"),
        "[[rule]]\nid = \"spam.arisan\"\ndescription = \"x\"\ncategory = \"spam\"\nkeywords = [\"arisan online\"]\nscore = 0.9\naction = \"remove\"\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = request(srv.addr, "GET", "/v1/health", &[], b"").json();
        if h["last_reload"]["ok"] == true && h["last_reload"]["trigger"] == "file change" {
            assert_eq!(h["rules"], 3);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the fixed file was not reloaded: {h}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(probe("r3", "ikut arisan online yuk")["category"], "spam");
    let audit = srv.admin_get("/v1/audit").json();
    let reloads: Vec<&serde_json::Value> = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["what"] == "rules.reload")
        .collect();
    assert!(reloads
        .iter()
        .any(|a| a["detail"].as_str().unwrap().contains("\"ok\":false")));
    assert!(reloads
        .iter()
        .any(|a| a["detail"].as_str().unwrap().contains("file change")));
    assert_eq!(probe("r4", "pinjol")["category"], "scam");
}

#[test]
fn the_model_scores_live_and_reloads_with_the_rules() {
    // `model` in jaga.toml is relative to the config file.
    let dir = workspace("model = \"models/community.model\"\n");
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/jaga.model");
    std::fs::copy(&shipped, models.join("community.model")).unwrap();
    let srv = Server::start(dir.path(), &[("JAGA_ADMIN_TOKEN", ADMIN)]);
    // No rule of this workspace matches: only the classifier can flag it.
    let gambling = "Situs terpercaya maxwin malam ini, depo 10rb bonus new member 100%";
    let probe = |id: &str| srv.post("/v1/events", &event(id, "g", id, gambling)).json();
    let v = probe("m1");
    assert!(reason_ids(&v).contains(&"model.spam".to_string()), "{v}");
    assert_eq!(v["category"], "spam", "{v}");
    assert!(srv.log().contains("community.model"), "{}", srv.log());

    // A damaged model file is refused like a broken rule file: the old engine keeps serving.
    std::fs::write(models.join("community.model"), b"JAGAMDL\0garbage").unwrap();
    let r = request(srv.addr, "POST", "/v1/reload", &[AUTH], b"");
    assert_eq!(r.status, 422, "{}", r.text());
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("community.model") && msg.contains("--no-model"),
        "{msg}"
    );
    assert!(reason_ids(&probe("m2")).contains(&"model.spam".to_string()));

    // A retrained model (here: the shipped one again) is picked up by the file watcher.
    std::fs::copy(&shipped, models.join("community.model")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = request(srv.addr, "GET", "/v1/health", &[], b"").json();
        if h["last_reload"]["ok"] == true && h["last_reload"]["trigger"] == "file change" {
            let m = h["last_reload"]["message"].as_str().unwrap();
            assert!(m.contains("model") && m.contains("community.model"), "{h}");
            break;
        }
        assert!(Instant::now() < deadline, "the model was not reloaded: {h}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(reason_ids(&probe("m3")).contains(&"model.spam".to_string()));
    drop(srv);

    // --no-model: rules only.
    let srv = Server::start_with(dir.path(), &[], &["--no-model"], Stdio::null());
    let v = srv
        .post("/v1/events", &event("m4", "g", "m4", gambling))
        .json();
    assert_eq!(v["category"], "ok", "{v}");
    assert!(reason_ids(&v).is_empty(), "{v}");
    drop(srv);

    // A `model` that does not load stops the server at start-up with the file named.
    std::fs::write(models.join("community.model"), b"not a model").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(["serve", "--config", "jaga.toml", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("community.model: not a jaga model file"),
        "{err}"
    );
}

#[test]
fn kill_9_and_restart_loses_no_acknowledged_flagged_case() {
    let dir = workspace("durability = \"normal\"\n");
    let srv = Server::start(dir.path(), &[]);
    let addr = srv.addr;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for t in 0..3 {
        let (acked, stop) = (acked.clone(), stop.clone());
        senders.push(std::thread::spawn(move || {
            let Ok(mut c) = Client::connect(addr, Duration::from_secs(5)) else {
                return;
            };
            for b in 0..10_000 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return;
                }
                let ids: Vec<String> = (0..50).map(|i| format!("k{t}-{b}-{i}")).collect();
                let body = ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        event(
                            id,
                            "g",
                            &format!("u{t}-{i}"),
                            if i % 2 == 0 { "pinjol cair" } else { "halo" },
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                match c.send("POST", "/v1/events", &[], body.as_bytes()) {
                    Ok(r) if r.status == 200 => {
                        let text = r.text();
                        let mut a = acked.lock().unwrap();
                        for l in text.lines() {
                            let v: serde_json::Value = serde_json::from_str(l).unwrap();
                            if v["action"] != "allow" {
                                a.push(v["id"].as_str().unwrap().to_string());
                            }
                        }
                    }
                    _ => return,
                }
            }
        }));
    }
    // Kill mid-stream, once a good number of batches were answered.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 2_000 {
        assert!(Instant::now() < deadline, "too few answers before the kill");
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut srv = srv;
    srv.child.kill().unwrap(); // SIGKILL
    srv.child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for s in senders {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    drop(srv);

    // Restart on the same file: it opens (WAL recovery) and holds every answered flagged event.
    let srv = Server::start(dir.path(), &[("JAGA_ADMIN_TOKEN", ADMIN)]);
    let store = open_store(dir.path());
    let stored: std::collections::HashSet<String> =
        all_cases(&store).into_iter().map(|c| c.event_id).collect();
    let missing: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged flagged events lost, e.g. {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(5)]
    );
    assert_eq!(
        srv.post("/v1/events", &event("after", "g", "u", "pinjol"))
            .status,
        200
    );
}

#[test]
fn flood_raid_and_cross_post_scenarios_produce_their_reasons() {
    let dir = workspace("");
    // The quotas are the policy's `[state]` table, their scores the shipped stateful rules.
    let rules = dir.path().join("rules");
    let mut policy = std::fs::read_to_string(rules.join("policy.toml")).unwrap();
    policy.push_str("\n[state.flood]\nuser = { messages = 3, per_secs = 3600 }\n[state.raid]\njoins = 3\nwindow_secs = 60\ncalm_secs = 600\n");
    std::fs::write(rules.join("policy.toml"), policy).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/stateful.toml"),
        rules.join("stateful.toml"),
    )
    .unwrap();
    let srv = Server::start(dir.path(), &[("JAGA_ADMIN_TOKEN", ADMIN)]);

    // Flood: the fourth and fifth message of one user in one group within the hour.
    let flood: Vec<String> = (0..5)
        .map(|i| {
            event(
                &format!("f{i}"),
                "army-streaming",
                "flooder",
                "streaming yuk",
            )
        })
        .collect();
    let r = srv
        .post("/v1/events", &format!("[{}]", flood.join(",")))
        .json();
    let v = r.as_array().unwrap();
    for (i, v) in v.iter().enumerate() {
        let has = reason_ids(v).contains(&"spam.flood_user".to_string());
        assert_eq!(has, i >= 3, "message {i}: {v}");
    }
    assert_eq!(v[4]["action"], "hide");
    assert_eq!(v[4]["reasons"][0]["source"], "flood");
    assert_eq!(v[4]["category"], "spam");

    // Raid: more than 3 join requests in a minute put the group on hold.
    let joins: Vec<String> = (0..5)
        .map(|i| serde_json::json!({"id": format!("j{i}"), "kind": "join_request", "community": "army-id", "group": "army-tiket", "user": format!("new{i}"), "name": "Member"}).to_string())
        .collect();
    // One request each: join requests of different users may be scored on different workers.
    let v: Vec<serde_json::Value> = joins
        .iter()
        .map(|j| srv.post("/v1/events", j).json())
        .collect();
    assert_eq!(v[2]["action"], "approve");
    for v in &v[3..] {
        assert_eq!(v["action"], "review", "{v}");
        assert!(reason_ids(v).contains(&"spam.join_wave".to_string()));
        assert_eq!(v["reasons"][0]["source"], "raid");
    }
    let h = request(srv.addr, "GET", "/v1/health", &[], b"").json();
    assert_eq!(h["groups_holding_joins"], 1);
    // A fresh account posting an invite right after joining, during the raid.
    let fresh = srv
        .post(
            "/v1/events",
            &event(
                "p1",
                "army-tiket",
                "new4",
                "gabung grup promo https://t.me/promo123",
            ),
        )
        .json();
    assert!(
        reason_ids(&fresh).contains(&"spam.fresh_in_wave".to_string()),
        "{fresh}"
    );
    assert_ne!(fresh["action"], "allow");

    // Cross-posting: one user, nearly the same text, three groups.
    let text = "Dijual tiket konser VIP harga miring, DP dulu ya kak, chat aku sekarang";
    let a = srv
        .post("/v1/events", &event("x1", "army-peduli", "seller", text))
        .json();
    let b = srv
        .post(
            "/v1/events",
            &event("x2", "army-streaming", "seller", &format!("{text} 🙏")),
        )
        .json();
    let c = srv
        .post(
            "/v1/events",
            &event("x3", "army-jiwa", "seller", &format!("{text}!!")),
        )
        .json();
    assert!(!reason_ids(&a).contains(&"spam.cross_post".to_string()));
    assert!(!reason_ids(&b).contains(&"spam.cross_post".to_string()));
    assert!(
        reason_ids(&c).contains(&"spam.cross_post".to_string()),
        "{c}"
    );
    assert_eq!(c["category"], "spam");
    let other = srv
        .post(
            "/v1/events",
            &event("x4", "army-tiket", "someone-else", text),
        )
        .json();
    assert!(!reason_ids(&other).contains(&"spam.cross_post".to_string()));

    let m = request(srv.addr, "GET", "/metrics", &[], b"").text();
    for r in ["flood", "raid", "cross_post"] {
        assert!(
            !m.contains(&format!("jaga_state_reasons_total{{source=\"{r}\"}} 0")),
            "{r}: {m}"
        );
    }
    let (code, _) = srv.terminate();
    assert_eq!(code, Some(0));
    // The raid hold survives a restart.
    let srv = Server::start(dir.path(), &[("JAGA_ADMIN_TOKEN", ADMIN)]);
    let j = serde_json::json!({"id": "j9", "kind": "join_request", "community": "army-id", "group": "army-tiket", "user": "late"}).to_string();
    let v = srv.post("/v1/events", &j).json();
    assert_eq!(
        v["action"], "review",
        "the group still holds joins after a restart: {v}"
    );
}

#[test]
fn limits_and_bad_input_get_clear_4xx() {
    let dir =
        workspace("[limits]\nmax_body_bytes = 20000\nmax_text_bytes = 1000\nmax_events = 50\n");
    let srv = Server::start(dir.path(), &[]);
    let big = "x".repeat(30_000);
    let r = srv.post("/v1/events", &event("b1", "g", "u", &big));
    assert_eq!(r.status, 413);
    assert!(r.text().contains("max_body_bytes"));
    let r = srv.post("/v1/events", &event("b2", "g", "u", &"y".repeat(2000)));
    assert_eq!(r.status, 413);
    assert!(r.text().contains("max_text_bytes") && r.text().contains("b2"));
    let many = (0..51)
        .map(|i| event(&format!("e{i}"), "g", "u", "a"))
        .collect::<Vec<_>>()
        .join("\n");
    let r = srv.post("/v1/events", &many);
    assert_eq!(r.status, 413);
    assert!(r.text().contains("max_events"));
    let r = srv.post(
        "/v1/events",
        "{\"id\":\"ok\"}\n{\"id\":\"bad\",\"ts\":\"soon\"}\n",
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("line 2"), "{}", r.text());
    assert_eq!(srv.post("/v1/events", "").status, 400);
    assert_eq!(
        request(srv.addr, "GET", "/v1/nothing", &[], b"").status,
        404
    );
    let m = request(srv.addr, "GET", "/metrics", &[], b"").text();
    assert!(
        m.contains("jaga_rejected_requests_total{reason=\"too_large\"} 3"),
        "{m}"
    );
}

#[test]
fn saturation_answers_503_with_retry_after_and_drops_nothing_silently() {
    let dir = workspace("[pipeline]\nworkers = 1\nqueue = 1\n");
    let srv = Server::start(dir.path(), &[]);
    let addr = srv.addr;
    // Long texts, so each batch takes long enough to score that the requests overlap even
    // in a release build on a quiet machine (5000 x ~1 KB stays under the 8 MiB body cap).
    let text = "selamat pagi semuanya, jangan lupa sarapan ya kakak kakak ".repeat(16);
    let body: String = (0..5000)
        .map(|i| event(&format!("s{i}"), "g", &format!("u{}", i % 997), &text))
        .collect::<Vec<_>>()
        .join("\n");
    let body = Arc::new(body);
    let handles: Vec<_> = (0..12)
        .map(|_| {
            let body = body.clone();
            std::thread::spawn(move || request(addr, "POST", "/v1/events", &[], body.as_bytes()))
        })
        .collect();
    let responses: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let busy: Vec<_> = responses.iter().filter(|r| r.status == 503).collect();
    assert!(
        !busy.is_empty(),
        "12 concurrent 5000-event batches on one worker with one queue slot"
    );
    for r in &busy {
        assert_eq!(r.header("retry-after"), Some("1"));
        assert!(r.text().contains("nothing in this request was scored"));
    }
    for r in responses.iter().filter(|r| r.status != 503) {
        assert_eq!(r.status, 200);
        assert_eq!(
            r.text().lines().count(),
            5000,
            "an accepted batch is answered whole"
        );
    }
}

#[test]
fn stdin_source_answers_in_order_and_end_of_input_shuts_down() {
    let dir = workspace("");
    let mut srv = Server::start_with(dir.path(), &[], &["--stdin"], Stdio::piped());
    let mut stdin = srv.child.stdin.take().unwrap();
    let input = format!(
        "{}\nnot json\n\n{}\n{}\n",
        event("s1", "g", "u1", "halo"),
        event("s2", "g", "u2", "pinjol cair"),
        event("s3", "g", "u3", "nobar")
    );
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let stdout = srv.child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect();
        let _ = tx.send(lines);
    });
    let lines = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("stdout closes at shutdown");
    let ids: Vec<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["s1", "s2", "s3"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = srv.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no exit after the end of input");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        srv.log().contains("<stdin>:2: not a valid event"),
        "{}",
        srv.log()
    );
    let cases = all_cases(&open_store(dir.path()));
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].event_id, "s2");
}

#[test]
fn scan_with_store_writes_flagged_verdicts_as_cases() {
    let dir = workspace("");
    let input = [
        event("c1", "g", "u1", "pinjol"),
        "{broken".to_string(),
        event("c2", "g", "u2", "halo"),
        event("c3", "g", "u3", "slot gacor"),
    ]
    .join("\n");
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_jaga"))
            .args(["scan", "in.jsonl", "--rules", "rules", "--store", "scan.db"])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(out.status.code(), Some(1), "one bad line");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in.jsonl:2:"), "{err}");
    assert!(err.contains("2 new case(s)"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    let again = run();
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 new case(s)"),
        "re-scanning is idempotent"
    );
    let store = Store::open(&dir.path().join("scan.db"), Durability::Normal).unwrap();
    let ids: Vec<String> = all_cases(&store).into_iter().map(|c| c.event_id).collect();
    assert_eq!(ids, ["c3", "c1"]);
    let decide = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args([
            "review", "decide", "1", "confirm", "--store", "scan.db", "--admin", "rini",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        decide.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&decide.stderr)
    );
    let cli = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_jaga"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, show, _) = cli(&["review", "show", "1", "--store", "scan.db"]);
    assert_eq!(code, Some(0));
    assert!(
        show.contains("case #1 (confirmed)")
            && show.contains("scam.pinjol")
            && show.contains("by rini"),
        "{show}"
    );
    let (code, stats, _) = cli(&["review", "stats", "--store", "scan.db"]);
    assert_eq!(code, Some(0));
    assert!(
        stats
            .lines()
            .any(|l| l.starts_with("scam.pinjol") && l.ends_with("1         1         0")),
        "{stats}"
    );
    let (code, _, err) = cli(&["review", "show", "99", "--store", "scan.db"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no case 99"), "{err}");
    let (code, _, err) = cli(&["review", "list", "--store", "missing.db"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no review store at missing.db"), "{err}");
    let ex = store.labelled_examples().unwrap();
    assert_eq!(ex.len(), 1);
    assert_eq!(
        (ex[0].event.text.as_str(), ex[0].label_str()),
        ("pinjol", "scam")
    );
}

/// The value of an unlabelled sample in the metrics text.
fn metric(m: &str, name: &str) -> f64 {
    m.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in the metrics"))
}

#[test]
fn wal_starts_over_under_steady_writes_and_answered_cases_stay() {
    // Flagged events with long texts, so the WAL passes WAL_RESTART_BYTES (64 MiB) quickly.
    // The writes never pause, so the checkpoint thread alone never catches up with the last
    // commits: the store writer finishes the checkpoint and its next commit starts the WAL
    // over (jaga_wal_restart_seconds counts it).
    let dir = workspace("");
    let srv = Server::start(dir.path(), &[]);
    let wal = dir.path().join("jaga.db-wal");
    let filler = "pinjol cair tanpa jaminan hubungi admin sekarang ".repeat(1200);
    let mut client = Client::connect(srv.addr, Duration::from_secs(30)).unwrap();
    let mut acked = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let (mut batch, mut after_restart) = (0, 0);
    while after_restart < 5 {
        assert!(Instant::now() < deadline, "the WAL never started over");
        let ids: Vec<String> = (0..40).map(|i| format!("w{batch}-{i}")).collect();
        let body = ids
            .iter()
            .map(|id| event(id, "g", id, &filler))
            .collect::<Vec<_>>()
            .join("\n");
        let r = client
            .send("POST", "/v1/events", &[], body.as_bytes())
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.text().matches("\"remove\"").count(), 40);
        acked.extend(ids);
        batch += 1;
        let m = request(srv.addr, "GET", "/metrics", &[], b"").text();
        for h in [
            "jaga_request_parse_seconds",
            "jaga_shard_wait_seconds",
            "jaga_batch_scoring_seconds",
            "jaga_store_queue_seconds",
            "jaga_store_wait_seconds",
            "jaga_checkpoint_seconds",
        ] {
            assert!(m.contains(&format!("{h}_bucket")), "no {h} in the metrics");
        }
        if metric(&m, "jaga_wal_restart_seconds_count") >= 1.0 {
            after_restart += 1;
        }
    }
    // Written past 64 MiB in all, the WAL file stays near it: it started over.
    let written = acked.len() * filler.len();
    let wal_len = std::fs::metadata(&wal).map_or(0, |m| m.len()) as usize;
    assert!(written > 64 << 20, "only {written} bytes of text written");
    assert!(
        wal_len <= (64 << 20) + (16 << 20),
        "WAL of {wal_len} bytes after {written} bytes of cases"
    );
    let (code, _) = srv.terminate();
    assert_eq!(code, Some(0));
    let store = open_store(dir.path());
    let stored: std::collections::HashSet<String> =
        all_cases(&store).into_iter().map(|c| c.event_id).collect();
    let missing = acked.iter().filter(|id| !stored.contains(*id)).count();
    assert_eq!(missing, 0, "of {} answered flagged events", acked.len());
}
