//! The policy: per-category score thresholds that turn scores into actions, with per-group
//! overrides (`rules/policy.toml`).
//!
//! Each category has a ladder of thresholds; the action is the most severe rung any category
//! reaches. A rule's own minimum `action` can only raise it.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::event::{Kind, Role};
use crate::state::StateConfig;
use crate::verdict::{Action, Category, Reason, Scores, Source};

/// Thresholds of one category: an action applies when the score is at least its value.
pub type Ladder = Vec<(Action, f32)>;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKindPolicy {
    #[serde(default)]
    spam: HashMap<String, f32>,
    #[serde(default)]
    scam: HashMap<String, f32>,
    #[serde(default)]
    doxing: HashMap<String, f32>,
    #[serde(default)]
    abuse: HashMap<String, f32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroupPolicy {
    message: Option<RawKindPolicy>,
    join_request: Option<RawKindPolicy>,
    /// Rule tags this group allows (`["promotion"]`: selling is fine here).
    #[serde(default)]
    allow: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    message: RawKindPolicy,
    join_request: RawKindPolicy,
    #[serde(default)]
    group: HashMap<String, RawGroupPolicy>,
    /// How the classifier's probabilities join the rule scores (optional).
    #[serde(default)]
    model: Option<crate::model::Fusion>,
    #[serde(default)]
    trust: Trust,
    #[serde(default)]
    quoted: Quoted,
    /// Quotas and windows of the stateful stages.
    #[serde(default)]
    state: StateConfig,
}

/// `[trust]`: what jaga may do on its own to messages of admins and trusted members.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Trust {
    /// The most severe action for an admin's or a trusted member's event (default review:
    /// an admin looks, nothing happens on its own).
    pub max_action: Action,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            max_action: Action::Review,
        }
    }
}

/// `[quoted]`: evidence quoted in a warning or a report.
///
/// A member warning others quotes the scam, a victim quotes what was said to her, an admin's
/// notice quotes what is banned. When one of the `frame` rules fired (the message is a
/// warning or a report), a rule's reason whose every span lies inside quotation marks counts
/// for nothing: its score becomes 0 and its rule's minimum action does not apply. Evidence
/// outside the quotes still counts, so a "hati-hati" in front of a real scam cancels nothing.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Quoted {
    /// Ids of the rules that say a message warns or reports (`safety.warning`, ...); none:
    /// quotations count like any other text.
    pub frame: Vec<String>,
}

/// Ladders for both event kinds.
#[derive(Debug, Clone, PartialEq)]
pub struct KindLadders {
    pub message: [Ladder; 4],
    pub join_request: [Ladder; 4],
}

impl KindLadders {
    fn get(&self, kind: Kind) -> &[Ladder; 4] {
        match kind {
            Kind::Message => &self.message,
            Kind::JoinRequest => &self.join_request,
        }
    }
}

/// The compiled policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub default: KindLadders,
    /// Looked up for every event's group (and its slug): foldhash, not SipHash, which cost
    /// more than the lookup's use. Randomly seeded per map, like the standard one.
    pub groups: foldhash::HashMap<String, KindLadders>,
    /// The `[model]` table: how the classifier's probabilities enter the scores.
    pub fusion: crate::model::Fusion,
    /// The `[trust]` table.
    pub trust: Trust,
    /// The `[quoted]` table.
    pub quoted: Quoted,
    /// The `[state]` table: quotas and windows of the stateful stages.
    pub state: StateConfig,
    /// Per group, the id prefixes of the rule tags it allows (`allow = ["promotion"]`).
    pub allow: foldhash::HashMap<String, Vec<&'static str>>,
}

/// What the policy decided for one event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub category: Option<Category>,
    pub action: Action,
}

impl Policy {
    pub fn load(path: &Path) -> Result<Policy, String> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{}: cannot read the policy: {e}; every rules directory needs a policy.toml",
                path.display()
            )
        })?;
        Policy::parse(&src).map_err(|e| format!("{}:{e}", path.display()))
    }

    /// Parses policy TOML; errors start with the line number.
    pub fn parse(src: &str) -> Result<Policy, String> {
        let raw: RawPolicy = toml::from_str(src).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                src[..s.start.min(src.len())].matches('\n').count() + 1
            });
            format!("{line}: {}", e.message().trim())
        })?;
        let default = KindLadders {
            message: ladders(&raw.message, None, Kind::Message)?,
            join_request: ladders(&raw.join_request, None, Kind::JoinRequest)?,
        };
        let mut groups = foldhash::HashMap::default();
        let mut allow = foldhash::HashMap::default();
        for (name, g) in &raw.group {
            let mut prefixes = Vec::new();
            for tag in &g.allow {
                let p = crate::rules::tag_prefix(tag).ok_or_else(|| {
                    format!(
                        " group `{name}`: allow names `{tag}`, which is not a rule tag; known tags: {}",
                        crate::rules::TAGS.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
                    )
                })?;
                prefixes.push(p);
            }
            if !prefixes.is_empty() {
                allow.insert(slug(name), prefixes);
            }
            let message = ladders(
                g.message.as_ref().unwrap_or(&RawKindPolicy::default()),
                Some(&default.message),
                Kind::Message,
            )
            .map_err(|e| format!("group `{name}`: {e}"))?;
            let join_request = ladders(
                g.join_request.as_ref().unwrap_or(&RawKindPolicy::default()),
                Some(&default.join_request),
                Kind::JoinRequest,
            )
            .map_err(|e| format!("group `{name}`: {e}"))?;
            groups.insert(
                slug(name),
                KindLadders {
                    message,
                    join_request,
                },
            );
        }
        let fusion = raw.model.unwrap_or_default();
        fusion.check().map_err(|e| format!(" {e}"))?;
        raw.state.validate().map_err(|e| format!(" {e}"))?;
        Ok(Policy {
            default,
            groups,
            fusion,
            trust: raw.trust,
            quoted: raw.quoted,
            state: raw.state,
            allow,
        })
    }

    /// Whether `group` allows the kind of rule behind a reason (a rule tag it lists in
    /// `allow`, recognised by the tag's id prefix): such a reason is reported, not acted on.
    pub fn allows(&self, group: &str, reason: &Reason) -> bool {
        self.tables(group).allows(reason)
    }

    /// The tables that apply to `group`, looked up once so that scoring an event slugs its
    /// group name at most once (not on every lookup of every reason).
    pub fn tables(&self, group: &str) -> GroupTables<'_> {
        self.tables_cached(group, &mut SlugCache::default())
    }

    /// [`Policy::tables`] with the group names already slugged remembered in `cache` (an
    /// engine keeps one per scratch): a stream's events come from a few groups, so each
    /// name is slugged once, not once per event.
    pub fn tables_cached(&self, group: &str, cache: &mut SlugCache) -> GroupTables<'_> {
        // Most policies have few groups and most events come from groups without tables: no
        // slug to compute then.
        let exact = (!group.is_empty())
            .then(|| self.groups.get(group))
            .flatten();
        let needs_slug = !self.allow.is_empty()
            || (exact.is_none() && !self.groups.is_empty() && !group.is_empty());
        let key = if needs_slug { cache.slug(group) } else { "" };
        let ladders = match exact {
            Some(l) => Some(l),
            None if group.is_empty() => None,
            None => self.groups.get(key),
        };
        GroupTables {
            ladders: ladders.unwrap_or(&self.default),
            allow: self.allow.get(key).map_or(&[], Vec::as_slice),
        }
    }

    /// THE decision: scores a verdict's reasons (noisy-OR per category, shadow reasons left
    /// out; rule, signal, stateful and model reasons alike) and decides the action. Reasons
    /// of rule kinds the group allows do not count. The model's reasons may lift the action
    /// up to `[model] max_action` only: past it, the action is what the other reasons reach
    /// on their own (or the cap). In a message shaped like a warning or a report (a reason
    /// of the rule `safety.warning`), the cap is `[model] warned_max_action` (review). An admin's or a trusted member's event goes no further
    /// than `[trust] max_action`.
    pub fn decide_reasons(
        &self,
        group: &str,
        kind: Kind,
        role: Role,
        reasons: &[Reason],
        minimum: Option<(Action, Category)>,
    ) -> (Scores, Decision) {
        self.decide_reasons_in(self.tables(group), kind, role, reasons, minimum)
    }

    /// [`Policy::decide_reasons`] with the group's tables already looked up.
    pub fn decide_reasons_in(
        &self,
        group: GroupTables<'_>,
        kind: Kind,
        role: Role,
        reasons: &[Reason],
        minimum: Option<(Action, Category)>,
    ) -> (Scores, Decision) {
        // Reasons of rule kinds the group allows (`allow = ["promotion"]`) do not count.
        let kept: Vec<Reason>;
        let reasons = if group.allow.is_empty() {
            reasons
        } else {
            kept = reasons
                .iter()
                .filter(|r| !group.allows(r))
                .cloned()
                .collect();
            &kept[..]
        };
        let scores = noisy_or(reasons.iter());
        let mut decision = group.decide(kind, &scores, minimum);
        // In a warning or a report, the model may ask for a look, no more.
        let warned = reasons
            .iter()
            .any(|r| r.source == Source::Rule && !r.shadow && r.id == crate::model::WARNING_RULE);
        let mut cap = self.fusion.max_action.for_kind(kind);
        if warned {
            let w = self.fusion.warned_max_action.for_kind(kind);
            if w.severity() < cap.severity() {
                cap = w;
            }
        }
        if decision.action.severity() > cap.severity()
            && reasons.iter().any(|r| r.source == Source::Model)
        {
            let without = noisy_or(reasons.iter().filter(|r| r.source != Source::Model));
            decision.action = group.decide(kind, &without, minimum).action.max(cap);
        }
        let trusted = self.trust.max_action.for_kind(kind);
        if matches!(role, Role::Admin | Role::Trusted)
            && decision.action.severity() > trusted.severity()
        {
            decision.action = trusted;
        }
        (scores, decision)
    }

    /// The most severe action any category reaches, and the category behind it.
    ///
    /// `minimum` is the minimum action demanded by rules that fired, with their category.
    pub fn decide(
        &self,
        group: &str,
        kind: Kind,
        scores: &Scores,
        minimum: Option<(Action, Category)>,
    ) -> Decision {
        self.tables(group).decide(kind, scores, minimum)
    }
}

/// The policy tables of one group (its own or the defaults): see [`Policy::tables`].
#[derive(Debug, Clone, Copy)]
pub struct GroupTables<'a> {
    ladders: &'a KindLadders,
    /// The id prefixes of the rule tags the group allows.
    allow: &'a [&'static str],
}

impl GroupTables<'_> {
    /// Whether the group allows any kind of rule by its tag.
    pub fn allows_some(&self) -> bool {
        !self.allow.is_empty()
    }

    /// See [`Policy::allows`].
    pub fn allows(&self, reason: &Reason) -> bool {
        reason.source == Source::Rule && self.allow.iter().any(|p| reason.id.starts_with(p))
    }

    /// See [`Policy::decide`].
    pub fn decide(
        &self,
        kind: Kind,
        scores: &Scores,
        minimum: Option<(Action, Category)>,
    ) -> Decision {
        let ladders = self.ladders.get(kind);
        let mut action = Action::Allow.for_kind(kind);
        let mut category: Option<(Category, f32)> = None;
        for c in Category::ALL {
            let s = scores.get(c);
            // Noisy-OR arithmetic in f32 lands a hair below round thresholds (1 - 0.6 = 0.39999998).
            let reached = ladders[c.index()]
                .iter()
                .filter(|(_, t)| s + 1e-5 >= *t)
                .map(|(a, _)| *a)
                .fold(None, |acc: Option<Action>, a| {
                    Some(acc.map_or(a, |b| b.max(a)))
                });
            if let Some(a) = reached {
                action = action.max(a);
                if category.is_none_or(|(_, best)| s > best) {
                    category = Some((c, s));
                }
            }
        }
        if let Some((a, c)) = minimum {
            let a = a.for_kind(kind);
            if a.severity() > action.severity() {
                action = a;
            }
            if category.is_none() && a.severity() > 0 {
                category = Some((c, scores.get(c)));
            }
        }
        Decision {
            category: category.map(|(c, _)| c),
            action,
        }
    }
}

fn ladders(
    raw: &RawKindPolicy,
    inherit: Option<&[Ladder; 4]>,
    kind: Kind,
) -> Result<[Ladder; 4], String> {
    let mut out: [Ladder; 4] = Default::default();
    for c in Category::ALL {
        let table = match c {
            Category::Spam => &raw.spam,
            Category::Scam => &raw.scam,
            Category::Doxing => &raw.doxing,
            Category::Abuse => &raw.abuse,
        };
        let mut ladder: Ladder = inherit.map(|l| l[c.index()].clone()).unwrap_or_default();
        for (name, &t) in table {
            let action: Action = name.parse().map_err(|e| format!("{}: {e}", c))?;
            if action.for_kind(kind) != action {
                return Err(format!(
                    "{} {c}: `{action}` is not an action for {}; use {}",
                    kind.as_str(),
                    kind.as_str(),
                    match kind {
                        Kind::Message => "allow, review, hide, remove, mute, ban",
                        Kind::JoinRequest => "approve, review, reject",
                    }
                ));
            }
            if !(0.0..=1.0).contains(&t) {
                return Err(format!(
                    "{} {c}.{action} = {t}: thresholds are between 0 and 1",
                    kind.as_str()
                ));
            }
            ladder.retain(|(a, _)| *a != action);
            ladder.push((action, t));
        }
        ladder.sort_by(|a, b| a.1.total_cmp(&b.1));
        out[c.index()] = ladder;
    }
    Ok(out)
}

/// A group name as a policy key: lowercase letters and digits, every other run of
/// characters one `-` ("ARMY Peduli" and "army-peduli" are the same group).
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    slug_into(name, &mut out);
    out
}

/// [`slug`], written into `out` (cleared first).
fn slug_into(name: &str, out: &mut String) {
    out.clear();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
}

/// Group names and their slugs, remembered for [`Policy::tables_cached`]: a few entries,
/// searched in order, the oldest replaced when full (a community has tens of groups; a
/// stream that meets more only slugs more often).
#[derive(Default, Debug, Clone)]
pub struct SlugCache {
    entries: Vec<(String, String)>,
    next: usize,
}

impl SlugCache {
    const CAPACITY: usize = 16;

    /// The slug of `name`, computed on the first meeting only.
    pub fn slug(&mut self, name: &str) -> &str {
        let i = match self.entries.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None if self.entries.len() < Self::CAPACITY => {
                self.entries.push((name.to_string(), slug(name)));
                self.entries.len() - 1
            }
            None => {
                let i = self.next;
                self.next = (i + 1) % Self::CAPACITY;
                let (n, s) = &mut self.entries[i];
                n.clear();
                n.push_str(name);
                slug_into(name, s);
                i
            }
        };
        &self.entries[i].1
    }
}

impl Policy {
    /// The lowest review threshold of a category, for reports.
    pub fn review_threshold(&self, kind: Kind, c: Category) -> Option<f32> {
        self.default.get(kind)[c.index()]
            .iter()
            .filter(|(a, _)| a.severity() >= 1)
            .map(|(_, t)| *t)
            .reduce(f32::min)
    }
}

/// Each category's score: the noisy-OR of its active (not shadow) reasons.
fn noisy_or<'a>(reasons: impl Iterator<Item = &'a Reason>) -> Scores {
    let mut keep = [1.0f32; 4];
    for r in reasons.filter(|r| !r.shadow) {
        keep[r.category.index()] *= 1.0 - r.score;
    }
    let mut scores = Scores::default();
    for c in Category::ALL {
        scores.set(c, (1.0 - keep[c.index()]).clamp(0.0, 1.0));
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_cache_gives_every_name_its_slug_past_its_capacity() {
        // Forty names cycled three times: the cache fills, then replaces its oldest entries,
        // and a replaced entry must not keep a stale slug.
        let names: Vec<String> = (0..40).map(|i| format!("ARMY Peduli #{i}  ")).collect();
        let mut cache = SlugCache::default();
        for _ in 0..3 {
            for n in &names {
                assert_eq!(cache.slug(n), slug(n));
            }
        }
        assert_eq!(cache.slug("Jastip & GO Korea"), "jastip-go-korea");
        assert_eq!(cache.slug(""), "");
        assert!(cache.entries.len() <= SlugCache::CAPACITY);
    }

    const SRC: &str = r#"
[message]
spam = { review = 0.5, hide = 0.7, remove = 0.9 }
scam = { review = 0.4, remove = 0.8, ban = 0.97 }

[join_request]
spam = { review = 0.5, reject = 0.8 }

[group."army-peduli".message]
spam = { review = 0.3 }
"#;

    fn scores(spam: f32, scam: f32) -> Scores {
        Scores {
            spam,
            scam,
            ..Default::default()
        }
    }

    fn reason(source: Source, score: f32) -> Reason {
        Reason::new(source, "r", Category::Scam, score, Vec::new(), "")
    }

    #[test]
    fn the_model_lifts_a_verdict_up_to_max_action_only() {
        let p = Policy::parse(SRC).unwrap();
        assert_eq!(p.fusion.max_action, Action::Remove);
        let rules = reason(Source::Rule, 0.9);
        let model = reason(Source::Model, 0.75);
        // Rules alone: remove (0.9); with the model 0.975 passes ban (0.97), but the model
        // may only corroborate up to remove.
        let (scores, d) = p.decide_reasons(
            "g",
            Kind::Message,
            Role::Member,
            std::slice::from_ref(&rules),
            None,
        );
        assert_eq!((scores.scam, d.action), (0.9, Action::Remove));
        let both = [rules.clone(), model.clone()];
        let (scores, d) = p.decide_reasons("g", Kind::Message, Role::Member, &both, None);
        assert!(scores.scam > 0.97);
        assert_eq!(d.action, Action::Remove);
        // Rules that reach ban on their own still ban, with or without the model.
        let strong = [reason(Source::Rule, 0.98), model.clone()];
        assert_eq!(
            p.decide_reasons("g", Kind::Message, Role::Member, &strong, None)
                .1
                .action,
            Action::Ban
        );
        // A rule's minimum action is the rules' own evidence.
        let minimum = Some((Action::Ban, Category::Scam));
        assert_eq!(
            p.decide_reasons("g", Kind::Message, Role::Member, &both, minimum)
                .1
                .action,
            Action::Ban
        );
        // A higher cap lets the model tip it.
        let p = Policy::parse(&format!("{SRC}\n[model]\nmax_action = \"ban\"\n")).unwrap();
        assert_eq!(
            p.decide_reasons("g", Kind::Message, Role::Member, &both, None)
                .1
                .action,
            Action::Ban
        );
    }

    #[test]
    fn in_a_warning_the_model_alone_asks_for_review_at_most() {
        let p = Policy::parse(SRC).unwrap();
        let warning = Reason::new(
            Source::Rule,
            crate::model::WARNING_RULE,
            Category::Scam,
            0.0,
            vec![],
            "",
        );
        let d = |rs: &[Reason]| {
            p.decide_reasons("g", Kind::Message, Role::Member, rs, None)
                .1
        };
        // SRC's scam ladder: review 0.4, remove 0.8; the model alone reaches remove.
        let strong = reason(Source::Model, 0.85);
        assert_eq!(d(std::slice::from_ref(&strong)).action, Action::Remove);
        assert_eq!(d(&[strong.clone(), warning.clone()]).action, Action::Review);
        // Rules that reach an action on their own keep it.
        let rules = reason(Source::Rule, 0.85);
        assert_eq!(
            d(&[rules, strong.clone(), warning.clone()]).action,
            Action::Remove
        );
        // A shadow warning does not count.
        let mut shadow = warning.clone();
        shadow.shadow = true;
        assert_eq!(d(&[strong.clone(), shadow]).action, Action::Remove);
        // The cap is the policy's to set.
        let p = Policy::parse(&format!("{SRC}\n[model]\nwarned_max_action = \"allow\"\n")).unwrap();
        let d = p
            .decide_reasons("g", Kind::Message, Role::Member, &[strong, warning], None)
            .1;
        assert_eq!(d.action, Action::Allow);
    }

    #[test]
    fn admins_and_trusted_members_get_review_at_most() {
        let p = Policy::parse(SRC).unwrap();
        let strong = [reason(Source::Rule, 0.99)];
        for (role, want) in [
            (Role::Member, Action::Ban),
            (Role::Admin, Action::Review),
            (Role::Trusted, Action::Review),
        ] {
            let d = p.decide_reasons("g", Kind::Message, role, &strong, None).1;
            assert_eq!((role, d.action), (role, want));
        }
        let p = Policy::parse(&format!("{SRC}\n[trust]\nmax_action = \"allow\"\n")).unwrap();
        let d = p
            .decide_reasons("g", Kind::Message, Role::Admin, &strong, None)
            .1;
        assert_eq!(d.action, Action::Allow);
    }

    #[test]
    fn group_keys_match_group_names_by_slug() {
        assert_eq!(slug("ARMY Peduli 💜"), "army-peduli");
        assert_eq!(slug("army-peduli"), "army-peduli");
        assert_eq!(slug("  Jastip & GO  Korea "), "jastip-go-korea");
        let p = Policy::parse(SRC).unwrap();
        let d = p.decide("ARMY Peduli", Kind::Message, &scores(0.35, 0.0), None);
        assert_eq!(
            d.action,
            Action::Review,
            "the export's group name finds its table"
        );
    }

    #[test]
    fn ladders_and_overrides() {
        let p = Policy::parse(SRC).unwrap();
        let d = p.decide("g", Kind::Message, &scores(0.75, 0.1), None);
        assert_eq!((d.category, d.action), (Some(Category::Spam), Action::Hide));
        let d = p.decide("g", Kind::Message, &scores(0.35, 0.0), None);
        assert_eq!((d.category, d.action), (None, Action::Allow));
        let d = p.decide("army-peduli", Kind::Message, &scores(0.35, 0.0), None);
        assert_eq!(
            (d.category, d.action),
            (Some(Category::Spam), Action::Review)
        );
        let d = p.decide("army-peduli", Kind::Message, &scores(0.95, 0.0), None);
        assert_eq!(
            d.action,
            Action::Remove,
            "unset rungs inherit the default ladder"
        );
        let d = p.decide("g", Kind::Message, &scores(0.6, 0.98), None);
        assert_eq!((d.category, d.action), (Some(Category::Scam), Action::Ban));
    }

    #[test]
    fn join_requests_and_floors() {
        let p = Policy::parse(SRC).unwrap();
        let d = p.decide("g", Kind::JoinRequest, &scores(0.85, 0.0), None);
        assert_eq!(d.action, Action::Reject);
        let d = p.decide("g", Kind::JoinRequest, &scores(0.0, 0.0), None);
        assert_eq!((d.category, d.action), (None, Action::Approve));
        let d = p.decide(
            "g",
            Kind::JoinRequest,
            &scores(0.0, 0.0),
            Some((Action::Remove, Category::Scam)),
        );
        assert_eq!(
            (d.category, d.action),
            (Some(Category::Scam), Action::Reject)
        );
    }

    #[test]
    fn model_table_is_optional_and_checked() {
        let p = Policy::parse(SRC).unwrap();
        assert_eq!(p.fusion, crate::model::Fusion::default());
        let src = format!("{SRC}\n[model]\nfloor = 0.6\nweight = {{ spam = 0.5 }}\n");
        let p = Policy::parse(&src).unwrap();
        assert_eq!((p.fusion.floor, p.fusion.weight.spam), (0.6, 0.5));
        assert_eq!(
            p.fusion.weight.scam, 0.75,
            "unset weights keep their default"
        );
        let e = Policy::parse(&format!("{SRC}\n[model]\nweight = {{ spam = 2.0 }}\n")).unwrap_err();
        assert!(e.contains("weight.spam = 2"), "{e}");
        let e = Policy::parse(&format!("{SRC}\n[model]\nbias = 1\n")).unwrap_err();
        assert!(e.contains("unknown field `bias`"), "{e}");
        // review_at: a probability above the floor (at or below it the model adds nothing).
        let p = Policy::parse(&format!("{SRC}\n[model]\nreview_at = {{ doxing = 0.7 }}\n"));
        let at = p.unwrap().fusion.review_at;
        assert_eq!((at.doxing, at.abuse), (Some(0.7), None));
        let e = Policy::parse(&format!("{SRC}\n[model]\nreview_at = {{ doxing = 0.4 }}\n"))
            .unwrap_err();
        assert!(
            e.contains("review_at.doxing = 0.4") && e.contains("floor (0.5)"),
            "{e}"
        );
        let e =
            Policy::parse(&format!("{SRC}\n[model]\nreview_at = {{ ok = 0.7 }}\n")).unwrap_err();
        assert!(e.contains("unknown field `ok`"), "{e}");
        let src = format!("{SRC}\n[model]\nreview_needs = {{ abuse = \"abuse.model_context\" }}\n");
        let needs = Policy::parse(&src).unwrap().fusion.review_needs;
        assert_eq!(
            (
                needs.id(crate::model::Label::Abuse),
                needs.id(crate::model::Label::Spam)
            ),
            (Some("abuse.model_context"), None)
        );
    }

    #[test]
    fn a_group_can_allow_promotion() {
        let src = format!("{SRC}\n[group.\"Jastip & GO Korea\"]\nallow = [\"promotion\"]\n");
        let p = Policy::parse(&src).unwrap();
        let promo = Reason::new(
            Source::Rule,
            "promo.selling",
            Category::Spam,
            0.8,
            vec![],
            "",
        );
        let other = Reason::new(
            Source::Rule,
            "gambling.slot",
            Category::Spam,
            0.8,
            vec![],
            "",
        );
        let d = |g: &str, r: &Reason| {
            p.decide_reasons(
                g,
                Kind::Message,
                Role::Member,
                std::slice::from_ref(r),
                None,
            )
            .1
            .action
        };
        assert_eq!(d("Jastip & GO Korea", &promo), Action::Allow);
        assert_eq!(d("Fanbase Umum", &promo), Action::Hide);
        assert_eq!(
            d("Jastip & GO Korea", &other),
            Action::Hide,
            "only the allowed tag"
        );
        let e = Policy::parse(&format!("{SRC}\n[group.x]\nallow = [\"promo\"]\n")).unwrap_err();
        assert!(e.contains("not a rule tag"), "{e}");
    }

    #[test]
    fn errors_name_the_line() {
        let e = Policy::parse("[message]\nspam = { review = 0.5, delete = 0.9 }\n[join_request]\n")
            .unwrap_err();
        assert!(e.contains("unknown action `delete`"), "{e}");
        let e = Policy::parse("[message]\n[join_request]\nspam = { hide = 0.5 }\n").unwrap_err();
        assert!(e.contains("not an action for join_request"), "{e}");
        let e = Policy::parse("[message]\nspam = 3\n").unwrap_err();
        assert!(e.starts_with("2:"), "{e}");
    }
}
