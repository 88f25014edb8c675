-- jaga review store, schema version 1.
-- One row per flagged event; the summary columns (summary, name) have personal data masked.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    community    TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    group_id     TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    score        REAL    NOT NULL,
    rules        TEXT    NOT NULL,           -- active reason ids, comma-separated
    summary      TEXT    NOT NULL,           -- masked excerpt of the text
    name         TEXT    NOT NULL,           -- masked display name
    event        TEXT    NOT NULL,           -- the event as received (JSON)
    verdict      TEXT    NOT NULL,           -- the verdict as answered (JSON)
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'confirmed', 'dismissed')),
    created_at   INTEGER NOT NULL,           -- unix seconds
    decided_at   INTEGER,
    UNIQUE (community, event_id)
);
CREATE INDEX cases_by_status ON cases (status, category, group_id, id);
CREATE INDEX cases_by_group ON cases (group_id, id);

CREATE TABLE decisions (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    admin     TEXT    NOT NULL,
    decision  TEXT    NOT NULL CHECK (decision IN ('confirm', 'dismiss')),
    category  TEXT,                          -- the category the admin confirmed, when corrected
    action    TEXT,                          -- the moderation action the admin took, if any
    note      TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL
);
CREATE INDEX decisions_by_case ON decisions (case_id, id);

-- Append-only: the triggers refuse every UPDATE and DELETE.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    what     TEXT    NOT NULL,
    case_id  INTEGER,
    detail   TEXT    NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Per rule (or stateful reason id): how often it fired on a stored case, and how admins judged
-- those cases. A rule with many dismissals is a false-positive source.
CREATE TABLE rule_stats (
    rule       TEXT    PRIMARY KEY,
    hits       INTEGER NOT NULL DEFAULT 0,
    confirmed  INTEGER NOT NULL DEFAULT 0,
    dismissed  INTEGER NOT NULL DEFAULT 0
);

-- Stateful detection that must survive a restart: groups holding joins because of a raid.
CREATE TABLE raid_state (
    group_key  TEXT    PRIMARY KEY,          -- community/group
    until      INTEGER NOT NULL              -- unix milliseconds
);
