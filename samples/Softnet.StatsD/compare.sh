#!/usr/bin/env bash
# Softnet.StatsD against Etsy's statsd (the reference server, from npm) and collectd's statsd plugin, fed the same
# traffic by hot-shots (a real StatsD client, from npm) over loopback.
#   compare.sh agree      all three servers receive identical traffic at once; their flushed totals must equal what
#                         the client sent (counters, gauges, timer counts exactly, timer means to the microsecond)
#   compare.sh capacity   one server at a time: a ladder of offered rates; for each, the lines delivered (summed from
#                         the server's own flushes, so kernel socket drops count as loss), loss, socket drops and the
#                         server's CPU time per line; then the plot (capacity.png) and the goal verdicts (loss-free
#                         rate against Etsy's statsd and collectd, bytes allocated per datagram on Softnet.StatsD's
#                         receive path). Softnet.StatsD runs twice: with its default 8 MiB socket buffer per queue, and
#                         (softnet-rmem) with the kernel default the other two servers get
#   compare.sh            both
# QUICK=1 is a smoke test of the whole script (about 2 minutes): a short agreement and two short ladder steps per
# server; its figures are not results. Unattended: installs what it needs on first use (npm packages into
# compare/node_modules; as root, the Debian packages nodejs, npm, curl, collectd-core, gnuplot-nox and prometheus, for
# promtool), asks nothing. Loopback only; every load step is bounded by its line count and time. Results go to stdout
# and to $OUT (default: a temporary directory, printed at the end): agree.md, capacity.dat, capacity.md, alloc.txt,
# verdict.txt, capacity.png. The exit status is 1 when the servers disagree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cmp="$here/compare"
what=${1:-all}
work=$(mktemp -d)
out=${OUT:-$work/out}
mkdir -p "$out"
# Lines per datagram: hot-shots fills datagrams up to this many bytes (0 sends one line per datagram).
buffer=${BUFFER:-1400}
# The capacity ladder (lines per second) and each step's length; the fixed rate for CPU per line is in the ladder.
if [ "${QUICK:-0}" = 1 ]; then
  rates=${RATES:-"25000 100000"} step_seconds=${STEP_SECONDS:-2} cpu_seconds=${CPU_SECONDS:-2}
  agree_iterations=${AGREE_ITERATIONS:-2000}
else
  rates=${RATES:-"25000 50000 100000 200000 400000 800000 1600000"} step_seconds=${STEP_SECONDS:-4} cpu_seconds=${CPU_SECONDS:-10}
  agree_iterations=${AGREE_ITERATIONS:-20000}
fi
agree_rate=${AGREE_RATE:-2000}
# Client processes per load step, sharing its rate: more offer more, but share the 2 CPUs with the server.
clients=${CLIENTS:-1}
cpu_rate=${CPU_RATE:-50000}
warmup_seconds=2
flush_wait=3.5
status=0
softnet_port=28125 softnet_http=29102 etsy_port=28126 etsy_mgmt=28226 collectd_port=28127
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${OUT:-}" ] || echo "compare: outputs kept in $out"
}
trap cleanup EXIT

need() {
  local missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  command -v curl >/dev/null || missing+=(curl)
  command -v collectd >/dev/null || missing+=(collectd-core)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v promtool >/dev/null || missing+=(prometheus)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
      || { echo "compare: needs ${missing[*]} (apt-get install --no-install-recommends ${missing[*]}, as root)"; exit 1; }
    echo "compare: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -d "$cmp/node_modules/statsd" ] || [ ! -d "$cmp/node_modules/hot-shots" ]; then
    echo "compare: installing statsd and hot-shots from npm into $cmp/node_modules"
    (cd "$cmp" && CI=true NPM_CONFIG_UPDATE_NOTIFIER=false npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  # Its own output directory, so builds in the repository meanwhile cannot replace the server under measurement.
  dotnet build "$here/Softnet.StatsD.csproj" -c Release -warnaserror -v quiet -nologo -o "$work/statsd" >/dev/null
}

# Waits (at most 60 s) for a line in a server's output that says it is receiving.
wait_for() {
  local file=$1 pattern=$2
  for _ in $(seq 600); do grep -q "$pattern" "$file" 2>/dev/null && return 0; sleep 0.1; done
  cat "$file"; echo "compare: the server did not start ($pattern)"; exit 1
}

start_softnet() {
  : > "$work/softnet.flush"
  dotnet "$work/statsd/Softnet.StatsD.dll" --port "$softnet_port" --http "127.0.0.1:$softnet_http" \
    --flush-interval 1 --flush-log "$work/softnet.flush" "$@" > "$work/softnet.out" 2>&1 &
  pids+=($!); server_pid=$!
  wait_for "$work/softnet.out" "receiving on"
}

# The same server with the kernel's default socket buffer (net.core.rmem_default, what the other two get) instead
# of Softnet's 8 MiB per queue: how much of the difference is the buffer.
start_softnet-rmem() { start_softnet --Softnet:Udp:ReceiveBufferBytes="$(cat /proc/sys/net/core/rmem_default)"; }

start_etsy() {
  : > "$work/etsy.flush"
  cat > "$work/etsy-config.js" <<JS
{ port: $etsy_port, address: "127.0.0.1", mgmt_port: $etsy_mgmt, mgmt_address: "127.0.0.1", flushInterval: 1000,
  backends: ["$cmp/etsy-flush-backend.js"], flushJsonFile: "$work/etsy.flush", percentThreshold: [90] }
JS
  node "$cmp/node_modules/statsd/stats.js" "$work/etsy-config.js" > "$work/etsy.out" 2>&1 &
  pids+=($!); server_pid=$!
  wait_for "$work/etsy.out" "server is up"
}

start_collectd() {
  rm -rf "$work/collectd"; mkdir -p "$work/collectd"
  cat > "$work/collectd.conf" <<CONF
Hostname "compare"
FQDNLookup false
Interval 1
BaseDir "$work/collectd"
PIDFile "$work/collectd/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin statsd
LoadPlugin csv
<Plugin statsd>
  Host "127.0.0.1"
  Port "$collectd_port"
  CounterSum true
  TimerCount true
  TimerSum true
</Plugin>
<Plugin csv>
  DataDir "$work/collectd/csv"
  StoreRates false
</Plugin>
CONF
  collectd -f -C "$work/collectd.conf" > "$work/collectd.out" 2>&1 &
  pids+=($!); server_pid=$!
  wait_for "$work/collectd.out" "Listening on"
}

stop_servers() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

totals() {
  case $1 in
    softnet | softnet-rmem) node "$cmp/totals.js" softnet "$work/softnet.flush" ;;
    etsy) node "$cmp/totals.js" etsy "$work/etsy.flush" ;;
    collectd) node "$cmp/totals.js" collectd "$work/collectd/csv/compare/statsd" ;;
  esac
}

port_of() { case $1 in softnet | softnet-rmem) echo $softnet_port ;; etsy) echo $etsy_port ;; collectd) echo $collectd_port ;; esac; }

# Kernel drops at the UDP sockets bound to a port (every socket of a reuseport group, IPv4 and IPv6 tables).
socket_drops() {
  local hex; hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == p { d += $NF } END { print d + 0 }' /proc/net/udp /proc/net/udp6
}

# User + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

agree() {
  echo "== agreement: identical hot-shots traffic to all three servers at once (commit $(git -C "$repo" rev-parse --short HEAD))"
  start_softnet; start_etsy; start_collectd
  node "$cmp/client.js" agree "$softnet_port,$etsy_port,$collectd_port" "$agree_iterations" "$agree_rate" > "$out/expected.json"
  sleep "$flush_wait"
  curl -sf "http://127.0.0.1:$softnet_http/metrics" > "$out/metrics.txt"
  if command -v promtool >/dev/null; then
    promtool check metrics < "$out/metrics.txt" && echo "promtool check metrics: Softnet.StatsD's /metrics passes"
  fi
  for s in softnet etsy collectd; do totals $s > "$out/totals-$s.json"; done
  stop_servers
  node "$cmp/agree.js" "$out/expected.json" "Softnet.StatsD=$out/totals-softnet.json" "statsd (Etsy)=$out/totals-etsy.json" "collectd=$out/totals-collectd.json" | tee "$out/agree.md" \
    || status=1
}

# Softnet.StatsD's own counters: "allocated_bytes datagrams" (the packet threads' allocation while receiving, and the
# datagrams aggregated so far).
softnet_alloc() {
  curl -sf "http://127.0.0.1:$softnet_http/metrics" \
    | awk '$1 == "statsd_receive_allocated_bytes_total" { a = $2 } $1 == "statsd_datagrams_total" { d = $2 } END { print a + 0, d + 0 }'
}

# One load step against the running server: RATE lines/s of a fresh counter for SECONDS, then the flushes; prints
# "server kind target offered sent delivered loss_pct socket_drops cpu_s cpu_ns_per_line" and sets step_lost.
step() {
  local s=$1 kind=$2 rate=$3 seconds=$4 name="load.$2.r$3"
  local drops0 ticks0 sent secs delivered drops1 ticks1
  drops0=$(socket_drops "$(port_of "$s")"); ticks0=$(cpu_ticks "$server_pid")
  # CLIENTS processes share the rate (one Node.js process tops out near a million lines/s); each writes what it sent.
  local k client_pids=()
  for k in $(seq "$clients"); do
    node "$cmp/client.js" load "$(port_of "$s")" "$((rate / clients))" "$seconds" "$name" "$buffer" > "$work/client.$k" &
    client_pids+=($!)
  done
  wait "${client_pids[@]}"
  read -r sent secs < <(node -e '
    const rs = process.argv.slice(1).map(f => JSON.parse(require("fs").readFileSync(f, "utf8")));
    console.log(rs.reduce((a, r) => a + r.sent, 0), Math.max(...rs.map(r => r.seconds)))' $(seq -f "$work/client.%g" "$clients"))
  sleep "$flush_wait"
  ticks1=$(cpu_ticks "$server_pid"); drops1=$(socket_drops "$(port_of "$s")")
  delivered=$(totals "$s" | node -e 'const t = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(t.counters[process.argv[1]] ?? 0)' "$name")
  awk -v s="$s" -v k="$kind" -v r="$rate" -v sent="$sent" -v secs="$secs" -v d="$delivered" -v sd=$((drops1 - drops0)) \
      -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { loss = sent > 0 ? 100 * (sent - d) / sent : 0; cpu = t / hz
             printf "%s %s %d %.0f %d %d %.3f %d %.2f %.0f\n", s, k, r, sent / secs, sent, d, loss, sd, cpu, (d > 0 ? cpu * 1e9 / d : 0) }'
  step_lost=$(awk -v sent="$sent" -v d="$delivered" 'BEGIN { print (sent - d > sent * 0.001) ? 1 : 0 }')
}

capacity() {
  echo "== capacity: one server at a time, hot-shots buffer $buffer bytes, $clients client process(es), $step_seconds s per step, CPU at $cpu_rate lines/s for $cpu_seconds s (commit $(git -C "$repo" rev-parse --short HEAD))"
  printf '%s\n' "# server kind target_rate offered_rate sent delivered loss_pct socket_drops cpu_s cpu_ns_per_line" > "$out/capacity.dat"
  for s in softnet softnet-rmem etsy collectd; do
    start_"$s"
    # Warm-up (JIT, allocations of first use), not recorded; then the fixed-rate CPU step; then the ladder, which
    # stops after two steps in a row lose more than 0.1%.
    # (step runs in this shell, not a pipeline's subshell, so step_lost reaches the loop.)
    step "$s" warmup "$cpu_rate" "$warmup_seconds" > /dev/null
    if [ "$s" = softnet ]; then
      # Allocation per datagram: the warm-up's traffic again (the same metric name, so no entry is new), counted on
      # Softnet.StatsD's packet threads; not a capacity row (its name's total spans both steps).
      read -r alloc0 datagrams0 < <(softnet_alloc)
      step "$s" warmup "$cpu_rate" "$cpu_seconds" > /dev/null
      read -r alloc1 datagrams1 < <(softnet_alloc)
      echo "softnet $((alloc1 - alloc0)) $((datagrams1 - datagrams0))" > "$out/alloc.txt"
    fi
    step "$s" cpu "$cpu_rate" "$cpu_seconds" > "$work/row"
    tee -a "$out/capacity.dat" < "$work/row"
    local over=0
    for rate in $rates; do
      step "$s" ladder "$rate" "$step_seconds" > "$work/row"
      tee -a "$out/capacity.dat" < "$work/row"
      if [ "$step_lost" = 1 ]; then over=$((over + 1)); else over=0; fi
      [ "$over" -lt 2 ] || break
    done
    stop_servers
  done
  node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l && !l.startsWith("#")).map(l => l.split(" "));
    // Capacity: the highest offered rate of the ladder steps below the first step that lost more than 0.1%.
    console.log("| server | highest offered rate with ≤ 0.1% loss (lines/s) | first step over 0.1% (offered, loss) | CPU per line at " + process.argv[2] + " lines/s |");
    console.log("|---|---:|---:|---:|");
    for (const s of ["softnet", "softnet-rmem", "etsy", "collectd"]) {
      const ladder = rows.filter(r => r[0] === s && r[1] === "ladder");
      const first = ladder.findIndex(r => Number(r[6]) > 0.1);
      const ok = (first < 0 ? ladder : ladder.slice(0, first)).map(r => Number(r[3]));
      const cpu = rows.find(r => r[0] === s && r[1] === "cpu");
      const over = first < 0 ? "none" : `${ladder[first][3]}, ${ladder[first][6]}%`;
      console.log(`| ${s} | ${ok.length ? Math.max(...ok) : "none"} | ${over} | ${cpu ? cpu[9] + " ns" : "n/a"} |`);
    }' "$out/capacity.dat" "$cpu_rate" | tee "$out/capacity.md"
  gnuplot -e "data='$out/capacity.dat'; out='$out/capacity.png'" "$cmp/plot.gp"
  echo "compare: plot in $out/capacity.png"
  node "$cmp/verdict.js" "$out/capacity.dat" "$out/alloc.txt" | tee "$out/verdict.txt"
}

# The run's length from its step counts, at most (every ladder step run; a server's ladder stops after two lossy
# steps): each step is its seconds, the flush wait and about a second of client start-up; each server a few seconds
# to start; Softnet.StatsD's allocation step once. Steps whose rate the client cannot reach run up to 10 s longer.
estimate() {
  local steps; steps=$(wc -w <<< "$rates")
  awk -v n="$steps" -v st="$step_seconds" -v cs="$cpu_seconds" -v w="$warmup_seconds" -v f="$flush_wait" \
      -v ai="$agree_iterations" -v ar="$agree_rate" -v what="$what" \
    'BEGIN { a = ai / ar + f + 10; c = 4 * ((w + f + 1) + (cs + f + 1) + n * (st + f + 1) + 3)
             c += cs + f + 1
             t = (what == "agree" ? a : what == "capacity" ? c : a + c)
             printf "compare: at most about %d min %02d s of measuring (%d ladder steps of %d s per server, 4 servers), plus the build\n", t / 60, t % 60, n, st }'
}

case $what in
  agree | capacity | all) ;;
  *) echo "usage: [QUICK=1] compare.sh [agree|capacity|all]"; exit 2 ;;
esac
[ "${QUICK:-0}" != 1 ] || echo "compare: QUICK=1, a smoke test: short steps, the figures are not results"
estimate
need
case $what in
  agree) agree ;;
  capacity) capacity ;;
  all) agree; capacity ;;
esac
exit "$status"
