//! The platform side of the store: where flagged events came from ([`Origin`]), the durable
//! action queue ([`NewAction`], [`ActionRow`]), trusted members and member reports.
//!
//! The executor of `jaga serve` owns the queue's life cycle: rows are inserted `pending` in
//! the same transaction as their case ([`Store::insert_batch`]), picked when due
//! ([`Store::due_actions`]), and finished `done` or `failed` with an audit row in one
//! transaction ([`Store::finish_action`]). Retries move `next_at` ([`Store::retry_action`]).

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use crate::{unix_now, NewCase, NewDecision, Store, StoreError};

/// Where an event came from on its platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Origin {
    pub community: String,
    pub event_id: String,
    /// `telegram`, `whatsapp` or `webhook`.
    pub platform: String,
    /// The configured connection's name.
    pub connection: String,
    /// Platform chat id (a Telegram chat id, a WhatsApp group JID).
    pub chat: String,
    /// Platform message id; empty for join requests.
    pub message: String,
    /// Platform user id.
    pub user: String,
    /// The group's mode when the event arrived: `observe`, `review` or `enforce`.
    pub mode: String,
    /// An admin or trusted member: never acted on automatically.
    pub protected: bool,
}

/// An action to queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAction {
    /// Idempotency key: the same key is queued once, ever.
    pub key: String,
    pub community: String,
    pub event_id: String,
    pub platform: String,
    pub connection: String,
    pub chat: String,
    pub message: String,
    pub user: String,
    /// `delete`, `mute`, `ban`, `kick`, `approve`, `decline`, `notify`, `unmute`, `unban`,
    /// `readd`, `resolve`, `webhook`.
    pub op: String,
    /// Op parameters (JSON object).
    pub params: String,
    /// Who asked: `jaga` for automatic actions, the admin for decisions.
    pub actor: String,
    /// Unix milliseconds before which it must not run.
    pub not_before: i64,
}

/// A queued action as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRow {
    pub id: i64,
    pub key: String,
    pub case_id: Option<i64>,
    pub community: String,
    pub event_id: String,
    pub platform: String,
    pub connection: String,
    pub chat: String,
    pub message: String,
    pub user: String,
    pub op: String,
    pub params: String,
    /// `pending`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: String,
    pub result: String,
    pub actor: String,
    pub created_at: i64,
    pub done_at: Option<i64>,
}

/// A trusted member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trusted {
    pub community: String,
    pub user: String,
    pub added_by: String,
    pub note: String,
    pub at: i64,
}

/// Counts of the action queue by state, for health and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionCounts {
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
    pub cancelled: i64,
}

const ACTION_COLUMNS: &str = "id, key, case_id, community, event_id, platform, connection, chat, message, user_id, op, params, state, attempts, next_at, last_error, result, actor, created_at, done_at";

fn action_from_row(r: &Row<'_>) -> rusqlite::Result<ActionRow> {
    Ok(ActionRow {
        id: r.get(0)?,
        key: r.get(1)?,
        case_id: r.get(2)?,
        community: r.get(3)?,
        event_id: r.get(4)?,
        platform: r.get(5)?,
        connection: r.get(6)?,
        chat: r.get(7)?,
        message: r.get(8)?,
        user: r.get(9)?,
        op: r.get(10)?,
        params: r.get(11)?,
        state: r.get(12)?,
        attempts: r.get(13)?,
        next_at: r.get(14)?,
        last_error: r.get(15)?,
        result: r.get(16)?,
        actor: r.get(17)?,
        created_at: r.get(18)?,
        done_at: r.get(19)?,
    })
}

fn insert_actions(
    tx: &rusqlite::Transaction<'_>,
    actions: &[NewAction],
) -> rusqlite::Result<usize> {
    let mut ins = tx.prepare_cached(
        "INSERT OR IGNORE INTO actions (key, case_id, community, event_id, platform, connection, chat, message, user_id, op, params, actor, next_at, created_at)
         VALUES (?1, (SELECT id FROM cases WHERE community = ?2 AND event_id = ?3), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let now = unix_now();
    let mut n = 0;
    for a in actions {
        n += ins.execute(params![
            a.key,
            a.community,
            a.event_id,
            a.platform,
            a.connection,
            a.chat,
            a.message,
            a.user,
            a.op,
            a.params,
            a.actor,
            a.not_before,
            now
        ])?;
    }
    Ok(n)
}

/// What the executor learned about an action.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionUpdate {
    /// Done (`ok`) or failed for good, with the platform's answer or the error.
    Finish {
        id: i64,
        ok: bool,
        result: String,
        error: String,
    },
    /// Try again at `next_at` (unix ms).
    Retry {
        id: i64,
        next_at: i64,
        error: String,
    },
}

fn finish_tx(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    ok: bool,
    result: &str,
    error: &str,
) -> rusqlite::Result<()> {
    let now = unix_now();
    let row = tx
        .query_row(
            &format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = ?1"),
            [id],
            action_from_row,
        )
        .optional()?;
    let Some(ActionRow {
        case_id,
        op,
        platform,
        connection,
        chat,
        message,
        actor,
        attempts,
        ..
    }) = row
    else {
        return Ok(());
    };
    tx.execute(
        "UPDATE actions SET state = ?2, attempts = attempts + 1, result = ?3, last_error = ?4, done_at = ?5 WHERE id = ?1",
        params![id, if ok { "done" } else { "failed" }, result, error, now],
    )
    ?;
    let detail = serde_json::json!({
        "action": id,
        "op": op,
        "platform": platform,
        "connection": connection,
        "chat": chat,
        "message": message,
        "attempts": attempts + 1,
        "error": if ok { None } else { Some(error) },
    })
    .to_string();
    tx.execute(
        "INSERT INTO audit (at, actor, what, case_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            now,
            actor,
            if ok { "action.done" } else { "action.failed" },
            case_id,
            detail
        ],
    )?;
    Ok(())
}

impl Store {
    /// Writes cases, their origins and their actions in one transaction (the store writer's
    /// group commit). Returns how many cases were new. Actions whose key is already queued
    /// are skipped: a re-delivered event never acts twice.
    pub fn insert_batch(
        &mut self,
        cases: &[NewCase],
        origins: &[Origin],
        actions: &[NewAction],
    ) -> Result<usize, StoreError> {
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sq)?;
        let inserted = crate::insert_cases_tx(&tx, cases, self.key.as_ref()).map_err(sq)?;
        {
            let mut ins = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO origins (community, event_id, platform, connection, chat, message, user_id, mode, protected)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(sq)?;
            for o in origins {
                ins.execute(params![
                    o.community,
                    o.event_id,
                    o.platform,
                    o.connection,
                    o.chat,
                    o.message,
                    o.user,
                    o.mode,
                    o.protected
                ])
                .map_err(sq)?;
            }
        }
        insert_actions(&tx, actions).map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(inserted)
    }

    /// Queues actions (outside a case write); returns how many were new.
    pub fn enqueue(&mut self, actions: &[NewAction]) -> Result<usize, StoreError> {
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sq)?;
        let n = insert_actions(&tx, actions).map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(n)
    }

    /// Where an event came from, when a platform adapter delivered it.
    pub fn origin(&self, community: &str, event_id: &str) -> Result<Option<Origin>, StoreError> {
        self.conn
            .query_row(
                "SELECT community, event_id, platform, connection, chat, message, user_id, mode, protected
                 FROM origins WHERE community = ?1 AND event_id = ?2",
                params![community, event_id],
                |r| {
                    Ok(Origin {
                        community: r.get(0)?,
                        event_id: r.get(1)?,
                        platform: r.get(2)?,
                        connection: r.get(3)?,
                        chat: r.get(4)?,
                        message: r.get(5)?,
                        user: r.get(6)?,
                        mode: r.get(7)?,
                        protected: r.get(8)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Pending actions of a connection due at `now_ms`, oldest first.
    pub fn due_actions(
        &self,
        connection: &str,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<ActionRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions WHERE state = 'pending' AND connection = ?1 AND next_at <= ?2 ORDER BY next_at, id LIMIT ?3"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![connection, now_ms, limit as i64], action_from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// When the next pending action of a connection is due (unix ms), if any.
    pub fn next_due(&self, connection: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT MIN(next_at) FROM actions WHERE state = 'pending' AND connection = ?1",
                [connection],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Every action of a case (or of an event, for actions without a case), oldest first.
    pub fn actions_for(
        &self,
        community: &str,
        event_id: &str,
    ) -> Result<Vec<ActionRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions WHERE community = ?1 AND event_id = ?2 ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![community, event_id], action_from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One action by id.
    pub fn action(&self, id: i64) -> Result<Option<ActionRow>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = ?1"),
                [id],
                action_from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The newest actions of every state, newest first.
    pub fn recent_actions(&self, limit: usize) -> Result<Vec<ActionRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions ORDER BY id DESC LIMIT ?1"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], action_from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Finishes an action as `done` or `failed` and appends its audit row, in one
    /// transaction: every action carried out or failed has an audit entry.
    pub fn finish_action(
        &mut self,
        id: i64,
        ok: bool,
        result: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        self.update_actions(&[ActionUpdate::Finish {
            id,
            ok,
            result: result.into(),
            error: error.into(),
        }])
    }

    /// Puts an action back for another try at `next_at` (unix ms).
    pub fn retry_action(&mut self, id: i64, next_at: i64, error: &str) -> Result<(), StoreError> {
        self.update_actions(&[ActionUpdate::Retry {
            id,
            next_at,
            error: error.into(),
        }])
    }

    /// Applies the executor's results in one transaction (`jaga serve`'s store writer
    /// group-commits them, so the executor never waits on SQLite's busy handler).
    pub fn update_actions(&mut self, updates: &[ActionUpdate]) -> Result<(), StoreError> {
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        // IMMEDIATE: take the write lock before reading, so a concurrent writer makes this
        // wait (busy timeout) instead of failing on a stale read snapshot.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sq)?;
        for u in updates {
            match u {
                ActionUpdate::Finish {
                    id,
                    ok,
                    result,
                    error,
                } => finish_tx(&tx, *id, *ok, result, error).map_err(sq)?,
                ActionUpdate::Retry { id, next_at, error } => {
                    tx.execute(
                        "UPDATE actions SET attempts = attempts + 1, next_at = ?2, last_error = ?3 WHERE id = ?1 AND state = 'pending'",
                        params![id, next_at, error],
                    )
                    .map_err(sq)?;
                }
            }
        }
        tx.commit().map_err(sq)
    }

    /// Records an admin's decision, cancels the case's pending automatic actions when asked
    /// (a dismissed case must not be acted on any more) and queues `actions`, in one
    /// transaction. The decision itself is [`Store::decide`]'s.
    pub fn decide_and_enqueue(
        &mut self,
        id: i64,
        d: &NewDecision,
        cancel_pending: bool,
        actions: &[NewAction],
    ) -> Result<crate::CaseDetail, StoreError> {
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sq)?;
        crate::decide_tx(&tx, id, d)?;
        if cancel_pending {
            tx.execute(
                "UPDATE actions SET state = 'cancelled', done_at = ?2 WHERE case_id = ?1 AND state = 'pending' AND op NOT IN ('notify', 'resolve')",
                params![id, unix_now()],
            )
            .map_err(sq)?;
        }
        insert_actions(&tx, actions).map_err(sq)?;
        tx.commit().map_err(sq)?;
        self.get(id)?.ok_or(StoreError::NotFound(id))
    }

    /// Counts of the action queue by state, per connection.
    pub fn action_counts(&self) -> Result<Vec<(String, ActionCounts)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT connection, state, COUNT(*) FROM actions GROUP BY connection, state ORDER BY connection")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out: Vec<(String, ActionCounts)> = Vec::new();
        for row in rows {
            let (conn, state, n) = row.map_err(|e| self.err(e))?;
            if out.last().is_none_or(|(c, _)| *c != conn) {
                out.push((conn.clone(), ActionCounts::default()));
            }
            let c = &mut out.last_mut().expect("pushed").1;
            match state.as_str() {
                "pending" => c.pending = n,
                "done" => c.done = n,
                "failed" => c.failed = n,
                _ => c.cancelled = n,
            }
        }
        Ok(out)
    }

    /// Adds (or updates) a trusted member of a community.
    pub fn trust(
        &self,
        community: &str,
        user: &str,
        by: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        if user.trim().is_empty() || by.trim().is_empty() {
            return Err(StoreError::Invalid(
                "trusting a member needs the member's user id and the admin's name".into(),
            ));
        }
        self.conn
            .execute(
                "INSERT INTO trusted (community, user_id, added_by, note, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (community, user_id) DO UPDATE SET added_by = excluded.added_by, note = excluded.note, at = excluded.at",
                params![community, user, by, note, unix_now()],
            )
            .map_err(|e| self.err(e))?;
        self.audit(by, "trust.add", None, &format!("{community}/{user}"))
    }

    /// Removes a trusted member; false when they were not trusted.
    pub fn untrust(&self, community: &str, user: &str, by: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "DELETE FROM trusted WHERE community = ?1 AND user_id = ?2",
                params![community, user],
            )
            .map_err(|e| self.err(e))?;
        if n > 0 {
            self.audit(by, "trust.remove", None, &format!("{community}/{user}"))?;
        }
        Ok(n > 0)
    }

    /// Every trusted member (of one community, or of all).
    pub fn trusted(&self, community: Option<&str>) -> Result<Vec<Trusted>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT community, user_id, added_by, note, at FROM trusted
                 WHERE ?1 IS NULL OR community = ?1 ORDER BY community, user_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([community], |r| {
                Ok(Trusted {
                    community: r.get(0)?,
                    user: r.get(1)?,
                    added_by: r.get(2)?,
                    note: r.get(3)?,
                    at: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How many distinct members reported an event.
    pub fn report_count(&self, community: &str, event_id: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM reports WHERE community = ?1 AND event_id = ?2",
                params![community, event_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Records a member's report of an event; returns how many distinct members reported
    /// it (a re-report by the same member does not count twice).
    pub fn report(
        &self,
        community: &str,
        event_id: &str,
        reporter: &str,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO reports (community, event_id, reporter, at) VALUES (?1, ?2, ?3, ?4)",
                params![community, event_id, reporter, unix_now()],
            )
            .map_err(|e| self.err(e))?;
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM reports WHERE community = ?1 AND event_id = ?2",
                params![community, event_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Durability, Judgement};

    fn action(key: &str, op: &str) -> NewAction {
        NewAction {
            key: key.into(),
            community: "army-id".into(),
            event_id: "m1".into(),
            platform: "telegram".into(),
            connection: "telegram".into(),
            chat: "-100".into(),
            message: "7".into(),
            user: "42".into(),
            op: op.into(),
            params: "{}".into(),
            actor: "jaga".into(),
            not_before: 0,
        }
    }

    #[test]
    fn queue_life_cycle_is_idempotent_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("jaga.db"), Durability::Normal).unwrap();
        let ev = jaga_core::event::Event {
            id: "m1".into(),
            community: "army-id".into(),
            text: "slot gacor".into(),
            ..Default::default()
        };
        let v = jaga_core::verdict::Verdict {
            id: "m1".into(),
            kind: jaga_core::event::Kind::Message,
            category: Some(jaga_core::verdict::Category::Spam),
            action: jaga_core::verdict::Action::Remove,
            scores: Default::default(),
            reasons: vec![],
            helpers: Vec::new(),
            doxing_helper_spans: Vec::new(),
        };
        let case = NewCase::new(&ev, &v, 1);
        let a = action("k1", "delete");
        assert_eq!(
            s.insert_batch(std::slice::from_ref(&case), &[], std::slice::from_ref(&a))
                .unwrap(),
            1
        );
        assert_eq!(
            s.insert_batch(&[case], &[], std::slice::from_ref(&a))
                .unwrap(),
            0
        );
        let due = s.due_actions("telegram", 10, 10).unwrap();
        assert_eq!(due.len(), 1, "the same key is queued once");
        assert!(due[0].case_id.is_some(), "linked to its case");
        s.retry_action(due[0].id, 5_000, "429").unwrap();
        assert!(s.due_actions("telegram", 10, 10).unwrap().is_empty());
        assert_eq!(s.next_due("telegram").unwrap(), Some(5_000));
        s.finish_action(due[0].id, true, "{}", "").unwrap();
        assert!(s.due_actions("telegram", 10_000, 10).unwrap().is_empty());
        let rows = s.actions_for("army-id", "m1").unwrap();
        assert_eq!((rows[0].state.as_str(), rows[0].attempts), ("done", 2));
        assert_eq!(s.audit_log(1).unwrap()[0].what, "action.done");
        // A dismissal cancels what is still pending.
        s.enqueue(&[action("k2", "ban")]).unwrap();
        let id = rows[0].case_id.unwrap();
        s.decide_and_enqueue(
            id,
            &NewDecision {
                admin: "rini".into(),
                decision: Judgement::Dismiss,
                category: None,
                action: None,
                note: String::new(),
            },
            true,
            &[action("k3", "unban")],
        )
        .unwrap();
        let rows = s.actions_for("army-id", "m1").unwrap();
        let states: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.op.as_str(), r.state.as_str()))
            .collect();
        assert_eq!(
            states,
            vec![
                ("delete", "done"),
                ("ban", "cancelled"),
                ("unban", "pending")
            ]
        );
        let counts = s.action_counts().unwrap();
        assert_eq!(counts[0].1.done, 1);
        assert_eq!(counts[0].1.cancelled, 1);
    }

    #[test]
    fn trusted_members_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("jaga.db"), Durability::Normal).unwrap();
        s.trust("army-id", "42", "rini", "organiser").unwrap();
        assert_eq!(s.trusted(Some("army-id")).unwrap()[0].user, "42");
        assert!(s.trusted(Some("other")).unwrap().is_empty());
        assert!(s.untrust("army-id", "42", "rini").unwrap());
        assert!(!s.untrust("army-id", "42", "rini").unwrap());
        assert_eq!(s.report("army-id", "m1", "a").unwrap(), 1);
        assert_eq!(s.report("army-id", "m1", "a").unwrap(), 1);
        assert_eq!(s.report("army-id", "m1", "b").unwrap(), 2);
    }
}
