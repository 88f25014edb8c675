//! The generic outbound action webhook end to end: events posted to `POST /v1/events` of the
//! real `jaga serve`, actions delivered as Standard Webhooks to a loopback receiver, with a
//! 503 retried and review-mode groups left alone.

mod common;

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::Arc;

use base64::Engine as _;
use common::fake::{Fake, Reply};
use common::server::{Server, ADMIN};
use serde_json::{json, Value};

const SECRET: &str = "whsec_amFnYS1vdXRib3VuZC10ZXN0LWtleS0zMi1ieXRlcyE=";

#[test]
fn actions_are_signed_posts_retried_on_5xx_and_none_in_review_mode() {
    let fail_first = Arc::new(AtomicU32::new(1));
    let f = fail_first.clone();
    let fake = Fake::start(move |_| {
        if f.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).is_ok() {
            Reply::Json(503, "{}".into())
        } else {
            Reply::Json(204, String::new())
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("lists")).unwrap();
    std::fs::write(rules.join("policy.toml"), "[message]\nspam = { review = 0.45, hide = 0.65, remove = 0.85 }\n[join_request]\nspam = { review = 0.40, reject = 0.80 }\n").unwrap();
    std::fs::write(
        rules.join("test.toml"),
        "[[rule]]\nid = \"spam.slot\"\ndescription = \"Gambling\"\ncategory = \"spam\"\nkeywords = [\"slot gacor\"]\nscore = 0.9\ntests = { hit = [\"slot gacor\"], miss = [\"halo\"] }\n",
    )
    .unwrap();
    for list in ["shorteners.txt", "brands.txt", "abused-tlds.txt"] {
        std::fs::write(rules.join("lists").join(list), "").unwrap();
    }
    std::fs::write(
        dir.path().join("jaga.toml"),
        format!(
            "model = \"\"\n[executor]\nbackoff_ms = 100\n[webhook]\nurl = \"{}/hooks/jaga\"\ngroups = {{ \"army-tiket\" = \"enforce\" }}\n",
            fake.url()
        ),
    )
    .unwrap();
    let srv = Server::start(
        dir.path(),
        &[("JAGA_WEBHOOK_SECRET", SECRET), ("JAGA_ADMIN_TOKEN", ADMIN)],
    );
    let events = [
        json!({"id": "m1", "community": "army-id", "group": "army-tiket", "user": "628123", "text": "slot gacor maxwin"}),
        json!({"id": "m2", "community": "army-id", "group": "army-obrolan", "user": "628124", "text": "slot gacor maxwin"}),
    ];
    for e in &events {
        let r = srv.post("/v1/events", &e.to_string());
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let calls = fake.wait_for("the delivery after a 503", |c| c.len() == 2);
    let (first, second) = (&calls[0], &calls[1]);
    assert_eq!(first.path, "/hooks/jaga");
    assert_eq!(
        first.header("webhook-id"),
        second.header("webhook-id"),
        "the id is stable across retries"
    );
    let body: Value = second.json();
    assert_eq!(body["type"], "moderation.action.requested");
    assert_eq!(
        body["data"],
        json!({"action": "remove", "kind": "message", "community": "army-id", "group": "army-tiket", "event_id": "m1", "user": "628123", "case_id": 1, "actor": "jaga"})
    );
    // Verify as a receiver would: HMAC-SHA256 over "{id}.{timestamp}.{body}".
    let key = base64::engine::general_purpose::STANDARD
        .decode(SECRET.strip_prefix("whsec_").unwrap())
        .unwrap();
    let id = second.header("webhook-id").unwrap();
    let ts: i64 = second.header("webhook-timestamp").unwrap().parse().unwrap();
    assert!((jaga_store::unix_now() - ts).abs() < 60);
    assert_eq!(
        second.header("webhook-signature").unwrap(),
        jaga_serve::platform::webhook::sign(&key, id, ts, &second.body)
    );
    assert!(second
        .header("x-hub-signature-256")
        .unwrap()
        .starts_with("sha256="));
    // m2's group is in review mode (the default): recorded, nothing sent.
    let store =
        jaga_store::Store::open(&dir.path().join("jaga.db"), jaga_store::Durability::Normal)
            .unwrap();
    assert_eq!(store.count(None).unwrap(), 2);
    assert!(store.actions_for("army-id", "m2").unwrap().is_empty());
    let (code, _) = srv.terminate();
    assert_eq!(code, Some(0));
    assert_eq!(fake.calls().len(), 2);
}
