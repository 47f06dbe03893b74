#!/usr/bin/env bash
# Side-by-side range-query latency of typical dashboard queries: Opsmon vs Prometheus on the same data.
#   bench/query-compare.sh [HOURS] [REPS]
# Loads the storage benchmark's generated host data (bench/Opsmon.Benchmarks `gen`, see bench/store-compare.sh:
# ~500 series at a 15 s step for HOURS, default 24) into Opsmon (`opsmon import`, then `opsmon run --data` serves
# it) and into Prometheus (`promtool tsdb create-blocks-from openmetrics`, then `prometheus` on loopback), and times
# each query over HTTP (/api/v1/query_range across the whole data window at a 60 s step) REPS times (default 10)
# after one warm-up. Prints the median seconds on each side and Opsmon / Prometheus (target <= 1).
# OPSMON_DIR / GEN_DIR: reuse an existing `dotnet publish src/Opsmon -c Release` / benchmark build output.
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:-24}
reps=${2:-10}
for bin in promtool prometheus curl; do
  command -v $bin >/dev/null || { echo "missing $bin (apt-get install prometheus curl)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

opsmon_dir=${OPSMON_DIR:-$work/opsmon}
gen_dir=${GEN_DIR:-$work/gen}
[ -n "${OPSMON_DIR:-}" ] || dotnet publish src/Opsmon -c Release -o "$opsmon_dir" --nologo -v quiet >/dev/null
[ -n "${GEN_DIR:-}" ] || dotnet build bench/Opsmon.Benchmarks -c Release -o "$gen_dir" --nologo -v quiet >/dev/null
start=$(( ($(date +%s) / 86400 - 2) * 86400 ))
end=$(( start + hours * 3600 ))
dotnet "$gen_dir/Opsmon.Benchmarks.dll" gen --start "$start" --hours "$hours" --jitter-ms 0 --format openmetrics --out "$work/data.om" 2>"$work/gen.log"
cat "$work/gen.log"

"$opsmon_dir/opsmon" import "$work/data.om" --data "$work/opsmon-data" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/prom-data" >"$work/promtool.log" 2>&1 || { cat "$work/promtool.log" >&2; exit 1; }

o_port=19184; p_port=19090
echo "global: {scrape_interval: 1m}" >"$work/prometheus.yml"
# The agent also collects this host while serving; its live samples land at "now", outside the queried window.
"$opsmon_dir/opsmon" run --data "$work/opsmon-data" --listen 127.0.0.1:$o_port --interval 1h >"$work/opsmon.log" 2>&1 &
pids+=($!)
prometheus --storage.tsdb.path="$work/prom-data" --storage.tsdb.retention.time=100y --web.listen-address=127.0.0.1:$p_port \
  --config.file="$work/prometheus.yml" >"$work/prometheus.log" 2>&1 &
pids+=($!)
for port in $o_port $p_port; do
  for _ in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:$port/-/ready && break; sleep 0.2; done
  curl -sf -o /dev/null http://127.0.0.1:$port/-/ready || { echo "port $port not ready" >&2; cat "$work"/*.log >&2; exit 1; }
done

# NAME|QUERY. The generated data has no histogram, so there is no histogram_quantile query.
queries=(
  'rate_96_series|rate(node_cpu_seconds_total{mode=~"user|system|idle"}[5m])'
  'topk_process_groups|topk(5, rate(namedprocess_namegroup_cpu_seconds_total[5m]))'
  'topk_all_cpu|topk(10, rate(node_cpu_seconds_total[5m]))'
  'sum_by_mode|sum by (mode) (rate(node_cpu_seconds_total[5m]))'
  'memory_used_ratio|1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'
)

# query PORT EXPR -> seconds of one HTTP round trip; fails unless the answer is a non-empty success
query() {
  local out
  out=$(curl -s -o "$work/answer.json" -w '%{time_total}' "http://127.0.0.1:$1/api/v1/query_range" \
    --data-urlencode "query=$2" --data-urlencode "start=$start" --data-urlencode "end=$end" --data-urlencode "step=60")
  grep -q '"status":"success"' "$work/answer.json" && grep -q '"values"' "$work/answer.json" \
    || { echo "port $1: $2: $(head -c 300 "$work/answer.json")" >&2; exit 1; }
  echo "$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "== $hours h of data, range query [$start, $end] step 60 s, $reps reps, load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %8s %12s %14s %8s\n' query series "opsmon ms" "prometheus ms" ratio
for entry in "${queries[@]}"; do
  name=${entry%%|*}; expr=${entry#*|}
  query $o_port "$expr" >/dev/null; query $p_port "$expr" >/dev/null
  series=$(grep -o '"metric"' "$work/answer.json" | wc -l)
  o=$(for _ in $(seq "$reps"); do query $o_port "$expr"; done | median)
  p=$(for _ in $(seq "$reps"); do query $p_port "$expr"; done | median)
  awk -v n="$name" -v s="$series" -v o="$o" -v p="$p" 'BEGIN {printf "%-22s %8d %12.1f %14.1f %8.2f\n", n, s, o*1000, p*1000, o/p}'
done
