-- Strata's state store, version 1. Portable between PostgreSQL and H2 (MODE=PostgreSQL).

CREATE TABLE strata_meta (
  name VARCHAR(64) PRIMARY KEY,
  meta_value VARCHAR(512) NOT NULL
);

-- The allocation ledger: one generation row; every change of the ledger increments it with a
-- conditional update (WHERE generation = expected), which is what refuses a stale commit.
CREATE TABLE ledger_state (
  id INT PRIMARY KEY,
  generation BIGINT NOT NULL,
  CONSTRAINT ledger_state_one_row CHECK (id = 1)
);
INSERT INTO ledger_state (id, generation) VALUES (1, 0);

CREATE TABLE tenant (
  id VARCHAR(256) PRIMARY KEY,
  name VARCHAR(512) NOT NULL,
  created_ms BIGINT NOT NULL,
  attributes TEXT NOT NULL
);

CREATE TABLE contract (
  id VARCHAR(64) PRIMARY KEY,
  name VARCHAR(256) NOT NULL,
  tenant VARCHAR(256) NOT NULL,
  format VARCHAR(16) NOT NULL,
  document TEXT NOT NULL,
  sha256 VARCHAR(64) NOT NULL,
  submitted_ms BIGINT NOT NULL,
  submitted_by VARCHAR(256) NOT NULL
);
CREATE INDEX contract_by_tenant ON contract (tenant, submitted_ms);

CREATE TABLE allocation (
  id VARCHAR(64) PRIMARY KEY,
  contract VARCHAR(256) NOT NULL,
  tenant VARCHAR(256) NOT NULL,
  priority INT NOT NULL,
  dedicated BOOLEAN NOT NULL,
  created_ms BIGINT NOT NULL,
  contract_id VARCHAR(64) REFERENCES contract (id),
  generation BIGINT NOT NULL
);

CREATE TABLE allocation_binding (
  allocation_id VARCHAR(64) NOT NULL REFERENCES allocation (id) ON DELETE CASCADE,
  idx INT NOT NULL,
  member VARCHAR(256) NOT NULL,
  node_id VARCHAR(512) NOT NULL,
  site_id VARCHAR(256),
  accelerator_ids TEXT NOT NULL,
  gpu_fraction DOUBLE PRECISION NOT NULL,
  nvlink_domain VARCHAR(512),
  numa_node INT NOT NULL,
  fabric_id VARCHAR(512),
  cpu_milli BIGINT NOT NULL,
  memory_bytes BIGINT NOT NULL,
  power_watts DOUBLE PRECISION NOT NULL,
  power_domain_id VARCHAR(512),
  PRIMARY KEY (allocation_id, idx)
);

CREATE TABLE deployment (
  id VARCHAR(64) PRIMARY KEY,
  allocation_id VARCHAR(64),
  contract_id VARCHAR(64),
  tenant VARCHAR(256) NOT NULL,
  state VARCHAR(32) NOT NULL,
  message TEXT,
  spec TEXT,
  version BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);

CREATE TABLE deployment_member (
  deployment_id VARCHAR(64) NOT NULL REFERENCES deployment (id) ON DELETE CASCADE,
  idx INT NOT NULL,
  member VARCHAR(256) NOT NULL,
  node_id VARCHAR(512),
  provider_id VARCHAR(128),
  state VARCHAR(32) NOT NULL,
  handle TEXT,
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (deployment_id, member)
);

-- Written BEFORE the provider is called: the id is the provider's idempotency key.
CREATE TABLE provider_operation (
  id VARCHAR(64) PRIMARY KEY,
  deployment_id VARCHAR(64) NOT NULL REFERENCES deployment (id) ON DELETE CASCADE,
  member VARCHAR(256) NOT NULL,
  provider_id VARCHAR(128) NOT NULL,
  action VARCHAR(32) NOT NULL,
  attempt INT NOT NULL,
  state VARCHAR(16) NOT NULL,
  handle TEXT,
  error TEXT,
  created_ms BIGINT NOT NULL,
  finished_ms BIGINT
);
CREATE INDEX provider_operation_by_state ON provider_operation (state, created_ms);
CREATE INDEX provider_operation_by_deployment ON provider_operation (deployment_id, created_ms);

-- The provenance log. seq and prev are unique: the database refuses a fork of the chain.
CREATE TABLE provenance_record (
  seq BIGINT PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  record_time VARCHAR(32) NOT NULL,
  kind VARCHAR(64) NOT NULL,
  actor VARCHAR(256) NOT NULL,
  subjects TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev VARCHAR(64) NOT NULL UNIQUE,
  hash VARCHAR(64) NOT NULL UNIQUE,
  contract VARCHAR(256),
  tenant VARCHAR(256),
  allocation_id VARCHAR(64),
  deployment_id VARCHAR(64)
);
CREATE INDEX provenance_by_time ON provenance_record (time_ms);
CREATE INDEX provenance_by_contract ON provenance_record (contract, seq);
CREATE INDEX provenance_by_tenant ON provenance_record (tenant, seq);

CREATE TABLE provenance_checkpoint (
  seq BIGINT PRIMARY KEY,
  hash VARCHAR(64) NOT NULL,
  record_time VARCHAR(32) NOT NULL,
  key_id VARCHAR(32) NOT NULL,
  signature VARCHAR(128) NOT NULL
);

CREATE TABLE provenance_key (
  key_id VARCHAR(32) PRIMARY KEY,
  public_key TEXT NOT NULL,
  instance_id VARCHAR(128),
  created_ms BIGINT NOT NULL
);

-- High availability: one leader row whose epoch increments at every election; every write
-- transaction of a leader checks it, so a deposed leader's writes are refused.
CREATE TABLE cluster_leader (
  id INT PRIMARY KEY,
  epoch BIGINT NOT NULL,
  instance_id VARCHAR(128),
  address VARCHAR(256),
  since_ms BIGINT,
  CONSTRAINT cluster_leader_one_row CHECK (id = 1)
);
INSERT INTO cluster_leader (id, epoch) VALUES (1, 0);

CREATE TABLE cluster_instance (
  id VARCHAR(128) PRIMARY KEY,
  address VARCHAR(256),
  started_ms BIGINT NOT NULL,
  seen_ms BIGINT NOT NULL,
  role VARCHAR(16) NOT NULL
);

-- allocation ids are handed out in blocks of 64 per instance (one round trip per block)
CREATE SEQUENCE allocation_seq START WITH 1 INCREMENT BY 64;
CREATE SEQUENCE contract_seq START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE deployment_seq START WITH 1 INCREMENT BY 1;
