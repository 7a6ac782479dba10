#!/usr/bin/env bash
# Receive livelock: the load curves of issue "overload control". Each point (bench/overload-point.py): `softnet serve`
# (--cpus 1 --queues 1 --reply sockperf --work-us WORK) with its packet thread on the last CPU (RX) beside a CPU-bound
# competitor that counts work units; on the first CPU (TX) a paced sendmmsg flood (bench/native/flood.c), a protected
# 1 000 pps sequence-numbered ping flow in sockperf's format (bench/native/pinger.c, --protect on its source port,
# measured from the sender's side) and an admin client asking GET /stats every 10 ms.
# LAYOUT says where serve's threads other than the packet thread (thread pool, admin server, timers, GC, JIT) run:
#   housekeeping (default): on TX, through serve's --housekeeping-cpus TX; only the packet thread is on RX, so the CPU
#     the budget leaves on RX goes to the competitor alone.
#   shared: the whole of serve on RX (taskset -c RX): the control plane takes its CPU out of the budget's breaks on
#     RX, beside the competitor (the layout of the results before --housekeeping-cpus).
# TIERED (0) says whether serve runs with the runtime's tiered compilation: 0 sets DOTNET_TieredCompilation=0 in serve's
#   environment (every method compiled optimised at its first call, during serve's start-up and the warm-up flood), as
#   the README recommends with --rt-priority; 1 keeps the runtime's default, whose background compilations run beside
#   the measurement for the first seconds of a fresh process (on TX with the housekeeping layout, next to the pinger).
#
# First C: the highest offered rate at which `--overload off` delivers >= 99.9% of the accepted datagrams during the
# flood (doubling from START, then bisecting). Then K x C for K in LOADS, REPEATS rounds, loads in random order per
# round and, per load, every variant in random order: --overload off and auto, each without and (where SCHED_FIFO is
# permitted) with --rt-priority RT. Every run's accounting is checked (accepted = received + Softnet's drops + the
# kernel's loopback backlog drops). Output: a Markdown table per variant with the issue's goals, runs.csv, PNG plots
# (bench/overload-plot.gp, gnuplot), floor.jsonl and floor-tx-busy.jsonl (the competitor alone, below) in OUT.
#
# PINGER_RT (60) is the pinger's SCHED_FIFO priority (0, or SCHED_FIFO not permitted: SCHED_OTHER). The pinger is the
#   protected flow's instrument and shares TX with the flood's sender and serve's control plane; under the fair
#   scheduler its wake-ups wait behind them, and its round trips measure TX's load as much as the stack.
# Environment: LAYOUT (housekeeping or shared, above), TIERED (0 or 1, above), PINGER_RT (above), SECS (flood seconds per point, 1.5), FLAP_SECS (the on/off flood's, 5; 0 = none), REPEATS (3), WORK (µs per datagram, 20), SHARE (--overload-cpu-
# share, 90), RT (priority, 50; 0 = never), LOADS ("0.5 0.9 1 1.25 1.5 2 3 4"; empty = none), START (first rate of the C search,
# 5000), C (skip the search and use this C), WARM (seconds of the same flood before each measured one, 0.2),
# FOCUS_REPEATS (0) and FOCUS (0.9): that many extra off/auto pairs at FOCUS x C, per variant, the two of a pair run
# back to back in random order — the "no harm below C" comparison, ratio pair by pair; OUT (results directory, a new
# temporary one). QUICK=1: 0.5 s floods, loads "1 4", one round, a short C search — to check the pipeline end to end,
# not to measure. RCVBUF (serve's --rcvbuf, 262144; 0 = serve's default of 8 MiB): the queue sockets' receive buffer.
# The kernel doubles it and charges ~832 bytes per 64-byte datagram, so 256 KiB holds ~630 datagrams, ~30 ms of work at
# C = 20 000/s: a buffer sized to the stack's capacity, which a flood overflows within milliseconds. With 8 MiB the
# buffer holds ~0.4 s of work when a 4 x C flood ends, and the stack stays overloaded until that is read.
# Extra arguments go to serve (e.g. --overload-slice-us 2000).
# The full sweep takes about 10 minutes on 2 CPUs: ~100 points of ~5 s (serve's start-up, 0.5 s of competitor alone,
# the flood, 0.4 s to see the overload left, the shutdown).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${QUICK:-0}" = 1 ]; then
  SECS=${SECS:-0.5}; REPEATS=${REPEATS:-1}; LOADS=${LOADS:-"1 4"}; START=${START:-20000}; SEARCH_STEPS=1; FLAP_SECS=${FLAP_SECS:-1}
fi
SECS=${SECS:-1.5}
FLAP_SECS=${FLAP_SECS:-5}
REPEATS=${REPEATS:-3}
WORK=${WORK:-20}
SHARE=${SHARE:-90}
RT=${RT:-50}
LOADS=${LOADS:-"0.5 0.9 1 1.25 1.5 2 3 4"}
START=${START:-5000}
SEARCH_STEPS=${SEARCH_STEPS:-3}
WARM=${WARM:-0.2}
FOCUS=${FOCUS:-0.9}
FOCUS_REPEATS=${FOCUS_REPEATS:-0}
RCVBUF=${RCVBUF:-262144}
LAYOUT=${LAYOUT:-housekeeping}
TIERED=${TIERED:-0}
PINGER_RT=${PINGER_RT:-60}
EXTRA=("$@")
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
commit=$(git rev-parse --short HEAD)
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
CLI=src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll
TX=0
RX=$(( $(nproc) - 1 ))
for p in flood pinger competitor; do gcc -O2 -o "$OUT/$p" "bench/native/$p.c"; done
if [ "$RT" -gt 0 ] && chrt -f "$RT" true 2>/dev/null; then RTS="0 $RT"; else RTS=0; echo "SCHED_FIFO not permitted: runs without --rt-priority only" >&2; fi
chrt -f "$PINGER_RT" true 2>/dev/null || PINGER_RT=0

point() { # mode rt rate [on_ms [secs]] -> one JSON line, or nothing when the point failed (its error on stderr)
  local rt_args=()
  [ "$2" -gt 0 ] && rt_args=(--rt "$2")
  [ "${4:-0}" -gt 0 ] && rt_args+=(--on-ms "$4")
  [ "$TIERED" = 0 ] && rt_args+=(--serve-env DOTNET_TieredCompilation=0)
  [ "$PINGER_RT" -gt 0 ] && rt_args+=(--pinger-rt "$PINGER_RT")
  python3 bench/overload-point.py --cli "$CLI" --bin "$OUT" --dir "$OUT" --mode "$1" --rate "$3" --secs "${5:-$SECS}" \
    --work "$WORK" --share "$SHARE" --warm "$WARM" --rcvbuf "$RCVBUF" --layout "$LAYOUT" --rx "$RX" --tx "$TX" "${rt_args[@]}" -- "${EXTRA[@]}" || echo "point $* failed" >&2
}
loss_ok() { [ -n "$1" ] && python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d['pps'] >= 0.999 * d['sent_pps'] else 1)" "$1"; }
# Tags a point's line with its load, round and (third argument, optional) focus pair; a failed point adds nothing.
tag() { python3 -c "import json,sys
for l in sys.stdin:
    if l.strip(): d=json.loads(l); d['k']=$1; d['round']=$2; d['focus']=${3:-0}; print(json.dumps(d))"; }

# C: double until `off` falls behind during the flood, then bisect (unless C is given).
if [ -z "${C:-}" ]; then
  lo=0; hi=0; rate=$START
  while [ "$hi" -eq 0 ] && [ "$rate" -le 2000000 ]; do
    line=$(point off 0 "$rate"); [ -n "$line" ] && echo "$line" >> "$OUT/search.jsonl"
    if loss_ok "$line"; then lo=$rate; rate=$(( rate * 2 )); else hi=$rate; fi
  done
  for _ in $(seq "$SEARCH_STEPS"); do
    mid=$(( (lo + hi) / 2 ))
    line=$(point off 0 "$mid"); [ -n "$line" ] && echo "$line" >> "$OUT/search.jsonl"
    if loss_ok "$line"; then lo=$mid; else hi=$mid; fi
  done
  C=$(( lo > 0 ? lo : START / 2 ))
fi
echo "C = $C datagrams/s (--work-us $WORK, $SECS s floods)" >&2

# The machine's floor for the competitor's longest stall: the competitor alone on RX for a point's length, REPEATS
# times, nothing of Softnet running. In a virtual machine the host takes the vCPU away now and then (a busy loop
# alone on a CPU sees gaps without any guest event in them); no packet thread can make the stall shorter than that.
# Each time twice: with TX idle (floor.jsonl), and with TX busy as the flood's sender keeps it during a point
# (floor-tx-busy.jsonl; a second competitor there, started first and running longer), where the host's gaps are longer.
for _ in $(seq "$REPEATS"); do
  taskset -c "$RX" "$OUT/competitor" 0.5 "$SECS" >> "$OUT/floor.jsonl"
  taskset -c "$TX" "$OUT/competitor" 1 "$SECS" > /dev/null &
  busy=$!
  taskset -c "$RX" "$OUT/competitor" 0.5 "$SECS" >> "$OUT/floor-tx-busy.jsonl"
  wait "$busy"
done

# The idle reference of the protected flow's round trip (no flood), once per variant.
for rt in $RTS; do
  for mode in off auto; do
    point "$mode" "$rt" 0 | tag 0 0 | tee -a "$OUT/runs.jsonl" >&2
  done
done

for round in $(seq "$REPEATS"); do
  [ -n "$LOADS" ] || break
  for k in $(printf '%s\n' $LOADS | shuf); do
    r=$(python3 -c "print(int($k * $C))")
    for variant in $(for rt in $RTS; do printf 'off:%s\nauto:%s\n' "$rt" "$rt"; done | shuf); do
      point "${variant%%:*}" "${variant##*:}" "$r" | tag "$k" "$round" | tee -a "$OUT/runs.jsonl" >&2
    done
  done
done

# No harm below C: FOCUS_REPEATS pairs per variant at FOCUS x C, off and auto back to back in random order.
for pair in $(seq "$FOCUS_REPEATS"); do
  r=$(python3 -c "print(int($FOCUS * $C))")
  for rt in $RTS; do
    for mode in $(printf 'off\nauto\n' | shuf); do
      point "$mode" "$rt" "$r" | tag "$FOCUS" "$pair" 1 | tee -a "$OUT/runs.jsonl" >&2
    done
  done
done

# Flapping: a 2 x C flood 100 ms on, 100 ms off for FLAP_SECS, once per variant; the CPU's state changes per second
# are counted (flap damping needs a few cycles to hold the state, so the run is longer than the others).
for rt in $RTS; do
  [ "$FLAP_SECS" != 0 ] || break
  for mode in off auto; do
    point "$mode" "$rt" $(( 2 * C )) 100 "$FLAP_SECS" | tag -1 0 | tee -a "$OUT/runs.jsonl" >&2
  done
done

python3 bench/overload-summary.py "$OUT" "$C" "$commit" "QUICK=${QUICK:-0} SECS=$SECS REPEATS=$REPEATS WORK=$WORK SHARE=$SHARE RT=$RT LOADS='$LOADS' WARM=$WARM FOCUS=$FOCUS FOCUS_REPEATS=$FOCUS_REPEATS RCVBUF=$RCVBUF LAYOUT=$LAYOUT TIERED=$TIERED PINGER_RT=$PINGER_RT bench/overload.sh ${EXTRA[*]:-}" \
  | tee "$OUT/summary.md"
# What stays in OUT is the results: the tools built for the run and the servers' stderr go.
rm -f "$OUT"/flood "$OUT"/pinger "$OUT"/competitor "$OUT"/serve-*.err
if gnuplot -e "dir='$OUT'; C=$C; rt=$RT" bench/overload-plot.gp; then
  echo "plots: $OUT/overload-*.png"
else
  echo "overload: gnuplot failed; no plots" >&2
fi
