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
PACKET = re.compile(r"^(ksoftirqd|backlog_napi|napi)/")
PRE_S = 0.5


def waits(path, serve_pid):
    """(longest wait on the packet thread alone, longest on serve alone, longest overall), ms; None without a trace."""
    events, tgid = [], {}
    with open(path) as f:
        for line in f:
            m = SWITCH.match(line)
            if not m:
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
    for t, prev, prev_pid, nxt, next_pid in events:
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
            "admin p99 ms", "detected ms", "accounted"]
    if traced:
        head[8:8] = ["wait on packet thread alone ms", "wait on serve alone ms"]
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
                   str(all(r["accounted"] for r in rs))]
            if traced:
                row[8:8] = [spread([r["waits"]["packet"] for r in rs if r["waits"]], lambda v: f"{v:.2f}"),
                            spread([r["waits"]["serve"] for r in rs if r["waits"]], lambda v: f"{v:.2f}")]
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
