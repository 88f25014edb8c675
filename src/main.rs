//! The `jaga` command line: `scan`, `explain`, `rules check`.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jaga::engine::{Engine, Scratch};
use jaga::event::{Attachment, Event, Kind, Role};
use jaga::explain::{self, Marks};
use jaga::export::{DateOrder, Diagnostic, Format, Input, InputStats, Origin};
use jaga::rules::{RuleSet, Severity};
use jaga::scan::{self, ScanOptions};

/// Exit code when every input line was scanned (or every rule check passed).
const EXIT_OK: u8 = 0;
/// Exit code when some input lines could not be read or some rule tests failed.
const EXIT_PARTIAL: u8 = 1;
/// Exit code when nothing could run: unreadable input, broken rules, bad arguments.
const EXIT_FATAL: u8 = 2;

#[derive(Parser)]
#[command(
    name = "jaga",
    version,
    about = "Anti-abuse moderation for chat communities: scores messages and join requests for spam, scam, doxing and abuse",
    after_help = "Exit codes: 0 success; 1 some input lines failed or some rule tests failed; 2 nothing could run (bad arguments, unreadable input, a broken rule set)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan events or exported chats (WhatsApp, Telegram) and print one verdict per event
    /// (JSONL) in input order; optionally write an HTML report.
    Scan(ScanArgs),
    /// Score one message and show why, with the matched spans highlighted.
    Explain(ExplainArgs),
    /// Work with rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Args)]
struct RulesDir {
    /// Directory with the rule files, lists and policy.toml.
    #[arg(long, default_value = "rules", env = "JAGA_RULES")]
    rules: PathBuf,
    /// Put full personal-data values (NIK, phone, card...) into verdicts; masked by default.
    #[arg(long)]
    show_pii: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// Files to scan: JSONL events, WhatsApp exports (.txt or .zip), Telegram Desktop exports
    /// (result.json, or its folder); the format is recognised from the content. `-` or
    /// nothing reads standard input.
    files: Vec<PathBuf>,
    #[command(flatten)]
    rules: RulesDir,
    /// Write verdicts here instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Longest event line (or exported message) accepted, in bytes; longer ones are reported
    /// and skipped.
    #[arg(long, default_value_t = 1 << 20)]
    max_event_bytes: usize,
    /// Do not print the summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Input format: auto (recognised from the content), jsonl, whatsapp or telegram.
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    format: Auto<Format>,
    /// Day/month order of WhatsApp dates: auto (inferred from the whole file), dmy, mdy, ymd.
    #[arg(long, default_value = "auto", value_parser = parse_date_order)]
    date_order: Auto<DateOrder>,
    /// The group of every event read from an export, for per-group policy (default: the
    /// chat's name from the export).
    #[arg(long)]
    group: Option<String>,
    /// Also write a self-contained HTML report for admins (no network needed to view it).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Flagged messages listed in the report, most severe first.
    #[arg(long, default_value_t = 1000)]
    report_limit: usize,
}

/// A flag value where `auto` means "work it out".
#[derive(Clone, Copy)]
struct Auto<T>(Option<T>);

fn parse_format(s: &str) -> Result<Auto<Format>, String> {
    if s == "auto" {
        return Ok(Auto(None));
    }
    s.parse().map(|f| Auto(Some(f)))
}

fn parse_date_order(s: &str) -> Result<Auto<DateOrder>, String> {
    if s == "auto" {
        return Ok(Auto(None));
    }
    s.parse().map(|o| Auto(Some(o)))
}

#[derive(Args)]
struct ExplainArgs {
    /// The message text (or the join answer/bio with --kind join_request).
    text: String,
    #[command(flatten)]
    rules: RulesDir,
    /// Print the verdict as JSON instead of the human rendering.
    #[arg(long)]
    json: bool,
    /// message or join_request.
    #[arg(long, default_value = "message", value_parser = parse_kind)]
    kind: Kind,
    /// The sender's display name.
    #[arg(long, default_value = "")]
    name: String,
    /// member or admin.
    #[arg(long, default_value = "member", value_parser = parse_role)]
    role: Role,
    /// Messages the sender sent in the group before this one.
    #[arg(long)]
    member_messages: Option<u64>,
    /// An attached file name (repeatable).
    #[arg(long = "attachment")]
    attachments: Vec<String>,
    /// The group, for per-group policy overrides.
    #[arg(long, default_value = "")]
    group: String,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Lint the rule files and run every rule's tests.
    Check {
        /// Rules directory.
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    match s {
        "message" => Ok(Kind::Message),
        "join_request" => Ok(Kind::JoinRequest),
        _ => Err("use message or join_request".into()),
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    match s {
        "member" => Ok(Role::Member),
        "admin" => Ok(Role::Admin),
        _ => Err("use member or admin".into()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(a) => cmd_scan(a),
        Command::Explain(a) => cmd_explain(a),
        Command::Rules {
            command: RulesCommand::Check { dir },
        } => cmd_rules_check(&dir),
    };
    ExitCode::from(code)
}

fn load_engine(dir: &Path) -> Result<Engine, u8> {
    Engine::load(dir).map_err(|e| {
        eprintln!("jaga: cannot load rules from {}:\n{e}", dir.display());
        EXIT_FATAL
    })
}

fn load_engine_for(r: &RulesDir) -> Result<Engine, u8> {
    load_engine(&r.rules).map(|e| e.with_show_pii(r.show_pii))
}

fn cmd_scan(a: ScanArgs) -> u8 {
    let engine = match load_engine_for(&a.rules) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let inputs: Vec<Input> = if a.files.is_empty() {
        vec![Input::Stdin]
    } else {
        a.files
            .iter()
            .map(|p| {
                if p == Path::new("-") {
                    Input::Stdin
                } else if p.is_dir() && p.join("result.json").is_file() {
                    // A Telegram Desktop export folder.
                    Input::Path(p.join("result.json"))
                } else {
                    Input::Path(p.clone())
                }
            })
            .collect()
    };
    // Every input must open before anything is written: a typo is not a partial scan.
    for input in &inputs {
        if let Input::Path(p) = input {
            if p.is_dir() {
                eprintln!(
                    "jaga: {} is a directory; give the export file (the WhatsApp .txt or .zip, Telegram's result.json)",
                    p.display()
                );
                return EXIT_FATAL;
            }
            if let Err(e) = File::open(p) {
                eprintln!("jaga: cannot open {}: {e}", p.display());
                return EXIT_FATAL;
            }
        }
    }
    let report_file = match &a.report {
        Some(p) => match File::create(p) {
            Ok(f) => Some((p, f)),
            Err(e) => {
                eprintln!("jaga: cannot create the report {}: {e}", p.display());
                return EXIT_FATAL;
            }
        },
        None => None,
    };
    let out: Box<dyn Write> = match &a.out {
        Some(p) => match File::create(p) {
            Ok(f) => Box::new(BufWriter::with_capacity(1 << 16, f)),
            Err(e) => {
                eprintln!("jaga: cannot create {}: {e}", p.display());
                return EXIT_FATAL;
            }
        },
        None => Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
    };
    let opts = ScanOptions {
        max_event_bytes: a.max_event_bytes,
        format: a.format.0,
        date_order: a.date_order.0,
        group: a.group.clone(),
        ..ScanOptions::default()
    };
    // A progress bar only where a person watches stderr and verdicts do not go to the same
    // terminal.
    let show_bar =
        !a.quiet && io::stderr().is_terminal() && (a.out.is_some() || !io::stdout().is_terminal());
    let mut observer = CliObserver {
        bar: show_bar.then(|| progress_bar(&inputs)),
        report: report_file
            .is_some()
            .then(|| jaga::report::Report::new(a.report_limit)),
    };
    let result = scan::scan_inputs(&engine, &inputs, out, &opts, &mut observer);
    if let Some(bar) = &observer.bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return EXIT_OK,
        Err(e) => {
            let names: Vec<String> = inputs.iter().map(Input::name).collect();
            eprintln!("jaga: scanning {} failed: {e}", names.join(", "));
            return EXIT_FATAL;
        }
    };
    if let (Some((path, mut file)), Some(report)) = (report_file, &observer.report) {
        let html = report.render(engine.rules());
        if let Err(e) = file.write_all(html.as_bytes()) {
            eprintln!("jaga: cannot write the report {}: {e}", path.display());
            return EXIT_FATAL;
        }
        if !a.quiet {
            eprintln!(
                "jaga: report with {} flagged event(s) written to {}",
                report.flagged(),
                path.display()
            );
        }
    }
    if !a.quiet {
        eprintln!("{}", summary.render());
    }
    if summary.errors > 0 {
        EXIT_PARTIAL
    } else {
        EXIT_OK
    }
}

/// What the CLI does with a scan as it runs: problems to stderr (above the progress bar),
/// the bar, the report.
struct CliObserver {
    bar: Option<ProgressBar>,
    report: Option<jaga::report::Report>,
}

impl scan::Observer for CliObserver {
    fn scored(&mut self, event: &Event, verdict: &jaga::Verdict, origin: &Origin) {
        if let Some(r) = &mut self.report {
            r.scored(event, verdict, origin);
        }
    }

    fn diagnostic(&mut self, d: &Diagnostic) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{d}")),
            None => {
                let _ = writeln!(io::stderr().lock(), "{d}");
            }
        }
        if let Some(r) = &mut self.report {
            r.diagnostic(d);
        }
    }

    fn input_done(&mut self, stats: &InputStats) {
        if let Some(r) = &mut self.report {
            r.input_done(stats);
        }
    }

    fn progress(&mut self, bytes_read: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes_read);
        }
    }
}

fn progress_bar(inputs: &[Input]) -> ProgressBar {
    let sizes: Option<Vec<u64>> = inputs.iter().map(Input::size).collect();
    let bar = match sizes {
        Some(s) => {
            let bar = ProgressBar::new(s.iter().sum());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        }
        None => {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bytes} read ({bytes_per_sec})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        }
    };
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
    bar
}

fn cmd_explain(a: ExplainArgs) -> u8 {
    let engine = match load_engine_for(&a.rules) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let event = Event {
        id: "explain".into(),
        kind: a.kind,
        group: a.group,
        name: a.name,
        text: a.text,
        role: a.role,
        member_messages: a.member_messages,
        attachments: a
            .attachments
            .into_iter()
            .map(|name| Attachment {
                kind: "file".into(),
                name,
            })
            .collect(),
        ..Event::default()
    };
    let mut scratch = Scratch::new();
    let verdict = engine.evaluate(&event, &mut scratch);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&verdict).unwrap_or_default()
        );
    } else {
        let marks = if io::stdout().is_terminal() {
            Marks::Ansi
        } else {
            Marks::Brackets
        };
        print!(
            "{}",
            explain::render(&event, scratch.normalised_text(), &verdict, marks)
        );
    }
    EXIT_OK
}

fn cmd_rules_check(dir: &Path) -> u8 {
    let set = match RuleSet::load(dir) {
        Ok(s) => s,
        Err(e) => {
            for d in &e.diagnostics {
                eprintln!("{d}");
            }
            let n = e
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            eprintln!("jaga: {n} error(s); the rule set would be refused");
            return EXIT_PARTIAL;
        }
    };
    for w in &set.warnings {
        eprintln!("{w}");
    }
    let engine = match load_engine(dir) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let report = jaga::ruletest::run(&engine);
    for f in &report.failures {
        eprintln!("{}: test failed: {}", f.location, f.message);
    }
    let files = jaga::rules::rule_files(dir).map(|f| f.len()).unwrap_or(0);
    println!(
        "{} rules in {} files, {} keyword strings; {} warning(s); {} tests passed, {} failed",
        engine.rules().len(),
        files,
        engine.keyword_count(),
        set.warnings.len(),
        report.passed,
        report.failures.len()
    );
    if report.failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }
}
