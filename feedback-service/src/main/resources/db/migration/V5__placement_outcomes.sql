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

-- Backfill from what is already stored, set-based (two inserts, no per-row lookups): every stored
-- decision placement with its decision's features and its outcomes' flags, then the placements
-- that have outcomes but no stored decision yet.
INSERT INTO placement_outcomes (decision_id, placement, decided_at, recency, depth, conversion,
                                shown, engaged, dismissed, converted, last_outcome_at)
SELECT p.decision_id, p.placement, d.decided_at, d.recency, d.depth, d.conversion_probability,
       COALESCE(o.shown, FALSE), COALESCE(o.engaged, FALSE), COALESCE(o.dismissed, FALSE),
       COALESCE(o.converted, FALSE), o.last_outcome_at
FROM decision_placements p
JOIN decisions d ON d.decision_id = p.decision_id
LEFT JOIN (SELECT decision_id, placement,
                  MAX(CASE WHEN outcome_type = 'impression' THEN 1 ELSE 0 END) = 1 AS shown,
                  MAX(CASE WHEN outcome_type IN ('click', 'conversion') THEN 1 ELSE 0 END) = 1 AS engaged,
                  MAX(CASE WHEN outcome_type = 'dismiss' THEN 1 ELSE 0 END) = 1 AS dismissed,
                  MAX(CASE WHEN outcome_type = 'conversion' THEN 1 ELSE 0 END) = 1 AS converted,
                  MAX(occurred_at) AS last_outcome_at
           FROM outcomes GROUP BY decision_id, placement) o
       ON o.decision_id = p.decision_id AND o.placement = p.placement;

INSERT INTO placement_outcomes (decision_id, placement, shown, engaged, dismissed, converted, last_outcome_at)
SELECT decision_id, placement,
       MAX(CASE WHEN outcome_type = 'impression' THEN 1 ELSE 0 END) = 1,
       MAX(CASE WHEN outcome_type IN ('click', 'conversion') THEN 1 ELSE 0 END) = 1,
       MAX(CASE WHEN outcome_type = 'dismiss' THEN 1 ELSE 0 END) = 1,
       MAX(CASE WHEN outcome_type = 'conversion' THEN 1 ELSE 0 END) = 1,
       MAX(occurred_at)
FROM outcomes o
WHERE NOT EXISTS (SELECT 1 FROM decision_placements p WHERE p.decision_id = o.decision_id AND p.placement = o.placement)
GROUP BY decision_id, placement;

-- Which weekly job ran last and who holds it now, so several feedback-service instances on one
-- database run the scheduled recalibration once (see Recalibrator).
CREATE TABLE job_leases (
    job          VARCHAR(64)  NOT NULL PRIMARY KEY,
    holder       VARCHAR(128),
    held_until   BIGINT       NOT NULL,
    last_started BIGINT       NOT NULL
);
INSERT INTO job_leases (job, holder, held_until, last_started) VALUES ('recalibration', NULL, 0, 0);
