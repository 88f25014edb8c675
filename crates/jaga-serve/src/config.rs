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

use jaga_core::state::StateConfig;
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
    pub limits: Limits,
    pub pipeline: PipelineConfig,
    pub state: StateConfig,
    pub console: ConsoleConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            store: PathBuf::from("jaga.db"),
            rules: PathBuf::from("rules"),
            model: None,
            durability: Durability::default(),
            limits: Limits::default(),
            pipeline: PipelineConfig::default(),
            state: StateConfig::default(),
            console: ConsoleConfig::default(),
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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 8 << 20,
            max_text_bytes: 64 << 10,
            max_events: 10_000,
            request_timeout_ms: 10_000,
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
        if l.request_timeout_ms == 0 {
            return Err("[limits] request_timeout_ms must be at least 1".into());
        }
        if self.pipeline.queue == 0
            || self.pipeline.store_batch == 0
            || self.pipeline.store_queue == 0
        {
            return Err("[pipeline] queue, store_batch and store_queue must be at least 1".into());
        }
        self.console.validate()?;
        self.state.validate()
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
        let c = Config::parse(
            "listen = \"127.0.0.1:9000\"\n[state.flood]\nuser = { messages = 5, per_secs = 10 }\n[limits]\nmax_events = 100\n",
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.state.flood.user.messages, 5);
        assert_eq!(c.limits.max_events, 100);
        assert_eq!(c.limits.max_text_bytes, Limits::default().max_text_bytes);
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let e = Config::parse("listen = \"127.0.0.1:9000\"\nlisten_addr = 1\n").unwrap_err();
        assert!(e.starts_with("2:") && e.contains("listen_addr"), "{e}");
        let e = Config::parse("[state.cross_post]\nscore = 3.0\n").unwrap_err();
        assert!(e.contains("[state.cross_post] score"), "{e}");
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
