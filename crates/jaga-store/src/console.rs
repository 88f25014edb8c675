//! What the admin console keeps in the review store (migration 003): admin accounts, their
//! sessions and one-time sign-in links, and exports scanned through the console; and the
//! queries the console's pages need (queue in severity order with filters, counts per group,
//! a member's cases, the cases around one).
//!
//! Secrets are never stored: the console hands this module the SHA-256 of a session or link
//! token and an argon2 hash of a password.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{summary_from_row, unix_now, CaseSummary, Status, Store, StoreError, SUMMARY_COLUMNS};

/// What an admin may do in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads every page with personal data masked; decides nothing, reveals nothing.
    Viewer,
    /// Also decides cases, reveals personal data (audited), tries messages, scans exports.
    Admin,
    /// Also retrains the model and switches it.
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "admin" => Ok(Role::Admin),
            "owner" => Ok(Role::Owner),
            _ => Err(format!("unknown role `{s}`; use owner, admin or viewer")),
        }
    }
}

/// An admin account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdminAccount {
    pub id: i64,
    pub name: String,
    /// The community moderated; `*` is every community.
    pub community: String,
    pub role: Role,
    /// The argon2 PHC string, `None` when the admin signs in by link only.
    #[serde(skip)]
    pub password: Option<String>,
    pub created_at: i64,
}

impl AdminAccount {
    /// Whether this admin moderates `community`.
    pub fn sees(&self, community: &str) -> bool {
        self.community == "*" || self.community == community
    }
}

/// Which cases the console's queue lists. Empty strings and `None` mean "any".
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `None`: every community (an admin of `*`).
    pub community: Option<String>,
    pub status: Option<Status>,
    pub group: Option<String>,
    pub category: Option<String>,
    pub action: Option<String>,
    /// A rule (or reason) id among the case's rules.
    pub rule: Option<String>,
    pub user: Option<String>,
    /// Unix seconds, inclusive.
    pub since: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
    pub limit: usize,
    pub offset: usize,
}

/// An export scanned in the console, ready to keep.
#[derive(Debug, Clone)]
pub struct NewExportScan {
    pub community: String,
    pub admin: String,
    pub file_name: String,
    pub events: i64,
    pub flagged: i64,
    pub new_cases: i64,
    pub errors: i64,
    pub report: Vec<u8>,
    pub csv: Vec<u8>,
}

/// An export scanned in the console (without its report and CSV).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportScan {
    pub id: i64,
    pub community: String,
    pub admin: String,
    pub file_name: String,
    pub at: i64,
    pub events: i64,
    pub flagged: i64,
    pub new_cases: i64,
    pub errors: i64,
}

/// Severity of the `action` column on the common ladder (as `Action::severity`).
const SEVERITY: &str = "CASE action WHEN 'ban' THEN 5 WHEN 'mute' THEN 4 WHEN 'remove' THEN 3 WHEN 'reject' THEN 3 WHEN 'hide' THEN 2 WHEN 'review' THEN 1 ELSE 0 END";

fn account(r: &rusqlite::Row<'_>) -> rusqlite::Result<AdminAccount> {
    let role: String = r.get(3)?;
    Ok(AdminAccount {
        id: r.get(0)?,
        name: r.get(1)?,
        community: r.get(2)?,
        role: role.parse().unwrap_or(Role::Viewer),
        password: r.get(4)?,
        created_at: r.get(5)?,
    })
}

const ACCOUNT_COLUMNS: &str = "a.id, a.name, a.community, a.role, a.password, a.created_at";

impl QueueFilter {
    fn clause(&self, with_group: bool) -> (String, Vec<rusqlite::types::Value>) {
        let mut sql = String::from(" WHERE 1=1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut eq = |col: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                sql.push_str(&format!(" AND {col} = ?"));
                args.push(v.to_string().into());
            }
        };
        eq("community", &self.community);
        eq("category", &self.category);
        eq("action", &self.action);
        eq("user_id", &self.user);
        if with_group {
            eq("group_id", &self.group);
        }
        if let Some(s) = self.status {
            sql.push_str(" AND status = ?");
            args.push(s.as_str().to_string().into());
        }
        if let Some(r) = self.rule.as_deref().filter(|r| !r.is_empty()) {
            sql.push_str(" AND instr(',' || rules || ',', ?) > 0");
            args.push(format!(",{r},").into());
        }
        if let Some(t) = self.since {
            sql.push_str(" AND created_at >= ?");
            args.push(t.into());
        }
        if let Some(t) = self.until {
            sql.push_str(" AND created_at < ?");
            args.push(t.into());
        }
        (sql, args)
    }
}

impl Store {
    /// Adds an admin account; a taken name is an error.
    pub fn add_admin(
        &self,
        name: &str,
        community: &str,
        role: Role,
        password_hash: Option<&str>,
    ) -> Result<AdminAccount, StoreError> {
        let name = name.trim();
        if name.is_empty() || community.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an admin needs a name and a community".into(),
            ));
        }
        if self.admin(name)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already an admin named `{name}`; pick another name, or `jaga admin remove {name}` first"
            )));
        }
        self.conn
            .execute(
                "INSERT INTO admins (name, community, role, password, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, community.trim(), role.as_str(), password_hash, unix_now()],
            )
            .map_err(|e| self.err(e))?;
        self.audit(
            "system",
            "admin.add",
            None,
            &format!("{name} ({}, community {community})", role.as_str()),
        )?;
        self.admin(name)?
            .ok_or_else(|| StoreError::Invalid("the new admin vanished".into()))
    }

    /// The admin named `name`.
    pub fn admin(&self, name: &str) -> Result<Option<AdminAccount>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM admins a WHERE a.name = ?1"),
                [name.trim()],
                account,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every admin account, by name.
    pub fn admins(&self) -> Result<Vec<AdminAccount>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM admins a ORDER BY a.name"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], account).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Removes an admin with their sessions and links; `false` when there was none.
    pub fn remove_admin(&self, name: &str) -> Result<bool, StoreError> {
        let Some(a) = self.admin(name)? else {
            return Ok(false);
        };
        self.conn
            .execute("DELETE FROM sessions WHERE admin_id = ?1", [a.id])
            .and_then(|_| {
                self.conn
                    .execute("DELETE FROM sign_in_links WHERE admin_id = ?1", [a.id])
            })
            .and_then(|_| {
                self.conn
                    .execute("DELETE FROM admins WHERE id = ?1", [a.id])
            })
            .map_err(|e| self.err(e))?;
        self.audit("system", "admin.remove", None, &a.name)?;
        Ok(true)
    }

    /// Sets (or replaces) an admin's password hash.
    pub fn set_password(&self, admin_id: i64, password_hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE admins SET password = ?2 WHERE id = ?1",
                params![admin_id, password_hash],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records a one-time sign-in link (by the hash of its token).
    pub fn add_sign_in_link(
        &self,
        admin_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sign_in_links (token_hash, admin_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, admin_id, expires_at],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The admin a sign-in link is for, while it is unused and unexpired.
    pub fn sign_in_link(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<AdminAccount>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM sign_in_links l JOIN admins a ON a.id = l.admin_id
                     WHERE l.token_hash = ?1 AND l.used_at IS NULL AND l.expires_at > ?2"
                ),
                params![token_hash, now],
                account,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Uses a sign-in link up: the admin it was for, once; `None` when it is unknown, used or
    /// expired.
    pub fn use_sign_in_link(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<AdminAccount>, StoreError> {
        let Some(a) = self.sign_in_link(token_hash, now)? else {
            return Ok(None);
        };
        let n = self
            .conn
            .execute(
                "UPDATE sign_in_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
                params![token_hash, now],
            )
            .map_err(|e| self.err(e))?;
        Ok((n == 1).then_some(a))
    }

    /// Starts a session (by the hash of its cookie token).
    pub fn add_session(
        &self,
        token_hash: &str,
        admin_id: i64,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, admin_id, csrf, created_at, last_seen, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                params![token_hash, admin_id, csrf, now, expires_at],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The admin and CSRF token of a live session. A session idle for longer than
    /// `idle_secs`, or past its absolute expiry, is deleted and not returned; a live one is
    /// touched (at most once a minute, to spare writes).
    pub fn session(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<(AdminAccount, String)>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS}, s.csrf, s.last_seen, s.expires_at FROM sessions s JOIN admins a ON a.id = s.admin_id WHERE s.token_hash = ?1"
                ),
                [token_hash],
                |r| Ok((account(r)?, r.get::<_, String>(6)?, r.get::<_, i64>(7)?, r.get::<_, i64>(8)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((admin, csrf, last_seen, expires_at)) = row else {
            return Ok(None);
        };
        if now >= expires_at || now - last_seen > idle_secs {
            self.end_session(token_hash)?;
            return Ok(None);
        }
        if now - last_seen >= 60 {
            self.conn
                .execute(
                    "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
                    params![token_hash, now],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(Some((admin, csrf)))
    }

    /// Ends one session.
    pub fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Ends every session of an admin ("sign out everywhere"); returns how many there were.
    pub fn end_sessions_of(&self, admin_id: i64) -> Result<usize, StoreError> {
        self.conn
            .execute("DELETE FROM sessions WHERE admin_id = ?1", [admin_id])
            .map_err(|e| self.err(e))
    }

    /// How many live sessions an admin has.
    pub fn sessions_of(&self, admin_id: i64, now: i64) -> Result<i64, StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM sessions WHERE admin_id = ?1 AND expires_at > ?2",
                params![admin_id, now],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Cases for the console's queue: most severe action first, then highest score, newest.
    pub fn queue(&self, f: &QueueFilter) -> Result<Vec<CaseSummary>, StoreError> {
        let (clause, mut args) = f.clause(true);
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases{clause} ORDER BY {SEVERITY} DESC, score DESC, id DESC LIMIT ? OFFSET ?"
        );
        args.push((f.limit.clamp(1, 1000) as i64).into());
        args.push((f.offset as i64).into());
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), summary_from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How many cases match `f` in each group (ignoring its group filter), most first.
    pub fn queue_counts(&self, f: &QueueFilter) -> Result<Vec<(String, i64)>, StoreError> {
        let (clause, args) = f.clause(false);
        let sql = format!(
            "SELECT group_id, COUNT(*) FROM cases{clause} GROUP BY group_id ORDER BY COUNT(*) DESC, group_id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The distinct values of a summary column among the cases an admin sees, for filters.
    pub fn distinct(
        &self,
        column: &str,
        community: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let column = match column {
            "group_id" | "community" | "category" | "action" => column,
            _ => return Err(StoreError::Invalid(format!("no column {column}"))),
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT DISTINCT {column} FROM cases WHERE ?1 IS NULL OR community = ?1 ORDER BY {column} LIMIT 500"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([community], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Other cases of the same group stored within `window` seconds of case `id`, in time
    /// order: the conversation around a case, as far as the store has it (it keeps flagged
    /// messages only).
    pub fn around(
        &self,
        id: i64,
        window: i64,
        limit: usize,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM cases WHERE id != ?1
                   AND (community, group_id) = (SELECT community, group_id FROM cases WHERE id = ?1)
                   AND abs(created_at - (SELECT created_at FROM cases WHERE id = ?1)) <= ?2
                 ORDER BY abs(id - ?1) LIMIT ?3"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![id, window, limit as i64], summary_from_row)
            .map_err(|e| self.err(e))?;
        let mut v: Vec<CaseSummary> = rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?;
        v.sort_by_key(|c| (c.created_at, c.id));
        Ok(v)
    }

    /// Decided cases whose decision came after `since` (unix seconds): what a retrain would
    /// learn that the current model has not.
    pub fn decided_since(&self, since: i64) -> Result<i64, StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM cases WHERE status IN ('confirmed', 'dismissed') AND decided_at > ?1",
                [since],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Keeps an export scanned in the console; returns its id.
    pub fn add_export_scan(&self, s: &NewExportScan) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO export_scans (community, admin, file_name, at, events, flagged, new_cases, errors, report, csv)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    s.community, s.admin, s.file_name, unix_now(), s.events, s.flagged, s.new_cases,
                    s.errors, s.report, s.csv
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Exports scanned for a community (`None`: every one), newest first.
    pub fn export_scans(
        &self,
        community: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ExportScan>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, community, admin, file_name, at, events, flagged, new_cases, errors FROM export_scans
                 WHERE ?1 IS NULL OR community = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![community, limit as i64], |r| {
                Ok(ExportScan {
                    id: r.get(0)?,
                    community: r.get(1)?,
                    admin: r.get(2)?,
                    file_name: r.get(3)?,
                    at: r.get(4)?,
                    events: r.get(5)?,
                    flagged: r.get(6)?,
                    new_cases: r.get(7)?,
                    errors: r.get(8)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The community and the report or CSV (`"report"` / `"csv"`) of a scanned export.
    pub fn export_file(
        &self,
        id: i64,
        which: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let column = if which == "csv" { "csv" } else { "report" };
        self.conn
            .query_row(
                &format!("SELECT community, {column} FROM export_scans WHERE id = ?1"),
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Durability, NewCase};
    use jaga_core::event::{Event, Kind};
    use jaga_core::verdict::{Action, Category, Reason, Scores, Source, Verdict};

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("jaga.db"), Durability::Normal).unwrap();
        (dir, s)
    }

    fn case(id: &str, group: &str, user: &str, action: Action, score: f32, rule: &str) -> NewCase {
        let ev = Event {
            id: id.into(),
            community: "army-id".into(),
            group: group.into(),
            user: user.into(),
            text: "x".into(),
            ..Event::default()
        };
        let mut scores = Scores::default();
        scores.set(Category::Scam, score);
        let v = Verdict {
            id: id.into(),
            kind: Kind::Message,
            category: Some(Category::Scam),
            action,
            scores,
            reasons: vec![Reason::new(
                Source::Rule,
                rule,
                Category::Scam,
                score,
                vec![],
                "x",
            )],
            helpers: Vec::new(),
            doxing_helper_spans: Vec::new(),
        };
        NewCase::new(&ev, &v, 1000)
    }

    #[test]
    fn accounts_sessions_and_links() {
        let (_d, s) = open();
        let a = s.add_admin("rini", "army-id", Role::Admin, None).unwrap();
        assert!(
            s.add_admin("rini", "x", Role::Viewer, None).is_err(),
            "names are unique"
        );
        assert!(a.sees("army-id") && !a.sees("other"));
        s.add_session("h1", a.id, "csrf1", 100, 10_000).unwrap();
        s.add_session("h2", a.id, "csrf2", 100, 10_000).unwrap();
        let (who, csrf) = s.session("h1", 150, 3600).unwrap().unwrap();
        assert_eq!((who.name.as_str(), csrf.as_str()), ("rini", "csrf1"));
        assert!(
            s.session("h1", 150 + 3601, 3600).unwrap().is_none(),
            "idle too long"
        );
        assert!(
            s.session("h1", 160, 3600).unwrap().is_none(),
            "an expired session is gone"
        );
        assert!(
            s.session("h2", 10_000, 1 << 40).unwrap().is_none(),
            "absolute expiry"
        );
        s.add_session("h3", a.id, "c", 100, 10_000).unwrap();
        s.add_session("h4", a.id, "c", 100, 10_000).unwrap();
        assert_eq!(s.end_sessions_of(a.id).unwrap(), 2);
        assert!(s.session("h3", 101, 3600).unwrap().is_none());

        s.add_sign_in_link(a.id, "l1", 500).unwrap();
        assert!(s.use_sign_in_link("l1", 600).unwrap().is_none(), "expired");
        s.add_sign_in_link(a.id, "l2", 500).unwrap();
        assert_eq!(s.use_sign_in_link("l2", 400).unwrap().unwrap().name, "rini");
        assert!(
            s.use_sign_in_link("l2", 401).unwrap().is_none(),
            "used once"
        );
        assert!(s.remove_admin("rini").unwrap());
        assert!(s.admin("rini").unwrap().is_none());
        let log = s.audit_log(10).unwrap();
        assert!(log.iter().any(|e| e.what == "admin.add"));
        assert!(log.iter().any(|e| e.what == "admin.remove"));
    }

    #[test]
    fn the_queue_is_ordered_by_severity_and_filtered() {
        let (_d, mut s) = open();
        s.insert_cases(&[
            case("m1", "g1", "u1", Action::Review, 0.5, "scam.a"),
            case("m2", "g1", "u2", Action::Ban, 0.9, "scam.b"),
            case("m3", "g2", "u1", Action::Remove, 0.95, "scam.ab"),
            case("m4", "g2", "u1", Action::Remove, 0.99, "scam.a"),
        ])
        .unwrap();
        let q = |f: QueueFilter| -> Vec<String> {
            s.queue(&QueueFilter { limit: 10, ..f })
                .unwrap()
                .into_iter()
                .map(|c| c.event_id)
                .collect()
        };
        assert_eq!(q(QueueFilter::default()), ["m2", "m4", "m3", "m1"]);
        assert_eq!(
            q(QueueFilter {
                rule: Some("scam.a".into()),
                ..Default::default()
            }),
            ["m4", "m1"],
            "a rule id matches whole ids only"
        );
        assert_eq!(
            q(QueueFilter {
                group: Some("g1".into()),
                ..Default::default()
            }),
            ["m2", "m1"]
        );
        assert_eq!(
            q(QueueFilter {
                user: Some("u1".into()),
                action: Some("remove".into()),
                ..Default::default()
            }),
            ["m4", "m3"]
        );
        assert!(q(QueueFilter {
            community: Some("other".into()),
            ..Default::default()
        })
        .is_empty());
        let counts = s
            .queue_counts(&QueueFilter {
                group: Some("g1".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(counts, [("g1".to_string(), 2), ("g2".to_string(), 2)]);
        let first = s
            .queue(&QueueFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        let m1 = first.iter().find(|c| c.event_id == "m1").unwrap().id;
        let around: Vec<String> = s
            .around(m1, 60, 5)
            .unwrap()
            .into_iter()
            .map(|c| c.event_id)
            .collect();
        assert_eq!(around, ["m2"], "same group only");
        assert_eq!(
            s.distinct("group_id", Some("army-id")).unwrap(),
            ["g1", "g2"]
        );
        assert!(s.distinct("event; DROP", None).is_err());
    }

    #[test]
    fn export_scans() {
        let (_d, s) = open();
        let id = s
            .add_export_scan(&NewExportScan {
                community: "army-id".into(),
                admin: "rini".into(),
                file_name: "chat.txt".into(),
                events: 10,
                flagged: 2,
                new_cases: 2,
                errors: 0,
                report: b"<html>".to_vec(),
                csv: b"a,b\n".to_vec(),
            })
            .unwrap();
        assert_eq!(s.export_scans(Some("army-id"), 10).unwrap()[0].flagged, 2);
        assert!(s.export_scans(Some("other"), 10).unwrap().is_empty());
        assert_eq!(s.export_file(id, "csv").unwrap().unwrap().1, b"a,b\n");
    }

    #[test]
    fn a_file_from_before_schema_migrations_gets_the_console_tables() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.db");
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch(include_str!("../migrations/001_init.sql"))
            .unwrap();
        c.execute_batch("PRAGMA user_version = 1").unwrap();
        drop(c);
        let s = Store::open(&p, Durability::Normal).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::schema_known());
        s.add_admin("rini", "*", Role::Owner, None).unwrap();
        drop(s);
        // Opening again applies nothing twice.
        let s = Store::open(&p, Durability::Normal).unwrap();
        assert_eq!(s.admins().unwrap().len(), 1);
    }
}
