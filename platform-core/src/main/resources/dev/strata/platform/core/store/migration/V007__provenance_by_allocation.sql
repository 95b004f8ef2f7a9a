-- Version 7: an allocation's records, newest first. The commitment verifier reads each allocation's
-- last commitment record when it starts verifying (a start, a new leader); without the index each
-- read scanned the whole log.
CREATE INDEX provenance_by_allocation ON provenance_record (allocation_id, seq);
