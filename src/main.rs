//! The `jaga` command line: `scan`, `explain`, `rules check`.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use jaga::engine::{Engine, Scratch};
use jaga::event::{Attachment, Event, Kind, Role};
use jaga::explain::{self, Marks};
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
    /// Scan a JSONL stream of events and print one verdict per event (JSONL) in input order.
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
    /// JSONL file of events; `-` or nothing reads standard input.
    file: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesDir,
    /// Write verdicts here instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Longest event line accepted, in bytes; longer lines are reported and skipped.
    #[arg(long, default_value_t = 1 << 20)]
    max_event_bytes: usize,
    /// Do not print the summary on standard error.
    #[arg(long, short)]
    quiet: bool,
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
        ..ScanOptions::default()
    };
    let (source, result) = match a.file.as_deref().filter(|p| *p != Path::new("-")) {
        Some(p) => {
            let name = p.display().to_string();
            match File::open(p) {
                Ok(f) => {
                    let r = run_scan(
                        &engine,
                        BufReader::with_capacity(1 << 16, f),
                        out,
                        &opts,
                        &name,
                    );
                    (name, r)
                }
                Err(e) => {
                    eprintln!("jaga: cannot open {name}: {e}");
                    return EXIT_FATAL;
                }
            }
        }
        None => (
            "<stdin>".to_string(),
            run_scan(
                &engine,
                BufReader::with_capacity(1 << 16, io::stdin()),
                out,
                &opts,
                "<stdin>",
            ),
        ),
    };
    match result {
        Ok(summary) => {
            if !a.quiet {
                eprintln!("{}", summary.render());
            }
            if summary.errors > 0 {
                EXIT_PARTIAL
            } else {
                EXIT_OK
            }
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!("jaga: scanning {source} failed: {e}");
            EXIT_FATAL
        }
    }
}

fn run_scan<R: io::BufRead + Send>(
    engine: &Engine,
    input: R,
    out: Box<dyn Write>,
    opts: &ScanOptions,
    source: &str,
) -> io::Result<scan::Summary> {
    let stderr = io::stderr();
    scan::scan(engine, input, out, opts, &mut |e| {
        let _ = writeln!(stderr.lock(), "{}", scan::format_error(source, e));
    })
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
