//! The classifier end to end: training on the hand-written seed examples, the model file
//! round trip, damaged files, the `--model`/`--no-model` contract of the binary, and (when
//! `../shared/data` is present) the third-party corpora.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jaga::train::{self, DataSpec, LabelMap, Split, TrainOptions};
use jaga_core::engine::{Engine, Scratch};
use jaga_core::event::Event;
use jaga_core::model::{self, Label, Model};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn jaga_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run jaga")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn engine() -> Engine {
    Engine::load(&root().join("rules")).expect("shipped rules load")
}

/// The shipped model, `models/jaga.model`.
fn shipped() -> Model {
    Model::load(&root().join(model::DEFAULT_PATH)).expect("the shipped model loads")
}

/// Every hand-written example file in models/seed, in name order.
fn seed_specs() -> Vec<DataSpec> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("models/seed"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("tsv" | "jsonl")
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    files
        .iter()
        .map(|f| f.display().to_string().parse().unwrap())
        .collect()
}

/// Messages written for this test, in none of the training files.
const UNSEEN: &[(&str, Label)] = &[
    (
        "Pinjaman dana tunai cair cepat tanpa BI checking, syarat KTP saja, hubungi admin",
        Label::Scam,
    ),
    (
        "Selamat kamu pemenang giveaway, kirim biaya ongkir dulu ya ke rekening panitia",
        Label::Scam,
    ),
    (
        "Slot gacor maxwin hari ini, daftar situs kami bonus new member",
        Label::Spam,
    ),
    (
        "dasar goblok lo, mulut sampah, keluar aja dari grup",
        Label::Abuse,
    ),
    (
        "Jangan lupa streaming MV hari ini ya guys, playlist di pinned",
        Label::Ok,
    ),
    (
        "Ada yang mau bareng ke stadion besok buat konser? Ketemu di gate 5",
        Label::Ok,
    ),
];

fn train_on_seeds(opts: &TrainOptions, out: &Path) -> Model {
    let loaded = train::load(&seed_specs(), &LabelMap::default(), Split::All, 20).unwrap();
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    assert!(
        loaded.examples.len() > 400,
        "the seed set has a few hundred examples"
    );
    train::train(&engine(), &loaded.examples, loaded.sources, opts, out)
        .unwrap()
        .model
}

fn predict(e: &Engine, m: &Model, text: &str) -> model::Probs {
    let ev = Event::message(text);
    let mut s = Scratch::new();
    let inputs = e.model_inputs(&ev, &mut s);
    m.predict(&inputs, &mut model::Scratch::default())
}

fn small(algorithm: train::AlgorithmChoice) -> TrainOptions {
    TrainOptions {
        algorithm,
        features: 2048,
        holdout_percent: 0,
        ..TrainOptions::default()
    }
}

#[test]
fn training_on_the_hand_written_set_separates_the_classes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.model");
    let m = train_on_seeds(&small(train::AlgorithmChoice::Logistic), &path);
    let e = engine();
    for (text, want) in UNSEEN {
        let p = predict(&e, &m, text);
        assert_eq!(model::argmax(&p), *want, "{text}: {p:?}");
    }
    let f = m.file();
    assert_eq!(f.summary.sources.len(), seed_specs().len());
    let scams: u64 = f
        .summary
        .sources
        .iter()
        .map(|s| s.counts[Label::Scam.index()])
        .sum();
    assert!(scams > 150, "{scams}");
    assert_eq!(f.summary.selected_features as usize, f.id_gaps.len());
    assert!(
        f.id_gaps.len() > 2048,
        "the sparse model keeps every n-gram it learned a weight for, not a selection"
    );
    assert!(matches!(
        f.algorithm,
        model::Algorithm::SparseLogistic { temperature, .. } if temperature == 1.0
    ));
}

#[test]
fn naive_bayes_trains_too() {
    let dir = tempfile::tempdir().unwrap();
    let m = train_on_seeds(
        &small(train::AlgorithmChoice::NaiveBayes),
        &dir.path().join("nb.model"),
    );
    assert!(matches!(
        m.file().algorithm,
        model::Algorithm::NaiveBayes { .. }
    ));
    let e = engine();
    let right = UNSEEN
        .iter()
        .filter(|(t, want)| model::argmax(&predict(&e, &m, t)) == *want)
        .count();
    assert!(right >= 4, "naive Bayes got {right} of {}", UNSEEN.len());
}

#[test]
fn training_is_deterministic_and_save_load_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let opts = TrainOptions {
        holdout_percent: 10,
        ..small(train::AlgorithmChoice::Logistic)
    };
    let a = train_on_seeds(&opts, &dir.path().join("a.model"));
    let b = train_on_seeds(&opts, &dir.path().join("b.model"));
    assert_eq!(
        a.file().weights,
        b.file().weights,
        "same data and seed, same model"
    );
    assert!(a.file().holdout.is_some(), "held-out figures are stored");

    let path = dir.path().join("a.model");
    a.save(&path).unwrap();
    let back = Model::load(&path).unwrap();
    assert_eq!(back.file(), a.file());
    let e = engine();
    for msg in jaga_export::synth::messages(7, 300) {
        let (p, q) = (predict(&e, &a, &msg), predict(&e, &back, &msg));
        assert_eq!(p.map(f32::to_bits), q.map(f32::to_bits), "{msg}");
    }
}

#[test]
fn refit_trains_on_every_example_with_the_split_fits_temperature_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let split = TrainOptions {
        holdout_percent: 20,
        ..small(train::AlgorithmChoice::Logistic)
    };
    let refit = TrainOptions {
        refit: true,
        ..split.clone()
    };
    let loaded = train::load(&seed_specs(), &LabelMap::default(), Split::All, 20).unwrap();
    let e = engine();
    let run = |opts: &TrainOptions, name: &str| {
        train::train(
            &e,
            &loaded.examples,
            loaded.sources.clone(),
            opts,
            &dir.path().join(name),
        )
        .unwrap()
    };
    let (a, b) = (run(&split, "split.model"), run(&refit, "refit.model"));
    assert!(!a.refitted && b.refitted);
    assert_eq!(a.held_out, b.held_out);
    assert!(a.held_out > 0);
    assert_eq!(a.examples + a.held_out, loaded.examples.len());
    assert_eq!(
        b.examples,
        loaded.examples.len(),
        "the refit sees every example"
    );
    let t = |m: &Model| match m.file().algorithm {
        model::Algorithm::SparseLogistic { temperature, .. } => temperature,
        _ => panic!("sparse logistic expected"),
    };
    assert_ne!(t(&a.model), 1.0, "a temperature was fitted");
    assert_eq!(
        t(&a.model),
        t(&b.model),
        "the refit keeps the split fit's temperature"
    );
    assert_eq!(a.model.file().holdout, b.model.file().holdout);
    assert_ne!(
        a.model.file().weights,
        b.model.file().weights,
        "the refit is a new fit"
    );
    // Deterministic like every training.
    let c = run(&refit, "again.model");
    assert_eq!(b.model.file().weights, c.model.file().weights);
}

#[test]
fn a_model_records_how_it_was_fitted_and_a_retrain_repeats_it() {
    let dir = tempfile::tempdir().unwrap();
    let opts = TrainOptions {
        holdout_percent: 20,
        refit: true,
        average: 2,
        l2: 2e-3,
        epochs: 3,
        seed: 7,
        label_map: vec![("ham".into(), "ok".into())],
        ..small(train::AlgorithmChoice::Logistic)
    };
    let m = train_on_seeds(&opts, &dir.path().join("made.model"));
    match m.file().algorithm {
        model::Algorithm::SparseLogistic {
            l2,
            epochs,
            average,
            refit,
            ..
        } => assert_eq!((l2, epochs, average, refit), (2e-3, 3, 2, true)),
        ref a => panic!("sparse logistic expected, got {a:?}"),
    }
    let again = TrainOptions::of_model(m.file());
    assert_eq!(
        (
            again.algorithm,
            again.l2,
            again.epochs,
            again.learning_rate,
            again.hash_bits,
            again.holdout_percent,
            again.refit,
            again.average,
            again.seed,
            &again.label_map,
        ),
        (
            opts.algorithm,
            opts.l2,
            opts.epochs,
            opts.learning_rate,
            opts.hash_bits,
            opts.holdout_percent,
            opts.refit,
            opts.average,
            opts.seed,
            &opts.label_map,
        )
    );
    // The recorded options on the same data make the same model, weights and all.
    let m2 = train_on_seeds(&again, &dir.path().join("again.model"));
    assert_eq!(m.file().weights, m2.file().weights);
    assert_eq!(m.file().algorithm, m2.file().algorithm);
    // A single fit records itself as one.
    let one = train_on_seeds(
        &small(train::AlgorithmChoice::Logistic),
        &dir.path().join("one.model"),
    );
    assert!(matches!(
        one.file().algorithm,
        model::Algorithm::SparseLogistic {
            average: 1,
            refit: false,
            ..
        }
    ));
}

#[test]
fn the_hash_size_is_a_training_option_stored_in_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let opts = TrainOptions {
        hash_bits: 16,
        ..small(train::AlgorithmChoice::Logistic)
    };
    let m = train_on_seeds(&opts, &dir.path().join("m.model"));
    assert_eq!(m.file().features.hash_bits, 16);
    assert!(m.ids().iter().all(|&id| id < 1 << 16));
    let path = dir.path().join("m.model");
    m.save(&path).unwrap();
    let back = Model::load(&path).unwrap();
    let e = engine();
    let judol = predict(
        &e,
        &back,
        "slot gacor maxwin depo 10rb wd berapapun dibayar",
    );
    assert!(
        judol[Label::Spam.index()] > judol[Label::Ok.index()],
        "{judol:?}"
    );
    // Out of range on the command line: clap's usage error, nothing written.
    let out = jaga_in(
        dir.path(),
        &[
            "train",
            "--hash-bits",
            "30",
            "--data",
            "x.tsv",
            "--out",
            "n.model",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--hash-bits"), "{}", stderr(&out));
    assert!(!dir.path().join("n.model").exists());
}

#[test]
fn damaged_model_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = train_on_seeds(
        &small(train::AlgorithmChoice::NaiveBayes),
        &dir.path().join("x.model"),
    )
    .encode();
    let cases: [(&str, Vec<u8>, &str); 7] = [
        ("empty.model", Vec::new(), "not a jaga model"),
        (
            "truncated.model",
            good[..good.len() / 2].to_vec(),
            "truncated or corrupt",
        ),
        (
            "text.model",
            b"{\"weights\": []}".to_vec(),
            "not a jaga model",
        ),
        (
            "future.model",
            {
                let mut v = good.clone();
                v[8] = 9;
                v
            },
            "format 9",
        ),
        (
            "old.model",
            {
                let mut v = good.clone();
                v[8] = 1;
                v
            },
            "format 1 is an older jaga's",
        ),
        (
            "four-labels.model",
            {
                let mut v = good.clone();
                v[8] = 2;
                v
            },
            "format 2 is an older jaga's (no doxing label)",
        ),
        (
            "unrecorded-fit.model",
            {
                let mut v = good.clone();
                v[8] = 3;
                v
            },
            "format 3 is an older jaga's (no record of how it was fitted)",
        ),
    ];
    let rules = root().join("rules");
    for (name, bytes, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = Model::load(&path).unwrap_err().to_string();
        assert!(err.contains(name) && err.contains(want), "{err}");
        // The binary refuses to run with it and names the file.
        let out = jaga_in(
            &root(),
            &[
                "explain",
                "halo",
                "--rules",
                rules.to_str().unwrap(),
                "--model",
                path.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(name), "{}", stderr(&out));
    }
    let out = jaga_in(
        &root(),
        &["scan", "examples/feed.jsonl", "--model", "no/such.model"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such.model"), "{}", stderr(&out));
}

/// Copies a directory tree (the rules with their `lists/`).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_missing_default_model_warns_once_and_runs_rules_only() {
    // Rules with no model beside them (a copy), run from a directory without one either.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("copy/rules");
    copy_tree(&root().join("rules"), &rules);
    let feed = root().join("examples/feed.jsonl");
    let out = jaga_in(
        dir.path(),
        &[
            "scan",
            feed.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("no model at models/jaga.model").count(),
        1,
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\"source\":\"model\""));
    let quiet = jaga_in(
        dir.path(),
        &[
            "scan",
            feed.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
            "-q",
            "--no-model",
        ],
    );
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
    assert_eq!(
        quiet.stdout, out.stdout,
        "--no-model is the rules-only verdict"
    );
}

#[test]
fn from_another_directory_the_model_beside_the_rules_is_used() {
    // `jaga scan --rules /path/to/jaga/rules` run from elsewhere scores like a run in the
    // repository: the default path has no model, the one shipped beside the rules is taken.
    let dir = tempfile::tempdir().unwrap();
    let rules = root().join("rules");
    let feed = root().join("examples/feed.jsonl");
    let scan = |cwd: &Path| {
        jaga_in(
            cwd,
            &[
                "scan",
                feed.to_str().unwrap(),
                "--rules",
                rules.to_str().unwrap(),
                "-q",
            ],
        )
    };
    let elsewhere = scan(dir.path());
    assert_eq!(elsewhere.status.code(), Some(0), "{}", stderr(&elsewhere));
    let err = stderr(&elsewhere);
    assert!(
        err.contains("using the model beside the rules")
            && err.contains(&*root().join(model::DEFAULT_PATH).to_string_lossy())
            && !err.contains("no model at"),
        "{err}"
    );
    let at_home = scan(&root());
    assert!(
        String::from_utf8_lossy(&at_home.stdout).contains("\"source\":\"model\""),
        "the feed has model reasons"
    );
    assert_eq!(elsewhere.stdout, at_home.stdout, "the same verdicts");
}

#[test]
fn the_shipped_model_loads_fast_and_adds_model_reasons() {
    let path = root().join(model::DEFAULT_PATH);
    let len = std::fs::metadata(&path)
        .expect("models/jaga.model is shipped")
        .len();
    assert!(len < 20 << 20, "the shipped model is {len} bytes");
    let m = Model::load(&path).expect("the shipped model loads");
    assert!(m.file().summary.sources.len() >= 5);
    let e = engine().with_model(Some(m));
    let mut s = Scratch::new();
    let v = e.evaluate(
        &Event::message("Slot gacor maxwin malam ini, daftar sekarang bonus new member 100%"),
        &mut s,
    );
    let r = v
        .reasons
        .iter()
        .find(|r| r.id == "model.spam")
        .unwrap_or_else(|| panic!("{v:?}"));
    assert!(r.matched.starts_with("p=") && r.score > 0.0, "{r:?}");
    // The words behind a model reason are never stop words.
    let v = e.evaluate(
        &Event::message("kak aku di sini mau kasih info slot gacor maxwin di situs yang baru"),
        &mut s,
    );
    let r = v
        .reasons
        .iter()
        .find(|r| r.source == jaga_core::verdict::Source::Model)
        .unwrap_or_else(|| panic!("{v:?}"));
    let words = r.matched.split_once(": ").map_or("", |x| x.1);
    assert!(!words.is_empty(), "{r:?}");
    for w in words.split(", ") {
        assert!(!model::is_stop_word(w), "{w} in {r:?}");
    }
    let json = serde_json::to_string(&v).unwrap();
    assert!(json.contains(r#""source":"model""#), "{json}");
    let v = e.evaluate(
        &Event::message("Selamat pagi semua, semangat streaming!"),
        &mut s,
    );
    assert!(v.category.is_none(), "{v:?}");

    let out = jaga_in(
        &root(),
        &[
            "explain",
            "--json",
            "Slot gacor maxwin malam ini, daftar sekarang",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"model.spam\""));
}

#[test]
fn train_and_eval_commands() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.tsv");
    std::fs::write(&data, "ok\thalo semua\nphish\tklik link ini\n").unwrap();
    let out_model = dir.path().join("m.model");
    let out = jaga_in(
        &root(),
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out_model.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.tsv:2") && err.contains("--label-map"),
        "{err}"
    );
    assert!(!out_model.exists());

    let out = jaga_in(
        dir.path(),
        &[
            "train",
            "--from-store",
            "missing.db",
            "--rules",
            root().join("rules").to_str().unwrap(),
            "--out",
            "m2.model",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing.db: no review store there"),
        "{}",
        stderr(&out)
    );
    assert!(
        !dir.path().join("missing.db").exists(),
        "no store is created"
    );

    // A foreign-labelled file plus a bare-lines file, trained and then evaluated.
    let foreign = dir.path().join("foreign.tsv");
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!("ham\tmakan siang bareng yuk nanti jam {i}\n"));
        text.push_str(&format!("1\tslot gacor maxwin depo {i} bonus\n"));
    }
    text.push_str("no tab on this line\n");
    std::fs::write(&foreign, text).unwrap();
    let lines = dir.path().join("abuse.txt");
    std::fs::write(
        &lines,
        "dasar goblok lo\nmulut lo sampah\nbego banget sih lo\n",
    )
    .unwrap();
    let abuse = format!("abuse:{}@2", lines.display());
    let out = jaga_in(
        &root(),
        &[
            "train",
            "--data",
            foreign.to_str().unwrap(),
            "--data",
            &abuse,
            "--label-map",
            "ham=ok,1=spam",
            "--features",
            "256",
            "--holdout",
            "0",
            "--out",
            out_model.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a skipped line is reported: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("foreign.tsv:61: no tab"),
        "{}",
        stderr(&out)
    );
    let m = Model::load(&out_model).unwrap();
    let counts = &m.file().summary.sources[1].counts;
    assert_eq!(counts[Label::Abuse.index()], 3);

    // linfa-bayes prints its class histograms with a leftover `dbg!`; jaga silences it.
    let nb = dir.path().join("nb.model");
    let out = jaga_in(
        &root(),
        &[
            "train",
            "--data",
            foreign.to_str().unwrap(),
            "--label-map",
            "ham=ok,1=spam",
            "--algorithm",
            "naive-bayes",
            "--out",
            nb.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("class_count"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("trained naive_bayes"),
        "{}",
        stderr(&out)
    );

    let out = jaga_in(
        &root(),
        &[
            "eval",
            "--data",
            foreign.to_str().unwrap(),
            "--label-map",
            "ham=ok,1=spam",
            "--model",
            out_model.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["examples"], 60);
    for system in ["rules", "model", "combined", "model_argmax"] {
        assert!(report[system]["mcc"].is_number(), "{system}: {report}");
    }
    assert!(
        report["model_argmax"]["accuracy"].as_f64().unwrap() > 0.9,
        "{report}"
    );
}

/// The third-party corpora, when present: the documented `--data` forms load, and the
/// shipped model (which was trained on these messages too; held-out figures come from
/// `models/evaluate.sh`) separates harmful from ordinary messages in the SMS test part.
#[test]
fn shared_corpora_when_present() {
    let shared = std::env::var_os("JAGA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    if !shared.join("sms_uci_train.tsv").exists() {
        eprintln!("skipped: no shared data at {}", shared.display());
        return;
    }
    let sms = shared.join("sms_uci_train.tsv");
    let out = jaga_in(
        &root(),
        &[
            "eval",
            "--data",
            sms.to_str().unwrap(),
            "--split",
            "test",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = report["examples"].as_u64().unwrap();
    assert!((700..1100).contains(&n), "20% of 4,499 messages: {n}");
    let f1 = report["model_argmax"]["harmful"]["f1"].as_f64().unwrap();
    assert!(
        f1 > 0.8,
        "harmful-vs-ok F1 of the shipped model on SMS: {f1}"
    );
    let spam = shared.join("tg-spam/spam-samples.txt");
    let loaded = train::load(
        &[format!("spam:{}", spam.display()).parse().unwrap()],
        &LabelMap::default(),
        Split::All,
        20,
    )
    .unwrap();
    assert!(loaded.examples.len() > 100);
    assert!(loaded
        .examples
        .iter()
        .all(|e| e.label == Label::Spam.into()));
}

/// The probability of `label` for one text under a model file.
fn prob(path: &Path, text: &str, label: Label) -> f32 {
    let m = Model::load(path).unwrap();
    let e = engine();
    let mut s = Scratch::new();
    let mut ms = model::Scratch::default();
    let ev = Event::message(text);
    let p = m.predict(&e.model_inputs(&ev, &mut s), &mut ms);
    p[label.index()]
}

#[test]
fn train_from_store_learns_the_admins_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rules = root().join("rules");
    let rules = rules.to_str().unwrap();
    // A community whose pre-order (PO) announcements get flagged as spam, by the model or a
    // rule: admins dismiss those cases again and again, and confirm real gambling spam. The
    // cases go in through the store's own API, so the test does not hang on what today's
    // rules and model happen to flag.
    let preorder = [
        "Open PO lightstick resmi, transfer DP 50% ke rekening panitia, dikirim bulan depan",
        "Jastip album resmi, DP dulu via transfer, bonus poster, daftar sekarang sebelum slot penuh",
        "PO merch resmi batch 2 dibuka, daftar sekarang lewat form, bonus photocard",
    ];
    let gambling = [
        "Slot gacor malam ini maxwin, depo 10rb bonus new member 100%, daftar sekarang",
        "Situs slot gacor terpercaya, wd berapapun dibayar, bonus deposit harian",
    ];
    let flagged = |id: &str, text: &str| {
        let ev = Event {
            id: id.into(),
            group: "fanbase".into(),
            text: text.into(),
            ..Event::default()
        };
        let v: jaga_core::Verdict = serde_json::from_value(serde_json::json!({
            "id": id, "kind": "message", "category": "spam", "action": "hide",
            "scores": {"spam": 0.7, "scam": 0.0, "doxing": 0.0, "abuse": 0.0},
            "reasons": [],
        }))
        .unwrap();
        (ev, v)
    };
    let mut sink = jaga::review::CaseSink::new(
        jaga_store::Store::open(&d.join("cases.db"), jaga_store::Durability::Normal).unwrap(),
    );
    for (i, t) in preorder.iter().chain(gambling.iter()).enumerate() {
        let (ev, v) = flagged(&format!("e{i}"), t);
        sink.add(&ev, &v);
    }
    // One case nobody decides: pending cases are not labels.
    let (ev, v) = flagged(
        "pending",
        "Slot gacor maxwin hari ini, depo pulsa tanpa potongan",
    );
    sink.add(&ev, &v);
    assert_eq!(sink.finish().unwrap(), 6);
    let out = jaga_in(d, &["review", "list", "--store", "cases.db", "--json"]);
    let cases: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let id_of = |event: &str| {
        cases
            .iter()
            .find(|c| c["event_id"] == event)
            .unwrap_or_else(|| panic!("no case for {event}: {cases:?}"))["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let decide = |i: usize, decision: &str| {
        let out = jaga_in(
            d,
            &[
                "review",
                "decide",
                &id_of(&format!("e{i}")),
                decision,
                "--store",
                "cases.db",
                "--admin",
                "rini",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    };
    for i in 0..preorder.len() {
        decide(i, "dismiss");
    }
    for i in preorder.len()..preorder.len() + gambling.len() {
        decide(i, "confirm");
    }

    // The hand-written seed corpus as the base, with and without the store.
    let seed: Vec<String> = seed_specs().iter().map(|s| s.spec.clone()).collect();
    let train = |extra: &[&str], out: &str| {
        let mut args = vec!["train", "--rules", rules, "--holdout", "0", "--out", out];
        for s in &seed {
            args.extend(["--data", s.as_str()]);
        }
        args.extend(extra);
        let out = jaga_in(d, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stderr(&out)
    };
    train(&[], "base.model");
    let err = train(&["--from-store", "cases.db"], "adapted.model");
    assert!(
        err.contains("5 decided case(s) from cases.db (each counts 8x)"),
        "{err}"
    );
    let m = Model::load(&d.join("adapted.model")).unwrap();
    let store = m.file().summary.sources.last().unwrap();
    assert!(store.path.starts_with("store:cases.db"), "{store:?}");
    assert_eq!(store.counts[Label::Ok.index()], 3);
    assert_eq!(store.counts[Label::Spam.index()], 2);

    // A new pre-order announcement, worded differently: the adapted model learned that
    // this community's pre-orders are fine.
    let unseen = "Open PO album resmi batch 3, DP via transfer ke rekening panitia, bonus poster";
    let before = prob(&d.join("base.model"), unseen, Label::Ok);
    let after = prob(&d.join("adapted.model"), unseen, Label::Ok);
    assert!(
        after > before + 0.2 && after > 0.5,
        "p(ok) before {before:.3}, after {after:.3}"
    );
    // ...and still knows gambling spam.
    let spam = "Slot gacor maxwin malam ini, depo 10rb langsung main";
    let (base_spam, adapted_spam) = (
        prob(&d.join("base.model"), spam, Label::Spam),
        prob(&d.join("adapted.model"), spam, Label::Spam),
    );
    assert!(
        adapted_spam > 0.5,
        "p(spam) before {base_spam:.3}, after {adapted_spam:.3}"
    );

    // eval reads the store too: the admins' decisions as a test set.
    let out = jaga_in(
        d,
        &[
            "eval",
            "--from-store",
            "cases.db",
            "--rules",
            rules,
            "--model",
            "adapted.model",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["examples"], 5, "{report}");
}

/// A copy of the shipped rules with one line of the policy replaced.
fn rules_with_policy_line(from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["", "lists"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for f in std::fs::read_dir(root().join("rules").join(sub)).unwrap() {
            let f = f.unwrap();
            if f.file_type().unwrap().is_file() {
                std::fs::copy(f.path(), dir.path().join(sub).join(f.file_name())).unwrap();
            }
        }
    }
    let policy = dir.path().join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(
        text.contains(from),
        "the shipped policy has no line {from:?}"
    );
    std::fs::write(&policy, text.replace(from, to)).unwrap();
    dir
}

#[test]
fn the_model_never_tips_a_verdict_into_mute_or_ban() {
    // An illegal loan ad asking an up-front fee (a scam; the hand-written sets label a loan
    // ad without a fee promotion, spam) whose rule score reaches remove; the model agrees
    // strongly, which pushes the scam score past the ban threshold (0.97).
    let text = "Pinjaman online cair 10 menit tanpa BI checking, cukup KTP, bayar biaya admin 200rb dulu ke rekening kami! Daftar di https://bit.ly/danacepat";
    let ev = Event::message(text);
    let mut s = Scratch::new();
    let rules_only = engine().evaluate(&ev, &mut s);
    let with_model = engine().with_model(Some(shipped())).evaluate(&ev, &mut s);
    assert_eq!(
        rules_only.action,
        jaga_core::verdict::Action::Remove,
        "{rules_only:?}"
    );
    assert!(
        with_model.scores.scam >= 0.97 && with_model.scores.scam > rules_only.scores.scam,
        "{with_model:?}"
    );
    assert_eq!(
        with_model.action,
        jaga_core::verdict::Action::Remove,
        "the model corroborates up to remove only"
    );
    // An admin who trusts the model further raises `max_action`.
    let dir = rules_with_policy_line("max_action = \"remove\"", "max_action = \"ban\"");
    let e = Engine::load(dir.path())
        .unwrap()
        .with_model(Some(shipped()));
    assert_eq!(
        e.evaluate(&ev, &mut s).action,
        jaga_core::verdict::Action::Ban
    );
}

/// `[model] unless`: a member's own shipping details ("Nama ... Alamat ... No HP ..., chat aku
/// aja kalo paketnya nyasar, ... dia muter2 di gang sebelah") read like an exposure to the
/// model (p near 0.9 for doxing), but `doxing.own_details` knows they are hers ("chat aku"),
/// so the model's doxing reason is kept out and the address stage alone asks for a look.
/// Without the `unless` line the same details are hidden on the model's word. The courier
/// ("dia") keeps the address stage from hearing her own voice: without him the stage itself
/// takes the address as hers, and the model, which reads the stage's findings, no longer sees
/// one (as for a form headed "Format order").
#[test]
fn the_senders_own_details_keep_the_models_doxing_reason_out() {
    let own = "Nama: Rina S\nAlamat: Jl. Melati no 12 RT 02/05, Cibubur\nNo HP: 0812xxxx4455\nchat aku aja kalo paketnya nyasar";
    let text = format!("{own}, kurirnya kemarin bingung, dia muter2 di gang sebelah");
    let ev = Event::message(&text);
    let mut s = Scratch::new();
    let ids = |v: &jaga_core::verdict::Verdict| -> Vec<String> {
        v.reasons.iter().map(|r| r.id.clone()).collect()
    };
    let v = engine()
        .with_model(Some(shipped()))
        .evaluate(&Event::message(own), &mut s);
    assert_eq!(v.action, jaga_core::verdict::Action::Allow, "{v:?}");
    assert!(!ids(&v).contains(&"doxing.address".to_string()), "{v:?}");
    let v = engine().with_model(Some(shipped())).evaluate(&ev, &mut s);
    assert!(ids(&v).contains(&"doxing.own_details".to_string()), "{v:?}");
    assert!(!ids(&v).contains(&"model.doxing".to_string()), "{v:?}");
    assert!(
        v.action.severity() <= jaga_core::verdict::Action::Review.severity(),
        "{v:?}"
    );

    let dir = rules_with_policy_line("unless = { doxing = [\"doxing.own_details\"] }", "");
    let e = Engine::load(dir.path())
        .unwrap()
        .with_model(Some(shipped()));
    let v = e.evaluate(&ev, &mut s);
    assert!(ids(&v).contains(&"model.doxing".to_string()), "{v:?}");
    assert!(
        v.action.severity() >= jaga_core::verdict::Action::Hide.severity(),
        "{v:?}"
    );
}

/// `[model] review_at`: where the model is sure enough of doxing (p 0.71 here, my own
/// message) but its weighted score stays under the review threshold, it asks for review on
/// its own; without the line the message is allowed. Never more than review, and not in a
/// warning, a report or a quotation: there the model's words are often the harm told of.
#[test]
fn a_sure_model_asks_for_review_on_its_own_except_in_a_report() {
    use jaga_core::verdict::{Action, Category};
    let review_at = "review_at = { spam = 0.65, doxing = 0.65, abuse = 0.70 }";
    let text = "Dina kuliah di kampus deket pasar";
    let p = predict(&engine(), &shipped(), text)[Label::Doxing.index()];
    // Above review_at, below the probability whose score alone reaches review (0.786).
    assert!(
        (0.65..0.78).contains(&p),
        "p(doxing) = {p}: pick another message"
    );
    let mut s = Scratch::new();
    let v = engine()
        .with_model(Some(shipped()))
        .evaluate(&Event::message(text), &mut s);
    assert_eq!(
        (v.action, v.category),
        (Action::Review, Some(Category::Doxing)),
        "{v:?}"
    );
    assert!(
        v.scores.doxing < 0.40,
        "the score alone is under review: {v:?}"
    );
    let scored: Vec<&str> = v
        .reasons
        .iter()
        .filter(|r| r.score > 0.0)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(scored, ["model.doxing"], "{v:?}");

    let dir = rules_with_policy_line(review_at, "");
    let e = Engine::load(dir.path())
        .unwrap()
        .with_model(Some(shipped()));
    let v = e.evaluate(&Event::message(text), &mut s);
    assert_eq!(v.action, Action::Allow, "{v:?}");

    // A member reporting a message she received (a `[quoted] frame` fired): the model reads
    // the quoted words (p about 0.4 here), and a policy asking for review from p 0.15 asks
    // for the unframed message but not for the report.
    let reported = "min ada yg ngirim ini: \"Dina kuliah di kampus deket pasar, jurusan hukum\"";
    let low = rules_with_policy_line(review_at, "review_at = { doxing = 0.15 }");
    let policy = low.path().join("policy.toml");
    let src = std::fs::read_to_string(&policy).unwrap();
    assert!(
        src.contains("floor = 0.5\n"),
        "the shipped policy's floor moved"
    );
    std::fs::write(&policy, src.replace("floor = 0.5\n", "floor = 0.1\n")).unwrap();
    let e = Engine::load(low.path())
        .unwrap()
        .with_model(Some(shipped()));
    let p = predict(&e, &shipped(), reported)[Label::Doxing.index()];
    assert!((0.15..0.5).contains(&p), "p(doxing) of the report = {p}");
    let v = e.evaluate(&Event::message(reported), &mut s);
    assert!(v.reasons.iter().any(|r| r.id == "model.doxing"), "{v:?}");
    assert!(v.helpers.iter().any(|h| h == "safety.warning"), "{v:?}");
    assert_eq!(v.action, Action::Allow, "{v:?}");
    let plain = "Dina kuliah di kampus";
    let p = predict(&e, &shipped(), plain)[Label::Doxing.index()];
    assert!((0.15..0.6).contains(&p), "p(doxing) of {plain:?} = {p}");
    let v = e.evaluate(&Event::message(plain), &mut s);
    assert!(v.scores.doxing < 0.40, "{v:?}");
    assert_eq!(v.action, Action::Review, "{v:?}");
}

/// `[model] review_needs`: the model's abuse probability alone is not enough to ask for
/// review, since friendly chat reaches it ("hi girls, see you tonight!", p 0.78: the model
/// still reads "see you tonight" as a stalker's);
/// the rules must see something of abuse besides (`abuse.model_context`: here a photo of a
/// body part asked for). Without the line the greeting goes to review.
#[test]
fn the_models_own_abuse_review_needs_the_rules_context() {
    use jaga_core::verdict::{Action, Category};
    let greeting = "hi girls, see you tonight!";
    let ask = "kirim foto punggung kamu kemarin jatoh dong";
    for text in [greeting, ask] {
        let p = predict(&engine(), &shipped(), text)[Label::Abuse.index()];
        // Over review_at.abuse (0.70), under what the score alone reviews (0.82).
        assert!((0.70..0.81).contains(&p), "p(abuse) of {text:?} = {p}");
    }
    let e = engine().with_model(Some(shipped()));
    let mut s = Scratch::new();
    let v = e.evaluate(&Event::message(greeting), &mut s);
    assert_eq!(v.action, Action::Allow, "{v:?}");
    assert!(
        !v.helpers.iter().any(|h| h == "abuse.model_context"),
        "{v:?}"
    );
    let v = e.evaluate(&Event::message(ask), &mut s);
    assert_eq!(
        (v.action, v.category),
        (Action::Review, Some(Category::Abuse)),
        "{v:?}"
    );
    assert!(
        v.scores.abuse < 0.45,
        "the score alone is under review: {v:?}"
    );
    assert!(
        v.helpers.iter().any(|h| h == "abuse.model_context"),
        "{v:?}"
    );

    let dir = rules_with_policy_line("review_needs = { abuse = \"abuse.model_context\" }", "");
    let e = Engine::load(dir.path())
        .unwrap()
        .with_model(Some(shipped()));
    let v = e.evaluate(&Event::message(greeting), &mut s);
    assert_eq!(v.action, Action::Review, "{v:?}");
}

/// A group that allows a kind of rule (`allow = ["promotion"]`: selling in the group-order
/// group) gets no spam review from the model on its own: the model cannot tell promotion from
/// spam. The same message elsewhere is reviewed.
#[test]
fn the_model_asks_no_spam_review_where_the_group_allows_selling() {
    use jaga_core::verdict::Action;
    let text = "aku jual pc jennie dupe, harga 45rb, dm aja";
    let p = predict(&engine(), &shipped(), text)[Label::Spam.index()];
    assert!(
        (0.65..0.77).contains(&p),
        "p(spam) = {p}: pick another message"
    );
    let e = engine().with_model(Some(shipped()));
    let mut s = Scratch::new();
    let v = e.evaluate(&Event::message(text), &mut s);
    assert_eq!(v.action, Action::Review, "{v:?}");
    let in_go = Event {
        group: "Jastip & GO Korea".into(),
        ..Event::message(text)
    };
    let v = e.evaluate(&in_go, &mut s);
    assert_eq!(v.action, Action::Allow, "{v:?}");
    assert!(v.reasons.iter().any(|r| r.id == "model.spam"), "{v:?}");
}
