#!/usr/bin/env bash
# Receive capacity of the UDP path, measured by draining: each receiver first has N datagrams queued in its sockets
# (nothing polls meanwhile), then drains them; pps = N / (last delivery - first delivery). Alternates, in rounds:
#   softnet   softnet run --device udp --prefill N --queues Q   (the whole path: recvmmsg NAPI poll -> handler)
#   c         bench/native/recvmmsg_drain --queues Q            (plain recvmmsg asking for the kernel work Softnet
#                                                                asks for: source address and SO_RXQ_OVFL)
#   naive     bench/NaiveUdp (Q=1 only)                           (one socket, Socket.ReceiveFrom(..., ref EndPoint))
# Prints every run and a median table with ratios. Needs CAP_NET_ADMIN for SO_RCVBUFFORCE (large buffers).
# Usage: bench/udp-drain.sh [N=200000] [ROUNDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
ROUNDS=${2:-5}
out=$(mktemp -d)

dotnet build src/Softnet.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/NaiveUdp -c Release -v q -nologo >/dev/null
cc -O2 -o "$out/recvmmsg_drain" bench/native/recvmmsg_drain.c

softnet() { dotnet src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll run --device udp --prefill "$N" --queues "$1" --json 2>/dev/null \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"receiver":"softnet","queues":'"$1"',"count":d["sent"],"received":d["delivered"],"pps":round(d["pps"]),"alloc_bytes_per_packet":d["alloc_bytes_per_packet"]}))'; }
native() { "$out/recvmmsg_drain" --queues "$1" --count "$N" 2>/dev/null; }
naive() { dotnet bench/NaiveUdp/bin/Release/net10.0/NaiveUdp.dll --count "$N"; }

# One warm-up of each, not recorded: page cache, JIT tiering, socket memory.
softnet 1 >/dev/null; native 1 >/dev/null; naive >/dev/null

for r in $(seq "$ROUNDS"); do
  for q in 1 2; do
    softnet "$q" | tee -a "$out/runs.jsonl"
    native "$q" | tee -a "$out/runs.jsonl"
  done
  naive | tee -a "$out/runs.jsonl"
done

python3 - "$out/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(receiver, q):
    v = [r["pps"] for r in runs if r["receiver"].startswith(receiver) and r["queues"] == q]
    return statistics.median(v) if v else None
print()
print("| queues | softnet pps | C recvmmsg pps | softnet / C | naive .NET pps | softnet / naive |")
print("|---|---|---|---|---|---|")
for q in (1, 2):
    s, c, n = med("softnet", q), med("c-recvmmsg", q), med("dotnet", 1)
    naive = f"{n:,.0f}" if q == 1 else "—"
    ratio = f"{s / n:.2f}" if q == 1 else "—"
    print(f"| {q} | {s:,.0f} | {c:,.0f} | {s / c:.2f} | {naive} | {ratio} |")
alloc = [r["alloc_bytes_per_packet"] for r in runs if r["receiver"] == "softnet"]
print(f"\nsoftnet allocated bytes per packet: median {statistics.median(alloc):.4f}, max {max(alloc):.4f}")
PY
rm -rf "$out"
