//! `jaga scan` on exported chats, through the real binary: verdicts with their origin, join
//! events that the rules see, the HTML report, several inputs, damaged input, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> String {
    root()
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

fn jaga(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run jaga")
}

fn verdicts(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("verdict is JSON"))
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The shipped rules plus two test rules: a keyword, and one that needs the sender's first
/// message in the group (which only join tracking can tell).
fn test_rules() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &Path, to: &Path| std::fs::copy(from, to).unwrap();
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            copy(&p, &dir.path().join(p.file_name().unwrap()));
        }
    }
    for entry in std::fs::read_dir(root().join("rules/lists")).unwrap() {
        let p = entry.unwrap().path();
        copy(&p, &dir.path().join("lists").join(p.file_name().unwrap()));
    }
    std::fs::write(
        dir.path().join("test.toml"),
        r#"
[[rule]]
id = "scam.test_loan"
description = "Loan offers (test rule)"
category = "scam"
keywords = ["pinjaman"]
score = 0.9
action = "remove"
tests = { hit = ["ada pinjaman"], miss = ["halo"] }

[[rule]]
id = "spam.test_newcomer"
description = "Greets on the first message after joining (test rule)"
category = "spam"
keywords = ["halo"]
when = { first_message = true }
score = 0.5
tests = { hit = [{ text = "halo kak", member_messages = 0 }], miss = [{ text = "halo kak", member_messages = 3 }, "halo kak"] }
"#,
    )
    .unwrap();
    dir
}

#[test]
fn whatsapp_export_to_verdicts_with_origin_and_join_events() {
    let rules = test_rules();
    let path = fixture("whatsapp/WhatsApp Chat with ARMY Peduli.txt");
    // Exact actions of the test rules: rules only, whatever the shipped model adds.
    let out = jaga(&[
        "scan",
        &path,
        "--rules",
        rules.path().to_str().unwrap(),
        "--no-model",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = verdicts(&out.stdout);
    assert_eq!(v.len(), 11, "7 messages and 4 joins");
    for x in &v {
        assert_eq!(x["origin"]["file"], path.as_str());
        assert!(x["origin"]["line"].as_u64().unwrap() >= 1);
    }
    let kinds: Vec<&str> = v.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "join_request").count(), 4);
    let join = v.iter().find(|x| x["origin"]["line"] == 6).unwrap();
    assert_eq!(
        (join["kind"].as_str(), join["action"].as_str()),
        (Some("join_request"), Some("approve"))
    );
    // The newcomer's first message: the loan rule, and the rule that needs "first message".
    let first = v.iter().find(|x| x["origin"]["line"] == 7).unwrap();
    let ids: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"scam.test_loan") && ids.contains(&"spam.test_newcomer"),
        "{ids:?}"
    );
    assert_eq!(first["action"], "remove");
    // Rina's greeting: her join is not in the export, so "first message" is unknown: no fire.
    let rina = v.iter().find(|x| x["origin"]["line"] == 4).unwrap();
    assert!(rina["reasons"].as_array().unwrap().is_empty(), "{rina}");
    let e = stderr(&out);
    assert!(e.contains("11 events"), "{e}");
    assert!(
        e.contains("whatsapp (UTF-8), 7 messages, 4 joins, 6 system, 1 deleted, 2 media, dates read as day/month"),
        "{e}"
    );
    assert!(
        !e.contains("pinjaman") && !e.contains("0812"),
        "no message text on stderr: {e}"
    );
}

#[test]
fn zip_attachments_reach_the_attachment_rules() {
    let out = jaga(&[
        "scan",
        &fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip"),
        "--no-model",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = verdicts(&out.stdout);
    let apk = v.iter().find(|x| x["origin"]["line"] == 2).unwrap();
    assert!(apk["origin"]["file"]
        .as_str()
        .unwrap()
        .ends_with(".zip/WhatsApp Chat with ARMY Peduli.txt"));
    let reason = &apk["reasons"][0];
    assert_eq!(reason["id"].as_str(), Some("scam.apk_attachment"));
    assert!(
        reason["spans"].as_array().unwrap().is_empty(),
        "an attachment reason points into no text: {reason}"
    );
    assert_eq!(apk["action"], "remove");
    let resi = v.iter().find(|x| x["origin"]["line"] == 5).unwrap();
    assert_eq!(resi["reasons"][0]["matched"], "Cek Resi.apk");
}

#[test]
fn report_is_self_contained_highlighted_and_masked() {
    let rules = test_rules();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let verdict_file = dir.path().join("v.jsonl");
    let out = jaga(&[
        "scan",
        &fixture("whatsapp/WhatsApp Chat with ARMY Peduli.txt"),
        &fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip"),
        &fixture("telegram/single.json"),
        "--rules",
        rules.path().to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--out",
        verdict_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let v = verdicts(&std::fs::read(&verdict_file).unwrap());
    let files: std::collections::BTreeSet<&str> = v
        .iter()
        .map(|x| x["origin"]["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 3, "one origin file per input: {files:?}");
    let html = std::fs::read_to_string(&report).unwrap();
    for section in [
        "Per category",
        "Per action",
        "Flagged messages per day",
        "Users with most flags",
        "Rules that fired most",
        "Inputs",
    ] {
        assert!(html.contains(section), "report lacks {section}");
    }
    assert!(
        html.contains("<mark>pinjaman"),
        "matched spans are highlighted"
    );
    assert!(html.contains("scam.test_loan") && html.contains("scam.apk_attachment"));
    assert!(html.contains("<svg"));
    // Personal data: the phone numbers in texts and sender names are masked.
    for raw in ["0812-3456-0491", "857-1111-2222", "812-3456-0491"] {
        assert!(!html.contains(raw), "report shows {raw}");
    }
    // Senders as the app shows them (a number in WhatsApp's format), masked.
    assert!(html.contains("0812****0491") && html.contains("+62 857-····-2222"));
    // Both languages, plain words, and the actions' meaning on each platform.
    assert!(
        html.contains("Laporan jaga")
            && html.contains("What each action means on WhatsApp and Telegram")
    );
    // The CSV beside the report: every flagged message, masked, in plain words.
    let csv = std::fs::read_to_string(report.with_extension("csv")).unwrap();
    assert!(
        csv.starts_with("waktu,grup,pengirim,kategori,tindakan"),
        "{csv}"
    );
    assert!(csv.lines().count() > 1, "{csv}");
    for raw in ["0812-3456-0491", "857-1111-2222", "812-3456-0491"] {
        assert!(!csv.contains(raw), "the CSV shows {raw}");
    }
    // Self-contained: nothing fetched from the network, no script.
    for bad in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(bad), "report contains {bad}");
    }
    let e = stderr(&out);
    assert!(e.contains("report with"), "{e}");
}

#[test]
fn a_cut_telegram_export_exits_1_and_keeps_what_parsed() {
    let out = jaga(&["scan", &fixture("telegram/cut.json")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(verdicts(&out.stdout).len(), 5);
    let e = stderr(&out);
    assert!(
        e.contains("cut.json:116: the JSON ends in the middle of this message"),
        "{e}"
    );
    assert!(e.contains("1 line(s) with errors"), "{e}");
}

#[test]
fn format_and_date_order_can_be_forced() {
    // Forcing Telegram on a WhatsApp export: a clear error, exit 1, nothing scored.
    let out = jaga(&["scan", &fixture("whatsapp/ymd.txt"), "--format", "telegram"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("ymd.txt:1: not valid JSON"),
        "{}",
        stderr(&out)
    );
    let out = jaga(&[
        "scan",
        &fixture("whatsapp/ymd.txt"),
        "--format",
        "whatsapp",
        "--date-order",
        "mdy",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(verdicts(&out.stdout).len(), 4);
    let out = jaga(&["scan", "--format", "xml", "x"]);
    assert_eq!(out.status.code(), Some(2), "bad flag value");
    assert!(stderr(&out).contains("use auto, jsonl, whatsapp or telegram"));
}

#[test]
fn unrecognised_input_is_reported_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.txt");
    std::fs::write(&p, "shopping list\nmilk\n").unwrap();
    let out = jaga(&["scan", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("notes.txt: cannot tell what this is"),
        "{}",
        stderr(&out)
    );
    // A missing second input stops the scan before anything is written.
    let out = jaga(&["scan", &fixture("whatsapp/ymd.txt"), "no/such/export.zip"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("cannot open no/such/export.zip"));
}

#[test]
fn warnings_do_not_fail_the_scan() {
    let out = jaga(&["scan", &fixture("whatsapp/mixed_layouts.txt")]);
    assert_eq!(out.status.code(), Some(0));
    let e = stderr(&out);
    assert!(
        e.contains("mixed_layouts.txt:3: warning: the header layout changes here"),
        "{e}"
    );
    assert!(e.contains("warning(s)"), "{e}");
}

#[test]
fn piped_output_has_no_progress_bar() {
    let out = jaga(&["scan", &fixture("whatsapp/ios_en.txt")]);
    let e = stderr(&out);
    assert!(
        !e.contains('\r') && !e.contains("\x1b["),
        "no bar when stderr is not a terminal: {e:?}"
    );
}

#[test]
fn a_telegram_export_folder_and_empty_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("telegram/account_list.json"),
        dir.path().join("result.json"),
    )
    .unwrap();
    let out = jaga(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = verdicts(&out.stdout);
    assert_eq!(v.len(), 4);
    assert!(v[0]["origin"]["file"]
        .as_str()
        .unwrap()
        .ends_with("result.json"));
    let empty = tempfile::tempdir().unwrap();
    let out = jaga(&["scan", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
    let blank = dir.path().join("blank.txt");
    std::fs::write(&blank, "\n\n").unwrap();
    let out = jaga(&["scan", blank.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

/// Runs jaga to its end, reading its output as it comes, or kills it and fails after `secs`
/// (a hang is a failure, not a stuck test run).
fn finish(child: std::process::Child, secs: u64) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(out) => out.expect("collect jaga's output"),
        Err(_) => {
            #[cfg(unix)]
            // SAFETY: signals the child this test started, still running (not yet reaped).
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
            panic!("jaga (pid {pid}) did not finish within {secs}s: it hung");
        }
    }
}

fn spawn(args: &[&str], stdin: std::process::Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(args)
        .current_dir(root())
        .stdin(stdin)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start jaga")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only reads it.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// Writes `data` into a FIFO once (opening it waits for the reader), then closes it.
#[cfg(unix)]
fn write_fifo_once(path: PathBuf, data: Vec<u8>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        // A reader that went away makes this fail; the assertions on jaga's output say why.
        let _ = f.write_all(&data);
    })
}

#[cfg(unix)]
#[test]
fn item6_fifo_is_opened_once() {
    let dir = tempfile::tempdir().unwrap();
    let feed = std::fs::read(root().join("examples/feed.jsonl")).unwrap();
    let lines = feed.iter().filter(|&&b| b == b'\n').count();
    // JSONL, a WhatsApp export (date order from the look-ahead) and a zip, each through a
    // FIFO written exactly once.
    let wa = std::fs::read(fixture("whatsapp/WhatsApp Chat with ARMY Peduli.txt")).unwrap();
    let zip = std::fs::read(fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip")).unwrap();
    for (name, data, want) in [
        ("feed.jsonl", feed.clone(), lines),
        ("chat.txt", wa, 11),
        ("chat.zip", zip, 6),
    ] {
        let fifo = dir.path().join(name);
        mkfifo(&fifo);
        let writer = write_fifo_once(fifo.clone(), data);
        let child = spawn(
            &["scan", "--no-model", fifo.to_str().unwrap()],
            std::process::Stdio::null(),
        );
        let out = finish(child, 60);
        writer.join().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert_eq!(
            verdicts(&out.stdout).len(),
            want,
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[cfg(unix)]
#[test]
fn item6_fifos_written_one_after_another() {
    // One writer fills the first FIFO, then the second: jaga must not wait for the second
    // before it has read the first.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    mkfifo(&a);
    mkfifo(&b);
    let (wa, wb) = (a.clone(), b.clone());
    let writer = std::thread::spawn(move || {
        // Bigger than a pipe's buffer, so the write blocks until jaga reads it.
        let line = "{\"id\":\"x\",\"text\":\"halo kak\"}\n".repeat(20_000);
        write_fifo_once(wa, line.clone().into_bytes())
            .join()
            .unwrap();
        write_fifo_once(wb, line.into_bytes()).join().unwrap();
    });
    let child = spawn(
        &[
            "scan",
            "--no-model",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
        std::process::Stdio::null(),
    );
    let out = finish(child, 120);
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(verdicts(&out.stdout).len(), 40_000);
}

#[cfg(unix)]
#[test]
fn item6_process_substitution_scans_everything() {
    let Ok(bash) = Command::new("bash").arg("-c").arg("true").status() else {
        eprintln!("skipped: no bash");
        return;
    };
    assert!(bash.success());
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' scan --no-model <(cat examples/feed.jsonl) <(cat '{}')",
            env!("CARGO_BIN_EXE_jaga"),
            fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip")
        ))
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let feed = std::fs::read_to_string(root().join("examples/feed.jsonl")).unwrap();
    assert_eq!(verdicts(&out.stdout).len(), feed.lines().count() + 6);
}

#[test]
fn item6_zip_on_standard_input() {
    use std::io::Write;
    let zip = std::fs::read(fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip")).unwrap();
    // Piped: held in memory and read.
    let mut child = spawn(&["scan", "--no-model", "-"], std::process::Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&zip).unwrap());
    let out = finish(child, 60);
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = verdicts(&out.stdout);
    assert_eq!(v.len(), 6);
    assert_eq!(
        v[0]["origin"]["file"],
        "<stdin>/WhatsApp Chat with ARMY Peduli.txt"
    );
    // Redirected from the file: read in place.
    let f = std::fs::File::open(fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip")).unwrap();
    let out = finish(spawn(&["scan", "--no-model", "-"], f.into()), 60);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(verdicts(&out.stdout).len(), 6);
}

#[test]
fn item6_a_piped_zip_over_the_cap_is_refused_clearly() {
    use std::io::Write;
    let mut child = spawn(&["scan", "--no-model", "-"], std::process::Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![0u8; 1 << 20];
        let _ = stdin.write_all(b"PK\x03\x04");
        for _ in 0..(jaga_export::MAX_STREAMED_ZIP >> 20) + 1 {
            if stdin.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let out = finish(child, 120);
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let e = stderr(&out);
    assert!(
        e.contains("<stdin>: a zip read from a pipe or standard input is held in memory, and this one is larger than 256 MiB; give the zip's path instead"),
        "{e}"
    );
}

/// Peak resident memory of a running process (Linux), in bytes.
#[cfg(target_os = "linux")]
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status");
    kb * 1024
}

/// Waits for `child` and returns its peak resident memory, from `wait4`'s resource usage
/// (`ru_maxrss`, KiB on Linux). Nothing reads its piped output meanwhile, so that output must
/// fit in the pipe's buffer (a scan of a few lines).
#[cfg(target_os = "linux")]
fn child_peak_rss(child: std::process::Child) -> u64 {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: all zeroes is a valid `rusage`; `wait4` reaps the child this test started and
    // that nothing else waits for (the `Child` is dropped unwaited, which neither kills nor
    // reaps it).
    let (got, usage) = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        (libc::wait4(pid, &mut status, 0, &mut usage), usage)
    };
    assert_eq!(got, pid, "wait4: {}", std::io::Error::last_os_error());
    drop(child);
    usage.ru_maxrss as u64 * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn item5_whatsapp_lookahead_is_bounded() {
    use std::io::Write;
    // A WhatsApp export on standard input whose second message is one 256 MiB line. The
    // date-order look-ahead used to read on to the end of that line.
    const LINE: usize = 256 << 20;
    // jaga's own memory with nothing long to read (the rules' automata and regexes: about
    // 115 MiB with the shipped packs, growing with them): the peak of the same scan of a
    // two-line export, read from the kernel's account of the finished child. A line read whole
    // would add 256 MiB to it; a bounded read adds a few.
    let base = {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.txt");
        std::fs::write(
            &small,
            "26/11/20 23.10 - Rina: halo\n27/11/20 08.00 - Rina: pagi kak\n",
        )
        .unwrap();
        let child = spawn(
            &["scan", "--no-model", small.to_str().unwrap()],
            std::process::Stdio::null(),
        );
        child_peak_rss(child)
    };
    for forced in [false, true] {
        let mut args = vec!["scan", "--no-model", "-"];
        if forced {
            args.extend(["--date-order", "dmy"]);
        }
        let mut child = spawn(&args, std::process::Stdio::piped());
        let pid = child.id();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"26/11/20 23.10 - Rina: halo\n26/11/20 23.11 - Budi: ")
            .unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..LINE >> 20 {
            stdin.write_all(&chunk).unwrap();
        }
        stdin
            .write_all(b"\n27/11/20 08.00 - Rina: pagi kak\n")
            .unwrap();
        // Everything but the pipe's buffer has been read by now: measure before jaga ends.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let peak = peak_rss(pid);
        drop(stdin);
        let out = finish(child, 120);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            peak < base + (32 << 20),
            "forced={forced}: peak {} MiB for a {} MiB line (before it: {} MiB)",
            peak >> 20,
            LINE >> 20,
            base >> 20
        );
        let v = verdicts(&out.stdout);
        assert_eq!(v.len(), 2, "the messages around the long line are scanned");
        assert_eq!(v[1]["origin"]["line"], 3);
        let e = stderr(&out);
        assert!(
            e.contains("<stdin>:2: line is longer than 1048576 bytes; skipped"),
            "{e}"
        );
    }
}

#[test]
fn item10_german_joins_reach_join_screening() {
    let rules = test_rules();
    let path = fixture("whatsapp/WhatsApp Chat mit ARMY Deutschland.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args([
            "scan",
            &path,
            "--rules",
            rules.path().to_str().unwrap(),
            "--no-model",
        ])
        .args(["--tz", "Europe/Berlin"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = verdicts(&out.stdout);
    let joins = v.iter().filter(|x| x["kind"] == "join_request").count();
    assert_eq!(
        joins, 16,
        "13 `Du hast X hinzugefügt`, one link, two added by Anna"
    );
    // Mira joined by link and posts at once: her first message in the group.
    let mira = v.iter().find(|x| x["origin"]["line"] == 22).unwrap();
    assert!(
        mira["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "spam.test_newcomer"),
        "{mira}"
    );
    let e = stderr(&out);
    assert!(
        e.contains("whatsapp (UTF-8), 5 messages, 16 joins, 8 system, 1 deleted, 1 media, dates read as day/month, times in Europe/Berlin"),
        "{e}"
    );
    // The zone also comes from the environment; a wrong name stops before scanning.
    let out = Command::new(env!("CARGO_BIN_EXE_jaga"))
        .args(["scan", &path, "--no-model"])
        .env("JAGA_TZ", "Asia/Makassar")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("times in Asia/Makassar"),
        "{}",
        stderr(&out)
    );
    let out = jaga(&["scan", &path, "--tz", "WIB"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown time zone `WIB`"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}
