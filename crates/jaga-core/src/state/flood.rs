//! Flood detection: governor rate limits per user per group and per group.
//!
//! A quota of `messages` per `per_secs` is a GCRA limit: a burst of `messages`, then one
//! message every `per_secs / messages` seconds. Each message over the user's quota gets a
//! `flood.user` reason; each message over the group's quota a `flood.group` reason. Admins
//! are not rate-limited.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota as GovQuota, RateLimiter};
use serde::Deserialize;

use super::{key, Finding};
use crate::event::{Event, Kind, Role};
use crate::verdict::{Action, Source};

/// A keyed governor limiter over 64-bit keys.
pub type Limiter = DefaultKeyedRateLimiter<u64>;

/// `messages` per `per_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub messages: u32,
    pub per_secs: u64,
}

/// `[state.flood]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FloodConfig {
    pub enabled: bool,
    /// Per user per group.
    pub user: Quota,
    /// Per group, all users together.
    pub group: Quota,
    /// Score of a `flood.user` reason (category spam).
    pub user_score: f32,
    /// Minimum action for a message over the user quota.
    pub user_action: Option<Action>,
    /// Score of a `flood.group` reason (category spam).
    pub group_score: f32,
    /// Minimum action for a message over the group quota.
    pub group_action: Option<Action>,
}

impl Default for FloodConfig {
    fn default() -> Self {
        FloodConfig {
            enabled: true,
            user: Quota {
                messages: 10,
                per_secs: 60,
            },
            group: Quota {
                messages: 600,
                per_secs: 60,
            },
            user_score: 0.5,
            user_action: Some(Action::Hide),
            group_score: 0.2,
            group_action: Some(Action::Review),
        }
    }
}

impl FloodConfig {
    pub fn validate(&self) -> Result<(), String> {
        for (name, q) in [("user", self.user), ("group", self.group)] {
            if q.messages == 0 || q.per_secs == 0 {
                return Err(format!(
                    "[state.flood] {name}: messages and per_secs must be at least 1 (set enabled = false to turn flood detection off)"
                ));
            }
        }
        for (name, s) in [
            ("user_score", self.user_score),
            ("group_score", self.group_score),
        ] {
            if !(0.0..=1.0).contains(&s) {
                return Err(format!(
                    "[state.flood] {name} = {s}: scores are between 0 and 1"
                ));
            }
        }
        Ok(())
    }
}

fn limiter(q: Quota) -> Option<Limiter> {
    let burst = NonZeroU32::new(q.messages)?;
    let period = Duration::from_secs(q.per_secs) / q.messages;
    let quota = GovQuota::with_period(period.max(Duration::from_nanos(1)))?.allow_burst(burst);
    Some(RateLimiter::keyed(quota))
}

/// The per-user-per-group limiter, or `None` when flood detection is off.
pub fn user_limiter(cfg: &FloodConfig) -> Option<Limiter> {
    cfg.enabled.then(|| limiter(cfg.user)).flatten()
}

/// The per-group limiter, or `None` when flood detection is off.
pub fn group_limiter(cfg: &FloodConfig) -> Option<Limiter> {
    cfg.enabled.then(|| limiter(cfg.group)).flatten()
}

/// Counts one message against both quotas.
pub fn observe(
    cfg: &FloodConfig,
    user: Option<&Limiter>,
    group: Option<&Limiter>,
    ev: &Event,
    out: &mut Vec<Finding>,
) {
    if ev.kind != Kind::Message || ev.role == Role::Admin {
        return;
    }
    if let Some(l) = user {
        if l.check_key(&key(&[&ev.community, &ev.group, &ev.user]))
            .is_err()
        {
            out.push(finding(
                "flood.user",
                cfg.user_score,
                cfg.user_action,
                format!(
                    "more than {} messages in {}s from this user in this group",
                    cfg.user.messages, cfg.user.per_secs
                ),
            ));
        }
    }
    if let Some(l) = group {
        if l.check_key(&key(&[&ev.community, &ev.group])).is_err() {
            out.push(finding(
                "flood.group",
                cfg.group_score,
                cfg.group_action,
                format!(
                    "more than {} messages in {}s in this group",
                    cfg.group.messages, cfg.group.per_secs
                ),
            ));
        }
    }
}

fn finding(id: &str, score: f32, action: Option<Action>, matched: String) -> Finding {
    Finding::spam(Source::Flood, id, score, action, matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(group: &str, user: &str) -> Event {
        Event {
            group: group.into(),
            user: user.into(),
            text: "wkwk".into(),
            ..Event::default()
        }
    }

    #[test]
    fn user_and_group_quotas() {
        let cfg = FloodConfig {
            user: Quota {
                messages: 3,
                per_secs: 3600,
            },
            group: Quota {
                messages: 4,
                per_secs: 3600,
            },
            ..Default::default()
        };
        let (u, g) = (user_limiter(&cfg), group_limiter(&cfg));
        let mut ids = Vec::new();
        for i in 0..4 {
            let mut out = Vec::new();
            observe(&cfg, u.as_ref(), g.as_ref(), &msg("g1", "a"), &mut out);
            ids.push((
                i,
                out.iter().map(|f| f.reason.id.clone()).collect::<Vec<_>>(),
            ));
        }
        assert!(ids[..3].iter().all(|(_, r)| r.is_empty()), "{ids:?}");
        assert_eq!(ids[3].1, vec!["flood.user"]);
        let mut out = Vec::new();
        observe(&cfg, u.as_ref(), g.as_ref(), &msg("g2", "a"), &mut out);
        assert!(out.is_empty(), "the user quota is per group");
        observe(&cfg, u.as_ref(), g.as_ref(), &msg("g1", "b"), &mut out);
        assert_eq!(
            out.len(),
            1,
            "the fifth message in g1 is over the group quota"
        );
        assert_eq!(out[0].reason.id, "flood.group");
        assert_eq!(out[0].action, Some(Action::Review));
        let admin = Event {
            role: Role::Admin,
            ..msg("g1", "a")
        };
        out.clear();
        observe(&cfg, u.as_ref(), g.as_ref(), &admin, &mut out);
        assert!(out.is_empty(), "admins are not rate-limited");
        assert!(FloodConfig {
            user: Quota {
                messages: 0,
                per_secs: 1
            },
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .contains("enabled = false"));
    }
}
