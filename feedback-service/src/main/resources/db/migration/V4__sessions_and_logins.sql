-- Marketer sign-in state, shared by every instance of the service and kept across restarts.

-- One row per open marketer session. Only the SHA-256 of the bearer token is stored (hex), so a
-- copy of the table lets nobody in. Rows past expires_at (epoch ms) are refused and purged.
CREATE TABLE marketer_sessions (
    token_hash VARCHAR(64)  NOT NULL PRIMARY KEY,
    username   VARCHAR(128) NOT NULL,
    created_at BIGINT       NOT NULL,
    expires_at BIGINT       NOT NULL
);
CREATE INDEX marketer_sessions_expires_at ON marketer_sessions (expires_at);

-- Failed sign-ins per subject ('account:<user name>' or 'address:<client IP>'): failures since
-- window_start, and locked_until (epoch ms, 0: not locked) once too many came in one window.
CREATE TABLE login_failures (
    subject      VARCHAR(200) NOT NULL PRIMARY KEY,
    failures     INTEGER      NOT NULL,
    window_start BIGINT       NOT NULL,
    locked_until BIGINT       NOT NULL
);
