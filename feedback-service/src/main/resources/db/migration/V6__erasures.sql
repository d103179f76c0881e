-- Right to erasure. A user's decisions and outcomes are found by user_key (indexed here), and are
-- deleted with everything hanging off their decisions.
CREATE INDEX decisions_user_key ON decisions (user_key);
CREATE INDEX outcomes_user_key ON outcomes (user_key);

-- Erased users, by a SHA-256 of the key (never the key): a decision or outcome of an erased user
-- that arrives later but happened before the erasure (a consumer behind, a replay of the topic)
-- is not stored again.
CREATE TABLE erased_users (
    key_hash  VARCHAR(64) NOT NULL PRIMARY KEY,
    erased_at BIGINT      NOT NULL
);

-- One row per erasure request, for GET /v1/erasures/{requestId}: when it was carried out and how
-- many rows it deleted (no user key).
CREATE TABLE erasures (
    request_id   VARCHAR(64) NOT NULL PRIMARY KEY,
    erased_at    BIGINT      NOT NULL,
    keys_erased  INTEGER     NOT NULL,
    rows_deleted BIGINT      NOT NULL
);
