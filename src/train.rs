//! `jaga train`: load labelled examples, featurise them through the engine, fit a model and
//! write a model file.
//!
//! The default estimator is jaga's own multinomial logistic regression over the whole
//! hashed space (2^20 n-gram ids by default, `--hash-bits`, plus the meta features),
//! fitted on the sparse rows by AdaGrad with L2 and class weights, then temperature-scaled
//! on the held-out examples so its probabilities are calibrated. linfa has no estimator for this: `linfa-logistic`
//! and `linfa-bayes` fit dense `ndarray` matrices (100,000 × 1,048,576 f32 would be 400 GB)
//! and `linfa-ftrl` is binary and dense as well.
//!
//! The linfa estimators stay for comparison (`--algorithm linfa-logistic|naive-bayes`):
//! training counts in how many messages of each label every id occurs, keeps the
//! `features` ids most associated with a label (chi-squared, with a share reserved for
//! each label so small classes are not drowned), and fits on a dense matrix of only those
//! columns plus the meta features; naive Bayes is fitted in dense batches of 2,048 rows.
//!
//! linfa-logistic has no sample weights and linfa-bayes' `MultinomialNb::fit` prints every
//! class histogram with a leftover `dbg!`. Weights are therefore repeat counts (a row of
//! weight 3 is fitted three times; naive Bayes multiplies its counts, which is the same),
//! and standard error is silenced around the naive Bayes fit only.
//!
//! Examples come from files (`--data`) or, through [`Example`], from any other source such
//! as a review store export.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use linfa::prelude::*;
use ndarray::{Array1, Array2};
use rayon::prelude::*;

use jaga_core::engine::{Engine, Scratch, ScratchPool};
use jaga_core::event::{Event, Kind};
use jaga_core::features::{self, FeatureConfig, META_LEN};
use jaga_core::model::{
    self, Algorithm, HoldoutFigures, Label, Model, ModelFile, SourceSummary, TextScaling,
    TrainingSummary, LABELS,
};
use jaga_core::verdict::Category;

use crate::evaluate::Outcome;

/// One labelled training example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub event: Event,
    /// What the example is.
    pub label: Outcome,
    /// Repeat count: an admin's decision from the review store is worth more than a corpus
    /// line. Rounded to a whole number, at least 1.
    pub weight: f32,
    /// Index into the list of sources, for per-source counts.
    pub source: u32,
}

impl Example {
    /// A message (or join request) text with a label.
    pub fn new(text: &str, kind: Kind, label: Label, weight: f32) -> Example {
        Example {
            event: Event {
                kind,
                text: text.to_string(),
                ..Event::default()
            },
            label: label.into(),
            weight,
            source: 0,
        }
    }
}

/// One `--data` argument: `[LABEL:]PATH[@WEIGHT]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    pub path: PathBuf,
    /// For files of bare messages (one a line): the label of every line.
    pub label: Option<String>,
    pub weight: f32,
    /// As written, for summaries.
    pub spec: String,
}

impl std::str::FromStr for DataSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<DataSpec, String> {
        let mut rest = s;
        let mut weight = 1.0;
        if let Some((p, w)) = rest.rsplit_once('@') {
            if !Path::new(rest).exists() {
                weight = w
                    .parse::<f32>()
                    .ok()
                    .filter(|w| w.is_finite() && *w >= 1.0)
                    .ok_or_else(|| {
                        format!("`{s}`: the weight after @ must be a number >= 1 (a repeat count)")
                    })?;
                rest = p;
            }
        }
        let mut label = None;
        if let Some((l, p)) = rest.split_once(':') {
            let looks_like_label =
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if looks_like_label && !Path::new(rest).exists() {
                label = Some(l.to_string());
                rest = p;
            }
        }
        if rest.is_empty() {
            return Err(format!("`{s}`: no file; use [LABEL:]PATH[@WEIGHT]"));
        }
        Ok(DataSpec {
            path: PathBuf::from(rest),
            label,
            weight,
            spec: s.to_string(),
        })
    }
}

/// Foreign label names and what they mean (`--label-map ham=ok,0=ok,1=spam`).
///
/// A name ending in `*` is a prefix (`sexist:*=abuse` maps every `sexist:...` label); the
/// longest matching prefix wins and an exact name beats any prefix. A name may contain
/// commas (`sexist:threats,_plans_to_harm=abuse`): a comma starts a new pair only when an
/// `=` follows before the next comma. The target is a label or `skip` (the example is left
/// out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelMap {
    exact: HashMap<String, Option<Outcome>>,
    prefixes: Vec<(String, Option<Outcome>)>,
    /// The pairs as given, in order, for the model file's summary.
    pairs: Vec<(String, String)>,
}

fn parse_target(to: &str) -> Result<Option<Outcome>, String> {
    match to {
        "skip" => Ok(None),
        _ => to
            .parse::<Label>()
            .map(|l| Some(l.into()))
            .map_err(|_| format!("`{to}`: map to ok, spam, scam, doxing, abuse or skip")),
    }
}

impl std::str::FromStr for LabelMap {
    type Err = String;
    fn from_str(s: &str) -> Result<LabelMap, String> {
        let mut m = LabelMap::default();
        let mut pending = String::new();
        for piece in s.split(',') {
            if !pending.is_empty() || !piece.contains('=') {
                if !pending.is_empty() {
                    pending.push(',');
                }
                pending.push_str(piece);
                if !piece.contains('=') {
                    continue;
                }
            } else {
                pending.push_str(piece);
            }
            let pair = std::mem::take(&mut pending);
            let (from, to) = pair
                .rsplit_once('=')
                .ok_or_else(|| format!("`{pair}`: write FROM=LABEL, e.g. ham=ok"))?;
            m.insert(from.trim(), to.trim())?;
        }
        if !pending.trim().is_empty() {
            return Err(format!(
                "`{}`: write FROM=LABEL, e.g. ham=ok",
                pending.trim()
            ));
        }
        Ok(m)
    }
}

impl LabelMap {
    fn insert(&mut self, from: &str, to: &str) -> Result<(), String> {
        if from.is_empty() {
            return Err(format!("`={to}`: the name to map is missing"));
        }
        let target = parse_target(to)?;
        match from.strip_suffix('*') {
            Some(prefix) => {
                self.prefixes.retain(|(p, _)| p != prefix);
                self.prefixes.push((prefix.to_string(), target));
                // Longest prefix first.
                self.prefixes
                    .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
            }
            None => {
                self.exact.insert(from.to_string(), target);
            }
        }
        self.pairs.push((from.to_string(), to.to_string()));
        Ok(())
    }

    pub fn extend(&mut self, other: LabelMap) {
        for (from, to) in other.pairs {
            // Already validated when `other` was parsed.
            let _ = self.insert(&from, &to);
        }
    }

    /// The pairs as given.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Rebuilds a map from stored pairs (a model file's summary).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<LabelMap, String> {
        let mut m = LabelMap::default();
        for (from, to) in pairs {
            m.insert(from, to)?;
        }
        Ok(m)
    }

    /// What a raw name means: mapped names first (exact, then the longest prefix), then the
    /// model's own label names. `None`: skip the example.
    pub fn resolve(&self, raw: &str) -> Result<Option<Outcome>, String> {
        let raw = raw.trim();
        if let Some(&o) = self.exact.get(raw) {
            return Ok(o);
        }
        if let Some((_, o)) = self
            .prefixes
            .iter()
            .find(|(p, _)| raw.starts_with(p.as_str()))
        {
            return Ok(*o);
        }
        raw.to_ascii_lowercase()
            .parse::<Label>()
            .map(|l| Some(l.into()))
    }
}

/// Which examples of a file to use: an 80/20 split by a hash of the text, the same for
/// every run, so `train --split train` and `eval --split test` never share a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Split {
    #[default]
    All,
    Train,
    Test,
}

impl std::str::FromStr for Split {
    type Err = String;
    fn from_str(s: &str) -> Result<Split, String> {
        match s {
            "all" => Ok(Split::All),
            "train" => Ok(Split::Train),
            "test" => Ok(Split::Test),
            _ => Err("use all, train or test".into()),
        }
    }
}

/// Whether `text` falls in the test part of a split that holds out `percent` percent.
pub fn in_test_part(text: &str, percent: u32, salt: u64) -> bool {
    let h = model::checksum(text.as_bytes()) ^ salt;
    let h = (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    ((h >> 32) % 100) < u64::from(percent)
}

impl Split {
    pub fn keeps(self, text: &str, test_percent: u32) -> bool {
        match self {
            Split::All => true,
            Split::Train => !in_test_part(text, test_percent, 0),
            Split::Test => in_test_part(text, test_percent, 0),
        }
    }
}

/// What loading the `--data` files found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub examples: Vec<Example>,
    pub sources: Vec<SourceSummary>,
    /// `FILE:LINE: problem` for lines that were skipped.
    pub skipped: Vec<String>,
}

/// Loads every data file. A line that cannot be read is reported in `skipped` and the rest
/// goes on; a label nobody maps, or a file that cannot be opened, is an error.
pub fn load(
    specs: &[DataSpec],
    map: &LabelMap,
    split: Split,
    test_percent: u32,
) -> Result<Loaded, String> {
    let mut out = Loaded::default();
    for (si, spec) in specs.iter().enumerate() {
        let name = spec.path.display().to_string();
        let file = std::fs::File::open(&spec.path)
            .map_err(|e| format!("{name}: cannot open the data file: {e}"))?;
        let format = Format::of(spec)?;
        let mut counts = [0u64; LABELS];
        let mut reader = BufReader::new(file);
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| format!("{name}: read failed after line {line_no}: {e}"))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let Ok(line) = std::str::from_utf8(&buf) else {
                out.skipped
                    .push(format!("{name}:{line_no}: not valid UTF-8; line skipped"));
                continue;
            };
            let line = line.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                continue;
            }
            let parsed = match format {
                Format::Tsv => parse_tsv(line, map),
                Format::Jsonl => parse_jsonl(line, map),
                Format::Lines(label) => Ok(Some((Event::message(line), Some(label.into())))),
            };
            let (event, label) = match parsed {
                Ok(Some((e, Some(l)))) => (e, l),
                Ok(Some((_, None))) | Ok(None) => continue,
                Err(Problem::Skip(msg)) => {
                    out.skipped.push(format!("{name}:{line_no}: {msg}"));
                    continue;
                }
                Err(Problem::Fatal(msg)) => return Err(format!("{name}:{line_no}: {msg}")),
            };
            if !split.keeps(&event.text, test_percent) {
                continue;
            }
            counts[label.label().index()] += 1;
            out.examples.push(Example {
                event,
                label,
                weight: spec.weight,
                source: si as u32,
            });
        }
        out.sources.push(SourceSummary {
            path: spec.spec.clone(),
            counts,
        });
    }
    Ok(out)
}

/// What [`load_store`] added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StoreCounts {
    /// Decided cases that became examples.
    pub added: usize,
}

/// Adds the decided cases of a review store (`--from-store`): a dismissed case is an `ok`
/// example (the false positives admins corrected), a confirmed one carries its category,
/// or the category the admin corrected it to. Each counts `weight` times, so a community's
/// own decisions outweigh the base corpora. Pending cases are not labelled and stay out.
pub fn load_store(
    out: &mut Loaded,
    path: &Path,
    weight: f32,
    split: Split,
    test_percent: u32,
) -> Result<StoreCounts, String> {
    if !path.is_file() {
        return Err(format!(
            "{}: no review store there; give the file `jaga serve` or `jaga scan --store` writes",
            path.display()
        ));
    }
    let store =
        jaga_store::Store::open(path, jaga_store::Durability::Normal).map_err(|e| e.to_string())?;
    let decided = store.labelled_examples().map_err(|e| e.to_string())?;
    let source = out.sources.len() as u32;
    let mut counts = [0u64; LABELS];
    let mut n = StoreCounts::default();
    for case in decided {
        let label = match case.label {
            None => Label::Ok,
            Some(Category::Spam) => Label::Spam,
            Some(Category::Scam) => Label::Scam,
            Some(Category::Doxing) => Label::Doxing,
            Some(Category::Abuse) => Label::Abuse,
        };
        let label_outcome = Outcome::from(label);
        if !split.keeps(&case.event.text, test_percent) {
            continue;
        }
        counts[label.index()] += 1;
        n.added += 1;
        out.examples.push(Example {
            event: case.event,
            label: label_outcome,
            weight: weight * case.weight,
            source,
        });
    }
    out.sources.push(SourceSummary {
        path: format!("store:{}@{weight}", path.display()),
        counts,
    });
    Ok(n)
}

enum Format {
    Tsv,
    Jsonl,
    Lines(Label),
}

impl Format {
    fn of(spec: &DataSpec) -> Result<Format, String> {
        let name = spec.path.display();
        let ext = spec.path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match (ext, &spec.label) {
            ("tsv", None) => Ok(Format::Tsv),
            ("jsonl" | "ndjson", None) => Ok(Format::Jsonl),
            (_, Some(l)) => Ok(Format::Lines(l.parse().map_err(|e| format!("{name}: {e}"))?)),
            _ => Err(format!(
                "{name}: a .tsv file has `label<TAB>text` lines and a .jsonl file has events with a `label`; for a file of bare messages, one a line, give the label: --data spam:{name}"
            )),
        }
    }
}

enum Problem {
    Skip(String),
    Fatal(String),
}

type Parsed = Option<(Event, Option<Outcome>)>;

fn parse_tsv(line: &str, map: &LabelMap) -> Result<Parsed, Problem> {
    let Some((raw, text)) = line.split_once('\t') else {
        return Err(Problem::Skip(
            "no tab; expected `label<TAB>text`; line skipped".into(),
        ));
    };
    let label = map.resolve(raw).map_err(Problem::Fatal)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some((Event::message(text), label)))
}

fn parse_jsonl(line: &str, map: &LabelMap) -> Result<Parsed, Problem> {
    let mut v: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| Problem::Skip(format!("not valid JSON ({e}); line skipped")))?;
    let raw = match v.get_mut("label").map(serde_json::Value::take) {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => {
            return Err(Problem::Skip(
                "no `label` field (ok, spam, scam, abuse or doxing); line skipped".into(),
            ))
        }
    };
    let label = map.resolve(&raw).map_err(Problem::Fatal)?;
    let event: Event = serde_json::from_value(v)
        .map_err(|e| Problem::Skip(format!("not a valid event ({e}); line skipped")))?;
    Ok(Some((event, label)))
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub algorithm: AlgorithmChoice,
    /// Hashed n-grams kept by feature selection (linfa estimators only).
    pub features: usize,
    /// L2 penalty (linfa-logistic) or smoothing (naive Bayes).
    pub alpha: f32,
    pub max_iterations: u32,
    /// N-grams are hashed into 2^hash_bits ids.
    pub hash_bits: u8,
    /// Sparse logistic regression: L2 penalty per feature occurrence.
    pub l2: f32,
    /// Sparse logistic regression: passes over the data.
    pub epochs: u32,
    /// Sparse logistic regression: AdaGrad step size.
    pub learning_rate: f32,
    /// `--label-map` pairs the data was read with, recorded in the model file.
    pub label_map: Vec<(String, String)>,
    /// Percentage of examples held out to measure the model stored in the file (0: none).
    pub holdout_percent: u32,
    /// Sparse logistic regression: after measuring on the held-out part and fitting the
    /// temperature there, fit again on every example and keep that temperature.
    pub refit: bool,
    /// Sparse logistic regression: fits averaged, each with its own order of examples.
    pub average: u32,
    pub seed: u64,
    /// Draw progress bars on a terminal.
    pub progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgorithmChoice {
    /// jaga's sparse multinomial logistic regression over the whole hashed space.
    Logistic,
    /// linfa-logistic on the chi-squared-selected n-grams (the previous default).
    LinfaLogistic,
    NaiveBayes,
}

impl std::str::FromStr for AlgorithmChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "logistic" | "sparse-logistic" => Ok(AlgorithmChoice::Logistic),
            "linfa-logistic" => Ok(AlgorithmChoice::LinfaLogistic),
            "naive-bayes" | "naive_bayes" => Ok(AlgorithmChoice::NaiveBayes),
            _ => Err("use logistic, linfa-logistic or naive-bayes".into()),
        }
    }
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            algorithm: AlgorithmChoice::Logistic,
            features: 4096,
            alpha: 1.0,
            max_iterations: 60,
            hash_bits: FeatureConfig::default().hash_bits,
            l2: DEFAULT_L2,
            epochs: DEFAULT_EPOCHS,
            learning_rate: DEFAULT_LEARNING_RATE,
            label_map: Vec::new(),
            holdout_percent: 10,
            refit: false,
            average: 1,
            seed: 42,
            progress: false,
        }
    }
}

impl TrainOptions {
    /// The options that made `file`'s model, as it records them (algorithm and its settings,
    /// hold-out share, refit, averaged fits, seed, label map): what a retrain repeats so the
    /// new model differs from the one in use by its data only (the console's retrain).
    pub fn of_model(file: &ModelFile) -> TrainOptions {
        let d = TrainOptions::default();
        let mut o = TrainOptions {
            hash_bits: file.features.hash_bits,
            label_map: file.summary.label_map.clone(),
            holdout_percent: file.holdout.as_ref().map_or(0, |h| h.percent),
            seed: file.summary.seed,
            ..d
        };
        match file.algorithm {
            Algorithm::SparseLogistic {
                l2,
                epochs,
                learning_rate,
                average,
                refit,
                ..
            } => {
                o.algorithm = AlgorithmChoice::Logistic;
                (o.l2, o.epochs, o.learning_rate) = (l2, epochs, learning_rate);
                (o.average, o.refit) = (average, refit);
            }
            Algorithm::Logistic {
                alpha,
                max_iterations,
            } => {
                o.algorithm = AlgorithmChoice::LinfaLogistic;
                (o.alpha, o.max_iterations) = (alpha, max_iterations);
                // The n-grams kept with a weight: at most the `--features` selected.
                o.features = file.summary.selected_features as usize;
            }
            Algorithm::NaiveBayes { alpha } => {
                o.algorithm = AlgorithmChoice::NaiveBayes;
                o.alpha = alpha;
                o.features = file.summary.selected_features as usize;
            }
        }
        o
    }
}

/// Defaults of the sparse logistic regression (tuned on the in-domain splits, README).
pub const DEFAULT_L2: f32 = 1e-3;
pub const DEFAULT_EPOCHS: u32 = 8;
pub const DEFAULT_LEARNING_RATE: f32 = 0.2;

/// A featurised example: sorted `(id, count)` pairs, the number of n-grams, the meta values.
struct Row {
    ids: Vec<(u32, u16)>,
    total: u32,
    meta: [f32; META_LEN],
}

fn featurise(
    engine: &Engine,
    cfg: &FeatureConfig,
    examples: &[&Example],
    bar: &ProgressBar,
) -> Vec<Row> {
    let scratches = ScratchPool::default();
    examples
        .par_iter()
        .with_min_len(256)
        .map_init(
            || (scratches.take(), features::Buffers::default(), Vec::new()),
            |(scratch, bufs, ids), ex| {
                let inputs = engine.model_inputs(&ex.event, scratch);
                ids.clear();
                features::hashed(cfg, inputs.normalised, bufs, ids);
                let meta = features::meta(&inputs);
                let total = ids.len() as u32;
                ids.sort_unstable();
                let mut pairs: Vec<(u32, u16)> = Vec::new();
                for &id in ids.iter() {
                    match pairs.last_mut() {
                        Some((last, n)) if *last == id => *n = n.saturating_add(1),
                        _ => pairs.push((id, 1)),
                    }
                }
                bar.inc(1);
                Row {
                    ids: pairs,
                    total,
                    meta,
                }
            },
        )
        .collect()
}

/// How many times each class's rows are repeated: the square root of the imbalance, capped,
/// so a label with 150 examples is not drowned by 30,000 ordinary messages nor inflated to
/// their weight.
fn class_repeats(labels: &[Label]) -> [f32; LABELS] {
    let w = class_weights(labels);
    w.map(|c| c.round().clamp(1.0, 8.0))
}

/// Class weights: the square root of each label's imbalance against the largest, between
/// 1 and 8.
fn class_weights(labels: &[Label]) -> [f32; LABELS] {
    let mut n = [0f32; LABELS];
    for l in labels {
        n[l.index()] += 1.0;
    }
    let max = n.iter().copied().fold(0.0, f32::max);
    n.map(|c| {
        if c == 0.0 {
            1.0
        } else {
            (max / c).sqrt().clamp(1.0, 8.0)
        }
    })
}

/// The ids most associated with a label (chi-squared on document frequencies).
fn select(rows: &[Row], labels: &[Label], dims: usize, k: usize) -> Vec<u32> {
    let mut df = vec![[0u32; LABELS]; dims];
    let mut n = [0f64; LABELS];
    for (row, label) in rows.iter().zip(labels) {
        n[label.index()] += 1.0;
        for &(id, _) in &row.ids {
            df[id as usize][label.index()] += 1;
        }
    }
    let total: f64 = n.iter().sum();
    // Score of id j for class c: chi-squared of the 2x2 table (has j) x (is c), only when j
    // is more frequent in c than elsewhere.
    let score = |j: usize, c: usize| -> f64 {
        let d = &df[j];
        let all: u32 = d.iter().sum();
        if all < 3 || n[c] == 0.0 {
            return 0.0;
        }
        let a = f64::from(d[c]);
        let b = f64::from(all) - a;
        let (nc, nr) = (n[c], total - n[c]);
        if nr == 0.0 || a / nc <= b / nr {
            return 0.0;
        }
        let (cc, dd) = (nc - a, nr - b);
        let den = (a + b) * (cc + dd) * nc * nr;
        if den == 0.0 {
            0.0
        } else {
            total * (a * dd - b * cc).powi(2) / den
        }
    };
    let present: Vec<usize> = (0..LABELS).filter(|&c| n[c] > 0.0).collect();
    let mut chosen = vec![false; dims];
    let mut picked = 0usize;
    let quota = k / present.len().max(1);
    let mut best_any: Vec<(f64, u32)> = Vec::new();
    for &c in &present {
        let mut scored: Vec<(f64, u32)> = (0..dims)
            .map(|j| (score(j, c), j as u32))
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, j) in scored.iter().take(quota) {
            if !chosen[j as usize] && picked < k {
                chosen[j as usize] = true;
                picked += 1;
            }
        }
        best_any.extend(scored.into_iter().skip(quota));
    }
    best_any.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, j) in best_any {
        if picked >= k {
            break;
        }
        if !chosen[j as usize] {
            chosen[j as usize] = true;
            picked += 1;
        }
    }
    (0..dims as u32).filter(|&j| chosen[j as usize]).collect()
}

/// The dense values of one row over the selected columns, then the meta features.
fn dense_row(row: &Row, col: &HashMap<u32, usize>, scaling: TextScaling, out: &mut [f32]) {
    out.fill(0.0);
    let k = col.len();
    let scale = match scaling {
        TextScaling::Count => 1.0,
        TextScaling::InvSqrtTotal if row.total == 0 => 0.0,
        TextScaling::InvSqrtTotal => 1.0 / (row.total as f32).sqrt(),
    };
    for &(id, cnt) in &row.ids {
        if let Some(&j) = col.get(&id) {
            out[j] = f32::from(cnt) * scale;
        }
    }
    out[k..].copy_from_slice(&row.meta);
}

/// What training produced, with the held-out figures when some were held out.
pub struct Trained {
    pub model: Model,
    pub examples: usize,
    pub held_out: usize,
    /// The stored model was fitted again on every example after the held-out part measured
    /// and calibrated the first fit (`--refit`).
    pub refitted: bool,
}

/// Trains a model on `examples` (in order; the result depends only on them and `opts`).
pub fn train(
    engine: &Engine,
    examples: &[Example],
    sources: Vec<SourceSummary>,
    opts: &TrainOptions,
    out_path: &Path,
) -> Result<Trained, String> {
    let started = Instant::now();
    let cfg = FeatureConfig {
        hash_bits: opts.hash_bits,
        ..FeatureConfig::default()
    };
    cfg.check()?;
    let salt = opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let trainable: Vec<(&Example, Label)> = examples.iter().map(|e| (e, e.label.label())).collect();
    type Labelled<'a> = Vec<(&'a Example, Label)>;
    let (fit_set, holdout): (Labelled, Labelled) = trainable
        .into_iter()
        .partition(|(e, _)| !in_test_part(&e.event.text, opts.holdout_percent, salt));
    if fit_set.is_empty() {
        return Err("no training examples; check the --data files and --split".into());
    }
    let mut labels: Vec<Label> = fit_set.iter().map(|(_, l)| *l).collect();
    let distinct = {
        let mut seen = [false; LABELS];
        labels.iter().for_each(|l| seen[l.index()] = true);
        seen.iter().filter(|s| **s).count()
    };
    if distinct < 2 {
        return Err("the training examples have a single label; a classifier needs at least two (ok and something else)".into());
    }
    let mut fit_examples: Vec<&Example> = fit_set.iter().map(|(e, _)| *e).collect();

    let bar = progress(opts.progress, fit_examples.len() as u64, "featurising");
    let mut rows = featurise(engine, &cfg, &fit_examples, &bar);
    bar.finish_and_clear();
    let summary = TrainingSummary {
        sources,
        created: now_rfc3339(),
        seed: opts.seed,
        selected_features: 0,
        label_map: opts.label_map.clone(),
        seconds: 0.0,
        jaga_version: env!("CARGO_PKG_VERSION").to_string(),
    };

    let mut figures = None;
    let mut refitted = false;
    let model = match opts.algorithm {
        AlgorithmChoice::Logistic => {
            let cw = class_weights(&labels);
            let fit = |rows: &[Row], labels: &[Label], examples: &[&Example], refit: bool| {
                fit_logistic(rows, labels, examples, cfg, &summary, opts, refit, out_path)
            };
            let m = fit(&rows, &labels, &fit_examples, false)?;
            // Temperature scaling on the held-out examples, weighted like training.
            if holdout.is_empty() {
                m
            } else {
                let t = fit_temperature(engine, &m, &holdout, &cw);
                let m = m.with_temperature(t).map_err(|e| e.to_string())?;
                // The figures measure the fit that never saw the held-out part; the refit
                // is the same procedure on every example, so they stand for it too.
                figures = Some(holdout_figures(engine, &m, &holdout, opts.holdout_percent));
                if opts.refit {
                    let held: Vec<&Example> = holdout.iter().map(|(e, _)| *e).collect();
                    let bar = progress(
                        opts.progress,
                        held.len() as u64,
                        "featurising the held-out part",
                    );
                    rows.extend(featurise(engine, &cfg, &held, &bar));
                    bar.finish_and_clear();
                    labels.extend(holdout.iter().map(|(_, l)| *l));
                    fit_examples.extend(held);
                    refitted = true;
                    fit(&rows, &labels, &fit_examples, true)?
                        .with_temperature(t)
                        .map_err(|e| e.to_string())?
                } else {
                    m
                }
            }
        }
        AlgorithmChoice::LinfaLogistic | AlgorithmChoice::NaiveBayes => {
            let selected = select(&rows, &labels, cfg.dimensions(), opts.features);
            let col: HashMap<u32, usize> = selected
                .iter()
                .enumerate()
                .map(|(j, &id)| (id, j))
                .collect();
            let width = selected.len() + META_LEN;
            let class_rep = class_repeats(&labels);
            let repeats: Vec<usize> = fit_examples
                .iter()
                .zip(&labels)
                .map(|(e, l)| (e.weight.round().max(1.0) * class_rep[l.index()]) as usize)
                .collect();
            let (algorithm, scaling, weights, bias) =
                if opts.algorithm == AlgorithmChoice::LinfaLogistic {
                    let (w, b) = fit_linfa_logistic(&rows, &labels, &repeats, &col, width, opts)?;
                    (
                        Algorithm::Logistic {
                            alpha: opts.alpha,
                            max_iterations: opts.max_iterations,
                        },
                        TextScaling::InvSqrtTotal,
                        w,
                        b,
                    )
                } else {
                    let (w, b) = fit_naive_bayes(&rows, &labels, &repeats, &col, width, opts)?;
                    (
                        Algorithm::NaiveBayes { alpha: opts.alpha },
                        TextScaling::Count,
                        w,
                        b,
                    )
                };
            let ngrams: Vec<(u32, [f32; LABELS])> = selected
                .iter()
                .enumerate()
                .map(|(j, &id)| {
                    let w = &weights[j * LABELS..(j + 1) * LABELS];
                    (id, std::array::from_fn(|c| w[c]))
                })
                .collect();
            let meta: Vec<[f32; LABELS]> = (selected.len()..width)
                .map(|j| {
                    let w = &weights[j * LABELS..(j + 1) * LABELS];
                    std::array::from_fn(|c| w[c])
                })
                .collect();
            Model::build(
                cfg,
                algorithm,
                scaling,
                ngrams,
                &meta,
                std::array::from_fn(|c| bias[c]),
                summary,
                out_path,
            )
            .map_err(|e| e.to_string())?
        }
    };

    if figures.is_none() && !holdout.is_empty() {
        figures = Some(holdout_figures(
            engine,
            &model,
            &holdout,
            opts.holdout_percent,
        ));
    }
    let model = model.with_figures(figures, started.elapsed().as_secs_f32());
    Ok(Trained {
        model,
        examples: fit_examples.len(),
        held_out: holdout.len(),
        refitted,
    })
}

/// Fits the sparse logistic regression on `rows` (temperature 1).
/// `refit`: this fit is the second one, on every example (recorded in the model file).
#[allow(clippy::too_many_arguments)]
fn fit_logistic(
    rows: &[Row],
    labels: &[Label],
    examples: &[&Example],
    cfg: FeatureConfig,
    summary: &TrainingSummary,
    opts: &TrainOptions,
    refit: bool,
    out_path: &Path,
) -> Result<Model, String> {
    let cw = class_weights(labels);
    let weights: Vec<f32> = examples
        .iter()
        .zip(labels)
        .map(|(e, l)| e.weight.max(1.0) * cw[l.index()])
        .collect();
    let spin = spinner(
        opts.progress,
        format!(
            "fitting sparse logistic regression: {} rows, {} epochs, {} fit(s)",
            rows.len(),
            opts.epochs,
            opts.average.max(1)
        ),
    );
    // Several fits that differ only in the order of examples, averaged: the order moves
    // single messages near the edge from one fit to the next, the average moves them less.
    let fits = opts.average.max(1);
    let mut fitted = fit_sparse(rows, labels, &weights, cfg.dimensions(), opts, opts.seed);
    for k in 1..fits {
        let more = fit_sparse(
            rows,
            labels,
            &weights,
            cfg.dimensions(),
            opts,
            opts.seed.wrapping_add(u64::from(k)),
        );
        fitted.add(&more);
    }
    fitted.scale(1.0 / fits as f32);
    spin.finish_and_clear();
    let ngrams: Vec<(u32, [f32; LABELS])> = fitted
        .table
        .iter()
        .enumerate()
        .filter(|(_, w)| w.iter().any(|v| *v != 0.0))
        .map(|(id, w)| (id as u32, *w))
        .collect();
    Model::build(
        cfg,
        Algorithm::SparseLogistic {
            l2: opts.l2,
            epochs: opts.epochs,
            learning_rate: opts.learning_rate,
            temperature: 1.0,
            average: fits,
            refit,
        },
        TextScaling::InvSqrtTotal,
        ngrams,
        &fitted.meta,
        fitted.bias,
        summary.clone(),
        out_path,
    )
    .map_err(|e| e.to_string())
}

/// Weights of a sparse multinomial logistic regression over the whole hashed space.
struct Sparse {
    /// One row per hashed id, in [`Label::ALL`] order.
    table: Vec<[f32; LABELS]>,
    meta: [[f32; LABELS]; META_LEN],
    bias: [f32; LABELS],
}

impl Sparse {
    fn add(&mut self, other: &Sparse) {
        for (w, o) in self.table.iter_mut().zip(&other.table) {
            w.iter_mut().zip(o).for_each(|(a, b)| *a += b);
        }
        for (w, o) in self.meta.iter_mut().zip(&other.meta) {
            w.iter_mut().zip(o).for_each(|(a, b)| *a += b);
        }
        self.bias
            .iter_mut()
            .zip(&other.bias)
            .for_each(|(a, b)| *a += b);
    }

    fn scale(&mut self, f: f32) {
        self.table.iter_mut().flatten().for_each(|w| *w *= f);
        self.meta.iter_mut().flatten().for_each(|w| *w *= f);
        self.bias.iter_mut().for_each(|w| *w *= f);
    }
}

/// A small deterministic generator (SplitMix64) for the order of examples in each epoch.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Multinomial logistic regression by AdaGrad over sparse rows: `x = count / sqrt(total)`
/// for each hashed n-gram, plus the meta features and a bias. Each example counts its
/// weight (repeat count × class weight) in the loss; L2 pulls every weight an example
/// touches towards zero. Single-threaded and seeded, so the same data give the same
/// weights on any machine.
fn fit_sparse(
    rows: &[Row],
    labels: &[Label],
    weights: &[f32],
    dims: usize,
    opts: &TrainOptions,
    seed: u64,
) -> Sparse {
    const EPS: f32 = 1e-6;
    let mut table = vec![[0f32; LABELS]; dims];
    let mut acc = vec![[0f32; LABELS]; dims];
    let mut meta = [[0f32; LABELS]; META_LEN];
    let mut meta_acc = [[0f32; LABELS]; META_LEN];
    let mut bias = [0f32; LABELS];
    let mut bias_acc = [0f32; LABELS];
    let (lr, l2) = (opts.learning_rate, opts.l2);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = SplitMix(seed);
    let step = |w: &mut f32, a: &mut f32, g: f32| {
        *a += g * g;
        *w -= lr * g / (a.sqrt() + EPS);
    };
    for _ in 0..opts.epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &i in &order {
            let row = &rows[i];
            let scale = if row.total == 0 {
                0.0
            } else {
                1.0 / (row.total as f32).sqrt()
            };
            let mut z = bias;
            for &(id, cnt) in &row.ids {
                let x = f32::from(cnt) * scale;
                let w = &table[id as usize];
                for c in 0..LABELS {
                    z[c] += x * w[c];
                }
            }
            for (v, w) in row.meta.iter().zip(&meta) {
                for c in 0..LABELS {
                    z[c] += v * w[c];
                }
            }
            let p = model::softmax(z);
            let y = labels[i].index();
            let g: [f32; LABELS] =
                std::array::from_fn(|c| weights[i] * (p[c] - if c == y { 1.0 } else { 0.0 }));
            for &(id, cnt) in &row.ids {
                let x = f32::from(cnt) * scale;
                let (w, a) = (&mut table[id as usize], &mut acc[id as usize]);
                for c in 0..LABELS {
                    let grad = g[c] * x + l2 * w[c];
                    step(&mut w[c], &mut a[c], grad);
                }
            }
            for (m, (w, a)) in row
                .meta
                .iter()
                .zip(meta.iter_mut().zip(meta_acc.iter_mut()))
            {
                if *m != 0.0 {
                    for c in 0..LABELS {
                        let grad = g[c] * m + l2 * w[c];
                        step(&mut w[c], &mut a[c], grad);
                    }
                }
            }
            for c in 0..LABELS {
                step(&mut bias[c], &mut bias_acc[c], g[c]);
            }
        }
    }
    Sparse { table, meta, bias }
}

/// The temperature that minimises the weighted log loss of `model` on the held-out
/// examples (golden-section search over ln T in [ln 0.2, ln 5]).
fn fit_temperature(
    engine: &Engine,
    model: &Model,
    holdout: &[(&Example, Label)],
    class_weights: &[f32; LABELS],
) -> f32 {
    let mut scratch = Scratch::new();
    let mut ms = model::Scratch::default();
    let logits: Vec<([f32; LABELS], usize, f32)> = holdout
        .iter()
        .map(|(ex, l)| {
            let inputs = engine.model_inputs(&ex.event, &mut scratch);
            (
                model.logits(&inputs, &mut ms),
                l.index(),
                ex.weight.max(1.0) * class_weights[l.index()],
            )
        })
        .collect();
    let loss = |ln_t: f64| -> f64 {
        let t = ln_t.exp() as f32;
        logits
            .iter()
            .map(|(z, y, w)| {
                let p = model::softmax(z.map(|v| v / t));
                -f64::from(*w) * f64::from(p[*y].max(1e-12)).ln()
            })
            .sum()
    };
    let (mut a, mut b) = (0.2f64.ln(), 5f64.ln());
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..40 {
        let c = b - phi * (b - a);
        let d = a + phi * (b - a);
        if loss(c) < loss(d) {
            b = d;
        } else {
            a = c;
        }
    }
    ((a + b) / 2.0).exp() as f32
}

/// Fits linfa-logistic on the dense matrix of the selected columns (each row repeated by
/// its repeat count: linfa-logistic has no sample weights).
fn fit_linfa_logistic(
    rows: &[Row],
    labels: &[Label],
    repeats: &[usize],
    col: &HashMap<u32, usize>,
    width: usize,
    opts: &TrainOptions,
) -> Result<(Vec<f32>, Vec<f32>), String> {
    let scaling = TextScaling::InvSqrtTotal;
    let n: usize = repeats.iter().sum();
    let mut x = Array2::<f32>::zeros((n, width));
    let mut y = Array1::<usize>::zeros(n);
    let mut r = 0;
    let mut buf = vec![0f32; width];
    for ((row, label), &rep) in rows.iter().zip(labels).zip(repeats) {
        dense_row(row, col, scaling, &mut buf);
        for _ in 0..rep {
            x.row_mut(r).assign(&ndarray::ArrayView1::from(&buf[..]));
            y[r] = label.index();
            r += 1;
        }
    }
    let spin = spinner(
        opts.progress,
        format!(
            "fitting logistic regression: {n} rows x {width} features, up to {} L-BFGS iterations",
            opts.max_iterations
        ),
    );
    let fitted = linfa_logistic::MultiLogisticRegression::<f32>::default()
        .alpha(opts.alpha)
        .max_iterations(u64::from(opts.max_iterations))
        .fit(&Dataset::new(x, y))
        .map_err(|e| format!("logistic regression failed: {e}"))?;
    spin.finish_and_clear();
    let mut weights = vec![0f32; width * LABELS];
    let mut bias = vec![-30f32; LABELS];
    let params = fitted.params();
    for (k, &class) in fitted.classes().iter().enumerate() {
        bias[class] = fitted.intercept()[k];
        for j in 0..width {
            weights[j * LABELS + class] = params[[j, k]];
        }
    }
    Ok((weights, bias))
}

/// Fits linfa-bayes' multinomial naive Bayes in dense batches and reads its parameters.
fn fit_naive_bayes(
    rows: &[Row],
    labels: &[Label],
    repeats: &[usize],
    col: &HashMap<u32, usize>,
    width: usize,
    opts: &TrainOptions,
) -> Result<(Vec<f32>, Vec<f32>), String> {
    const BATCH: usize = 2048;
    let params = linfa_bayes::MultinomialNb::<f32, usize>::params().alpha(opts.alpha);
    let mut fitted = None;
    let bar = progress(opts.progress, rows.len() as u64, "fitting naive Bayes");
    let mut buf = vec![0f32; width];
    for start in (0..rows.len()).step_by(BATCH) {
        let end = (start + BATCH).min(rows.len());
        let mut x = Array2::<f32>::zeros((end - start, width));
        let mut y = Array1::<usize>::zeros(end - start);
        for i in start..end {
            dense_row(&rows[i], col, TextScaling::Count, &mut buf);
            // A repeat count multiplies the counts, exactly like repeating the row.
            let rep = repeats[i] as f32;
            x.row_mut(i - start)
                .assign(&ndarray::ArrayView1::from(&buf[..]).mapv(|v| v * rep));
            y[i - start] = labels[i].index();
        }
        let ds = Dataset::new(x, y);
        let _quiet = crate::train::quiet::Stderr::silence();
        fitted = Some(
            params
                .fit_with(fitted, &ds)
                .map_err(|e| format!("naive Bayes failed: {e}"))?,
        );
        drop(_quiet);
        bar.inc((end - start) as u64);
    }
    bar.finish_and_clear();
    let fitted = fitted.ok_or("no training examples")?;
    // linfa-bayes keeps its per-class histograms private; its serde form is public.
    let v = serde_json::to_value(&fitted).map_err(|e| e.to_string())?;
    let info = v
        .get("class_info")
        .and_then(|c| c.as_object())
        .ok_or("unexpected naive Bayes model layout")?;
    let mut weights = vec![0f32; width * LABELS];
    let mut bias = vec![-30f32; LABELS];
    for (class, h) in info {
        let class: usize = class.parse().map_err(|_| "unexpected class key")?;
        let prior = h.get("prior").and_then(|p| p.as_f64()).ok_or("no prior")?;
        let logp = h
            .get("feature_log_prob")
            .and_then(|f| f.get("data"))
            .and_then(|d| d.as_array())
            .ok_or("no feature_log_prob")?;
        if logp.len() != width {
            return Err("naive Bayes returned the wrong number of features".into());
        }
        bias[class] = prior.ln() as f32;
        for (j, w) in logp.iter().enumerate() {
            weights[j * LABELS + class] = w.as_f64().unwrap_or(0.0) as f32;
        }
    }
    // A label with no training example (doxing, when the data has none) got no histogram.
    // Its weights are log-probabilities like the others': 0 would be the likeliest of all,
    // so each n-gram gets the least likely value seen instead, and it is never predicted.
    let present: Vec<bool> = (0..LABELS)
        .map(|c| info.contains_key(&c.to_string()))
        .collect();
    let least = weights.iter().copied().fold(0f32, f32::min);
    for (k, w) in weights.iter_mut().enumerate() {
        if !present[k % LABELS] {
            *w = least;
        }
    }
    Ok((weights, bias))
}

fn holdout_figures(
    engine: &Engine,
    model: &Model,
    holdout: &[(&Example, Label)],
    percent: u32,
) -> HoldoutFigures {
    let mut cm = crate::evaluate::Confusion::default();
    let mut scratch = Scratch::new();
    let mut ms = model::Scratch::default();
    for (ex, label) in holdout {
        let inputs = engine.model_inputs(&ex.event, &mut scratch);
        let p = model.predict(&inputs, &mut ms);
        cm.add(
            crate::evaluate::Outcome::from(*label),
            crate::evaluate::Outcome::from(model::argmax(&p)),
        );
    }
    let m = cm.metrics();
    let mut per_label = [model::LabelFigures::default(); LABELS];
    for l in Label::ALL {
        let c = m.per(crate::evaluate::Outcome::from(l));
        per_label[l.index()] = model::LabelFigures {
            precision: c.precision as f32,
            recall: c.recall as f32,
            f1: c.f1 as f32,
            support: c.support as u32,
        };
    }
    HoldoutFigures {
        percent,
        examples: holdout.len() as u32,
        accuracy: m.accuracy as f32,
        macro_f1: m.macro_f1 as f32,
        mcc: m.mcc as f32,
        per_label,
    }
}

fn progress(show: bool, len: u64, what: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

fn spinner(show: bool, what: String) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let s = ProgressBar::new_spinner();
    s.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    s.set_message(what);
    s.enable_steady_tick(std::time::Duration::from_millis(200));
    s
}

/// The current UTC time as RFC 3339 (seconds).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since the epoch (Howard Hinnant's algorithm, inverse).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Silencing standard error around one foreign call that prints debug output.
pub(crate) mod quiet {
    /// While alive, file descriptor 2 points at /dev/null; dropping restores it.
    pub struct Stderr {
        #[cfg(unix)]
        saved: Option<i32>,
    }

    impl Stderr {
        #[cfg(unix)]
        pub fn silence() -> Stderr {
            use std::os::fd::IntoRawFd;
            let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
                return Stderr { saved: None };
            };
            let null = null.into_raw_fd();
            // SAFETY: dup/dup2/close on descriptors this function owns or on fd 2, which
            // stays open throughout; failures leave stderr as it was.
            unsafe {
                let saved = libc::dup(2);
                if saved < 0 || libc::dup2(null, 2) < 0 {
                    libc::close(null);
                    if saved >= 0 {
                        libc::close(saved);
                    }
                    return Stderr { saved: None };
                }
                libc::close(null);
                Stderr { saved: Some(saved) }
            }
        }

        #[cfg(not(unix))]
        pub fn silence() -> Stderr {
            Stderr {}
        }
    }

    #[cfg(unix)]
    impl Drop for Stderr {
        fn drop(&mut self) {
            if let Some(saved) = self.saved.take() {
                // SAFETY: `saved` is the duplicate of the original fd 2 made in `silence`.
                unsafe {
                    libc::dup2(saved, 2);
                    libc::close(saved);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_specs() {
        let d: DataSpec = "spam:data/x.txt@3".parse().unwrap();
        assert_eq!(
            (d.path, d.label.as_deref(), d.weight),
            (PathBuf::from("data/x.txt"), Some("spam"), 3.0)
        );
        let d: DataSpec = "../shared/data/sms.tsv".parse().unwrap();
        assert_eq!((d.label, d.weight), (None, 1.0));
        assert!("x.tsv@0.5"
            .parse::<DataSpec>()
            .unwrap_err()
            .contains(">= 1"));
    }

    #[test]
    fn label_maps() {
        let m: LabelMap = "ham=ok, 0=ok,1=spam".parse().unwrap();
        assert_eq!(m.resolve("ham"), Ok(Some(Outcome::Ok)));
        assert_eq!(m.resolve("1"), Ok(Some(Outcome::Spam)));
        assert_eq!(m.resolve("Scam"), Ok(Some(Outcome::Scam)));
        assert_eq!(m.resolve("doxing"), Ok(Some(Outcome::Doxing)));
        assert!(m.resolve("phish").unwrap_err().contains("--label-map"));
        assert!("ham".parse::<LabelMap>().is_err());
        assert!("ham=good".parse::<LabelMap>().is_err());
        assert!("ham=ok,spam".parse::<LabelMap>().is_err());
        assert!("=ok".parse::<LabelMap>().is_err());
    }

    #[test]
    fn label_maps_with_prefixes_commas_and_skips() {
        let m: LabelMap = "sexist:*=abuse,not_sexist=ok,non-hateful:*=ok,hateful:*=abuse,sexist:threats,_plans_to_harm_and_incitement=abuse,neutral=skip,sexist:mild*=ok"
            .parse()
            .unwrap();
        let r = |s: &str| m.resolve(s).unwrap();
        assert_eq!(r("sexist:derogation"), Some(Outcome::Abuse));
        assert_eq!(
            r("sexist:threats,_plans_to_harm_and_incitement"),
            Some(Outcome::Abuse)
        );
        assert_eq!(r("not_sexist"), Some(Outcome::Ok));
        assert_eq!(r("non-hateful:counter_quote_nh"), Some(Outcome::Ok));
        assert_eq!(r("hateful:slur_h"), Some(Outcome::Abuse));
        assert_eq!(
            r("sexist:mild_joke"),
            Some(Outcome::Ok),
            "longest prefix wins"
        );
        assert_eq!(r("neutral"), None, "skipped");
        assert!(m.resolve("unmapped").is_err());
        let back = LabelMap::from_pairs(m.pairs()).unwrap();
        assert_eq!(back.resolve("sexist:animosity"), Ok(Some(Outcome::Abuse)));
        assert_eq!(m.pairs().len(), 7);
    }

    #[test]
    fn tsv_with_mapped_and_skipped_labels() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.tsv");
        std::fs::write(
            &f,
            "sexist:threats,_plans\tI will hurt you\nneutral\tan ad\nnot_sexist\thello\ndoxing\there she lives\n",
        )
        .unwrap();
        let map: LabelMap = "sexist:*=abuse,neutral=skip,not_sexist=ok".parse().unwrap();
        let spec: DataSpec = f.display().to_string().parse().unwrap();
        let loaded = load(&[spec], &map, Split::All, 20).unwrap();
        let labels: Vec<Outcome> = loaded.examples.iter().map(|e| e.label).collect();
        assert_eq!(labels, [Outcome::Abuse, Outcome::Ok, Outcome::Doxing]);
        assert_eq!(
            loaded.sources[0].counts,
            [1, 0, 0, 1, 1],
            "doxing is a model label"
        );
    }

    #[test]
    fn split_is_stable_and_about_right() {
        let texts: Vec<String> = (0..2000).map(|i| format!("message number {i}")).collect();
        let test = texts.iter().filter(|t| Split::Test.keeps(t, 20)).count();
        assert!((300..500).contains(&test), "{test} of 2000 in the 20% part");
        for t in &texts {
            assert_ne!(Split::Test.keeps(t, 20), Split::Train.keeps(t, 20));
        }
    }

    #[test]
    fn dates() {
        let d = now_rfc3339();
        assert_eq!(d.len(), 20);
        assert!(jaga_core::event::parse_rfc3339(&d).is_some(), "{d}");
    }
}
