#!/usr/bin/env python3
"""CPU time per admin GET /stats against an idle `softnet serve`: per variant, serve's utime + stime
(the sum of its threads' /proc/PID/task/TID/schedstat) over N requests at RATE requests/s on one keep-alive
connection to the Unix socket, minus what the idle serve used without requests (3 s, scaled to as long). Variants alternate in random order per pair, each a fresh serve; a
variant is LABEL=ENV..., serve's environment (e.g. inline=DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1), or
LABEL= for none; SOFTNET_CLI=PATH among them runs that build of Softnet.Cli.dll instead of this tree's (an A/B
against another commit). Prints one JSON line per run and a table: µs of CPU per request, median (min-max), and the ratio to
the first variant pair by pair.
Usage: bench/admin-cpu.py [--pairs 3] [--requests 1000] [--rate 100] LABEL=[ENV=VALUE ...] ..."""
import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from unix_http import UnixHTTPConnection

CLI = "src/Softnet.Cli/bin/Release/net10.0/Softnet.Cli.dll"
IDLE_S = 3


class CpuMeter:
    """The CPU time of a process's threads from their schedstat (ns, where /proc/PID/stat counts 10 ms ticks), each
    thread's last reading kept after it exits: sampled often, a thread that ends loses at most its last interval."""

    def __init__(self, pid):
        self.pid = pid
        self.seen = {}

    def sample(self):
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            try:
                with open(f"/proc/{self.pid}/task/{tid}/schedstat") as f:
                    self.seen[tid] = max(self.seen.get(tid, 0), int(f.read().split()[0]))
            except (FileNotFoundError, ProcessLookupError):
                pass
        return sum(self.seen.values()) / 1e9


def run(env_args, requests, rate, directory):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    sock = os.path.join(directory, f"admin-{port}.sock")
    env = dict(os.environ, **dict(a.split("=", 1) for a in env_args))
    cli = env.pop("SOFTNET_CLI", CLI)
    serve = subprocess.Popen(["dotnet", cli, "serve", "--bind", f"127.0.0.1:{port}", "--cpus", "1", "--queues", "1",
                              "--admin", sock], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in serve.stderr:
            if "udp0 on" in line:
                break
        deadline = time.monotonic() + 30
        while not os.path.exists(sock) and time.monotonic() < deadline:
            time.sleep(0.02)
        conn = UnixHTTPConnection(sock)

        def stats():
            conn.request("GET", "/stats")
            json.loads(conn.getresponse().read())

        # The endpoint's start-up and the first tiers of its code, then a pause so the pool's workers go idle.
        for _ in range(300):
            stats()
            time.sleep(1 / rate)
        time.sleep(1)
        span = requests / rate
        meter = CpuMeter(serve.pid)
        idle_from = meter.sample()
        for _ in range(int(IDLE_S * 10)):
            time.sleep(0.1)
            meter.sample()
        idle = (meter.sample() - idle_from) * span / IDLE_S
        start = meter.sample()
        next_at = time.monotonic()
        for i in range(requests):
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += 1 / rate
            stats()
            if i % 10 == 0:
                meter.sample()
        used = meter.sample() - start
        conn.close()
        return {"cpu_s": used, "idle_cpu_s": idle, "us_per_request": (used - idle) / requests * 1e6}
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--pairs", type=int, default=3)
    a.add_argument("--requests", type=int, default=1000)
    a.add_argument("--rate", type=float, default=100)
    a.add_argument("variants", nargs="+")
    o = a.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    subprocess.run(["dotnet", "build", "src/Softnet.Cli", "-c", "Release", "-v", "q", "-nologo"], check=True, stdout=subprocess.DEVNULL)
    variants = [(v.split("=", 1)[0], v.split("=", 1)[1].split()) for v in o.variants]
    results = {label: [] for label, _ in variants}
    with tempfile.TemporaryDirectory() as directory:
        for pair in range(o.pairs):
            for label, env_args in random.sample(variants, len(variants)):
                r = run(env_args, o.requests, o.rate, directory)
                r.update(variant=label, pair=pair)
                print(json.dumps(r), file=sys.stderr)
                results[label].append(r["us_per_request"])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}; command: bench/admin-cpu.py --pairs {o.pairs} --requests {o.requests} --rate {o.rate:g} "
          + " ".join(f"'{v}'" for v in o.variants) + "\n")
    print("| variant | CPU µs per GET /stats, median (min-max) | ratio to " + variants[0][0] + ", pair by pair |")
    print("|---|---|---|")
    base = results[variants[0][0]]
    for label, _ in variants:
        v = results[label]
        ratios = [x / b for x, b in zip(v, base) if b > 0]
        print(f"| {label} | {statistics.median(v):.0f} ({min(v):.0f}-{max(v):.0f}) | "
              + (f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})" if ratios else "-") + " |")


if __name__ == "__main__":
    main()
