//! The action executor: carries out on the platforms what jaga-core decided, safely.
//!
//! * **Plan** ([`Executor::plan`]): a verdict's action becomes platform operations
//!   ([`crate::platform::ops_for`]) as the group's mode allows: `observe` nothing, `review` only a
//!   review message to the admins, `enforce` the operations (plus a review message for the
//!   actions in the connection's `notify` list and for `review` verdicts). Events of admins
//!   and trusted members (`Origin::protected`) get a review message at most. The executor
//!   never re-decides a verdict: it maps the action it is given.
//! * **Durable and idempotent**: planned actions are rows of the store's `actions` table,
//!   written in the same transaction as their case, each with a unique key (connection,
//!   chat, target, operation): a re-delivered event or a crash between decision and action
//!   carries the action out once after restart.
//! * **Retries**: a platform's "wait" (Telegram 429 `retry_after`, WhatsApp pacing) moves
//!   the row to that time; 5xx and network errors retry with jittered exponential backoff
//!   up to `[executor] max_attempts`; permanent errors fail at once. Every action done or
//!   failed gets an audit row (`action.done`, `action.failed`).
//! * **Decisions and undo** ([`Executor::decide`]): the one entry point for review
//!   decisions (CLI `jaga review decide` through the admin API, the console, Telegram
//!   buttons). Confirm carries out the verdict's (or the admin's) action where it was not
//!   done yet; dismiss cancels pending actions and undoes what can be undone (unmute, unban,
//!   re-add; a held join request is approved). Review messages are edited to show the
//!   decision.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify};

use crate::config::{ExecutorConfig, Mode};
use crate::metrics::Histogram;
use crate::pipeline::now_ms;
use crate::platform::{ops_for, undo_of, ActError, Job, Platform};
use jaga_core::event::Kind;
use jaga_core::verdict::Action;
use jaga_store::{
    ActionRow, CaseDetail, Judgement, NewAction, NewDecision, Origin, Store, StoreError,
};

/// Carries queued actions out on the configured platforms.
pub struct Executor {
    store: Mutex<Store>,
    platforms: HashMap<String, Arc<dyn Platform>>,
    wakers: HashMap<String, Arc<Notify>>,
    cfg: ExecutorConfig,
    /// From queueing to done, first tries only (seconds).
    pub latency: Histogram,
}

/// Buckets of [`Executor::latency`].
const ACTION_BUCKETS: &[f64] = &[
    0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

impl Executor {
    /// An executor over `store` (its own connection) and the platforms' connections.
    pub fn new(store: Store, platforms: Vec<Arc<dyn Platform>>, cfg: ExecutorConfig) -> Executor {
        let wakers = platforms
            .iter()
            .map(|p| (p.name().to_string(), Arc::new(Notify::new())))
            .collect();
        Executor {
            store: Mutex::new(store),
            platforms: platforms
                .into_iter()
                .map(|p| (p.name().to_string(), p))
                .collect(),
            wakers,
            cfg,
            latency: Histogram::new(ACTION_BUCKETS),
        }
    }

    /// The configured connections.
    pub fn platforms(&self) -> impl Iterator<Item = &Arc<dyn Platform>> {
        self.platforms.values()
    }

    pub fn platform(&self, name: &str) -> Option<&Arc<dyn Platform>> {
        self.platforms.get(name)
    }

    /// The actions a verdict's `action` becomes for an event from `origin`, as its group's
    /// mode allows (see the module docs). `flagged`: the event has a case (so a review
    /// message has something to show).
    pub fn plan(
        &self,
        origin: &Origin,
        kind: Kind,
        action: Action,
        flagged: bool,
    ) -> Vec<NewAction> {
        let Some(p) = self.platforms.get(&origin.connection) else {
            return Vec::new();
        };
        let mode: Mode = origin.mode.parse().unwrap_or(Mode::Review);
        let now = now_ms();
        let mut out = Vec::new();
        let notify = |out: &mut Vec<NewAction>| {
            if flagged && p.admin_chat(&origin.chat).is_some() {
                out.push(new_action(
                    origin, "notify", action, kind, "jaga", None, now,
                ));
            }
        };
        match mode {
            Mode::Observe => {}
            Mode::Review => notify(&mut out),
            Mode::Enforce if origin.protected => notify(&mut out),
            Mode::Enforce => {
                for op in ops_for(&origin.platform, action, kind) {
                    out.push(new_action(origin, op, action, kind, "jaga", None, now));
                }
                if action == Action::Review || p.notify_on().contains(&action) {
                    notify(&mut out);
                }
            }
        }
        out
    }

    /// Wakes the worker of a connection (new actions were queued).
    pub fn wake(&self, connection: &str) {
        if let Some(n) = self.wakers.get(connection) {
            n.notify_one();
        }
    }

    /// Records an admin's decision on a case and carries it out: **the one function the
    /// review CLI (through the admin API), the console and the Telegram buttons call.**
    ///
    /// * `confirm`: the case is `confirmed`; the admin's `action` (or the verdict's; a
    ///   `review` verdict means `remove` for a message and `reject` for a join request) is
    ///   carried out where it has not been already (a message deleted automatically is not
    ///   deleted twice).
    /// * `dismiss`: the case is `dismissed`; pending actions are cancelled and what was done
    ///   is undone where the platform can (mute → unmute, ban → unban, WhatsApp removal →
    ///   re-add; a join request held for review is approved). A deleted message cannot be
    ///   restored on either platform.
    /// * Review messages already posted are edited to show the decision.
    ///
    /// In `observe` mode, or for an event no platform delivered (`POST /v1/events` without
    /// a `[webhook]`), only the decision is recorded. Errors: [`StoreError::NotFound`] for an
    /// unknown case, [`StoreError::Invalid`] for a decision without an admin name.
    pub async fn decide(
        self: &Arc<Self>,
        case_id: i64,
        d: NewDecision,
    ) -> Result<CaseDetail, StoreError> {
        let me = self.clone();
        let (detail, connection) = tokio::task::spawn_blocking(move || {
            let mut store = me.store.lock().unwrap_or_else(|e| e.into_inner());
            decide_in_store(&mut store, case_id, &d)
        })
        .await
        .map_err(|e| StoreError::Invalid(format!("the decision task failed: {e}")))??;
        if let Some(c) = connection {
            self.wake(&c);
        }
        Ok(detail)
    }

    /// Runs every connection's worker until `stop` turns true.
    pub fn spawn(
        self: &Arc<Self>,
        stop: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        self.platforms
            .values()
            .map(|p| {
                let me = self.clone();
                let p = p.clone();
                let stop = stop.clone();
                tokio::spawn(async move { me.worker(p, stop).await })
            })
            .collect()
    }

    async fn worker(self: Arc<Self>, p: Arc<dyn Platform>, mut stop: watch::Receiver<bool>) {
        let name = p.name().to_string();
        let wake = self.wakers[&name].clone();
        loop {
            if *stop.borrow() {
                return;
            }
            let me = self.clone();
            let n = name.clone();
            let due = tokio::task::spawn_blocking(move || {
                let s = me.store.lock().unwrap_or_else(|e| e.into_inner());
                s.due_actions(&n, now_ms(), 32)
            })
            .await;
            let due = match due {
                Ok(Ok(d)) => d,
                Ok(Err(e)) => {
                    tracing::error!(connection = %name, error = %e, "cannot read the action queue; retrying");
                    Vec::new()
                }
                Err(_) => Vec::new(),
            };
            if !due.is_empty() {
                for row in due {
                    if *stop.borrow() {
                        return;
                    }
                    self.run_one(&*p, row).await;
                }
                continue;
            }
            let me = self.clone();
            let n = name.clone();
            let next = tokio::task::spawn_blocking(move || {
                me.store
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .next_due(&n)
            })
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
            // Sleep until the next due action, a wake-up, or at most a second (the CLI may
            // have queued something through another connection).
            let wait = next.map_or(1000, |t| (t - now_ms()).clamp(0, 1000)) as u64;
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(Duration::from_millis(wait)) => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn run_one(self: &Arc<Self>, p: &dyn Platform, row: ActionRow) {
        let (case, reports) = if matches!(row.op.as_str(), "notify" | "resolve") {
            let me = self.clone();
            let (id, community, event) = (row.case_id, row.community.clone(), row.event_id.clone());
            tokio::task::spawn_blocking(move || {
                let s = me.store.lock().unwrap_or_else(|e| e.into_inner());
                let case = id.and_then(|id| s.get(id).ok().flatten());
                (case, s.report_count(&community, &event).unwrap_or(0))
            })
            .await
            .unwrap_or((None, 0))
        } else {
            (None, 0)
        };
        let started = Instant::now();
        let result = p
            .execute(Job {
                row: &row,
                case: case.as_ref(),
                reports,
            })
            .await;
        let state = p.state();
        let me = self.clone();
        let cfg = self.cfg.clone();
        let first_try = row.attempts == 0;
        let queued_ms = row.next_at;
        let (id, op, conn) = (row.id, row.op.clone(), row.connection.clone());
        use std::sync::atomic::Ordering::Relaxed;
        let outcome: Result<(), StoreError> = match result {
            Ok(answer) => {
                state.actions_done.fetch_add(1, Relaxed);
                if first_try {
                    self.latency
                        .observe(Duration::from_millis((now_ms() - queued_ms).max(0) as u64));
                }
                tracing::info!(connection = %conn, action = id, op = %op, took_ms = started.elapsed().as_millis() as u64, "action done");
                tokio::task::spawn_blocking(move || {
                    me.store
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .finish_action(id, true, &answer, "")
                })
                .await
                .unwrap_or(Ok(()))
            }
            Err(ActError::RetryAfter(wait, msg)) => {
                state.retries.fetch_add(1, Relaxed);
                tracing::warn!(connection = %conn, action = id, op = %op, wait_ms = wait.as_millis() as u64, error = %msg, "action must wait");
                let at = now_ms() + wait.as_millis() as i64;
                tokio::task::spawn_blocking(move || {
                    me.store
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .retry_action(id, at, &msg)
                })
                .await
                .unwrap_or(Ok(()))
            }
            Err(ActError::Transient(msg)) if (row.attempts as u32) + 1 < cfg.max_attempts => {
                state.retries.fetch_add(1, Relaxed);
                let exp = cfg
                    .backoff_ms
                    .saturating_mul(1 << row.attempts.clamp(0, 20));
                let wait = exp.min(cfg.max_backoff_ms);
                let wait = wait / 2 + fastrand::u64(0..=wait / 2);
                tracing::warn!(connection = %conn, action = id, op = %op, attempt = row.attempts + 1, wait_ms = wait, error = %msg, "action failed; will retry");
                let at = now_ms() + wait as i64;
                tokio::task::spawn_blocking(move || {
                    me.store
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .retry_action(id, at, &msg)
                })
                .await
                .unwrap_or(Ok(()))
            }
            Err(e) => {
                state.actions_failed.fetch_add(1, Relaxed);
                let msg = e.to_string();
                tracing::error!(connection = %conn, action = id, op = %op, error = %msg, "action failed");
                tokio::task::spawn_blocking(move || {
                    me.store
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .finish_action(id, false, "", &msg)
                })
                .await
                .unwrap_or(Ok(()))
            }
        };
        if let Err(e) = outcome {
            tracing::error!(connection = %row.connection, action = row.id, error = %e, "cannot record the action's result; it may run again");
        }
    }

    /// Runs a closure on the executor's store connection off the async threads.
    pub async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = me.store.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut s)
        })
        .await
        .map_err(|e| StoreError::Invalid(format!("store task failed: {e}")))?
    }
}

/// Records an admin's decision and queues what carrying it out takes (see
/// [`Executor::decide`]) on a store alone: `jaga review decide` uses it directly, and a
/// running `jaga serve` picks the queued actions up within a second. Returns the updated
/// case and the connection whose worker should be woken.
pub fn decide_in_store(
    store: &mut Store,
    case_id: i64,
    d: &NewDecision,
) -> Result<(CaseDetail, Option<String>), StoreError> {
    let case = store.get(case_id)?.ok_or(StoreError::NotFound(case_id))?;
    let c = &case.case;
    let origin = store.origin(&c.community, &c.event_id)?;
    let existing = store.actions_for(&c.community, &c.event_id)?;
    let actions = match &origin {
        Some(o) if o.mode != Mode::Observe.as_str() => decision_actions(&case, o, &existing, d),
        _ => Vec::new(),
    };
    let dismiss = d.decision == Judgement::Dismiss;
    let detail = store.decide_and_enqueue(case_id, d, dismiss, &actions)?;
    Ok((detail, origin.map(|o| o.connection)))
}

fn decision_actions(
    case: &CaseDetail,
    origin: &Origin,
    existing: &[ActionRow],
    d: &NewDecision,
) -> Vec<NewAction> {
    let platform = origin.platform.as_str();
    let kind = if case.case.kind == "join_request" {
        Kind::JoinRequest
    } else {
        Kind::Message
    };
    let n = case.decisions.len() + 1;
    let tag = Some(format!("d{n}"));
    let now = now_ms();
    let live = |op: &str| {
        // Done or queued, and not undone since.
        let last = existing
            .iter()
            .rposition(|r| r.op == op && (r.state == "done" || r.state == "pending"));
        let undo = undo_of(platform, op);
        last.is_some_and(|i| {
            !existing[i..].iter().any(|r| {
                Some(r.op.as_str()) == undo && r.state != "cancelled" && r.state != "failed"
            })
        })
    };
    let mut out = Vec::new();
    let verdict_action: Action = case.case.action.parse().unwrap_or(Action::Review);
    let mut act = d.action.unwrap_or(verdict_action).for_kind(kind);
    match d.decision {
        Judgement::Confirm => {
            if act == Action::Review || act.severity() == 0 {
                act = if kind == Kind::JoinRequest {
                    Action::Reject
                } else {
                    Action::Remove
                };
            }
            for op in ops_for(platform, act, kind) {
                if !live(op) {
                    out.push(new_action(
                        origin,
                        op,
                        act,
                        kind,
                        &d.admin,
                        tag.as_deref(),
                        now,
                    ));
                }
            }
        }
        Judgement::Dismiss => {
            for r in existing.iter().filter(|r| r.state == "done") {
                if let Some(u) = undo_of(platform, &r.op) {
                    if live(&r.op) {
                        out.push(new_action(
                            origin,
                            u,
                            act,
                            kind,
                            &d.admin,
                            tag.as_deref(),
                            now,
                        ));
                    }
                }
            }
            if kind == Kind::JoinRequest && !live("decline") {
                for op in ops_for(platform, Action::Approve, kind) {
                    if !live(op) {
                        out.push(new_action(
                            origin,
                            op,
                            Action::Approve,
                            kind,
                            &d.admin,
                            tag.as_deref(),
                            now,
                        ));
                    }
                }
            }
        }
    }
    let summary: Vec<String> = out.iter().map(|a| a.op.clone()).collect();
    for r in existing
        .iter()
        .filter(|r| r.op == "notify" && r.state == "done")
    {
        let mut a = new_action(origin, "resolve", act, kind, &d.admin, tag.as_deref(), now);
        a.key = format!("{}/r{}", a.key, r.id);
        a.params = serde_json::json!({
            "posted": serde_json::from_str::<serde_json::Value>(&r.result).unwrap_or_default(),
            "decision": d.decision.as_str(),
            "admin": d.admin,
            "ops": summary,
        })
        .to_string();
        out.push(a);
    }
    out
}

/// One queued action for `origin`. The key makes it happen once: a message is deleted once
/// however often its event (or an edit of it) arrives; a member operation once per event;
/// `tag` separates the actions of successive admin decisions.
fn new_action(
    origin: &Origin,
    op: &str,
    action: Action,
    kind: Kind,
    actor: &str,
    tag: Option<&str>,
    now: i64,
) -> NewAction {
    let base = match op {
        "delete" => format!(
            "{}/{}/m{}/delete",
            origin.connection, origin.chat, origin.message
        ),
        _ => format!(
            "{}/{}/{}/{}",
            origin.connection, origin.community, origin.event_id, op
        ),
    };
    let key = match tag {
        Some(t) => format!("{base}/{t}"),
        None => base,
    };
    NewAction {
        key,
        community: origin.community.clone(),
        event_id: origin.event_id.clone(),
        platform: origin.platform.clone(),
        connection: origin.connection.clone(),
        chat: origin.chat.clone(),
        message: origin.message.clone(),
        user: origin.user.clone(),
        op: op.to_string(),
        params: serde_json::json!({"action": action.as_str(), "kind": kind.as_str()}).to_string(),
        actor: actor.to_string(),
        not_before: now,
    }
}
