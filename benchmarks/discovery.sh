#!/usr/bin/env bash
# Local discovery on this machine: Strata's bare-metal discovery next to hwloc's lstopo.
#   1. lstopo-no-graphics --of xml (whole process, as an operator runs it), median of N runs
#   2. Strata, cold: the first discovery in a fresh JVM (class loading included, JVM start excluded),
#      median of N runs, each run alternating with one lstopo run so that both see the same load
#   3. Strata, warm: JMH sample time of one discovery in a warmed-up JVM
#   4. Strata, warm, alternating with lstopo in the same minutes (DiscoveryVsLstopo): the ratio
# Measure on a host with the PCI id database (/usr/share/misc/pci.ids, Debian package pci.ids):
# it is what the discovery reads device names from.
# Usage: benchmarks/discovery.sh [runs]   (build first: mvn -B install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -B install -DskipTests first" >&2; exit 1; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v n="$1" 'BEGIN{printf "%.1f", n/1000000}'; }
for f in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
  [ -f "$f" ] && { echo "PCI id database: $f ($(stat -c %s "$f") bytes)"; break; }
done || echo "no PCI id database on this host: device names stay empty" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for flags in "" "--whole-io"; do
  t=()
  for i in $(seq 1 "$runs"); do
    s=$(date +%s%N); lstopo-no-graphics $flags --of xml >/dev/null; e=$(date +%s%N)
    t+=($((e - s)))
  done
  echo "lstopo-no-graphics $flags --of xml: median $(ms "$(printf '%s\n' "${t[@]}" | median)") ms over $runs runs (process start included)"
done

c=(); l=()
for i in $(seq 1 "$runs"); do
  s=$(date +%s%N); lstopo-no-graphics --of xml >/dev/null; e=$(date +%s%N)
  l+=("$(ms $((e - s)))")
  c+=("$(java -cp "$jar" dev.strata.benchmarks.ColdDiscovery / | sed -n 's/.*: \([0-9.]*\) ms.*/\1/p')")
done
echo "strata cold discovery (fresh JVM, first call): median $(printf '%s\n' "${c[@]}" | median) ms over $runs runs;" \
  "lstopo in between: median $(printf '%s\n' "${l[@]}" | median) ms"
java -cp "$jar" dev.strata.benchmarks.ColdDiscovery /

java -jar "$jar" LocalDiscoveryBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s 2>/dev/null | grep -E "discover(:p0.50|:p0.99| )|Benchmark " || true
java -cp "$jar" dev.strata.benchmarks.DiscoveryVsLstopo $((runs * 2)) / 2>/dev/null
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
