#!/usr/bin/env bash
# Discovery of a fleet of emulated BMCs: N sushy-static processes serving the real HPE Cray EX235n
# tree (../shared/fixtures/redfish/EX235n), discovered by the BMC provider with 1, 16 and 64 threads.
# Usage: benchmarks/bmc-discovery.sh [count] [threads] [rounds]
#   (build first: mvn -B install -DskipTests; sushy-tools in .peers/sushy, installed by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -B install -DskipTests first" >&2; exit 1; }
[ -x .peers/sushy/bin/sushy-static ] || { echo "missing .peers/sushy: run .ci/run (or see README, Bare metal through BMCs)" >&2; exit 1; }
fixtures=${STRATA_FIXTURES:-../shared/fixtures}
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" dev.strata.benchmarks.BmcFleetDiscovery \
  "$PWD/.peers/sushy/bin" "$fixtures/redfish/EX235n" "${1:-100}" "${2:-1,16,64}" "${3:-5}"
