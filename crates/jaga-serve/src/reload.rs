//! Hot reload of the rules (rule files, lists, policy.toml with its `[state]` table) and the
//! classifier's model file: on a file change (notify), on SIGHUP, or on `POST /v1/reload`.
//! The new detector carries the running one's stateful state over (quotas and windows when
//! `[state]` is unchanged, join-wave holds always). A model retrained with `jaga train --from-store` takes effect this way.
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
use jaga_core::model::ModelChoice;
use jaga_core::Detector;

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
    /// Rule ids this reload added and removed (a deleted rule file shows here).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules_removed: Vec<String>,
    /// The model in use (`model <path> (trained <date>)` or `no model`).
    pub model: String,
    /// A model was loaded before and none is now (its file was deleted): scoring goes on
    /// with the rules only and health is `degraded` until a model loads again.
    pub model_lost: bool,
}

/// What a reload changed: rule ids added and removed, and whether the model went away
/// (`was_lost`: it had already gone at an earlier reload and has not come back).
pub fn diff(old: &Detector, new: &Detector, was_lost: bool) -> (Vec<String>, Vec<String>, bool) {
    let ids = |e: &Detector| {
        e.rules()
            .iter()
            .map(|r| r.id.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (before, after) = (ids(old), ids(new));
    let added = after.difference(&before).cloned().collect();
    let removed = before.difference(&after).cloned().collect();
    let lost = new.model().is_none() && (old.model().is_some() || was_lost);
    (added, removed, lost)
}

/// The reload's changes in words, for the message and the log.
fn describe_changes(added: &[String], removed: &[String], model_lost: bool) -> String {
    let mut out = String::new();
    let list = |ids: &[String]| {
        let mut s = ids.iter().take(20).cloned().collect::<Vec<_>>().join(", ");
        if ids.len() > 20 {
            s.push_str(&format!(" and {} more", ids.len() - 20));
        }
        s
    };
    if !added.is_empty() {
        out.push_str(&format!("; {} rules added: {}", added.len(), list(added)));
    }
    if !removed.is_empty() {
        out.push_str(&format!(
            "; {} rules removed: {} (a rule file deleted or emptied?)",
            removed.len(),
            list(removed)
        ));
    }
    if model_lost {
        out.push_str("; the model is gone (its file was deleted or moved): scoring with the rules only until it is back");
    }
    out
}

/// Reloads the rules, policy and model into [`Live`].
pub struct Reloader {
    live: Arc<Live>,
    rules: PathBuf,
    model: ModelChoice,
    status: Mutex<ReloadStatus>,
    /// One reload at a time.
    running: tokio::sync::Mutex<()>,
}

impl Reloader {
    pub fn new(live: Arc<Live>, rules: PathBuf, model: ModelChoice) -> Reloader {
        let rules_n = live.detector.load().rules().len();
        let model_now = describe_model(&live.detector.load());
        Reloader {
            live,
            rules,
            model,
            status: Mutex::new(ReloadStatus {
                at: jaga_store::unix_now(),
                trigger: "startup".into(),
                ok: true,
                message: "loaded at startup".into(),
                rules: rules_n,
                rules_added: Vec::new(),
                rules_removed: Vec::new(),
                model: model_now,
                model_lost: false,
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
            Ok(detector) => {
                let rules = detector.rules().len();
                let model = describe_model(&detector);
                let was_lost = self.status().model_lost;
                let running = self.live.detector.load();
                let (rules_added, rules_removed, model_lost) = diff(&running, &detector, was_lost);
                let mut message = format!("{rules} rules from {}; {}", self.rules.display(), model);
                message.push_str(&describe_changes(&rules_added, &rules_removed, model_lost));
                if detector.state().config() != running.state().config() {
                    message.push_str("; [state] policy changed (quotas and windows restart)");
                }
                self.live.detector.store(Arc::new(detector));
                self.live.metrics.rules_loaded.store(rules as u64, Relaxed);
                self.live.metrics.reloads_ok.fetch_add(1, Relaxed);
                self.live.metrics.last_reload_ok.store(1, Relaxed);
                if model_lost || !rules_removed.is_empty() {
                    tracing::warn!(
                        trigger,
                        rules,
                        added = rules_added.len(),
                        removed = ?rules_removed,
                        model_lost,
                        "reloaded with less than before"
                    );
                } else {
                    tracing::info!(trigger, rules, added = rules_added.len(), "reloaded rules");
                }
                ReloadStatus {
                    at: jaga_store::unix_now(),
                    trigger: trigger.into(),
                    ok: true,
                    message,
                    rules,
                    rules_added,
                    rules_removed,
                    model,
                    model_lost,
                }
            }
            Err(message) => {
                self.live.metrics.reloads_failed.fetch_add(1, Relaxed);
                self.live.metrics.last_reload_ok.store(0, Relaxed);
                let rules = self.live.detector.load().rules().len();
                tracing::error!(trigger, error = %message, "reload refused; the previous rules keep serving");
                let prev = self.status();
                ReloadStatus {
                    at: jaga_store::unix_now(),
                    trigger: trigger.into(),
                    ok: false,
                    message: format!("{message}\nthe previous rule set ({rules} rules) keeps serving; fix the files and save again"),
                    rules,
                    rules_added: Vec::new(),
                    rules_removed: Vec::new(),
                    model: prev.model,
                    model_lost: prev.model_lost,
                }
            }
        };
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = status.clone();
        status
    }

    fn load_all(&self) -> Result<Detector, String> {
        let running = self.live.detector.load_full();
        load_detector(&self.rules, &self.model, Some(&running))
    }

    /// Watches the rules directory and the model file. Each change sends on the returned
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
        // The model file may not exist yet (a first `jaga train` then loads it), so the path
        // is its canonical directory plus its name.
        let model = self.model.path().and_then(|p| {
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            Some(dir.canonicalize().ok()?.join(p.file_name()?))
        });
        let (rules_w, model_w) = (rules.clone(), model.clone());
        // Only changes to rule files or the model count: the store may sit next to the
        // model and writes to it must not trigger reloads.
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(ev) = res else { return };
            if ev.kind.is_access() {
                return;
            }
            let relevant = ev
                .paths
                .iter()
                .any(|p| p.starts_with(&rules_w) || Some(p) == model_w.as_ref());
            if relevant {
                let _ = tx.try_send(());
            }
        })
        .map_err(|e| format!("cannot watch files for hot reload: {e}"))?;
        watcher
            .watch(&rules, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", rules.display()))?;
        // Directories, not files: editors and `jaga train` write a new file and rename it over
        // the old one. Each directory once, and none the rules watch already covers.
        let mut dirs: Vec<&Path> = Vec::new();
        for file in [&model].into_iter().flatten() {
            let dir = file.parent().unwrap_or(Path::new("/"));
            if !dir.starts_with(&rules) && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        for dir in dirs {
            watcher
                .watch(dir, RecursiveMode::NonRecursive)
                .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
        }
        Ok((watcher, rx))
    }
}

/// Compiles the rules and loads the chosen model into one detector, carrying `running`'s
/// stateful state over. An absent default model means rules only, with a warning; a model
/// file that does not load refuses the whole set.
pub fn load_detector(
    rules: &Path,
    model: &ModelChoice,
    running: Option<&Detector>,
) -> Result<Detector, String> {
    let loaded = model.load().map_err(|e| {
        format!(
            "{e}; fix or retrain the model, or run with --no-model (`model = \"\"` in jaga.toml)"
        )
    })?;
    if loaded.is_none() && *model == ModelChoice::Default {
        tracing::warn!(
            path = jaga_core::model::DEFAULT_PATH,
            "no model file; scoring with the rules only"
        );
    }
    let mut builder = Detector::builder().rules_dir(rules).model(loaded);
    if let Some(old) = running {
        builder = builder.keep_state_of(old);
    }
    builder
        .build()
        .map_err(|e| format!("cannot load rules from {}:\n{e}", rules.display()))
}

/// `model <path> (trained <date>)` or `no model`, for logs and reload results.
pub fn describe_model(detector: &Detector) -> String {
    match detector.model() {
        Some(m) => format!(
            "model {} (trained {})",
            m.path().display(),
            m.file().summary.created
        ),
        None => "no model".into(),
    }
}
