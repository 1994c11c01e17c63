#!/usr/bin/env bash
# GitHub workload (issues 7 and 10): our server and @modelcontextprotocol/server-github against the GitHub emulator with
# a generated repository, in the same run: ready time, tools/list bytes, latency, reply bytes and upstream calls per
# tool call, peak RSS, and a 14-call session. Writes bench/results/github.{md,csv}. Usage: bash eng/bench-github.sh [runs=5]
exec bash "$(dirname "$0")/bench-api.sh" github server-github "${1:-5}"
