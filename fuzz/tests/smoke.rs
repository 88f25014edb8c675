//! A short run of every fuzz target on stable: the seeds, then mutations of them and inputs
//! made of format tokens, for `JAGA_FUZZ_SECS` seconds per target (default 3) or
//! `JAGA_FUZZ_RUNS` inputs (default 20000), whichever comes first. It keeps the targets
//! building and catches what a short blind run can; `cargo fuzz run` (see fuzz/README.md)
//! is the real, coverage-guided fuzzing. `JAGA_FUZZ_SEED` replays one run.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jaga_fuzz::mutate::{garbage, mutate, Rng};

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = jaga_fuzz::repo_root().join("fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect()
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn smoke(target: &str) {
    let body = jaga_fuzz::TARGETS
        .iter()
        .find(|(n, _)| *n == target)
        .map(|(_, f)| *f)
        .expect("a known target");
    let seeds = seeds(target);
    assert!(!seeds.is_empty(), "{target} has seeds");
    for (path, data) in &seeds {
        eprintln!("{target}: seed {}", path.display());
        body(data);
    }
    let secs = env_u64("JAGA_FUZZ_SECS", 3);
    let runs = env_u64("JAGA_FUZZ_RUNS", 20_000);
    let seed = env_u64("JAGA_FUZZ_SEED", 0x9E37_79B9_7F4A_7C15);
    let mut rng = Rng::new(seed ^ target.len() as u64);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut n = 0u64;
    while n < runs && Instant::now() < deadline {
        let input = if rng.below(8) == 0 {
            garbage(&mut rng)
        } else {
            let a = &seeds[rng.below(seeds.len())].1;
            let b = &seeds[rng.below(seeds.len())].1;
            mutate(&mut rng, a, b)
        };
        let result = std::panic::catch_unwind(|| body(&input));
        if result.is_err() {
            let out = std::env::temp_dir().join(format!("jaga-fuzz-{target}-crash-{n}"));
            std::fs::write(&out, &input).unwrap();
            panic!(
                "{target}: input {n} of the run with JAGA_FUZZ_SEED={seed} failed; saved to {} (replay: cargo fuzz run {target} {})",
                out.display(),
                out.display()
            );
        }
        n += 1;
    }
    eprintln!(
        "{target}: {} seeds and {n} generated inputs passed",
        seeds.len()
    );
}

#[test]
fn event_line() {
    smoke("event_line");
}

#[test]
fn normalise() {
    smoke("normalise");
}

#[test]
fn whatsapp() {
    smoke("whatsapp");
}

#[test]
fn telegram() {
    smoke("telegram");
}

#[test]
fn zip() {
    smoke("zip");
}

#[test]
fn rule_file() {
    smoke("rule_file");
}
