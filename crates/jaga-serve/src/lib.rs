//! `jaga serve`: the live pipeline. A bot or bridge posts each message and join request and
//! gets its verdict back at once; flagged events land in the review store.
//!
//! * [`pipeline`]: scoring shards (one per core), admission limits, the store writer.
//! * [`http`]: the HTTP API (events, admin review API, health, metrics).
//! * [`reload`]: hot reload of rules and the state policy (notify, SIGHUP, API).
//! * [`platform`]: the Telegram and WhatsApp adapters and the outbound action webhook.
//! * [`actions`]: the action executor (durable queue, retries, decisions and undo).
//!
//! Start-up loads the rules (refusing a broken set), opens the store, restores raid holds,
//! binds the listener and logs what is enabled. SIGINT or SIGTERM (or the end of standard
//! input with `--stdin`) stops accepting, lets in-flight requests finish (their verdicts
//! and cases included), persists raid holds, checkpoints the store and returns.

pub mod actions;
pub mod config;
pub mod console;
pub mod http;
pub mod metrics;
pub mod pipeline;
pub mod platform;
pub mod reload;

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::sync::{mpsc, watch};

use crate::actions::Executor;
use crate::config::{Config, Limits, Mode};
use crate::metrics::Metrics;
use crate::platform::{
    telegram::Telegram, webhook::Outbound, whatsapp::WhatsApp, Inbound, Platform,
};
use jaga_core::model::ModelChoice;
use jaga_core::state::raid::Raids;
use jaga_core::verdict::Verdict;
use jaga_store::{NewCase, Origin, Store};
use pipeline::{Admission, Batch, Live, Pipeline, StoreWriter};
use reload::Reloader;

/// How long shutdown waits for in-flight requests before closing anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Everything `jaga serve` needs to start.
pub struct Options {
    pub config: Config,
    /// The config file, when one was given (for messages).
    pub config_path: Option<PathBuf>,
    /// Also read events from standard input and write verdicts to standard output.
    pub stdin: bool,
    pub admin_token: Option<String>,
    pub ingest_token: Option<String>,
    /// The classifier; reloaded with the rules.
    pub model: ModelChoice,
    /// Export scans and retrains for the console (the binary's own code).
    pub tasks: Option<Arc<dyn console::tasks::Tasks>>,
}

/// Shared by every request handler.
pub struct App {
    pub pipeline: Arc<Pipeline>,
    pub store: StoreWriter,
    /// A second connection for the admin API and CLI-like reads (WAL lets it read while the
    /// writer writes).
    pub admin_store: Mutex<Store>,
    pub reloader: Arc<Reloader>,
    pub raids: Arc<Raids>,
    pub limits: Limits,
    pub admin_token: Option<String>,
    pub ingest_token: Option<String>,
    pub started: Instant,
    /// The admin console's state.
    pub console: console::Console,
    /// Carries verdicts' actions out on the platforms; decisions go through it.
    pub executor: Arc<Executor>,
    pub telegram: Option<Arc<Telegram>>,
    pub whatsapp: Option<Arc<WhatsApp>>,
    pub webhook: Option<Arc<Outbound>>,
    /// `(community, user)` of trusted members, refreshed from the store every few seconds.
    pub trusted: RwLock<HashSet<(String, String)>>,
}

/// Scores events that platform adapters delivered and queues what their verdicts ask for:
/// trusted members are marked protected, each event is scored, flagged ones become cases,
/// the executor plans actions as the group's mode allows, and cases, origins and actions
/// are committed in one transaction before this returns (so a crash right after still
/// carries the actions out). A member's report opens a case even for an unflagged message.
pub async fn ingest(app: &Arc<App>, mut items: Vec<Inbound>) -> Result<Vec<Verdict>, String> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    {
        let trusted = app.trusted.read().unwrap_or_else(|e| e.into_inner());
        if !trusted.is_empty() {
            for it in &mut items {
                if trusted.contains(&(it.event.community.clone(), it.event.user.clone())) {
                    it.origin.protected = true;
                    // The policy's `[trust]` caps what the verdict itself may ask for.
                    if it.event.role == jaga_core::Role::Member {
                        it.event.role = jaga_core::Role::Trusted;
                    }
                }
            }
        }
    }
    let mut reports = Vec::new();
    for it in &items {
        if let Some(r) = &it.reported_by {
            reports.push((it.event.community.clone(), it.event.id.clone(), r.clone()));
        }
    }
    if !reports.is_empty() {
        app.executor
            .with_store(move |s| {
                for (c, e, r) in &reports {
                    s.report(c, e, r)?;
                }
                Ok(())
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    let events = items.iter().map(|i| i.event.clone()).collect();
    let scored = app
        .pipeline
        .score(events, Admission::Wait)
        .await
        .map_err(|_| "scoring failed (a stage panicked); the events were not stored".to_string())?;
    let mut batch = Batch::default();
    let mut verdicts = Vec::with_capacity(scored.len());
    let mut wake: Vec<String> = Vec::new();
    for (it, s) in items.into_iter().zip(scored) {
        let mut case = s.case;
        let mut actions = if it.reported_by.is_some() {
            // A report asks the admins; it does not act by itself.
            if case.is_none() {
                let mut v = s.verdict.clone();
                v.action = jaga_core::verdict::Action::Review.for_kind(it.event.kind);
                let mut c = NewCase::new(&it.event, &v, jaga_store::unix_now());
                c.rules.push("member.report".into());
                case = Some(c);
            }
            let mut o = it.origin.clone();
            if o.mode == Mode::Enforce.as_str() {
                o.mode = Mode::Review.as_str().into();
            }
            app.executor
                .plan(&o, it.event.kind, jaga_core::verdict::Action::Review, true)
        } else {
            app.executor
                .plan(&it.origin, it.event.kind, s.verdict.action, case.is_some())
        };
        if case.is_some() || !actions.is_empty() {
            batch.origins.push(it.origin.clone());
        }
        if !actions.is_empty() && !wake.contains(&it.origin.connection) {
            wake.push(it.origin.connection.clone());
        }
        batch.actions.append(&mut actions);
        batch.cases.extend(case);
        verdicts.push(s.verdict);
    }
    app.store.write_batch(batch).await.map_err(|e| e.0)?;
    for c in wake {
        app.executor.wake(&c);
    }
    Ok(verdicts)
}

/// The origin of an event posted to `POST /v1/events` when a `[webhook]` carries actions
/// out: the group is the chat, the event id the message.
pub fn webhook_origin(app: &App, ev: &jaga_core::event::Event) -> Option<Origin> {
    let w = app.webhook.as_ref()?;
    let cfg = w.config();
    let mode = cfg
        .groups
        .get(&ev.group)
        .copied()
        .unwrap_or(cfg.default_mode);
    Some(Origin {
        community: ev.community.clone(),
        event_id: ev.id.clone(),
        platform: "webhook".into(),
        connection: cfg.name.clone(),
        chat: ev.group.clone(),
        message: if ev.kind == jaga_core::event::Kind::Message {
            ev.id.clone()
        } else {
            String::new()
        },
        user: ev.user.clone(),
        mode: mode.as_str().into(),
        protected: ev.role == jaga_core::event::Role::Admin,
    })
}

/// Runs the server until a shutdown signal; `Err` is a start-up failure to print.
pub fn run(opts: Options) -> Result<(), String> {
    let cfg = &opts.config;
    let workers = cfg.pipeline.worker_count();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.clamp(1, 4))
        .thread_name("jaga-http")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    rt.block_on(serve(opts))
}

async fn serve(opts: Options) -> Result<(), String> {
    let cfg = opts.config;
    let detector = reload::load_detector(&cfg.rules, &opts.model, None)?;
    let rules_n = detector.rules().len();
    let open = |what| {
        Store::open(&cfg.store, cfg.durability).map_err(|e| {
            format!("cannot open the review store for {what}: {e}; check the path given by --store or `store` in jaga.toml")
        })
    };
    // The first connection checks the file is whole (refusing a damaged or truncated store
    // with the way to recover) before anything is written to it.
    let mut writer_store = Store::open_checked(&cfg.store, cfg.durability).map_err(|e| match e {
        e @ jaga_store::StoreError::Damaged { .. } => e.to_string(),
        e => format!("cannot open the review store for writing: {e}; check the path given by --store or `store` in jaga.toml"),
    })?;
    http::protect_store(&mut writer_store, cfg.retention_days)?;
    let admin_store = open("the admin API")?;
    // Join-wave holds live in the detector's state, which every reload carries over.
    let raids = detector.state().raids().clone();
    let holds = admin_store
        .raid_holds(pipeline::now_ms())
        .map_err(|e| e.to_string())?;
    raids.restore(&holds);

    let live = Arc::new(Live {
        detector: ArcSwap::from_pointee(detector),
        metrics: Metrics::new(),
    });
    live.metrics
        .rules_loaded
        .store(rules_n as u64, std::sync::atomic::Ordering::Relaxed);
    let workers = cfg.pipeline.worker_count();
    let pipeline = Arc::new(Pipeline::start(live.clone(), workers, cfg.pipeline.queue));
    let store = StoreWriter::start(
        writer_store,
        open("checkpoints")?,
        live.clone(),
        cfg.pipeline.store_queue,
        cfg.pipeline.store_batch,
    );
    let reloader = Arc::new(Reloader::new(
        live.clone(),
        cfg.rules.clone(),
        opts.model.clone(),
    ));
    let telegram = match cfg.telegram.clone() {
        Some(t) => Some(Arc::new(Telegram::new(t)?)),
        None => None,
    };
    let whatsapp = match cfg.whatsapp.clone() {
        Some(w) => Some(Arc::new(WhatsApp::new(w)?)),
        None => None,
    };
    let webhook = match cfg.webhook.clone() {
        Some(w) => Some(Arc::new(Outbound::new(w)?)),
        None => None,
    };
    let mut platforms: Vec<Arc<dyn Platform>> = Vec::new();
    if let Some(t) = &telegram {
        t.start().await?;
        platforms.push(t.clone());
    }
    if let Some(w) = &whatsapp {
        w.start().await?;
        platforms.push(w.clone());
    }
    if let Some(w) = &webhook {
        platforms.push(w.clone());
    }
    let executor = Arc::new(Executor::new(
        open("the action executor")?,
        store.handle(),
        platforms,
        cfg.executor.clone(),
    ));
    let trusted = load_trusted(&admin_store);
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}: {e}; choose another address with --listen",
                cfg.listen
            )
        })?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;

    let console_model = match &opts.model {
        ModelChoice::Off => None,
        ModelChoice::Default => Some(PathBuf::from(jaga_core::model::DEFAULT_PATH)),
        ModelChoice::File(p) => Some(p.clone()),
    };
    let console = console::Console::new(
        cfg.console.clone(),
        opts.tasks.clone(),
        cfg.store.clone(),
        cfg.rules.clone(),
        console_model,
    );
    let console_listener = match cfg.console.listen.filter(|_| cfg.console.enabled) {
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            format!("cannot listen on {addr} for the console: {e}; choose another [console] listen or --console-listen")
        })?),
        None => None,
    };
    let console_addr = match &console_listener {
        Some(l) => Some(
            l.local_addr()
                .map_err(|e| format!("cannot read the console's address: {e}"))?,
        ),
        None => cfg.console.enabled.then_some(local),
    };
    *console.listen.lock().unwrap_or_else(|e| e.into_inner()) = console_addr;
    let app = Arc::new(App {
        pipeline,
        store,
        admin_store: Mutex::new(admin_store),
        reloader: reloader.clone(),
        raids: raids.clone(),
        limits: cfg.limits.clone(),
        admin_token: opts.admin_token.filter(|t| !t.is_empty()),
        ingest_token: opts.ingest_token.filter(|t| !t.is_empty()),
        started: Instant::now(),
        console,
        executor: executor.clone(),
        telegram: telegram.clone(),
        whatsapp: whatsapp.clone(),
        webhook,
        trusted: RwLock::new(trusted),
    });

    let _watcher = match reloader.watch() {
        Ok((w, mut changes)) => {
            let app = app.clone();
            tokio::spawn(async move {
                while changes.recv().await.is_some() {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    while changes.try_recv().is_ok() {}
                    reload_and_audit(&app, "file change").await;
                }
            });
            Some(w)
        }
        Err(e) => {
            tracing::warn!(error = %e, "hot reload on file change is off; SIGHUP and POST /v1/reload still work");
            None
        }
    };
    tracing::info!(
        listen = %local,
        rules = rules_n,
        rules_dir = %cfg.rules.display(),
        model = %reload::describe_model(&live.detector.load()),
        store = %cfg.store.display(),
        workers,
        raid_holds = holds.len(),
        "jaga serve started"
    );
    if app.ingest_token.is_none() {
        tracing::warn!("POST /v1/events is open to anyone who reaches the listener: JAGA_INGEST_TOKEN is not set");
    }
    if app.admin_token.is_none() {
        tracing::warn!("the admin API is disabled: JAGA_ADMIN_TOKEN is not set, so every /v1/cases, /v1/rules, /v1/audit and /v1/reload request is refused with 403");
    }
    // Tests and supervisors read the bound address from here (useful with --listen 127.0.0.1:0).
    if let Some(a) = console_addr.filter(|a| *a != local) {
        eprintln!("jaga: console on http://{a}");
    }
    // Signals are handled before the address is announced: a supervisor (or a test) that
    // sends SIGTERM right after reading it gets a clean shutdown, not the default kill.
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    spawn_signals(app.clone(), stop_tx.clone())?;
    eprintln!("jaga: listening on http://{local}");
    app.store
        .audit(
            "system",
            "serve.start",
            format!("listen {local}, {rules_n} rules"),
        )
        .await;
    let ticker = spawn_ticker(app.clone());
    let retention = http::spawn_retention(app.clone(), cfg.retention_days);
    let mut workers = executor.spawn(stop_rx.clone());
    if let Some(t) = telegram.filter(|t| t.config().receive == config::Receive::Polling) {
        workers.push(tokio::spawn(t.poll(app.clone(), stop_rx.clone())));
    }
    if let Some(w) = whatsapp {
        workers.push(tokio::spawn(w.poll_joins(app.clone(), stop_rx.clone())));
    }
    let stdin_task = opts
        .stdin
        .then(|| tokio::spawn(stdin_source(app.clone(), stop_tx.clone())));

    let console_task = console_listener.map(|l| {
        let (rx, router, live, limits) = (
            stop_rx.clone(),
            console::router(app.clone()),
            live.clone(),
            app.limits.clone(),
        );
        tokio::spawn(async move { http::serve(l, router, &limits, live, "console", rx).await })
    });
    let server = http::serve(
        listener,
        http::router(app.clone()),
        &app.limits,
        live.clone(),
        "api",
        stop_rx.clone(),
    );
    let deadline = async {
        let _ = stop_rx.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        () = server => {},
        () = deadline => tracing::warn!("in-flight requests did not finish within {SHUTDOWN_GRACE:?}; closing anyway"),
    }
    tracing::info!("shutting down: in-flight requests answered; flushing the store");
    if let Some(t) = console_task {
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, t).await;
    }
    if let Some(t) = stdin_task {
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, t).await;
    }
    ticker.abort();
    retention.abort();
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(5), w).await;
    }
    app.store.save_raid_holds(app.raids.take_changed()).await;
    app.store
        .audit(
            "system",
            "serve.stop",
            format!("{} events scored", app.pipeline.live.metrics.events_total()),
        )
        .await;
    app.store.stop().await;
    tracing::info!("jaga serve stopped");
    Ok(())
}

fn spawn_signals(app: Arc<App>, stop: Arc<watch::Sender<bool>>) -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    let mut int =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
    let mut hup = signal(SignalKind::hangup()).map_err(|e| format!("cannot handle SIGHUP: {e}"))?;
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received"),
            _ = int.recv() => tracing::info!("SIGINT received"),
        }
        let _ = stop.send(true);
    });
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            reload_and_audit(&app, "SIGHUP").await;
        }
    });
    Ok(())
}

/// The trusted members of every community.
fn load_trusted(store: &Store) -> HashSet<(String, String)> {
    match store.trusted(None) {
        Ok(t) => t.into_iter().map(|t| (t.community, t.user)).collect(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the trusted members");
            HashSet::new()
        }
    }
}

/// Reloads rules and the state policy and records the result in the audit log.
pub async fn reload_and_audit(app: &App, trigger: &str) -> reload::ReloadStatus {
    let status = app.reloader.reload(trigger).await;
    let actor = if trigger == "api" { "admin" } else { "system" };
    app.store
        .audit(
            actor,
            "rules.reload",
            serde_json::to_string(&status).unwrap_or_default(),
        )
        .await;
    status
}

/// Persists raid holds every second and bounds the shards' state every ten.
fn spawn_ticker(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut n = 0u64;
        loop {
            tick.tick().await;
            n += 1;
            app.store.save_raid_holds(app.raids.take_changed()).await;
            if n % 5 == 0 {
                let t = app
                    .executor
                    .with_store(|s| Ok(load_trusted(s)))
                    .await
                    .unwrap_or_default();
                *app.trusted.write().unwrap_or_else(|e| e.into_inner()) = t;
            }
            if n % 10 == 0 {
                app.pipeline.maintain();
            }
        }
    })
}

/// Longest stdin line accepted.
const MAX_LINE: usize = 1 << 20;

/// Reads JSONL events from standard input and writes verdicts to standard output in order;
/// the end of input shuts the server down. A flagged verdict is printed only after its case
/// is committed, as over HTTP.
async fn stdin_source(app: Arc<App>, stop: Arc<watch::Sender<bool>>) {
    let (tx, mut rx) = mpsc::channel::<(u64, Result<Vec<u8>, String>)>(8192);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        let mut n = 0u64;
        loop {
            let mut line = Vec::new();
            match jaga_export::jsonl::read_line_capped(&mut input, &mut line, MAX_LINE) {
                Ok(0) => break,
                Ok(_) => {
                    n += 1;
                    if tx.blocking_send((n, Ok(line))).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ =
                        tx.blocking_send((n + 1, Err(format!("cannot read standard input: {e}"))));
                    break;
                }
            }
        }
    });
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut stopping = stop.subscribe();
    loop {
        // A signal stops reading; lines already read are scored and answered first.
        let first = tokio::select! {
            l = rx.recv() => l,
            _ = stopping.wait_for(|s| *s) => rx.try_recv().ok(),
        };
        let Some(first) = first else { break };
        let mut lines = vec![first];
        while lines.len() < 1024 {
            match rx.try_recv() {
                Ok(l) => lines.push(l),
                Err(_) => break,
            }
        }
        let mut events = Vec::with_capacity(lines.len());
        for (n, line) in lines {
            let parsed = line.and_then(|l| jaga_export::jsonl::parse_event(&l, MAX_LINE));
            match parsed {
                Ok(Some(ev)) => events.push(ev),
                Ok(None) => {}
                Err(e) => eprintln!("<stdin>:{n}: {e}"),
            }
        }
        if events.is_empty() {
            continue;
        }
        let Ok(scored) = app.pipeline.score(events, Admission::Wait).await else {
            tracing::error!("scoring failed (a stage panicked); standard input is no longer read");
            break;
        };
        let mut cases = Vec::new();
        let mut verdicts = Vec::with_capacity(scored.len());
        for s in scored {
            cases.extend(s.case);
            verdicts.push(s.verdict);
        }
        let mut tries = 0;
        loop {
            match app.store.write(cases.clone()).await {
                Ok(_) => break,
                Err(e) if tries < 10 => {
                    tries += 1;
                    tracing::warn!(error = %e.0, tries, "store write failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e.0, "store write failed; stopping the stdin source without printing unstored verdicts");
                    let _ = stop.send(true);
                    return;
                }
            }
        }
        for v in &verdicts {
            let _ = serde_json::to_writer(&mut out, v);
            let _ = out.write_all(b"\n");
        }
        if out.flush().is_err() {
            break;
        }
    }
    tracing::info!("standard input ended; shutting down");
    let _ = stop.send(true);
}
