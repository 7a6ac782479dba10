#!/usr/bin/env python3
"""bench/overload.sh's summary: runs.jsonl -> runs.csv, a Markdown table per variant (--overload off/auto, without and
with --rt-priority), and each goal of the overload issue reported met or missed with its figure.
Usage: overload-summary.py OUT C COMMIT COMMAND"""
import json
import statistics
import sys

out, C, commit, command = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
everything = [json.loads(line) for line in open(f"{out}/runs.jsonl") if line.strip()]
# The sweep's runs, and the focus pairs (FOCUS_REPEATS: off and auto back to back at one load below C).
runs = [r for r in everything if not r.get("focus")]
focus = [r for r in everything if r.get("focus")]
fields = ["k", "round", "mode", "rt", "rate", "sent_pps", "pps", "delivered_ratio", "loss", "competitor", "stall_ms", "ping_sent",
          "ping_replied", "ping_ratio", "ping_lost_in_row", "ping_p50_us", "ping_p99_us", "admin_p50_ms", "admin_p99_ms",
          "detect_ms", "leave_ms", "drained_ms", "transitions", "overloaded_ms", "level_p50", "throttled", "rss_start_kb", "rss_end_kb", "alloc_per_packet", "alloc_flood_per_packet", "kernel_drops", "accounted"]
for name, rows in (("runs", runs), ("focus", focus)):
    if not rows and name == "focus":
        continue
    with open(f"{out}/{name}.csv", "w") as f:
        f.write(",".join(fields) + "\n")
        for r in rows:
            f.write(",".join("" if r.get(x) is None else str(r[x]) for x in fields) + "\n")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mx(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def mn(values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def variant_name(mode, rt):
    return f"--overload {mode}" + (f" --rt-priority {rt}" if rt else "")


share_limit = None
for token in command.split():
    if token.startswith("SHARE="):
        share_limit = int(token.split("=")[1])
print(f"\ncommit {commit}, C = {C:,} datagrams/s; command: {command}")
print(f"CSV: {out}/runs.csv; plots: {out}/overload-*.png\n")
variants = sorted({(r["mode"], r["rt"]) for r in everything}, key=lambda v: (v[1], v[0] != "off"))
loads = sorted({r["k"] for r in runs if r["k"] > 0})
# k = 0: the idle reference (no flood); k = -1: the on/off flood (100 ms each) at 2 x C.
for mode, rt in variants:
    print(f"\n**{variant_name(mode, rt)}**\n")
    print("| K x C | delivered / C median (min-max) | competitor share | longest stall ms | protected replied (min) | lost in a row (max) | protected p99 µs | admin p99 ms | detected ms | left ms | time overloaded ms | RSS kB start→end | accounted |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for k in [0] + loads + [-1]:
        rs = [r for r in runs if r["k"] == k and r["mode"] == mode and r["rt"] == rt]
        if not rs:
            continue
        d = [r["pps"] / C for r in rs]
        print(f"| {'2 (100 ms on/off)' if k == -1 else k} | {fmt(med(d), '.3f')} ({min(d):.3f}-{max(d):.3f}) | {fmt(med(r['competitor'] for r in rs), '.0%')} | "
              f"{fmt(max(r['stall_ms'] for r in rs), '.1f')} | {fmt(min(r['ping_ratio'] for r in rs), '.2%')} | "
              f"{max(r['ping_lost_in_row'] for r in rs)} | {fmt(med(r['ping_p99_us'] for r in rs), '.0f')} | "
              f"{fmt(med(r['admin_p99_ms'] for r in rs), '.1f')} | {fmt(med(r['detect_ms'] for r in rs), '.0f')} | "
              f"{fmt(med(r['leave_ms'] for r in rs), '.0f')} | {fmt(med(r.get('overloaded_ms') for r in rs), '.0f')} | {fmt(med(r['rss_start_kb'] for r in rs), '.0f')}→{fmt(med(r['rss_end_kb'] for r in rs), '.0f')} | "
              f"{all(r['accounted'] for r in rs)} |")


def focus_pairs(rt):
    """The focus pairs of one RT variant: (off, auto) with the same pair number."""
    by = {}
    for r in focus:
        if r["rt"] == rt:
            by.setdefault(r["round"], {})[r["mode"]] = r
    return [(p["off"], p["auto"]) for _, p in sorted(by.items()) if "off" in p and "auto" in p]


if focus:
    print("\n**No harm below C: off and auto back to back, ratio auto / off pair by pair**\n")
    print("| variant | K x C | pairs | delivered ratio auto/off median (min-max) | protected p99 auto/off median (min-max) | competitor auto/off median (min-max) |")
    print("|---|---|---|---|---|---|")
    for rt in sorted({r["rt"] for r in focus}):
        pairs = focus_pairs(rt)
        if not pairs:
            continue
        cols = []
        for key in ("delivered_ratio", "ping_p99_us", "competitor"):
            q = [a[key] / max(o[key], 1e-9) for o, a in pairs]
            cols.append(f"{med(q):.4f} ({min(q):.4f}-{max(q):.4f})")
        print(f"| {variant_name('auto', rt)} vs off | {pairs[0][0]['k']} | {len(pairs)} | " + " | ".join(cols) + " |")


def goal(name, ok, figure):
    print(f"- {name}: {'met' if ok else 'MISSED'} ({figure})")


# The competitor alone on the packet CPU, as long as a point (bench/overload.sh's floor): the machine's own stalls,
# with the other CPU idle and with it busy (as the flood's sender keeps it).
def stalls(name):
    try:
        return [json.loads(line)["longest_stall_ms"] for line in open(f"{out}/{name}") if line.strip()]
    except FileNotFoundError:
        return []


def floor_part(values, when):
    return f"{fmt(med(values), '.1f')} ms median ({fmt(mn(values), '.1f')}-{fmt(mx(values), '.1f')}) over {len(values)} runs {when}"


floor, floor_busy = stalls("floor.jsonl"), stalls("floor-tx-busy.jsonl")
parts = [floor_part(v, w) for v, w in ((floor, "with the other CPU idle"), (floor_busy, "with it busy")) if v]
floor_text = f"the competitor alone on that CPU: longest stall {', '.join(parts)}" if parts else "no floor measured"
print(f"\nThe machine's floor: {floor_text}.")
print("\nGoals (per variant with --overload auto; the baseline with off):")
for mode, rt in variants:
    rs = [r for r in runs if r["mode"] == mode and r["rt"] == rt]
    name = variant_name(mode, rt)
    over = [r for r in rs if r["k"] >= 1]
    idle = [r["ping_p99_us"] for r in rs if r["k"] == 0]
    idle_p99 = med(idle)
    if mode == "auto":
        worst = mn(med(r["pps"] for r in rs if r["k"] == k) / C for k in loads if k >= 1)
        goal(f"{name}: no livelock (delivered >= 0.95 C at every load >= C)", worst is not None and worst >= 0.95, f"lowest median {fmt(worst, '.3f')} C")
        if share_limit is not None:
            comp = mn(r["competitor"] for r in over)
            stall = mx(r["stall_ms"] for r in over)
            need = (100 - share_limit - 3) / 100
            goal(f"{name}: CPU share (competitor >= {need:.0%}, stall <= 2 ms)", comp is not None and comp >= need and stall <= 2,
                 f"lowest share {fmt(comp, '.0%')}, longest stall {fmt(stall, '.1f')} ms; {floor_text}")
    loaded = [r for r in rs if r["k"] > 0]
    ratio = mn(r["ping_ratio"] for r in loaded)
    row = mx(r["ping_lost_in_row"] for r in loaded)
    p99 = mx(med(r["ping_p99_us"] for r in loaded if r["k"] == k) for k in loads)
    bound = None if idle_p99 is None else max(2 * idle_p99, idle_p99 + 200)
    goal(f"{name}: protected flow (>= 99.9% replied, < 3 lost in a row, p99 <= {fmt(bound, '.0f')} µs)",
         ratio is not None and ratio >= 0.999 and row < 3 and bound is not None and p99 is not None and p99 <= bound,
         f"lowest {fmt(ratio, '.2%')}, {row} in a row, worst median p99 {fmt(p99, '.0f')} µs, idle p99 {fmt(idle_p99, '.0f')} µs")
    # A load whose admin requests never came back during the flood has no p99: it counts as missed.
    admins = [med(r["admin_p99_ms"] for r in loaded if r["k"] == k) for k in loads]
    admin = None if any(a is None for a in admins) else mx(admins)
    goal(f"{name}: admin p99 <= 10 ms", admin is not None and admin <= 10, f"worst median {fmt(admin, '.1f')} ms")
    if mode == "auto":
        detect = mx(r["detect_ms"] for r in rs if r["k"] >= 2)
        left = mx(r["leave_ms"] for r in rs if r["k"] >= 2)
        goal(f"{name}: detected <= 10 ms, left <= 100 ms (loads >= 2 C; the stack's own transition time against the flood's start and end)",
             detect is not None and detect <= 10 and left is not None and left <= 100, f"slowest {fmt(detect, '.0f')} ms / {fmt(left, '.0f')} ms")
        after = [r["leave_ms"] - r["drained_ms"] for r in rs if r["k"] >= 2 and r.get("leave_ms") is not None and r.get("drained_ms") is not None]
        if after:
            print(f"  (left after the socket buffer drained, at most: {max(after):.0f} ms; drained at most {mx(r.get('drained_ms') for r in rs if r['k'] >= 2):.0f} ms after the flood)")
        flap = [r["transitions"] / r["secs"] for r in rs if r["k"] == -1]
        if flap:
            goal(f"{name}: at most one state change per second under a 100 ms on/off flood at 2 C", max(flap) <= 1,
                 f"{fmt(mx(flap), '.1f')} per second")
        else:
            print(f"- {name}: at most one state change per second under a 100 ms on/off flood at 2 C: not measured (FLAP_SECS=0)")
        one = [r for r in rs if r["k"] == 1 and r["rss_end_kb"]]
        four = [r for r in rs if loads and r["k"] == max(loads) and r["rss_end_kb"]]
        if one and four:
            growth = med(r["rss_end_kb"] for r in four) / med(r["rss_end_kb"] for r in one) - 1
            goal(f"{name}: flat RSS from 1 C to {max(loads)} C (<= 5%)", growth <= 0.05, f"{growth:+.1%}")
        off = [r for r in runs if r["mode"] == "off" and r["rt"] == rt]
        below = [k for k in loads if k <= 0.9]
        pairs = focus_pairs(rt)
        if pairs:
            dt = [abs(a["delivered_ratio"] / max(o["delivered_ratio"], 1e-9) - 1) for o, a in pairs]
            dp = [a["ping_p99_us"] / max(o["ping_p99_us"], 1) - 1 for o, a in pairs]
            k = pairs[0][0]["k"]
            goal(f"{name}: no harm below C (throughput within 1%, p99 within 5% of off; {len(pairs)} pairs at {k} C, median (min-max))",
                 med(dt) <= 0.01 and med(dp) <= 0.05,
                 f"throughput {med(dt):.2%} ({min(dt):.2%}-{max(dt):.2%}), p99 {med(dp):+.1%} ({min(dp):+.1%}-{max(dp):+.1%})")
        elif off and below:
            dt = max(abs(med(r["pps"] for r in rs if r["k"] == k) / max(med(r["pps"] for r in off if r["k"] == k), 1) - 1) for k in below)
            dp = max(med(r["ping_p99_us"] for r in rs if r["k"] == k) / max(med(r["ping_p99_us"] for r in off if r["k"] == k), 1) - 1 for k in below)
            goal(f"{name}: no harm below C (throughput within 1%, p99 within 5% of off)", dt <= 0.01 and dp <= 0.05,
                 f"throughput {dt:.1%}, p99 {dp:+.1%}")
    else:
        worst = mn(med(r["pps"] for r in rs if r["k"] == k) / C for k in loads if k >= 1)
        comp = mn(r["competitor"] for r in over)
        fails = (worst is not None and worst < 0.95) or (comp is not None and share_limit is not None and comp < (100 - share_limit - 3) / 100) \
            or (ratio is not None and ratio < 0.999)
        goal(f"{name}: the baseline shows the problem (delivered < 0.95 C, or the competitor starved, or the protected flow losing)",
             fails, f"lowest median {fmt(worst, '.3f')} C, lowest competitor share {fmt(comp, '.0%')}, protected {fmt(ratio, '.2%')}")
print(f"- every run adds up: {all(r['accounted'] for r in runs)}")
# Per flood point (loads >= 1 C): the idle point's few thousand pings would spread the process's one-time costs thin.
# The goal is judged on the measured floods (GET /stats' poll_allocated_bytes from the flood's start to its last answer
# inside it, over the packets delivered meanwhile); the whole process's figure, start-up and warm-up included, is shown.
alloc = mx(r.get("alloc_flood_per_packet") for r in everything if r["k"] >= 1)
whole = mx(r.get("alloc_per_packet") for r in everything if r["k"] >= 1)
print(f"- 0 B allocated per packet (what the polls allocated on their threads, handler included, per packet delivered "
      f"during the measured floods; loads >= 1 C): {'met' if alloc == 0 else 'MISSED'} (highest {fmt(alloc, '.4f')} B; "
      f"over the whole process, one-time costs included: highest {fmt(whole, '.4f')} B)")
