-- jaga review store, migration 5: personal data at rest.
-- `event` now keeps the event with its personal data masked (text, name, user id, attachment
-- names; byte offsets kept); the event as received is kept only in `sealed`, encrypted with
-- the store key (ChaCha20-Poly1305, JAGA_STORE_KEY), or not at all without a key.
-- `masked` = 1 once a row is in that form (rows from before are converted at start-up).
ALTER TABLE cases ADD COLUMN sealed BLOB;
ALTER TABLE cases ADD COLUMN masked INTEGER NOT NULL DEFAULT 0;
