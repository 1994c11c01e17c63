#!/usr/bin/env bash
# Publishes one server the way it ships: the container images copy this output, and the test run (eng/test.sh) runs
# its tests of real server processes again against it.
#   usage: eng/publish.sh [--r2r [--composite] | --stdio-only] filesystem|database|github|slack OUTPUT_DIR [RUNTIME_ID]
# Default: Native AOT, one self-contained native executable (no managed entry assembly, no .NET runtime needed), release,
# no debug symbols. It needs clang and zlib (Debian: clang zlib1g-dev). The database server's native build has no SQL
# Server support (Microsoft.Data.SqlClient does not run under Native AOT) and says so at start-up.
# --r2r: framework-dependent on the ASP.NET Core runtime, ReadyToRun, for platforms with no native build and for SQL
# Server. --composite (with --r2r): self-contained, the server and the runtime precompiled together as one composite
# ReadyToRun image: ready sooner than --r2r, at a larger output and RSS.
# --stdio-only: Native AOT without the HTTP transport (no ASP.NET Core or Kestrel in the executable): a third smaller and
# a quarter less idle memory; `--transport http` is refused at start with exit code 2.
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/lib/servers.sh

usage="usage: eng/publish.sh [--r2r [--composite] | --stdio-only] filesystem|database|github|slack OUTPUT_DIR [RUNTIME_ID]"
form=native
stdio_only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --r2r) form=r2r; shift ;;
    --stdio-only) stdio_only=(-p:ConnectorsStdioOnly=true); shift ;;
    --composite) [ "$form" = r2r ] || { echo "--composite goes with --r2r; $usage" >&2; exit 2; }; form=composite; shift ;;
    -*) echo "unknown option '$1'; $usage" >&2; exit 2 ;;
    *) break ;;
  esac
done
server=${1:?$usage}
output=${2:?$usage}
case "$(uname -m)" in aarch64|arm64) default_rid=linux-arm64 ;; *) default_rid=linux-x64 ;; esac
rid=${3:-$default_rid}

name=$(server_project "$server") || exit 2
if [ ${#stdio_only[@]} -gt 0 ] && [ "$form" != native ]; then echo "--stdio-only is a Native AOT form; $usage" >&2; exit 2; fi
case "$form" in
  native)
    if ! command -v clang >/dev/null 2>&1; then
      echo "Native AOT needs clang and zlib (apt-get install clang zlib1g-dev), or publish with --r2r." >&2
      exit 1
    fi
    # StripSymbols would leave the symbols beside the binary in a .dbg file; DebugSymbols=false writes none.
    pivot=release_aot_$rid; [ ${#stdio_only[@]} -eq 0 ] || pivot=release_aot_stdio_$rid
    mode=(-p:PublishAot=true -p:DebugSymbols=false -p:StripSymbols=true -p:ArtifactsPivots="$pivot" "${stdio_only[@]}") ;;
  r2r)
    mode=(-p:PublishAot=false --self-contained false -p:PublishReadyToRun=true -p:ArtifactsPivots="release_$rid") ;;
  composite)
    mode=(-p:PublishAot=false --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true
          -p:ArtifactsPivots="release_composite_$rid") ;;
esac

rm -rf "$output"
dotnet publish "servers/$name" -c Release -r "$rid" "${mode[@]}" -nologo -v quiet -clp:ErrorsOnly \
  -p:DebugType=none -p:SatelliteResourceLanguages=en -o "$output"
rm -f "$output"/*.dbg
# One entry point name whatever the server (the image's ENTRYPOINT and HEALTHCHECK use it).
ln -sfn "$name" "$output/server"
