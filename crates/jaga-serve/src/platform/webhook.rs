//! The generic outbound action webhook: each action jaga decides for an event posted to
//! `POST /v1/events` is POSTed as signed JSON to a configured URL, so any other bridge can
//! carry it out.
//!
//! Signed with Standard Webhooks v1 (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, secret
//! `whsec_<base64 key>`): the timestamp and id are signed too, so a captured delivery cannot
//! be replayed later, and receivers have maintained verifier libraries. The body is also
//! signed GitHub-style (`X-Hub-Signature-256: sha256=<hex>`) for receivers that only speak
//! that. `webhook-id` is stable across retries (the receiver's idempotency key).
//!
//! Body: `{"type":"moderation.action.requested"|"moderation.action.undo","timestamp":...,
//! "data":{"action","kind","community","group","event_id","user","case_id","actor"}}`.
//! A 2xx answer is done; 429 and 5xx are retried (429 after its `Retry-After`); 410 Gone and
//! other 4xx fail.

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{ActError, BoxFuture, ConnState, Job, Platform};
use crate::config::WebhookConfig;
use jaga_core::verdict::Action;

type HmacSha256 = Hmac<Sha256>;

/// Every action but allow/review is one signed POST; the bridge carries it out.
pub fn ops_for(action: Action) -> &'static [&'static str] {
    match action {
        Action::Allow | Action::Review => &[],
        _ => &["webhook"],
    }
}

/// The outbound webhook connection.
pub struct Outbound {
    cfg: WebhookConfig,
    key: Vec<u8>,
    client: reqwest::Client,
    state: ConnState,
}

/// The Standard Webhooks signature header value of a delivery.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// `sha256=<hex HMAC-SHA256 of body>` (GitHub, GoWA).
pub fn hub_signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// RFC 3339 UTC of unix seconds.
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d) = jaga_core::event::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

impl Outbound {
    pub fn new(cfg: WebhookConfig) -> Result<Outbound, String> {
        let secret = super::secret("JAGA_WEBHOOK_SECRET", cfg.secret_file.as_deref())?
            .ok_or("[webhook] needs a signing secret: set JAGA_WEBHOOK_SECRET or secret_file (whsec_ + base64 of 24-64 random bytes)")?;
        let key = secret
            .strip_prefix("whsec_")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|k| (24..=64).contains(&k.len()))
            .ok_or("the webhook secret must be whsec_ followed by the base64 of 24 to 64 random bytes (e.g. `echo whsec_$(head -c 32 /dev/urandom | base64)`)")?;
        Ok(Outbound {
            client: super::http_client(Duration::from_secs(cfg.timeout_secs.max(1)))?,
            cfg,
            key,
            state: ConnState::new("ready"),
        })
    }

    pub fn config(&self) -> &WebhookConfig {
        &self.cfg
    }

    async fn deliver(&self, job: Job<'_>) -> Result<String, ActError> {
        let row = job.row;
        let p: Value = serde_json::from_str(&row.params).unwrap_or_default();
        let kind = match row.op.as_str() {
            "webhook" => "moderation.action.requested",
            "webhook_undo" => "moderation.action.undo",
            other => return Err(ActError::Permanent(format!("the webhook cannot `{other}`"))),
        };
        let now = jaga_store::unix_now();
        let body = json!({
            "type": kind,
            "timestamp": rfc3339(now),
            "data": {
                "action": p["action"],
                "kind": p["kind"],
                "community": row.community,
                "group": row.chat,
                "event_id": row.event_id,
                "user": row.user,
                "case_id": row.case_id,
                "actor": row.actor,
            }
        })
        .to_string();
        let id = format!("jaga_{}", row.id);
        let resp = self
            .client
            .post(&self.cfg.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", now.to_string())
            .header(
                "webhook-signature",
                sign(&self.key, &id, now, body.as_bytes()),
            )
            .header(
                "x-hub-signature-256",
                hub_signature(&self.key, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .map_err(|e| ActError::Transient(super::http_error(e)))?;
        let status = resp.status();
        self.state.ok(None);
        if status.is_success() {
            return Ok(json!({"status": status.as_u16()}).to_string());
        }
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let msg = format!("the webhook answered HTTP {}", status.as_u16());
        match status.as_u16() {
            429 => Err(ActError::RetryAfter(
                Duration::from_secs(retry_after.unwrap_or(30)),
                msg,
            )),
            500..=599 => Err(ActError::Transient(msg)),
            _ => Err(ActError::Permanent(msg)),
        }
    }
}

impl Platform for Outbound {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn platform(&self) -> &'static str {
        "webhook"
    }

    fn notify_on(&self) -> &[Action] {
        &self.cfg.notify
    }

    fn admin_chat(&self, _chat: &str) -> Option<String> {
        None
    }

    fn execute<'a>(&'a self, job: Job<'a>) -> BoxFuture<'a, Result<String, ActError>> {
        Box::pin(self.deliver(job))
    }

    fn state(&self) -> &ConnState {
        &self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of the research notes (checked with the reference `standardwebhooks`
    /// Python library).
    #[test]
    fn standard_webhooks_test_vector() {
        let key = base64::engine::general_purpose::STANDARD
            .decode("amFnYS1vdXRib3VuZC10ZXN0LWtleS0zMi1ieXRlcyE=")
            .unwrap();
        let body = br#"{"type":"moderation.action.requested","timestamp":"2026-11-14T03:16:00Z","data":{"action":"delete_message","platform":"whatsapp","chat_id":"120363025550000001@g.us","message_id":"3EB0A1B2C3D4E5F60718","reason":"scam_link","verdict_id":"vd_01JCONTOH0001"}}"#;
        assert_eq!(
            sign(&key, "msg_01JCONTOHACTION000000001", 1_794_626_160, body),
            "v1,n+dTPZWQQHby5L+foGLL7hf11rz6EbBHljqOpcloG2c="
        );
        assert_eq!(
            hub_signature(&key, body),
            "sha256=a14ad6e8ddef3e9d71b9b22a7a568f0b3711febd0efe6cfc53684db5fb8a3635"
        );
        assert_eq!(rfc3339(1_794_626_160), "2026-11-14T03:16:00Z");
    }
}
