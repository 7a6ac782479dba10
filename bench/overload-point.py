#!/usr/bin/env python3
"""One point of bench/overload.sh: `softnet serve` (one CPU, one queue, --reply sockperf, a protected pinger) under a
paced flood, with a CPU-bound competitor beside its packet thread (on RX; --layout says where serve's other threads
run: on TX with --housekeeping-cpus, or on RX beside the packet thread) and an admin client asking GET /stats every 10 ms (--admin-ms). Prints one
JSON line: what was offered and delivered, the competitor's share and longest stall, the protected flow's delivery
and round trips, the admin round trips, when the overload was detected and left, RSS, and whether the run adds up
(accepted flood + pings = received + Softnet's drops + the kernel's loopback backlog drops).

Detection is timed by the stack itself: the CPU's `overload.last_transition_ns` (CLOCK_MONOTONIC) as the first
GET /stats that shows the new state reports it, against the flood's own start on the same clock (printed by flood),
so the 10 ms polling does not limit the resolution. Before the measurement, serve is warmed up with WARM seconds of
the same flood and pings (the first datagrams of a process pay for compiling its packet path, on the packet
thread: with SCHED_FIFO that is a stall of ~10 ms for everything else on the CPU), then left to calm down; 100 admin
requests go first, for the endpoint's start-up."""
import argparse
import json
import os
import socket
import statistics
import subprocess
import time

from unix_http import UnixHTTPConnection


# Every process a point starts, so that a point that fails leaves none of them running.
started = []


def start(args, **kwargs):
    p = subprocess.Popen(args, **kwargs)
    started.append(p)
    return p


def free_ports(n):
    """n distinct free UDP ports: all held at once while they are picked, so the kernel cannot hand one out twice."""
    held = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    try:
        for s in held:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


def kernel_backlog_drops():
    with open("/proc/net/softnet_stat") as f:
        return sum(int(line.split()[1], 16) for line in f)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--cli", required=True)
    a.add_argument("--bin", required=True, help="directory with flood, pinger, competitor")
    a.add_argument("--mode", choices=["off", "auto"], required=True)
    a.add_argument("--rate", type=int, required=True)
    a.add_argument("--secs", type=float, default=1.5)
    a.add_argument("--pre", type=float, default=0.5)
    a.add_argument("--post", type=float, default=0.4)
    a.add_argument("--work", type=int, default=20)
    a.add_argument("--share", type=int, default=90)
    a.add_argument("--rt", type=int, default=0)
    a.add_argument("--rcvbuf", type=int, default=0, help="serve's --rcvbuf (bytes; 0: serve's default, 8 MiB)")
    a.add_argument("--ping-rate", type=int, default=1000)
    a.add_argument("--admin-ms", type=float, default=10,
                   help="ms between the admin client's GET /stats during the flood (its allocations in serve bring garbage collections)")
    a.add_argument("--on-ms", type=int, default=0, help="flood on and off in turns of this many ms")
    a.add_argument("--pinger-rt", type=int, default=0,
                   help="run the pinger at SCHED_FIFO with this priority (0: SCHED_OTHER): on TX it shares its CPU with "
                        "the flood's sender and serve's control plane, and under the fair scheduler its own wake-ups "
                        "wait behind them")
    a.add_argument("--warm", type=float, default=0.2, help="seconds of the same flood before the measurement (0: none)")
    a.add_argument("--layout", choices=["housekeeping", "shared"], default="housekeeping",
                   help="housekeeping: serve's packet thread on RX, its control plane (--housekeeping-cpus) on TX; "
                        "shared: the whole of serve on RX (taskset), the control plane beside the packet thread")
    a.add_argument("--serve-env", action="append", default=[], metavar="NAME=VALUE",
                   help="an environment variable for serve only (repeatable), e.g. DOTNET_TieredCompilation=0")
    a.add_argument("--rx", type=int, required=True)
    a.add_argument("--tx", type=int, required=True)
    a.add_argument("--dir", required=True)
    a.add_argument("extra", nargs="*", help="more serve options, after --")
    o = a.parse_args()

    port, ping_port = free_ports(2)
    sock = os.path.join(o.dir, f"admin-{port}.sock")
    if o.layout == "shared":
        place = ["taskset", "-c", str(o.rx)]
    else:
        # The packet thread takes the allowed CPUs outside the housekeeping list: with exactly TX and RX allowed it is RX.
        place = [] if set(os.sched_getaffinity(0)) == {o.tx, o.rx} else ["taskset", "-c", f"{o.tx},{o.rx}"]
        o.extra = ["--housekeeping-cpus", str(o.tx)] + o.extra
    args = place + ["dotnet", o.cli, "serve", "--bind", f"127.0.0.1:{port}", "--cpus", "1",
            "--queues", "1", "--admin", sock, "--json", "--reply", "sockperf", "--work-us", str(o.work),
            "--overload", o.mode, "--overload-cpu-share", str(o.share), "--protect", f"127.0.0.1:{ping_port}"]
    if o.rt:
        args += ["--rt-priority", str(o.rt)]
    if o.rcvbuf:
        args += ["--rcvbuf", str(o.rcvbuf)]
    args += o.extra
    err = open(os.path.join(o.dir, f"serve-{port}.err"), "w+")
    serve_env = dict(os.environ, **dict(v.split("=", 1) for v in o.serve_env))
    serve = start(args, stdout=subprocess.PIPE, stderr=err, text=True, env=serve_env)
    deadline = time.monotonic() + 60
    while True:
        err.seek(0)
        if "udp0 on" in err.read():
            break
        if serve.poll() is not None or time.monotonic() > deadline:
            err.seek(0)
            raise SystemExit(f"serve did not start: {err.read()}")
        time.sleep(0.05)
    os.sched_setaffinity(0, {o.tx})
    conn = UnixHTTPConnection(sock)

    def stats():
        t = time.monotonic()
        conn.request("GET", "/stats")
        body = conn.getresponse().read()
        return time.monotonic() - t, json.loads(body)

    # The admin path's first requests pay for the endpoint's start-up, not the flood. (Tiered compilation of its methods
    # goes on in the background for much longer at 100 requests/s: that cost stays in the measurement.)
    for _ in range(100):
        stats()
        time.sleep(0.001)

    def overloads(s):
        """The CPUs' overload views in a /stats answer (a CPU without a detector has none)."""
        return [c["overload"] for c in s["cpus"] if c.get("overload")]

    def cpu_state(s):
        """The most loaded CPU's state and the time of its last transition (ns, CLOCK_MONOTONIC; 0 = none)."""
        rank = {"normal": 0, "pressured": 1, "overloaded": 2}
        rows = overloads(s)
        if not rows:
            return "normal", 0
        top = max(rows, key=lambda o: (rank[o["state"]], o.get("last_transition_ns", 0)))
        return top["state"], top.get("last_transition_ns", 0)

    def cpu_alloc(s):
        """What the polls allocated on their threads so far, all CPUs (None from a serve that does not report it)."""
        rows = [o.get("poll_allocated_bytes") for o in overloads(s)]
        return None if not rows or None in rows else sum(rows)

    def cpu_transitions(s):
        """State changes of all CPUs' detectors so far."""
        return sum(o["transitions"] for o in overloads(s))

    def cpu_level(s):
        """The highest of the CPUs' detector levels, as of their last evaluation."""
        return max((o["level"] for o in overloads(s)), default=0.0)

    def cpu_overloaded_ms(s):
        """Time all CPUs' detectors have spent overloaded so far (ms)."""
        return sum(o["time_overloaded_ms"] for o in overloads(s))

    kdrops = kernel_backlog_drops()
    warm_sent = 0
    if o.warm > 0:
        warm = [start(["taskset", "-c", str(o.tx), f"{o.bin}/pinger", str(port), str(ping_port), str(o.ping_rate), str(o.warm)],
                      stdout=subprocess.PIPE, text=True)]
        if o.rate > 0:
            warm.append(start(["taskset", "-c", str(o.tx), f"{o.bin}/flood", str(port), str(o.rate), str(o.warm), "64"],
                              stdout=subprocess.PIPE, text=True))
        warm_sent += json.loads(warm[0].communicate()[0])["sent"]
        if len(warm) > 1:
            warm_sent += int(warm[1].communicate()[0].split()[0])
        # Calm again, and past the detector's flap window (1 s), so the measured flood is detected as a fresh one.
        calm_by = time.monotonic() + 5
        while time.monotonic() < calm_by:
            state, last = cpu_state(stats()[1])
            if state == "normal" and (last == 0 or time.monotonic() - last / 1e9 >= 1.0):
                break
            time.sleep(0.05)
    before = stats()[1]
    delivered_before = before["delivered"]
    alloc_before = alloc_last = (cpu_alloc(before), delivered_before)
    # State changes are counted from the measured flood's start to its end: the warm-up's and the final fall after
    # the flood belong to no on/off cycle.
    transitions_before = transitions_in = cpu_transitions(before)
    overloaded_before = overloaded_in = cpu_overloaded_ms(before)
    competitor = start(["taskset", "-c", str(o.rx), f"{o.bin}/competitor", str(o.pre), str(o.secs)],
                                  stdout=subprocess.PIPE, text=True)
    time.sleep(o.pre)
    t0 = time.monotonic()
    flood = start(["taskset", "-c", str(o.tx), f"{o.bin}/flood", str(port), str(o.rate), str(o.secs), "64"]
                             + ([str(o.on_ms)] if o.on_ms else []),
                             stdout=subprocess.PIPE, text=True)
    pinger = start((["chrt", "-f", str(o.pinger_rt)] if o.pinger_rt else [])
                   + ["taskset", "-c", str(o.tx), f"{o.bin}/pinger", str(port), str(ping_port), str(o.ping_rate), str(o.secs)],
                   stdout=subprocess.PIPE, text=True)
    admin_ms, states, delivered, levels = [], [], [], []
    rss = []
    next_poll = t0
    while True:
        now = time.monotonic()
        # After the flood: POST seconds, longer (up to 2 s) while the CPU is not normal yet, so that leaving is seen.
        if now >= t0 + o.secs + o.post and (not states or states[-1][1] == "normal" or now >= t0 + o.secs + 2):
            break
        if now < next_poll:
            time.sleep(next_poll - now)
            continue
        next_poll += o.admin_ms / 1e3
        took, s = stats()
        at = time.monotonic() - t0
        delivered.append((at, s["delivered"]))
        if at <= o.secs:
            transitions_in = cpu_transitions(s)
            overloaded_in = cpu_overloaded_ms(s)
            levels.append(cpu_level(s))
            alloc_last = (cpu_alloc(s), s["delivered"])
            admin_ms.append(took * 1e3)
            if not rss or at >= o.secs * len(rss) / 2:
                rss.append(rss_kb(serve.pid))
        states.append((at,) + cpu_state(s))
    sent_text, flood_start = flood.communicate()[0].split()
    sent, flood_start = int(sent_text), float(flood_start)
    ping = json.loads(pinger.communicate()[0])
    comp = json.loads(competitor.communicate()[0])
    conn.close()
    serve.terminate()
    final = json.loads(serve.communicate(timeout=60)[0])
    kdrops = kernel_backlog_drops() - kdrops

    # Delivered per second over the flood: from the first answer to the last one inside it (or, if the admin requests
    # starved during the flood, the first one after it).
    inside = [d for d in delivered if d[0] <= o.secs] or delivered[:1]
    end = inside[-1] if len(inside) > 1 else next((d for d in delivered if d[0] > o.secs), delivered[-1])
    pps = (end[1] - delivered[0][1]) / (end[0] - delivered[0][0]) if end[0] > delivered[0][0] else 0
    # The first answer in the flood that shows the CPU overloaded carries the time it became so; the first after the
    # flood that shows it normal, the time it left. The flood's end is its start + its length.
    flood_end = flood_start + o.secs
    detected = next((last / 1e9 - flood_start for at, st, last in states if at >= 0 and st == "overloaded"), None)
    overloaded_at_end = any(st == "overloaded" for at, st, _ in states if at <= o.secs)
    left = next((last / 1e9 - flood_end for at, st, last in states if at > o.secs and st == "normal"), None) \
        if overloaded_at_end else None
    # The socket buffer still holds datagrams when the flood ends (serve's default 8 MiB: ~0.4 s of work at 4 x C): the
    # overload lasts until they are read. Drained: the first answer after the flood's end that shows no new deliveries
    # since the one before (its time relative to the end, as seen by the admin client).
    drained = next((b[0] - o.secs for a, b in zip(delivered, delivered[1:]) if b[0] > o.secs and b[1] == a[1]), None)
    dropped = sum(final["dropped"].values())
    prot = final.get("protected", {})
    print(json.dumps({
        "mode": o.mode, "rt": o.rt, "layout": o.layout, "serve_env": o.serve_env, "serve_pid": serve.pid, "rcvbuf": o.rcvbuf, "rate": o.rate, "work_us": o.work, "secs": o.secs, "on_ms": o.on_ms, "pinger_rt": o.pinger_rt,
        "sent": sent, "sent_pps": sent / o.secs,
        "pps": pps,
        "loss": (sent + ping["sent"] - final["received"]) / max(sent + ping["sent"], 1),
        "competitor": comp["units_per_s"] / max(comp["solo_units_per_s"], 1), "stall_ms": comp["longest_stall_ms"],
        "delivered_ratio": (final["received"] - delivered_before - ping["sent"]) / max(sent, 1),
        "ping_sent": ping["sent"], "ping_replied": ping["replied"], "ping_ratio": ping["replied"] / max(ping["sent"], 1),
        "ping_lost_in_row": ping["max_lost_in_row"], "ping_p99_us": ping["p99_us"], "ping_p50_us": ping["p50_us"],
        "protected_received": prot.get("received"), "protected_dropped": prot.get("dropped"),
        "admin_p50_ms": pct(admin_ms, 0.5), "admin_p99_ms": pct(admin_ms, 0.99), "admin_max_ms": max(admin_ms, default=None),
        "detect_ms": None if detected is None else detected * 1e3, "leave_ms": None if left is None else left * 1e3,
        "drained_ms": None if drained is None else drained * 1e3,
        "transitions": transitions_in - transitions_before,
        # How long the CPUs' detectors called the CPU overloaded during the measured flood (below C: how long a transient held it).
        "overloaded_ms": overloaded_in - overloaded_before,
        # The level the load holds: the median of the CPUs' highest level, sampled with every admin request in the flood.
        "level_p50": pct(levels, 0.5),
        "throttled": sum(c["throttled"] for c in final["overload"]["cpus"]),
        "alloc_per_packet": final["overload"].get("poll_alloc_bytes_per_packet"),
        # The same over the measured flood only (warm-up and start-up excluded): the steady state.
        "alloc_flood_per_packet": None if alloc_before[0] is None or alloc_last[0] is None or alloc_last[1] <= alloc_before[1]
        else (alloc_last[0] - alloc_before[0]) / (alloc_last[1] - alloc_before[1]),
        "rss_start_kb": rss[0] if rss else None, "rss_end_kb": rss[-1] if rss else None,
        "kernel_drops": kdrops, "drops": final["dropped"],
        "accounted": warm_sent + sent + ping["sent"] == final["received"] + dropped + kdrops,
    }))


if __name__ == "__main__":
    try:
        main()
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
