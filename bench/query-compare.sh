#!/usr/bin/env bash
# Side-by-side range-query latency of typical dashboard queries: Opsmon vs Prometheus on the same data.
#   bench/query-compare.sh [HOURS] [REPS]
# Loads the storage benchmark's generated host data (bench/Opsmon.Benchmarks `gen`, see bench/store-compare.sh:
# ~500 series at a 15 s step for HOURS, default 24) into Opsmon (`opsmon import`, then `opsmon run --data` serves
# it) and into Prometheus (`promtool tsdb create-blocks-from openmetrics`, then `prometheus` on loopback), and times
# each query over HTTP (/api/v1/query_range across the whole data window at a 60 s step) REPS times (default 10)
# after one warm-up, alternating Opsmon and Prometheus so both see the same machine load. Prints the median
# milliseconds on each side and Opsmon / Prometheus (target <= 1).
# The generator has no histogram, so this script appends one (http_request_duration_seconds: 4 handlers x 11
# le buckets, same 15 s step) for the histogram_quantile queries.
# OPSMON_DIR / GEN_DIR: reuse an existing `dotnet publish src/Opsmon -c Release` / benchmark build output.
# Both servers listen on free loopback ports chosen at random (OPSMON_PORT / PROM_PORT to fix them).
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
# Replace the final "# EOF" with a classic histogram family, then end the file again.
sed -i '$d' "$work/data.om"
awk -v start="$start" -v points=$(( hours * 240 )) 'BEGIN {
  srand(1); nb = split("0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 +Inf", le, " "); split("/api /login /metrics /static", h, " ")
  print "# TYPE http_request_duration_seconds histogram"
  for (j = 1; j <= 4; j++) {
    for (b = 1; b <= nb; b++) c[b] = 0
    for (i = 0; i < points; i++) {
      n = int(rand() * 40)
      for (k = 0; k < n; k++) { bk = int(-log(1 - rand()) * 2.5) + 1; if (bk > nb) bk = nb; for (b = bk; b <= nb; b++) c[b]++ }
      for (b = 1; b <= nb; b++) count[b, i] = c[b]
    }
    for (b = 1; b <= nb; b++) for (i = 0; i < points; i++)
      printf "http_request_duration_seconds_bucket{handler=\"%s\",le=\"%s\"} %d %d\n", h[j], le[b], count[b, i], start + i * 15
  }
  print "# EOF"
}' >>"$work/data.om"

"$opsmon_dir/opsmon" import "$work/data.om" --data "$work/opsmon-data" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/prom-data" >"$work/promtool.log" 2>&1 || { cat "$work/promtool.log" >&2; exit 1; }

# Free loopback ports (other benchmark scripts use the default ones); OPSMON_PORT / PROM_PORT pick them instead.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$(( 20000 + RANDOM % 20000 ))
    ss -ltn "( sport = :$port )" | grep -q ":$port " || { echo "$port"; return; }
  done
  echo "no free port" >&2; exit 1
}
o_port=${OPSMON_PORT:-$(free_port)}; p_port=${PROM_PORT:-$(free_port)}
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
# Both must still run: a server that lost its port to another process would leave us timing a stranger.
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "server $p exited" >&2; cat "$work"/*.log >&2; exit 1; }; done

# NAME|QUERY
queries=(
  'rate_96_series|rate(node_cpu_seconds_total{mode=~"user|system|idle"}[5m])'
  'topk_process_groups|topk(5, rate(namedprocess_namegroup_cpu_seconds_total[5m]))'
  'topk_all_cpu|topk(10, rate(node_cpu_seconds_total[5m]))'
  'sum_by_mode|sum by (mode) (rate(node_cpu_seconds_total[5m]))'
  'memory_used_ratio|1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'
  'histogram_quantile|histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
  'histogram_quantile_by_handler|histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))'
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

echo "== $hours h of data, range query [$start, $end] step 60 s, $reps reps; $(uptime)"
printf '%-30s %8s %12s %14s %8s\n' query series "opsmon ms" "prometheus ms" ratio
for entry in "${queries[@]}"; do
  name=${entry%%|*}; expr=${entry#*|}
  query $o_port "$expr" >/dev/null; query $p_port "$expr" >/dev/null
  series=$(grep -o '"metric"' "$work/answer.json" | wc -l)
  : >"$work/o.times"; : >"$work/p.times"
  for _ in $(seq "$reps"); do
    query $o_port "$expr" >>"$work/o.times"
    query $p_port "$expr" >>"$work/p.times"
  done
  o=$(median <"$work/o.times"); p=$(median <"$work/p.times")
  awk -v n="$name" -v s="$series" -v o="$o" -v p="$p" 'BEGIN {printf "%-30s %8d %12.1f %14.1f %8.2f\n", n, s, o*1000, p*1000, o/p}'
done
echo "== done; $(uptime)"
