-- Version 11: each instance's election interval, written with its heartbeat. Whether an instance is
-- alive is judged by how often it says it writes its heartbeat: judged by the reader's own interval,
-- instances whose intervals differ showed each other as gone. Rows of instances of earlier versions
-- have none, and are judged by the reader's interval, as before.
ALTER TABLE cluster_instance ADD COLUMN interval_ms BIGINT;
