-- The user's variant in every experiment a decision was made under (several may run at once), one
-- row per experiment. decisions.variant stays as logged (the first experiment, "experiment:variant")
-- for readers of one experiment at a time; KPIs and experiment results read this table.
-- A label logged without an experiment (no ':') is kept with experiment '' and the label as variant.
CREATE TABLE decision_variants (
    decision_id VARCHAR(64) NOT NULL,
    experiment  VARCHAR(64) NOT NULL,
    variant     VARCHAR(64) NOT NULL,
    PRIMARY KEY (decision_id, experiment)
);

-- Decisions stored before: their single variant, split at the first ':'.
INSERT INTO decision_variants (decision_id, experiment, variant)
SELECT decision_id,
       CASE WHEN POSITION(':' IN variant) > 0 THEN SUBSTRING(variant FROM 1 FOR POSITION(':' IN variant) - 1) ELSE '' END,
       CASE WHEN POSITION(':' IN variant) > 0 THEN SUBSTRING(variant FROM POSITION(':' IN variant) + 1) ELSE variant END
FROM decisions
WHERE variant IS NOT NULL AND variant <> '';
