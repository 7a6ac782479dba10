# Delivered vs offered rate for each server, from compare.sh's capacity.dat (columns: server kind target offered sent
# delivered loss_pct socket_drops cpu_s cpu_ns_per_line). Usage: gnuplot -e "data='capacity.dat'; out='capacity.png'" plot.gp
set terminal pngcairo size 900,600 font ",11"
set output out
set title "StatsD servers on loopback: delivered vs offered (hot-shots, buffered datagrams)"
set xlabel "offered (metric lines / s)"
set ylabel "delivered (metric lines / s)"
set logscale xy
set format x "%.0s%c"
set format y "%.0s%c"
set key top left
set grid
# delivered rate = delivered / sent * offered rate; ladder rows only, in order of offered rate
plot x with lines dt 2 lc rgb "gray" title "no loss", \
     data using (strcol(1) eq "softnet" && strcol(2) eq "ladder" ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints lw 2 title "Softnet.StatsD", \
     data using (strcol(1) eq "softnet-rmem" && strcol(2) eq "ladder" ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints lw 2 title "Softnet.StatsD, kernel-default socket buffer", \
     data using (strcol(1) eq "etsy" && strcol(2) eq "ladder" ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints lw 2 title "statsd (Etsy, Node.js)", \
     data using (strcol(1) eq "collectd" && strcol(2) eq "ladder" ? $4 : NaN):($6 / $5 * $4) smooth unique with linespoints lw 2 title "collectd statsd plugin"
