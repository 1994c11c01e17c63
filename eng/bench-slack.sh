#!/usr/bin/env bash
# Slack workload (issues 8 and 10): our server and @modelcontextprotocol/server-slack against the Slack emulator with a
# generated workspace, in the same run: ready time, tools/list bytes, latency, reply bytes and upstream calls per tool
# call, peak RSS, and a 12-call session. Writes bench/results/slack.{md,csv}. Usage: bash eng/bench-slack.sh [runs=5]
exec bash "$(dirname "$0")/bench-api.sh" slack server-slack "${1:-5}"
