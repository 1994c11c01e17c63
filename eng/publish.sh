#!/usr/bin/env bash
# Publishes one server the way its container image ships it: Release, framework-dependent on the ASP.NET Core runtime,
# ReadyToRun (precompiled, so a replica is ready sooner), no debug symbols. The Dockerfile runs exactly this; so does
# the distribution test suite, which then starts the output as the image would.
#   usage: eng/publish.sh filesystem|database|github|slack OUTPUT_DIR [RUNTIME_ID]
# CONNECTORS_PUBLISH_COMPOSITE=1 publishes self-contained instead, the server and the .NET runtime precompiled together
# as one composite ReadyToRun image. Framework-dependent, ReadyToRun cannot precompile the runtime's generic code for
# other assemblies' types (System.Text.Json metadata of the protocol types above all), so ~1,700 methods are compiled at
# start-up; composite, ~300. Measured on the database server (eng/bench-database.sh): ready 152 ms instead of 205, but
# idle RSS 90 MB instead of 66, a 179 MB output instead of 36, and a publish of minutes instead of seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

server=${1:?usage: eng/publish.sh filesystem|database|github|slack OUTPUT_DIR [RUNTIME_ID]}
output=${2:?usage: eng/publish.sh filesystem|database|github|slack OUTPUT_DIR [RUNTIME_ID]}
case "$(uname -m)" in aarch64|arm64) default_rid=linux-arm64 ;; *) default_rid=linux-x64 ;; esac
rid=${3:-$default_rid}

case "$server" in
  filesystem) name=Connectors.Filesystem ;;
  database) name=Connectors.Database ;;
  github) name=Connectors.GitHub ;;
  slack) name=Connectors.Slack ;;
  *) echo "unknown server '$server' (filesystem, database, github, slack)" >&2; exit 2 ;;
esac

if [ "${CONNECTORS_PUBLISH_COMPOSITE:-0}" = 1 ]; then
  mode=(--self-contained true -p:PublishReadyToRunComposite=true -p:ArtifactsPivots="release_composite_$rid")
else
  mode=(--self-contained false -p:ArtifactsPivots="release_$rid")
fi
dotnet publish "servers/$name" -c Release -r "$rid" "${mode[@]}" -nologo -v quiet -clp:ErrorsOnly \
  -p:PublishReadyToRun=true -p:DebugType=none -p:SatelliteResourceLanguages=en -o "$output"
# One entry point name whatever the server (the image's ENTRYPOINT and HEALTHCHECK use it).
ln -sfn "$name" "$output/server"
