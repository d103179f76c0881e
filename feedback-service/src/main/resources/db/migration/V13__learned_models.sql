-- Learned user models (docs/feedback.md#learned-predictions-and-segments): the conversion and churn
-- predictors and the ML segments, every version fitted, with how it did on held-out data, and
-- whether it was published (status published / rejected).
CREATE TABLE learned_models (
    version      VARCHAR(64)      NOT NULL PRIMARY KEY,
    kind         VARCHAR(32)      NOT NULL,
    created_at   BIGINT           NOT NULL,
    model        VARCHAR(20000)   NOT NULL,
    training_n   BIGINT           NOT NULL,
    holdout_n    BIGINT           NOT NULL,
    holdout_auc  DOUBLE PRECISION,
    baseline_auc DOUBLE PRECISION,
    status       VARCHAR(16)      NOT NULL,
    reason       VARCHAR(1000)
);
CREATE INDEX learned_models_kind ON learned_models (kind, created_at);
