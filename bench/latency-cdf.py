#!/usr/bin/env python3
"""Latency CDF plot, one curve per series, with gnuplot (log-scale latency axis).

Usage: bench/latency-cdf.py OUT.png TITLE NAME=FILE...

FILE holds either one latency sample per line (µs), or "PERCENT LATENCY_US" points of an already computed CDF.
Writes OUT.png and, beside it, OUT.dat with the points plotted (percent, µs per series).
"""
import os
import subprocess
import sys


def points(path):
    rows = [line.split() for line in open(path) if line.strip()]
    if not rows:
        return []
    if len(rows[0]) == 2:
        return sorted((float(p), float(v)) for p, v in rows)
    xs = sorted(float(r[0]) for r in rows)
    n = len(xs)
    # Up to ~2000 points: every percent step below p90, finer towards the tail.
    qs = [i / 10 for i in range(0, 900)] + [90 + i / 100 for i in range(0, 900)] + [99 + i / 1000 for i in range(0, 1000)] + [100]
    return [(q, xs[min(n - 1, int(q / 100 * n))]) for q in qs]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    png, title = sys.argv[1], sys.argv[2]
    dat = os.path.splitext(png)[0] + ".dat"
    series = []
    with open(dat, "w") as f:
        for arg in sys.argv[3:]:
            name, path = arg.split("=", 1)
            pts = points(path) if os.path.exists(path) else []
            if not pts:
                continue
            f.write(f"# {name}\n")
            for q, v in pts:
                f.write(f"{q} {max(v, 0.01)}\n")
            f.write("\n\n")
            series.append(name)
    if not series:
        print(f"latency-cdf: no samples for {png}", file=sys.stderr)
        return
    plots = ", ".join(f"'{dat}' index {i} using 2:1 with lines lw 2 title '{name.replace('_', ' ')}'" for i, name in enumerate(series))
    script = (f"set terminal pngcairo size 900,550; set output '{png}'; set title '{title.replace('_', ' ')}'; "
              "set logscale x; set xlabel 'latency (µs)'; set ylabel 'percent of samples ≤ latency'; set key bottom right; "
              f"set grid; set yrange [0:100]; plot {plots}")
    r = subprocess.run(["gnuplot", "-e", script], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"latency-cdf: gnuplot failed: {r.stderr.strip()}", file=sys.stderr)


if __name__ == "__main__":
    main()
