#!/usr/bin/env bash
# HTTP throughput of the four servers as deployed (--transport http, API-key auth, audit log to a file): idle RSS,
# calls/s and p50/p99 latency of one representative read tool with 1, 8 and 50 concurrent clients (1.5 s per run), peak
# RSS. Filesystem reads a file of a small tree; database runs a point query on a throwaway PostgreSQL cluster (skipped
# when PostgreSQL is not installed); GitHub and Slack run against their emulators. Writes bench/results/http.{md,csv}.
# Publishes with eng/publish.sh unless BENCH_SKIP_PUBLISH=1. Usage: bash eng/bench-http.sh [runs=5]
# BENCH_REDIS=1 measures instead what --redis costs per call, in-process and Redis-backed limits and idempotency claims
# alternated over [runs] rounds: eng/bench-redis.sh, which writes bench/results/redis.{md,csv}.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
if [ "${BENCH_REDIS:-0}" = 1 ]; then
  exec bash eng/bench-redis.sh "$runs"
fi
out=artifacts/bench
bin=${CONNECTORS_TEST_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
servers=(filesystem github slack)
if [ -x "$bin/initdb" ]; then
  servers=(filesystem database github slack)
else
  echo "[bench] PostgreSQL not found in $bin: database left out" >&2
fi

for server in "${servers[@]}"; do
  if [ "${BENCH_SKIP_PUBLISH:-0}" != 1 ]; then
    echo "[bench] publishing the $server server (eng/publish.sh)" >&2
    bash eng/publish.sh "$server" "$out/$server" >&2
  fi
done
dotnet build bench/Connectors.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2

connection=()
if [[ " ${servers[*]} " == *" database "* ]]; then
  as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  pg=$(as_postgres mktemp -d /tmp/connectors-bench-http-pg-XXXXXX)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  trap 'as_postgres "$bin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$pg"' EXIT
  as_postgres "$bin/initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  as_postgres "$bin/pg_ctl" -D "$pg/data" -l "$pg/log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $pg -c fsync=off" start >/dev/null
  "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE TABLE bench AS SELECT g AS id, 'customer-' || g AS name,
    round((g % 10000) * 1.37, 2)::numeric(12,2) AS amount, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' AS created_at
    FROM generate_series(1, 10000) g; ALTER TABLE bench ADD PRIMARY KEY (id); ANALYZE bench;"
  connection=(-- "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres")
fi

echo "[bench] $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version)" >&2
dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll http "$runs" bench/results \
  $(for server in "${servers[@]}"; do printf '%s=%s ' "$server" "$out/$server/server"; done) "${connection[@]}"
