#!/usr/bin/env bash
# The UDP device under the same offered load in each NAPI mode: softirq, threaded, busy-poll, and backlog-threads
# with RPS across all CPUs (the remote hand-off through backlog_napi threads), beside softirq mode with RPS (the
# same hand-off through IPIs). Two loads: --rate HALF (about half of what the loopback sender and receiver sustain
# together on this machine) and --rate 0 (the senders flat out: at capacity). Rounds alternate the modes.
# Writes into OUT: udp-modes.jsonl (every run), udp-modes.md (the table with commit and command) and
# udp-modes-cdf-<load>.png (delivery latency CDF per mode, the median over the rounds at each percent) and
# udp-modes-delivered.png (delivered vs offered, one point per run).
# Usage: [OUT=dir] bench/udp-modes.sh [SECONDS=5] [ROUNDS=2] [HALF=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
ROUNDS=${2:-2}
HALF=${3:-100000}
OUT=${OUT:-bench/results/udp-modes-$(git rev-parse --short HEAD)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
run() { # label rate args...
  local label=$1 rate=$2; shift 2
  dotnet src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll run --device udp --seconds "$SECS" --rate "$rate" --json "$@" 2>/dev/null \
  | python3 -c '
import json, sys
d = json.load(sys.stdin)
n = max(d["delivered"], 1)
print(json.dumps({"mode": sys.argv[1], "rate": int(sys.argv[2]), "pps": d["pps"], "p50": d["latency_us"]["p50"], "p99": d["latency_us"]["p99"],
  "p999": d["latency_us"]["p999"], "wakeups_per_packet": d["wakeups_per_packet"], "ipi_per_packet": d["ipi_sent"] / n,
  "dropped": sum(d["dropped"].values()), "sent": d["sent"], "alloc": d["alloc_bytes_per_packet"], "cdf": d["latency_us"].get("cdf")}))' "$label" "$rate" | tee -a "$out/runs.jsonl"
}
for r in $(seq "$ROUNDS"); do
  for rate in "$HALF" 0; do
    run softirq "$rate"
    run threaded "$rate" --threaded enabled
    run busy-poll "$rate" --threaded busy-poll
    run softirq+rps "$rate" --rps-cpus all
    run backlog-threads+rps "$rate" --mode backlog-threads --rps-cpus all
  done
done
cp "$out/runs.jsonl" "$OUT/udp-modes.jsonl"
PYTHONPATH=bench python3 - "$out/runs.jsonl" "bench/udp-modes.sh $SECS $ROUNDS $HALF" "$OUT" <<'PY' | tee "$OUT/udp-modes.md"
import json, statistics, sys
from paired import header
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(header("The UDP device in each NAPI mode, same offered load (medians over the rounds)", sys.argv[2]))
print("| offered | mode | delivered pps | p50 µs | p99 µs | p99.9 µs | wake-ups/pkt | IPIs/pkt | dropped/sent |")
print("|---|---|---|---|---|---|---|---|---|")
for rate in dict.fromkeys(r["rate"] for r in runs):
    for mode in dict.fromkeys(r["mode"] for r in runs):
        rs = [r for r in runs if r["rate"] == rate and r["mode"] == mode]
        m = lambda k: statistics.median(r[k] for r in rs)
        offered = f"{rate:,}/s" if rate else "flat out"
        print(f"| {offered} | {mode} | {m('pps'):,.0f} | {m('p50'):.1f} | {m('p99'):.1f} | {m('p999'):.1f} | {m('wakeups_per_packet'):.4f} | {m('ipi_per_packet'):.4f} | {m('dropped') / m('sent'):.3f} |")
worst = max(r['alloc'] for r in runs)
print(f"\nalloc B/packet: max {worst:.4f} over all runs")
line = f"alloc B/packet, udp-modes runs (every mode, both loads): max {worst:.4f} — goal 0.00: {'met' if round(worst, 2) == 0 else 'missed'}"
open(sys.argv[3] + "/goals.txt", "a").write(line + "\n")
print("\n```\n" + line + "\n```")
PY

# One CDF per mode and load: the median over the rounds of each percent's latency.
for rate in "$HALF" 0; do
  args=()
  for mode in softirq threaded busy-poll softirq+rps backlog-threads+rps; do
    python3 - "$out/runs.jsonl" "$rate" "$mode" >"$out/$mode-$rate.cdf" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rs = [r["cdf"] for r in runs if r["rate"] == int(sys.argv[2]) and r["mode"] == sys.argv[3] and r.get("cdf")]
for i, (p, _) in enumerate(rs[0] if rs else []):
    print(p, statistics.median(c[i][1] for c in rs))
PY
    args+=("$mode=$out/$mode-$rate.cdf")
  done
  load=$([ "$rate" = 0 ] && echo flat-out || echo "$rate")
  python3 bench/latency-cdf.py "$OUT/udp-modes-cdf-$load.png" "UDP device, delivery latency by mode, offered $load ($(git rev-parse --short HEAD))" "${args[@]}"
done

# Delivered vs offered per mode: one point per run (offered = what the senders got into the sockets per second).
python3 - "$out/runs.jsonl" "$SECS" >"$out/offered.dat" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
secs = float(sys.argv[2])
for mode in dict.fromkeys(r["mode"] for r in runs):
    print(f"# {mode}")
    for r in sorted((r for r in runs if r["mode"] == mode), key=lambda r: r["sent"]):
        print(r["sent"] / secs, r["pps"])
    print("\n")
PY
modes=$(python3 -c 'import json,sys; print(" ".join(dict.fromkeys(json.loads(l)["mode"] for l in open(sys.argv[1]) if l.strip())))' "$out/runs.jsonl")
plots=""; i=0
for m in $modes; do plots="$plots${plots:+, }'$out/offered.dat' index $i using 1:2 with linespoints pt 7 title '$m'"; i=$((i + 1)); done
gnuplot -e "set terminal pngcairo size 900,550; set output '$OUT/udp-modes-delivered.png';
  set title 'UDP device: delivered vs offered per mode ($(git rev-parse --short HEAD))'; set xlabel 'offered (datagrams/s into the sockets)';
  set ylabel 'delivered/s'; set key bottom right; set grid; set xrange [0:*]; set yrange [0:*];
  plot $plots, x with lines dt 2 title 'delivered = offered'" 2>/dev/null || echo "udp-modes: gnuplot failed; no plot" >&2
