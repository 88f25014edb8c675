//! The HTTP API of `jaga serve`: event ingestion, the admin review API, health and metrics.
//!
//! | method | path | auth |
//! |---|---|---|
//! | POST | `/v1/events` | `JAGA_INGEST_TOKEN` when set |
//! | GET | `/v1/cases`, `/v1/cases/{id}`, `/v1/rules/stats`, `/v1/audit` | admin |
//! | POST | `/v1/cases/{id}/decision`, `/v1/reload` | admin |
//! | GET, POST, DELETE | `/v1/trusted` | admin |
//! | GET | `/v1/actions` | admin |
//! | POST | `/v1/telegram/{name}` | the Telegram webhook secret token |
//! | POST | `/v1/whatsapp/{name}` | GoWA's `X-Hub-Signature-256` |
//! | GET | `/v1/health`, `/healthz`, `/metrics` | none |
//!
//! Every error is JSON `{"error": "..."}` saying what to do.

// Handlers return `Result<_, Response>` so `?` short-circuits into an HTTP answer; the size
// of axum's Response does not matter on this path.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::pipeline::{Admission, Live, RETRY_AFTER};
use super::App;
use crate::config::Limits;
use crate::metrics::Rejection;
use jaga_core::event::Event;
use jaga_core::verdict::Category;
use jaga_store::{CaseFilter, NewDecision, Status, StoreError};

/// The router over the shared application state: the API, and the admin console under `/`
/// unless it has a listener of its own (`[console] listen`) or is off. Every response carries
/// the console's security headers (a JSON answer is no less protected).
pub fn router(app: Arc<App>) -> Router {
    let with_console = app.console.cfg.enabled && app.console.cfg.listen.is_none();
    let api = Router::new()
        .route("/v1/events", post(events))
        .route("/v1/cases", get(list_cases))
        .route("/v1/cases/{id}", get(get_case))
        .route("/v1/cases/{id}/decision", post(decide))
        .route("/v1/cases/{id}/reveal", post(reveal))
        .route("/v1/rules/stats", get(rule_stats))
        .route("/v1/audit", get(audit))
        .route("/v1/reload", post(reload))
        .route(
            "/v1/trusted",
            get(list_trusted).post(add_trusted).delete(remove_trusted),
        )
        .route("/v1/actions", get(list_actions))
        .route("/v1/telegram/{name}", post(telegram_webhook))
        .route("/v1/whatsapp/{name}", post(whatsapp_webhook))
        .route("/v1/health", get(health))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics));
    let api = if with_console {
        api.merge(crate::console::routes())
    } else {
        api
    };
    api.fallback(|| async {
        error(
            StatusCode::NOT_FOUND,
            "no such endpoint; see the API reference in the README",
        )
    })
    .with_state(app)
    .layer(axum::middleware::map_response(
        crate::console::security_headers,
    ))
}

fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": msg.into() }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    // The scheme is case-insensitive (RFC 7235 section 2.1): `bearer`, `BEARER` work too.
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token)
    else {
        return false;
    };
    // Constant time in the token's content (a length mismatch fails at once).
    given.trim().as_bytes().ct_eq(token.as_bytes()).into()
}

fn unauthorized(app: &App, what: &str) -> Response {
    app.pipeline.live.metrics.reject(Rejection::Unauthorized);
    let mut r = error(
        StatusCode::UNAUTHORIZED,
        format!("missing or wrong bearer token; send `Authorization: Bearer <{what}>`"),
    );
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

/// Checks the admin token; the admin API refuses everything when no token is configured.
fn admin(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    match &app.admin_token {
        None => Err(error(
            StatusCode::FORBIDDEN,
            "the admin API is disabled: restart jaga serve with JAGA_ADMIN_TOKEN set in its environment",
        )),
        Some(t) if bearer_matches(headers, t) => Ok(()),
        Some(_) => Err(unauthorized(app, "JAGA_ADMIN_TOKEN")),
    }
}

/// How the request carried its events, which is how the verdicts go back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One JSON object in, one verdict object out.
    One,
    /// A JSON array in, an array out.
    Array,
    /// JSON lines in (`application/x-ndjson`, or several objects), JSON lines out.
    Lines,
}

fn parse_events(body: &[u8], ndjson: bool) -> Result<(Shape, Vec<Event>), String> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or("the body is empty; send one event, a JSON array of events, or JSON lines")?;
    if body[start] == b'[' {
        let events: Vec<Event> =
            serde_json::from_slice(body).map_err(|e| format!("not a JSON array of events: {e}"))?;
        return Ok((Shape::Array, events));
    }
    let mut events = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<Event>();
    loop {
        let offset = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(ev)) => events.push(ev),
            Some(Err(e)) => {
                let line = body[..offset.min(body.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1;
                let line = if e.line() > 0 { e.line() } else { line };
                return Err(format!(
                    "event {} (line {line}) is not a valid event: {e}; nothing in this request was scored",
                    events.len() + 1
                ));
            }
        }
    }
    let shape = if events.len() == 1 && !ndjson {
        Shape::One
    } else {
        Shape::Lines
    };
    Ok((shape, events))
}

async fn events(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    if let Some(t) = &app.ingest_token {
        if !bearer_matches(&headers, t) {
            return unauthorized(&app, "JAGA_INGEST_TOKEN");
        }
    }
    let started = Instant::now();
    let limit = Duration::from_millis(app.limits.request_timeout_ms);
    let r = match tokio::time::timeout(limit, ingest(&app, &headers, body, started)).await {
        Ok(r) => r,
        Err(_) => {
            app.pipeline.live.metrics.reject(Rejection::Timeout);
            error(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request took longer than {} ms (limits.request_timeout_ms); retry it: re-delivered events are recognised by id",
                    app.limits.request_timeout_ms
                ),
            )
        }
    };
    if r.status() == StatusCode::OK {
        app.pipeline.live.metrics.request.observe(started.elapsed());
    }
    r
}

async fn ingest(app: &App, headers: &HeaderMap, body: Body, started: Instant) -> Response {
    let metrics = &app.pipeline.live.metrics;
    let max = app.limits.max_body_bytes;
    let too_large = |what: String| {
        metrics.reject(Rejection::TooLarge);
        error(StatusCode::PAYLOAD_TOO_LARGE, what)
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return too_large(format!(
            "the body is larger than {max} bytes (limits.max_body_bytes); send smaller batches"
        ));
    }
    let bytes = match axum::body::to_bytes(body, max).await {
        Ok(b) => b,
        Err(_) => {
            return too_large(format!(
                "the body is larger than {max} bytes (limits.max_body_bytes) or was cut off; send smaller batches"
            ))
        }
    };
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("ndjson") || v.contains("jsonl"));
    let (shape, events) = match parse_events(&bytes, ndjson) {
        Ok(x) => x,
        Err(e) => {
            metrics.reject(Rejection::BadRequest);
            return error(StatusCode::BAD_REQUEST, e);
        }
    };
    let parsed = started.elapsed();
    metrics.request_parse.observe(parsed);
    let n_events = events.len();
    if events.len() > app.limits.max_events {
        return too_large(format!(
            "{} events in one request; the limit is {} (limits.max_events)",
            events.len(),
            app.limits.max_events
        ));
    }
    let max_text = app.limits.max_text_bytes;
    if let Some((i, ev)) = events
        .iter()
        .enumerate()
        .find(|(_, e)| e.text.len() > max_text || e.name.len() > max_text)
    {
        return too_large(format!(
            "event {} (id `{}`) has a text or name longer than {max_text} bytes (limits.max_text_bytes); nothing in this request was scored",
            i + 1,
            ev.id
        ));
    }
    // Only what the webhook needs of each event (its origin) is kept past scoring.
    let originals: Vec<Event> = if app.webhook.is_some() {
        events
            .iter()
            .map(|e| Event {
                id: e.id.clone(),
                kind: e.kind,
                community: e.community.clone(),
                group: e.group.clone(),
                user: e.user.clone(),
                role: e.role,
                ..Event::default()
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut times = super::pipeline::BatchTimes::default();
    let score_started = Instant::now();
    let scored = match app
        .pipeline
        .score_timed(events, Admission::TryNow, &mut times)
        .await
    {
        Ok(s) => s,
        Err(_) => {
            metrics.reject(Rejection::Busy);
            let mut r = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the scoring queues are full; nothing in this request was scored; retry after the Retry-After delay",
            );
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(RETRY_AFTER.as_secs()),
            );
            return r;
        }
    };
    let mut batch = super::pipeline::Batch::default();
    let mut verdicts = Vec::with_capacity(scored.len());
    let none = Event::default();
    for (i, s) in scored.into_iter().enumerate() {
        let ev = originals.get(i).unwrap_or(&none);
        // With a `[webhook]`, the bridge carries the actions out: plan them like a platform's.
        if let Some(o) = originals.get(i).and_then(|_| originals_origin(app, ev)) {
            let mut a = app
                .executor
                .plan(&o, ev.kind, s.verdict.action, s.case.is_some());
            if s.case.is_some() || !a.is_empty() {
                batch.origins.push(o);
            }
            batch.actions.append(&mut a);
        }
        if let Some(c) = s.case {
            batch.cases.push(c);
        }
        verdicts.push(s.verdict);
    }
    let scored_at = score_started.elapsed();
    metrics.shard_wait.observe(times.lock_wait);
    metrics.batch_scoring.observe(times.scoring);
    let wake = !batch.actions.is_empty();
    let n_cases = batch.cases.len();
    // The answer waits for the commit: an answered flagged event is in the store.
    let store_started = Instant::now();
    let written = app.store.write_batch_timed(batch).await;
    let store_took = store_started.elapsed();
    if n_cases > 0 {
        metrics.store_wait.observe(store_took);
        if let Ok(w) = &written {
            metrics.store_queue.observe(w.queued);
        }
    }
    if wake {
        if let Some(w) = &app.webhook {
            app.executor.wake(&w.config().name);
        }
    }
    if let Err(e) = written {
        metrics.reject(Rejection::StoreFailed);
        let mut r = error(StatusCode::SERVICE_UNAVAILABLE, e.0);
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(RETRY_AFTER.as_secs()),
        );
        return r;
    }
    if let Some(slow) = super::metrics::slow_ms() {
        let total = started.elapsed();
        if total.as_secs_f64() * 1e3 >= slow {
            let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
            let w = written.as_ref().ok().copied().unwrap_or_default();
            // Durations and counts only: never text, names or ids.
            tracing::info!(
                target: "jaga::slow",
                total_ms = ms(total),
                read_parse_ms = ms(parsed),
                arrive_ms = ms(times.arrive),
                lock_wait_ms = ms(times.lock_wait),
                scoring_ms = ms(times.scoring),
                scoring_cpu_ms = ms(times.cpu),
                score_step_ms = ms(scored_at),
                store_ms = ms(store_took),
                store_queue_ms = ms(w.queued),
                store_txn_ms = ms(w.txn),
                store_group = w.group,
                events = n_events,
                cases = n_cases,
                "slow request"
            );
        }
    }
    let mut out = Vec::with_capacity(verdicts.len() * 192);
    match shape {
        Shape::One => {
            let _ = serde_json::to_writer(&mut out, &verdicts[0]);
        }
        Shape::Array => {
            let _ = serde_json::to_writer(&mut out, &verdicts);
        }
        Shape::Lines => {
            for v in &verdicts {
                let _ = serde_json::to_writer(&mut out, v);
                out.push(b'\n');
            }
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/x-ndjson")],
                out,
            )
                .into_response();
        }
    }
    json(StatusCode::OK, out)
}

fn originals_origin(app: &App, ev: &Event) -> Option<jaga_store::Origin> {
    super::webhook_origin(app, ev)
}

/// Runs a store operation on the admin connection off the async threads.
async fn with_store<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&mut jaga_store::Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Response> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let mut s = app.admin_store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut s)
    })
    .await
    .map_err(|e| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("store task failed: {e}"),
        )
    })?
    .map_err(|e| match e {
        StoreError::NotFound(id) => error(StatusCode::NOT_FOUND, format!("no case {id}")),
        StoreError::Invalid(m) => error(StatusCode::BAD_REQUEST, m),
        e => {
            tracing::error!(error = %e, "admin store operation failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Response {
    json(StatusCode::OK, serde_json::to_vec(v).unwrap_or_default())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseQuery {
    status: Option<String>,
    category: Option<String>,
    group: Option<String>,
    before: Option<i64>,
    limit: Option<usize>,
}

async fn list_cases(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<CaseQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let Ok(Query(q)) = q else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad query; use status=, category=, group=, before= (case id) and limit=",
        );
    };
    let status = match q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<Status>)
    {
        Some(Err(e)) => return error(StatusCode::BAD_REQUEST, e),
        Some(Ok(s)) => Some(s),
        None => None,
    };
    let category = q.category.filter(|c| !c.is_empty());
    if let Some(c) = &category {
        if c != "ok" {
            if let Err(e) = c.parse::<Category>() {
                return error(StatusCode::BAD_REQUEST, e);
            }
        }
    }
    let filter = CaseFilter {
        status,
        category,
        group: q.group.filter(|g| !g.is_empty()),
        before: q.before,
        limit: q.limit.unwrap_or(100),
    };
    match with_store(&app, move |s| s.list(&filter)).await {
        Ok(mut cases) => {
            // User ids are often phone numbers (WhatsApp): masked like the summary.
            for c in &mut cases {
                c.user = jaga_core::mask::mask(&c.user);
            }
            to_json(&serde_json::json!({ "cases": cases }))
        }
        Err(r) => r,
    }
}

async fn get_case(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::BAD_REQUEST, "a case id is a number");
    };
    match with_store(&app, move |s| s.get(id)?.ok_or(StoreError::NotFound(id))).await {
        Ok(c) => to_json(&c),
        Err(r) => r,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevealBody {
    admin: String,
    #[serde(default)]
    reason: String,
}

/// The case with the event as received, decrypted with the store key; audited.
async fn reveal(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::BAD_REQUEST, "a case id is a number");
    };
    let b: RevealBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("not a reveal: {e}; send {{\"admin\":\"NAME\",\"reason\":optional}}"),
            )
        }
    };
    let detail = format!("personal data revealed through the admin API: {}", b.reason);
    match with_store(&app, move |s| s.reveal(id, &b.admin, &detail)).await {
        Ok(c) => to_json(&c),
        Err(r) => r,
    }
}

/// At start: converts cases stored before the store kept personal data masked, purges
/// what `retention_days` no longer keeps, and says whether full events are kept.
pub fn protect_store(store: &mut jaga_store::Store, retention_days: u64) -> Result<(), String> {
    let n = store.seal_legacy().map_err(|e| e.to_string())?;
    if n > 0 {
        tracing::info!(
            cases = n,
            sealed = store.has_key(),
            "cases from before masked storage converted"
        );
    }
    if store.has_key() {
        tracing::info!("full events are kept encrypted with the store key (JAGA_STORE_KEY)");
    } else {
        tracing::warn!("no store key (JAGA_STORE_KEY or JAGA_STORE_KEY_FILE): cases keep only the masked event; personal data cannot be revealed later");
    }
    if retention_days > 0 {
        let n = store
            .purge_decided(jaga_store::unix_now(), retention_days)
            .map_err(|e| e.to_string())?;
        tracing::info!(
            cases = n,
            retention_days,
            "purged decided cases past retention"
        );
    }
    Ok(())
}

/// Purges decided cases past `retention_days` every hour (0: never).
pub fn spawn_retention(app: Arc<App>, retention_days: u64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if retention_days == 0 {
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.tick().await;
        loop {
            tick.tick().await;
            let r = app
                .executor
                .with_store(move |s| s.purge_decided(jaga_store::unix_now(), retention_days))
                .await;
            match r {
                Ok(n) if n > 0 => tracing::info!(
                    cases = n,
                    retention_days,
                    "purged decided cases past retention"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "retention purge failed"),
            }
        }
    })
}

async fn decide(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::BAD_REQUEST, "a case id is a number");
    };
    let d: NewDecision = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("not a decision: {e}; send {{\"admin\":\"NAME\",\"decision\":\"confirm\"|\"dismiss\",\"category\":optional,\"action\":optional,\"note\":optional}}"),
            )
        }
    };
    match app.executor.decide(id, d).await {
        Ok(c) => to_json(&c),
        Err(StoreError::NotFound(id)) => error(StatusCode::NOT_FOUND, format!("no case {id}")),
        Err(StoreError::Invalid(m)) => error(StatusCode::BAD_REQUEST, m),
        Err(e) => {
            tracing::error!(error = %e, "a decision failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
    }
}

async fn rule_stats(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    match with_store(&app, |s| s.rule_stats()).await {
        Ok(st) => to_json(&serde_json::json!({ "rules": st })),
        Err(r) => r,
    }
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    limit: Option<usize>,
}

async fn audit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let limit = q
        .ok()
        .and_then(|Query(q)| q.limit)
        .unwrap_or(100)
        .min(10_000);
    match with_store(&app, move |s| s.audit_log(limit)).await {
        Ok(a) => to_json(&serde_json::json!({ "audit": a })),
        Err(r) => r,
    }
}

async fn reload(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let status = super::reload_and_audit(&app, "api").await;
    let code = if status.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    json(code, serde_json::to_vec(&status).unwrap_or_default())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustedBody {
    community: String,
    user: String,
    admin: String,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustedQuery {
    community: Option<String>,
    user: Option<String>,
    admin: Option<String>,
}

async fn list_trusted(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<TrustedQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let community = q.ok().and_then(|Query(q)| q.community);
    match with_store(&app, move |s| s.trusted(community.as_deref())).await {
        Ok(t) => to_json(&serde_json::json!({ "trusted": t })),
        Err(r) => r,
    }
}

async fn add_trusted(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let t: TrustedBody = match serde_json::from_slice(&body) {
        Ok(t) => t,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("not a trusted member: {e}; send {{\"community\":\"...\",\"user\":\"...\",\"admin\":\"NAME\",\"note\":optional}}"),
            )
        }
    };
    let key = (t.community.clone(), t.user.clone());
    match with_store(&app, move |s| {
        s.trust(&t.community, &t.user, &t.admin, &t.note)
    })
    .await
    {
        Ok(()) => {
            app.trusted
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key);
            to_json(&serde_json::json!({ "trusted": true }))
        }
        Err(r) => r,
    }
}

async fn remove_trusted(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<TrustedQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let Ok(Query(TrustedQuery {
        community: Some(c),
        user: Some(u),
        admin: Some(a),
    })) = q
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "give community=, user= and admin= (your name)",
        );
    };
    let key = (c.clone(), u.clone());
    match with_store(&app, move |s| s.untrust(&c, &u, &a)).await {
        Ok(removed) => {
            app.trusted
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            to_json(&serde_json::json!({ "removed": removed }))
        }
        Err(r) => r,
    }
}

async fn list_actions(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = admin(&app, &headers) {
        return r;
    }
    let limit = q
        .ok()
        .and_then(|Query(q)| q.limit)
        .unwrap_or(100)
        .min(10_000);
    match with_store(&app, move |s| s.recent_actions(limit)).await {
        Ok(a) => to_json(&serde_json::json!({ "actions": a })),
        Err(r) => r,
    }
}

async fn telegram_webhook(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match &app.telegram {
        Some(t) if t.config().name == name => {
            let (status, msg) = t.webhook(&app, &headers, &body).await;
            if status == StatusCode::OK {
                json(status, msg.into_bytes())
            } else {
                error(status, msg)
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!("no Telegram connection named `{name}`"),
        ),
    }
}

async fn whatsapp_webhook(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match &app.whatsapp {
        Some(w) if w.config().name == name => {
            let (status, msg) = w.webhook(&app, &headers, &body).await;
            if status == StatusCode::OK {
                json(status, msg.into_bytes())
            } else {
                error(status, msg)
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!("no WhatsApp connection named `{name}`"),
        ),
    }
}

async fn health(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let now = super::pipeline::now_ms();
    let last_reload = app.reloader.status();
    let mut body = serde_json::json!({
        // `degraded`: serving, but the last reload was refused and older rules are in use,
        // or the model went away and scoring goes on with the rules only.
        "status": if last_reload.ok && !last_reload.model_lost { "ok" } else { "degraded" },
        "model": last_reload.model.clone(),
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_secs": app.started.elapsed().as_secs(),
        "rules": app.pipeline.live.detector.load().rules().len(),
        "last_reload": last_reload,
        "workers": app.pipeline.workers(),
        "queue_depth": app.pipeline.queue_depth(),
        "events_scored": app.pipeline.live.metrics.events_total(),
        "groups_holding_joins": app.raids.holds(now).len(),
        "admin_api": if app.admin_token.is_some() { "enabled" } else { "disabled: JAGA_ADMIN_TOKEN is not set" },
        "ingest_auth": app.ingest_token.is_some(),
        "connections": app
            .executor
            .platforms()
            .map(|p| p.state().to_json(p.name(), p.platform()))
            .collect::<Vec<_>>(),
    });
    // Paths on the server are for the admins only.
    if app
        .admin_token
        .as_deref()
        .is_some_and(|t| bearer_matches(&headers, t))
    {
        body["rules_dir"] = app.reloader.rules_dir().display().to_string().into();
    }
    to_json(&body)
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let detector = app.pipeline.live.detector.load();
    let sizes = detector.state().sizes();
    let mut text = app.pipeline.live.metrics.render(&[
        (
            "jaga_queue_depth",
            "Batches scoring or waiting on the scoring shards.",
            app.pipeline.queue_depth() as u64,
        ),
        (
            "jaga_group_flood_keys",
            "Groups tracked by the group flood limiter.",
            sizes.flood_groups as u64,
        ),
        (
            "jaga_groups_holding_joins",
            "Groups holding join requests because of a raid.",
            app.raids.holds(super::pipeline::now_ms()).len() as u64,
        ),
    ]);
    super::metrics::render_platforms(&mut text, &app.executor);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        text,
    )
        .into_response()
}

/// What one connection is doing, for the connection cap.
struct ConnState {
    /// Requests being answered on it.
    in_flight: std::sync::atomic::AtomicUsize,
    /// When it last finished a request or connected, in ms since the server started.
    last_active: std::sync::atomic::AtomicU64,
    /// Told to close (the cap needed its slot).
    close: tokio::sync::Notify,
}

/// The open connections of one listener.
struct Conns {
    started: Instant,
    max: usize,
    open: Mutex<std::collections::HashMap<u64, Arc<ConnState>>>,
}

impl Conns {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Takes a slot for a new connection: at the cap the connection idle longest gives
    /// its slot up; `None` when every connection has a request in flight.
    fn admit(&self, id: u64) -> Option<Arc<ConnState>> {
        use std::sync::atomic::Ordering::Relaxed;
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= self.max {
            let idle = open
                .iter()
                .filter(|(_, c)| c.in_flight.load(Relaxed) == 0)
                .min_by_key(|(_, c)| c.last_active.load(Relaxed))
                .map(|(k, _)| *k)?;
            if let Some(c) = open.remove(&idle) {
                c.close.notify_one();
            }
        }
        let state = Arc::new(ConnState {
            in_flight: Default::default(),
            last_active: self.now_ms().into(),
            close: tokio::sync::Notify::new(),
        });
        open.insert(id, state.clone());
        Some(state)
    }

    fn leave(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}

/// Counts a request in flight on its connection for as long as it lives.
struct InFlight(Arc<ConnState>, Arc<Conns>);

impl Drop for InFlight {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering::Relaxed;
        self.0.last_active.store(self.1.now_ms(), Relaxed);
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

/// The most connections the open-file limit leaves room for (each connection is a file
/// descriptor; the store, the watcher and the platform clients need some too). Raises the
/// soft limit to the hard one first.
fn fd_room() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: getrlimit/setrlimit only read and write the struct passed in.
        unsafe {
            let mut l = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 {
                if l.rlim_cur < l.rlim_max {
                    let raised = libc::rlimit {
                        rlim_cur: l.rlim_max,
                        rlim_max: l.rlim_max,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                        l.rlim_cur = l.rlim_max;
                    }
                }
                return (l.rlim_cur as usize).saturating_sub(128).max(16);
            }
        }
    }
    usize::MAX
}

/// Serves `router` on `listener` until `stop` turns true, then lets the requests in
/// flight finish. Unlike `axum::serve` it bounds what a client can hold without sending a
/// request: a whole request header within `limits.header_read_timeout_ms` of connecting or
/// of the previous answer (silent and slowloris connections are closed), headers of at most
/// `limits.max_header_bytes` (431 beyond), and at most `limits.max_connections` connections
/// (the longest-idle one makes room; 503 + Retry-After when all are busy).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: &Limits,
    metrics: Arc<Live>,
    what: &'static str,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use std::sync::atomic::Ordering::Relaxed;

    let room = fd_room();
    let max = limits.max_connections.min(room);
    if max < limits.max_connections {
        tracing::warn!(
            listener = what,
            configured = limits.max_connections,
            max,
            "the open-file limit allows fewer connections than limits.max_connections; raise `ulimit -n` to allow more"
        );
    }
    let conns = Arc::new(Conns {
        started: Instant::now(),
        max,
        open: Mutex::new(Default::default()),
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.header_read_timeout_ms))
        .max_header_size(limits.max_header_bytes);
    let mut tasks = tokio::task::JoinSet::new();
    let mut next_id = 0u64;
    let mut refused = 0u64;
    let mut refused_logged = Instant::now() - Duration::from_secs(60);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors (or a connection reset before accept): wait a
                // moment rather than spin; idle connections time out and free some.
                tracing::warn!(listener = what, error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        let Some(state) = conns.admit(id) else {
            metrics.metrics.reject(Rejection::Connections);
            refused += 1;
            if refused_logged.elapsed() >= Duration::from_secs(10) {
                tracing::warn!(
                    listener = what,
                    max,
                    refused,
                    "connection cap reached with every connection busy; new connections are answered 503 (limits.max_connections)"
                );
                refused_logged = Instant::now();
                refused = 0;
            }
            tasks.spawn(refuse(stream));
            continue;
        };
        let router = router.clone();
        let conns2 = conns.clone();
        let st = state.clone();
        let svc = hyper::service::service_fn(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                st.in_flight.fetch_add(1, Relaxed);
                let guard = InFlight(st.clone(), conns2.clone());
                let mut router = router.clone();
                async move {
                    let r = tower_service::Service::call(&mut router, req).await;
                    drop(guard);
                    r
                }
            },
        );
        let conn = builder.serve_connection(TokioIo::new(stream), svc);
        let conns = conns.clone();
        let mut stop = stop.clone();
        tasks.spawn(async move {
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = state.close.notified() => {
                    // The cap needs the slot: an idle connection just closes; one that has
                    // started a request meanwhile finishes it first.
                    if state.in_flight.load(Relaxed) > 0 {
                        conn.as_mut().graceful_shutdown();
                        let _ = tokio::time::timeout(Duration::from_secs(30), conn).await;
                    }
                }
                _ = async { stop.wait_for(|s| *s).await.is_ok() } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            conns.leave(id);
        });
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

/// Answers a connection the cap has no room for, without waiting long on the client.
async fn refuse(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    let body = r#"{"error":"too many open connections (limits.max_connections); retry after the Retry-After delay"}"#;
    let msg = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(msg.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shapes() {
        let (s, e) = parse_events(br#"{"id":"a","text":"x"}"#, false).unwrap();
        assert_eq!((s, e.len()), (Shape::One, 1));
        let (s, e) = parse_events(b"{\n  \"id\": \"a\"\n}\n", false).unwrap();
        assert_eq!(
            (s, e.len()),
            (Shape::One, 1),
            "a pretty-printed single event"
        );
        let (s, e) = parse_events(br#"{"id":"a"}"#, true).unwrap();
        assert_eq!((s, e.len()), (Shape::Lines, 1), "ndjson content type");
        let (s, e) = parse_events(b"{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n", false).unwrap();
        assert_eq!((s, e.len()), (Shape::Lines, 2));
        assert_eq!(e[1].id, "b");
        let (s, e) = parse_events(br#" [{"id":"a"},{"id":"b"}]"#, false).unwrap();
        assert_eq!((s, e.len()), (Shape::Array, 2));
        let err = parse_events(b"{\"id\":\"a\"}\n{\"ts\":\"soon\"}\n", false).unwrap_err();
        assert!(err.contains("event 2 (line 2)"), "{err}");
        assert!(parse_events(b"  \n", false).unwrap_err().contains("empty"));
        assert!(parse_events(b"[{\"id\":1},", false)
            .unwrap_err()
            .contains("array"));
    }

    #[test]
    fn bearer_tokens() {
        let mut h = HeaderMap::new();
        assert!(!bearer_matches(&h, "s3cret"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret"),
        );
        assert!(bearer_matches(&h, "s3cret"));
        assert!(!bearer_matches(&h, "s3cret2"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic s3cret"),
        );
        assert!(!bearer_matches(&h, "s3cret"));
        for scheme in ["bearer", "BEARER", "BeArEr"] {
            h.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(&format!("{scheme} s3cret")).unwrap(),
            );
            assert!(bearer_matches(&h, "s3cret"), "{scheme}");
        }
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearers3cret"),
        );
        assert!(!bearer_matches(&h, "s3cret"));
    }
}
