#!/usr/bin/env bash
# Time to create and delete machines through the AWS provider against moto (EC2 emulator).
# Usage: benchmarks/aws-provisioning.sh [machines=100] [rounds=3] [concurrency=1]
# Needs moto_server (.ci/run installs it in .venv/moto) and a built provider-aws
# (mvn -pl provider-aws -am install -DskipTests). Pass -Dmaven.repo.local through MAVEN_ARGS if you use one.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MAVEN_ARGS:-} -pl provider-aws test-compile -Dbnd.skip=true
mvn -B -q ${MAVEN_ARGS:-} -pl provider-aws dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/provider-aws/target/aws-bench.classpath"
cd provider-aws
java -Dstrata.moto="${STRATA_MOTO:-$PWD/../.venv/moto/bin/moto_server}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/aws-bench.classpath)" \
  dev.strata.provider.aws.ProvisioningBenchmark "${1:-100}" "${2:-3}" "${3:-1}"
