//! Link and attachment analysis: turns the URLs found in a message, and the files attached to
//! it, into link signals (shorteners, brand look-alikes, punycode and mixed-script hosts, abused
//! TLDs, raw IPs, .apk downloads, group invites, executable attachments).
//!
//! The lists behind those signals live in `rules/lists/` (`shorteners.txt`, `brands.txt`,
//! `abused-tlds.txt`) so an admin can extend them without a rebuild; each file's header
//! documents its format. [`LinkLists`] is built once at start-up and shared by every message.
//!
//! Look-alike detection compares a *skeleton* of each host label with the brand keywords: the
//! label with Cyrillic/Greek/styled letters folded to Latin (decancer), digits read as letters
//! (0→o, 1→i or l, 3→e, 5→s) and `rn`→`m`, `vv`→`w`. Short keywords (under 5 letters, e.g. bca,
//! dana, ovo) must be a whole label or hyphen-separated part, because inside longer words they
//! occur by chance (danareksa, novotel, fabric). Longer keywords also match as a prefix or suffix
//! of a part and within one edit (insertion, deletion, substitution, transposition), unless
//! the brand list quotes them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use decancer::Translation;
use url::{Host, Url};

use crate::event::Attachment;
use crate::extract::{Entity, EntityKind};
use crate::signal::{Finding, Signal};

/// Hosts third-party shortener lists carry although they only open a chat with a number or a
/// profile: they cannot send a member to an arbitrary site, and fan groups share them constantly.
const NEVER_SHORTENERS: &[&str] = &["wa.me", "t.me", "telegram.me", "m.me", "ig.me"];

/// Below this length a keyword is too likely to appear by chance inside ordinary words, so it
/// only matches whole labels or hyphen-separated parts.
const FUZZY_MIN: usize = 5;

/// Shorter keywords (x, fb, wa) would match far too many hosts even as whole labels.
const MIN_KEYWORD: usize = 3;

/// Keeps a garbage 10 KB "URL" from flooding verdicts and logs.
const MAX_DETAIL: usize = 256;

/// Android packages (and bundles of them) that a link may point at.
const APK_EXTS: &[&str] = &["apk", "xapk", "apks", "apkm"];

/// Attachment types that run code when a member taps them: Android packages first (the scam
/// in Indonesian groups: "undangan pernikahan.pdf.apk" that steals OTPs), then the Windows
/// executables and scripts that desktop WhatsApp/Telegram users can double-click. `.com` is
/// left out because "tokopedia.com" as a file name is far more likely a mistake than a binary.
const EXECUTABLE_EXTS: &[&str] = &[
    "apk", "xapk", "apks", "apkm", "exe", "scr", "bat", "cmd", "msi", "vbs", "vbe", "js", "jse",
    "wsf", "hta", "ps1", "lnk", "jar", "pif", "cpl",
];

/// Telegram paths that look like usernames but are service pages, not chats.
const TELEGRAM_RESERVED: &[&str] = &[
    "share",
    "addstickers",
    "addemoji",
    "addtheme",
    "proxy",
    "socks",
    "setlanguage",
    "login",
    "confirmphone",
    "invoice",
    "giftcode",
    "boost",
    "contact",
    "auth",
];

/// In a skeleton this byte stands for a character that reads as either `i` or `l` (the digit
/// 1, Cyrillic `і`/`ӏ`, dotless `ı`), so it equals both in keyword comparisons.
const WILD: u8 = b'1';

/// Why the link lists could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LinkListError {
    #[error(
        "cannot read link list {}: {source}. jaga ships it under rules/lists/: restore it from \
         the jaga release, or create it empty to turn its check off",
        path.display()
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// The shortener, brand and abused-TLD lists, prepared for lookups.
#[derive(Debug, Clone, Default)]
pub struct LinkLists {
    /// ASCII (xn--) domains.
    shorteners: HashSet<String>,
    /// ASCII suffixes without the leading dot (`xyz`, `web.id`).
    abused_tlds: HashSet<String>,
    /// Brand names, indexed by [`Keyword::brand`].
    brands: Vec<String>,
    keywords: Vec<Keyword>,
    /// Registrable domains of every brand plus the `allow` line: never look-alikes.
    trusted: HashSet<String>,
}

#[derive(Debug, Clone)]
struct Keyword {
    skeleton: Vec<u8>,
    brand: usize,
    /// Quoted in the list: whole label or part only, no affix or edit-distance match.
    exact: bool,
}

impl LinkLists {
    /// Loads `lists/shorteners.txt`, `lists/brands.txt` and `lists/abused-tlds.txt` under
    /// `rules_dir`: one entry per line, `#` comments and blank lines ignored, entries lowercased.
    ///
    /// A missing or unreadable file is [`LinkListError::Read`], naming the path; a malformed
    /// entry is [`LinkListError::Syntax`] with its line number.
    pub fn load(rules_dir: &Path) -> Result<LinkLists, LinkListError> {
        let dir = rules_dir.join("lists");
        let mut lists = LinkLists::default();
        let mut each = |file: &str, add: fn(&mut LinkLists, &str) -> Result<(), String>| {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|source| LinkListError::Read {
                path: path.clone(),
                source,
            })?;
            for (i, line) in text.lines().enumerate() {
                let entry = line.split('#').next().unwrap_or("").trim();
                if entry.is_empty() {
                    continue;
                }
                add(&mut lists, entry).map_err(|message| LinkListError::Syntax {
                    path: path.clone(),
                    line: i + 1,
                    message,
                })?;
            }
            Ok::<(), LinkListError>(())
        };
        each("shorteners.txt", LinkLists::add_shortener)?;
        each("brands.txt", LinkLists::add_brand_line)?;
        each("abused-tlds.txt", LinkLists::add_abused_tld)?;
        Ok(lists)
    }

    /// Builds lists from entries, for tests and embedders. `brands` takes lines in the
    /// `brands.txt` format (`bca, klikbca = bca.co.id, klikbca.com`).
    ///
    /// # Panics
    /// On an entry [`LinkLists::load`] would reject, with the reason.
    pub fn from_parts(
        shorteners: impl IntoIterator<Item = String>,
        brands: impl IntoIterator<Item = String>,
        abused_tlds: impl IntoIterator<Item = String>,
    ) -> LinkLists {
        let mut lists = LinkLists::default();
        for s in shorteners {
            lists
                .add_shortener(&s)
                .unwrap_or_else(|e| panic!("shortener `{s}`: {e}"));
        }
        for b in brands {
            lists
                .add_brand_line(&b)
                .unwrap_or_else(|e| panic!("brand `{b}`: {e}"));
        }
        for t in abused_tlds {
            lists
                .add_abused_tld(&t)
                .unwrap_or_else(|e| panic!("abused TLD `{t}`: {e}"));
        }
        lists
    }

    fn add_shortener(&mut self, entry: &str) -> Result<(), String> {
        let domain = normalise_domain(entry)?;
        if !NEVER_SHORTENERS.contains(&domain.as_str()) {
            self.shorteners.insert(domain);
        }
        Ok(())
    }

    fn add_abused_tld(&mut self, entry: &str) -> Result<(), String> {
        self.abused_tlds.insert(normalise_domain(entry)?);
        Ok(())
    }

    fn add_brand_line(&mut self, line: &str) -> Result<(), String> {
        let (left, right) = line
            .split_once('=')
            .ok_or("expected `keyword[, keyword...] = official-domain[, official-domain...]`")?;
        let mut domains = Vec::new();
        for d in right.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let d = normalise_domain(d)?;
            // Subdomains of an official domain are official too, so store what they share.
            let registrable = psl::domain_str(&d).map_or_else(|| d.clone(), str::to_string);
            domains.push(registrable);
        }
        if domains.is_empty() {
            return Err("no official domain after `=`".into());
        }
        let left = left.trim().to_lowercase();
        self.trusted.extend(domains);
        if left == "allow" {
            return Ok(());
        }
        let brand = self.brands.len();
        let mut name = None;
        for raw in left.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let (word, exact) = match raw.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
                Some(inner) => (inner.trim(), true),
                None => (raw, false),
            };
            if word.len() < MIN_KEYWORD || !word.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(format!(
                    "keyword `{raw}`: use at least {MIN_KEYWORD} letters or digits, nothing else \
                     (write `pos indonesia` as posindonesia; list shorter names only as domains)"
                ));
            }
            let mut skeleton = Vec::new();
            skeletonise(word, &mut skeleton);
            self.keywords.push(Keyword {
                skeleton,
                brand,
                exact,
            });
            name.get_or_insert_with(|| word.to_string());
        }
        self.brands.push(name.ok_or("no keyword before `=`")?);
        Ok(())
    }

    fn shortener<'a>(&self, bare_host: &'a str, registrable: Option<&'a str>) -> Option<&'a str> {
        if self.shorteners.contains(bare_host) {
            return Some(bare_host);
        }
        registrable.filter(|d| self.shorteners.contains(*d))
    }

    fn abused_tld<'a>(&self, host: &'a str) -> Option<&'a str> {
        let mut rest = host;
        while let Some(dot) = rest.find('.') {
            rest = &rest[dot + 1..];
            if self.abused_tlds.contains(rest) {
                return Some(rest);
            }
        }
        None
    }

    /// The brand `labels` (a host's labels below its public suffix, plus any userinfo) imitate.
    fn lookalike<'l>(&self, labels: impl Iterator<Item = &'l str>) -> Option<&str> {
        let mut skeleton = Vec::new();
        let mut joined = Vec::new();
        for label in labels.filter(|l| !l.is_empty()) {
            skeletonise(label, &mut skeleton);
            joined.clear();
            joined.extend(skeleton.iter().copied().filter(|&b| b != b'-'));
            for kw in &self.keywords {
                if keyword_matches(kw, &skeleton, &joined) {
                    return Some(&self.brands[kw.brand]);
                }
            }
        }
        None
    }
}

/// Lowercases a list entry and converts a Unicode domain to the xn-- form hosts arrive in.
fn normalise_domain(entry: &str) -> Result<String, String> {
    let d = entry.trim().trim_matches('.').to_lowercase();
    if d.is_empty() {
        return Err("empty domain".into());
    }
    if d.contains(|c: char| c.is_whitespace() || "/:@=,\"".contains(c)) {
        return Err(format!("`{d}` is not a domain name"));
    }
    if d.is_ascii() {
        return Ok(d);
    }
    let ascii = url::quirks::domain_to_ascii(&d);
    if ascii.is_empty() {
        Err(format!(
            "`{d}` is not a valid internationalised domain name"
        ))
    } else {
        Ok(ascii)
    }
}

/// Analyses the URLs in `text` (the entities of kind Url) and the attachments, pushing findings:
/// URL findings span the entity; attachment findings have `start = end = 0` and the file name
/// (format characters removed) as detail.
pub fn analyse(
    lists: &LinkLists,
    text: &str,
    urls: &[Entity],
    attachments: &[Attachment],
    out: &mut Vec<Finding>,
) {
    // Most messages have neither; this path must stay allocation-free.
    if urls.is_empty() && attachments.is_empty() {
        return;
    }
    for e in urls {
        if !matches!(e.kind, EntityKind::Url) {
            continue;
        }
        // A span that is not on char boundaries is an extractor bug; skip rather than panic.
        if let Some(raw) = text.get(e.start..e.end) {
            analyse_url(lists, raw, e.start, e.end, out);
        }
    }
    for a in attachments {
        analyse_attachment(a, out);
    }
}

fn analyse_url(lists: &LinkLists, raw: &str, start: usize, end: usize, out: &mut Vec<Finding>) {
    let mut push = |signal, detail: String| out.push(Finding::new(signal, start, end, detail));
    let Some(url) = parse(raw) else {
        push(Signal::Link, clip(raw));
        push(Signal::LinkUnofficial, clip(raw));
        return;
    };
    let userinfo = url.username();
    let domain = match url.host() {
        Some(Host::Domain(d)) => d.trim_end_matches('.'),
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            let ip = url.host_str().unwrap_or_default();
            push(Signal::Link, ip.to_string());
            push(Signal::LinkUnofficial, ip.to_string());
            push(Signal::LinkRawIp, ip.to_string());
            if let Some(brand) = lists.lookalike(userinfo.split('.')) {
                push(
                    Signal::LinkLookalike,
                    format!("imitates {brand}: {userinfo}@{ip}"),
                );
            }
            if let Some(file) = apk_target(&url) {
                push(Signal::LinkApk, file);
            }
            return;
        }
        None => "",
    };
    if domain.is_empty() {
        push(Signal::Link, clip(raw));
        push(Signal::LinkUnofficial, clip(raw));
        return;
    }
    // psl answers ".com" for "...com"; a host with empty labels has no registrable domain.
    let registrable = if domain.split('.').any(str::is_empty) {
        None
    } else {
        psl::domain_str(domain)
    };
    push(Signal::Link, clip(registrable.unwrap_or(domain)));

    let bare = domain.strip_prefix("www.").unwrap_or(domain);
    if let Some(hit) = lists.shortener(bare, registrable) {
        push(Signal::LinkShortener, hit.to_string());
    }

    let punycode = domain.split('.').any(|l| l.starts_with("xn--"));
    let unicode_owned = if punycode {
        url::quirks::domain_to_unicode(domain)
    } else {
        String::new()
    };
    let unicode = if unicode_owned.is_empty() {
        domain
    } else {
        unicode_owned.trim_end_matches('.')
    };
    if punycode {
        push(Signal::LinkPunycode, format!("{domain} ({unicode})"));
    }
    if let Some(scripts) = mixed_script(unicode) {
        push(Signal::LinkMixedScript, format!("{unicode} ({scripts})"));
    }

    // A brand's own domain (open.spotify.com, bca.co.id) is what a warning points members to:
    // `link.unofficial` lets a rule tell it from any other link.
    let trusted = registrable.is_some_and(|d| lists.trusted.contains(d));
    if !trusted {
        push(Signal::LinkUnofficial, clip(registrable.unwrap_or(domain)));
        let suffix_labels = psl::suffix_str(domain).map_or(0, |s| s.split('.').count());
        let labels = unicode.rsplit('.').skip(suffix_labels);
        if let Some(brand) = lists.lookalike(labels.chain(userinfo.split('.'))) {
            let shown = if userinfo.is_empty() {
                unicode.to_string()
            } else {
                format!("{userinfo}@{unicode}")
            };
            push(Signal::LinkLookalike, format!("imitates {brand}: {shown}"));
        }
    }

    if let Some(tld) = lists.abused_tld(domain) {
        push(Signal::LinkAbusedTld, format!(".{tld}"));
    }
    if let Some(file) = apk_target(&url) {
        push(Signal::LinkApk, file);
    }
    if let Some(kind) = invite(bare, &url) {
        push(Signal::LinkInvite, kind);
    }
}

/// Parses a URL as a browser would open it; bare domains (`bit.ly/x`) get `http://`, and other
/// schemes (`hxxp://`, `intent://`) are read as http so their host is still analysed.
fn parse(raw: &str) -> Option<Url> {
    let raw = raw.trim();
    let url = match raw.find("://") {
        Some(i) if is_scheme(&raw[..i]) => {
            let scheme = &raw[..i];
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
                Url::parse(raw)
            } else {
                Url::parse(&format!("http://{}", &raw[i + 3..]))
            }
        }
        _ => Url::parse(&format!("http://{raw}")),
    };
    url.ok()
}

fn is_scheme(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_DETAIL {
        return s.to_string();
    }
    let mut i = MAX_DETAIL;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    format!("{}…", &s[..i])
}

/// Builds the comparison form of a label (see the module docs) into `out`.
fn skeletonise(label: &str, out: &mut Vec<u8>) {
    out.clear();
    for c in label.chars() {
        if c.is_ascii() {
            push_folded(out, c, false);
            continue;
        }
        match decancer::cure_char(c, decancer::Options::default()) {
            Translation::Character(x) => push_folded(out, x, true),
            Translation::String(s) => s.chars().for_each(|x| push_folded(out, x, true)),
            Translation::None => {}
        }
    }
    // rn→m and vv→w, in place; these are the multi-letter shapes spammers use (rnandiri).
    let (mut r, mut w) = (0, 0);
    while r < out.len() {
        let (b, step) = match (out[r], out.get(r + 1)) {
            (b'r', Some(&b'n')) => (b'm', 2),
            (b'v', Some(&b'v')) => (b'w', 2),
            (b, _) => (b, 1),
        };
        out[w] = b;
        w += 1;
        r += step;
    }
    out.truncate(w);
}

fn push_folded(out: &mut Vec<u8>, c: char, from_unicode: bool) {
    if !c.is_ascii() {
        let mut buf = [0; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        return;
    }
    out.push(match c.to_ascii_lowercase() as u8 {
        b'0' => b'o',
        b'1' | b'|' | b'!' => WILD,
        b'3' => b'e',
        b'5' => b's',
        // A non-Latin letter folded to i or l could have been either (Cyrillic ӏ is an l).
        b'i' | b'l' if from_unicode => WILD,
        b => b,
    });
}

fn keyword_matches(kw: &Keyword, skeleton: &[u8], joined: &[u8]) -> bool {
    let k = kw.skeleton.as_slice();
    let loose = !kw.exact && k.len() >= FUZZY_MIN;
    skeleton
        .split(|&b| b == b'-')
        .chain(std::iter::once(joined))
        .filter(|part| !part.is_empty())
        .any(|part| {
            same(part, k)
                || (loose
                    && ((part.len() > k.len()
                        && (same(&part[..k.len()], k) || same(&part[part.len() - k.len()..], k)))
                        || within_one_edit(part, k)))
        })
}

/// `h` (from a host) reads as `k` (from a keyword).
fn same(h: &[u8], k: &[u8]) -> bool {
    h.len() == k.len() && h.iter().zip(k).all(|(&a, &b)| eq(a, b))
}

fn eq(h: u8, k: u8) -> bool {
    h == k || (h == WILD && matches!(k, b'i' | b'l'))
}

/// Damerau (optimal string alignment) distance of at most one.
fn within_one_edit(h: &[u8], k: &[u8]) -> bool {
    let i = h.iter().zip(k).take_while(|(&a, &b)| eq(a, b)).count();
    if h.len() == k.len() {
        i == h.len()
            || same(&h[i + 1..], &k[i + 1..])
            || (i + 1 < h.len()
                && eq(h[i], k[i + 1])
                && eq(h[i + 1], k[i])
                && same(&h[i + 2..], &k[i + 2..]))
    } else if h.len() == k.len() + 1 {
        same(&h[i + 1..], &k[i..])
    } else if h.len() + 1 == k.len() {
        same(&h[i..], &k[i + 1..])
    } else {
        false
    }
}

/// "Latin+Cyrillic" or "Latin+Greek" when one label mixes those scripts.
fn mixed_script(host: &str) -> Option<&'static str> {
    if host.is_ascii() {
        return None;
    }
    for label in host.split('.') {
        let (mut latin, mut cyrillic, mut greek) = (false, false, false);
        for c in label.chars() {
            match c {
                'a'..='z'
                | 'A'..='Z'
                | '\u{00C0}'..='\u{00D6}'
                | '\u{00D8}'..='\u{00F6}'
                | '\u{00F8}'..='\u{02AF}'
                | '\u{1E00}'..='\u{1EFF}'
                | '\u{2C60}'..='\u{2C7F}'
                | '\u{A720}'..='\u{A7FF}'
                | '\u{AB30}'..='\u{AB6F}' => latin = true,
                '\u{0400}'..='\u{052F}'
                | '\u{1C80}'..='\u{1C8F}'
                | '\u{2DE0}'..='\u{2DFF}'
                | '\u{A640}'..='\u{A69F}' => cyrillic = true,
                '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => greek = true,
                _ => {}
            }
        }
        if latin && cyrillic {
            return Some("Latin+Cyrillic");
        }
        if latin && greek {
            return Some("Latin+Greek");
        }
    }
    None
}

/// The .apk file a URL downloads: the last path segment, or a query value such as
/// `download.php?file=app.apk` (a common way to hide the extension from a glance at the path).
fn apk_target(url: &Url) -> Option<String> {
    let last = url.path().rsplit('/').next().unwrap_or_default();
    let last = percent_decode(last);
    if has_ext(&last, APK_EXTS) {
        return Some(last.into_owned());
    }
    url.query()?;
    url.query_pairs().find_map(|(_, v)| {
        let name = v.trim().rsplit('/').next().unwrap_or_default();
        has_ext(name, APK_EXTS).then(|| name.to_string())
    })
}

fn has_ext(name: &str, exts: &[&str]) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && exts.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|&c| (c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// What kind of chat a URL invites to. Public Telegram usernames count too: spam promotes a
/// channel as often as a private group, and joining either leaves the admins' reach.
fn invite(host: &str, url: &Url) -> Option<String> {
    let mut segs = url.path_segments()?.filter(|s| !s.is_empty());
    let first = segs.next();
    match host {
        "chat.whatsapp.com" => first.map(|_| "whatsapp group".to_string()),
        "whatsapp.com" => (first == Some("channel") && segs.next().is_some())
            .then(|| "whatsapp channel".to_string()),
        "t.me" | "telegram.me" | "telegram.dog" => telegram(&percent_decode(first?), segs.next()),
        "discord.gg" => first.map(|_| "discord invite".to_string()),
        "discord.com" | "discordapp.com" => {
            (first.is_some_and(|f| f.eq_ignore_ascii_case("invite")) && segs.next().is_some())
                .then(|| "discord invite".to_string())
        }
        "line.me" => {
            let mut f = first?;
            if f.eq_ignore_ascii_case("r") {
                f = segs.next()?;
            }
            match (f, segs.next(), segs.next()) {
                ("ti", Some("g"), Some(_)) => Some("line group".to_string()),
                ("ti", Some("g2"), Some(_)) => Some("line openchat".to_string()),
                _ => None,
            }
        }
        "signal.group" => url
            .fragment()
            .filter(|f| !f.is_empty())
            .map(|_| "signal group".to_string()),
        _ => None,
    }
}

fn telegram(first: &str, second: Option<&str>) -> Option<String> {
    if let Some(code) = first.strip_prefix('+') {
        // t.me/+6281234567890 opens a chat with a phone number; invite hashes have letters.
        return (!code.bytes().all(|b| b.is_ascii_digit()))
            .then(|| "telegram private invite".to_string());
    }
    if first.eq_ignore_ascii_case("joinchat") {
        return second.map(|_| "telegram private invite".to_string());
    }
    if first.eq_ignore_ascii_case("addlist") {
        return second.map(|_| "telegram folder invite".to_string());
    }
    let name = if first == "s" { second? } else { first };
    let is_username = (4..=32).contains(&name.len())
        && name.as_bytes()[0].is_ascii_alphabetic()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let reserved = TELEGRAM_RESERVED
        .iter()
        .any(|r| name.eq_ignore_ascii_case(r));
    (is_username && !reserved).then(|| format!("telegram public channel @{name}"))
}

fn analyse_attachment(a: &Attachment, out: &mut Vec<Finding>) {
    // Bidi overrides (U+202E) and zero-width characters hide the real extension when the name is
    // displayed; the logical order left after removing them is what the phone acts on.
    let cleaned: Cow<str> = if a.name.chars().any(is_format_char) {
        Cow::Owned(a.name.chars().filter(|&c| !is_format_char(c)).collect())
    } else {
        Cow::Borrowed(&a.name)
    };
    let name = cleaned
        .trim_start()
        .trim_end_matches(|c: char| c.is_whitespace() || c == '.');
    let apk_mime = a
        .kind
        .as_bytes()
        .windows(b"android.package-archive".len())
        .any(|w| w.eq_ignore_ascii_case(b"android.package-archive"));
    if apk_mime || has_ext(name, EXECUTABLE_EXTS) {
        out.push(Finding::new(Signal::AttachmentApk, 0, 0, name));
    }
}

/// Unicode format (Cf) characters that can sit invisibly in a file name.
fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn shipped() -> &'static LinkLists {
        static LISTS: OnceLock<LinkLists> = OnceLock::new();
        LISTS.get_or_init(|| {
            LinkLists::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules"))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    }

    fn url_entity(start: usize, end: usize) -> Entity {
        Entity {
            kind: EntityKind::Url,
            start,
            end,
        }
    }

    /// Findings for `raw` analysed as one URL filling the whole text.
    fn run(raw: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        analyse(shipped(), raw, &[url_entity(0, raw.len())], &[], &mut out);
        out
    }

    fn find(raw: &str, signal: Signal) -> Option<Finding> {
        run(raw).into_iter().find(|f| f.signal == signal)
    }

    fn has(raw: &str, signal: Signal) -> bool {
        find(raw, signal).is_some()
    }

    fn attachment(name: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        let a = Attachment {
            kind: "document".into(),
            name: name.into(),
        };
        analyse(shipped(), "", &[], &[a], &mut out);
        out
    }

    #[test]
    fn shipped_lists_load() {
        let l = shipped();
        assert!(l.shorteners.len() > 2000);
        assert!(l.abused_tlds.contains("xyz"));
        assert!(l.brands.iter().any(|b| b == "bca"));
        assert!(!l.shorteners.contains("wa.me") && !l.shorteners.contains("m.me"));
        // Unicode entries are stored in the form hosts arrive in.
        assert!(l.shorteners.contains("xn--3fi.ws"));
    }

    #[test]
    fn every_url_is_a_link_with_its_registrable_domain() {
        let raw = "https://www.Example.co.id/a?b=c";
        assert_eq!(
            run(raw)[0],
            Finding::new(Signal::Link, 0, raw.len(), "example.co.id")
        );
        assert_eq!(
            find("localhost:8080/x", Signal::Link).unwrap().detail,
            "localhost"
        );
    }

    #[test]
    fn spans_are_the_entity_spans_and_other_entities_are_ignored() {
        let text = "cek bit.ly/abc dan hubungi 0812 atau https://bca-promo.xyz/login ya";
        let s1 = text.find("bit.ly").unwrap();
        let s2 = text.find("https").unwrap();
        let e2 = s2 + "https://bca-promo.xyz/login".len();
        let entities = [
            url_entity(s1, s1 + "bit.ly/abc".len()),
            Entity {
                kind: EntityKind::Phone,
                start: text.find("0812").unwrap(),
                end: text.find("0812").unwrap() + 4,
            },
            url_entity(s2, e2),
            url_entity(1, 10_000),
        ];
        let mut out = Vec::new();
        analyse(shipped(), text, &entities, &[], &mut out);
        assert!(out
            .iter()
            .filter(|f| f.start == s1)
            .all(|f| f.end == s1 + 10));
        assert!(out
            .iter()
            .filter(|f| f.start != s1)
            .all(|f| (f.start, f.end) == (s2, e2)));
        let signals: Vec<Signal> = out.iter().map(|f| f.signal).collect();
        assert_eq!(
            signals,
            [
                Signal::Link,
                Signal::LinkShortener,
                Signal::LinkUnofficial,
                Signal::Link,
                Signal::LinkUnofficial,
                Signal::LinkLookalike,
                Signal::LinkAbusedTld
            ]
        );
    }

    #[test]
    fn a_brands_own_domain_is_official() {
        assert!(!has(
            "open.spotify.com/playlist/xxxx",
            Signal::LinkUnofficial
        ));
        assert!(!has("https://www.bca.co.id/promo", Signal::LinkUnofficial));
        assert!(has("spotify-premium-gratis.xyz", Signal::LinkUnofficial));
        assert!(has("bit.ly/abc", Signal::LinkUnofficial));
        assert!(has("http://10.0.0.1:8080/x", Signal::LinkUnofficial));
        assert!(has("myshop.example", Signal::LinkUnofficial));
    }

    #[test]
    fn nothing_to_do_allocates_nothing() {
        let mut out = Vec::new();
        analyse(shipped(), "halo semua", &[], &[], &mut out);
        assert_eq!(out.capacity(), 0);
        let phone = Entity {
            kind: EntityKind::Phone,
            start: 0,
            end: 4,
        };
        analyse(shipped(), "halo semua", &[phone], &[], &mut out);
        assert_eq!(out.capacity(), 0);
    }

    #[test]
    fn shorteners() {
        for u in [
            "bit.ly/3xYz",
            "https://s.id/promo",
            "http://tinyurl.com/abc",
            "cutt.ly/x",
            "rebrand.ly/x",
            "shorturl.at/abc",
            "https://www.bit.ly/x",
            "BIT.LY/X",
        ] {
            assert!(has(u, Signal::LinkShortener), "{u}");
        }
        assert_eq!(
            find("s.id/x", Signal::LinkShortener).unwrap().detail,
            "s.id"
        );
        for u in [
            "wa.me/6281234567890",
            "https://wa.me/6281234567890?text=halo",
            "t.me/+AbCdEfGh",
            "m.me/somepage",
            "youtube.com/watch?v=dQw4w9WgXcQ",
            "bitly.example.com",
        ] {
            assert!(!has(u, Signal::LinkShortener), "{u}");
        }
    }

    #[test]
    fn lookalikes_are_flagged() {
        for (u, brand) in [
            ("bca-promo.xyz", "bca"),
            ("klikbca-login.com", "bca"),
            ("https://bri.co.id.verify-akun.top/login", "bri"),
            ("whatsapp-update.net", "whatsapp"),
            ("weverse-shop.site/album", "weverse"),
            ("dana-kaget.com", "dana"),
            ("danakaget.com", "dana"),
            ("shopee.claim-hadiah.xyz", "shopee"),
            ("tokopedia.com.promo.id", "tokopedia"),
            ("rnandiri.com", "mandiri"),
            ("faceb00k.com", "facebook"),
            ("instagrarn.com", "instagram"),
            ("vvhatsapp.com", "whatsapp"),
            ("gοogle-login.com", "google"), // Greek omicron
            ("tokopedla.com", "tokopedia"),
            ("tokopediia.com", "tokopedia"),
            ("tokopeida.com", "tokopedia"),
            ("mandirii.com", "mandiri"),
            ("shoppe.co.id", "shopee"),
            ("tokopediapromo.xyz", "tokopedia"),
            ("gbwhatsapp.org", "whatsapp"),
            ("t0k0pedia-hadiah.com", "tokopedia"),
            ("toko-pedia.com", "tokopedia"),
            ("b-c-a.com", "bca"),
            ("bca.com", "bca"),
            ("bca.blogspot.com", "bca"),
            ("bca-promo.web.app", "bca"),
            ("br1.co", "bri"),
            ("p1n.com", "pln"),
            ("bсa.co.id/login", "bca"),             // Cyrillic с
            ("http://xn--80ak6aa92e.com", "apple"), // аррӏе, all Cyrillic
            ("https://www.bca.co.id@evil.xyz/login", "bca"),
            ("http://klikbca.com@203.0.113.9/", "bca"),
        ] {
            let f = find(u, Signal::LinkLookalike).unwrap_or_else(|| panic!("{u} not flagged"));
            assert!(
                f.detail.starts_with(&format!("imitates {brand}: ")),
                "{u}: {}",
                f.detail
            );
        }
        assert_eq!(
            find("bсa.co.id", Signal::LinkLookalike).unwrap().detail,
            "imitates bca: bсa.co.id"
        );
    }

    #[test]
    fn official_domains_and_ordinary_words_are_not_lookalikes() {
        for u in [
            "https://www.bca.co.id/id/promo",
            "m.klikbca.com",
            "klikbca.com",
            "shopee.co.id/product/1",
            "s.shopee.co.id/abc",
            "shp.ee/xyz",
            "tokopedia.com/toko",
            "images.tokopedia.net/a.jpg",
            "bankmandiri.co.id",
            "dana.id",
            "link.dana.id/kaget",
            "ovo.id",
            "weverse.io/bts/artist",
            "instagram.com/bts.bighitofficial",
            "youtube.com/watch?v=dQw4w9WgXcQ",
            "storage.googleapis.com/bucket/x",
            "docs.google.com/forms/d/1",
            "l.facebook.com/l.php?u=x",
            "wa.me/6281234567890",
            "t.me/bangtan",
            "danareksa.co.id",
            "novotel.com",
            "fabric.com",
            "abcabc.com",
            "bcasyariah.co.id",
            "genius.com/lyrics",
            "ticket.interpark.com/global",
            "tiketkonser.id",
            "apply.com",
            "pineapple.com",
            "pin.it/abc",
            "brimob.polri.go.id",
            "permatahijau.com",
            "novotelbogor.com",
            "spotify.com/track/1",
            "open.spotify.com/track/1",
            "x.com/bts_twt",
            "twitter.com/bts_twt",
            "vt.tiktok.com/ZS123",
            "pajak.go.id",
            "djponline.pajak.go.id",
            "example.com",
        ] {
            assert!(
                !has(u, Signal::LinkLookalike),
                "{u}: {:?}",
                find(u, Signal::LinkLookalike)
            );
        }
    }

    #[test]
    fn punycode_and_mixed_scripts() {
        let f = find("bсa.com", Signal::LinkPunycode).unwrap();
        assert_eq!(f.detail, "xn--ba-omc.com (bсa.com)");
        assert!(has("http://xn--ba-omc.co.id", Signal::LinkPunycode));
        assert!(has("xn--80ak6aa92e.com", Signal::LinkPunycode));
        assert!(has("http://xn--bca-1na.com", Signal::LinkPunycode));
        assert!(!has("bca.com", Signal::LinkPunycode));

        let f = find("bсa.com", Signal::LinkMixedScript).unwrap();
        assert_eq!(f.detail, "bсa.com (Latin+Cyrillic)");
        assert!(has(
            "http://xn--ba-omc.co.id/login",
            Signal::LinkMixedScript
        ));
        assert!(has("pαypal.com", Signal::LinkMixedScript)); // Greek alpha
                                                             // Whole-script Cyrillic labels are not mixed (the punycode signal covers them).
        assert!(!has("xn--80ak6aa92e.com", Signal::LinkMixedScript));
        assert!(!has("пример.рф", Signal::LinkMixedScript));
        assert!(!has("bücher.de", Signal::LinkMixedScript));
        assert!(has("bücher.de", Signal::LinkPunycode));
    }

    #[test]
    fn abused_tlds() {
        assert_eq!(
            find("promo-bts.xyz/daftar", Signal::LinkAbusedTld)
                .unwrap()
                .detail,
            ".xyz"
        );
        for u in [
            "slot88.top",
            "http://a.b.click/x",
            "gacor.icu",
            "x.cyou",
            "menang.SBS",
        ] {
            assert!(has(u, Signal::LinkAbusedTld), "{u}");
        }
        for u in [
            "weverse.io",
            "example.com",
            "xyz.com",
            "tokopedia.link/abc",
            "bca.co.id",
        ] {
            assert!(!has(u, Signal::LinkAbusedTld), "{u}");
        }
    }

    #[test]
    fn raw_ips() {
        for u in [
            "http://192.168.1.1/login",
            "203.0.113.9:8080/x",
            "http://[2001:db8::1]/",
            "http://3232235777/",
        ] {
            assert!(has(u, Signal::LinkRawIp), "{u}");
        }
        assert_eq!(
            find("http://0x7f.1/", Signal::LinkRawIp).unwrap().detail,
            "127.0.0.1"
        );
        assert!(!has("1.2.3.4.example.com", Signal::LinkRawIp));
    }

    #[test]
    fn apk_links() {
        for (u, file) in [
            ("https://example.com/download/app.APK", "app.APK"),
            ("http://203.0.113.9/undangan.apk", "undangan.apk"),
            ("example.com/a.xapk?dl=1", "a.xapk"),
            ("example.com/a.apks#top", "a.apks"),
            (
                "example.com/get.php?file=Undangan%20Nikah.apk",
                "Undangan Nikah.apk",
            ),
            ("example.com/app%2Eapk", "app.apk"),
        ] {
            assert_eq!(
                find(u, Signal::LinkApk).map(|f| f.detail),
                Some(file.into()),
                "{u}"
            );
        }
        for u in [
            "example.com/apk",
            "example.com/app.apk.html",
            "example.com/.apk",
            "apk.com",
        ] {
            assert!(!has(u, Signal::LinkApk), "{u}");
        }
    }

    #[test]
    fn invites() {
        for (u, kind) in [
            ("https://chat.whatsapp.com/AbCdEfGhIjK", "whatsapp group"),
            ("chat.whatsapp.com/invite/AbC", "whatsapp group"),
            ("https://whatsapp.com/channel/0029Va", "whatsapp channel"),
            ("t.me/+AbCdEfGh123", "telegram private invite"),
            ("https://t.me/joinchat/AAAAAEk", "telegram private invite"),
            ("telegram.me/joinchat/AbC", "telegram private invite"),
            ("t.me/addlist/AbC", "telegram folder invite"),
            ("discord.gg/abcdef", "discord invite"),
            ("https://discord.com/invite/abcdef", "discord invite"),
            ("https://line.me/R/ti/g/AbCdEf", "line group"),
            ("line.me/ti/g2/AbCdEf", "line openchat"),
            ("https://signal.group/#CjQKIAbc", "signal group"),
            ("t.me/kpop_info_id", "telegram public channel @kpop_info_id"),
            (
                "https://t.me/s/kpop_info_id",
                "telegram public channel @kpop_info_id",
            ),
            (
                "t.me/bts_bighit/1234",
                "telegram public channel @bts_bighit",
            ),
        ] {
            assert_eq!(
                find(u, Signal::LinkInvite).map(|f| f.detail),
                Some(kind.into()),
                "{u}"
            );
        }
        for u in [
            "t.me/+6281234567890",
            "t.me/share/url?url=x",
            "t.me/c/1234/56",
            "t.me/addstickers/Bts",
            "t.me/proxy?server=x",
            "chat.whatsapp.com",
            "wa.me/6281234567890",
            "discord.com/channels/1/2",
            "line.me/en",
            "whatsapp.com/download",
        ] {
            assert!(!has(u, Signal::LinkInvite), "{u}");
        }
    }

    #[test]
    fn executable_attachments() {
        for (name, detail) in [
            ("undangan pernikahan.pdf.apk", "undangan pernikahan.pdf.apk"),
            ("Surat Tilang.APK  ", "Surat Tilang.APK"),
            ("foto\u{202E}gpj.apk", "fotogpj.apk"),
            ("resi\u{200B}.apk.", "resi.apk"),
            ("cek_paket.xapk", "cek_paket.xapk"),
            ("setup.exe", "setup.exe"),
            ("invoice.pdf.js", "invoice.pdf.js"),
        ] {
            let f = attachment(name);
            assert_eq!(
                f,
                [Finding::new(Signal::AttachmentApk, 0, 0, detail)],
                "{name:?}"
            );
        }
        for name in [
            "foto.jpg",
            "lagu.mp3",
            "undangan.pdf",
            "apk",
            ".apk",
            "tokopedia.com",
            "",
        ] {
            assert!(attachment(name).is_empty(), "{name:?}");
        }
        let mut out = Vec::new();
        let a = Attachment {
            kind: "application/vnd.android.package-archive".into(),
            name: "file".into(),
        };
        analyse(shipped(), "", &[], &[a], &mut out);
        assert_eq!(out[0].signal, Signal::AttachmentApk);
    }

    #[test]
    fn garbage_never_panics_and_still_counts_as_a_link() {
        let long = format!("http://example.com/{}", "a".repeat(10_000));
        let long_host = format!("http://{}.com", "bca-".repeat(2_500));
        let many_labels = format!("{}xyz", "a.".repeat(5_000));
        for raw in [
            "",
            "http://",
            "https://",
            "http://[::1",
            "xn--",
            "...com",
            "http://xn--zz.com",
            "://",
            "%%%",
            "http://a..b.com",
            ".",
            "http://.",
            "-.-",
            "http://[::1]:99999/",
            "😀.com",
            "\u{202E}moc.elgoog",
            "hxxp://bca-promo.xyz",
            long.as_str(),
            long_host.as_str(),
            many_labels.as_str(),
        ] {
            let f = run(raw);
            assert_eq!(f.first().map(|f| f.signal), Some(Signal::Link), "{raw:?}");
            assert!(f[0].detail.len() <= MAX_DETAIL + '…'.len_utf8(), "{raw:?}");
        }
        assert_eq!(run("http://")[0].detail, "http://");
        assert_eq!(
            run("...com").iter().map(|f| f.signal).collect::<Vec<_>>(),
            [Signal::Link, Signal::LinkUnofficial]
        );
        assert!(has("hxxp://bca-promo.xyz", Signal::LinkLookalike));
    }

    #[test]
    fn from_parts_and_keyword_modes() {
        let lists = LinkLists::from_parts(
            ["Short.Example".to_string()],
            [
                "acme, acmepay = acme.example, acme.co.id".to_string(),
                "\"kilat\" = kilat.example".to_string(),
                "allow = acme-fans.example".to_string(),
            ],
            [".Bad".to_string()],
        );
        let check = |raw: &str| {
            let mut out = Vec::new();
            analyse(&lists, raw, &[url_entity(0, raw.len())], &[], &mut out);
            out.into_iter().map(|f| f.signal).collect::<Vec<_>>()
        };
        assert!(check("short.example/x").contains(&Signal::LinkShortener));
        assert!(check("x.bad").contains(&Signal::LinkAbusedTld));
        assert!(check("acmepay-login.example").contains(&Signal::LinkLookalike));
        assert!(check("acrne.bad").contains(&Signal::LinkLookalike));
        assert!(!check("www.acme.co.id").contains(&Signal::LinkLookalike));
        assert!(!check("acme-fans.example").contains(&Signal::LinkLookalike));
        // Quoted keywords: whole parts only.
        assert!(check("kilat-promo.example").contains(&Signal::LinkLookalike));
        assert!(!check("kilatku.example").contains(&Signal::LinkLookalike));
        assert!(!check("kilst.example").contains(&Signal::LinkLookalike));
    }

    #[test]
    fn load_errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let err = LinkLists::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("shorteners.txt") && err.contains("restore it"),
            "{err}"
        );

        let lists = dir.path().join("lists");
        std::fs::create_dir(&lists).unwrap();
        std::fs::write(lists.join("shorteners.txt"), "# c\n\nBIT.LY  # trailing\n").unwrap();
        std::fs::write(lists.join("abused-tlds.txt"), ".XYZ\n").unwrap();
        std::fs::write(
            lists.join("brands.txt"),
            "bca = bca.co.id\nbank bca = x.com\n",
        )
        .unwrap();
        let err = LinkLists::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("brands.txt:2:") && err.contains("bank bca"),
            "{err}"
        );

        std::fs::write(lists.join("brands.txt"), "bca = www.bca.co.id\nx = x.com\n").unwrap();
        let err = LinkLists::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("brands.txt:2:"), "{err}");

        std::fs::write(lists.join("brands.txt"), "bca = www.bca.co.id\nbca =\n").unwrap();
        let err = LinkLists::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("no official domain"), "{err}");

        std::fs::write(lists.join("brands.txt"), "bca = www.bca.co.id\n").unwrap();
        let l = LinkLists::load(dir.path()).unwrap();
        assert!(l.shorteners.contains("bit.ly") && l.abused_tlds.contains("xyz"));
        assert!(
            l.trusted.contains("bca.co.id"),
            "official domains are stored registrable"
        );
    }

    #[test]
    fn edit_distance_helper() {
        let k = b"tokopedia";
        assert!(within_one_edit(b"tokopedia", k));
        assert!(within_one_edit(b"tokopedla", k));
        assert!(within_one_edit(b"tokopedi", k));
        assert!(within_one_edit(b"tokopediaa", k));
        assert!(within_one_edit(b"otkopedia", k));
        assert!(within_one_edit(b"tokopedai", k));
        assert!(!within_one_edit(b"tokopeadi", k));
        assert!(!within_one_edit(b"tokoepdai", k));
        assert!(!within_one_edit(b"tokped", k));
        assert!(!within_one_edit(b"", k));
    }
}
