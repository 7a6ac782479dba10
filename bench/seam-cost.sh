#!/usr/bin/env bash
# The release-build cost of the simulation seams: the loopback benchmark at a base commit (A) and at another (B),
# built side by side and run alternately (A B B A A B ...) so both see the same machine; ratios B/A pair by pair.
# Usage: bench/seam-cost.sh [BASE=0463a87] [OTHER=HEAD] [PAIRS=4] [SECONDS=5] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-0463a87}"
other="${2:-HEAD}"
pairs="${3:-4}"
seconds="${4:-5}"
rounds="${5:-3}"
work=$(mktemp -d)
trap 'git worktree remove --force "$work/a" >/dev/null 2>&1 || true; git worktree remove --force "$work/b" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

a=$(git rev-parse --short "$base")
b=$(git rev-parse --short "$other")
for side in a b; do
  commit=$([ "$side" = a ] && echo "$a" || echo "$b")
  git worktree add --detach -q "$work/$side" "$commit"
  dotnet build "$work/$side/bench/Softnet.Bench" -c Release -v q -nologo > /dev/null
done

echo "command: dotnet run -c Release --project bench/Softnet.Bench -- loopback --seconds $seconds --rounds $rounds; A = $a, B = $b, $pairs pairs"
for i in $(seq 1 "$pairs"); do
  # A first in odd pairs, B first in even ones: neither side always runs on a machine the other just warmed.
  order="a b"
  [ $((i % 2)) -eq 0 ] && order="b a"
  for side in $order; do
    dotnet "$work/$side/bench/Softnet.Bench/bin/Release/net10.0/Softnet.Bench.dll" loopback --seconds "$seconds" --rounds "$rounds" \
      2> /dev/null > "$work/$side-$i.txt" || true
    # The medians of the table: contender name and delivered pps.
    awk -F'|' -v s="$side" -v i="$i" '/^\| (Softnet|Channels)/ { gsub(/^ +| +$/, "", $2); gsub(/[ ,]/, "", $3); print s, i, $2, $3 }' "$work/$side-$i.txt"
  done
done | tee "$work/all.txt"

echo
echo "paired ratios B/A of median delivered pps (B = $b, A = $a):"
awk '{ key = $3 " " $4; for (f = 5; f < NF; f++) key = key " " $f; pps[$1, $2, key] = $NF; names[key] = 1; n = ($2 > n ? $2 : n) }
     END {
       for (k in names) {
         m = 0
         for (i = 1; i <= n; i++) if (pps["a", i, k] > 0 && pps["b", i, k] > 0) r[++m] = pps["b", i, k] / pps["a", i, k]
         for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (r[y] < r[x]) { t = r[x]; r[x] = r[y]; r[y] = t }
         med = (m % 2) ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
         line = sprintf("%-32s median %.3f  min %.3f  max %.3f  pairs %d  (", k, med, r[1], r[m], m)
         for (x = 1; x <= m; x++) line = line sprintf("%s%.3f", (x > 1 ? " " : ""), r[x])
         print line ")"
         delete r
       }
     }' "$work/all.txt" | sort
