//! The console's heavy work, done with the binary's own modules: scanning an uploaded export
//! into cases (with the HTML report and the CSV, [`crate::report`]), and retraining the model
//! from the admins' decisions ([`crate::train`], measured with [`crate::evaluate`]).

use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use jaga_core::engine::Engine;
use jaga_core::event::Event;
use jaga_core::model::Model;
use jaga_core::verdict::Verdict;
use jaga_export::{Diagnostic, Input, InputStats, Origin};
use jaga_serve::console::tasks::{
    ExportJob, ExportOutcome, Figures, RetrainJob, RetrainOutcome, Tasks,
};
use jaga_store::{Durability, Store};

use crate::report::{Csv, Report};
use crate::review::CaseSink;
use crate::scan::{self, Observer, ScanOptions};
use crate::train::{self, DataSpec, LabelMap, Loaded, Split};

/// Percent of the decided cases held out of a console retrain to measure old and new model.
const TEST_PERCENT: u32 = 20;
/// How many times a decided case counts in training (as `jaga train --store-weight`).
const STORE_WEIGHT: f32 = 8.0;

/// The [`Tasks`] of the `jaga` binary.
pub struct BinaryTasks;

struct ExportObserver {
    report: Report,
    csv: Csv<Vec<u8>>,
    sink: CaseSink,
    community: String,
    file_name: String,
    events: u64,
}

impl Observer for ExportObserver {
    fn scored(&mut self, event: &Event, verdict: &Verdict, origin: &Origin) {
        self.events += 1;
        // The upload's name, not the temporary file's.
        let origin = Origin {
            file: self.file_name.as_str().into(),
            line: origin.line,
        };
        self.report.scored(event, verdict, &origin);
        self.csv.add(event, verdict, &origin);
        let mut ev = event.clone();
        ev.community = self.community.clone();
        self.sink.add(&ev, verdict);
    }
    fn diagnostic(&mut self, d: &Diagnostic) {
        self.report.diagnostic(d);
    }
    fn input_done(&mut self, stats: &InputStats) {
        self.report.input_done(stats);
    }
}

impl Tasks for BinaryTasks {
    fn scan_export(&self, job: ExportJob) -> Result<ExportOutcome, String> {
        let store = Store::open(&job.store, Durability::Normal).map_err(|e| e.to_string())?;
        let mut obs = ExportObserver {
            report: Report::new(1000),
            csv: Csv::new(Vec::new(), job.lang, job.engine.rules()),
            sink: CaseSink::new(store),
            community: job.community.clone(),
            file_name: job.file_name.clone(),
            events: 0,
        };
        let opts = ScanOptions {
            group: job.group.clone(),
            ..ScanOptions::default()
        };
        let source = Input::Path(job.path.clone())
            .open()
            .map_err(|e| format!("{}: {e}", job.file_name))?;
        let summary = scan::scan_inputs(&job.engine, vec![source], io::sink(), &opts, &mut obs)
            .map_err(|e| format!("{}: {e}", job.file_name))?;
        let new_cases = obs.sink.finish().map_err(|e| e.to_string())?;
        let html = obs.report.render_in(job.engine.rules(), job.lang);
        let csv = obs.csv.finish().map_err(|e| e.to_string())?;
        Ok(ExportOutcome {
            events: obs.events,
            flagged: obs.report.flagged(),
            new_cases: new_cases as u64,
            errors: summary.errors,
            report: html.into_bytes(),
            csv,
        })
    }

    fn retrain(&self, job: RetrainJob) -> Result<RetrainOutcome, String> {
        retrain(&job)
    }
}

fn load_rules(dir: &Path) -> Result<Engine, String> {
    Engine::load(dir).map_err(|e| format!("cannot load rules from {}: {e}", dir.display()))
}

/// Figures of `engine` (rules + a model, or rules alone) on the held-out decisions.
fn figures(rules: &Engine, engine: &Engine, test: &Loaded) -> Figures {
    let with_model = engine.model().is_some();
    let report = crate::evaluate::evaluate(rules, with_model.then_some(engine), &test.examples);
    let m = report.combined.unwrap_or(report.rules);
    Figures {
        examples: m.examples,
        precision: m.harmful.precision,
        recall: m.harmful.recall,
        f1: m.harmful.f1,
        accuracy: m.accuracy,
        rule_tests_failed: jaga_core::ruletest::run(engine).failures.len(),
    }
}

fn retrain(job: &RetrainJob) -> Result<RetrainOutcome, String> {
    let started = Instant::now();
    let current = if job.model.is_file() {
        Some(Model::load(&job.model).map_err(|e| e.to_string())?)
    } else {
        None
    };
    // The same data as the model in use (its file records it), unless configured.
    let specs: Vec<String> = if job.data.is_empty() {
        current
            .iter()
            .flat_map(|m| m.file().summary.sources.iter())
            .map(|s| s.path.clone())
            .filter(|p| !p.starts_with("store:"))
            .collect()
    } else {
        job.data.clone()
    };
    let mut data: Vec<DataSpec> = Vec::new();
    let mut missing = Vec::new();
    for s in &specs {
        let spec: DataSpec = s.parse().map_err(|e| format!("training data `{s}`: {e}"))?;
        if spec.path.is_file() {
            data.push(spec);
        } else {
            missing.push(spec.path.display().to_string());
        }
    }
    // The label map the model in use was trained with (foreign corpus labels).
    let map = match &current {
        Some(m) => LabelMap::from_pairs(&m.file().summary.label_map)?,
        None => LabelMap::default(),
    };
    let mut loaded = train::load(&data, &map, Split::All, TEST_PERCENT)?;
    let added = train::load_store(
        &mut loaded,
        &job.store,
        STORE_WEIGHT,
        Split::Train,
        TEST_PERCENT,
    )?;
    let mut test = Loaded::default();
    train::load_store(&mut test, &job.store, 1.0, Split::Test, TEST_PERCENT)?;
    let rules = load_rules(&job.rules)?;
    let candidate_path = candidate(&job.model);
    let opts = retrain_options(current.as_ref(), &map);
    let trained = train::train(
        &rules,
        &loaded.examples,
        loaded.sources.clone(),
        &opts,
        &candidate_path,
    )?;
    let before_engine = load_rules(&job.rules)?.with_model(current);
    let after_engine = load_rules(&job.rules)?.with_model(Some(trained.model));
    let before = figures(&rules, &before_engine, &test);
    let after = figures(&rules, &after_engine, &test);
    let not_worse = after.f1 >= before.f1 && after.rule_tests_failed <= before.rule_tests_failed;
    let (switched, why) = if test.examples.is_empty() {
        (
            false,
            "no decided case is held out to measure with yet; decide more cases (one in five is kept for testing)".to_string(),
        )
    } else if !not_worse {
        (
            false,
            format!(
                "the new model is worse on the {} held-out decisions (F1 {:.3} against {:.3}, {} failing rule tests against {}); kept the old one",
                test.examples.len(),
                after.f1,
                before.f1,
                after.rule_tests_failed,
                before.rule_tests_failed
            ),
        )
    } else {
        (
            true,
            format!(
                "the new model is not worse on the {} held-out decisions (F1 {:.3} against {:.3})",
                test.examples.len(),
                after.f1,
                before.f1
            ),
        )
    };
    let why = if missing.is_empty() {
        why
    } else {
        format!(
            "{why}; training data not found and left out: {}",
            missing.join(", ")
        )
    };
    if switched {
        let model = after_engine.model().ok_or("the new model vanished")?;
        if let Some(dir) = job.model.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        // Written beside the old file and renamed over it: serve's watcher never sees half a model.
        model
            .save(&candidate_path)
            .and_then(|()| std::fs::rename(&candidate_path, &job.model))
            .map_err(|e| format!("cannot replace {}: {e}", job.model.display()))?;
    }
    Ok(RetrainOutcome {
        examples: loaded.examples.len(),
        decisions: added.added,
        before,
        after,
        switched,
        why,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// How the retrain trains: as the model in use was trained (its file records the algorithm,
/// refit, averaged fits...), so the two differ by their data only. A single fit fails rule
/// tests that the shipped refitted average of eight passes (two of them when last measured),
/// and the switch, which asks for no more failing tests, would refuse it.
fn retrain_options(current: Option<&Model>, map: &LabelMap) -> train::TrainOptions {
    train::TrainOptions {
        progress: false,
        label_map: map.pairs().to_vec(),
        ..current.map_or_else(train::TrainOptions::default, |m| {
            train::TrainOptions::of_model(m.file())
        })
    }
}

fn candidate(model: &Path) -> PathBuf {
    let mut p = model.as_os_str().to_owned();
    p.push(".candidate");
    PathBuf::from(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jaga_core::verdict::{Action, Category, Reason, Scores, Source};
    use jaga_store::{Judgement, NewCase, NewDecision};

    const RULES: &str = r#"
[[rule]]
id = "spam.slot"
description = "Gambling promotion"
category = "spam"
keywords = ["slot gacor"]
score = 0.9
tests = { hit = ["slot gacor"], miss = ["halo semua"] }
"#;

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("rules");
        std::fs::create_dir_all(rules.join("lists")).unwrap();
        std::fs::write(
            rules.join("policy.toml"),
            "[message]\nspam = { review = 0.4, remove = 0.8 }\nscam = { review = 0.4 }\ndoxing = { review = 0.4 }\nabuse = { review = 0.4 }\n[join_request]\nspam = { review = 0.4 }\nscam = { review = 0.4 }\ndoxing = { review = 0.4 }\nabuse = { review = 0.4 }\n",
        )
        .unwrap();
        std::fs::write(rules.join("test.toml"), RULES).unwrap();
        for l in ["shorteners.txt", "brands.txt", "abused-tlds.txt"] {
            std::fs::write(rules.join("lists").join(l), "").unwrap();
        }
        let mut tsv = String::new();
        for i in 0..40 {
            tsv.push_str(&format!(
                "ok\tselamat pagi kak, streaming jam {i} ya jangan lupa vote\n"
            ));
            tsv.push_str(&format!(
                "spam\tdepo {i}rb langsung wd, situs maxwin hari ini gas\n"
            ));
        }
        std::fs::write(dir.path().join("data.tsv"), tsv).unwrap();
        dir
    }

    fn decide_cases(store: &mut Store, n: usize) {
        for i in 0..n {
            let spam = i % 2 == 0;
            let ev = Event {
                id: format!("e{i}"),
                community: "army-id".into(),
                group: "g".into(),
                user: format!("u{i}"),
                text: if spam {
                    format!("bonus new member {i} depo kecil wd gede, link di bio")
                } else {
                    format!("kak {i} mau tanya jadwal nobar minggu ini dong")
                },
                ..Event::default()
            };
            let mut scores = Scores::default();
            scores.set(Category::Spam, 0.5);
            let v = Verdict {
                id: ev.id.clone(),
                kind: jaga_core::event::Kind::Message,
                category: Some(Category::Spam),
                action: Action::Review,
                scores,
                reasons: vec![Reason::new(
                    Source::Model,
                    "model.spam",
                    Category::Spam,
                    0.5,
                    vec![],
                    "p=0.7",
                )],
                helpers: Vec::new(),
                doxing_helper_spans: Vec::new(),
            };
            store.insert_cases(&[NewCase::new(&ev, &v, 1)]).unwrap();
            let id = store
                .queue(&jaga_store::QueueFilter {
                    limit: 1000,
                    ..Default::default()
                })
                .unwrap()
                .into_iter()
                .find(|c| c.event_id == ev.id)
                .unwrap()
                .id;
            let d = NewDecision {
                admin: "rini".into(),
                decision: if spam {
                    Judgement::Confirm
                } else {
                    Judgement::Dismiss
                },
                category: None,
                action: None,
                note: String::new(),
            };
            store.decide(id, &d).unwrap();
        }
    }

    #[test]
    fn a_retrain_trains_as_the_model_in_use_was_trained() {
        let dir = workspace();
        let spec: DataSpec = dir
            .path()
            .join("data.tsv")
            .display()
            .to_string()
            .parse()
            .unwrap();
        let loaded = train::load(&[spec], &LabelMap::default(), Split::All, TEST_PERCENT).unwrap();
        let made = train::TrainOptions {
            refit: true,
            average: 2,
            holdout_percent: 20,
            epochs: 3,
            seed: 9,
            ..train::TrainOptions::default()
        };
        let path = dir.path().join("in-use.model");
        let rules = load_rules(&dir.path().join("rules")).unwrap();
        let m = train::train(&rules, &loaded.examples, loaded.sources, &made, &path)
            .unwrap()
            .model;
        let o = retrain_options(Some(&m), &LabelMap::default());
        assert_eq!(
            (o.refit, o.average, o.holdout_percent, o.epochs, o.seed),
            (true, 2, 20, 3, 9)
        );
        assert!(!o.progress);
        // Without a model in use, the defaults: one fit.
        let d = retrain_options(None, &LabelMap::default());
        assert_eq!((d.refit, d.average), (false, 1));
    }

    #[test]
    fn a_retrain_switches_only_when_it_can_show_the_new_model_is_not_worse() {
        let dir = workspace();
        let db = dir.path().join("jaga.db");
        let model = dir.path().join("models/community.model");
        let job = RetrainJob {
            store: db.clone(),
            rules: dir.path().join("rules"),
            model: model.clone(),
            data: vec![dir.path().join("data.tsv").display().to_string()],
        };
        // No decision yet: nothing to measure with, so nothing switches.
        drop(Store::open(&db, Durability::Normal).unwrap());
        let o = retrain(&job).unwrap();
        assert!(!o.switched && o.why.contains("no decided case"), "{o:?}");
        assert!(!model.exists());
        // With decisions: measured on the held-out ones, before (rules only) and after.
        let mut store = Store::open(&db, Durability::Normal).unwrap();
        decide_cases(&mut store, 40);
        let o = retrain(&job).unwrap();
        assert!(o.decisions > 0 && o.before.examples > 0, "{o:?}");
        assert_eq!(
            o.before.examples, o.after.examples,
            "the same held-out decisions"
        );
        assert_eq!(
            o.decisions as u64 + o.before.examples,
            40,
            "every decision is used once"
        );
        assert_eq!(
            o.switched,
            o.after.f1 >= o.before.f1 && o.after.rule_tests_failed <= o.before.rule_tests_failed
        );
        assert_eq!(model.exists(), o.switched, "{o:?}");
        if o.switched {
            Model::load(&model).unwrap();
        }
        assert!(!candidate(&model).exists() || !o.switched);
    }
}
