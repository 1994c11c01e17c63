#!/usr/bin/env bash
# Filesystem workload (issue 4): our server (as published) and, when Node/npm are present, the Node reference server
# @modelcontextprotocol/server-filesystem, on the same generated 50,000-file tree, next to find, grep -rl and a .NET
# hello-world process. Each run is a fresh process. Writes bench/results/filesystem.{csv,md}.
# Usage: bash eng/bench-filesystem.sh [runs=5]   (BENCH_SKIP_PUBLISH=1: reuse what eng/bench.sh published)
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/bench-lib.sh
runs=${1:-5}
bench_publish filesystem
bench_tools

bench_reference_command server-filesystem "our server and the floors"

bench_harness filesystem "$runs" "$bench_out/tree" "$bench_results" "$bench_out/hello/Connectors.Bench.Hello" \
  -- "$bench_out/filesystem/server" "${reference[@]}"
