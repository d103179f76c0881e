-- The health of each decision for the canary guardrails: why the rules did not answer (deadline,
-- error, overloaded; null when they did) and how long the server took, in microseconds (null when
-- not logged).
ALTER TABLE decisions ADD COLUMN fallback_reason VARCHAR(16);
ALTER TABLE decisions ADD COLUMN latency_us BIGINT;
CREATE INDEX decisions_version ON decisions (rules_version, decided_at);

-- The guardrails a marketer chose when starting a canary of a version (JSON: {"metrics": [...], "minShown": n});
-- a version without a row is checked with the defaults.
CREATE TABLE canary_guardrails (
    rules_version VARCHAR(64)   NOT NULL PRIMARY KEY,
    settings      VARCHAR(2000) NOT NULL,
    set_at        BIGINT        NOT NULL
);
