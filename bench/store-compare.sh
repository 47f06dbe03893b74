#!/usr/bin/env bash
# Side-by-side storage cost of the same host data: Opsmon (`opsmon import`), Prometheus
# (`promtool tsdb create-blocks-from openmetrics`) and VictoriaMetrics (/api/v1/import/prometheus), in one run.
#   bench/store-compare.sh [HOURS] [JITTER_MS]
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

dotnet publish src/Opsmon -c Release -o "$work/opsmon" --nologo -v quiet >/dev/null
dotnet build bench/Opsmon.Benchmarks -c Release -o "$work/gen" --nologo -v quiet >/dev/null
# A recent day boundary: VictoriaMetrics drops samples outside its retention, and whole days align 2 h blocks.
start=$(( ($(date +%s) / 86400 - 2) * 86400 ))
gen() { dotnet "$work/gen/Opsmon.Benchmarks.dll" gen --start "$start" --hours "$hours" --jitter-ms "$jitter" "$@"; }
gen --format openmetrics --out "$work/data.om" 2>"$work/gen.log"
gen --format prometheus --out "$work/data.prom" 2>/dev/null
cat "$work/gen.log"
samples=$(grep -vc '^#' "$work/data.om")
series=$(awk '/^[^#]/ {sub(/ [^ ]+ [^ ]+$/, ""); print}' "$work/data.om" | sort -u | wc -l)
echo "== $series series, $samples samples, $(( $(stat -c %s "$work/data.om") / 1048576 )) MiB OpenMetrics, jitter +/-${jitter} ms, load: $(cut -d' ' -f1-3 /proc/loadavg)"

# timed NAME CMD... -> "seconds peak_mb" (from GNU time: elapsed wall clock and max RSS)
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || { echo "$name failed:" >&2; cat "$work/$name.log" >&2; exit 1; }
  awk '{printf "%.2f %.1f\n", $1, $2/1024}' "$work/$name.time"
}

read -r o_s o_mb < <(timed opsmon "$work/opsmon/opsmon" import "$work/data.om" --data "$work/opsmon-data")
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
