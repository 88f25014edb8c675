//! Telegram through the Bot API: plain HTTPS JSON POSTs (reqwest + rustls) and jaga's own
//! serde types for the ~10 objects it reads.
//!
//! Why not a crate: jaga needs about twelve methods and a dozen types with stable JSON
//! shapes; the frameworks (teloxide, tgbot) want to own the update loop and the webhook
//! server jaga already has, teloxide lags the Bot API by a year and pulls a second reqwest,
//! and none does the part that matters here (429 `retry_after`, idempotent actions, admin
//! caching). Types ignore unknown fields, so newer Bot API versions parse.
//!
//! * Receiving: `getUpdates` long polling (default) or a webhook (`setWebhook` with a
//!   secret token; `X-Telegram-Bot-Api-Secret-Token` compared in constant time).
//! * Updates used: `message`, `edited_message` (an edit is scored again: spammers post
//!   clean text and edit it into spam), `chat_join_request`, `chat_member` (joins; admin
//!   changes refresh the admin cache), `callback_query` (the review buttons), `/report`.
//! * Actions: `remove` → `deleteMessage`; `hide` → `deleteMessage` and the case stays open
//!   for review; `mute` → `deleteMessage` + `restrictChatMember` (until now + `mute_secs`);
//!   `ban` → `deleteMessage` + `banChatMember`; join `approve`/`reject` →
//!   `approveChatJoinRequest`/`declineChatJoinRequest`; `review` → a message to the admin
//!   chat with buttons. Undo: `unbanChatMember` (`only_if_banned`), `restrictChatMember`
//!   with every permission.
//! * The token is part of every URL; it is never logged (errors are printed without URL).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;
use tokio::sync::watch;

use super::{review_text, ActError, BoxFuture, ConnState, Inbound, Job, Place, Platform};
use crate::config::{Receive, TelegramConfig};
use crate::pipeline::now_ms;
use crate::App;
use jaga_core::event::{Attachment, Event, Kind, Role};
use jaga_core::verdict::Action;
use jaga_store::{Judgement, NewDecision};

/// The updates jaga asks for (`chat_member` must be named explicitly).
pub const ALLOWED_UPDATES: [&str; 6] = [
    "message",
    "edited_message",
    "callback_query",
    "chat_member",
    "my_chat_member",
    "chat_join_request",
];

/// Telegram's "GroupAnonymousBot": messages of anonymous admins come from it.
const ANONYMOUS_ADMIN_BOT: i64 = 1_087_968_824;

/// Operations of a verdict's action on Telegram (the action is on the event kind's ladder).
pub fn ops_for(action: Action) -> &'static [&'static str] {
    match action {
        Action::Remove | Action::Hide => &["delete"],
        Action::Mute => &["delete", "mute"],
        Action::Ban => &["delete", "ban"],
        Action::Reject => &["decline"],
        Action::Approve => &["approve"],
        Action::Allow | Action::Review => &[],
    }
}

// ---- Bot API types (only the fields jaga reads; unknown fields are ignored) ----

#[derive(Debug, Deserialize)]
struct ApiResponse<T> {
    ok: bool,
    result: Option<T>,
    #[serde(default)]
    error_code: i64,
    #[serde(default)]
    description: String,
    #[serde(default)]
    parameters: Option<ResponseParameters>,
}

#[derive(Debug, Default, Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
    migrate_to_chat_id: Option<i64>,
}

/// One update.
#[derive(Debug, Clone, Deserialize)]
pub struct Update {
    pub update_id: i64,
    #[serde(default)]
    pub message: Option<Message>,
    #[serde(default)]
    pub edited_message: Option<Message>,
    #[serde(default)]
    pub callback_query: Option<CallbackQuery>,
    #[serde(default)]
    pub chat_member: Option<ChatMemberUpdated>,
    #[serde(default)]
    pub my_chat_member: Option<ChatMemberUpdated>,
    #[serde(default)]
    pub chat_join_request: Option<ChatJoinRequest>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: i64,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

impl User {
    fn display(&self) -> String {
        let mut n = self.first_name.clone();
        if let Some(l) = &self.last_name {
            n.push(' ');
            n.push_str(l);
        }
        if let Some(u) = &self.username {
            n.push_str(&format!(" (@{u})"));
        }
        n
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Chat {
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: String,
    pub offset: usize,
    pub length: usize,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Document {
    #[serde(default)]
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    pub message_id: i64,
    #[serde(default)]
    pub from: Option<User>,
    #[serde(default)]
    pub sender_chat: Option<Chat>,
    #[serde(default)]
    pub date: i64,
    pub chat: Chat,
    #[serde(default)]
    pub forward_origin: Option<Value>,
    #[serde(default)]
    pub forward_date: Option<i64>,
    #[serde(default)]
    pub is_automatic_forward: bool,
    #[serde(default)]
    pub reply_to_message: Option<Box<Message>>,
    #[serde(default)]
    pub edit_date: Option<i64>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub caption_entities: Vec<Entity>,
    #[serde(default)]
    pub document: Option<Document>,
    #[serde(default)]
    pub photo: Option<Value>,
    #[serde(default)]
    pub video: Option<Value>,
    #[serde(default)]
    pub voice: Option<Value>,
    #[serde(default)]
    pub audio: Option<Value>,
    #[serde(default)]
    pub sticker: Option<Value>,
    #[serde(default)]
    pub new_chat_members: Option<Vec<User>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InviteLink {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChatJoinRequest {
    pub chat: Chat,
    pub from: User,
    #[serde(default)]
    pub date: i64,
    #[serde(default)]
    pub bio: Option<String>,
    #[serde(default)]
    pub invite_link: Option<InviteLink>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChatMember {
    pub status: String,
    pub user: User,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChatMemberUpdated {
    pub chat: Chat,
    #[serde(default)]
    pub date: i64,
    pub old_chat_member: ChatMember,
    pub new_chat_member: ChatMember,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CallbackMessage {
    pub message_id: i64,
    pub chat: Chat,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CallbackQuery {
    pub id: String,
    pub from: User,
    #[serde(default)]
    pub message: Option<CallbackMessage>,
    #[serde(default)]
    pub data: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct SentMessage {
    message_id: i64,
}

/// A failed Bot API call.
#[derive(Debug, Clone, PartialEq)]
pub enum TgError {
    /// Telegram answered `ok: false`.
    Api {
        code: i64,
        description: String,
        retry_after: Option<u64>,
        migrate_to: Option<i64>,
    },
    /// No usable answer (network, timeout, not JSON).
    Http(String),
}

impl std::fmt::Display for TgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TgError::Api {
                code, description, ..
            } => write!(f, "Telegram answered {code}: {description}"),
            TgError::Http(e) => write!(f, "Telegram could not be reached: {e}"),
        }
    }
}

impl TgError {
    fn into_act(self) -> ActError {
        match &self {
            TgError::Api {
                code: 429,
                retry_after,
                ..
            } => ActError::RetryAfter(
                Duration::from_secs(retry_after.unwrap_or(5)),
                self.to_string(),
            ),
            TgError::Api { code, .. } if *code >= 500 => ActError::Transient(self.to_string()),
            TgError::Api {
                migrate_to: Some(to),
                ..
            } => ActError::Permanent(format!(
                "{self}; the group became supergroup {to}: put that chat id in jaga.toml"
            )),
            TgError::Api { code: 401, .. } => ActError::Permanent(format!(
                "{self}; the bot token was refused (JAGA_TELEGRAM_TOKEN)"
            )),
            TgError::Api { .. } => ActError::Permanent(self.to_string()),
            TgError::Http(_) => ActError::Transient(self.to_string()),
        }
    }

    fn description(&self) -> &str {
        match self {
            TgError::Api { description, .. } => description,
            TgError::Http(_) => "",
        }
    }
}

/// The `text` of an event from a message's text or caption: a `text_link`'s hidden target
/// is written after its visible text, `klik (https://bit.ly/x)`, as the Telegram export
/// reader does, so the link stage sees where it really goes (a link whose visible text
/// differs from its target is itself evidence). Entity offsets are UTF-16 code units.
pub fn text_with_links(text: &str, entities: &[Entity]) -> String {
    let mut links: Vec<(usize, &str)> = entities
        .iter()
        .filter(|e| e.kind == "text_link")
        .filter_map(|e| Some((e.offset + e.length, e.url.as_deref()?)))
        .collect();
    if links.is_empty() {
        return text.to_string();
    }
    links.sort_by_key(|l| l.0);
    let mut out = String::with_capacity(text.len() + 64);
    let mut units = 0;
    let mut next = links.iter().peekable();
    for ch in text.chars() {
        while let Some((end, url)) = next.peek() {
            if *end <= units {
                out.push_str(&format!(" ({url})"));
                next.next();
            } else {
                break;
            }
        }
        out.push(ch);
        units += ch.len_utf16();
    }
    for (_, url) in next {
        out.push_str(&format!(" ({url})"));
    }
    out
}

/// The attachments of a message: documents by file name (an .apk is evidence), media by kind.
fn attachments(m: &Message) -> Vec<Attachment> {
    let mut a = Vec::new();
    if let Some(d) = &m.document {
        a.push(Attachment {
            kind: "file".into(),
            name: d.file_name.clone().unwrap_or_default(),
        });
    }
    for (kind, v) in [
        ("photo", &m.photo),
        ("video", &m.video),
        ("voice", &m.voice),
        ("audio", &m.audio),
        ("sticker", &m.sticker),
    ] {
        if v.is_some() {
            a.push(Attachment {
                kind: kind.into(),
                name: String::new(),
            });
        }
    }
    a
}

/// The event id of a message (an edit gets its own, so it is scored again).
pub fn message_event_id(chat: i64, message_id: i64, edit: Option<i64>) -> String {
    match edit {
        Some(e) => format!("{chat}:{message_id}:e{e}"),
        None => format!("{chat}:{message_id}"),
    }
}

/// One Telegram bot.
pub struct Telegram {
    cfg: TelegramConfig,
    token: String,
    api: String,
    client: reqwest::Client,
    poll_client: reqwest::Client,
    webhook_secret: Option<String>,
    /// The bot's own user id (from getMe).
    me: AtomicI64,
    /// chat -> (fetched, admin user ids).
    admins: Mutex<HashMap<i64, (Instant, HashSet<i64>)>>,
    /// (chat, user) -> unix s of joining, for fresh-account detection; bounded.
    joins: Mutex<HashMap<(i64, i64), i64>>,
    /// Recent update ids (a webhook delivery can repeat).
    seen: Mutex<VecDeque<i64>>,
    /// reporter -> times of their recent reports.
    reports: Mutex<HashMap<i64, VecDeque<Instant>>>,
    /// Unix ms until which every action waits (a 429 anywhere pauses them all).
    paused_until: AtomicI64,
    state: ConnState,
}

const MAX_JOINS: usize = 200_000;

impl Telegram {
    /// A bot from its configuration; the token comes from `JAGA_TELEGRAM_TOKEN` or
    /// `token_file`, the API base URL from `JAGA_TELEGRAM_API` or `api`.
    pub fn new(cfg: TelegramConfig) -> Result<Telegram, String> {
        let token = super::secret("JAGA_TELEGRAM_TOKEN", cfg.token_file.as_deref())?
            .ok_or("[telegram] needs the bot token: set JAGA_TELEGRAM_TOKEN or token_file")?;
        if token.contains('/') || token.contains(char::is_whitespace) {
            return Err(
                "the Telegram bot token has a `/` or a space in it; copy it again from @BotFather"
                    .into(),
            );
        }
        let api = std::env::var("JAGA_TELEGRAM_API")
            .ok()
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| cfg.api.clone());
        let api = api.trim().trim_end_matches('/').to_string();
        if !(api.starts_with("https://") || api.starts_with("http://")) {
            return Err(format!(
                "the Telegram API base URL `{api}` is not an http(s) URL"
            ));
        }
        let webhook_secret = match cfg.receive {
            Receive::Webhook => {
                let s = super::secret("JAGA_TELEGRAM_WEBHOOK_SECRET", cfg.webhook_secret_file.as_deref())?
                    .ok_or("[telegram] receive = \"webhook\" needs a secret token: set JAGA_TELEGRAM_WEBHOOK_SECRET or webhook_secret_file")?;
                if !(1..=256).contains(&s.len())
                    || !s
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                {
                    return Err("the Telegram webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -".into());
                }
                Some(s)
            }
            Receive::Polling => None,
        };
        Ok(Telegram {
            client: super::http_client(Duration::from_secs(30))?,
            poll_client: super::http_client(Duration::from_secs(cfg.poll_timeout_secs + 15))?,
            cfg,
            token,
            api,
            webhook_secret,
            me: AtomicI64::new(0),
            admins: Mutex::default(),
            joins: Mutex::default(),
            seen: Mutex::default(),
            reports: Mutex::default(),
            paused_until: AtomicI64::new(0),
            state: ConnState::new("starting"),
        })
    }

    pub fn config(&self) -> &TelegramConfig {
        &self.cfg
    }

    async fn call_with<T: DeserializeOwned>(
        &self,
        client: &reqwest::Client,
        method: &str,
        body: &Value,
    ) -> Result<T, TgError> {
        let url = format!("{}/bot{}/{method}", self.api, self.token);
        let resp = client
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| TgError::Http(super::http_error(e)))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| TgError::Http(super::http_error(e)))?;
        let parsed: ApiResponse<T> = serde_json::from_slice(&bytes)
            .map_err(|e| TgError::Http(format!("HTTP {status}, not a Bot API answer ({e})")))?;
        match parsed {
            ApiResponse {
                ok: true,
                result: Some(r),
                ..
            } => Ok(r),
            p => {
                let params = p.parameters.unwrap_or_default();
                Err(TgError::Api {
                    code: if p.error_code != 0 {
                        p.error_code
                    } else {
                        i64::from(status.as_u16())
                    },
                    description: p.description,
                    retry_after: params.retry_after,
                    migrate_to: params.migrate_to_chat_id,
                })
            }
        }
    }

    /// One Bot API call (JSON POST).
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
    ) -> Result<T, TgError> {
        self.call_with(&self.client, method, body).await
    }

    /// Checks the token (`getMe`) and remembers the bot's id.
    pub async fn start(&self) -> Result<(), String> {
        let me: User = self
            .call("getMe", &json!({}))
            .await
            .map_err(|e| format!("[telegram] getMe failed: {e}"))?;
        self.me.store(me.id, Relaxed);
        if let (Receive::Webhook, Some(url), Some(secret)) = (
            self.cfg.receive,
            &self.cfg.webhook_url,
            &self.webhook_secret,
        ) {
            let _: bool = self
                .call(
                    "setWebhook",
                    &json!({
                        "url": url,
                        "secret_token": secret,
                        "allowed_updates": ALLOWED_UPDATES,
                        "drop_pending_updates": false,
                        "max_connections": 40,
                    }),
                )
                .await
                .map_err(|e| format!("[telegram] setWebhook failed: {e}"))?;
        }
        self.state.ok(None);
        tracing::info!(connection = %self.cfg.name, bot = me.id, receive = ?self.cfg.receive, groups = self.cfg.groups.len(), "Telegram bot connected");
        Ok(())
    }

    /// The admins of a chat (cached for `admin_refresh_secs`; a failed refresh keeps the old list).
    async fn admins(&self, chat: i64) -> HashSet<i64> {
        let ttl = Duration::from_secs(self.cfg.admin_refresh_secs);
        if let Some((at, set)) = self
            .admins
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&chat)
        {
            if at.elapsed() < ttl {
                return set.clone();
            }
        }
        match self
            .call::<Vec<ChatMember>>("getChatAdministrators", &json!({ "chat_id": chat }))
            .await
        {
            Ok(list) => {
                let set: HashSet<i64> = list.iter().map(|m| m.user.id).collect();
                self.admins
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(chat, (Instant::now(), set.clone()));
                set
            }
            Err(e) => {
                tracing::warn!(connection = %self.cfg.name, chat, error = %e, "cannot read the group's admins; treating the sender as a member");
                self.admins
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&chat)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_default()
            }
        }
    }

    fn forget_admins(&self, chat: i64) {
        self.admins
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chat);
    }

    fn remember_join(&self, chat: i64, user: i64, at: i64) {
        let mut j = self.joins.lock().unwrap_or_else(|e| e.into_inner());
        if j.len() >= MAX_JOINS {
            // Fresh-account memory covers minutes; dropping it all at the cap is cheap and safe.
            j.clear();
        }
        j.insert((chat, user), at);
    }

    fn place(&self, chat: i64) -> Place {
        let g = self.cfg.group(chat);
        Place {
            platform: "telegram",
            connection: self.cfg.name.clone(),
            chat: chat.to_string(),
            community: g
                .and_then(|g| g.community.clone())
                .unwrap_or_else(|| self.cfg.community.clone()),
            group: g
                .and_then(|g| g.name.clone())
                .unwrap_or_else(|| chat.to_string()),
            mode: g.and_then(|g| g.mode).unwrap_or(self.cfg.default_mode),
        }
    }

    /// The event of a group message (`None` for private chats, channels and the bot's own).
    async fn message_event(&self, m: &Message, edited: bool) -> Option<Inbound> {
        if !matches!(m.chat.kind.as_str(), "group" | "supergroup") {
            return None;
        }
        let me = self.me.load(Relaxed);
        let from = m.from.as_ref();
        if from.is_some_and(|f| f.id == me) {
            return None;
        }
        let chat = m.chat.id;
        let place = self.place(chat);
        // Anonymous admins post as the group itself; a linked channel's automatic forwards
        // are the channel's own posts: both are admins' messages.
        let anonymous_admin = m.sender_chat.as_ref().is_some_and(|c| c.id == chat)
            || from.is_some_and(|f| f.id == ANONYMOUS_ADMIN_BOT);
        let (user, name) = match (&m.sender_chat, from) {
            (Some(c), _) => (c.id.to_string(), String::new()),
            (None, Some(f)) => (f.id.to_string(), f.display()),
            (None, None) => (String::new(), String::new()),
        };
        let is_admin = anonymous_admin
            || m.is_automatic_forward
            || match from {
                Some(f) if m.sender_chat.is_none() => self.admins(chat).await.contains(&f.id),
                _ => false,
            };
        let raw = m.text.as_deref().or(m.caption.as_deref()).unwrap_or("");
        let entities = if m.text.is_some() {
            &m.entities
        } else {
            &m.caption_entities
        };
        let edit = if edited {
            Some(m.edit_date.unwrap_or(m.date))
        } else {
            None
        };
        let id = message_event_id(chat, m.message_id, edit);
        let joined_at = from.and_then(|f| {
            self.joins
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&(chat, f.id))
                .copied()
        });
        let event = Event {
            id: id.clone(),
            kind: Kind::Message,
            community: place.community.clone(),
            group: place.group.clone(),
            user: user.clone(),
            name,
            text: text_with_links(raw, entities),
            ts: Some(edit.unwrap_or(m.date)),
            reply_to: m
                .reply_to_message
                .as_ref()
                .map(|r| message_event_id(chat, r.message_id, None))
                .unwrap_or_default(),
            forwarded: m.forward_origin.is_some() || m.forward_date.is_some(),
            attachments: attachments(m),
            role: if is_admin { Role::Admin } else { Role::Member },
            member_messages: None,
            joined_at,
        };
        let origin = place.origin(&id, &m.message_id.to_string(), &user, is_admin);
        Some(Inbound {
            event,
            origin,
            reported_by: None,
        })
    }

    fn join_event(&self, r: &ChatJoinRequest) -> Inbound {
        let chat = r.chat.id;
        let place = self.place(chat);
        let id = format!("{chat}:join:{}:{}", r.from.id, r.date);
        let user = r.from.id.to_string();
        let mut text = r.bio.clone().unwrap_or_default();
        if let Some(n) = r.invite_link.as_ref().and_then(|l| l.name.as_deref()) {
            // The invite link's name says which campaign or admin's link was used.
            text.push_str(&format!("\n[invite link: {n}]"));
        }
        let event = Event {
            id: id.clone(),
            kind: Kind::JoinRequest,
            community: place.community.clone(),
            group: place.group.clone(),
            user: user.clone(),
            name: r.from.display(),
            text,
            ts: Some(r.date),
            ..Event::default()
        };
        Inbound {
            event,
            origin: place.origin(&id, "", &user, false),
            reported_by: None,
        }
    }

    /// `/report` as a reply: the replied-to message as an event, reported by `reporter`;
    /// `None` when the reporter is over `reports_per_hour`.
    async fn report_event(&self, m: &Message) -> Option<Inbound> {
        let reporter = m.from.as_ref()?.id;
        let target = m.reply_to_message.as_deref()?;
        {
            let mut r = self.reports.lock().unwrap_or_else(|e| e.into_inner());
            let times = r.entry(reporter).or_default();
            while times
                .front()
                .is_some_and(|t| t.elapsed() > Duration::from_secs(3600))
            {
                times.pop_front();
            }
            if times.len() >= self.cfg.reports_per_hour as usize {
                tracing::info!(connection = %self.cfg.name, reporter, "a member's /report was over the hourly limit; ignored");
                return None;
            }
            times.push_back(Instant::now());
        }
        let mut target = target.clone();
        target.chat = m.chat.clone();
        let mut item = self.message_event(&target, false).await?;
        item.reported_by = Some(reporter.to_string());
        Some(item)
    }

    fn is_report(&self, m: &Message) -> bool {
        let Some(t) = m.text.as_deref() else {
            return false;
        };
        let cmd = t.split_whitespace().next().unwrap_or("");
        let cmd = cmd.split('@').next().unwrap_or("");
        cmd == "/report" && m.reply_to_message.is_some()
    }

    /// Turns a batch of updates into events, handles buttons and membership changes, and
    /// ingests the events in one scoring batch.
    pub async fn handle(
        self: &Arc<Self>,
        app: &Arc<App>,
        updates: Vec<Update>,
    ) -> Result<(), String> {
        let mut items = Vec::new();
        let mut newest = None;
        for u in updates {
            {
                let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                if seen.contains(&u.update_id) {
                    continue;
                }
                if seen.len() >= 4096 {
                    seen.pop_front();
                }
                seen.push_back(u.update_id);
            }
            self.state.updates.fetch_add(1, Relaxed);
            if let Some(m) = &u.message {
                newest = newest.max(Some(m.date));
                for nm in m.new_chat_members.iter().flatten() {
                    self.remember_join(m.chat.id, nm.id, m.date);
                }
                if self.is_report(m) {
                    items.extend(self.report_event(m).await);
                } else {
                    items.extend(self.message_event(m, false).await);
                }
            }
            if let Some(m) = &u.edited_message {
                newest = newest.max(Some(m.edit_date.unwrap_or(m.date)));
                items.extend(self.message_event(m, true).await);
            }
            if let Some(r) = &u.chat_join_request {
                newest = newest.max(Some(r.date));
                items.push(self.join_event(r));
            }
            for cm in [&u.chat_member, &u.my_chat_member].into_iter().flatten() {
                let (old, new) = (
                    cm.old_chat_member.status.as_str(),
                    cm.new_chat_member.status.as_str(),
                );
                let was_in = matches!(old, "member" | "administrator" | "creator" | "restricted");
                if !was_in && matches!(new, "member" | "restricted") {
                    self.remember_join(cm.chat.id, cm.new_chat_member.user.id, cm.date);
                }
                if matches!(old, "administrator" | "creator")
                    != matches!(new, "administrator" | "creator")
                {
                    self.forget_admins(cm.chat.id);
                }
            }
            if let Some(q) = u.callback_query {
                let me = self.clone();
                let app = app.clone();
                // A button press must not wait behind scoring, nor scoring behind it.
                tokio::spawn(async move { me.callback(&app, q).await });
            }
        }
        self.state.ok(newest);
        crate::ingest(app, items).await.map(|_| ())
    }

    /// A review button: `j1:<c|d|b>:<case id>` (confirm, dismiss, confirm as ban). Only an
    /// admin of the group the case is from may decide.
    async fn callback(&self, app: &Arc<App>, q: CallbackQuery) {
        let answer = self.decide_from_button(app, &q).await;
        let body = json!({ "callback_query_id": q.id, "text": answer, "show_alert": false });
        if let Err(e) = self.call::<bool>("answerCallbackQuery", &body).await {
            tracing::warn!(connection = %self.cfg.name, error = %e, "answerCallbackQuery failed");
        }
    }

    async fn decide_from_button(&self, app: &Arc<App>, q: &CallbackQuery) -> String {
        let data = q.data.as_deref().unwrap_or("");
        let mut parts = data.split(':');
        let (Some("j1"), Some(what), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return "Tombol tidak dikenal / unknown button".into();
        };
        let Ok(case_id) = id.parse::<i64>() else {
            return "Tombol tidak dikenal / unknown button".into();
        };
        let (decision, action) = match what {
            "c" => (Judgement::Confirm, None),
            "b" => (Judgement::Confirm, Some(Action::Ban)),
            "d" => (Judgement::Dismiss, None),
            _ => return "Tombol tidak dikenal / unknown button".into(),
        };
        let origin = app
            .executor
            .with_store(move |s| {
                let Some(c) = s.get(case_id)? else {
                    return Ok(None);
                };
                s.origin(&c.case.community, &c.case.event_id)
            })
            .await;
        let chat = match origin {
            Ok(Some(o)) if o.connection == self.cfg.name => o.chat.parse::<i64>().ok(),
            Ok(_) => None,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the case of a button");
                return "Gagal / failed; coba lagi / try again".into();
            }
        };
        let Some(chat) = chat else {
            return format!("Kasus #{case_id} tidak ditemukan / case not found");
        };
        if !self.admins(chat).await.contains(&q.from.id) {
            return "Hanya admin grup / group admins only".into();
        }
        let admin = match &q.from.username {
            Some(u) => format!("telegram:@{u}"),
            None => format!("telegram:{}", q.from.id),
        };
        let d = NewDecision {
            admin,
            decision,
            category: None,
            action,
            note: "Telegram button".into(),
        };
        match app.executor.decide(case_id, d).await {
            Ok(_) => match (decision, action) {
                (Judgement::Dismiss, _) => format!("↩️ #{case_id} dibatalkan / dismissed"),
                (_, Some(Action::Ban)) => format!("⛔ #{case_id} ban"),
                _ => format!("✅ #{case_id} dikonfirmasi / confirmed"),
            },
            Err(e) => {
                tracing::error!(error = %e, case = case_id, "a button decision failed");
                "Gagal / failed; coba lagi / try again".into()
            }
        }
    }

    /// Long polling until `stop`: `getUpdates` with the offset after the last update seen.
    pub async fn poll(self: Arc<Self>, app: Arc<App>, mut stop: watch::Receiver<bool>) {
        let mut offset: Option<i64> = None;
        let mut backoff = Duration::from_secs(1);
        loop {
            if *stop.borrow() {
                return;
            }
            let mut body = json!({
                "limit": 100,
                "timeout": self.cfg.poll_timeout_secs,
                "allowed_updates": ALLOWED_UPDATES,
            });
            if let Some(o) = offset {
                body["offset"] = json!(o);
            }
            let got = tokio::select! {
                r = self.call_with::<Vec<Update>>(&self.poll_client, "getUpdates", &body) => r,
                _ = stop.changed() => return,
            };
            let wait = match got {
                Ok(updates) => {
                    backoff = Duration::from_secs(1);
                    let next = updates.iter().map(|u| u.update_id + 1).max();
                    if updates.is_empty() {
                        self.state.ok(None);
                        continue;
                    }
                    let r = self.handle(&app, updates).await;
                    match r {
                        // Confirm the batch (the next getUpdates offset) only once its
                        // events and actions are committed: a crash re-delivers it.
                        Ok(()) => {
                            offset = next.or(offset);
                            continue;
                        }
                        Err(e) => {
                            self.state.error("store error");
                            tracing::error!(connection = %self.cfg.name, error = %e, "updates could not be stored; they will be fetched again");
                            backoff
                        }
                    }
                }
                Err(TgError::Api {
                    code: 429,
                    retry_after,
                    ..
                }) => Duration::from_secs(retry_after.unwrap_or(5)),
                Err(e @ TgError::Api { code: 409, .. }) => {
                    self.state
                        .error("conflict: a webhook is set or another poller runs");
                    tracing::error!(connection = %self.cfg.name, error = %e, "getUpdates refused: a webhook is set for this bot or another program polls it; remove the webhook (deleteWebhook) or use receive = \"webhook\"");
                    Duration::from_secs(30)
                }
                Err(
                    e @ TgError::Api {
                        code: 401 | 404, ..
                    },
                ) => {
                    self.state.error("unauthorized: the bot token was refused");
                    tracing::error!(connection = %self.cfg.name, error = %e, "the bot token was refused; check JAGA_TELEGRAM_TOKEN");
                    Duration::from_secs(60)
                }
                Err(e) => {
                    self.state.error("error");
                    tracing::warn!(connection = %self.cfg.name, error = %e, "getUpdates failed; retrying");
                    let w = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    w
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// `POST /v1/telegram/{name}` in webhook mode: the secret token header is compared in
    /// constant time; the answer (200) waits until the update's events and actions are
    /// committed, so Telegram re-delivers what was not stored.
    pub async fn webhook(
        self: &Arc<Self>,
        app: &Arc<App>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> (StatusCode, String) {
        let Some(secret) = &self.webhook_secret else {
            return (
                StatusCode::NOT_FOUND,
                "this connection does not receive webhooks (receive = \"polling\")".into(),
            );
        };
        let given = headers
            .get("x-telegram-bot-api-secret-token")
            .map(|v| v.as_bytes())
            .unwrap_or(b"");
        if !bool::from(given.ct_eq(secret.as_bytes())) {
            self.state.errors.fetch_add(1, Relaxed);
            return (
                StatusCode::UNAUTHORIZED,
                "missing or wrong X-Telegram-Bot-Api-Secret-Token".into(),
            );
        }
        let update: Update = match serde_json::from_slice(body) {
            Ok(u) => u,
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!("not a Telegram update: {e}"),
                )
            }
        };
        match self.handle(app, vec![update]).await {
            Ok(()) => (StatusCode::OK, "{}".into()),
            Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e),
        }
    }

    fn wait_for_pause(&self) -> Result<(), ActError> {
        let left = self.paused_until.load(Relaxed) - now_ms();
        if left > 0 {
            return Err(ActError::RetryAfter(
                Duration::from_millis(left as u64),
                "Telegram asked to slow down (429)".into(),
            ));
        }
        Ok(())
    }

    async fn act(&self, job: Job<'_>) -> Result<String, ActError> {
        self.wait_for_pause()?;
        let row = job.row;
        let bad = |what: &str| ActError::Permanent(format!("action {} has a bad {what}", row.id));
        let chat: i64 = row.chat.parse().map_err(|_| bad("chat id"))?;
        let user = || row.user.parse::<i64>().map_err(|_| bad("user id"));
        let now = crate::pipeline::now_ms() / 1000;
        let perms = |allow: bool| {
            json!({
                "can_send_messages": allow,
                "can_send_audios": allow,
                "can_send_documents": allow,
                "can_send_photos": allow,
                "can_send_videos": allow,
                "can_send_video_notes": allow,
                "can_send_voice_notes": allow,
                "can_send_polls": allow,
                "can_send_other_messages": allow,
                "can_add_web_page_previews": allow,
            })
        };
        let (method, body) = match row.op.as_str() {
            "delete" => (
                "deleteMessage",
                json!({"chat_id": chat, "message_id": row.message.parse::<i64>().map_err(|_| bad("message id"))?}),
            ),
            "mute" => {
                let mut b = json!({"chat_id": chat, "user_id": user()?, "permissions": perms(false), "use_independent_chat_permissions": true});
                if self.cfg.mute_secs > 0 {
                    b["until_date"] = json!(now + self.cfg.mute_secs as i64);
                }
                ("restrictChatMember", b)
            }
            "unmute" => (
                "restrictChatMember",
                json!({"chat_id": chat, "user_id": user()?, "permissions": perms(true), "use_independent_chat_permissions": true}),
            ),
            "ban" => {
                let mut b = json!({"chat_id": chat, "user_id": user()?, "revoke_messages": self.cfg.revoke_messages});
                if self.cfg.ban_secs > 0 {
                    b["until_date"] = json!(now + self.cfg.ban_secs as i64);
                }
                ("banChatMember", b)
            }
            "unban" => (
                "unbanChatMember",
                json!({"chat_id": chat, "user_id": user()?, "only_if_banned": true}),
            ),
            "approve" => (
                "approveChatJoinRequest",
                json!({"chat_id": chat, "user_id": user()?}),
            ),
            "decline" => (
                "declineChatJoinRequest",
                json!({"chat_id": chat, "user_id": user()?}),
            ),
            "notify" => return self.notify(job, chat).await,
            "resolve" => return self.resolve(job).await,
            other => return Err(ActError::Permanent(format!("Telegram cannot `{other}`"))),
        };
        match self.call::<Value>(method, &body).await {
            Ok(_) => Ok(json!({"method": method}).to_string()),
            Err(e) => {
                let d = e.description().to_ascii_lowercase();
                // Already done by someone else: an admin deleted it, the request was handled.
                if matches!(&e, TgError::Api { code: 400, .. })
                    && (d.contains("message to delete not found")
                        || d.contains("hide_requester_missing")
                        || d.contains("user_already_participant"))
                {
                    return Ok(json!({"method": method, "already": e.description()}).to_string());
                }
                if let TgError::Api {
                    code: 429,
                    retry_after,
                    ..
                } = &e
                {
                    let until = now_ms() + (retry_after.unwrap_or(5) as i64) * 1000;
                    self.paused_until.fetch_max(until, Relaxed);
                }
                Err(e.into_act())
            }
        }
    }

    async fn notify(&self, job: Job<'_>, chat: i64) -> Result<String, ActError> {
        let Some(admin_chat) = self
            .admin_chat(&job.row.chat)
            .and_then(|c| c.parse::<i64>().ok())
        else {
            return Err(ActError::Permanent(
                "no admin_chat is configured for review messages".into(),
            ));
        };
        let Some(case) = job.case else {
            return Err(ActError::Permanent(
                "the case of this review message is gone".into(),
            ));
        };
        let id = case.case.id;
        let mut body = json!({
            "chat_id": admin_chat,
            "text": review_text(case, job.reports, &done_text(job.row)),
            "link_preview_options": {"is_disabled": true},
            "reply_markup": {"inline_keyboard": [[
                {"text": "✅ Benar / Confirm", "callback_data": format!("j1:c:{id}")},
                {"text": "↩️ Batal / Dismiss", "callback_data": format!("j1:d:{id}")},
                {"text": "⛔ Ban", "callback_data": format!("j1:b:{id}")},
            ]]},
        });
        if admin_chat == chat && !job.row.message.is_empty() {
            if let Ok(m) = job.row.message.parse::<i64>() {
                body["reply_parameters"] =
                    json!({"message_id": m, "allow_sending_without_reply": true});
            }
        }
        match self.call::<SentMessage>("sendMessage", &body).await {
            Ok(m) => Ok(json!({"chat": admin_chat, "message_id": m.message_id}).to_string()),
            Err(e) => {
                if let TgError::Api {
                    code: 429,
                    retry_after,
                    ..
                } = &e
                {
                    self.paused_until
                        .fetch_max(now_ms() + (retry_after.unwrap_or(5) as i64) * 1000, Relaxed);
                }
                Err(e.into_act())
            }
        }
    }

    async fn resolve(&self, job: Job<'_>) -> Result<String, ActError> {
        let p: Value = serde_json::from_str(&job.row.params).unwrap_or_default();
        let (Some(chat), Some(message)) = (
            p["posted"]["chat"].as_i64(),
            p["posted"]["message_id"].as_i64(),
        ) else {
            return Err(ActError::Permanent(
                "the review message to update is unknown".into(),
            ));
        };
        let Some(case) = job.case else {
            return Err(ActError::Permanent("the case is gone".into()));
        };
        let ops: Vec<&str> = p["ops"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut text = review_text(case, job.reports, "");
        text.push_str(&format!(
            "Keputusan/decision: {} ({}){}",
            p["decision"].as_str().unwrap_or(""),
            p["admin"].as_str().unwrap_or(""),
            if ops.is_empty() {
                String::new()
            } else {
                format!(" → {}", ops.join(", "))
            }
        ));
        // Without reply_markup the buttons go away: the case is decided.
        let body = json!({"chat_id": chat, "message_id": message, "text": text});
        match self.call::<Value>("editMessageText", &body).await {
            Ok(_) => Ok(json!({"method": "editMessageText"}).to_string()),
            Err(e) if e.description().contains("message is not modified") => Ok("{}".into()),
            Err(e) => Err(e.into_act()),
        }
    }
}

/// What jaga already did, for the review message ("deleted, muted").
fn done_text(row: &jaga_store::ActionRow) -> String {
    let p: Value = serde_json::from_str(&row.params).unwrap_or_default();
    let action = p["action"].as_str().unwrap_or("");
    let kind = if p["kind"] == "join_request" {
        Kind::JoinRequest
    } else {
        Kind::Message
    };
    if row.actor != "jaga" || action.is_empty() {
        return String::new();
    }
    let Ok(a) = action.parse::<Action>() else {
        return String::new();
    };
    let ops = super::ops_for(&row.platform, a, kind);
    ops.join(", ")
}

impl Platform for Telegram {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn platform(&self) -> &'static str {
        "telegram"
    }

    fn notify_on(&self) -> &[Action] {
        &self.cfg.notify
    }

    fn admin_chat(&self, chat: &str) -> Option<String> {
        let g = chat.parse::<i64>().ok().and_then(|c| self.cfg.group(c));
        g.and_then(|g| g.admin_chat)
            .or(self.cfg.admin_chat)
            .map(|c| c.to_string())
    }

    fn execute<'a>(&'a self, job: Job<'a>) -> BoxFuture<'a, Result<String, ActError>> {
        Box::pin(self.act(job))
    }

    fn state(&self) -> &ConnState {
        &self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_links_show_their_target_after_the_visible_text() {
        // 💜 is two UTF-16 units: offsets count those, not chars or bytes.
        let text = "💜 Presale tiket resmi sudah buka! Daftar di weverse.io/presale sebelum jam 12 ya @sari_contoh";
        let e = vec![
            Entity {
                kind: "text_link".into(),
                offset: 45,
                length: 18,
                url: Some("https://bit.ly/contoh-bukan-weverse".into()),
            },
            Entity {
                kind: "mention".into(),
                offset: 82,
                length: 12,
                url: None,
            },
        ];
        assert_eq!(
            text_with_links(text, &e),
            "💜 Presale tiket resmi sudah buka! Daftar di weverse.io/presale (https://bit.ly/contoh-bukan-weverse) sebelum jam 12 ya @sari_contoh"
        );
        let end = vec![Entity {
            kind: "text_link".into(),
            offset: 0,
            length: 4,
            url: Some("https://x.test".into()),
        }];
        assert_eq!(text_with_links("klik", &end), "klik (https://x.test)");
        assert_eq!(text_with_links("plain", &[]), "plain");
    }

    #[test]
    fn every_update_fixture_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/platforms/telegram");
        let mut n = 0;
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("update-") {
                let r: ApiResponse<Vec<Update>> =
                    serde_json::from_slice(&std::fs::read(&p).unwrap())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(r.ok && !r.result.unwrap().is_empty(), "{name}");
                n += 1;
            }
        }
        assert!(n >= 10, "fixtures found: {n}");
    }

    #[test]
    fn errors_map_to_retries() {
        let e: ApiResponse<bool> = serde_json::from_str(
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}"#,
        )
        .unwrap();
        let err = TgError::Api {
            code: e.error_code,
            description: e.description,
            retry_after: e.parameters.unwrap().retry_after,
            migrate_to: None,
        };
        assert!(
            matches!(err.into_act(), ActError::RetryAfter(d, _) if d == Duration::from_secs(5))
        );
        let bad = TgError::Api {
            code: 400,
            description: "Bad Request: not enough rights".into(),
            retry_after: None,
            migrate_to: None,
        };
        assert!(matches!(bad.into_act(), ActError::Permanent(_)));
        let down = TgError::Api {
            code: 502,
            description: "Bad Gateway".into(),
            retry_after: None,
            migrate_to: None,
        };
        assert!(matches!(down.into_act(), ActError::Transient(_)));
    }
}
