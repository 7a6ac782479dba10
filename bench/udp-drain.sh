#!/usr/bin/env bash
# Receive capacity and efficiency of the UDP path against a hand-written C recvmmsg loop and the naive .NET loop.
#
# 1. Drain: each receiver first has N datagrams queued in its sockets (nothing polls meanwhile), then drains them;
#    pps = N / (last delivery - first delivery). Contenders:
#      softnet-epoll-count     softnet run --device udp --prefill N --queues Q --handler count   (the engine's cost)
#      softnet-epoll-check     the same with the default handler (per-flow order check, latency histogram)
#      softnet-io_uring-count  --backend io_uring --handler count
#      c-recvmmsg              bench/native/recvmmsg_drain --queues Q --count N (asks for the same kernel work as
#                              Softnet: source address and the SO_RXQ_OVFL control message; its prefill is queued
#                              from each queue's draining CPU and steered by CPU, as softnet run's own)
#      c-recvmmsg-bare         the same with --bare (payload only), Q=1
#      naive                   bench/NaiveUdp --count N (one socket, Socket.ReceiveFrom, the same warm-up drains), Q=1
#    softnet run drains untimed in the same process before the timed drain, until the JIT compiles nothing while two
#    in a row drain (JIT tiering, pools).
#    Each Softnet run is paired with the baseline run next to it; which of the two runs first alternates from round
#    to round. Ratios are per pair; the table gives their median with min-max.
# 2. CPU time per packet at a fixed offered load (RATE datagrams/s, one queue, one sender thread, which every
#    contender carries): bench/cpu-window.py sums the receiving process's on-CPU time over WINDOW seconds after WARM
#    seconds, sender threads (udp-load/N) left out, the same way for every contender. Pairs as above.
#
# Writes into OUT: udp-drain.jsonl (every drain run), udp-drain-cpu.jsonl (every fixed-load run), udp-drain.md (the
# tables, labelled with the commit and command), udp-drain.png (pair ratios), and goal lines appended to goals.txt.
# Needs CAP_NET_ADMIN (root) for SO_RCVBUFFORCE: N datagrams must fit in the socket buffers.
# Usage: [N=300000] [ROUNDS=7] [CPU_ROUNDS=3] [RATE=100000] [WARM=2] [WINDOW=5] [OUT=dir] bench/udp-drain.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300000}
ROUNDS=${ROUNDS:-7}
CPU_ROUNDS=${CPU_ROUNDS:-3}
RATE=${RATE:-100000}
WARM=${WARM:-2}
WINDOW=${WINDOW:-5}
OUT=${OUT:-bench/results/udp-drain-$(git rev-parse --short HEAD)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
RUNS=$OUT/udp-drain.jsonl
CPU=$OUT/udp-drain-cpu.jsonl
: >"$RUNS"
: >"$CPU"

dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/NaiveUdp -c Release -v q -nologo >/dev/null
cc -O2 -o "$tmp/recvmmsg_drain" bench/native/recvmmsg_drain.c -lpthread
CLI=src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll
NAIVE=bench/NaiveUdp/bin/Release/net10.0/NaiveUdp.dll

tag() { # contender queues round pair: adds the labels to the JSON line on stdin
  python3 -c '
import json, sys
d = json.loads([l for l in sys.stdin if l.startswith("{")][-1])
d.update(contender=sys.argv[1], queues=int(sys.argv[2]), round=int(sys.argv[3]), pair=sys.argv[4])
print(json.dumps(d))' "$@"
}

softnet_args() { # contender -> the run options that make it
  case $1 in
    softnet-epoll-count) echo "--handler count" ;;
    softnet-epoll-check) echo "--handler check" ;;
    softnet-io_uring-count) echo "--backend io_uring --handler count" ;;
  esac
}

drain() { # contender queues round pair
  local c=$1 q=$2
  case $c in
    softnet-*)
      # shellcheck disable=SC2046
      dotnet $CLI run --device udp --prefill "$N" --queues "$q" $(softnet_args "$c") --json 2>"$tmp/err" \
        | python3 -c '
import json, sys
d = json.load(sys.stdin)
fallback = "receive through epoll" in open(sys.argv[1]).read()
print(json.dumps({"count": d["sent"], "received": d["delivered"], "pps": d["pps"], "alloc_bytes_per_packet": d["alloc_bytes_per_packet"],
  "cpu_ns_per_packet_drain": d.get("cpu_ns_per_packet"), "io_uring_fell_back": fallback}))' "$tmp/err" ;;
    c-recvmmsg) "$tmp/recvmmsg_drain" --queues "$q" --count "$N" 2>/dev/null ;;
    c-recvmmsg-bare) "$tmp/recvmmsg_drain" --queues "$q" --count "$N" --bare 2>/dev/null ;;
    naive) dotnet $NAIVE --count "$N" ;;
  esac | tag "$@" | tee -a "$RUNS"
}

fixed_load() { # contender round pair
  local c=$1 secs
  secs=$(python3 -c "import math; print(math.ceil($WARM + $WINDOW + 1))")
  case $c in
    # shellcheck disable=SC2046
    softnet-*) python3 bench/cpu-window.py "$WARM" "$WINDOW" "$RATE" -- dotnet $CLI run --device udp --queues 1 --producers 1 \
                 --rate "$RATE" --seconds "$secs" $(softnet_args "$c") --json ;;
    c-recvmmsg) python3 bench/cpu-window.py "$WARM" "$WINDOW" "$RATE" -- "$tmp/recvmmsg_drain" --queues 1 --rate "$RATE" --seconds "$secs" ;;
    naive) python3 bench/cpu-window.py "$WARM" "$WINDOW" "$RATE" -- dotnet $NAIVE --rate "$RATE" --seconds "$secs" ;;
  esac | tag "$1" 1 "$2" "$3" | tee -a "$CPU"
}

pair() { # run-function round pair-id baseline contender [queues]: the two side by side, order alternating by round
  local fn=$1 r=$2 id=$3 base=$4 cont=$5; shift 5
  if (( r % 2 )); then "$fn" "$base" "$@" "$r" "$id"; "$fn" "$cont" "$@" "$r" "$id"
  else "$fn" "$cont" "$@" "$r" "$id"; "$fn" "$base" "$@" "$r" "$id"; fi
}

# One untimed run of each program first: page cache, socket memory, the kernel's slab caches.
"$tmp/recvmmsg_drain" --queues 1 --count "$N" >/dev/null 2>&1
dotnet $NAIVE --count 10000 >/dev/null

for r in $(seq "$ROUNDS"); do
  for q in 1 2; do
    pair drain "$r" "$r-$q-epoll-count" c-recvmmsg softnet-epoll-count "$q"
    pair drain "$r" "$r-$q-epoll-check" c-recvmmsg softnet-epoll-check "$q"
    pair drain "$r" "$r-$q-io_uring" c-recvmmsg softnet-io_uring-count "$q"
  done
  pair drain "$r" "$r-1-naive" naive softnet-epoll-count 1
  pair drain "$r" "$r-1-bare" c-recvmmsg-bare softnet-epoll-count 1
done
for r in $(seq "$CPU_ROUNDS"); do
  pair fixed_load "$r" "$r-cpu-epoll" c-recvmmsg softnet-epoll-count
  pair fixed_load "$r" "$r-cpu-io_uring" c-recvmmsg softnet-io_uring-count
  pair fixed_load "$r" "$r-cpu-naive" naive softnet-epoll-count
done

CMD="N=$N ROUNDS=$ROUNDS CPU_ROUNDS=$CPU_ROUNDS RATE=$RATE WARM=$WARM WINDOW=$WINDOW bench/udp-drain.sh"
PYTHONPATH=bench python3 - "$RUNS" "$CPU" "$OUT" "$CMD" "$N" "$RATE" <<'PY' | tee "$OUT/udp-drain.md"
import json, sys
from paired import ratios, spread, goal, header, median
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
out, cmd, n, rate = sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
pps = lambda r: r["pps"]
print(header(f"UDP drain: {n:,} queued 64-byte datagrams, softnet vs C recvmmsg and naive .NET", cmd))
print("| queues | contender | pps median (min–max) | runs | alloc B/packet median (max) | io_uring fell back |")
print("|---|---|---|---:|---|---|")
for q in (1, 2):
    for c in ("softnet-epoll-count", "softnet-epoll-check", "softnet-io_uring-count", "c-recvmmsg", "c-recvmmsg-bare", "naive"):
        rs = [r for r in runs if r["contender"] == c and r["queues"] == q]
        if not rs:
            continue
        alloc = [r["alloc_bytes_per_packet"] for r in rs if "alloc_bytes_per_packet" in r]
        a = f"{median(alloc):.4f} ({max(alloc):.4f})" if alloc else "—"
        fb = sum(1 for r in rs if r.get("io_uring_fell_back")) if c.startswith("softnet-io_uring") else None
        print(f"| {q} | {c} | {spread([pps(r) for r in rs], '{:,.0f}')} | {len(rs)} | {a} | {'—' if fb is None else f'{fb} of {len(rs)}'} |")
print()
print("Pair ratios (each Softnet run over the baseline run next to it; median (min–max)):\n")
print("| queues | softnet contender | over | pps ratio | pairs |")
print("|---|---|---|---|---:|")
key = lambda r: (r["pair"], r["queues"])
rows = [(1, "softnet-epoll-count", "c-recvmmsg"), (1, "softnet-epoll-check", "c-recvmmsg"), (1, "softnet-io_uring-count", "c-recvmmsg"),
        (1, "softnet-epoll-count", "c-recvmmsg-bare"), (1, "softnet-epoll-count", "naive"),
        (2, "softnet-epoll-count", "c-recvmmsg"), (2, "softnet-epoll-check", "c-recvmmsg"), (2, "softnet-io_uring-count", "c-recvmmsg")]
found = {}
for q, a, b in rows:
    xs = ratios([r for r in runs if r["queues"] == q], key, a, b, pps)
    found[(q, a, b)] = xs
    print(f"| {q} | {a} | {b} | {spread(xs)} | {len(xs)} |")
print()
print(f"CPU time per packet at {rate:,} datagrams/s offered, 1 queue, sender threads left out (bench/cpu-window.py):\n")
print("| contender | CPU ns/packet median (min–max) | runs | carried the load | sender reached the rate |")
print("|---|---|---:|---|---|")
for c in ("softnet-epoll-count", "softnet-io_uring-count", "c-recvmmsg", "naive"):
    rs = [r for r in cpu if r["contender"] == c]
    if rs:
        print(f"| {c} | {spread([r['cpu_ns_per_packet_window'] for r in rs], '{:,.0f}')} | {len(rs)} | {sum(1 for r in rs if r['carried'])} of {len(rs)} | {sum(1 for r in rs if r['offered_ok'])} of {len(rs)} |")
print()
cpukey = lambda r: r["pair"]
cn = lambda r: r["cpu_ns_per_packet_window"]
cpu_rows = [("softnet-epoll-count", "c-recvmmsg"), ("softnet-io_uring-count", "c-recvmmsg"), ("softnet-epoll-count", "naive")]
print("| softnet contender | over | CPU/packet ratio median (min–max) | pairs |")
print("|---|---|---|---:|")
for a, b in cpu_rows:
    xs = ratios(cpu, cpukey, a, b, cn)
    print(f"| {a} | {b} | {spread(xs)} | {len(xs)} |")
print("\nGoals (pps pair ratios):\n")
print("```")
goal("drain 1 queue, epoll (count) / C recvmmsg", found[(1, "softnet-epoll-count", "c-recvmmsg")], "≥", 1.0, out)
goal("drain 2 queues, epoll (count) / C recvmmsg", found[(2, "softnet-epoll-count", "c-recvmmsg")], "≥", 0.95, out)
goal("drain 1 queue, io_uring (count) / C recvmmsg", found[(1, "softnet-io_uring-count", "c-recvmmsg")], "≥", 1.1, out)
goal("drain 1 queue, epoll (count) / naive .NET", found[(1, "softnet-epoll-count", "naive")], "≥", 1.6, out)
alloc = [r["alloc_bytes_per_packet"] for r in runs if "alloc_bytes_per_packet" in r]
line = f"alloc B/packet, softnet drains: max {max(alloc):.4f} — goal 0.00: {'met' if alloc and round(max(alloc), 2) == 0 else 'missed'}"
print(line)
open(f"{out}/goals.txt", "a").write(line + "\n")
print("```")
PY

# The pair ratios, one point per pair, for each comparison.
PYTHONPATH=bench python3 - "$RUNS" "$tmp/ratios.dat" <<'PY'
import json, sys
from paired import ratios
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [(1, "softnet-epoll-count", "c-recvmmsg", "1q epoll/C"), (1, "softnet-epoll-check", "c-recvmmsg", "1q epoll check/C"),
        (1, "softnet-io_uring-count", "c-recvmmsg", "1q io\\\\_uring/C"), (1, "softnet-epoll-count", "naive", "1q epoll/naive"),
        (2, "softnet-epoll-count", "c-recvmmsg", "2q epoll/C"), (2, "softnet-io_uring-count", "c-recvmmsg", "2q io\\\\_uring/C")]
with open(sys.argv[2], "w") as f:
    for i, (q, a, b, label) in enumerate(rows):
        for x in ratios([r for r in runs if r["queues"] == q], lambda r: r["pair"], a, b, lambda r: r["pps"]):
            f.write(f'{i} "{label}" {x}\n')
PY
gnuplot -e "set terminal pngcairo size 900,500; set output '$OUT/udp-drain.png'; set title 'UDP drain: pps ratio per pair ($(git rev-parse --short HEAD))';
  set ylabel 'softnet / baseline'; set xtics rotate by -20; set grid ytics; set yrange [0:*]; set xrange [-0.5:5.5];
  plot '$tmp/ratios.dat' using 1:3:xtic(2) with points pt 7 notitle, 1 with lines dt 2 title '1.0'" 2>/dev/null \
  || echo "udp-drain: gnuplot failed; no plot" >&2
