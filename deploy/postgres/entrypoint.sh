#!/usr/bin/env bash
# Starts PostgreSQL; on an empty data directory first creates the cluster from the POSTGRES_* settings and runs the
# scripts in /docker-entrypoint-initdb.d (*.sh, *.sql) on a server that listens only on its Unix socket, so nothing
# connects over TCP (and no readiness probe passes) before they are done.
set -euo pipefail

# Arguments that are options go to the server (as Testcontainers passes -c fsync=off).
if [ $# -eq 0 ] || [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi
if [ "$1" != postgres ]; then exec "$@"; fi
shift

if [ "$(id -u)" = 0 ]; then
  # Started as root (docker run --user 0): hand the data directory to postgres and run as postgres.
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" postgres "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "postgres-entrypoint: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust) for a new cluster" >&2
    exit 1
  fi
  password_file=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$password_file"
  initdb --pgdata="$PGDATA" --username="$user" --pwfile="$password_file" --auth-local=trust --auth-host="$auth" \
    --encoding=UTF8 --locale=C.UTF-8 --no-instructions >&2
  rm -f "$password_file"
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
  printf 'host all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"

  pg_ctl --pgdata="$PGDATA" --wait --options="-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" start >&2
  export PGUSER=$user PGHOST=/var/run/postgresql
  database=${POSTGRES_DB:-$user}
  if [ "$database" != postgres ]; then
    psql -v ON_ERROR_STOP=1 --dbname=postgres --set=db="$database" --quiet <<< 'CREATE DATABASE :"db"' >&2
  fi
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "postgres-entrypoint: running $script" >&2; bash "$script" ;;
      *.sql) echo "postgres-entrypoint: running $script" >&2; psql -v ON_ERROR_STOP=1 --dbname="$database" --file="$script" >&2 ;;
      *) ;;
    esac
  done
  unset PGUSER PGHOST
  pg_ctl --pgdata="$PGDATA" --wait --mode=fast stop >&2
  echo "postgres-entrypoint: cluster ready" >&2
fi

exec postgres "$@"
