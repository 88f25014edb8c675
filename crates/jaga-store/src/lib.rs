//! The review store: one SQLite file (WAL) holding every flagged event as a case, the admins'
//! decisions, an append-only audit log and per-rule hit statistics.
//!
//! * Idempotent: a case is keyed by `(community, event id, group)`; a re-delivered event
//!   never makes a second case (`INSERT OR IGNORE`), and rule hits are counted once. Another
//!   event under a key already taken is reported (`case.conflict`), not silently dropped.
//! * Batched: [`Store::insert_cases`] writes many cases in one transaction; `jaga serve`
//!   group-commits the flagged events of concurrent requests and answers them only after the
//!   commit, so an answered flagged event is in the file.
//! * Migrations: `PRAGMA user_version` is the schema version; `migrations/NNN_*.sql` run in
//!   order in one transaction each.
//! * Training data: [`Store::labelled_examples`] turns decided cases into labelled events for
//!   `jaga train --from-store`.

mod actions;
pub mod seal;

pub use seal::StoreKey;

pub use actions::{ActionCounts, ActionRow, ActionUpdate, NewAction, Origin, Trusted};

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use jaga_core::event::Event;
use jaga_core::mask;
use jaga_core::verdict::{Action, Category, Verdict};

/// Schema migrations by number (`migrations/NNN_*.sql`), applied in order of number.
/// `PRAGMA user_version` is the highest number applied; `schema_migrations` lists each applied
/// one, so a migration that lands after a higher-numbered one (two branches developed side by
/// side) still runs on a file that already has the higher one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/001_init.sql")),
    (2, include_str!("../migrations/002_platform.sql")),
    (3, include_str!("../migrations/003_console.sql")),
    (4, include_str!("../migrations/004_case_key_group.sql")),
    (5, include_str!("../migrations/005_sealed.sql")),
];

/// Flagged events whose case key `(community, event id, group)` was already taken by an
/// event with different content (a bridge reusing ids), since the process started; each is
/// also an audit entry `case.conflict` and a warning in the log. `jaga serve` exports it as
/// `jaga_case_conflicts_total`.
pub static CASE_CONFLICTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The highest schema version this build knows.
pub fn schema_known() -> i64 {
    MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0)
}

pub mod console;

pub use console::{AdminAccount, ExportScan, NewExportScan, QueueFilter, Role};

/// WAL size beyond which `jaga serve` restarts the WAL (and `journal_size_limit` truncates
/// the file back to this size).
pub const WAL_RESTART_BYTES: u64 = 64 << 20;

/// Longest summary kept in the `summary` column, in chars.
const SUMMARY_CHARS: usize = 280;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("review store {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("review store {path}: schema version {found} is newer than this jaga knows ({known}); upgrade jaga")]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("review store {path} is damaged ({problem}); jaga does not start on a damaged store. To recover: stop jaga, move the file aside with its -wal and -shm files (`mv {path} {path}.damaged`), then restore your last backup to {path}, or start without the file for a new, empty store (`sqlite3 {path}.damaged .recover | sqlite3 {path}` saves what is still readable)")]
    Damaged { path: String, problem: String },
    #[error("no case {0}; list cases with `jaga review list`")]
    NotFound(i64),
    #[error("{0}")]
    Invalid(String),
}

/// How hard a commit tries to reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// `synchronous=NORMAL`: a commit survives a crash or kill of jaga; the last commits can
    /// be lost on power loss or an OS crash.
    #[default]
    Normal,
    /// `synchronous=FULL`: a commit is fsynced before it returns; survives power loss.
    Full,
}

/// A case status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Confirmed,
    Dismissed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Dismissed => "dismissed",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Status::Pending),
            "confirmed" => Ok(Status::Confirmed),
            "dismissed" => Ok(Status::Dismissed),
            _ => Err(format!(
                "unknown status `{s}`; use pending, confirmed or dismissed"
            )),
        }
    }
}

/// An admin's judgement of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// The verdict was right: the case becomes `confirmed`.
    Confirm,
    /// A false positive: the case becomes `dismissed`.
    Dismiss,
}

impl Judgement {
    pub fn as_str(self) -> &'static str {
        match self {
            Judgement::Confirm => "confirm",
            Judgement::Dismiss => "dismiss",
        }
    }

    fn status(self) -> Status {
        match self {
            Judgement::Confirm => Status::Confirmed,
            Judgement::Dismiss => Status::Dismissed,
        }
    }
}

impl std::str::FromStr for Judgement {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "confirm" => Ok(Judgement::Confirm),
            "dismiss" => Ok(Judgement::Dismiss),
            _ => Err(format!("unknown decision `{s}`; use confirm or dismiss")),
        }
    }
}

/// A case ready to insert, prepared off the writer thread.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub community: String,
    pub event_id: String,
    pub kind: &'static str,
    pub group: String,
    pub user: String,
    pub category: &'static str,
    pub action: &'static str,
    pub score: f32,
    /// Active (non-shadow) reason ids.
    pub rules: Vec<String>,
    pub summary: String,
    pub name: String,
    /// The event as received (JSON): stored only encrypted, and only with a store key.
    pub event_json: String,
    /// The event with personal data masked (JSON), byte offsets kept: the `event` column.
    pub event_masked: String,
    pub verdict_json: String,
    pub created_at: i64,
}

impl NewCase {
    /// Builds the case of a flagged event: the summary columns are masked, doxing spans too.
    ///
    /// An event without an id gets a content-derived one, so re-delivery stays idempotent.
    pub fn new(ev: &Event, v: &Verdict, now: i64) -> NewCase {
        // The seam for richer masks: the doxing stage's validated entities are written in
        // their own masked form, and any other span of a doxing reason is masked whole.
        let entities: Vec<([usize; 2], &str)> = v
            .reasons
            .iter()
            .flat_map(|r| r.entities.iter().map(|e| (e.span, e.masked.as_str())))
            .collect();
        // The doxing helpers of an event left alone have no reason, only their spans: such
        // an event becomes a case when a member reports it.
        let doxing: Vec<[usize; 2]> = v
            .reasons
            .iter()
            .filter(|r| r.category == Category::Doxing)
            .flat_map(|r| r.spans.iter())
            .chain(&v.doxing_helper_spans)
            .filter(|s| s.field == jaga_core::verdict::Field::Text)
            .map(|s| [s.start, s.end])
            .filter(|s| !entities.iter().any(|(e, _)| e == s))
            .collect();
        let parts = mask_parts(&ev.text, &entities, &doxing);
        let masked_text = seal::same_length(&ev.text, &parts);
        let mut summary = apply_parts(&ev.text, parts);
        if let Some((cut, _)) = summary.char_indices().nth(SUMMARY_CHARS) {
            summary.truncate(cut);
            summary.push('…');
        }
        let mut rules: Vec<String> = Vec::new();
        for r in v.reasons.iter().filter(|r| !r.shadow) {
            if !rules.contains(&r.id) {
                rules.push(r.id.clone());
            }
        }
        let score = v.category.map_or(0.0, |c| v.scores.get(c));
        let event_id = if ev.id.is_empty() {
            content_id(ev)
        } else {
            ev.id.clone()
        };
        NewCase {
            community: ev.community.clone(),
            event_id,
            kind: ev.kind.as_str(),
            group: ev.group.clone(),
            user: ev.user.clone(),
            category: v.category_str(),
            action: v.action.as_str(),
            score,
            rules,
            summary,
            // As the chat app shows the sender (a WhatsApp number `+62 812-····-0491`), masked.
            name: if ev.name.trim().is_empty() {
                String::new()
            } else {
                jaga_core::vocab::sender(&ev.name, "")
            },
            event_json: serde_json::to_string(ev).unwrap_or_default(),
            event_masked: serde_json::to_string(&seal::masked_event(ev, masked_text))
                .unwrap_or_default(),
            verdict_json: serde_json::to_string(v).unwrap_or_default(),
            created_at: now,
        }
    }
}

/// `text` for an admin's glance: the doxing stage's entities in their own masked form, other
/// spans of doxing reasons starred out whole, and whatever else [`mask::find`] recognises
/// (phone-like runs, account and ID numbers, e-mails) masked too.
pub fn masked_summary(
    text: &str,
    entities: &[([usize; 2], &str)],
    doxing: &[[usize; 2]],
) -> String {
    apply_parts(text, mask_parts(text, entities, doxing))
}

/// The ranges [`masked_summary`] replaces and their replacements, in order, not overlapping.
fn mask_parts(
    text: &str,
    entities: &[([usize; 2], &str)],
    doxing: &[[usize; 2]],
) -> Vec<(usize, usize, String)> {
    let valid = |a: usize, b: usize| {
        a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
    };
    let mut parts: Vec<(usize, usize, String)> = Vec::new();
    for ([a, b], m) in entities {
        if valid(*a, *b) {
            parts.push((*a, *b, (*m).to_string()));
        }
    }
    for [a, b] in doxing {
        if valid(*a, *b) {
            let starred = text[*a..*b]
                .chars()
                .map(|c| if c.is_whitespace() { c } else { '*' })
                .collect();
            parts.push((*a, *b, starred));
        }
    }
    for m in mask::find(text) {
        parts.push((m.range.start, m.range.end, m.replacement));
    }
    // Earlier sources win where they overlap: entities, then doxing spans, then the finder.
    let mut chosen: Vec<(usize, usize, String)> = Vec::new();
    for p in parts {
        if !chosen.iter().any(|c| p.0 < c.1 && c.0 < p.1) {
            chosen.push(p);
        }
    }
    chosen.sort_by_key(|c| c.0);
    chosen
}

fn apply_parts(text: &str, chosen: Vec<(usize, usize, String)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (a, b, r) in chosen {
        out.push_str(&text[at..a]);
        out.push_str(&r);
        at = b;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether a verdict goes to the review store: any action above allow/approve.
pub fn is_flagged(v: &Verdict) -> bool {
    v.action.severity() >= 1
}

fn content_id(ev: &Event) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&ev.group, &ev.user, ev.ts, &ev.text, &ev.name).hash(&mut h);
    format!("h:{:016x}", h.finish())
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<Status>,
    pub category: Option<String>,
    pub group: Option<String>,
    /// Only cases with an id below this (for paging newest-first).
    pub before: Option<i64>,
    pub limit: usize,
}

/// A case as listed: summary columns only.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseSummary {
    pub id: i64,
    pub community: String,
    pub event_id: String,
    pub kind: String,
    pub group: String,
    pub user: String,
    pub category: String,
    pub action: String,
    pub score: f64,
    pub rules: Vec<String>,
    pub summary: String,
    pub name: String,
    pub status: Status,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// A recorded decision.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DecisionRecord {
    pub admin: String,
    pub decision: Judgement,
    pub category: Option<String>,
    pub action: Option<String>,
    pub note: String,
    pub at: i64,
}

/// A case with the event and verdict as received and answered, and its decisions.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseSummary,
    pub event: serde_json::Value,
    pub verdict: serde_json::Value,
    pub decisions: Vec<DecisionRecord>,
}

/// What an admin decides about a case.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    pub admin: String,
    pub decision: Judgement,
    /// The right category when confirming with a correction (`spam` flagged, `scam` meant).
    #[serde(default)]
    pub category: Option<Category>,
    /// The moderation action the admin took, for the record.
    #[serde(default)]
    pub action: Option<Action>,
    #[serde(default)]
    pub note: String,
}

/// Per-rule statistics.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleStat {
    pub rule: String,
    pub hits: i64,
    pub confirmed: i64,
    pub dismissed: i64,
}

/// One audit log entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub what: String,
    pub case_id: Option<i64>,
    pub detail: String,
}

/// A decided case as training data: confirmed cases carry their (possibly corrected)
/// category, dismissed ones `None` (the `ok` label).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledExample {
    pub case_id: i64,
    pub event: Event,
    /// `None` is `ok`: an admin dismissed the case as a false positive.
    pub label: Option<Category>,
    /// 1.0 for every decided case; reserved for weighting corrections or repeated decisions.
    pub weight: f32,
}

impl LabelledExample {
    /// The label as the classifier names it: `ok`, `spam`, `scam`, `doxing`, `abuse`.
    pub fn label_str(&self) -> &'static str {
        self.label.map_or("ok", Category::as_str)
    }
}

/// An open review store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Encrypts full events (`JAGA_STORE_KEY`); `None`: only masked events are kept.
    key: Option<StoreKey>,
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path, durability: Durability) -> Result<Store, StoreError> {
        Store::open_inner(path, durability, false)
    }

    fn open_inner(path: &Path, durability: Durability, check: bool) -> Result<Store, StoreError> {
        let key = StoreKey::from_env().map_err(StoreError::Invalid)?;
        private_files(path).map_err(|e| {
            StoreError::Invalid(format!(
                "review store {}: cannot create it readable by its owner only: {e}",
                path.display()
            ))
        })?;
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: path.display().to_string(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            key,
        };
        let sync = match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| store.err(e))?;
        // A 16 MiB page cache per connection: case inserts touch random pages of the
        // event-id index, and without a cache a large store reads them back on every
        // insert. Not more: SQLite drops the pages past the file's end at every commit by
        // walking the cache's whole hash table (`pcache1TruncateUnsafe`): at 20,000
        // events/s that was 37% of the serving writer's CPU at 64 MiB, 15% at 16 MiB (the
        // writer's CPU a quarter less), 5% at 4 MiB.
        store
            .conn
            .execute_batch(&format!(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=67108864; PRAGMA cache_size=-16384; PRAGMA secure_delete=ON;"
            ))
            .map_err(|e| store.err(e))?;
        if check {
            store.quick_check()?;
        }
        store.migrate()?;
        Ok(store)
    }

    /// Opens the store like [`Store::open`] after checking that it is whole: an existing file
    /// of 0 bytes (truncated; SQLite would silently make it a new, empty store) and a file
    /// that fails `PRAGMA quick_check` (damaged pages) are refused with
    /// [`StoreError::Damaged`], which says how to recover. `jaga serve` opens its store this
    /// way at start; the check reads the whole file once.
    pub fn open_checked(path: &Path, durability: Durability) -> Result<Store, StoreError> {
        let damaged = |problem: String| StoreError::Damaged {
            path: path.display().to_string(),
            problem,
        };
        if let Ok(m) = std::fs::metadata(path) {
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            let wal_len = std::fs::metadata(&wal).map_or(0, |m| m.len());
            if m.len() == 0 && wal_len == 0 {
                return Err(damaged(
                    "the file is empty (0 bytes): it was truncated or never written".into(),
                ));
            }
        }
        match Store::open_inner(path, durability, true) {
            Ok(s) => Ok(s),
            Err(StoreError::Sqlite { source, .. })
                if matches!(
                    source.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::NotADatabase)
                        | Some(rusqlite::ErrorCode::DatabaseCorrupt)
                ) =>
            {
                Err(damaged(format!("{source}")))
            }
            Err(e) => Err(e),
        }
    }

    /// `PRAGMA quick_check`: `Err(Damaged)` with the first problems SQLite reports.
    pub fn quick_check(&self) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA quick_check(5)")
            .map_err(|e| self.err(e))?;
        let damaged = |e: rusqlite::Error| StoreError::Damaged {
            path: self.path.display().to_string(),
            problem: format!("quick_check: {e}"),
        };
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(damaged)?
            .collect::<Result<_, _>>()
            .map_err(damaged)?;
        if rows.len() == 1 && rows[0] == "ok" {
            return Ok(());
        }
        Err(StoreError::Damaged {
            path: self.path.display().to_string(),
            problem: format!("quick_check: {}", rows.join("; ")),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets (or removes) the key full events are encrypted with; [`Store::open`] takes it
    /// from `JAGA_STORE_KEY` / `JAGA_STORE_KEY_FILE`.
    pub fn set_key(&mut self, key: Option<StoreKey>) {
        self.key = key;
    }

    /// Whether full events are kept (encrypted) in this session.
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// Brings cases stored before migration 5 (the full event in clear in `event`) to the
    /// masked form, sealing the full event when there is a key; returns how many. With
    /// `secure_delete` the clear text is overwritten, not left in free pages.
    pub fn seal_legacy(&mut self) -> Result<usize, StoreError> {
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let key = self.key.clone();
        let tx = self.conn.transaction().map_err(sq)?;
        let rows: Vec<(i64, String, String, i64)> = {
            let mut stmt = tx
                .prepare("SELECT id, event, verdict, created_at FROM cases WHERE masked = 0")
                .map_err(sq)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(sq)?;
            rows.collect::<Result<_, _>>().map_err(sq)?
        };
        for (id, event, verdict, created) in &rows {
            let ev: Event = serde_json::from_str(event).unwrap_or_default();
            let v: Verdict = serde_json::from_str(verdict).unwrap_or_else(|_| Verdict {
                id: ev.id.clone(),
                kind: ev.kind,
                category: None,
                action: Action::Review,
                scores: Default::default(),
                reasons: Vec::new(),
                helpers: Vec::new(),
                doxing_helper_spans: Vec::new(),
            });
            let c = NewCase::new(&ev, &v, *created);
            let sealed = key.as_ref().map(|k| {
                k.seal(
                    event.as_bytes(),
                    &seal::aad(&ev.community, &ev.group, &c.event_id),
                )
            });
            tx.execute(
                "UPDATE cases SET event = ?2, sealed = ?3, masked = 1 WHERE id = ?1",
                params![id, c.event_masked, sealed],
            )
            .map_err(sq)?;
        }
        tx.commit().map_err(sq)?;
        Ok(rows.len())
    }

    /// One case with the event as received, decrypted with the store key, for an admin who
    /// needs the personal data; the reveal is recorded in the audit log under `actor`.
    pub fn reveal(&mut self, id: i64, actor: &str, detail: &str) -> Result<CaseDetail, StoreError> {
        if actor.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a reveal needs the admin's name (`admin`)".into(),
            ));
        }
        let mut c = self.get(id)?.ok_or(StoreError::NotFound(id))?;
        let sealed: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT sealed FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let Some(sealed) = sealed else {
            return Err(StoreError::Invalid(format!(
                "case {id} keeps only the masked event: no store key (JAGA_STORE_KEY) was set when it was stored"
            )));
        };
        let Some(key) = &self.key else {
            return Err(StoreError::Invalid(
                "the full event is kept encrypted; set JAGA_STORE_KEY (or JAGA_STORE_KEY_FILE) to the store's key to reveal it".into(),
            ));
        };
        let aad = seal::aad(&c.case.community, &c.case.group, &c.case.event_id);
        let plain = key.open(&sealed, &aad).ok_or_else(|| {
            StoreError::Invalid(format!(
                "case {id}: the full event does not decrypt with this key (another JAGA_STORE_KEY?)"
            ))
        })?;
        c.event = serde_json::from_slice(&plain).unwrap_or(serde_json::Value::Null);
        self.audit(actor, "case.reveal", Some(id), detail)?;
        Ok(c)
    }

    /// Deletes cases decided more than `days` days before `now` (unix seconds), with their
    /// decisions, finished actions, origins and reports; a case with an action still to be
    /// carried out waits. The audit log keeps its entries (no personal data). Returns how
    /// many cases went; a purge that removed any is audited.
    pub fn purge_decided(&mut self, now: i64, days: u64) -> Result<usize, StoreError> {
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let before = now.saturating_sub((days as i64).saturating_mul(86_400));
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sq)?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS purge (id INTEGER PRIMARY KEY, community TEXT, event_id TEXT); DELETE FROM purge;",
        )
        .map_err(sq)?;
        tx.execute(
            "INSERT INTO purge SELECT id, community, event_id FROM cases
             WHERE status IN ('confirmed', 'dismissed') AND decided_at < ?1
               AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.case_id = cases.id AND a.state = 'pending')",
            [before],
        )
        .map_err(sq)?;
        tx.execute_batch(
            "DELETE FROM decisions WHERE case_id IN (SELECT id FROM purge);
             DELETE FROM actions WHERE case_id IN (SELECT id FROM purge);
             DELETE FROM cases WHERE id IN (SELECT id FROM purge);
             DELETE FROM origins WHERE (community, event_id) IN (SELECT community, event_id FROM purge)
               AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.community = origins.community AND c.event_id = origins.event_id);
             DELETE FROM reports WHERE (community, event_id) IN (SELECT community, event_id FROM purge)
               AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.community = reports.community AND c.event_id = reports.event_id);",
        )
        .map_err(sq)?;
        let n: i64 = tx
            .query_row("SELECT COUNT(*) FROM purge", [], |r| r.get(0))
            .map_err(sq)?;
        tx.execute_batch("DELETE FROM purge;").map_err(sq)?;
        if n > 0 {
            tx.execute(
                "INSERT INTO audit (at, actor, what, case_id, detail) VALUES (?1, 'system', 'cases.purge', NULL, ?2)",
                params![now, format!("{n} cases decided more than {days} days ago deleted (retention_days)")],
            )
            .map_err(sq)?;
        }
        tx.commit().map_err(sq)?;
        Ok(n as usize)
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// The schema version of the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        let known = schema_known();
        if found > known {
            return Err(StoreError::TooNew {
                path: self.path.display().to_string(),
                found,
                known,
            });
        }
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, at INTEGER NOT NULL)",
            )
            .map_err(sq)?;
        let mut applied: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare("SELECT version FROM schema_migrations")
                .map_err(sq)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(sq)?;
            rows.collect::<Result<_, _>>().map_err(sq)?
        };
        if applied.is_empty() && found > 0 {
            // A file from before `schema_migrations`: only 001 existed then.
            applied.push(1);
            self.conn
                .execute(
                    "INSERT INTO schema_migrations (version, at) VALUES (1, ?1)",
                    [unix_now()],
                )
                .map_err(sq)?;
        }
        // A migration may rebuild a table others reference (SQLite's way to change a
        // constraint); foreign keys are checked again once the migrations are in.
        self.conn
            .execute_batch("PRAGMA foreign_keys=OFF")
            .map_err(sq)?;
        for (n, sql) in MIGRATIONS.iter().filter(|(n, _)| !applied.contains(n)) {
            let tx = self.conn.transaction().map_err(sq)?;
            tx.execute_batch(sql)
                .and_then(|()| {
                    tx.execute(
                        "INSERT INTO schema_migrations (version, at) VALUES (?1, ?2)",
                        params![n, unix_now()],
                    )
                })
                .and_then(|_| tx.execute_batch(&format!("PRAGMA user_version = {}", found.max(*n))))
                .and_then(|()| tx.commit())
                .map_err(sq)?;
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys=ON")
            .map_err(sq)?;
        Ok(())
    }

    /// Inserts the cases in one transaction; returns how many were new (re-delivered events
    /// are skipped and their rules are not counted again).
    pub fn insert_cases(&mut self, cases: &[NewCase]) -> Result<usize, StoreError> {
        self.insert_batch(cases, &[], &[])
    }

    /// Lists cases newest first.
    pub fn list(&self, f: &CaseFilter) -> Result<Vec<CaseSummary>, StoreError> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE 1=1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(s) = f.status {
            sql.push_str(" AND status = ?");
            args.push(s.as_str().to_string().into());
        }
        if let Some(c) = &f.category {
            sql.push_str(" AND category = ?");
            args.push(c.clone().into());
        }
        if let Some(g) = &f.group {
            sql.push_str(" AND group_id = ?");
            args.push(g.clone().into());
        }
        if let Some(b) = f.before {
            sql.push_str(" AND id < ?");
            args.push(b.into());
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        args.push((f.limit.clamp(1, 1000) as i64).into());
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), summary_from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One case with its event, verdict and decisions.
    pub fn get(&self, id: i64) -> Result<Option<CaseDetail>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {SUMMARY_COLUMNS}, event, verdict FROM cases WHERE id = ?1"),
                [id],
                |r| {
                    let event: String = r.get(15)?;
                    let verdict: String = r.get(16)?;
                    Ok((summary_from_row(r)?, event, verdict))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((case, event, verdict)) = row else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT admin, decision, category, action, note, at FROM decisions WHERE case_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let decisions = stmt
            .query_map([id], |r| {
                let d: String = r.get(1)?;
                Ok(DecisionRecord {
                    admin: r.get(0)?,
                    decision: d.parse().unwrap_or(Judgement::Dismiss),
                    category: r.get(2)?,
                    action: r.get(3)?,
                    note: r.get(4)?,
                    at: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(Some(CaseDetail {
            case,
            event: serde_json::from_str(&event).unwrap_or(serde_json::Value::Null),
            verdict: serde_json::from_str(&verdict).unwrap_or(serde_json::Value::Null),
            decisions,
        }))
    }

    /// Records an admin's decision: the case status, the rule statistics (moved from the old
    /// judgement when a case is re-decided) and the audit log change in one transaction.
    pub fn decide(&mut self, id: i64, d: &NewDecision) -> Result<CaseDetail, StoreError> {
        self.decide_and_enqueue(id, d, false, &[])
    }

    /// Appends an entry to the audit log.
    pub fn audit(
        &self,
        actor: &str,
        what: &str,
        case_id: Option<i64>,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO audit (at, actor, what, case_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![unix_now(), actor, what, case_id, detail],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The newest audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, at, actor, what, case_id, detail FROM audit ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    what: r.get(3)?,
                    case_id: r.get(4)?,
                    detail: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Hit statistics of every rule that fired on a stored case, most dismissed first.
    pub fn rule_stats(&self) -> Result<Vec<RuleStat>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT rule, hits, confirmed, dismissed FROM rule_stats ORDER BY dismissed DESC, hits DESC, rule")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RuleStat {
                    rule: r.get(0)?,
                    hits: r.get(1)?,
                    confirmed: r.get(2)?,
                    dismissed: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How many cases there are with each status, for health reports.
    pub fn count(&self, status: Option<Status>) -> Result<i64, StoreError> {
        let r = match status {
            Some(s) => self.conn.query_row(
                "SELECT COUNT(*) FROM cases WHERE status = ?1",
                [s.as_str()],
                |r| r.get(0),
            ),
            None => self
                .conn
                .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0)),
        };
        r.map_err(|e| self.err(e))
    }

    /// Every decided case as a labelled example for `jaga train --from-store`: confirmed
    /// cases get their category (the admin's correction when the last decision gave one),
    /// dismissed ones the `ok` label. Oldest first; pending cases are left out.
    pub fn labelled_examples(&self) -> Result<Vec<LabelledExample>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, c.event, c.status, c.category,
                        (SELECT d.category FROM decisions d WHERE d.case_id = c.id ORDER BY d.id DESC LIMIT 1),
                        c.sealed, c.community, c.group_id, c.event_id
                 FROM cases c WHERE c.status IN ('confirmed', 'dismissed') ORDER BY c.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<Vec<u8>>>(5)?,
                    seal::aad(
                        &r.get::<_, String>(6)?,
                        &r.get::<_, String>(7)?,
                        &r.get::<_, String>(8)?,
                    ),
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (case_id, masked, status, category, corrected, sealed, aad) =
                row.map_err(|e| self.err(e))?;
            // The full event when the key opens it; else the masked one (personal data
            // starred out, the rest as received).
            let event = match (&self.key, sealed) {
                (Some(k), Some(s)) => k
                    .open(&s, &aad)
                    .and_then(|p| String::from_utf8(p).ok())
                    .unwrap_or(masked),
                _ => masked,
            };
            let event: Event = serde_json::from_str(&event).map_err(|e| {
                StoreError::Invalid(format!(
                    "{}: case {case_id} has an unreadable event: {e}",
                    self.path.display()
                ))
            })?;
            let label = if status == "confirmed" {
                corrected
                    .as_deref()
                    .unwrap_or(&category)
                    .parse::<Category>()
                    .ok()
            } else {
                None
            };
            out.push(LabelledExample {
                case_id,
                event,
                label,
                weight: 1.0,
            });
        }
        Ok(out)
    }

    /// Groups holding joins because of a raid, with the time (unix ms) the hold ends;
    /// only holds still running at `now_ms`.
    pub fn raid_holds(&self, now_ms: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT group_key, until FROM raid_state WHERE until > ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([now_ms], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records (or extends) a group's raid hold.
    pub fn save_raid_holds(&mut self, holds: &[(String, i64)]) -> Result<(), StoreError> {
        let path = self.path.display().to_string();
        let sq = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sq)?;
        for (g, until) in holds {
            tx.execute(
                "INSERT INTO raid_state (group_key, until) VALUES (?1, ?2)
                 ON CONFLICT (group_key) DO UPDATE SET until = MAX(until, excluded.until)",
                params![g, until],
            )
            .map_err(sq)?;
        }
        tx.execute(
            "DELETE FROM raid_state WHERE until < ?1",
            [unix_now() * 1000 - 86_400_000],
        )
        .map_err(sq)?;
        tx.commit().map_err(sq)
    }

    /// Stops this connection from checkpointing on commit (`jaga serve`'s writer does this
    /// and leaves checkpoints to [`Store::checkpoint_passive`] on another thread, so the
    /// bulk of a checkpoint never stalls an answer).
    pub fn disable_autocheckpoint(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(|e| self.err(e))
    }

    /// Checkpoints without blocking a writer (PASSIVE: copies committed WAL frames into
    /// the main file and fsyncs it). Run on the only writing connection, between its
    /// transactions, it catches up with every commit, so the next commit starts the WAL over.
    pub fn checkpoint_passive(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(PASSIVE);")
            .map_err(|e| self.err(e))
    }

    /// A checkpoint that lets the next commit start the WAL from the beginning (RESTART).
    /// From a second connection it takes the write lock, and the writer's busy handler then
    /// sleeps in growing steps (30-60 ms stalls measured): `jaga serve` has its writer run
    /// [`Store::checkpoint_passive`] itself instead.
    pub fn checkpoint_restart(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(RESTART);")
            .map_err(|e| self.err(e))
    }

    /// The size of the WAL file, 0 when there is none.
    pub fn wal_bytes(&self) -> u64 {
        let mut p = self.path.clone().into_os_string();
        p.push("-wal");
        std::fs::metadata(p).map_or(0, |m| m.len())
    }

    /// Moves the WAL into the main file, for a clean shutdown.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| self.err(e))
    }
}

/// Inserts cases inside a transaction; returns how many were new. The `event` column gets
/// the masked event; the full one is sealed with `key`, or not kept without one.
fn insert_cases_tx(
    tx: &rusqlite::Transaction<'_>,
    cases: &[NewCase],
    key: Option<&StoreKey>,
) -> rusqlite::Result<usize> {
    let mut inserted = 0;
    let mut ins = tx.prepare_cached(
        "INSERT OR IGNORE INTO cases (community, event_id, kind, group_id, user_id, category, action, score, rules, summary, name, event, verdict, created_at, sealed, masked)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1)",
    )?;
    // Rule hits are counted here and written once per rule per transaction: a group commit
    // of 1,000 cases named ~6 rules each, one upsert apiece, 6,000 statements where a few
    // dozen distinct rules fired.
    let mut hits: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for c in cases {
        let n = ins.execute(params![
            c.community,
            c.event_id,
            c.kind,
            c.group,
            c.user,
            c.category,
            c.action,
            (f64::from(c.score) * 1000.0).round() / 1000.0,
            c.rules.join(","),
            c.summary,
            c.name,
            c.event_masked,
            c.verdict_json,
            c.created_at,
            key.map(|k| k.seal(
                c.event_json.as_bytes(),
                &seal::aad(&c.community, &c.group, &c.event_id)
            )),
        ])?;
        if n == 1 {
            inserted += 1;
            for r in &c.rules {
                *hits.entry(r.as_str()).or_default() += 1;
            }
        } else {
            report_conflict(tx, c)?;
        }
    }
    if !hits.is_empty() {
        let mut hit = tx.prepare_cached(
            "INSERT INTO rule_stats (rule, hits) VALUES (?1, ?2)
             ON CONFLICT (rule) DO UPDATE SET hits = hits + excluded.hits",
        )?;
        for (rule, n) in hits {
            hit.execute(params![rule, n])?;
        }
    }
    Ok(inserted)
}

/// A case key already taken: a re-delivery of the same event is normal and silent; an
/// event with other content under the same key (a bridge reusing message ids within a
/// group) is reported in the audit log, the log and [`CASE_CONFLICTS`].
fn report_conflict(tx: &rusqlite::Transaction<'_>, c: &NewCase) -> rusqlite::Result<()> {
    let existing: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT id, event, user_id FROM cases WHERE community = ?1 AND event_id = ?2 AND group_id = ?3",
            params![c.community, c.event_id, c.group],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((case_id, event, user)) = existing else {
        return Ok(());
    };
    // The time is not content: a bridge's retry may stamp it anew.
    let content = |json: &str| {
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("ts");
        }
        v
    };
    if user == c.user && content(&event) == content(&c.event_masked) {
        return Ok(());
    }
    CASE_CONFLICTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tracing::warn!(
        community = %c.community,
        group = %c.group,
        event_id = %c.event_id,
        case_id,
        "a flagged event reuses the id of a stored case with different content; the new event was not stored (give each message its own id within its group)"
    );
    let detail = serde_json::json!({
        "community": c.community,
        "group": c.group,
        "event_id": c.event_id,
        "category": c.category,
        "action": c.action,
        "rules": c.rules,
    })
    .to_string();
    tx.execute(
        "INSERT INTO audit (at, actor, what, case_id, detail) VALUES (?1, 'system', 'case.conflict', ?2, ?3)",
        params![unix_now(), case_id, detail],
    )?;
    Ok(())
}

/// Records a decision inside a transaction: the decision row, the case status, the rule
/// statistics (moved from the old judgement when a case is re-decided) and the audit row.
fn decide_tx(tx: &rusqlite::Transaction<'_>, id: i64, d: &NewDecision) -> Result<(), StoreError> {
    if d.admin.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a decision needs the admin's name (`admin`)".into(),
        ));
    }
    let path = tx.path().unwrap_or("").to_string();
    let sq = |source| StoreError::Sqlite {
        path: path.clone(),
        source,
    };
    let now = unix_now();
    let old: Option<(String, String)> = tx
        .query_row("SELECT status, rules FROM cases WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(sq)?;
    let Some((old_status, rules)) = old else {
        return Err(StoreError::NotFound(id));
    };
    let new_status = d.decision.status();
    tx.execute(
        "INSERT INTO decisions (case_id, admin, decision, category, action, note, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            d.admin,
            d.decision.as_str(),
            d.category.map(Category::as_str),
            d.action.map(Action::as_str),
            d.note,
            now
        ],
    )
    .map_err(sq)?;
    tx.execute(
        "UPDATE cases SET status = ?2, decided_at = ?3 WHERE id = ?1",
        params![id, new_status.as_str(), now],
    )
    .map_err(sq)?;
    if old_status != new_status.as_str() {
        for rule in rules.split(',').filter(|r| !r.is_empty()) {
            let column = |s: &str| match s {
                "confirmed" => Some("confirmed"),
                "dismissed" => Some("dismissed"),
                _ => None,
            };
            if let Some(c) = column(&old_status) {
                tx.execute(
                    &format!("UPDATE rule_stats SET {c} = MAX({c} - 1, 0) WHERE rule = ?1"),
                    [rule],
                )
                .map_err(sq)?;
            }
            if let Some(c) = column(new_status.as_str()) {
                tx.execute(
                    &format!(
                        "INSERT INTO rule_stats (rule, {c}) VALUES (?1, 1)
                         ON CONFLICT (rule) DO UPDATE SET {c} = {c} + 1"
                    ),
                    [rule],
                )
                .map_err(sq)?;
            }
        }
    }
    let detail = serde_json::json!({
        "decision": d.decision.as_str(),
        "from": old_status,
        "category": d.category.map(Category::as_str),
        "action": d.action.map(Action::as_str),
    })
    .to_string();
    tx.execute(
        "INSERT INTO audit (at, actor, what, case_id, detail) VALUES (?1, ?2, 'case.decision', ?3, ?4)",
        params![now, d.admin, id, detail],
    )
    .map_err(sq)?;
    Ok(())
}

pub(crate) const SUMMARY_COLUMNS: &str = "id, community, event_id, kind, group_id, user_id, category, action, score, rules, summary, name, status, created_at, decided_at";

pub(crate) fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<CaseSummary> {
    let rules: String = r.get(9)?;
    let status: String = r.get(12)?;
    Ok(CaseSummary {
        id: r.get(0)?,
        community: r.get(1)?,
        event_id: r.get(2)?,
        kind: r.get(3)?,
        group: r.get(4)?,
        user: r.get(5)?,
        category: r.get(6)?,
        action: r.get(7)?,
        score: r.get(8)?,
        rules: rules
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        summary: r.get(10)?,
        name: r.get(11)?,
        status: status.parse().unwrap_or(Status::Pending),
        created_at: r.get(13)?,
        decided_at: r.get(14)?,
    })
}

/// Makes the store file (and its `-wal` and `-shm`, which SQLite creates with the main
/// file's mode) readable and writable by its owner only: a new file is created 0600 before
/// SQLite opens it, an existing one with a looser mode is narrowed.
fn private_files(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                if !dir.exists() {
                    // SQLite reports a missing directory in its own words.
                    return Ok(());
                }
            }
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
            {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            if let Ok(m) = std::fs::metadata(&p) {
                if m.permissions().mode() & 0o077 != 0 {
                    // Not fatal: another user's store can still be read where allowed.
                    let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jaga_core::event::Kind;
    use jaga_core::verdict::{Reason, Scores, Source};

    fn flagged(id: &str, text: &str, rule: &str, cat: Category) -> (Event, Verdict) {
        let ev = Event {
            id: id.into(),
            community: "army-id".into(),
            group: "army-tiket".into(),
            user: "u1".into(),
            name: "Rini 081234560491".into(),
            text: text.into(),
            ..Event::default()
        };
        let mut scores = Scores::default();
        scores.set(cat, 0.9);
        let v = Verdict {
            id: id.into(),
            kind: Kind::Message,
            category: Some(cat),
            action: Action::Remove,
            scores,
            reasons: vec![Reason::new(
                Source::Rule,
                rule,
                cat,
                0.9,
                vec![jaga_core::verdict::Span::text(0, 3)],
                "x",
            )],
            helpers: Vec::new(),
            doxing_helper_spans: Vec::new(),
        };
        (ev, v)
    }

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("jaga.db"), Durability::Normal).unwrap();
        (dir, s)
    }

    #[test]
    fn idempotent_inserts_and_masked_summaries() {
        let (_d, mut s) = open();
        let (ev, v) = flagged(
            "m1",
            "WTS tiket, transfer ke 081234560491",
            "scam.wts",
            Category::Scam,
        );
        let c = NewCase::new(&ev, &v, 100);
        assert_eq!(s.insert_cases(&[c.clone(), c.clone()]).unwrap(), 1);
        assert_eq!(s.insert_cases(&[c]).unwrap(), 0);
        let list = s
            .list(&CaseFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].summary, "WTS tiket, transfer ke 0812****0491");
        assert_eq!(list[0].name, "Rini 0812****0491");
        assert_eq!(
            s.rule_stats().unwrap()[0].hits,
            1,
            "a re-delivery is not a second hit"
        );
        let detail = s.get(list[0].id).unwrap().unwrap();
        assert_eq!(detail.event["text"], "WTS tiket, transfer ke 0812****0491");
        assert_eq!(detail.event["name"], "Rini 0812****0491");
        assert_eq!(detail.verdict["category"], "scam");
        assert_eq!(s.schema_version().unwrap(), schema_known());
    }

    /// Hits are summed per rule within a group commit and across commits; a re-delivered
    /// event in the same commit adds none.
    #[test]
    fn rule_hits_are_summed_per_commit() {
        let (_d, mut s) = open();
        let case = |id: &str, rule: &str| {
            let (ev, v) = flagged(
                id,
                "WTS tiket, transfer ke 081234560491",
                rule,
                Category::Scam,
            );
            NewCase::new(&ev, &v, 100)
        };
        let (a, b, c) = (
            case("m1", "scam.wts"),
            case("m2", "scam.wts"),
            case("m3", "scam.fee"),
        );
        assert_eq!(s.insert_cases(&[a.clone(), b, c, a]).unwrap(), 3);
        assert_eq!(s.insert_cases(&[case("m4", "scam.wts")]).unwrap(), 1);
        let hits: Vec<(String, i64)> = s
            .rule_stats()
            .unwrap()
            .into_iter()
            .map(|r| (r.rule, r.hits))
            .collect();
        assert_eq!(
            hits,
            [("scam.wts".to_string(), 3), ("scam.fee".to_string(), 1)]
        );
    }

    #[test]
    fn personal_data_at_rest_is_masked_or_sealed_and_revealed_with_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("jaga.db");
        let mut s = Store::open(&p, Durability::Normal).unwrap();
        let key = StoreKey::parse(&"ab".repeat(32)).unwrap();
        s.set_key(Some(key.clone()));
        let (ev, v) = flagged(
            "m1",
            "KTP 3171234567890123 a.n. Rini, WA 081234560491",
            "doxing.ktp",
            Category::Doxing,
        );
        s.insert_cases(&[NewCase::new(&ev, &v, 100)]).unwrap();
        let (mut ev2, v2) = flagged("m2", "transfer ke 081299998888", "scam.x", Category::Scam);
        ev2.group = "g2".into();
        s.set_key(None);
        s.insert_cases(&[NewCase::new(&ev2, &v2, 101)]).unwrap();
        let ids: Vec<i64> = s
            .list(&CaseFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        let (id2, id1) = (ids[0], ids[1]);
        // No key: the full event is not there to reveal.
        let e = s.reveal(id1, "rini", "").unwrap_err().to_string();
        assert!(e.contains("JAGA_STORE_KEY"), "{e}");
        s.set_key(Some(key));
        let e = s.reveal(id2, "rini", "").unwrap_err().to_string();
        assert!(e.contains("only the masked event"), "{e}");
        let full = s.reveal(id1, "rini", "check").unwrap();
        assert_eq!(full.event["text"], ev.text);
        let a = &s.audit_log(1).unwrap()[0];
        assert_eq!(
            (a.what.as_str(), a.actor.as_str(), a.case_id),
            ("case.reveal", "rini", Some(id1))
        );
        // Another key does not open it.
        s.set_key(Some(StoreKey::parse(&"cd".repeat(32)).unwrap()));
        assert!(s.reveal(id1, "rini", "").is_err());
        s.checkpoint().unwrap();
        drop(s);
        let bytes = std::fs::read(&p).unwrap();
        for secret in ["3171234567890123", "081234560491", "081299998888"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in the file"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn retention_purges_decided_cases() {
        let (_d, mut s) = open();
        let (e1, v1) = flagged("m1", "slot gacor", "spam.slot", Category::Spam);
        let (e2, v2) = flagged("m2", "slot lagi", "spam.slot", Category::Spam);
        s.insert_cases(&[NewCase::new(&e1, &v1, 1), NewCase::new(&e2, &v2, 2)])
            .unwrap();
        let ids: Vec<i64> = s
            .list(&CaseFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        let d = NewDecision {
            admin: "rini".into(),
            decision: Judgement::Confirm,
            category: None,
            action: None,
            note: String::new(),
        };
        s.decide(ids[1], &d).unwrap();
        let now = unix_now();
        assert_eq!(s.purge_decided(now, 30).unwrap(), 0, "decided today");
        assert_eq!(s.purge_decided(now + 31 * 86_400, 30).unwrap(), 1);
        assert!(s.get(ids[1]).unwrap().is_none());
        assert!(s.get(ids[0]).unwrap().is_some(), "pending cases stay");
        assert_eq!(s.audit_log(1).unwrap()[0].what, "cases.purge");
    }

    #[test]
    fn summaries_prefer_the_doxing_stage_masks() {
        let t = "alamat Jl. Melati No. 12, WA 081234560491, rini.s@gmail.com";
        assert_eq!(
            masked_summary(t, &[([7, 24], "Jl. Me**** No. **")], &[]),
            "alamat Jl. Me**** No. **, WA 0812****0491, r***@gmail.com"
        );
        assert_eq!(
            masked_summary(t, &[], &[[7, 24]]),
            "alamat *** ****** *** **, WA 0812****0491, r***@gmail.com"
        );
        assert_eq!(
            masked_summary("halo 💜", &[([0, 99], "x")], &[[1, 6]]),
            "halo 💜"
        );
    }

    #[test]
    fn decisions_move_rule_stats_and_become_training_data() {
        let (_d, mut s) = open();
        let (e1, v1) = flagged("m1", "slot gacor", "spam.slot", Category::Spam);
        let (e2, v2) = flagged(
            "m2",
            "slot machine museum trip",
            "spam.slot",
            Category::Spam,
        );
        s.insert_cases(&[NewCase::new(&e1, &v1, 1), NewCase::new(&e2, &v2, 2)])
            .unwrap();
        let ids: Vec<i64> = s
            .list(&CaseFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        let (id2, id1) = (ids[0], ids[1]);
        let confirm = NewDecision {
            admin: "rini".into(),
            decision: Judgement::Confirm,
            category: Some(Category::Scam),
            action: Some(Action::Ban),
            note: String::new(),
        };
        s.decide(id1, &confirm).unwrap();
        let d = s
            .decide(
                id2,
                &NewDecision {
                    decision: Judgement::Dismiss,
                    category: None,
                    action: None,
                    ..confirm.clone()
                },
            )
            .unwrap();
        assert_eq!(d.case.status, Status::Dismissed);
        assert_eq!(d.decisions.len(), 1);
        let st = &s.rule_stats().unwrap()[0];
        assert_eq!((st.hits, st.confirmed, st.dismissed), (2, 1, 1));
        // Re-deciding moves the count instead of adding to both.
        s.decide(id2, &confirm).unwrap();
        let st = &s.rule_stats().unwrap()[0];
        assert_eq!((st.confirmed, st.dismissed), (2, 0));
        let ex = s.labelled_examples().unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].event.text, "slot gacor");
        assert_eq!(ex[0].label_str(), "scam", "the admin's correction wins");
        assert!(matches!(
            s.decide(999, &confirm),
            Err(StoreError::NotFound(999))
        ));
        let pending = s
            .list(&CaseFilter {
                status: Some(Status::Pending),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert!(pending.is_empty());
    }

    #[test]
    fn audit_is_append_only_and_raids_persist() {
        let (_d, mut s) = open();
        s.audit("system", "serve.start", None, "").unwrap();
        let e = s
            .conn
            .execute("DELETE FROM audit", [])
            .unwrap_err()
            .to_string();
        assert!(e.contains("append-only"), "{e}");
        assert!(s.conn.execute("UPDATE audit SET actor = 'x'", []).is_err());
        assert_eq!(s.audit_log(10).unwrap().len(), 1);
        let now = unix_now() * 1000;
        s.save_raid_holds(&[("army-id/army-tiket".into(), now + 60_000)])
            .unwrap();
        s.save_raid_holds(&[("army-id/army-tiket".into(), now + 1_000)])
            .unwrap();
        assert_eq!(
            s.raid_holds(now).unwrap(),
            vec![("army-id/army-tiket".to_string(), now + 60_000)],
            "a hold is only ever extended"
        );
        assert!(s.raid_holds(now + 120_000).unwrap().is_empty());
    }

    #[test]
    fn a_store_keyed_without_the_group_migrates_keeping_its_cases() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("jaga.db");
        // A file as the schema of migrations 1-3 left it, with a decided case.
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, at INTEGER NOT NULL)",
            )
            .unwrap();
            for (n, sql) in &MIGRATIONS[..3] {
                c.execute_batch(sql).unwrap();
                c.execute(
                    "INSERT INTO schema_migrations (version, at) VALUES (?1, 0)",
                    [n],
                )
                .unwrap();
            }
            c.execute_batch("PRAGMA user_version = 3").unwrap();
            let (ev, v) = flagged("m1", "pinjol cair", "scam.pinjol", Category::Scam);
            let nc = NewCase::new(&ev, &v, 5);
            c.execute(
                "INSERT INTO cases (community, event_id, kind, group_id, user_id, category, action, score, rules, summary, name, event, verdict, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![nc.community, nc.event_id, nc.kind, nc.group, nc.user, nc.category, nc.action, 0.9, "scam.pinjol", nc.summary, nc.name, nc.event_json, nc.verdict_json, 5],
            )
            .unwrap();
            c.execute(
                "INSERT INTO decisions (case_id, admin, decision, at) VALUES (1, 'rini', 'confirm', 6)",
                [],
            )
            .unwrap();
            c.execute("UPDATE cases SET status = 'confirmed' WHERE id = 1", [])
                .unwrap();
        }
        let mut s = Store::open(&p, Durability::Normal).unwrap();
        assert_eq!(s.schema_version().unwrap(), schema_known());
        let d = s.get(1).unwrap().unwrap();
        assert_eq!(
            (d.case.event_id.as_str(), d.case.status, d.decisions.len()),
            ("m1", Status::Confirmed, 1),
            "the case and its decision survive the rebuild"
        );
        // The same message id in another group of the community is another case.
        let (mut ev, v) = flagged("m1", "pinjol lagi", "scam.pinjol", Category::Scam);
        ev.group = "army-lain".into();
        assert_eq!(s.insert_cases(&[NewCase::new(&ev, &v, 7)]).unwrap(), 1);
        assert_eq!(s.count(None).unwrap(), 2);
        let fk: Vec<String> = s
            .conn
            .prepare("PRAGMA foreign_key_check")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(fk.is_empty(), "{fk:?}");
        let on: i64 = s
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(on, 1);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("jaga.db");
        drop(Store::open(&p, Durability::Normal).unwrap());
        Connection::open(&p)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let e = Store::open(&p, Durability::Normal)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("upgrade jaga"), "{e}");
    }
}
