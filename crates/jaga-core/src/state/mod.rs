//! Stateful detection: what a per-message scorer cannot see. Flooding (too many messages
//! from one user in a group, or in a group overall), raids (join waves, and fresh accounts
//! posting right after joining) and cross-posting (one user posting the same or nearly the
//! same text in several groups of a community).
//!
//! The stateful stages report [`Signal`](crate::signal::Signal)s like every other stage
//! (`flood.user`, `flood.group`, `raid.join_wave`, `raid.fresh_account`,
//! `raid.fresh_in_wave`, `cross_post.same_text`); rules score them (`rules/stateful.toml`), so
//! they can be shadowed, allow-listed, gated with `when`, combined in an `expr`, tested by
//! `rules check`, and the verdict is decided once, by the policy. The quotas and windows
//! are the `[state]` table of `policy.toml`.
//!
//! [`State`] runs in two steps so every caller sees the same verdicts whatever its
//! concurrency: [`State::arrive`] takes the group-level part (the group's quota, join waves)
//! in input order, and [`State::observe`] the per-user part (the user's quota, fresh
//! accounts, cross-posts), which only needs each user's events in order. Per-user state is
//! split into shards by `(community, user)`, each behind its own lock.
//!
//! Windows are measured in the events' own time (`ts`) when it is given and not in the
//! future by more than `max_future_secs` of the caller's clock; otherwise in the caller's
//! clock. Replaying an export or a backlog counts the messages as they were sent.

pub mod crosspost;
pub mod flood;
pub mod raid;

use std::collections::VecDeque;
use std::hash::Hasher;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::event::Event;
use crate::signal::Finding;

/// The `[state]` table of `policy.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateConfig {
    pub flood: flood::FloodConfig,
    pub raid: raid::RaidConfig,
    pub cross_post: crosspost::CrossPostConfig,
    /// Event ids remembered, so a re-delivered event gets the same stateful signals and
    /// does not count twice.
    pub recent_ids: usize,
    /// An event's `ts` further ahead of the clock than this is not trusted; the clock is
    /// used instead.
    pub max_future_secs: u64,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            flood: flood::FloodConfig::default(),
            raid: raid::RaidConfig::default(),
            cross_post: crosspost::CrossPostConfig::default(),
            recent_ids: 65_536,
            max_future_secs: 300,
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

/// The machine's clock in Unix milliseconds: the clock of events without a `ts`.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Per-user shards: enough that callers on different cores rarely wait on each other.
const SHARDS: usize = 64;

/// The group-level part of one event, from [`State::arrive`], for [`State::observe`].
#[derive(Debug, Clone, Default)]
pub struct Arrival {
    /// The event's time on the state's clock (ms).
    pub at: i64,
    /// End of the group's join-wave hold, when the group is on hold.
    hold: Option<i64>,
    /// Group-level signals (`flood.group`).
    findings: Vec<Finding>,
    /// The event was seen before: these are the signals it got then.
    repeat: Option<Vec<Finding>>,
    /// The id key of the event, when it has an id.
    id: Option<u64>,
    keys: Keys,
}

/// The keys of one event, hashed once in [`State::arrive`] and read by every stateful stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keys {
    /// `(community, user)`: the shard and the cross-post window.
    pub user: u64,
    /// `(community, group)`: the group's flood quota and the group of a cross-post entry.
    pub group: u64,
    /// `(community, group, user)`: the member's flood quota and fresh-joiner entry.
    pub member: u64,
}

impl Keys {
    pub fn of(ev: &Event) -> Keys {
        Keys {
            user: key(&[&ev.community, &ev.user]),
            group: key(&[&ev.community, &ev.group]),
            member: key(&[&ev.community, &ev.group, &ev.user]),
        }
    }
}

/// A map from [`key`]s. Its hasher is foldhash's: a few instructions for a `u64`, where the
/// standard SipHash was a measurable share of the stateful stages, and still seeded per map
/// so that ids chosen to collide under the fixed [`key`] do not pile up in one bucket.
pub(crate) type KeyMap<V> = foldhash::HashMap<u64, V>;

/// The state of every stateful stage: bounded, shareable across threads.
pub struct State {
    cfg: StateConfig,
    group_flood: Mutex<flood::Quotas>,
    raids: Arc<raid::Raids>,
    users: Box<[Mutex<Local>]>,
    /// The latest event time seen, the clock of [`State::maintain`].
    latest: AtomicI64,
}

/// The per-user state of one shard.
struct Local {
    user_flood: flood::Quotas,
    fresh: raid::Fresh,
    cross: crosspost::Windows,
    recent: Recent,
}

/// How much the state holds, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    /// Keys of the per-user flood quotas.
    pub flood_users: usize,
    /// Keys of the per-group flood quotas.
    pub flood_groups: usize,
    /// Fresh joiners remembered.
    pub fresh: usize,
    /// Users with a cross-post window.
    pub cross_post_users: usize,
}

impl State {
    /// New, empty state for `cfg`; `raids` carries join-wave holds over (from a previous
    /// state, or restored from the review store).
    pub fn new(cfg: StateConfig, raids: Arc<raid::Raids>) -> State {
        let per_shard = cfg.recent_ids.div_ceil(SHARDS);
        State {
            group_flood: Mutex::new(flood::Quotas::new(cfg.flood.group)),
            users: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Local {
                        user_flood: flood::Quotas::new(cfg.flood.user),
                        fresh: raid::Fresh::default(),
                        cross: crosspost::Windows::default(),
                        recent: Recent::new(per_shard),
                    })
                })
                .collect(),
            raids,
            latest: AtomicI64::new(i64::MIN),
            cfg,
        }
    }

    pub fn config(&self) -> &StateConfig {
        &self.cfg
    }

    /// The join-wave holds, for persisting and restoring them.
    pub fn raids(&self) -> &Arc<raid::Raids> {
        &self.raids
    }

    /// The time of `ev` on the state's clock: its `ts` unless that is more than
    /// `max_future_secs` ahead of `now_ms`, else `now_ms`.
    pub fn event_time(&self, ev: &Event, now_ms: i64) -> i64 {
        let future =
            i64::try_from(self.cfg.max_future_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        match ev.ts.map(|t| t.saturating_mul(1000)) {
            Some(t) if t <= now_ms.saturating_add(future) => t,
            _ => now_ms,
        }
    }

    fn shard(&self, keys: &Keys) -> &Mutex<Local> {
        &self.users[(keys.user % SHARDS as u64) as usize]
    }

    /// The group-level step, to be called in input order.
    pub fn arrive(&self, ev: &Event, now_ms: i64) -> Arrival {
        let at = self.event_time(ev, now_ms);
        self.latest.fetch_max(at, Ordering::Relaxed);
        let keys = Keys::of(ev);
        let id = (!ev.id.is_empty()).then(|| key(&[&ev.community, &ev.group, &ev.id]));
        if let Some(k) = id {
            let local = self.shard(&keys).lock().unwrap_or_else(|e| e.into_inner());
            if let Some(seen) = local.recent.get(k) {
                return Arrival {
                    at,
                    repeat: Some(seen.clone()),
                    id,
                    keys,
                    ..Arrival::default()
                };
            }
        }
        let mut findings = Vec::new();
        {
            let mut g = self.group_flood.lock().unwrap_or_else(|e| e.into_inner());
            flood::observe_group(&self.cfg.flood, &mut g, ev, &keys, at, &mut findings);
        }
        let hold = self.raids.arrive(&self.cfg.raid, ev, at);
        Arrival {
            at,
            hold,
            findings,
            repeat: None,
            id,
            keys,
        }
    }

    /// The per-user step: appends the event's stateful signals to `out`. `normalised` is
    /// the engine's folded text of the event, so evasions do not hide a cross-posted copy.
    pub fn observe(&self, ev: &Event, arrival: Arrival, normalised: &str, out: &mut Vec<Finding>) {
        if let Some(seen) = arrival.repeat {
            out.extend(seen);
            return;
        }
        let start = out.len();
        out.extend(arrival.findings);
        let (at, keys) = (arrival.at, &arrival.keys);
        let cfg = &self.cfg;
        let mut local = self.shard(keys).lock().unwrap_or_else(|e| e.into_inner());
        let local = &mut *local;
        flood::observe_user(&cfg.flood, &mut local.user_flood, ev, keys, at, out);
        raid::observe(&cfg.raid, &mut local.fresh, ev, keys, at, arrival.hold, out);
        local
            .cross
            .observe(&cfg.cross_post, ev, keys, normalised, at, out);
        if let Some(k) = arrival.id {
            local.recent.insert(k, out[start..].to_vec());
        }
    }

    /// Bounds the state: forgets quotas that are whole again and expired windows, as of
    /// the latest event time seen.
    pub fn maintain(&self) {
        let now = self.latest.load(Ordering::Relaxed);
        if now == i64::MIN {
            return;
        }
        self.group_flood
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .maintain(now);
        self.raids.maintain(&self.cfg.raid, now);
        for shard in self.users.iter() {
            let mut l = shard.lock().unwrap_or_else(|e| e.into_inner());
            l.user_flood.maintain(now);
            l.fresh.maintain(&self.cfg.raid, now);
            l.cross.maintain(&self.cfg.cross_post, now);
        }
    }

    /// How much the state holds.
    pub fn sizes(&self) -> Sizes {
        let mut s = Sizes {
            flood_groups: self
                .group_flood
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .len(),
            ..Sizes::default()
        };
        for shard in self.users.iter() {
            let l = shard.lock().unwrap_or_else(|e| e.into_inner());
            s.flood_users += l.user_flood.len();
            s.fresh += l.fresh.len();
            s.cross_post_users += l.cross.len();
        }
        s
    }
}

/// A 64-bit key for a tuple of strings (with separators, so `("ab","c") != ("a","bc")`).
///
/// The value is that of hashing each part as a `str` (its bytes, then `0xff`) into one
/// `DefaultHasher`, but the bytes are gathered first and written once: SipHash reads a
/// stream, so the result is the same, and each `write` has a fixed cost that two writes per
/// part paid about a dozen times per event (the keys of [`Keys`], the id, the shard).
/// The hash stays SipHash: these keys come from senders, who could otherwise pick ids or
/// names that collide with another user's.
pub fn key(parts: &[&str]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut buf = [0u8; 256];
    let mut n = 0;
    for p in parts {
        let b = p.as_bytes();
        if n + b.len() + 1 > buf.len() {
            h.write(&buf[..n]);
            n = 0;
            if b.len() + 1 > buf.len() {
                h.write(b);
                h.write_u8(0xff);
                continue;
            }
        }
        buf[n..n + b.len()].copy_from_slice(b);
        buf[n + b.len()] = 0xff;
        n += b.len() + 1;
    }
    h.write(&buf[..n]);
    h.finish()
}

/// The recently seen event ids of one shard and the findings they got, oldest evicted first.
struct Recent {
    map: KeyMap<Vec<Finding>>,
    order: VecDeque<u64>,
    cap: usize,
}

impl Recent {
    fn new(cap: usize) -> Recent {
        Recent {
            map: KeyMap::default(),
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

    #[test]
    fn key_is_each_part_hashed_as_a_str() {
        fn by_parts(parts: &[&str]) -> u64 {
            use std::hash::Hash;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for p in parts {
                p.hash(&mut h);
            }
            h.finish()
        }
        let long = "x".repeat(300);
        let cases: [&[&str]; 6] = [
            &[],
            &[""],
            &["ab", "c"],
            &["community", "group", "user-1234"],
            &[&long, "a", "b"],
            &["a", &long, &long[..250], "é"],
        ];
        for parts in cases {
            assert_eq!(key(parts), by_parts(parts), "{parts:?}");
        }
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
    }
    use crate::signal::Signal;

    fn signals(state: &State, ev: &Event, now: i64) -> Vec<Signal> {
        let mut out = Vec::new();
        let a = state.arrive(ev, now);
        state.observe(ev, a, &ev.text, &mut out);
        out.iter().map(|f| f.signal).collect()
    }

    fn quota_of_one() -> State {
        let cfg = StateConfig {
            flood: flood::FloodConfig {
                user: flood::Quota {
                    messages: 1,
                    per_secs: 3600,
                },
                ..Default::default()
            },
            ..Default::default()
        };
        State::new(cfg, Arc::new(raid::Raids::default()))
    }

    fn ev(id: &str, ts: Option<i64>) -> Event {
        Event {
            id: id.into(),
            group: "g".into(),
            user: "u".into(),
            text: "halo".into(),
            ts,
            ..Event::default()
        }
    }

    #[test]
    fn a_redelivered_event_gets_the_same_signals_without_counting_twice() {
        let state = quota_of_one();
        assert!(signals(&state, &ev("1", None), 0).is_empty());
        assert!(
            signals(&state, &ev("1", None), 0).is_empty(),
            "the same event again is not a second message"
        );
        assert_eq!(signals(&state, &ev("2", None), 0), vec![Signal::FloodUser]);
        assert_eq!(
            signals(&state, &ev("2", None), 0),
            vec![Signal::FloodUser],
            "a re-delivery gets the same answer"
        );
    }

    #[test]
    fn windows_use_the_event_time_with_a_bounded_skew() {
        let state = quota_of_one();
        let now = 10_000_000_000;
        // Replayed history an hour apart: each message is alone in its window, however
        // fast it is replayed now.
        assert!(signals(&state, &ev("a", Some(1_000)), now).is_empty());
        assert!(signals(&state, &ev("b", Some(4_601)), now).is_empty());
        // A `ts` far in the future is not believed: the clock is used.
        assert_eq!(state.event_time(&ev("c", Some(i64::MAX)), now), now);
        assert_eq!(state.event_time(&ev("c", Some(1_000)), now), 1_000_000);
        assert_eq!(state.event_time(&ev("c", None), now), now);
        state.maintain();
        assert_eq!(state.sizes().flood_users, 1);
    }
}
