//! Sign-in, the account page, and the admins' tools: rules (with "try a message"),
//! learning, exports and health.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jaga_core::engine::Scratch;
use jaga_core::event::{Event, Kind};
use jaga_core::rules::Status as RuleStatus;
use jaga_core::verdict::Field;
use jaga_core::vocab;
use jaga_store::Role;

use super::pages::ReasonView;
use super::tasks::{ExportJob, RetrainJob};
use super::{
    auth, error_page, i18n, lang_of, local_path, render, secure, with_store, Fields, PageCtx,
    Retrain, Session,
};
use crate::App;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: PageCtx,
    token: String,
    next: String,
    error: String,
    no_admins: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

fn login_response(
    app: &App,
    headers: &HeaderMap,
    next: &str,
    error: &str,
    status: StatusCode,
) -> Response {
    let l = lang_of(headers);
    let t = i18n::tr(l);
    let token = auth::token();
    let no_admins = {
        let s = app.admin_store.lock().unwrap_or_else(|e| e.into_inner());
        s.admins().map(|a| a.is_empty()).unwrap_or(false)
    };
    let mut r = render(&LoginPage {
        page: PageCtx::anonymous(l, t.login_title.to_string()),
        token: token.clone(),
        next: local_path(Some(next)),
        error: error.to_string(),
        no_admins,
    });
    *r.status_mut() = status;
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::LOGIN_COOKIE, &token, Some(3600), secure(app, headers))
            .parse()
            .expect("a cookie is a valid header"),
    );
    r
}

pub async fn login_page(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let app2 = app.clone();
    tokio::task::spawn_blocking(move || {
        login_response(&app2, &headers, &q.next, "", StatusCode::OK)
    })
    .await
    .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Starts a session for `admin` and sends the browser to `next`.
async fn start_session(
    app: &Arc<App>,
    headers: &HeaderMap,
    admin_id: i64,
    next: &str,
) -> Result<Response, Response> {
    let l = lang_of(headers);
    let token = auth::token();
    let hash = auth::token_hash(&token);
    let csrf = auth::token();
    let now = jaga_store::unix_now();
    let max = (app.console.cfg.session_max_days * 86_400) as i64;
    with_store(app, move |s| {
        s.add_session(&hash, admin_id, &csrf, now, now + max)
    })
    .await
    .map_err(|e| e.into_response(l))?;
    let secure = secure(app, headers);
    let mut r = Redirect::to(&local_path(Some(next))).into_response();
    let h = r.headers_mut();
    for c in [
        auth::set_cookie(auth::SESSION_COOKIE, &token, None, secure),
        auth::set_cookie(auth::LOGIN_COOKIE, "", Some(0), secure),
    ] {
        h.append(
            header::SET_COOKIE,
            c.parse().expect("a cookie is a valid header"),
        );
    }
    Ok(r)
}

pub async fn login(
    State(app): State<Arc<App>>,
    connect: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let f = Fields::parse(&body);
    let l = lang_of(&headers);
    let t = i18n::tr(l);
    let next = f.get("next").unwrap_or("/queue").to_string();
    let given = f.get("csrf").unwrap_or("");
    let expected = auth::cookie(&headers, auth::LOGIN_COOKIE).unwrap_or("");
    if super::cross_site(&headers) || !auth::same(given, expected) {
        return Err(error_page(t, l, StatusCode::FORBIDDEN, t.csrf_failed));
    }
    let name = f.get("name").unwrap_or("").trim().to_string();
    let password = f.get("password").unwrap_or("").to_string();
    let addr = super::client_addr(connect);
    if !app.console.limiter.allowed(&name, addr) {
        let app2 = app.clone();
        return Err(tokio::task::spawn_blocking(move || {
            login_response(
                &app2,
                &headers,
                &next,
                t.login_too_many,
                StatusCode::TOO_MANY_REQUESTS,
            )
        })
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()));
    }
    let n2 = name.clone();
    let account = with_store(&app, move |s| s.admin(&n2))
        .await
        .map_err(|e| e.into_response(l))?;
    let hash = account
        .as_ref()
        .and_then(|a| a.password.clone())
        .unwrap_or_else(|| auth::dummy_hash().to_string());
    // argon2 takes tens of milliseconds: off the async threads.
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    match account.filter(|a| ok && a.password.is_some()) {
        Some(a) => {
            app.console.limiter.succeeded(&name);
            let who = a.name.clone();
            let _ = with_store(&app, move |s| {
                s.audit(&who, "console.sign_in", None, "password")
            })
            .await;
            start_session(&app, &headers, a.id, &next).await
        }
        None => {
            app.console.limiter.failed(&name, addr);
            tracing::info!("console sign-in refused (wrong name or password)");
            let app2 = app.clone();
            Err(tokio::task::spawn_blocking(move || {
                login_response(
                    &app2,
                    &headers,
                    &next,
                    t.login_failed,
                    StatusCode::UNAUTHORIZED,
                )
            })
            .await
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()))
        }
    }
}

#[derive(Template)]
#[template(path = "link.html")]
struct LinkPage {
    page: PageCtx,
    name: String,
    valid: bool,
    token: String,
}

pub async fn link_page(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, Response> {
    let l = lang_of(&headers);
    let t = i18n::tr(l);
    let hash = auth::token_hash(&token);
    let admin = with_store(&app, move |s| s.sign_in_link(&hash, jaga_store::unix_now()))
        .await
        .map_err(|e| e.into_response(l))?;
    let mut r = render(&LinkPage {
        page: PageCtx::anonymous(l, t.link_title.to_string()),
        name: admin.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        valid: admin.is_some(),
        token,
    });
    if admin.is_none() {
        *r.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(r)
}

pub async fn link_sign_in(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, Response> {
    let l = lang_of(&headers);
    let t = i18n::tr(l);
    if super::cross_site(&headers) {
        return Err(error_page(t, l, StatusCode::FORBIDDEN, t.csrf_failed));
    }
    let hash = auth::token_hash(&token);
    let admin = with_store(&app, move |s| {
        let a = s.use_sign_in_link(&hash, jaga_store::unix_now())?;
        if let Some(a) = &a {
            s.audit(&a.name, "console.sign_in", None, "one-time link")?;
        }
        Ok(a)
    })
    .await
    .map_err(|e| e.into_response(l))?;
    match admin {
        // Straight to the account page: set a password for next time.
        Some(a) => start_session(&app, &headers, a.id, "/account").await,
        None => Err(error_page(t, l, StatusCode::NOT_FOUND, t.link_invalid)),
    }
}

fn signed_out(s: &Session) -> Response {
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, "", Some(0), s.secure)
            .parse()
            .expect("a cookie is a valid header"),
    );
    r
}

pub async fn logout(
    State(app): State<Arc<App>>,
    s: Session,
    body: Bytes,
) -> Result<Response, Response> {
    s.form(&body, Role::Viewer)?;
    let h = s.token_hash.clone();
    s.store(&app, move |st| st.end_session(&h)).await?;
    Ok(signed_out(&s))
}

pub async fn logout_everywhere(
    State(app): State<Arc<App>>,
    s: Session,
    body: Bytes,
) -> Result<Response, Response> {
    s.form(&body, Role::Viewer)?;
    let (id, who) = (s.admin.id, s.admin.name.clone());
    s.store(&app, move |st| {
        let n = st.end_sessions_of(id)?;
        st.audit(
            &who,
            "console.sign_out_everywhere",
            None,
            &format!("{n} sessions ended"),
        )
    })
    .await?;
    Ok(signed_out(&s))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: PageCtx,
    community: String,
    role: &'static str,
    sessions: i64,
    message: String,
    has_password: bool,
}

pub async fn account(State(app): State<Arc<App>>, s: Session) -> Result<Response, Response> {
    account_page(&app, &s, String::new(), StatusCode::OK).await
}

async fn account_page(
    app: &Arc<App>,
    s: &Session,
    message: String,
    status: StatusCode,
) -> Result<Response, Response> {
    let id = s.admin.id;
    let sessions = s
        .store(app, move |st| st.sessions_of(id, jaga_store::unix_now()))
        .await?;
    let mut r = render(&AccountPage {
        page: s.page("account", s.t.account_title.to_string()),
        community: s.admin.community.clone(),
        role: s.admin.role.as_str(),
        sessions,
        message,
        has_password: s.admin.password.is_some(),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn password(
    State(app): State<Arc<App>>,
    s: Session,
    body: Bytes,
) -> Result<Response, Response> {
    let f = s.form(&body, Role::Viewer)?;
    let current = f.get("current").unwrap_or("").to_string();
    let new = f.get("new").unwrap_or("").to_string();
    let old = s.admin.password.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let ok = old
            .as_deref()
            .is_none_or(|h| auth::verify_password(&current, h));
        (ok, auth::hash_password(&new))
    })
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
    match checked {
        (false, _) => account_page(&app, &s, s.t.login_failed.into(), StatusCode::FORBIDDEN).await,
        (true, Err(_)) => {
            account_page(&app, &s, s.t.password_rules.into(), StatusCode::BAD_REQUEST).await
        }
        (true, Ok(hash)) => {
            let (id, who) = (s.admin.id, s.admin.name.clone());
            s.store(&app, move |st| {
                st.set_password(id, &hash)?;
                st.audit(&who, "console.password", None, "password set")
            })
            .await?;
            account_page(&app, &s, s.t.password_saved.into(), StatusCode::OK).await
        }
    }
}

/// A rule with its statistics, for the rules page.
pub struct RuleRow {
    pub id: String,
    pub category: String,
    pub cat: String,
    pub description: String,
    pub description_lang: &'static str,
    pub state: &'static str,
    pub state_key: &'static str,
    pub hits: i64,
    pub confirmed: i64,
    pub dismissed: i64,
    /// Percent, when any case of the rule was decided.
    pub precision: Option<u32>,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    page: PageCtx,
    rows: Vec<RuleRow>,
    tried: Option<Tried>,
}

/// The explanation of a tried message.
pub struct Tried {
    pub text: String,
    pub join: bool,
    pub html: String,
    pub category: String,
    pub cat: String,
    pub action: String,
    pub sev: u8,
    pub reasons: Vec<ReasonView>,
}

pub async fn rules(State(app): State<Arc<App>>, s: Session) -> Result<Response, Response> {
    rules_page(&app, &s, None).await
}

async fn rules_page(
    app: &Arc<App>,
    s: &Session,
    tried: Option<Tried>,
) -> Result<Response, Response> {
    let l = s.lang;
    let t = s.t;
    let stats = s.store(app, |st| st.rule_stats()).await?;
    let engine = app.pipeline.live.detector.load();
    let stat = |id: &str| stats.iter().find(|x| x.rule == id);
    let precision = |c: i64, d: i64| (c + d > 0).then(|| (100 * c / (c + d)) as u32);
    let mut rows: Vec<RuleRow> = engine
        .rules()
        .iter()
        // Helper rules (score 0) only feed `expr`s; they never fire a case on their own.
        .filter(|r| r.score > 0.0)
        .map(|r| {
            let st = stat(&r.id);
            let (hits, confirmed, dismissed) =
                st.map_or((0, 0, 0), |x| (x.hits, x.confirmed, x.dismissed));
            let (desc, dl) = vocab::rule_description(r, l);
            let (state, state_key) = match r.status {
                RuleStatus::Active => (t.active, "active"),
                RuleStatus::Shadow => (t.shadow, "shadow"),
                RuleStatus::Disabled => (t.disabled, "disabled"),
            };
            RuleRow {
                id: r.id.clone(),
                category: vocab::category(Some(r.category), l).into(),
                cat: r.category.as_str().into(),
                description: desc.into(),
                description_lang: dl.code(),
                state,
                state_key,
                hits,
                confirmed,
                dismissed,
                precision: precision(confirmed, dismissed),
            }
        })
        .collect();
    // Stateful and model reasons have statistics but no rule file.
    for st in stats
        .iter()
        .filter(|x| !engine.rules().iter().any(|r| r.id == x.rule))
    {
        rows.push(RuleRow {
            id: st.rule.clone(),
            category: String::new(),
            cat: String::new(),
            description: t.not_in_rules.into(),
            description_lang: l.code(),
            state: t.active,
            state_key: "active",
            hits: st.hits,
            confirmed: st.confirmed,
            dismissed: st.dismissed,
            precision: precision(st.confirmed, st.dismissed),
        });
    }
    // Misfiring rules first: most dismissals, then lowest precision, then most hits.
    rows.sort_by(|a, b| {
        b.dismissed
            .cmp(&a.dismissed)
            .then(a.precision.unwrap_or(101).cmp(&b.precision.unwrap_or(101)))
            .then(b.hits.cmp(&a.hits))
            .then(a.id.cmp(&b.id))
    });
    Ok(render(&RulesPage {
        page: s.page("rules", t.rules_title.to_string()),
        rows,
        tried,
    }))
}

/// Scores a message the admin typed with the live rules and model, and explains it. The text
/// is neither stored nor logged.
pub async fn try_message(
    State(app): State<Arc<App>>,
    s: Session,
    body: Bytes,
) -> Result<Response, Response> {
    let f = s.form(&body, Role::Viewer)?;
    let l = s.lang;
    let text: String = f.get("text").unwrap_or("").chars().take(10_000).collect();
    let join = f.get("join").is_some();
    let engine = app.pipeline.live.detector.load_full();
    let ev = Event {
        id: "try".into(),
        kind: if join {
            Kind::JoinRequest
        } else {
            Kind::Message
        },
        text: text.clone(),
        ..Event::default()
    };
    let v = tokio::task::spawn_blocking(move || {
        let mut scratch = Scratch::new();
        let v = engine.check_alone(&ev, &mut scratch);
        let reasons: Vec<ReasonView> = v
            .reasons
            .iter()
            .filter(|r| r.score > 0.0)
            .map(|r| ReasonView {
                text: vocab::reason(r, engine.rules().iter().find(|x| x.id == r.id), l),
                source: vocab::source(r.source, l),
                category: vocab::category(Some(r.category), l).into(),
                cat: r.category.as_str(),
                score: format!("{:.2}", r.score),
                shadow: r.shadow,
            })
            .collect();
        (v, reasons)
    })
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
    let (v, reasons) = v;
    let spans: Vec<[usize; 2]> = v
        .reasons
        .iter()
        .flat_map(|r| r.spans.iter())
        .filter(|s| s.field == Field::Text)
        .map(|s| [s.start, s.end])
        .collect();
    let tried = Tried {
        html: vocab::html(&text, &spans, &[], true),
        text,
        join,
        category: vocab::category(v.category, l).into(),
        cat: v.category_str().into(),
        action: vocab::action(v.action, l).into(),
        sev: v.action.severity(),
        reasons,
    };
    rules_page(&app, &s, Some(tried)).await
}

#[derive(Template)]
#[template(path = "learning.html")]
struct LearningPage {
    page: PageCtx,
    waiting: i64,
    model: String,
    trained: String,
    has_model: bool,
    available: bool,
    can_retrain: bool,
    job: JobView,
}

/// The retrain job, as shown.
pub struct JobView {
    pub running: bool,
    pub by: String,
    pub when: String,
    pub error: String,
    pub done: bool,
    pub switched: bool,
    pub why: String,
    pub rows: Vec<(&'static str, String, String)>,
    pub examples: String,
}

pub async fn learning(State(app): State<Arc<App>>, s: Session) -> Result<Response, Response> {
    let l = s.lang;
    let t = s.t;
    let engine = app.pipeline.live.detector.load();
    let (has_model, model, trained, since) = match engine.model() {
        Some(m) => {
            let created = m.file().summary.created.clone();
            let since = created
                .parse::<jiff::Timestamp>()
                .map_or(0, |ts| ts.as_second());
            (
                true,
                m.path().display().to_string(),
                if since > 0 {
                    app.console.time(since, "", l)
                } else {
                    created
                },
                since,
            )
        }
        None => (false, String::new(), String::new(), 0),
    };
    let waiting = s.store(&app, move |st| st.decided_since(since)).await?;
    let job = app
        .console
        .retrain
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    let job = match job {
        Retrain::Idle => JobView::idle(),
        Retrain::Running { by, since } => JobView {
            running: true,
            by,
            when: app.console.time(since, "", l),
            ..JobView::idle()
        },
        Retrain::Failed { by, at, error } => JobView {
            by,
            when: app.console.time(at, "", l),
            error,
            ..JobView::idle()
        },
        Retrain::Done { by, at, outcome: o } => JobView {
            done: true,
            by,
            when: app.console.time(at, "", l),
            switched: o.switched,
            why: o.why.clone(),
            examples: format!(
                "{} ({} {})",
                o.examples,
                o.decisions,
                t.decisions.to_lowercase()
            ),
            rows: vec![
                (
                    t.test_examples,
                    o.before.examples.to_string(),
                    o.after.examples.to_string(),
                ),
                (t.f1, pct(o.before.f1), pct(o.after.f1)),
                (t.precision, pct(o.before.precision), pct(o.after.precision)),
                (t.recall, pct(o.before.recall), pct(o.after.recall)),
                (t.accuracy, pct(o.before.accuracy), pct(o.after.accuracy)),
                (
                    t.rule_tests_failed,
                    o.before.rule_tests_failed.to_string(),
                    o.after.rule_tests_failed.to_string(),
                ),
            ],
            ..JobView::idle()
        },
    };
    Ok(render(&LearningPage {
        page: s.page("learning", t.learning_title.to_string()),
        waiting,
        model,
        trained,
        has_model,
        available: app.console.tasks.is_some() && app.console.model.is_some(),
        can_retrain: s.admin.role >= Role::Owner,
        job,
    }))
}

impl JobView {
    fn idle() -> JobView {
        JobView {
            running: false,
            by: String::new(),
            when: String::new(),
            error: String::new(),
            done: false,
            switched: false,
            why: String::new(),
            rows: Vec::new(),
            examples: String::new(),
        }
    }
}

/// Starts a retrain in the background (owners only); the learning page shows its progress.
pub async fn retrain(
    State(app): State<Arc<App>>,
    s: Session,
    body: Bytes,
) -> Result<Response, Response> {
    s.form(&body, Role::Owner)?;
    let (Some(tasks), Some(model)) = (app.console.tasks.clone(), app.console.model.clone()) else {
        return Err(error_page(
            s.t,
            s.lang,
            StatusCode::SERVICE_UNAVAILABLE,
            s.t.no_model,
        ));
    };
    {
        let mut job = app
            .console
            .retrain
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if matches!(*job, Retrain::Running { .. }) {
            return Ok(Redirect::to("/learning").into_response());
        }
        *job = Retrain::Running {
            by: s.admin.name.clone(),
            since: jaga_store::unix_now(),
        };
    }
    let who = s.admin.name.clone();
    let w2 = who.clone();
    s.store(&app, move |st| {
        st.audit(&w2, "model.retrain", None, "started from the console")
    })
    .await?;
    let job = RetrainJob {
        store: app.console.store.clone(),
        rules: app.console.rules.clone(),
        model,
        data: app.console.cfg.training_data.clone(),
    };
    let app2 = app.clone();
    tokio::spawn(async move {
        let r = tokio::task::spawn_blocking(move || tasks.retrain(job))
            .await
            .unwrap_or_else(|e| Err(format!("the training task failed: {e}")));
        let at = jaga_store::unix_now();
        let (state, detail) = match r {
            Ok(o) => (
                Retrain::Done {
                    by: who.clone(),
                    at,
                    outcome: o.clone(),
                },
                serde_json::to_string(&o).unwrap_or_default(),
            ),
            Err(e) => (
                Retrain::Failed {
                    by: who.clone(),
                    at,
                    error: e.clone(),
                },
                e,
            ),
        };
        let switched = matches!(&state, Retrain::Done { outcome, .. } if outcome.switched);
        *app2
            .console
            .retrain
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = state;
        let _ = with_store(&app2, move |st| {
            st.audit(&who, "model.retrain.done", None, &detail)
        })
        .await;
        if switched {
            crate::reload_and_audit(&app2, "retrain").await;
        }
    });
    Ok(Redirect::to("/learning").into_response())
}

/// One line of the health page.
pub struct HealthRow {
    pub label: &'static str,
    pub value: String,
    pub bad: bool,
}

#[derive(Template)]
#[template(path = "health.html")]
struct HealthPage {
    page: PageCtx,
    ok: bool,
    rows: Vec<HealthRow>,
    platforms: Vec<HealthRow>,
}

pub async fn health(State(app): State<Arc<App>>, s: Session) -> Result<Response, Response> {
    use std::sync::atomic::Ordering::Relaxed;
    let l = s.lang;
    let t = s.t;
    let reload = app.reloader.status();
    let m = &app.pipeline.live.metrics;
    let total = m.events_total();
    let pending = s
        .store(&app, |st| st.count(Some(jaga_store::Status::Pending)))
        .await?;
    let started = jaga_store::unix_now() - app.started.elapsed().as_secs() as i64;
    let engine = app.pipeline.live.detector.load();
    let rows = vec![
        HealthRow {
            label: t.uptime,
            value: app.console.time(started, "", l),
            bad: false,
        },
        HealthRow {
            label: t.rules_loaded,
            value: engine.rules().len().to_string(),
            bad: false,
        },
        HealthRow {
            label: t.last_reload,
            value: format!(
                "{} · {} · {}",
                app.console.time(reload.at, "", l),
                reload.trigger,
                reload.message
            ),
            bad: !reload.ok,
        },
        HealthRow {
            label: t.model,
            value: crate::reload::describe_model(&engine),
            bad: engine.model().is_none(),
        },
        HealthRow {
            label: t.events_scored,
            value: total.to_string(),
            bad: false,
        },
        HealthRow {
            label: t.per_minute,
            value: app
                .console
                .per_minute(total)
                .map_or_else(|| "…".into(), |r| format!("{r:.0}")),
            bad: false,
        },
        HealthRow {
            label: t.cases_pending,
            value: pending.to_string(),
            bad: false,
        },
        HealthRow {
            label: t.store_errors,
            value: m.store_errors.load(Relaxed).to_string(),
            bad: m.store_errors.load(Relaxed) > 0,
        },
    ];
    let platforms = app
        .executor
        .platforms()
        .map(|p| {
            let st = p.state();
            let status = st.status();
            let last = st.last_ok_ms.load(Relaxed);
            HealthRow {
                label: p.platform(),
                value: format!(
                    "{} · {status} · {} {} · {} {} / {} · lag {:.1}s",
                    p.name(),
                    if last > 0 {
                        app.console.time(last / 1000, "", l)
                    } else {
                        "–".into()
                    },
                    t.errors.to_lowercase(),
                    st.errors.load(Relaxed),
                    st.actions_done.load(Relaxed),
                    st.actions_failed.load(Relaxed),
                    st.lag_ms.load(Relaxed) as f64 / 1000.0
                ),
                bad: status != "connected" && status != "ready",
            }
        })
        .collect();
    Ok(render(&HealthPage {
        page: s.page("health", t.health_title.to_string()),
        ok: reload.ok,
        rows,
        platforms,
    }))
}

/// An export scan, as listed.
pub struct ScanRow {
    pub id: i64,
    pub file: String,
    pub when: String,
    pub admin: String,
    pub events: i64,
    pub flagged: i64,
    pub new_cases: i64,
    pub errors: i64,
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage {
    page: PageCtx,
    rows: Vec<ScanRow>,
    can_upload: bool,
    available: bool,
    communities: Vec<String>,
    message: String,
}

pub async fn exports(State(app): State<Arc<App>>, s: Session) -> Result<Response, Response> {
    exports_page(&app, &s, String::new(), StatusCode::OK).await
}

async fn exports_page(
    app: &Arc<App>,
    s: &Session,
    message: String,
    status: StatusCode,
) -> Result<Response, Response> {
    let l = s.lang;
    let c = s.community();
    let all = c.is_none();
    let (scans, communities) = s
        .store(app, move |st| {
            Ok((
                st.export_scans(c.as_deref(), 50)?,
                if all {
                    st.distinct("community", None)?
                } else {
                    Vec::new()
                },
            ))
        })
        .await?;
    let mut r = render(&ExportsPage {
        page: s.page("exports", s.t.exports_title.to_string()),
        rows: scans
            .into_iter()
            .map(|x| ScanRow {
                id: x.id,
                when: app.console.time(x.at, &x.community, l),
                file: x.file_name,
                admin: x.admin,
                events: x.events,
                flagged: x.flagged,
                new_cases: x.new_cases,
                errors: x.errors,
            })
            .collect(),
        can_upload: s.admin.role >= Role::Admin,
        available: app.console.tasks.is_some(),
        communities,
        message,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// Scans an uploaded export into cases; keeps its report and CSV for download.
pub async fn upload(
    State(app): State<Arc<App>>,
    s: Session,
    mut form: Multipart,
) -> Result<Response, Response> {
    s.require(Role::Admin)?;
    let Some(tasks) = app.console.tasks.clone() else {
        return Err(error_page(
            s.t,
            s.lang,
            StatusCode::SERVICE_UNAVAILABLE,
            s.t.failed,
        ));
    };
    let max = app.console.cfg.max_upload_bytes;
    let mut csrf = None;
    let mut group = None;
    let mut community = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let bad = |m: String| error_page(s.t, s.lang, StatusCode::BAD_REQUEST, &m);
    while let Some(mut field) = form.next_field().await.map_err(|e| bad(e.to_string()))? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = Some(field.text().await.map_err(|e| bad(e.to_string()))?),
            "group" => group = Some(field.text().await.map_err(|e| bad(e.to_string()))?),
            "community" => community = Some(field.text().await.map_err(|e| bad(e.to_string()))?),
            "file" => {
                // The token comes first in the form: nothing is read from a forged post.
                s.check_csrf(csrf.as_deref())?;
                let name = field.file_name().unwrap_or("export").to_string();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.to_string()))? {
                    if bytes.len() + chunk.len() > max {
                        return Err(error_page(
                            s.t,
                            s.lang,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            &format!("> {} MB", max >> 20),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    s.check_csrf(csrf.as_deref())?;
    let Some((file_name, bytes)) = file.filter(|f| !f.1.is_empty()) else {
        return exports_page(&app, &s, s.t.file.to_string(), StatusCode::BAD_REQUEST).await;
    };
    let community = match s.community() {
        Some(c) => c,
        None => community
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| "default".into()),
    };
    let dir = std::env::temp_dir().join(format!("jaga-upload-{}", auth::token()));
    let path = dir.join("export");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, &bytes))
        .map_err(|e| {
            error_page(
                s.t,
                s.lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                &e.to_string(),
            )
        })?;
    let job = ExportJob {
        path,
        file_name: file_name.chars().take(200).collect(),
        community: community.clone(),
        group: group.filter(|g| !g.trim().is_empty()),
        store: app.console.store.clone(),
        // The live rules and model, with a state of its own: an export's history must not
        // count against (or be counted with) the live groups' quotas and windows.
        engine: Arc::new(app.pipeline.live.detector.load().with_fresh_state()),
        lang: s.lang,
    };
    let name = job.file_name.clone();
    let result = tokio::task::spawn_blocking(move || tasks.scan_export(job))
        .await
        .unwrap_or_else(|e| Err(format!("the scan failed: {e}")));
    let _ = std::fs::remove_dir_all(&dir);
    let o = match result {
        Ok(o) => o,
        Err(e) => {
            return exports_page(
                &app,
                &s,
                format!("{}: {e}", s.t.failed),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let who = s.admin.name.clone();
    let scan = jaga_store::NewExportScan {
        community,
        admin: who.clone(),
        file_name: name.clone(),
        events: o.events as i64,
        flagged: o.flagged as i64,
        new_cases: o.new_cases as i64,
        errors: o.errors as i64,
        report: o.report,
        csv: o.csv,
    };
    s.store(&app, move |st| {
        let id = st.add_export_scan(&scan)?;
        st.audit(
            &who,
            "export.scan",
            None,
            &format!(
                "scan {id}: {} events, {} flagged, {} new cases",
                scan.events, scan.flagged, scan.new_cases
            ),
        )
    })
    .await?;
    Ok(Redirect::to("/exports").into_response())
}

/// The report (`report`) or CSV (`csv`) of a scanned export, as a download.
pub async fn export_file(
    State(app): State<Arc<App>>,
    s: Session,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, Response> {
    let which = if file.ends_with("csv") {
        "csv"
    } else {
        "report"
    };
    let found = s.store(&app, move |st| st.export_file(id, which)).await?;
    let Some((community, body)) = found.filter(|(c, _)| s.admin.sees(c)) else {
        return Err(error_page(
            s.t,
            s.lang,
            StatusCode::NOT_FOUND,
            s.t.not_found,
        ));
    };
    let _ = community;
    let (ty, name) = if which == "csv" {
        ("text/csv; charset=utf-8", format!("jaga-export-{id}.csv"))
    } else {
        ("text/html; charset=utf-8", format!("jaga-export-{id}.html"))
    };
    Ok((
        [
            (header::CONTENT_TYPE, ty.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            // The report is one self-contained page: its own inline CSS, never a script.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox".to_string(),
            ),
        ],
        body,
    )
        .into_response())
}
