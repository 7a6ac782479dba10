#!/usr/bin/env bash
# Loopback device -> RPS -> backlog -> handler against System.Threading.Channels (bench/Softnet.Bench, one process;
# every round measures each contender once, the Channels run between the two Softnet runs and the order reversed
# every round; RESULTS.md "What runs" describes both sides). Three runs:
#   A  2 producers, as fast as possible      delivered packets/s, both kick modes (softirq, backlog-threads)
#   C  1 producer, as fast as possible       the same with a CPU left for the consumers
#   B  2 producers, 2,000,000 pps offered    CPU time per packet (process CPU over the load / delivered) at a load
#                                            every contender carries
# Ratios are per round (the runs of one round are back to back): median with min-max over the rounds.
# Writes into OUT: loopback-<run>.jsonl (every run), loopback-<run>.log (every run's line; for B also where its CPU
# time went per thread name, --threads), loopback.md (tables with commit and command), loopback.png (the pair ratios)
# and goal lines appended to goals.txt.
# Usage: [SECONDS=5] [ROUNDS=5] [CONSUMER=readall] [OUT=dir] bench/loopback.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${LOOPBACK_SECONDS:-5}
ROUNDS=${ROUNDS:-5}
CONSUMER=${CONSUMER:-readall}
OUT=${OUT:-bench/results/loopback-$(git rev-parse --short HEAD)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dotnet build bench/Softnet.Bench -c Release -v q -nologo >/dev/null
BENCH=bench/Softnet.Bench/bin/Release/net10.0/Softnet.Bench.dll

run() { # name args...
  local name=$1; shift
  local cmd="dotnet run -c Release --project bench/Softnet.Bench -- loopback --seconds $SECS --rounds $ROUNDS --consumer $CONSUMER $*"
  {
    echo "#### $name: \`$cmd\`"
    echo
    dotnet $BENCH loopback --seconds "$SECS" --rounds "$ROUNDS" --consumer "$CONSUMER" --runs "$OUT/loopback-$name.jsonl" "$@" 2>"$OUT/loopback-$name.log" || true
    echo
  } >>"$tmp/tables.md"
  echo "loopback: run $name done" >&2
}
run A --producers 2
run C --producers 1
run B --producers 2 --rate 2000000 --threads

CMD="LOOPBACK_SECONDS=$SECS ROUNDS=$ROUNDS CONSUMER=$CONSUMER bench/loopback.sh"
PYTHONPATH=bench python3 - "$OUT" "$CMD" "$CONSUMER" "$tmp/tables.md" "$tmp/ratios.dat" <<'PY' | tee "$OUT/loopback.md"
import json, sys
from paired import ratios, goal, header, spread
out, cmd, consumer, tables, dat = sys.argv[1:6]
load = lambda n: [json.loads(l) for l in open(f"{out}/loopback-{n}.jsonl") if l.strip()]
a, c, b = load("A"), load("C"), load("B")
base = next((r["contender"] for r in a if r["contender"].startswith("Channels")), None)
print(header(f"Loopback: Softnet vs Channels ({consumer}), 2 CPUs", cmd))
print(open(tables).read())
key = lambda r: r["round"]
pps = lambda r: r["pps"]
cpu = lambda r: r["cpu_ns_per_packet"]
print("```")
rows = []
for mode in ("softirq", "backlog-threads"):
    s = f"Softnet {mode}"
    for name, runs, producers in (("A", a, 2), ("C", c, 1)):
        xs = ratios(runs, key, s, base, pps)
        rows.append((f"{mode} {producers}p pps", xs))
        goal(f"loopback {mode}, {producers} producer{'s' if producers > 1 else ''}: delivered pps / Channels", xs, "≥", 2.0, out)
    xs = ratios(b, key, s, base, cpu)
    rows.append((f"{mode} CPU/pkt 2 Mpps", xs))
    both = [r for r in b if r["contender"] in (s, base)]
    carried = sum(1 for r in both if r["delivered"] >= 0.99 * r["rate"] * r["seconds"])
    goal(f"loopback {mode}, 2 Mpps (runs that carried it: {carried} of {len(both)}): CPU time per packet / Channels", xs, "≤", 0.5, out)
alloc = [r["alloc_bytes_per_packet"] for r in a + b + c if r["contender"].startswith("Softnet")]
line = f"alloc B/packet, loopback Softnet runs: max {max(alloc):.4f} — goal 0.00: {'met' if round(max(alloc), 2) == 0 else 'missed'}"
print(line)
open(f"{out}/goals.txt", "a").write(line + "\n")
print("```")
with open(dat, "w") as f:
    for i, (label, xs) in enumerate(rows):
        for x in xs:
            f.write(f'{i} "{label}" {x}\n')
PY
gnuplot -e "set terminal pngcairo size 900,500; set output '$OUT/loopback.png'; set title 'Loopback: Softnet / Channels per round ($(git rev-parse --short HEAD))';
  set ylabel 'ratio'; set xtics rotate by -20; set grid ytics; set yrange [0:*]; set xrange [-0.5:5.5];
  plot '$tmp/ratios.dat' using 1:3:xtic(2) with points pt 7 notitle, 2 with lines dt 2 title 'pps goal 2.0', 0.5 with lines dt 3 title 'CPU goal 0.5'" 2>/dev/null \
  || echo "loopback: gnuplot failed; no plot" >&2
