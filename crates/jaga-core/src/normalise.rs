//! Folds the tricks people use to slip words past keyword filters, and remembers where every
//! byte of the folded text came from.
//!
//! Keyword rules are written once, in plain lowercase (`slot gacor`), and must still match
//! `𝐒𝐋𝐎𝐓 ɢᴀᴄᴏʀ`, `ѕӏоt` (Cyrillic), `sl\u{200b}ot`, `s l o t`, `g4c0r`. Rather than teach
//! every rule about every trick, the message is folded into one canonical form and rules run on
//! that. Because admins must be shown the evidence in the message they actually saw, the folded
//! text keeps a byte map back to the original ([`Normalised::to_original`]), and the tricks
//! themselves are reported as [`Finding`]s (an ordinary user rarely writes math-bold Cyrillic).
//!
//! Folding happens in three steps over reusable buffers:
//! 1. per char: lowercase, drop invisible/format chars and combining marks, map Unicode
//!    whitespace to space, and fold compatibility/look-alike letters (fullwidth, math
//!    alphanumerics, enclosed letters, Cyrillic/Greek look-alikes, accents) through `decancer`;
//! 2. collapse whitespace runs and s p a c e d / s.p.a.c.e.d runs of single characters;
//! 3. fold l33t digits and symbols that sit between letters (`g4c0r`), but never numbers
//!    (`slot88`, `50rb`, `4d`), nor amounts glued to a word (`rp3rb`, `wd1jt`, `depo10k`).
//!
//! What was folded is then reported per word as [`Finding`]s.
//!
//! Spans from [`crate::extract`] are protected: inside them only step 1 happens, so `t.me/sl0t`
//! stays a link, `j0k3r@mail.com` an address, and a phone number written `0 8 1 2 …` is not
//! glued to the words around it.
//!
//! `decancer` alone is not used blindly: it maps emoji to letters (`❤` → `o`, `🙏` → `a`,
//! `✅` → `v`), CJK/kana/Arabic/Hebrew/Thai/Devanagari letters to Latin ones (`口` → `o`),
//! regional indicators to letters (🇮🇩 → `id`), symbols to letters (`°` → `o`, `£` → `e`) and
//! fullwidth `＄`/`＠` to `s`/`a` regardless of context. So it is only consulted for letters and
//! digits of the Latin, Greek, Cyrillic, Armenian and Cherokee blocks, for letter-like symbols
//! and for the styled/enclosed alphanumeric blocks; everything else (emoji, other scripts) is
//! kept as it is, lowercased. Its results are cached in a table built on first use, because a
//! lookup costs ~60 ns and a styled message is made of nothing else.
//!
//! Offsets are `u32` to keep the map small; input beyond 4 GiB - 1 byte is ignored (messages
//! are a few hundred bytes).

use crate::extract::{self, is_alnum, Entity};
use crate::signal::{Finding, Signal};
use std::sync::OnceLock;

/// Inputs are cut (at a char boundary) to this many bytes so every offset and end fits a `u32`.
const MAX_INPUT: usize = u32::MAX as usize;

/// The folded form of a message plus the way back to the original.
#[derive(Debug, Clone, Default)]
pub struct Normalised {
    /// The folded text.
    text: String,
    /// For every byte of `text`, the byte offset in `orig` of the char that produced it.
    map: Vec<u32>,
    findings: Vec<Finding>,
    /// A copy of the (possibly cut) original: needed to find char ends and to inspect words.
    orig: String,
    /// Step 1 output (UTF-8) and its map; step 2 reads it.
    stage: Vec<u8>,
    stage_map: Vec<u32>,
    /// Protected original ranges, sorted and merged.
    prot: Vec<(u32, u32)>,
    /// Byte positions in `text` that were l33t-folded, ascending.
    leet_at: Vec<u32>,
    /// Byte ranges in `text` produced by spacing collapse, ascending.
    spaced: Vec<(u32, u32)>,
    /// Whether step 1 dropped or folded anything that may be evidence (invisible chars, marks,
    /// look-alikes); if not, words need no inspection.
    special: bool,
}

impl Normalised {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds `self` from `original`, reusing buffers (no allocation per call once warm).
    /// `protected` are extract() entities: inside them only case/look-alike folding happens
    /// (no l33t, no spacing collapse), so `t.me/x` stays a link. Spans that do not fit
    /// `original` are clipped or ignored.
    pub fn normalise(&mut self, original: &str, protected: &[Entity]) {
        let s = clamp(original, MAX_INPUT);
        self.orig.clear();
        self.orig.push_str(s);
        self.set_protected(protected, s.len());
        self.fold(s);
        self.collapse_and_leet();
        self.find();
    }

    /// The folded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text back to the original text: the start of the
    /// char that produced byte `start`, the end of the char that produced byte `end-1` (plus any
    /// combining marks or variation selectors attached to it). Always on char boundaries of the
    /// original, start <= end, end <= original.len(). An empty range maps to an empty range at
    /// the mapped position; out-of-range input is clamped.
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        let n = self.text.len();
        if n == 0 {
            return (0, 0);
        }
        let start = start.min(n);
        let end = end.min(n);
        let s = if start < n {
            self.map[start] as usize
        } else {
            self.orig_end(n - 1)
        };
        if end <= start {
            return (s, s);
        }
        (s, self.orig_end(end - 1).max(s))
    }

    /// Evasion evidence found while folding, with original byte spans of the word concerned:
    /// `ZeroWidth` (an invisible char between two letters/digits), `MixedScript` (Latin with
    /// Cyrillic or Greek letters in one word), `Styled` (math, fullwidth, enclosed, small-caps…
    /// letters, or strike-through/zalgo marks on letters), `Spaced` (a collapsed s p a c e d
    /// run), `Leet` (l33t folded). `detail` is the folded word. Nothing is reported inside
    /// protected spans: the link stage judges those.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// End (in `orig`) of the char that produced text byte `k`, extended over attached marks.
    fn orig_end(&self, k: usize) -> usize {
        let o = self.map[k] as usize;
        let Some(rest) = self.orig.get(o..) else {
            return self.orig.len();
        };
        let mut chars = rest.char_indices();
        let mut end = o + chars.next().map_or(0, |(_, c)| c.len_utf8());
        for (k, c) in chars {
            if !is_attached(c) {
                break;
            }
            end = o + k + c.len_utf8();
        }
        end
    }

    fn set_protected(&mut self, protected: &[Entity], len: usize) {
        self.prot.clear();
        for e in protected {
            let (s, t) = (e.start.min(len), e.end.min(len));
            if s < t {
                self.prot.push((s as u32, t as u32));
            }
        }
        self.prot.sort_unstable();
        // Merge overlaps so a binary search on starts answers containment.
        let mut w = 0;
        for r in 0..self.prot.len() {
            let cur = self.prot[r];
            if w > 0 && cur.0 <= self.prot[w - 1].1 {
                self.prot[w - 1].1 = self.prot[w - 1].1.max(cur.1);
            } else {
                self.prot[w] = cur;
                w += 1;
            }
        }
        self.prot.truncate(w);
    }

    /// Step 1: per-char folding into `stage`. Whitespace is kept one char for one (as `' '` or
    /// `'\n'`) because step 2 compares separator lengths. Runs of printable ASCII, the bulk of
    /// any message, are copied in one go.
    fn fold(&mut self, s: &str) {
        let stage = &mut self.stage;
        let smap = &mut self.stage_map;
        stage.clear();
        smap.clear();
        stage.reserve(s.len());
        smap.reserve(s.len());
        let bytes = s.as_bytes();
        let n = bytes.len();
        // Anything dropped or folded that could make a finding: a look-alike or styled letter,
        // or an invisible char or mark right after a letter/digit (an emoji's variation
        // selector is not evidence of anything).
        let mut evidence = false;
        let mut last_alnum = false;
        // The Cyrillic/Greek word being read: where it ends and whether it is written in its
        // own script (kept) rather than made of Latin look-alikes (folded).
        let (mut word_end, mut word_native) = (0usize, false);
        let mut own_script_text: Option<bool> = None;
        let mut i = 0;
        while i < n {
            let run = i;
            while i < n && (0x20..0x7f).contains(&bytes[i]) {
                i += 1;
            }
            if i > run {
                stage.extend(bytes[run..i].iter().map(u8::to_ascii_lowercase));
                smap.extend(run as u32..i as u32);
                last_alnum = bytes[i - 1].is_ascii_alphanumeric();
            }
            if i >= n {
                break;
            }
            let b = bytes[i];
            let o = i as u32;
            if b < 0x80 {
                match b {
                    b'\n' | b'\r' | 0x0b | 0x0c => {
                        stage.push(b'\n');
                        smap.push(o);
                        last_alnum = false;
                    }
                    b'\t' => {
                        stage.push(b' ');
                        smap.push(o);
                        last_alnum = false;
                    }
                    // Other controls are invisible.
                    _ => evidence |= last_alnum,
                }
                i += 1;
                continue;
            }
            let Some(c) = s.get(i..).and_then(|t| t.chars().next()) else {
                break;
            };
            i += c.len_utf8();
            match class(c) {
                Class::Space => {
                    stage.push(b' ');
                    smap.push(o);
                    last_alnum = false;
                }
                Class::Newline => {
                    stage.push(b'\n');
                    smap.push(o);
                    last_alnum = false;
                }
                Class::Invisible | Class::Attached => evidence |= last_alnum,
                Class::Other => {
                    let native = is_cyrillic_greek(c as u32) && {
                        if o as usize >= word_end {
                            let (end, script) = word_script(s, o as usize);
                            word_end = end;
                            word_native = match script {
                                Script::Mixed => false,
                                Script::Own => true,
                                Script::LookAlike => {
                                    *own_script_text.get_or_insert_with(|| has_own_script_word(s))
                                }
                            };
                        }
                        word_native
                    };
                    let f = if native { Fold::KEEP } else { fold_char(c) };
                    let mut buf = [0; 4];
                    last_alnum = true;
                    match f.len {
                        KEEP => {
                            last_alnum = is_alnum(c);
                            if last_alnum {
                                for l in c.to_lowercase() {
                                    stage.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
                                }
                            } else {
                                // Emoji and symbols have no case.
                                stage.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                            }
                        }
                        SLOW => {
                            evidence = true;
                            if let decancer::Translation::String(t) =
                                decancer::cure_char(c, decancer::Options::default())
                            {
                                stage.extend_from_slice(t.as_bytes());
                            }
                        }
                        _ => {
                            evidence = true;
                            stage.extend_from_slice(f.as_bytes());
                        }
                    }
                    smap.resize(stage.len(), o);
                }
            }
        }
        self.special = evidence;
    }

    /// Step 2 into `text` (see [`collapse`]), then step 3 in place.
    fn collapse_and_leet(&mut self) {
        let mut text = std::mem::take(&mut self.text).into_bytes();
        let maybe_leet = collapse(
            &self.stage,
            &self.stage_map,
            &self.prot,
            &mut text,
            &mut self.map,
            &mut self.spaced,
        );
        if maybe_leet {
            leet(&mut text, &self.map, &self.prot, &mut self.leet_at);
        } else {
            self.leet_at.clear();
        }
        // Every step writes whole UTF-8 sequences (and l33t swaps ASCII for ASCII), so this
        // cannot fail; if it somehow did, an empty result is still consistent.
        self.text = String::from_utf8(text).unwrap_or_else(|_| {
            self.map.clear();
            self.leet_at.clear();
            self.spaced.clear();
            String::new()
        });
    }

    /// Step 4: turn what was folded into findings, word by word.
    fn find(&mut self) {
        self.findings.clear();
        if !self.special && self.leet_at.is_empty() && self.spaced.is_empty() {
            return;
        }
        let t = self.text.as_bytes();
        let n = t.len();
        let (mut li, mut si) = (0, 0);
        let mut i = 0;
        while i < n {
            let (alnum, l) = alnum_len(t, i);
            if !alnum {
                i += l;
                continue;
            }
            let ws = i;
            i += l;
            loop {
                let (alnum, l) = alnum_len(t, i);
                if !alnum || i >= n {
                    break;
                }
                i += l;
            }
            let we = i;
            while li < self.leet_at.len() && (self.leet_at[li] as usize) < ws {
                li += 1;
            }
            let leet = li < self.leet_at.len() && (self.leet_at[li] as usize) < we;
            while si < self.spaced.len() && (self.spaced[si].1 as usize) <= ws {
                si += 1;
            }
            let spaced = si < self.spaced.len() && (self.spaced[si].0 as usize) < we;
            if !self.special && !leet && !spaced {
                continue;
            }
            let (os, oe) = self.to_original(ws, we);
            let src = self.orig.get(os..oe).unwrap_or("");
            // Printable ASCII holds no invisible, styled or foreign letters.
            let plain = src.bytes().all(|b| (0x20..0x7f).contains(&b));
            if plain && !leet && !spaced || overlaps_prot(&self.prot, os as u32, oe as u32) {
                continue;
            }
            let mut flags = if plain { 0 } else { inspect(src) };
            // A lone enclosed letter is an emoji (🅰, 🅿, Ⓜ), not styling.
            if we - ws < 2 {
                flags &= !F_STYLED;
            }
            if spaced {
                flags |= F_SPACED;
            }
            if leet {
                flags |= F_LEET;
            }
            for (bit, signal) in [
                (F_ZW, Signal::ZeroWidth),
                (F_MIXED, Signal::MixedScript),
                (F_STYLED, Signal::Styled),
                (F_SPACED, Signal::Spaced),
                (F_LEET, Signal::Leet),
            ] {
                if flags & bit != 0 {
                    let word = self.text.get(ws..we).unwrap_or("");
                    self.findings.push(Finding::new(signal, os, oe, word));
                }
            }
        }
    }
}

/// Convenience for keywords/allow phrases: the same folding (with the same protection of
/// links, addresses and numbers), returns only the text.
pub fn normalise_str(s: &str) -> String {
    let mut ents = Vec::new();
    extract::extract(s, &mut ents);
    let mut n = Normalised::new();
    n.normalise(s, &ents);
    std::mem::take(&mut n.text)
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
fn clamp(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn in_prot(prot: &[(u32, u32)], o: u32) -> bool {
    if prot.is_empty() {
        return false;
    }
    let k = prot.partition_point(|&(s, _)| s <= o);
    k > 0 && o < prot[k - 1].1
}

fn overlaps_prot(prot: &[(u32, u32)], s: u32, e: u32) -> bool {
    if prot.is_empty() {
        return false;
    }
    let k = prot.partition_point(|&(ps, _)| ps < e);
    k > 0 && prot[k - 1].1 > s
}

/// The char starting at byte `i` of UTF-8 bytes `a`, and its length.
fn decode(a: &[u8], i: usize) -> Option<(char, usize)> {
    let len = match *a.get(i)? {
        b if b < 0x80 => 1,
        b if b >= 0xf0 => 4,
        b if b >= 0xe0 => 3,
        _ => 2,
    };
    let c = std::str::from_utf8(a.get(i..i + len)?)
        .ok()?
        .chars()
        .next()?;
    Some((c, len))
}

/// Whether the char at byte `i` is a non-ASCII alphanumeric (ASCII is tested by the callers,
/// which look at bytes).
fn is_alnum_char_at(a: &[u8], i: usize) -> bool {
    match a.get(i) {
        Some(&b) if b >= 0x80 => decode(a, i).is_some_and(|(c, _)| is_alnum(c)),
        _ => false,
    }
}

/// Whether the char at byte `i` is alphanumeric, and its length (1 past the end).
fn alnum_len(a: &[u8], i: usize) -> (bool, usize) {
    match a.get(i) {
        None => (false, 1),
        Some(&b) if b < 0x80 => (b.is_ascii_alphanumeric(), 1),
        Some(_) => decode(a, i).map_or((false, 1), |(c, l)| (is_alnum(c), l)),
    }
}

/// Step 2: whitespace runs become one space (trimmed at both ends) and runs of at least three
/// single characters with one repeated separator are joined. Text is copied in stretches between
/// the places that change (usually the whole message is one stretch: a single space between
/// words maps to itself). Returns whether the text holds any l33t candidate at all.
fn collapse(
    a: &[u8],
    amap: &[u32],
    prot: &[(u32, u32)],
    text: &mut Vec<u8>,
    map: &mut Vec<u32>,
    spaced: &mut Vec<(u32, u32)>,
) -> bool {
    let mut maybe_leet = false;
    text.clear();
    map.clear();
    spaced.clear();
    text.reserve(a.len());
    map.reserve(a.len());
    let n = a.len();
    // Start of the stretch not yet copied.
    let mut seg = 0;
    let flush = |text: &mut Vec<u8>, map: &mut Vec<u32>, from: usize, to: usize| {
        text.extend_from_slice(&a[from..to]);
        map.extend_from_slice(&amap[from..to]);
    };
    let mut i = 0;
    let mut prev_alnum = false;
    let mut no_run_until = 0;
    while i < n {
        let c = a[i];
        if c == b' ' || c == b'\n' {
            let mut j = i + 1;
            while j < n && (a[j] == b' ' || a[j] == b'\n') {
                j += 1;
            }
            let leading = text.is_empty() && seg == i;
            if j - i > 1 || c == b'\n' || leading || j == n {
                flush(text, map, seg, i);
                if !leading && j < n {
                    text.push(b' ');
                    map.push(amap[i]);
                }
                seg = j;
            }
            prev_alnum = false;
            i = j;
            continue;
        }
        if c.is_ascii_alphanumeric() {
            let mut j = i + 1;
            let mut digit = c.is_ascii_digit();
            while j < n && a[j].is_ascii_alphanumeric() {
                digit |= a[j].is_ascii_digit();
                j += 1;
            }
            maybe_leet |= digit;
            // A letter after an apostrophe ends a contraction (`it's a b*tch`): its run would
            // read "s a b" as spaced letters and break the masked word after it.
            if j == i + 1
                && !prev_alnum
                && i >= no_run_until
                && !is_alnum_char_at(a, j)
                && !after_apostrophe(a, i)
            {
                match spaced_run(a, amap, prot, i) {
                    Ok(run) => {
                        flush(text, map, seg, i);
                        let t0 = text.len();
                        let mut p = i;
                        for _ in 0..run.units {
                            text.push(a[p]);
                            map.push(amap[p]);
                            p += 1 + run.sep_len;
                        }
                        spaced.push((t0 as u32, text.len() as u32));
                        maybe_leet = true;
                        i = run.end;
                        seg = i;
                        prev_alnum = true;
                        continue;
                    }
                    Err(scanned) => no_run_until = scanned,
                }
            }
            prev_alnum = true;
            i = j;
        } else if c < 0x80 {
            maybe_leet |= is_leet(c);
            prev_alnum = false;
            i += 1;
        } else {
            let Some((ch, l)) = decode(a, i) else {
                break;
            };
            prev_alnum = is_alnum(ch);
            i += l;
        }
    }
    flush(text, map, seg, i.min(n));
    maybe_leet
}

struct SpacedRun {
    units: usize,
    /// Byte length of the separator between units (the same every time).
    sep_len: usize,
    /// End of the last unit in the stage text.
    end: usize,
}

/// From a single ASCII letter/digit at `i`, the run of single letters/digits separated by one
/// repeated separator (`s l o t`, `s.l.o.t`, `s . l . o . t`, `S-L-O-T`). `Err` carries how far
/// it looked, so the caller does not retry inside. A run needs three units and a letter (`1 2 3`
/// stays), and stops at protected text.
fn spaced_run(a: &[u8], amap: &[u32], prot: &[(u32, u32)], i: usize) -> Result<SpacedRun, usize> {
    const MAX_SEP: usize = 8;
    let n = a.len();
    if in_prot(prot, amap[i]) {
        return Err(i + 1);
    }
    let is_unit = |k: usize| {
        k < n
            && a[k].is_ascii_alphanumeric()
            && !a.get(k + 1).is_some_and(u8::is_ascii_alphanumeric)
            && !is_alnum_char_at(a, k + 1)
            && !in_prot(prot, amap[k])
    };
    // The separator after the first unit.
    let sep_start = i + 1;
    let mut k = sep_start;
    while k < n && k - sep_start <= MAX_SEP {
        match sep_len_at(a, k) {
            0 => break,
            l => k += l,
        }
    }
    let sep_len = k - sep_start;
    if sep_len == 0 || sep_len > MAX_SEP || in_prot(prot, amap[sep_start]) {
        return Err(i + 1);
    }
    let sep = &a[sep_start..k];
    // A letter a `*` joins to more letters is the first of a masked word (`b*tch`), not a unit,
    // unless `*` is the run's own separator (`s*l*o*t`).
    let masked = |k: usize| {
        sep != b"*"
            && a.get(k + 1) == Some(&b'*')
            && a.get(k + 2).is_some_and(u8::is_ascii_alphanumeric)
    };
    let mut units = 1;
    let mut letter = a[i].is_ascii_alphabetic();
    let mut end = i + 1;
    let mut next = k;
    while is_unit(next) && !masked(next) {
        units += 1;
        letter |= a[next].is_ascii_alphabetic();
        end = next + 1;
        if a[end..].starts_with(sep) && !in_prot(prot, amap[end]) {
            next = end + sep_len;
        } else {
            break;
        }
    }
    if units >= 3 && letter {
        Ok(SpacedRun {
            units,
            sep_len,
            end,
        })
    } else {
        Err(end)
    }
}

/// Whether the byte before `i` is an apostrophe (`'` or `’`).
fn after_apostrophe(a: &[u8], i: usize) -> bool {
    a[..i].ends_with(b"'") || a[..i].ends_with("\u{2019}".as_bytes())
}

/// Length of a separator char at byte `k`, or 0.
fn sep_len_at(a: &[u8], k: usize) -> usize {
    match a.get(k) {
        Some(b' ' | b'\n' | b'.' | b'-' | b'_' | b'*' | b'~' | b'/' | b'|') => 1,
        Some(&b) if b >= 0x80 => match decode(a, k) {
            Some(('·' | '•' | '‧' | '∙' | '⋅' | '・', l)) => l,
            _ => 0,
        },
        _ => 0,
    }
}

/// Step 3: l33t folding in place (every replacement is one ASCII byte for another). A run of at
/// most two l33t chars with an ASCII letter on both sides is folded (`g4c0r`, `sl00t`), and a
/// `$` starting a word before two letters (`$lot`). A word-initial `@` is left alone: it is a
/// mention (`@dmin` stays). Digits next to digits never fold, so numbers (`slot88`, `50rb`)
/// survive, and nor do amounts between letters (`rp3rb`, `depo10k`: see [`is_amount`]).
fn leet(t: &mut [u8], map: &[u32], prot: &[(u32, u32)], leet_at: &mut Vec<u32>) {
    leet_at.clear();
    let n = t.len();
    let mut i = 0;
    while i < n {
        if !is_leet(t[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && is_leet(t[j]) {
            j += 1;
        }
        let before = i > 0 && t[i - 1].is_ascii_alphabetic();
        let after = j < n && t[j].is_ascii_alphabetic();
        if j - i <= 2 && before && after && !is_amount(t, i, j) {
            leet_at.extend((i..j).filter(|&k| !in_prot(prot, map[k])).map(|k| k as u32));
        } else if t[i] == b'$'
            && j == i + 1
            && !(i > 0 && t[i - 1].is_ascii_alphanumeric())
            && t.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
            && t.get(i + 2).is_some_and(u8::is_ascii_alphabetic)
            && !in_prot(prot, map[i])
        {
            leet_at.push(i as u32);
        }
        i = j;
    }
    for &k in leet_at.iter() {
        let k = k as usize;
        t[k] = leet_letter(t[k]);
    }
}

/// Currencies written right before an amount (`rp3rb`, `idr5jt`).
const CURRENCIES: &[&[u8]] = &[b"rp", b"idr", b"usd", b"sgd", b"myr", b"rm", b"eur", b"gbp"];
/// Units that follow an amount and hardly end a l33t word (`wd1jt`, `kuota5gb`).
const UNITS: &[&[u8]] = &[
    b"rb", b"rbu", b"ribu", b"rebu", b"ribuan", b"jt", b"jtan", b"juta", b"jutaan", b"rupiah",
    b"perak", b"gb", b"mb", b"kb", b"kg", b"gr", b"gram", b"ml", b"pcs", b"persen",
];
/// Units that also end ordinary words written in l33t (`s3x`, `an4k`, `se7an`, `b4d`): an
/// amount only with two digits (`depo10k`, `umur17th`) or after a word that announces one.
const SHORT_UNITS: &[&[u8]] = &[
    b"k", b"x", b"an", b"th", b"thn", b"m", b"g", b"jam", b"hari", b"hr", b"bln", b"menit", b"mnt",
];
/// Words glued to the amount they announce (`depo5k`, `profit3x`).
const AMOUNT_WORDS: &[&[u8]] = &[
    b"depo",
    b"deposit",
    b"dp",
    b"wd",
    b"min",
    b"minim",
    b"minimal",
    b"max",
    b"bonus",
    b"harga",
    b"hrg",
    b"cuma",
    b"hanya",
    b"only",
    b"modal",
    b"gaji",
    b"saldo",
    b"tf",
    b"diskon",
    b"disc",
    b"cashback",
    b"pulsa",
    b"kuota",
    b"hadiah",
    b"untung",
    b"profit",
    b"cuan",
];

/// Whether the l33t candidates `t[i..j]`, between letters, are an amount or a number with a
/// unit rather than letters: digits after a currency (`rp3rb`, `us$5k`), before an unambiguous
/// unit (`wd1jt`), before a short unit with two digits or an amount word in front (`depo10k`,
/// `depo5k`) or a masked phone number (`wa08xx`). A run starting with `0` is a letter `o`
/// (`b0mb`, `b00k`) unless it is a masked number. Togel brands (`pawpaw4d`) still fold
/// (`pawpawad`), as their list does: keeping their `4d` made the model miss more judol spam.
fn is_amount(t: &[u8], i: usize, j: usize) -> bool {
    let (run, digits) = match t[i] {
        b'$' => (&t[i + 1..j], true),
        _ => (&t[i..j], false),
    };
    if run.is_empty() || !run.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut ws = i;
    while ws > 0 && t[ws - 1].is_ascii_alphanumeric() {
        ws -= 1;
    }
    let mut se = j;
    while se < t.len() && t[se].is_ascii_alphabetic() {
        se += 1;
    }
    let (prefix, unit) = (&t[ws..i], &t[j..se]);
    if unit.len() >= 2 && unit.iter().all(|&b| b == b'x') {
        return true;
    }
    // A unit ends the word: `m3mb3r` is l33t, not 3 MB.
    let unit_ends = se == t.len() || !t[se].is_ascii_alphanumeric();
    if run[0] == b'0' {
        return false;
    }
    let is = |list: &[&[u8]], w: &[u8]| list.contains(&w);
    digits
        || is(CURRENCIES, prefix)
        || unit_ends && is(UNITS, unit)
        || unit_ends && is(SHORT_UNITS, unit) && (run.len() == 2 || is(AMOUNT_WORDS, prefix))
}

#[inline]
fn is_leet(b: u8) -> bool {
    LEET[usize::from(b)]
}

/// The bytes that may stand for a letter (a table: a `match` compiles to a jump per byte).
static LEET: [bool; 256] = {
    let mut t = [false; 256];
    let chars = b"01345789@$!|";
    let mut k = 0;
    while k < chars.len() {
        t[chars[k] as usize] = true;
        k += 1;
    }
    t
};

fn leet_letter(b: u8) -> u8 {
    match b {
        b'0' => b'o',
        b'1' | b'!' => b'i',
        b'3' => b'e',
        b'4' | b'@' => b'a',
        b'5' | b'$' => b's',
        b'7' => b't',
        b'8' => b'b',
        b'9' => b'g',
        b'|' => b'l',
        other => other,
    }
}

/// What step 1 does with a non-ASCII char.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Space,
    Newline,
    /// Zero-width and format characters, C1 controls, invisible fillers: dropped, and evidence
    /// when between letters.
    Invisible,
    /// Combining marks, variation selectors and the keycap mark: dropped, belong to the char
    /// before them.
    Attached,
    Other,
}

fn class(c: char) -> Class {
    let cp = c as u32;
    // Math letters, emoji, rare CJK: the busiest non-ASCII blocks in spam hold none of the
    // special cases below.
    if (0x1d400..0xe0000).contains(&cp) {
        return Class::Other;
    }
    match cp {
        0x85 | 0x2028 | 0x2029 => Class::Newline,
        0xa0 | 0x1680 | 0x2000..=0x200a | 0x202f | 0x205f | 0x3000 | 0x2800 => Class::Space,
        0x80..=0x9f
        | 0xad
        | 0x061c
        | 0x115f
        | 0x1160
        | 0x17b4
        | 0x17b5
        | 0x180b..=0x180f
        | 0x200b..=0x200f
        | 0x202a..=0x202e
        | 0x2060..=0x206f
        | 0x3164
        | 0xfeff
        | 0xffa0
        | 0xfff9..=0xfffb
        | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a
        | 0xe0000..=0xe007f => Class::Invisible,
        _ if is_attached(c) => Class::Attached,
        _ => Class::Other,
    }
}

/// Combining marks of the Latin/Greek/Cyrillic world (what zalgo and strike-through text are
/// made of), variation selectors and the combining keycap. Marks of other scripts (Indic vowel
/// signs, Arabic harakat, Thai) are left alone: they are part of the letters there.
fn is_attached(c: char) -> bool {
    matches!(
        c as u32,
        0x0300..=0x036f
            | 0x0483..=0x0489
            | 0x1ab0..=0x1aff
            | 0x1dc0..=0x1dff
            | 0x20d0..=0x20ff
            | 0xfe00..=0xfe0f
            | 0xfe20..=0xfe2f
            | 0xe0100..=0xe01ef
    )
}

/// A cached folding result: up to 15 bytes of replacement text, or one of the markers.
#[derive(Clone, Copy, Debug)]
struct Fold {
    len: u8,
    bytes: [u8; 15],
}

/// Keep the char itself (lowercased).
const KEEP: u8 = 0xff;
/// Too long for the cache: ask `decancer` again.
const SLOW: u8 = 0xfe;

impl Fold {
    const KEEP: Fold = Fold {
        len: KEEP,
        bytes: [0; 15],
    };

    fn from_str(s: &str) -> Fold {
        let mut f = Fold {
            len: SLOW,
            bytes: [0; 15],
        };
        if s.len() <= f.bytes.len() {
            f.bytes[..s.len()].copy_from_slice(s.as_bytes());
            f.len = s.len() as u8;
        }
        f
    }

    /// The replacement (empty for the markers). Always whole UTF-8: it was copied from a `str`.
    fn as_bytes(&self) -> &[u8] {
        let len = if self.len <= 15 { self.len } else { 0 };
        &self.bytes[..usize::from(len)]
    }
}

/// Code point ranges whose folds are cached (half-open).
const CACHED: [(u32, u32); 6] = [
    (0x00a0, 0x0590),
    (0x1d00, 0x2000),
    (0x2070, 0x2190),
    (0x2460, 0x2500),
    (0x1d400, 0x1d800),
    (0x1f100, 0x1f190),
];

fn fold_table() -> &'static [Fold] {
    static TABLE: OnceLock<Vec<Fold>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v = Vec::with_capacity(CACHED.iter().map(|r| (r.1 - r.0) as usize).sum());
        for &(lo, hi) in &CACHED {
            for cp in lo..hi {
                v.push(char::from_u32(cp).map_or(Fold::KEEP, compute_fold));
            }
        }
        v
    })
}

/// Step 1 folding of one non-ASCII, non-space, visible char.
fn fold_char(c: char) -> Fold {
    let cp = c as u32;
    let mut base = 0usize;
    for &(lo, hi) in &CACHED {
        if (lo..hi).contains(&cp) {
            return fold_table()[base + (cp - lo) as usize];
        }
        base += (hi - lo) as usize;
    }
    compute_fold(c)
}

fn compute_fold(c: char) -> Fold {
    let cp = c as u32;
    match cp {
        // Fullwidth ASCII is exactly ASCII + 0xFEE0 (decancer would turn `＄` into `s`).
        0xff01..=0xff5e => {
            let b = (cp - 0xfee0) as u8;
            let mut f = Fold {
                len: 1,
                bytes: [0; 15],
            };
            f.bytes[0] = b.to_ascii_lowercase();
            return f;
        }
        // Cyrillic palochka looks like `l` (decancer says `i`): `ѕӏоt` is `slot`.
        0x04c0 | 0x04cf => return Fold::from_str("l"),
        _ => {}
    }
    if !worth_curing(c) {
        return Fold::KEEP;
    }
    match decancer::cure_char(c, decancer::Options::default()) {
        decancer::Translation::Character(x) if x == c => Fold::KEEP,
        decancer::Translation::Character(x) => Fold::from_str(x.encode_utf8(&mut [0; 4])),
        decancer::Translation::String(s) => Fold::from_str(&s),
        decancer::Translation::None => Fold::from_str(""),
    }
}

/// The Greek and Cyrillic blocks (with their extensions).
fn is_cyrillic_greek(cp: u32) -> bool {
    matches!(cp, 0x0370..=0x03ff | 0x1f00..=0x1fff | 0x0400..=0x052f | 0x1c80..=0x1c8f | 0xa640..=0xa69f)
}

/// Cyrillic and Greek letters that pass for a Latin one (`ѕӏоt`, `gасоr`, `slοt`). A word
/// made only of these is folded like a mixed one: it reads as Latin.
fn is_homoglyph(c: char) -> bool {
    const LOOK_ALIKES: &str = "аеорсухѕіјӏһԁԛԝүѵАВЕКМНОРСТХУЅІЈӀҺԀԚԜҮαοικνρυχεϲϳΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿ";
    LOOK_ALIKES.contains(c)
}

/// How a word with Cyrillic or Greek letters is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    /// With Latin letters too (`gасоr`): evasion, folded.
    Mixed,
    /// With a letter that does not pass for Latin (`что`): the language itself, kept.
    Own,
    /// Only of letters that pass for Latin (`сасо`, but also Russian `не`, `на`): folded
    /// unless the message has words of the [`Script::Own`] kind, which show it is written in
    /// that language.
    LookAlike,
}

fn in_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(class(c), Class::Invisible | Class::Attached)
}

/// The end of the word around byte `at` of `s` (a Cyrillic or Greek letter) and how it is
/// written. Folding Russian or Greek into Latin would make `4to`, `he` and `3a` out of
/// `что`, `не` and `за`: words rules and the classifier then misread. Invisible chars and
/// marks count as part of the word, as evasion puts them there.
fn word_script(s: &str, at: usize) -> (usize, Script) {
    let start = s[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| in_word(c))
        .last()
        .map_or(at, |(k, _)| k);
    let end = s[at..]
        .char_indices()
        .find(|&(_, c)| !in_word(c))
        .map_or(s.len(), |(k, _)| at + k);
    (end, script_of(&s[start..end]))
}

fn script_of(word: &str) -> Script {
    let (mut latin, mut own) = (false, false);
    for c in word.chars() {
        if is_cyrillic_greek(c as u32) {
            own |= c.is_alphabetic() && !is_homoglyph(c);
        } else if c.is_ascii() {
            latin |= c.is_ascii_alphabetic();
        } else if c.is_alphabetic() {
            // Accented and styled Latin letters fold to ASCII ones.
            latin |= fold_char(c)
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_alphabetic);
        }
    }
    match (latin, own) {
        (true, _) => Script::Mixed,
        (false, true) => Script::Own,
        (false, false) => Script::LookAlike,
    }
}

/// Whether some word of `s` is Cyrillic or Greek written as such ([`Script::Own`]).
fn has_own_script_word(s: &str) -> bool {
    s.split(|c: char| !in_word(c))
        .filter(|w| w.chars().any(|c| is_cyrillic_greek(c as u32)))
        .any(|w| script_of(w) == Script::Own)
}

/// Whether `decancer` should see `c` at all (see the module comment for why not everything).
fn worth_curing(c: char) -> bool {
    let cp = c as u32;
    match cp {
        // Enclosed and circled alphanumerics are symbols, not letters, to Unicode.
        0x2460..=0x24ff
        | 0x2776..=0x2793
        | 0x1f100..=0x1f189
        | 0x1fbf0..=0x1fbf9
        | 0xfb00..=0xfb06 => true,
        0x00a0..=0x02ff
        | 0x0370..=0x058f
        | 0x13a0..=0x13ff
        | 0xab70..=0xabbf
        | 0x1c80..=0x1c8f
        | 0x1d00..=0x1dbf
        | 0x1e00..=0x1fff
        | 0x2070..=0x209f
        | 0x2100..=0x218f
        | 0x2c60..=0x2c7f
        | 0xa640..=0xa69f
        | 0xa720..=0xa7ff
        | 0xab30..=0xab6f
        | 0x1d400..=0x1d7ff => c.is_alphanumeric(),
        _ => false,
    }
}

const F_ZW: u8 = 1;
const F_MIXED: u8 = 2;
const F_STYLED: u8 = 4;
const F_SPACED: u8 = 8;
const F_LEET: u8 = 16;

/// Looks at the original text of one word for zero-width chars between letters, Latin mixed
/// with Cyrillic/Greek, and styled letters.
fn inspect(word: &str) -> u8 {
    let mut latin = false;
    let mut cyr_greek = false;
    let mut flags = 0;
    let mut last_alnum = false;
    let mut last_alpha = false;
    let mut zw_pending = false;
    let mut marks = 0u32;
    for c in word.chars() {
        if c.is_ascii() {
            if c.is_ascii_control() && !c.is_ascii_whitespace() {
                zw_pending |= last_alnum;
                continue;
            }
            marks = 0;
            let alnum = c.is_ascii_alphanumeric();
            if zw_pending && alnum {
                flags |= F_ZW;
            }
            zw_pending = false;
            last_alnum = alnum;
            last_alpha = c.is_ascii_alphabetic();
            latin |= last_alpha;
            continue;
        }
        let fold = match class(c) {
            Class::Invisible => {
                zw_pending |= last_alnum;
                continue;
            }
            Class::Attached => {
                marks += 1;
                // Strike-through, overlay, underline/overline and enclosing marks, or a zalgo
                // stack, on a letter.
                let overlay = matches!(
                    c as u32,
                    0x0305 | 0x0332 | 0x0333 | 0x0334..=0x0338 | 0x20d2..=0x20e4
                );
                if last_alpha && (overlay || marks >= 3) {
                    flags |= F_STYLED;
                }
                continue;
            }
            Class::Space | Class::Newline => Fold::KEEP,
            Class::Other => fold_char(c),
        };
        marks = 0;
        // What the char stands for decides whether it is a letter; this also avoids the
        // standard library's slow tables for styled letters.
        let (alnum, alpha) = match fold.as_bytes().first() {
            Some(&b) if b < 0x80 => (b.is_ascii_alphanumeric(), b.is_ascii_alphabetic()),
            _ => (is_alnum(c), c.is_alphabetic()),
        };
        if zw_pending && alnum {
            flags |= F_ZW;
        }
        zw_pending = false;
        last_alnum = alnum;
        last_alpha = alpha;
        let cp = c as u32;
        if is_cyrillic_greek(cp) {
            cyr_greek |= alpha;
        } else if is_styled_block(cp) {
            if fold.as_bytes().iter().any(u8::is_ascii_alphabetic) {
                flags |= F_STYLED;
            }
        } else if matches!(cp, 0x00c0..=0x024f | 0x1e00..=0x1eff) {
            latin |= alpha;
        }
    }
    if latin && cyr_greek {
        flags |= F_MIXED;
    }
    flags
}

/// Blocks of styled stand-ins for ASCII letters: fullwidth, math alphanumerics, enclosed
/// letters, small capitals and other phonetic/modifier forms, letter-like symbols.
fn is_styled_block(cp: u32) -> bool {
    matches!(
        cp,
        0xff21..=0xff5a
            | 0x1d400..=0x1d7ff
            | 0x2460..=0x24ff
            | 0x1f100..=0x1f189
            | 0x2100..=0x214f
            | 0x1d00..=0x1dbf
            | 0x0250..=0x02af
            | 0x2070..=0x209f
            | 0xa720..=0xa7ff
            | 0xab30..=0xab6f
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;

    fn run(s: &str) -> Normalised {
        let mut ents = Vec::new();
        extract(s, &mut ents);
        let mut n = Normalised::new();
        n.normalise(s, &ents);
        check_invariants(&n, s);
        n
    }

    fn norm(s: &str) -> String {
        run(s).text().to_string()
    }

    /// The original text behind the first occurrence of `word` in the folded text.
    fn origin_of<'a>(n: &Normalised, orig: &'a str, word: &str) -> &'a str {
        let i = n
            .text()
            .find(word)
            .unwrap_or_else(|| panic!("{word:?} not in {:?}", n.text()));
        let (a, b) = n.to_original(i, i + word.len());
        &orig[a..b]
    }

    fn signals(n: &Normalised) -> Vec<(Signal, &str)> {
        n.findings()
            .iter()
            .map(|f| (f.signal, f.detail.as_str()))
            .collect()
    }

    fn check_invariants(n: &Normalised, orig: &str) {
        let t = n.text();
        assert_eq!(n.map.len(), t.len(), "map length for {orig:?}");
        assert!(!t.starts_with(' ') && !t.ends_with(' ') && !t.contains("  "));
        let mut last = 0;
        for &o in &n.map {
            assert!(orig.is_char_boundary(o as usize), "map {o} in {orig:?}");
            assert!((o as usize) < orig.len().max(1));
            assert!(o >= last, "map not monotone for {orig:?}");
            last = o;
        }
        for f in n.findings() {
            assert!(f.start <= f.end && f.end <= orig.len());
            assert!(orig.is_char_boundary(f.start) && orig.is_char_boundary(f.end));
            assert!(!f.detail.is_empty());
        }
    }

    #[test]
    fn ascii_case_and_whitespace() {
        assert_eq!(
            norm("  Halo   DUNIA\n\tapa\r\nkabar  "),
            "halo dunia apa kabar"
        );
        assert_eq!(norm(""), "");
        assert_eq!(norm(" \n\t "), "");
        assert_eq!(norm("ab\u{a0}cd\u{202f}ef\u{3000}gh"), "ab cd ef gh");
        assert_eq!(norm("a\u{0}b\u{7f}c"), "abc");
    }

    #[test]
    fn whitespace_maps_to_first_whitespace_char() {
        let s = "ab \u{a0}\n cd";
        let n = run(s);
        assert_eq!(n.text(), "ab cd");
        assert_eq!(n.to_original(2, 3), (2, 3));
        assert_eq!(n.to_original(3, 5), (7, 9));
    }

    #[test]
    fn cyrillic_and_greek_lookalikes() {
        // Cyrillic ѕ ӏ о / а с о.
        let s = "ѕӏоt gасоr";
        let n = run(s);
        assert_eq!(n.text(), "slot gacor");
        assert_eq!(
            signals(&n),
            [
                (Signal::MixedScript, "slot"),
                (Signal::MixedScript, "gacor")
            ]
        );
        assert_eq!(origin_of(&n, s, "gacor"), "gасоr");
        // Greek omicron and alpha.
        let s = "slοt gαcor";
        let n = run(s);
        assert_eq!(n.text(), "slot gacor");
        assert_eq!(n.findings().len(), 2);
        assert!(n.findings().iter().all(|f| f.signal == Signal::MixedScript));
        // A whole Cyrillic word of look-alikes is folded but is not *mixed*.
        let n = run("сасо");
        assert_eq!(n.text(), "caco");
        assert!(n.findings().is_empty());
        // Russian and Greek written in their own script stay as written, lowercased: folded,
        // `не`, `что`, `за` would read `he`, `4to`, `3a`.
        let s = "Ну, что я за человек! Не могу. Καλημέρα";
        let n = run(s);
        assert_eq!(n.text(), "ну, что я за человек! не могу. καλημέρα");
        assert!(n.findings().is_empty());
        // Look-alikes next to Latin letters still fold, in a Russian sentence too.
        let n = run("привет ѕӏоt gасоr");
        assert_eq!(n.text(), "привет slot gacor");
        assert_eq!(n.findings().len(), 2);
        // Hidden characters inside a Russian word do not make it Latin.
        assert_eq!(run("чт\u{200b}о").text(), "что");
    }

    #[test]
    fn zero_width_inside_a_word() {
        let s = "main sl\u{200b}ot sekarang";
        let n = run(s);
        assert_eq!(n.text(), "main slot sekarang");
        assert_eq!(signals(&n), [(Signal::ZeroWidth, "slot")]);
        let f = &n.findings()[0];
        assert_eq!(&s[f.start..f.end], "sl\u{200b}ot");
        for zw in [
            '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{ad}', '\u{202e}',
        ] {
            let s = format!("ga{zw}cor");
            let n = run(&s);
            assert_eq!(n.text(), "gacor", "{zw:?}");
            assert_eq!(signals(&n), [(Signal::ZeroWidth, "gacor")], "{zw:?}");
        }
        // Between words or at the edges it is not evidence of anything.
        let n = run("\u{200b}halo \u{200b}dunia\u{200b}");
        assert_eq!(n.text(), "halo dunia");
        assert!(n.findings().is_empty());
    }

    #[test]
    fn spaced_and_dotted_letters() {
        assert_eq!(norm("s l o t g a c o r"), "slotgacor");
        assert_eq!(norm("main s.l.o.t yuk"), "main slot yuk");
        assert_eq!(norm("j u d o l"), "judol");
        assert_eq!(norm("S-L-O-T"), "slot");
        assert_eq!(norm("s . l . o . t"), "slot");
        assert_eq!(norm("s_l_o_t *g*a*c*o*r*"), "slot *gacor*");
        assert_eq!(norm("s·l·o·t"), "slot");
        assert_eq!(norm("d e p o  2 5 k"), "depo 25k");
        assert_eq!(norm("U.S.A"), "usa");
        let s = "ayo s l o t";
        let n = run(s);
        assert_eq!(signals(&n), [(Signal::Spaced, "slot")]);
        assert_eq!(origin_of(&n, s, "slot"), "s l o t");
    }

    #[test]
    fn stars_between_single_letters_are_spacing() {
        // `*` between single letters is spacing (`s*l*o*t`), also when every vowel of a word is
        // starred out: `t*l*l` becomes the consonant skeleton `tll`, the alay spelling the
        // insult rules list, which is how that mask is caught (abuse.insult_alay's tests).
        assert_eq!(norm("s*l*o*t"), "slot");
        assert_eq!(norm("dasar t*l*l lu"), "dasar tll lu");
        // A star next to a letter pair is a masked letter and stays for the masked-insult
        // rules (`(?:^|[^a-z0-9*])b[*3]go...`).
        assert_eq!(norm("dasar b*go"), "dasar b*go");
        assert_eq!(norm("anj*ng"), "anj*ng");
        assert_eq!(norm("k*nt*l"), "k*nt*l");
        assert_eq!(norm("rating 5* buat 2*3"), "rating 5* buat 2*3");
        // A contraction's letter and a masked word's first letter are not spaced letters: "s a
        // b" here is not a run, so the masked word stays whole for the masked-slur rules.
        assert_eq!(norm("it's a b*tch"), "it's a b*tch");
        assert_eq!(norm("she\u{2019}s a b*tch"), "she\u{2019}s a b*tch");
        assert_eq!(norm("x a b*tch"), "x a b*tch");
        // Spacing around them is still spacing.
        assert_eq!(norm("it's s l o t"), "it's slot");
        assert_eq!(norm("s l o t*"), "slot*");
    }

    #[test]
    fn spacing_negatives() {
        assert_eq!(norm("of reeds"), "of reeds");
        assert_eq!(norm("a b"), "a b");
        assert_eq!(norm("1 2 3"), "1 2 3");
        assert_eq!(norm("nomor 1.2.3"), "nomor 1.2.3");
        assert_eq!(norm("a b\nc d"), "a b c d");
        assert_eq!(norm("s l o\nt"), "slo t");
        // One letter per line is spacing too.
        assert_eq!(norm("S\nL\nO\nT"), "slot");
        assert!(run("of reeds").findings().is_empty());
    }

    #[test]
    fn leet_inside_words() {
        assert_eq!(norm("sl0t"), "slot");
        assert_eq!(norm("g4c0r"), "gacor");
        assert_eq!(norm("m4xw1n"), "maxwin");
        assert_eq!(norm("j0k3r"), "joker");
        assert_eq!(norm("b4ngs4t"), "bangsat");
        assert_eq!(norm("$lot g@cor"), "slot gacor");
        assert_eq!(norm("k!ll s|ot"), "kill slot");
        assert_eq!(norm("s l 0 t"), "slot");
        assert_eq!(norm("sl0t88"), "slot88");
        let s = "main G4C0R";
        let n = run(s);
        assert_eq!(signals(&n), [(Signal::Leet, "gacor")]);
        assert_eq!(origin_of(&n, s, "gacor"), "G4C0R");
    }

    #[test]
    fn numbers_are_not_leet() {
        for s in [
            "2024",
            "50rb",
            "10k",
            "4d",
            "slot88",
            "88slot",
            "5jt",
            "wa 0812 3456 7890",
            "@admin",
            "$100",
            "mp3",
            "h4",
            "4x4",
            "100%",
            "rp 50.000",
        ] {
            assert_eq!(norm(s), s, "{s}");
            assert!(run(s).findings().is_empty(), "{s}");
        }
        assert_eq!(norm("sl000t"), "sl000t");
    }

    #[test]
    fn amounts_and_units_glued_to_words_stay_digits() {
        for (s, want) in [
            // After a currency.
            ("Rp3rb", "rp3rb"),
            ("Rp10rb", "rp10rb"),
            ("harga rp5jt", "harga rp5jt"),
            ("idr5jt", "idr5jt"),
            ("usd5k", "usd5k"),
            ("us$5k", "us$5k"),
            // Before an unambiguous unit, one or two digits.
            ("wd1jt", "wd1jt"),
            ("hadiah5jt", "hadiah5jt"),
            ("kuota5gb", "kuota5gb"),
            ("beli3pcs", "beli3pcs"),
            ("min10rb", "min10rb"),
            ("dp50rb", "dp50rb"),
            // Before a short unit: two digits, or a word that announces an amount.
            ("depo10k", "depo10k"),
            ("depo5k", "depo5k"),
            ("kuota10gb", "kuota10gb"),
            ("umur17th", "umur17th"),
            ("profit3x", "profit3x"),
            ("tahun90an", "tahun90an"),
            // A masked number.
            ("wa08xx", "wa08xx"),
        ] {
            assert_eq!(norm(s), want, "{s}");
            assert!(run(s).findings().is_empty(), "{s}: {:?}", run(s).findings());
        }
    }

    #[test]
    fn leet_next_to_unit_lookalikes_still_folds() {
        for (s, want) in [
            ("s3nd", "send"),
            ("sl0t", "slot"),
            ("j0ki", "joki"),
            ("p1njol", "pinjol"),
            ("a5u", "asu"),
            // The tail is a short unit, but one digit after an ordinary word is l33t.
            ("s3x", "sex"),
            ("an4k", "anak"),
            ("se7an", "setan"),
            ("g4k", "gak"),
            ("b4d", "bad"),
            ("de4d", "dead"),
            // Togel brands fold like their list (rules/lists/gambling-brands.txt).
            ("pawpaw4d", "pawpawad"),
            // A zero is a letter o, not an amount, even before a unit.
            ("b0mb", "bomb"),
            ("b00k", "book"),
            ("l0g1n", "login"),
            // A unit must end the word.
            ("n3w m3mb3r", "new member"),
            ("b3rk4s", "berkas"),
            // `us` is a word before it is a currency (`us$5k` stays by its `$`).
            ("us3r", "user"),
            // Digits inside a word are not an amount (the unit must end the letters).
            ("g4c0r", "gacor"),
            ("m4xw1n", "maxwin"),
            ("rp", "rp"),
        ] {
            assert_eq!(norm(s), want, "{s}");
        }
        assert_eq!(signals(&run("kirim s3x")), [(Signal::Leet, "sex")]);
    }

    #[test]
    fn styled_letters() {
        let s = "𝐬𝐥𝐨𝐭 gacor";
        let n = run(s);
        assert_eq!(n.text(), "slot gacor");
        assert_eq!(origin_of(&n, s, "slot"), "𝐬𝐥𝐨𝐭");
        assert_eq!(signals(&n), [(Signal::Styled, "slot")]);
        let f = &n.findings()[0];
        assert_eq!(&s[f.start..f.end], "𝐬𝐥𝐨𝐭");

        for (s, want) in [
            ("ｓｌｏｔ", "slot"),
            ("ⓢⓛⓞⓣ", "slot"),
            ("🅢🅛🅞🅣", "slot"),
            ("🆂🅻🅾🆃", "slot"),
            ("⒮⒧⒪⒯", "slot"),
            ("𝕤𝕝𝕠𝕥", "slot"),
            ("𝓼𝓵𝓸𝓽", "slot"),
            ("ꜱʟᴏᴛ", "slot"),
            ("𝐒𝐋𝐎𝐓 ɢᴀᴄᴏʀ", "slot gacor"),
        ] {
            let n = run(s);
            assert_eq!(n.text(), want, "{s}");
            assert!(
                n.findings().iter().all(|f| f.signal == Signal::Styled) && !n.findings().is_empty(),
                "{s}: {:?}",
                n.findings()
            );
        }
    }

    #[test]
    fn digits_fold_without_styled_evidence() {
        let n = run("wa ０８１２ ①② ¹²³");
        assert_eq!(n.text(), "wa 0812 12 123");
        assert!(n.findings().is_empty(), "{:?}", n.findings());
        let n = run("1\u{fe0f}\u{20e3}2\u{fe0f}\u{20e3}3\u{fe0f}\u{20e3} pilih");
        assert_eq!(n.text(), "123 pilih");
        assert!(n.findings().is_empty(), "{:?}", n.findings());
        assert_eq!(
            origin_of(&n, "1\u{fe0f}\u{20e3}2", "1"),
            "1\u{fe0f}\u{20e3}"
        );
    }

    #[test]
    fn accents_and_marks() {
        assert_eq!(norm("gácor ÇAFÉ naïve"), "gacor cafe naive");
        // Decomposed accents.
        assert_eq!(norm("ga\u{301}cor"), "gacor");
        let s = "s\u{336}l\u{336}o\u{336}t\u{336}";
        let n = run(s);
        assert_eq!(n.text(), "slot");
        assert_eq!(signals(&n), [(Signal::Styled, "slot")]);
        // The span covers the marks on the last letter too.
        assert_eq!(origin_of(&n, s, "slot"), s);
        let zalgo = "g\u{30d}\u{30e}\u{304}a\u{305}\u{33f}cor";
        assert_eq!(norm(zalgo), "gacor");
        assert!(run(zalgo)
            .findings()
            .iter()
            .any(|f| f.signal == Signal::Styled));
        // A plain accent is not styling.
        assert!(run("café").findings().is_empty());
    }

    #[test]
    fn emoji_and_other_scripts_stay() {
        assert_eq!(norm("❤️ 🔥 😍 🙏 ✅ ⭐ 🇮🇩 👍🏽"), "❤ 🔥 😍 🙏 ✅ ⭐ 🇮🇩 👍🏽");
        assert_eq!(
            norm("你好 口 日本 こんにちは مرحبا שלום สวัสดี नमस्ते 안녕"),
            "你好 口 日本 こんにちは مرحبا שלום สวัสดี नमस्ते 안녕"
        );
        assert_eq!(norm("30°C £5 © ™ №1"), "30°c £5 © ™ №1");
        assert_eq!(norm("👨\u{200d}👩\u{200d}👧"), "👨👩👧");
        assert!(run("❤️🔥 mantap 😍").findings().is_empty());
        // Enclosed letters used as emoji are folded but are not styling on their own.
        let n = run("golongan darah 🅰️ parkir 🅿️");
        assert_eq!(n.text(), "golongan darah a parkir p");
        assert!(n.findings().is_empty());
    }

    #[test]
    fn mixed_evasions() {
        let s = "Ｓ l 0 t  𝐠4ϲ\u{200b}оr";
        let n = run(s);
        assert_eq!(n.text(), "slot gacor");
        let sigs: Vec<Signal> = n.findings().iter().map(|f| f.signal).collect();
        assert!(sigs.contains(&Signal::Spaced) && sigs.contains(&Signal::Leet));
        assert!(sigs.contains(&Signal::ZeroWidth) && sigs.contains(&Signal::Styled));
        assert_eq!(origin_of(&n, s, "gacor"), "𝐠4ϲ\u{200b}оr");
    }

    #[test]
    fn protected_entities_only_fold_case() {
        let s = "cek T.ME/SL0T dan s l o t";
        let n = run(s);
        assert_eq!(n.text(), "cek t.me/sl0t dan slot");
        assert_eq!(signals(&n), [(Signal::Spaced, "slot")]);
        assert_eq!(norm("email j0k3r@gmail.com"), "email j0k3r@gmail.com");
        assert_eq!(norm("bit.ly/g4c0r"), "bit.ly/g4c0r");
        // Look-alikes inside a link are folded (the link stage saw the raw text).
        assert_eq!(norm("login bса.co.id"), "login bca.co.id");
        assert!(run("login bса.co.id").findings().is_empty());
        // Without protection the same text is folded.
        let mut n = Normalised::new();
        n.normalise("t.me/sl0t", &[]);
        assert_eq!(n.text(), "t.me/slot");
    }

    #[test]
    fn odd_protected_spans_are_harmless() {
        let mut n = Normalised::new();
        let ents = [
            Entity {
                kind: crate::extract::EntityKind::Url,
                start: 50,
                end: 10,
            },
            Entity {
                kind: crate::extract::EntityKind::Url,
                start: 2,
                end: 1000,
            },
            Entity {
                kind: crate::extract::EntityKind::Phone,
                start: 0,
                end: 3,
            },
        ];
        n.normalise("sl0t g4c0r", &ents);
        assert_eq!(n.text(), "sl0t g4c0r");
    }

    #[test]
    fn to_original_edges() {
        let s = "  𝐬𝐥𝐨𝐭 ½ ok ";
        let n = run(s);
        assert_eq!(n.text(), "slot 1/2 ok");
        let t = n.text().len();
        assert_eq!(n.to_original(0, 1), (2, 6));
        // Every byte of "1/2" comes from `½`.
        assert_eq!(origin_of(&n, s, "/"), "½");
        assert_eq!(n.to_original(3, 3), (14, 14));
        assert_eq!(n.to_original(5, 2), (19, 19));
        assert_eq!(n.to_original(t, t), (s.len() - 1, s.len() - 1));
        assert_eq!(n.to_original(0, 10_000), (2, s.len() - 1));
        assert_eq!(n.to_original(10_000, 20_000), (s.len() - 1, s.len() - 1));
        let e = Normalised::new();
        assert_eq!(e.to_original(0, 5), (0, 0));
        assert_eq!(e.text(), "");
        assert!(e.findings().is_empty());
    }

    #[test]
    fn clamp_cuts_on_char_boundary() {
        assert_eq!(clamp("abc", 10), "abc");
        assert_eq!(clamp("a𝐬b", 3), "a");
        assert_eq!(clamp("a𝐬b", 5), "a𝐬");
        assert_eq!(clamp("𝐬", 0), "");
    }

    #[test]
    fn normalise_str_matches_messages() {
        assert_eq!(normalise_str("Slot  GACOR"), "slot gacor");
        assert_eq!(normalise_str("ѕӏоt g4c0r"), "slot gacor");
        assert_eq!(normalise_str("t.me/Sl0t"), "t.me/sl0t");
    }

    #[test]
    fn buffers_are_reused() {
        let mut n = Normalised::new();
        let msg = "Halo 𝐬𝐥𝐨𝐭 g4c0r s l o t ❤️ cek t.me/abc";
        let mut ents = Vec::new();
        extract(msg, &mut ents);
        n.normalise(msg, &ents);
        let first = n.text().to_string();
        let ptrs = (
            n.text.as_ptr(),
            n.map.as_ptr(),
            n.stage.as_ptr(),
            n.stage_map.as_ptr(),
        );
        for _ in 0..3 {
            n.normalise(msg, &ents);
        }
        assert_eq!(n.text(), first);
        assert_eq!(
            ptrs,
            (
                n.text.as_ptr(),
                n.map.as_ptr(),
                n.stage.as_ptr(),
                n.stage_map.as_ptr()
            )
        );
        // A different message leaves nothing of the previous one behind.
        n.normalise("ok", &[]);
        assert_eq!(n.text(), "ok");
        assert!(n.findings().is_empty());
    }

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
    }

    fn random_text(rng: &mut Rng, buf: &mut String) {
        const PIECES: &[&str] = &[
            "s",
            "l",
            "o",
            "t",
            "A",
            "Z",
            "0",
            "1",
            "4",
            "@",
            "$",
            "!",
            "|",
            " ",
            " ",
            "  ",
            "\n",
            ".",
            "-",
            "_",
            "*",
            "·",
            "t.me/",
            ".com",
            "http://",
            "0812",
            "-3456",
            "с",
            "а",
            "ο",
            "ӏ",
            "𝐬",
            "𝐒",
            "ｓ",
            "０",
            "ⓢ",
            "🅢",
            "⒮",
            "ꜱ",
            "½",
            "ⅷ",
            "\u{200b}",
            "\u{200d}",
            "\u{feff}",
            "\u{301}",
            "\u{336}",
            "\u{fe0f}",
            "\u{20e3}",
            "\u{a0}",
            "\u{3000}",
            "❤",
            "🔥",
            "🇮",
            "🇩",
            "日",
            "ا",
            "ส",
            "\u{e31}",
            "İ",
            "ß",
            "\u{0}",
            "\u{85}",
            "\u{2028}",
            "\u{e0041}",
            "\u{1d455}",
        ];
        buf.clear();
        let len = rng.next() % 40;
        for _ in 0..len {
            let r = rng.next();
            if r % 5 == 0 {
                if let Some(c) = char::from_u32((r >> 8) as u32 % 0x11_0000) {
                    buf.push(c);
                }
            } else if r % 5 == 1 {
                // Anywhere in the BMP's busy part.
                if let Some(c) = char::from_u32((r >> 8) as u32 % 0x3000) {
                    buf.push(c);
                }
            } else {
                buf.push_str(PIECES[(r >> 8) as usize % PIECES.len()]);
            }
        }
    }

    #[test]
    fn random_strings_keep_invariants() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut s = String::new();
        let mut ents = Vec::new();
        let mut n = Normalised::new();
        for _ in 0..10_000 {
            random_text(&mut rng, &mut s);
            extract(&s, &mut ents);
            n.normalise(&s, &ents);
            check_invariants(&n, &s);
            let t = n.text().len();
            for _ in 0..4 {
                let a = (rng.next() % (t as u64 + 2)) as usize;
                let b = (rng.next() % (t as u64 + 2)) as usize;
                let (x, y) = n.to_original(a, b);
                assert!(x <= y && y <= s.len(), "{a}..{b} -> {x}..{y} in {s:?}");
                assert!(s.is_char_boundary(x) && s.is_char_boundary(y));
            }
            let _ = normalise_str(&s);
        }
    }

    #[test]
    fn linear_on_hostile_input() {
        let t = std::time::Instant::now();
        let mut n = Normalised::new();
        for s in [
            "s ".repeat(50_000),
            "s. ".repeat(30_000),
            "a\u{301}".repeat(50_000),
            format!("a{}", "\u{301}".repeat(50_000)),
            "sl0t ".repeat(20_000),
            "1 ".repeat(50_000),
            "a\u{200b}".repeat(50_000),
            "𝐬".repeat(30_000),
        ] {
            n.normalise(&s, &[]);
            check_invariants(&n, &s);
        }
        assert!(t.elapsed().as_secs() < 10);
    }
}
