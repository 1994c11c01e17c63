#!/usr/bin/env bash
# Two builds of the filesystem server side by side over Streamable HTTP, the way issue reviews compare a change: p50/p99
# of sequential list_allowed_directories calls and calls/s with 50 clients, with --auth none and --auth api-key (audit
# off), runs alternating A B B A so drift and neighbours weigh on both alike. Each directory is a publish output
# (eng/publish.sh --r2r filesystem DIR, at each commit, e.g. in a git worktree). Prints one line per run; the medians
# are what bench/results/http-before-after.md reports.
# BENCH_TOOL and BENCH_ARGUMENTS (JSON; {file} stands for a small text file under the root) choose another tool, e.g.
# read_text_file, whose answer is the same text in both builds where list_allowed_directories gained structured content.
# Usage: bash eng/bench-http-compare.sh BEFORE_DIR AFTER_DIR [sequential-calls=3000] [seconds=10] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(realpath "${1:?usage: eng/bench-http-compare.sh BEFORE_DIR AFTER_DIR [calls] [seconds] [rounds]}")
after=$(realpath "${2:?usage: eng/bench-http-compare.sh BEFORE_DIR AFTER_DIR [calls] [seconds] [rounds]}")
calls=${3:-3000}; seconds=${4:-10}; rounds=${5:-3}
data=$(mktemp -d); trap 'rm -rf "$data"' EXIT
echo hello > "$data/a.txt"
tool=${BENCH_TOOL:-list_allowed_directories}
arguments=${BENCH_ARGUMENTS:-'{}'}
arguments=${arguments//\{file\}/$data/a.txt}
dotnet build bench/Connectors.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "[bench] $(date -u +%FT%TZ) $(nproc) cores, $(uname -m), $(dotnet --version), load $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # label dir auth
  local label=$1 dir=$2 auth=$3 port=18091 token=-
  local args=(--audit-log off)
  if [ "$auth" = api-key ]; then args+=(--auth api-key); token=$key; fi
  # --root: the spelling both builds know (later builds warn that it is deprecated).
  CONNECTORS_API_KEYS="bench:$key:filesystem:read" "$dir/Connectors.Filesystem" --root "$data" --transport http \
    --urls "http://127.0.0.1:$port" --log-level error "${args[@]}" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  printf '%-8s %-8s ' "$label" "$auth"
  dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll http-overhead "http://127.0.0.1:$port/mcp" "$tool" "$calls" 50 "$seconds" "$token" "$arguments"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for _ in $(seq 1 "$rounds"); do
  for auth in none api-key; do run before "$before" "$auth"; run after "$after" "$auth"; done
  for auth in api-key none; do run after "$after" "$auth"; run before "$before" "$auth"; done
done
echo "[bench] end $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
