-- Version 9: the GPUs that telemetry covered, as the commitment verifier knows them, kept across a
-- restart. One row per GPU the verifier still checks (the inventory holds it or an allocation binds
-- it), with its latest telemetry sample as the verifier read it: the instant (seconds and
-- nanoseconds, as the findings name it), the power draw (-1: none reported) and the uncorrected ECC
-- errors. Without it, a GPU whose telemetry source went for good before or with a restart read as
-- one no telemetry ever covered, and its allocation as HONORED where nothing verified it. Written by
-- whoever may write (the leader), a row only ever replaced by a newer sample.
CREATE TABLE telemetry_coverage (
  accelerator_id VARCHAR(512) PRIMARY KEY,
  sampled_s BIGINT NOT NULL,
  sampled_nano INT NOT NULL,
  power_watts DOUBLE PRECISION NOT NULL,
  ecc_uncorrected BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
