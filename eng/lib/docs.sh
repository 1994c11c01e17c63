# Sourced by the eng/docs-*.sh scripts (as `source eng/lib/docs.sh "$@"`): generated blocks between marker comments in
# a markdown file, rendered from the built servers.
#   DOCS_CHECK              -> 1 when the script was given --check (change nothing, fail when stale)
#   docs_build NAME         -> builds servers/NAME (Debug), unless DOCS_SKIP_BUILD=1 says the dlls in artifacts/bin will do
DOCS_CHECK=0
[ "${1:-}" = --check ] && DOCS_CHECK=1

docs_build() {
  [ "${DOCS_SKIP_BUILD:-0}" = 1 ] || dotnet build "servers/$1" -nologo -v quiet -clp:ErrorsOnly >&2
}

# markers_replace FILE BEGIN END BLOCK_FILE: prints FILE with the lines between the line starting with BEGIN and the one
# starting with END replaced by BLOCK_FILE (trailing blank lines dropped); fails naming FILE when BEGIN is missing.
markers_replace() {
  local file=$1 begin=$2 end=$3 block=$4
  grep -qF "$begin" "$file" || { echo "$file has no '$begin' marker" >&2; return 2; }
  awk -v begin="$begin" -v end="$end" -v block="$block" '
    index($0, begin) == 1 { print; while ((getline line < block) > 0) buffer = buffer line "\n";
                            sub(/\n+$/, "\n", buffer); printf "%s", buffer; skipping = 1; next }
    index($0, end) == 1   { skipping = 0 }
    !skipping             { print }' "$file"
}

# markers_finish FILE NEW CHECK WHAT: with CHECK=1 fails (showing the diff) when NEW differs from FILE; otherwise
# copies NEW over FILE. WHAT names the generated part in the messages.
markers_finish() {
  local file=$1 new=$2 check=$3 what=$4 command=$5
  if cmp -s "$new" "$file"; then
    echo "$file: $what is current" >&2
  elif [ "$check" = 1 ]; then
    diff -u "$file" "$new" >&2 || true
    echo "$file: $what is stale; run: $command" >&2
    return 1
  else
    cp "$new" "$file"
    echo "$file: $what rewritten" >&2
  fi
}
