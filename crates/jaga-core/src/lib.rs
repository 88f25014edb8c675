//! jaga-core: the detection core of jaga, with no I/O beyond reading rule files and
//! a model file.
//!
//! One call decides: a [`Detector`] scores an [`Event`] with every stage (normalisation,
//! keyword automata and regexes, link, evasion, personal-data and stateful signals, the rule
//! files, the classifier) and decides its [`Verdict`] once, with the policy. Each reason in
//! the verdict names the rule or signal that fired, with [`Span`]s into the field of the
//! event it found the evidence in. The pipeline is drawn in [`detector`].
//!
//! The modules shown here are the stable API; the hidden ones are public for jaga's own
//! crates (the CLI, the server, the store) and may change.
//!
//! ```
//! use jaga_core::{Detector, Event, Scratch};
//!
//! let rules = r#"
//! [[rule]]
//! id = "scam.pinjol"
//! description = "Illegal instant loans"
//! category = "scam"
//! keywords = ["pinjol", "cair 5 menit"]
//! score = 0.9
//! tests = { hit = ["pinjol cair 5 menit"], miss = ["waspada pinjol ilegal"] }
//! "#;
//! let detector = Detector::builder().rule_file("loans.toml", rules).build()?;
//! let mut scratch = Scratch::new();
//! let ev = Event::message("Butuh dana? PINJOL cair 5 menit!");
//! let verdict = detector.check(&ev, 0, &mut scratch);
//! assert_eq!(verdict.action.as_str(), "remove");
//! let span = verdict.reasons[0].spans[0];
//! assert_eq!(span.slice(&ev), Some("PINJOL"));
//! # Ok::<(), jaga_core::Error>(())
//! ```

#![deny(missing_docs)]

pub mod detector;
#[doc(hidden)]
pub mod doxing;
#[doc(hidden)]
pub mod engine;
pub mod error;
pub mod event;
#[doc(hidden)]
pub mod explain;
#[doc(hidden)]
pub mod expr;
#[doc(hidden)]
pub mod extract;
#[doc(hidden)]
pub mod features;
#[doc(hidden)]
pub mod links;
#[doc(hidden)]
pub mod mask;
#[doc(hidden)]
pub mod matcher;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod normalise;
#[doc(hidden)]
pub mod policy;
#[doc(hidden)]
pub mod quote;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod ruletest;
pub mod signal;
#[doc(hidden)]
pub mod state;
pub mod verdict;
#[doc(hidden)]
pub mod vocab;

pub use detector::{Builder, Detector, DEFAULT_POLICY};
pub use engine::{Engine, PooledScratch, Scratch, ScratchPool};
pub use error::{Error, ErrorKind};
pub use event::{Event, Kind, Role};
pub use signal::Signal;
pub use verdict::{Action, Category, Field, Reason, Span, Verdict};
