#!/usr/bin/env bash
# Side-by-side storage cost of the same host data: Opsmon (`opsmon import`), Prometheus
# (`promtool tsdb create-blocks-from openmetrics`) and VictoriaMetrics (/api/v1/import/prometheus), in one run.
#   bench/store-compare.sh [HOURS] [JITTER_MS]
# Set STORE_COMPARE_DATA=DIR to keep the generated files in DIR and reuse them on the next run with the same
# arguments on the same day (generation takes minutes on a loaded machine).
# The generator (bench/Opsmon.Benchmarks `gen`) writes ~500 host-like series (32 CPUs x 8 mode counters,
# memory gauges, disk/net counters, load, filesystems, process groups) at a 15 s step for HOURS (default 24),
# with timestamps jittered by up to +/-JITTER_MS (default 0). Prints, for each store: bytes per sample on disk
# (du of its data directory / samples), load time, peak RSS, and Opsmon's ratios to each.
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:-24}
jitter=${2:-0}
for bin in promtool victoria-metrics curl /usr/bin/time; do
  command -v $bin >/dev/null || { echo "missing $bin (apt-get install prometheus victoria-metrics curl time)" >&2; exit 1; }
done

work=$(mktemp -d)
vm_pid=
cleanup() { [ -n "$vm_pid" ] && kill "$vm_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# OPSMON_DIR / GEN_DIR: an existing Release publish of src/Opsmon / build of bench/Opsmon.Benchmarks to use as is.
opsmon_dir=${OPSMON_DIR:-$work/opsmon}
gen_dir=${GEN_DIR:-$work/gen}
if [ -z "${OPSMON_DIR:-}" ]; then
  dotnet publish src/Opsmon -c Release -o "$opsmon_dir" --nologo -v quiet >"$work/publish.log" 2>&1 || { echo "publish of src/Opsmon failed:" >&2; grep -E 'error|Error' "$work/publish.log" >&2; exit 1; }
fi
# A recent day boundary: VictoriaMetrics drops samples outside its retention, and whole days align 2 h blocks.
start=$(( ($(date +%s) / 86400 - 2) * 86400 ))
gen() { dotnet "$gen_dir/Opsmon.Benchmarks.dll" gen --start "$start" --hours "$hours" --jitter-ms "$jitter" "$@"; }
cache=${STORE_COMPARE_DATA:-}
if [ -n "$cache" ] && [ -s "$cache/$start-$hours-$jitter.prom" ]; then
  ln -s "$cache/$start-$hours-$jitter.om" "$work/data.om"
  ln -s "$cache/$start-$hours-$jitter.prom" "$work/data.prom"
  echo "reusing $cache/$start-$hours-$jitter.{om,prom}"
else
  if [ -z "${GEN_DIR:-}" ]; then
    dotnet build bench/Opsmon.Benchmarks -c Release -o "$gen_dir" --nologo -v quiet >"$work/gen-build.log" 2>&1 || { echo "build of bench/Opsmon.Benchmarks failed:" >&2; grep -E 'error|Error' "$work/gen-build.log" >&2; exit 1; }
  fi
  gen --format openmetrics --out "$work/data.om" 2>"$work/gen.log"
  gen --format prometheus --out "$work/data.prom" 2>/dev/null
  cat "$work/gen.log"
  if [ -n "$cache" ]; then
    mkdir -p "$cache"
    cp "$work/data.om" "$cache/$start-$hours-$jitter.om"
    cp "$work/data.prom" "$cache/$start-$hours-$jitter.prom"
  fi
fi
samples=$(grep -vc '^#' "$work/data.om")
series=$(awk '/^[^#]/ {sub(/ [^ ]+ [^ ]+$/, ""); print}' "$work/data.om" | sort -u | wc -l)
echo "== $series series, $samples samples, $(( $(stat -L -c %s "$work/data.om") / 1048576 )) MiB OpenMetrics, jitter +/-${jitter} ms, load: $(cut -d' ' -f1-3 /proc/loadavg)"

# timed NAME CMD... -> "seconds peak_mb" (from GNU time: elapsed wall clock and max RSS)
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || { echo "$name failed:" >&2; cat "$work/$name.log" >&2; exit 1; }
  awk '{printf "%.2f %.1f\n", $1, $2/1024}' "$work/$name.time"
}

read -r o_s o_mb < <(timed opsmon "$opsmon_dir/opsmon" import "$work/data.om" --data "$work/opsmon-data")
o_bytes=$(du -sb "$work/opsmon-data" | cut -f1)

read -r p_s p_mb < <(timed promtool promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/prom-data")
p_bytes=$(du -sb "$work/prom-data" | cut -f1)

port=18428
victoria-metrics -storageDataPath "$work/vm-data" -httpListenAddr 127.0.0.1:$port -retentionPeriod 100y >"$work/vm.log" 2>&1 &
vm_pid=$!
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$port/health && break; sleep 0.1; done
vm_before=$(date +%s.%N)
curl -sf --data-binary "@$work/data.prom" http://127.0.0.1:$port/api/v1/import/prometheus
curl -sf -o /dev/null http://127.0.0.1:$port/internal/force_flush
vm_after=$(date +%s.%N)
# The import answers once the samples are buffered; count them back so load time covers the ingestion.
for _ in $(seq 600); do
  got=$(curl -s http://127.0.0.1:$port/api/v1/query --data-urlencode 'query=sum(count_over_time({__name__=~".+"}[30d]))' --data-urlencode "time=$((start + hours * 3600 + 60))" | sed -n 's/.*"value":\[[^,]*,"\([0-9]*\)".*/\1/p')
  [ "${got:-0}" -ge "$samples" ] && break
  sleep 0.2
done
vm_after=$(date +%s.%N)
curl -sf -o /dev/null http://127.0.0.1:$port/internal/force_flush
v_s=$(awk -v a="$vm_before" -v b="$vm_after" 'BEGIN {printf "%.2f", b-a}')
v_mb=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$vm_pid/status)
kill "$vm_pid"; wait "$vm_pid" 2>/dev/null || true; vm_pid=
v_bytes=$(du -sb "$work/vm-data" | cut -f1)
echo "victoria-metrics counted back ${got:-0} of $samples samples"

printf '%-18s %14s %12s %10s %16s\n' store "bytes/sample" "load s" "peak MB" "samples/s"
row() { awk -v n="$1" -v b="$2" -v s="$3" -v m="$4" -v c="$samples" 'BEGIN {printf "%-18s %14.3f %12.2f %10.1f %16.0f\n", n, b/c, s, m, c/s}'; }
row opsmon "$o_bytes" "$o_s" "$o_mb"
row prometheus "$p_bytes" "$p_s" "$p_mb"
row victoria-metrics "$v_bytes" "$v_s" "$v_mb"
awk -v ob="$o_bytes" -v os="$o_s" -v om="$o_mb" -v pb="$p_bytes" -v ps="$p_s" -v pm="$p_mb" -v vb="$v_bytes" -v vs="$v_s" -v vm="$v_mb" 'BEGIN {
  printf "opsmon / victoria-metrics: bytes %.2f (target <= 1), load time %.2f (target <= 1), peak memory %.2f\n", ob/vb, os/vs, om/vm
  printf "opsmon / prometheus:       bytes %.2f, load time %.2f, peak memory %.2f (target < 1)\n", ob/pb, os/ps, om/pm }'
