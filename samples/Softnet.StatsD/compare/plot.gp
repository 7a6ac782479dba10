# From compare.sh's capacity.dat (columns: server kind target offered sent delivered loss_pct socket_drops cpu_s
# cpu_ns_per_line), ladder rows only, in order of offered rate: delivered vs offered rate (top) and the loss at each
# offered rate against the 0.1% bar (bottom).
# Usage: gnuplot -e "data='capacity.dat'; out='capacity.png'" plot.gp
set terminal pngcairo size 900,900 font ",11"
set output out
set multiplot layout 2,1 title "StatsD servers on loopback, fed by hot-shots (buffered datagrams)"
set logscale x
set format x "%.0s%c"
set grid
set key top left
set style line 1 lc rgb "#1b9e77" lw 2 pt 7
set style line 2 lc rgb "#66a61e" lw 2 pt 6 dt 3
set style line 3 lc rgb "#d95f02" lw 2 pt 5
set style line 4 lc rgb "#7570b3" lw 2 pt 9
ladder(name) = strcol(1) eq name && strcol(2) eq "ladder"

set ylabel "delivered (metric lines / s)"
set logscale y
set format y "%.0s%c"
plot x with lines dt 2 lc rgb "gray" title "no loss", \
     data using (ladder("softnet") ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints ls 1 title "Softnet.StatsD", \
     data using (ladder("softnet-rmem") ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints ls 2 title "Softnet.StatsD, kernel-default socket buffer", \
     data using (ladder("etsy") ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints ls 3 title "statsd (Etsy, Node.js)", \
     data using (ladder("collectd") ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints ls 4 title "collectd statsd plugin"

set xlabel "offered (metric lines / s)"
set ylabel "lost (% of lines sent)"
unset logscale y
set format y "%g"
set yrange [0:*]
plot 0.1 with lines dt 2 lc rgb "gray" title "0.1%", \
     data using (ladder("softnet") ? $4 : NaN):7 smooth unique with linespoints ls 1 title "Softnet.StatsD", \
     data using (ladder("softnet-rmem") ? $4 : NaN):7 smooth unique with linespoints ls 2 title "Softnet.StatsD, kernel-default socket buffer", \
     data using (ladder("etsy") ? $4 : NaN):7 smooth unique with linespoints ls 3 title "statsd (Etsy, Node.js)", \
     data using (ladder("collectd") ? $4 : NaN):7 smooth unique with linespoints ls 4 title "collectd statsd plugin"
unset multiplot
