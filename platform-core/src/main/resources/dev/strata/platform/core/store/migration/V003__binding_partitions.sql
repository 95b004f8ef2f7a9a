-- Version 2: a binding's MIG partition (profile and start slot), so that a partitioned GPU
-- reads back exactly as it was placed.
ALTER TABLE allocation_binding ADD COLUMN partition_profile VARCHAR(64);
ALTER TABLE allocation_binding ADD COLUMN partition_slot INT NOT NULL DEFAULT -1;
