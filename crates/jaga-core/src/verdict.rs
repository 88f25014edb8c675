//! The output contract: one verdict per event, with the reasons an admin needs to see why.
//!
//! Every reason carries spans into the ORIGINAL text of a named field of the event (`text` or
//! `name`; byte offsets on char boundaries of that field), even when the evidence was found
//! in the normalised text, so a UI can highlight exactly what fired.

use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::event::Kind;

/// The harm categories jaga scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Unsolicited promotion, gambling, invites, floods.
    Spam,
    /// Fraud: phishing, fake giveaways, impersonation, transfer requests.
    Scam,
    /// Someone's personal data exposed (address, school, schedule, NIK).
    Doxing,
    /// Harassment, gender-based abuse, threats, hate.
    Abuse,
}

impl Category {
    /// Every category, in index order.
    pub const ALL: [Category; 4] = [
        Category::Spam,
        Category::Scam,
        Category::Doxing,
        Category::Abuse,
    ];

    /// The category's index in per-category arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in verdicts and rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Spam => "spam",
            Category::Scam => "scam",
            Category::Doxing => "doxing",
            Category::Abuse => "abuse",
        }
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "spam" => Ok(Category::Spam),
            "scam" => Ok(Category::Scam),
            "doxing" => Ok(Category::Doxing),
            "abuse" => Ok(Category::Abuse),
            _ => Err(format!(
                "unknown category `{s}`; use spam, scam, doxing or abuse"
            )),
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the pipeline asks the bot or the admin to do.
///
/// Message actions escalate allow < review < hide < remove < mute < ban; join requests use
/// approve < review < reject. [`Action::for_kind`] translates between the two ladders so a
/// rule's minimum action means the same thing for both kinds of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing to do.
    Allow,
    /// An admin should look.
    Review,
    /// Hide the message until an admin decides (deleted on platforms without hiding).
    Hide,
    /// Delete the message.
    Remove,
    /// Delete and restrict the sender for `[actions] mute_minutes`.
    Mute,
    /// Delete and remove the sender from the group.
    Ban,
    /// Let the join request in.
    Approve,
    /// Decline the join request.
    Reject,
}

impl Action {
    /// Severity on a common ladder: approve ~ allow, reject ~ remove.
    pub fn severity(self) -> u8 {
        match self {
            Action::Allow | Action::Approve => 0,
            Action::Review => 1,
            Action::Hide => 2,
            Action::Remove | Action::Reject => 3,
            Action::Mute => 4,
            Action::Ban => 5,
        }
    }

    /// The same decision on the ladder of `kind`: a join request cannot be hidden or muted,
    /// so hide becomes review and remove/mute/ban become reject.
    pub fn for_kind(self, kind: Kind) -> Action {
        match (kind, self) {
            (Kind::Message, Action::Approve) => Action::Allow,
            (Kind::Message, Action::Reject) => Action::Remove,
            (Kind::Message, a) => a,
            (Kind::JoinRequest, Action::Allow | Action::Approve) => Action::Approve,
            (Kind::JoinRequest, Action::Review | Action::Hide) => Action::Review,
            (Kind::JoinRequest, _) => Action::Reject,
        }
    }

    /// The more severe of two actions.
    pub fn max(self, other: Action) -> Action {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// The name used in verdicts and policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Review => "review",
            Action::Hide => "hide",
            Action::Remove => "remove",
            Action::Mute => "mute",
            Action::Ban => "ban",
            Action::Approve => "approve",
            Action::Reject => "reject",
        }
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "allow" => Action::Allow,
            "review" => Action::Review,
            "hide" => Action::Hide,
            "remove" => Action::Remove,
            "mute" => Action::Mute,
            "ban" => Action::Ban,
            "approve" => Action::Approve,
            "reject" => Action::Reject,
            _ => {
                return Err(format!(
                    "unknown action `{s}`; use allow, review, hide, remove, mute, ban (messages) or approve, review, reject (join requests)"
                ))
            }
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which stage produced a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A keyword, regex or `expr` rule from the rule files.
    Rule,
    /// A rule over a link or attachment signal.
    Link,
    /// A rule over an evasion signal (look-alikes, zero-width, spacing, l33t).
    Obfuscation,
    /// A rule over a personal-data signal of the doxing stage.
    Doxing,
    /// A rule over a stateful signal: a user or group over its message quota.
    Flood,
    /// A rule over a stateful signal: a join wave, or a fresh account posting right after
    /// joining.
    Raid,
    /// A rule over a stateful signal: the same text from one user in several groups.
    CrossPost,
    /// The classifier's probability for a category (`models/jaga.model`).
    Model,
}

/// Which text of the event a span points into.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    #[default]
    /// The message text (or a join request's bio).
    Text,
    /// The sender's display name.
    Name,
    /// An attachment's file name.
    Attachment,
}

impl Field {
    /// The name used in verdicts.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Text => "text",
            Field::Name => "name",
            Field::Attachment => "attachment",
        }
    }
}

/// Where a piece of evidence is: byte offsets `[start, end)` into the ORIGINAL text of one
/// field of the event, on char boundaries of that field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "SpanRepr")]
pub struct Span {
    /// The field of the event the span points into.
    pub field: Field,
    /// Byte offset of the first byte, on a char boundary of the field.
    pub start: usize,
    /// Byte offset after the last byte, on a char boundary of the field.
    pub end: usize,
}

/// What a span reads from: the contract's object, or the `[start, end]` pair into the text
/// that verdicts stored before spans named their field carry.
#[derive(Deserialize)]
#[serde(untagged)]
enum SpanRepr {
    Named {
        field: Field,
        start: usize,
        end: usize,
    },
    Legacy([usize; 2]),
}

impl From<SpanRepr> for Span {
    fn from(r: SpanRepr) -> Span {
        match r {
            SpanRepr::Named { field, start, end } => Span { field, start, end },
            SpanRepr::Legacy([start, end]) => Span::text(start, end),
        }
    }
}

impl Span {
    /// A span into the event's text.
    pub fn text(start: usize, end: usize) -> Span {
        Span {
            field: Field::Text,
            start,
            end,
        }
    }

    /// The slice of the event's field this span points into, or `None` when it does not
    /// fit (a span from another event).
    pub fn slice<'a>(&self, ev: &'a crate::event::Event) -> Option<&'a str> {
        let s = match self.field {
            Field::Text => ev.text.as_str(),
            Field::Name => ev.name.as_str(),
            Field::Attachment => return None,
        };
        s.get(self.start..self.end)
    }
}

/// One piece of evidence behind a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Which stage produced it.
    pub source: Source,
    /// The rule that fired (or `model.<label>` for the classifier).
    pub id: String,
    /// The category the evidence counts towards.
    pub category: Category,
    #[serde(serialize_with = "round3")]
    /// The rule's score, scaled by the finding's weight, in `[0, 1]`; 0 for evidence quoted
    /// in a warning or a report (`[quoted]` in the policy).
    pub score: f32,
    /// Where the evidence is: each span names the field it points into.
    pub spans: Vec<Span>,
    /// What matched, as found (normalised for keywords, so an admin sees what the evasion meant);
    /// it starts `quoted: ` where the evidence was quoted in a warning or a report.
    pub matched: String,
    /// Personal data behind a doxing reason: kind, span, validation and masked value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<PiiEntity>,
    /// A shadow rule is scored and reported here but never acts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shadow: bool,
}

impl Reason {
    /// An active reason without personal-data entities; stages that need entities or
    /// shadow set them on the result.
    pub fn new(
        source: Source,
        id: impl Into<String>,
        category: Category,
        score: f32,
        spans: Vec<Span>,
        matched: impl Into<String>,
    ) -> Reason {
        Reason {
            source,
            id: id.into(),
            category,
            score,
            spans,
            matched: matched.into(),
            entities: Vec::new(),
            shadow: false,
        }
    }
}

/// One piece of personal data found in a message. The full value is kept only when the
/// admin asked for it (`--show-pii`); otherwise only the masked form leaves the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PiiEntity {
    /// nik, kk, phone, email, npwp, bank_account, card, iban, address, location, plate, handle.
    pub kind: String,
    /// Byte span into the original text.
    pub span: [usize; 2],
    /// Why it counts: "valid NIK: Jawa Timur, born 12-05-90, female", "valid mobile (ID)".
    pub validation: String,
    /// The value with most characters hidden: `3578********0001`, `0812****0491`.
    pub masked: String,
    /// The full value, only with `--show-pii`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Per-category scores in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
pub struct Scores {
    /// Unsolicited promotion and spam.
    pub spam: f32,
    /// Fraud.
    pub scam: f32,
    /// Exposure of personal data.
    pub doxing: f32,
    /// Abuse and harassment.
    pub abuse: f32,
}

impl Scores {
    /// The score of one category.
    pub fn get(&self, c: Category) -> f32 {
        match c {
            Category::Spam => self.spam,
            Category::Scam => self.scam,
            Category::Doxing => self.doxing,
            Category::Abuse => self.abuse,
        }
    }

    /// Sets the score of one category.
    pub fn set(&mut self, c: Category, v: f32) {
        match c {
            Category::Spam => self.spam = v,
            Category::Scam => self.scam = v,
            Category::Doxing => self.doxing = v,
            Category::Abuse => self.abuse = v,
        }
    }
}

impl Serialize for Scores {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(4))?;
        for c in Category::ALL {
            m.serialize_entry(c.as_str(), &rounded(self.get(c)))?;
        }
        m.end()
    }
}

fn rounded(v: f32) -> f64 {
    (f64::from(v) * 1000.0).round() / 1000.0
}

fn round3<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(rounded(*v))
}

/// The verdict for one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The event's id, as received.
    pub id: String,
    /// Message or join request.
    pub kind: Kind,
    /// `None` serialises as `"ok"`: no category reached its review threshold.
    #[serde(
        serialize_with = "category_or_ok",
        deserialize_with = "category_from_ok"
    )]
    pub category: Option<Category>,
    /// What to do; on the ladder of the event's kind.
    pub action: Action,
    /// Per-category scores, noisy-OR of the reasons.
    pub scores: Scores,
    /// The reasons that count, most important first: every rule and detector with a score
    /// or a minimum action that fired (quoted and shadow ones included, marked), the
    /// classifier's, and, when the event is flagged, the evidence of doxing helpers (the
    /// review store masks their spans).
    pub reasons: Vec<Reason>,
    /// Helper rules (score 0, no action) that fired, by id: they count only through the
    /// rules built on them, whose reasons carry their spans. Kept out of `reasons`, where
    /// they were two thirds of a verdict's JSON on an ordinary feed. Doxing helpers are
    /// here only when the event is allowed or approved (a flagged event keeps their reasons).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub helpers: Vec<String>,
    /// The spans of the doxing helpers listed in `helpers` (an event left alone keeps no
    /// reason for them). Never serialised: they exist for the review store to mask when
    /// such an event becomes a case anyway, on a member's report.
    #[serde(skip)]
    pub doxing_helper_spans: Vec<Span>,
}

fn category_or_ok<S: Serializer>(c: &Option<Category>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.map_or("ok", Category::as_str))
}

fn category_from_ok<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Category>, D::Error> {
    let s = String::deserialize(d)?;
    if s == "ok" {
        Ok(None)
    } else {
        s.parse().map(Some).map_err(serde::de::Error::custom)
    }
}

impl Verdict {
    /// `ok` or the category name, as it appears in JSON.
    pub fn category_str(&self) -> &'static str {
        self.category.map_or("ok", Category::as_str)
    }

    /// Whether any active (non-shadow) rule or detector fired, helpers included.
    pub fn fired(&self, id: &str) -> bool {
        self.reasons.iter().any(|r| r.id == id && !r.shadow) || self.helpers.iter().any(|h| h == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_the_contract_shape() {
        let v = Verdict {
            id: "m1".into(),
            kind: Kind::Message,
            category: Some(Category::Scam),
            action: Action::Remove,
            scores: Scores {
                spam: 0.123_456,
                scam: 0.93,
                doxing: 0.0,
                abuse: 0.0,
            },
            reasons: vec![Reason::new(
                Source::Rule,
                "scam.pinjol",
                Category::Scam,
                0.6,
                vec![Span::text(12, 19)],
                "pinjol",
            )],
            helpers: Vec::new(),
            doxing_helper_spans: Vec::new(),
        };
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"id":"m1","kind":"message","category":"scam","action":"remove","scores":{"spam":0.123,"scam":0.93,"doxing":0.0,"abuse":0.0},"reasons":[{"source":"rule","id":"scam.pinjol","category":"scam","score":0.6,"spans":[{"field":"text","start":12,"end":19}],"matched":"pinjol"}]}"#
        );
        let back: Verdict = serde_json::from_str(&json).unwrap();
        assert_eq!(back.category, Some(Category::Scam));
        assert_eq!(back.reasons[0].spans, vec![Span::text(12, 19)]);
        // Verdicts stored before spans named their field still read.
        let old: Verdict = serde_json::from_str(
            &json.replace(r#"{"field":"text","start":12,"end":19}"#, "[12,19]"),
        )
        .unwrap();
        assert_eq!(old.reasons[0].spans, vec![Span::text(12, 19)]);
        let ok: Verdict =
            serde_json::from_str(&json.replacen(r#""category":"scam""#, r#""category":"ok""#, 1))
                .unwrap();
        assert_eq!(ok.category_str(), "ok");
    }

    #[test]
    fn join_ladder_translation() {
        assert_eq!(Action::Hide.for_kind(Kind::JoinRequest), Action::Review);
        assert_eq!(Action::Ban.for_kind(Kind::JoinRequest), Action::Reject);
        assert_eq!(Action::Reject.for_kind(Kind::Message), Action::Remove);
        assert_eq!(Action::Allow.for_kind(Kind::JoinRequest), Action::Approve);
        assert_eq!(Action::Review.max(Action::Remove), Action::Remove);
        assert_eq!(Action::Ban.max(Action::Hide), Action::Ban);
    }
}
