//! `jaga eval`: how well rules, the model and both together label a set of examples.
//!
//! Each example is scored three ways: rules only (the engine without a model), model only
//! (the model's probabilities through the `[model]` fusion weights and the policy, no rules)
//! and combined (the engine with the model). A fourth line, the model's most probable label,
//! shows the classifier before the policy. For each: a confusion matrix, per-category
//! precision, recall and F1, macro F1, accuracy, multi-class MCC, and harmful-vs-ok figures,
//! which matter most when a corpus calls every scam "spam".

use rayon::prelude::*;
use serde::Serialize;

use crate::train::Example;
use jaga_core::engine::{Engine, ScratchPool};
use jaga_core::model::{self, Label, Model};
use jaga_core::verdict::{Category, Scores};

/// A gold or predicted outcome: ok or a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Spam,
    Scam,
    Doxing,
    Abuse,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Ok,
        Outcome::Spam,
        Outcome::Scam,
        Outcome::Doxing,
        Outcome::Abuse,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The classifier's label of this outcome.
    pub fn label(self) -> Label {
        match self {
            Outcome::Ok => Label::Ok,
            Outcome::Spam => Label::Spam,
            Outcome::Scam => Label::Scam,
            Outcome::Doxing => Label::Doxing,
            Outcome::Abuse => Label::Abuse,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Spam => "spam",
            Outcome::Scam => "scam",
            Outcome::Doxing => "doxing",
            Outcome::Abuse => "abuse",
        }
    }
}

impl From<Label> for Outcome {
    fn from(l: Label) -> Outcome {
        match l {
            Label::Ok => Outcome::Ok,
            Label::Spam => Outcome::Spam,
            Label::Scam => Outcome::Scam,
            Label::Doxing => Outcome::Doxing,
            Label::Abuse => Outcome::Abuse,
        }
    }
}

impl From<Option<Category>> for Outcome {
    fn from(c: Option<Category>) -> Outcome {
        match c {
            None => Outcome::Ok,
            Some(Category::Spam) => Outcome::Spam,
            Some(Category::Scam) => Outcome::Scam,
            Some(Category::Doxing) => Outcome::Doxing,
            Some(Category::Abuse) => Outcome::Abuse,
        }
    }
}

/// Counts of (gold, predicted) pairs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Confusion {
    /// `m[gold][predicted]` in [`Outcome::ALL`] order.
    pub m: [[u64; 5]; 5],
}

/// Precision, recall, F1 and support of one outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Gold examples of this outcome.
    pub support: u64,
    /// Examples predicted as this outcome.
    pub predicted: u64,
}

/// Every figure of one system on one data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub examples: u64,
    pub accuracy: f64,
    /// Mean F1 over the outcomes that occur in the gold labels.
    pub macro_f1: f64,
    /// Multi-class Matthews correlation (Gorodkin's R_K), in [-1, 1].
    pub mcc: f64,
    /// Harmful (any category) vs ok.
    pub harmful: ClassMetrics,
    pub per_category: Vec<(Outcome, ClassMetrics)>,
    pub confusion: Confusion,
}

impl Metrics {
    pub fn per(&self, o: Outcome) -> ClassMetrics {
        self.per_category
            .iter()
            .find(|(x, _)| *x == o)
            .map(|(_, m)| *m)
            .unwrap_or_default()
    }
}

fn prf(tp: u64, predicted: u64, support: u64) -> ClassMetrics {
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (p, r) = (ratio(tp, predicted), ratio(tp, support));
    ClassMetrics {
        precision: p,
        recall: r,
        f1: if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        },
        support,
        predicted,
    }
}

impl Confusion {
    pub fn add(&mut self, gold: Outcome, predicted: Outcome) {
        self.m[gold.index()][predicted.index()] += 1;
    }

    pub fn merge(&mut self, other: &Confusion) {
        for g in 0..5 {
            for p in 0..5 {
                self.m[g][p] += other.m[g][p];
            }
        }
    }

    pub fn metrics(&self) -> Metrics {
        let m = &self.m;
        let n: u64 = m.iter().flatten().sum();
        let gold = |i: usize| -> u64 { m[i].iter().sum() };
        let pred = |j: usize| -> u64 { (0..5).map(|i| m[i][j]).sum() };
        let correct: u64 = (0..5).map(|i| m[i][i]).sum();
        let mut per_category = Vec::new();
        let mut f1s = Vec::new();
        for o in Outcome::ALL {
            let i = o.index();
            let c = prf(m[i][i], pred(i), gold(i));
            if c.support > 0 || c.predicted > 0 {
                per_category.push((o, c));
            }
            if c.support > 0 {
                f1s.push(c.f1);
            }
        }
        // Gorodkin: (c*s - Σ p_k t_k) / sqrt((s² - Σ p_k²)(s² - Σ t_k²)).
        let (c, s) = (correct as f64, n as f64);
        let pt: f64 = (0..5).map(|k| pred(k) as f64 * gold(k) as f64).sum();
        let pp: f64 = (0..5).map(|k| (pred(k) as f64).powi(2)).sum();
        let tt: f64 = (0..5).map(|k| (gold(k) as f64).powi(2)).sum();
        let den = ((s * s - pp) * (s * s - tt)).sqrt();
        let mcc = if den == 0.0 { 0.0 } else { (c * s - pt) / den };
        let harmful_tp: u64 = (1..5).map(|i| (1..5).map(|j| m[i][j]).sum::<u64>()).sum();
        let harmful = prf(harmful_tp, n - pred(0), n - gold(0));
        Metrics {
            examples: n,
            accuracy: if n == 0 { 0.0 } else { c / s },
            macro_f1: if f1s.is_empty() {
                0.0
            } else {
                f1s.iter().sum::<f64>() / f1s.len() as f64
            },
            mcc,
            harmful,
            per_category,
            confusion: self.clone(),
        }
    }
}

/// The figures of every system on one data set.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub examples: u64,
    pub rules: Metrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<Metrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub combined: Option<Metrics>,
    /// The model's most probable label, before fusion and policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_argmax: Option<Metrics>,
}

#[derive(Default, Clone)]
struct Tally {
    rules: Confusion,
    model: Confusion,
    combined: Confusion,
    argmax: Confusion,
}

/// Scores every example with the rules (`rules`, an engine without a model) and, when
/// `combined` carries a model, with the model alone and with both.
pub fn evaluate(rules: &Engine, combined: Option<&Engine>, examples: &[Example]) -> Report {
    let model: Option<&Model> = combined.and_then(Engine::model);
    // One pool per engine: a scratch keeps the regex caches of the engine it last served.
    let (rules_scratches, combined_scratches) = (ScratchPool::default(), ScratchPool::default());
    let tally = examples
        .par_iter()
        .with_min_len(128)
        .fold(
            || {
                let (s, cs) = (rules_scratches.take(), combined_scratches.take());
                (Tally::default(), s, cs, model::Scratch::default())
            },
            |(mut t, mut s, mut cs, mut ms), ex| {
                let gold = ex.label;
                let v = rules.evaluate(&ex.event, &mut s);
                t.rules.add(gold, v.category.into());
                if let (Some(engine), Some(m)) = (combined, model) {
                    let v = engine.evaluate(&ex.event, &mut cs);
                    t.combined.add(gold, v.category.into());
                    let inputs = engine.model_inputs(&ex.event, &mut cs);
                    let p = m.predict(&inputs, &mut ms);
                    t.argmax.add(gold, model::argmax(&p).into());
                    let mut scores = Scores::default();
                    for &l in &Label::ALL[1..] {
                        let c = l.category().expect("harmful label");
                        scores.set(c, engine.policy.fusion.score(l, p[l.index()]));
                    }
                    let d = engine
                        .policy
                        .decide(&ex.event.group, ex.event.kind, &scores, None);
                    t.model.add(gold, d.category.into());
                }
                (t, s, cs, ms)
            },
        )
        .map(|(t, ..)| t)
        .reduce(Tally::default, |mut a, b| {
            a.rules.merge(&b.rules);
            a.model.merge(&b.model);
            a.combined.merge(&b.combined);
            a.argmax.merge(&b.argmax);
            a
        });
    let with_model = model.is_some();
    Report {
        examples: examples.len() as u64,
        rules: tally.rules.metrics(),
        model: with_model.then(|| tally.model.metrics()),
        combined: with_model.then(|| tally.combined.metrics()),
        model_argmax: with_model.then(|| tally.argmax.metrics()),
    }
}

/// The report as a table for people.
pub fn render(r: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let systems: Vec<(&str, &Metrics)> = [
        Some(("rules only", &r.rules)),
        r.model.as_ref().map(|m| ("model only", m)),
        r.combined.as_ref().map(|m| ("combined", m)),
        r.model_argmax.as_ref().map(|m| ("model argmax", m)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let _ = writeln!(out, "{} examples", r.examples);
    let _ = writeln!(
        out,
        "{:<14} {:>8} {:>8} {:>7} | {:>25}",
        "system", "accuracy", "macro-F1", "MCC", "harmful vs ok  P / R / F1"
    );
    for (name, m) in &systems {
        let _ = writeln!(
            out,
            "{:<14} {:>8.3} {:>8.3} {:>7.3} | {:>7.3} / {:.3} / {:.3}",
            name,
            m.accuracy,
            m.macro_f1,
            m.mcc,
            m.harmful.precision,
            m.harmful.recall,
            m.harmful.f1
        );
    }
    for (name, m) in &systems {
        let _ = writeln!(
            out,
            "\n{name}: per category (precision / recall / F1, gold n, predicted n)"
        );
        for (o, c) in &m.per_category {
            let _ = writeln!(
                out,
                "  {:<7} {:.3} / {:.3} / {:.3}  n={:<6} predicted={}",
                o.as_str(),
                c.precision,
                c.recall,
                c.f1,
                c.support,
                c.predicted
            );
        }
        let _ = writeln!(out, "  confusion (rows gold, columns predicted):");
        let _ = write!(out, "  {:<7}", "");
        for o in Outcome::ALL {
            let _ = write!(out, " {:>7}", o.as_str());
        }
        let _ = writeln!(out);
        for g in Outcome::ALL {
            let row = &m.confusion.m[g.index()];
            if row.iter().sum::<u64>() == 0 {
                continue;
            }
            let _ = write!(out, "  {:<7}", g.as_str());
            for v in row {
                let _ = write!(out, " {v:>7}");
            }
            let _ = writeln!(out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_by_hand() {
        let mut c = Confusion::default();
        // 6 ok (5 right, 1 called spam), 4 spam (3 right, 1 called ok).
        for _ in 0..5 {
            c.add(Outcome::Ok, Outcome::Ok);
        }
        c.add(Outcome::Ok, Outcome::Spam);
        for _ in 0..3 {
            c.add(Outcome::Spam, Outcome::Spam);
        }
        c.add(Outcome::Spam, Outcome::Ok);
        let m = c.metrics();
        assert_eq!(m.examples, 10);
        assert!((m.accuracy - 0.8).abs() < 1e-9);
        let s = m.per(Outcome::Spam);
        assert!((s.precision - 0.75).abs() < 1e-9 && (s.recall - 0.75).abs() < 1e-9);
        // Binary MCC: (tp*tn - fp*fn)/sqrt(...) = (3*5 - 1*1)/sqrt(4*4*6*6) = 14/24.
        assert!((m.mcc - 14.0 / 24.0).abs() < 1e-9, "{}", m.mcc);
        assert!((m.harmful.f1 - 0.75).abs() < 1e-9);
        assert!((m.macro_f1 - (s.f1 + m.per(Outcome::Ok).f1) / 2.0).abs() < 1e-9);
        let text = render(&Report {
            examples: 10,
            rules: m.clone(),
            model: None,
            combined: None,
            model_argmax: None,
        });
        assert!(text.contains("rules only"), "{text}");
        assert!(!text.contains("model only"));
    }

    #[test]
    fn wrong_category_is_still_harmful() {
        let mut c = Confusion::default();
        c.add(Outcome::Spam, Outcome::Scam);
        c.add(Outcome::Ok, Outcome::Ok);
        let m = c.metrics();
        assert_eq!(m.per(Outcome::Spam).recall, 0.0);
        assert_eq!(m.harmful.recall, 1.0);
        assert_eq!(m.harmful.precision, 1.0);
    }
}
