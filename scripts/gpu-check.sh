#!/usr/bin/env bash
# Checks on a GPU host that Strata's NVIDIA provider discovers the same GPUs through NVML and
# through nvidia-smi, and that both agree with `nvidia-smi -q -x` (UUID, name, memory, compute
# capability, PCI address, power limits, PCIe generation/width, MIG mode and profiles). Prints
# both discoveries next to nvidia-smi's values and how long each took. Changes nothing on the GPU.
#
# Usage: scripts/gpu-check.sh JAR_DIR [--nvidia-smi PATH] [--nvml LIBRARY] [--timeout 60s]
#   JAR_DIR holds provider-nvidia, platform-api, jna, slf4j-api and an slf4j binding (slf4j-simple
#   or slf4j-nop) jars; no OSGi framework is needed.
#   JAVA    the java binary (default: java), e.g. a jlink runtime carried to the host.
# Exit status: 0 everything matches, 1 some value differs, 2 a source is unavailable or failed, or
# wrong arguments (an unknown option, an option without its value, a --timeout that is no duration).
set -euo pipefail

if [[ $# -lt 1 || ! -d $1 ]]; then
    echo "usage: $0 JAR_DIR [--nvidia-smi PATH] [--nvml LIBRARY] [--timeout 60s]" >&2
    exit 2
fi
jars=$1
shift

classpath=""
for jar in "$jars"/*.jar; do
    classpath+="${classpath:+:}$jar"
done
if [[ -z $classpath ]]; then
    echo "$0: no jars in $jars" >&2
    exit 2
fi

exec "${JAVA:-java}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.strata.provider.nvidia.GpuCheck "$@"
