-- Version 10: where the chain registers each signing key. The record that registers a key is kept
-- with the key (its seq), so that checking, at each start, that the chain names this instance's key
-- is one row read. Before, it was a search of the log for records of kind provenance-key, which no
-- index covers: a full scan of the log at every start. Keys registered before this version have no
-- seq; the first start finds their record once (or appends it, where it was lost) and keeps its seq.
ALTER TABLE provenance_key ADD COLUMN record_seq BIGINT;
