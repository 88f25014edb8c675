//! jaga: an anti-abuse moderation pipeline for chat communities.
//!
//! One message flows one way through the pipeline:
//!
//! ```text
//! Event (JSONL) -> extract -> normalise -> keywords + regexes + links + signals
//!               -> score (noisy-OR per category) -> policy (thresholds -> action) -> Verdict (JSONL)
//! ```
//!
//! * [`event`]: the input contract (one JSON object per line).
//! * [`extract`]: URLs, e-mails and phone-like runs pulled out of the raw text first.
//! * [`normalise`]: folds evasions (look-alikes, zero-width, spacing, l33t) with an offset map.
//! * [`rules`]: admin-editable rule files: schema, loading, lint.
//! * [`matcher`]: every keyword in one automaton, every regex in one set per field.
//! * [`links`]: link and attachment analysis (shorteners, look-alike brands, invites, .apk).
//! * [`engine`]: wires the stages together and scores one event.
//! * [`policy`]: per-category thresholds that turn scores into actions.
//! * [`verdict`]: the output contract, with reasons and spans into the original text.
//! * [`export`]: exported chats (WhatsApp .txt/.zip, Telegram JSON) and JSONL as event streams.
//! * [`scan`]: batch scanning of any input format, parallel, in input order.
//! * [`report`]: the HTML report of a scan for admins; [`mask`] hides personal data in it
//!   and in the review store's case summaries.
//! * [`state`]: stateful detection for `jaga serve`: flood, raids, cross-posting.
//! * [`store`]: the review store (SQLite): cases, decisions, audit log, rule statistics.
//! * [`serve`]: `jaga serve`, the live pipeline over HTTP and stdin, with hot reload.
//! * [`config`]: `jaga.toml`, the configuration of `jaga serve`.
//! * [`metrics`]: Prometheus metrics of `jaga serve`.
//! * [`review`]: `jaga review` (list, show, decide) and `jaga scan --store`.
//! * [`features`], [`model`]: the classifier's hashed features and model file; [`train`]
//!   and [`evaluate`] build and measure it.

pub mod config;
pub mod doxing;
pub mod engine;
pub mod evaluate;
pub mod event;
pub mod explain;
pub mod export;
pub mod expr;
pub mod extract;
pub mod features;
pub mod links;
pub mod mask;
pub mod matcher;
pub mod metrics;
pub mod model;
pub mod normalise;
pub mod policy;
pub mod report;
pub mod review;
pub mod rules;
pub mod ruletest;
pub mod scan;
pub mod serve;
pub mod signal;
pub mod state;
pub mod store;
pub mod synth;
pub mod train;
pub mod verdict;

pub use engine::Engine;
pub use event::Event;
pub use verdict::Verdict;
