-- jaga review store, migration 3: the admin console.
-- Accounts, sessions and one-time sign-in links of the admins who use the console, and the
-- exported chats scanned through the console with their report. (Trusted members are the
-- platform migration's `trusted` table.)
-- Secrets are never stored: `password` is an argon2 PHC string, sessions and sign-in links are
-- kept as the SHA-256 of the token the browser or the admin holds.

CREATE TABLE admins (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    community   TEXT    NOT NULL,            -- the community this admin moderates; '*' = every one
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
    password    TEXT,                        -- argon2id PHC string; NULL: signs in by link only
    created_at  INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,         -- SHA-256 (hex) of the session cookie
    admin_id    INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    csrf        TEXT    NOT NULL,            -- the token every form of this session carries
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_admin ON sessions (admin_id);

CREATE TABLE sign_in_links (
    token_hash  TEXT    PRIMARY KEY,         -- SHA-256 (hex) of the token in the link
    admin_id    INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- Exports uploaded in the console: the counts, the HTML report and the CSV of flagged
-- messages (both with personal data masked), kept for download.
CREATE TABLE export_scans (
    id          INTEGER PRIMARY KEY,
    community   TEXT    NOT NULL,
    admin       TEXT    NOT NULL,
    file_name   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    flagged     INTEGER NOT NULL,
    new_cases   INTEGER NOT NULL,
    errors      INTEGER NOT NULL,
    report      BLOB    NOT NULL,
    csv         BLOB    NOT NULL
);
CREATE INDEX export_scans_by_community ON export_scans (community, id);
