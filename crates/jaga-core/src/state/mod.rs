//! Stateful detection: what a per-message scorer cannot see. Flooding (too many messages
//! from one user in a group, or in a group overall), raids (join waves, and fresh accounts
//! posting links right after joining) and cross-posting (one user posting the same or nearly
//! the same text in several groups of a community).
//!
//! Each finding becomes an extra [`Reason`] with source `flood`, `raid` or `cross_post`, added
//! to the engine's verdict by [`apply`]: its score joins the category's noisy-OR, the policy
//! thresholds are applied again, and its configured minimum action can only raise the action.
//!
//! State lives in two places. [`Local`] is owned by one scoring shard: `jaga serve` routes
//! every event of a `(community, user)` to the same shard, so per-user state needs no lock of its own
//! and sees that user's events in order. [`Shared`] holds per-group state (the group flood
//! quota and the raid detector) behind locks. Both are bounded: governor's `retain_recent` and
//! `shrink_to_fit` run on every [`Local::maintain`], and every window has a cap.
//!
//! Windows are measured in arrival time (the server's clock), not the events' `ts`: bridges
//! retry and their clocks drift, and a live pipeline acts on what is happening now.

pub mod crosspost;
pub mod flood;
pub mod raid;

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::Deserialize;

use crate::event::Event;
use crate::policy::Policy;
use crate::verdict::{Action, Category, Reason, Source, Verdict};

/// The `[state]` section of `jaga.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateConfig {
    pub flood: flood::FloodConfig,
    pub raid: raid::RaidConfig,
    pub cross_post: crosspost::CrossPostConfig,
    /// Event ids remembered per shard, so a re-delivered event gets the same stateful
    /// reasons and does not count twice.
    pub recent_ids: usize,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            flood: flood::FloodConfig::default(),
            raid: raid::RaidConfig::default(),
            cross_post: crosspost::CrossPostConfig::default(),
            recent_ids: 65_536,
        }
    }
}

impl StateConfig {
    /// Checks ranges; the message names the `[state]` key to fix.
    pub fn validate(&self) -> Result<(), String> {
        self.flood.validate()?;
        self.raid.validate()?;
        self.cross_post.validate()
    }
}

/// A stateful finding: the reason to add and the minimum action it demands.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub reason: Reason,
    pub action: Option<Action>,
}

impl Finding {
    /// A spam reason from a stateful stage. It has no spans: the evidence is the stream of
    /// events, not this message's text.
    pub fn spam(
        source: Source,
        id: &str,
        score: f32,
        action: Option<Action>,
        matched: String,
    ) -> Finding {
        Finding {
            reason: Reason::new(source, id, Category::Spam, score, Vec::new(), matched),
            action,
        }
    }
}

/// State shared by all shards: per-group quotas and raid detection.
pub struct Shared {
    pub cfg: Arc<StateConfig>,
    group_flood: Option<flood::Limiter>,
    pub raids: Arc<raid::Raids>,
}

impl Shared {
    /// New shared state for `cfg`; `raids` is carried over across reloads so a group holding
    /// joins keeps holding them.
    pub fn new(cfg: Arc<StateConfig>, raids: Arc<raid::Raids>) -> Shared {
        Shared {
            group_flood: flood::group_limiter(&cfg.flood),
            cfg,
            raids,
        }
    }

    /// Drops idle per-group state.
    pub fn maintain(&self, now_ms: i64) {
        if let Some(l) = &self.group_flood {
            l.retain_recent();
            l.shrink_to_fit();
        }
        self.raids.maintain(&self.cfg.raid, now_ms);
    }

    /// How many keys the group flood limiter holds, for metrics.
    pub fn group_keys(&self) -> usize {
        self.group_flood.as_ref().map_or(0, |l| l.len())
    }
}

/// State owned by one shard: per-user quotas, fresh joiners, cross-post windows and the
/// recently seen event ids.
pub struct Local {
    cfg: Arc<StateConfig>,
    user_flood: Option<flood::Limiter>,
    fresh: raid::Fresh,
    cross: crosspost::Windows,
    recent: Recent,
}

impl Local {
    pub fn new(cfg: Arc<StateConfig>) -> Local {
        Local {
            user_flood: flood::user_limiter(&cfg.flood),
            fresh: raid::Fresh::default(),
            cross: crosspost::Windows::default(),
            recent: Recent::new(cfg.recent_ids),
            cfg,
        }
    }

    /// Observes one scored event and appends its stateful findings to `out`.
    ///
    /// `normalised` is the engine's folded text of the event (`Scratch::normalised_text`), so
    /// evasions do not hide a cross-posted copy.
    pub fn observe(
        &mut self,
        shared: &Shared,
        ev: &Event,
        normalised: &str,
        now_ms: i64,
        out: &mut Vec<Finding>,
    ) {
        if !Arc::ptr_eq(&self.cfg, &shared.cfg) {
            // The state policy was reloaded: quotas and windows start afresh.
            let recent = std::mem::replace(&mut self.recent, Recent::new(0));
            *self = Local::new(shared.cfg.clone());
            self.recent = recent;
        }
        let id_key = (!ev.id.is_empty()).then(|| key(&[&ev.community, &ev.id]));
        if let Some(k) = id_key {
            if let Some(cached) = self.recent.get(k) {
                out.extend(cached.iter().cloned());
                return;
            }
        }
        let start = out.len();
        let cfg = &*self.cfg;
        flood::observe(
            &cfg.flood,
            self.user_flood.as_ref(),
            shared.group_flood.as_ref(),
            ev,
            out,
        );
        raid::observe(&cfg.raid, &shared.raids, &mut self.fresh, ev, now_ms, out);
        self.cross
            .observe(&cfg.cross_post, ev, normalised, now_ms, out);
        if let Some(k) = id_key {
            self.recent.insert(k, out[start..].to_vec());
        }
    }

    /// Bounds the state: drops idle limiter keys and expired windows.
    pub fn maintain(&mut self, now_ms: i64) {
        if let Some(l) = &self.user_flood {
            l.retain_recent();
            l.shrink_to_fit();
        }
        self.fresh.maintain(&self.cfg.raid, now_ms);
        self.cross.maintain(&self.cfg.cross_post, now_ms);
    }

    /// Sizes of the per-shard state, for metrics: (flood keys, fresh joiners, cross-post users).
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.user_flood.as_ref().map_or(0, |l| l.len()),
            self.fresh.len(),
            self.cross.len(),
        )
    }
}

/// Adds stateful findings to a verdict: each reason's score joins its category's noisy-OR,
/// the policy is applied again (with the same cap on what the model's reasons can tip), and a
/// finding's minimum action can only raise the action.
pub fn apply(policy: &Policy, ev: &Event, v: &mut Verdict, findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    let mut minimum: Option<(Action, Category)> = None;
    for f in findings {
        if let Some(a) = f.action {
            if minimum.is_none_or(|(b, _)| a.severity() > b.severity()) {
                minimum = Some((a, f.reason.category));
            }
        }
    }
    v.reasons.extend(findings.iter().map(|f| f.reason.clone()));
    let (scores, d) = policy.decide_reasons(&ev.group, ev.kind, &v.reasons, minimum);
    if d.action.severity() > v.action.severity() {
        v.action = d.action;
        v.category = d.category.or(v.category);
    } else if v.category.is_none() {
        v.category = d.category;
    }
    v.scores = scores;
    v.reasons
        .sort_by(|a, b| b.score.total_cmp(&a.score).then(a.shadow.cmp(&b.shadow)));
}

/// A 64-bit key for a tuple of strings (with separators, so `("ab","c") != ("a","bc")`).
pub fn key(parts: &[&str]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// The recently seen event ids of one shard and the findings they got, oldest evicted first.
struct Recent {
    map: HashMap<u64, Vec<Finding>>,
    order: VecDeque<u64>,
    cap: usize,
}

impl Recent {
    fn new(cap: usize) -> Recent {
        Recent {
            map: HashMap::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    fn get(&self, k: u64) -> Option<&Vec<Finding>> {
        self.map.get(&k)
    }

    fn insert(&mut self, k: u64, f: Vec<Finding>) {
        if self.cap == 0 {
            return;
        }
        while self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        if self.map.insert(k, f).is_none() {
            self.order.push_back(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::verdict::{Scores, Source};

    fn policy() -> Policy {
        Policy::parse(
            "[message]\nspam = { review = 0.45, hide = 0.65, remove = 0.85 }\n[join_request]\nspam = { review = 0.4, reject = 0.8 }\n",
        )
        .unwrap()
    }

    fn finding(score: f32, action: Option<Action>) -> Finding {
        Finding {
            reason: Reason::new(
                Source::Flood,
                "flood.user",
                Category::Spam,
                score,
                vec![],
                "",
            ),
            action,
        }
    }

    fn allow_verdict(kind: Kind) -> Verdict {
        Verdict {
            id: "m1".into(),
            kind,
            category: None,
            action: Action::Allow.for_kind(kind),
            scores: Scores {
                spam: 0.3,
                ..Default::default()
            },
            reasons: vec![Reason::new(
                Source::Rule,
                "spam.weak",
                Category::Spam,
                0.3,
                Vec::new(),
                "",
            )],
        }
    }

    #[test]
    fn findings_join_the_noisy_or_and_raise_the_action() {
        let ev = Event::message("x");
        let mut v = allow_verdict(Kind::Message);
        apply(&policy(), &ev, &mut v, &[finding(0.5, None)]);
        // 1 - 0.7 * 0.5 = 0.65: the hide threshold.
        assert!((v.scores.spam - 0.65).abs() < 1e-6);
        assert_eq!((v.category, v.action), (Some(Category::Spam), Action::Hide));
        assert_eq!(v.reasons[0].id, "flood.user");

        let mut v = allow_verdict(Kind::Message);
        apply(&policy(), &ev, &mut v, &[finding(0.0, Some(Action::Mute))]);
        assert_eq!(
            v.action,
            Action::Mute,
            "a minimum action applies whatever the score"
        );

        let ev = Event {
            kind: Kind::JoinRequest,
            ..Event::default()
        };
        let mut v = allow_verdict(Kind::JoinRequest);
        apply(
            &policy(),
            &ev,
            &mut v,
            &[finding(0.1, Some(Action::Review))],
        );
        assert_eq!(v.action, Action::Review);
        let mut v = allow_verdict(Kind::JoinRequest);
        apply(&policy(), &ev, &mut v, &[finding(0.1, Some(Action::Hide))]);
        assert_eq!(
            v.action,
            Action::Review,
            "hide means review for a join request"
        );
    }

    #[test]
    fn a_redelivered_event_gets_the_same_findings_without_counting_twice() {
        let cfg = Arc::new(StateConfig {
            flood: flood::FloodConfig {
                user: flood::Quota {
                    messages: 1,
                    per_secs: 3600,
                },
                ..Default::default()
            },
            ..Default::default()
        });
        let shared = Shared::new(cfg.clone(), Arc::new(raid::Raids::default()));
        let mut local = Local::new(cfg);
        let ev = |id: &str| Event {
            id: id.into(),
            group: "g".into(),
            user: "u".into(),
            text: "halo".into(),
            ..Event::default()
        };
        let mut out = Vec::new();
        local.observe(&shared, &ev("1"), "halo", 0, &mut out);
        assert!(out.is_empty());
        local.observe(&shared, &ev("1"), "halo", 0, &mut out);
        assert!(
            out.is_empty(),
            "the same event again is not a second message"
        );
        local.observe(&shared, &ev("2"), "halo", 0, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].reason.id, "flood.user");
        out.clear();
        local.observe(&shared, &ev("2"), "halo", 0, &mut out);
        assert_eq!(out.len(), 1, "a re-delivery gets the same answer");
    }
}
