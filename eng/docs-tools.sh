#!/usr/bin/env bash
# Renders each server's tools (name, title, annotations, definition size) from its own tools/list into its README,
# between marker comments, so the table is what the server offers and cannot drift. tests/Connectors.Distribution.Tests
# (DocsToolsTableTests) runs this with --check and fails when a committed table is stale.
# usage: eng/docs-tools.sh [--check]   (--check: change nothing, exit 1 when a table is stale)
# Builds the four servers (Debug) first; DOCS_SKIP_BUILD=1 uses the dlls already in artifacts/bin. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/lib/servers.sh
source eng/lib/docs.sh "$@"

work=$(mktemp)
trap 'rm -rf "$work" "$work.block" "$work.roots"' EXIT
mkdir -p "$work.roots"
stale=0

# Every tool offered: write tools switched on, all toolsets, placeholder credentials (listing tools calls no upstream).
run_server() {
  local name=$1
  local dll="artifacts/bin/$name/debug/$name.dll"
  case "$name" in
    Connectors.Filesystem) exec dotnet "$dll" --roots "$work.roots" --allow-write ;;
    Connectors.Database) CONNECTORS_DATABASE_CONNECTION_STRING="Host=127.0.0.1;Database=docs;Username=docs" exec dotnet "$dll" ;;
    Connectors.GitHub) GITHUB_TOKEN=ghp_docs exec dotnet "$dll" --toolsets all ;;
    Connectors.Slack) SLACK_BOT_TOKEN=xoxb-docs SLACK_USER_TOKEN=xoxp-docs exec dotnet "$dll" --allow-post-channels '*' ;;
  esac
}

for server in filesystem database github slack; do
  name=$(server_project "$server")
  docs_build "$name"
  export -f run_server
  export work
  python3 eng/lib/tools-table.py bash -c "run_server $name" > "$work.block"
  readme="servers/$name/README.md"
  markers_replace "$readme" "<!-- tools:connectors-$server begin" "<!-- tools:connectors-$server end -->" "$work.block" > "$work"
  markers_finish "$readme" "$work" $DOCS_CHECK "the tools table" "bash eng/docs-tools.sh" || stale=1
done

exit $stale
