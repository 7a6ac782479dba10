#!/usr/bin/env bash
# Receive livelock, first curves. A paced sendmmsg flood (bench/native/flood.c) on the first CPU; `softnet serve`
# pinned to the last CPU (--cpus 1 --queues 1) with a handler that costs --work-us per datagram, so the flood can
# offer several times its capacity; beside it on that CPU a C busy loop counting work units (the competitor). C is
# the highest offered rate at which, under --overload off, the stack has delivered >= 99% of the accepted datagrams
# by the time the flood ends (the 8 MB socket buffer would hide a receiver that falls behind for a few seconds); then
# K x C for K in LOADS, each with off and auto, loads and modes in random order per round. Delivered is the stack's
# count when the flood ends (GET /stats on the admin socket); the competitor's share is its units/s during the flood
# over its units/s alone, measured for a second just before each run (the machine is shared). Each run's accounting
# is checked: accepted sends = received + Softnet's counted drops + the kernel's own backlog drops on the loopback
# path (/proc/net/softnet_stat, which no socket sees). Extra arguments go to serve (e.g. --rt-priority 50).
# Usage: bench/overload.sh [SECONDS=3] [ROUNDS=2] [WORK_US=20] [LOADS="0.5 0.9 1 1.5 2 3 4"] [extra serve args...]
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
TX=0
RX=$(( $(nproc) - 1 ))
gcc -O2 -o "$out/flood" bench/native/flood.c
cat > "$out/competitor.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
/* Counts work units (1000 dependent multiply-adds each) for the given seconds; prints units per second. */
int main(int argc, char **argv) {
  double secs = atof(argv[1]), el = 0; struct timespec s, n; unsigned long units = 0; volatile unsigned long x = 1;
  clock_gettime(CLOCK_MONOTONIC, &s);
  while (el < secs) {
    for (int i = 0; i < 1000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
    if ((++units & 63) == 0) { clock_gettime(CLOCK_MONOTONIC, &n); el = (n.tv_sec - s.tv_sec) + (n.tv_nsec - s.tv_nsec) / 1e9; }
  }
  printf("%.1f\n", units / el);
  return 0;
}
C
gcc -O2 -o "$out/competitor" "$out/competitor.c"
kernel_drops() { python3 -c 'print(sum(int(l.split()[1], 16) for l in open("/proc/net/softnet_stat")))'; }

run() { # mode rate -> one JSON line on stdout
  local mode=$1 rate=$2 port sock pid
  port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sock="$out/admin-$port.sock"
  taskset -c "$RX" dotnet "$CLI" serve --bind "127.0.0.1:$port" --cpus 1 --queues 1 --admin "$sock" --json \
    --work-us "$WORK" --overload "$mode" "${EXTRA[@]}" > "$out/serve.json" 2> "$out/serve.err" &
  pid=$!
  for _ in $(seq 300); do grep -q "udp0 on" "$out/serve.err" 2>/dev/null && break; sleep 0.1; done
  local solo kbefore
  solo=$(taskset -c "$RX" "$out/competitor" 1)
  kbefore=$(kernel_drops)
  taskset -c "$RX" "$out/competitor" "$SECS" > "$out/comp" &
  local comp=$!
  taskset -c "$TX" "$out/flood" "$port" "$rate" "$SECS" 64 > "$out/sent"
  curl -s --unix-socket "$sock" http://localhost/stats > "$out/stats.json"
  wait "$comp"
  kill -TERM "$pid"
  wait "$pid" || true
  python3 - "$out/serve.json" "$out/stats.json" "$mode" "$rate" "$(cat "$out/sent")" "$(cat "$out/comp")" "$solo" "$SECS" "$(( $(kernel_drops) - kbefore ))" <<'PY'
import json, sys
final, stats = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
mode, rate, sent, comp, solo, secs, kdrops = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8]), int(sys.argv[9])
dropped = sum(final["dropped"].values())
o = final["overload"]
print(json.dumps({"mode": mode, "rate": rate, "sent_pps": sent / secs, "pps": stats["delivered"] / secs,
  "in_flood": stats["delivered"] / max(sent, 1), "loss": (sent - final["received"]) / max(sent, 1), "competitor": comp / solo,
  "throttled": sum(c["throttled"] for c in o["cpus"]), "transitions": sum(c["transitions"] for c in o["cpus"]),
  "kernel_drops": kdrops, "accounted": sent == final["received"] + dropped + kdrops}))
PY
}

loss_ok() { python3 -c "import json,sys; sys.exit(0 if json.loads(sys.argv[1])['in_flood'] >= 0.99 else 1)" "$1"; }

# C: double until the receiver falls behind, then bisect three times.
lo=0; hi=0; rate=5000
while [ "$hi" -eq 0 ] && [ "$rate" -le 2000000 ]; do
  line=$(run off "$rate"); echo "$line" >> "$out/search.jsonl"
  if loss_ok "$line"; then lo=$rate; rate=$(( rate * 2 )); else hi=$rate; fi
done
for _ in 1 2 3; do
  mid=$(( (lo + hi) / 2 ))
  line=$(run off "$mid"); echo "$line" >> "$out/search.jsonl"
  if loss_ok "$line"; then lo=$mid; else hi=$mid; fi
done
C=$lo
echo "C = $C datagrams/s (--work-us $WORK, $SECS s runs)" >&2

for _ in $(seq "$ROUNDS"); do
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
print(f"\ncommit {sys.argv[3]}, C = {C:,}/s, --work-us {sys.argv[4]}, {sys.argv[5]} s per run, serve extra: '{sys.argv[6]}'")
print("\n| K x C | accepted/s | mode | delivered/s median (min-max) | delivered / C | loss | competitor share | throttled periods | kernel backlog drops | accounted |")
print("|---|---|---|---|---|---|---|---|---|---|")
for k in sorted({r["k"] for r in runs}):
    for mode in ("off", "auto"):
        rs = [r for r in runs if r["k"] == k and r["mode"] == mode]
        if not rs:
            continue
        pps = [r["pps"] for r in rs]
        med = statistics.median(pps)
        print(f"| {k} | {statistics.median(r['sent_pps'] for r in rs):,.0f} | {mode} | {med:,.0f} ({min(pps):,.0f}-{max(pps):,.0f}) | {med / C:.2f} | "
              f"{statistics.median(r['loss'] for r in rs):.1%} | {statistics.median(r['competitor'] for r in rs):.0%} | "
              f"{statistics.median(r['throttled'] for r in rs):.0f} | {sum(r['kernel_drops'] for r in rs)} | {all(r['accounted'] for r in rs)} |")
csv = sys.argv[1].replace("runs.jsonl", "runs.csv")
with open(csv, "w") as f:
    f.write("k,mode,rate,sent_pps,pps,loss,competitor,throttled,transitions,kernel_drops,accounted\n")
    for r in runs:
        f.write(f"{r['k']},{r['mode']},{r['rate']},{r['sent_pps']:.0f},{r['pps']:.0f},{r['loss']:.5f},{r['competitor']:.3f},{r['throttled']},{r['transitions']},{r['kernel_drops']},{r['accounted']}\n")
print(f"\nCSV: {csv}")
PY
