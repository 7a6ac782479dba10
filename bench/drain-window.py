#!/usr/bin/env python3
"""Where a UDP drain's time goes, per datagram: runs one drain command under ftrace and splits the receiving thread's
timed window into time inside each traced syscall, time off the CPU, and the rest (its own user-space code).

    bench/drain-window.py -- bench/native/recvmmsg_drain --queues 1 --count 300000
    bench/drain-window.py -- dotnet src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll run --device udp \\
        --prefill 300000 --queues 1 --handler count --json

Needs root and tracefs (/sys/kernel/tracing); it uses an ftrace instance of its own (instances/drain-window), so it
does not disturb other tracing, and removes it afterwards. The receiving thread is the one whose non-empty recvmmsg
calls start last (softnet run's timed drain follows its warm-up drains, each on threads of its own); its window runs
from its first non-empty recvmmsg return to its last, as both contenders time their drains. Prints the command's
stdout, then one line per figure; with one queue the window is the drain, with more it is one queue's share.
"""
import collections
import os
import re
import subprocess
import sys

TRACEFS = "/sys/kernel/tracing"
SYSCALLS = ("recvmmsg", "epoll_pwait2", "getsockopt", "sched_yield", "io_uring_enter", "futex", "sendmmsg")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def trace(cmd):
    if not os.path.isdir(os.path.join(TRACEFS, "instances")):
        sys.exit(f"drain-window: no tracefs at {TRACEFS} (as root: mount -t tracefs nodev {TRACEFS})")
    inst = os.path.join(TRACEFS, "instances", "drain-window")
    os.makedirs(inst, exist_ok=True)
    try:
        write(f"{inst}/tracing_on", "0")
        write(f"{inst}/buffer_size_kb", "65536")
        for s in SYSCALLS:
            for kind in ("enter", "exit"):
                write(f"{inst}/events/syscalls/sys_{kind}_{s}/enable", "1")
        write(f"{inst}/events/sched/sched_switch/enable", "1")
        write(f"{inst}/trace", "")
        write(f"{inst}/tracing_on", "1")
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        write(f"{inst}/tracing_on", "0")
        with open(f"{inst}/trace") as f:
            text = f.read()
    finally:
        os.rmdir(inst)
    return out.stdout, text


def parse(text):
    line = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\] \S+\s+([\d.]+): (.*)$")
    for l in text.splitlines():
        m = line.match(l)
        if not m:
            continue
        tid, ts, rest = int(m.group(2)), float(m.group(4)), m.group(5)
        if a := re.match(r"sys_(\w+) -> (0x[0-9a-f]+)", rest):
            yield tid, ts, "exit", a.group(1), int(a.group(2), 16)
        elif a := re.match(r"sys_(\w+)\(", rest):
            yield tid, ts, "enter", a.group(1), 0
        elif rest.startswith("sched_switch:"):
            prev = int(re.search(r"prev_pid=(\d+)", rest).group(1))
            nxt = int(re.search(r"next_pid=(\d+)", rest).group(1))
            yield tid, ts, "switch", prev, nxt


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    cmd = sys.argv[sys.argv.index("--") + 1:]
    stdout, text = trace(cmd)
    print(stdout, end="")
    events = list(parse(text))
    reads = collections.defaultdict(list)
    for tid, ts, kind, name, value in events:
        if kind == "exit" and name == "recvmmsg" and 0 < value < 1 << 31:
            reads[tid].append((ts, value))
    if not reads:
        sys.exit("drain-window: no non-empty recvmmsg in the trace")
    tid = max(reads, key=lambda t: reads[t][0][0])
    t0, t1 = reads[tid][0][0], reads[tid][-1][0]
    datagrams = sum(v for _, v in reads[tid][1:])  # the first return opens the window
    inside = collections.Counter()
    calls = collections.Counter()
    entered = {}
    off, left = 0.0, None
    for t, ts, kind, name, value in events:
        if not t0 <= ts <= t1:
            continue
        if kind == "enter" and t == tid:
            entered[name] = ts
        elif kind == "exit" and t == tid and name in entered:
            inside[name] += ts - entered.pop(name)
            calls[name] += 1
        elif kind == "switch" and name == tid and not entered:
            left = ts
        elif kind == "switch" and value == tid and left is not None:
            off += ts - left
            left = None
    window = t1 - t0
    per = lambda s: s / datagrams * 1e9
    print(f"thread {tid}: window {window * 1e3:.2f} ms, {datagrams} datagrams after the first read, "
          f"{datagrams / window:,.0f} datagrams/s, {per(window):.0f} ns per datagram")
    print(f"  recvmmsg batch: {datagrams / max(1, len(reads[tid]) - 1):.1f} datagrams per non-empty call")
    for name in sorted(inside, key=inside.get, reverse=True):
        print(f"  in {name}: {per(inside[name]):.0f} ns per datagram ({calls[name]} calls, one per {datagrams / calls[name]:.1f} datagrams)")
    print(f"  off the CPU outside those calls: {per(off):.0f} ns per datagram")
    print(f"  the rest (user space, untraced syscalls): {per(window - sum(inside.values()) - off):.0f} ns per datagram")


main()
