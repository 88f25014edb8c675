//! Rule files: the schema admins write (`rules/*.toml`), loading, and the linter.
//!
//! Loading always lints: a rule set with an error anywhere is refused as a whole, with
//! `file:line` diagnostics, so a typo never silently disables protection. Warnings (a
//! Unicode `\b`, a rule without tests) are reported but do not block.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::event::{Kind, Role};
use crate::expr::Expr;
use crate::signal::Signal;
use crate::verdict::{Action, Category};

/// The tags a rule may carry, each with the id prefix its rules must use, so the policy
/// can recognise a tagged rule's reason from its id alone (`allow = ["promotion"]` per group).
pub const TAGS: &[(&str, &str)] = &[("promotion", "promo.")];

/// The id prefix of a tag's rules, or `None` for an unknown tag.
pub fn tag_prefix(tag: &str) -> Option<&'static str> {
    TAGS.iter().find(|(t, _)| *t == tag).map(|(_, p)| *p)
}

/// Files in the rules directory that are not rule files.
pub const NOT_RULE_FILES: &[&str] = &["policy.toml"];

/// How a keyword must sit in the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// A whole word: no letter or digit on either side.
    #[default]
    Word,
    /// The start of a word (`pinjol*` matches "pinjolnya").
    Prefix,
    /// The end of a word (`*gacor` matches "slotgacor").
    Suffix,
    /// Anywhere (`*slot*`).
    Substring,
}

impl MatchMode {
    /// Reads the per-keyword wildcard syntax: `kw*` prefix, `*kw` suffix, `*kw*` substring;
    /// a keyword without stars takes the rule's `match`.
    pub fn from_keyword(raw: &str, default: MatchMode) -> (&str, MatchMode) {
        let (lead, trail) = (raw.starts_with('*'), raw.ends_with('*') && raw.len() > 1);
        let inner = raw.trim_start_matches('*').trim_end_matches('*');
        let mode = match (lead, trail) {
            (true, true) => MatchMode::Substring,
            (true, false) => MatchMode::Suffix,
            (false, true) => MatchMode::Prefix,
            (false, false) => default,
        };
        (inner, mode)
    }
}

/// Whether a rule acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Active,
    /// Scored and reported in the verdict's reasons, never changes the action.
    Shadow,
    Disabled,
}

/// Which text of the event a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    #[default]
    Text,
    Name,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Conditions on the event, all of which must hold for the rule to fire.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub role: Option<Role>,
    /// At most this many earlier messages in the group (new members).
    pub max_member_messages: Option<u64>,
    /// At least this many earlier messages in the group (established members).
    pub min_member_messages: Option<u64>,
    /// The first message this user sends in the group.
    pub first_message: Option<bool>,
    pub has_link: Option<bool>,
    pub has_attachment: Option<bool>,
    pub forwarded: Option<bool>,
    /// The message is a reply to another message.
    pub reply: Option<bool>,
}

/// A test case: a bare text, or a table with the event fields that matter to `when`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TestCase {
    Text(String),
    Event(TestEvent),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestEvent {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub role: Role,
    pub member_messages: Option<u64>,
    #[serde(default)]
    pub forwarded: bool,
    #[serde(default)]
    pub reply_to: String,
    /// Attachment file names.
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl TestCase {
    pub fn to_event(&self) -> crate::event::Event {
        match self {
            TestCase::Text(t) => crate::event::Event::message(t),
            TestCase::Event(t) => crate::event::Event {
                text: t.text.clone(),
                name: t.name.clone(),
                kind: t.kind,
                role: t.role,
                member_messages: t.member_messages,
                forwarded: t.forwarded,
                reply_to: t.reply_to.clone(),
                attachments: t
                    .attachments
                    .iter()
                    .map(|n| crate::event::Attachment {
                        kind: "file".into(),
                        name: n.clone(),
                    })
                    .collect(),
                ..Default::default()
            },
        }
    }

    pub fn label(&self) -> &str {
        match self {
            TestCase::Text(t) => t,
            TestCase::Event(t) if !t.text.is_empty() => &t.text,
            TestCase::Event(t) => &t.name,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTests {
    #[serde(default)]
    pub hit: Vec<TestCase>,
    #[serde(default)]
    pub miss: Vec<TestCase>,
}

/// One `[[rule]]` table exactly as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    /// One line in English, in words an admin can read.
    #[serde(default)]
    pub description: String,
    /// The same line in Indonesian.
    #[serde(default)]
    pub description_id: String,
    /// Kinds within the category that policy can treat apart (`promotion`).
    #[serde(default)]
    pub tags: Vec<String>,
    pub category: Category,
    pub on: Option<OneOrMany<Kind>>,
    #[serde(default)]
    pub field: RuleField,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub list: Option<Spanned<String>>,
    #[serde(default, rename = "match")]
    pub match_mode: MatchMode,
    pub regex: Option<Spanned<OneOrMany<String>>>,
    pub expr: Option<Spanned<String>>,
    pub signal: Option<Spanned<String>>,
    /// Fires only when at least this many distinct keywords or regexes matched.
    pub min_matches: Option<usize>,
    pub score: f32,
    pub action: Option<Action>,
    pub when: Option<When>,
    #[serde(default)]
    pub allow: Vec<String>,
    /// Files of more allow phrases, one a line: a path or a list of paths.
    pub allow_list: Option<Spanned<OneOrMany<String>>>,
    /// When this expression holds, the allow phrases cancel nothing (a warning word in
    /// front of the sender's own call to pay is not a warning).
    pub allow_unless: Option<Spanned<String>>,
    #[serde(default)]
    pub status: Status,
    pub lang: Option<OneOrMany<String>>,
    #[serde(default)]
    pub tests: RuleTests,
}

/// A verdict-level test (`[[test]]`): the whole rule set must give this outcome. Used for
/// hard negatives that no single rule owns (a fundraiser's bank account must stay `ok`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictTest {
    #[serde(flatten)]
    pub case: TestEvent,
    /// `ok` or a category; may be left out when `at_most` is given.
    pub expect: Option<String>,
    /// Optionally, the exact action.
    pub action: Option<Action>,
    /// Optionally, the most severe action allowed (`review`: an admin may look, nothing is
    /// hidden). For a friendly message near the classifier's edge, whose exact verdict a
    /// retrained model may move between allow and review, this pins what matters.
    pub at_most: Option<Action>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    test: Vec<Spanned<VerdictTest>>,
    /// How the doxing stage weighs personal data (one rule file may have it).
    doxing: Option<Spanned<crate::doxing::DoxingConfig>>,
}

/// Where a rule or test was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// The part of a rule that finds evidence.
#[derive(Debug, Clone)]
pub enum Detector {
    /// Keywords (with their match modes) and regexes, any of which fires the rule.
    Patterns {
        keywords: Vec<(String, MatchMode)>,
        regexes: Vec<String>,
    },
    /// A built-in stage's signal.
    Signal(Signal),
    /// A combination of other rules and signals.
    Expr(Expr),
}

/// A linted rule, ready to compile.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: String,
    /// The description in Indonesian (`description_id`).
    pub description_id: String,
    /// Kinds within the category (`promotion`), see [`TAGS`].
    pub tags: Vec<String>,
    pub category: Category,
    pub on: Vec<Kind>,
    pub field: RuleField,
    pub detector: Detector,
    pub min_matches: usize,
    pub score: f32,
    pub action: Option<Action>,
    pub when: When,
    pub allow: Vec<(String, MatchMode)>,
    /// `allow_unless`: when it holds, `allow` cancels nothing. Names only keyword/regex
    /// rules without an `allow_unless` of their own and signals, after the expr rules it
    /// named are written into it (see `RuleSet::expand_allow_unless`).
    pub allow_unless: Option<Expr>,
    pub status: Status,
    pub lang: Vec<String>,
    pub tests: RuleTests,
    pub location: Location,
}

/// A linted rule set: every rule file of a directory.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub dir: PathBuf,
    pub rules: Vec<Rule>,
    pub tests: Vec<(VerdictTest, Location)>,
    /// The `[doxing]` table, when a rule file has one.
    pub doxing: Option<(crate::doxing::DoxingConfig, Location)>,
    /// Warnings found while loading; errors refuse the load instead.
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One lint finding, with where to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {sev}: {}", self.location, self.message)
    }
}

/// A rule set that failed to load: every error found, not just the first.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        writeln!(f, "the rule set has {errors} error(s); fix them (or run `jaga rules check`) and load again:")?;
        for d in &self.diagnostics {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Converts a byte offset into a 1-based line number.
fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

struct Linter {
    diagnostics: Vec<Diagnostic>,
}

impl Linter {
    fn push(&mut self, severity: Severity, file: &Path, line: usize, message: String) {
        self.diagnostics.push(Diagnostic {
            severity,
            location: Location {
                file: file.to_path_buf(),
                line,
            },
            message,
        });
    }
    fn error(&mut self, file: &Path, line: usize, message: String) {
        self.push(Severity::Error, file, line, message);
    }
    fn warn(&mut self, file: &Path, line: usize, message: String) {
        self.push(Severity::Warning, file, line, message);
    }
}

/// Reads a list file: one entry per line, `#` starts a comment, blank lines are skipped.
pub fn read_list(path: &Path) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .map(|l| l.split_once(" #").map_or(l, |(a, _)| a).trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// The rule files of a directory, sorted by name so loading is deterministic.
pub fn rule_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !NOT_RULE_FILES.contains(&n))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn valid_id(id: &str) -> bool {
    let mut parts = id.split('.');
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    parts.clone().count() >= 2 && parts.all(ok_part)
}

/// Counts Unicode-aware word boundaries (`\b`, `\B`) outside `(?-u:...)` groups: each one
/// makes the regex engine fall back to a slow path on text with emoji (~400x slower).
pub fn unicode_word_boundaries(pattern: &str) -> usize {
    let b = pattern.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' {
            if matches!(b[i + 1], b'b' | b'B') {
                let ascii = pattern[..i].ends_with("(?-u:");
                if !ascii {
                    count += 1;
                }
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    count
}

impl RuleSet {
    /// Loads and lints every rule file in `dir`. Errors refuse the whole set.
    pub fn load(dir: &Path) -> Result<RuleSet, LoadError> {
        let mut lint = Linter {
            diagnostics: Vec::new(),
        };
        let mut set = RuleSet {
            dir: dir.to_path_buf(),
            ..Default::default()
        };
        let files = match rule_files(dir) {
            Ok(f) => f,
            Err(e) => {
                lint.error(dir, 0, format!("cannot read the rules directory: {e}; pass an existing directory with --rules"));
                return Err(LoadError {
                    diagnostics: lint.diagnostics,
                });
            }
        };
        if files.is_empty() {
            lint.error(
                dir,
                0,
                "no rule files (*.toml) in this directory; pass the shipped `rules/` with --rules"
                    .into(),
            );
        }
        let mut seen: HashMap<String, Location> = HashMap::new();
        for file in &files {
            set.load_file(file, &mut lint, &mut seen);
        }
        set.finish(lint)
    }

    /// Checks the expressions across files; any error refuses the whole set, warnings stay
    /// with it.
    fn finish(mut self, mut lint: Linter) -> Result<RuleSet, LoadError> {
        self.check_exprs(&mut lint);
        lint.diagnostics.sort_by(|a, b| {
            (&a.location.file, a.location.line).cmp(&(&b.location.file, b.location.line))
        });
        if lint
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            return Err(LoadError {
                diagnostics: lint.diagnostics,
            });
        }
        self.warnings = lint.diagnostics;
        Ok(self)
    }

    /// Parses and lints rule files given as text, `(name, toml)`: a rule's `list = "..."`
    /// is read relative to the current directory. The policy and link lists come separately
    /// (see [`crate::Detector::builder`]).
    pub fn parse(files: &[(&str, &str)]) -> Result<RuleSet, LoadError> {
        let mut lint = Linter {
            diagnostics: Vec::new(),
        };
        let mut set = RuleSet::default();
        let mut seen: HashMap<String, Location> = HashMap::new();
        for (name, src) in files {
            set.load_source(Path::new(name), src, None, &mut lint, &mut seen);
        }
        set.finish(lint)
    }

    fn load_file(&mut self, file: &Path, lint: &mut Linter, seen: &mut HashMap<String, Location>) {
        let src = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                lint.error(file, 0, format!("cannot read: {e}"));
                return;
            }
        };
        let base = file.parent().unwrap_or(Path::new("."));
        self.load_source(file, &src, Some(base), lint, seen);
    }

    fn load_source(
        &mut self,
        file: &Path,
        src: &str,
        base: Option<&Path>,
        lint: &mut Linter,
        seen: &mut HashMap<String, Location>,
    ) {
        let src = src.to_string();
        let parsed: RuleFile = match toml::from_str(&src) {
            Ok(p) => p,
            Err(e) => {
                let line = e.span().map_or(0, |s| line_of(&src, s.start));
                lint.error(file, line, e.message().trim().to_string());
                return;
            }
        };
        for spanned in parsed.rule {
            let line = line_of(&src, spanned.span().start);
            let raw = spanned.into_inner();
            let at = |r: Range<usize>| line_of(&src, r.start);
            if let Some(rule) = self.lint_rule(raw, file, line, &src, base, lint, &at) {
                if let Some(prev) = seen.get(&rule.id) {
                    lint.error(
                        file,
                        rule.location.line,
                        format!("duplicate rule id `{}` (first defined at {prev})", rule.id),
                    );
                    continue;
                }
                seen.insert(rule.id.clone(), rule.location.clone());
                self.rules.push(rule);
            }
        }
        if let Some(d) = parsed.doxing {
            let line = line_of(&src, d.span().start);
            if let Some((_, prev)) = &self.doxing {
                lint.error(
                    file,
                    line,
                    format!("a second [doxing] table (the first is at {prev}); keep one"),
                );
            } else {
                self.doxing = Some((
                    d.into_inner(),
                    Location {
                        file: file.to_path_buf(),
                        line,
                    },
                ));
            }
        }
        for t in parsed.test {
            let line = line_of(&src, t.span().start);
            let t = t.into_inner();
            match &t.expect {
                Some(e) if e != "ok" && e.parse::<Category>().is_err() => {
                    lint.error(
                        file,
                        line,
                        format!("test expects `{e}`; use ok, spam, scam, doxing or abuse"),
                    );
                    continue;
                }
                None if t.at_most.is_none() => {
                    lint.error(
                        file,
                        line,
                        "test has neither `expect` nor `at_most`; give the category (`expect = \"ok\"`) or the most severe action allowed (`at_most = \"review\"`)".to_string(),
                    );
                    continue;
                }
                _ => {}
            }
            if t.action.is_some() && t.at_most.is_some() {
                lint.error(
                    file,
                    line,
                    "test has both `action` (the exact action) and `at_most`; keep one".to_string(),
                );
                continue;
            }
            self.tests.push((
                t,
                Location {
                    file: file.to_path_buf(),
                    line,
                },
            ));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn lint_rule(
        &self,
        raw: RawRule,
        file: &Path,
        line: usize,
        src: &str,
        base: Option<&Path>,
        lint: &mut Linter,
        at: &dyn Fn(Range<usize>) -> usize,
    ) -> Option<Rule> {
        let id = raw.id.get_ref().clone();
        let id_line = at(raw.id.span());
        let errors_before = lint
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if !valid_id(&id) {
            lint.error(
                file,
                id_line,
                format!("rule id `{id}` must be dotted lowercase, like `scam.pinjol`"),
            );
        }
        // Rule ids and signal names share the names an `expr` can use: a rule named like a
        // signal would silently change what every expr naming that signal means.
        if id.parse::<crate::signal::Signal>().is_ok() {
            lint.error(
                file,
                id_line,
                format!(
                    "rule id `{id}` is the name of a built-in signal; give the rule its own name (like `scam.{}`), so an `expr` naming `{id}` keeps meaning the signal",
                    id.rsplit('.').next().unwrap_or("rule")
                ),
            );
        }
        if !(0.0..=1.0).contains(&raw.score) || raw.score.is_nan() {
            lint.error(
                file,
                line,
                format!("rule `{id}`: score {} must be between 0 and 1", raw.score),
            );
        }
        let mut keywords = Vec::new();
        for k in &raw.keywords {
            let (inner, mode) = MatchMode::from_keyword(k, raw.match_mode);
            if crate::normalise::normalise_str(inner).is_empty() {
                lint.error(
                    file,
                    line,
                    format!("rule `{id}`: keyword `{k}` is empty after normalisation"),
                );
            } else {
                keywords.push((inner.to_string(), mode));
            }
        }
        if let Some(list) = &raw.list {
            let path = base.unwrap_or(Path::new(".")).join(list.get_ref());
            match read_list(&path) {
                Ok(entries) if entries.is_empty() => {
                    lint.warn(file, at(list.span()), format!("rule `{id}`: list {} is empty", path.display()));
                }
                Ok(entries) => {
                    for k in entries {
                        let (inner, mode) = MatchMode::from_keyword(&k, raw.match_mode);
                        if !crate::normalise::normalise_str(inner).is_empty() {
                            keywords.push((inner.to_string(), mode));
                        }
                    }
                }
                Err(e) => lint.error(
                    file,
                    at(list.span()),
                    format!("rule `{id}`: cannot read list file {}: {e}; create it or fix the path (relative to the rules directory)", path.display()),
                ),
            }
        }
        let mut regexes = Vec::new();
        if let Some(r) = &raw.regex {
            let rline = at(r.span());
            for pattern in r.get_ref().clone().into_vec() {
                // Syntax only: compiling here as well as in the matcher made loading the rules (every
                // CLI call, every serve reload) half as costly again; the matcher compiles each regex
                // once and names the rule of one too large to compile.
                if let Err(e) = regex_syntax::ParserBuilder::new().build().parse(&pattern) {
                    let msg = e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    lint.error(
                        file,
                        rline,
                        format!("rule `{id}`: bad regex `{pattern}`: {msg}"),
                    );
                    continue;
                }
                if unicode_word_boundaries(&pattern) > 0 {
                    lint.warn(
                        file,
                        rline,
                        format!("rule `{id}`: regex `{pattern}` uses a Unicode `\\b`, ~400x slower on text with emoji; write `(?-u:\\b)` instead"),
                    );
                }
                regexes.push(pattern);
            }
        }
        let has_patterns = !raw.keywords.is_empty() || raw.list.is_some() || raw.regex.is_some();
        let sources = usize::from(has_patterns)
            + usize::from(raw.expr.is_some())
            + usize::from(raw.signal.is_some());
        let detector = if sources != 1 {
            lint.error(
                file,
                line,
                format!(
                    "rule `{id}` needs exactly one of: keywords/list/regex, `expr`, or `signal`"
                ),
            );
            None
        } else if let Some(e) = &raw.expr {
            match Expr::parse(e.get_ref()) {
                Ok(x) => Some(Detector::Expr(x)),
                Err(msg) => {
                    lint.error(file, at(e.span()), format!("rule `{id}`: bad expr: {msg}"));
                    None
                }
            }
        } else if let Some(s) = &raw.signal {
            match s.get_ref().parse::<Signal>() {
                Ok(sig) => Some(Detector::Signal(sig)),
                Err(msg) => {
                    lint.error(file, at(s.span()), format!("rule `{id}`: {msg}"));
                    None
                }
            }
        } else {
            Some(Detector::Patterns { keywords, regexes })
        };
        if raw.min_matches.is_some() && !matches!(detector, Some(Detector::Patterns { .. })) {
            lint.error(
                file,
                line,
                format!("rule `{id}`: min_matches only applies to keywords and regexes"),
            );
        }
        let mut allow: Vec<(String, MatchMode)> = raw
            .allow
            .iter()
            .map(|a| {
                let (inner, mode) = MatchMode::from_keyword(a, MatchMode::Word);
                (inner.to_string(), mode)
            })
            .collect();
        let lists = raw.allow_list.iter().flat_map(|l| match l.get_ref() {
            OneOrMany::One(p) => std::slice::from_ref(p),
            OneOrMany::Many(ps) => ps.as_slice(),
        });
        for list in lists {
            let path = base.unwrap_or(Path::new(".")).join(list);
            match read_list(&path) {
                Ok(entries) => allow.extend(entries.iter().map(|a| {
                    let (inner, mode) = MatchMode::from_keyword(a, MatchMode::Word);
                    (inner.to_string(), mode)
                })),
                Err(e) => lint.error(
                    file,
                    raw.allow_list.as_ref().map_or(line, |l| at(l.span())),
                    format!(
                        "rule `{id}`: cannot read allow_list file {}: {e}",
                        path.display()
                    ),
                ),
            }
        }
        allow.retain(|(a, _)| !crate::normalise::normalise_str(a).is_empty());
        let allow_unless = match &raw.allow_unless {
            None => None,
            Some(_) if allow.is_empty() => {
                lint.error(
                    file,
                    line,
                    format!("rule `{id}`: allow_unless without allow or allow_list has no effect"),
                );
                None
            }
            Some(e) => match Expr::parse(e.get_ref()) {
                Ok(x) => Some(x),
                Err(msg) => {
                    lint.error(
                        file,
                        at(e.span()),
                        format!("rule `{id}`: bad allow_unless: {msg}"),
                    );
                    None
                }
            },
        };
        // A stateful signal needs a stream of events, which a one-message test cannot show;
        // those rules are tested through the detector (crates/jaga-core/tests/detector.rs).
        let stateful = raw
            .signal
            .as_ref()
            .is_some_and(|s| s.get_ref().parse::<Signal>().is_ok_and(Signal::is_stateful));
        if raw.status != Status::Disabled && raw.tests.hit.is_empty() && !stateful {
            lint.warn(
                file,
                line,
                format!(
                    "rule `{id}` has no hit tests; add `tests = {{ hit = [...], miss = [...] }}`"
                ),
            );
        }
        for tag in &raw.tags {
            match tag_prefix(tag) {
                None => lint.error(
                    file,
                    line,
                    format!(
                        "rule `{id}`: unknown tag `{tag}`; known tags: {}",
                        TAGS.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
                    ),
                ),
                Some(prefix) if !id.starts_with(prefix) => lint.error(
                    file,
                    line,
                    format!("rule `{id}`: a rule tagged `{tag}` needs an id starting with `{prefix}` (the policy recognises its reasons by it)"),
                ),
                Some(_) if raw.action.is_some() => lint.error(
                    file,
                    line,
                    format!("rule `{id}`: a rule tagged `{tag}` cannot set `action` (a group that allows `{tag}` must be able to ignore it)"),
                ),
                Some(_) => {}
            }
        }
        for (tag, prefix) in TAGS {
            if id.starts_with(prefix) && !raw.tags.iter().any(|t| t == tag) {
                lint.error(
                    file,
                    line,
                    format!("rule `{id}`: ids starting with `{prefix}` are for rules tagged `{tag}`; add `tags = [\"{tag}\"]`"),
                );
            }
        }
        let on = raw
            .on
            .map_or_else(|| vec![Kind::Message], OneOrMany::into_vec);
        if on.is_empty() {
            lint.error(
                file,
                line,
                format!("rule `{id}`: `on` is empty; use message and/or join_request"),
            );
        }
        let _ = src;
        let errors_after = lint
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if errors_after > errors_before {
            return None;
        }
        Some(Rule {
            id,
            description: raw.description,
            description_id: raw.description_id,
            tags: raw.tags,
            category: raw.category,
            on,
            field: raw.field,
            detector: detector?,
            min_matches: raw.min_matches.unwrap_or(1).max(1),
            score: raw.score,
            action: raw.action,
            when: raw.when.unwrap_or_default(),
            allow,
            allow_unless,
            status: raw.status,
            lang: raw.lang.map_or_else(Vec::new, OneOrMany::into_vec),
            tests: raw.tests,
            location: Location {
                file: file.to_path_buf(),
                line,
            },
        })
    }

    /// Rules without a one-line description in both languages (`description` in English,
    /// `description_id` in Indonesian): errors for `jaga rules check`, which admins' reasons
    /// and reports depend on. Loading alone does not require them.
    pub fn description_errors(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for r in &self.rules {
            for (field, text) in [
                ("description", &r.description),
                ("description_id", &r.description_id),
            ] {
                let problem = if text.trim().is_empty() {
                    Some("is missing")
                } else if text.contains('\n') {
                    Some("must be one line")
                } else {
                    None
                };
                if let Some(p) = problem {
                    out.push(Diagnostic {
                        severity: Severity::Error,
                        location: r.location.clone(),
                        message: format!(
                            "rule `{}`: `{field}` {p}; every rule needs a one-line description in English (`description`) and Indonesian (`description_id`)",
                            r.id
                        ),
                    });
                }
            }
        }
        out
    }

    /// Checks that every name in an `expr` is a rule or a signal and that no rule depends on itself.
    fn check_exprs(&mut self, lint: &mut Linter) {
        let ids: HashSet<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        let mut bad = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            if let Detector::Expr(e) = &r.detector {
                for name in e.names() {
                    if !ids.contains(name) && name.parse::<Signal>().is_err() {
                        lint.error(
                            &r.location.file,
                            r.location.line,
                            format!("rule `{}`: expr names `{name}`, which is neither a rule id nor a signal", r.id),
                        );
                        bad.push(i);
                    }
                }
            }
        }
        // `allow_unless` is decided with the keyword and regex rules, before any signal rule
        // or expr fires: it can name only those rules (without an allow_unless of their own)
        // and signals, or an expr rule built from them alone, which is written into it in
        // place (the same truth: such an expr reads nothing the pattern stage has not found).
        self.expand_allow_unless(lint, &mut bad);
        let pattern_ids: HashSet<&str> = self
            .rules
            .iter()
            .filter(|r| matches!(r.detector, Detector::Patterns { .. }) && r.allow_unless.is_none())
            .map(|r| r.id.as_str())
            .collect();
        for (i, r) in self.rules.iter().enumerate() {
            let Some(e) = &r.allow_unless else { continue };
            for name in e.names() {
                if !pattern_ids.contains(name) && name.parse::<Signal>().is_err() {
                    lint.error(
                        &r.location.file,
                        r.location.line,
                        format!("rule `{}`: allow_unless names `{name}`, which is neither a signal, a keyword/regex rule without an allow_unless of its own, nor an expr rule built from those", r.id),
                    );
                    bad.push(i);
                }
            }
        }
        if let Err(cycle) = self.expr_order() {
            let r = &self.rules[cycle];
            lint.error(
                &r.location.file,
                r.location.line,
                format!("rule `{}`: expr depends on itself (a cycle)", r.id),
            );
        }
        bad.sort_unstable();
        bad.dedup();
        for i in bad.into_iter().rev() {
            self.rules.remove(i);
        }
    }

    /// Writes every expr rule an `allow_unless` names into it in place, recursively; refuses
    /// (an error, and the rule is dropped) an expr rule whose truth in `fire_expr_rules`
    /// could differ from the expression's: one that is not active (a shadow rule holds only
    /// for shadow expressions), has a `when`, applies to fewer kinds of events, or sits
    /// inside `count()`.
    fn expand_allow_unless(&mut self, lint: &mut Linter, bad: &mut Vec<usize>) {
        let exprs: HashMap<&str, &Rule> = self
            .rules
            .iter()
            .filter(|r| matches!(r.detector, Detector::Expr(_)))
            .map(|r| (r.id.as_str(), r))
            .collect();
        let mut expanded = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            let Some(e) = &r.allow_unless else { continue };
            if !e.names().iter().any(|n| exprs.contains_key(n)) {
                continue;
            }
            match expand(e, r, &exprs, &mut Vec::new()) {
                Ok(x) => expanded.push((i, x)),
                Err(msg) => {
                    lint.error(
                        &r.location.file,
                        r.location.line,
                        format!("rule `{}`: allow_unless {msg}", r.id),
                    );
                    bad.push(i);
                }
            }
        }
        for (i, x) in expanded {
            self.rules[i].allow_unless = Some(x);
        }

        fn expand(
            e: &Expr,
            outer: &Rule,
            exprs: &HashMap<&str, &Rule>,
            path: &mut Vec<String>,
        ) -> Result<Expr, String> {
            Ok(match e {
                Expr::Name(n) => match exprs.get(n.as_str()) {
                    None => Expr::Name(n.clone()),
                    Some(r) => {
                        if path.contains(n) {
                            return Err(format!("names `{n}`, whose expr depends on itself"));
                        }
                        if r.status != Status::Active {
                            return Err(format!("names `{n}`, an expr rule that is not active"));
                        }
                        if r.when != When::default() {
                            return Err(format!("names `{n}`, an expr rule with a `when`"));
                        }
                        if !outer.on.iter().all(|k| r.on.contains(k)) {
                            return Err(format!(
                                "names `{n}`, an expr rule that applies to fewer kinds of events"
                            ));
                        }
                        let Detector::Expr(inner) = &r.detector else {
                            unreachable!("the map holds expr rules only")
                        };
                        path.push(n.clone());
                        let x = expand(inner, outer, exprs, path)?;
                        path.pop();
                        x
                    }
                },
                Expr::Not(x) => Expr::Not(Box::new(expand(x, outer, exprs, path)?)),
                Expr::And(v) => Expr::And(
                    v.iter()
                        .map(|x| expand(x, outer, exprs, path))
                        .collect::<Result<_, _>>()?,
                ),
                Expr::Or(v) => Expr::Or(
                    v.iter()
                        .map(|x| expand(x, outer, exprs, path))
                        .collect::<Result<_, _>>()?,
                ),
                Expr::Count(names, cmp, k) => {
                    if let Some(n) = names.iter().find(|n| exprs.contains_key(n.as_str())) {
                        return Err(format!("counts `{n}`, an expr rule, inside count()"));
                    }
                    Expr::Count(names.clone(), *cmp, *k)
                }
            })
        }
    }

    /// Indices of `expr` rules in an order where every rule comes after the rules it names.
    /// `Err(index)` names a rule in a dependency cycle.
    pub fn expr_order(&self) -> Result<Vec<usize>, usize> {
        let index: HashMap<&str, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        // 0 = unvisited, 1 = in progress, 2 = done
        let mut state = vec![0u8; self.rules.len()];
        let mut order = Vec::new();
        fn visit(
            i: usize,
            rules: &[Rule],
            index: &HashMap<&str, usize>,
            state: &mut [u8],
            order: &mut Vec<usize>,
        ) -> Result<(), usize> {
            match state[i] {
                2 => return Ok(()),
                1 => return Err(i),
                _ => {}
            }
            state[i] = 1;
            if let Detector::Expr(e) = &rules[i].detector {
                for name in e.names() {
                    if let Some(&j) = index.get(name) {
                        visit(j, rules, index, state, order)?;
                    }
                }
                order.push(i);
            }
            state[i] = 2;
            Ok(())
        }
        for i in 0..self.rules.len() {
            visit(i, &self.rules, &index, &mut state, &mut order)?;
        }
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (name, body) in files {
            let p = d.path().join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, body).unwrap();
        }
        d
    }

    fn errors(dir: &Path) -> Vec<String> {
        RuleSet::load(dir)
            .unwrap_err()
            .diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn a_rule_id_may_not_be_a_signal_name() {
        let d = dir_with(&[(
            "links.toml",
            "[[rule]]\nid = \"link.shortener\"\ndescription = \"x\"\ncategory = \"spam\"\nsignal = \"link.shortener\"\nscore = 0.2\n",
        )]);
        let e = errors(d.path()).join("\n");
        assert!(
            e.contains("rule id `link.shortener` is the name of a built-in signal"),
            "{e}"
        );
    }

    #[test]
    fn keyword_wildcards() {
        assert_eq!(
            MatchMode::from_keyword("pinjol*", MatchMode::Word),
            ("pinjol", MatchMode::Prefix)
        );
        assert_eq!(
            MatchMode::from_keyword("*gacor", MatchMode::Word),
            ("gacor", MatchMode::Suffix)
        );
        assert_eq!(
            MatchMode::from_keyword("*slot*", MatchMode::Word),
            ("slot", MatchMode::Substring)
        );
        assert_eq!(
            MatchMode::from_keyword("wd", MatchMode::Prefix),
            ("wd", MatchMode::Prefix)
        );
    }

    #[test]
    fn loads_a_valid_file_with_lists() {
        let d = dir_with(&[
            (
                "a.toml",
                r#"
[[rule]]
id = "scam.pinjol"
category = "scam"
keywords = ["pinjol", "cair*"]
list = "lists/x.txt"
score = 0.6
tests = { hit = ["pinjol cepat"], miss = ["halo"] }
"#,
            ),
            ("lists/x.txt", "# comment\n\npinjaman online\n"),
        ]);
        let set = RuleSet::load(d.path()).unwrap();
        assert_eq!(set.rules.len(), 1);
        match &set.rules[0].detector {
            Detector::Patterns { keywords, .. } => {
                assert_eq!(keywords.len(), 3);
                assert!(keywords.contains(&("cair".to_string(), MatchMode::Prefix)));
            }
            d => panic!("unexpected detector {d:?}"),
        }
    }

    #[test]
    fn reports_every_error_with_file_and_line() {
        let d = dir_with(&[
            (
                "a.toml",
                r#"[[rule]]
id = "spam.one"
category = "spam"
keywords = ["x"]
score = 0.5

[[rule]]
id = "spam.one"
category = "spam"
keywords = ["y"]
score = 0.5

[[rule]]
id = "spam.re"
category = "spam"
regex = "(unclosed"
score = 0.5

[[rule]]
id = "spam.list"
category = "spam"
list = "lists/missing.txt"
score = 0.5

[[rule]]
id = "spam.expr"
category = "spam"
expr = "spam.one and nobody.here"
score = 0.5
"#,
            ),
            ("b.toml", "[[rule]]\nid = \"spam.typo\"\ncategory = \"spam\"\nkeywords = [\"z\"]\nscore = 0.5\nscroe = 1\n"),
        ]);
        let errs = errors(d.path());
        let joined = errs.join("\n");
        assert!(
            joined.contains("a.toml:7: error: duplicate rule id `spam.one` (first defined at"),
            "{joined}"
        );
        assert!(
            joined.contains("a.toml:16: error: rule `spam.re`: bad regex"),
            "{joined}"
        );
        assert!(
            joined.contains("a.toml:22: error: rule `spam.list`: cannot read list file"),
            "{joined}"
        );
        assert!(
            joined.contains("rule `spam.expr`: expr names `nobody.here`"),
            "{joined}"
        );
        assert!(
            joined.contains("b.toml:6: error: unknown field `scroe`"),
            "{joined}"
        );
    }

    #[test]
    fn warns_about_unicode_word_boundaries() {
        assert_eq!(unicode_word_boundaries(r"\bslot\b"), 2);
        assert_eq!(unicode_word_boundaries(r"(?-u:\b)slot(?-u:\b)"), 0);
        assert_eq!(unicode_word_boundaries(r"\\b"), 0);
        let d = dir_with(&[(
            "a.toml",
            "[[rule]]\nid = \"spam.re\"\ncategory = \"spam\"\nregex = '\\bdepo\\b'\nscore = 0.5\ntests = { hit = [\"depo\"] }\n",
        )]);
        let set = RuleSet::load(d.path()).unwrap();
        assert!(
            set.warnings
                .iter()
                .any(|w| w.message.contains("Unicode `\\b`") && w.location.line == 4),
            "{:?}",
            set.warnings
        );
    }

    #[test]
    fn rejects_cycles_and_bad_values() {
        let d = dir_with(&[(
            "a.toml",
            r#"
[[rule]]
id = "x.a"
category = "spam"
expr = "x.b"
score = 0.5

[[rule]]
id = "x.b"
category = "spam"
expr = "x.a or link.shortener"
score = 0.5

[[rule]]
id = "Bad Id"
category = "spam"
keywords = ["q"]
score = 1.5
"#,
        )]);
        let joined = errors(d.path()).join("\n");
        assert!(joined.contains("depends on itself"), "{joined}");
        assert!(joined.contains("must be dotted lowercase"), "{joined}");
        assert!(
            joined.contains("score 1.5 must be between 0 and 1"),
            "{joined}"
        );
    }

    #[test]
    fn empty_or_missing_directory_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        assert!(errors(d.path())[0].contains("no rule files"));
        assert!(errors(&d.path().join("nope"))[0].contains("cannot read the rules directory"));
    }
}
