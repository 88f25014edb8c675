//! Cross-posting: the same or nearly the same text from one user in several groups of a
//! community within a window, the signature of spam and scams that ride the community-wide
//! announcement habit.
//!
//! Each message of at least `min_chars` (of the engine's normalised text, so look-alikes and
//! spacing do not hide a copy) leaves an entry in its user's window: an exact hash of the
//! text with whitespace collapsed, and a 64-bit SimHash over character 4-grams. A later
//! message matches an entry when the exact hashes are equal or the SimHashes differ in at
//! most `max_distance` bits. When the matches span `min_groups` distinct groups (this one
//! included) the message gets the `cross_post.same_text` signal.
//!
//! Bounded: at most `max_per_user` entries per user, entries older than the window are
//! dropped, and at most `max_users` users are tracked per shard (the quietest are dropped
//! first). Windows are not persisted: a restart forgets them.

use std::collections::VecDeque;

use serde::Deserialize;

use super::{KeyMap, Keys};
use crate::event::{Event, Kind, Role};
use crate::signal::{Finding, Signal};

/// `[state.cross_post]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrossPostConfig {
    pub enabled: bool,
    pub window_secs: u64,
    /// Distinct groups (this one included) that make a cross-post.
    pub min_groups: usize,
    /// Largest SimHash distance (bits of 64) that counts as the same text.
    pub max_distance: u32,
    /// Shorter texts (greetings, "wkwk") are not tracked.
    pub min_chars: usize,
    pub max_per_user: usize,
    pub max_users: usize,
}

impl Default for CrossPostConfig {
    fn default() -> Self {
        CrossPostConfig {
            enabled: true,
            window_secs: 600,
            min_groups: 3,
            max_distance: 10,
            min_chars: 24,
            max_per_user: 16,
            max_users: 200_000,
        }
    }
}

impl CrossPostConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.min_groups < 2 {
            return Err("[state.cross_post] min_groups must be at least 2".into());
        }
        if self.max_distance > 32 {
            return Err(format!("[state.cross_post] max_distance = {}: above 32 bits unrelated texts match; use 0..=16", self.max_distance));
        }
        if self.max_per_user == 0 {
            return Err("[state.cross_post] max_per_user must be at least 1".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    at: i64,
    group: u64,
    exact: u64,
    sim: u64,
}

/// Per-user windows of one shard.
#[derive(Debug, Default)]
pub struct Windows {
    users: KeyMap<VecDeque<Entry>>,
    /// The distinct groups of the matching entries of the event being observed.
    groups: Vec<u64>,
}

impl Windows {
    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    pub fn observe(
        &mut self,
        cfg: &CrossPostConfig,
        ev: &Event,
        keys: &Keys,
        normalised: &str,
        now_ms: i64,
        out: &mut Vec<Finding>,
    ) {
        if !cfg.enabled || ev.kind != Kind::Message || ev.role == Role::Admin {
            return;
        }
        // Counting stops at `min_chars`: only whether there are that many matters.
        let long_enough = normalised
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(cfg.min_chars)
            .count();
        if long_enough < cfg.min_chars {
            return;
        }
        let (exact, sim) = fingerprints(normalised);
        // The window is one user's of one community: the group key tells its groups apart.
        let (group, user) = (keys.group, keys.user);
        if !self.users.contains_key(&user) && self.users.len() >= cfg.max_users {
            self.evict(cfg, now_ms);
        }
        let w = self.users.entry(user).or_default();
        let window = i64::try_from(cfg.window_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        while w
            .front()
            .is_some_and(|e| e.at <= now_ms.saturating_sub(window))
        {
            w.pop_front();
        }
        let groups = &mut self.groups;
        groups.clear();
        groups.push(group);
        for e in w.iter() {
            let same = e.exact == exact || (e.sim ^ sim).count_ones() <= cfg.max_distance;
            if same && !groups.contains(&e.group) {
                groups.push(e.group);
            }
        }
        if w.len() >= cfg.max_per_user {
            w.pop_front();
        }
        w.push_back(Entry {
            at: now_ms,
            group,
            exact,
            sim,
        });
        if groups.len() >= cfg.min_groups {
            out.push(Finding::new(
                Signal::CrossPost,
                0,
                0,
                format!(
                    "the same text from this user in {} groups within {}s",
                    groups.len(),
                    cfg.window_secs
                ),
            ));
        }
    }

    pub fn maintain(&mut self, cfg: &CrossPostConfig, now_ms: i64) {
        let window = i64::try_from(cfg.window_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.users.retain(|_, w| {
            w.back()
                .is_some_and(|e| e.at > now_ms.saturating_sub(window))
        });
        self.users.shrink_to_fit();
    }

    fn evict(&mut self, cfg: &CrossPostConfig, now_ms: i64) {
        self.maintain(cfg, now_ms);
        if self.users.len() >= cfg.max_users {
            let mut last: Vec<i64> = self
                .users
                .values()
                .map(|w| w.back().map_or(0, |e| e.at))
                .collect();
            let mid = last.len() / 4;
            let cut = *last.select_nth_unstable(mid).1;
            self.users
                .retain(|_, w| w.back().is_some_and(|e| e.at > cut));
        }
    }
}

/// The exact hash (whitespace collapsed) and the SimHash (character 4-grams) of a text.
///
/// A SimHash bit is set when more than half of the 4-grams' hashes have it set; the 64
/// per-bit counts are kept in [`Counts`].
pub fn fingerprints(text: &str) -> (u64, u64) {
    const FNV_PRIME: u64 = 0x0100_0000_01b3;
    let mut exact = 0xcbf2_9ce4_8422_2325u64;
    let mut counts = Counts::default();
    // The last three code points, 21 bits each, the oldest lowest: the packed part of a gram.
    let mut last3 = 0u64;
    let mut n = 0u64;
    let mut last_space = true;
    for c in text.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        let c = u64::from(c);
        exact = (exact ^ c).wrapping_mul(FNV_PRIME);
        n += 1;
        if n >= 4 {
            // Three code points (21 bits each) packed, the fourth multiplied in.
            counts.add(mix(last3 ^ c.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        }
        last3 = last3 >> 21 | c << 42;
    }
    let sim = majority(counts.planes(), n.saturating_sub(3));
    (exact, sim)
}

/// How many of the added hashes have each of the 64 bits set, kept bit-sliced: plane `j`
/// holds bit `j` of every count, so adding a hash is a carry through the planes instead of
/// 64 additions. Hashes first go into a four-plane counter (at most 15 each) with a fixed,
/// branch-free carry; every 15 hashes its planes are added into the full counter at their
/// weights. That is a third of the instructions of carrying each hash through the full
/// counter, whose carries run ~7 planes deep.
struct Counts {
    planes: [u64; 64],
    small: [u64; 4],
    pending: u32,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            planes: [0; 64],
            small: [0; 4],
            pending: 0,
        }
    }
}

impl Counts {
    #[inline]
    fn add(&mut self, h: u64) {
        let [mut p0, mut p1, mut p2, mut p3] = self.small;
        let c0 = p0 & h;
        p0 ^= h;
        let c1 = p1 & c0;
        p1 ^= c0;
        let c2 = p2 & c1;
        p2 ^= c1;
        // No carry out of the fourth plane: it is flushed at 15.
        p3 ^= c2;
        self.small = [p0, p1, p2, p3];
        self.pending += 1;
        if self.pending == 15 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for k in 0..4 {
            let mut carry = self.small[k];
            for plane in &mut self.planes[k..] {
                if carry == 0 {
                    break;
                }
                let next = *plane & carry;
                *plane ^= carry;
                carry = next;
            }
        }
        self.small = [0; 4];
        self.pending = 0;
    }

    /// The full counts of everything added.
    fn planes(&mut self) -> &[u64; 64] {
        self.flush();
        &self.planes
    }
}

/// The bits whose count is more than half of `n`: all 64 counts compared with `n / 2` at
/// once, from the highest plane down (a count is greater once it has a 1 where the
/// threshold has a 0 and was equal so far).
fn majority(planes: &[u64; 64], n: u64) -> u64 {
    let half = n / 2;
    let (mut greater, mut equal) = (0u64, u64::MAX);
    // Counts are at most `n`, one bit longer than `half`.
    let bits = (65 - half.leading_zeros() as usize).min(64);
    for j in (0..bits).rev() {
        if (half >> j) & 1 == 0 {
            greater |= equal & planes[j];
            equal &= !planes[j];
        } else {
            equal &= planes[j];
        }
    }
    greater
}

/// splitmix64's finaliser: spreads FNV's weak low bits over all 64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAM: &str =
        "promo slot gacor hari ini maxwin dijamin daftar sekarang di gacor88 link di bio";

    /// One message into `w`, with its keys as the state computes them.
    fn post(
        w: &mut Windows,
        cfg: &CrossPostConfig,
        ev: &Event,
        text: &str,
        at: i64,
        out: &mut Vec<Finding>,
    ) {
        w.observe(cfg, ev, &Keys::of(ev), text, at, out);
    }

    fn msg(group: &str, user: &str, text: &str) -> Event {
        Event {
            community: "c".into(),
            group: group.into(),
            user: user.into(),
            text: text.into(),
            ..Event::default()
        }
    }

    fn dist(a: &str, b: &str) -> u32 {
        (fingerprints(a).1 ^ fingerprints(b).1).count_ones()
    }

    #[test]
    fn simhash_separates_near_copies_from_other_texts() {
        let cfg = CrossPostConfig::default();
        let near = [
            format!("{SPAM} 🔥🔥"),
            SPAM.replace("gacor88", "gacor99"),
            format!("{SPAM} buruan"),
        ];
        for n in &near {
            assert!(dist(SPAM, n) <= cfg.max_distance, "{n}: {}", dist(SPAM, n));
        }
        let other = [
            "streaming MV baru jam 10 malam ini, playlist ada di pinned ya teman",
            "makasih admin udah rekap jadwal comeback, semangat semuanya",
            "ada yang mau nobar konser online minggu depan di bandung?",
        ];
        for o in other {
            assert!(dist(SPAM, o) > 16, "{o}: {}", dist(SPAM, o));
        }
        assert_eq!(fingerprints("a  b\n c").0, fingerprints("a b c").0);
    }

    /// The SimHash as defined: the 4-grams of code points (whitespace runs as one space),
    /// each hashed, and a bit set where more than half of the hashes have it.
    fn simhash_by_definition(text: &str) -> u64 {
        let mut chars: Vec<u64> = Vec::new();
        for c in text.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && chars.last().is_none_or(|&l| l == u64::from(' ')) {
                continue;
            }
            chars.push(u64::from(c));
        }
        let hashes: Vec<u64> = chars
            .windows(4)
            .map(|g| {
                mix((g[0] | g[1] << 21 | g[2] << 42) ^ g[3].wrapping_mul(0x9e37_79b9_7f4a_7c15))
            })
            .collect();
        (0..64).fold(0, |acc, b| {
            let ones = hashes.iter().filter(|&&h| (h >> b) & 1 == 1).count();
            acc | u64::from(2 * ones > hashes.len()) << b
        })
    }

    #[test]
    fn simhash_is_the_majority_of_the_gram_hashes() {
        let long = "promo slot gacor maxwin deposit 10rb ".repeat(40);
        for text in [
            "",
            "abc",
            "abcd",
            "  a  b\tc d ",
            "Привет мир 🙂🙂 halo kak",
            &long,
        ] {
            assert_eq!(
                fingerprints(text).1,
                simhash_by_definition(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn bit_sliced_counts_give_the_majority_of_each_bit() {
        let mut x = 0x1234_5678_9abc_def0u64;
        for n in [0u64, 1, 2, 3, 7, 14, 15, 16, 30, 31, 64, 100, 1001] {
            let mut counts = Counts::default();
            let mut ones = [0u64; 64];
            for _ in 0..n {
                x = mix(x);
                // Skewed bits, so some counts sit exactly at half.
                let h = x & (x >> 7);
                counts.add(h);
                for (b, o) in ones.iter_mut().enumerate() {
                    *o += (h >> b) & 1;
                }
            }
            let expected = (0..64).fold(0u64, |acc, b| acc | u64::from(2 * ones[b] > n) << b);
            let planes = counts.planes();
            for (b, &o) in ones.iter().enumerate() {
                let count = (0..64).fold(0u64, |acc, j| acc | ((planes[j] >> b) & 1) << j);
                assert_eq!(count, o, "count of bit {b} after {n} hashes");
            }
            assert_eq!(majority(planes, n), expected, "n = {n}");
        }
    }

    #[test]
    fn three_groups_within_the_window() {
        let cfg = CrossPostConfig::default();
        let mut w = Windows::default();
        let mut out = Vec::new();
        post(&mut w, &cfg, &msg("g1", "u", SPAM), SPAM, 0, &mut out);
        post(&mut w, &cfg, &msg("g1", "u", SPAM), SPAM, 1000, &mut out);
        post(&mut w, &cfg, &msg("g2", "u", SPAM), SPAM, 2000, &mut out);
        assert!(out.is_empty(), "two groups are not enough");
        post(
            &mut w,
            &cfg,
            &msg("g3", "other", SPAM),
            SPAM,
            2500,
            &mut out,
        );
        assert!(out.is_empty(), "another user's copy does not count");
        let variant = format!("{SPAM} 🔥");
        post(
            &mut w,
            &cfg,
            &msg("g3", "u", &variant),
            &variant,
            3000,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].signal, Signal::CrossPost);
        assert!(out[0].detail.contains("3 groups"));
        out.clear();
        post(&mut w, &cfg, &msg("g4", "u", SPAM), SPAM, 700_000, &mut out);
        assert!(out.is_empty(), "the window has passed");
        post(
            &mut w,
            &cfg,
            &msg("g5", "u", "wkwk"),
            "wkwk",
            700_000,
            &mut out,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn bounded_per_user_and_in_users() {
        let cfg = CrossPostConfig {
            max_per_user: 4,
            max_users: 8,
            ..Default::default()
        };
        let mut w = Windows::default();
        let mut out = Vec::new();
        for i in 0..100 {
            let t = format!("{SPAM} {i}");
            post(
                &mut w,
                &cfg,
                &msg("g", &format!("u{i}"), &t),
                &t,
                i,
                &mut out,
            );
            post(&mut w, &cfg, &msg("g", "same", &t), &t, i, &mut out);
        }
        assert!(w.len() <= 8, "{}", w.len());
        assert!(w.users.values().all(|q| q.len() <= 4));
    }
}
