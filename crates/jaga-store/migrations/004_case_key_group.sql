-- jaga review store, migration 4: a case is keyed by (community, event id, group).
-- Platform message ids are per chat (Telegram's count from 1 in every chat), so two flagged
-- messages with the same id in two groups of one community are two cases. SQLite cannot drop
-- a table constraint, so the table is rebuilt with every row kept (same ids: decisions,
-- actions and audit entries still point at their cases).
CREATE TABLE cases_new (
    id           INTEGER PRIMARY KEY,
    community    TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    group_id     TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    score        REAL    NOT NULL,
    rules        TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    event        TEXT    NOT NULL,
    verdict      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'confirmed', 'dismissed')),
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    -- event_id before group_id: lookups by (community, event_id) use this index too.
    UNIQUE (community, event_id, group_id)
);
INSERT INTO cases_new (id, community, event_id, kind, group_id, user_id, category, action, score, rules, summary, name, event, verdict, status, created_at, decided_at)
    SELECT id, community, event_id, kind, group_id, user_id, category, action, score, rules, summary, name, event, verdict, status, created_at, decided_at FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_by_status ON cases (status, category, group_id, id);
CREATE INDEX cases_by_group ON cases (group_id, id);
