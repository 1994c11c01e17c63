# Shared steps of the benchmark scripts (sourced by eng/bench.sh and eng/bench-<workload>.sh, from the repository root).
# Output goes to artifacts/bench: the published servers, the hello-world floor, the Node reference servers.
# BENCH_RESULTS: where the results go (default bench/results); BENCH_REFERENCE=0: skip the Node reference servers
# (a quicker run of ours and the floors only).
bench_out=artifacts/bench
bench_results=${BENCH_RESULTS:-bench/results}

say() { echo "[bench] $*" >&2; }

# bench_publish <server>: publishes filesystem|database|github|slack into artifacts/bench/<server> the way it ships
# (eng/publish.sh), unless BENCH_SKIP_PUBLISH=1 says eng/bench.sh already did.
bench_publish() {
  if [ "${BENCH_SKIP_PUBLISH:-0}" = 1 ] && [ -x "$bench_out/$1/server" ]; then return; fi
  say "publishing $1 (eng/publish.sh: Native AOT)"
  rm -rf "${bench_out:?}/$1"
  bash eng/publish.sh "$1" "$bench_out/$1"
}

# bench_tools: builds the harness (Connectors.Bench) and publishes the .NET hello-world floor like our servers (Native AOT).
bench_tools() {
  if [ "${BENCH_SKIP_PUBLISH:-0}" = 1 ] && [ -x "$bench_out/hello/Connectors.Bench.Hello" ] && [ -f artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll ]; then return; fi
  say "building the harness and the hello-world floor"
  dotnet build bench/Connectors.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  local rid=linux-x64
  case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; esac
  rm -rf "${bench_out:?}/hello"
  dotnet publish bench/Connectors.Bench.Hello -c Release -r "$rid" -p:PublishAot=true -p:DebugSymbols=false -nologo -v quiet -clp:ErrorsOnly \
    -p:DebugType=none -o "$bench_out/hello" >&2
}

bench_harness() { dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll "$@"; }

# bench_reference <package>: prints the entry point of a pinned Node reference server (eng/bench-node/package.json),
# installing them all into artifacts/bench/node when missing; prints nothing when Node or npm is not installed.
bench_reference() {
  if [ "${BENCH_REFERENCE:-1}" = 0 ] || ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then return; fi
  local entry="$bench_out/node/node_modules/@modelcontextprotocol/$1/dist/index.js"
  if [ ! -e "$entry" ] || ! cmp -s eng/bench-node/package-lock.json "$bench_out/node/package-lock.json"; then
    say "installing the Node reference servers (eng/bench-node) into $bench_out/node"
    mkdir -p "$bench_out/node"
    cp eng/bench-node/package.json eng/bench-node/package-lock.json "$bench_out/node/"
    (cd "$bench_out/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  echo "$entry"
}

# bench_reference_command PACKAGE WHAT [ARG...]: sets reference=(-- node ENTRY ARG...) for the Node reference server of
# @modelcontextprotocol/PACKAGE, or reference=() and says that WHAT is measured without it.
bench_reference_command() {
  local package=$1 what=$2 entry
  shift 2
  reference=()
  entry=$(bench_reference "$package")
  if [ -n "$entry" ]; then reference=(-- node "$entry" "$@"); else say "no Node/npm (or BENCH_REFERENCE=0): measuring $what only"; fi
}
