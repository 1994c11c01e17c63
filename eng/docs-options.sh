#!/usr/bin/env bash
# Renders each server's --help into docs/deploying.md, between its marker comments, so the configuration reference is
# what the servers print and cannot drift from the options. tests/Connectors.Distribution.Tests (DocsOptionsReferenceTests)
# fails when the committed reference differs and names this command.
# usage: eng/docs-options.sh [--check]   (--check: change nothing, exit 1 when the reference is stale)
# Builds the four servers (Debug) first; DOCS_SKIP_BUILD=1 uses the dlls already in artifacts/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/lib/servers.sh
source eng/lib/docs.sh "$@"

doc=docs/deploying.md
work=$(mktemp)
trap 'rm -f "$work" "$work.help" "$work.block" "$work.new"' EXIT
cp "$doc" "$work"

for server in filesystem database github slack; do
  name=$(server_project "$server")
  docs_build "$name"
  # Redirected output is never wrapped to a terminal's width; trailing blanks are dropped so editors cannot break it.
  dotnet "artifacts/bin/$name/debug/$name.dll" --help </dev/null | sed 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$work.help"
  # The block is the help text in a code fence.
  { echo '```text'; cat "$work.help"; echo '```'; } > "$work.block"
  markers_replace "$work" "<!-- options:connectors-$server begin" "<!-- options:connectors-$server end -->" "$work.block" > "$work.new"
  mv "$work.new" "$work"
done

markers_finish "$doc" "$work" $DOCS_CHECK "the configuration reference" "bash eng/docs-options.sh"
