#!/usr/bin/env python3
"""The on-CPU time of a process's threads: the sum of /proc/PID/task/*/schedstat (nanoseconds), leaving out sender
threads named udp-load/N (their sendmmsg runs the kernel's loopback path, not the receiver's work).

Usage: bench/task_cpu.py PID   prints that sum now; bench/cpu-window.py imports cpu_ns."""
import os
import sys


def cpu_ns(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().startswith("udp-load/"):
                    continue
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread exited between the listing and the read
    return total


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(cpu_ns(int(sys.argv[1])))
