//! The `jaga` command line: `scan`, `explain`, `rules check`, `serve`, `review`, `train`,
//! `eval`.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jaga::scan::{self, ScanOptions};
use jaga::train::{self, DataSpec, LabelMap, Split};
use jaga_core::engine::{Engine, Scratch};
use jaga_core::event::{Attachment, Event, Kind, Role};
use jaga_core::explain::{self, Marks};
use jaga_core::model::{self, Model, ModelChoice};
use jaga_core::rules::{RuleSet, Severity};
use jaga_export::{DateOrder, Diagnostic, Format, Input, InputStats, Origin, Source, TimeZone};
use jaga_serve::config::Config;
use jaga_store::{CaseFilter, Durability, NewDecision, Store};

// The pipeline allocates many short-lived buffers per event: glibc's malloc and free took 11%
// of `jaga scan`'s CPU (15% of `jaga serve`'s); with mimalloc `scan` spends about 5% less CPU
// per event (README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Run the live pipeline: HTTP API (and optionally stdin), review store, hot reload.
    Serve(ServeArgs),
    /// Work with the review store: list, show and decide cases.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Train the classifier on labelled examples and write a model file.
    Train(TrainArgs),
    /// Measure rules only, model only and both combined on labelled examples.
    Eval(EvalArgs),
    /// Manage the admin console's accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Args)]
struct AdminStore {
    /// Config file (default: ./jaga.toml when it exists); gives the store and the address
    /// sign-in links point to.
    #[arg(long, env = "JAGA_CONFIG")]
    config: Option<PathBuf>,
    /// Review store file (overrides `store` of the config).
    #[arg(long)]
    store: Option<PathBuf>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Add an admin and print a one-time sign-in link (valid 24 hours), or set a password
    /// read from standard input with --password-stdin.
    Add {
        name: String,
        /// The community this admin moderates (`*`: every community).
        #[arg(long)]
        community: String,
        /// owner (also retrains), admin (decides, reveals personal data) or viewer (reads).
        #[arg(long, default_value = "admin")]
        role: jaga_store::Role,
        /// Read the password from standard input (one line) instead of printing a link.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        store: AdminStore,
    },
    /// Print a new one-time sign-in link for an admin (e.g. a forgotten password).
    Link {
        name: String,
        #[command(flatten)]
        store: AdminStore,
    },
    /// List the admins.
    List {
        #[command(flatten)]
        store: AdminStore,
    },
    /// Sign an admin out everywhere (every session ends).
    Signout {
        name: String,
        #[command(flatten)]
        store: AdminStore,
    },
    /// Remove an admin (their sessions and links end with them).
    Remove {
        name: String,
        #[command(flatten)]
        store: AdminStore,
    },
}

#[derive(Args)]
struct ModelArgs {
    /// The classifier's model file [default: models/jaga.model; rules only, with a warning,
    /// when that file is absent].
    #[arg(long, value_name = "FILE", env = "JAGA_MODEL")]
    model: Option<PathBuf>,
    /// Rules only: load no model.
    #[arg(long, conflicts_with = "model")]
    no_model: bool,
}

#[derive(Args)]
struct DataArgs {
    /// Labelled examples, repeatable: `FILE.tsv` (label<TAB>text), `FILE.jsonl` (events with
    /// a `label` field) or `LABEL:FILE` (one message a line, all of one label); append
    /// `@N` to repeat each example N times (weight).
    #[arg(
        long = "data",
        value_name = "[LABEL:]FILE[@N]",
        required_unless_present = "from_store",
        num_args = 1..
    )]
    data: Vec<DataSpec>,
    /// Add the cases admins decided in a review store: dismissed ones as `ok`, confirmed ones
    /// with their category.
    #[arg(long, value_name = "DB")]
    from_store: Option<PathBuf>,
    /// How many times each review-store case counts in training, against 1 for a corpus line
    /// (`eval` counts every example once).
    #[arg(long, value_name = "N", default_value_t = 8.0, value_parser = parse_weight)]
    store_weight: f32,
    /// Foreign label names, e.g. `ham=ok,0=ok,1=spam` (repeatable); `NAME*` maps every
    /// label starting with NAME (`sexist:*=abuse`); the target is ok, spam, scam, doxing,
    /// abuse or skip (left out).
    #[arg(long, value_name = "FROM=LABEL,...")]
    label_map: Vec<LabelMap>,
    /// Use all examples, or only the `train` or `test` part of a split by hash of the text.
    #[arg(long, default_value = "all", value_parser = parse_split)]
    split: Split,
    /// Size of the `test` part of --split, in percent.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..100))]
    test_percent: u32,
}

#[derive(Args)]
struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Where to write the model.
    #[arg(long, default_value = model::DEFAULT_PATH)]
    out: PathBuf,
    #[command(flatten)]
    rules: RulesPath,
    /// logistic (jaga's sparse multinomial logistic regression over every hashed n-gram),
    /// linfa-logistic or naive-bayes (linfa-bayes, multinomial) on selected n-grams.
    #[arg(long, default_value = "logistic", value_parser = parse_algorithm)]
    algorithm: train::AlgorithmChoice,
    /// L2 penalty of the sparse logistic regression.
    #[arg(long, default_value_t = train::DEFAULT_L2)]
    l2: f32,
    /// Passes over the data (sparse logistic regression).
    #[arg(long, default_value_t = train::DEFAULT_EPOCHS)]
    epochs: u32,
    /// AdaGrad step size (sparse logistic regression).
    #[arg(long, default_value_t = train::DEFAULT_LEARNING_RATE)]
    learning_rate: f32,
    /// N-grams are hashed into 2^BITS ids (8-24); the model's table of weights has that
    /// many rows (2^20: 8 MB in memory).
    #[arg(
        long,
        value_name = "BITS",
        default_value_t = jaga_core::features::FeatureConfig::default().hash_bits,
        value_parser = clap::value_parser!(u8).range(8..=24)
    )]
    hash_bits: u8,
    /// Hashed n-grams kept by feature selection (linfa-logistic, naive-bayes).
    #[arg(long, default_value_t = 4096)]
    features: usize,
    /// L2 penalty (linfa-logistic) or smoothing (naive Bayes).
    #[arg(long, default_value_t = 1.0)]
    alpha: f32,
    /// Most L-BFGS iterations (linfa-logistic).
    #[arg(long, default_value_t = 60)]
    max_iter: u32,
    /// Percent of examples held out to measure the model; the figures go into the file.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..50))]
    holdout: u32,
    /// After measuring on the held-out part and fitting the temperature there, train again on
    /// every example and keep that temperature (sparse logistic regression). The figures in
    /// the file are the first fit's: the same procedure on the data without the held-out part.
    #[arg(long)]
    refit: bool,
    /// Fits averaged into the model, each with its own order of examples (sparse logistic
    /// regression): edge cases move less from one training to the next.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=32))]
    average: u32,
    /// Seed of the hold-out split; the same data and seed give the same model.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Args)]
struct EvalArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    rules: RulesPath,
    #[command(flatten)]
    model: ModelArgs,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

/// `--rules` alone, for commands that print no verdicts (train, eval).
#[derive(Args)]
struct RulesPath {
    /// Directory with the rule files, lists and policy.toml.
    #[arg(long, default_value = "rules", env = "JAGA_RULES")]
    rules: PathBuf,
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
    #[command(flatten)]
    model: ModelArgs,
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
    /// Time zone of the exports' local times (WhatsApp, Telegram's `date`), an IANA name
    /// such as Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT) or UTC; events
    /// get UTC times.
    #[arg(long, env = "JAGA_TZ", default_value = jaga_export::DEFAULT_TZ)]
    tz: TimeZone,
    /// Also write a self-contained HTML report for admins (no network needed to view it).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Flagged messages listed in the report, most severe first.
    #[arg(long, default_value_t = 1000)]
    report_limit: usize,
    /// The language the report opens in (it carries both, with a switch) and the language of
    /// the CSV of flagged messages written beside it: id or en.
    #[arg(long, default_value = "id", value_parser = parse_lang)]
    report_lang: jaga_core::vocab::Lang,
    /// Also write every flagged verdict into this review store (SQLite) as a case.
    #[arg(long, value_name = "DB")]
    store: Option<PathBuf>,
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
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Lint the rule files and run every rule's tests. Verdict-level `[[test]]`s score with
    /// the classifier, as `scan` and `serve` do.
    Check {
        #[command(flatten)]
        rules: RulesPath,
        /// The rules directory, as `--rules` (kept for `jaga rules check rules/`).
        #[arg(hide = true, conflicts_with = "rules")]
        dir: Option<PathBuf>,
        #[command(flatten)]
        model: ModelArgs,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Config file (default: ./jaga.toml when it exists, else built-in defaults).
    #[arg(long, env = "JAGA_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on (overrides `listen`), e.g. 127.0.0.1:8080.
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Review store file (overrides `store`), as for `jaga review`.
    #[arg(long, env = "JAGA_STORE")]
    store: Option<PathBuf>,
    /// Rules directory (overrides `rules`), as for `jaga scan`.
    #[arg(long, env = "JAGA_RULES")]
    rules: Option<PathBuf>,
    /// Also read events (JSONL) from standard input and write verdicts to standard output;
    /// the end of input shuts the server down.
    #[arg(long)]
    stdin: bool,
    /// Serve the admin console on its own address (overrides `[console] listen`; default:
    /// the API's listener under `/`).
    #[arg(long, value_name = "ADDR")]
    console_listen: Option<std::net::SocketAddr>,
    /// The classifier (overrides `model`).
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Args)]
struct StoreArg {
    /// Review store file.
    #[arg(long, default_value = "jaga.db", env = "JAGA_STORE")]
    store: PathBuf,
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// List cases, newest first.
    List {
        #[command(flatten)]
        store: StoreArg,
        /// pending, confirmed or dismissed.
        #[arg(long)]
        status: Option<jaga_store::Status>,
        /// spam, scam, doxing or abuse.
        #[arg(long)]
        category: Option<jaga_core::verdict::Category>,
        /// Only this group.
        #[arg(long)]
        group: Option<String>,
        /// Most cases shown.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one case: the event, the reasons, the decisions.
    Show {
        id: i64,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long)]
        json: bool,
        /// Show the event as received (decrypted with JAGA_STORE_KEY), audited under --admin.
        #[arg(long, requires = "admin")]
        reveal: bool,
        /// Your name, for the audit log of a reveal.
        #[arg(long)]
        admin: Option<String>,
    },
    /// Record a decision: confirm (the verdict was right) or dismiss (a false positive).
    Decide {
        id: i64,
        /// confirm or dismiss.
        decision: jaga_store::Judgement,
        #[command(flatten)]
        store: StoreArg,
        /// Who decides (recorded in the decision and the audit log).
        #[arg(long, env = "USER")]
        admin: String,
        /// The right category, when confirming a case flagged under another one.
        #[arg(long)]
        category: Option<jaga_core::verdict::Category>,
        /// The moderation action taken (e.g. ban), for the record.
        #[arg(long)]
        action: Option<jaga_core::verdict::Action>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Per-rule hits, confirmations and dismissals: which rules cause false positives.
    Stats {
        #[command(flatten)]
        store: StoreArg,
    },
    /// Trusted members: their messages are decided and recorded but never acted on
    /// automatically (review at most), like admins'. A running `jaga serve` picks changes up
    /// within 5 seconds.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
}

#[derive(Subcommand)]
enum TrustCommand {
    /// Trust a member of a community (their platform user id: a Telegram user id, a
    /// WhatsApp number JID such as 6281300000002@s.whatsapp.net).
    Add {
        /// The community (as in jaga.toml's `community`).
        #[arg(long)]
        community: String,
        /// The member's user id.
        #[arg(long)]
        user: String,
        #[command(flatten)]
        store: StoreArg,
        /// Who vouches (recorded in the audit log).
        #[arg(long, env = "USER")]
        admin: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Stop trusting a member.
    Remove {
        #[arg(long)]
        community: String,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, env = "USER")]
        admin: String,
    },
    /// List trusted members.
    List {
        /// Only this community.
        #[arg(long)]
        community: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
}

fn parse_lang(s: &str) -> Result<jaga_core::vocab::Lang, String> {
    jaga_core::vocab::Lang::parse(s).ok_or_else(|| "use id or en".into())
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    match s {
        "message" => Ok(Kind::Message),
        "join_request" => Ok(Kind::JoinRequest),
        _ => Err("use message or join_request".into()),
    }
}

fn parse_split(s: &str) -> Result<Split, String> {
    s.parse()
}

fn parse_weight(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(w) if w >= 1.0 && w.is_finite() => Ok(w),
        _ => Err("a repeat count: a number >= 1".into()),
    }
}

fn parse_algorithm(s: &str) -> Result<train::AlgorithmChoice, String> {
    s.parse()
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
    // A closed pipe (`jaga review list --json | head -1`) ends a command quietly, as it ends
    // other Unix tools, instead of a panic in the middle of a print. Not the server: it
    // reports a closed standard output and shuts down in order.
    #[cfg(unix)]
    if !matches!(cli.command, Command::Serve(_)) {
        // SAFETY: called once at start, before any thread exists; restores the default
        // disposition Rust's runtime replaced.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let code = match cli.command {
        Command::Scan(a) => cmd_scan(a),
        Command::Explain(a) => cmd_explain(a),
        Command::Rules {
            command: RulesCommand::Check { rules, dir, model },
        } => cmd_rules_check(&dir.unwrap_or(rules.rules), &model),
        Command::Serve(a) => cmd_serve(a),
        Command::Review { command } => cmd_review(command),
        Command::Train(a) => cmd_train(a),
        Command::Eval(a) => cmd_eval(a),
        Command::Admin { command } => cmd_admin(command),
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

impl ModelArgs {
    fn choice(&self) -> ModelChoice {
        match (&self.model, self.no_model) {
            (_, true) => ModelChoice::Off,
            (Some(p), false) => ModelChoice::File(p.clone()),
            (None, false) => ModelChoice::Default,
        }
    }
}

/// The model `--model`/`--no-model` ask for, for the rules in `rules`. Without either, the
/// default file (`models/jaga.model` under the working directory), else the one shipped
/// beside the rules (`RULES/../models/jaga.model`: a command run from another directory with
/// `--rules /path/to/jaga/rules` scores like one run in the repository), else rules only with
/// a warning. A file that exists but does not load, or an explicit one that is missing,
/// stops the command.
fn load_model(a: &ModelArgs, rules: &Path) -> Result<Option<Model>, u8> {
    let mut choice = a.choice();
    if choice == ModelChoice::Default && !Path::new(model::DEFAULT_PATH).exists() {
        if let Some(path) = rules
            .parent()
            .map(|p| p.join(model::DEFAULT_PATH))
            .filter(|p| p.is_file())
        {
            eprintln!("jaga: using the model beside the rules, {}", path.display());
            choice = ModelChoice::File(path);
        }
    }
    match choice.load() {
        Ok(None) if choice == ModelChoice::Default => {
            eprintln!(
                "jaga: warning: no model at {} nor beside the rules; scoring with rules only (train one with `jaga train`, or pass --no-model)",
                model::DEFAULT_PATH
            );
            Ok(None)
        }
        Ok(m) => Ok(m),
        Err(e) => {
            eprintln!("jaga: {e}");
            Err(EXIT_FATAL)
        }
    }
}

fn load_engine_with_model(r: &RulesDir, m: &ModelArgs) -> Result<Engine, u8> {
    let model = load_model(m, &r.rules)?;
    Ok(load_engine_for(r)?.with_model(model))
}

fn cmd_scan(a: ScanArgs) -> u8 {
    let engine = match load_engine_with_model(&a.rules, &a.model) {
        Ok(e) => jaga_core::Detector::from(e),
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
    // Every input must open before anything is written: a typo is not a partial scan. Each
    // is opened once, here, and read from that handle (a pipe or FIFO cannot be reopened).
    let mut sources = Vec::with_capacity(inputs.len());
    for input in &inputs {
        if let Input::Path(p) = input {
            if p.is_dir() {
                eprintln!(
                    "jaga: {} is a directory; give the export file (the WhatsApp .txt or .zip, Telegram's result.json)",
                    p.display()
                );
                return EXIT_FATAL;
            }
        }
        match input.open() {
            Ok(s) => sources.push(s),
            Err(e) => {
                eprintln!("jaga: cannot open {}: {e}", input.name());
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
    // The CSV of flagged messages beside the report: report.html -> report.csv.
    let csv_path = a.report.as_ref().map(|p| p.with_extension("csv"));
    let csv = match &csv_path {
        Some(p) => match File::create(p) {
            Ok(f) => Some(jaga::report::Csv::new(
                BufWriter::new(f),
                a.report_lang,
                engine.rules(),
            )),
            Err(e) => {
                eprintln!("jaga: cannot create {}: {e}", p.display());
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
        tz: a.tz.clone(),
        ..ScanOptions::default()
    };
    // A progress bar only where a person watches stderr and verdicts do not go to the same
    // terminal.
    let show_bar =
        !a.quiet && io::stderr().is_terminal() && (a.out.is_some() || !io::stdout().is_terminal());
    let store = match &a.store {
        Some(p) => match Store::open(p, Durability::Normal) {
            Ok(s) => Some(jaga::review::CaseSink::new(s)),
            Err(e) => {
                eprintln!("jaga: {e}");
                return EXIT_FATAL;
            }
        },
        None => None,
    };
    let mut observer = CliObserver {
        store,
        bar: show_bar.then(|| progress_bar(&sources)),
        report: report_file
            .is_some()
            .then(|| jaga::report::Report::new(a.report_limit)),
        csv,
    };
    let result = scan::scan_inputs(&engine, sources, out, &opts, &mut observer);
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
    if let (Some(sink), Some(path)) = (observer.store.take(), &a.store) {
        match sink.finish() {
            Ok(n) if !a.quiet => eprintln!("jaga: {n} new case(s) in {}", path.display()),
            Ok(_) => {}
            Err(e) => {
                eprintln!("jaga: writing cases to {} failed: {e}", path.display());
                return EXIT_FATAL;
            }
        }
    }
    if let (Some(csv), Some(path)) = (observer.csv.take(), &csv_path) {
        if let Err(e) = csv.finish() {
            eprintln!("jaga: cannot write {}: {e}", path.display());
            return EXIT_FATAL;
        }
    }
    if let (Some((path, mut file)), Some(report)) = (report_file, &observer.report) {
        let html = report.render_in(engine.rules(), a.report_lang);
        if let Err(e) = file.write_all(html.as_bytes()) {
            eprintln!("jaga: cannot write the report {}: {e}", path.display());
            return EXIT_FATAL;
        }
        if !a.quiet {
            eprintln!(
                "jaga: report with {} flagged event(s) written to {} (and the CSV {})",
                report.flagged(),
                path.display(),
                path.with_extension("csv").display()
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
    /// `--store`: flagged verdicts become cases.
    store: Option<jaga::review::CaseSink>,
    /// The CSV beside the report.
    csv: Option<jaga::report::Csv<BufWriter<File>>>,
}

impl scan::Observer for CliObserver {
    fn scored(&mut self, event: &Event, verdict: &jaga_core::Verdict, origin: &Origin) {
        if let Some(r) = &mut self.report {
            r.scored(event, verdict, origin);
        }
        if let Some(s) = &mut self.store {
            s.add(event, verdict);
        }
        if let Some(c) = &mut self.csv {
            c.add(event, verdict, origin);
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

fn progress_bar(inputs: &[Source<'_>]) -> ProgressBar {
    let sizes: Option<Vec<u64>> = inputs.iter().map(Source::size).collect();
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
    let engine = match load_engine_with_model(&a.rules, &a.model) {
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

fn cmd_rules_check(dir: &Path, model: &ModelArgs) -> u8 {
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
    let undescribed = set.description_errors();
    for d in &undescribed {
        eprintln!("{d}");
    }
    // Verdict tests are written against the model shipped beside the rules (`rules/` and
    // `models/jaga.model` in one directory), which `load_model` finds from anywhere.
    let engine = match (load_engine(dir), load_model(model, dir)) {
        (Ok(e), Ok(m)) => e.with_model(m),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let unknown_frames = engine.unknown_quote_frames();
    for id in &unknown_frames {
        eprintln!(
            "{}: [quoted] frame names `{id}`, which is not a rule id: it frames nothing",
            dir.join("policy.toml").display()
        );
    }
    let unknown_unless = engine.unknown_model_unless();
    for (label, id) in &unknown_unless {
        eprintln!(
            "{}: [model] unless.{label} names `{id}`, which is not a rule id: it keeps nothing out",
            dir.join("policy.toml").display()
        );
    }
    let unknown_needs = engine.unknown_model_review_needs();
    for (label, id) in &unknown_needs {
        eprintln!(
            "{}: [model] review_needs.{label} names `{id}`, which is not a rule id: review_at.{label} never applies",
            dir.join("policy.toml").display()
        );
    }
    let costly = engine.cost_warnings();
    for d in &costly {
        eprintln!("{d}");
    }
    let report = jaga_core::ruletest::run(&engine);
    for f in &report.failures {
        eprintln!("{}: test failed: {}", f.location, f.message);
    }
    let files = jaga_core::rules::rule_files(dir)
        .map(|f| f.len())
        .unwrap_or(0);
    println!(
        "{} rules in {} files, {} keyword strings; {} warning(s); {} tests passed, {} failed",
        engine.rules().len(),
        files,
        engine.keyword_count(),
        set.warnings.len()
            + unknown_frames.len()
            + unknown_unless.len()
            + unknown_needs.len()
            + costly.len(),
        report.passed,
        report.failures.len()
    );
    if !undescribed.is_empty() {
        eprintln!(
            "jaga: {} rule description(s) missing; write `description` (English) and `description_id` (Indonesian) for every rule",
            undescribed.len()
        );
    }
    if report.failures.is_empty() && undescribed.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }
}

/// The config `serve` and `admin` read: `--config`, else ./jaga.toml when it exists.
fn load_config(path: Option<&Path>) -> Result<(Config, Option<PathBuf>), u8> {
    let path = match path {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from("jaga.toml")).filter(|p| p.is_file()),
    };
    match path {
        Some(p) => Config::load(&p).map(|c| (c, Some(p))).map_err(|e| {
            eprintln!("jaga: {e}");
            EXIT_FATAL
        }),
        None => Ok((Config::default(), None)),
    }
}

fn cmd_admin(c: AdminCommand) -> u8 {
    let store_args = match &c {
        AdminCommand::Add { store, .. }
        | AdminCommand::Link { store, .. }
        | AdminCommand::List { store }
        | AdminCommand::Signout { store, .. }
        | AdminCommand::Remove { store, .. } => store,
    };
    let (config, _) = match load_config(store_args.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let path = store_args.store.clone().unwrap_or(config.store.clone());
    // The store may not exist yet: the first owner is usually added before the first start.
    let store = match Store::open(&path, Durability::Full) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jaga: {e}");
            return EXIT_FATAL;
        }
    };
    let base = if config.console.public_url.is_empty() {
        format!("http://{}", config.console.listen.unwrap_or(config.listen))
    } else {
        config.console.public_url.clone()
    };
    let now = jaga_store::unix_now();
    let link = |a: &jaga_store::AdminAccount| -> u8 {
        match jaga_serve::console::auth::new_sign_in_link(&store, a, &base, now) {
            Ok(url) => {
                println!("{url}");
                eprintln!(
                    "jaga: a one-time sign-in link for {}, valid 24 hours; send it to them privately. After signing in they set a password on the Account page.",
                    a.name
                );
                EXIT_OK
            }
            Err(e) => {
                eprintln!("jaga: {e}");
                EXIT_FATAL
            }
        }
    };
    let find = |name: &str| match store.admin(name) {
        Ok(Some(a)) => Ok(a),
        Ok(None) => {
            eprintln!("jaga: no admin named `{name}`; see `jaga admin list`");
            Err(EXIT_PARTIAL)
        }
        Err(e) => {
            eprintln!("jaga: {e}");
            Err(EXIT_FATAL)
        }
    };
    match &c {
        AdminCommand::Add {
            name,
            community,
            role,
            password_stdin,
            ..
        } => {
            let hash = if *password_stdin {
                let mut line = String::new();
                if let Err(e) = io::stdin().read_line(&mut line) {
                    eprintln!("jaga: cannot read the password: {e}");
                    return EXIT_FATAL;
                }
                match jaga_serve::console::auth::hash_password(line.trim_end_matches(['\n', '\r']))
                {
                    Ok(h) => Some(h),
                    Err(e) => {
                        eprintln!("jaga: {e}");
                        return EXIT_FATAL;
                    }
                }
            } else {
                None
            };
            match store.add_admin(name, community, *role, hash.as_deref()) {
                Ok(a) if hash.is_some() => {
                    eprintln!(
                        "jaga: added {} ({}, community {}); they sign in with their password",
                        a.name,
                        a.role.as_str(),
                        a.community
                    );
                    EXIT_OK
                }
                Ok(a) => link(&a),
                Err(e) => {
                    eprintln!("jaga: {e}");
                    EXIT_FATAL
                }
            }
        }
        AdminCommand::Link { name, .. } => match find(name) {
            Ok(a) => link(&a),
            Err(code) => code,
        },
        AdminCommand::List { .. } => {
            match store.admins() {
                Ok(list) => {
                    for a in &list {
                        println!(
                            "{:<20} {:<7} {:<20} {}",
                            a.name,
                            a.role.as_str(),
                            a.community,
                            if a.password.is_some() {
                                "password"
                            } else {
                                "link only"
                            }
                        );
                    }
                    if list.is_empty() {
                        println!("no admins; add one with `jaga admin add NAME --community C --role owner`");
                    }
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("jaga: {e}");
                    EXIT_FATAL
                }
            }
        }
        AdminCommand::Signout { name, .. } => match find(name) {
            Ok(a) => match store.end_sessions_of(a.id) {
                Ok(n) => {
                    let _ = store.audit(
                        "system",
                        "console.sign_out_everywhere",
                        None,
                        &format!("{}: {n} sessions ended", a.name),
                    );
                    println!("{n} session(s) of {} ended", a.name);
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("jaga: {e}");
                    EXIT_FATAL
                }
            },
            Err(code) => code,
        },
        AdminCommand::Remove { name, .. } => match store.remove_admin(name) {
            Ok(true) => {
                println!("removed {name}");
                EXIT_OK
            }
            Ok(false) => {
                eprintln!("jaga: no admin named `{name}`");
                EXIT_PARTIAL
            }
            Err(e) => {
                eprintln!("jaga: {e}");
                EXIT_FATAL
            }
        },
    }
}

fn cmd_serve(a: ServeArgs) -> u8 {
    init_logging();
    let (mut config, config_path) = match &a.config {
        Some(p) => match Config::load(p) {
            Ok(c) => (c, Some(p.clone())),
            Err(e) => {
                eprintln!("jaga: {e}");
                return EXIT_FATAL;
            }
        },
        None if Path::new("jaga.toml").is_file() => match Config::load(Path::new("jaga.toml")) {
            Ok(c) => (c, Some(PathBuf::from("jaga.toml"))),
            Err(e) => {
                eprintln!("jaga: {e}");
                return EXIT_FATAL;
            }
        },
        None => (Config::default(), None),
    };
    if let Some(l) = a.listen {
        config.listen = l;
    }
    if let Some(s) = a.store {
        config.store = s;
    }
    if let Some(r) = a.rules {
        config.rules = r;
    }
    if let Some(l) = a.console_listen {
        config.console.listen = Some(l);
    }
    let model = if a.model.no_model || a.model.model.is_some() {
        a.model.choice()
    } else {
        config.model_choice()
    };
    let opts = jaga_serve::Options {
        config,
        config_path,
        stdin: a.stdin,
        model,
        admin_token: std::env::var("JAGA_ADMIN_TOKEN").ok(),
        ingest_token: std::env::var("JAGA_INGEST_TOKEN").ok(),
        tasks: Some(std::sync::Arc::new(jaga::console_tasks::BinaryTasks)),
    };
    match jaga_serve::run(opts) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("jaga: {e}");
            EXIT_FATAL
        }
    }
}

/// Structured logs on standard error; `JAGA_LOG` sets the filter (default `info`). Nothing
/// jaga logs carries message text or personal data.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JAGA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .try_init();
}

fn open_store(path: &Path) -> Result<Store, u8> {
    if !path.exists() {
        eprintln!(
            "jaga: no review store at {}; give its path with --store (jaga serve creates it)",
            path.display()
        );
        return Err(EXIT_FATAL);
    }
    Store::open(path, Durability::Full).map_err(|e| {
        eprintln!("jaga: {e}");
        EXIT_FATAL
    })
}

fn cmd_review(c: ReviewCommand) -> u8 {
    match c {
        ReviewCommand::List {
            store,
            status,
            category,
            group,
            limit,
            json,
        } => {
            let Ok(s) = open_store(&store.store) else {
                return EXIT_FATAL;
            };
            let filter = CaseFilter {
                status,
                category: category.map(|c| c.as_str().to_string()),
                group,
                before: None,
                limit,
            };
            match s.list(&filter) {
                Ok(cases) if json => {
                    for c in &cases {
                        println!("{}", serde_json::to_string(c).unwrap_or_default());
                    }
                    EXIT_OK
                }
                Ok(cases) => {
                    print!("{}", jaga::review::render_list(&cases));
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("jaga: {e}");
                    EXIT_FATAL
                }
            }
        }
        ReviewCommand::Show {
            id,
            store,
            json,
            reveal,
            admin,
        } => {
            let Ok(mut s) = open_store(&store.store) else {
                return EXIT_FATAL;
            };
            let got = if reveal {
                let who = admin.unwrap_or_default();
                s.reveal(id, &who, "personal data shown by jaga review show --reveal")
                    .map(Some)
            } else {
                s.get(id)
            };
            match got {
                Ok(Some(c)) if json => {
                    println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
                    EXIT_OK
                }
                Ok(Some(c)) => {
                    print!("{}", jaga::review::render_case(&c));
                    EXIT_OK
                }
                Ok(None) => {
                    eprintln!(
                        "jaga: no case {id} in {}; list cases with `jaga review list`",
                        store.store.display()
                    );
                    EXIT_PARTIAL
                }
                Err(e) => {
                    eprintln!("jaga: {e}");
                    EXIT_FATAL
                }
            }
        }
        ReviewCommand::Decide {
            id,
            decision,
            store,
            admin,
            category,
            action,
            note,
        } => {
            let Ok(mut s) = open_store(&store.store) else {
                return EXIT_FATAL;
            };
            let d = NewDecision {
                admin,
                decision,
                category,
                action,
                note,
            };
            // The same decision the admin API, the console and the Telegram buttons take:
            // it also queues what carrying it out (or undoing) takes, and a running
            // `jaga serve` carries that out within a second.
            match jaga_serve::actions::decide_in_store(&mut s, id, &d) {
                Ok((c, _)) => {
                    println!("case #{id} is now {}", c.case.status.as_str());
                    let queued = s
                        .actions_for(&c.case.community, &c.case.event_id)
                        .map(|a| a.iter().filter(|a| a.state == "pending").count())
                        .unwrap_or(0);
                    if queued > 0 {
                        println!("{queued} platform action(s) queued; jaga serve carries them out");
                    }
                    EXIT_OK
                }
                Err(e @ jaga_store::StoreError::NotFound(_)) => {
                    eprintln!("jaga: {e}");
                    EXIT_PARTIAL
                }
                Err(e) => {
                    eprintln!("jaga: {e}");
                    EXIT_FATAL
                }
            }
        }
        ReviewCommand::Trust { command } => cmd_trust(command),
        ReviewCommand::Stats { store } => {
            let Ok(s) = open_store(&store.store) else {
                return EXIT_FATAL;
            };
            match s.rule_stats() {
                Ok(st) => {
                    print!("{}", jaga::review::render_stats(&st));
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("jaga: {e}");
                    EXIT_FATAL
                }
            }
        }
    }
}

fn cmd_trust(c: TrustCommand) -> u8 {
    let run = |store: &Path, f: &dyn Fn(&Store) -> Result<(), jaga_store::StoreError>| {
        let Ok(s) = open_store(store) else {
            return EXIT_FATAL;
        };
        match f(&s) {
            Ok(()) => EXIT_OK,
            Err(e) => {
                eprintln!("jaga: {e}");
                EXIT_FATAL
            }
        }
    };
    match c {
        TrustCommand::Add {
            community,
            user,
            store,
            admin,
            note,
        } => run(&store.store, &|s| {
            s.trust(&community, &user, &admin, &note)?;
            println!("{user} is trusted in {community}");
            Ok(())
        }),
        TrustCommand::Remove {
            community,
            user,
            store,
            admin,
        } => run(&store.store, &|s| {
            if s.untrust(&community, &user, &admin)? {
                println!("{user} is no longer trusted in {community}");
            } else {
                println!("{user} was not trusted in {community}");
            }
            Ok(())
        }),
        TrustCommand::List { community, store } => run(&store.store, &|s| {
            let list = s.trusted(community.as_deref())?;
            if list.is_empty() {
                println!("no trusted members");
            }
            for t in list {
                println!(
                    "{:<16} {:<32} by {} {}",
                    t.community, t.user, t.added_by, t.note
                );
            }
            Ok(())
        }),
    }
}

/// Loads the `--data` files, reporting skipped lines; `None` when nothing can be trained or
/// measured.
fn load_data(a: &DataArgs) -> Result<train::Loaded, u8> {
    let mut map = LabelMap::default();
    for m in &a.label_map {
        map.extend(m.clone());
    }
    let mut loaded = train::load(&a.data, &map, a.split, a.test_percent).map_err(|e| {
        eprintln!("jaga: {e}");
        EXIT_FATAL
    })?;
    if let Some(db) = &a.from_store {
        let n = train::load_store(&mut loaded, db, a.store_weight, a.split, a.test_percent)
            .map_err(|e| {
                eprintln!("jaga: {e}");
                EXIT_FATAL
            })?;
        eprintln!(
            "jaga: {} decided case(s) from {} (each counts {}x)",
            n.added,
            db.display(),
            a.store_weight,
        );
    }
    for s in loaded.skipped.iter().take(20) {
        eprintln!("{s}");
    }
    if loaded.skipped.len() > 20 {
        eprintln!(
            "jaga: ... and {} more skipped lines",
            loaded.skipped.len() - 20
        );
    }
    if loaded.examples.is_empty() {
        eprintln!("jaga: no labelled examples in the --data files or the review store (after --split); a store gives examples once admins decide cases (`jaga review decide`)");
        return Err(EXIT_FATAL);
    }
    Ok(loaded)
}

fn cmd_train(a: TrainArgs) -> u8 {
    let engine = match load_engine(&a.rules.rules) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let loaded = match load_data(&a.data) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut map = LabelMap::default();
    for m in &a.data.label_map {
        map.extend(m.clone());
    }
    let opts = train::TrainOptions {
        algorithm: a.algorithm,
        features: a.features,
        alpha: a.alpha,
        max_iterations: a.max_iter,
        hash_bits: a.hash_bits,
        l2: a.l2,
        epochs: a.epochs,
        learning_rate: a.learning_rate,
        label_map: map.pairs().to_vec(),
        holdout_percent: a.holdout,
        refit: a.refit,
        average: a.average,
        seed: a.seed,
        progress: io::stderr().is_terminal(),
    };
    let trained = match train::train(&engine, &loaded.examples, loaded.sources, &opts, &a.out) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("jaga: training failed: {e}");
            return EXIT_FATAL;
        }
    };
    if let Err(e) = trained.model.save(&a.out) {
        eprintln!("jaga: cannot write {}: {e}", a.out.display());
        return EXIT_FATAL;
    }
    let f = trained.model.file();
    let held = if trained.refitted {
        format!(
            "{} held out to measure and calibrate, then fitted again on all",
            trained.held_out
        )
    } else {
        format!("{} held out", trained.held_out)
    };
    eprintln!(
        "jaga: trained {} on {} examples ({held}) in {:.1}s: {} n-gram features; wrote {} ({} KB)",
        f.algorithm.name(),
        trained.examples,
        f.summary.seconds,
        f.id_gaps.len(),
        a.out.display(),
        trained.model.encode().len() / 1024
    );
    if let Some(h) = &f.holdout {
        eprintln!(
            "jaga: held-out {}% ({} examples): accuracy {:.3}, macro-F1 {:.3}, MCC {:.3}",
            h.percent, h.examples, h.accuracy, h.macro_f1, h.mcc
        );
    }
    if loaded.skipped.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }
}

fn cmd_eval(a: EvalArgs) -> u8 {
    let rules = match load_engine(&a.rules.rules) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let combined = match load_model(&a.model, &a.rules.rules) {
        Ok(Some(m)) => match load_engine(&a.rules.rules) {
            Ok(e) => Some(e.with_model(Some(m))),
            Err(code) => return code,
        },
        Ok(None) => None,
        Err(code) => return code,
    };
    let loaded = match load_data(&a.data) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let report = jaga::evaluate::evaluate(&rules, combined.as_ref(), &loaded.examples);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", jaga::evaluate::render(&report));
    }
    if loaded.skipped.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }
}
