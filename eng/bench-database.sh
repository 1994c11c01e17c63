#!/usr/bin/env bash
# Database workload (issue 5) on a throwaway PostgreSQL cluster: a 200,000-row table and a 300-table schema; our server
# and, when Node/npm are present, the Node reference @modelcontextprotocol/server-postgres on the same cluster, next to
# psql COPY and a .NET hello-world process. Writes bench/results/database.{csv,md}.
# Needs postgresql (initdb, pg_ctl, psql). Usage: bash eng/bench-database.sh [runs=5] [calls=200]
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/bench-lib.sh
runs=${1:-5}
calls=${2:-200}
bin=${CONNECTORS_TEST_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
bench_publish database
bench_tools

dir=$(as_postgres mktemp -d /tmp/connectors-bench-pg-XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
url="postgresql://postgres@127.0.0.1:$port/postgres"
say "generating the tables"
"$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$url" <<'SQL'
CREATE TABLE bench AS SELECT g AS id, 'customer-' || g AS name, round((g % 10000) * 1.37, 2)::numeric(12,2) AS amount,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' AS created_at FROM generate_series(1, 200000) g;
ALTER TABLE bench ADD PRIMARY KEY (id);
DO $$ BEGIN
  FOR i IN 1..300 LOOP
    EXECUTE format('CREATE TABLE wide_%s (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), note text,
      created_at timestamptz NOT NULL DEFAULT now(), bench_id int REFERENCES bench (id))', lpad(i::text, 3, '0'));
    EXECUTE format('CREATE INDEX ON wide_%s (created_at)', lpad(i::text, 3, '0'));
  END LOOP;
END $$;
ANALYZE;
SQL

bench_reference_command server-postgres "our server and the floors" "$url"

# The server refuses secrets on its command line; the harness and the server read the connection string from here.
CONNECTORS_DATABASE_CONNECTION_STRING="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres" \
  bench_harness database "$runs" "$calls" "$bench_results" "$bench_out/hello/Connectors.Bench.Hello" "$url" "$bin/psql" \
  -- "$bench_out/database/server" "${reference[@]}"
