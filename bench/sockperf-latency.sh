#!/usr/bin/env bash
# Round-trip latency of the real sockperf client (`sockperf ping-pong -m 64`) against three servers on one port:
#   sockperf-server    `sockperf server` (a blocking recvfrom + sendto loop)
#   softnet-epoll      `softnet serve --reply sockperf --no-admin` (epoll backend)
#   softnet-io_uring   the same with `--backend io_uring`
# Same CPU layout for every server: the server process confined to CPU SERVER_CPU (taskset; Softnet then runs one
# stack CPU), the client to CPU CLIENT_CPU. Each round runs softnet-epoll, sockperf-server, softnet-io_uring in that
# order and the next round in the reverse order, so each Softnet run sits next to a sockperf-server run and which
# of the two runs first alternates. Ratios (Softnet / sockperf server, of p50 and of p99) are per pair; the table
# gives their median with min-max. sockperf reports half the round trip, as do the figures here.
# Every server first answers an untimed ping-pong of WARMUP seconds, then the timed one: a Softnet server's packet
# path runs the JIT's first, unoptimised code until tiered compilation has replaced it, several seconds into its
# traffic, and sockperf's own server is native code from the start. Both runs are recorded ("phase": warm-up,
# timed); the tables are of the timed runs, with the warm-up runs beside them for what the warm-up changes.
# Each run also gives the server's CPU time per round trip: the server process's threads' time on a CPU
# (bench/task_cpu.py) over the client's run, divided by the round trips it completed.
#
# Writes into OUT: sockperf-latency.jsonl (every run), sockperf-latency.md (tables with commit and command),
# sockperf-latency-cdf.png (latency CDF per server, every timed run's samples pooled) and goal lines appended to
# goals.txt.
# Usage: [SOCKPERF_SECONDS=5] [WARMUP=10] [ROUNDS=7] [SERVER_CPU=0] [CLIENT_CPU=1] [OUT=dir] bench/sockperf-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SOCKPERF_SECONDS:-5}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-7}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT=11411
OUT=${OUT:-bench/results/sockperf-latency-$(git rev-parse --short HEAD)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
RUNS=$OUT/sockperf-latency.jsonl
: >"$RUNS"
CLI="dotnet src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll"
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
command -v sockperf >/dev/null || { echo "sockperf is not installed (apt-get install sockperf)"; exit 2; }

wait_port() { # the server answers on PORT once it is bound
  for _ in $(seq 100); do grep -q ":$(printf '%04X' "$PORT") " /proc/net/udp && return; sleep 0.1; done
  echo "sockperf-latency: the server did not bind port $PORT" >&2; exit 1
}

ping() { # server round phase pid seconds: one client run; a timed run's samples go to $tmp/<server>.lat
  local before after
  before=$(python3 bench/task_cpu.py "$4")
  taskset -c "$CLIENT_CPU" sockperf ping-pong -i 127.0.0.1 -p "$PORT" -m 64 -t "$5" --full-log "$tmp/log.csv" >"$tmp/ping.txt" 2>&1
  after=$(python3 bench/task_cpu.py "$4")
  python3 - "$1" "$2" "$3" "$tmp/ping.txt" "$tmp/log.csv" "$tmp/$1.lat" "$(( after - before ))" <<'PY' | tee -a "$RUNS"
import json, re, sys
server, rnd, phase, summary, log, lat, cpu_ns = sys.argv[1:8]
t = open(summary).read()
p = {k: float(v) for k, v in re.findall(r"percentile (\d+\.\d+) = +([\d.]+)", t)}
drop = re.search(r"# dropped messages = (\d+)", t)
# The whole client run's round trips (sockperf's own warm-up included), as the CPU time covers the whole run.
total = re.search(r"\[Total Run\].*?ReceivedMessages=(\d+)", t)
round_trips = int(total.group(1)) if total else 0
samples = 0
if phase == "timed":
    with open(lat, "a") as out:
        for line in open(log):
            f = line.split(",")
            if len(f) == 4 and f[0].strip().isdigit():
                out.write(f[3].strip() + "\n")
                samples += 1
print(json.dumps({"contender": server, "round": int(rnd), "phase": phase, "p50": p.get("50.000"), "p99": p.get("99.000"),
                  "p999": p.get("99.900"), "dropped": int(drop.group(1)) if drop else None, "samples": samples,
                  "round_trips": round_trips, "cpu_us_per_rt": int(cpu_ns) / 1e3 / round_trips if round_trips else None}))
PY
}

server() { # name round
  case $1 in
    sockperf-server) taskset -c "$SERVER_CPU" sockperf server -i 127.0.0.1 -p "$PORT" >/dev/null 2>&1 & ;;
    softnet-epoll) taskset -c "$SERVER_CPU" $CLI serve --bind 127.0.0.1:$PORT --reply sockperf --no-admin >/dev/null 2>"$tmp/serve.err" & ;;
    softnet-io_uring) taskset -c "$SERVER_CPU" $CLI serve --bind 127.0.0.1:$PORT --reply sockperf --no-admin --backend io_uring >/dev/null 2>"$tmp/serve.err" & ;;
  esac
  local pid=$!
  wait_port
  [ "$WARMUP" != 0 ] && ping "$1" "$2" warm-up "$pid" "$WARMUP"
  ping "$1" "$2" timed "$pid" "$SECS"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  if [ "$1" = softnet-io_uring ] && grep -q "receive through epoll" "$tmp/serve.err"; then
    echo "sockperf-latency: io_uring is not available here; softnet-io_uring ran on epoll: $(grep -m1 'io_uring' "$tmp/serve.err")" | tee -a "$OUT/notes.txt" >&2
  fi
}

for r in $(seq "$ROUNDS"); do
  if (( r % 2 )); then order="softnet-epoll sockperf-server softnet-io_uring"; else order="softnet-io_uring sockperf-server softnet-epoll"; fi
  for s in $order; do server "$s" "$r"; done
done

CMD="SOCKPERF_SECONDS=$SECS WARMUP=$WARMUP ROUNDS=$ROUNDS SERVER_CPU=$SERVER_CPU CLIENT_CPU=$CLIENT_CPU bench/sockperf-latency.sh"
PYTHONPATH=bench python3 - "$RUNS" "$OUT" "$CMD" "$SERVER_CPU" "$CLIENT_CPU" <<'PY' | tee "$OUT/sockperf-latency.md"
import json, sys
from paired import ratios, spread, goal, header
every = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs = [r for r in every if r.get("phase", "timed") == "timed"]
warm = [r for r in every if r.get("phase") == "warm-up"]
out, cmd, scpu, ccpu = sys.argv[2:6]
print(header(f"sockperf ping-pong -m 64: Softnet vs sockperf server (servers on CPU {scpu}, client on CPU {ccpu})", cmd))
print("| server | p50 µs | p99 µs | p99.9 µs | server CPU µs per round trip | dropped | runs |")
print("|---|---|---|---|---|---:|---:|")
for s in ("sockperf-server", "softnet-epoll", "softnet-io_uring"):
    rs = [r for r in runs if r["contender"] == s]
    print(f"| {s} | {spread([r['p50'] for r in rs])} | {spread([r['p99'] for r in rs])} | {spread([r['p999'] for r in rs])} "
          f"| {spread([r['cpu_us_per_rt'] for r in rs if r.get('cpu_us_per_rt')])} | {sum(r['dropped'] or 0 for r in rs)} | {len(rs)} |")
print("\nPair ratios, Softnet / sockperf server (median (min–max)):\n")
print("| server | p50 ratio | p99 ratio | server CPU per round trip ratio | pairs |")
print("|---|---|---|---|---:|")
found = {}
for s in ("softnet-epoll", "softnet-io_uring"):
    p50 = ratios(runs, lambda r: r["round"], s, "sockperf-server", lambda r: r["p50"])
    p99 = ratios(runs, lambda r: r["round"], s, "sockperf-server", lambda r: r["p99"])
    cpu = ratios([r for r in runs if r.get("cpu_us_per_rt")], lambda r: r["round"], s, "sockperf-server", lambda r: r["cpu_us_per_rt"])
    found[s] = (p50, p99)
    print(f"| {s} | {spread(p50)} | {spread(p99)} | {spread(cpu)} | {len(p50)} |")
if warm:
    print("\nThe untimed warm-up run before each timed run (the server's first seconds of traffic), against the timed run "
          "of the same server process; ratio timed / warm-up per process, median (min–max):\n")
    print("| server | warm-up p50 µs | timed p50 µs | p50 timed / warm-up | warm-up CPU µs/round trip | timed CPU µs/round trip | CPU timed / warm-up |")
    print("|---|---|---|---|---|---|---|")
    for s in ("sockperf-server", "softnet-epoll", "softnet-io_uring"):
        pairs = [(w, t) for w in warm if w["contender"] == s for t in runs if t["contender"] == s and t["round"] == w["round"]]
        if not pairs:
            continue
        cpu_pairs = [(w, t) for w, t in pairs if w.get("cpu_us_per_rt") and t.get("cpu_us_per_rt")]
        print(f"| {s} | {spread([w['p50'] for w, _ in pairs])} | {spread([t['p50'] for _, t in pairs])} "
              f"| {spread([t['p50'] / w['p50'] for w, t in pairs])} | {spread([w['cpu_us_per_rt'] for w, _ in cpu_pairs])} "
              f"| {spread([t['cpu_us_per_rt'] for _, t in cpu_pairs])} | {spread([t['cpu_us_per_rt'] / w['cpu_us_per_rt'] for w, t in cpu_pairs])} |")
print("\n```")
goal("ping-pong p50, epoll / sockperf server", found["softnet-epoll"][0], "≤", 1.0, out)
goal("ping-pong p50, io_uring / sockperf server", found["softnet-io_uring"][0], "≤", 0.9, out)
goal("ping-pong p99, epoll / sockperf server", found["softnet-epoll"][1], "≤", 1.0, out)
goal("ping-pong p99, io_uring / sockperf server", found["softnet-io_uring"][1], "≤", 1.0, out)
print("```")
PY

python3 bench/latency-cdf.py "$OUT/sockperf-latency-cdf.png" "sockperf ping-pong -m 64, half round trip ($(git rev-parse --short HEAD))" \
  sockperf-server="$tmp/sockperf-server.lat" softnet-epoll="$tmp/softnet-epoll.lat" softnet-io_uring="$tmp/softnet-io_uring.lat"
