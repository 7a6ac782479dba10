#!/usr/bin/env bash
# Receive livelock, first curves: delivered vs offered load with --overload off and auto, and the CPU share a
# competing CPU-bound task keeps on the receiving CPU. The handler costs --work-us per datagram (so the loopback
# sender, near 300 k/s on this machine, can offer several times the receiver's capacity). C is the highest offered
# rate found with <= 0.1% loss (with off); the sweep offers K x C for K in LOADS, modes in random order per round.
# The competitor is a C busy loop pinned to the last CPU, counting work units; its share is units/s during the run
# over units/s alone. Extra arguments go to every run (e.g. --rt-priority 50).
# Usage: bench/overload.sh [SECONDS=3] [ROUNDS=2] [WORK_US=20] [LOADS="0.5 0.9 1 1.5 2 3 4"] [extra run args...]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
ROUNDS=${2:-2}
WORK=${3:-20}
LOADS=${4:-"0.5 0.9 1 1.5 2 3 4"}
shift $(( $# < 4 ? $# : 4 ))
EXTRA=("$@")
out=$(mktemp -d)
commit=$(git rev-parse --short HEAD)
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
CLI=src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll
LAST=$(( $(nproc) - 1 ))

cat > "$out/competitor.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
/* Counts work units (1000 dependent multiply-adds each) until the given number of seconds has passed. */
int main(int argc, char **argv) {
  double secs = atof(argv[1]); struct timespec s, n; unsigned long units = 0; volatile unsigned long x = 1;
  clock_gettime(CLOCK_MONOTONIC, &s);
  do {
    for (int i = 0; i < 1000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
    units++;
    if ((units & 63) == 0) clock_gettime(CLOCK_MONOTONIC, &n); else continue;
  } while ((n.tv_sec - s.tv_sec) + (n.tv_nsec - s.tv_nsec) / 1e9 < secs);
  printf("%.1f\n", units / secs);
  return 0;
}
C
gcc -O2 -o "$out/competitor" "$out/competitor.c"
solo=$(taskset -c "$LAST" "$out/competitor" "$SECS")

run() { # mode rate -> one JSON line
  local mode=$1 rate=$2
  taskset -c "$LAST" "$out/competitor" "$SECS" > "$out/comp" &
  local comp=$!
  dotnet "$CLI" run --device udp --seconds "$SECS" --rate "$rate" --work-us "$WORK" --overload "$mode" --json "${EXTRA[@]}" 2>/dev/null > "$out/run.json" || true
  wait "$comp"
  python3 - "$out/run.json" "$mode" "$rate" "$(cat "$out/comp")" "$solo" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sent = max(d["sent"], 1)
o = d["overload"]
print(json.dumps({"mode": sys.argv[2], "rate": int(sys.argv[3]), "sent_pps": d["sent"] / d["seconds"], "pps": d["pps"],
  "loss": (d["sent"] - d["delivered"]) / sent, "p99_us": d["latency_us"]["p99"],
  "competitor": float(sys.argv[4]) / float(sys.argv[5]),
  "throttled": sum(c["throttled"] for c in o["cpus"]),
  "transitions": sum(c["transitions"] for c in o["cpus"]), "accounted": d["sent"] == d["delivered"] + sum(d["dropped"].values())}))
PY
}

# C: double until loss appears, then bisect a few steps.
lo=0; hi=0; rate=10000
while [ "$hi" -eq 0 ] && [ "$rate" -le 1000000 ]; do
  loss=$(run off "$rate" | tee -a "$out/search.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["loss"])')
  if python3 -c "import sys; sys.exit(0 if $loss <= 0.001 else 1)"; then lo=$rate; rate=$(( rate * 2 )); else hi=$rate; fi
done
[ "$hi" -eq 0 ] && hi=$rate
for _ in 1 2 3; do
  mid=$(( (lo + hi) / 2 ))
  loss=$(run off "$mid" | tee -a "$out/search.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["loss"])')
  if python3 -c "import sys; sys.exit(0 if $loss <= 0.001 else 1)"; then lo=$mid; else hi=$mid; fi
done
C=$lo
echo "C = $C datagrams/s (work ${WORK} us, ${SECS} s runs); competitor alone: $solo units/s" >&2

for r in $(seq "$ROUNDS"); do
  for k in $(printf '%s\n' $LOADS | shuf); do
    rate=$(python3 -c "print(int($k * $C))")
    for mode in $(printf 'off\nauto\n' | shuf); do
      run "$mode" "$rate" | python3 -c "import json,sys; d=json.load(sys.stdin); d['k']=$k; print(json.dumps(d))" | tee -a "$out/runs.jsonl" >&2
    done
  done
done

python3 - "$out/runs.jsonl" "$C" "$commit" "$WORK" "$SECS" "${EXTRA[*]:-}" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
C = int(sys.argv[2])
print(f"\ncommit {sys.argv[3]}, C = {C}/s, --work-us {sys.argv[4]}, {sys.argv[5]} s per run, extra: '{sys.argv[6]}'")
print("\n| K x C | offered/s (sent) | mode | delivered/s median (min-max) | delivered / C | loss | competitor share | throttled periods | accounted |")
print("|---|---|---|---|---|---|---|---|---|")
for k in sorted({r["k"] for r in runs}):
    for mode in ("off", "auto"):
        rs = [r for r in runs if r["k"] == k and r["mode"] == mode]
        if not rs:
            continue
        pps = [r["pps"] for r in rs]
        med = statistics.median(pps)
        print(f"| {k} | {statistics.median(r['sent_pps'] for r in rs):,.0f} | {mode} | {med:,.0f} ({min(pps):,.0f}-{max(pps):,.0f}) | {med / C:.2f} | "
              f"{statistics.median(r['loss'] for r in rs):.1%} | {statistics.median(r['competitor'] for r in rs):.0%} | "
              f"{statistics.median(r['throttled'] for r in rs):.0f} | {all(r['accounted'] for r in rs)} |")
with open(sys.argv[1].replace("runs.jsonl", "runs.csv"), "w") as f:
    f.write("k,mode,rate,sent_pps,pps,loss,p99_us,competitor,throttled,transitions\n")
    for r in runs:
        f.write(f"{r['k']},{r['mode']},{r['rate']},{r['sent_pps']:.0f},{r['pps']:.0f},{r['loss']:.5f},{r['p99_us']},{r['competitor']:.3f},{r['throttled']},{r['transitions']}\n")
print(f"\nCSV: {sys.argv[1].replace('runs.jsonl', 'runs.csv')}")
PY
