#!/usr/bin/env bash
# Benchmark of the database server over stdio against a throwaway PostgreSQL cluster with a 200,000-row table:
# point-query p50/p95, SELECT * with the default cap, SELECT * of the whole table, and psql's COPY of the same rows for
# comparison. Needs postgresql (initdb, pg_ctl, psql) and libpg-query-dev. Usage: bash eng/bench-database.sh [calls=200]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-200}
bin=${CONNECTORS_TEST_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
out=artifacts/bench
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

dir=$(as_postgres mktemp -d /tmp/connectors-bench-pg-XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres)
"${psql[@]}" -c "CREATE TABLE bench AS SELECT g AS id, 'customer-' || g AS name, round((g % 10000) * 1.37, 2)::numeric(12,2) AS amount,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' AS created_at FROM generate_series(1, 200000) g;
  ALTER TABLE bench ADD PRIMARY KEY (id); ANALYZE bench;"

echo "[bench] publishing Connectors.Database (Release, ReadyToRun)" >&2
rm -rf "$out/database"
dotnet publish servers/Connectors.Database -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/database" -nologo -v quiet >&2
dotnet build bench/Connectors.Database.Bench -c Release -nologo -v quiet >&2
echo "[bench] $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version)" >&2

copy_ms=()
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  "${psql[@]}" -c "COPY (SELECT * FROM bench) TO STDOUT" >/dev/null
  copy_ms+=($(( ($(date +%s%N) - start) / 1000000 )))
done
echo "psql_copy_ms=$(printf '%s\n' "${copy_ms[@]}" | sort -n | sed -n 3p) (median of 5)"

dotnet artifacts/bin/Connectors.Database.Bench/release/Connectors.Database.Bench.dll "$calls" bench -- \
  "$out/database/Connectors.Database" --connection-string "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres" \
  --max-rows 1000000 --max-output-bytes 16777216
