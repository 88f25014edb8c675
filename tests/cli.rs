//! Integration tests of the `jaga` binary: real files, real processes, real exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn jaga(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run jaga")
}

/// `jaga rules check --no-model --rules DIR`: a test rule set's checks, rules only.
fn rules_check_no_model(dir: &Path) -> Output {
    jaga(&[
        "rules",
        "check",
        "--no-model",
        "--rules",
        dir.to_str().unwrap(),
    ])
}

fn jaga_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jaga");
    // jaga may exit before reading (a broken rule set); a closed pipe is not a test failure.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("verdict is JSON"))
        .collect()
}

#[test]
fn scans_the_example_feed_in_order_with_valid_spans() {
    let out = jaga(&["scan", "examples/feed.jsonl"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts = lines(&out.stdout);
    let events: Vec<serde_json::Value> =
        std::fs::read_to_string(root().join("examples/feed.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert_eq!(verdicts.len(), events.len());
    for (v, e) in verdicts.iter().zip(&events) {
        assert_eq!(v["id"], e["id"], "verdicts keep input order");
        let text = e["text"].as_str().unwrap();
        for r in v["reasons"].as_array().unwrap() {
            for sp in r["spans"].as_array().unwrap() {
                let text = match sp["field"].as_str() {
                    Some("text") => text,
                    Some("name") => e["name"].as_str().unwrap_or(""),
                    other => panic!("a span names its field: {other:?} in {sp}"),
                };
                let (a, b) = (
                    sp["start"].as_u64().unwrap() as usize,
                    sp["end"].as_u64().unwrap() as usize,
                );
                assert!(
                    a <= b && b <= text.len(),
                    "span {a}..{b} out of range in {}",
                    e["id"]
                );
                assert!(
                    text.is_char_boundary(a) && text.is_char_boundary(b),
                    "span not on char boundaries in {}",
                    e["id"]
                );
            }
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("30 events"), "{stderr}");
    assert!(stderr.contains("0 line(s) with errors"), "{stderr}");
}

#[test]
fn bad_lines_are_reported_with_line_numbers_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl");
    let mut data = Vec::new();
    data.extend_from_slice(b"{\"id\":\"a\",\"text\":\"halo semua\"}\n");
    data.extend_from_slice(b"{\"id\":\"b\",\"text\":\"unterminated\n");
    data.extend_from_slice(b"{\"id\":\"c\",\"text\":\"bad \xff\xfe bytes\"}\n");
    data.extend_from_slice(b"\n");
    data.extend_from_slice(
        format!("{{\"id\":\"d\",\"text\":\"{}\"}}\n", "x".repeat(5000)).as_bytes(),
    );
    data.extend_from_slice(b"{\"id\":\"e\",\"ts\":\"not a time\"}\n");
    data.extend_from_slice(b"{\"id\":\"f\",\"text\":\"sampai jumpa\"}");
    std::fs::write(&path, &data).unwrap();
    let out = jaga(&["scan", path.to_str().unwrap(), "--max-event-bytes", "1000"]);
    assert_eq!(out.status.code(), Some(1), "some lines failed");
    let ids: Vec<String> = lines(&out.stdout)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        vec!["a", "f"],
        "good lines still get verdicts, in order, including a last line without newline"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.jsonl:2: not a valid event"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.jsonl:3: not valid UTF-8 at byte 22"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.jsonl:5: event is longer than 1000 bytes"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.jsonl:6: not a valid event"),
        "{stderr}"
    );
    assert!(stderr.contains("4 line(s) with errors"), "{stderr}");
}

#[test]
fn reads_standard_input_and_writes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("v.jsonl");
    let out = jaga_stdin(
        &["scan", "-", "--out", out_path.to_str().unwrap(), "--quiet"],
        b"{\"id\":1,\"text\":\"halo\"}\n{\"id\":2,\"kind\":\"join_request\",\"name\":\"Putri\",\"text\":\"mau ikut\"}\n",
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "--quiet and --out leave stdout/stderr empty"
    );
    let v = lines(&std::fs::read(&out_path).unwrap());
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["id"], "1");
    assert_eq!(v[1]["kind"], "join_request");
    assert_eq!(v[1]["action"], "approve");
}

fn broken_rules() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("rules/policy.toml"),
        dir.path().join("policy.toml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    for f in ["shorteners.txt", "brands.txt", "abused-tlds.txt"] {
        std::fs::copy(
            root().join("rules/lists").join(f),
            dir.path().join("lists").join(f),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[rule]]\nid = \"spam.x\"\ncategory = \"spam\"\nregex = \"(oops\"\nscore = 0.5\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_broken_rule_set_is_refused_with_file_and_line() {
    let dir = broken_rules();
    let out = jaga(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.toml:4: error: rule `spam.x`: bad regex"),
        "{stderr}"
    );
    let out = jaga_stdin(
        &["scan", "--rules", dir.path().to_str().unwrap()],
        b"{\"text\":\"x\"}\n",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "scan refuses to run on broken rules"
    );
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml:4"));
}

#[test]
fn rules_check_warns_about_a_regex_that_runs_on_every_message() {
    // The broken file's directory, with a loadable rule file instead: a regex that can start
    // with any digit and holds no string of three characters is searched through every
    // message, one that starts with a word is tried only where the word is.
    let dir = broken_rules();
    std::fs::remove_file(dir.path().join("bad.toml")).unwrap();
    std::fs::write(
        dir.path().join("amounts.toml"),
        concat!(
            "[[rule]]\nid = \"spam.amount\"\ndescription = \"An amount.\"\ndescription_id = \"Nominal.\"\n",
            "category = \"spam\"\nregex = '\\d+ ?rb'\nscore = 0.5\n\n",
            "[[rule]]\nid = \"spam.send\"\ndescription = \"Send money.\"\ndescription_id = \"Kirim uang.\"\n",
            "category = \"spam\"\nregex = 'kirim \\d+'\nscore = 0.5\n",
        ),
    )
    .unwrap();
    let out = rules_check_no_model(dir.path());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "a warning: {stdout}\n{stderr}");
    assert!(
        stderr.contains("amounts.toml:")
            && stderr
                .contains(": warning: rule `spam.amount`: regex `\\d+ ?rb` runs on every message")
            && stderr.contains("start it with a literal word"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("runs on every message").count(),
        1,
        "not `kirim \\d+`: {stderr}"
    );
}

/// A verdict-level test may pin the most severe action allowed (`at_most`) instead of the
/// exact verdict: it passes at that action or below and fails above it, and a test that pins
/// nothing, or both an exact action and a ceiling, is refused.
#[test]
fn a_verdict_test_can_pin_the_most_severe_action_allowed() {
    let dir = broken_rules();
    std::fs::remove_file(dir.path().join("bad.toml")).unwrap();
    let rule = concat!(
        "[[rule]]\nid = \"spam.buy_now\"\ndescription = \"Buy now.\"\ndescription_id = \"Beli sekarang.\"\n",
        "category = \"spam\"\nkeywords = [\"beli sekarang juga\"]\nscore = 0.95\n\n",
    );
    let check = |tests: &str| {
        std::fs::write(dir.path().join("t.toml"), format!("{rule}{tests}")).unwrap();
        let out = rules_check_no_model(dir.path());
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + String::from_utf8_lossy(&out.stderr).as_ref(),
        )
    };
    let (code, out) = check(concat!(
        "[[test]]\ntext = \"halo semua\"\nat_most = \"review\"\n\n",
        "[[test]]\ntext = \"beli sekarang juga\"\nexpect = \"spam\"\nat_most = \"ban\"\n",
    ));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("2 tests passed, 0 failed"), "{out}");
    let (code, out) = check("[[test]]\ntext = \"beli sekarang juga\"\nat_most = \"review\"\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "test expects any category, at most review for \"beli sekarang juga\" but got spam -> "
        ),
        "{out}"
    );
    let (code, out) = check("[[test]]\ntext = \"halo\"\nnote = \"nothing pinned\"\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("test has neither `expect` nor `at_most`"),
        "{out}"
    );
    let (code, out) = check(
        "[[test]]\ntext = \"halo\"\nexpect = \"ok\"\naction = \"allow\"\nat_most = \"review\"\n",
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("both `action` (the exact action) and `at_most`"),
        "{out}"
    );
}

#[test]
fn missing_input_is_fatal() {
    let out = jaga(&["scan", "no/such/file.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open no/such/file.jsonl"));
}

#[test]
fn shipped_rules_pass_their_own_checks() {
    let out = jaga(&["rules", "check", "rules"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    // The only warnings: the regexes that still run on every message, each cheaper so than
    // any rewrite measured (README, "Performance"). Any other warning, or another such regex,
    // fails here.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    let mut every: Vec<&str> = warnings
        .iter()
        .filter(|l| l.contains("runs on every message"))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    every.sort_unstable();
    assert_eq!(
        every,
        [
            "harass.minor_ref",
            "pay.amount",
            "sexual.ad_marks",
            "sms.tariff",
            "transfer.rekber_pitch"
        ],
        "{stderr}"
    );
    assert_eq!(warnings.len(), every.len(), "{stderr}");
    assert!(
        stdout.contains(&format!("; {} warning(s);", warnings.len())),
        "{stdout}"
    );
}

#[test]
fn rules_check_from_another_directory_uses_the_model_beside_the_rules() {
    // The verdict tests of the shipped rules need the shipped model; from a directory without
    // `models/jaga.model`, `rules check` takes the one beside the rules directory.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(["rules", "check", "--rules"])
        .arg(root().join("rules"))
        .current_dir(elsewhere.path())
        .output()
        .expect("run jaga");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    assert!(
        stderr.contains("using the model beside the rules")
            && stderr.contains(&*root().join("models/jaga.model").to_string_lossy()),
        "{stderr}"
    );
    // Asked for rules only, it stays rules only (and some verdict tests then fail).
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(["rules", "check", "--no-model", "--rules"])
        .arg(root().join("rules"))
        .current_dir(elsewhere.path())
        .output()
        .expect("run jaga");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("beside the rules"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn explain_highlights_the_evidence() {
    let out = jaga(&["explain", "Klaim hadiah di bca-promo.xyz/klaim sekarang"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("[[bca-promo.xyz/klaim]]"), "{s}");
    assert!(s.contains("scam.lookalike_brand_link"), "{s}");
    assert!(s.contains("verdict:    scam -> remove"), "{s}");
    // The helpers that fired are named too, though the verdict keeps them as ids only.
    assert!(
        s.contains("helpers:") && s.contains("safety.offer_call"),
        "{s}"
    );
    let out = jaga(&["explain", "--json", "--kind", "join_request", "halo kak"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["action"], "approve");
}

#[test]
fn help_is_available_everywhere() {
    for args in [
        &["--help"][..],
        &["scan", "--help"],
        &["explain", "--help"],
        &["rules", "check", "--help"],
    ] {
        let out = jaga(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    assert!(String::from_utf8_lossy(&jaga(&["--help"]).stdout).contains("Exit codes"));
}

#[test]
fn readme_documents_every_signal() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for s in jaga_core::signal::Signal::ALL {
        assert!(
            readme.contains(&format!("`{}`", s.as_str())),
            "README lacks signal {s}"
        );
    }
    let _ = Path::new("");
}
