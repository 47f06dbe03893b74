#!/usr/bin/env bash
# Runs Opsmon's whole test suite. Installs what the tests need from Debian when missing (the real
# Prometheus, node_exporter, process-exporter and VictoriaMetrics the integration tests start on loopback,
# stress-ng for the doctor's live tests, clang for the native build), checks formatting, builds with warnings
# as errors, publishes the native build, runs every test project, and prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
[ -x /usr/bin/prometheus-node-exporter ] || need+=(prometheus-node-exporter)
[ -x /usr/bin/prometheus-process-exporter ] || need+=(prometheus-process-exporter)
[ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
command -v stress-ng >/dev/null || need+=(stress-ng)
[ -x /usr/bin/prometheus-alertmanager ] || need+=(prometheus-alertmanager)
command -v notify-send >/dev/null || need+=(libnotify-bin)
command -v dbus-daemon >/dev/null || need+=(dbus)
command -v curl >/dev/null || need+=(curl)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v clang >/dev/null || need+=(clang)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing from Debian: ${need[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # policy-rc.d 101 keeps the packages' own services from starting: the tests start their own on loopback.
  policy=/usr/sbin/policy-rc.d; created_policy=0
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null; $sudo chmod +x $policy; created_policy=1; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ $created_policy -eq 0 ] || $sudo rm -f $policy
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== restore"
dotnet restore Opsmon.slnx --verbosity quiet
echo "== format check"
dotnet format Opsmon.slnx --verify-no-changes --no-restore --verbosity quiet
echo "== build (warnings are errors)"
dotnet build Opsmon.slnx --no-restore --configuration Release -warnaserror --verbosity quiet -nologo

echo "== native build (scripts/publish-native.sh; NativeBuildTests run it)"
OPSMON_NATIVE=$(scripts/publish-native.sh artifacts/native)
export OPSMON_NATIVE="$PWD/$OPSMON_NATIVE"

echo "== test"
log=$(mktemp)
set +e
dotnet test Opsmon.slnx --no-build --configuration Release --verbosity quiet -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
