-- jaga review store, schema version 2: what the platform adapters need.

-- Where a flagged event came from on its platform, so a decision taken later (review CLI,
-- admin API, console, a Telegram button) can act on the right chat, message and member.
CREATE TABLE origins (
    community   TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    platform    TEXT    NOT NULL,            -- telegram | whatsapp | webhook
    connection  TEXT    NOT NULL,            -- the configured connection's name
    chat        TEXT    NOT NULL,            -- platform chat id (Telegram chat id, WhatsApp group JID)
    message     TEXT    NOT NULL DEFAULT '', -- platform message id ('' for join requests)
    user_id     TEXT    NOT NULL DEFAULT '', -- platform user id (Telegram user id, WhatsApp phone JID)
    mode        TEXT    NOT NULL,            -- observe | review | enforce, when the event arrived
    protected   INTEGER NOT NULL DEFAULT 0,  -- 1: an admin or trusted member (never auto-actioned)
    PRIMARY KEY (community, event_id)
);

-- The durable action queue. A row is written in the same transaction as its case, so an
-- action decided before a crash is carried out after the restart; `key` makes each action
-- happen once per target however often the event is re-delivered or re-decided.
CREATE TABLE actions (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,     -- platform/connection/chat/target/op
    case_id     INTEGER REFERENCES cases (id),
    community   TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    platform    TEXT    NOT NULL,
    connection  TEXT    NOT NULL,
    chat        TEXT    NOT NULL,
    message     TEXT    NOT NULL DEFAULT '',
    user_id     TEXT    NOT NULL DEFAULT '',
    op          TEXT    NOT NULL,            -- delete, mute, ban, kick, approve, decline, notify, unmute, unban, readd, resolve
    params      TEXT    NOT NULL DEFAULT '{}',
    state       TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'done', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,            -- unix milliseconds: not before
    last_error  TEXT    NOT NULL DEFAULT '',
    result      TEXT    NOT NULL DEFAULT '', -- what the platform answered (e.g. the review message's id)
    actor       TEXT    NOT NULL DEFAULT 'jaga',
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX actions_due ON actions (state, connection, next_at);
CREATE INDEX actions_by_case ON actions (case_id);
CREATE INDEX actions_by_event ON actions (community, event_id);

-- Members an admin vouched for: their events are decided and recorded, never acted on
-- automatically (review at most), like admins'.
CREATE TABLE trusted (
    community   TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    added_by    TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,
    PRIMARY KEY (community, user_id)
);

-- Member reports (`/report` on Telegram): one row per reporter and event.
CREATE TABLE reports (
    community   TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    reporter    TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (community, event_id, reporter)
);
