#!/usr/bin/env bash
# Alternating A/B (or more) of serve variants under the overload sweep's point (bench/overload-point.py): for each pair
# round and each load K x C, every variant once, in random order, so that drifts of a shared machine hit all of them.
# A variant is LABEL=ARGS: ARGS go to overload-point.py, and those after a "--" on to serve. Examples:
#   bench/overload-ab.sh "housekeeping=--layout housekeeping" "shared=--layout shared"
#   RT=0 bench/overload-ab.sh "default=" "slice=-- --sched-slice-us 200" "budget=-- --overload-slice-us 1000"
#   bench/overload-ab.sh "tiered=" "no-tiering=--serve-env DOTNET_TieredCompilation=0"
# Environment: C (17500), LOADS ("3 4"; 0 = no flood, the protected flow's idle reference), PAIRS (3), MODE (auto),
# RT (50; 0 = SCHED_OTHER), WORK (20), SHARE (90), SECS (1.5), WARM (0.2), RCVBUF (262144), OUT (a new temporary
# directory), TRACE (0; 1 = record sched_switch on the packet CPU in an ftrace instance of its own, as root, and
# attribute the competitor's waits: to serve's packet thread alone, to serve alone, or with other processes in them;
# 2 = the system calls of that CPU too, and every run of a packet thread longer than 1.2 ms is put down to what it
# holds: a gap of more than 200 µs without any event of its thread (the host took the vCPU), or a protected poll).
# Output: OUT/runs.jsonl and OUT/summary.md (per load and variant, median and min-max of each figure).
set -euo pipefail
cd "$(dirname "$0")/.."
C=${C:-17500}; LOADS=${LOADS:-"3 4"}; PAIRS=${PAIRS:-3}; MODE=${MODE:-auto}; RT=${RT:-50}; WORK=${WORK:-20}
SHARE=${SHARE:-90}; SECS=${SECS:-1.5}; WARM=${WARM:-0.2}; RCVBUF=${RCVBUF:-262144}; TRACE=${TRACE:-0}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
[ $# -ge 1 ] || { echo "usage: $0 LABEL=ARGS [LABEL=ARGS]..." >&2; exit 2; }
commit=$(git rev-parse --short HEAD)
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
CLI=src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll
TX=0
RX=$(( $(nproc) - 1 ))
for p in flood pinger competitor; do gcc -O2 -o "$OUT/$p" "bench/native/$p.c"; done
INSTANCE=/sys/kernel/tracing/instances/softnet-ab-$$
if [ "$TRACE" != 0 ]; then
  mkdir "$INSTANCE"
  trap 'echo 0 > "$INSTANCE/tracing_on"; rmdir "$INSTANCE"' EXIT
  printf '%x' $(( 1 << RX )) > "$INSTANCE/tracing_cpumask"
  echo 1 > "$INSTANCE/options/record-tgid"
  echo 16384 > "$INSTANCE/buffer_size_kb"
  echo 1 > "$INSTANCE/events/sched/sched_switch/enable"
  if [ "$TRACE" = 2 ]; then
    echo 65536 > "$INSTANCE/buffer_size_kb"
    echo 1 > "$INSTANCE/events/raw_syscalls/sys_enter/enable"
    echo 1 > "$INSTANCE/events/raw_syscalls/sys_exit/enable"
  fi
fi
rt_args=(); [ "$RT" -gt 0 ] && rt_args=(--rt "$RT")
n=0
for pair in $(seq "$PAIRS"); do
  for k in $LOADS; do
    rate=$(python3 -c "print(int($k * $C))")
    for i in $(seq 0 $(( $# - 1 )) | shuf); do
      variant=("$@"); label=${variant[$i]%%=*}; read -r -a args <<< "${variant[$i]#*=}"
      n=$(( n + 1 )); trace="$OUT/trace-$n.txt"
      [ "$TRACE" != 0 ] && { echo > "$INSTANCE/trace"; echo 1 > "$INSTANCE/tracing_on"; }
      line=$(python3 bench/overload-point.py --cli "$CLI" --bin "$OUT" --dir "$OUT" --mode "$MODE" --rate "$rate" --secs "$SECS" \
        --work "$WORK" --share "$SHARE" --warm "$WARM" --rcvbuf "$RCVBUF" --rx "$RX" --tx "$TX" "${rt_args[@]}" "${args[@]}") \
        || { echo "point $label at $k x C failed" >&2; continue; }
      if [ "$TRACE" != 0 ]; then echo 0 > "$INSTANCE/tracing_on"; cat "$INSTANCE/trace" > "$trace"; else trace=""; fi
      python3 -c "import json,sys; d=json.loads(sys.argv[1]); d.update(k=$k, pair=$pair, variant=sys.argv[2], trace=sys.argv[3]); print(json.dumps(d))" \
        "$line" "$label" "$trace" | tee -a "$OUT/runs.jsonl" >&2
    done
  done
done
python3 bench/overload-ab-summary.py "$OUT/runs.jsonl" \
  "commit $commit, C = $C; command: C=$C LOADS='$LOADS' PAIRS=$PAIRS MODE=$MODE RT=$RT WORK=$WORK SHARE=$SHARE SECS=$SECS WARM=$WARM RCVBUF=$RCVBUF TRACE=$TRACE bench/overload-ab.sh $(printf "'%s' " "$@")" \
  | tee "$OUT/summary.md"
rm -f "$OUT"/flood "$OUT"/pinger "$OUT"/competitor "$OUT"/serve-*.err
