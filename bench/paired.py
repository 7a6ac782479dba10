"""Shared by the bench/ scripts: pair-by-pair ratios, their median with min-max, goal lines, the table header."""
import os
import statistics
import subprocess


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, fmt="{:.2f}"):
    """'median (min–max)' of xs, or 'n/a' when empty."""
    if not xs:
        return "n/a"
    return f"{fmt.format(median(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


def ratios(runs, pair_key, a, b, value):
    """value(A) / value(B) for each pair: runs carrying the same pair_key(run), one labelled a and one labelled b."""
    pairs = {}
    for r in runs:
        pairs.setdefault(pair_key(r), {})[r["contender"]] = r
    out = []
    for k in sorted(pairs, key=str):
        p = pairs[k]
        if a in p and b in p and value(p[b]):
            out.append(value(p[a]) / value(p[b]))
    return out


def goal(label, xs, op, target, out_dir):
    """Prints and records 'label: median (min–max) — goal op target: met|missed' (met judged on the median)."""
    if not xs:
        line = f"{label}: no pairs — goal {op} {target}: not measured"
    else:
        m = median(xs)
        met = m >= target if op == "≥" else m <= target
        line = f"{label}: {spread(xs, '{:.3f}')} — goal {op} {target}: {'met' if met else 'missed'}"
    print(line)
    with open(os.path.join(out_dir, "goals.txt"), "a") as f:
        f.write(line + "\n")
    return line


def header(title, command):
    """The first lines of every table file: what, at which commit, with which command, on which machine."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    kernel = os.uname().release
    cpus = os.cpu_count()
    return (f"### {title}\n\nMeasured at commit {commit}{' (with uncommitted changes)' if dirty else ''}, "
            f"Linux {kernel}, {cpus} CPUs. Command: `{command}`\n\n")
