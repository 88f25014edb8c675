//! One pass per field: every keyword of every rule in one Aho-Corasick automaton; regexes
//! only where they can match.
//!
//! A set of ~200 Unicode-aware regexes run over every message kept meeting new lazy-DFA
//! states on varied chat text and fell back to slower engines (869 µs per event on real
//! texts, `benches/ratio.rs`). Most regexes can only match where one of a few literal strings
//! starts (`(?:jasa|open) joki` starts with `jasa ` or `open `): those prefixes join the
//! keyword automaton, and the regex is tried anchored at each prefix found, left to right,
//! skipping starts inside its previous match, which gives exactly the matches of a plain
//! search.
//!
//! A short prefix (`i` of `(?:i|i.ve) (?:\w+ ){0,2}know`) starts dozens of failing tries per
//! message, so a regex also has **gates** when it can: sets of strings one of each of which
//! every match contains (`know`; for `(?:tiket|tix)[\s\S]{0,200}(?:dp|deposit)`, `dp` or
//! `deposit`, without which each "tiket" started a try that walked 200 characters). They join
//! the automaton too, and a regex with a gate not in the text is not tried at all. A regex
//! without a usable prefix but with a gate (`\w+nya di`) is searched only in texts holding its
//! gates; the few with neither (`\d+ ?rb`) stay in one `RegexSet` that runs on every message.
//! Prefixes and gates are necessary conditions, never sufficient ones, so the hits are exactly
//! those of a plain search of every regex.
//!
//! The prefixed regexes (most of them) are compiled together, as the patterns of one lazy
//! DFA that is started anchored at one pattern: about 20 tries per message then walk one
//! automaton and one cache instead of 20 regexes' own, which in the full pipeline were cold.
//!
//! Keywords are normalised exactly like message text, so an admin writes `slot gacor` and it
//! matches `𝐬𝐥𝐨𝐭 g a c o r`. Word/prefix/suffix semantics are checked on the candidates the
//! automaton reports (overlapping, so `slot` and `slot gacor` both count).
//!
//! Another stage's words can ride the same pass ([`Matcher::build_with_words`]): the doxing
//! stage's words and cues were a second automaton's pass over every message (5% of a
//! scan's CPU); here they cost the matches they make.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use memchr::memmem;
use regex::{RegexSet, RegexSetBuilder};
use regex_automata::hybrid::dfa::{self as lazy, DFA};
use regex_automata::nfa::thompson::{self, pikevm::PikeVM};
use regex_automata::{meta, Anchored, Input, PatternID};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

use crate::normalise::normalise_str;
use crate::rules::{Detector, MatchMode, Rule, RuleField, Status};

/// Spans reported per regex per message, so a huge message cannot make a huge verdict.
const MAX_REGEX_SPANS: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Target {
    /// The rule's index; [`Target::WORD`] for another stage's word (see
    /// [`Matcher::build_with_words`]), whose index is then in `pattern`.
    rule: u32,
    /// Index of the pattern within its rule (for `min_matches`); `u32::MAX` for allow phrases.
    pattern: u32,
    mode: MatchMode,
    field: RuleField,
}

impl Target {
    const WORD: u32 = u32::MAX;
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
    /// Each regex compiled as it is searched: on its own when it is searched unanchored
    /// (gated or always-run), as a pattern of [`FieldRegexes::tries`] when it is tried at its
    /// prefixes. Both with the `regex` crate's default syntax, so the same matches as
    /// `Regex::new`.
    regexes: Vec<Compiled>,
    /// The rule and pattern index of each regex.
    owners: Vec<(u32, u32)>,
    /// How each regex is found; see [`Plan`].
    plans: Vec<Plan>,
    /// Each regex's gates, as a range of gate numbers (bits of [`MatchScratch::open`]): a
    /// regex's gates are numbered one after the other. It is tried only when every one of
    /// them is open (one of its strings is in the text).
    gate_ranges: Vec<(u32, u32)>,
    /// How many gates the field's regexes have together (bits of [`MatchScratch::open`]).
    gate_count: usize,
    /// The regex each gate belongs to (a gate number is one regex's).
    gate_regex: Vec<u32>,
    /// The prefixes shorter than [`MIN_GATE`] of gated regexes, with their regex, in the
    /// order of the regexes: looked for in a text only when the regex's gates are open, not
    /// in the automaton. Their finders are in `scanned_finders`, in step.
    scanned: Vec<u32>,
    scanned_finders: Vec<memmem::Finder<'static>>,
    /// The regexes with neither a prefix set nor a gate (indices into `regexes`), checked
    /// together on every text.
    always: Option<(RegexSet, Vec<u32>)>,
    /// Every prefixed regex of the field as one pattern of one automaton.
    tries: Option<Tries>,
}

/// How one regex is compiled.
enum Compiled {
    /// On its own, for unanchored searches.
    Alone(meta::Regex),
    /// As this pattern of the field's [`Tries`].
    Tried(PatternID),
}

/// The prefixed regexes of a field as the patterns of one lazy DFA, each tried anchored at a
/// start with `Anchored::Pattern`.
///
/// A message meets about 20 tries of different regexes, and in the pipeline, between the
/// model's table and the automaton, each regex's own engine and cache were cold: one lazy
/// DFA and one cache for all of them touch less memory (a try costs about a quarter less
/// under cache pressure, with the same matches), and the regexes are compiled once, together,
/// not twice each (forward and reverse) as a standalone regex is.
struct Tries {
    dfa: DFA,
    /// The same automaton for the rare search the lazy DFA gives up on (a Unicode word
    /// boundary before non-ASCII text).
    pikevm: PikeVM,
}

/// Upper bound of the lazy DFA cache of [`Tries`] per thread: it grows as states are met and
/// is cleared and rebuilt when full (about 13 MB after 30,000 mixed messages).
const TRIES_CACHE: usize = 64 << 20;

/// The compiled size allowed to one regex, and to the prefixed regexes of a field together
/// (the shipped rules' prefixed regexes take about 19 MB).
const REGEX_SIZE_LIMIT: usize = 64 << 20;
const TRIES_SIZE_LIMIT: usize = 128 << 20;

/// Compiles one regex on its own; the error names its rule.
fn compile_alone(pattern: &str, rule_id: &str) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .configure(meta::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build(pattern)
        .map_err(|e| {
            // The rules' lint checks syntax only, so a regex too large to compile is
            // reported here: name its rule, and the cause under "error building NFA".
            let cause = std::error::Error::source(&e)
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            format!(
                "rule `{rule_id}`: regex `{pattern}` cannot be compiled: {e}{cause}; make it smaller (fewer or smaller counted repetitions)"
            )
        })
}

impl Tries {
    /// Compiles `patterns` together; on an error, the regex at fault is named by compiling
    /// each on its own (only then: that takes longer).
    fn build(patterns: &[&str], rule_id: &dyn Fn(usize) -> String) -> Result<Tries, String> {
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(TRIES_SIZE_LIMIT)))
            .build_many(patterns)
            .map_err(|e| {
                for (k, p) in patterns.iter().enumerate() {
                    if let Err(named) = compile_alone(p, &rule_id(k)) {
                        return named;
                    }
                }
                format!(
                    "the regexes of the rules together cannot be compiled: {e}; make them smaller or fewer"
                )
            })?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .starts_for_each_pattern(true)
                    .unicode_word_boundary(true)
                    .cache_capacity(TRIES_CACHE),
            )
            .build_from_nfa(nfa.clone())
            .map_err(|e| format!("cannot build the regex automaton: {e}"))?;
        let pikevm = PikeVM::new_from_nfa(nfa)
            .map_err(|e| format!("cannot build the regex automaton: {e}"))?;
        Ok(Tries { dfa, pikevm })
    }

    /// Where the match of `pattern` starting exactly at `at` ends, if there is one.
    fn end_of_match(
        &self,
        pattern: PatternID,
        text: &str,
        at: usize,
        c: &mut FieldCaches,
    ) -> Option<usize> {
        let input = Input::new(text)
            .range(at..)
            .anchored(Anchored::Pattern(pattern));
        let cache = c.dfa.get_or_insert_with(|| self.dfa.create_cache());
        match self.dfa.try_search_fwd(cache, &input) {
            Ok(m) => m.map(|m| m.offset()),
            Err(_) => {
                let cache = c.pikevm.get_or_insert_with(|| self.pikevm.create_cache());
                self.pikevm.find(cache, input).map(|m| m.end())
            }
        }
    }
}

/// One field's regex caches in a [`MatchScratch`], each made on its first use.
#[derive(Debug, Default, Clone)]
struct FieldCaches {
    /// Each regex searched on its own.
    alone: Vec<Option<meta::Cache>>,
    /// The field's [`Tries`].
    dfa: Option<lazy::Cache>,
    pikevm: Option<thompson::pikevm::Cache>,
}

/// How the matcher finds one regex's matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    /// Tried anchored where one of its prefixes starts (else searched unanchored).
    prefixed: bool,
    /// Tried only when each of its gates has a string somewhere in the text.
    gated: bool,
}

/// Most prefixes one regex may add to the automaton (a class of letters expands to many).
const MAX_PREFIXES: usize = 64;
/// A gate's strings are at least this long: shorter ones are in nearly every message.
const MIN_GATE: usize = 3;
/// A gate of one part of a regex may have shorter strings (`dp` of `tiket ... (?:dp|deposit)`):
/// the regex's other gates and prefixes are needed too, so it only has to be missing from
/// some texts, not most.
const MIN_PART_GATE: usize = 2;
/// Most strings in one gate.
const MAX_GATE: usize = 64;
/// Most gates of one regex: each further one is a part of the regex the others say nothing
/// about (`kirim` ... `paket` ... `ongkir`), and adds its strings to the automaton.
const MAX_GATES: usize = 3;

/// Parses a rule regex with the `regex` crate's defaults (Unicode on, case-sensitive, `.`
/// without a newline), so literals extracted from it are those of the regex that runs.
fn parse(pattern: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()
}

/// Whole-character strings, or `None` when a string would cut a character (the extractor
/// bounds literal length) and so could not join the automaton.
fn utf8_strings(lits: &[regex_syntax::hir::literal::Literal]) -> Option<Vec<String>> {
    lits.iter()
        .map(|l| String::from_utf8(l.as_bytes().to_vec()).ok())
        .collect()
}

/// The strings every match of `hir` starts with, when there are few enough to be worth
/// looking for: `None` when a match can start anywhere or with the empty string.
fn match_prefixes(hir: &Hir) -> Option<Vec<String>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.len() > MAX_PREFIXES || lits.iter().any(|l| l.is_empty()) {
        return None;
    }
    utf8_strings(lits)
}

/// A gate of `hir`: strings one of which every match contains, chosen as long and as few
/// as possible; `None` when there is no such set of strings of at least `min_len` bytes.
///
/// Every match of a concatenation contains a match of each part, and of each run of parts
/// from one part to the end, whose matches start with that run's prefixes; every match of an
/// alternation contains what one of its branches must contain.
fn gate(hir: &Hir, min_len: usize) -> Option<Vec<String>> {
    let better = |a: &[String], b: &[String]| gate_rank(a) < gate_rank(b);
    let usable = |g: Vec<String>| -> Option<Vec<String>> {
        let ok = !g.is_empty() && g.len() <= MAX_GATE && g.iter().all(|s| s.len() >= min_len);
        ok.then_some(g)
    };
    let mut best: Option<Vec<String>> = match_prefixes(hir).and_then(usable);
    let mut offer = |g: Option<Vec<String>>| {
        if let Some(g) = g {
            if best.as_ref().is_none_or(|b| better(&g, b)) {
                best = Some(g);
            }
        }
    };
    match hir.kind() {
        HirKind::Capture(c) => offer(gate(&c.sub, min_len)),
        HirKind::Repetition(r) if r.min > 0 => offer(gate(&r.sub, min_len)),
        HirKind::Concat(parts) => {
            for (i, part) in parts.iter().enumerate() {
                offer(gate(part, min_len));
                if i > 0 {
                    offer(match_prefixes(&Hir::concat(parts[i..].to_vec())).and_then(usable));
                }
            }
        }
        HirKind::Alternation(branches) => {
            let all = branches
                .iter()
                .map(|b| gate(b, min_len))
                .collect::<Option<Vec<_>>>();
            offer(all.and_then(|all| {
                let mut all: Vec<String> = all.into_iter().flatten().collect();
                all.sort_unstable();
                all.dedup();
                usable(all)
            }));
        }
        _ => {}
    }
    best
}

/// How good a gate is, lowest best: a longer shortest string first, then fewer strings.
fn gate_rank(g: &[String]) -> (std::cmp::Reverse<usize>, usize) {
    let shortest = g.iter().map(String::len).min().unwrap_or(0);
    (std::cmp::Reverse(shortest), g.len())
}

/// The gates of `hir`: sets of strings, one of each set in every match. The best gate of the
/// whole (see [`gate`]) and the best of each part of a top-level concatenation, longest
/// strings first, at most [`MAX_GATES`], without the regex's own prefixes (a try already
/// needs one of them).
///
/// A regex joining far-apart parts (`(?:tiket|tix)[\s\S]{0,200}(?:dp|deposit|cicil)`) was
/// tried at every "tiket" and walked 200 characters each time, where the text held none of
/// its last part: one gate per part skips those tries.
fn gates(hir: &Hir, prefixes: Option<&Vec<String>>) -> Vec<Vec<String>> {
    let mut found: Vec<Vec<String>> = gate(hir, MIN_GATE).into_iter().collect();
    let mut core = hir;
    while let HirKind::Capture(c) = core.kind() {
        core = &c.sub;
    }
    if let HirKind::Concat(parts) = core.kind() {
        // Short strings only where they spare tries at prefixes: a regex searched
        // unanchored would be taken out of the always-run set for strings in most texts.
        let min_len = if prefixes.is_some() {
            MIN_PART_GATE
        } else {
            MIN_GATE
        };
        found.extend(parts.iter().filter_map(|p| gate(p, min_len)));
    }
    for g in &mut found {
        g.sort_unstable();
        g.dedup();
    }
    let mut own = prefixes.cloned().unwrap_or_default();
    own.sort_unstable();
    own.dedup();
    found.retain(|g| *g != own);
    found.sort_by(|a, b| gate_rank(a).cmp(&gate_rank(b)).then_with(|| a.cmp(b)));
    found.dedup();
    found.truncate(MAX_GATES);
    found
}

/// A regex's literal prefixes (see [`match_prefixes`]) and gates (see [`gates`]): what the
/// matcher looks for before it runs the regex. Neither: the regex runs on every message.
fn prefixes_and_gates(pattern: &str) -> (Option<Vec<String>>, Vec<Vec<String>>) {
    let hir = parse(pattern);
    let prefixes = hir.as_ref().and_then(match_prefixes);
    let gates = hir
        .as_ref()
        .map(|h| gates(h, prefixes.as_ref()))
        .unwrap_or_default();
    (prefixes, gates)
}

impl FieldRegexes {
    /// Compiles the regexes of one field; each one's prefixes and its gates' strings go to
    /// `add_string` with what the automaton's match of them stands for; regexes with
    /// neither go into the always-run set.
    fn build(
        items: Vec<(String, u32, u32)>,
        rule_id: impl Fn(u32) -> String,
        mut add_string: impl FnMut(&str, Trigger),
    ) -> Result<Option<FieldRegexes>, String> {
        if items.is_empty() {
            return Ok(None);
        }
        if items.len() * MAX_GATES > Trigger::MAX_INDEX as usize {
            return Err(format!(
                "{} regexes on one field are more than the matcher can number",
                items.len()
            ));
        }
        let mut plans = Vec::with_capacity(items.len());
        let mut always = Vec::new();
        let (mut gate_ranges, mut gate_regex) = (Vec::new(), Vec::new());
        let (mut scanned, mut short_prefixes) = (Vec::new(), Vec::new());
        let mut gate_count = 0u32;
        for (i, (p, _, _)) in items.iter().enumerate() {
            let (prefixes, gates) = prefixes_and_gates(p);
            for p in prefixes.iter().flatten() {
                // A prefix of one or two bytes (` `, `i`, `.`, `i `) is in nearly every text,
                // and the overlapping automaton reported it at each occurrence (about 30 of
                // its ~80 matches per message on the mixed feed), only for the start to be
                // dropped because the regex's gates were not in the text. Such a prefix of a
                // gated regex is looked for only after the gates are known to be open (5% fewer
                // instructions per event in `jaga scan`).
                if p.len() < MIN_GATE && !gates.is_empty() {
                    short_prefixes.push(memmem::Finder::new(p.as_bytes()).into_owned());
                } else {
                    add_string(p, Trigger::prefix(i as u32));
                }
            }
            let plan = Plan {
                prefixed: prefixes.is_some(),
                gated: !gates.is_empty(),
            };
            // What the matcher does once this regex's gates are open, besides keeping its
            // starts: search it (no prefixes), or look for its short prefixes. Its first gate
            // tells the matcher when to look (see `MatchScratch::opened`).
            let watched = !plan.prefixed || !short_prefixes.is_empty();
            let first = gate_count;
            for g in &gates {
                for s in g {
                    add_string(s, Trigger::gate(gate_count, watched && gate_count == first));
                }
                gate_regex.push(i as u32);
                gate_count += 1;
            }
            gate_ranges.push((first, gate_count));
            for finder in short_prefixes.drain(..) {
                scanned.push((i as u32, finder));
            }
            if !plan.prefixed && !plan.gated {
                always.push(i as u32);
            }
            plans.push(plan);
        }

        let mut regexes = Vec::with_capacity(items.len());
        let mut tried = Vec::new();
        for (i, (p, rule, _)) in items.iter().enumerate() {
            regexes.push(if plans[i].prefixed {
                tried.push(i);
                Compiled::Tried(PatternID::new(tried.len() - 1).map_err(|e| e.to_string())?)
            } else {
                Compiled::Alone(compile_alone(p, &rule_id(*rule))?)
            });
        }
        let tries = if tried.is_empty() {
            None
        } else {
            let patterns: Vec<&str> = tried.iter().map(|&i| items[i].0.as_str()).collect();
            Some(Tries::build(&patterns, &|k| rule_id(items[tried[k]].1))?)
        };

        let always = if always.is_empty() {
            None
        } else {
            // A generous lazy-DFA cache: with a small one, a set of many Unicode-aware
            // patterns thrashes it, and the regex crate falls back to its PikeVM, ~20x
            // slower per message.
            let set = RegexSetBuilder::new(always.iter().map(|&i| items[i as usize].0.as_str()))
                .size_limit(64 << 20)
                .dfa_size_limit(256 << 20)
                .build()
                .map_err(|e| e.to_string())?;
            Some((set, always))
        };
        let owners = items.iter().map(|&(_, r, k)| (r, k)).collect();
        let (scanned, scanned_finders) = scanned.into_iter().unzip();
        Ok(Some(FieldRegexes {
            regexes,
            owners,
            plans,
            gate_ranges,
            gate_count: gate_count as usize,
            gate_regex,
            scanned,
            scanned_finders,
            always,
            tries,
        }))
    }

    /// Whether every gate of regex `i` is open in `open`.
    fn gates_open(&self, i: usize, open: &[u64]) -> bool {
        all_open(open, self.gate_ranges[i])
    }

    /// Appends up to [`MAX_REGEX_SPANS`] hits of regex `i` (one compiled alone: gated or
    /// always-run) from an unanchored search.
    fn search_all(&self, i: usize, text: &str, caches: &mut FieldCaches, out: &mut Vec<Hit>) {
        let (rule, pattern) = self.owners[i];
        let Compiled::Alone(re) = &self.regexes[i] else {
            unreachable!("regex {i} is only tried at its prefixes");
        };
        let cache = caches.alone[i].get_or_insert_with(|| re.create_cache());
        // `find_iter` with our cache: the iterator's own handling of empty matches.
        let mut it = regex_automata::util::iter::Searcher::new(Input::new(text));
        for _ in 0..MAX_REGEX_SPANS {
            let Some(m) = it.advance(|input| Ok(re.search_with(cache, input))) else {
                break;
            };
            out.push(Hit {
                rule,
                pattern,
                start: m.start() as u32,
                end: m.end() as u32,
            });
        }
    }
}

/// Tells matchers apart, so a scratch's regex caches are only used with the regexes that
/// made them (a reload builds a new matcher while the scratch buffers live on).
static NEXT_MATCHER_ID: AtomicU64 = AtomicU64::new(1);

/// The compiled keyword automaton and regex sets of a rule set.
pub struct Matcher {
    /// Unique per build; see [`MatchScratch::owner`].
    id: u64,
    ac: Option<AhoCorasick>,
    /// For each automaton pattern, its rule keywords and allow phrases (`targets`) and the
    /// regexes whose prefix or gate it is (`triggers`), as ranges of the two flat arrays:
    /// one 20-byte read per automaton match. Per-pattern vectors cost two cache misses per
    /// match (the vector, then its contents) at ~60 matches per message.
    slots: Vec<Slots>,
    targets: Vec<Target>,
    triggers: Vec<Trigger>,
    text_regexes: Option<FieldRegexes>,
    name_regexes: Option<FieldRegexes>,
    patterns: usize,
}

/// Where one automaton pattern's targets and triggers are in [`Matcher`]'s flat arrays.
#[derive(Debug, Clone, Copy)]
struct Slots {
    targets: (u32, u32),
    /// The text field's triggers are `triggers[0]..triggers[1]`, the name field's
    /// `triggers[1]..triggers[2]`: a pass over one field never reads the other's (on the
    /// mixed feed, 34 of ~380 trigger reads per event were of the other field).
    triggers: [u32; 3],
}

impl Slots {
    fn triggers(&self, field: RuleField) -> std::ops::Range<usize> {
        let t = self.triggers;
        match field {
            RuleField::Text => t[0] as usize..t[1] as usize,
            RuleField::Name => t[1] as usize..t[2] as usize,
        }
    }
}

/// Flattens per-pattern lists into one array and each pattern's range in it.
fn flatten<T>(lists: Vec<Vec<T>>) -> (Vec<(u32, u32)>, Vec<T>) {
    let mut flat = Vec::with_capacity(lists.iter().map(Vec::len).sum());
    let ranges = lists
        .into_iter()
        .map(|list| {
            let start = flat.len() as u32;
            flat.extend(list);
            (start, flat.len() as u32)
        })
        .collect();
    (ranges, flat)
}

/// A regex prefix or gate an automaton pattern stands for, in one field (see
/// [`Slots::triggers`]), packed in four bytes: the trigger array is read at every
/// automaton match, ~380 entries per mixed event, and its reads missed the CPU caches.
///
/// The low 30 bits are the index of a prefix's regex among the field's regexes, or of a
/// gate among the field's gates; the top bit says it is a prefix, the next that it is a
/// watched gate (one whose opening is noted in [`MatchScratch::opened`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Trigger(u32);

impl Trigger {
    const PREFIX: u32 = 1 << 31;
    const WATCHED: u32 = 1 << 30;
    /// More regexes or gates in one field than this, and the build fails.
    const MAX_INDEX: u32 = Trigger::WATCHED - 1;

    fn prefix(regex: u32) -> Trigger {
        Trigger(Trigger::PREFIX | regex)
    }

    fn gate(gate: u32, watched: bool) -> Trigger {
        Trigger(if watched { Trigger::WATCHED } else { 0 } | gate)
    }

    fn index(self) -> u32 {
        self.0 & Trigger::MAX_INDEX
    }

    fn is_prefix(self) -> bool {
        self.0 & Trigger::PREFIX != 0
    }

    fn is_watched(self) -> bool {
        self.0 & Trigger::WATCHED != 0
    }
}

/// Reusable buffers for [`Matcher::find_with`].
#[derive(Debug, Default, Clone)]
pub struct MatchScratch {
    /// The id of the matcher whose regexes made the caches below (0: none yet). A cache
    /// used with another regex gives wrong matches or panics, so they are dropped when the
    /// scratch meets another matcher.
    owner: u64,
    /// The text regexes' search caches (lazy DFA states), made on first use. The regexes'
    /// own cache pool hands a thread other than its first one a cache through a lock on
    /// every search (1.6% of a scan's CPU); a scratch belongs to one thread.
    text_caches: FieldCaches,
    /// The same for the name regexes.
    name_caches: FieldCaches,
    /// One bit per gate: one of its strings is in this text.
    open: Vec<u64>,
    /// The watched gates (the first gate of each gated regex without prefixes, or with
    /// prefixes too short for the automaton) that opened in this text. Of the ~220 such
    /// regexes, about 2 per mixed event have every gate open: checking only those whose
    /// first gate opened spares checking all of them on every text.
    opened: Vec<u32>,
    /// Where a regex's prefix starts in this text: the regex's index in the high 32 bits, the
    /// byte offset in the low ones, so one integer sort orders them by regex, then offset.
    starts: Vec<u64>,
    /// Another stage's words found by the last text-field pass (see [`MatchScratch::words`]).
    words: Vec<(usize, usize, usize)>,
}

impl MatchScratch {
    /// Where the last pass found the words given to [`Matcher::build_with_words`], between
    /// word boundaries: (index in that list, normalised start, end), in the order the
    /// automaton reports them (by end). Empty after a name-field pass.
    pub fn words(&self) -> &[(usize, usize, usize)] {
        &self.words
    }
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// Whether every gate of the range `a..b` is open in `open`.
fn all_open(open: &[u64], (a, b): (u32, u32)) -> bool {
    (a..b).all(|g| bit(open, g as usize))
}

impl Matcher {
    /// Builds the automaton and the regex sets. Disabled rules are left out.
    pub fn build(rules: &[Rule]) -> Result<Matcher, String> {
        Matcher::build_with_words(rules, &[])
    }

    /// [`Matcher::build`], with another stage's `words` (already normalised) in the same
    /// automaton: the text field's pass also reports where each occurs between word
    /// boundaries, as [`MatchScratch::words`], so that stage needs no pass of its own.
    pub fn build_with_words(rules: &[Rule], words: &[String]) -> Result<Matcher, String> {
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
        for (wi, w) in words.iter().enumerate() {
            if w.is_empty() {
                continue;
            }
            let k = *index.entry(w.clone()).or_insert_with(|| {
                strings.push(w.clone());
                targets.push(Vec::new());
                strings.len() - 1
            });
            targets[k].push(Target {
                rule: Target::WORD,
                pattern: wi as u32,
                mode: MatchMode::Word,
                field: RuleField::Text,
            });
        }
        // Each pattern's triggers of the text field, then of the name field.
        let mut triggers: Vec<[Vec<Trigger>; 2]> = vec![Default::default(); strings.len()];
        let mut regexes = |field: RuleField, items| {
            FieldRegexes::build(
                items,
                |r| rules[r as usize].id.clone(),
                |string: &str, t: Trigger| {
                    // Prefixes and gates are matched as they are: regexes see the normalised text.
                    let k = *index.entry(string.to_string()).or_insert_with(|| {
                        strings.push(string.to_string());
                        targets.push(Vec::new());
                        triggers.push(Default::default());
                        strings.len() - 1
                    });
                    let list = &mut triggers[k][match field {
                        RuleField::Text => 0,
                        RuleField::Name => 1,
                    }];
                    if !list.contains(&t) {
                        list.push(t);
                    }
                },
            )
        };
        let text_regexes = regexes(RuleField::Text, text_re)?;
        let name_regexes = regexes(RuleField::Name, name_re)?;
        let ac = if strings.is_empty() {
            None
        } else {
            Some(
                // A contiguous NFA rather than a DFA: with every keyword, prefix and gate
                // (14,000 strings) the DFA takes 40 MB, and in the pipeline, between the
                // regexes and the model, its transitions miss the CPU caches; the NFA scans
                // the mixed feed with 3-4% less CPU in the whole `jaga scan` and 35 MB less
                // resident memory, with the same matches.
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::Standard)
                    // States up to depth 3 (not the crate's 2) look their transitions up in
                    // one read instead of a search of a sparse list: most of the pass is
                    // spent near the start state. Cachegrind per mixed event: depth 2 142.6k,
                    // 3 141.6k, 4 141.4k, 6 140.8k instructions; peak memory of `jaga scan`
                    // about the same at 3 (232 MB), +3 MB at 4, +50 MB at 6.
                    .dense_depth(3)
                    .build(&strings)
                    .map_err(|e| format!("cannot build the keyword automaton: {e}"))?,
            )
        };
        let (target_ranges, targets) = flatten(targets);
        let (trigger_ranges, triggers) = flatten(triggers.into_iter().flatten().collect());
        let slots = target_ranges
            .into_iter()
            .zip(trigger_ranges.chunks_exact(2))
            .map(|(targets, t)| Slots {
                targets,
                triggers: [t[0].0, t[1].0, t[1].1],
            })
            .collect();
        Ok(Matcher {
            id: NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed),
            ac,
            patterns: keyword_strings,
            slots,
            targets,
            triggers,
            text_regexes,
            name_regexes,
        })
    }

    /// How many distinct keyword/allow strings the automaton holds (not counting another
    /// stage's words).
    pub fn pattern_count(&self) -> usize {
        self.patterns
    }

    /// The regexes searched through every message, as (rule, pattern) indices: those with
    /// neither prefixes nor a gate (see [`FieldRegexes::build`]), which nothing in the
    /// automaton's pass can rule out. `jaga rules check` names them.
    pub fn regexes_on_every_message(&self) -> Vec<(u32, u32)> {
        [&self.text_regexes, &self.name_regexes]
            .into_iter()
            .flatten()
            .filter_map(|fr| fr.always.as_ref().map(|(_, always)| (fr, always)))
            .flat_map(|(fr, always)| always.iter().map(|&i| fr.owners[i as usize]))
            .collect()
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
        s.open.clear();
        s.opened.clear();
        s.starts.clear();
        s.words.clear();
        if s.owner != self.id {
            s.text_caches = FieldCaches::default();
            s.name_caches = FieldCaches::default();
            s.owner = self.id;
        }
        let caches = match field {
            RuleField::Text => &mut s.text_caches,
            RuleField::Name => &mut s.name_caches,
        };
        if let Some(fr) = regexes {
            s.open.resize(fr.gate_count.div_ceil(64), 0);
            caches.alone.resize_with(fr.regexes.len(), || None);
        }
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(text) {
                let (s_, e) = (m.start(), m.end());
                let slots = self.slots[m.pattern().as_usize()];
                let range = |(a, b): (u32, u32)| a as usize..b as usize;
                for &t in &self.triggers[slots.triggers(field)] {
                    let index = t.index();
                    if t.is_prefix() {
                        s.starts.push(u64::from(index) << 32 | s_ as u64);
                    } else {
                        let (word, b) = (&mut s.open[index as usize / 64], 1 << (index % 64));
                        if t.is_watched() && *word & b == 0 {
                            s.opened.push(index);
                        }
                        *word |= b;
                    }
                }
                let targets = &self.targets[range(slots.targets)];
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
                    if !ok {
                        continue;
                    }
                    if t.rule == Target::WORD {
                        s.words.push((t.pattern as usize, s_, e));
                    } else {
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
        // Most texts match none of the always-run set; `is_match` can stop at a first match
        // and skips the overlapping search's bookkeeping, so it is the cheaper way to know.
        if let Some((set, indices)) = fr.always.as_ref().filter(|(set, _)| set.is_match(text)) {
            for k in set.matches(text).iter() {
                fr.search_all(indices[k] as usize, text, caches, out);
            }
        }
        // Each prefixed regex from its candidate starts, left to right; a start inside the
        // previous match is skipped, as an unanchored search would. Regexes with a gate
        // not in the text are dropped before sorting: most starts are theirs.
        let regex_of = |start: u64| (start >> 32) as usize;
        s.starts
            .retain(|&x| !fr.plans[regex_of(x)].gated || fr.gates_open(regex_of(x), &s.open));
        // The watched regexes whose gates are all open: the gated ones without prefixes are
        // searched, the short prefixes of the others looked for. A regex's gates are numbered
        // after those of the regexes before it, so in gate order the hits come in regex
        // order, as they did when every such regex was checked in turn.
        s.opened.sort_unstable();
        for &g in &s.opened {
            let i = fr.gate_regex[g as usize] as usize;
            if !fr.gates_open(i, &s.open) {
                continue;
            }
            if !fr.plans[i].prefixed {
                fr.search_all(i, text, caches, out);
                continue;
            }
            // The short prefixes of regex `i` (see `FieldRegexes::scanned`).
            let first = fr.scanned.partition_point(|&r| (r as usize) < i);
            let mine = fr.scanned[first..].iter().take_while(|&&r| r as usize == i);
            for finder in &fr.scanned_finders[first..first + mine.count()] {
                // Every occurrence, overlapping ones too (`ww` at 0 and 1 of `www`), as the
                // automaton reports them: a failed try at one does not rule out the next.
                let mut from = 0;
                while let Some(k) = finder.find(&text.as_bytes()[from..]) {
                    s.starts.push((i as u64) << 32 | (from + k) as u64);
                    from += k + 1;
                }
            }
        }
        s.starts.sort_unstable();
        s.starts.dedup();
        let mut k = 0;
        while k < s.starts.len() {
            let i = regex_of(s.starts[k]);
            let (rule, pattern) = fr.owners[i];
            let (mut found, mut resume) = (0, 0usize);
            while k < s.starts.len() && regex_of(s.starts[k]) == i {
                let at = s.starts[k] as u32 as usize;
                k += 1;
                if at < resume || found == MAX_REGEX_SPANS {
                    continue;
                }
                let (Compiled::Tried(id), Some(tries)) = (&fr.regexes[i], &fr.tries) else {
                    unreachable!("regex {i} has prefixes, so it is one of the tries");
                };
                if let Some(end) = tries.end_of_match(*id, text, at, caches) {
                    out.push(Hit {
                        rule,
                        pattern,
                        start: at as u32,
                        end: end as u32,
                    });
                    found += 1;
                    resume = end;
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

    #[test]
    fn a_regex_too_large_to_compile_names_its_rule() {
        // The lint checks syntax only; the size limit is met here, and the admin must still
        // learn which rule to fix.
        let err = Matcher::build(&[rule(&[], &[r"\w{1000}{1000}"], &[])])
            .err()
            .expect("a regex over the size limit is refused");
        assert!(
            err.starts_with("rule `t.r`: regex `\\w{1000}{1000}` cannot be compiled"),
            "{err}"
        );
        // The same for a regex tried at its prefixes, compiled together with the others.
        let err = Matcher::build(&[rule(&[], &[r"(?:ab|b)c+", r"kak \w{1000}{1000}"], &[])])
            .err()
            .expect("a prefixed regex over the size limit is refused");
        assert!(
            err.starts_with("rule `t.r`: regex `kak \\w{1000}{1000}` cannot be compiled"),
            "{err}"
        );
    }

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

    /// How `m` finds its text regex `i`: tried at its prefixes, searched where its gate is,
    /// or in the always-run set.
    fn plan(m: &Matcher, i: usize) -> &'static str {
        let fr = m.text_regexes.as_ref().unwrap();
        match (fr.plans[i], &fr.regexes[i]) {
            (Plan { prefixed: true, .. }, Compiled::Tried(_)) => "prefixed",
            (
                Plan {
                    prefixed: false,
                    gated: true,
                },
                Compiled::Alone(_),
            ) => "gated",
            (
                Plan {
                    prefixed: false,
                    gated: false,
                },
                Compiled::Alone(_),
            ) => "always",
            _ => panic!("regex {i}: its plan and how it is compiled disagree"),
        }
    }

    #[test]
    fn prefixed_regexes_skip_candidates_inside_a_match_like_a_plain_search() {
        // `ab` and `b` both start matches; the `b` inside `abcc` must not start another.
        let m = Matcher::build(&[rule(&[], &[r"(?:ab|b)c+", r"\d+ ?rb"], &[])]).unwrap();
        let plans = &m.text_regexes.as_ref().unwrap().plans;
        assert!(plans[0].prefixed);
        assert_eq!(
            plans[1],
            Plan {
                prefixed: false,
                gated: false
            },
            "a match can start with any digit and holds no long string: always run"
        );
        assert_eq!(
            m.regexes_on_every_message(),
            [(0, 1)],
            "`jaga rules check` names it"
        );
        let h = hits(&m, "abcc bc abc b 50rb 7 rb");
        let mut spans: Vec<&str> = h.iter().map(|x| x.2.as_str()).collect();
        spans.sort_unstable();
        assert_eq!(spans, ["50rb", "7 rb", "abc", "abcc", "bc"]);
        assert!(hits(&m, "ab b cc").is_empty());
    }

    #[test]
    fn prefixed_regexes_with_a_unicode_word_boundary_match_like_a_plain_search() {
        // The shared lazy DFA cannot decide a Unicode `\b` next to non-ASCII text and gives
        // up; the try is then run on the same automaton by the PikeVM. In `kakék` there is
        // no Unicode word boundary after `kak` (`é` is a letter), though an ASCII one there is.
        let patterns = [r"kak\b", r"(?:ab|b)c+"];
        let m = Matcher::build(&[rule(&[], &patterns, &[])]).unwrap();
        assert_eq!([plan(&m, 0), plan(&m, 1)], ["prefixed", "prefixed"]);
        assert_hits_of_a_plain_search(
            &m,
            &patterns,
            &["kakék kak é kak", "kakak, kak; abcc kakß", "кak kak", ""],
        );
    }

    #[test]
    fn gates_are_long_strings_every_match_contains() {
        let g = |p: &str| {
            gate(&parse(p).unwrap(), MIN_GATE).map(|mut g| {
                g.sort_unstable();
                g
            })
        };
        assert_eq!(
            g(r"(?:i|i.ve) (?:\w+ ){0,2}(?:know|knows) (?:where|which)"),
            Some(
                ["know where", "know which", "knows where", "knows which"]
                    .map(String::from)
                    .to_vec()
            ),
            "the longest necessary strings win"
        );
        assert_eq!(
            g(r"\w+nya (?:di|itu)"),
            Some(vec!["nya di".to_string(), "nya itu".to_string()])
        );
        assert_eq!(
            g(r"(?:transfer|tf) \d+|kirim(?:in)? \d+"),
            Some(
                ["kirim ", "kirimin ", "tf ", "transfer "]
                    .map(String::from)
                    .to_vec()
            ),
            "each branch of an alternation brings its own"
        );
        assert_eq!(
            g(r"(?:ab|b)c+"),
            None,
            "no string of three bytes is certain"
        );
        assert_eq!(g(r"(?:know)?where"), Some(vec!["where".to_string()]));
        assert_eq!(g(r"(?:know)*wh"), None, "an optional part proves nothing");
    }

    #[test]
    fn a_regex_has_a_gate_for_each_part_its_prefixes_say_nothing_about() {
        let g = |p: &str| {
            let hir = parse(p).unwrap();
            gates(&hir, match_prefixes(&hir).as_ref())
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            g(r"(?:tiket|tix)[\s\S]{0,200}(?:dp|deposit)"),
            vec![s(&["deposit", "dp"])],
            "the prefixes are no gate of their own; a two-byte string gates a prefixed regex"
        );
        assert_eq!(
            g(r"kirim[\s\S]{0,60}(?:paket|hadiah)[\s\S]{0,120}(?:fee|ongkir)"),
            vec![s(&["hadiah", "paket"]), s(&["fee", "ongkir"])],
            "one gate per part, longest strings first"
        );
        assert_eq!(
            g(r"\w+(?:di|ke)\d"),
            Vec::<Vec<String>>::new(),
            "without prefixes, only strings of three bytes gate a regex"
        );
    }

    #[test]
    fn regexes_with_several_gates_match_exactly_where_a_plain_search_does() {
        let patterns = [
            r"(?:tiket|tix)[\s\S]{0,20}(?:dp|deposit)",
            r"kirim[\s\S]{0,20}(?:paket|hadiah)[\s\S]{0,20}(?:fee|ongkir)",
        ];
        let m = Matcher::build(&[rule(&[], &patterns, &[])]).unwrap();
        let fr = m.text_regexes.as_ref().unwrap();
        assert_eq!(fr.gate_count, 3);
        assert!(fr.plans.iter().all(|p| p.prefixed));
        assert_hits_of_a_plain_search(
            &m,
            &patterns,
            &[
                "wts tiket, dp dulu ya",
                "tiket ada, bayar penuh; dp nya nanti di acara lain yang jauh sekali dari sini",
                "dp dulu baru tiket",
                "tix tix deposit",
                "kirim paket ke aku, ongkir aku yg bayar",
                "kirim hadiah dulu. ongkir? fee?",
                "kirim ongkir paket",
                "paket fee kirim",
                "",
            ],
        );
    }

    #[test]
    fn gated_regexes_match_exactly_where_a_plain_search_does() {
        let patterns = [
            r"(?:i|i.ve) (?:\w+ ){0,2}know",
            r"\w+nya (?:di|itu)(?-u:\b)",
        ];
        let m = Matcher::build(&[rule(&[], &patterns, &[])]).unwrap();
        let plans = &m.text_regexes.as_ref().unwrap().plans;
        assert_eq!(
            plans,
            &[
                Plan {
                    prefixed: true,
                    gated: true
                },
                Plan {
                    prefixed: false,
                    gated: true
                }
            ]
        );
        assert_hits_of_a_plain_search(
            &m,
            &patterns,
            &[
                "hi i do know",
                "i've always know it, i know",
                "ini itu di sini",
                "rumahnya di sana, kantornya itu",
                "i do not",
                "know i",
                "",
            ],
        );
    }

    #[test]
    fn short_prefixes_of_gated_regexes_are_looked_for_outside_the_automaton() {
        // `ww` is shorter than a gate's strings may be: it is not in the automaton, and is
        // looked for only once `know` is in the text; the hits are still those of a plain
        // search, including a match at the second of two overlapping `ww`. `dp` is a gate's
        // string, which stays in the automaton.
        let patterns = [r"ww\d*know", r"(?:tiket|tix)[\s\S]{0,20}(?:dp|deposit)"];
        let m = Matcher::build(&[rule(&[], &patterns, &[])]).unwrap();
        assert_eq!([plan(&m, 0), plan(&m, 1)], ["prefixed", "prefixed"]);
        assert_eq!(
            m.ac.as_ref().unwrap().patterns_len(),
            5,
            "know, tiket, tix, deposit, dp"
        );
        assert_eq!(m.text_regexes.as_ref().unwrap().scanned.len(), 1);
        assert_hits_of_a_plain_search(
            &m,
            &patterns,
            &[
                "www5know",
                "ww know, wwknow ww12know",
                "know ww",
                "tiket dp, tix deposit",
                "dp dulu baru tiket",
                "tiket tanpa uang muka",
                "",
            ],
        );
    }

    #[test]
    fn gated_regexes_are_searched_once_all_their_gates_open_in_any_order() {
        // Searched unanchored when every gate is open, found from the first gate's opening
        // (`MatchScratch::opened`): a text where only the second gate opens, where the first
        // opens after the second or twice, where overlapping strings open both, and a gate
        // string (`kirim`) shared by regexes of which only some have all their gates open.
        let patterns = [
            r"\w+ kirim\w* \w+ (?:paket|hadiah)",
            r"\w+ kirim \w+",
            r"\w+nya kirim(?:an)?",
            r"\w+ atasnya\w*",
        ];
        let m = Matcher::build(&[rule(&[], &patterns, &[])]).unwrap();
        assert_eq!(
            (0..4).map(|i| plan(&m, i)).collect::<Vec<_>>(),
            ["gated"; 4]
        );
        let fr = m.text_regexes.as_ref().unwrap();
        assert_eq!((fr.gate_ranges[0], fr.gate_ranges[1]), ((0, 2), (2, 3)));
        assert_hits_of_a_plain_search(
            &m,
            &patterns,
            &[
                "ada paket hadiah",
                "ini paket dulu, aku kirimin kamu paket",
                "aku kirim kamu hadiah, dia kirim kakak paket",
                "barangnya kirim, atasnya kiriman",
                "atasnyakirim atasnya",
                "kirim kirim kirim",
                "",
            ],
        );
    }

    /// `m` (built from one rule with `patterns` as its regexes) finds in each text exactly
    /// what `regex::Regex::find_iter` of each pattern finds.
    fn assert_hits_of_a_plain_search(m: &Matcher, patterns: &[&str], texts: &[&str]) {
        for text in texts {
            let mut want = Vec::new();
            for (k, p) in patterns.iter().enumerate() {
                for x in regex::Regex::new(p).unwrap().find_iter(text) {
                    want.push((k as u32, "kw", x.as_str().to_string()));
                }
            }
            let mut got = hits(m, text);
            got.sort();
            want.sort();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn one_scratch_serves_several_matchers() {
        // A reload builds a new matcher while the scratch buffers (and their regex caches)
        // live on; each matcher must still find exactly its own hits.
        let a = Matcher::build(&[rule(&[], &[r"(?:ab|b)c+", r"\d+ ?rb"], &[])]).unwrap();
        let b = Matcher::build(&[rule(&[], &[r"x\d+", r"zz+y", r"q+"], &[])]).unwrap();
        let text = "abcc 5 rb x12 zzzy qq bc";
        let fresh = |m: &Matcher| {
            let mut out = Vec::new();
            m.find(RuleField::Text, text, &mut out);
            out
        };
        let mut s = MatchScratch::default();
        for m in [&a, &b, &a, &b] {
            let mut out = Vec::new();
            m.find_with(RuleField::Text, text, &mut s, &mut out);
            assert_eq!(out, fresh(m));
            assert!(!out.is_empty());
        }
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
