-- Replay facts up to 1 MiB (FeedbackStore.MAX_FACTS_CHARS): a decision with many base-layer items or
-- placements could pass the 16,000 characters of V7 and then went missing from a replay. A decision
-- record larger than the decision log's Kafka requests (max.request.size, 1 MiB) never reaches this
-- table anyway. Widening a VARCHAR rewrites nothing in PostgreSQL; SET DATA TYPE keeps NOT NULL in both.
ALTER TABLE decision_facts ALTER COLUMN facts SET DATA TYPE VARCHAR(1048576);
