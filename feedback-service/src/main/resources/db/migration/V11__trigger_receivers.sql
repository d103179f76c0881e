-- The receiver a pack's triggers.yaml names for the trigger's channel (null: the channel's default URL).
ALTER TABLE trigger_deliveries ADD COLUMN receiver VARCHAR(64);
