#!/usr/bin/env bash
# Round-trip latency of the real sockperf client against `softnet serve --reply sockperf` and, alternating in rounds,
# against sockperf's own server on the same port. Also runs Softnet's server in threaded and busy-poll NAPI modes
# (switched over the admin socket) and in backlog-threads mode. The client is pinned to CPU 0; sockperf's server runs
# both unpinned and pinned to CPU 0 (where Softnet's CPU steering puts the datagrams of a client on CPU 0, so both
# then wake a thread on the CPU the datagram arrived on). Prints p50/p99/p99.9 (µs) medians over the rounds.
# Usage: bench/sockperf-latency.sh [SECONDS=5] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
ROUNDS=${2:-3}
PORT=11411
out=$(mktemp -d)
CLI="dotnet src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll"
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
command -v sockperf >/dev/null || { echo "sockperf is not installed (apt-get install sockperf)"; exit 2; }

ping() { # label
  taskset -c 0 sockperf ping-pong -i 127.0.0.1 -p "$PORT" -m 64 -t "$SECS" 2>&1 | python3 -c '
import re, sys, json
t = sys.stdin.read()
p = {k: float(v) for k, v in re.findall(r"percentile (\d+\.\d+) = +([\d.]+)", t)}
drop = re.search(r"# dropped messages = (\d+)", t)
print(json.dumps({"server": sys.argv[1], "p50": p.get("50.000"), "p99": p.get("99.000"), "p999": p.get("99.900"), "dropped": int(drop.group(1)) if drop else None}))' "$1" | tee -a "$out/runs.jsonl"
}

softnet() { # label, serve args..., then optional napi mode
  local label=$1 mode=$2; shift 2
  $CLI serve --bind 127.0.0.1:$PORT --reply sockperf --admin "$out/admin.sock" "$@" >/dev/null 2>"$out/serve.err" &
  local pid=$!
  for _ in $(seq 50); do [ -S "$out/admin.sock" ] && break; sleep 0.1; done
  if [ "$mode" != none ]; then
    for id in $($CLI napi list --json --admin "$out/admin.sock" | python3 -c 'import json,sys; print(" ".join(str(n["id"]) for n in json.load(sys.stdin)))'); do
      $CLI napi set "$id" --threaded "$mode" --admin "$out/admin.sock" >/dev/null
    done
  fi
  ping "$label"
  kill -TERM "$pid"; wait "$pid" || true
}

for r in $(seq "$ROUNDS"); do
  sockperf server -i 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
  sp=$!; sleep 0.5
  ping "sockperf-server"
  kill "$sp"; wait "$sp" 2>/dev/null || true
  taskset -c 0 sockperf server -i 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
  sp=$!; sleep 0.5
  ping "sockperf-server-cpu0"
  kill "$sp"; wait "$sp" 2>/dev/null || true
  softnet "softnet-softirq" none
  softnet "softnet-threaded" enabled
  softnet "softnet-busy-poll" busy-poll
  softnet "softnet-backlog-threads-rps" none --mode backlog-threads --rps-cpus all
done

python3 - "$out/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
base = statistics.median(r["p50"] for r in runs if r["server"] == "sockperf-server")
print("\n| server | p50 µs | p99 µs | p99.9 µs | p50 / sockperf server | dropped |")
print("|---|---|---|---|---|---|")
for name in dict.fromkeys(r["server"] for r in runs):
    rs = [r for r in runs if r["server"] == name]
    m = {k: statistics.median(r[k] for r in rs) for k in ("p50", "p99", "p999")}
    print(f"| {name} | {m['p50']:.2f} | {m['p99']:.2f} | {m['p999']:.2f} | {m['p50'] / base:.2f} | {sum(r['dropped'] or 0 for r in rs)} |")
PY
rm -rf "$out"
