#!/usr/bin/env bash
# Re-measures every table of bench/RESULTS.md that the current tree can produce, into one directory:
#   bench/results/<NAME>-<commit>/
#     summary.md                the machine, the commit, every command, the goal lines, then every table below
#     goals.txt                 one line per goal of the performance issue: median pair ratio (min–max), met/missed
#     udp-drain.{md,jsonl,png}, udp-drain-cpu.jsonl        bench/udp-drain.sh (drain pps, CPU time per packet)
#     sockperf-latency.{md,jsonl}, sockperf-latency-cdf.png   bench/sockperf-latency.sh (ping-pong vs sockperf server)
#     loopback.md, loopback-{A,B,C}.jsonl, loopback.png       bench/loopback.sh (Softnet.Bench vs Channels)
#     udp-modes.{md,jsonl}, udp-modes-cdf-*.png, udp-modes-delivered.png   bench/udp-modes.sh (the NAPI modes)
#     sockperf-busy-poll.{md,jsonl}, sockperf-busy-poll-cdf.png  bench/sockperf-busy-poll.sh
#     all.log                   every script's progress and raw lines
# Not run here: bench/overload.sh (its own sweep, longer) and bench/ab.sh (two commits against each other).
#
# Run it on a machine with nothing else running, as root (SO_RCVBUFFORCE lets the drain queue N datagrams):
#   bench/all.sh              about 25 minutes on 2 CPUs
#   QUICK=1 bench/all.sh      about 3-4 minutes: one round of everything, short runs; checks the pipeline, not a
#                             result (its summary says so)
# NAME (default all, or quick with QUICK=1) names the directory; STEPS="udp-drain loopback ..." runs only those steps. Every figure is a median of pair ratios with
# min–max; the tables name the commit and the exact command. Exit code 0 when every script finished.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short HEAD)
if [ "${QUICK:-0}" = 1 ]; then
  NAME=${NAME:-quick}
  drain_env=(N=100000 ROUNDS=1 CPU_ROUNDS=1 RATE=100000 WARM=1.5 WINDOW=2)
  sockperf_env=(SOCKPERF_SECONDS=2 WARMUP=2 ROUNDS=1)
  loopback_env=(LOOPBACK_SECONDS=1 ROUNDS=1)
  modes_args=(1 1 100000)
  busy_args=(2 1)
else
  NAME=${NAME:-all}
  drain_env=(N=300000 ROUNDS=7 CPU_ROUNDS=3 RATE=100000 WARM=2 WINDOW=5)
  sockperf_env=(SOCKPERF_SECONDS=5 WARMUP=10 ROUNDS=7)
  loopback_env=(LOOPBACK_SECONDS=5 ROUNDS=5)
  modes_args=(5 2 100000)
  busy_args=(5 5)
fi
OUT=bench/results/$NAME-$commit
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export OUT
log=$OUT/all.log

[ "$(id -u)" = 0 ] || echo "all.sh: not root: SO_RCVBUFFORCE fails and the drains may not fit N datagrams in the socket buffers" >&2
for tool in sockperf gnuplot taskset cc python3; do
  command -v "$tool" >/dev/null || { echo "all.sh: $tool is not installed" >&2; exit 2; }
done

echo "all.sh: building (Release)" >&2
dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/NaiveUdp -c Release -v q -nologo >/dev/null
dotnet build bench/Softnet.Bench -c Release -v q -nologo >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/wake_cost" bench/native/wake_cost.c -lpthread

machine() {
  echo "- commit: $commit$( [ -n "$(git status --porcelain --untracked-files=no)" ] && echo ' (with uncommitted changes)')"
  echo "- CPUs: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo "- kernel: $(uname -r); .NET SDK $(dotnet --version)"
  state "$1"
}
state() { # the load, and what a system call, a sleep and a wake-up cost: a virtual machine's move from run to run
  echo "- load average $1: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- unit costs $1 (\`bench/native/wake_cost 20000 50000 20000\`): $("$tmp/wake_cost" 20000 50000 20000 | paste -sd ';' | sed 's/;/; /g')"
}
tmp_machine=$OUT/machine.md
machine "at start" >"$tmp_machine"

status=0
step() { # name command...: runs one script, logs it, times it; STEPS (names, space-separated) runs only those
  local name=$1; shift
  case " ${STEPS:-$name} " in *" $name "*) ;; *) return 0 ;; esac
  local t0=$SECONDS
  echo "all.sh: $name: $*" >&2
  echo "## $name: $*" >>"$log"
  if "$@" >>"$log" 2>&1; then
    echo "- $name: $(( SECONDS - t0 )) s: \`$*\`" >>"$OUT/steps.md"
  else
    echo "- $name: FAILED after $(( SECONDS - t0 )) s (see all.log): \`$*\`" >>"$OUT/steps.md"
    echo "all.sh: $name failed; see $log" >&2
    status=1
  fi
}
: >"$OUT/goals.txt"
: >"$OUT/steps.md"
start=$SECONDS
step udp-drain env "${drain_env[@]}" bash bench/udp-drain.sh
step sockperf-latency env "${sockperf_env[@]}" bash bench/sockperf-latency.sh
step loopback env "${loopback_env[@]}" bash bench/loopback.sh
step udp-modes bash bench/udp-modes.sh "${modes_args[@]}"
step sockperf-busy-poll bash bench/sockperf-busy-poll.sh "${busy_args[@]}"
total=$(( SECONDS - start ))
state "at end" >>"$tmp_machine"

{
  echo "# Softnet benchmarks at $commit"
  echo
  if [ "${QUICK:-0}" = 1 ]; then echo "**QUICK=1: one short round of each, a check of the pipeline; not a result.**"; echo; fi
  echo "Command: \`$( [ "${QUICK:-0}" = 1 ] && echo 'QUICK=1 ')bench/all.sh\`, $total s in all."
  echo
  cat "$tmp_machine"
  echo
  echo "## Goals (median pair ratio (min–max); met/missed judged on the median)"
  echo
  echo '```'
  cat "$OUT/goals.txt"
  echo '```'
  echo
  echo "## Steps"
  echo
  cat "$OUT/steps.md"
  echo
  for t in udp-drain sockperf-latency loopback udp-modes sockperf-busy-poll; do
    if [ -f "$OUT/$t.md" ]; then cat "$OUT/$t.md"; echo; fi
  done
  echo "## Plots"
  echo
  for p in "$OUT"/*.png; do if [ -f "$p" ]; then echo "- $(basename "$p")"; fi; done
} >"$OUT/summary.md"

echo
echo "all.sh: $total s; results in ${OUT#"$PWD"/}/ (summary.md)"
cat "$OUT/goals.txt"
exit $status
