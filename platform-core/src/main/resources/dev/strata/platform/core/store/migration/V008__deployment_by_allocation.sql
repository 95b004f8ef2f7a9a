-- Version 8: the deployments stored with an allocation. Every release reads them in its own
-- transaction (the release guard: a deployment that is not deleted holds its allocation); without
-- the index each release scanned the whole deployment table, deleted deployments included.
-- IF NOT EXISTS: H2 runs DDL outside a transaction, so an embedded store stopped after the index
-- was made and before the version was recorded makes it again on its next start.
CREATE INDEX IF NOT EXISTS deployment_by_allocation ON deployment (allocation_id);
