#!/usr/bin/env python3
"""Summary of bench/overload-ab.sh: per load and variant, the median and min-max of each point's figures, and, for
points with a sched_switch trace of the packet CPU, the competitor's waits attributed by what ran in them.

A wait is the time from the competitor leaving the CPU to its next turn, within its measured part (its first 0.5 s
run alone). Attribution: "packet thread alone" when nothing but serve's packet threads (ksoftirqd/N, backlog_napi/N,
napi/...) and kernel threads ran in it; "serve alone" when nothing but serve's threads and kernel threads did; the
longest wait overall also counts other processes' time. Usage: overload-ab-summary.py RUNS.jsonl TITLE"""
import json
import re
import statistics
import sys

SWITCH = re.compile(r"^\s*(.+?)-(\d+)\s+\(\s*(\d+|-+)\)\s+\[\d+\].*?\s(\d+\.\d+): sched_switch: prev_comm=(.*?) prev_pid=(\d+) "
                    r".*?==> next_comm=(.*?) next_pid=(\d+) ")
SYSCALL = re.compile(r"^\s*(.+?)-(\d+)\s+\(\s*(?:\d+|-+)\)\s+\[\d+\].*?\s(\d+\.\d+): sys_(enter|exit): NR (\d+)")
PACKET = re.compile(r"^(ksoftirqd|backlog_napi|napi)/")
SENDMMSG = 307
# A stretch this long without any event of the running packet thread, inside one of its runs, is time the host took.
HOST_GAP_MS = 0.2
PRE_S = 0.5
# A packet thread's run longer than this is more than a runtime of the default budget (90% of 1 ms) and its overrun.
LONG_RUN_MS = 1.2


def waits(path, serve_pid):
    """The longest wait on the packet thread alone, on serve alone and overall (ms), and the packet threads' runs on
    the CPU (from a switch to one to the switch away from it): their share longer than LONG_RUN_MS and the longest
    (ms); None without a trace."""
    events, tgid, calls = [], {}, []
    with open(path) as f:
        for line in f:
            m = SWITCH.match(line)
            if not m:
                c = SYSCALL.match(line)
                if c and PACKET.match(c[1]):
                    calls.append((float(c[3]), int(c[5])))
                continue
            if m[3].isdigit():
                tgid[int(m[2])] = int(m[3])
            events.append((float(m[4]), m[5], int(m[6]), m[7], int(m[8])))
    turns = [e[0] for e in events if e[3] == "competitor"]
    if not turns:
        return None
    measured_from = turns[0] + PRE_S

    def kind(comm, pid):
        if comm == "competitor":
            return "competitor"
        if tgid.get(pid) == serve_pid:
            return "packet" if PACKET.match(comm) else "serve"
        if pid == 0 or tgid.get(pid, pid) == pid and re.match(r"^(swapper|kworker|rcu_|migration|ksoftirqd|kcompactd|kdamond|irq/|watchdog)", comm):
            return "kernel"
        return "other"

    longest = {"packet": 0.0, "serve": 0.0, "all": 0.0}
    left, seen = None, set()
    runs, run_from, causes, call = [], None, {"host": 0, "protected": 0, "other": 0}, 0
    for t, prev, prev_pid, nxt, next_pid in events:
        if run_from is not None and kind(prev, prev_pid) == "packet":
            if run_from >= measured_from:
                runs.append((t - run_from) * 1e3)
                if runs[-1] > LONG_RUN_MS and calls:
                    # What the long run holds, from the packet threads' system calls (TRACE=2): a stretch without
                    # any, or a reply sent (only the protected pings are answered).
                    while call < len(calls) and calls[call][0] < run_from:
                        call += 1
                    stamps, replied = [run_from], False
                    while call < len(calls) and calls[call][0] <= t:
                        stamps.append(calls[call][0])
                        replied |= calls[call][1] == SENDMMSG
                        call += 1
                    stamps.append(t)
                    gap = max(b - a for a, b in zip(stamps, stamps[1:])) * 1e3
                    causes["host" if gap > HOST_GAP_MS else "protected" if replied else "other"] += 1
            run_from = None
        if kind(nxt, next_pid) == "packet":
            run_from = t
        if prev == "competitor" and nxt != "competitor":
            left, seen = t, {kind(nxt, next_pid)}
        elif left is not None:
            k = kind(nxt, next_pid)
            if k == "competitor":
                if left >= measured_from:
                    wait = (t - left) * 1e3
                    longest["all"] = max(longest["all"], wait)
                    if seen <= {"packet", "kernel"}:
                        longest["packet"] = max(longest["packet"], wait)
                    if seen <= {"packet", "serve", "kernel"}:
                        longest["serve"] = max(longest["serve"], wait)
                left = None
            else:
                seen.add(k)
    longest["long_runs"] = sum(1 for r in runs if r > LONG_RUN_MS) / len(runs) if runs else None
    longest["longest_run"] = max(runs, default=None)
    longest["causes"] = causes if calls else None
    return longest


def spread(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}-{fmt(max(values))})"


def main():
    runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    print(f"{sys.argv[2]}\n")
    for r in runs:
        r["waits"] = waits(r["trace"], r["serve_pid"]) if r.get("trace") else None
    traced = any(r["waits"] for r in runs)
    head = ["K x C", "variant", "runs", "delivered/s", "competitor share", "longest stall ms", "protected p99 µs",
            "admin p99 ms", "detected ms", "overloaded ms", "level p50", "accounted"]
    if traced:
        head[8:8] = ["wait on packet thread alone ms", "wait on serve alone ms",
                     f"packet-thread runs > {LONG_RUN_MS:g} ms", "longest packet-thread run ms"]
    causes = any(r["waits"] and r["waits"]["causes"] for r in runs)
    if causes:
        head[12:12] = [f"runs > {LONG_RUN_MS:g} ms holding a host gap / a protected poll / neither (sum)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for k in sorted({r["k"] for r in runs}):
        for variant in sorted({r["variant"] for r in runs}):
            rs = [r for r in runs if r["k"] == k and r["variant"] == variant]
            if not rs:
                continue
            row = [f"{k:g}", variant, str(len(rs)), spread([r["pps"] for r in rs], lambda v: f"{v:,.0f}"),
                   spread([100 * r["competitor"] for r in rs], lambda v: f"{v:.0f}%"),
                   spread([r["stall_ms"] for r in rs], lambda v: f"{v:.1f}"),
                   spread([r["ping_p99_us"] for r in rs], lambda v: f"{v:,.0f}"),
                   spread([r["admin_p99_ms"] for r in rs], lambda v: f"{v:.1f}"),
                   spread([r["detect_ms"] for r in rs], lambda v: f"{v:.1f}"),
                   spread([r.get("overloaded_ms") for r in rs], lambda v: f"{v:.0f}"),
                   spread([r.get("level_p50") for r in rs], lambda v: f"{v:.2f}"),
                   str(all(r["accounted"] for r in rs))]
            if traced:
                row[8:8] = [spread([r["waits"]["packet"] for r in rs if r["waits"]], lambda v: f"{v:.2f}"),
                            spread([r["waits"]["serve"] for r in rs if r["waits"]], lambda v: f"{v:.2f}"),
                            spread([r["waits"]["long_runs"] for r in rs if r["waits"]], lambda v: f"{v:.2%}"),
                            spread([r["waits"]["longest_run"] for r in rs if r["waits"]], lambda v: f"{v:.2f}")]
                if causes:
                    row[12:12] = [" / ".join(str(sum(r["waits"]["causes"][c] for r in rs if r["waits"] and r["waits"]["causes"]))
                                             for c in ("host", "protected", "other"))]
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
