# bench/overload.sh's plots from runs.csv (every run a point): gnuplot -e "dir='OUT'; C=RATE; rt=PRIORITY" bench/overload-plot.gp
# Columns: 1 k, 2 round, 3 mode, 4 rt, 5 rate, 6 sent_pps, 7 pps, 8 loss, 9 competitor, 10 stall_ms, 11 ping_sent,
# 12 ping_replied, 13 ping_ratio, 14 ping_lost_in_row, 15 ping_p50_us, 16 ping_p99_us, 17 admin_p50_ms, 18 admin_p99_ms
set datafile separator ","
set terminal pngcairo size 900,560 font ",10"
set key top left
set grid
set xrange [0:*]
set xlabel "offered load (x C)"
csv = dir."/runs.csv"
# Loaded points only: k = 0 is the idle reference, k = -1 the on/off flood.
sel(mode, rt, v) = (strcol(3) eq mode && $4 == rt && $1 > 0) ? v : NaN
variants = sprintf("off:0 auto:0 off:%d auto:%d", rt, rt)
mode(i) = substr(word(variants, i), 1, strstrt(word(variants, i), ":") - 1)
rtv(i) = int(substr(word(variants, i), strstrt(word(variants, i), ":") + 1, 99))
label(i) = "--overload ".mode(i).(rtv(i) > 0 ? " --rt-priority ".rtv(i) : "")

set output dir."/overload-delivered.png"
set title sprintf("delivered vs offered (C = %d datagrams/s)", C)
set ylabel "delivered / C"
plot for [i=1:4] csv every ::1 using ($1 + (i - 2.5) * 0.03):(sel(mode(i), rtv(i), $7 / C)) with points pt (i + 5) title label(i), \
     1 with lines dt 2 lc rgb "gray" notitle, 0.95 with lines dt 3 lc rgb "red" title "0.95 C"

set output dir."/overload-competitor.png"
set title "competitor's share of its CPU during the flood"
set ylabel "units/s flooded / units/s alone"
set yrange [0:1.1]
plot for [i=1:4] csv every ::1 using ($1 + (i - 2.5) * 0.03):(sel(mode(i), rtv(i), $9)) with points pt (i + 5) title label(i)

set output dir."/overload-protected.png"
set title "protected flow: share replied"
set ylabel "replied / sent"
set yrange [*:1.01]
plot for [i=1:4] csv every ::1 using ($1 + (i - 2.5) * 0.03):(sel(mode(i), rtv(i), $13)) with points pt (i + 5) title label(i), \
     0.999 with lines dt 3 lc rgb "red" title "99.9%"

set output dir."/overload-protected-p99.png"
set title "protected flow: round-trip p99"
set ylabel "µs"
set yrange [*:*]
set logscale y
plot for [i=1:4] csv every ::1 using ($1 + (i - 2.5) * 0.03):(sel(mode(i), rtv(i), $16)) with points pt (i + 5) title label(i)

set output dir."/overload-admin-p99.png"
set title "admin GET /stats every 10 ms: p99 during the flood"
set ylabel "ms"
plot for [i=1:4] csv every ::1 using ($1 + (i - 2.5) * 0.03):(sel(mode(i), rtv(i), $18)) with points pt (i + 5) title label(i), \
     10 with lines dt 3 lc rgb "red" title "10 ms"
