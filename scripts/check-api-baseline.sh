#!/usr/bin/env bash
# Proves that the API baseline can fail the build: copies the platform API into a scratch project,
# removes one public method (Sovereignty.unrestricted(), in dev.strata.platform.api.contract) and
# builds the copy. The build must fail, and its baseline report must name that package as needing
# a major version. Exits 0 when it did, 1 otherwise. Run after the normal build (.ci/run does):
#   scripts/check-api-baseline.sh [extra mvn args, e.g. -o -Dmaven.repo.local=...]
set -euo pipefail
cd "$(dirname "$0")/.."
probe=target/api-baseline-probe
rm -rf "$probe"
mkdir -p "$probe"
cp pom.xml bnd.bnd "$probe"/
cp -r cnf "$probe"/cnf
mkdir -p "$probe"/platform-api
cp -r platform-api/pom.xml platform-api/bnd.bnd platform-api/baseline platform-api/src "$probe"/platform-api/
rm -rf "$probe"/platform-api/src/test
# only the API module in the scratch reactor
sed -i -e '/<modules>/,/<\/modules>/{/<module>/d}' -e 's#<modules>#<modules><module>platform-api</module>#' "$probe"/pom.xml

file="$probe/platform-api/src/main/java/dev/strata/platform/api/contract/Sovereignty.java"
before=$(wc -l < "$file")
# drop "public boolean unrestricted() { ... }" (three lines)
sed -i '/public boolean unrestricted()/,/^    }/d' "$file"
if [ "$(wc -l < "$file")" -ge "$before" ] || grep -q "unrestricted" "$file"; then
  echo "check-api-baseline: could not remove Sovereignty.unrestricted() from the copy" >&2
  exit 1
fi

log="$probe/build.log"
if mvn -B -f "$probe/pom.xml" "$@" verify -DskipTests > "$log" 2>&1; then
  echo "check-api-baseline: FAILED: removing a public method did not fail the build (log: $log)" >&2
  exit 1
fi
report=$(ls "$probe"/platform-api/target/baseline/*.txt 2>/dev/null | head -1 || true)
if [ -z "$report" ] || ! grep -Eq '^\* dev\.strata\.platform\.api\.contract +PACKAGE +MAJOR +[0-9.]+ +1\.0\.0 +2\.0\.0' "$report"; then
  echo "check-api-baseline: FAILED: the build failed, but not with the expected baseline finding (log: $log)" >&2
  tail -40 "$log" >&2
  exit 1
fi
echo "check-api-baseline: ok: removing Sovereignty.unrestricted() fails the build; the baseline asks for:"
grep -E '^\* dev\.strata\.platform\.api\.contract' "$report"
grep -E 'REMOVED +METHOD +unrestricted' "$report" | head -1
