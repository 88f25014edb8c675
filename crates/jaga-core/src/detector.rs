//! The one decision point: a [`Detector`] scores an event with every stage and decides its
//! verdict once.
//!
//! ```text
//! Event --Engine::collect_evidence--> entities, folded text, keyword/regex hits,
//!                                     link, evasion and personal-data signals
//!       --State::arrive/observe-----> stateful signals (flood, raid, cross-post)
//!       --rules----------------------> reasons (keyword, regex, signal, expr rules)
//!       --model----------------------> model reasons (capped by `[model] max_action`)
//!       --Policy::decide_reasons----> scores (noisy-OR), action ([trust], minimums) -> Verdict
//! ```
//!
//! `jaga scan`, `jaga serve`, `jaga explain`, `jaga eval` and embedders all make the same
//! call, so the same events in the same order get the same verdicts everywhere.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{Engine, Scratch};
use crate::error::{Error, ErrorKind};
use crate::event::Event;
use crate::links::LinkLists;
use crate::model::Model;
use crate::policy::Policy;
use crate::rules::RuleSet;
use crate::state::{raid::Raids, Arrival, State};
use crate::verdict::Verdict;

/// A compiled rule set, policy, optional classifier and the stateful state: everything that
/// decides a verdict. Shareable across threads (`check` takes `&self`).
pub struct Detector {
    engine: Arc<Engine>,
    state: Arc<State>,
}

/// Builds a [`Detector`] from a rules directory or from rule text in memory.
#[derive(Default)]
pub struct Builder {
    dir: Option<PathBuf>,
    files: Vec<(String, String)>,
    policy: Option<String>,
    links: Option<LinkLists>,
    model: Option<Model>,
    show_pii: bool,
    keep: Option<(Arc<State>, Arc<Raids>)>,
}

impl Builder {
    /// Rule files, `policy.toml` and `lists/` of a rules directory (the shipped `rules/`).
    pub fn rules_dir(mut self, dir: impl AsRef<Path>) -> Builder {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// One rule file given as text (instead of a directory); may be called repeatedly.
    pub fn rule_file(mut self, name: &str, toml: &str) -> Builder {
        self.files.push((name.to_string(), toml.to_string()));
        self
    }

    /// The policy as text (instead of the directory's `policy.toml`).
    pub fn policy(mut self, toml: &str) -> Builder {
        self.policy = Some(toml.to_string());
        self
    }

    /// Link lists (instead of the directory's `lists/`; none when building from text).
    pub fn link_lists(mut self, lists: LinkLists) -> Builder {
        self.links = Some(lists);
        self
    }

    /// A classifier whose probabilities join the rule scores (`[model]` in the policy).
    pub fn model(mut self, model: Option<Model>) -> Builder {
        self.model = model;
        self
    }

    /// Puts full personal-data values into verdicts; masked by default.
    pub fn show_pii(mut self, show: bool) -> Builder {
        self.show_pii = show;
        self
    }

    /// Carries the stateful state of a running detector over (a reload): quotas and
    /// windows go on when the `[state]` table is unchanged, join-wave holds always.
    pub fn keep_state_of(mut self, old: &Detector) -> Builder {
        self.keep = Some((old.state.clone(), old.state.raids().clone()));
        self
    }

    /// Loads, lints and compiles.
    pub fn build(self) -> Result<Detector, Error> {
        let (ruleset, policy_src, links) = match &self.dir {
            Some(dir) => {
                let ruleset = RuleSet::load(dir).map_err(|e| Error::new(ErrorKind::Rules, e))?;
                let policy_src = match self.policy {
                    Some(p) => p,
                    None => {
                        let path = dir.join("policy.toml");
                        std::fs::read_to_string(&path).map_err(|e| {
                            Error::msg(
                                ErrorKind::Policy,
                                format!(
                                    "{}: cannot read the policy: {e}; every rules directory needs a policy.toml",
                                    path.display()
                                ),
                            )
                        })?
                    }
                };
                let links = match self.links {
                    Some(l) => l,
                    None => LinkLists::load(dir).map_err(|e| Error::new(ErrorKind::Links, e))?,
                };
                (ruleset, policy_src, links)
            }
            None => {
                let files: Vec<(&str, &str)> = self
                    .files
                    .iter()
                    .map(|(n, t)| (n.as_str(), t.as_str()))
                    .collect();
                let ruleset =
                    RuleSet::parse(&files).map_err(|e| Error::new(ErrorKind::Rules, e))?;
                (
                    ruleset,
                    self.policy.unwrap_or_else(|| DEFAULT_POLICY.to_string()),
                    self.links.unwrap_or_default(),
                )
            }
        };
        let policy = Policy::parse(&policy_src).map_err(|e| {
            let at = self.dir.as_ref().map_or("policy".to_string(), |d| {
                d.join("policy.toml").display().to_string()
            });
            Error::msg(ErrorKind::Policy, format!("{at}:{e}"))
        })?;
        let state_cfg = policy.state.clone();
        let engine = Engine::new(ruleset, links, policy)
            .map_err(|e| Error::msg(ErrorKind::Rules, e.to_string()))?
            .with_model(self.model)
            .with_show_pii(self.show_pii);
        let state = match self.keep {
            Some((old, _)) if *old.config() == state_cfg => old,
            Some((_, raids)) => Arc::new(State::new(state_cfg, raids)),
            None => Arc::new(State::new(state_cfg, Arc::new(Raids::default()))),
        };
        Ok(Detector {
            engine: Arc::new(engine),
            state,
        })
    }
}

/// The policy of a detector built from rule text without one: review, hide and remove
/// thresholds for every category, approve/review/reject for join requests.
pub const DEFAULT_POLICY: &str = r#"
[message]
spam = { review = 0.45, hide = 0.65, remove = 0.85 }
scam = { review = 0.4, hide = 0.6, remove = 0.8 }
doxing = { review = 0.4, hide = 0.6, remove = 0.8 }
abuse = { review = 0.45, hide = 0.65, remove = 0.85 }

[join_request]
spam = { review = 0.4, reject = 0.8 }
scam = { review = 0.4, reject = 0.8 }
doxing = { review = 0.4, reject = 0.8 }
abuse = { review = 0.4, reject = 0.8 }
"#;

impl Detector {
    /// A builder: `Detector::builder().rules_dir("rules").build()`.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The detector of a rules directory, rules only.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Detector, Error> {
        Detector::builder().rules_dir(dir).build()
    }

    /// Scores one event with every stage, stateful ones included, and decides its verdict.
    ///
    /// `now_ms` is the caller's clock (Unix ms): the stateful windows use the event's own
    /// `ts` unless it is missing or in the future. Events of one `(community, user)` must be
    /// checked in order; for a deterministic group-level order under concurrency, call
    /// [`Detector::arrive`] in input order and [`Detector::check_arrived`] on any thread.
    pub fn check(&self, ev: &Event, now_ms: i64, s: &mut Scratch) -> Verdict {
        let arrival = self.arrive(ev, now_ms);
        self.check_arrived(ev, arrival, s)
    }

    /// The group-level stateful step of [`Detector::check`], cheap, in input order.
    pub fn arrive(&self, ev: &Event, now_ms: i64) -> Arrival {
        if self.engine.reads_state() {
            self.state.arrive(ev, now_ms)
        } else {
            Arrival::default()
        }
    }

    /// The rest of [`Detector::check`] for an event that has arrived.
    pub fn check_arrived(&self, ev: &Event, arrival: Arrival, s: &mut Scratch) -> Verdict {
        self.engine.collect_evidence(ev, s);
        let mut stateful = std::mem::take(&mut s.state_findings);
        stateful.clear();
        if self.engine.reads_state() {
            self.state
                .observe(ev, arrival, s.normalised_text(), &mut stateful);
        }
        s.state_findings = stateful;
        self.engine.score(ev, s)
    }

    /// Scores one event on its own: no stateful signals and no effect on the state (rule
    /// tests, `jaga explain`, `jaga eval`, the console's "try a message").
    pub fn check_alone(&self, ev: &Event, s: &mut Scratch) -> Verdict {
        self.engine.evaluate(ev, s)
    }

    /// The compiled rules, policy and model.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The compiled rules.
    pub fn rules(&self) -> &[crate::rules::Rule] {
        self.engine.rules()
    }

    /// The compiled policy (thresholds, `[model]`, `[trust]`, `[state]`).
    pub fn policy(&self) -> &Policy {
        &self.engine.policy
    }

    /// The classifier, when one is loaded.
    pub fn model(&self) -> Option<&Model> {
        self.engine.model()
    }

    /// The stateful state (sizes for metrics, join-wave holds for the review store).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The same rules, policy and model with a fresh, empty state of their own: for a
    /// one-off scan (an uploaded export) that must neither see nor disturb the live state.
    pub fn with_fresh_state(&self) -> Detector {
        Detector {
            engine: self.engine.clone(),
            state: Arc::new(State::new(
                self.engine.policy.state.clone(),
                Arc::new(Raids::default()),
            )),
        }
    }

    /// Bounds the stateful state; call it every few seconds from a long-running process.
    pub fn maintain(&self) {
        self.state.maintain();
    }
}

impl From<Engine> for Detector {
    /// A detector around a compiled engine, with fresh state from its policy.
    fn from(engine: Engine) -> Detector {
        let cfg = engine.policy.state.clone();
        Detector {
            engine: Arc::new(engine),
            state: Arc::new(State::new(cfg, Arc::new(Raids::default()))),
        }
    }
}
