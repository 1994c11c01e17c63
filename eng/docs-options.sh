#!/usr/bin/env bash
# Renders each server's --help into docs/deploying.md, between its marker comments, so the configuration reference is
# what the servers print and cannot drift from the options. tests/Connectors.Distribution.Tests (DocsOptionsReferenceTests)
# fails when the committed reference differs and names this command.
# usage: eng/docs-options.sh [--check]   (--check: change nothing, exit 1 when the reference is stale)
# Builds the four servers (Debug) first; DOCS_SKIP_BUILD=1 uses the dlls already in artifacts/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/lib/servers.sh

check=0
[ "${1:-}" = --check ] && check=1
doc=docs/deploying.md
work=$(mktemp)
trap 'rm -f "$work" "$work.block" "$work.new"' EXIT
cp "$doc" "$work"

for server in filesystem database github slack; do
  name=$(server_project "$server")
  if [ "${DOCS_SKIP_BUILD:-0}" != 1 ]; then
    dotnet build "servers/$name" -nologo -v quiet -clp:ErrorsOnly >&2
  fi
  # Redirected output is never wrapped to a terminal's width; trailing blanks are dropped so editors cannot break it.
  dotnet "artifacts/bin/$name/debug/$name.dll" --help </dev/null | sed 's/[[:space:]]*$//' > "$work.block"
  begin="<!-- options:connectors-$server begin"
  end="<!-- options:connectors-$server end -->"
  grep -qF "$begin" "$work" || { echo "$doc has no '$begin' marker" >&2; exit 2; }
  awk -v begin="$begin" -v end="$end" -v block="$work.block" '
    index($0, begin) == 1 { print; print "```text"; while ((getline line < block) > 0) buffer = buffer line "\n";
                            sub(/\n+$/, "\n", buffer); printf "%s", buffer; print "```"; skipping = 1; next }
    index($0, end) == 1   { skipping = 0 }
    !skipping             { print }' "$work" > "$work.new"
  mv "$work.new" "$work"
done

if cmp -s "$work" "$doc"; then
  echo "$doc: the configuration reference matches the servers' --help" >&2
elif [ $check = 1 ]; then
  diff -u "$doc" "$work" >&2 || true
  echo "$doc: the configuration reference is stale; run: bash eng/docs-options.sh" >&2
  exit 1
else
  cp "$work" "$doc"
  echo "$doc: configuration reference rewritten from the servers' --help" >&2
fi
