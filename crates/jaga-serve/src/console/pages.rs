//! The review pages: the queue, a case, a member, and the decisions taken on them.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jaga_core::mask;
use jaga_core::verdict::{Action, Category, Field, Reason, Verdict};
use jaga_core::vocab::{self, Lang, Platform};
use jaga_store::{CaseDetail, CaseSummary, Judgement, NewDecision, QueueFilter, Role, Status};

use super::{error_page, render, url_escape, Fields, PageCtx, Session};
use crate::App;

/// Cases per queue page.
const PAGE: usize = 50;

/// A case as a row of a list.
pub struct CaseRow {
    pub id: i64,
    pub action: String,
    pub sev: u8,
    pub category: String,
    pub cat: String,
    pub community: String,
    pub group: String,
    pub sender: String,
    pub summary: String,
    pub time: String,
    pub score: String,
    pub status: &'static str,
    pub status_key: String,
    pub join: bool,
    pub kind: &'static str,
}

impl CaseRow {
    fn new(app: &App, c: &CaseSummary, l: Lang) -> CaseRow {
        let action: Option<Action> = c.action.parse().ok();
        CaseRow {
            id: c.id,
            action: vocab::action_str(&c.action, l),
            sev: action.map_or(0, Action::severity),
            category: vocab::category_str(&c.category, l),
            cat: c.category.clone(),
            community: c.community.clone(),
            group: c.group.clone(),
            // The stored name is already masked; the user id may be a phone number.
            sender: vocab::sender(&c.name, &mask::mask(&c.user)),
            summary: c.summary.clone(),
            time: app.console.time(c.created_at, &c.community, l),
            score: format!("{:.2}", c.score),
            status: vocab::status(c.status.as_str(), l),
            status_key: c.status.as_str().to_string(),
            join: c.kind == "join_request",
            kind: vocab::kind(&c.kind, l),
        }
    }
}

/// One choice of a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opts(values: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Opt> {
    values
        .into_iter()
        .map(|(value, label)| Opt {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    community: String,
    group: String,
    category: String,
    action: String,
    rule: String,
    time: String,
    status: String,
    page: usize,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    page: PageCtx,
    rows: Vec<CaseRow>,
    total: i64,
    groups: Vec<(String, i64, String, bool)>,
    communities: Vec<Opt>,
    group_opts: Vec<Opt>,
    categories: Vec<Opt>,
    actions: Vec<Opt>,
    times: Vec<Opt>,
    statuses: Vec<Opt>,
    rule: String,
    can_decide: bool,
    more: Option<String>,
    back: String,
}

pub async fn queue(
    State(app): State<Arc<App>>,
    s: Session,
    Query(q): Query<QueueQuery>,
) -> Result<Response, Response> {
    let l = s.lang;
    let t = s.t;
    let now = jaga_store::unix_now();
    let status = match q.status.as_str() {
        "all" => None,
        "" => Some(Status::Pending),
        st => Some(st.parse().unwrap_or(Status::Pending)),
    };
    let since = match q.time.as_str() {
        "24h" => Some(now - 86_400),
        "7d" => Some(now - 7 * 86_400),
        "30d" => Some(now - 30 * 86_400),
        _ => None,
    };
    let community = match s.community() {
        Some(c) => Some(c),
        None => Some(q.community.clone()).filter(|c| !c.is_empty()),
    };
    let filter = QueueFilter {
        community: community.clone(),
        status,
        group: Some(q.group.clone()),
        category: Some(q.category.clone()),
        action: Some(q.action.clone()),
        rule: Some(q.rule.trim().to_string()),
        user: None,
        since,
        until: None,
        limit: PAGE + 1,
        offset: q.page * PAGE,
    };
    let f2 = filter.clone();
    let c2 = community.clone();
    let all_communities = s.community().is_none();
    let (cases, counts, groups, communities) = s
        .store(&app, move |st| {
            Ok((
                st.queue(&f2)?,
                st.queue_counts(&f2)?,
                st.distinct("group_id", c2.as_deref())?,
                if all_communities {
                    st.distinct("community", None)?
                } else {
                    Vec::new()
                },
            ))
        })
        .await?;
    let more = (cases.len() > PAGE).then(|| {
        let mut q2 = query_of(&q);
        q2.push_str(&format!("&page={}", q.page + 1));
        format!("/queue?{q2}")
    });
    let rows: Vec<CaseRow> = cases
        .iter()
        .take(PAGE)
        .map(|c| CaseRow::new(&app, c, l))
        .collect();
    let total = counts.iter().map(|c| c.1).sum();
    let base = {
        let mut x = q.clone_without_group();
        x.page = 0;
        query_of(&x)
    };
    let group_links = counts
        .into_iter()
        .map(|(g, n)| {
            let href = format!("/queue?{base}&group={}", url_escape(&g));
            let current = g == q.group;
            (g, n, href, current)
        })
        .collect();
    let any = |v: Vec<(String, String)>| {
        let mut all = vec![(String::new(), t.any.to_string())];
        all.extend(v);
        all
    };
    let page = QueuePage {
        page: s.page("queue", t.queue_title.to_string()),
        total,
        groups: group_links,
        communities: opts(
            any(communities.into_iter().map(|c| (c.clone(), c)).collect()),
            &q.community,
        ),
        group_opts: opts(
            any(groups.into_iter().map(|g| (g.clone(), g)).collect()),
            &q.group,
        ),
        categories: opts(
            any(Category::ALL
                .iter()
                .map(|c| {
                    (
                        c.as_str().to_string(),
                        vocab::category(Some(*c), l).to_string(),
                    )
                })
                .collect()),
            &q.category,
        ),
        actions: opts(
            any([
                Action::Ban,
                Action::Mute,
                Action::Remove,
                Action::Hide,
                Action::Review,
                Action::Reject,
            ]
            .iter()
            .map(|a| (a.as_str().to_string(), vocab::action(*a, l).to_string()))
            .collect()),
            &q.action,
        ),
        times: opts(
            [
                ("", t.any_time),
                ("24h", t.last_24h),
                ("7d", t.last_7d),
                ("30d", t.last_30d),
            ]
            .iter()
            .map(|(v, w)| (v.to_string(), w.to_string()))
            .collect::<Vec<_>>(),
            &q.time,
        ),
        statuses: opts(
            [
                ("", "pending"),
                ("confirmed", "confirmed"),
                ("dismissed", "dismissed"),
                ("all", ""),
            ]
            .iter()
            .map(|(v, k)| {
                let w = if k.is_empty() {
                    t.any
                } else {
                    vocab::status(k, l)
                };
                (v.to_string(), w.to_string())
            })
            .collect::<Vec<_>>(),
            &q.status,
        ),
        rule: q.rule.clone(),
        can_decide: s.admin.role >= Role::Admin,
        rows,
        more,
        back: format!("/queue?{}", query_of(&q)),
    };
    Ok(render(&page))
}

impl QueueQuery {
    fn clone_without_group(&self) -> QueueQuery {
        QueueQuery {
            community: self.community.clone(),
            group: String::new(),
            category: self.category.clone(),
            action: self.action.clone(),
            rule: self.rule.clone(),
            time: self.time.clone(),
            status: self.status.clone(),
            page: self.page,
        }
    }
}

fn query_of(q: &QueueQuery) -> String {
    let mut out = Vec::new();
    for (k, v) in [
        ("community", &q.community),
        ("group", &q.group),
        ("category", &q.category),
        ("action", &q.action),
        ("rule", &q.rule),
        ("time", &q.time),
        ("status", &q.status),
    ] {
        if !v.is_empty() {
            out.push(format!("{k}={}", url_escape(v)));
        }
    }
    out.join("&")
}

/// Confirm or dismiss several cases at once.
pub async fn bulk(
    State(app): State<Arc<App>>,
    s: Session,
    body: Bytes,
) -> Result<Response, Response> {
    let f = s.form(&body, Role::Admin)?;
    let decision: Judgement = f
        .get("decision")
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| error_page(s.t, s.lang, StatusCode::BAD_REQUEST, "decision?"))?;
    let ids: Vec<i64> = f
        .all("case")
        .filter_map(|i| i.parse().ok())
        .take(500)
        .collect();
    for id in ids {
        let d = NewDecision {
            admin: s.admin.name.clone(),
            decision,
            category: None,
            action: None,
            note: "bulk".into(),
        };
        decide_one(&app, &s, id, d).await?;
    }
    Ok(Redirect::to(&super::local_path(f.get("back"))).into_response())
}

/// A case the admin may see, or a 404 page.
async fn visible_case(app: &Arc<App>, s: &Session, id: i64) -> Result<CaseDetail, Response> {
    let c = s
        .store(app, move |st| {
            st.get(id)?.ok_or(jaga_store::StoreError::NotFound(id))
        })
        .await?;
    if !s.admin.sees(&c.case.community) {
        return Err(error_page(
            s.t,
            s.lang,
            StatusCode::NOT_FOUND,
            s.t.not_found,
        ));
    }
    Ok(c)
}

/// Records a decision and carries it out (or undoes what was done) through the action
/// executor: the same path as the review CLI, the admin API and the Telegram buttons.
async fn decide_one(
    app: &Arc<App>,
    s: &Session,
    id: i64,
    d: NewDecision,
) -> Result<CaseDetail, Response> {
    visible_case(app, s, id).await?;
    app.executor.decide(id, d).await.map_err(|e| match e {
        jaga_store::StoreError::NotFound(_) => {
            error_page(s.t, s.lang, StatusCode::NOT_FOUND, s.t.not_found)
        }
        e => {
            tracing::error!(error = %e, "a console decision failed");
            error_page(
                s.t,
                s.lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                &e.to_string(),
            )
        }
    })
}

pub struct ReasonView {
    pub text: String,
    pub source: &'static str,
    pub category: String,
    pub cat: &'static str,
    pub score: String,
    pub shadow: bool,
}

pub struct EntityView {
    pub kind: &'static str,
    pub shown: String,
    pub validation: String,
}

pub struct ActionView {
    pub what: String,
    pub state: String,
    pub ok: bool,
    pub when: String,
    pub error: String,
}

pub struct DecisionView {
    pub who: String,
    pub what: &'static str,
    pub detail: String,
    pub when: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    page: PageCtx,
    row: CaseRow,
    text: String,
    name: String,
    user: String,
    attachments: Vec<String>,
    revealed: bool,
    reasons: Vec<ReasonView>,
    entities: Vec<EntityView>,
    around: Vec<CaseRow>,
    earlier: Vec<CaseRow>,
    decisions: Vec<DecisionView>,
    meanings: Vec<(&'static str, &'static str)>,
    can_decide: bool,
    categories: Vec<Opt>,
    trusted: Option<String>,
    pending: bool,
    actions: Vec<ActionView>,
}

pub async fn case(
    State(app): State<Arc<App>>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    case_page(&app, &s, id, false).await
}

/// Shows personal data unmasked, once, to an admin; audited with the admin's name.
pub async fn reveal(
    State(app): State<Arc<App>>,
    s: Session,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Response> {
    s.form(&body, Role::Admin)?;
    // The audit entry is written by the store's reveal, which decrypts the full event.
    case_page(&app, &s, id, true).await
}

async fn case_page(
    app: &Arc<App>,
    s: &Session,
    id: i64,
    reveal: bool,
) -> Result<Response, Response> {
    let l = s.lang;
    let t = s.t;
    let mut c = visible_case(app, s, id).await?;
    if reveal {
        let who = s.admin.name.clone();
        c = s
            .store(app, move |st| {
                st.reveal(id, &who, "personal data shown unmasked in the console")
            })
            .await?;
    }
    let community = c.case.community.clone();
    let user = c.case.user.clone();
    let (around, earlier, actions, trusted) = {
        let (community, user) = (community.clone(), user.clone());
        let event_id = c.case.event_id.clone();
        s.store(app, move |st| {
            let around = st.around(id, 30 * 60, 8)?;
            let earlier = st.queue(&QueueFilter {
                community: Some(community.clone()),
                user: Some(user.clone()),
                limit: 20,
                ..QueueFilter::default()
            })?;
            let actions = st.actions_for(&community, &event_id)?;
            let trusted = st
                .trusted(Some(&community))?
                .into_iter()
                .find(|t| t.user == user)
                .map(|t| t.added_by);
            Ok((around, earlier, actions, trusted))
        })
        .await?
    };
    let verdict: Option<Verdict> = serde_json::from_value(c.verdict.clone()).ok();
    let text = c
        .event
        .get("text")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let raw_name = c
        .event
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let engine = app.pipeline.live.detector.load();
    let rules = engine.rules();
    let reasons_of = |field: Field| -> Vec<[usize; 2]> {
        verdict
            .iter()
            .flat_map(|v| v.reasons.iter())
            .flat_map(|r| r.spans.iter())
            .filter(|s| s.field == field)
            .map(|s| [s.start, s.end])
            .collect()
    };
    let entities: Vec<mask::Masked> = verdict
        .iter()
        .flat_map(|v| v.reasons.iter())
        .flat_map(|r| r.entities.iter())
        .map(|e| mask::Masked {
            range: e.span[0]..e.span[1],
            replacement: e.masked.clone(),
        })
        .collect();
    let reasons: Vec<ReasonView> = verdict
        .iter()
        .flat_map(|v| v.reasons.iter())
        .filter(|r| r.score > 0.0)
        .map(|r: &Reason| ReasonView {
            text: vocab::reason(r, rules.iter().find(|x| x.id == r.id), l),
            source: vocab::source(r.source, l),
            category: vocab::category(Some(r.category), l).to_string(),
            cat: r.category.as_str(),
            score: format!("{:.2}", r.score),
            shadow: r.shadow,
        })
        .collect();
    let mut seen = Vec::new();
    let entity_views: Vec<EntityView> = verdict
        .iter()
        .flat_map(|v| v.reasons.iter())
        .flat_map(|r| r.entities.iter())
        // Several reasons report the same entity (the exposure and the phone rule).
        .filter(|e| {
            let new = !seen.contains(&e.span);
            seen.push(e.span);
            new
        })
        .map(|e| EntityView {
            kind: vocab::pii_kind(&e.kind, l),
            shown: if reveal {
                text.get(e.span[0]..e.span[1])
                    .unwrap_or(&e.masked)
                    .to_string()
            } else {
                e.masked.clone()
            },
            // The validation names birth dates and regions: personal too.
            validation: if reveal {
                e.validation.clone()
            } else {
                String::new()
            },
        })
        .collect();
    let attachments = c
        .event
        .get("attachments")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("name").and_then(|n| n.as_str()))
                .map(|n| if reveal { n.to_string() } else { mask::mask(n) })
                .collect()
        })
        .unwrap_or_default();
    let action: Action = c.case.action.parse().unwrap_or(Action::Review);
    let kind = if c.case.kind == "join_request" {
        jaga_core::event::Kind::JoinRequest
    } else {
        jaga_core::event::Kind::Message
    };
    let shown_action = if action == Action::Review {
        if kind == jaga_core::event::Kind::JoinRequest {
            Action::Reject
        } else {
            Action::Remove
        }
    } else {
        action.for_kind(kind)
    };
    let meanings = Platform::ALL
        .iter()
        .map(|p| (p.name(), vocab::action_meaning(shown_action, *p, l)))
        .collect();
    let decisions = c
        .decisions
        .iter()
        .map(|d| DecisionView {
            who: d.admin.clone(),
            what: match d.decision {
                Judgement::Confirm => t.confirmed,
                Judgement::Dismiss => t.dismissed,
            },
            detail: [
                d.category.as_deref().map(|x| vocab::category_str(x, l)),
                d.action.as_deref().map(|x| vocab::action_str(x, l)),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
            when: app.console.time(d.at, &community, l),
            note: d.note.clone(),
        })
        .collect();
    let mut categories = vec![Opt {
        value: String::new(),
        label: t.keep_category.to_string(),
        selected: true,
    }];
    categories.extend(Category::ALL.iter().map(|x| Opt {
        value: x.as_str().into(),
        label: vocab::category(Some(*x), l).into(),
        selected: false,
    }));
    let row = CaseRow::new(app, &c.case, l);
    let page = CasePage {
        page: s.page("queue", format!("{} #{}", t.case_title, id)),
        text: vocab::html(&text, &reasons_of(Field::Text), &entities, reveal),
        name: if reveal {
            vocab::esc(&raw_name)
        } else {
            vocab::html(&raw_name, &reasons_of(Field::Name), &[], false)
        },
        user: if reveal {
            user.clone()
        } else {
            mask::mask(&user)
        },
        attachments,
        revealed: reveal,
        reasons,
        entities: entity_views,
        around: around.iter().map(|x| CaseRow::new(app, x, l)).collect(),
        earlier: earlier
            .iter()
            .filter(|x| x.id != id)
            .map(|x| CaseRow::new(app, x, l))
            .collect(),
        decisions,
        meanings,
        can_decide: s.admin.role >= Role::Admin,
        categories,
        trusted,
        pending: c.case.status == Status::Pending,
        actions: actions
            .iter()
            .map(|a| ActionView {
                what: format!("{} · {}", a.op, a.connection),
                state: a.state.clone(),
                ok: a.state == "done",
                when: app
                    .console
                    .time(a.done_at.unwrap_or(a.created_at), &community, l),
                error: a.last_error.clone(),
            })
            .collect(),
        row,
    };
    Ok(render(&page))
}

fn decision_of(
    s: &Session,
    f: &Fields,
    decision: Judgement,
    action: Option<Action>,
) -> NewDecision {
    NewDecision {
        admin: s.admin.name.clone(),
        decision,
        category: f.value("category").and_then(|c| c.parse().ok()),
        action,
        note: f.value("note").unwrap_or("").chars().take(1000).collect(),
    }
}

/// Confirm (carry out) or dismiss (undo) one case.
pub async fn decide(
    State(app): State<Arc<App>>,
    s: Session,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Response> {
    let f = s.form(&body, Role::Admin)?;
    let decision: Judgement = f
        .get("decision")
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| error_page(s.t, s.lang, StatusCode::BAD_REQUEST, "decision?"))?;
    decide_one(&app, &s, id, decision_of(&s, &f, decision, None)).await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// Confirm and ban the sender across the community.
pub async fn ban(
    State(app): State<Arc<App>>,
    s: Session,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Response> {
    let f = s.form(&body, Role::Admin)?;
    let mut d = decision_of(&s, &f, Judgement::Confirm, Some(Action::Ban));
    if d.note.is_empty() {
        d.note = "ban across the community".into();
    }
    let c = decide_one(&app, &s, id, d).await?;
    // The case's own group is banned by the decision; every other chat of the community the
    // member was seen in (through a platform) gets the ban too, whatever its mode: an admin
    // decided it.
    let (community, user, event_id) = (
        c.case.community.clone(),
        c.case.user.clone(),
        c.case.event_id.clone(),
    );
    let who = s.admin.name.clone();
    let exec = app.executor.clone();
    let chats = app
        .executor
        .with_store(move |st| {
            let cases = st.queue(&QueueFilter {
                community: Some(community.clone()),
                user: Some(user.clone()),
                limit: 1000,
                ..QueueFilter::default()
            })?;
            let here = st
                .origin(&community, &event_id)?
                .map(|o| (o.connection, o.chat));
            let mut chats: Vec<jaga_store::Origin> = Vec::new();
            for x in cases {
                if let Some(o) = st.origin(&community, &x.event_id)? {
                    let key = (o.connection.clone(), o.chat.clone());
                    if Some(&key) != here.as_ref()
                        && !chats
                            .iter()
                            .any(|c| (c.connection.clone(), c.chat.clone()) == key)
                    {
                        chats.push(o);
                    }
                }
            }
            Ok(chats)
        })
        .await
        .map_err(|e| {
            error_page(
                s.t,
                s.lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                &e.to_string(),
            )
        })?;
    let mut planned = Vec::new();
    for mut o in chats {
        o.mode = "enforce".into();
        o.protected = false;
        o.message = String::new();
        o.event_id = format!("{}#ban", o.event_id);
        let mut ops = exec.plan(&o, jaga_core::event::Kind::Message, Action::Ban, false);
        // Only the member: the other messages were decided on their own.
        ops.retain(|a| a.op != "delete" && a.op != "notify");
        for a in &mut ops {
            a.actor = who.clone();
        }
        planned.extend(ops.into_iter().map(|a| (a.connection.clone(), a)));
    }
    if !planned.is_empty() {
        let n = planned.len();
        let (conns, actions): (Vec<String>, Vec<_>) = planned.into_iter().unzip();
        let who2 = who.clone();
        exec.with_store(move |st| {
            st.enqueue(&actions)?;
            st.audit(
                &who2,
                "member.ban_community",
                Some(id),
                &format!("{n} more chats"),
            )
        })
        .await
        .map_err(|e| {
            error_page(
                s.t,
                s.lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                &e.to_string(),
            )
        })?;
        for c in conns {
            exec.wake(&c);
        }
    }
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// Adds the sender to the community's trusted members.
pub async fn trust(
    State(app): State<Arc<App>>,
    s: Session,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Response> {
    s.form(&body, Role::Admin)?;
    let c = visible_case(&app, &s, id).await?;
    let who = s.admin.name.clone();
    let user = c.case.user.clone();
    let community = c.case.community.clone();
    let note = format!("from case {id} in the console");
    // The platform executor reads the same table: trusted members are never acted on
    // automatically (review at most).
    s.store(&app, move |st| st.trust(&community, &user, &who, &note))
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    page: PageCtx,
    sender: String,
    community: String,
    case_id: i64,
    rows: Vec<CaseRow>,
    per_category: Vec<(String, &'static str, usize)>,
    confirmed_30d: usize,
    trusted: Option<String>,
}

/// Every case of the sender of case `id`, across the community's groups. (Addressed by a
/// case, so no phone number ever appears in a URL.)
pub async fn member(
    State(app): State<Arc<App>>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let l = s.lang;
    let c = visible_case(&app, &s, id).await?;
    let (community, user) = (c.case.community.clone(), c.case.user.clone());
    let (cases, trusted) = {
        let (community, user) = (community.clone(), user.clone());
        s.store(&app, move |st| {
            let cases = st.queue(&QueueFilter {
                community: Some(community.clone()),
                user: Some(user.clone()),
                limit: 500,
                ..QueueFilter::default()
            })?;
            let trusted = st
                .trusted(Some(&community))?
                .into_iter()
                .find(|t| t.user == user)
                .map(|t| t.added_by);
            Ok((cases, trusted))
        })
        .await?
    };
    let now = jaga_store::unix_now();
    let per_category = Category::ALL
        .iter()
        .map(|k| {
            (
                vocab::category(Some(*k), l).to_string(),
                k.as_str(),
                cases.iter().filter(|x| x.category == k.as_str()).count(),
            )
        })
        .filter(|x| x.2 > 0)
        .collect();
    let confirmed_30d = cases
        .iter()
        .filter(|x| x.status == Status::Confirmed && x.decided_at.unwrap_or(0) > now - 30 * 86_400)
        .count();
    let page = MemberPage {
        page: s.page("queue", s.t.member_title.to_string()),
        sender: vocab::sender(&c.case.name, &mask::mask(&user)),
        community,
        case_id: id,
        rows: cases.iter().map(|x| CaseRow::new(&app, x, l)).collect(),
        per_category,
        confirmed_30d,
        trusted,
    };
    Ok(render(&page))
}
