#!/usr/bin/env bash
# What --redis costs per call (issue 23): the published GitHub server over HTTP (api-key auth, audit on), with rate
# limits that never refuse on get_issue and with create_issue repeating one idempotency_key (every call after the first
# a replay: no GitHub request), each in process and against a throwaway redis-server on this machine. The machine is
# shared, so the variants alternate: each round runs in-process then Redis (Redis first on even rounds) for one 1.5 s
# run per client count (1, 8, 50), and the load average is taken before every round. Medians over the rounds go to
# bench/results/redis.{md,csv}; each round's own results stay in artifacts/bench/redis/round-N.
#   usage: bash eng/bench-redis.sh [rounds=6]    (also: BENCH_REDIS=1 bash eng/bench-http.sh [rounds])
# Publishes the GitHub server with eng/publish.sh unless BENCH_SKIP_PUBLISH=1.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-6}
out=artifacts/bench
command -v redis-server >/dev/null || { echo "[bench] redis-server not found (Debian: apt-get install redis-server)" >&2; exit 1; }
if [ "${BENCH_SKIP_PUBLISH:-0}" != 1 ]; then
  echo "[bench] publishing the github server (eng/publish.sh)" >&2
  bash eng/publish.sh github "$out/github" >&2
fi
dotnet build bench/Connectors.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done

echo "[bench] $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), $(dotnet --version), $(redis-server --version | cut -d' ' -f1-3)" >&2
github=$out/github/server
rm -rf "$out/redis"
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then order=(limits limits+redis replay replay+redis); else order=(limits+redis limits replay+redis replay); fi
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "[bench] round $round of $rounds (${order[*]}), load average $load" >&2
  mkdir -p "$out/redis/round-$round"
  echo "$load" > "$out/redis/round-$round/load"
  CONNECTORS_BENCH_REDIS=127.0.0.1:$port dotnet artifacts/bin/Connectors.Bench/release/Connectors.Bench.dll http 1 \
    "$out/redis/round-$round" $(for variant in "${order[@]}"; do printf 'github+%s=%s ' "$variant" "$github"; done) >/dev/null
done

python3 - "$out/redis" "$rounds" bench/results <<'PY'
import csv, statistics, sys, datetime, os, platform
rounds_dir, rounds, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
names = {"github+limits": "get_issue, limits in process", "github+limits+redis": "get_issue, limits in Redis",
         "github+replay": "create_issue replayed, keys in process", "github+replay+redis": "create_issue replayed, keys in Redis"}
samples, loads = {}, []
for r in range(1, rounds + 1):
    loads.append(open(f"{rounds_dir}/round-{r}/load").read().split())
    for row in csv.DictReader(open(f"{rounds_dir}/round-{r}/http.csv")):
        samples.setdefault((row["server"], row["workload"], row["unit"]), []).append(float(row["median"]))
rows = []
for (server, workload, unit), values in samples.items():
    rows.append((names[server], workload, unit, statistics.median(values), min(values), max(values), len(values)))
order = list(names.values())
rows.sort(key=lambda r: (order.index(r[0]),))
with open(f"{results}/redis.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["variant", "workload", "unit", "median", "min", "max", "rounds"])
    for r in rows:
        w.writerow([r[0], r[1], r[2], round(r[3], 3), round(r[4], 3), round(r[5], 3), r[6]])
one = [float(l[0]) for l in loads]
with open(f"{results}/redis.md", "w") as f:
    f.write(f"What --redis costs per call (bash eng/bench-redis.sh {rounds}), {datetime.date.today()}, {os.cpu_count()} cores, "
            f"{platform.machine()}; {rounds} alternated rounds (in process, Redis; Redis first on even rounds), medians over rounds\n\n")
    f.write("Load average (1 · 5 · 15 min) before each round: " + "; ".join(" · ".join(l) for l in loads) + "\n\n")
    f.write("| variant | workload | unit | median | min | max | rounds |\n|---|---|---|---:|---:|---:|---:|\n")
    for r in rows:
        f.write(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:,.3f} | {r[4]:,.3f} | {r[5]:,.3f} | {r[6]} |\n")
print(open(f"{results}/redis.md").read())
PY
