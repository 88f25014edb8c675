//! The input contract: one event (a group message or a join request) per JSON line.
//!
//! Unknown fields are ignored and every field but the text has a default, so bridges can
//! forward what their platform gives them without reshaping it.

use serde::{Deserialize, Deserializer};

/// What kind of event this is; join requests get approve/review/reject actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    /// A message posted in a group.
    Message,
    /// A request to join a group (name, bio or answer in `text`).
    JoinRequest,
}

impl Kind {
    /// The name used in events and verdicts.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Message => "message",
            Kind::JoinRequest => "join_request",
        }
    }
}

/// The sender's role in the group, as the bridge knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    /// An ordinary member (the default).
    Member,
    /// A group admin: never rate-limited, never auto-actioned (`[trust]`).
    Admin,
    /// A member the admins trust (the review store's trusted members): like an admin, never
    /// auto-actioned (`[trust]` in the policy).
    Trusted,
}

impl Role {
    /// The name used in events and rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Trusted => "trusted",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "member" => Ok(Role::Member),
            "admin" => Ok(Role::Admin),
            "trusted" => Ok(Role::Trusted),
            _ => Err(format!("unknown role `{s}`; use member, admin or trusted")),
        }
    }
}

/// A file or media item attached to a message.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
pub struct Attachment {
    #[serde(default)]
    /// What the attachment is (`file`, `image`, `video`...), as the bridge says.
    pub kind: String,
    #[serde(default)]
    /// Its file name, as sent (`Undangan.pdf.apk`).
    pub name: String,
}

/// One message or join request.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
pub struct Event {
    #[serde(default, deserialize_with = "string_or_number")]
    /// The platform's id of the message or request (numbers are accepted and kept as text).
    pub id: String,
    #[serde(default)]
    /// Message or join request.
    pub kind: Kind,
    #[serde(default)]
    /// The community (a WhatsApp Community, a set of Telegram groups) the group belongs to.
    pub community: String,
    #[serde(default)]
    /// The group's name as the chat app shows it (policy group keys match it by slug).
    pub group: String,
    #[serde(default, deserialize_with = "string_or_number")]
    /// The sender's platform id.
    pub user: String,
    #[serde(default)]
    /// The sender's display name (scored by `field = "name"` rules).
    pub name: String,
    #[serde(default)]
    /// The message text, or a join request's bio or answer.
    pub text: String,
    /// Seconds since the Unix epoch; accepts RFC 3339 strings or numbers on input.
    #[serde(default, deserialize_with = "timestamp")]
    pub ts: Option<i64>,
    #[serde(default, deserialize_with = "string_or_number")]
    /// The id of the message this one replies to, when it is a reply.
    pub reply_to: String,
    #[serde(default)]
    /// Whether the message was forwarded from elsewhere.
    pub forwarded: bool,
    #[serde(default)]
    /// Files and media attached to the message.
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    /// The sender's role in the group.
    pub role: Role,
    /// How many messages this user sent in the group before this one.
    #[serde(default)]
    pub member_messages: Option<u64>,
    #[serde(default, deserialize_with = "timestamp")]
    /// When the sender joined the group (Unix seconds), when the bridge knows it.
    pub joined_at: Option<i64>,
}

impl Event {
    /// A plain message with only a text, as `jaga explain` and rule tests build it.
    pub fn message(text: &str) -> Event {
        Event {
            text: text.to_string(),
            ..Event::default()
        }
    }

    /// The first message in the group: `member_messages` is known and zero.
    pub fn is_first_message(&self) -> bool {
        self.kind == Kind::Message && self.member_messages == Some(0)
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        I(i64),
        U(u64),
        F(f64),
        Null(()),
    }
    Ok(match Id::deserialize(d)? {
        Id::S(s) => s,
        Id::I(i) => i.to_string(),
        Id::U(u) => u.to_string(),
        Id::F(f) => f.to_string(),
        Id::Null(()) => String::new(),
    })
}

fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Ts {
        I(i64),
        F(f64),
        S(String),
        Null(()),
    }
    match Ts::deserialize(d)? {
        Ts::I(i) => Ok(Some(i)),
        Ts::F(f) => Ok(Some(f as i64)),
        Ts::Null(()) => Ok(None),
        Ts::S(s) => {
            if let Ok(i) = s.trim().parse::<i64>() {
                return Ok(Some(i));
            }
            parse_rfc3339(&s).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("`{s}` is not an RFC 3339 time or epoch seconds"))
            })
        }
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` into Unix seconds.
///
/// Hand-written because it is the only date format the contract accepts and it keeps a
/// date-time crate out of the hot path.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60
    {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let o = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// Days in month `m` (1-12) of year `y` in the proleptic Gregorian calendar.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day count since 1970-01-01 (the inverse of `days_from_civil`).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let e: Event = serde_json::from_str(
            r#"{"id":"m1","kind":"message","community":"army-id","group":"army-peduli","user":"u1","name":"Rini","text":"halo","ts":"2026-11-24T10:00:00Z","extra":1}"#,
        )
        .unwrap();
        assert_eq!(e.id, "m1");
        assert_eq!(e.kind, Kind::Message);
        assert_eq!(e.ts, Some(1_795_514_400));
        assert_eq!(e.role, Role::Member);
    }

    #[test]
    fn defaults_and_alternative_types() {
        let e: Event = serde_json::from_str(
            r#"{"id":7,"kind":"join_request","ts":1700000000,"user":42,"attachments":[{"kind":"file","name":"undangan.apk"}],"member_messages":0}"#,
        )
        .unwrap();
        assert_eq!(e.id, "7");
        assert_eq!(e.user, "42");
        assert_eq!(e.kind, Kind::JoinRequest);
        assert_eq!(e.ts, Some(1_700_000_000));
        assert_eq!(e.attachments[0].name, "undangan.apk");
        assert!(!e.is_first_message(), "join requests are not messages");
    }

    #[test]
    fn rfc3339_offsets_and_rejections() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T07:00:00+07:00"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00.123Z"),
            Some(1_709_164_800)
        );
        assert_eq!(parse_rfc3339("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert!(serde_json::from_str::<Event>(r#"{"ts":"soon"}"#).is_err());
    }
}
