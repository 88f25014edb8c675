//! The classifier's model file and its fast predictor.
//!
//! A model is a linear softmax over the [`features`](crate::features): every hashed n-gram
//! id with a non-zero weight, plus the meta features. Training (`jaga train`: jaga's own
//! sparse logistic regression, or linfa's estimators on selected n-grams) produces the
//! weights; predicting is one lookup in a dense table of quantised weights per n-gram and a
//! 4-way softmax, so no matrix is built per message.
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
/// Version of the file layout and [`ModelFile`] schema. Older formats are refused with advice
/// to retrain: format 1 (dense weights over 4,096 selected n-grams), format 2 (four labels,
/// no doxing) and format 3 (no record of `--average` and `--refit`, which a retrain needs to
/// repeat the model's procedure).
pub const FORMAT: u32 = 4;
/// Where `scan`, `explain` and `eval` look for a model unless told otherwise.
pub const DEFAULT_PATH: &str = "models/jaga.model";

/// What the model predicts. Doxing is also the detectors' (entities, contextual doxing): the
/// model's doxing label learns the wordings of exposure they have no pattern for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Ok,
    Spam,
    Scam,
    Doxing,
    Abuse,
}

/// How many labels the model predicts: the length of every per-label array.
pub const LABELS: usize = 5;
/// The labels after `ok`, which the lookup table stores relative to `ok`.
const HARMFUL: usize = LABELS - 1;

impl Label {
    pub const ALL: [Label; LABELS] = [
        Label::Ok,
        Label::Spam,
        Label::Scam,
        Label::Doxing,
        Label::Abuse,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Ok => "ok",
            Label::Spam => "spam",
            Label::Scam => "scam",
            Label::Doxing => "doxing",
            Label::Abuse => "abuse",
        }
    }

    /// The verdict category of a harmful label.
    pub fn category(self) -> Option<Category> {
        match self {
            Label::Ok => None,
            Label::Spam => Some(Category::Spam),
            Label::Scam => Some(Category::Scam),
            Label::Doxing => Some(Category::Doxing),
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
            "doxing" => Ok(Label::Doxing),
            "abuse" => Ok(Label::Abuse),
            _ => Err(format!(
                "unknown label `{s}`; the model knows ok, spam, scam, doxing and abuse (map others with --label-map, e.g. ham=ok)"
            )),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which estimator produced the weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// jaga's own multinomial logistic regression over the whole hashed space (sparse,
    /// AdaGrad, L2 `l2`, class weights), temperature-scaled on held-out examples.
    SparseLogistic {
        l2: f32,
        epochs: u32,
        learning_rate: f32,
        /// The fitted temperature, already folded into the weights (1: none fitted).
        temperature: f32,
        /// Fits averaged, each over its own order of the examples (`jaga train --average`).
        average: u32,
        /// Fitted again on every example after the held-out part measured and calibrated
        /// the first fit (`jaga train --refit`).
        refit: bool,
    },
    /// `linfa-logistic` multinomial logistic regression (L2 `alpha`, L-BFGS) on selected
    /// n-grams.
    Logistic { alpha: f32, max_iterations: u32 },
    /// `linfa-bayes` multinomial naive Bayes (Laplace/Lidstone `alpha`).
    NaiveBayes { alpha: f32 },
}

impl Algorithm {
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::SparseLogistic { .. } => "sparse_logistic",
            Algorithm::Logistic { .. } => "linfa_logistic",
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
    pub counts: [u64; LABELS],
}

/// How a model was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub sources: Vec<SourceSummary>,
    /// UTC date-time of training, RFC 3339.
    pub created: String,
    pub seed: u64,
    /// Hashed n-gram ids with a non-zero weight.
    pub selected_features: u32,
    /// `--label-map` pairs the data was read with (foreign name, label or `skip`), so the
    /// same sources can be read again (the console's retrain).
    pub label_map: Vec<(String, String)>,
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

/// The model's own figures on examples held out of its training (argmax prediction); for a
/// model refitted on every example (`jaga train --refit`), those of its first fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutFigures {
    /// Percentage of examples held out (by hash of the text).
    pub percent: u32,
    pub examples: u32,
    pub accuracy: f32,
    pub macro_f1: f32,
    pub mcc: f32,
    /// In [`Label::ALL`] order.
    pub per_label: [LabelFigures; LABELS],
}

/// Everything in a model file after the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub features: FeatureConfig,
    /// The label of each weight column; always [`Label::ALL`] in this format.
    pub labels: Vec<Label>,
    pub algorithm: Algorithm,
    pub scaling: TextScaling,
    /// Hashed n-gram ids with a weight row, ascending, as gaps: the first id, then each id
    /// minus the one before it (small numbers, which postcard stores in one or two bytes).
    pub id_gaps: Vec<u32>,
    /// Row-major `id_gaps.len() x labels.len()` quantised n-gram weights: a weight is
    /// `q × quantum`.
    pub weights: Vec<i16>,
    pub quantum: f32,
    /// Row-major `META_LEN x labels.len()` meta-feature weights.
    pub meta: Vec<f32>,
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

/// Per-thread buffers for [`Model::predict`].
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    buffers: Buffers,
    ids: Vec<u32>,
    words: Vec<(u32, usize, usize)>,
}

/// Class probabilities in [`Label::ALL`] order.
pub type Probs = [f32; LABELS];

/// The 256 levels a model's table codes stand for, fitted to its quantised `weights`, and
/// the code of each weight. Level 0 is 0 (only 0 has code 0). With at most 255 distinct
/// other weights each has its own level (exact); else the levels start spread by a power
/// law, `±max × (k/127)^p` for the `p` of least squared error, and are refined by Lloyd's
/// iterations (each level the mean of the weights nearest to it).
///
/// Why: the table of 2^20 ids at two bytes per label took 8 MB, and in the pipeline its
/// lookups (one per n-gram, at random) pushed the keyword automaton and the regexes out of
/// the CPU caches; one byte per label halves that. Most weights are small and a few are
/// large (median 1,726, 99.9th percentile 12,026, largest 32,767 quanta in the shipped
/// model): even steps would zero the small ones, equal-count levels would blur the large
/// ones, which say the most.
fn codebook(weights: &[i32]) -> ([i32; 256], impl Fn(i32) -> u8) {
    // Weights are differences of two i16 quanta (see [`Model::from_file`]).
    const OFFSET: i32 = 65535;
    let mut counts = vec![0u64; 2 * OFFSET as usize + 1];
    for &w in weights.iter().filter(|&&w| w != 0) {
        counts[(w + OFFSET) as usize] += 1;
    }
    // The distinct non-zero weights, ascending, with their counts.
    let values: Vec<(f64, f64)> = counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(v, &n)| ((v as i32 - OFFSET) as f64, n as f64))
        .collect();
    // The nearest of the ascending `levels` to each value, and the squared error.
    let assign = |levels: &[f64]| -> (Vec<usize>, f64) {
        let mut error = 0.0;
        let nearest = values
            .iter()
            .map(|&(v, n)| {
                let i = levels.partition_point(|&l| l < v);
                let k = if i == levels.len() || (i > 0 && v - levels[i - 1] <= levels[i] - v) {
                    i - 1
                } else {
                    i
                };
                error += (v - levels[k]).powi(2) * n;
                k
            })
            .collect();
        (nearest, error)
    };
    let mut levels: Vec<f64> = if values.len() <= 255 {
        values.iter().map(|v| v.0).collect()
    } else {
        let max = values.iter().fold(0f64, |m, v| m.max(v.0.abs()));
        let spread = |p: f64| -> Vec<f64> {
            let side: Vec<f64> = (1..=127)
                .map(|k| max * (k as f64 / 127.0).powf(p))
                .collect();
            side.iter()
                .rev()
                .map(|l| -l)
                .chain(side.iter().copied())
                .collect()
        };
        // Each spread's error once (a comparator would assign both sides at every step).
        let (_, mut best) = [1.0, 1.5, 2.0, 2.5, 3.0]
            .map(|p| {
                let levels = spread(p);
                (assign(&levels).1, levels)
            })
            .into_iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or_default();
        for _ in 0..20 {
            let (nearest, _) = assign(&best);
            let mut sums = vec![(0f64, 0f64); best.len()];
            for (&k, &(v, n)) in nearest.iter().zip(&values) {
                sums[k].0 += v * n;
                sums[k].1 += n;
            }
            // A level no weight is nearest to stays where it is.
            for (l, (sum, n)) in best.iter_mut().zip(sums) {
                if n > 0.0 {
                    *l = sum / n;
                }
            }
        }
        best
    };
    levels.sort_by(f64::total_cmp);
    let (nearest, _) = assign(&levels);
    let mut by_code = [0i32; 256];
    for (k, &l) in levels.iter().enumerate() {
        by_code[k + 1] = l.round() as i32;
    }
    let mut code = vec![0u8; 2 * OFFSET as usize + 1];
    for (&k, &(v, _)) in nearest.iter().zip(&values) {
        code[(v as i32 + OFFSET) as usize] = (k + 1) as u8;
    }
    (by_code, move |w: i32| code[(w + OFFSET) as usize])
}

/// A loaded model, ready to predict. Shareable across threads.
#[derive(Debug, Clone)]
pub struct Model {
    file: ModelFile,
    /// The weights of every hashed id as one byte per harmful label, a code into `levels`
    /// (code 0 is weight 0, for ids without a weight): one lookup per n-gram, summed in
    /// integers. Each is the label's weight minus the id's `ok` weight: adding one number
    /// to every label's logit leaves the softmax as it is, so `ok`'s column is all zeros
    /// and is not stored or summed (a fifth of the work per n-gram with five labels).
    table: Vec<[u8; HARMFUL]>,
    /// The quantised weight (in units of [`ModelFile::quantum`]) of each code.
    levels: [i32; 256],
    meta: Vec<[f32; LABELS]>,
    bias: [f32; LABELS],
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
                    "labels {:?} but this jaga predicts ok, spam, scam, doxing, abuse",
                    file.labels
                ),
            ));
        }
        let c = file.labels.len();
        if file.weights.len() != file.id_gaps.len() * c
            || file.meta.len() != META_LEN * c
            || file.bias.len() != c
        {
            return Err(ModelError::invalid(
                path,
                format!(
                    "{} weights, {} meta weights and {} biases for {} n-grams of {c} labels",
                    file.weights.len(),
                    file.meta.len(),
                    file.bias.len(),
                    file.id_gaps.len()
                ),
            ));
        }
        if file
            .meta
            .iter()
            .chain(&file.bias)
            .chain(std::iter::once(&file.quantum))
            .any(|w| !w.is_finite())
        {
            return Err(ModelError::invalid(path, "weights are not finite numbers"));
        }
        let dims = file.features.dimensions();
        // Each harmful label's weight relative to `ok`'s, per n-gram (see `table`).
        let relative: Vec<i32> = file
            .weights
            .chunks_exact(LABELS)
            .flat_map(|w| w[1..].iter().map(move |&x| i32::from(x) - i32::from(w[0])))
            .collect();
        let (levels, code_of) = codebook(&relative);
        let mut table = vec![[0u8; HARMFUL]; dims];
        let mut id: Option<u64> = None;
        for (row, &gap) in file.id_gaps.iter().enumerate() {
            let next = match id {
                None => u64::from(gap),
                Some(prev) if gap > 0 => prev + u64::from(gap),
                Some(_) => u64::MAX,
            };
            if next >= dims as u64 {
                return Err(ModelError::invalid(
                    path,
                    format!("n-gram row {row} is out of order or out of range"),
                ));
            }
            id = Some(next);
            let w = &relative[row * HARMFUL..(row + 1) * HARMFUL];
            table[next as usize] = std::array::from_fn(|c| code_of(w[c]));
        }
        let meta = file
            .meta
            .chunks_exact(LABELS)
            .map(|w| std::array::from_fn(|c| w[c]))
            .collect();
        let bias = std::array::from_fn(|c| file.bias[c]);
        Ok(Model {
            file,
            table,
            levels,
            meta,
            bias,
            path: path.to_path_buf(),
        })
    }

    /// The hashed ids with a weight row, ascending (decoded from [`ModelFile::id_gaps`]).
    pub fn ids(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.file.id_gaps.len());
        let mut id = 0u32;
        for (i, &g) in self.file.id_gaps.iter().enumerate() {
            id = if i == 0 { g } else { id + g };
            out.push(id);
        }
        out
    }

    /// The weights of one hashed id as the model uses them (its table's levels), in
    /// [`Label::ALL`] order, relative to `ok`'s (which is 0): the probabilities are the same
    /// as with the trained weights, whose `ok` weight is subtracted from every label's.
    pub fn weights_of(&self, id: u32) -> [f32; LABELS] {
        self.quantised(id).map(|v| v as f32 * self.file.quantum)
    }

    #[inline]
    fn quantised(&self, id: u32) -> [i32; LABELS] {
        let codes = self.table.get(id as usize).copied().unwrap_or_default();
        std::array::from_fn(|c| {
            if c == 0 {
                0
            } else {
                self.levels[usize::from(codes[c - 1])]
            }
        })
    }

    /// Builds the file of a model from real weights: `ngrams` are `(id, weights)` pairs in
    /// any order (ids whose quantised weights are all zero are left out), `meta` has
    /// `META_LEN` rows.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        features: FeatureConfig,
        algorithm: Algorithm,
        scaling: TextScaling,
        mut ngrams: Vec<(u32, [f32; LABELS])>,
        meta: &[[f32; LABELS]],
        bias: [f32; LABELS],
        summary: TrainingSummary,
        path: &Path,
    ) -> Result<Model, ModelError> {
        ngrams.sort_by_key(|p| p.0);
        ngrams.dedup_by_key(|p| p.0);
        let max = ngrams
            .iter()
            .flat_map(|(_, w)| w.iter())
            .fold(0f32, |m, w| m.max(w.abs()));
        let quantum = if max > 0.0 && max.is_finite() {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let mut id_gaps = Vec::with_capacity(ngrams.len());
        let mut weights = Vec::with_capacity(ngrams.len() * LABELS);
        let mut prev: Option<u32> = None;
        for (id, w) in ngrams {
            let q = w.map(|v| (v / quantum).round() as i16);
            if q == [0; LABELS] {
                continue;
            }
            id_gaps.push(prev.map_or(id, |p| id - p));
            prev = Some(id);
            weights.extend(q);
        }
        let mut summary = summary;
        summary.selected_features = id_gaps.len() as u32;
        let file = ModelFile {
            features,
            labels: Label::ALL.to_vec(),
            algorithm,
            scaling,
            id_gaps,
            weights,
            quantum,
            meta: meta.iter().flatten().copied().collect(),
            bias: bias.to_vec(),
            summary,
            holdout: None,
        };
        Model::from_file(file, path)
    }

    /// The same model with every logit divided by `t` (temperature scaling).
    pub fn with_temperature(&self, t: f32) -> Result<Model, ModelError> {
        let mut file = self.file.clone();
        file.quantum /= t;
        file.meta.iter_mut().for_each(|w| *w /= t);
        file.bias.iter_mut().for_each(|w| *w /= t);
        if let Algorithm::SparseLogistic { temperature, .. } = &mut file.algorithm {
            *temperature *= t;
        }
        Model::from_file(file, &self.path)
    }

    /// Replaces the stored held-out figures and training time.
    pub fn with_figures(&self, holdout: Option<HoldoutFigures>, seconds: f32) -> Model {
        let mut m = self.clone();
        m.file.holdout = holdout;
        m.file.summary.seconds = seconds;
        m
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
        if format < FORMAT {
            let what = match format {
                1 => "4,096 selected n-grams",
                2 => "no doxing label",
                _ => "no record of how it was fitted",
            };
            return Err(ModelError::invalid(
                path,
                format!(
                    "model format {format} is an older jaga's ({what}); this jaga reads format {FORMAT}"
                ),
            ));
        }
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

    /// The raw scores before the softmax (for calibration), each less the n-grams' `ok`
    /// weights (the same for every label, so the softmax is unchanged; see `table`).
    pub fn logits(&self, inp: &Inputs, s: &mut Scratch) -> [f32; LABELS] {
        // The weights are summed as the ids are hashed: no list of ids per message.
        let (table, levels) = (&self.table[..], &self.levels);
        let mut text = [0i32; LABELS];
        let mut count = 0u32;
        features::for_each_hashed(&self.file.features, inp.normalised, &mut s.buffers, |id| {
            count += 1;
            // Ids are < 2^hash_bits = table.len() by construction.
            let w = table[id as usize];
            for c in 0..HARMFUL {
                text[c + 1] += levels[usize::from(w[c])];
            }
        });
        let scale = match self.file.scaling {
            TextScaling::Count => 1.0,
            TextScaling::InvSqrtTotal if count == 0 => 0.0,
            TextScaling::InvSqrtTotal => 1.0 / (count as f32).sqrt(),
        };
        let mut logits = self.bias;
        let k = scale * self.file.quantum;
        for c in 0..LABELS {
            logits[c] += text[c] as f32 * k;
        }
        for (v, w) in features::meta(inp).iter().zip(&self.meta) {
            if *v != 0.0 {
                for c in 0..LABELS {
                    logits[c] += v * w[c];
                }
            }
        }
        logits
    }

    /// The words of the normalised text that pushed `label` up the most, as byte spans into
    /// the normalised text with their weight, strongest first (at most `n`). A word's push
    /// is that of its unigram and of the character n-grams inside it. Stop words
    /// ([`is_stop_word`]), single letters and bare numbers are never shown: they carry
    /// little meaning for an admin even when their weight leans one way.
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
            let word = &normalised[a..b];
            if is_stop_word(word) {
                continue;
            }
            s.ids.clear();
            features::hashed(cfg, word, &mut s.buffers, &mut s.ids);
            let mut push = 0.0;
            for &j in &s.ids {
                let w = self.quantised(j).map(|v| v as f32);
                // How much more this n-gram says `label` than the others on average.
                push += w[c] - (w.iter().sum::<f32>() - w[c]) / (LABELS - 1) as f32;
            }
            if push > 0.0 {
                scored.push((id, a, b, push * self.file.quantum));
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

/// Indonesian and English function words, greetings, pronouns and fillers (lower case,
/// sorted): never shown as the words behind a model reason.
pub const STOP_WORDS: &[&str] = &[
    "a", "ada", "adalah", "agar", "aja", "aku", "all", "am", "an", "and", "any", "apa", "are",
    "as", "at", "atau", "be", "been", "begitu", "bgt", "bisa", "but", "by", "can", "dari", "deh",
    "dengan", "dgn", "di", "dia", "did", "do", "does", "dong", "dr", "for", "from", "ga", "gak",
    "gitu", "gue", "gw", "had", "has", "have", "he", "her", "here", "him", "his", "i", "ia", "if",
    "in", "ini", "is", "it", "its", "itu", "iya", "ja", "jadi", "juga", "kak", "kakak", "kalau",
    "kalo", "kami", "kamu", "kan", "karena", "ke", "kita", "klo", "lagi", "lah", "me", "my", "nya",
    "of", "oh", "ok", "oke", "on", "or", "our", "pada", "para", "pun", "saja", "sama", "saya",
    "she", "si", "sih", "so", "sudah", "tapi", "tau", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "tp", "udah", "untuk", "us", "utk", "was",
    "we", "were", "what", "when", "which", "who", "will", "with", "ya", "yah", "yang", "yg", "you",
    "your",
];

/// Whether a word of normalised text is a stop word, a single character or a bare number:
/// words an explanation should not cite.
pub fn is_stop_word(word: &str) -> bool {
    let mut chars = word.chars();
    let first = chars.next();
    if first.is_none() || chars.next().is_none() || word.chars().all(char::is_numeric) {
        return true;
    }
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = word.to_lowercase();
        return STOP_WORDS.binary_search(&lower.as_str()).is_ok();
    }
    STOP_WORDS.binary_search(&word).is_ok()
}

pub fn softmax(logits: [f32; LABELS]) -> Probs {
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
    for i in 1..LABELS {
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
#[derive(Debug, Clone, PartialEq, Deserialize)]
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
    /// The most the model's evidence can lead to in a message shaped like a warning or a
    /// report (the rule [`WARNING_RULE`] fired): a member quoting a scam to warn others or
    /// reporting spam to the admins is looked at, never hidden on the model's word alone.
    pub warned_max_action: Action,
    /// Per label, rules whose firing keeps that label's model reason out of the verdict:
    /// the words can look like the label while a rule knows better (an address the sender
    /// says is her own is not doxing, however the model reads "alamat ... jl.").
    pub unless: PerLabel<Vec<String>>,
    /// Per label, the probability from which the model's reason alone asks for review (an
    /// admin looks), however little its score adds: the weighted score reaches a category's
    /// review threshold only near p = 0.8, where many harmful messages the rules miss sit a
    /// little lower. Review only: the score, and so whether the message is hidden or removed,
    /// does not change. Not in a warning, a report or a quotation (a `[quoted] frame` rule
    /// fired), whose words are often the harm's own. None: the score alone decides.
    pub review_at: PerLabel<Option<f32>>,
    /// Per label, a rule that must have fired for `review_at` to apply: the model's words
    /// alone are not enough where friendly chat reaches the same probability ("have a nice
    /// day girls, see you tonight" reads as abuse at p 0.80), but they are beside the rules'
    /// own evidence of that kind (a body word, a photo request, a put-down). None: no rule
    /// needed.
    pub review_needs: PerLabel<Option<String>>,
}

/// One value per harmful label: the `[model]` tables keyed by label (`unless`, `review_at`,
/// `review_needs`); a label left out keeps `T`'s default (none).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PerLabel<T> {
    /// The value for `spam`.
    pub spam: T,
    /// The value for `scam`.
    pub scam: T,
    /// The value for `doxing`.
    pub doxing: T,
    /// The value for `abuse`.
    pub abuse: T,
}

impl<T> PerLabel<T> {
    /// The value for a harmful `label` (none for `ok`).
    pub fn of(&self, label: Label) -> Option<&T> {
        match label {
            Label::Ok => None,
            Label::Spam => Some(&self.spam),
            Label::Scam => Some(&self.scam),
            Label::Doxing => Some(&self.doxing),
            Label::Abuse => Some(&self.abuse),
        }
    }
}

impl PerLabel<Vec<String>> {
    /// The rule ids that keep `label`'s model reason out (`[model] unless`).
    pub fn ids(&self, label: Label) -> &[String] {
        self.of(label).map_or(&[], Vec::as_slice)
    }
}

impl PerLabel<Option<String>> {
    /// The rule id named for `label`, if any (`[model] review_needs`).
    pub fn id(&self, label: Label) -> Option<&str> {
        self.of(label).and_then(Option::as_deref)
    }
}

impl PerLabel<Option<f32>> {
    /// The value set for `label`, if any (`[model] review_at`).
    pub fn get(&self, label: Label) -> Option<f32> {
        self.of(label).copied().flatten()
    }
}

/// The rule whose reason marks a message as a warning or a report (rules/safety.toml).
pub const WARNING_RULE: &str = "safety.warning";

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FusionWeights {
    pub spam: f32,
    pub scam: f32,
    pub doxing: f32,
    pub abuse: f32,
}

impl Default for FusionWeights {
    fn default() -> Self {
        // Below each category's default remove threshold: the model alone can ask for
        // review or hide, and removes only together with the rules.
        FusionWeights {
            spam: 0.8,
            scam: 0.75,
            doxing: 0.7,
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
            warned_max_action: Action::Review,
            unless: PerLabel::default(),
            review_at: PerLabel::default(),
            review_needs: PerLabel::default(),
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
        for (name, v) in [
            ("spam", w.spam),
            ("scam", w.scam),
            ("doxing", w.doxing),
            ("abuse", w.abuse),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "[model] weight.{name} = {v}: weights are between 0 and 1"
                ));
            }
        }
        for label in &Label::ALL[1..] {
            // At or below the floor the model adds no reason, so nothing could ask.
            if let Some(p) = self.review_at.get(*label) {
                if !(p > self.floor && p <= 1.0) {
                    return Err(format!(
                        "[model] review_at.{label} = {p}: use a probability above the floor ({}) and at most 1",
                        self.floor
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn weight(&self, label: Label) -> f32 {
        match label {
            Label::Ok => 0.0,
            Label::Spam => self.weight.spam,
            Label::Scam => self.weight.scam,
            Label::Doxing => self.weight.doxing,
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

    /// A hand-built model: "gacor" says spam, "rumahnya" doxing, "bodoh" abuse.
    pub(crate) fn tiny() -> Model {
        let cfg = FeatureConfig::default();
        let mut ids = Vec::new();
        let mut b = Buffers::default();
        let mut pairs = Vec::new();
        for (word, label) in [
            ("gacor", Label::Spam),
            ("rumahnya", Label::Doxing),
            ("bodoh", Label::Abuse),
        ] {
            ids.clear();
            features::hashed(&cfg, word, &mut b, &mut ids);
            let mut w = [0f32; LABELS];
            w[label.index()] = 8.0;
            pairs.push((ids[0], w));
        }
        // "di" leans spam but is a stop word: never cited.
        ids.clear();
        features::hashed(&cfg, "di", &mut b, &mut ids);
        pairs.push((ids[0], [0.0, 1.0, 0.0, 0.0, 0.0]));
        Model::build(
            cfg,
            Algorithm::SparseLogistic {
                l2: 1e-6,
                epochs: 1,
                learning_rate: 0.1,
                temperature: 1.0,
                average: 1,
                refit: false,
            },
            TextScaling::Count,
            pairs,
            &[[0.0; LABELS]; META_LEN],
            [2.0, 0.0, 0.0, 0.0, 0.0],
            TrainingSummary {
                sources: vec![],
                created: "2026-01-01T00:00:00Z".into(),
                seed: 1,
                selected_features: 0,
                label_map: vec![],
                seconds: 0.0,
                jaga_version: "test".into(),
            },
            Path::new("tiny.model"),
        )
        .unwrap()
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
        assert_eq!(argmax(&predict(&m, "ini rumahnya")), Label::Doxing);
        assert_eq!(argmax(&predict(&m, "halo semua")), Label::Ok);
        let p = predict(&m, "gacor");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        let top = m.top_words("wah slot gacor", Label::Spam, 3, &mut Scratch::default());
        assert_eq!(top.len(), 1);
        assert_eq!(&"wah slot gacor"[top[0].0..top[0].1], "gacor");
        let text = "gacor di sini";
        let top = m.top_words(text, Label::Spam, 3, &mut Scratch::default());
        let words: Vec<&str> = top.iter().map(|&(a, b, _)| &text[a..b]).collect();
        assert_eq!(words, ["gacor"], "a stop word is never a reason");
        assert_eq!(m.file().summary.selected_features, 4);
        assert!(m
            .ids()
            .iter()
            .any(|&id| (m.weights_of(id).iter().sum::<f32>() - 8.0).abs() < 0.01));
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
        let mut old = bytes.clone();
        old[8] = 1;
        let e = err(&old);
        assert!(
            e.contains("format 1 is an older") && e.contains("retrain"),
            "{e}"
        );
        old[8] = 2;
        let e = err(&old);
        assert!(
            e.contains("format 2 is an older jaga's (no doxing label)") && e.contains("retrain"),
            "{e}"
        );
        old[8] = 3;
        let e = err(&old);
        assert!(
            e.contains("format 3 is an older jaga's (no record of how it was fitted)")
                && e.contains("retrain"),
            "{e}"
        );
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
    fn the_table_codebook_is_exact_for_few_weights_and_close_for_many() {
        // A small model's weights, few distinct values: each keeps its own level.
        let few: Vec<i32> = [0, 5, -5, 300, 32767, -32767, 65534, -65534, 0, 5].to_vec();
        let (levels, code) = codebook(&few);
        for &w in &few {
            assert_eq!(levels[usize::from(code(w))], w, "{w}");
        }
        assert_eq!(code(0), 0, "only 0 has code 0");
        assert!(few.iter().filter(|&&w| w != 0).all(|&w| code(w) != 0));

        // Many: heavy-tailed like a trained model's (most small, a few near the largest).
        let mut rng = 7u64;
        let mut many: Vec<i32> = (0..200_000)
            .map(|_| {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (rng >> 33) as f64 / (1u64 << 31) as f64;
                let size = (u.powi(4) * 32767.0).round() as i32;
                if rng & 1 == 0 {
                    size
                } else {
                    -size
                }
            })
            .collect();
        many.push(32767);
        let (levels, code) = codebook(&many);
        let error = |w: i32| (levels[usize::from(code(w))] - w).abs();
        let rms = (many
            .iter()
            .map(|&w| f64::from(error(w)).powi(2))
            .sum::<f64>()
            / many.len() as f64)
            .sqrt();
        // Even steps of 258 quanta would err by up to 129 on every weight and zero the
        // smallest tenth; equal-count levels erred by 17,727 on the largest real weight.
        assert!(rms < 100.0, "rms error {rms:.1} quanta of 32,767");
        let relative = |w: i32| f64::from(error(w)) / f64::from(w.unsigned_abs());
        let worst_large = many
            .iter()
            .filter(|w| w.unsigned_abs() > 4000)
            .map(|&w| relative(w))
            .fold(0f64, f64::max);
        assert!(
            worst_large < 0.03,
            "large weights within 3%: {worst_large:.3}"
        );
        let small_zeroed = many
            .iter()
            .filter(|&&w| w != 0 && levels[usize::from(code(w))] == 0)
            .count();
        assert!(
            small_zeroed < many.len() / 100,
            "{small_zeroed} small weights became 0"
        );
        assert_eq!(code(0), 0);
    }

    #[test]
    fn stop_words() {
        assert!(
            STOP_WORDS.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        for w in [
            "di", "kak", "aku", "yang", "the", "and", "Yang", "x", "0", "2024",
        ] {
            assert!(is_stop_word(w), "{w}");
        }
        for w in ["gacor", "transfer", "slot", "bitch"] {
            assert!(!is_stop_word(w), "{w}");
        }
    }

    #[test]
    fn temperature_scales_logits() {
        let m = tiny();
        let inp = Inputs {
            original: "slot gacor",
            normalised: "slot gacor",
            ..Inputs::default()
        };
        let mut s = Scratch::default();
        let a = m.logits(&inp, &mut s);
        let b = m.with_temperature(2.0).unwrap().logits(&inp, &mut s);
        for c in 0..LABELS {
            assert!((a[c] / 2.0 - b[c]).abs() < 1e-4, "{a:?} {b:?}");
        }
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
