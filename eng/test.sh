#!/usr/bin/env bash
# Runs every test of Connectors on a fresh machine: installs what the tests need (Node.js for the MCP conformance
# suite and the MCP Inspector; PostgreSQL and libpg_query for the database server; kubectl for the deployment files;
# clang and zlib for Native AOT), builds the solution, publishes the four servers as they ship (eng/publish.sh,
# Native AOT), builds the container images from them on a Docker engine it starts where none runs (eng/images.sh),
# runs all test projects (the container tests among them), runs the tests of real server processes again against the
# published executables, and ends with one line of counts:
#   N passed, N failed, N skipped
# CONNECTORS_TEST_NATIVE=0 leaves out the publish and the native run; =only runs just those (after a build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/artifacts/test-results"

say() { printf '[test] %s\n' "$*" >&2; }
source eng/lib/apt.sh

ensure_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return
  apt_require "Node.js (20+) and npm are required for the conformance and Inspector tests" nodejs npm
}

# The database server's guard needs libpg_query; its tests start a throwaway PostgreSQL cluster (initdb + pg_ctl).
ensure_postgres() {
  local missing=()
  [ -x /usr/lib/postgresql/15/bin/initdb ] || [ -n "${CONNECTORS_TEST_POSTGRES:-}" ] || missing+=(postgresql)
  ldconfig -p 2>/dev/null | grep -q 'libpg_query\.so' || missing+=(libpg-query-dev)
  [ ${#missing[@]} -eq 0 ] && return
  apt_require "the database tests need ${missing[*]}, or CONNECTORS_TEST_POSTGRES for an existing server" "${missing[@]}"
}

# The replica tests (--redis) start a throwaway redis-server on a free loopback port, as a child process.
ensure_redis() {
  [ -x /usr/bin/redis-server ] || [ -n "${CONNECTORS_TEST_REDIS_SERVER:-}" ] && return
  apt_require "the replica tests need redis-server, or CONNECTORS_TEST_REDIS_SERVER naming one" redis-server
}

# The distribution tests render the Kubernetes manifests with kubectl's built-in kustomize.
ensure_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return
  apt_require "the distribution tests need kubectl" kubernetes-client
}

# Native AOT links with clang, and zlib into every executable.
ensure_native_toolchain() {
  command -v clang >/dev/null 2>&1 && [ -e /usr/include/zlib.h ] && return
  apt_require "Native AOT needs clang and zlib (or run with CONNECTORS_TEST_NATIVE=0)" clang zlib1g-dev
}

native_only=0; native=1
case "${CONNECTORS_TEST_NATIVE:-1}" in only) native_only=1 ;; 0) native=0 ;; esac

ensure_node
ensure_postgres
ensure_redis
ensure_kubectl
[ "$native" = 0 ] || ensure_native_toolchain
say "node $(node --version), npm $(npm --version)"
say "installing the Node test tools (eng/node)"
(cd eng/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

say "building"
dotnet build Connectors.sln -c Debug -nologo -v quiet -clp:ErrorsOnly

rm -rf "$results"
mkdir -p "$results"
status=0

# The servers as they ship, published and packed once: the distribution tests use these (CONNECTORS_PUBLISHED_SERVERS,
# CONNECTORS_PACKED_SERVERS), and the native run below starts the published executables.
servers="$root/artifacts/native-servers"
if [ "$native" = 1 ]; then
  rm -rf "$servers" "$root/artifacts/native-servers-stdio" "$root/artifacts/tool-feed"
  started=$SECONDS
  for server in Filesystem Database GitHub Slack; do
    say "publishing Connectors.$server (eng/publish.sh, Native AOT)"
    if ! bash eng/publish.sh "${server,,}" "$servers/Connectors.$server"; then
      say "eng/publish.sh ${server,,} failed"
      status=1
    fi
  done
  say "published in $((SECONDS - started)) s"
  export CONNECTORS_PUBLISHED_SERVERS="$servers"
  # Packed right after the publish, the native packages reuse its compilation (a restore in between would redo it).
  started=$SECONDS
  say "packing the tools (eng/pack.sh)"
  if bash eng/pack.sh "$root/artifacts/tool-feed"; then
    export CONNECTORS_PACKED_SERVERS="$root/artifacts/tool-feed"
  else
    say "eng/pack.sh failed"
    status=1
  fi
  say "packed in $((SECONDS - started)) s"
  # After the pack, whose linux-x64 packages compiled this build already (their command: the stdio-only executable).
  started=$SECONDS
  say "publishing Connectors.Filesystem without HTTP (eng/publish.sh --stdio-only)"
  if bash eng/publish.sh --stdio-only filesystem "$root/artifacts/native-servers-stdio/Connectors.Filesystem"; then
    export CONNECTORS_STDIO_ONLY_SERVERS="$root/artifacts/native-servers-stdio"
  else
    say "eng/publish.sh --stdio-only filesystem failed"
    status=1
  fi
  say "published in $((SECONDS - started)) s"
fi

# Containers: a Docker engine (eng/lib/docker.sh: the one running, else installed and started here, and stopped at the
# end), the four server images, a PostgreSQL, a Redis and an HAProxy built on local bases from the servers published
# above (eng/images.sh), for tests/Connectors.Container.Tests and the database tests' PostgreSQL fixture. Where no engine can
# run, the container tests are reported skipped with the reason, and the fixture falls back to initdb.
containers() {
  source eng/lib/docker.sh
  trap docker_stop_started EXIT
  export CONNECTORS_TEST_MEASUREMENTS="$results/container-measurements.txt"
  if ! docker_ensure; then
    say "no Docker engine, the container tests will be skipped: $DOCKER_UNAVAILABLE"
    export CONNECTORS_TEST_DOCKER_UNAVAILABLE="$DOCKER_UNAVAILABLE"
    return
  fi
  # No registry to pull Testcontainers' reaper from; the tests remove their containers themselves.
  export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
  if [ -z "${CONNECTORS_PUBLISHED_SERVERS:-}" ]; then
    # Images left from an earlier run would be tested as if they were this checkout's.
    say "no published servers (CONNECTORS_TEST_NATIVE=0): the container tests will be skipped"
    export CONNECTORS_TEST_DOCKER_UNAVAILABLE="the servers were not published in this run (CONNECTORS_TEST_NATIVE=0), so no images were built from this checkout"
    return
  fi
  say "building the container images (eng/images.sh)"
  if bash eng/images.sh --bases local --published "$CONNECTORS_PUBLISHED_SERVERS" 2>&1 | tee "$results/images.log" >&2; then
    grep -E 'four server images' "$results/images.log" | sed 's/^\[images\] //' >> "$CONNECTORS_TEST_MEASUREMENTS" || true
    export CONNECTORS_TEST_POSTGRES_IMAGE=connectors-local/postgres:15
    export CONNECTORS_TEST_REDIS_IMAGE=connectors-local/redis:7 CONNECTORS_TEST_HAPROXY_IMAGE=connectors-local/haproxy:2.6
  else
    say "eng/images.sh failed"
    status=1
  fi
}
[ "$native_only" = 1 ] || containers

if [ "$native_only" = 0 ]; then
  say "testing"
  dotnet test Connectors.sln -c Debug --no-build --nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" || status=$?
fi

# Native AOT breaks at run time, not at build time: the tests marked Category=ServerProcess (every tool of every server
# over stdio and HTTP, conformance, auth, guards, doctor/healthcheck) run again against the published executables.
# ServerProcess refuses to start a managed dll while CONNECTORS_TEST_SERVERS_DIR is set, so nothing falls back to one.
if [ "$native" = 1 ]; then
  say "testing the native servers"
  started=$SECONDS
  for project in Filesystem Database GitHub Slack; do
    CONNECTORS_TEST_SERVERS_DIR="$servers" dotnet test "tests/Connectors.$project.Tests" -c Debug --no-build --nologo \
      --filter "Category=ServerProcess" --logger "trx" --logger "console;verbosity=normal" \
      --results-directory "$results/native" || status=$?
  done
  say "native tests ran in $((SECONDS - started)) s"
fi

# Sum the counters of every TRX report: one per test project, and one per project of the native run.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx "$results"/native/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$(get total); executed=$(get executed)
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + total - executed))
done

if [ "$failed" -gt 0 ]; then
  python3 eng/lib/trx-failures.py "$results"/*.trx "$results"/native/*.trx >&2 2>/dev/null ||
    say "failed tests: see the TRX reports in $results"
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  say "no test results were found"
  status=1
fi
if [ -s "$results/container-measurements.txt" ]; then
  say "containers, as measured in this run:"
  sed 's/^/[test]   /' "$results/container-measurements.txt" >&2
fi
# The engine started here stops before the count line, which must be the run's last line.
if declare -F docker_stop_started >/dev/null; then
  docker_stop_started
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
