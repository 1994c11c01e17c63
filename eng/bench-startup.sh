#!/usr/bin/env bash
# Start-up and latency benchmark of the filesystem server over stdio (ReadyToRun publish):
# median ready time (process start -> answered initialize) over N runs, idle RSS, p50/p95 of 200 read_text_file calls.
# Usage: bash eng/bench-startup.sh [runs=7]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
out=artifacts/bench
rm -rf "$out/filesystem" && mkdir -p "$out/data"
echo "[bench] publishing Connectors.Filesystem (Release, ReadyToRun)" >&2
dotnet publish servers/Connectors.Filesystem -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/filesystem" -nologo -v quiet >&2
dotnet build bench/Connectors.Bench -c Release -nologo -v quiet >&2
seq 1 200 | sed 's/^/a line of text, number /' > "$out/data/sample.txt"
echo "[bench] $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version)" >&2
dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll startup "$runs" 200 sample.txt -- "$out/filesystem/Connectors.Filesystem" --root "$out/data"
