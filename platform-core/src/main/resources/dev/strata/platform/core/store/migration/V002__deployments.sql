-- Strata's state store, version 2: what deployments read often.

-- strata:deployment <id> shows a deployment's history from the provenance log.
CREATE INDEX provenance_by_deployment ON provenance_record (deployment_id, seq);

-- The reconciler reads every deployment that is not deleted at each pass.
CREATE INDEX deployment_by_state ON deployment (state, id);

-- One member's operations, newest last (resume, retry with backoff, leak checks).
CREATE INDEX provider_operation_by_member ON provider_operation (deployment_id, member, created_ms);
