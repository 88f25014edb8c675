//! What the console asks of the `jaga` binary: scanning an uploaded export (the scan and
//! report code lives in the binary, above this crate) and retraining the model (the trainer
//! and the evaluation live there too). The binary hands an implementation to
//! [`crate::Options::tasks`]; without one those two pages say they are unavailable.

use std::path::PathBuf;
use std::sync::Arc;

use jaga_core::vocab::Lang;
use jaga_core::Detector;
use serde::Serialize;

/// An uploaded export to scan into cases.
pub struct ExportJob {
    /// The file as uploaded (a temporary copy); recognised by content.
    pub path: PathBuf,
    /// The file name the admin's browser gave, for the report.
    pub file_name: String,
    /// The community the cases belong to.
    pub community: String,
    /// The group of every event (default: the chat's name from the export).
    pub group: Option<String>,
    /// The review store to write the flagged messages into, as cases.
    pub store: PathBuf,
    /// The rules and model serving right now, with a fresh state.
    pub engine: Arc<Detector>,
    /// The report's first language.
    pub lang: Lang,
}

/// What scanning an export gave.
pub struct ExportOutcome {
    pub events: u64,
    pub flagged: u64,
    pub new_cases: u64,
    /// Lines or messages that could not be read.
    pub errors: u64,
    /// The HTML report (personal data masked).
    pub report: Vec<u8>,
    /// The flagged messages as CSV (personal data masked).
    pub csv: Vec<u8>,
}

/// A retrain on demand.
pub struct RetrainJob {
    /// The review store: decided cases are the new examples.
    pub store: PathBuf,
    /// The rules directory (the model reads the engine's features).
    pub rules: PathBuf,
    /// The model file `jaga serve` scores with: replaced only when the new model is not worse.
    pub model: PathBuf,
    /// `jaga train --data` specs; empty: the sources the current model was trained on.
    pub data: Vec<String>,
}

/// Figures of one model on the held-out decisions.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Figures {
    pub examples: u64,
    /// Harmful vs ok.
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accuracy: f64,
    /// Verdict-level rule tests (`[[test]]` in the rule files) that fail with this model.
    pub rule_tests_failed: usize,
}

/// What a retrain did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RetrainOutcome {
    /// Examples the new model was trained on.
    pub examples: usize,
    /// Decided cases among them.
    pub decisions: usize,
    /// The current model (or the rules alone) on the held-out decisions.
    pub before: Figures,
    /// The new model on the same decisions.
    pub after: Figures,
    /// Whether the new model replaced the old one.
    pub switched: bool,
    /// Why it did or did not, in a sentence.
    pub why: String,
    pub seconds: f64,
}

/// The work the binary does for the console.
pub trait Tasks: Send + Sync {
    /// Scans an export into cases and writes its report and CSV.
    fn scan_export(&self, job: ExportJob) -> Result<ExportOutcome, String>;
    /// Trains a new model on the data and the store's decisions, measures old and new on
    /// decisions held out of training, and replaces the model file only when the new one is
    /// not worse.
    fn retrain(&self, job: RetrainJob) -> Result<RetrainOutcome, String>;
}
