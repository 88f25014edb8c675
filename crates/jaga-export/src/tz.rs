//! The time zone of an export's local times.
//!
//! WhatsApp writes the exporting phone's wall-clock time with no zone, and Telegram Desktop's
//! `date` field is local time too (its `date_unixtime` is UTC and is preferred). Events carry
//! UTC, so each local time is converted with the zone the chat lives in: an IANA name such
//! as `Asia/Jakarta`, with its daylight-saving rules where it has them. A local time that a
//! DST change skips is read as the later instant; one that happens twice, as the earlier
//! (RFC 5545's rule, also what phones do).

use std::fmt;
use std::str::FromStr;

/// The zone used when none is given: Western Indonesian Time (UTC+7), where most of jaga's
/// communities are. `jaga scan --tz` (or `JAGA_TZ`) sets another.
pub const DEFAULT_TZ: &str = "Asia/Jakarta";

/// A time zone by IANA name (or `UTC`).
#[derive(Clone, PartialEq)]
pub struct TimeZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl TimeZone {
    /// The zone of an IANA name such as `Asia/Jakarta`, `Europe/Berlin` or `UTC`.
    pub fn get(name: &str) -> Result<TimeZone, String> {
        let tz = jiff::tz::TimeZone::get(name).map_err(|_| {
            format!("unknown time zone `{name}`; use an IANA name such as Asia/Jakarta, Asia/Makassar, Asia/Jayapura, Europe/Berlin or UTC")
        })?;
        Ok(TimeZone {
            name: name.to_string(),
            tz,
        })
    }

    /// Coordinated Universal Time: local times are kept as written.
    pub fn utc() -> TimeZone {
        TimeZone {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// UTC seconds of a local wall-clock time, given as seconds since 1970-01-01T00:00 of
    /// the same calendar (as if the local time were UTC). A time jiff cannot place (outside
    /// the years -9999..=9999) is kept as written.
    pub fn to_utc(&self, local: i64) -> i64 {
        let convert = || -> Result<i64, jiff::Error> {
            let civil = jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::from_second(local)?);
            Ok(self
                .tz
                .to_ambiguous_timestamp(civil)
                .compatible()?
                .as_second())
        };
        convert().unwrap_or(local)
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        // The bundled database always has it; UTC is only a last resort that cannot happen.
        TimeZone::get(DEFAULT_TZ).unwrap_or_else(|_| TimeZone::utc())
    }
}

impl FromStr for TimeZone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        TimeZone::get(s)
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZone({})", self.name)
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jaga_core::event::parse_rfc3339;

    fn local(s: &str) -> i64 {
        parse_rfc3339(&format!("{s}Z")).unwrap()
    }

    fn utc(s: &str) -> i64 {
        parse_rfc3339(s).unwrap()
    }

    #[test]
    fn local_times_become_utc_with_dst() {
        let jkt = TimeZone::default();
        assert_eq!(jkt.name(), "Asia/Jakarta");
        assert_eq!(
            jkt.to_utc(local("2024-03-13T21:16:00")),
            utc("2024-03-13T14:16:00Z")
        );
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(
            berlin.to_utc(local("2024-01-15T10:00:00")),
            utc("2024-01-15T09:00:00Z"),
            "winter: UTC+1"
        );
        assert_eq!(
            berlin.to_utc(local("2024-07-15T10:00:00")),
            utc("2024-07-15T08:00:00Z"),
            "summer: UTC+2"
        );
        // 2024-03-31 02:30 does not exist in Berlin: the later instant.
        assert_eq!(
            berlin.to_utc(local("2024-03-31T02:30:00")),
            utc("2024-03-31T01:30:00Z")
        );
        // 2024-10-27 02:30 happens twice: the earlier.
        assert_eq!(
            berlin.to_utc(local("2024-10-27T02:30:00")),
            utc("2024-10-27T00:30:00Z")
        );
        assert_eq!(TimeZone::utc().to_utc(12345), 12345);
        assert_eq!(TimeZone::get("Asia/Makassar").unwrap().to_utc(8 * 3600), 0);
    }

    #[test]
    fn unknown_names_say_what_to_use() {
        let e = TimeZone::get("Asia/Bandung").unwrap_err();
        assert!(e.contains("unknown time zone `Asia/Bandung`"), "{e}");
        assert!("UTC".parse::<TimeZone>().is_ok());
    }
}
