/* The competitor: a CPU-bound task counting work units (1000 dependent multiply-adds each) for PRE + FLOOD seconds.
 * Prints one JSON line: its rate in the first PRE seconds (the receiver idle), its rate in the FLOOD seconds after,
 * and the longest gap in those FLOOD seconds between two of its clock reads (every 16 units, a few tens of µs apart
 * when it runs), i.e. the longest time something else held its CPU. Usage: competitor PRE FLOOD */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: competitor PRE FLOOD\n");
    return 2;
  }
  double pre = atof(argv[1]), flood = atof(argv[2]);
  double start = now(), last = start, t = start, stall = 0;
  unsigned long units = 0, pre_units = 0;
  volatile unsigned long x = 1;
  int in_flood = 0;
  while (t - start < pre + flood) {
    for (int i = 0; i < 1000; i++)
      x = x * 6364136223846793005UL + 1442695040888963407UL;
    if ((++units & 15) == 0) {
      t = now();
      if (!in_flood && t - start >= pre) {
        in_flood = 1;
        pre_units = units;
      } else if (in_flood && t - last > stall) {
        stall = t - last;
      }
      last = t;
    }
  }
  printf("{\"solo_units_per_s\": %.1f, \"units_per_s\": %.1f, \"longest_stall_ms\": %.3f}\n",
         pre_units / pre, (units - pre_units) / (t - start - pre), stall * 1e3);
  return 0;
}
