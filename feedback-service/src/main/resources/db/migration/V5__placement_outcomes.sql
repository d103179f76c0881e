-- One row per decision placement: the decision's signal components (once the decision is stored)
-- and what users did with it (once outcomes are stored), kept up to date by the store as decisions
-- and outcomes arrive, in either order. Recalibration reads its training data from this table with
-- one scan, instead of joining and grouping the outcomes and decisions tables (minutes at 10M).
CREATE TABLE placement_outcomes (
    decision_id     VARCHAR(64)      NOT NULL,
    placement       VARCHAR(64)      NOT NULL,
    decided_at      BIGINT,
    recency         DOUBLE PRECISION,
    depth           DOUBLE PRECISION,
    conversion      DOUBLE PRECISION,
    shown           BOOLEAN          NOT NULL DEFAULT FALSE,
    engaged         BOOLEAN          NOT NULL DEFAULT FALSE,
    dismissed       BOOLEAN          NOT NULL DEFAULT FALSE,
    converted       BOOLEAN          NOT NULL DEFAULT FALSE,
    last_outcome_at BIGINT,
    PRIMARY KEY (decision_id, placement)
);

-- Backfill from what is already stored: the flags from the outcomes (including outcomes whose
-- decision has not arrived), then the features of each stored decision placement.
INSERT INTO placement_outcomes (decision_id, placement, shown, engaged, dismissed, converted, last_outcome_at)
SELECT decision_id, placement,
       MAX(CASE WHEN outcome_type = 'impression' THEN 1 ELSE 0 END) = 1,
       MAX(CASE WHEN outcome_type IN ('click', 'conversion') THEN 1 ELSE 0 END) = 1,
       MAX(CASE WHEN outcome_type = 'dismiss' THEN 1 ELSE 0 END) = 1,
       MAX(CASE WHEN outcome_type = 'conversion' THEN 1 ELSE 0 END) = 1,
       MAX(occurred_at)
FROM outcomes GROUP BY decision_id, placement;

UPDATE placement_outcomes SET (decided_at, recency, depth, conversion) =
    (SELECT d.decided_at, d.recency, d.depth, d.conversion_probability FROM decisions d
     WHERE d.decision_id = placement_outcomes.decision_id)
WHERE EXISTS (SELECT 1 FROM decision_placements p
              WHERE p.decision_id = placement_outcomes.decision_id AND p.placement = placement_outcomes.placement);

INSERT INTO placement_outcomes (decision_id, placement, decided_at, recency, depth, conversion)
SELECT p.decision_id, p.placement, d.decided_at, d.recency, d.depth, d.conversion_probability
FROM decision_placements p JOIN decisions d ON d.decision_id = p.decision_id
WHERE NOT EXISTS (SELECT 1 FROM placement_outcomes x WHERE x.decision_id = p.decision_id AND x.placement = p.placement);

-- Which weekly job ran last and who holds it now, so several feedback-service instances on one
-- database run the scheduled recalibration once (see Recalibrator).
CREATE TABLE job_leases (
    job          VARCHAR(64)  NOT NULL PRIMARY KEY,
    holder       VARCHAR(128),
    held_until   BIGINT       NOT NULL,
    last_started BIGINT       NOT NULL
);
INSERT INTO job_leases (job, holder, held_until, last_started) VALUES ('recalibration', NULL, 0, 0);
