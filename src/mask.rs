//! Masking of personal data in what the review store shows an admin at a glance: phone-like
//! digit runs, account and ID numbers, and e-mail addresses.
//!
//! The summary columns of the review store go through [`mask_personal_data`]; the full event
//! is kept separately for the admin who opens the case. Long digit runs keep at most their
//! first and last four digits (`081234560491` -> `0812****0491`) so an admin can still tell
//! two numbers apart; an e-mail keeps its first letter and its domain.
//!
//! The seam for richer masks: `extra` spans (byte ranges of the original text, e.g. the spans
//! of `doxing` reasons, which a doxing detector fills with addresses and names) are masked
//! whole, whatever they contain.

/// Digit runs shorter than this are left alone: prices, dates (`24-11-2026` has 8 digits),
/// times, counts. Indonesian phone numbers have 10-13 digits, bank accounts 10-15, a NIK 16.
const MIN_DIGITS: usize = 10;

/// Returns `text` with phone-like runs, long numbers, e-mails and the `extra` byte spans
/// masked. Spans that are out of range or not on char boundaries are ignored.
pub fn mask_personal_data(text: &str, extra: &[[usize; 2]]) -> String {
    mask_with(text, &[], extra)
}

/// Like [`mask_personal_data`], and each `(span, masked)` in `replace` (the doxing stage's
/// validated entities with their own masked form, `Jl. Me**** No. **`) is written as given.
pub fn mask_with(text: &str, replace: &[([usize; 2], &str)], extra: &[[usize; 2]]) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let in_extra = |i: usize| {
        extra
            .iter()
            .any(|&[a, b]| a <= i && i < b && b <= text.len())
    };
    let mut i = 0;
    while i < text.len() {
        if let Some(([_, end], masked)) = replace
            .iter()
            .find(|([a, b], _)| *a == i && *b > i && *b <= text.len() && text.is_char_boundary(*b))
        {
            out.push_str(masked);
            i = *end;
            continue;
        }
        if in_extra(i) {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(if c.is_whitespace() { c } else { '*' });
            i += c.len_utf8();
            continue;
        }
        if let Some(end) = email_at(text, i) {
            let at = i + text[i..end].find('@').unwrap_or(0);
            let first = text[i..].chars().next().unwrap_or('*');
            out.push(first);
            out.push_str("***");
            out.push_str(&text[at..end]);
            i = end;
            continue;
        }
        let starts_number = bytes[i].is_ascii_digit()
            || (bytes[i] == b'+' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        let after_word = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'@');
        if starts_number && !after_word {
            let (end, digits) = digit_run(bytes, i);
            if digits.len() >= MIN_DIGITS {
                if bytes[i] == b'+' {
                    out.push('+');
                }
                let keep = 4.min((digits.len() - 4) / 2);
                out.push_str(std::str::from_utf8(&digits[..keep]).unwrap_or(""));
                for _ in keep..digits.len() - keep {
                    out.push('*');
                }
                out.push_str(std::str::from_utf8(&digits[digits.len() - keep..]).unwrap_or(""));
                i = end;
                continue;
            }
            // Copy a short run whole so its tail is not re-examined as a new run.
            out.push_str(&text[i..end]);
            i = end;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// The end of a digit run starting at `start` (digits with single spaces, dashes, dots or
/// brackets between them, as phone numbers are written) and its digits.
fn digit_run(b: &[u8], start: usize) -> (usize, Vec<u8>) {
    let mut digits = Vec::new();
    let mut i = start;
    if b[i] == b'+' {
        i += 1;
    }
    let mut end = i;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            digits.push(b[i]);
            i += 1;
            end = i;
        } else if matches!(b[i], b' ' | b'-' | b'.' | b'(' | b')')
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            i += 1;
        } else {
            break;
        }
    }
    if end < b.len() && b[end].is_ascii_alphabetic() {
        // `12345678abc` is an identifier, not a number; keep it as it is.
        while end < b.len() && b[end].is_ascii_alphanumeric() {
            end += 1;
        }
        return (end, Vec::new());
    }
    (end, digits)
}

/// If an e-mail address starts at `i`, its end.
fn email_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    if !b[i].is_ascii_alphanumeric() || (i > 0 && local(b[i - 1])) {
        return None;
    }
    let mut j = i;
    while j < b.len() && local(b[j]) {
        j += 1;
    }
    if j >= b.len() || b[j] != b'@' || j == i {
        return None;
    }
    let mut k = j + 1;
    let mut dot = false;
    while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'-' || b[k] == b'.') {
        dot |= b[k] == b'.';
        k += 1;
    }
    while k > j + 1 && b[k - 1] == b'.' {
        k -= 1;
    }
    (dot && k > j + 3).then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_ids_and_accounts() {
        assert_eq!(
            mask_personal_data("wa 081234560491 ya", &[]),
            "wa 0812****0491 ya"
        );
        assert_eq!(
            mask_personal_data("hubungi 0812-3456-0491!", &[]),
            "hubungi 0812****0491!"
        );
        assert_eq!(
            mask_personal_data("NIK 3201234567890001", &[]),
            "NIK 3201********0001"
        );
        assert_eq!(
            mask_personal_data("+62 812 3456 0491", &[]),
            "+6281*****0491"
        );
        assert_eq!(mask_personal_data("BCA 1234567890", &[]), "BCA 123****890");
    }

    #[test]
    fn leaves_prices_dates_and_identifiers() {
        let s = "tiket 750000 tgl 24-11-2026 jam 19.30 kode A12345678B";
        assert_eq!(mask_personal_data(s, &[]), s);
    }

    #[test]
    fn emails_and_extra_spans() {
        assert_eq!(
            mask_personal_data("kirim ke rini.s@gmail.com ya", &[]),
            "kirim ke r***@gmail.com ya"
        );
        assert_eq!(mask_personal_data("@admin tolong", &[]), "@admin tolong");
        let s = "rumahnya di Jl. Mawar 5 Bandung";
        assert_eq!(
            mask_personal_data(s, &[[12, 23]]),
            "rumahnya di *** ***** * Bandung"
        );
        // Out-of-range spans are ignored rather than panicking.
        assert_eq!(mask_personal_data("halo", &[[2, 99]]), "halo");
        assert_eq!(mask_personal_data("💜 08123456789", &[]), "💜 081*****789");
        assert_eq!(
            mask_with(
                "di Jl. Melati No. 12 ya",
                &[([3, 20], "Jl. Me**** No. **")],
                &[]
            ),
            "di Jl. Me**** No. ** ya"
        );
    }
}
