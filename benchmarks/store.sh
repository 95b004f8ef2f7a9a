#!/usr/bin/env bash
# State store figures for docs/benchmarks.md (after mvn -B install -DskipTests):
#   durable placements per second on the embedded store (H2, fsync) and on a private PostgreSQL
#   started here on 127.0.0.1 at a free port, for the store alone and through the placement path, then the offline verifier on a log of 1 million records.
# Environment: THREADS (callers, default 16), RUN_SECONDS (per store, default 10), RECORDS (default 1000000),
# WARMUP (seconds of each placement-path run before it is measured, default 180).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
threads=${THREADS:-16}
seconds=${RUN_SECONDS:-10}
records=${RECORDS:-1000000}
warmup=${WARMUP:-180} # seconds of the placement path before it is measured: the JIT compiles the engine's and H2's code (C2 still used 70 % of a core 65 s in)

echo "== embedded (H2, durability fsync)"
java -cp "$jar" dev.strata.benchmarks.store.StoreThroughput --store embedded --threads "$threads" --seconds "$seconds"
echo "== placement path on the embedded store (decide, commit with contract and provenance record, acknowledge when durable)"
java -Xmx2g -cp "$jar" dev.strata.benchmarks.engine.DurablePlacementThroughput --store embedded --threads 32 --seconds "$seconds" --warmup "$warmup"
echo "== placement path on the embedded store, 128 callers on 4,000 nodes"
java -Xmx2g -cp "$jar" dev.strata.benchmarks.engine.DurablePlacementThroughput --store embedded --threads 128 --nodes 4000 --seconds "$seconds" \
  --warmup "$warmup"
echo "== the same harness on the in-memory ledger (nothing durable), 32 callers"
java -Xmx2g -cp "$jar" dev.strata.benchmarks.engine.DurablePlacementThroughput --store memory --threads 32 --seconds "$seconds" --warmup "$warmup"
echo "== embedded (H2, durability fsync), one caller"
java -cp "$jar" dev.strata.benchmarks.store.StoreThroughput --store embedded --threads 1 --seconds "$seconds"

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
as_pg "$bin/initdb -D $dir/data -U postgres -A trust -E UTF8 >/dev/null"
as_pg "$bin/pg_ctl -D $dir/data -l $dir/log -w -o '-c listen_addresses=127.0.0.1 -p $port -k $dir' start >/dev/null"
trap 'as_pg "$bin/pg_ctl -D $dir/data -m fast -w stop >/dev/null"; rm -rf "$dir"' EXIT
as_pg "$bin/psql -q -h $dir -p $port -U postgres -c \"CREATE USER strata PASSWORD 'bench'\" -c 'CREATE DATABASE strata OWNER strata'"
echo bench > "$dir/pw"
echo "== PostgreSQL $(basename "$(dirname "$bin")") (private cluster, fsync on, synchronous_commit on)"
java -cp "$jar" dev.strata.benchmarks.store.StoreThroughput --store postgresql --url "jdbc:postgresql://127.0.0.1:$port/strata" \
  --password-file "$dir/pw" --threads "$threads" --seconds "$seconds"
echo "== placement path on PostgreSQL"
java -Xmx2g -cp "$jar" dev.strata.benchmarks.engine.DurablePlacementThroughput --store postgresql --url "jdbc:postgresql://127.0.0.1:$port/strata" \
  --password-file "$dir/pw" --threads 32 --seconds "$seconds" --warmup "$warmup"
echo "== PostgreSQL, one caller"
java -cp "$jar" dev.strata.benchmarks.store.StoreThroughput --store postgresql --url "jdbc:postgresql://127.0.0.1:$port/strata" \
  --password-file "$dir/pw" --threads 1 --seconds "$seconds"

echo "== offline verifier, $records records"
java -Xmx1g -cp "$jar" dev.strata.benchmarks.store.VerifierThroughput "$records" 3
