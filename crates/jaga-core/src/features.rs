//! Features for the classifier: hashed word 1-2-grams and character 3-5-grams over the
//! engine's normalised text, plus a few meta features about links, personal data and shape.
//!
//! Feature hashing needs no vocabulary file: a model is its weights and the
//! [`FeatureConfig`] that says how ids were made. The text is read once into a reusable
//! buffer; nothing is allocated per message once the buffers have grown.
//!
//! A run of digits is folded to one `0` (amounts, phone and account numbers, "cair 5 menit"
//! vs "cair 10 menit" should look alike) and a link becomes the token `_url_` plus its host,
//! so the model learns "a shortener host" rather than one spammer's path.

use serde::{Deserialize, Serialize};

use crate::event::Kind;

/// How text features are hashed. Stored in every model file; a model only loads when the
/// featuriser that runs it has the same configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Version of the hashing scheme and meta features; bumped when ids would change.
    pub scheme: u32,
    /// Hashed ids are in `0..2^hash_bits`.
    pub hash_bits: u8,
    /// Longest word n-gram (1 = unigrams only, 2 = also bigrams).
    pub word_ngrams: u8,
    pub char_min: u8,
    pub char_max: u8,
    /// Characters of normalised text read at most; the rest of a huge message adds nothing.
    pub max_chars: u32,
}

/// The scheme implemented by this build. 3: `meta.obfuscation` no longer counts styled or
/// spaced letters.
pub const SCHEME: u32 = 3;

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            scheme: SCHEME,
            // 2^20 ids: at 2^18 the char n-grams of 80,000 training messages collide so
            // often that held-out F1 drops (README "The classifier").
            hash_bits: 20,
            word_ngrams: 2,
            char_min: 3,
            char_max: 5,
            max_chars: 2000,
        }
    }
}

impl FeatureConfig {
    /// Why this configuration cannot run here, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.scheme != SCHEME {
            return Err(format!(
                "feature scheme {} but this jaga computes scheme {SCHEME}",
                self.scheme
            ));
        }
        if !(8..=24).contains(&self.hash_bits)
            || !(1..=2).contains(&self.word_ngrams)
            || self.char_min == 0
            || self.char_min > self.char_max
            || self.char_max > 8
        {
            return Err(format!("unsupported feature configuration {self:?}"));
        }
        Ok(())
    }

    pub fn dimensions(&self) -> usize {
        1 << self.hash_bits
    }
}

/// Names of the meta features, in the order of [`meta`]'s output.
pub const META: [&str; 13] = [
    "meta.links",
    "meta.suspicious_link",
    "meta.invite_link",
    "meta.apk",
    "meta.personal_data",
    "meta.pii",
    "meta.obfuscation",
    "meta.emoji_ratio",
    "meta.upper_ratio",
    "meta.digit_ratio",
    "meta.length",
    "meta.join_request",
    "meta.first_message",
];

pub const META_LEN: usize = META.len();

/// What the featuriser reads about one event; the engine fills it from its evidence.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// The original text, for case, digits and emoji.
    pub original: &'a str,
    /// The engine's normalised text, for the hashed n-grams.
    pub normalised: &'a str,
    pub kind: Kind,
    pub first_message: bool,
    /// URLs and bare domains found in the text.
    pub links: usize,
    /// A shortener, look-alike brand, punycode, mixed-script, abused-TLD or raw-IP link.
    pub suspicious_link: bool,
    pub invite_link: bool,
    /// An .apk link or attachment.
    pub apk: bool,
    /// Phone numbers and e-mail addresses.
    pub personal_data: usize,
    /// A finding of the doxing stage (`pii.*`): personal data that is not the sender's own.
    pub pii: bool,
    /// An evasion finding that disguises a word: zero-width characters, mixed-script
    /// look-alikes, l33t. Not styled or spaced letters, which ordinary chat uses too.
    pub obfuscation: bool,
}

/// Reusable buffers for [`hashed`].
#[derive(Debug, Default, Clone)]
pub struct Buffers {
    /// The text as folded characters, words separated by exactly one space.
    chars: Vec<u32>,
    /// Word hashes in order.
    words: Vec<u64>,
}

const PRIME: u64 = 0x0000_0100_0000_01B3;
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;
const SEED_WORD: u64 = 0xCBF2_9CE4_8422_2325;
const SEED_BIGRAM: u64 = 0x2545_F491_4F6C_DD1D;
const SEED_CHAR: u64 = 0x6A09_E667_F3BC_C908;
const SEED_HOST: u64 = 0xBB67_AE85_84CA_A73B;
const URL_TOKEN: u64 = 0x3C6E_F372_FE94_F82B;

#[inline]
fn step(h: u64, c: u32) -> u64 {
    (h ^ u64::from(c)).wrapping_mul(PRIME)
}

#[inline]
fn finish(h: u64, bits: u8) -> u32 {
    let h = (h ^ (h >> 31)).wrapping_mul(MIX);
    (h >> (64 - u32::from(bits))) as u32
}

/// Whether a whitespace-separated chunk is a link or bare domain.
fn url_host(chunk: &str) -> Option<&str> {
    // Every form below needs a `:` or a `.`; most words have neither, and the substring
    // search for "://" costs more than this byte scan.
    if !chunk.bytes().any(|b| b == b'.' || b == b':') {
        return None;
    }
    let rest = if let Some(i) = memchr::memmem::find(chunk.as_bytes(), b"://") {
        &chunk[i + 3..]
    } else if let Some(r) = chunk.strip_prefix("www.") {
        r
    } else {
        // A bare domain: letters, a dot, then at least two letters of a top-level domain.
        let host_end = chunk.find('/').unwrap_or(chunk.len());
        let host = &chunk[..host_end];
        let dot = host.rfind('.')?;
        let tld = &host[dot + 1..];
        if dot == 0
            || tld.len() < 2
            || !tld.bytes().all(|b| b.is_ascii_lowercase())
            || !host[..dot]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return None;
        }
        host
    };
    let end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    Some(rest[..end].trim_start_matches("www."))
}

/// Appends the hashed id of every word n-gram and character n-gram of `normalised` to
/// `out`, one id per occurrence (repeats stay, so counts are the multiplicities).
pub fn hashed(cfg: &FeatureConfig, normalised: &str, b: &mut Buffers, out: &mut Vec<u32>) {
    for_each_hashed(cfg, normalised, b, |id| out.push(id));
}

/// Calls `emit` with the hashed id of every word n-gram and character n-gram of
/// `normalised`, in the order [`hashed`] lists them. The model sums its weights here
/// directly, without collecting the ids first.
#[inline]
pub fn for_each_hashed(
    cfg: &FeatureConfig,
    normalised: &str,
    b: &mut Buffers,
    mut emit: impl FnMut(u32),
) {
    let bits = cfg.hash_bits;
    b.chars.clear();
    b.words.clear();
    b.chars.push(u32::from(' '));
    let mut budget = cfg.max_chars as usize;
    for chunk in normalised.split_whitespace() {
        if budget == 0 {
            break;
        }
        if let Some(host) = url_host(chunk) {
            b.words.push(URL_TOKEN);
            if !host.is_empty() {
                let h = host.chars().fold(SEED_HOST, |h, c| step(h, u32::from(c)));
                b.words.push(h);
            }
            budget = budget.saturating_sub(chunk.len().min(16));
            continue;
        }
        let mut word = SEED_WORD;
        let mut in_word = false;
        let mut prev_digit = false;
        for c in chunk.chars() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            if c.is_alphanumeric() {
                let digit = c.is_numeric();
                // A run of digits is one `0`: an account or phone number says nothing by
                // its length (fundraisers post them too); a unit like `5jt` stays.
                if !(digit && prev_digit) {
                    let c = if digit { u32::from('0') } else { u32::from(c) };
                    word = step(word, c);
                    b.chars.push(c);
                }
                prev_digit = digit;
                in_word = true;
            } else {
                prev_digit = false;
                if in_word {
                    b.words.push(word);
                    word = SEED_WORD;
                    in_word = false;
                    b.chars.push(u32::from(' '));
                }
            }
        }
        if in_word {
            b.words.push(word);
        }
        if b.chars.last() != Some(&u32::from(' ')) {
            b.chars.push(u32::from(' '));
        }
    }
    let mut prev = None;
    for &w in &b.words {
        emit(finish(w, bits));
        if cfg.word_ngrams >= 2 {
            if let Some(prev) = prev {
                emit(finish(
                    (u64::rotate_left(prev, 23) ^ w ^ SEED_BIGRAM).wrapping_mul(PRIME),
                    bits,
                ));
            }
        }
        prev = Some(w);
    }
    let (lo, hi) = (cfg.char_min as usize, cfg.char_max as usize);
    let chars = &b.chars[..];
    if chars.len() <= 2 {
        return;
    }
    // The n-grams of one start share their prefix hashes. The shipped 3..=5 is unrolled over
    // full windows of five; the last starts (and other configurations) take the general loop.
    let mut start = 0;
    if (lo, hi) == (3, 5) {
        for w in chars.windows(5) {
            let h = step(step(step(SEED_CHAR, w[0]), w[1]), w[2]);
            emit(finish(h ^ 3, bits));
            let h = step(h, w[3]);
            emit(finish(h ^ 4, bits));
            let h = step(h, w[4]);
            emit(finish(h ^ 5, bits));
        }
        start = chars.len().saturating_sub(4);
    }
    for i in start..chars.len() {
        let mut h = SEED_CHAR;
        for (k, &c) in chars[i..chars.len().min(i + hi)].iter().enumerate() {
            h = step(h, c);
            let n = k + 1;
            if n >= lo {
                emit(finish(h ^ n as u64, bits));
            }
        }
    }
}

/// The meta features, each in `[0, 1]`.
pub fn meta(inp: &Inputs) -> [f32; META_LEN] {
    let (mut chars, mut letters, mut upper, mut digits, mut emoji) = (0u32, 0u32, 0u32, 0u32, 0u32);
    let s = inp.original;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        chars += 1;
        // Most text is ASCII: classify the byte without decoding a char (the same answers:
        // an ASCII char is alphabetic or uppercase exactly when its byte is).
        if b < 0x80 {
            i += 1;
            if b.is_ascii_alphabetic() {
                letters += 1;
                upper += u32::from(b.is_ascii_uppercase());
            } else if b.is_ascii_digit() {
                digits += 1;
            }
            continue;
        }
        let Some(c) = s.get(i..).and_then(|t| t.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        if c.is_alphabetic() {
            letters += 1;
            upper += u32::from(c.is_uppercase());
        } else if is_emoji(c) {
            emoji += 1;
        }
    }
    let ratio = |a: u32, b: u32| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let capped = |n: usize, cap: usize| n.min(cap) as f32 / cap as f32;
    [
        capped(inp.links, 3),
        flag(inp.suspicious_link),
        flag(inp.invite_link),
        flag(inp.apk),
        capped(inp.personal_data, 3),
        flag(inp.pii),
        flag(inp.obfuscation),
        ratio(emoji, chars),
        ratio(upper, letters),
        ratio(digits, chars),
        ((1.0 + chars as f32).ln() / 1001f32.ln()).min(1.0),
        flag(inp.kind == Kind::JoinRequest),
        flag(inp.first_message),
    ]
}

fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F)
}

/// Byte spans of the words of `normalised` with their unigram ids, for explaining which
/// words pushed a prediction. Only called for messages the model flags.
pub fn word_spans(cfg: &FeatureConfig, normalised: &str, out: &mut Vec<(u32, usize, usize)>) {
    out.clear();
    let mut start = None;
    let mut word = SEED_WORD;
    let mut read = 0usize;
    let mut prev_digit = false;
    for (i, c) in normalised.char_indices() {
        read += 1;
        if read > cfg.max_chars as usize {
            break;
        }
        if c.is_alphanumeric() {
            let digit = c.is_numeric();
            if !(digit && prev_digit) {
                let c = if digit { '0' } else { c };
                word = step(word, u32::from(c));
            }
            prev_digit = digit;
            start.get_or_insert(i);
        } else {
            prev_digit = false;
            if let Some(s) = start.take() {
                out.push((finish(word, cfg.hash_bits), s, i));
                word = SEED_WORD;
            }
        }
    }
    if let Some(s) = start {
        out.push((finish(word, cfg.hash_bits), s, normalised.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        hashed(
            &FeatureConfig::default(),
            text,
            &mut Buffers::default(),
            &mut out,
        );
        out
    }

    #[test]
    fn counts_word_and_char_ngrams() {
        // "ab cd": words ab, cd, bigram; chars " ab cd " (7) -> 5 trigrams, 4 4-grams, 3 5-grams.
        assert_eq!(ids("ab cd").len(), 3 + 5 + 4 + 3);
        assert!(ids("").is_empty());
        assert!(
            ids("  !!  ").is_empty(),
            "punctuation alone has no features"
        );
    }

    /// The char n-grams as the scheme defines them: for every start, the chained hash of
    /// each length in `lo..=hi` (the straightforward form of the unrolled loop).
    fn char_ngrams_by_definition(cfg: &FeatureConfig, chars: &[u32]) -> Vec<u32> {
        let mut out = Vec::new();
        if chars.len() <= 2 {
            return out;
        }
        for i in 0..chars.len() {
            let mut h = SEED_CHAR;
            for n in 1..=cfg.char_max as usize {
                let Some(&c) = chars.get(i + n - 1) else {
                    break;
                };
                h = step(h, c);
                if n >= cfg.char_min as usize {
                    out.push(finish(h ^ n as u64, cfg.hash_bits));
                }
            }
        }
        out
    }

    #[test]
    fn unrolled_char_ngrams_equal_the_definition() {
        let texts = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "slot gacor hari ini",
            "Привет мир — halo kak 🙂 ya",
            "wd 5jt cair 10 menit https://bit.ly/x www.judi.com",
        ];
        for (lo, hi) in [(3, 5), (2, 4), (1, 8), (5, 5), (3, 3)] {
            let cfg = FeatureConfig {
                char_min: lo,
                char_max: hi,
                ..FeatureConfig::default()
            };
            for text in texts {
                let mut b = Buffers::default();
                let mut all = Vec::new();
                hashed(&cfg, text, &mut b, &mut all);
                let expected = char_ngrams_by_definition(&cfg, &b.chars);
                // Word ids come first: one per word plus one bigram per word after the first.
                let words = b.words.len() + b.words.len().saturating_sub(1);
                assert_eq!(all[words..], expected[..], "{lo}..={hi} on {text:?}");
            }
        }
    }

    #[test]
    fn punctuation_and_digits_fold() {
        assert_eq!(ids("cair 5 menit!!"), ids("cair, 7 menit"));
        assert_eq!(ids("bca 1234567890"), ids("bca 42"), "a digit run is one 0");
        assert_eq!(ids("5jt"), ids("10jt"));
        assert_ne!(ids("5jt"), ids("5 jt"));
        let mut a = ids("slot gacor");
        let mut b = ids("gacor slot");
        assert_ne!(a, b, "bigrams keep word order");
        a.sort_unstable();
        b.sort_unstable();
        assert_ne!(a, b);
    }

    #[test]
    fn links_become_a_token_and_their_host() {
        assert_eq!(
            ids("klik https://bit.ly/abc123"),
            ids("klik http://bit.ly/zzz")
        );
        assert_ne!(ids("klik bit.ly/abc"), ids("klik s.id/abc"));
        assert_eq!(url_host("bit.ly/x"), Some("bit.ly"));
        assert_eq!(url_host("www.example.com:80/a"), Some("example.com"));
        assert_eq!(url_host("hello"), None);
        assert_eq!(url_host("jam 10.30"), None);
    }

    #[test]
    fn ids_stay_in_range_and_are_stable() {
        let cfg = FeatureConfig {
            hash_bits: 10,
            ..FeatureConfig::default()
        };
        let mut out = Vec::new();
        hashed(
            &cfg,
            "Привет мир — halo kak 🙂 ya",
            &mut Buffers::default(),
            &mut out,
        );
        assert!(!out.is_empty());
        assert!(out.iter().all(|&i| i < 1024));
        // The scheme is part of the model contract: these ids must not drift silently.
        let first = ids("pinjol")[0];
        assert_eq!(first, ids("pinjol")[0]);
        assert_eq!(first, ids("PINJOL".to_lowercase().as_str())[0]);
    }

    #[test]
    fn meta_features_are_in_range() {
        let m = meta(&Inputs {
            original: "HALO 123 🙂🙂",
            normalised: "halo 000",
            links: 7,
            kind: Kind::JoinRequest,
            ..Inputs::default()
        });
        assert_eq!(m[0], 1.0);
        assert_eq!(m[11], 1.0);
        assert!(m[7] > 0.1 && m[8] == 1.0 && m[9] > 0.2);
        assert!(m.iter().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(meta(&Inputs::default())[10], 0.0);
    }

    #[test]
    fn meta_counts_chars_as_the_char_iterator_does() {
        // The ASCII fast path must count exactly what a plain walk over chars counts.
        for text in [
            "",
            "HALO kak 123 🙂🙂 ÀÉÎ ǅ ΣΑΣ ｓｌｏｔ 𝐒𝐋𝐎𝐓 \u{200b}x",
            "abc\u{fe0f}DEF 9️⃣",
        ] {
            let (mut chars, mut letters, mut upper, mut digits, mut emoji) = (0, 0, 0, 0, 0);
            for c in text.chars() {
                chars += 1;
                if c.is_alphabetic() {
                    letters += 1;
                    upper += u32::from(c.is_uppercase());
                } else if c.is_ascii_digit() {
                    digits += 1;
                } else if is_emoji(c) {
                    emoji += 1;
                }
            }
            let m = meta(&Inputs {
                original: text,
                ..Inputs::default()
            });
            let ratio = |a: u32, b: u32| if b == 0 { 0.0 } else { a as f32 / b as f32 };
            assert_eq!(m[7], ratio(emoji, chars), "{text}");
            assert_eq!(m[8], ratio(upper, letters), "{text}");
            assert_eq!(m[9], ratio(digits, chars), "{text}");
            assert_eq!(
                m[10],
                ((1.0 + chars as f32).ln() / 1001f32.ln()).min(1.0),
                "{text}"
            );
        }
    }

    #[test]
    fn word_spans_point_at_words() {
        let cfg = FeatureConfig::default();
        let text = "halo, slot gacor";
        let mut spans = Vec::new();
        word_spans(&cfg, text, &mut spans);
        let words: Vec<&str> = spans.iter().map(|&(_, a, b)| &text[a..b]).collect();
        assert_eq!(words, ["halo", "slot", "gacor"]);
        let unigrams = ids("slot");
        assert_eq!(spans[1].0, unigrams[0], "span ids are the unigram ids");
    }

    #[test]
    fn config_check() {
        assert!(FeatureConfig::default().check().is_ok());
        let bad = FeatureConfig {
            scheme: 99,
            ..FeatureConfig::default()
        };
        assert!(bad.check().unwrap_err().contains("scheme 99"));
    }
}
