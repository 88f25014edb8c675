//! The admin console: web pages where volunteer admins review cases, decide and act, see
//! which rules misfire, teach the model and check exported chats.
//!
//! * Server-rendered HTML ([askama] templates compiled into the binary, HTML-escaped by
//!   default); every page reads without JavaScript. The vendored htmx (`assets/`, 0BSD)
//!   only makes forms and links swap in place.
//! * Mobile first, Indonesian and English (`Accept-Language`, with a switch), times in the
//!   community's time zone.
//! * Every page needs a session ([`auth`]); every form carries the session's CSRF token;
//!   viewers read, admins decide and reveal, owners also retrain. Every decision and every
//!   reveal of personal data is in the audit log with the admin's name.
//! * Every response (API included) carries a Content-Security-Policy without inline
//!   script or third-party origins, and the usual hardening headers ([`security_headers`]).
//!
//! Pages: [`pages`] (queue, case, member, decisions), [`tools`] (rules and "try a message",
//! learning, exports, health, account).

// Handlers return `Result<_, Response>` so `?` answers with an error page; the size of
// axum's Response does not matter on this path (as in `http`).
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod i18n;
mod pages;
pub mod tasks;
mod tools;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jaga_core::vocab::Lang;
use jaga_store::{AdminAccount, Role, Store, StoreError};

use crate::config::ConsoleConfig;
use crate::App;
use auth::RateLimit;
use i18n::Tr;
use tasks::{RetrainOutcome, Tasks};

/// The policy for every page: scripts and styles from this origin only (no inline script, no
/// `on*` attributes), no third-party origin at all, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const HTMX: &[u8] = include_bytes!("assets/htmx.min.js");
const HTMX_LICENSE: &str = include_str!("assets/htmx.LICENSE");
const CSS: &str = include_str!("assets/console.css");

/// The console's own state, beside [`App`].
pub struct Console {
    pub cfg: ConsoleConfig,
    pub limiter: RateLimit,
    pub tasks: Option<Arc<dyn Tasks>>,
    pub retrain: Mutex<Retrain>,
    /// `(when, events scored)` samples for the per-minute rate on the health page.
    samples: Mutex<VecDeque<(Instant, u64)>>,
    /// The review store file (exports and retrains open their own connection).
    pub store: PathBuf,
    pub rules: PathBuf,
    /// The model file serve scores with (`None`: rules only).
    pub model: Option<PathBuf>,
    /// The listen address, for sign-in links when `public_url` is unset.
    pub listen: Mutex<Option<SocketAddr>>,
}

/// The state of the retrain started from the learning page.
#[derive(Debug, Clone, Default)]
pub enum Retrain {
    #[default]
    Idle,
    Running {
        by: String,
        since: i64,
    },
    Done {
        by: String,
        at: i64,
        outcome: RetrainOutcome,
    },
    Failed {
        by: String,
        at: i64,
        error: String,
    },
}

impl Console {
    pub fn new(
        cfg: ConsoleConfig,
        tasks: Option<Arc<dyn Tasks>>,
        store: PathBuf,
        rules: PathBuf,
        model: Option<PathBuf>,
    ) -> Console {
        Console {
            cfg,
            // Five wrong passwords per name and twenty per address in fifteen minutes.
            limiter: RateLimit::new(std::time::Duration::from_secs(900), 5, 20),
            tasks,
            retrain: Mutex::new(Retrain::Idle),
            samples: Mutex::new(VecDeque::new()),
            store,
            rules,
            model,
            listen: Mutex::new(None),
        }
    }

    /// Where sign-in links point.
    pub fn base_url(&self) -> String {
        if !self.cfg.public_url.is_empty() {
            return self.cfg.public_url.trim_end_matches('/').to_string();
        }
        let listen = *self.listen.lock().unwrap_or_else(|e| e.into_inner());
        listen.map_or_else(|| "http://127.0.0.1:8080".into(), |a| format!("http://{a}"))
    }

    /// The time zone of a community.
    pub fn tz(&self, community: &str) -> jiff::tz::TimeZone {
        let name = self
            .cfg
            .time_zones
            .get(community)
            .unwrap_or(&self.cfg.time_zone);
        jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// Unix seconds as people read them in the community: `24 Nov 2026 17.05 WIB`.
    pub fn time(&self, ts: i64, community: &str, l: Lang) -> String {
        let Ok(t) = jiff::Timestamp::from_second(ts) else {
            return "?".into();
        };
        let z = t.to_zoned_datetime(self.tz(community));
        let abbr = z.strftime("%Z").to_string();
        format!(
            "{} {abbr}",
            jaga_core::vocab::datetime(
                i64::from(z.year()),
                z.month() as u8,
                z.day() as u8,
                z.hour() as u8,
                z.minute() as u8,
                l
            )
        )
    }

    /// Events per minute over the last minute (sampled on each call; the health page).
    fn per_minute(&self, total: u64) -> Option<f64> {
        let now = Instant::now();
        let mut s = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        s.push_back((now, total));
        while s.len() > 2 && now.duration_since(s[1].0).as_secs() >= 60 {
            s.pop_front();
        }
        let (t0, n0) = *s.front()?;
        let secs = now.duration_since(t0).as_secs_f64();
        (secs >= 1.0).then(|| (total - n0) as f64 * 60.0 / secs)
    }
}

/// The routes of the console (without a fallback; the caller adds one).
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/login", get(tools::login_page).post(tools::login))
        .route(
            "/login/link/{token}",
            get(tools::link_page).post(tools::link_sign_in),
        )
        .route("/logout", post(tools::logout))
        .route("/logout/everywhere", post(tools::logout_everywhere))
        .route("/lang/{code}", get(lang_switch))
        .route("/queue", get(pages::queue))
        .route("/queue/bulk", post(pages::bulk))
        .route("/cases/{id}", get(pages::case))
        .route("/cases/{id}/reveal", post(pages::reveal))
        .route("/cases/{id}/decide", post(pages::decide))
        .route("/cases/{id}/ban", post(pages::ban))
        .route("/cases/{id}/trust", post(pages::trust))
        .route("/cases/{id}/member", get(pages::member))
        .route("/rules", get(tools::rules))
        .route("/rules/try", post(tools::try_message))
        .route("/learning", get(tools::learning))
        .route("/learning/retrain", post(tools::retrain))
        .route("/health", get(tools::health))
        .route(
            "/exports",
            get(tools::exports).post(tools::upload).layer(
                // Uploads are bounded by [console] max_upload_bytes inside the handler.
                axum::extract::DefaultBodyLimit::disable(),
            ),
        )
        .route("/exports/{id}/{file}", get(tools::export_file))
        .route("/account", get(tools::account))
        .route("/account/password", post(tools::password))
        .route("/assets/{file}", get(asset))
}

/// A router of the console alone (for `--console-listen`).
pub fn router(app: Arc<App>) -> Router {
    routes()
        .fallback(|| async { not_found_page() })
        .with_state(app)
        .layer(axum::middleware::map_response(security_headers))
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, ty): (&[u8], &str) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "console.css" => (CSS.as_bytes(), "text/css; charset=utf-8"),
        "htmx.LICENSE" => (HTMX_LICENSE.as_bytes(), "text/plain; charset=utf-8"),
        _ => return not_found_page(),
    };
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// Adds the security headers to every response; pages that hold personal data are never
/// cached. A handler that set its own CSP (the downloadable report) keeps it.
pub async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// The language of a request: the `jaga_lang` cookie, else `Accept-Language`.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    auth::cookie(headers, auth::LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        })
}

/// Whether the request came over TLS (a proxy saying so), for `Secure` cookies.
fn secure(app: &App, headers: &HeaderMap) -> bool {
    app.console.cfg.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A path inside the console to go back to (never another site).
fn local_path(p: Option<&str>) -> String {
    match p {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.into(),
        _ => "/queue".into(),
    }
}

#[derive(serde::Deserialize)]
struct Next {
    next: Option<String>,
}

async fn lang_switch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(n): Query<Next>,
) -> Response {
    let l = Lang::parse(&code).unwrap_or_default();
    let cookie = auth::set_cookie(
        auth::LANG_COOKIE,
        l.code(),
        Some(365 * 86400),
        secure(&app, &headers),
    );
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&local_path(n.next.as_deref())),
    )
        .into_response()
}

/// The signed-in admin of a request.
pub struct Session {
    pub admin: AdminAccount,
    pub csrf: String,
    pub token_hash: String,
    pub lang: Lang,
    pub t: &'static Tr,
    pub secure: bool,
    /// The path asked for, for the language switch.
    pub path: String,
}

impl Session {
    /// Refuses the request unless the admin has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), Response> {
        if self.admin.role >= role {
            Ok(())
        } else {
            Err(error_page(
                self.t,
                self.lang,
                StatusCode::FORBIDDEN,
                self.t.forbidden,
            ))
        }
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), Response> {
        if given.is_some_and(|g| auth::same(g, &self.csrf)) {
            Ok(())
        } else {
            Err(error_page(
                self.t,
                self.lang,
                StatusCode::FORBIDDEN,
                self.t.csrf_failed,
            ))
        }
    }

    /// The fields of a posted form, once its CSRF token is this session's and the admin has
    /// at least `role`.
    pub fn form(&self, body: &[u8], role: Role) -> Result<Fields, Response> {
        let f = Fields::parse(body);
        self.check_csrf(f.get("csrf"))?;
        self.require(role)?;
        Ok(f)
    }

    /// The community filter for the store: `None` for an admin of every community.
    pub fn community(&self) -> Option<String> {
        (self.admin.community != "*").then(|| self.admin.community.clone())
    }

    /// The common parts of every page.
    pub fn page(&self, nav: &'static str, title: String) -> PageCtx {
        PageCtx {
            t: self.t,
            lang: self.lang.code(),
            title,
            nav,
            admin: self.admin.name.clone(),
            role: self.admin.role.as_str(),
            csrf: self.csrf.clone(),
            switch_href: format!(
                "/lang/{}?next={}",
                self.lang.other().code(),
                url_escape(&self.path)
            ),
            signed_in: true,
            v: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// What the layout of every page needs.
pub struct PageCtx {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub title: String,
    /// Which menu entry is current.
    pub nav: &'static str,
    pub admin: String,
    pub role: &'static str,
    pub csrf: String,
    pub switch_href: String,
    pub signed_in: bool,
    /// The version, to refresh cached assets after an upgrade.
    pub v: &'static str,
}

impl PageCtx {
    /// The layout for pages before sign-in.
    pub fn anonymous(l: Lang, title: String) -> PageCtx {
        let t = i18n::tr(l);
        PageCtx {
            t,
            lang: l.code(),
            title,
            nav: "",
            admin: String::new(),
            role: "",
            csrf: String::new(),
            switch_href: format!("/lang/{}?next=/login", l.other().code()),
            signed_in: false,
            v: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// Percent-encodes a query value.
pub fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl FromRequestParts<Arc<App>> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Session, Response> {
        let lang = lang_of(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map_or("/queue".to_string(), |p| p.as_str().to_string());
        // A cross-site form post is refused before anything else (SameSite=Strict already
        // keeps the cookie off it; this also covers older browsers).
        if parts.method != Method::GET && parts.method != Method::HEAD && cross_site(&parts.headers)
        {
            return Err(error_page(
                i18n::tr(lang),
                lang,
                StatusCode::FORBIDDEN,
                i18n::tr(lang).csrf_failed,
            ));
        }
        let Some(token) = auth::cookie(&parts.headers, auth::SESSION_COOKIE).map(str::to_string)
        else {
            return Err(to_login(&parts.method, &path));
        };
        let hash = auth::token_hash(&token);
        let idle = (app.console.cfg.session_idle_hours * 3600) as i64;
        let h = hash.clone();
        let found = with_store(app, move |s| s.session(&h, jaga_store::unix_now(), idle))
            .await
            .map_err(|e| e.into_response(lang))?;
        let Some((admin, csrf)) = found else {
            return Err(to_login(&parts.method, &path));
        };
        let secure = secure(app, &parts.headers);
        Ok(Session {
            admin,
            csrf,
            token_hash: hash,
            lang,
            t: i18n::tr(lang),
            secure,
            path,
        })
    }
}

fn cross_site(h: &HeaderMap) -> bool {
    if h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let (Some(origin), Some(host)) = (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    origin != "null" && origin_host != host
}

fn to_login(method: &Method, path: &str) -> Response {
    if method == Method::GET {
        Redirect::to(&format!("/login?next={}", url_escape(path))).into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}

/// A store failure on a console request.
pub enum StoreFailure {
    NotFound,
    Other(String),
}

impl StoreFailure {
    fn into_response(self, l: Lang) -> Response {
        let t = i18n::tr(l);
        match self {
            StoreFailure::NotFound => error_page(t, l, StatusCode::NOT_FOUND, t.not_found),
            StoreFailure::Other(e) => {
                tracing::error!(error = %e, "console store operation failed");
                error_page(t, l, StatusCode::INTERNAL_SERVER_ERROR, &e)
            }
        }
    }
}

/// Runs a store operation on the admin connection off the async threads.
pub async fn with_store<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreFailure> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let mut s = app.admin_store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut s)
    })
    .await
    .map_err(|e| StoreFailure::Other(format!("store task failed: {e}")))?
    .map_err(|e| match e {
        StoreError::NotFound(_) => StoreFailure::NotFound,
        e => StoreFailure::Other(e.to_string()),
    })
}

impl Session {
    /// [`with_store`], answering failures with an error page in the admin's language.
    pub async fn store<T: Send + 'static>(
        &self,
        app: &Arc<App>,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Response> {
        with_store(app, f)
            .await
            .map_err(|e| e.into_response(self.lang))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: PageCtx,
    message: String,
}

/// An error page with a way back.
pub fn error_page(t: &'static Tr, l: Lang, status: StatusCode, message: &str) -> Response {
    let _ = t;
    let page = PageCtx::anonymous(l, i18n::tr(l).error_title.to_string());
    let mut r = render(&ErrorPage {
        page,
        message: message.to_string(),
    });
    *r.status_mut() = status;
    r
}

fn not_found_page() -> Response {
    error_page(
        i18n::tr(Lang::default()),
        Lang::default(),
        StatusCode::NOT_FOUND,
        i18n::tr(Lang::default()).not_found,
    )
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a console template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// The form fields of a urlencoded body (repeated names kept, for check boxes).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field, `None` when absent or blank.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The client address of a request, when the listener recorded it.
pub fn client_addr(parts: ConnectInfo<SocketAddr>) -> Option<std::net::IpAddr> {
    Some(parts.0.ip())
}
