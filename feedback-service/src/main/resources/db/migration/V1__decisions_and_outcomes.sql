-- Decisions and outcomes as logged by rules-server (decisions topic) and the outcomes API (outcomes
-- topic). Times are epoch milliseconds (BIGINT): the same on H2 and PostgreSQL, no zone ambiguity.
-- Every table is keyed by the record's natural id, so a replayed record is a no-op.

CREATE TABLE decisions (
    decision_id            VARCHAR(64)  NOT NULL PRIMARY KEY,
    decided_at             BIGINT       NOT NULL,
    user_key               VARCHAR(256),
    session_id             VARCHAR(256),
    rules_version          VARCHAR(64),
    weights_version        VARCHAR(128),
    canary                 BOOLEAN      NOT NULL,
    variant                VARCHAR(64),
    intent_score           DOUBLE PRECISION,
    recency                DOUBLE PRECISION,
    depth                  DOUBLE PRECISION,
    conversion_probability DOUBLE PRECISION,
    signals                VARCHAR(4000),
    matched_rules          VARCHAR(8000)
);
CREATE INDEX decisions_decided_at ON decisions (decided_at);

-- One row per placement of a decision: the adaptation that won it.
CREATE TABLE decision_placements (
    decision_id VARCHAR(64)  NOT NULL,
    placement   VARCHAR(64)  NOT NULL,
    rule_name   VARCHAR(256),
    content_id  VARCHAR(256),
    fallback    BOOLEAN      NOT NULL,
    PRIMARY KEY (decision_id, placement)
);

CREATE TABLE decision_segments (
    decision_id VARCHAR(64)  NOT NULL,
    segment     VARCHAR(128) NOT NULL,
    PRIMARY KEY (decision_id, segment)
);

-- outcome_key: the client's outcomeId when it sent one, else decisionId/placement/type (the same
-- key rules-server de-duplicates on). An outcome may arrive before its decision: it is stored
-- as is and joined at query time.
CREATE TABLE outcomes (
    outcome_key   VARCHAR(200) NOT NULL PRIMARY KEY,
    decision_id   VARCHAR(64)  NOT NULL,
    placement     VARCHAR(64)  NOT NULL,
    outcome_type  VARCHAR(16)  NOT NULL,
    user_key      VARCHAR(256),
    rule_name     VARCHAR(256),
    outcome_value DOUBLE PRECISION,
    occurred_at   BIGINT       NOT NULL,
    received_at   BIGINT
);
CREATE INDEX outcomes_occurred_at ON outcomes (occurred_at);
CREATE INDEX outcomes_decision ON outcomes (decision_id, placement);
