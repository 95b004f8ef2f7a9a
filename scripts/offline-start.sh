#!/usr/bin/env bash
# Starts the built Strata distribution in a network namespace with no network but loopback,
# and checks that it comes up and lists this machine: nothing at boot needs a download.
# Needs root (unshare -n). Usage: scripts/offline-start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
dist=distribution/target/strata-distribution-$version.tar.gz
[ -f "$dist" ] || { echo "missing $dist: run mvn -B install -DskipTests first" >&2; exit 1; }
work=$(mktemp -d /tmp/strata-offline.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar xzf "$dist" -C "$work"
home="$work/strata-distribution-$version"
sed -i 's/^sshPort = .*/sshPort = 8141/' "$home/etc/org.apache.karaf.shell.cfg"
unshare -n sh -c "
  ip link set lo up
  echo 'interfaces in this namespace:'; ip -brief link
  STRATA_START_TIMEOUT=120 '$home/bin/strata' start >'$work/out.txt' 2>&1; rc=\$?
  '$home/bin/stop' >/dev/null 2>&1 || true
  exit \$rc
" && cat "$work/out.txt" | sed -n '/strata> strata:status/,/^More:/p'
grep -q "^local .* 1 " "$work/out.txt" && echo "OK: Strata started without network and lists this machine"
