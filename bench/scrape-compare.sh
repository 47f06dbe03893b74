#!/usr/bin/env bash
# Side-by-side scrape cost: Opsmon vs node_exporter + process-exporter (Debian packages), in one run.
#   bench/scrape-compare.sh [SCRAPES] [EXTRA_PROCS] [WARMUP]
# Starts all three on loopback, scrapes each WARMUP times (default 1) without counting, then SCRAPES times
# (default 50) one after another, and prints CPU
# seconds per scrape (utime+stime from /proc/PID/stat, USER_HZ=100), median scrape latency, RSS and series
# count for each, then Opsmon's ratios against node_exporter + process-exporter together. It repeats the
# run with EXTRA_PROCS (default 500) idle `sleep` processes started by the script. After each set it prints
# the breakdown of Opsmon's RSS from /proc/PID/smaps_rollup (private vs shared, anonymous vs file-backed).
# RSS is reported three ways for each exporter: right after its back-to-back scrapes ("busy"), the highest
# value seen while all three are scraped once a second for PACED seconds (default 20; a Prometheus scrapes
# every 15-60 s), and after 5 s without scrapes ("at rest"). Opsmon gives its heap's free space back when it
# goes quiet (docs/ARCHITECTURE.md, "The agent gives its spare heap back"); the Go exporters' runtime scavenges in the background.
# WARMUP=1 measures the agent's first minute (its tiered JIT is still compiling the hot paths); WARMUP=200
# measures the steady state an agent scraped for days is in. The Go exporters have no warm-up to speak of.
# By default it publishes and measures the native build (the JIT build where clang is missing);
# OPSMON_DIR=<publish dir> skips the publish and runs that build; DOTNET_* variables in the
# environment reach Opsmon (and are ignored by the two Go exporters), for trying runtime settings.
set -euo pipefail
cd "$(dirname "$0")/.."
scrapes=${1:-50}
extra=${2:-500}
warmup=${3:-1}
paced=${PACED:-20}
hz=$(getconf CLK_TCK)
for bin in prometheus-node-exporter prometheus-process-exporter curl; do
  command -v $bin >/dev/null || { echo "missing $bin: apt-get install ${bin/curl/curl}" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -P $$ sleep 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

opsmon_dir=${OPSMON_DIR:-}
if [ -z "$opsmon_dir" ]; then
  # The native build is the one deployed as an agent (README, "Native build"); without clang, the JIT build.
  opsmon_dir="$work/opsmon"
  if command -v clang >/dev/null; then
    echo "measuring Opsmon's native build (scripts/publish-native.sh)"
    scripts/publish-native.sh "$opsmon_dir" >/dev/null
  else
    echo "measuring Opsmon's JIT build (no clang for the native build: apt-get install clang zlib1g-dev)"
    dotnet publish src/Opsmon -c Release -o "$opsmon_dir" --nologo -v quiet >/dev/null
  fi
fi
cat >"$work/pe.yml" <<'YML'
process_names:
  - name: "{{.Comm}}"
    cmdline: ['.*']
YML
cat >"$work/opsmon.yml" <<'YML'
process:
  groups:
    - name: "{{.Comm}}"
      cmdline: ['.*']
YML

for port in 19184 19100 19256; do
  ! curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "port $port is in use: another exporter would be measured" >&2; exit 1; }
done
# A fresh store: the default data directory would hold earlier runs' series in the head.
"$opsmon_dir/opsmon" run --listen 127.0.0.1:19184 --config "$work/opsmon.yml" --data "$work/opsmon-data" >"$work/opsmon.log" 2>&1 & pids+=($!); opsmon_pid=$!
prometheus-node-exporter --web.listen-address=127.0.0.1:19100 >"$work/node.log" 2>&1 & pids+=($!); node_pid=$!
prometheus-process-exporter -web.listen-address=127.0.0.1:19256 -config.path "$work/pe.yml" >"$work/pe.log" 2>&1 & pids+=($!); pe_pid=$!
for url in http://127.0.0.1:19184/-/healthy http://127.0.0.1:19100/metrics http://127.0.0.1:19256/metrics; do
  for _ in $(seq 100); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Opsmon's resident memory by kind, MB: private (only this process) vs shared, anonymous (heaps) vs file-backed
# (mapped runtime and framework images, shared with any other .NET process on the host).
rss_breakdown() {
  awk '/^(Rss|Pss|Shared_Clean|Shared_Dirty|Private_Clean|Private_Dirty|Anonymous):/ {v[$1]=$2/1024}
    END {printf "opsmon RSS breakdown MB: Rss %.1f, Pss %.1f, Private %.1f, Shared %.1f, Anonymous %.1f, File-backed %.1f\n",
      v["Rss:"], v["Pss:"], v["Private_Clean:"]+v["Private_Dirty:"], v["Shared_Clean:"]+v["Shared_Dirty:"], v["Anonymous:"], v["Rss:"]-v["Anonymous:"]}' \
    "/proc/$1/smaps_rollup"
}
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN {print (b > a) ? b : a}'; }

# measure NAME PID URL -> "cpu_ms_per_scrape median_ms rss_mb series bytes"
measure() {
  local pid=$2 url=$3
  for _ in $(seq "$warmup"); do curl -s "$url" -o "$work/body"; done # warm-up, not counted
  local series bytes; series=$(grep -vc '^#' "$work/body"); bytes=$(wc -c <"$work/body")
  local before; before=$(cpu_ticks "$pid")
  : >"$work/times"
  for _ in $(seq "$scrapes"); do curl -s -o /dev/null -w '%{time_total}\n' "$url" >>"$work/times"; done
  local after; after=$(cpu_ticks "$pid")
  local median; median=$(sort -n "$work/times" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m*1000}')
  awk -v b="$before" -v a="$after" -v n="$scrapes" -v hz="$hz" -v med="$median" -v rss="$(rss_mb "$pid")" -v s="$series" -v by="$bytes" \
    'BEGIN {printf "%.2f %s %s %d %d\n", (a-b)/hz*1000/n, med, rss, s, by}'
}

run_set() {
  local label=$1
  echo "== $label ($(ls -d /proc/[0-9]* | wc -l) processes, $scrapes scrapes each after $warmup warm-up)"
  read -r o_cpu o_med o_rss o_series o_bytes < <(measure opsmon $opsmon_pid http://127.0.0.1:19184/metrics)
  read -r n_cpu n_med n_rss n_series n_bytes < <(measure node $node_pid http://127.0.0.1:19100/metrics)
  read -r p_cpu p_med p_rss p_series p_bytes < <(measure pe $pe_pid http://127.0.0.1:19256/metrics)
  # Paced: one scrape of each per second, the highest RSS each reached right after its scrape.
  local o_max=0 n_max=0 p_max=0
  for _ in $(seq "$paced"); do
    curl -s -o /dev/null http://127.0.0.1:19184/metrics; o_max=$(max "$o_max" "$(rss_mb $opsmon_pid)")
    curl -s -o /dev/null http://127.0.0.1:19100/metrics; n_max=$(max "$n_max" "$(rss_mb $node_pid)")
    curl -s -o /dev/null http://127.0.0.1:19256/metrics; p_max=$(max "$p_max" "$(rss_mb $pe_pid)")
    sleep 1
  done
  sleep 5
  local o_rest n_rest p_rest; o_rest=$(rss_mb $opsmon_pid); n_rest=$(rss_mb $node_pid); p_rest=$(rss_mb $pe_pid)
  printf '%-17s %13s %10s %9s %9s %9s %7s %9s\n' exporter "cpu ms/scrape" "median ms" "RSS busy" "RSS 1/s" "RSS rest" series bytes
  printf '%-17s %13s %10s %9s %9s %9s %7s %9s\n' opsmon "$o_cpu" "$o_med" "$o_rss" "$o_max" "$o_rest" "$o_series" "$o_bytes"
  printf '%-17s %13s %10s %9s %9s %9s %7s %9s\n' node_exporter "$n_cpu" "$n_med" "$n_rss" "$n_max" "$n_rest" "$n_series" "$n_bytes"
  printf '%-17s %13s %10s %9s %9s %9s %7s %9s\n' process-exporter "$p_cpu" "$p_med" "$p_rss" "$p_max" "$p_rest" "$p_series" "$p_bytes"
  awk -v o="$o_cpu" -v n="$n_cpu" -v p="$p_cpu" -v om="$o_med" -v nm="$n_med" -v pm="$p_med" \
    -v ob="$o_rss" -v nb="$n_rss" -v pb="$p_rss" -v ox="$o_max" -v nx="$n_max" -v px="$p_max" -v orr="$o_rest" -v nr="$n_rest" -v pr="$p_rest" 'BEGIN {
    printf "ratio opsmon / (node_exporter + process-exporter): CPU %.3f (target <= 0.25), latency %.2f\n", o/(n+p), om/(nm+pm)
    printf "  RSS (target < 1): busy %.2f, scraped once a second %.2f, at rest %.2f\n", ob/(nb+pb), ox/(nx+px), orr/(nr+pr) }'
  rss_breakdown $opsmon_pid
  curl -s http://127.0.0.1:19184/metrics | awk '/^(opsmon_memory_trims_total|dotnet_gc_committed_bytes|dotnet_total_memory_bytes|dotnet_gc_pause_seconds_total) / {printf "%s %s  ", $1, $2} END {print ""}'
}

run_set "baseline"
if [ "$extra" -gt 0 ]; then
  for _ in $(seq "$extra"); do sleep 3600 & done
  sleep 1
  run_set "+$extra idle sleep processes"
fi
