#!/usr/bin/env bash
# Boots the Strata distribution on a GPU host and checks what its shell shows against
# nvidia-smi: every GPU nvidia-smi lists must appear in strata:gpus, on this host's node, with
# its model and memory; under a short load (scripts/gpu-load.cu) the live utilisation and power
# must move. Read-only: it never changes a GPU setting.
#
# Usage: scripts/gpu-karaf-check.sh KIT_DIR
#   KIT_DIR holds strata.tar.gz (distribution/target/strata-distribution-*.tar.gz) and, optionally,
#   jdk.tar.xz (a jlink runtime; else $JAVA_HOME or java on PATH) and gpu-load (nvcc -O2 -o gpu-load scripts/gpu-load.cu).
# Writes what it saw under $OUT (default /tmp/strata-gpu-check). Exit 0: all checks pass; 1: a check
# failed; 2: no GPU or Strata did not start.
set -u
kit=$(cd "$1" && pwd)
out=${OUT:-/tmp/strata-gpu-check}
mkdir -p "$out"
work=$(mktemp -d /tmp/strata-gpu.XXXXXX)
fail=0
note() { echo "$*" | tee -a "$out/summary.txt"; }
check() { if eval "$2"; then note "ok    $1"; else note "FAIL  $1"; fail=1; fi; }

command -v nvidia-smi >/dev/null || { note "no nvidia-smi on this host"; exit 2; }
tar xzf "$kit/strata.tar.gz" -C "$work"
home=$(ls -d "$work"/strata-distribution-*)
if [ -f "$kit/jdk.tar.xz" ]; then
  tar xJf "$kit/jdk.tar.xz" -C "$work"
  JAVA_HOME=$(ls -d "$work"/jdk-*); export JAVA_HOME
fi
"$JAVA_HOME/bin/java" -version 2>&1 | sed -n 1p | tee "$out/java.txt"
# sample every second, so that a short load shows in the telemetry
printf 'nvmlLibrary =\nnvidiaSmi = nvidia-smi\ntelemetryInterval = 1s\ntelemetryHistory = 120\ncommandTimeout = 10s\n' \
  > "$home/etc/dev.strata.provider.nvidia.cfg"
shell() { printf '%s\n' "$@" | "$home/bin/client" -u strata -k "$home/etc/strata-console.key" -r 3 -d 1 -b 2>/dev/null; }

t0=$(date +%s%N)
if ! STRATA_START_TIMEOUT=120 "$home/bin/strata" start > "$out/start.txt" 2>&1; then
  note "Strata did not start; see start.txt and karaf.log"; cp "$home/data/log/karaf.log" "$out/" 2>/dev/null; exit 2
fi
note "Strata answered $(( ($(date +%s%N) - t0) / 1000000 )) ms after bin/start"

nvidia-smi --query-gpu=uuid,name,memory.total --format=csv,noheader,nounits > "$out/nvidia-smi-gpus.csv"
host=$(cat /proc/sys/kernel/hostname)
# wait until the NVIDIA provider has discovered every GPU
for i in $(seq 1 60); do
  shell "strata:gpus --no-format" > "$out/strata-gpus-plain.txt"
  missing=0
  while IFS=, read -r uuid name mem; do grep -q "$uuid" "$out/strata-gpus-plain.txt" || missing=1; done < "$out/nvidia-smi-gpus.csv"
  [ "$missing" = 0 ] && break
  sleep 1
done
shell "strata:providers" "strata:nodes" > "$out/strata-providers-nodes.txt"
shell "strata:node baremetal:$host" > "$out/strata-node.txt"

load_pid=""
if [ -x "$kit/gpu-load" ]; then
  "$kit/gpu-load" 30 > "$out/gpu-load.txt" 2>&1 & load_pid=$!
  sleep 12
fi
shell "strata:gpus" > "$out/strata-gpus.txt"
shell "strata:gpus --no-format" > "$out/strata-gpus-load.txt"
nvidia-smi --query-gpu=uuid,utilization.gpu,power.draw --format=csv,noheader,nounits > "$out/nvidia-smi-load.csv"
while IFS=, read -r uuid rest; do shell "strata:gpu -s 15 $uuid" > "$out/strata-gpu-$uuid.txt"; done < "$out/nvidia-smi-gpus.csv"
[ -n "$load_pid" ] && wait "$load_pid"
"$home/bin/stop" >/dev/null 2>&1
cp "$home/data/log/karaf.log" "$out/" 2>/dev/null

while IFS=, read -r uuid name mem; do
  name=$(echo "$name" | sed 's/^ *//')
  row=$(grep "$uuid" "$out/strata-gpus-load.txt" | tr '\t' '|' | sed 's/ *| */|/g')
  check "$uuid listed by strata:gpus" '[ -n "$row" ]'
  check "$uuid on node baremetal:$host" '[ "$(echo "$row" | cut -d"|" -f1)" = "baremetal:$host" ]'
  check "$uuid model $name" '[ "$(echo "$row" | cut -d"|" -f3)" = "$name" ]'
  mib=$(echo "$mem" | tr -d ' ')
  gib=$(awk -v m="$mib" 'BEGIN{printf "%.1f GiB", m/1024}')
  check "$uuid memory $gib" '[ "$(echo "$row" | cut -d"|" -f4)" = "$gib" ]'
  check "$uuid MIG capability shown" 'echo "$row" | cut -d"|" -f5 | grep -qE "^(on|off) \([0-9]+ profiles\)$"'
  if [ -n "$load_pid" ]; then
    util=$(echo "$row" | cut -d"|" -f8 | tr -dc '0-9')
    power=$(echo "$row" | cut -d"|" -f10 | sed 's/ W.*//' | tr -dc '0-9')
    check "$uuid live utilisation under load ($util %)" '[ "${util:-0}" -ge 50 ]'
    check "$uuid live power under load ($power W)" '[ "${power:-0}" -ge 150 ]'
  fi
done < "$out/nvidia-smi-gpus.csv"
check "GPU PCI function listed on the node with its NUMA node and link" 'grep -qE "display|accelerator" "$out/strata-node.txt"'
check "no ERROR in karaf.log" '! grep -q "| ERROR |" "$out/karaf.log"'
rm -rf "$work"
[ "$fail" = 0 ] && note "result: PASS" || note "result: FAIL"
exit "$fail"
