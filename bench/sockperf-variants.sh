#!/usr/bin/env bash
# Ping-pong latency of `softnet serve --reply sockperf` variants of one build, each run next to a `sockperf server` run:
# the real sockperf client (`sockperf ping-pong -m 64`) on CLIENT_CPU, every server confined to SERVER_CPU (as
# bench/sockperf-latency.sh). A variant is LABEL:ARGS, where ARGS are environment assignments (NAME=VALUE) and then
# extra `softnet serve` arguments, e.g.
#   bench/sockperf-variants.sh "epoll:" "io_uring:--backend io_uring" "io_uring-busy:--backend io_uring --threaded busy-poll"
# Each round runs every variant in turn, each paired with a sockperf-server run; which of the two runs first
# alternates from pair to pair, and the variants' order reverses every round. Ratios (variant / sockperf server, of p50
# and p99) are per pair; the table gives their median with min-max, and the variants' ratios against the first
# variant's (same round). sockperf reports half the round trip, as do the figures here.
# Writes OUT/sockperf-variants.jsonl (every run) and OUT/sockperf-variants.md (the table, with commit and command).
# Usage: [SOCKPERF_SECONDS=3] [ROUNDS=5] [SERVER_CPU=0] [CLIENT_CPU=1] [OUT=dir] bench/sockperf-variants.sh VARIANT...
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/sockperf-variants.sh LABEL:[NAME=VALUE ...] [serve args] ..." >&2; exit 2; }
SECS=${SOCKPERF_SECONDS:-3}
ROUNDS=${ROUNDS:-5}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT=11711
OUT=${OUT:-bench/results/sockperf-variants-$(git rev-parse --short HEAD)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RUNS=$OUT/sockperf-variants.jsonl
: >"$RUNS"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CLI=src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll
command -v sockperf >/dev/null || { echo "sockperf is not installed (apt-get install sockperf)" >&2; exit 2; }
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
labels=()
for v in "$@"; do
  [[ "$v" == *:* ]] || { echo "a variant is LABEL:ARGS (got '$v')" >&2; exit 2; }
  labels+=("${v%%:*}")
done

wait_port() {
  for _ in $(seq 100); do grep -q ":$(printf '%04X' "$PORT") " /proc/net/udp && return; sleep 0.1; done
  echo "sockperf-variants: the server did not bind port $PORT" >&2; exit 1
}

ping() { # label round pair
  taskset -c "$CLIENT_CPU" sockperf ping-pong -i 127.0.0.1 -p "$PORT" -m 64 -t "$SECS" >"$tmp/ping.txt" 2>&1
  python3 - "$@" "$tmp/ping.txt" <<'PY' | tee -a "$RUNS"
import json, re, sys
label, rnd, pair, summary = sys.argv[1:5]
t = open(summary).read()
p = {k: float(v) for k, v in re.findall(r"percentile (\d+\.\d+) = +([\d.]+)", t)}
print(json.dumps({"contender": label, "round": int(rnd), "pair": pair, "p50": p.get("50.000"), "p99": p.get("99.000")}))
PY
}

serve() { # variant round pair
  local label=${1%%:*} spec=${1#*:} envs=() args=() w pid
  for w in $spec; do
    if [ ${#args[@]} -eq 0 ] && [[ "$w" == [A-Za-z_]*=* ]]; then envs+=("$w"); else args+=("$w"); fi
  done
  if [ "$label" = sockperf-server ]; then
    taskset -c "$SERVER_CPU" sockperf server -i 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
  else
    env "${envs[@]}" taskset -c "$SERVER_CPU" dotnet $CLI serve --bind 127.0.0.1:$PORT --reply sockperf --no-admin "${args[@]}" >/dev/null 2>"$tmp/serve.err" &
  fi
  pid=$!
  wait_port
  ping "$label" "$2" "$3"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

n=0
for r in $(seq "$ROUNDS"); do
  order=("$@")
  if (( r % 2 == 0 )); then order=(); for ((i = $#; i >= 1; i--)); do order+=("${!i}"); done; fi
  for v in "${order[@]}"; do
    n=$((n + 1))
    if (( n % 2 )); then serve "$v" "$r" "$n"; serve "sockperf-server:" "$r" "$n"
    else serve "sockperf-server:" "$r" "$n"; serve "$v" "$r" "$n"; fi
  done
done

CMD="SOCKPERF_SECONDS=$SECS ROUNDS=$ROUNDS SERVER_CPU=$SERVER_CPU CLIENT_CPU=$CLIENT_CPU bench/sockperf-variants.sh$(printf " '%s'" "$@")"
PYTHONPATH=bench python3 - "$RUNS" "$CMD" "${labels[@]}" <<'PY' | tee "$OUT/sockperf-variants.md"
import json, sys
from paired import ratios, spread, header
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cmd, labels = sys.argv[2], sys.argv[3:]
print(header("sockperf ping-pong -m 64: softnet serve variants, each paired with sockperf server", cmd))
print("| variant | p50 µs | p99 µs | p50 / sockperf server | p99 / sockperf server | p50 / " + labels[0] + " | p99 / " + labels[0] + " | pairs |")
print("|---|---|---|---|---|---|---|---:|")
pair = lambda r: r["pair"]
rnd = lambda r: r["round"]
for l in labels:
    rs = [r for r in runs if r["contender"] == l]
    p50 = ratios(runs, pair, l, "sockperf-server", lambda r: r["p50"])
    p99 = ratios(runs, pair, l, "sockperf-server", lambda r: r["p99"])
    v50 = ratios(runs, rnd, l, labels[0], lambda r: r["p50"]) if l != labels[0] else []
    v99 = ratios(runs, rnd, l, labels[0], lambda r: r["p99"]) if l != labels[0] else []
    print(f"| {l} | {spread([r['p50'] for r in rs])} | {spread([r['p99'] for r in rs])} | {spread(p50)} | {spread(p99)} | {spread(v50) if v50 else '—'} | {spread(v99) if v99 else '—'} | {len(p50)} |")
PY
