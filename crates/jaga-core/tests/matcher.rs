//! The matcher's regexes give exactly the matches of a plain unanchored search, whether
//! they run from their prefixes in the keyword automaton or in the always-run set: checked
//! on every shipped rule against every test text of the shipped rule files, alone and
//! joined (several matches, overlapping candidates).

use std::path::PathBuf;

use jaga_core::matcher::Matcher;
use jaga_core::normalise::normalise_str;
use jaga_core::rules::{Detector, RuleField, RuleSet, Status, TestCase};
use regex::Regex;

fn shipped() -> RuleSet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    RuleSet::load(&dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn regex_hits_equal_a_plain_search_on_the_shipped_rules() {
    let set = shipped();
    let matcher = Matcher::build(&set.rules).unwrap();
    let mut texts: Vec<String> = Vec::new();
    for r in &set.rules {
        for case in r.tests.hit.iter().chain(&r.tests.miss) {
            let t = match case {
                TestCase::Text(t) => t.clone(),
                TestCase::Event(e) => e.text.clone(),
            };
            texts.push(normalise_str(&t));
        }
    }
    // Joined texts: matches of one regex several times, candidates inside other matches.
    let joined: Vec<String> = texts
        .chunks(5)
        .map(|c| c.join(" . "))
        .chain(texts.chunks(3).map(|c| c.concat()))
        .collect();
    texts.extend(joined);
    assert!(texts.len() > 1000, "{} texts", texts.len());
    let regexes: Vec<(u32, u32, Regex)> = set
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status != Status::Disabled && r.field == RuleField::Text)
        .filter_map(|(ri, r)| match &r.detector {
            Detector::Patterns { keywords, regexes } => Some((ri, keywords.len(), regexes)),
            _ => None,
        })
        .flat_map(|(ri, nk, regexes)| {
            regexes
                .iter()
                .enumerate()
                .map(move |(xi, p)| (ri as u32, (nk + xi) as u32, Regex::new(p).unwrap()))
        })
        .collect();
    assert!(regexes.len() > 100, "{} regexes", regexes.len());
    let (mut compared, mut matched) = (0, 0);
    for text in &texts {
        let mut expected: Vec<(u32, u32, u32, u32)> = Vec::new();
        for (rule, pattern, re) in &regexes {
            for m in re.find_iter(text).take(16) {
                expected.push((*rule, *pattern, m.start() as u32, m.end() as u32));
            }
        }
        let mut hits = Vec::new();
        matcher.find(RuleField::Text, text, &mut hits);
        let mut got: Vec<(u32, u32, u32, u32)> = hits
            .iter()
            .filter(|h| !h.is_allow())
            .filter(|h| {
                regexes
                    .iter()
                    .any(|(r, p, _)| *r == h.rule && *p == h.pattern)
            })
            .map(|h| (h.rule, h.pattern, h.start, h.end))
            .collect();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected, "regex hits differ on {text:?}");
        compared += 1;
        matched += usize::from(!expected.is_empty());
    }
    assert!(
        matched > 300,
        "{matched} of {compared} texts had a regex hit"
    );
}
