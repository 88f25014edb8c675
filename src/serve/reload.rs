//! Hot reload of the rules (rule files, lists, policy.toml) and of the `[state]` policy in
//! `jaga.toml`: on a file change (notify), on SIGHUP, or on `POST /v1/reload`.
//!
//! A reload lints and compiles the whole new set off the request path and swaps it in
//! atomically; on any error the old set keeps serving and the error is kept as the last
//! reload result (`GET /v1/health`, `jaga_last_reload_success`, the audit log).

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

use notify::{RecursiveMode, Watcher};
use serde::Serialize;
use tokio::sync::mpsc;

use super::pipeline::Live;
use crate::config::Config;
use crate::engine::Engine;
use crate::state::raid::Raids;
use crate::state::Shared;

/// The result of the last reload.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReloadStatus {
    /// Unix seconds.
    pub at: i64,
    /// `startup`, `file change`, `SIGHUP` or `api`.
    pub trigger: String,
    pub ok: bool,
    /// What was loaded, or why the new set was refused.
    pub message: String,
    pub rules: usize,
}

/// Reloads the rules and state policy into [`Live`].
pub struct Reloader {
    live: Arc<Live>,
    raids: Arc<Raids>,
    rules: PathBuf,
    config: Option<PathBuf>,
    status: Mutex<ReloadStatus>,
    /// One reload at a time.
    running: tokio::sync::Mutex<()>,
}

impl Reloader {
    pub fn new(
        live: Arc<Live>,
        raids: Arc<Raids>,
        rules: PathBuf,
        config: Option<PathBuf>,
    ) -> Reloader {
        let rules_n = live.engine.load().rules().len();
        Reloader {
            live,
            raids,
            rules,
            config,
            status: Mutex::new(ReloadStatus {
                at: crate::store::unix_now(),
                trigger: "startup".into(),
                ok: true,
                message: "loaded at startup".into(),
                rules: rules_n,
            }),
            running: tokio::sync::Mutex::new(()),
        }
    }

    pub fn status(&self) -> ReloadStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn rules_dir(&self) -> &Path {
        &self.rules
    }

    /// Loads and compiles everything, swaps on success, keeps the old set on failure.
    pub async fn reload(self: &Arc<Self>, trigger: &str) -> ReloadStatus {
        let _one = self.running.lock().await;
        let me = self.clone();
        let result = tokio::task::spawn_blocking(move || me.load_all())
            .await
            .unwrap_or_else(|e| Err(format!("the reload panicked: {e}")));
        let status = match result {
            Ok((engine, state_cfg)) => {
                let rules = engine.rules().len();
                self.live.engine.store(Arc::new(engine));
                let mut message = format!("{rules} rules from {}", self.rules.display());
                if let Some(cfg) = state_cfg {
                    if cfg != *self.live.state.load().cfg {
                        self.live
                            .state
                            .store(Arc::new(Shared::new(Arc::new(cfg), self.raids.clone())));
                        message.push_str("; [state] policy changed (quotas and windows restart)");
                    }
                }
                self.live.metrics.rules_loaded.store(rules as u64, Relaxed);
                self.live.metrics.reloads_ok.fetch_add(1, Relaxed);
                self.live.metrics.last_reload_ok.store(1, Relaxed);
                tracing::info!(trigger, rules, "reloaded rules");
                ReloadStatus {
                    at: crate::store::unix_now(),
                    trigger: trigger.into(),
                    ok: true,
                    message,
                    rules,
                }
            }
            Err(message) => {
                self.live.metrics.reloads_failed.fetch_add(1, Relaxed);
                self.live.metrics.last_reload_ok.store(0, Relaxed);
                let rules = self.live.engine.load().rules().len();
                tracing::error!(trigger, error = %message, "reload refused; the previous rules keep serving");
                ReloadStatus {
                    at: crate::store::unix_now(),
                    trigger: trigger.into(),
                    ok: false,
                    message: format!("{message}\nthe previous rule set ({rules} rules) keeps serving; fix the files and save again"),
                    rules,
                }
            }
        };
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = status.clone();
        status
    }

    fn load_all(&self) -> Result<(Engine, Option<crate::state::StateConfig>), String> {
        let engine = Engine::load(&self.rules)
            .map_err(|e| format!("cannot load rules from {}:\n{e}", self.rules.display()))?;
        let state = match &self.config {
            Some(p) => Some(Config::load(p)?.state),
            None => None,
        };
        Ok((engine, state))
    }

    /// Watches the rules directory and the config file. Each change sends on the returned
    /// channel; the caller reloads after a short quiet period (editors write files in
    /// several steps). The watcher lives as long as the returned value.
    pub fn watch(
        self: &Arc<Self>,
    ) -> Result<(notify::RecommendedWatcher, mpsc::Receiver<()>), String> {
        let (tx, rx) = mpsc::channel::<()>(1);
        let rules = self
            .rules
            .canonicalize()
            .map_err(|e| format!("cannot watch {}: {e}", self.rules.display()))?;
        let config = match &self.config {
            Some(p) => Some(
                p.canonicalize()
                    .map_err(|e| format!("cannot watch {}: {e}", p.display()))?,
            ),
            None => None,
        };
        let (rules_w, config_w) = (rules.clone(), config.clone());
        // Only changes to rule files or the config count: the store may sit next to the
        // config and writes to it must not trigger reloads.
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(ev) = res else { return };
            if ev.kind.is_access() {
                return;
            }
            let relevant = ev
                .paths
                .iter()
                .any(|p| p.starts_with(&rules_w) || Some(p) == config_w.as_ref());
            if relevant {
                let _ = tx.try_send(());
            }
        })
        .map_err(|e| format!("cannot watch files for hot reload: {e}"))?;
        watcher
            .watch(&rules, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", rules.display()))?;
        if let Some(cfg) = &config {
            let dir = cfg.parent().unwrap_or(Path::new("/"));
            watcher
                .watch(dir, RecursiveMode::NonRecursive)
                .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
        }
        Ok((watcher, rx))
    }
}
