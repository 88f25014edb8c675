//! `jaga.toml`: the configuration of `jaga serve` (listen address, store, rules, limits,
//! durability and the `[state]` policy of the stateful detectors).
//!
//! Every key has a default, so `jaga serve` runs with no file at all. Relative paths in the
//! file are relative to the file's directory; command-line flags override the file and are
//! relative to the working directory. Tokens never live here: they come from the
//! environment (`JAGA_ADMIN_TOKEN`, `JAGA_INGEST_TOKEN`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use jaga_store::Durability;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address of the HTTP API. Loopback by default: put a TLS proxy in front to expose it.
    pub listen: SocketAddr,
    /// The review store file (SQLite).
    pub store: PathBuf,
    /// The rules directory (rule files, lists, policy.toml).
    pub rules: PathBuf,
    /// The classifier's model file. Unset: `models/jaga.model` when it exists (rules only
    /// when not); `""`: rules only.
    pub model: Option<PathBuf>,
    /// `full` fsyncs every commit (survives power loss); `normal` survives a crash of jaga.
    pub durability: Durability,
    /// Delete cases decided more than this many days ago (with their decisions), at start
    /// and every hour; 0 keeps them.
    pub retention_days: u64,
    pub limits: Limits,
    pub pipeline: PipelineConfig,
    /// Refused with a pointer: the stateful quotas and windows are the `[state]` table of
    /// the rules' `policy.toml`, so `jaga scan` and `jaga serve` count alike.
    pub state: Option<toml::Value>,
    pub console: ConsoleConfig,
    /// `[executor]`: retries of platform actions.
    pub executor: ExecutorConfig,
    /// `[telegram]`: a Telegram bot (Bot API); absent: no Telegram connection.
    pub telegram: Option<TelegramConfig>,
    /// `[whatsapp]`: a go-whatsapp-web-multidevice (GoWA) gateway; absent: no WhatsApp.
    pub whatsapp: Option<WhatsAppConfig>,
    /// `[webhook]`: the generic outbound action webhook for `POST /v1/events` bridges.
    pub webhook: Option<WebhookConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            store: PathBuf::from("jaga.db"),
            rules: PathBuf::from("rules"),
            model: None,
            durability: Durability::default(),
            retention_days: 0,
            limits: Limits::default(),
            pipeline: PipelineConfig::default(),
            state: None,
            console: ConsoleConfig::default(),
            executor: ExecutorConfig::default(),
            telegram: None,
            whatsapp: None,
            webhook: None,
        }
    }
}

/// `[limits]`: what one request may carry and how long it may take.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Longest `text` or `name` of one event, in bytes (413 beyond).
    pub max_text_bytes: usize,
    /// Most events in one request (413 beyond).
    pub max_events: usize,
    /// Longest time to receive, score and store one request, in milliseconds (408 beyond).
    pub request_timeout_ms: u64,
    /// Largest request header (request line and all header fields), in bytes (431 beyond).
    pub max_header_bytes: usize,
    /// A connection must send a whole request header within this many milliseconds of
    /// connecting or of its previous answer; silent, idle and slow (slowloris) connections
    /// are closed then.
    pub header_read_timeout_ms: u64,
    /// Most open connections (API and console listeners each). At the cap a new connection
    /// closes the connection idle longest (no request in flight); when every connection is
    /// busy it is answered 503 with Retry-After. Also capped by the open-file limit.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 8 << 20,
            max_text_bytes: 64 << 10,
            max_events: 10_000,
            request_timeout_ms: 10_000,
            max_header_bytes: 32 << 10,
            header_read_timeout_ms: 10_000,
            max_connections: 1024,
        }
    }
}

/// `[pipeline]`: workers and queues.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// Scoring shards (at most this many batches score at once); 0 means one per core.
    pub workers: usize,
    /// Batches scoring or waiting per shard before requests get 503 + Retry-After.
    pub queue: usize,
    /// Most cases written in one store transaction.
    pub store_batch: usize,
    /// Requests waiting for the store writer before requests wait (and may time out).
    pub store_queue: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            workers: 0,
            queue: 256,
            store_batch: 4096,
            store_queue: 1024,
        }
    }
}

/// `[console]`: the admin console (web pages for volunteer admins).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Serve the console at all.
    pub enabled: bool,
    /// Its own address; unset: the API's listener serves it under `/`.
    pub listen: Option<SocketAddr>,
    /// The address admins open, for sign-in links (`https://jaga.example.org`); unset:
    /// `http://` + the listen address.
    pub public_url: String,
    /// The time zone times are shown in (IANA name).
    pub time_zone: String,
    /// Per-community time zones, e.g. `army-id = "Asia/Makassar"`.
    pub time_zones: std::collections::BTreeMap<String, String>,
    /// Mark cookies `Secure` (behind a TLS proxy; also done per request when the proxy
    /// sends `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// A session ends after this many hours without a request...
    pub session_idle_hours: u64,
    /// ...and after this many days in any case.
    pub session_max_days: u64,
    /// Largest export upload, in bytes.
    pub max_upload_bytes: usize,
    /// `jaga train --data` specs for a retrain from the console; empty: the data the current
    /// model was trained on (as recorded in the model file).
    pub training_data: Vec<String>,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            enabled: true,
            listen: None,
            public_url: String::new(),
            time_zone: "Asia/Jakarta".into(),
            time_zones: Default::default(),
            secure_cookies: false,
            session_idle_hours: 72,
            session_max_days: 14,
            max_upload_bytes: 64 << 20,
            training_data: Vec::new(),
        }
    }
}

impl ConsoleConfig {
    fn validate(&self) -> Result<(), String> {
        for (what, tz) in std::iter::once(("time_zone", &self.time_zone))
            .chain(self.time_zones.iter().map(|(k, v)| (k.as_str(), v)))
        {
            jiff::tz::TimeZone::get(tz).map_err(|_| {
                format!("[console] {what}: unknown time zone `{tz}`; use an IANA name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura")
            })?;
        }
        if self.session_idle_hours == 0 || self.session_max_days == 0 {
            return Err(
                "[console] session_idle_hours and session_max_days must be at least 1".into(),
            );
        }
        Ok(())
    }
}

impl PipelineConfig {
    /// The number of scoring shards.
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

impl Config {
    /// Parses a config file; errors name the file and line.
    pub fn load(path: &Path) -> Result<Config, String> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the config: {e}", path.display()))?;
        let mut cfg = Config::parse_syntax(&src).map_err(|e| format!("{}:{e}", path.display()))?;
        cfg.validate()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new(""));
        for p in [&mut cfg.store, &mut cfg.rules] {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        let rel = |p: &mut Option<PathBuf>| {
            if let Some(p) = p.as_mut().filter(|p| p.is_relative()) {
                *p = base.join(&*p);
            }
        };
        if let Some(t) = cfg.telegram.as_mut() {
            rel(&mut t.token_file);
            rel(&mut t.webhook_secret_file);
        }
        if let Some(w) = cfg.whatsapp.as_mut() {
            rel(&mut w.basic_auth_file);
            rel(&mut w.webhook_secret_file);
        }
        if let Some(w) = cfg.webhook.as_mut() {
            rel(&mut w.secret_file);
        }
        if let Some(m) = cfg
            .model
            .as_mut()
            .filter(|m| m.is_relative() && !m.as_os_str().is_empty())
        {
            *m = base.join(&*m);
        }
        Ok(cfg)
    }

    /// The model `jaga serve` scores with, as the `model` key asks.
    pub fn model_choice(&self) -> jaga_core::model::ModelChoice {
        use jaga_core::model::ModelChoice;
        match &self.model {
            None => ModelChoice::Default,
            Some(p) if p.as_os_str().is_empty() => ModelChoice::Off,
            Some(p) => ModelChoice::File(p.clone()),
        }
    }

    /// Parses and validates config TOML; syntax errors start with the line number.
    pub fn parse(src: &str) -> Result<Config, String> {
        let cfg = Config::parse_syntax(src)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn parse_syntax(src: &str) -> Result<Config, String> {
        let cfg: Config = toml::from_str(src).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                src[..s.start.min(src.len())].matches('\n').count() + 1
            });
            format!("{line}: {}", e.message().trim())
        })?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<(), String> {
        let l = &self.limits;
        if l.max_body_bytes == 0 || l.max_text_bytes == 0 || l.max_events == 0 {
            return Err(
                "[limits] max_body_bytes, max_text_bytes and max_events must be at least 1".into(),
            );
        }
        if l.request_timeout_ms == 0 || l.header_read_timeout_ms == 0 {
            return Err(
                "[limits] request_timeout_ms and header_read_timeout_ms must be at least 1".into(),
            );
        }
        if l.max_header_bytes < 1024 {
            return Err("[limits] max_header_bytes must be at least 1024".into());
        }
        if l.max_connections < 2 {
            return Err("[limits] max_connections must be at least 2".into());
        }
        if self.pipeline.queue == 0
            || self.pipeline.store_batch == 0
            || self.pipeline.store_queue == 0
        {
            return Err("[pipeline] queue, store_batch and store_queue must be at least 1".into());
        }
        self.console.validate()?;
        self.executor.validate()?;
        let mut names = Vec::new();
        if let Some(t) = &self.telegram {
            t.validate()?;
            names.push(t.name.as_str());
        }
        if let Some(w) = &self.whatsapp {
            w.validate()?;
            names.push(w.name.as_str());
        }
        if let Some(w) = &self.webhook {
            w.validate()?;
            names.push(w.name.as_str());
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(format!(
                    "two connections are named `{n}`; give each `name` its own value"
                ));
            }
        }
        if self.state.is_some() {
            return Err("[state] has moved to the policy: put the table in the rules directory's policy.toml (same keys; scores and minimum actions are rules in rules/stateful.toml now), so `jaga scan` and `jaga serve` count alike".into());
        }
        Ok(())
    }
}

/// What jaga does in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Decide and record; act on nothing and send nothing.
    Observe,
    /// Decide, record and ask the admins; act only after an admin confirms.
    Review,
    /// Act at the policy's thresholds (admins and trusted members: review at most).
    Enforce,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Observe => "observe",
            Mode::Review => "review",
            Mode::Enforce => "enforce",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "observe" => Ok(Mode::Observe),
            "review" => Ok(Mode::Review),
            "enforce" => Ok(Mode::Enforce),
            _ => Err(format!(
                "unknown mode `{s}`; use observe, review or enforce"
            )),
        }
    }
}

/// `[executor]`: how platform actions are retried.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutorConfig {
    /// Tries of one action before it is recorded as failed (a 429's wait does not count).
    pub max_attempts: u32,
    /// First retry delay after a 5xx or network error; doubles per try (with jitter).
    pub backoff_ms: u64,
    /// Longest retry delay.
    pub max_backoff_ms: u64,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        ExecutorConfig {
            max_attempts: 8,
            backoff_ms: 1000,
            max_backoff_ms: 300_000,
        }
    }
}

impl ExecutorConfig {
    fn validate(&self) -> Result<(), String> {
        if self.max_attempts == 0 || self.backoff_ms == 0 || self.max_backoff_ms < self.backoff_ms {
            return Err("[executor] max_attempts and backoff_ms must be at least 1 and max_backoff_ms at least backoff_ms".into());
        }
        Ok(())
    }
}

/// How the Telegram bot receives updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Receive {
    /// `getUpdates` long polling: works behind NAT, no public URL needed.
    Polling,
    /// Telegram POSTs updates to `webhook_url` (which must reach `POST /v1/telegram/{name}`).
    Webhook,
}

/// `[telegram]`: one bot serving many groups.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelegramConfig {
    /// The connection's name (in health, metrics, the action queue and webhook paths).
    pub name: String,
    /// The community of groups not listed in `groups` (and the default of listed ones).
    pub community: String,
    /// Bot API base URL; `JAGA_TELEGRAM_API` overrides it. A self-hosted Bot API server
    /// works the same way.
    pub api: String,
    /// A file holding the bot token; `JAGA_TELEGRAM_TOKEN` overrides it.
    pub token_file: Option<PathBuf>,
    pub receive: Receive,
    /// The public HTTPS URL Telegram posts to in webhook mode (ending in
    /// `/v1/telegram/{name}`, behind your TLS proxy).
    pub webhook_url: Option<String>,
    /// A file holding the webhook secret token; `JAGA_TELEGRAM_WEBHOOK_SECRET` overrides it.
    pub webhook_secret_file: Option<PathBuf>,
    /// Long-poll seconds per `getUpdates`.
    pub poll_timeout_secs: u64,
    /// Mode of groups not listed in `groups`.
    pub default_mode: Mode,
    /// The admins' chat where review messages go (a private group of the admins).
    pub admin_chat: Option<i64>,
    /// How long `mute` restricts a member.
    pub mute_secs: u64,
    /// How long `ban` bans a member; 0 = until unbanned.
    pub ban_secs: u64,
    /// `ban` also deletes the member's recent messages.
    pub revoke_messages: bool,
    /// Actions (in enforce mode) that also post a review message with buttons; a `review`
    /// verdict always does.
    pub notify: Vec<jaga_core::verdict::Action>,
    /// How long a group's admin list is cached.
    pub admin_refresh_secs: u64,
    /// `/report`s one member may send per hour.
    pub reports_per_hour: u32,
    pub groups: Vec<TelegramGroup>,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        use jaga_core::verdict::Action;
        TelegramConfig {
            name: "telegram".into(),
            community: "telegram".into(),
            api: "https://api.telegram.org".into(),
            token_file: None,
            receive: Receive::Polling,
            webhook_url: None,
            webhook_secret_file: None,
            poll_timeout_secs: 30,
            default_mode: Mode::Review,
            admin_chat: None,
            mute_secs: 3600,
            ban_secs: 0,
            revoke_messages: false,
            notify: vec![Action::Hide, Action::Mute, Action::Ban],
            admin_refresh_secs: 600,
            reports_per_hour: 5,
            groups: Vec::new(),
        }
    }
}

/// One Telegram group jaga knows by name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramGroup {
    /// The chat id (`-100...` for supergroups).
    pub chat: i64,
    /// The group name in events, cases and per-group policy (default: the chat id).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub community: Option<String>,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub admin_chat: Option<i64>,
}

impl TelegramConfig {
    fn validate(&self) -> Result<(), String> {
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("[telegram] name must be letters, digits, - or _".into());
        }
        if self.receive == Receive::Webhook && self.webhook_url.is_none() {
            return Err("[telegram] receive = \"webhook\" needs webhook_url (the public HTTPS URL of /v1/telegram/NAME)".into());
        }
        if self.poll_timeout_secs > 50 {
            return Err("[telegram] poll_timeout_secs must be at most 50".into());
        }
        if self.mute_secs != 0 && !(30..=366 * 86_400).contains(&self.mute_secs) {
            return Err("[telegram] mute_secs must be between 30 and 31622400 (Telegram treats others as forever)".into());
        }
        Ok(())
    }

    /// The group entry of a chat, if listed.
    pub fn group(&self, chat: i64) -> Option<&TelegramGroup> {
        self.groups.iter().find(|g| g.chat == chat)
    }
}

/// Pacing of WhatsApp actions: a linked number that acts like a bot can be banned.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pacing {
    /// Least time between two actions of the gateway.
    pub min_gap_ms: u64,
    /// A random extra delay of up to this much before each action.
    pub jitter_ms: u64,
    /// Least time between two actions in one group.
    pub group_gap_ms: u64,
    /// Most actions per hour over all groups; beyond, actions wait.
    pub per_hour: u32,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            min_gap_ms: 3000,
            jitter_ms: 4000,
            group_gap_ms: 10_000,
            per_hour: 60,
        }
    }
}

/// `[whatsapp]`: a GoWA gateway (go-whatsapp-web-multidevice v8 or later) on a linked device.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhatsAppConfig {
    pub name: String,
    pub community: String,
    /// The gateway's REST base URL.
    pub gateway: String,
    /// The device (`X-Device-Id`) when the gateway serves several accounts.
    pub device_id: Option<String>,
    /// A file holding `user:pass` for the gateway's Basic auth; `JAGA_GOWA_AUTH` overrides it.
    pub basic_auth_file: Option<PathBuf>,
    /// A file holding the webhook secret (`WHATSAPP_WEBHOOK_SECRET`);
    /// `JAGA_GOWA_WEBHOOK_SECRET` overrides it.
    pub webhook_secret_file: Option<PathBuf>,
    /// Accept webhooks without a valid signature. Only for a gateway on the same host.
    pub allow_unsigned: bool,
    /// Mode of groups not listed in `groups`: review, so admins confirm before anything is
    /// removed.
    pub default_mode: Mode,
    /// The admins' group JID where review messages go.
    pub admin_chat: Option<String>,
    /// How often join requests are polled (GoWA has no join-request webhook); 0 = never.
    pub join_poll_secs: u64,
    /// How long a group's admin list is cached.
    pub admin_refresh_secs: u64,
    pub notify: Vec<jaga_core::verdict::Action>,
    pub pacing: Pacing,
    pub groups: Vec<WhatsAppGroup>,
}

impl Default for WhatsAppConfig {
    fn default() -> Self {
        use jaga_core::verdict::Action;
        WhatsAppConfig {
            name: "whatsapp".into(),
            community: "whatsapp".into(),
            gateway: "http://127.0.0.1:3000".into(),
            device_id: None,
            basic_auth_file: None,
            webhook_secret_file: None,
            allow_unsigned: false,
            default_mode: Mode::Review,
            admin_chat: None,
            join_poll_secs: 60,
            admin_refresh_secs: 600,
            notify: vec![Action::Hide, Action::Mute, Action::Ban],
            pacing: Pacing::default(),
            groups: Vec::new(),
        }
    }
}

/// One WhatsApp group jaga knows by name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatsAppGroup {
    /// The group JID (`120363...@g.us`).
    pub jid: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub community: Option<String>,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub admin_chat: Option<String>,
}

impl WhatsAppConfig {
    fn validate(&self) -> Result<(), String> {
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("[whatsapp] name must be letters, digits, - or _".into());
        }
        if let Some(g) = self.groups.iter().find(|g| !g.jid.ends_with("@g.us")) {
            return Err(format!(
                "[whatsapp] group `{}` is not a group JID (NUMBER@g.us)",
                g.jid
            ));
        }
        if self.pacing.per_hour == 0 {
            return Err("[whatsapp.pacing] per_hour must be at least 1".into());
        }
        Ok(())
    }

    pub fn group(&self, jid: &str) -> Option<&WhatsAppGroup> {
        self.groups.iter().find(|g| g.jid == jid)
    }
}

/// `[webhook]`: every action on an event from `POST /v1/events` is POSTed, signed
/// (Standard Webhooks), to `url`, for a bridge to carry out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    pub name: String,
    pub url: String,
    /// A file holding the signing secret (`whsec_...`); `JAGA_WEBHOOK_SECRET` overrides it.
    pub secret_file: Option<PathBuf>,
    /// Mode of groups not listed in `groups`.
    pub default_mode: Mode,
    /// Per-group modes: `{ "army-tiket" = "enforce" }`.
    pub groups: std::collections::BTreeMap<String, Mode>,
    pub notify: Vec<jaga_core::verdict::Action>,
    pub timeout_secs: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            name: "webhook".into(),
            url: String::new(),
            secret_file: None,
            default_mode: Mode::Review,
            groups: Default::default(),
            notify: Vec::new(),
            timeout_secs: 15,
        }
    }
}

impl WebhookConfig {
    fn validate(&self) -> Result<(), String> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err("[webhook] url must be an http:// or https:// URL".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::parse("").unwrap();
        assert_eq!(c, Config::default());
        assert!(c.listen.ip().is_loopback());
        let c = Config::parse("listen = \"127.0.0.1:9000\"\n[limits]\nmax_events = 100\n").unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.limits.max_events, 100);
        assert_eq!(c.limits.max_text_bytes, Limits::default().max_text_bytes);
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let e = Config::parse("listen = \"127.0.0.1:9000\"\nlisten_addr = 1\n").unwrap_err();
        assert!(e.starts_with("2:") && e.contains("listen_addr"), "{e}");
        let e = Config::parse("[state.cross_post]\nmin_groups = 3\n").unwrap_err();
        assert!(e.contains("[state] has moved to the policy"), "{e}");
        let e = Config::parse("[console]\ntime_zone = \"Asia/Atlantis\"\n").unwrap_err();
        assert!(e.contains("Asia/Atlantis"), "{e}");
        let c = Config::parse("[console]\ntime_zones = { army-id = \"Asia/Makassar\" }\n").unwrap();
        assert_eq!(c.console.time_zones["army-id"], "Asia/Makassar");
        let e = Config::parse("durability = \"sometimes\"\n").unwrap_err();
        assert!(e.contains("normal") && e.contains("full"), "{e}");
    }

    #[test]
    fn relative_paths_follow_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("jaga.toml");
        std::fs::write(
            &p,
            "store = \"data/jaga.db\"\nrules = \"/etc/jaga/rules\"\n",
        )
        .unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(c.store, dir.path().join("data/jaga.db"));
        assert_eq!(c.rules, PathBuf::from("/etc/jaga/rules"));
        let e = Config::load(&dir.path().join("missing.toml")).unwrap_err();
        assert!(e.contains("missing.toml: cannot read"), "{e}");
    }

    #[test]
    fn the_shipped_platform_examples_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let t = Config::load(&root.join("telegram.toml")).unwrap();
        let tg = t.telegram.unwrap();
        assert_eq!(tg.groups.len(), 2);
        assert_eq!(tg.default_mode, Mode::Review);
        assert!(t.rules.ends_with("examples/../rules"));
        let w = Config::load(&root.join("whatsapp.toml")).unwrap();
        let wa = w.whatsapp.unwrap();
        assert_eq!(
            wa.default_mode,
            Mode::Review,
            "new WhatsApp groups need an admin's confirmation"
        );
        assert_eq!(wa.pacing.per_hour, 60);
        assert_eq!(WhatsAppConfig::default().default_mode, Mode::Review);
        let e = Config::parse("[telegram]\nreceive = \"webhook\"\n").unwrap_err();
        assert!(e.contains("webhook_url"), "{e}");
        let e = Config::parse("[whatsapp]\nmode = \"enforce\"\n").unwrap_err();
        assert!(e.contains("mode"), "{e}");
    }

    #[test]
    fn the_model_key_picks_the_classifier() {
        use jaga_core::model::ModelChoice;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("jaga.toml");
        let load = |src: &str| {
            std::fs::write(&p, src).unwrap();
            Config::load(&p).unwrap().model_choice()
        };
        assert_eq!(load(""), ModelChoice::Default);
        assert_eq!(load("model = \"\"\n"), ModelChoice::Off);
        assert_eq!(
            load("model = \"models/community.model\"\n"),
            ModelChoice::File(dir.path().join("models/community.model"))
        );
        assert_eq!(
            load("model = \"/srv/jaga.model\"\n"),
            ModelChoice::File(PathBuf::from("/srv/jaga.model"))
        );
    }
}
