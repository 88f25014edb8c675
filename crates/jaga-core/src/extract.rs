//! Finds links, e-mail addresses and phone-like numbers in the raw message text.
//!
//! This runs before normalisation on purpose: folding would turn `t.me/sl0t` into `t.me/slot`
//! and `bса.co.id` (Cyrillic `с`) into `bca.co.id`, destroying exactly the evidence the link and
//! doxing stages need. The spans found here are also handed to the normaliser as protected
//! ranges, so that l33t and spacing folding never break a link or a number apart.
//!
//! The scanner is a single forward pass over bytes. Every attempt at a position either succeeds
//! (and the scan resumes after the entity) or reports how far it looked, and the scan never
//! starts another attempt of the same kind inside that stretch, so the cost stays linear even
//! for hostile input like `a.a.a.a…` or `1.1.1.1…`.
//!
//! Deliberate limits: a bare domain needs a known public suffix as its last label (so
//! `dll.hari`, `Rp.50.000`, `a.n.` are not links) but prose like `here.so` still is one; hosts
//! written with styled letters (`𝐭.𝐦𝐞`) are not found here (the normaliser flags those); a phone
//! is anything digit-shaped with 8–16 digits (8–20 when written without separators) that is not
//! money (`1.500.000`), a date or a time range, so a later stage decides what it really is.

/// What an [`Entity`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Url,
    Email,
    Phone,
}

/// One entity: byte offsets into the original text, on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    pub start: usize,
    pub end: usize,
}

impl Entity {
    /// The entity's text in the string it was extracted from (empty if `text` is another string
    /// and the span does not fit it).
    pub fn as_str<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Clears `out`, then pushes the entities in order of `start`, non-overlapping.
pub fn extract(text: &str, out: &mut Vec<Entity>) {
    out.clear();
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    // No link/e-mail attempt starts before this: it is the end of the last run already tried.
    let mut tok_from = 0;
    // No phone attempt starts before this: the end of the last digit group already tried.
    let mut num_from = 0;
    while i < n {
        let c = b[i];
        let (alnum, len) = if c < 0x80 {
            (c.is_ascii_alphanumeric(), 1)
        } else {
            match char_at(text, i) {
                Some(ch) => (is_alnum(ch), ch.len_utf8()),
                // Not on a char boundary: cannot happen as we always step by whole chars, but
                // stepping one byte keeps the loop total.
                None => (false, 1),
            }
        };
        if alnum && i >= tok_from && !prev_is_alnum(text, i) {
            let (found, run_end) = try_link_or_email(text, i);
            if let Some(e) = found {
                out.push(e);
                i = e.end;
                tok_from = e.end;
                continue;
            }
            tok_from = run_end;
            if !c.is_ascii_digit() {
                // Inside the run only a number can still start; skip the letters.
                i = b[i..run_end]
                    .iter()
                    .position(|&x| x.is_ascii_digit() || x == b'+')
                    .map_or(run_end, |k| i + k);
                continue;
            }
        }
        let phone_start = (c.is_ascii_digit() && !(i > 0 && b[i - 1].is_ascii_digit()))
            || ((c == b'+' || c == b'(') && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        if phone_start && i >= num_from {
            match try_phone(b, i) {
                Ok(end) => {
                    out.push(Entity {
                        kind: EntityKind::Phone,
                        start: i,
                        end,
                    });
                    i = end;
                    tok_from = tok_from.max(end);
                    continue;
                }
                Err(scanned) => num_from = scanned,
            }
        }
        i += len;
    }
}

/// `char::is_alphanumeric` with shortcuts for the emoji and symbol blocks, which chat text is
/// full of, and for the math alphanumerics that styled spam is made of: the standard library
/// answers those only after a slow table search. (The math block also holds ten operators such
/// as `𝛁`; counting them as alphanumeric only matters for where a word ends.)
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    match c as u32 {
        0x2190..=0x245f | 0x2500..=0x2775 | 0x2794..=0x2bff | 0x1f200..=0x1faff => false,
        0x1d400..=0x1d7ff => true,
        _ => c.is_alphanumeric(),
    }
}

/// The char starting at byte `i`, if `i` is a char boundary inside `s`.
#[inline]
fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..)?.chars().next()
}

/// Whether the char just before byte `i` is alphanumeric.
#[inline]
fn prev_is_alnum(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    if i == 0 {
        return false;
    }
    let p = b[i - 1];
    if p < 0x80 {
        return p.is_ascii_alphanumeric();
    }
    s.get(..i)
        .and_then(|h| h.chars().next_back())
        .is_some_and(is_alnum)
}

/// Host characters: ASCII alphanumerics, `-`, and non-ASCII alphanumerics (IDN, look-alikes).
/// Returns the char's byte length, or 0 if it is not one. `.` is handled by the callers.
#[inline]
fn host_char_len(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    match b.get(i) {
        None => 0,
        Some(&c) if c < 0x80 => usize::from(c.is_ascii_alphanumeric() || c == b'-'),
        Some(_) => match char_at(s, i) {
            Some(ch) if is_alnum(ch) => ch.len_utf8(),
            _ => 0,
        },
    }
}

/// Tries a link or an e-mail address at a token start. Returns the entity, if any, and how far
/// the token's run of word characters reaches (no new attempt starts inside it).
fn try_link_or_email(s: &str, i: usize) -> (Option<Entity>, usize) {
    let b = s.as_bytes();
    let n = b.len();
    let url = |start, end| {
        Some(Entity {
            kind: EntityKind::Url,
            start,
            end,
        })
    };

    // Explicit scheme: whatever host follows is accepted.
    if matches!(b[i], b'h' | b'H') {
        let after = if starts_with_ci(&b[i..], b"https://") {
            Some(i + 8)
        } else if starts_with_ci(&b[i..], b"http://") {
            Some(i + 7)
        } else {
            None
        };
        if let Some(h) = after {
            if h < n && (host_char_len(s, h) > 0 || b[h] == b'[') {
                let end = url_tail(s, i, h);
                if end > h {
                    return (url(i, end), end);
                }
            }
            return (None, h);
        }
    }

    // The run of characters an e-mail local part may use; if it ends at `@`, try an address.
    let mut j = i;
    let mut dotted = false;
    loop {
        if j < n && b[j].is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        let l = host_char_len(s, j);
        if l > 0 {
            j += l;
        } else if j < n && matches!(b[j], b'.' | b'_' | b'+' | b'%') {
            dotted |= b[j] == b'.';
            j += 1;
        } else {
            break;
        }
    }
    if j < n && b[j] == b'@' && j > i {
        if let Some(d) = scan_domain(s, j + 1) {
            if d.start == j + 1 && d.known_tld {
                return (
                    Some(Entity {
                        kind: EntityKind::Email,
                        start: i,
                        end: d.end,
                    }),
                    d.run_end.max(j),
                );
            }
        }
    }

    // Bare host: `www.` anything, a domain under a known suffix, or an IPv4 address with a port
    // or path.
    if !dotted {
        return (None, j);
    }
    let Some(d) = scan_domain(s, i) else {
        return (None, j);
    };
    let run_end = d.run_end.max(j);
    let www = d.labels >= 2 && starts_with_ci(&b[d.start..d.end], b"www.");
    if !(d.known_tld || www || (d.ipv4 && has_port_or_path(b, d.end))) {
        return (None, run_end);
    }
    // A port or path only follows a host that reaches the end of its run (not `slot.com` in
    // `slot.com.Buruan`).
    let end = if d.end == d.run_end {
        port_and_path(s, d.start, d.end)
    } else {
        d.end
    };
    (url(d.start, end), run_end.max(end))
}

fn has_port_or_path(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        Some(b'/') => true,
        Some(b':') => b.get(i + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    }
}

/// Case-insensitive ASCII prefix test.
#[inline]
fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

struct Domain {
    start: usize,
    /// End of the host (after its last label; a trailing dot is not part of it).
    end: usize,
    /// End of the whole run of host characters and dots that was examined.
    run_end: usize,
    labels: usize,
    known_tld: bool,
    ipv4: bool,
}

/// Scans a run of host characters and dots starting at `i` and picks the host in it: the
/// longest dotted name ending at a label that is a known top-level domain (`slot.com.Buruan`
/// gives `slot.com`), else the longest dotted name at all (only acceptable to the caller for
/// `www.` hosts and IPv4 addresses). Empty labels (`..`) restart the name. `None` if the run
/// holds no dotted name.
fn scan_domain(s: &str, i: usize) -> Option<Domain> {
    let b = s.as_bytes();
    let n = b.len();
    let mut p = i;
    let mut name_start = i;
    let mut label_start = i;
    let mut labels = 0usize;
    let mut label_len = 0usize;
    let mut label_numeric = true;
    // (start, end, labels)
    let mut known: Option<(usize, usize, usize)> = None;
    let mut longest: Option<(usize, usize, usize)> = None;
    loop {
        let l = host_char_len(s, p);
        if l > 0 {
            label_numeric &= l == 1 && b[p].is_ascii_digit();
            label_len += 1;
            p += l;
            continue;
        }
        let at_dot = p < n && b[p] == b'.';
        if label_len > 0 && label_len <= 63 {
            labels += 1;
            if labels >= 2 {
                let cand = Some((name_start, p, labels));
                if !label_numeric && is_known_tld(&b[label_start..p]) {
                    known = cand;
                }
                longest = cand;
            }
        } else {
            // Empty or oversized label: any name restarts after it.
            name_start = p + usize::from(at_dot);
            labels = 0;
        }
        if !at_dot {
            break;
        }
        p += 1;
        label_start = p;
        label_len = 0;
        label_numeric = true;
    }
    let (start, end, labels) = known.or(longest)?;
    Some(Domain {
        start,
        end,
        run_end: p,
        labels,
        known_tld: known.is_some(),
        ipv4: known.is_none() && labels == 4 && ipv4_ok(&b[start..end]),
    })
}

/// Four dot-separated decimal numbers of 1–3 digits, each at most 255.
fn ipv4_ok(host: &[u8]) -> bool {
    let mut parts = 0;
    for part in host.split(|&c| c == b'.') {
        parts += 1;
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let v = part.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
        if v > 255 {
            return false;
        }
    }
    parts == 4
}

/// Whether `label` (any case) is a top-level domain in the public suffix list.
fn is_known_tld(label: &[u8]) -> bool {
    let mut buf = [0u8; 64];
    if label.is_empty() || label.len() > buf.len() {
        return false;
    }
    let lower = &mut buf[..label.len()];
    lower.copy_from_slice(label);
    lower.make_ascii_lowercase();
    psl::suffix(lower).is_some_and(|sfx| sfx.is_known() && sfx.as_bytes() == &*lower)
}

/// After a host ending at `end`: an optional `:port` and an optional path/query/fragment.
fn port_and_path(s: &str, start: usize, mut end: usize) -> usize {
    let b = s.as_bytes();
    if b.get(end) == Some(&b':') {
        let digits = b[end + 1..]
            .iter()
            .take(6)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if (1..=5).contains(&digits) {
            end += 1 + digits;
        }
    }
    if matches!(b.get(end), Some(b'/' | b'?' | b'#')) {
        url_tail(s, start, end)
    } else {
        end
    }
}

/// Consumes URL characters from `from` and trims trailing punctuation that belongs to the
/// sentence rather than to the link. `start` is where the whole URL starts (for paren balance).
fn url_tail(s: &str, start: usize, from: usize) -> usize {
    let b = s.as_bytes();
    let n = b.len();
    let mut p = from;
    while p < n {
        let c = b[p];
        if c < 0x80 {
            if (0x21..0x7f).contains(&c)
                && !matches!(
                    c,
                    b'<' | b'>' | b'"' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^'
                )
            {
                p += 1;
            } else {
                break;
            }
        } else {
            match char_at(s, p) {
                Some(ch) if is_alnum(ch) => p += ch.len_utf8(),
                _ => break,
            }
        }
    }
    // Trim sentence punctuation and unbalanced closing brackets (counted once, then kept up to
    // date, so a hostile `))))…` stays linear).
    let url = &b[start..p];
    let mut parens = count(url, b'(') as isize - count(url, b')') as isize;
    let mut brackets = count(url, b'[') as isize - count(url, b']') as isize;
    while p > from {
        match b[p - 1] {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'"' | b'*' | b'_' | b'~' => {}
            b')' if parens < 0 => parens += 1,
            b']' if brackets < 0 => brackets += 1,
            _ => break,
        }
        p -= 1;
    }
    p
}

fn count(h: &[u8], c: u8) -> usize {
    memchr::memchr_iter(c, h).count()
}

/// Tries a phone-like number at `i` (a digit, `+` or `(`). `Ok(end)` on success; `Err(end)`
/// with the end of what was scanned otherwise, so no new attempt starts inside it.
fn try_phone(b: &[u8], i: usize) -> Result<usize, usize> {
    const MAX_GROUPS: usize = 12;
    let n = b.len();
    let mut p = i;
    let plus = b[p] == b'+';
    if plus {
        p += 1;
    }
    let mut groups = [0u8; MAX_GROUPS];
    let mut ngroups = 0usize;
    let mut digits = 0usize;
    let mut paren = false;
    let mut all_dots = true;
    let mut seps = 0usize;
    let mut end = p;
    loop {
        if p < n && b[p] == b'(' {
            let q = p + 1;
            let k = b[q..]
                .iter()
                .take(6)
                .take_while(|c| c.is_ascii_digit())
                .count();
            if k == 0 || k > 5 || b.get(q + k) != Some(&b')') || ngroups >= MAX_GROUPS {
                break;
            }
            groups[ngroups] = k as u8;
            ngroups += 1;
            digits += k;
            paren = true;
            p = q + k + 1;
            end = p;
            // `(021) 555` or `(021)-555` or `(021)555`.
            if p + 1 < n && matches!(b[p], b' ' | b'-') && b[p + 1].is_ascii_digit() {
                seps += 1;
                all_dots = false;
                p += 1;
            } else if !(p < n && b[p].is_ascii_digit()) {
                break;
            }
        }
        let k = b[p..]
            .iter()
            .take(24)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if k == 0 {
            break;
        }
        if k > 20 || ngroups >= MAX_GROUPS {
            // Too long for any number we care about: skip the whole digit run.
            let run = b[p..].iter().take_while(|c| c.is_ascii_digit()).count();
            return Err(p + run);
        }
        groups[ngroups] = k as u8;
        ngroups += 1;
        digits += k;
        p += k;
        end = p;
        if p + 1 < n
            && matches!(b[p], b' ' | b'.' | b'-')
            && (b[p + 1].is_ascii_digit() || b[p + 1] == b'(')
        {
            if b[p] != b'.' {
                all_dots = false;
            }
            seps += 1;
            p += 1;
            continue;
        }
        break;
    }
    let fail = Err(end.max(i + 1));
    if ngroups == 0 {
        return fail;
    }
    let g = &groups[..ngroups];
    let plain = ngroups == 1 && !paren;
    let ok_len = if plain {
        (8..=20).contains(&digits)
    } else {
        (8..=16).contains(&digits)
    };
    if !ok_len {
        return fail;
    }
    // Money: 1.500.000, 150.000.000.
    if !plus && !paren && seps > 0 && all_dots && g[0] <= 3 && g[1..].iter().all(|&k| k == 3) {
        return fail;
    }
    // Dates: 24-11-2026, 2026.11.24.
    if ngroups == 3 && !plus && !paren {
        let dmy = g[0] <= 2 && g[1] <= 2 && g[2] == 4;
        let ymd = g[0] == 4 && g[1] <= 2 && g[2] <= 2;
        if dmy || ymd {
            return fail;
        }
    }
    // Time ranges and short lists of small numbers: 08.00-17.00, 12 34 56 78. (A number in
    // pairs, 08-12-34-56-78-90, has more groups.)
    if ngroups <= 4 && g.iter().all(|&k| k < 3) {
        return fail;
    }
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ents(text: &str) -> Vec<(EntityKind, &str)> {
        let mut out = Vec::new();
        extract(text, &mut out);
        out.iter()
            .map(|e| (e.kind, &text[e.start..e.end]))
            .collect()
    }

    fn urls(text: &str) -> Vec<&str> {
        ents(text)
            .into_iter()
            .filter(|(k, _)| *k == EntityKind::Url)
            .map(|(_, s)| s)
            .collect()
    }

    fn phones(text: &str) -> Vec<&str> {
        ents(text)
            .into_iter()
            .filter(|(k, _)| *k == EntityKind::Phone)
            .map(|(_, s)| s)
            .collect()
    }

    #[test]
    fn scheme_urls() {
        assert_eq!(
            urls("klik https://bit.ly/x1 sekarang"),
            ["https://bit.ly/x1"]
        );
        assert_eq!(
            urls("HTTP://Example.COM/A?b=1#c"),
            ["HTTP://Example.COM/A?b=1#c"]
        );
        assert_eq!(
            urls("unduh http://192.168.1.5/app.apk!"),
            ["http://192.168.1.5/app.apk"]
        );
        assert_eq!(
            urls("http://localhost:8080/x."),
            ["http://localhost:8080/x"]
        );
        assert_eq!(urls("https://"), Vec::<&str>::new());
        assert_eq!(urls("http:// spasi"), Vec::<&str>::new());
    }

    #[test]
    fn bare_domains() {
        assert_eq!(urls("join t.me/abc ya"), ["t.me/abc"]);
        assert_eq!(urls("bit.ly/x1"), ["bit.ly/x1"]);
        assert_eq!(urls("main di slotgacor88.com."), ["slotgacor88.com"]);
        assert_eq!(urls("SLOTGACOR88.COM"), ["SLOTGACOR88.COM"]);
        assert_eq!(urls("chat.whatsapp.com/AbC"), ["chat.whatsapp.com/AbC"]);
        assert_eq!(urls("wa.me/6281234567890"), ["wa.me/6281234567890"]);
        assert_eq!(urls("maps.app.goo.gl/xyz"), ["maps.app.goo.gl/xyz"]);
        assert_eq!(urls("www.contoh.co.id/promo"), ["www.contoh.co.id/promo"]);
        assert_eq!(urls("www.slotgacor"), ["www.slotgacor"]);
        assert_eq!(urls("xn--80ak6aa92e.com"), ["xn--80ak6aa92e.com"]);
        assert_eq!(urls("88slot.com/daftar"), ["88slot.com/daftar"]);
        assert_eq!(urls("slot.com:8443/x"), ["slot.com:8443/x"]);
        assert_eq!(urls("daftar di slot.com.Buruan"), ["slot.com"]);
        assert_eq!(urls("halo..slot.com"), ["slot.com"]);
    }

    #[test]
    fn unicode_hosts() {
        // Cyrillic `с` and `а` in a bank look-alike.
        assert_eq!(urls("login bса.co.id/auth"), ["bса.co.id/auth"]);
        assert_eq!(urls("пример.рф"), ["пример.рф"]);
        assert_eq!(urls("🔥🔥t.me/x🔥"), ["t.me/x"]);
    }

    #[test]
    fn punctuation_and_brackets() {
        assert_eq!(urls("(t.me/abc)"), ["t.me/abc"]);
        assert_eq!(urls("link:t.me/abc."), ["t.me/abc"]);
        assert_eq!(
            urls("lihat (en.wikipedia.org/wiki/A_(b)) ya"),
            ["en.wikipedia.org/wiki/A_(b)"]
        );
        assert_eq!(urls("\"bit.ly/abc\","), ["bit.ly/abc"]);
        assert_eq!(urls("*t.me/promo*"), ["t.me/promo"]);
        assert_eq!(urls("ke t.me/a?b=c!?"), ["t.me/a?b=c"]);
    }

    #[test]
    fn ipv4_needs_scheme_port_or_path() {
        assert_eq!(urls("1.2.3.4/path"), ["1.2.3.4/path"]);
        assert_eq!(urls("1.2.3.4:8080"), ["1.2.3.4:8080"]);
        assert_eq!(urls("versi 1.2.3.4 rilis"), Vec::<&str>::new());
        assert_eq!(urls("999.2.3.4/x"), Vec::<&str>::new());
    }

    #[test]
    fn not_urls() {
        for t in [
            "jam 10.30",
            "dll.hari",
            "Rp.50.000",
            "a.n. Yayasan",
            "dst.",
            "dst. lalu",
            "e.g. this",
            "U.S.A",
            "1.500.000",
            "@slotgacor88",
            "harga 3.5 juta",
            ".com",
            "a..b",
        ] {
            assert_eq!(urls(t), Vec::<&str>::new(), "{t}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            ents("email budi.s+promo@gmail.com ya"),
            [(EntityKind::Email, "budi.s+promo@gmail.com")]
        );
        assert_eq!(
            ents("kirim ke admin@bank-bca.co.id."),
            [(EntityKind::Email, "admin@bank-bca.co.id")]
        );
        assert_eq!(ents("budi@localhost"), []);
        assert_eq!(ents("@budi halo"), []);
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(phones("hub 0812-3456-7890 ya"), ["0812-3456-7890"]);
        assert_eq!(phones("+62 812 3456 7890"), ["+62 812 3456 7890"]);
        assert_eq!(phones("telp (021) 555-1234."), ["(021) 555-1234"]);
        assert_eq!(phones("0812.3456.7890"), ["0812.3456.7890"]);
        assert_eq!(phones("NIK 3201234567890001"), ["3201234567890001"]);
        assert_eq!(phones("rek 1234567890"), ["1234567890"]);
        assert_eq!(phones("+6281234567890"), ["+6281234567890"]);
        assert_eq!(phones("wa:081234567890"), ["081234567890"]);
        assert_eq!(phones("12345678901234567890"), ["12345678901234567890"]);
        assert_eq!(phones("WA 08-12-34-56-78-90"), ["08-12-34-56-78-90"]);
        assert_eq!(
            phones("08123456789/08129876543"),
            ["08123456789", "08129876543"]
        );
    }

    #[test]
    fn not_phones() {
        for t in [
            "Rp 50.000",
            "1.500.000",
            "Rp150.000.000",
            "10.000.000.000",
            "jam 10.30",
            "24/11/2026",
            "24-11-2026",
            "2026.11.24",
            "08.00-17.00",
            "1234567",
            "123456789012345678901",
            "slot88",
            "0812 3456 7890 1234 5678",
        ] {
            assert_eq!(phones(t), Vec::<&str>::new(), "{t}");
        }
    }

    #[test]
    fn mixed_message_in_order() {
        let t = "Promo! wa 0812-3456-7890 atau t.me/promo, email cs@promo.id (Rp 50.000)";
        assert_eq!(
            ents(t),
            [
                (EntityKind::Phone, "0812-3456-7890"),
                (EntityKind::Url, "t.me/promo"),
                (EntityKind::Email, "cs@promo.id"),
            ]
        );
    }

    #[test]
    fn alnum_shortcut_agrees_with_std() {
        for cp in (0x2190..=0x245f)
            .chain(0x2500..=0x2775)
            .chain(0x2794..=0x2bff)
            .chain(0x1f200..=0x1faff)
        {
            if let Some(c) = char::from_u32(cp) {
                assert!(!c.is_alphanumeric(), "U+{cp:04X}");
            }
        }
        for c in ('\u{1d400}'..='\u{1d7ff}').filter(|c| c.is_alphanumeric()) {
            assert!(is_alnum(c));
        }
    }

    #[test]
    fn clears_output() {
        let mut out = vec![Entity {
            kind: EntityKind::Url,
            start: 0,
            end: 1,
        }];
        extract("tidak ada apa-apa", &mut out);
        assert!(out.is_empty());
    }

    /// Deterministic xorshift so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
            xs[(self.next() % xs.len() as u64) as usize]
        }
    }

    fn random_text(rng: &mut Rng, len: usize, buf: &mut String) {
        const PIECES: &[&str] = &[
            "a",
            "b",
            "s",
            "l",
            "o",
            "t",
            "x",
            "W",
            "H",
            "0",
            "1",
            "8",
            "9",
            ".",
            ".",
            "-",
            "/",
            ":",
            "@",
            "+",
            "(",
            ")",
            " ",
            " ",
            "\n",
            "http://",
            "https://",
            "www.",
            ".com",
            ".co.id",
            ".me",
            "t.me/",
            "_",
            "%",
            "?",
            "#",
            "!",
            "'",
            "\"",
            "[",
            "]",
            "с",
            "а",
            "𝐬",
            "ｓ",
            "🔥",
            "❤\u{fe0f}",
            "\u{200b}",
            "\u{301}",
            "日",
            "ا",
            "🇮🇩",
            "1\u{fe0f}\u{20e3}",
            "0812",
            "3456",
            "555",
            "000",
            ".000",
            "xn--",
            "é",
            "\u{a0}",
            "ⓢ",
            "🅢",
            "\u{feff}",
        ];
        buf.clear();
        for _ in 0..len {
            if rng.next() % 8 == 0 {
                // A random scalar value anywhere in Unicode.
                if let Some(c) = char::from_u32((rng.next() % 0x11_0000) as u32) {
                    buf.push(c);
                }
            } else {
                buf.push_str(rng.pick(PIECES));
            }
        }
    }

    #[test]
    fn random_input_invariants() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut text = String::new();
        let mut out = Vec::new();
        for round in 0..10_000 {
            let len = (rng.next() % 60) as usize;
            random_text(&mut rng, len, &mut text);
            extract(&text, &mut out);
            let mut last_end = 0;
            for e in &out {
                assert!(e.start < e.end, "{round}: empty entity in {text:?}");
                assert!(e.start >= last_end, "{round}: overlap/order in {text:?}");
                assert!(e.end <= text.len());
                assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
                last_end = e.end;
            }
        }
    }

    #[test]
    fn linear_on_hostile_input() {
        let dots = "a.".repeat(50_000);
        let nums = "1.".repeat(50_000);
        let t = std::time::Instant::now();
        let mut out = Vec::new();
        extract(&dots, &mut out);
        extract(&nums, &mut out);
        extract(&"1 ".repeat(50_000), &mut out);
        extract(&"a@".repeat(50_000), &mut out);
        extract(&format!("t.me/{}", ")".repeat(100_000)), &mut out);
        assert_eq!(out.len(), 1);
        extract(&format!("https://x{}", "(".repeat(100_000)), &mut out);
        extract(&"+1(".repeat(50_000), &mut out);
        extract(&"www.".repeat(50_000), &mut out);
        assert!(t.elapsed().as_secs() < 5);
    }
}
