//! The matcher's regexes give exactly the matches of a plain unanchored search, whether
//! they run from their prefixes in the keyword automaton or in the always-run set: checked
//! on every shipped rule against every test text of the shipped rule files, alone and
//! joined (several matches, overlapping candidates).

use std::path::PathBuf;

use jaga_core::doxing::Doxing;
use jaga_core::matcher::{MatchScratch, Matcher};
use jaga_core::normalise::normalise_str;
use jaga_core::rules::{Detector, RuleField, RuleSet, Status, TestCase};
use regex::Regex;

fn shipped() -> RuleSet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    RuleSet::load(&dir).unwrap_or_else(|e| panic!("{e}"))
}

/// Every test text of the shipped rule files, normalised, alone and joined (matches of one
/// regex several times, candidates inside other matches).
fn test_texts(set: &RuleSet) -> Vec<String> {
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
    let joined: Vec<String> = texts
        .chunks(5)
        .map(|c| c.join(" . "))
        .chain(texts.chunks(3).map(|c| c.concat()))
        .collect();
    texts.extend(joined);
    texts
}

/// The doxing stage's words ride the keyword automaton's pass (the engine builds it so): the
/// pass must find exactly what the stage's own automaton finds, in the same order, since the
/// stage reads the first of several words near a number.
#[test]
fn doxing_words_in_the_keyword_pass_equal_the_stages_own_pass() {
    let set = shipped();
    let doxing = Doxing::new(set.doxing.clone().map(|(c, _)| c).unwrap_or_default()).unwrap();
    let matcher = Matcher::build_with_words(&set.rules, doxing.patterns()).unwrap();
    let plain = Matcher::build(&set.rules).unwrap();
    assert_eq!(matcher.pattern_count(), plain.pattern_count());
    let texts = test_texts(&set);
    let (mut scratch, mut hits, mut plain_hits) = (MatchScratch::default(), vec![], vec![]);
    let (mut own, mut found) = (Vec::new(), 0);
    for text in &texts {
        hits.clear();
        matcher.find_with(RuleField::Text, text, &mut scratch, &mut hits);
        doxing.find_patterns(text, &mut own);
        assert_eq!(scratch.words(), &own[..], "doxing words differ on {text:?}");
        found += own.len();
        // The rules' own hits are those of a matcher without the words.
        plain_hits.clear();
        plain.find(RuleField::Text, text, &mut plain_hits);
        assert_eq!(hits, plain_hits, "rule hits differ on {text:?}");
        // A name-field pass reports no words: the stage reads the text only.
        matcher.find_with(RuleField::Name, text, &mut scratch, &mut hits);
        assert!(scratch.words().is_empty());
    }
    assert!(
        found > 10_000,
        "{found} doxing words in {} texts",
        texts.len()
    );
}

#[test]
fn regex_hits_equal_a_plain_search_on_the_shipped_rules() {
    let set = shipped();
    let matcher = Matcher::build(&set.rules).unwrap();
    let texts = test_texts(&set);
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
