#!/usr/bin/env bash
# Shared by eng/bench-github.sh and eng/bench-slack.sh: publishes our server (bench-lib.sh: unless BENCH_SKIP_PUBLISH=1),
# installs the pinned Node reference servers when npm is present (unless BENCH_REFERENCE=0), and runs the workload
# against the emulator, writing to BENCH_RESULTS (default bench/results). The reference servers hard-code the real API;
# bench/node/redirect-fetch.cjs points them at the emulator.
#   usage: eng/bench-api.sh github|slack <reference-package-name> [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/bench-lib.sh
server=${1:?usage: eng/bench-api.sh github|slack <reference-package-name> [runs]}
package=${2:?usage: eng/bench-api.sh github|slack <reference-package-name> [runs]}
runs=${3:-5}
bench_publish "$server"
bench_tools

bench_reference_command "$package" "our server"

say "$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version), node $(node --version 2>/dev/null || echo none)"
bench_harness "$server" "$runs" "$bench_results" -- "$bench_out/$server/server" "${reference[@]}"
