//! One pass per field: every keyword of every rule in one Aho-Corasick DFA; regexes only
//! where they can match.
//!
//! A set of ~200 Unicode-aware regexes run over every message kept meeting new lazy-DFA
//! states on varied chat text and fell back to slower engines (869 µs per event on real
//! texts, `benches/ratio.rs`). Most regexes can only match where one of a few literal strings
//! starts (`(?:jasa|open) joki` starts with `jasa ` or `open `): those prefixes join the
//! keyword automaton, and the regex is tried anchored at each prefix found, left to right,
//! skipping starts inside its previous match, which gives exactly the matches of a plain
//! search. The few whose matches can start anywhere (`\d+ ?rb`) stay in one `RegexSet` that
//! runs on every message.
//!
//! Keywords are normalised exactly like message text, so an admin writes `slot gacor` and it
//! matches `𝐬𝐥𝐨𝐭 g a c o r`. Word/prefix/suffix semantics are checked on the candidates the
//! automaton reports (overlapping, so `slot` and `slot gacor` both count).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexSet, RegexSetBuilder};
use regex_automata::{meta, Anchored, Input};

use crate::normalise::normalise_str;
use crate::rules::{Detector, MatchMode, Rule, RuleField, Status};

/// Spans reported per regex per message, so a huge message cannot make a huge verdict.
const MAX_REGEX_SPANS: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Target {
    rule: u32,
    /// Index of the pattern within its rule (for `min_matches`); `u32::MAX` for allow phrases.
    pattern: u32,
    mode: MatchMode,
    field: RuleField,
}

/// A keyword, regex or allow phrase found in a normalised field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub rule: u32,
    /// Which of the rule's keywords/regexes; [`Hit::ALLOW`] for an allow phrase.
    pub pattern: u32,
    /// Byte span in the normalised text.
    pub start: u32,
    pub end: u32,
}

impl Hit {
    pub const ALLOW: u32 = u32::MAX;

    pub fn is_allow(&self) -> bool {
        self.pattern == Hit::ALLOW
    }
}

/// The regexes of one field.
struct FieldRegexes {
    regexes: Vec<Regex>,
    /// The same regexes for anchored searches at a prefix (the `regex` crate has none);
    /// `None` for those in the always-run set.
    anchored: Vec<Option<meta::Regex>>,
    /// The rule and pattern index of each regex.
    owners: Vec<(u32, u32)>,
    /// The regexes without a usable prefix set (indices into `regexes`), checked together on
    /// every text.
    always: Option<(RegexSet, Vec<u32>)>,
}

/// Fewest bytes a prefix must have to join the automaton: an empty prefix means a match can
/// start anywhere.
const MIN_PREFIX: usize = 1;
/// Most prefixes one regex may add to the automaton (a class of letters expands to many).
const MAX_PREFIXES: usize = 64;

/// The strings every match of `pattern` starts with, when there are few enough to be worth
/// looking for: `None` when a match can start anywhere or with the empty string.
fn match_prefixes(pattern: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    // The parser's defaults are the regex crate's (Unicode on, case-sensitive, `.` without
    // a newline), so the prefixes are those of the regex that runs.
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let lits = seq.literals()?;
    // A prefix cut inside a character (the extractor bounds literal length) could not join
    // the automaton's strings: such a regex runs on every text instead of missing a start.
    if lits.is_empty()
        || lits.len() > MAX_PREFIXES
        || lits
            .iter()
            .any(|l| l.len() < MIN_PREFIX || std::str::from_utf8(l.as_bytes()).is_err())
    {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

impl FieldRegexes {
    /// Compiles the regexes of one field; each one's prefixes go to `add_prefix` with its
    /// index, the others into the always-run set.
    fn build(
        items: Vec<(String, u32, u32)>,
        mut add_prefix: impl FnMut(&[u8], u32),
    ) -> Result<Option<FieldRegexes>, regex::Error> {
        if items.is_empty() {
            return Ok(None);
        }
        let regexes = items
            .iter()
            .map(|(p, _, _)| Regex::new(p))
            .collect::<Result<Vec<_>, _>>()?;
        // The `regex` crate's default syntax, so the same matches.
        let mut anchored = items
            .iter()
            .map(|(p, _, _)| {
                meta::Regex::builder()
                    .configure(meta::Config::new().nfa_size_limit(Some(64 << 20)))
                    .build(p)
                    .ok()
            })
            .collect::<Vec<_>>();
        let mut always = Vec::new();
        for (i, (p, _, _)) in items.iter().enumerate() {
            match match_prefixes(p).filter(|_| anchored[i].is_some()) {
                Some(prefixes) => prefixes.iter().for_each(|l| add_prefix(l, i as u32)),
                None => {
                    anchored[i] = None;
                    always.push(i as u32);
                }
            }
        }

        let always = if always.is_empty() {
            None
        } else {
            // A generous lazy-DFA cache: with a small one, a set of many Unicode-aware
            // patterns thrashes it, and the regex crate falls back to its PikeVM, ~20x
            // slower per message.
            let set = RegexSetBuilder::new(always.iter().map(|&i| items[i as usize].0.as_str()))
                .size_limit(64 << 20)
                .dfa_size_limit(256 << 20)
                .build()?;
            Some((set, always))
        };
        let owners = items.iter().map(|&(_, r, k)| (r, k)).collect();
        Ok(Some(FieldRegexes {
            regexes,
            anchored,
            owners,
            always,
        }))
    }
}

/// The compiled keyword automaton and regex sets of a rule set.
pub struct Matcher {
    ac: Option<AhoCorasick>,
    /// For each automaton pattern, every rule keyword or allow phrase it stands for.
    targets: Vec<Vec<Target>>,
    /// For each automaton pattern, the regexes (field, index) that can match from there.
    starts: Vec<Vec<(RuleField, u32)>>,
    text_regexes: Option<FieldRegexes>,
    name_regexes: Option<FieldRegexes>,
    patterns: usize,
}

/// Reusable buffers for [`Matcher::find_with`].
#[derive(Debug, Default, Clone)]
pub struct MatchScratch {
    /// One bit per regex of the always-run set: whether it matched this text.
    run: Vec<u64>,
    /// (regex, byte offset) where a regex's prefix starts in this text.
    starts: Vec<(u32, u32)>,
}

impl Matcher {
    /// Builds the automaton and the regex sets. Disabled rules are left out.
    pub fn build(rules: &[Rule]) -> Result<Matcher, String> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut strings: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut text_re = Vec::new();
        let mut name_re = Vec::new();
        let mut add = |s: &str, t: Target| {
            let norm = normalise_str(s);
            if norm.is_empty() {
                return;
            }
            // Spammers write "s l o t g a c o r" (joined by the normaliser into "slotgacor") or
            // "slotgacor" outright, so a multi-word keyword also matches with its spaces removed.
            let joined: String = norm.split(' ').collect();
            let variants = if joined != norm {
                vec![norm, joined]
            } else {
                vec![norm]
            };
            for v in variants {
                let i = *index.entry(v.clone()).or_insert_with(|| {
                    strings.push(v);
                    targets.push(Vec::new());
                    strings.len() - 1
                });
                if !targets[i]
                    .iter()
                    .any(|x: &Target| x.rule == t.rule && x.pattern == t.pattern)
                {
                    targets[i].push(t);
                }
            }
        };
        for (ri, rule) in rules.iter().enumerate() {
            if rule.status == Status::Disabled {
                continue;
            }
            let ri = ri as u32;
            if let Detector::Patterns { keywords, regexes } = &rule.detector {
                for (ki, (kw, mode)) in keywords.iter().enumerate() {
                    add(
                        kw,
                        Target {
                            rule: ri,
                            pattern: ki as u32,
                            mode: *mode,
                            field: rule.field,
                        },
                    );
                }
                for (xi, re) in regexes.iter().enumerate() {
                    let item = (re.clone(), ri, (keywords.len() + xi) as u32);
                    match rule.field {
                        RuleField::Text => text_re.push(item),
                        RuleField::Name => name_re.push(item),
                    }
                }
            }
            for (phrase, mode) in &rule.allow {
                add(
                    phrase,
                    Target {
                        rule: ri,
                        pattern: Hit::ALLOW,
                        mode: *mode,
                        field: rule.field,
                    },
                );
            }
        }
        let keyword_strings = strings.len();
        let mut starts: Vec<Vec<(RuleField, u32)>> = vec![Vec::new(); strings.len()];
        let mut regexes = |field: RuleField, items| {
            FieldRegexes::build(items, |prefix: &[u8], i| {
                // Prefixes are matched as they are: regexes see the normalised text.
                // (`match_prefixes` gives whole characters only.)
                let Ok(prefix) = std::str::from_utf8(prefix) else {
                    return;
                };
                let k = *index.entry(prefix.to_string()).or_insert_with(|| {
                    strings.push(prefix.to_string());
                    targets.push(Vec::new());
                    starts.push(Vec::new());
                    strings.len() - 1
                });
                if !starts[k].contains(&(field, i)) {
                    starts[k].push((field, i));
                }
            })
            .map_err(|e| e.to_string())
        };
        let text_regexes = regexes(RuleField::Text, text_re)?;
        let name_regexes = regexes(RuleField::Name, name_re)?;
        let ac = if strings.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .match_kind(MatchKind::Standard)
                    .build(&strings)
                    .map_err(|e| format!("cannot build the keyword automaton: {e}"))?,
            )
        };
        Ok(Matcher {
            ac,
            patterns: keyword_strings,
            targets,
            starts,
            text_regexes,
            name_regexes,
        })
    }

    /// How many distinct keyword/allow strings the automaton holds.
    pub fn pattern_count(&self) -> usize {
        self.patterns
    }

    /// Appends every keyword, allow phrase and regex hit of `field` in the normalised `text`.
    pub fn find(&self, field: RuleField, text: &str, out: &mut Vec<Hit>) {
        self.find_with(field, text, &mut MatchScratch::default(), out)
    }

    /// [`Matcher::find`] with reusable buffers. Hits come keywords first, then regex hits;
    /// the engine sorts them.
    pub fn find_with(
        &self,
        field: RuleField,
        text: &str,
        s: &mut MatchScratch,
        out: &mut Vec<Hit>,
    ) {
        let regexes = match field {
            RuleField::Text => &self.text_regexes,
            RuleField::Name => &self.name_regexes,
        };
        s.run.clear();
        s.starts.clear();
        if let Some(fr) = regexes {
            s.run.resize(fr.regexes.len().div_ceil(64), 0);
        }
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(text) {
                let (s_, e) = (m.start(), m.end());
                let p = m.pattern().as_usize();
                for &(f, i) in &self.starts[p] {
                    if f == field {
                        s.starts.push((i, s_ as u32));
                    }
                }
                let targets = &self.targets[p];
                if targets.is_empty() {
                    continue;
                }
                let (left, right) = (boundary_before(text, s_), boundary_after(text, e));
                for t in targets {
                    if t.field != field {
                        continue;
                    }
                    let ok = match t.mode {
                        MatchMode::Word => left && right,
                        MatchMode::Prefix => left,
                        MatchMode::Suffix => right,
                        MatchMode::Substring => true,
                    };
                    if ok {
                        out.push(Hit {
                            rule: t.rule,
                            pattern: t.pattern,
                            start: s_ as u32,
                            end: e as u32,
                        });
                    }
                }
            }
        }
        let Some(fr) = regexes else {
            return;
        };
        if let Some((set, indices)) = &fr.always {
            for k in set.matches(text).iter() {
                let i = indices[k];
                s.run[i as usize / 64] |= 1 << (i % 64);
            }
        }
        for (w, &bits) in s.run.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let (rule, pattern) = fr.owners[i];
                for m in fr.regexes[i].find_iter(text).take(MAX_REGEX_SPANS) {
                    out.push(Hit {
                        rule,
                        pattern,
                        start: m.start() as u32,
                        end: m.end() as u32,
                    });
                }
            }
        }
        // Each prefixed regex from its candidate starts, left to right; a start inside the
        // previous match is skipped, as an unanchored search would.
        s.starts.sort_unstable();
        s.starts.dedup();
        let mut k = 0;
        while k < s.starts.len() {
            let i = s.starts[k].0;
            let (rule, pattern) = fr.owners[i as usize];
            let (mut found, mut resume) = (0, 0usize);
            while k < s.starts.len() && s.starts[k].0 == i {
                let at = s.starts[k].1 as usize;
                k += 1;
                if at < resume || found == MAX_REGEX_SPANS {
                    continue;
                }
                let Some(re) = &fr.anchored[i as usize] else {
                    continue;
                };
                let input = Input::new(text).range(at..).anchored(Anchored::Yes);
                if let Some(m) = re.search(&input) {
                    out.push(Hit {
                        rule,
                        pattern,
                        start: m.start() as u32,
                        end: m.end() as u32,
                    });
                    found += 1;
                    resume = m.end();
                }
            }
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// True when no letter or digit touches `at` from the left.
pub(crate) fn boundary_before(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at.wrapping_sub(1)) {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        Some(_) => !text[..at].chars().next_back().is_some_and(is_word_char),
    }
}

/// True when no letter or digit touches `at` from the right.
pub(crate) fn boundary_after(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        Some(_) => !text[at..].chars().next().is_some_and(is_word_char),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Location, RuleTests, When};
    use crate::verdict::Category;

    fn rule(keywords: &[&str], regexes: &[&str], allow: &[&str]) -> Rule {
        Rule {
            id: "t.r".into(),
            description: String::new(),
            description_id: String::new(),
            tags: Vec::new(),
            category: Category::Spam,
            on: vec![crate::event::Kind::Message],
            field: RuleField::Text,
            detector: Detector::Patterns {
                keywords: keywords
                    .iter()
                    .map(|k| {
                        let (i, m) = MatchMode::from_keyword(k, MatchMode::Word);
                        (i.to_string(), m)
                    })
                    .collect(),
                regexes: regexes.iter().map(|s| s.to_string()).collect(),
            },
            min_matches: 1,
            score: 0.5,
            action: None,
            when: When::default(),
            allow: allow
                .iter()
                .map(|a| (a.to_string(), MatchMode::Word))
                .collect(),
            allow_unless: None,
            status: Status::Active,
            lang: vec![],
            tests: RuleTests::default(),
            location: Location {
                file: "x".into(),
                line: 1,
            },
        }
    }

    fn hits(m: &Matcher, text: &str) -> Vec<(u32, &'static str, String)> {
        let mut out = Vec::new();
        m.find(RuleField::Text, text, &mut out);
        out.iter()
            .map(|h| {
                (
                    h.pattern,
                    if h.is_allow() { "allow" } else { "kw" },
                    text[h.start as usize..h.end as usize].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn word_prefix_suffix_substring() {
        let m =
            Matcher::build(&[rule(&["slot", "pinjol*", "*gacor", "*judi*"], &[], &[])]).unwrap();
        assert_eq!(hits(&m, "main slot yuk").len(), 1);
        assert!(
            hits(&m, "slotnya").is_empty(),
            "word keyword must not match inside a word"
        );
        assert_eq!(hits(&m, "pinjolnya cair")[0].2, "pinjol");
        assert!(hits(&m, "antipinjol").is_empty());
        assert_eq!(hits(&m, "slotgacor")[0].2, "gacor");
        assert_eq!(hits(&m, "situsjudionline")[0].2, "judi");
    }

    #[test]
    fn overlapping_keywords_and_allow_phrases() {
        let m = Matcher::build(&[rule(&["slot", "slot gacor"], &[], &["hati-hati"])]).unwrap();
        let h = hits(&m, "hati-hati slot gacor");
        assert!(h.iter().any(|x| x.1 == "allow"));
        assert!(h.iter().any(|x| x.2 == "slot gacor"));
        assert!(h.iter().any(|x| x.2 == "slot"));
    }

    #[test]
    fn regexes_report_spans_with_pattern_index_after_keywords() {
        let m = Matcher::build(&[rule(&["depo"], &[r"(?-u:\b)wd \d+(?-u:\b)"], &[])]).unwrap();
        let h = hits(&m, "depo 10 wd 50 wd 70");
        assert_eq!(h.iter().filter(|x| x.0 == 1).count(), 2);
        assert_eq!(h.iter().find(|x| x.0 == 1).unwrap().2, "wd 50");
    }

    #[test]
    fn prefixed_regexes_skip_candidates_inside_a_match_like_a_plain_search() {
        // `ab` and `b` both start matches; the `b` inside `abcc` must not start another.
        let m = Matcher::build(&[rule(&[], &[r"(?:ab|b)c+", r"\d+ ?rb"], &[])]).unwrap();
        assert!(m.text_regexes.as_ref().unwrap().anchored[0].is_some());
        assert!(
            m.text_regexes.as_ref().unwrap().anchored[1].is_none(),
            "a match can start with any digit: always run"
        );
        let h = hits(&m, "abcc bc abc b 50rb 7 rb");
        let mut spans: Vec<&str> = h.iter().map(|x| x.2.as_str()).collect();
        spans.sort_unstable();
        assert_eq!(spans, ["50rb", "7 rb", "abc", "abcc", "bc"]);
        assert!(hits(&m, "ab b cc").is_empty());
    }

    #[test]
    fn multi_word_keywords_also_match_joined() {
        let m = Matcher::build(&[rule(&["slot gacor"], &[], &[])]).unwrap();
        assert_eq!(hits(&m, "situs slotgacor")[0].2, "slotgacor");
        assert_eq!(hits(&m, "situs slot gacor")[0].2, "slot gacor");
        assert!(hits(&m, "slotgacornya").is_empty(), "still a word keyword");
    }

    #[test]
    fn unicode_boundaries() {
        let m = Matcher::build(&[rule(&["slot"], &[], &[])]).unwrap();
        assert_eq!(
            hits(&m, "🔥slot🔥").len(),
            1,
            "emoji are not word characters"
        );
        assert!(hits(&m, "éslot").is_empty() || hits(&m, "éslot").len() == 1);
    }
}
