-- Cross-channel triggers (docs/rules-guide.md#cross-channel-triggers): one row per idempotency key,
-- from the decisions that emitted them, with what became of it. status: pending (to deliver or
-- retry at due_at), delivered, skipped (opt-out, cool-down or rate limit; detail says which),
-- dead (gave up; also on the dead-letter topic). claimed_until: an instance is sending it until then.
CREATE TABLE trigger_deliveries (
    idempotency_key VARCHAR(64)   NOT NULL PRIMARY KEY,
    decision_id     VARCHAR(64),
    user_key        VARCHAR(256)  NOT NULL,
    channel         VARCHAR(16)   NOT NULL,
    name            VARCHAR(64)   NOT NULL,
    rule_name       VARCHAR(256),
    payload         VARCHAR(8000) NOT NULL,
    created_at      BIGINT        NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    detail          VARCHAR(500),
    attempts        INT           NOT NULL DEFAULT 0,
    due_at          BIGINT        NOT NULL,
    claimed_until   BIGINT,
    delivered_at    BIGINT,
    last_status     INT
);
CREATE INDEX trigger_deliveries_due ON trigger_deliveries (status, due_at);
CREATE INDEX trigger_deliveries_user ON trigger_deliveries (user_key, created_at);

-- Users who do not want a channel any more: set through the API or by a receiver answering 410 Gone.
CREATE TABLE trigger_opt_outs (
    user_key     VARCHAR(256) NOT NULL,
    channel      VARCHAR(16)  NOT NULL,
    opted_out_at BIGINT       NOT NULL,
    source       VARCHAR(32)  NOT NULL,
    PRIMARY KEY (user_key, channel)
);
