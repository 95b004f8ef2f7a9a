#!/usr/bin/env bash
# Start-up time of the Strata distribution next to a plain Apache Karaf of the same version,
# measured in the same run, alternating, from a clean data/ each time:
#   launch (bin/start)  ->  the first answer of the shell over SSH
#     Strata: strata:nodes lists this machine        plain Karaf: bundle:list answers
# Usage: benchmarks/startup.sh [runs]   (default 5; build first: mvn -B install -DskipTests)
# Prints each run and the medians. The SSH client JVM's own start (~1 s) is in both figures.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
karaf_version=$(sed -n 's:.*<karaf.version>\(.*\)</karaf.version>.*:\1:p' pom.xml | head -1)
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
work=$(mktemp -d /tmp/strata-startup.XXXXXX)
trap 'for d in "$work"/*/; do "$d/bin/stop" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

dist=distribution/target/strata-distribution-$version.tar.gz
[ -f "$dist" ] || { echo "missing $dist: run mvn -B install -DskipTests first" >&2; exit 1; }
mvn -q -B dependency:copy -Dartifact=org.apache.karaf:apache-karaf:$karaf_version:tar.gz -DoutputDirectory="$work/dl" >/dev/null
tar xzf "$dist" -C "$work" && mv "$work/strata-distribution-$version" "$work/strata"
tar xzf "$work/dl/apache-karaf-$karaf_version.tar.gz" -C "$work" && mv "$work/apache-karaf-$karaf_version" "$work/karaf"
# the plain distribution ships its karaf user commented out
sed -i 's/^#karaf = karaf/karaf = karaf/; s/^#_g_\\:admingroup/_g_\\:admingroup/' "$work/karaf/etc/users.properties"
sed -i 's/^sshPort = .*/sshPort = 8131/' "$work/strata/etc/org.apache.karaf.shell.cfg"
sed -i 's/^sshPort = .*/sshPort = 8132/' "$work/karaf/etc/org.apache.karaf.shell.cfg"

measure() { # dir port command expected-text login...
  local dir=$1 port=$2 cmd=$3 expect=$4
  shift 4
  rm -rf "$dir/data"
  local t0 t1 out
  t0=$(date +%s%N)
  "$dir/bin/start"
  while :; do
    out=$(printf '%s\n' "$cmd" | "$dir/bin/client" "$@" -a "$port" -r 1 -d 1 -b 2>/dev/null || true)
    if grep -q "$expect" <<<"$out"; then break; fi
    if [ $(( ($(date +%s%N) - t0) / 1000000000 )) -gt 180 ]; then echo "no answer from $dir" >&2; exit 1; fi
    sleep 0.2
  done
  t1=$(date +%s%N)
  "$dir/bin/stop" >/dev/null 2>&1 || true
  while "$dir/bin/status" >/dev/null 2>&1; do sleep 0.2; done
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

strata=(); karaf=()
for i in $(seq 1 "$runs"); do
  # Strata ships no password: it logs in with the key it creates at its first start
  s=$(measure "$work/strata" 8131 "strata:nodes --no-format" "baremetal:" -u strata -k "$work/strata/etc/strata-console.key")
  k=$(measure "$work/karaf" 8132 "bundle:list --no-format" "Apache Karaf" -u karaf -p karaf)
  echo "run $i: strata ${s} ms, plain karaf ${k} ms"
  strata+=("$s"); karaf+=("$k")
done
ms=$(printf '%s\n' "${strata[@]}" | median)
mk=$(printf '%s\n' "${karaf[@]}" | median)
echo "median over $runs runs: strata ${ms} ms (launch to strata:nodes listing this machine), plain karaf $karaf_version ${mk} ms (launch to bundle:list); ratio $(awk -v a="$ms" -v b="$mk" 'BEGIN{printf "%.2f", a/b}')"
