#!/usr/bin/env bash
# CI gate of the deterministic simulation (README "Deterministic simulation"): the clean engine must pass every seed,
# and each planted bug must be caught within its budget; a harness that cannot fail proves nothing. Expects the
# Release build of tests/Softnet.Simulation (rewritten by Coyote) to be there already.
set -uo pipefail
cd "$(dirname "$0")/../.."

seeds="${SIM_SEEDS:-4000}"
plant_seeds="${SIM_PLANT_SEEDS:-300}"
sim=(dotnet tests/Softnet.Simulation/bin/Release/net10.0/Softnet.Simulation.dll)
failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Each runner is single-threaded (the scheduler runs one simulated thread at a time): two halves use both CPUs.
half=$((seeds / 2))
"${sim[@]}" --first-seed 1 --seeds "$half" > $logs/sim-1.log 2>&1 &
first=$!
"${sim[@]}" --first-seed $((half + 1)) --seeds $((seeds - half)) > $logs/sim-2.log 2>&1 &
second=$!
wait "$first" || failed=1
wait "$second" || failed=1
cat $logs/sim-1.log $logs/sim-2.log

# Seeds that reproduced fixed bugs, replayed exactly.
while read -r seed _; do
  [[ "$seed" =~ ^[0-9]+$ ]] || continue
  if ! "${sim[@]}" --seed "$seed" > $logs/sim-regression.log 2>&1; then
    echo "simulation: regression seed $seed failed again:"
    cat $logs/sim-regression.log
    failed=1
  fi
done < tests/Softnet.Simulation/regressions.txt
echo "simulation: regression seeds replayed ($(grep -cE '^[0-9]+' tests/Softnet.Simulation/regressions.txt))"

# The overload family is never drawn by a plain seed: its seeds run on their own (a device under policy auto, and the
# detector against its specification).
overload_seeds="${SIM_OVERLOAD_SEEDS:-200}"
"${sim[@]}" --family overload --seeds "$overload_seeds" > $logs/sim-overload.log 2>&1 || failed=1
cat $logs/sim-overload.log

# A planted bug counts as caught only on seeds the clean engine passes (seeds 1.. are in the first half above, the
# overload family's in its own run).
clean_failures=$(grep -hE '^seed [0-9]+$' $logs/sim-1.log $logs/sim-2.log | sort -u)
overload_failures=$(grep -hE '^seed [0-9]+$' $logs/sim-overload.log | sort -u)
for planted in conditional-wakeup missed-ignored overload-leave-early:overload; do
  plant=${planted%%:*}
  family=${planted#"$plant"}
  family=${family#:}
  if [ -n "$family" ]; then
    "${sim[@]}" --seeds "$plant_seeds" --plant "$plant" --family "$family" > "$logs/sim-$plant.log" 2>&1
    known=$overload_failures
  else
    "${sim[@]}" --seeds "$plant_seeds" --plant "$plant" > "$logs/sim-$plant.log" 2>&1
    known=$clean_failures
  fi
  caught=$(grep -E '^seed [0-9]+$' "$logs/sim-$plant.log" | sort -u | comm -23 - <(echo "$known") | wc -l)
  if [ "$caught" -gt 0 ]; then
    echo "simulation: planted bug $plant caught on $caught of $plant_seeds seeds: $(grep -A1 -m1 -E '^seed [0-9]+$' "$logs/sim-$plant.log" | tail -1 | sed 's/^ *//' | cut -c1-160)"
  else
    echo "simulation: planted bug $plant was NOT caught in $plant_seeds seeds: the invariants cannot see it"
    tail -3 "$logs/sim-$plant.log"
    failed=1
  fi
done
exit "$failed"
