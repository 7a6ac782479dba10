#!/usr/bin/env bash
# Application busy polling against sockperf's own busy-polling server, real sockperf ping-pong client (-m 64).
# A: `softnet serve --reply sockperf --busy-poll-usecs 50 --prefer-busy-poll --defer-hard-irqs 2
#     --gro-flush-timeout 200000` (a thread busy-polls the UDP device's NAPI; the handler replies from it)
# B: `sockperf server -f FEED -F r --nonblocked` (a non-blocking recvfrom loop: sockperf's user-space busy poll; -F
#    needs a feed file, which names the one UDP address)
# Same CPU layout for both: the server process confined to CPU 1 (taskset), the client to CPU 0.
# A and B run side by side in every round, which of them first alternating; each round gives the ratios A/B of p50
# and p99; the table shows the medians with min-max over the rounds.
# Writes into OUT: sockperf-busy-poll.jsonl (every run), sockperf-busy-poll.md (tables with commit and command) and
# sockperf-busy-poll-cdf.png (latency CDF per server, every run's samples pooled).
# Usage: [OUT=dir] bench/sockperf-busy-poll.sh [SECONDS=5] [ROUNDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
ROUNDS=${2:-5}
PORT=11511
SERVER_CPU=1
CLIENT_CPU=0
OUT=${OUT:-bench/results/sockperf-busy-poll-$(git rev-parse --short HEAD)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CLI="dotnet src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll"
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
command -v sockperf >/dev/null || { echo "sockperf is not installed (apt-get install sockperf)"; exit 2; }

ping() { # round label
  taskset -c "$CLIENT_CPU" sockperf ping-pong -i 127.0.0.1 -p "$PORT" -m 64 -t "$SECS" --full-log "$out/log.csv" 2>&1 | python3 -c '
import re, sys, json
t = sys.stdin.read()
p = {k: float(v) for k, v in re.findall(r"percentile (\d+\.\d+) = +([\d.]+)", t)}
drop = re.search(r"# dropped messages = (\d+)", t)
with open(sys.argv[4], "a") as lat:
    for line in open(sys.argv[3]):
        f = line.split(",")
        if len(f) == 4 and f[0].strip().isdigit():
            lat.write(f[3].strip() + "\n")
print(json.dumps({"round": int(sys.argv[1]), "server": sys.argv[2], "p50": p.get("50.000"), "p99": p.get("99.000"), "dropped": int(drop.group(1)) if drop else None}))' "$1" "$2" "$out/log.csv" "$out/$2.lat" | tee -a "$out/runs.jsonl"
}

wait_port() { # the server answers on PORT once it is bound
  for _ in $(seq 100); do grep -q ":$(printf '%04X' "$PORT") " /proc/net/udp && return; sleep 0.1; done
  echo "server did not bind port $PORT"; exit 1
}

softnet() { # round
  taskset -c "$SERVER_CPU" $CLI serve --bind 127.0.0.1:$PORT --reply sockperf --no-admin \
    --busy-poll-usecs 50 --prefer-busy-poll --defer-hard-irqs 2 --gro-flush-timeout 200000 >/dev/null 2>"$out/serve.err" &
  local pid=$!
  wait_port
  ping "$1" softnet-busy-poll
  kill -TERM "$pid"; wait "$pid" || { cat "$out/serve.err"; exit 1; }
}

sockperf_server() { # round
  echo "U:127.0.0.1:$PORT" >"$out/feed"
  taskset -c "$SERVER_CPU" sockperf server -f "$out/feed" -F r --nonblocked >/dev/null 2>&1 &
  local pid=$!
  wait_port
  ping "$1" sockperf-server-busy
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for r in $(seq "$ROUNDS"); do
  if (( r % 2 )); then softnet "$r"; sockperf_server "$r"; else sockperf_server "$r"; softnet "$r"; fi
done
cp "$out/runs.jsonl" "$OUT/sockperf-busy-poll.jsonl"

PYTHONPATH=bench python3 - "$out/runs.jsonl" "bench/sockperf-busy-poll.sh $SECS $ROUNDS" <<'PY' | tee "$OUT/sockperf-busy-poll.md"
import json, statistics, sys
from paired import header
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(header("Busy polling: softnet serve --busy-poll-usecs 50 vs sockperf server --nonblocked (server on CPU 1, client on CPU 0)", sys.argv[2]))
by = {}
for r in runs:
    by.setdefault(r["round"], {})[r["server"]] = r
def fmt(xs): return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"
print("| server | p50 µs | p99 µs | dropped |")
print("|---|---|---|---|")
for name in ("softnet-busy-poll", "sockperf-server-busy"):
    rs = [by[k][name] for k in sorted(by)]
    print(f"| {name} | {fmt([r['p50'] for r in rs])} | {fmt([r['p99'] for r in rs])} | {sum(r['dropped'] or 0 for r in rs)} |")
p50 = [by[k]["softnet-busy-poll"]["p50"] / by[k]["sockperf-server-busy"]["p50"] for k in sorted(by)]
p99 = [by[k]["softnet-busy-poll"]["p99"] / by[k]["sockperf-server-busy"]["p99"] for k in sorted(by)]
print(f"\npaired ratio softnet / sockperf, median (min–max) over {len(p50)} rounds: p50 {fmt(p50)}, p99 {fmt(p99)}")
PY

python3 bench/latency-cdf.py "$OUT/sockperf-busy-poll-cdf.png" "busy polling, sockperf ping-pong -m 64, half round trip ($(git rev-parse --short HEAD))" \
  softnet-busy-poll="$out/softnet-busy-poll.lat" sockperf-server-busy="$out/sockperf-server-busy.lat"
