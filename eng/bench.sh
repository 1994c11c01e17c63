#!/usr/bin/env bash
# THE benchmark command (issue 10): every workload, ours side by side with the Node reference servers and the physical
# floors in the same run, then the report: bench/results/<workload>.{csv,md}, summary.md, ratios.csv, ratios.svg/.png.
# On a fresh Debian machine as root it installs what is missing (apt-get: postgresql, libpg-query-dev, librsvg2-bin,
# fonts-dejavu-core, and nodejs/npm; npm: the pinned reference servers of eng/bench-node into artifacts/bench/node).
# Without Node it measures ours and the floors and says so.
# Usage: bash eng/bench.sh [runs=5]   (BENCH_RESULTS=dir: results elsewhere; BENCH_REFERENCE=0: without the reference servers)
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/bench-lib.sh
source eng/lib/apt.sh
runs=${1:-5}
started=$(date +%s)

postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
missing=()
[ -n "$(postgres_bin)" ] || missing+=(postgresql)
dpkg -s libpg-query-dev >/dev/null 2>&1 || missing+=(libpg-query-dev)
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}" || say "missing ${missing[*]} (apt-get install ${missing[*]} as root): the workloads that need them are skipped"
fi

if [ "${BENCH_REFERENCE:-1}" != 0 ] && ! { command -v node && command -v npm; } >/dev/null 2>&1 && apt_can_install; then
  say "installing Node.js and npm (Debian) for the reference servers"
  apt_install nodejs || say "apt-get could not install nodejs"
  command -v npm >/dev/null 2>&1 || apt_install npm || say "apt-get could not install npm"
fi
if [ -n "$(bench_reference server-filesystem)" ]; then
  say "Node $(node --version): the reference servers run side by side"
else
  say "no Node/npm (or BENCH_REFERENCE=0): measuring our servers and the floors only (no reference columns, no ours/reference ratios)"
fi

export BENCH_SKIP_PUBLISH=0
for server in filesystem database github slack; do bench_publish "$server"; done
bench_tools
export BENCH_SKIP_PUBLISH=1

failed=()
run_workload() { # script, arguments...
  local script=$1; shift
  if [ ! -f "$script" ]; then say "$script is not there yet: skipped"; return; fi
  say "== $script $*"
  if ! bash "$script" "$@"; then failed+=("$script"); say "$script failed"; fi
}

run_workload eng/bench-filesystem.sh "$runs"
if [ -n "$(postgres_bin)" ]; then run_workload eng/bench-database.sh "$runs"; else say "no PostgreSQL: database workload skipped"; fi
run_workload eng/bench-github.sh "$runs"
run_workload eng/bench-slack.sh "$runs"
run_workload eng/bench-http.sh "$runs"

bench_harness report "$bench_results"
if command -v rsvg-convert >/dev/null 2>&1; then
  rsvg-convert -o "$bench_results/ratios.png" "$bench_results/ratios.svg"
else
  say "no rsvg-convert: $bench_results/ratios.svg only"
fi
say "done in $(( $(date +%s) - started )) s: $bench_results/summary.md, ratios.csv, ratios.png"
if [ ${#failed[@]} -gt 0 ]; then say "failed: ${failed[*]}"; exit 1; fi
