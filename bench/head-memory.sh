#!/usr/bin/env bash
# Memory per active series of a running head: `opsmon run` and `prometheus --web.enable-remote-write-receiver`
# (2.42, nothing scraped) on loopback get the same remote-write stream (bench/Opsmon.Benchmarks `headload`):
# N host-like series, one sample every 15 s for HOURS, starting HOURS before now, sent as fast as they take it.
#   bench/head-memory.sh [N...]            # default: 10000 50000
# Env: HOURS (default 2), SETTLE (seconds to wait after the load, default 30), OPSMON_DIR (an existing Release
# build or publish of src/Opsmon), BENCH_DIR (an existing build of bench/Opsmon.Benchmarks), OPSMON_ENV (extra
# environment for opsmon only, e.g. "DOTNET_GCConserveMemory=5").
# N may repeat (each run starts both servers afresh). For each N prints, per server: VmRSS and smaps_rollup Anonymous before and after the load (MiB), the bytes per
# series of each ((after - before) / N), Prometheus's go_memstats_heap_inuse_bytes, a count() of the series and
# of the samples on each (both must match), and Opsmon / Prometheus.
set -euo pipefail
[ -n "${HEAD_MEMORY_DEBUG:-}" ] && set -x
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(10000 50000)
hours=${HOURS:-2}
settle=${SETTLE:-30}
for bin in prometheus curl; do
  command -v $bin >/dev/null || { echo "missing $bin (apt-get install prometheus curl)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

opsmon_dir=${OPSMON_DIR:-$work/opsmon}
bench_dir=${BENCH_DIR:-$work/bench}
if [ -z "${OPSMON_DIR:-}" ]; then
  dotnet build src/Opsmon -c Release -o "$opsmon_dir" --nologo -v quiet >"$work/build.log" 2>&1 || { echo "build of src/Opsmon failed:" >&2; grep -E 'error' "$work/build.log" >&2; exit 1; }
fi
if [ -z "${BENCH_DIR:-}" ]; then
  dotnet build bench/Opsmon.Benchmarks -c Release -o "$bench_dir" --nologo -v quiet >"$work/bench-build.log" 2>&1 || { echo "build of bench/Opsmon.Benchmarks failed:" >&2; grep -E 'error' "$work/bench-build.log" >&2; exit 1; }
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# mem PID -> "rss_kb anon_kb"
mem() { echo "$(awk '/^VmRSS:/ {print $2}' /proc/$1/status) $(awk '/^Anonymous:/ {print $2}' /proc/$1/smaps_rollup)"; }
wait_ready() { for _ in $(seq 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }
query() { curl -sf "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" --data-urlencode "time=$3" | sed -n 's/.*"value":\[[^,]*,"\([^"]*\)".*/\1/p'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
per_series() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.0f", (b - a) * 1024 / n}'; }

echo "== head memory per active series, ${hours} h at a 15 s step; $(uptime)"
printf '| series | server | RSS before MiB | RSS after MiB | anon before MiB | anon after MiB | B/series RSS | B/series anon | Go heap in use MiB | series counted | samples counted |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
run=0
for n in "${counts[@]}"; do
  # A directory per run: N may repeat, and each run starts both servers empty.
  run=$((run + 1)); dir=$work/$run
  o_port=$(free_port); p_port=$(free_port)
  mkdir -p "$dir/opsmon" "$dir/prom"
  printf 'scrape_configs: []\n' >"$dir/prometheus.yml"
  env ${OPSMON_ENV:-} "$opsmon_dir/opsmon" run --data "$dir/opsmon" --listen "127.0.0.1:$o_port" --interval 1h >"$dir/opsmon.log" 2>&1 &
  o_pid=$!; pids+=("$o_pid")
  prometheus --config.file "$dir/prometheus.yml" --storage.tsdb.path "$dir/prom" \
    --web.listen-address "127.0.0.1:$p_port" --web.enable-remote-write-receiver >"$dir/prom.log" 2>&1 &
  p_pid=$!; pids+=("$p_pid")
  wait_ready "http://127.0.0.1:$o_port/-/ready"
  wait_ready "http://127.0.0.1:$p_port/-/ready"
  sleep 5
  read -r o_rss0 o_anon0 < <(mem "$o_pid")
  read -r p_rss0 p_anon0 < <(mem "$p_pid")

  step=15
  samples=$(( hours * 3600 / step ))
  now=$(date +%s)
  start_ms=$(( (now / step * step - hours * 3600) * 1000 ))
  last_s=$(( start_ms / 1000 + (samples - 1) * step ))
  dotnet "$bench_dir/Opsmon.Benchmarks.dll" headload --series "$n" --samples "$samples" --start-ms "$start_ms" \
    --url "http://127.0.0.1:$o_port/api/v1/write" --url "http://127.0.0.1:$p_port/api/v1/write"
  sleep "$settle"
  read -r o_rss1 o_anon1 < <(mem "$o_pid")
  read -r p_rss1 p_anon1 < <(mem "$p_pid")
  p_heap=$(curl -sf "http://127.0.0.1:$p_port/metrics" | awk '/^go_memstats_heap_inuse_bytes/ {printf "%.1f", $2 / 1048576}')

  # After the memory readings: queries allocate.
  names=$(curl -sf "http://127.0.0.1:$p_port/api/v1/label/__name__/values" | tr -d '[]"' | sed 's/.*data://; s/}//' | tr ',' ' ')
  for port in "$o_port" "$p_port"; do
    sc=$(query "$port" 'count({job="node"})' "$last_s")
    # Per metric name: count_over_time drops the name, and label sets must stay unique.
    ss=0
    for name in $names; do
      got=$(query "$port" "sum(count_over_time({__name__=\"$name\",job=\"node\"}[$(( hours * 3600 ))s]))" "$last_s")
      ss=$(( ss + ${got:-0} ))
    done
    if [ "$port" = "$o_port" ]; then o_sc=$sc; o_ss=$ss; else p_sc=$sc; p_ss=$ss; fi
  done

  printf '| %s | opsmon | %s | %s | %s | %s | %s | %s | – | %s | %s |\n' "$n" "$(mib "$o_rss0")" "$(mib "$o_rss1")" "$(mib "$o_anon0")" "$(mib "$o_anon1")" \
    "$(per_series "$o_rss0" "$o_rss1" "$n")" "$(per_series "$o_anon0" "$o_anon1" "$n")" "$o_sc" "$o_ss"
  printf '| %s | prometheus | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$(mib "$p_rss0")" "$(mib "$p_rss1")" "$(mib "$p_anon0")" "$(mib "$p_anon1")" \
    "$(per_series "$p_rss0" "$p_rss1" "$n")" "$(per_series "$p_anon0" "$p_anon1" "$n")" "$p_heap" "$p_sc" "$p_ss"
  awk -v or0="$o_rss0" -v or1="$o_rss1" -v pr0="$p_rss0" -v pr1="$p_rss1" -v oa0="$o_anon0" -v oa1="$o_anon1" -v pa0="$p_anon0" -v pa1="$p_anon1" -v n="$n" \
    'BEGIN {printf "ratio opsmon/prometheus at %d series: RSS growth %.2f, anonymous growth %.2f\n", n, (or1 - or0) / (pr1 - pr0), (oa1 - oa0) / (pa1 - pa0)}' >&2
  if [ "$o_sc" != "$p_sc" ] || [ "$o_ss" != "$p_ss" ]; then
    echo "MISMATCH at $n series: opsmon holds $o_sc series / $o_ss samples, prometheus $p_sc / $p_ss" >&2
  fi

  kill "$o_pid" "$p_pid"; wait "$o_pid" "$p_pid" 2>/dev/null || true
  pids=()
done
echo "== done; $(uptime)"
