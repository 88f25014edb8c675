//! The chat platforms: adapters that turn a platform's updates into jaga [`Event`]s and carry
//! an executor's action out on the platform.
//!
//! * [`telegram`]: the Telegram Bot API (long polling or webhook), plain HTTP + own serde types.
//! * [`whatsapp`]: WhatsApp through a go-whatsapp-web-multidevice (GoWA) gateway: signed
//!   webhooks in, REST calls out, paced.
//! * [`webhook`]: the generic outbound action webhook (Standard Webhooks signatures) for any
//!   other bridge that posts to `POST /v1/events`.
//!
//! The seam is small: an adapter produces [`Inbound`] items (the event and where it came
//! from) for [`crate::ingest`], and implements [`Platform`] so the executor
//! ([`crate::actions`]) can run queued actions on it. Which operations a verdict's action
//! becomes is the platform's [`Platform::ops_for`]; what the group's mode allows is the
//! executor's business, and the decision itself stays in jaga-core.

pub mod telegram;
pub mod webhook;
pub mod whatsapp;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

use jaga_core::event::{Event, Kind};
use jaga_core::verdict::Action;
use jaga_store::{ActionRow, CaseDetail, Origin};

/// A boxed future, so [`Platform`] stays object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One event from a platform and where it came from.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub event: Event,
    pub origin: Origin,
    /// Store a case even when the verdict is not flagged (a member's `/report`).
    pub reported_by: Option<String>,
}

/// Where a chat belongs: its connection, community, group name and mode.
#[derive(Debug, Clone)]
pub struct Place {
    pub platform: &'static str,
    pub connection: String,
    pub chat: String,
    pub community: String,
    pub group: String,
    pub mode: crate::config::Mode,
}

impl Place {
    /// The origin of an event in this chat.
    pub fn origin(&self, event_id: &str, message: &str, user: &str, protected: bool) -> Origin {
        Origin {
            community: self.community.clone(),
            event_id: event_id.to_string(),
            platform: self.platform.into(),
            connection: self.connection.clone(),
            chat: self.chat.clone(),
            message: message.to_string(),
            user: user.to_string(),
            mode: self.mode.as_str().into(),
            protected,
        }
    }
}

/// Why an action did not happen (yet).
#[derive(Debug, Clone, PartialEq)]
pub enum ActError {
    /// The platform asked to wait (Telegram 429 `retry_after`, a pacing budget): try again
    /// after this long; does not count as a failed try.
    RetryAfter(Duration, String),
    /// A 5xx, a timeout, a dropped connection: retry with backoff.
    Transient(String),
    /// Will not work however often it is tried (missing admin rights, bad ids): fail now.
    Permanent(String),
}

impl std::fmt::Display for ActError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActError::RetryAfter(d, m) => write!(f, "{m} (retry after {} s)", d.as_secs()),
            ActError::Transient(m) | ActError::Permanent(m) => f.write_str(m),
        }
    }
}

/// An action to carry out, with the case it belongs to (for review messages).
pub struct Job<'a> {
    pub row: &'a ActionRow,
    pub case: Option<&'a CaseDetail>,
    /// How many members reported the event.
    pub reports: i64,
}

/// A connection to a platform, as the executor sees it.
pub trait Platform: Send + Sync {
    /// The configured connection name.
    fn name(&self) -> &str;
    /// `telegram`, `whatsapp` or `webhook`.
    fn platform(&self) -> &'static str;
    /// The actions (of the policy's ladder) that also post a review message in enforce mode.
    fn notify_on(&self) -> &[Action];
    /// Where review messages of a chat go; `None`: nowhere configured (no review message).
    fn admin_chat(&self, chat: &str) -> Option<String>;
    /// Carries one action out; `Ok` holds what the platform answered worth keeping (JSON).
    fn execute<'a>(&'a self, job: Job<'a>) -> BoxFuture<'a, Result<String, ActError>>;
    /// The connection's state for health and metrics.
    fn state(&self) -> &ConnState;
}

/// The operations a verdict's action becomes on `platform`, in order. Static per platform
/// (no connection needed), so `jaga review decide` plans the same way `jaga serve` does.
pub fn ops_for(platform: &str, action: Action, kind: Kind) -> &'static [&'static str] {
    let action = action.for_kind(kind);
    match platform {
        "telegram" => telegram::ops_for(action),
        "whatsapp" => whatsapp::ops_for(action),
        "webhook" => webhook::ops_for(action),
        _ => &[],
    }
}

/// The operation that undoes `op` on `platform`, when the platform can undo it.
pub fn undo_of(platform: &str, op: &str) -> Option<&'static str> {
    match (platform, op) {
        ("telegram", "mute") => Some("unmute"),
        ("telegram", "ban") => Some("unban"),
        ("whatsapp", "kick") => Some("readd"),
        ("webhook", "webhook") => Some("webhook_undo"),
        _ => None,
    }
}

/// A connection's health: whether it is receiving, how far behind, how much it did.
#[derive(Debug, Default)]
pub struct ConnState {
    status: Mutex<String>,
    /// Unix ms of the last successful exchange with the platform.
    pub last_ok_ms: AtomicI64,
    /// Seconds between the newest event's platform time and its arrival.
    pub lag_ms: AtomicI64,
    pub updates: AtomicU64,
    pub errors: AtomicU64,
    pub actions_done: AtomicU64,
    pub actions_failed: AtomicU64,
    pub retries: AtomicU64,
}

impl ConnState {
    pub fn new(status: &str) -> ConnState {
        let s = ConnState::default();
        s.set(status);
        s
    }

    pub fn set(&self, status: &str) {
        let mut s = self.status.lock().unwrap_or_else(|e| e.into_inner());
        if *s != status {
            *s = status.to_string();
        }
    }

    pub fn status(&self) -> String {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A successful exchange; `event_ts` (unix s) of the newest event, when it had one.
    pub fn ok(&self, event_ts: Option<i64>) {
        let now = crate::pipeline::now_ms();
        self.last_ok_ms.store(now, Relaxed);
        if let Some(ts) = event_ts {
            self.lag_ms.store((now - ts * 1000).max(0), Relaxed);
        }
        self.set("connected");
    }

    pub fn error(&self, status: &str) {
        self.errors.fetch_add(1, Relaxed);
        self.set(status);
    }

    /// The health JSON of this connection.
    pub fn to_json(&self, name: &str, platform: &str) -> serde_json::Value {
        serde_json::json!({
            "name": name,
            "platform": platform,
            "status": self.status(),
            "last_ok_ms": self.last_ok_ms.load(Relaxed),
            "lag_secs": self.lag_ms.load(Relaxed) as f64 / 1000.0,
            "updates": self.updates.load(Relaxed),
            "errors": self.errors.load(Relaxed),
            "actions_done": self.actions_done.load(Relaxed),
            "actions_failed": self.actions_failed.load(Relaxed),
            "action_retries": self.retries.load(Relaxed),
        })
    }
}

/// Reads a secret from the environment variable `env`, else from `file`; trims the
/// trailing newline editors add. Never logged.
pub fn secret(env: &str, file: Option<&Path>) -> Result<Option<String>, String> {
    if let Ok(v) = std::env::var(env) {
        if !v.trim().is_empty() {
            return Ok(Some(v.trim().to_string()));
        }
    }
    match file {
        None => Ok(None),
        Some(p) => std::fs::read_to_string(p)
            .map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty()))
            .map_err(|e| format!("cannot read the secret file {}: {e}", p.display())),
    }
}

/// The HTTP client of every adapter: rustls with the ring provider, no redirects, no proxy
/// unless the environment sets one.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    // The process-wide rustls provider; a second install (tests, several adapters) is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("jaga/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", e.without_url()))
}

/// A reqwest error as text, without the URL (a Telegram URL carries the bot token).
pub fn http_error(e: reqwest::Error) -> String {
    let timeout = e.is_timeout();
    let connect = e.is_connect();
    let e = e.without_url();
    if timeout {
        format!("timed out: {e}")
    } else if connect {
        format!("cannot connect: {e}")
    } else {
        e.to_string()
    }
}

/// The first `n` characters of `s` and an ellipsis when cut.
pub fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The review message text of a case: masked summary and name, reasons, what jaga did, in
/// Indonesian and English. Shared by Telegram and WhatsApp.
pub fn review_text(case: &CaseDetail, reports: i64, done: &str) -> String {
    let c = &case.case;
    let mut t = format!(
        "⚠️ jaga #{}: {} → {}\nGrup/group: {}\nDari/from: {} ({})\n“{}”\n",
        c.id,
        c.category,
        c.action,
        c.group,
        if c.name.is_empty() { "-" } else { &c.name },
        c.user,
        clip(&c.summary, 300)
    );
    if !c.rules.is_empty() {
        t.push_str(&format!(
            "Aturan/rules: {}\n",
            clip(&c.rules.join(", "), 200)
        ));
    }
    if reports > 0 {
        t.push_str(&format!(
            "Dilaporkan/reported by {reports} anggota/members\n"
        ));
    }
    if !done.is_empty() {
        t.push_str(&format!("Sudah/done: {done}\n"));
    }
    t
}
