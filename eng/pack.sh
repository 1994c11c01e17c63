#!/usr/bin/env bash
# Packs servers as .NET tools into a folder feed, the way they are published to NuGet:
#   Connectors.X            the package users name (dotnet tool install / dnx): no binaries, it points at the next two
#   Connectors.X.linux-x64  Native AOT, installed on linux-x64: the stdio-only executable is the command (an IDE runs
#                           many; it idles in less memory) and the full build beside it, Connectors.X-http, which the
#                           command execs in its place when asked for --transport http (HttpBuildHandoff)
#   Connectors.X.any        the framework-dependent build, installed everywhere else (needs the .NET 10 runtime)
# usage: eng/pack.sh OUTPUT_DIR [filesystem|database|github|slack ...]   (default: all four)
# The native package needs clang and zlib, as eng/publish.sh does. Its publish properties are eng/publish.sh's (full and
# --stdio-only), so a server published by it first is not compiled again (same intermediate folders, nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/lib/servers.sh

output=${1:?usage: eng/pack.sh OUTPUT_DIR [filesystem|database|github|slack ...]}
shift
[ $# -gt 0 ] || set -- filesystem database github slack
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
mkdir -p "$output"

# The native packages first, all of them: right after eng/publish.sh they reuse its compilation. A restore for another
# runtime (the pointer and `any` packs below) rewrites the shared projects' assets and would make each compile again.
common=(-c Release -nologo -v quiet -clp:ErrorsOnly -p:DebugType=none -p:SatelliteResourceLanguages=en -o "$output")
full=$(mktemp -d); trap 'rm -rf "$full"' EXIT
for server in "$@"; do
  name=$(server_project "$server") || exit 2
  bash eng/publish.sh "$server" "$full/$server" "$rid"
  dotnet pack "servers/$name" -r "$rid" -p:PublishAot=true -p:DebugSymbols=false -p:StripSymbols=true \
    -p:ConnectorsStdioOnly=true -p:ConnectorsHttpBuild="$full/$server/$name" \
    -p:ArtifactsPivots="release_aot_stdio_$rid" "${common[@]}"
done
for server in "$@"; do
  name=$(server_project "$server")
  # PublishAot on the outer pack makes it write only the pointer package; the native and `any` packages carry the builds.
  dotnet pack "servers/$name" -p:PublishAot=true "${common[@]}"
  dotnet pack "servers/$name" -r any -p:PublishAot=false "${common[@]}"
done
