//! Raid detection: join waves, and fresh accounts that post right after joining.
//!
//! More than `joins` join requests to a group within `window_secs` puts the group on hold:
//! every join request gets the `raid.join_wave` signal (scored, with a minimum action of
//! review, by `rules/stateful.toml`) until `calm_secs` pass without a wave. `jaga serve`
//! persists holds in the review store, so a restart does not reopen a group under attack.
//!
//! A fresh account (one whose join this state saw, or whose `joined_at` is, within
//! `fresh_secs`) that posts a link, an invite or an attachment gets `raid.fresh_account`;
//! during a hold every fresh account's first message gets `raid.fresh_in_wave`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::Deserialize;

use super::{KeyMap, Keys};
use crate::event::{Event, Kind, Role};
use crate::extract::{self, EntityKind};
use crate::signal::{Finding, Signal};

/// `[state.raid]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RaidConfig {
    pub enabled: bool,
    /// A wave is more than this many join requests...
    pub joins: usize,
    /// ...within this many seconds.
    pub window_secs: u64,
    /// A hold ends this long after the last wave.
    pub calm_secs: u64,
    /// An account is fresh for this long after joining.
    pub fresh_secs: u64,
    /// Fresh joiners remembered per shard; the oldest are forgotten first.
    pub max_fresh: usize,
    /// Groups whose joins are tracked; idle groups are forgotten first.
    pub max_groups: usize,
}

impl Default for RaidConfig {
    fn default() -> Self {
        RaidConfig {
            enabled: true,
            joins: 10,
            window_secs: 60,
            calm_secs: 600,
            fresh_secs: 600,
            max_fresh: 200_000,
            max_groups: 100_000,
        }
    }
}

impl RaidConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.joins == 0 || self.window_secs == 0 {
            return Err("[state.raid] joins and window_secs must be at least 1 (set enabled = false to turn raid detection off)".into());
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct GroupJoins {
    /// Arrival times (ms) of the last `joins + 1` join requests.
    joins: VecDeque<i64>,
    hold_until: i64,
}

/// Join waves of every group, shared by the shards.
#[derive(Debug, Default)]
pub struct Raids {
    groups: Mutex<HashMap<String, GroupJoins>>,
    /// Holds started or extended since the last [`Raids::take_changed`], to persist.
    changed: Mutex<HashMap<String, i64>>,
}

impl Raids {
    /// Restores persisted holds (`community/group`, until ms).
    pub fn restore(&self, holds: &[(String, i64)]) {
        let mut g = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        for (k, until) in holds {
            let e = g.entry(k.clone()).or_default();
            e.hold_until = e.hold_until.max(*until);
        }
    }

    /// Holds changed since the last call, for the review store.
    pub fn take_changed(&self) -> Vec<(String, i64)> {
        let mut c = self.changed.lock().unwrap_or_else(|e| e.into_inner());
        c.drain().collect()
    }

    /// Groups on hold at `now_ms`, with the end of the hold.
    pub fn holds(&self, now_ms: i64) -> Vec<(String, i64)> {
        let g = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let mut v: Vec<(String, i64)> = g
            .iter()
            .filter(|(_, j)| j.hold_until > now_ms)
            .map(|(k, j)| (k.clone(), j.hold_until))
            .collect();
        v.sort();
        v
    }

    /// Records a join request; returns the end of the group's hold if it is on hold.
    fn join(&self, cfg: &RaidConfig, group_key: &str, now_ms: i64) -> Option<i64> {
        let mut g = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        if !g.contains_key(group_key) && g.len() >= cfg.max_groups {
            evict_idle(&mut g, cfg, now_ms);
        }
        let j = g.entry(group_key.to_string()).or_default();
        let window = secs_ms(cfg.window_secs);
        while j
            .joins
            .front()
            .is_some_and(|&t| t <= now_ms.saturating_sub(window))
        {
            j.joins.pop_front();
        }
        j.joins.push_back(now_ms);
        while j.joins.len() > cfg.joins + 1 {
            j.joins.pop_front();
        }
        if j.joins.len() > cfg.joins {
            j.hold_until = now_ms.saturating_add(secs_ms(cfg.calm_secs));
            let until = j.hold_until;
            drop(g);
            self.changed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(group_key.to_string(), until);
            return Some(until);
        }
        (j.hold_until > now_ms).then_some(j.hold_until)
    }

    fn holding(&self, ev: &Event, now_ms: i64) -> Option<i64> {
        let g = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        // Most of the time no group has recent joins: no key to build for a message.
        if g.is_empty() {
            return None;
        }
        g.get(&group_key(ev))
            .map(|j| j.hold_until)
            .filter(|&until| until > now_ms)
    }

    /// Forgets groups with no recent joins and no hold.
    pub fn maintain(&self, cfg: &RaidConfig, now_ms: i64) {
        let mut g = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let window = secs_ms(cfg.window_secs);
        g.retain(|_, j| {
            j.hold_until > now_ms
                || j.joins
                    .back()
                    .is_some_and(|&t| t > now_ms.saturating_sub(window))
        });
        g.shrink_to_fit();
    }
}

fn evict_idle(g: &mut HashMap<String, GroupJoins>, cfg: &RaidConfig, now_ms: i64) {
    let window = secs_ms(cfg.window_secs);
    g.retain(|_, j| {
        j.hold_until > now_ms
            || j.joins
                .back()
                .is_some_and(|&t| t > now_ms.saturating_sub(window))
    });
    if g.len() >= cfg.max_groups {
        // Still full of live groups: forget the quietest half (those on hold are kept).
        let mut last: Vec<(i64, String)> = g
            .iter()
            .filter(|(_, j)| j.hold_until <= now_ms)
            .map(|(k, j)| (j.joins.back().copied().unwrap_or(0), k.clone()))
            .collect();
        last.sort_unstable();
        for (_, k) in last.iter().take(last.len() / 2 + 1) {
            g.remove(k);
        }
    }
}

/// Fresh joiners seen by one shard: `(community, group, user)` key -> (join ms, messages since).
#[derive(Debug, Default)]
pub struct Fresh {
    joined: KeyMap<(i64, u32)>,
}

impl Fresh {
    pub fn len(&self) -> usize {
        self.joined.len()
    }

    pub fn is_empty(&self) -> bool {
        self.joined.is_empty()
    }

    pub fn maintain(&mut self, cfg: &RaidConfig, now_ms: i64) {
        let fresh = secs_ms(cfg.fresh_secs);
        self.joined
            .retain(|_, (t, _)| *t > now_ms.saturating_sub(fresh));
        self.joined.shrink_to_fit();
    }

    fn insert(&mut self, cfg: &RaidConfig, k: u64, now_ms: i64) {
        if self.joined.len() >= cfg.max_fresh {
            self.maintain(cfg, now_ms);
            if self.joined.len() >= cfg.max_fresh {
                let mut times: Vec<i64> = self.joined.values().map(|(t, _)| *t).collect();
                let mid = times.len() / 2;
                let cut = *times.select_nth_unstable(mid).1;
                self.joined.retain(|_, (t, _)| *t > cut);
            }
        }
        self.joined.insert(k, (now_ms, 0));
    }
}

impl Raids {
    /// The group-level part of one event, in arrival order: a join request is counted
    /// towards a wave; for any event, the end of the group's hold when it is on hold.
    pub fn arrive(&self, cfg: &RaidConfig, ev: &Event, now_ms: i64) -> Option<i64> {
        if !cfg.enabled || ev.role == Role::Admin {
            return None;
        }
        match ev.kind {
            Kind::JoinRequest => self.join(cfg, &group_key(ev), now_ms),
            Kind::Message => self.holding(ev, now_ms),
        }
    }
}

/// The key of an event's group in [`Raids`] and in the persisted holds: `community/group`.
fn group_key(ev: &Event) -> String {
    format!("{}/{}", ev.community, ev.group)
}

/// Milliseconds of a configured number of seconds, saturating.
fn secs_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// Observes one event for fresh accounts and reports join waves; `hold` is what
/// [`Raids::arrive`] said of the event's group.
pub fn observe(
    cfg: &RaidConfig,
    fresh: &mut Fresh,
    ev: &Event,
    keys: &Keys,
    now_ms: i64,
    hold: Option<i64>,
    out: &mut Vec<Finding>,
) {
    if !cfg.enabled || ev.role == Role::Admin {
        return;
    }
    let member = keys.member;
    match ev.kind {
        Kind::JoinRequest => {
            fresh.insert(cfg, member, now_ms);
            if let Some(until) = hold {
                out.push(Finding::new(
                    Signal::RaidJoinWave,
                    0,
                    0,
                    format!(
                        "join wave: more than {} join requests in {}s; this group holds join requests for review for {}s more",
                        cfg.joins,
                        cfg.window_secs,
                        until.saturating_sub(now_ms).max(0) / 1000
                    ),
                ));
            }
        }
        Kind::Message => {
            let fresh_ms = secs_ms(cfg.fresh_secs);
            let mut first = ev.member_messages == Some(0);
            let mut is_fresh = match (ev.joined_at, ev.ts) {
                (Some(j), Some(t)) => {
                    (0..=secs_ms(cfg.fresh_secs) / 1000).contains(&t.saturating_sub(j))
                }
                _ => false,
            };
            if let Some((t, n)) = fresh.joined.get_mut(&member) {
                if *t > now_ms.saturating_sub(fresh_ms) {
                    is_fresh = true;
                    first |= *n == 0;
                    *n = n.saturating_add(1);
                }
            }
            if !is_fresh {
                return;
            }
            let holding = hold.is_some();
            let carries = !ev.attachments.is_empty() || has_link(&ev.text);
            if carries || (holding && first) {
                let what = if carries {
                    "a link, invite or attachment"
                } else {
                    "a first message"
                };
                let (signal, during) = if holding {
                    (Signal::RaidFreshInWave, " during a join wave")
                } else {
                    (Signal::RaidFreshAccount, "")
                };
                out.push(Finding::new(
                    signal,
                    0,
                    0,
                    format!(
                        "{what} from an account that joined less than {}s ago{during}",
                        cfg.fresh_secs
                    ),
                ));
            }
        }
    }
}

fn has_link(text: &str) -> bool {
    let mut entities = Vec::new();
    extract::extract(text, &mut entities);
    entities.iter().any(|e| e.kind == EntityKind::Url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both halves, as [`super::super::State`] runs them.
    fn observe(
        cfg: &RaidConfig,
        raids: &Raids,
        fresh: &mut Fresh,
        ev: &Event,
        now_ms: i64,
        out: &mut Vec<Finding>,
    ) {
        let hold = raids.arrive(cfg, ev, now_ms);
        super::observe(cfg, fresh, ev, &Keys::of(ev), now_ms, hold, out);
    }

    fn join(user: &str) -> Event {
        Event {
            kind: Kind::JoinRequest,
            community: "c".into(),
            group: "g".into(),
            user: user.into(),
            ..Event::default()
        }
    }

    fn cfg() -> RaidConfig {
        RaidConfig {
            joins: 3,
            window_secs: 10,
            calm_secs: 60,
            ..Default::default()
        }
    }

    #[test]
    fn a_wave_holds_joins_until_it_calms_down() {
        let (cfg, raids, mut fresh) = (cfg(), Raids::default(), Fresh::default());
        let mut out = Vec::new();
        for (i, t) in [0, 1000, 2000].iter().enumerate() {
            observe(
                &cfg,
                &raids,
                &mut fresh,
                &join(&format!("u{i}")),
                *t,
                &mut out,
            );
        }
        assert!(out.is_empty(), "three joins in the window are not a wave");
        observe(&cfg, &raids, &mut fresh, &join("u3"), 3000, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].signal, Signal::RaidJoinWave);
        assert_eq!(raids.take_changed(), vec![("c/g".to_string(), 63_000)]);
        out.clear();
        // A single join long after the wave but within the calm period is still held.
        observe(&cfg, &raids, &mut fresh, &join("u4"), 40_000, &mut out);
        assert_eq!(out.len(), 1);
        out.clear();
        observe(&cfg, &raids, &mut fresh, &join("u5"), 70_000, &mut out);
        assert!(out.is_empty(), "calm again after calm_secs");
        // Holds survive a restart through restore().
        let restored = Raids::default();
        restored.restore(&[("c/g".to_string(), 100_000)]);
        observe(
            &cfg,
            &restored,
            &mut Fresh::default(),
            &join("u6"),
            90_000,
            &mut out,
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn fresh_accounts_posting_links_weigh_more() {
        let (cfg, raids, mut fresh) = (cfg(), Raids::default(), Fresh::default());
        let mut out = Vec::new();
        observe(&cfg, &raids, &mut fresh, &join("new"), 0, &mut out);
        let msg = |user: &str, text: &str| Event {
            community: "c".into(),
            group: "g".into(),
            user: user.into(),
            text: text.into(),
            ..Event::default()
        };
        observe(
            &cfg,
            &raids,
            &mut fresh,
            &msg("new", "halo salam kenal"),
            1000,
            &mut out,
        );
        assert!(out.is_empty(), "a greeting outside a raid is fine");
        observe(
            &cfg,
            &raids,
            &mut fresh,
            &msg("new", "join https://t.me/promo"),
            2000,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].signal, Signal::RaidFreshAccount);
        out.clear();
        observe(
            &cfg,
            &raids,
            &mut fresh,
            &msg("old", "join https://t.me/promo"),
            2000,
            &mut out,
        );
        assert!(out.is_empty(), "a member not seen joining is not fresh");
        // joined_at and ts on the event say fresh without a join request seen here.
        let ev = Event {
            joined_at: Some(1_000),
            ts: Some(1_100),
            ..msg("other", "cek https://t.me/promo")
        };
        observe(&cfg, &raids, &mut fresh, &ev, 3000, &mut out);
        assert_eq!(out.len(), 1);
        out.clear();
        observe(
            &cfg,
            &raids,
            &mut fresh,
            &msg("new", "join https://t.me/promo"),
            700_000,
            &mut out,
        );
        assert!(out.is_empty(), "no longer fresh after fresh_secs");
    }

    #[test]
    fn during_a_hold_a_first_message_weighs_more() {
        let (cfg, raids, mut fresh) = (cfg(), Raids::default(), Fresh::default());
        let mut out = Vec::new();
        for i in 0..4 {
            observe(
                &cfg,
                &raids,
                &mut fresh,
                &join(&format!("u{i}")),
                i * 100,
                &mut out,
            );
        }
        out.clear();
        let ev = Event {
            community: "c".into(),
            group: "g".into(),
            user: "u3".into(),
            text: "halo".into(),
            ..Event::default()
        };
        observe(&cfg, &raids, &mut fresh, &ev, 1000, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].signal, Signal::RaidFreshInWave);
        out.clear();
        observe(&cfg, &raids, &mut fresh, &ev, 1100, &mut out);
        assert!(out.is_empty(), "only the first message without a link");
    }
}
