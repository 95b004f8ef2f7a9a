-- Version 5: the journal providers keep of their own operations (ProviderJournal).
--
-- A provider whose vendor holds no labels (a BMC) writes what it is about to do here before it does
-- it, so that a repeated call with the same operation id resumes instead of acting twice. Kept in
-- the state store, not in a file of one instance: after a failover the new leader reads what the
-- old one wrote. One row per provider and operation, replaced as a whole.
CREATE TABLE provider_journal (
  provider_id VARCHAR(256) NOT NULL,
  operation_id VARCHAR(256) NOT NULL,
  record TEXT NOT NULL,
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (provider_id, operation_id)
);
