//! Prometheus metrics of `jaga serve`, as lock-free counters rendered in the text
//! exposition format at `GET /metrics`.
//!
//! A fixed set of label values (kinds, categories, actions, stateful reason ids) keeps every
//! counter a plain atomic: recording costs a few relaxed atomic adds per event.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use jaga_core::event::Kind;
use jaga_core::verdict::{Action, Source, Verdict};

const ACTIONS: [Action; 8] = [
    Action::Allow,
    Action::Review,
    Action::Hide,
    Action::Remove,
    Action::Mute,
    Action::Ban,
    Action::Approve,
    Action::Reject,
];

const CATEGORIES: [&str; 5] = ["ok", "spam", "scam", "doxing", "abuse"];

/// Sources of the reasons from rules over stateful signals, counted in
/// `jaga_state_reasons_total` (by source: rule ids are the admins' to rename).
pub const STATE_SOURCES: [(&str, Source); 3] = [
    ("flood", Source::Flood),
    ("raid", Source::Raid),
    ("cross_post", Source::CrossPost),
];

/// Why a request was refused, for `jaga_rejected_requests_total`.
#[derive(Debug, Clone, Copy)]
pub enum Rejection {
    Busy = 0,
    TooLarge,
    BadRequest,
    Unauthorized,
    Timeout,
    StoreFailed,
    /// A connection refused at `limits.max_connections` (every connection busy).
    Connections,
}

const REJECTIONS: [&str; 7] = [
    "busy",
    "too_large",
    "bad_request",
    "unauthorized",
    "timeout",
    "store_failed",
    "connections",
];

/// `JAGA_SLOW_REQUEST_MS`: requests (and WAL checkpoints) at least this slow are logged at
/// info with where their time went (durations and counts only), target `jaga::slow`.
pub fn slow_ms() -> Option<f64> {
    static SLOW: std::sync::OnceLock<Option<f64>> = std::sync::OnceLock::new();
    *SLOW.get_or_init(|| {
        std::env::var("JAGA_SLOW_REQUEST_MS")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| *v >= 0.0)
    })
}

/// A histogram with fixed buckets (seconds).
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    sum_ns: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_ns: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        if let Some(i) = self.bounds.iter().position(|b| s <= *b) {
            self.counts[i].fetch_add(1, Relaxed);
        }
        self.sum_ns.fetch_add(d.as_nanos() as u64, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }

    pub fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (b, c) in self.bounds.iter().zip(&self.counts) {
            cumulative += c.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "{name}_sum {}\n{name}_count {count}",
            self.sum_ns.load(Relaxed) as f64 / 1e9
        );
    }
}

const SCORING_BUCKETS: &[f64] = &[
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.1,
];
const STORE_BUCKETS: &[f64] = &[
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];
const REQUEST_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002, 0.003, 0.005, 0.007_5, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0,
];
/// The phases of a request and the writer's checkpoints: fine where the 10 ms target is.
const PHASE_BUCKETS: &[f64] = &[
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002, 0.003, 0.005, 0.007_5, 0.01, 0.015, 0.02, 0.03, 0.05,
    0.1, 0.25, 1.0,
];

/// Every metric of the server.
pub struct Metrics {
    events: [AtomicU64; 2],
    verdicts: [[AtomicU64; 8]; 5],
    state_reasons: [AtomicU64; 3],
    rejected: [AtomicU64; 7],
    pub scoring: Histogram,
    pub store_write: Histogram,
    pub request: Histogram,
    /// Per request: reading and parsing the body.
    pub request_parse: Histogram,
    /// Per request: waiting for the scoring shards' locks (other requests scoring).
    pub shard_wait: Histogram,
    /// Per request: scoring the whole batch, shard waits included.
    pub batch_scoring: Histogram,
    /// Per request: from handing the cases to the store writer until its transaction starts.
    pub store_queue: Histogram,
    /// Per request: from handing the cases to the store writer until the commit is answered.
    pub store_wait: Histogram,
    /// WAL checkpoints on the checkpoint thread.
    pub checkpoint: Histogram,
    /// The writer's own checkpoints that let the WAL start over (commits wait for them).
    pub wal_restart: Histogram,
    pub cases_written: AtomicU64,
    pub store_errors: AtomicU64,
    pub reloads_ok: AtomicU64,
    pub reloads_failed: AtomicU64,
    pub last_reload_ok: AtomicU64,
    pub rules_loaded: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics {
            events: Default::default(),
            verdicts: Default::default(),
            state_reasons: Default::default(),
            rejected: Default::default(),
            scoring: Histogram::new(SCORING_BUCKETS),
            store_write: Histogram::new(STORE_BUCKETS),
            request: Histogram::new(REQUEST_BUCKETS),
            request_parse: Histogram::new(PHASE_BUCKETS),
            shard_wait: Histogram::new(PHASE_BUCKETS),
            batch_scoring: Histogram::new(PHASE_BUCKETS),
            store_queue: Histogram::new(PHASE_BUCKETS),
            store_wait: Histogram::new(PHASE_BUCKETS),
            checkpoint: Histogram::new(PHASE_BUCKETS),
            wal_restart: Histogram::new(PHASE_BUCKETS),
            cases_written: AtomicU64::new(0),
            store_errors: AtomicU64::new(0),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            last_reload_ok: AtomicU64::new(1),
            rules_loaded: AtomicU64::new(0),
        }
    }

    /// Records one scored event.
    pub fn verdict(&self, v: &Verdict, took: Duration) {
        let kind = match v.kind {
            Kind::Message => 0,
            Kind::JoinRequest => 1,
        };
        self.events[kind].fetch_add(1, Relaxed);
        let cat = v.category.map_or(0, |c| c.index() + 1);
        let act = ACTIONS.iter().position(|a| *a == v.action).unwrap_or(0);
        self.verdicts[cat][act].fetch_add(1, Relaxed);
        for r in &v.reasons {
            if let Some(i) = STATE_SOURCES.iter().position(|(_, s)| *s == r.source) {
                self.state_reasons[i].fetch_add(1, Relaxed);
            }
        }
        self.scoring.observe(took);
    }

    pub fn reject(&self, why: Rejection) {
        self.rejected[why as usize].fetch_add(1, Relaxed);
    }

    pub fn events_total(&self) -> u64 {
        self.events.iter().map(|e| e.load(Relaxed)).sum()
    }

    /// The exposition text; `gauges` are point-in-time values the caller reads (queue depth,
    /// state sizes).
    pub fn render(&self, gauges: &[(&str, &str, u64)]) -> String {
        let mut o = String::with_capacity(8192);
        o.push_str(
            "# HELP jaga_events_total Events scored, by kind.\n# TYPE jaga_events_total counter\n",
        );
        for (i, k) in ["message", "join_request"].iter().enumerate() {
            let _ = writeln!(
                o,
                "jaga_events_total{{kind=\"{k}\"}} {}",
                self.events[i].load(Relaxed)
            );
        }
        o.push_str("# HELP jaga_verdicts_total Verdicts, by category and action.\n# TYPE jaga_verdicts_total counter\n");
        for (ci, c) in CATEGORIES.iter().enumerate() {
            for (ai, a) in ACTIONS.iter().enumerate() {
                let n = self.verdicts[ci][ai].load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        o,
                        "jaga_verdicts_total{{category=\"{c}\",action=\"{a}\"}} {n}"
                    );
                }
            }
        }
        o.push_str("# HELP jaga_state_reasons_total Reasons from rules over stateful signals, by source.\n# TYPE jaga_state_reasons_total counter\n");
        for (i, (r, _)) in STATE_SOURCES.iter().enumerate() {
            let _ = writeln!(
                o,
                "jaga_state_reasons_total{{source=\"{r}\"}} {}",
                self.state_reasons[i].load(Relaxed)
            );
        }
        o.push_str("# HELP jaga_rejected_requests_total Requests refused, by reason.\n# TYPE jaga_rejected_requests_total counter\n");
        for (i, r) in REJECTIONS.iter().enumerate() {
            let _ = writeln!(
                o,
                "jaga_rejected_requests_total{{reason=\"{r}\"}} {}",
                self.rejected[i].load(Relaxed)
            );
        }
        self.scoring.render(
            &mut o,
            "jaga_scoring_seconds",
            "Time to score one event (engine and stateful stages).",
        );
        self.request.render(
            &mut o,
            "jaga_request_seconds",
            "Time to answer one POST /v1/events, store write included.",
        );
        self.store_write.render(
            &mut o,
            "jaga_store_write_seconds",
            "Time of one review store transaction (a group commit).",
        );
        let phases = [
            (
                &self.request_parse,
                "jaga_request_parse_seconds",
                "Per POST /v1/events: reading and parsing the body.",
            ),
            (
                &self.shard_wait,
                "jaga_shard_wait_seconds",
                "Per POST /v1/events: waiting for a scoring slot (every core's slot busy with other requests).",
            ),
            (
                &self.batch_scoring,
                "jaga_batch_scoring_seconds",
                "Per POST /v1/events: scoring the whole batch, shard waits included.",
            ),
            (
                &self.store_queue,
                "jaga_store_queue_seconds",
                "Per request with cases: from handing them to the store writer until its transaction starts.",
            ),
            (
                &self.store_wait,
                "jaga_store_wait_seconds",
                "Per request with cases: from handing them to the store writer until the commit is answered.",
            ),
            (
                &self.checkpoint,
                "jaga_checkpoint_seconds",
                "One WAL checkpoint on the checkpoint thread (commits do not wait for it).",
            ),
            (
                &self.wal_restart,
                "jaga_wal_restart_seconds",
                "The store writer's checkpoint of the last commits before the WAL starts over (commits wait for it).",
            ),
        ];
        for (h, name, help) in phases {
            h.render(&mut o, name, help);
        }
        let counters = [
            (
                "jaga_store_cases_written_total",
                "New cases written to the review store.",
                &self.cases_written,
            ),
            (
                "jaga_store_errors_total",
                "Failed review store transactions.",
                &self.store_errors,
            ),
            (
                "jaga_case_conflicts_total",
                "Flagged events not stored because their (community, id, group) was taken by another event's case.",
                &jaga_store::CASE_CONFLICTS,
            ),
            (
                "jaga_reloads_total{result=\"ok\"}",
                "Rule and policy reloads, by result.",
                &self.reloads_ok,
            ),
            (
                "jaga_reloads_total{result=\"failed\"}",
                "",
                &self.reloads_failed,
            ),
        ];
        for (name, help, v) in counters {
            let base = name.split('{').next().unwrap_or(name);
            if !help.is_empty() {
                let _ = writeln!(o, "# HELP {base} {help}\n# TYPE {base} counter");
            }
            let _ = writeln!(o, "{name} {}", v.load(Relaxed));
        }
        let mut gauge = |name: &str, help: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        gauge(
            "jaga_last_reload_success",
            "1 when the last reload succeeded (or none was tried), 0 when it failed and old rules are serving.",
            self.last_reload_ok.load(Relaxed),
        );
        gauge(
            "jaga_rules_loaded",
            "Rules in the serving rule set.",
            self.rules_loaded.load(Relaxed),
        );
        for (name, help, v) in gauges {
            gauge(name, help, *v);
        }
        o
    }
}

/// The platform connections' metrics: state, lag, updates, actions done and failed, and
/// the action latency histogram.
pub fn render_platforms(o: &mut String, executor: &crate::actions::Executor) {
    let mut platforms: Vec<_> = executor.platforms().collect();
    if platforms.is_empty() {
        return;
    }
    platforms.sort_by(|a, b| a.name().cmp(b.name()));
    type Getter = fn(&crate::platform::ConnState) -> f64;
    let series: [(&str, &str, &str, Getter); 6] = [
        (
            "jaga_platform_up",
            "gauge",
            "1 while the connection's last exchange with its platform succeeded.",
            |s| {
                f64::from(u8::from(
                    s.status() == "connected"
                        || s.status() == "ready"
                        || s.status() == "waiting for webhooks",
                ))
            },
        ),
        (
            "jaga_platform_lag_seconds",
            "gauge",
            "Between the newest event's platform time and its arrival.",
            |s| s.lag_ms.load(Relaxed) as f64 / 1000.0,
        ),
        (
            "jaga_platform_updates_total",
            "counter",
            "Updates or webhooks received.",
            |s| s.updates.load(Relaxed) as f64,
        ),
        (
            "jaga_platform_errors_total",
            "counter",
            "Failed exchanges with the platform (polls, refused webhooks).",
            |s| s.errors.load(Relaxed) as f64,
        ),
        (
            "jaga_actions_total",
            "counter",
            "Actions carried out (result=done) or given up (result=failed).",
            |_| 0.0,
        ),
        (
            "jaga_action_retries_total",
            "counter",
            "Action tries put back for later (429, 5xx, pacing).",
            |s| s.retries.load(Relaxed) as f64,
        ),
    ];
    for (name, kind, help, get) in series {
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for p in &platforms {
            let s = p.state();
            if name == "jaga_actions_total" {
                let _ = writeln!(
                    o,
                    "{name}{{connection=\"{}\",result=\"done\"}} {}",
                    p.name(),
                    s.actions_done.load(Relaxed)
                );
                let _ = writeln!(
                    o,
                    "{name}{{connection=\"{}\",result=\"failed\"}} {}",
                    p.name(),
                    s.actions_failed.load(Relaxed)
                );
            } else {
                let _ = writeln!(o, "{name}{{connection=\"{}\"}} {}", p.name(), get(s));
            }
        }
    }
    executor.latency.render(
        o,
        "jaga_action_seconds",
        "From queueing an action to the platform's answer (first tries).",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use jaga_core::verdict::{Category, Scores};

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::new();
        let v = Verdict {
            id: "1".into(),
            kind: Kind::Message,
            category: Some(Category::Scam),
            action: Action::Remove,
            scores: Scores::default(),
            reasons: vec![],
            helpers: Vec::new(),
            doxing_helper_spans: Vec::new(),
        };
        m.verdict(&v, Duration::from_micros(40));
        m.verdict(&v, Duration::from_millis(3));
        m.reject(Rejection::Busy);
        let text = m.render(&[("jaga_queue_depth", "Batches waiting.", 7)]);
        assert!(
            text.contains("jaga_events_total{kind=\"message\"} 2"),
            "{text}"
        );
        assert!(text.contains("jaga_verdicts_total{category=\"scam\",action=\"remove\"} 2"));
        assert!(text.contains("jaga_scoring_seconds_bucket{le=\"0.00005\"} 1"));
        assert!(text.contains("jaga_scoring_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(text.contains("jaga_rejected_requests_total{reason=\"busy\"} 1"));
        assert!(text.contains("jaga_queue_depth 7"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "bad sample line: {line}");
        }
    }
}
