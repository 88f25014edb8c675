//! jaga-core: the detection core of jaga.

pub mod doxing;
pub mod engine;
pub mod event;
pub mod explain;
pub mod expr;
pub mod extract;
pub mod features;
pub mod links;
pub mod mask;
pub mod matcher;
pub mod model;
pub mod normalise;
pub mod policy;
pub mod rules;
pub mod ruletest;
pub mod signal;
pub mod state;
pub mod verdict;
pub mod vocab;

pub use engine::Engine;
pub use event::Event;
pub use verdict::Verdict;
