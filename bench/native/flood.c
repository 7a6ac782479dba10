/* A paced UDP flood to 127.0.0.1:PORT: RATE datagrams/s of SIZE bytes for SECONDS, sent with sendmmsg in batches
 * of up to 64 as the schedule falls due. With ON_MS, the flood is on for ON_MS, off for ON_MS, and so on (RATE while
 * on). Prints how many the kernel accepted (a full send buffer is not a send) and when the flood started, in seconds on
 * CLOCK_MONOTONIC (the clock Softnet dates its overload transitions with).
 * Usage: flood PORT RATE SECONDS SIZE [ON_MS] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
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

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: flood PORT RATE SECONDS SIZE [ON_MS]\n");
    return 2;
  }
  int port = atoi(argv[1]), size = atoi(argv[4]);
  double rate = atof(argv[2]), secs = atof(argv[3]), on = argc == 6 ? atof(argv[5]) / 1e3 : 0;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    perror("socket/connect");
    return 1;
  }
  static char payload[2048];
  struct iovec iov[64];
  struct mmsghdr msgs[64];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < 64; i++) {
    iov[i].iov_base = payload;
    iov[i].iov_len = size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  unsigned long sent = 0, attempted = 0;
  double start = now(), t;
  while ((t = now() - start) < secs) {
    /* Time spent in on-phases so far: the schedule only advances while the flood is on. */
    double on_t = on > 0 ? (int)(t / (2 * on)) * on + (t - (int)(t / (2 * on)) * 2 * on < on ? t - (int)(t / (2 * on)) * 2 * on : on) : t;
    double due = rate * on_t - attempted;
    if (due < 1) {
      struct timespec pause = {0, 20000};
      nanosleep(&pause, NULL);
      continue;
    }
    int n = due > 64 ? 64 : (int)due;
    int got = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
    attempted += n;
    if (got > 0)
      sent += got;
  }
  printf("%lu %.9f\n", sent, start);
  return 0;
}
