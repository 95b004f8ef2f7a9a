#!/usr/bin/env bash
# The commitment verifier's passes for docs/benchmarks.md (after mvn -B install -DskipTests):
#   dev.strata.benchmarks.engine.CommitmentPasses on the embedded store (H2, fsync), then on a private
#   PostgreSQL started here on 127.0.0.1 at a free port (skipped with POSTGRES=0 or without PostgreSQL installed;
#   EMBEDDED=0 skips the embedded run).
# Arguments are passed to both runs (e.g. --allocations 1000,5000 --log 100000 --unindexed-rounds 3,1).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar

if [ "${EMBEDDED:-1}" != 0 ]; then
  echo "== embedded (H2, durability fsync)"
  java -Xmx2g -cp "$jar" dev.strata.benchmarks.engine.CommitmentPasses --store embedded "$@"
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ "${POSTGRES:-1}" = 0 ] || [ -z "$bin" ]; then
  exit 0
fi
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
java -Xmx2g -cp "$jar" dev.strata.benchmarks.engine.CommitmentPasses --store postgresql --url "jdbc:postgresql://127.0.0.1:$port/strata" \
  --password-file "$dir/pw" "$@"
