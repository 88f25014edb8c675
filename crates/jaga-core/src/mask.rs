//! Finds personal data in free text for display (the HTML report): phone-number-like digit
//! runs, ID and account numbers, e-mail addresses, masked in the doxing stage's own format
//! ([`crate::doxing::mask`]: `0812****0491`, `r***@gmail.com`).
//!
//! The doxing stage finds and validates personal data with its context, and puts each entity
//! (span and masked value) in the reasons of the verdict; the report masks those first. This
//! finder is the safety net for everything else shown to a person: a phone number in a
//! message flagged as spam, an account number no doxing rule reported. It masks generously
//! (no validation) because a report may be forwarded.

use std::ops::Range;

/// A piece of personal data found in a text and what to show instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// Byte range in the text (always on ASCII boundaries).
    pub range: Range<usize>,
    pub replacement: String,
}

/// Digits a run needs to count as a phone, account or ID number.
const MIN_DIGITS: usize = 8;

/// Personal data in `text`, in order, non-overlapping.
pub fn find(text: &str) -> Vec<Masked> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'@' {
            if let Some(m) = email_at(b, i, out.last().map_or(0, |m: &Masked| m.range.end)) {
                i = m.range.end;
                out.push(m);
                continue;
            }
        }
        let starts_number =
            b[i].is_ascii_digit() || (b[i] == b'+' && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let after_word = i > 0 && b[i - 1].is_ascii_digit();
        if starts_number && !after_word {
            let (end, masked) = digit_run(b, i);
            if let Some(m) = masked {
                out.push(m);
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

/// `text` with every piece of personal data replaced.
pub fn mask(text: &str) -> String {
    let found = find(text);
    if found.is_empty() {
        return text.to_string();
    }
    let mut s = String::with_capacity(text.len());
    let mut at = 0;
    for m in found {
        s.push_str(&text[at..m.range.start]);
        s.push_str(&m.replacement);
        at = m.range.end;
    }
    s.push_str(&text[at..]);
    s
}

/// A run of digit groups joined by single separators: `+62 812-3456-7890`, `(021) 555 1234`.
/// Returns where the run ends and the mask, when it is personal data and not an amount
/// (`15.000.000`), a date (`12-03-2024`) or a time range (`10.00-12.00`).
fn digit_run(b: &[u8], start: usize) -> (usize, Option<Masked>) {
    let mut i = start;
    if b[i] == b'+' {
        i += 1;
    }
    let mut digits = String::new();
    let mut groups: Vec<usize> = Vec::new();
    let mut seps: Vec<u8> = Vec::new();
    let mut end = i;
    loop {
        let g = i;
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i] as char);
            i += 1;
        }
        if i == g {
            break;
        }
        groups.push(i - g);
        end = i;
        // One separator (or `) ` after an area code) followed by a digit continues the run.
        let mut j = i;
        let sep = match b.get(j) {
            Some(&c @ (b' ' | b'-' | b'.' | b')')) => c,
            _ => break,
        };
        j += 1;
        if sep == b')' && b.get(j) == Some(&b' ') {
            j += 1;
        }
        if !b.get(j).is_some_and(u8::is_ascii_digit) {
            break;
        }
        seps.push(sep);
        i = j;
    }
    if b.get(end).is_some_and(|c| c.is_ascii_alphabetic()) || digits.len() < MIN_DIGITS {
        return (end, None);
    }
    let amount = !seps.is_empty()
        && seps.iter().all(|&s| s == b'.' || s == b',')
        && groups[0] <= 3
        && groups[1..].iter().all(|&g| g == 3);
    let short_groups = groups.len() > 1 && groups.iter().all(|&g| g <= 2);
    let date =
        groups.len() == 3 && digits.len() == 8 && groups.iter().filter(|&&g| g <= 2).count() == 2;
    if amount || short_groups || date {
        return (end, None);
    }
    (
        end,
        Some(Masked {
            range: start..end,
            replacement: crate::doxing::mask::digits(&String::from_utf8_lossy(&b[start..end])),
        }),
    )
}

fn email_at(b: &[u8], at: usize, floor: usize) -> Option<Masked> {
    let local_char =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    let mut s = at;
    while s > floor && local_char(b[s - 1]) {
        s -= 1;
    }
    let mut e = at + 1;
    while e < b.len() && (b[e].is_ascii_alphanumeric() || matches!(b[e], b'.' | b'-')) {
        e += 1;
    }
    while e > at + 1 && b[e - 1] == b'.' {
        e -= 1;
    }
    let domain = std::str::from_utf8(&b[at + 1..e]).ok()?;
    let tld = domain.rsplit('.').next()?;
    if s == at
        || !domain.contains('.')
        || tld.len() < 2
        || !tld.bytes().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    Some(Masked {
        range: s..e,
        replacement: crate::doxing::mask::email(&String::from_utf8_lossy(&b[s..e])),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_ids_and_emails_are_masked() {
        assert_eq!(mask("hubungi 081234560491 ya"), "hubungi 0812****0491 ya");
        assert_eq!(mask("WA +62 812-3456-7890"), "WA 6281*****7890");
        assert_eq!(mask("NIK 3201234567890001"), "NIK 3201********0001");
        assert_eq!(mask("telp (021) 555-1234"), "telp (021****234");
        assert_eq!(mask("rek 12345678"), "rek 123**678");
        assert_eq!(mask("email rini.s@gmail.com."), "email r***@gmail.com.");
        assert_eq!(mask("Sari 💜 0812 3456 7890"), "Sari 💜 0812****7890");
    }

    #[test]
    fn amounts_dates_times_and_short_numbers_stay() {
        for s in [
            "harga Rp 15.000.000 nego",
            "tanggal 12-03-2024 jam 10.00-12.00",
            "2024-03-12",
            "kode 1234567",
            "order INV2024010112345x",
            "@admin tolong",
            "a@b",
            "halo@kak",
        ] {
            assert_eq!(mask(s), s, "{s}");
        }
    }

    #[test]
    fn ranges_are_char_boundaries() {
        let t = "ẞ 081234560491 ✨ x@y.co";
        for m in find(t) {
            assert!(t.is_char_boundary(m.range.start) && t.is_char_boundary(m.range.end));
        }
    }
}
