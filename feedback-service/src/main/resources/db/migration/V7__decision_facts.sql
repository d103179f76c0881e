-- The facts each decision was made from (rules-server's "facts" object: context, fused signals,
-- profile, segments, weights, placements, variants), for replaying a candidate rule pack on
-- recorded traffic (./kairos rules replay). Kept apart from decisions so that it can be pruned
-- on its own, shorter schedule (kairos.feedback.facts-retention) without touching KPIs.
CREATE TABLE decision_facts (
    decision_id VARCHAR(64)    NOT NULL PRIMARY KEY,
    decided_at  BIGINT         NOT NULL,
    facts       VARCHAR(16000) NOT NULL
);
CREATE INDEX decision_facts_decided_at ON decision_facts (decided_at);
