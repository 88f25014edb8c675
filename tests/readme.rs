//! The README's quick-start commands run as written: each `cargo run --release -- ...` line
//! of the first two `sh` blocks is run through a shell with the test's `jaga` binary in
//! place of `cargo run --release --`, in a scratch directory that holds the repository's
//! `examples/`, `rules/` and `models/` (so outputs like `verdicts.jsonl` land there).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The command lines of the README's first `sh` blocks that run jaga.
fn quick_start_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut commands = Vec::new();
    for block in readme.split("```sh\n").skip(1).take(2) {
        let body = block.split("```").next().unwrap_or("");
        for line in body.lines() {
            let line = line.split("  #").next().unwrap_or("").trim();
            if let Some(rest) = line.strip_prefix("cargo run --release -- ") {
                commands.push(rest.to_string());
            }
        }
    }
    commands
}

#[test]
fn quick_start_commands_run_as_written() {
    let commands = quick_start_commands();
    assert!(
        commands.iter().any(|c| c.starts_with("scan ")) && commands.len() >= 5,
        "the quick start shows scan, explain, rules check, eval: {commands:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    for d in ["examples", "rules", "models"] {
        std::os::unix::fs::symlink(root().join(d), dir.path().join(d)).unwrap();
    }
    let shared = root().join("../shared/data");
    let jaga = env!("CARGO_BIN_EXE_jaga");
    for c in &commands {
        if c.contains("../shared/data") && !Path::new(&shared).exists() {
            eprintln!("skipped (no ../shared/data here): {c}");
            continue;
        }
        // Relative paths to the shared data are the repository's, not the scratch dir's.
        let c_run = c.replace("../shared/data", &shared.display().to_string());
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("'{jaga}' {c_run}"))
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "`{c}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let verdicts = std::fs::read_to_string(dir.path().join("verdicts.jsonl")).unwrap();
    assert!(verdicts.lines().count() > 10, "the scan wrote its verdicts");
    assert!(
        dir.path().join("report.html").exists(),
        "the export scan wrote its report"
    );
}
