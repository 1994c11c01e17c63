#!/usr/bin/env bash
# Publishes one server the way its container image ships it: Release, framework-dependent on the ASP.NET Core runtime,
# ReadyToRun (precompiled, so a replica is ready sooner), no debug symbols. The Dockerfile runs exactly this; so does
# the distribution test suite, which then starts the output as the image would.
#   usage: eng/publish.sh filesystem|database|github|slack OUTPUT_DIR [RUNTIME_ID]
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

dotnet publish "servers/$name" -c Release -r "$rid" --self-contained false -nologo -v quiet -clp:ErrorsOnly \
  -p:PublishReadyToRun=true -p:DebugType=none -p:SatelliteResourceLanguages=en \
  -p:ArtifactsPivots="release_$rid" -o "$output"
# One entry point name whatever the server (the image's ENTRYPOINT and HEALTHCHECK use it).
ln -sfn "$name" "$output/server"
