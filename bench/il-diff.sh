#!/usr/bin/env bash
# The release build's IL at two commits, method by method: which method bodies differ (IL offsets ignored) and how.
# Shows what a change costs the hot path without a benchmark's noise.
# Usage: bench/il-diff.sh [A=0463a87] [B=f376c86] [METHOD-SUBSTRING ...]   (needs the ilspycmd tool; installed here)
set -euo pipefail
cd "$(dirname "$0")/.."
a=$(git rev-parse --short "${1:-0463a87}")
b=$(git rev-parse --short "${2:-f376c86}")
shift $(( $# > 2 ? 2 : $# ))
work=$(mktemp -d)
trap 'git worktree remove --force "$work/a" >/dev/null 2>&1 || true; git worktree remove --force "$work/b" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export DOTNET_ROLL_FORWARD=Major
dotnet tool install ilspycmd --version 9.1.0.7988 --tool-path "$work/tools" > /dev/null
for side in a b; do
  commit=$([ "$side" = a ] && echo "$a" || echo "$b")
  git worktree add --detach -q "$work/$side" "$commit"
  dotnet build "$work/$side/src/Softnet/Softnet.csproj" -c Release -v q -nologo > /dev/null
  "$work/tools/ilspycmd" -il "$work/$side/src/Softnet/bin/Release/net10.0/Softnet.dll" > "$work/$side.il"
done
echo "IL of src/Softnet, Release: A = $a, B = $b"
python3 - "$work/a.il" "$work/b.il" "$@" <<'PY'
import difflib, re, sys

def methods(path):
    found, body = {}, None
    for line in open(path):
        s = line.strip()
        if s.startswith('.method'):
            body = [s]
        elif body is not None and s.startswith('} // end of method '):
            found[s[len('} // end of method '):]] = body
            body = None
        elif body is not None and s and not s.startswith(('//', '.maxstack')):
            body.append(re.sub(r'IL_[0-9a-f]{4}', 'IL', s))
    return found

a, b = methods(sys.argv[1]), methods(sys.argv[2])
changed = sorted(k for k in a if k in b and a[k] != b[k])
print(f"methods: {len(a)} in A, {len(b)} in B; {len(changed)} changed, "
      f"{sum(k not in a for k in b)} added, {sum(k not in b for k in a)} removed")
for k in changed:
    print(f"\n== {k}")
    for d in difflib.unified_diff(a[k], b[k], lineterm='', n=0):
        if not d.startswith(('@@', '---', '+++')):
            print('  ' + d)
for k in sorted(k for k in b if k not in a):
    print(f"added: {k}")
for k in sorted(k for k in a if k not in b):
    print(f"removed: {k}")
PY
