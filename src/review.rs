//! `jaga review list|show|decide|stats` on a review store file, and `jaga scan --store`,
//! which writes the flagged verdicts of a batch scan into the store.
//!
//! The CLI opens the same file as a running `jaga serve` (SQLite WAL lets both work).

use std::io::{self, BufRead, Write};

use crate::engine::Engine;
use crate::event::Event;
use crate::scan::{self, LineError, ScanOptions, Summary};
use crate::store::{is_flagged, unix_now, CaseDetail, CaseSummary, NewCase, RuleStat, Store};
use crate::verdict::Verdict;

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

/// `jaga scan --store`: scans `input` like [`scan::scan`] (verdicts on `out` in order, bad
/// lines to `on_error` with their line numbers) and writes every flagged verdict into the
/// store as a case, one transaction per batch of lines.
pub fn scan_into_store<R: BufRead + Send, W: Write>(
    engine: &Engine,
    mut input: R,
    mut out: W,
    opts: &ScanOptions,
    store: &mut Store,
    on_error: &mut dyn FnMut(&LineError),
) -> io::Result<(Summary, usize)> {
    let mut total = Summary::default();
    let mut stored = 0;
    let mut first_line = 0u64;
    let batch = opts.batch_lines.max(1);
    let started = std::time::Instant::now();
    loop {
        // Cut a batch of lines, score it with scan::scan, pair verdicts with the events
        // that produced them (the lines scan accepts are exactly those that parse).
        let mut data = Vec::new();
        let mut lines = 0u64;
        while (lines as usize) < batch {
            let n = input.read_until(b'\n', &mut data)?;
            if n == 0 {
                break;
            }
            lines += 1;
        }
        if lines == 0 {
            break;
        }
        let mut verdict_buf = Vec::new();
        let offset = first_line;
        let summary = scan::scan(engine, &data[..], &mut verdict_buf, opts, &mut |e| {
            on_error(&LineError {
                line: e.line + offset,
                message: e.message.clone(),
            })
        })?;
        out.write_all(&verdict_buf)?;
        let events = data
            .split(|&b| b == b'\n')
            .filter(|l| l.len() <= opts.max_event_bytes)
            .filter_map(|l| serde_json::from_slice::<Event>(l).ok());
        let verdicts = verdict_buf
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(serde_json::from_slice::<Verdict>);
        let now = unix_now();
        let mut cases = Vec::new();
        for (ev, v) in events.zip(verdicts) {
            let v = v.map_err(io::Error::other)?;
            if v.id != ev.id {
                return Err(io::Error::other(format!(
                    "internal: verdict `{}` paired with event `{}`",
                    v.id, ev.id
                )));
            }
            if is_flagged(&v) {
                cases.push(NewCase::new(&ev, &v, now));
            }
        }
        stored += store
            .insert_cases(&cases)
            .map_err(|e| io::Error::other(e.to_string()))?;
        total.events += summary.events;
        total.errors += summary.errors;
        for i in 0..total.by_category.len() {
            total.by_category[i] += summary.by_category[i];
        }
        for (a, n) in summary.by_action {
            match total.by_action.iter_mut().find(|(b, _)| *b == a) {
                Some((_, m)) => *m += n,
                None => total.by_action.push((a, n)),
            }
        }
        first_line += lines;
    }
    out.flush()?;
    total.elapsed = started.elapsed();
    Ok((total, stored))
}
