//! The classifier's model file and its fast predictor.
//!
//! A model is a linear softmax over the [`features`](crate::features): hashed n-grams the
//! trainer selected, plus the meta features. Training (linfa, see `jaga train`)
//! produces the weights; predicting is a table lookup per n-gram and a 4-way softmax, so no
//! matrix is built per message.
//!
//! The file is `MAGIC`, a format version (u32 LE), an FNV-1a 64 checksum of the payload
//! (u64 LE), then the payload: a postcard-encoded [`ModelFile`]. Loading checks all of them
//! and the feature configuration, so a truncated, corrupt or foreign file is a clear error
//! naming the file, never a panic or a silently wrong model.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::features::{self, Buffers, FeatureConfig, Inputs, META_LEN};
use crate::verdict::{Action, Category};

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"JAGAMDL\n";
/// Version of the file layout and [`ModelFile`] schema.
pub const FORMAT: u32 = 1;
/// Where `scan`, `explain` and `eval` look for a model unless told otherwise.
pub const DEFAULT_PATH: &str = "models/jaga.model";

/// What the model predicts. Doxing is left to the detectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Ok,
    Spam,
    Scam,
    Abuse,
}

impl Label {
    pub const ALL: [Label; 4] = [Label::Ok, Label::Spam, Label::Scam, Label::Abuse];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Ok => "ok",
            Label::Spam => "spam",
            Label::Scam => "scam",
            Label::Abuse => "abuse",
        }
    }

    /// The verdict category of a harmful label.
    pub fn category(self) -> Option<Category> {
        match self {
            Label::Ok => None,
            Label::Spam => Some(Category::Spam),
            Label::Scam => Some(Category::Scam),
            Label::Abuse => Some(Category::Abuse),
        }
    }
}

impl FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Label, String> {
        match s {
            "ok" => Ok(Label::Ok),
            "spam" => Ok(Label::Spam),
            "scam" => Ok(Label::Scam),
            "abuse" => Ok(Label::Abuse),
            _ => Err(format!(
                "unknown label `{s}`; the model knows ok, spam, scam and abuse (map others with --label-map, e.g. ham=ok)"
            )),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which linfa estimator produced the weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// `linfa-logistic` multinomial logistic regression (L2 `alpha`, L-BFGS).
    Logistic { alpha: f32, max_iterations: u32 },
    /// `linfa-bayes` multinomial naive Bayes (Laplace/Lidstone `alpha`).
    NaiveBayes { alpha: f32 },
}

impl Algorithm {
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Logistic { .. } => "logistic",
            Algorithm::NaiveBayes { .. } => "naive_bayes",
        }
    }
}

/// How n-gram counts become feature values (the same at training and prediction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextScaling {
    /// The raw count (naive Bayes).
    Count,
    /// The count divided by the square root of the number of n-grams in the message, so long
    /// and short messages land on the same scale (logistic regression).
    InvSqrtTotal,
}

/// Per-source counts of what a model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceSummary {
    /// As given on the command line.
    pub path: String,
    /// Examples per label, in [`Label::ALL`] order.
    pub counts: [u64; 4],
}

/// How a model was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub sources: Vec<SourceSummary>,
    /// UTC date-time of training, RFC 3339.
    pub created: String,
    pub seed: u64,
    /// Hashed n-grams kept by feature selection.
    pub selected_features: u32,
    pub seconds: f32,
    pub jaga_version: String,
}

/// Precision, recall and F1 of one label.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LabelFigures {
    pub precision: f32,
    pub recall: f32,
    pub f1: f32,
    pub support: u32,
}

/// The model's own figures on examples held out of its training (argmax prediction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutFigures {
    /// Percentage of examples held out (by hash of the text).
    pub percent: u32,
    pub examples: u32,
    pub accuracy: f32,
    pub macro_f1: f32,
    pub mcc: f32,
    /// In [`Label::ALL`] order.
    pub per_label: [LabelFigures; 4],
}

/// Everything in a model file after the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub features: FeatureConfig,
    /// The label of each weight column; always [`Label::ALL`] in this format.
    pub labels: Vec<Label>,
    pub algorithm: Algorithm,
    pub scaling: TextScaling,
    /// Hashed n-gram ids with a weight row, ascending.
    pub selected: Vec<u32>,
    /// Row-major `(selected.len() + META_LEN) x labels.len()`: n-gram rows, then meta rows.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub summary: TrainingSummary,
    pub holdout: Option<HoldoutFigures>,
}

/// Why a model file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: cannot read the model: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {problem}; {advice}")]
    Invalid {
        path: PathBuf,
        problem: String,
        advice: &'static str,
    },
}

const RETRAIN: &str =
    "retrain it with `jaga train` (see README, \"The classifier\") or run with --no-model";

impl ModelError {
    fn invalid(path: &Path, problem: impl Into<String>) -> ModelError {
        ModelError::Invalid {
            path: path.to_path_buf(),
            problem: problem.into(),
            advice: RETRAIN,
        }
    }

    /// Whether the file is simply not there (the default model may be absent).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ModelError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Which model a command scores with: `--model FILE` (or `model` in jaga.toml), the
/// default file, or none (`--no-model`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ModelChoice {
    /// [`DEFAULT_PATH`] when it exists; rules only when it does not (the caller warns).
    #[default]
    Default,
    /// This file, which must load.
    File(PathBuf),
    /// Rules only.
    Off,
}

impl ModelChoice {
    /// The file this choice reads, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ModelChoice::Default => Some(Path::new(DEFAULT_PATH)),
            ModelChoice::File(p) => Some(p),
            ModelChoice::Off => None,
        }
    }

    /// Loads the chosen model. `Ok(None)` for [`ModelChoice::Off`] and for an absent default
    /// file; a file that exists but does not load, or an explicit file that is missing, is
    /// an error.
    pub fn load(&self) -> Result<Option<Model>, ModelError> {
        let Some(path) = self.path() else {
            return Ok(None);
        };
        match Model::load(path) {
            Ok(m) => Ok(Some(m)),
            Err(e) if *self == ModelChoice::Default && e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// FNV-1a 64: a checksum against truncation and bit rot, not an authenticity check.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut h = 0xCBF2_9CE4_8422_2325u64;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

const NO_ROW: u32 = u32::MAX;

/// Per-thread buffers for [`Model::predict`].
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    buffers: Buffers,
    ids: Vec<u32>,
    words: Vec<(u32, usize, usize)>,
}

/// Class probabilities in [`Label::ALL`] order.
pub type Probs = [f32; 4];

/// A loaded model, ready to predict. Shareable across threads.
#[derive(Debug, Clone)]
pub struct Model {
    file: ModelFile,
    /// Hashed id -> weight row (or `NO_ROW`), for one lookup per n-gram.
    rows: Vec<u32>,
    weights: Vec<[f32; 4]>,
    bias: [f32; 4],
    path: PathBuf,
}

impl Model {
    /// Checks a freshly trained or decoded model and builds its lookup table.
    pub fn from_file(file: ModelFile, path: &Path) -> Result<Model, ModelError> {
        file.features
            .check()
            .map_err(|e| ModelError::invalid(path, e))?;
        if file.labels != Label::ALL {
            return Err(ModelError::invalid(
                path,
                format!(
                    "labels {:?} but this jaga predicts ok, spam, scam, abuse",
                    file.labels
                ),
            ));
        }
        let c = file.labels.len();
        let rows_expected = file.selected.len() + META_LEN;
        if file.weights.len() != rows_expected * c || file.bias.len() != c {
            return Err(ModelError::invalid(
                path,
                format!(
                    "{} weights and {} biases for {} rows of {c} labels",
                    file.weights.len(),
                    file.bias.len(),
                    rows_expected
                ),
            ));
        }
        if file
            .weights
            .iter()
            .chain(&file.bias)
            .any(|w| !w.is_finite())
        {
            return Err(ModelError::invalid(path, "weights are not finite numbers"));
        }
        let dims = file.features.dimensions();
        let mut rows = vec![NO_ROW; dims];
        let mut prev = None;
        for (row, &id) in file.selected.iter().enumerate() {
            if id as usize >= dims || prev.is_some_and(|p| p >= id) {
                return Err(ModelError::invalid(
                    path,
                    format!("selected n-gram id {id} is out of order or out of range"),
                ));
            }
            prev = Some(id);
            rows[id as usize] = row as u32;
        }
        let weights = file
            .weights
            .chunks_exact(4)
            .map(|w| [w[0], w[1], w[2], w[3]])
            .collect();
        let bias = [file.bias[0], file.bias[1], file.bias[2], file.bias[3]];
        Ok(Model {
            file,
            rows,
            weights,
            bias,
            path: path.to_path_buf(),
        })
    }

    /// Reads and checks a model file.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Model::decode(&bytes, path)
    }

    /// Decodes the bytes of a model file; `path` names it in errors.
    pub fn decode(bytes: &[u8], path: &Path) -> Result<Model, ModelError> {
        let header = MAGIC.len() + 4 + 8;
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(ModelError::invalid(path, "not a jaga model file"));
        }
        if bytes.len() < header {
            return Err(ModelError::invalid(path, "the file is truncated"));
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != FORMAT {
            return Err(ModelError::invalid(
                path,
                format!("model format {format}, but this jaga reads format {FORMAT}"),
            ));
        }
        let sum = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let payload = &bytes[header..];
        if checksum(payload) != sum {
            return Err(ModelError::invalid(
                path,
                "the checksum does not match: the file is truncated or corrupt",
            ));
        }
        let file: ModelFile = postcard::from_bytes(payload)
            .map_err(|e| ModelError::invalid(path, format!("cannot decode the model: {e}")))?;
        Model::from_file(file, path)
    }

    /// The bytes of the model file.
    pub fn encode(&self) -> Vec<u8> {
        let payload = postcard::to_stdvec(&self.file).expect("a model always serialises");
        let mut out = Vec::with_capacity(payload.len() + 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&checksum(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Writes the model file atomically (a temporary file renamed over `path`).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("model.tmp");
        std::fs::write(&tmp, self.encode())?;
        std::fs::rename(&tmp, path)
    }

    pub fn file(&self) -> &ModelFile {
        &self.file
    }

    /// Where the model was loaded from (or will be saved to).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Class probabilities for one event.
    pub fn predict(&self, inp: &Inputs, s: &mut Scratch) -> Probs {
        let logits = self.logits(inp, s);
        softmax(logits)
    }

    fn logits(&self, inp: &Inputs, s: &mut Scratch) -> [f32; 4] {
        s.ids.clear();
        features::hashed(
            &self.file.features,
            inp.normalised,
            &mut s.buffers,
            &mut s.ids,
        );
        let scale = match self.file.scaling {
            TextScaling::Count => 1.0,
            TextScaling::InvSqrtTotal if s.ids.is_empty() => 0.0,
            TextScaling::InvSqrtTotal => 1.0 / (s.ids.len() as f32).sqrt(),
        };
        let mut text = [0f32; 4];
        for &id in &s.ids {
            // SAFETY of indexing: ids are < 2^hash_bits = rows.len() by construction.
            let row = self.rows[id as usize];
            if row != NO_ROW {
                let w = &self.weights[row as usize];
                for c in 0..4 {
                    text[c] += w[c];
                }
            }
        }
        let mut logits = self.bias;
        for c in 0..4 {
            logits[c] += text[c] * scale;
        }
        let meta_rows = &self.weights[self.file.selected.len()..];
        for (v, w) in features::meta(inp).iter().zip(meta_rows) {
            if *v != 0.0 {
                for c in 0..4 {
                    logits[c] += v * w[c];
                }
            }
        }
        logits
    }

    /// The words of the normalised text that pushed `label` up the most, as byte spans into
    /// the normalised text with their weight, strongest first (at most `n`). A word's push
    /// is that of its unigram and of the character n-grams inside it.
    pub fn top_words(
        &self,
        normalised: &str,
        label: Label,
        n: usize,
        s: &mut Scratch,
    ) -> Vec<(usize, usize, f32)> {
        let cfg = &self.file.features;
        features::word_spans(cfg, normalised, &mut s.words);
        let c = label.index();
        let mut scored: Vec<(u32, usize, usize, f32)> = Vec::new();
        for &(id, a, b) in &s.words {
            s.ids.clear();
            features::hashed(cfg, &normalised[a..b], &mut s.buffers, &mut s.ids);
            let mut push = 0.0;
            for &j in &s.ids {
                let row = self.rows[j as usize];
                if row != NO_ROW {
                    let w = &self.weights[row as usize];
                    // How much more this n-gram says `label` than the others on average.
                    push += w[c] - (w.iter().sum::<f32>() - w[c]) / 3.0;
                }
            }
            if push > 0.0 {
                scored.push((id, a, b, push));
            }
        }
        scored.sort_by(|x, y| y.3.total_cmp(&x.3).then(x.1.cmp(&y.1)));
        let mut out: Vec<(usize, usize, f32)> = Vec::with_capacity(n);
        let mut ids: Vec<u32> = Vec::with_capacity(n);
        for (id, a, b, push) in scored {
            if out.len() == n {
                break;
            }
            // A repeated word is shown once, at its first strongest occurrence.
            if !ids.contains(&id) {
                ids.push(id);
                out.push((a, b, push));
            }
        }
        out
    }
}

pub fn softmax(logits: [f32; 4]) -> Probs {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut p = logits.map(|l| (l - max).exp());
    let sum: f32 = p.iter().sum();
    for v in &mut p {
        *v /= sum;
    }
    p
}

/// The label with the highest probability (ties go to the earlier label).
pub fn argmax(p: &Probs) -> Label {
    let mut best = 0;
    for i in 1..4 {
        if p[i] > p[best] {
            best = i;
        }
    }
    Label::ALL[best]
}

/// How the model's probabilities enter the verdict: the `[model]` table of
/// `rules/policy.toml`.
///
/// For each harmful label the model adds one reason to the label's category with
/// `score = weight × max(0, p − floor) / (1 − floor)`, which the per-category noisy-OR then
/// combines with the rules: `final = 1 − (1 − rules) × (1 − score)`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fusion {
    /// Probabilities at or below this add nothing.
    pub floor: f32,
    /// The most the model alone can add to each category.
    pub weight: FusionWeights,
    /// The most severe action the model's evidence can lead to. Beyond it (by default:
    /// mute and ban, which act on the member rather than the message) the rules alone
    /// must reach the action.
    pub max_action: Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FusionWeights {
    pub spam: f32,
    pub scam: f32,
    pub abuse: f32,
}

impl Default for FusionWeights {
    fn default() -> Self {
        // Below each category's default remove threshold: the model alone can ask for
        // review or hide, and removes only together with the rules.
        FusionWeights {
            spam: 0.8,
            scam: 0.75,
            abuse: 0.7,
        }
    }
}

impl Default for Fusion {
    fn default() -> Self {
        Fusion {
            floor: 0.5,
            weight: FusionWeights::default(),
            max_action: Action::Remove,
        }
    }
}

impl Fusion {
    pub fn check(&self) -> Result<(), String> {
        let w = &self.weight;
        if !(0.0..1.0).contains(&self.floor) {
            return Err(format!(
                "[model] floor = {}: use a value in 0..1 (below 1)",
                self.floor
            ));
        }
        for (name, v) in [("spam", w.spam), ("scam", w.scam), ("abuse", w.abuse)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "[model] weight.{name} = {v}: weights are between 0 and 1"
                ));
            }
        }
        Ok(())
    }

    pub fn weight(&self, label: Label) -> f32 {
        match label {
            Label::Ok => 0.0,
            Label::Spam => self.weight.spam,
            Label::Scam => self.weight.scam,
            Label::Abuse => self.weight.abuse,
        }
    }

    /// The score the model's reason for `label` carries.
    pub fn score(&self, label: Label, p: f32) -> f32 {
        let lifted = ((p - self.floor) / (1.0 - self.floor)).clamp(0.0, 1.0);
        self.weight(label) * lifted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built model: "gacor" says spam, "bodoh" says abuse.
    pub(crate) fn tiny() -> Model {
        let cfg = FeatureConfig::default();
        let mut ids = Vec::new();
        let mut b = Buffers::default();
        let mut pairs = Vec::new();
        for (word, label) in [("gacor", Label::Spam), ("bodoh", Label::Abuse)] {
            ids.clear();
            features::hashed(&cfg, word, &mut b, &mut ids);
            pairs.push((ids[0], label));
        }
        pairs.sort();
        let mut weights = Vec::new();
        for &(_, label) in &pairs {
            let mut w = [0f32; 4];
            w[label.index()] = 8.0;
            weights.extend(w);
        }
        weights.extend(std::iter::repeat_n(0.0, META_LEN * 4));
        let file = ModelFile {
            features: cfg,
            labels: Label::ALL.to_vec(),
            algorithm: Algorithm::Logistic {
                alpha: 1.0,
                max_iterations: 10,
            },
            scaling: TextScaling::Count,
            selected: pairs.iter().map(|p| p.0).collect(),
            weights,
            bias: vec![2.0, 0.0, 0.0, 0.0],
            summary: TrainingSummary {
                sources: vec![],
                created: "2026-01-01T00:00:00Z".into(),
                seed: 1,
                selected_features: 2,
                seconds: 0.0,
                jaga_version: "test".into(),
            },
            holdout: None,
        };
        Model::from_file(file, Path::new("tiny.model")).unwrap()
    }

    fn predict(m: &Model, text: &str) -> Probs {
        m.predict(
            &Inputs {
                original: text,
                normalised: text,
                ..Inputs::default()
            },
            &mut Scratch::default(),
        )
    }

    #[test]
    fn predicts_with_the_weights() {
        let m = tiny();
        assert_eq!(argmax(&predict(&m, "slot gacor")), Label::Spam);
        assert_eq!(argmax(&predict(&m, "dasar bodoh")), Label::Abuse);
        assert_eq!(argmax(&predict(&m, "halo semua")), Label::Ok);
        let p = predict(&m, "gacor");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        let top = m.top_words("wah slot gacor", Label::Spam, 3, &mut Scratch::default());
        assert_eq!(top.len(), 1);
        assert_eq!(&"wah slot gacor"[top[0].0..top[0].1], "gacor");
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let m = tiny();
        let bytes = m.encode();
        let back = Model::decode(&bytes, Path::new("x.model")).unwrap();
        assert_eq!(back.file(), m.file());
        let p = Path::new("models/broken.model");
        let err = |b: &[u8]| Model::decode(b, p).unwrap_err().to_string();
        assert!(
            err(b"hello").contains("not a jaga model"),
            "{}",
            err(b"hello")
        );
        assert!(err(&bytes[..15]).contains("truncated"));
        assert!(err(&bytes[..bytes.len() - 3]).contains("checksum"));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        assert!(err(&flipped).contains("corrupt"));
        let mut future = bytes.clone();
        future[8] = 9;
        let e = err(&future);
        assert!(
            e.contains("format 9") && e.starts_with("models/broken.model: "),
            "{e}"
        );
        // A valid file whose feature scheme this build does not compute.
        let mut file = m.file().clone();
        file.features.scheme = 42;
        let foreign = Model { file, ..m.clone() };
        let e = err(&foreign.encode());
        assert!(
            e.contains("feature scheme 42") && e.contains("retrain"),
            "{e}"
        );
    }

    #[test]
    fn fusion_formula() {
        let f = Fusion::default();
        assert_eq!(f.score(Label::Spam, 0.3), 0.0);
        assert_eq!(f.score(Label::Spam, 0.5), 0.0);
        assert!((f.score(Label::Spam, 1.0) - 0.8).abs() < 1e-6);
        assert!((f.score(Label::Spam, 0.75) - 0.4).abs() < 1e-6);
        assert!((f.score(Label::Scam, 1.0) - 0.75).abs() < 1e-6);
        assert_eq!(f.score(Label::Ok, 1.0), 0.0);
        let bad = Fusion {
            floor: 1.0,
            ..Fusion::default()
        };
        assert!(bad.check().is_err());
    }
}
