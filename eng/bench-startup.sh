#!/usr/bin/env bash
# Start-up benchmark (issue 19): the filesystem server as it ships (eng/publish.sh, Native AOT) beside the Node reference
# server @modelcontextprotocol/server-filesystem and the hello-world floor (Native AOT too), runs interleaved in one run:
# stdio ready time (start -> initialize answered), idle RSS, read_text_file p50/p95, and ours over HTTP to the first
# answered tools/list. Writes bench/results/startup.{csv,md}.
# Usage: bash eng/bench-startup.sh [runs=9] [calls=200]   (BENCH_SKIP_PUBLISH=1: reuse what eng/bench.sh published)
# BENCH_STDIO_ONLY=1: stdio measured on the build without HTTP (eng/publish.sh --stdio-only), HTTP on the full one.
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/bench-lib.sh
runs=${1:-9}
calls=${2:-200}
bench_publish filesystem
bench_tools

bench_reference_command server-filesystem "our server and the floor"

ours="$bench_out/filesystem/server"
if [ "${BENCH_STDIO_ONLY:-0}" = 1 ]; then
  if [ "${BENCH_SKIP_PUBLISH:-0}" != 1 ] || [ ! -x "$bench_out/filesystem-stdio/server" ]; then
    say "publishing filesystem without HTTP (eng/publish.sh --stdio-only)"
    rm -rf "${bench_out:?}/filesystem-stdio"
    bash eng/publish.sh --stdio-only filesystem "$bench_out/filesystem-stdio"
  fi
  ours="$bench_out/filesystem-stdio/server"
  export BENCH_HTTP_SERVER="$bench_out/filesystem/server"
fi

mkdir -p "$bench_out/startup"
say "$(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version)"
bench_harness startup "$runs" "$calls" "$bench_out/startup" "$bench_results" "$bench_out/hello/Connectors.Bench.Hello" \
  -- "$ours" "${reference[@]}"
