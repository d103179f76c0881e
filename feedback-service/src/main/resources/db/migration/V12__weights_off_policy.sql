-- A recalibration's off-policy estimate of its candidate weights (docs/feedback.md#off-policy-estimates):
-- JSON {"available", "ctrDelta", "ciLow", "ciHigh", "replayed", "changed", "overlap", "note"}.
ALTER TABLE weights_versions ADD COLUMN off_policy VARCHAR(2000);
