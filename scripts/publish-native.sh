#!/usr/bin/env bash
# Publishes Opsmon's native build: one self-contained executable compiled ahead of time (NativeAOT), no .NET
# runtime needed on the target, about a third of the JIT build's resident memory and no JIT warm-up
# (docs/benchmarks.md). Needs clang and zlib's headers (apt-get install clang zlib1g-dev) besides the .NET SDK.
#   scripts/publish-native.sh [OUT_DIR]      (default artifacts/native; the executable is OUT_DIR/opsmon)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/native}
[ $# -eq 0 ] || shift # the rest goes to dotnet publish
for bin in clang; do
  command -v $bin >/dev/null || { echo "missing $bin: apt-get install clang zlib1g-dev" >&2; exit 1; }
done
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "no native build for $(uname -m); use the dotnet tool" >&2; exit 1 ;;
esac
dotnet publish src/Opsmon -c Release -r "$rid" -p:PublishAot=true -o "$out" --nologo -v quiet "$@" >&2
echo "$out/opsmon"
