/* What a system call, a sleep and a wake-up cost this machine: the units a batch, a paced load and a round trip pay.
 * Three measurements:
 *  syscall COUNT getppid calls (no work in the kernel): wall time per call, the entry and exit every call pays.
 *  sleep   COUNT clock_nanosleep calls of SLEEP_NS each (timer slack 1 µs, as the loopback producers set it): CPU
 *          time (user, system) and wall time per call.
 *  wake    COUNT futex wakes of a thread that sleeps between them (the waker waits GAP_NS, wakes it, and spins until
 *          it runs): the woken thread's CPU time per wake and the wall time from wake to running.
 * Usage: wake_cost SLEEP_NS GAP_NS COUNT
 * Build: cc -O2 -o wake_cost bench/native/wake_cost.c -lpthread */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static _Atomic int posted, seen;
static long count, woken_cpu;

static void *sleeper(void *arg) {
  (void)arg;
  long c0 = ns(CLOCK_THREAD_CPUTIME_ID);
  for (int s = 0; s < count;) {
    while (atomic_load(&posted) == s)
      syscall(SYS_futex, &posted, FUTEX_WAIT_PRIVATE, s, NULL, NULL, 0);
    s = atomic_load(&posted);
    atomic_store(&seen, s);
  }
  woken_cpu = ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: wake_cost SLEEP_NS GAP_NS COUNT\n");
    return 2;
  }
  long sleep_ns = atol(argv[1]), gap = atol(argv[2]);
  count = atol(argv[3]);
  long s0 = ns(CLOCK_MONOTONIC);
  for (long i = 0; i < count; i++)
    syscall(SYS_getppid);
  printf("syscall: %.0f ns per null system call (getppid)\n", (double)(ns(CLOCK_MONOTONIC) - s0) / count);

  prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0);
  struct rusage r0, r1;
  getrusage(RUSAGE_THREAD, &r0);
  long w0 = ns(CLOCK_MONOTONIC);
  struct timespec ts = {sleep_ns / 1000000000L, sleep_ns % 1000000000L};
  for (long i = 0; i < count; i++)
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
  long w1 = ns(CLOCK_MONOTONIC);
  getrusage(RUSAGE_THREAD, &r1);
  double user = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e6 + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec);
  double sys = (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e6 + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
  printf("sleep %ld ns: %.2f us CPU per call (user %.2f, system %.2f), %.1f us wall per call\n", sleep_ns,
         (user + sys) / count, user / count, sys / count, (w1 - w0) / 1e3 / count);

  pthread_t t;
  pthread_create(&t, NULL, sleeper, NULL);
  long latency = 0;
  for (int i = 1; i <= count; i++) {
    long until = ns(CLOCK_MONOTONIC) + gap;
    while (ns(CLOCK_MONOTONIC) < until)
      ;
    atomic_store(&posted, i);
    long rung = ns(CLOCK_MONOTONIC);
    syscall(SYS_futex, &posted, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    while (atomic_load(&seen) != i)
      ;
    latency += ns(CLOCK_MONOTONIC) - rung;
  }
  pthread_join(t, NULL);
  printf("wake after %ld ns: %.2f us CPU of the woken thread per wake, %.1f us from wake to running\n", gap,
         woken_cpu / 1e3 / count, latency / 1e3 / count);
  return 0;
}
