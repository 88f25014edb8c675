//! `jaga review list|show|decide|stats` on a review store file, and `jaga scan --store`,
//! which writes the flagged verdicts of a batch scan into the store.
//!
//! The CLI opens the same file as a running `jaga serve` (SQLite WAL lets both work).

use jaga_core::event::Event;
use jaga_core::verdict::Verdict;
use jaga_store::{
    is_flagged, unix_now, CaseDetail, CaseSummary, NewCase, RuleStat, Store, StoreError,
};

/// One line per case: id, status, category/action, group, user, rules, masked summary.
pub fn render_list(cases: &[CaseSummary]) -> String {
    let mut out = String::new();
    for c in cases {
        out.push_str(&format!(
            "#{:<6} {:<9} {:>6}/{:<7} {:<20} {:<12} {:<28} {}\n",
            c.id,
            c.status.as_str(),
            c.category,
            c.action,
            c.group,
            c.user,
            c.rules.join(","),
            c.summary.replace('\n', " ")
        ));
    }
    if cases.is_empty() {
        out.push_str("no cases\n");
    }
    out
}

/// A case for a human: summary, the event's full text, reasons and decisions.
pub fn render_case(c: &CaseDetail) -> String {
    let s = &c.case;
    let mut out = format!(
        "case #{} ({}) {} {} -> {} [{}]\ncommunity {} group {} user {} name {}\nevent id {} at {}\nsummary: {}\n",
        s.id,
        s.status.as_str(),
        s.kind,
        s.category,
        s.action,
        s.score,
        s.community,
        s.group,
        s.user,
        s.name,
        s.event_id,
        s.created_at,
        s.summary
    );
    if let Some(text) = c.event.get("text").and_then(|t| t.as_str()) {
        out.push_str(&format!("text: {text}\n"));
    }
    if let Some(reasons) = c.verdict.get("reasons").and_then(|r| r.as_array()) {
        out.push_str("reasons:\n");
        for r in reasons {
            out.push_str(&format!(
                "  {} {} {} {}: {}\n",
                r["source"].as_str().unwrap_or(""),
                r["id"].as_str().unwrap_or(""),
                r["category"].as_str().unwrap_or(""),
                r["score"],
                r["matched"].as_str().unwrap_or("")
            ));
        }
    }
    for d in &c.decisions {
        out.push_str(&format!(
            "decision at {} by {}: {}{}{}{}\n",
            d.at,
            d.admin,
            d.decision.as_str(),
            d.category
                .as_deref()
                .map(|c| format!(" as {c}"))
                .unwrap_or_default(),
            d.action
                .as_deref()
                .map(|a| format!(", action {a}"))
                .unwrap_or_default(),
            if d.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", d.note)
            }
        ));
    }
    out
}

/// Rule statistics, most dismissed first: the false-positive sources.
pub fn render_stats(stats: &[RuleStat]) -> String {
    let mut out = format!(
        "{:<32} {:>7} {:>9} {:>9}\n",
        "rule", "hits", "confirmed", "dismissed"
    );
    for s in stats {
        out.push_str(&format!(
            "{:<32} {:>7} {:>9} {:>9}\n",
            s.rule, s.hits, s.confirmed, s.dismissed
        ));
    }
    out
}

/// `jaga scan --store`: turns the flagged verdicts of a scan into cases, one transaction per
/// 4096 cases. The first store error stops the writing and is returned by [`CaseSink::finish`].
pub struct CaseSink {
    store: Store,
    pending: Vec<NewCase>,
    stored: usize,
    error: Option<StoreError>,
}

impl CaseSink {
    const BATCH: usize = 4096;

    pub fn new(store: Store) -> CaseSink {
        CaseSink {
            store,
            pending: Vec::new(),
            stored: 0,
            error: None,
        }
    }

    /// Queues the case of a flagged verdict; ignores the others.
    pub fn add(&mut self, ev: &Event, v: &Verdict) {
        if self.error.is_some() || !is_flagged(v) {
            return;
        }
        self.pending.push(NewCase::new(ev, v, unix_now()));
        if self.pending.len() >= Self::BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        match self.store.insert_cases(&self.pending) {
            Ok(n) => self.stored += n,
            Err(e) => self.error = Some(e),
        }
        self.pending.clear();
    }

    /// Writes what is queued; returns how many new cases were stored (re-scanned events are
    /// recognised by id and not stored again).
    pub fn finish(mut self) -> Result<usize, StoreError> {
        if self.error.is_none() && !self.pending.is_empty() {
            self.flush();
        }
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.stored),
        }
    }
}
