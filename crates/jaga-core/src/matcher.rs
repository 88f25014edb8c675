//! One pass per field: every keyword of every rule in one Aho-Corasick DFA, every regex of
//! a field in one `RegexSet`.
//!
//! Keywords are normalised exactly like message text, so an admin writes `slot gacor` and it
//! matches `𝐬𝐥𝐨𝐭 g a c o r`. Word/prefix/suffix semantics are checked on the candidates the
//! automaton reports (overlapping, so `slot` and `slot gacor` both count).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexSet, RegexSetBuilder};

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

struct FieldRegexes {
    set: RegexSet,
    regexes: Vec<Regex>,
    owners: Vec<(u32, u32)>,
}

impl FieldRegexes {
    fn build(items: Vec<(String, u32, u32)>) -> Result<Option<FieldRegexes>, regex::Error> {
        if items.is_empty() {
            return Ok(None);
        }
        // A generous lazy-DFA cache: with a small one, a set of many Unicode-aware patterns
        // thrashes it, and the regex crate falls back to its PikeVM, ~20x slower per message.
        let set = RegexSetBuilder::new(items.iter().map(|(p, _, _)| p.as_str()))
            .size_limit(64 << 20)
            .dfa_size_limit(256 << 20)
            .build()?;
        let regexes = items
            .iter()
            .map(|(p, _, _)| Regex::new(p))
            .collect::<Result<_, _>>()?;
        let owners = items.iter().map(|&(_, r, k)| (r, k)).collect();
        Ok(Some(FieldRegexes {
            set,
            regexes,
            owners,
        }))
    }
}

/// The compiled keyword automaton and regex sets of a rule set.
pub struct Matcher {
    ac: Option<AhoCorasick>,
    /// For each automaton pattern, every rule keyword or allow phrase it stands for.
    targets: Vec<Vec<Target>>,
    text_regexes: Option<FieldRegexes>,
    name_regexes: Option<FieldRegexes>,
    patterns: usize,
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
            patterns: strings.len(),
            targets,
            text_regexes: FieldRegexes::build(text_re).map_err(|e| e.to_string())?,
            name_regexes: FieldRegexes::build(name_re).map_err(|e| e.to_string())?,
        })
    }

    /// How many distinct keyword/allow strings the automaton holds.
    pub fn pattern_count(&self) -> usize {
        self.patterns
    }

    /// Appends every keyword, allow phrase and regex hit of `field` in the normalised `text`.
    pub fn find(&self, field: RuleField, text: &str, out: &mut Vec<Hit>) {
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(text) {
                let (s, e) = (m.start(), m.end());
                let (left, right) = (boundary_before(text, s), boundary_after(text, e));
                for t in &self.targets[m.pattern().as_usize()] {
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
                            start: s as u32,
                            end: e as u32,
                        });
                    }
                }
            }
        }
        let regexes = match field {
            RuleField::Text => &self.text_regexes,
            RuleField::Name => &self.name_regexes,
        };
        if let Some(fr) = regexes {
            for i in fr.set.matches(text).iter() {
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
