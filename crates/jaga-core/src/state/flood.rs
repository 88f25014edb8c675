//! Flood detection: message quotas per user per group and per group.
//!
//! A quota of `messages` per `per_secs` is a GCRA limit: a burst of `messages`, then one
//! message every `per_secs / messages` seconds. Each message over the user's quota gets the
//! `flood.user` signal; each message over the group's quota `flood.group`. Rules in
//! `rules/stateful.toml` score them. Admins are not rate-limited.
//!
//! The clock is the events' own time (see [`super::State::event_time`]), not the machine's:
//! replaying an export or a backlog counts the messages as they were sent.

use serde::Deserialize;

use super::{KeyMap, Keys};
use crate::event::{Event, Kind, Role};
use crate::signal::{Finding, Signal};

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
        Ok(())
    }
}

/// GCRA quotas over 64-bit keys, on a millisecond clock the caller gives.
#[derive(Debug)]
pub struct Quotas {
    /// One message is allowed every `interval` ms...
    interval: i64,
    /// ...after a burst: a message is refused when the key's theoretical arrival time is
    /// more than this far ahead of now.
    tolerance: i64,
    /// Theoretical arrival time of each key's next message.
    tat: KeyMap<i64>,
}

impl Quotas {
    pub fn new(q: Quota) -> Quotas {
        let period = i64::try_from(q.per_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        let interval = (period / i64::from(q.messages.max(1))).max(1);
        Quotas {
            interval,
            tolerance: interval.saturating_mul(i64::from(q.messages.max(1)) - 1),
            tat: KeyMap::default(),
        }
    }

    /// Counts one message of `key` at `at`; false when it is over the quota (and then it
    /// does not count, so a flood does not lock the key out for longer).
    pub fn check(&mut self, key: u64, at: i64) -> bool {
        let tat = self.tat.get(&key).copied().unwrap_or(at).max(at);
        if tat.saturating_sub(at) > self.tolerance {
            return false;
        }
        self.tat.insert(key, tat.saturating_add(self.interval));
        true
    }

    /// Forgets keys whose quota is whole again at `now`.
    pub fn maintain(&mut self, now: i64) {
        self.tat.retain(|_, t| *t > now);
        self.tat.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.tat.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tat.is_empty()
    }
}

fn counted(ev: &Event) -> bool {
    ev.kind == Kind::Message && ev.role != Role::Admin
}

/// Counts one message against its group's quota (in arrival order, by [`super::State::arrive`]).
pub fn observe_group(
    cfg: &FloodConfig,
    group: &mut Quotas,
    ev: &Event,
    keys: &Keys,
    at: i64,
    out: &mut Vec<Finding>,
) {
    if cfg.enabled && counted(ev) && !group.check(keys.group, at) {
        out.push(Finding::new(
            Signal::FloodGroup,
            0,
            0,
            format!(
                "more than {} messages in {}s in this group",
                cfg.group.messages, cfg.group.per_secs
            ),
        ));
    }
}

/// Counts one message against its sender's quota in its group.
pub fn observe_user(
    cfg: &FloodConfig,
    user: &mut Quotas,
    ev: &Event,
    keys: &Keys,
    at: i64,
    out: &mut Vec<Finding>,
) {
    if cfg.enabled && counted(ev) && !user.check(keys.member, at) {
        out.push(Finding::new(
            Signal::FloodUser,
            0,
            0,
            format!(
                "more than {} messages in {}s from this user in this group",
                cfg.user.messages, cfg.user.per_secs
            ),
        ));
    }
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
        let (mut u, mut g) = (Quotas::new(cfg.user), Quotas::new(cfg.group));
        let mut both = |ev: &Event, at: i64| {
            let mut out = Vec::new();
            let keys = Keys::of(ev);
            observe_group(&cfg, &mut g, ev, &keys, at, &mut out);
            observe_user(&cfg, &mut u, ev, &keys, at, &mut out);
            out.iter().map(|f| f.signal.as_str()).collect::<Vec<_>>()
        };
        let ids: Vec<_> = (0..4).map(|i| both(&msg("g1", "a"), i)).collect();
        assert!(ids[..3].iter().all(|r| r.is_empty()), "{ids:?}");
        assert_eq!(ids[3], vec!["flood.user"]);
        assert!(
            both(&msg("g2", "a"), 5).is_empty(),
            "the user quota is per group"
        );
        assert_eq!(
            both(&msg("g1", "b"), 6),
            vec!["flood.group"],
            "the fifth message in g1 is over the group quota"
        );
        let admin = Event {
            role: Role::Admin,
            ..msg("g1", "a")
        };
        assert!(both(&admin, 7).is_empty(), "admins are not rate-limited");
        // An hour later (event time) the quota is whole again.
        assert!(both(&msg("g1", "a"), 3_600_000 + 8).is_empty());
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

    #[test]
    fn gcra_refills_one_message_per_interval() {
        let mut q = Quotas::new(Quota {
            messages: 2,
            per_secs: 10,
        });
        assert!(q.check(1, 0) && q.check(1, 0));
        assert!(!q.check(1, 1000), "burst of two spent");
        assert!(q.check(1, 5000), "one message every 5 s");
        assert!(!q.check(1, 5001));
        // Extreme clocks neither overflow nor panic.
        assert!(q.check(2, i64::MAX));
        assert!(!q.check(2, i64::MIN));
        q.maintain(20_000);
        assert_eq!(q.len(), 1, "only the key at i64::MAX is still counting");
    }
}
