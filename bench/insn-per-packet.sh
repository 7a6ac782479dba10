#!/usr/bin/env bash
# User-space instructions per drained datagram of `softnet run --device udp --prefill N`, counted by valgrind's
# callgrind: the load does not change it, so it compares commits on a busy machine where throughput cannot. Each
# COMMIT is built in a temporary git worktree (Release) and drained twice, with N and with 2N prefilled datagrams; the
# difference of the receiving threads' instructions divided by the difference of the datagrams drained is the cost
# of one more datagram (start-up, JIT and teardown cancel out). The receiving threads are every thread but the main one (whose
# wait loop sleeps by the clock) and the senders (the threads that call sendmmsg). The JIT is fixed by
# DOTNET_TieredCompilation=0 (every method fully optimised on its first call, no background tiering, no dynamic PGO),
# so the figure is of optimised code without profile-guided devirtualisation; JIT=tiered keeps the runtime's default
# (tiered compilation with dynamic PGO: closer to a real run, less repeatable). The kernel's work is not counted.
# Work paced by the wall clock (the overload detector's tick) grows with the run's length under valgrind, so repeats of
# one commit differ by up to ~150 per datagram: compare commits by differences that repeat.
# A commit whose `run` has the untimed warm-up drain (prints "warm-up") drains N twice per run; the script counts
# the datagrams drained from the run's own progress output.
# Usage: bench/insn-per-packet.sh [N=20000] COMMIT...     Environment: RUN_ARGS (default "--queues 1"), JIT (full|tiered)
set -euo pipefail
cd "$(dirname "$0")/.."
N=20000
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then N=$1; shift; fi
[ $# -ge 1 ] || { echo "usage: bench/insn-per-packet.sh [N] COMMIT..." >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
RUN_ARGS=${RUN_ARGS:---queues 1}
JIT=${JIT:-full}
case "$JIT" in
  full) JIT_ENV=(DOTNET_TieredCompilation=0) ;;
  tiered) JIT_ENV=(DOTNET_TieredCompilation=1) ;;
  *) echo "JIT must be full or tiered (got '$JIT')" >&2; exit 2 ;;
esac
out=$(mktemp -d)
trap 'for w in "$out"/wt-*; do [ -d "$w" ] && git worktree remove --force "$w" >/dev/null 2>&1; done; rm -rf "$out"' EXIT

receiving() { # callgrind per-thread files of one run -> instructions of the receiving threads
  local total=0 f n
  for f in "$1".out-*; do
    [ "${f##*-}" = 01 ] && continue
    grep -q "sendmmsg" "$f" && continue
    n=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

drain() { # worktree prefill -> "instructions drained"
  local cg="$out/cg-$RANDOM" log
  # shellcheck disable=SC2086
  log=$(env "${JIT_ENV[@]}" valgrind --tool=callgrind --separate-threads=yes --smc-check=all \
    --callgrind-out-file="$cg.out" dotnet "$1/src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll" \
    run --device udp --prefill "$2" $RUN_ARGS 2>&1 >/dev/null) || { echo "$log" | tail -5 >&2; exit 1; }
  local drained=$2
  grep -q "warm-up" <<<"$log" && drained=$((2 * $2))
  echo "$(receiving "$cg") $drained"
  rm -f "$cg".out*
}

echo "| commit | N | instructions (N) | instructions (2N) | datagrams drained (N, 2N) | instructions per datagram |"
echo "|---|---:|---:|---:|---|---:|"
for c in "$@"; do
  short=$(git rev-parse --short "$c^{commit}")
  wt="$out/wt-$short"
  git worktree add --detach "$wt" "$short" >/dev/null 2>&1
  dotnet build "$wt/src/Softnet.Cli" -c Release -v q -nologo >"$out/build-$short.log" 2>&1 || { tail -20 "$out/build-$short.log" >&2; exit 1; }
  read -r i1 d1 < <(drain "$wt" "$N")
  read -r i2 d2 < <(drain "$wt" $((2 * N)))
  per=$(python3 -c "print(f'{($i2 - $i1) / ($d2 - $d1):,.0f}')")
  echo "| $short | $N | $i1 | $i2 | $d1, $d2 | $per |"
done
echo
echo "Command: JIT=$JIT RUN_ARGS=\"$RUN_ARGS\" bench/insn-per-packet.sh $N $*; ${JIT_ENV[*]} valgrind --tool=callgrind --separate-threads=yes softnet run --device udp --prefill N|2N $RUN_ARGS"
