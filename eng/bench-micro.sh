#!/usr/bin/env bash
# Micro-benchmarks (BenchmarkDotNet, bench/Connectors.Micro): the SQL, T-SQL and path guards, sanitization, JSON-RPC
# writing. Release build, run in process; BenchmarkDotNet's artifacts go to artifacts/bench/micro and its markdown reports
# are copied to bench/results/micro/. Not part of CI. The PostgreSQL guard needs libpg_query (eng/test.sh installs it).
# Usage: bash eng/bench-micro.sh [filter='*'] [BenchmarkDotNet options, default: --job short]
#   e.g. bash eng/bench-micro.sh '*PathGuard*'      bash eng/bench-micro.sh '*' --job medium
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-*}
shift || true
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(--job short)
out=artifacts/bench/micro
results=bench/results/micro
dotnet build bench/Connectors.Micro -c Release -nologo -v quiet >&2
echo "[bench] $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version)" >&2
rm -rf "$out/results"
dotnet artifacts/bin/Connectors.Micro/release/Connectors.Micro.dll --filter "$filter" --inProcess --artifacts "$out" "${options[@]}"
mkdir -p "$results"
for report in "$out"/results/*-report-github.md; do
  [ -e "$report" ] || { echo "[bench] no report was written" >&2; exit 1; }
  name=$(basename "$report" -report-github.md)
  { echo "Measured $(date -u +%Y-%m-%d) with: bash eng/bench-micro.sh '$filter' ${options[*]}"; echo; cat "$report"; } > "$results/${name##*.}.md"
done
echo "[bench] reports in $results" >&2
