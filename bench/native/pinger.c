/* The protected flow: RATE sequence-numbered pings/s in sockperf's format (flag byte 9 = CLIENT|PONG_REQUEST) from
 * 127.0.0.1:LOCAL_PORT to 127.0.0.1:PORT for SECONDS, answered by `softnet serve --reply sockperf`. Measured from the
 * sender's side: one JSON line with sent, replied, the longest run of consecutive pings never answered, and the
 * round-trip p50/p99/max in microseconds. Replies still in flight 200 ms after the last ping count as lost. Between
 * pings it sleeps in ppoll until a reply or the next ping, so it can run at SCHED_FIFO without taking its CPU.
 * Usage: pinger PORT LOCAL_PORT RATE SECONDS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: pinger PORT LOCAL_PORT RATE SECONDS\n");
    return 2;
  }
  int port = atoi(argv[1]), local = atoi(argv[2]);
  double rate = atof(argv[3]), secs = atof(argv[4]);
  unsigned long total = (unsigned long)(rate * secs) + 1;
  double *sent_at = calloc(total, sizeof(double)), *rtt = calloc(total, sizeof(double));
  char *answered = calloc(total, 1);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(local), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    perror("socket/bind/connect");
    return 1;
  }
  unsigned char msg[64], in[64];
  unsigned long sent = 0, replied = 0;
  double start = now(), t, end = secs + 0.2;
  while ((t = now() - start) < end) {
    if (t < secs && sent < total && rate * t >= sent) {
      memset(msg, 0, sizeof msg);
      uint32_t seq = (uint32_t)sent;
      memcpy(msg, &seq, 4);
      msg[9] = 0x03;
      msg[13] = sizeof msg; /* the header's length, big-endian at 10-13: sockperf's own server answers only with it */
      sent_at[sent] = now();
      if (send(fd, msg, sizeof msg, MSG_DONTWAIT) == sizeof msg)
        sent++;
    }
    ssize_t n;
    while ((n = recv(fd, in, sizeof in, MSG_DONTWAIT)) >= 14) {
      uint32_t seq;
      memcpy(&seq, in, 4);
      if (seq < sent && !answered[seq]) {
        answered[seq] = 1;
        rtt[replied++] = (now() - sent_at[seq]) * 1e6;
      }
    }
    /* Asleep until a reply arrives or the next ping is due: the reply's time is taken when it wakes the pinger, and
     * between the two the pinger takes no CPU from what shares its CPU (so it can run at a real-time priority). */
    double due = (t < secs && sent < total) ? (double)sent / rate : end;
    double wait = due - (now() - start);
    if (wait > 0) {
      struct pollfd p = {.fd = fd, .events = POLLIN};
      struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
      ppoll(&p, 1, &ts, NULL);
    }
  }
  unsigned long run = 0, longest = 0;
  for (unsigned long i = 0; i < sent; i++) {
    run = answered[i] ? 0 : run + 1;
    if (run > longest)
      longest = run;
  }
  qsort(rtt, replied, sizeof(double), cmp);
  double p50 = replied ? rtt[replied / 2] : 0, p99 = replied ? rtt[(unsigned long)(replied * 0.99)] : 0, max = replied ? rtt[replied - 1] : 0;
  printf("{\"sent\": %lu, \"replied\": %lu, \"max_lost_in_row\": %lu, \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f}\n",
         sent, replied, longest, p50, p99, max);
  return 0;
}
