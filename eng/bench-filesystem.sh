#!/usr/bin/env bash
# Filesystem workload benchmark (issue 4): our server (ReadyToRun publish) and, when Node/npm are present, the Node
# reference server @modelcontextprotocol/server-filesystem, on the same generated 50,000-file tree, next to find and grep.
# Writes bench/results/filesystem.{md,csv}. Usage: bash eng/bench-filesystem.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=artifacts/bench
reference_version=2026.8.31
mkdir -p "$out"
echo "[bench] publishing Connectors.Filesystem (Release, ReadyToRun)" >&2
dotnet publish servers/Connectors.Filesystem -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/filesystem" -nologo -v quiet >&2
dotnet build bench/Connectors.Bench -c Release -nologo -v quiet >&2

reference=()
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -e "$out/node/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js" ]; then
    echo "[bench] installing @modelcontextprotocol/server-filesystem@$reference_version" >&2
    mkdir -p "$out/node" && (cd "$out/node" && npm install --no-save --no-audit --no-fund --loglevel=error "@modelcontextprotocol/server-filesystem@$reference_version" >/dev/null)
  fi
  reference=(-- node "$out/node/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js")
else
  echo "[bench] Node/npm not found: measuring our server and the floors only" >&2
fi

dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll filesystem "$runs" "$out/tree" bench/results \
  -- "$out/filesystem/Connectors.Filesystem" "${reference[@]}"
