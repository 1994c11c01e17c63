#!/usr/bin/env bash
# Shared by eng/bench-github.sh and eng/bench-slack.sh: publishes our server (eng/publish.sh, unless BENCH_SKIP_PUBLISH=1),
# installs the pinned Node reference server when npm is present and it is missing, and runs the workload against the
# emulator. The reference servers hard-code the real API; bench/node/redirect-fetch.cjs points them at the emulator.
#   usage: eng/bench-api.sh github|slack <npm-package>@<version> [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
server=${1:?usage: eng/bench-api.sh github|slack <npm-package>@<version> [runs]}
package=${2:?usage: eng/bench-api.sh github|slack <npm-package>@<version> [runs]}
runs=${3:-5}
out=artifacts/bench
node_prefix=$out/node
entry=$node_prefix/node_modules/${package%@*}/dist/index.js

if [ "${BENCH_SKIP_PUBLISH:-0}" != 1 ]; then
  echo "[bench] publishing the $server server (eng/publish.sh)" >&2
  bash eng/publish.sh "$server" "$out/$server" >&2
fi
dotnet build bench/Connectors.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2

reference=()
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -e "$entry" ]; then
    echo "[bench] installing $package" >&2
    mkdir -p "$node_prefix"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$node_prefix" "$package" >&2
  fi
  reference=(-- node "$entry")
else
  echo "[bench] Node/npm not found: measuring our server only" >&2
fi

echo "[bench] $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version), node $(node --version 2>/dev/null || echo none)" >&2
dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll "$server" "$runs" bench/results \
  -- "$out/$server/server" "${reference[@]}"
