-- Version 4: the provenance log's prev and hash columns lose their UNIQUE constraints.
--
-- Neither guarded anything the primary key on seq does not: a record's hash covers its seq, so two
-- rows with one hash would need one seq; and the writer gives every record seq = head + 1 and
-- prev = the head's hash, so two rows with one prev would need one seq too. The primary key
-- already makes a fork unrepresentable. What remains possible is a broken link (a prev that is not
-- its predecessor's hash), which UNIQUE never caught in general; the writer now reads the head
-- from the database in every write transaction and refuses to append when it is not the head it
-- chained from, and audit-verify checks every link.
--
-- Their cost was not small: two B-trees keyed by random hashes, where every append rewrote a
-- random leaf and its parents at each commit (a fifth of the embedded writer's CPU, growing with
-- the log). DROP UNIQUE is Strata's own statement (Migrations.resolve): the constraints have no
-- name of ours, and PostgreSQL and H2 name them differently.
DROP UNIQUE provenance_record (prev);
DROP UNIQUE provenance_record (hash);
