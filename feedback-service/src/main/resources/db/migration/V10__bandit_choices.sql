-- The values rules chose with choose(...) (docs/feedback.md#learning-what-works): per decision,
-- placement and choice point, which arm among which, with which propensity, under which model, and
-- the features it was chosen on. Joined with placement_outcomes, they are the bandit's training data.
CREATE TABLE decision_choices (
    decision_id   VARCHAR(64)   NOT NULL,
    placement     VARCHAR(64)   NOT NULL,
    point         VARCHAR(300)  NOT NULL,
    decided_at    BIGINT        NOT NULL,
    arm           INT           NOT NULL,
    arms          VARCHAR(4000) NOT NULL,
    propensity    DOUBLE PRECISION NOT NULL,
    explored      BOOLEAN       NOT NULL,
    model_version VARCHAR(64),
    features      VARCHAR(1000) NOT NULL,
    PRIMARY KEY (decision_id, placement, point)
);
CREATE INDEX decision_choices_at ON decision_choices (decided_at);
