-- Version 6: the deployment an allocation was placed for, written with the allocation and before
-- the deployment itself is stored. An allocation that names a deployment the store does not hold
-- was placed by an instance that stopped between the two writes; the leader frees it.
ALTER TABLE allocation ADD COLUMN deployment_id VARCHAR(64);
