//! The WhatsApp (GoWA) adapter end to end: the real `jaga serve` binary receives GoWA's
//! signed webhooks (the byte-exact fixtures and their documented signatures) and acts
//! through a loopback server that speaks GoWA's REST API (Basic auth, `X-Device-Id`, the
//! `{code, message, results}` envelope), asserting the exact calls jaga makes.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::fake::{Call, Fake, Reply};
use common::http::request;
use common::server::{Server, ADMIN, AUTH};
use serde_json::{json, Value};

const GROUP: &str = "120363025550000001@g.us";
const ADMINS: &str = "120363099990000001@g.us";
const DEVICE: &str = "6281100000001@s.whatsapp.net";
const SECRET: &str = "test-secret";

const RULES: &str = r#"
[[rule]]
id = "scam.presale"
description = "Fake ticket presale"
category = "scam"
keywords = ["presale tiket"]
score = 0.9
tests = { hit = ["presale tiket resmi"], miss = ["halo semua"] }

[[rule]]
id = "spam.jastip_invite"
description = "Invites to outside groups"
category = "spam"
keywords = ["grup jastip"]
score = 0.9
tests = { hit = ["join grup jastip"], miss = ["halo semua"] }

[[rule]]
id = "scam.apk"
description = "An Android app sent in the group"
category = "scam"
signal = "attachment.apk"
score = 0.95
action = "ban"
tests = { hit = [{ text = "install", attachments = ["x.apk"] }], miss = ["halo"] }
"#;

fn workspace(whatsapp: &str) -> tempfile::TempDir {
    common::server::workspace(RULES, &format!("model = \"\"\n\n{whatsapp}"))
}

fn config(gateway: &str, groups: &str) -> String {
    format!(
        r#"[whatsapp]
community = "army-wa"
gateway = "{gateway}"
device_id = "{DEVICE}"
admin_chat = "{ADMINS}"
join_poll_secs = 1
pacing = {{ min_gap_ms = 0, jitter_ms = 0, group_gap_ms = 0, per_hour = 1000 }}
{groups}"#
    )
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/platforms/gowa")
            .join(name),
    )
    .unwrap()
}

/// The documented signature of a fixture (gowa/signatures.md, secret `test-secret`).
fn documented_signature(name: &str) -> String {
    let md = String::from_utf8(fixture("signatures.md")).unwrap();
    let line = md
        .lines()
        .find(|l| l.contains(&format!("`{name}`")))
        .unwrap();
    line.split('`').nth(3).unwrap().to_string()
}

/// A GoWA gateway: the REST answers of the fixtures.
fn fake_gowa(requests_once: Arc<AtomicBool>) -> Fake {
    Fake::start(move |c: &Call| {
        let f = |n: &str| String::from_utf8(fixture(n)).unwrap();
        let path = c.path.split('?').next().unwrap_or("");
        match (c.method.as_str(), path) {
            ("GET", "/group/participants") => {
                Reply::Json(200, f("response-group-participants.json"))
            }
            ("GET", "/group/participant-requests") => {
                if requests_once.swap(false, SeqCst) {
                    Reply::Json(200, f("response-participant-requests-list.json"))
                } else {
                    Reply::Json(200, json!({"code": "SUCCESS", "message": "Success getting list requested participants", "results": []}).to_string())
                }
            }
            ("POST", "/group/participants/remove") => {
                Reply::Json(200, f("response-participants-remove.json"))
            }
            ("POST", "/group/participant-requests/approve") => {
                let who = c.json()["participants"][0]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                Reply::Json(
                    200,
                    f("response-participant-requests-approve.json").replace("6281300000020", &who),
                )
            }
            ("POST", "/send/message") => Reply::Json(200, f("response-send-message.json")),
            ("POST", p) if p.starts_with("/message/") && p.ends_with("/revoke") => {
                Reply::Json(200, f("response-revoke.json"))
            }
            _ => Reply::Json(
                404,
                json!({"code": "NOT_FOUND", "message": "no route", "results": null}).to_string(),
            ),
        }
    })
}

fn start(dir: &Path) -> Server {
    Server::start(
        dir,
        &[
            ("JAGA_GOWA_WEBHOOK_SECRET", SECRET),
            ("JAGA_GOWA_AUTH", "jaga:gateway-pass"),
            ("JAGA_ADMIN_TOKEN", ADMIN),
        ],
    )
}

fn post_webhook(srv: &Server, body: &[u8], signature: Option<&str>) -> common::http::Response {
    let mut h = vec![("Content-Type", "application/json")];
    if let Some(s) = signature {
        h.push(("X-Hub-Signature-256", s));
    }
    request(srv.addr, "POST", "/v1/whatsapp/whatsapp", &h, body)
}

/// The calls that act (not the admin-list and join-request reads).
fn acts(calls: &[Call]) -> Vec<(String, Value)> {
    calls
        .iter()
        .filter(|c| c.method == "POST")
        .map(|c| (c.path.clone(), c.json()))
        .collect()
}

#[test]
fn signed_webhooks_only_spam_revoked_edit_caught_ban_removes_and_joins_polled() {
    let once = Arc::new(AtomicBool::new(false));
    let fake = fake_gowa(once.clone());
    let groups = format!(
        "[[whatsapp.groups]]\njid = \"{GROUP}\"\nname = \"wa-tiket\"\nmode = \"enforce\"\n"
    );
    let dir = workspace(&config(&fake.url(), &groups));
    let srv = start(dir.path());

    let spam = fixture("webhook-message-text-group.json");
    let sig = documented_signature("webhook-message-text-group.json");
    // Unsigned, signed with GoWA's default secret, signed over other bytes: refused.
    assert_eq!(post_webhook(&srv, &spam, None).status, 401);
    assert_eq!(
        post_webhook(
            &srv,
            &spam,
            Some("sha256=a35aa2a6fc7927c4ebf70a4b1fb567dbe9ae1f9a14e732b779cb23cd4bb24462")
        )
        .status,
        401
    );
    let mut nl = spam.clone();
    nl.push(b'\n');
    assert_eq!(post_webhook(&srv, &nl, Some(&sig)).status, 401);
    // A pre-v8 gateway's flat format is refused with what to do.
    let legacy = fixture("webhook-v7-legacy-message-text-group.json");
    let r = post_webhook(
        &srv,
        &legacy,
        Some(&documented_signature(
            "webhook-v7-legacy-message-text-group.json",
        )),
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("v8"), "{}", r.text());
    assert!(
        acts(&fake.calls()).is_empty(),
        "nothing done for refused webhooks"
    );

    let r = post_webhook(&srv, &spam, Some(&sig));
    assert_eq!(r.status, 200, "{}", r.text());
    let calls = fake.wait_for("the revoke", |c| {
        c.iter().any(|c| c.path.ends_with("/revoke"))
    });
    let revoke = calls.iter().find(|c| c.path.ends_with("/revoke")).unwrap();
    assert_eq!(revoke.path, "/message/3EB0A1B2C3D4E5F60718/revoke");
    assert_eq!(
        revoke.json(),
        serde_json::from_slice::<Value>(&fixture("request-revoke.json")).unwrap()
    );
    assert_eq!(revoke.header("X-Device-Id"), Some(DEVICE));
    assert_eq!(
        revoke.header("Authorization"),
        Some("Basic amFnYTpnYXRld2F5LXBhc3M="),
        "Basic jaga:gateway-pass"
    );
    // GoWA retries deliveries: the same webhook again acts once.
    assert_eq!(post_webhook(&srv, &spam, Some(&sig)).status, 200);

    // A clean message edited into an invite spam: the edit is scored; the original is revoked.
    let edited = fixture("webhook-message-edited.json");
    assert_eq!(
        post_webhook(
            &srv,
            &edited,
            Some(&documented_signature("webhook-message-edited.json"))
        )
        .status,
        200
    );
    fake.wait_for("the edit's revoke", |c| {
        c.iter()
            .any(|c| c.path == "/message/3EB0A1B2C3D4E5F60710/revoke")
    });

    // An .apk from a member: ban = revoke, remove the participant, tell the admins.
    let apk = fixture("webhook-message-document-url.json");
    assert_eq!(
        post_webhook(
            &srv,
            &apk,
            Some(&documented_signature("webhook-message-document-url.json"))
        )
        .status,
        200
    );
    fake.wait_for("the removal and the admins' message", |c| {
        c.iter().any(|c| c.path == "/group/participants/remove")
            && c.iter().any(|c| c.path == "/send/message")
    });

    // Join requests are polled (no webhook exists for them); clean ones are approved.
    once.store(true, SeqCst);
    let calls = fake.wait_for("both join requests approved", |c| {
        c.iter()
            .filter(|c| c.path == "/group/participant-requests/approve")
            .count()
            == 2
    });
    let got = acts(&calls);
    let expected_remove: Value =
        serde_json::from_slice(&fixture("request-participants-remove.json")).unwrap();
    assert_eq!(
        got.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        vec![
            "/message/3EB0A1B2C3D4E5F60718/revoke",
            "/message/3EB0A1B2C3D4E5F60710/revoke",
            "/message/3EB0A1B2C3D4E5F60723/revoke",
            "/group/participants/remove",
            "/send/message",
            "/group/participant-requests/approve",
            "/group/participant-requests/approve",
        ],
        "exactly these calls"
    );
    assert_eq!(got[3].1, expected_remove);
    assert_eq!(got[4].1["phone"], ADMINS);
    let text = got[4].1["message"].as_str().unwrap();
    assert!(
        text.contains("scam") && text.contains("ban") && text.contains("jaga review decide"),
        "{text}"
    );
    assert_eq!(
        got[5].1,
        json!({"group_id": GROUP, "participants": ["6281300000020"]})
    );
    assert_eq!(
        got[6].1,
        json!({"group_id": GROUP, "participants": ["6281300000021"]})
    );

    let h = request(srv.addr, "GET", "/v1/health", &[], b"").json();
    let conn = &h["connections"][0];
    assert_eq!(conn["platform"], "whatsapp");
    assert!(
        conn["errors"].as_u64().unwrap() >= 3,
        "refused webhooks are counted: {conn}"
    );
    let (code, log) = srv.terminate();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        !log.contains("gateway-pass") && !log.contains("Presale"),
        "no secrets or message text in the log"
    );
}

#[test]
fn a_new_group_defaults_to_review_and_acts_only_after_an_admin_confirms() {
    let fake = fake_gowa(Arc::new(AtomicBool::new(false)));
    // No [[whatsapp.groups]]: the fixtures' group is new to jaga.
    let dir = workspace(&config(&fake.url(), ""));
    let srv = start(dir.path());
    let spam = fixture("webhook-message-text-group.json");
    assert_eq!(
        post_webhook(
            &srv,
            &spam,
            Some(&documented_signature("webhook-message-text-group.json"))
        )
        .status,
        200
    );
    let calls = fake.wait_for("the review message", |c| {
        c.iter().any(|c| c.path == "/send/message")
    });
    assert!(
        !calls.iter().any(|c| c.path.ends_with("/revoke")),
        "nothing removed before an admin confirms"
    );
    let text = calls
        .iter()
        .find(|c| c.path == "/send/message")
        .unwrap()
        .json()["message"]
        .as_str()
        .unwrap()
        .to_string();
    let case_id: i64 = text
        .split("jaga review decide ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The admin confirms through the admin API (what the CLI and the console call).
    let r = request(
        srv.addr,
        "POST",
        &format!("/v1/cases/{case_id}/decision"),
        &[AUTH],
        br#"{"admin":"rini","decision":"confirm"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let calls = fake.wait_for("the revoke after confirmation", |c| {
        c.iter().any(|c| c.path.ends_with("/revoke"))
    });
    let after: Vec<&str> = calls
        .iter()
        .filter(|c| c.method == "POST")
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(
        after[..2],
        ["/send/message", "/message/3EB0A1B2C3D4E5F60718/revoke"]
    );
    fake.wait_for("the decision told to the admins", |c| {
        c.iter().filter(|c| c.path == "/send/message").count() == 2
    });
    drop(srv);
}

#[test]
fn gowas_default_secret_is_refused_at_start() {
    let dir = workspace(&config("http://127.0.0.1:9", ""));
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(["serve", "--config", "jaga.toml", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("JAGA_GOWA_WEBHOOK_SECRET", "secret")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("default `secret`"), "{err}");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(["serve", "--config", "jaga.toml", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("JAGA_GOWA_WEBHOOK_SECRET")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "no secret and no allow_unsigned: refused"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("JAGA_GOWA_WEBHOOK_SECRET"));
    assert!(started.elapsed() < Duration::from_secs(30));
}
