#!/usr/bin/env bash
# Deterministic cost of the loopback path: instructions per packet (valgrind callgrind), and wake-ups and waking
# syscalls per packet (strace -c -f: futex, and write for the softirq thread's eventfd) for a fixed number of packets
# through loopback -> RPS over 2 CPUs -> backlog -> a counting handler
# (bench/LoopbackCount: one sender, at most 512 packets in flight, nothing dropped), in both kick modes. Instructions
# per packet = the difference between a run of N2 and one of N1 packets over N2 - N1, so start-up and JIT cancel out;
# tiering is fixed (DOTNET_TieredCompilation=0, DOTNET_TieredPGO=0). Under valgrind the JIT compiles the larger
# methods with MinOpts (DOTNET_JitDisasmSummary=1 shows it), so the counts compare commits, they are not the cost of
# the optimised code. Wake-ups and syscalls per packet are the N2 run's totals over N2 (the futex calls include the
# sender's own waits for its window; they vary from run to run by about 0.002 per packet). Each COMMIT (default:
# the working tree, ".") is built in its own temporary worktree with this script's copy of bench/LoopbackCount.
# Usage: [N1=100000] [N2=300000] bench/loopback-count.sh [COMMIT...]
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${N1:-100000}
N2=${N2:-300000}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
command -v strace >/dev/null || { echo "strace is not installed (apt-get install strace)" >&2; exit 2; }
[ $# -gt 0 ] || set -- .
root=$(pwd)
tmp=$(mktemp -d)
cleanup() {
  for d in "$tmp"/wt-*; do [ -d "$d" ] && git worktree remove --force "$d" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0 DOTNET_CLI_TELEMETRY_OPTOUT=1
echo "| commit | mode | instructions/packet | futex + write calls/packet | stack wake-ups/packet |"
echo "|---|---|---:|---:|---:|"
for commit in "$@"; do
  if [ "$commit" = . ]; then
    src=$root; label="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes')"
  else
    label=$(git rev-parse --short "$commit^{commit}")
    src=$tmp/wt-$label
    git worktree add --detach "$src" "$label" >/dev/null 2>&1
    rm -rf "$src/bench/LoopbackCount"
    cp -r "$root/bench/LoopbackCount" "$src/bench/LoopbackCount"
    rm -rf "$src/bench/LoopbackCount/bin" "$src/bench/LoopbackCount/obj"
  fi
  dotnet build "$src/bench/LoopbackCount" -c Release -v q -nologo >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
  dll=$src/bench/LoopbackCount/bin/Release/net10.0/LoopbackCount.dll
  for mode in softirq backlog-threads; do
    ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null dotnet "$dll" "$mode" "$1" 2>&1 | awk '/Collected :/ { print $4 }'; }
    syscalls() { # calls wakeups
      strace -f -c -e trace=futex,write -o "$tmp/strace" dotnet "$dll" "$mode" "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == "wakeups") print $(i + 1) }' >"$tmp/wakeups"
      echo "$(awk '$NF == "futex" || $NF == "write" { n += $4 } END { print n + 0 }' "$tmp/strace") $(cat "$tmp/wakeups")"
    }
    i1=$(ir "$N1"); i2=$(ir "$N2")
    read -r f2 w2 < <(syscalls "$N2")
    python3 -c "
print(f'| $label | $mode | {($i2 - $i1) / ($N2 - $N1):.0f} | {$f2 / $N2:.4f} | {$w2 / $N2:.4f} |')"
  done
done
echo
echo "N1=$N1 N2=$N2; commands: valgrind --tool=callgrind dotnet LoopbackCount.dll MODE N and strace -f -c -e trace=futex,write dotnet LoopbackCount.dll MODE N, DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0"
