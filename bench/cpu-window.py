#!/usr/bin/env python3
"""CPU time per packet of a receiver at a fixed offered load, measured the same way for every contender.

Usage: bench/cpu-window.py WARM WINDOW RATE -- COMMAND...

Starts COMMAND (a receiver with an in-process sender at RATE datagrams/s that runs for at least WARM + WINDOW
seconds and prints one JSON line at the end), waits WARM seconds (start-up, JIT tiering, buffers growing), then sums
the on-CPU time (/proc/PID/task/*/schedstat, nanoseconds) of the process's threads over the next WINDOW seconds,
leaving out the sender threads (named udp-load/N: their sendmmsg runs the kernel's loopback path, which is not the
receiver's work). Packets in the window are taken as the run's average received rate x WINDOW (the load is steady):
the figure holds when the receiver carries the whole load, which "carried" says (received >= 99.9 % of sent,
nothing dropped); "offered_ok" says whether the sender reached 98 % of RATE. Prints COMMAND's JSON report as one line
with window_cpu_ns, window_seconds and cpu_ns_per_packet_window added.
"""
import json
import subprocess
import sys
import time

from task_cpu import cpu_ns


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        sys.exit(__doc__)
    warm, window, rate = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    proc = subprocess.Popen(sys.argv[5:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(warm)
    start, t0 = cpu_ns(proc.pid), time.monotonic()
    time.sleep(window)
    end, t1 = cpu_ns(proc.pid), time.monotonic()
    out, _ = proc.communicate(timeout=120)
    start_json = out.find("{")
    if proc.returncode not in (0, 1) or start_json < 0:
        sys.exit(f"cpu-window: {' '.join(sys.argv[5:])} exited {proc.returncode} without a JSON report")
    d, _ = json.JSONDecoder().raw_decode(out[start_json:])
    received = d.get("received", d.get("delivered", 0))
    dropped = d.get("dropped", 0)
    if isinstance(dropped, dict):
        dropped = sum(dropped.values())
    d["window_seconds"] = round(t1 - t0, 4)
    d["window_cpu_ns"] = end - start
    per_second = received / d["seconds"] if d.get("seconds") else rate
    d["cpu_ns_per_packet_window"] = round((end - start) / (per_second * (t1 - t0)), 1) if per_second else None
    d["carried"] = dropped == 0 and received >= 0.999 * d.get("sent", 0)
    d["offered_ok"] = d.get("sent", 0) >= 0.98 * rate * d.get("seconds", 0)
    print(json.dumps(d))


if __name__ == "__main__":
    main()
