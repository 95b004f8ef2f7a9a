#!/usr/bin/env bash
# OpenStack provider figures (docs/benchmarks.md): discovery of a Placement holding N resource
# providers that the harness makes (a Placement of its own, noauth2, SQLite, on a free port), and,
# given the directory of a running all-in-one (scripts/openstack-aio.sh up DIR), discovery of it
# and the time to create and delete servers.
# Usage: benchmarks/openstack.sh [providers] [runs] [aio-dir]   (build first: mvn -B install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
providers=${1:-1000}
runs=${2:-7}
aio=${3:-}
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -B install -DskipTests first" >&2; exit 1; }
command -v placement-api >/dev/null || { echo "placement-api is missing: apt-get install python3-placement" >&2; exit 1; }

dir=$(mktemp -d /tmp/strata-bench-placement.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/placement.conf" <<CONF
[DEFAULT]
log_file = $dir/placement.log
[api]
auth_strategy = noauth2
[placement_database]
connection = sqlite:///$dir/placement.sqlite
sync_on_startup = true
CONF
OS_PLACEMENT_CONFIG_DIR=$dir placement-api --host 127.0.0.1 --port "$port" > "$dir/placement-api.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" dev.strata.benchmarks.openstack.OpenStackBenchmark \
  placement "http://127.0.0.1:$port" --providers "$providers" --runs "$runs"

if [ -n "$aio" ]; then
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" dev.strata.benchmarks.openstack.OpenStackBenchmark \
    aio "$aio" --runs "$runs" --servers 3
fi
