//! Built-in detector signals: evidence found by the pipeline's stages rather than by an
//! admin's keyword or regex.
//!
//! Stages report [`Finding`]s; rules turn them into scored reasons with `signal = "..."`
//! (see `rules/links.toml`, `rules/evasion.toml`), so an admin tunes every score in TOML
//! and `expr` can combine signals with keyword rules.

use std::fmt;
use std::str::FromStr;

macro_rules! signals {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// One kind of evidence a built-in stage can report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Signal {
            $(#[doc = $doc] $variant,)*
        }

        impl Signal {
            /// Every signal, in declaration order.
            pub const ALL: &'static [Signal] = &[$(Signal::$variant,)*];

            /// The name used in rule files and verdicts.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Signal::$variant => $name,)*
                }
            }

            /// What the signal means, for `jaga rules check` and the README.
            pub fn description(self) -> &'static str {
                match self {
                    $(Signal::$variant => $doc,)*
                }
            }
        }

        impl FromStr for Signal {
            type Err = String;
            fn from_str(s: &str) -> Result<Signal, String> {
                match s {
                    $($name => Ok(Signal::$variant),)*
                    _ => Err(format!(
                        "unknown signal `{s}`; known signals: {}",
                        [$($name,)*].join(", ")
                    )),
                }
            }
        }
    };
}

signals! {
    Link => "link.any": "the message contains a link (URL or bare domain)",
    LinkUnofficial => "link.unofficial": "a link whose domain is not one of the protected brands' official domains (rules/lists/brands.txt)",
    LinkShortener => "link.shortener": "a link through a URL shortener (list: rules/lists/shorteners.txt)",
    LinkLookalike => "link.lookalike": "a domain that imitates a protected brand (rules/lists/brands.txt) without being it",
    LinkPunycode => "link.punycode": "an internationalised (xn--) domain",
    LinkMixedScript => "link.mixed_script": "a domain mixing Latin with Cyrillic or Greek letters",
    LinkAbusedTld => "link.abused_tld": "a domain under a top-level domain common in abuse (rules/lists/abused-tlds.txt)",
    LinkRawIp => "link.raw_ip": "a URL whose host is a raw IP address",
    LinkApk => "link.apk": "a link to an Android .apk file",
    LinkInvite => "link.invite": "an invite link to another WhatsApp group or Telegram chat",
    AttachmentApk => "attachment.apk": "an attached Android .apk (or other executable) file",
    ZeroWidth => "obfuscation.zero_width": "zero-width or format characters inside a word",
    MixedScript => "obfuscation.mixed_script": "a word mixing Latin with Cyrillic or Greek look-alike letters",
    Styled => "obfuscation.styled": "styled Unicode letters (math bold, fullwidth, circled...) standing in for plain ones",
    Spaced => "obfuscation.spaced": "a word spelled with s p a c e d or s.e.p.a.r.a.t.e.d letters",
    Leet => "obfuscation.leet": "digits or symbols standing in for letters inside a word (l33t)",
    PiiNik => "pii.nik": "a valid NIK (national ID: real province, date of birth, serial) that is not the sender's own",
    PiiKk => "pii.kk": "a valid KK (family card) number, with KK context",
    PiiPhone => "pii.phone": "a valid phone number (libphonenumber) that is not self-disclosed or a scam warning",
    PiiEmail => "pii.email": "an e-mail address that is not self-disclosed",
    PiiNpwp => "pii.npwp": "an NPWP (tax id) with NPWP context and a valid check digit",
    PiiBankAccount => "pii.bank_account": "a bank account number (only with account context, plausible length for the bank) that is not an official or donation account",
    PiiCard => "pii.card": "a payment card number (issuer prefix + Luhn)",
    PiiIban => "pii.iban": "an IBAN (mod-97 check)",
    PiiAddress => "pii.address": "a street address (Jl./Gg./No./RT/RW/Kel./Kec./Kab./Kota/Perum/Blok/kos, or number + street) that is not a public venue",
    PiiLocation => "pii.location": "GPS coordinates, a map link with a place, or a shared live location",
    PiiPlate => "pii.plate": "a licence plate, with vehicle context (plat, nopol, mobilnya)",
    PiiHandle => "pii.handle": "a social handle exposed as someone's real account (akun asli, real account)",
    DoxingExposure => "pii.exposure": "personal data together with exposure intent (spill, sebarin, datengin, dox, leak) about a third person",
    FloodUser => "flood.user": "more messages from this user in this group than the `[state.flood] user` quota allows",
    FloodGroup => "flood.group": "more messages in this group (all users together) than the `[state.flood] group` quota allows",
    RaidJoinWave => "raid.join_wave": "a join request while the group is on hold after a join wave (`[state.raid]`)",
    RaidFreshAccount => "raid.fresh_account": "a link, invite or attachment from an account that joined moments ago",
    RaidFreshInWave => "raid.fresh_in_wave": "a first message (or a link) from an account that joined during a join wave",
    CrossPost => "cross_post.same_text": "the same or nearly the same text from this user in several groups of the community (`[state.cross_post]`)",
}

impl Signal {
    /// This signal's bit in a per-message set of signals (there are fewer than 64).
    pub fn bit(self) -> u64 {
        1 << (self as u32)
    }

    /// Signals of the doxing stage (`pii.*`).
    pub fn is_doxing(self) -> bool {
        self.family() == "pii"
    }

    /// Signals of the stateful stages (`flood.*`, `raid.*`, `cross_post.*`): evidence from the
    /// stream of events, found by [`crate::state`], not in this event's text.
    pub fn is_stateful(self) -> bool {
        matches!(self.family(), "flood" | "raid" | "cross_post")
    }

    /// The stage family: the part of the name before the dot (`link`, `obfuscation`, `pii`...).
    pub fn family(self) -> &'static str {
        let s = self.as_str();
        s.split_once('.').map_or(s, |(f, _)| f)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of evidence: a signal, where it is in the original text, and what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What was found.
    pub signal: Signal,
    /// Byte span into the original text (or into the attachment name for attachments).
    pub start: usize,
    /// Byte offset after the last byte (as `start`).
    pub end: usize,
    /// What was found, for the admin: a domain, a file name, the folded word, a masked value.
    pub detail: String,
    /// How strongly this finding counts, in `[0, 1]`: a signal rule scores `score * weight`.
    /// 1 for most stages; the doxing stage lowers it for personal data without context.
    pub weight: f32,
    /// For personal data: its kind, validation and masked value.
    pub pii: Option<Box<crate::verdict::PiiEntity>>,
}

impl Finding {
    /// A finding of `signal` at `[start, end)` with weight 1 and no personal data.
    pub fn new(signal: Signal, start: usize, end: usize, detail: impl Into<String>) -> Finding {
        Finding {
            signal,
            start,
            end,
            detail: detail.into(),
            weight: 1.0,
            pii: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_fit_in_a_u64_set() {
        assert!(Signal::ALL.len() <= 64);
    }

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &s in Signal::ALL {
            assert!(seen.insert(s.as_str()), "duplicate signal name {s}");
            assert_eq!(s.as_str().parse::<Signal>(), Ok(s));
            assert!(!s.description().is_empty());
        }
        assert!("link.nope"
            .parse::<Signal>()
            .unwrap_err()
            .contains("link.shortener"));
    }
}
