#!/usr/bin/env bash
# Overhead of authentication + audit on a trivial tool call over Streamable HTTP (filesystem server, Release build):
# p50/p99 of sequential list_allowed_directories calls and calls/s with 50 concurrent clients, with --auth none and
# no audit versus --auth api-key without and with the audit log written to a file. Runs each configuration twice, alternating.
# Usage: bash eng/bench-http-auth.sh [sequential-calls=2000] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-2000}
seconds=${2:-10}
out=artifacts/bench-http
rm -rf "$out" && mkdir -p "$out/data"
bash eng/publish.sh --r2r filesystem "$out/filesystem" >&2
dotnet build bench/Connectors.Bench -c Release -nologo -v quiet >&2
key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "[bench] $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version)" >&2

run() { # name, port, token, server args...
  local name=$1 port=$2 token=$3; shift 3
  "$out/filesystem/Connectors.Filesystem" --roots "$out/data" --transport http --urls "http://127.0.0.1:$port" --log-level warning "$@" 2>"$out/$name.stderr" &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  printf '%-28s ' "$name" 
  dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll http-overhead "http://127.0.0.1:$port/mcp" list_allowed_directories "$calls" 50 "$seconds" $token
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for round in 1 2; do
  run "none, no audit ($round)" 18081 "" --audit-log off
  CONNECTORS_API_KEYS="bench:$key:filesystem:read" run "api-key, no audit ($round)" 18083 "$key" --auth api-key --audit-log off
  CONNECTORS_API_KEYS="bench:$key:filesystem:read" run "api-key + audit file ($round)" 18082 "$key" --auth api-key --audit-log "$out/audit.jsonl"
done
if grep -q "$key" "$out"/*.stderr "$out"/audit.jsonl*; then echo "[bench] the key appears in a log" >&2; exit 1; fi
echo "[bench] audit lines written: $(cat "$out"/audit.jsonl* | wc -l)" >&2
