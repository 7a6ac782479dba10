#!/usr/bin/env bash
# No-regression check between two commits: builds BEFORE and AFTER (each in its own temporary git worktree, Release)
# and runs the same benchmarks against both, alternating A/B within each pair (odd pairs run BEFORE first, even pairs
# AFTER first, so neither always runs on a warmer or colder machine). Per pair and benchmark it computes
# after/before; the table shows the median pair ratio with min–max.
#   drain-q1, drain-q2   softnet run --device udp --prefill N --queues Q --json          delivered pps, higher better
#   sockperf p50, p99    softnet serve --reply sockperf on CPU 0, sockperf ping-pong -m 64 on CPU 1    µs, lower better
#   loopback softirq,    Softnet.Bench loopback --seconds S --rounds 1 (Softnet rows)    delivered pps, higher better
#   loopback backlog-threads
# The verdict column applies THRESHOLD (default 0.97) to the median in the benchmark's better direction: a
# throughput ratio must be >= THRESHOLD, a latency ratio <= 1/THRESHOLD.
# Usage: bench/ab.sh BEFORE AFTER [PAIRS=5]
# Environment: DRAIN_N (200000), SOCKPERF_SECONDS (5), LOOPBACK_SECONDS (3), THRESHOLD (0.97), SERVE_ARGS, RUN_ARGS
#   (extra arguments for both sides' serve and run, e.g. RUN_ARGS="--backend io_uring" once both commits have it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/ab.sh BEFORE AFTER [PAIRS=5]" >&2; exit 2; }
BEFORE=$(git rev-parse --short "$1^{commit}")
AFTER=$(git rev-parse --short "$2^{commit}")
PAIRS=${3:-5}
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || { echo "PAIRS must be a positive integer (got '$PAIRS')" >&2; exit 2; }
N=${DRAIN_N:-200000}
SP_SECS=${SOCKPERF_SECONDS:-5}
LB_SECS=${LOOPBACK_SECONDS:-3}
THRESHOLD=${THRESHOLD:-0.97}
SERVE_ARGS=${SERVE_ARGS:-}
RUN_ARGS=${RUN_ARGS:-}
PORT=11611
SERVER_CPU=0
CLIENT_CPU=1
command -v sockperf >/dev/null || { echo "sockperf is not installed (apt-get install sockperf)" >&2; exit 2; }

out=$(mktemp -d)
cleanup() {
  for side in before after; do
    [ -d "$out/$side" ] && git worktree remove --force "$out/$side" >/dev/null 2>&1 || true
  done
  rm -rf "$out"
}
trap cleanup EXIT

for side in before after; do
  commit=$BEFORE; [ "$side" = after ] && commit=$AFTER
  git worktree add --detach "$out/$side" "$commit" >/dev/null 2>&1
  echo "building $side ($commit)" >&2
  dotnet build "$out/$side/src/Softnet.Cli" -c Release -v q -nologo >"$out/$side.build.log" 2>&1 \
    || { cat "$out/$side.build.log" >&2; exit 1; }
  dotnet build "$out/$side/bench/Softnet.Bench" -c Release -v q -nologo >>"$out/$side.build.log" 2>&1 \
    || { cat "$out/$side.build.log" >&2; exit 1; }
done

cli() { echo "dotnet $out/$1/src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll"; }
record() { # pair side metric value
  printf '{"pair":%d,"side":"%s","metric":"%s","value":%s}\n' "$1" "$2" "$3" "$4" >>"$out/runs.jsonl"
  echo "pair $1 $2 $3 $4" >&2
}

drain() { # pair side queues
  local v
  # shellcheck disable=SC2086
  v=$($(cli "$2") run --device udp --prefill "$N" --queues "$3" --json $RUN_ARGS 2>>"$out/errors.log" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["pps"])') || v=null
  record "$1" "$2" "drain-q$3" "$v"
}

wait_port() { # the server answers on PORT once it is bound
  for _ in $(seq 100); do grep -q ":$(printf '%04X' "$PORT") " /proc/net/udp && return 0; sleep 0.1; done
  return 1
}

latency() { # pair side
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" $(cli "$2") serve --bind 127.0.0.1:$PORT --reply sockperf --no-admin $SERVE_ARGS \
    >/dev/null 2>>"$out/errors.log" &
  local pid=$! p50=null p99=null
  if wait_port; then
    read -r p50 p99 < <(taskset -c "$CLIENT_CPU" sockperf ping-pong -i 127.0.0.1 -p "$PORT" -m 64 -t "$SP_SECS" 2>&1 | python3 -c '
import re, sys
p = {k: float(v) for k, v in re.findall(r"percentile (\d+\.\d+) = +([\d.]+)", sys.stdin.read())}
print(p.get("50.000", "null"), p.get("99.000", "null"))')
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  record "$1" "$2" "sockperf-p50" "${p50:-null}"
  record "$1" "$2" "sockperf-p99" "${p99:-null}"
}

loopback() { # pair side
  local table
  table=$(dotnet "$out/$2/bench/Softnet.Bench/bin/Release/net10.0/Softnet.Bench.dll" loopback \
    --seconds "$LB_SECS" --rounds 1 --warmup 1 2>>"$out/loopback.log") || true
  for mode in softirq backlog-threads; do
    # The delivered-pps column of the contender's row in the bench's median table.
    local v
    v=$(awk -F'|' -v name="Softnet $mode" '{ gsub(/^ +| +$/, "", $2) } $2 == name { gsub(/[ ,]/, "", $3); print $3; exit }' <<<"$table")
    record "$1" "$2" "loopback-$mode" "${v:-null}"
  done
}

side_run() { # pair side
  drain "$1" "$2" 1
  drain "$1" "$2" 2
  latency "$1" "$2"
  loopback "$1" "$2"
}

for p in $(seq "$PAIRS"); do
  if [ $((p % 2)) -eq 1 ]; then side_run "$p" before; side_run "$p" after
  else side_run "$p" after; side_run "$p" before; fi
done

status=0
python3 - "$out/runs.jsonl" "$BEFORE" "$AFTER" "$PAIRS" "$THRESHOLD" "$N" "$SP_SECS" "$LB_SECS" "$SERVE_ARGS" "$RUN_ARGS" <<'PY' || status=$?
import json, statistics, sys
path, before, after, pairs, threshold, n, sp, lb, serve_args, run_args = sys.argv[1:]
threshold = float(threshold)
runs = [json.loads(l) for l in open(path) if l.strip()]
value = {(r["pair"], r["side"], r["metric"]): r["value"] for r in runs}
metrics = [
    ("drain-q1", "pps", True, f"softnet run --device udp --prefill {n} --queues 1 --json {run_args}".strip()),
    ("drain-q2", "pps", True, f"softnet run --device udp --prefill {n} --queues 2 --json {run_args}".strip()),
    ("sockperf-p50", "µs", False, f"taskset -c 0 softnet serve --bind 127.0.0.1:11611 --reply sockperf --no-admin {serve_args}".strip() + f"; taskset -c 1 sockperf ping-pong -i 127.0.0.1 -p 11611 -m 64 -t {sp}"),
    ("sockperf-p99", "µs", False, "(same run as p50)"),
    ("loopback-softirq", "pps", True, f"Softnet.Bench loopback --seconds {lb} --rounds 1 --warmup 1 (Softnet softirq row)"),
    ("loopback-backlog-threads", "pps", True, f"Softnet.Bench loopback --seconds {lb} --rounds 1 --warmup 1 (Softnet backlog-threads row)"),
]
print(f"\nA/B: before {before}, after {after}; {pairs} pairs, alternating (odd pairs before first); ratio = after / before per pair\n")
print("| benchmark | unit | better | before median | after median | pair ratios | median ratio (min–max) | verdict |")
print("|---|---|---|---:|---:|---|---:|---|")
failed = False
for metric, unit, higher, _ in metrics:
    ratios, b, a = [], [], []
    for p in range(1, int(pairs) + 1):
        vb, va = value.get((p, "before", metric)), value.get((p, "after", metric))
        if vb is not None: b.append(vb)
        if va is not None: a.append(va)
        if vb and va is not None: ratios.append(va / vb)
    fmt = (lambda v: f"{v:,.0f}") if unit == "pps" else (lambda v: f"{v:.2f}")
    bm = fmt(statistics.median(b)) if b else "—"
    am = fmt(statistics.median(a)) if a else "—"
    if ratios:
        m = statistics.median(ratios)
        ok = m >= threshold if higher else m <= 1 / threshold
        failed |= not ok
        cell = f"{m:.3f} ({min(ratios):.3f}–{max(ratios):.3f})"
        verdict = "ok" if ok else "REGRESSION"
    else:
        cell, verdict, failed = "—", "no data", True
    print(f"| {metric} | {unit} | {'higher' if higher else 'lower'} | {bm} | {am} | {' '.join(f'{r:.3f}' for r in ratios)} | {cell} | {verdict} |")
print("\nCommands (each side from its own worktree, `dotnet <worktree>/src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll`):\n")
for metric, _, _, cmd in metrics:
    print(f"- {metric}: `{cmd}`")
print(f"\nVerdict: median ratio >= {threshold} for throughput, <= {1 / threshold:.3f} for latency.")
sys.exit(1 if failed else 0)
PY
if [ -s "$out/errors.log" ]; then echo "stderr of the runs (last 20 lines):" >&2; tail -n 20 "$out/errors.log" >&2; fi
exit $status
