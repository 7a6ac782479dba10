// Build: cc -O2 -o recvmmsg_drain recvmmsg_drain.c
//
// Native baseline for the Softnet UDP receive path: how fast plain recvmmsg drains Q SO_REUSEPORT sockets on
// loopback, one pinned thread per socket. The queues are filled first and drained afterwards, so the number is the
// receive side alone, with no sender competing for the CPUs.
//
// It asks the kernel for the same work per datagram as Softnet's UDP queue: the source address (msg_name) and the
// SO_RXQ_OVFL control message (the socket's drop counter), both reset before every call and read after it. --bare
// drops both (payload only), to show what they cost.
//
// The prefill is placed as softnet run places its own: one sender thread per queue, pinned to the CPU that drains
// that queue, and a reuseport program that steers a datagram to the queue of the CPU it was sent from. So every
// datagram is queued (its skb allocated) on the CPU that later receives and frees it, for both contenders; a prefill
// sent from another CPU costs the draining CPU about 10% more kernel time per datagram on loopback.
//
//   recvmmsg_drain --queues Q --count N [--size 64] [--batch 64] [--v6] [--bare]
//   recvmmsg_drain --queues Q --rate PPS --seconds S [--size 64] [--batch 64] [--v6] [--bare]
//
// With --rate the queues are not prefilled: a sender thread named udp-load/0 (as softnet run's senders, so a CPU
// reading from /proc/PID/task can leave it out) offers PPS datagrams/s for S seconds from 64 source sockets in turn,
// paced as softnet run's Pacer paces (bursts of rate × 20 µs, 1..8, yielding while ahead), while the receivers
// block in recvmmsg (MSG_WAITFORONE). That is the receive side at a fixed load, for CPU
// time per packet; the JSON line then also has "sent" and the receivers' own "cpu_ns_per_packet" (their thread CPU
// time over the whole run).
//
// Prints one JSON line on stdout; diagnostics go to stderr. Exit codes: 0 done (check "received" against "count"),
// 1 usage or syscall failure, 2 the receive buffers cannot hold N datagrams, 3 gave up after 30 s.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_QUEUES 256
#define MAX_BATCH 1024
#define SENDERS 64 // source ports, so reuseport's flow hash has flows to spread
#define GIVE_UP_NS (30LL * 1000000000LL)
// Accounting bytes per queued datagram (skb truesize) we plan for: a 64-byte loopback datagram measures about
// 1 KiB on x86-64 Linux 6.x; the margin covers other kernels and larger --size values through the size term.
#define TRUESIZE_OVERHEAD 1536

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif
#include <linux/filter.h>
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
enum { MEMINFO_RMEM_ALLOC = 0, MEMINFO_DROPS = 8, MEMINFO_VARS = 9 };

struct queue {
    int fd;
    int cpu;
    long long received;
    long long first_ns;
    long long last_ns;
    int timed_out;
    unsigned int drops; // the last SO_RXQ_OVFL count seen
    long long cpu_ns;   // the receiving thread's CPU time (streaming)
    pthread_t thread;
};

static struct queue queues[MAX_QUEUES];
static int nqueues;
static int batch = 64;
static int size = 64;
static int bare;
#define CONTROL_BYTES CMSG_SPACE(sizeof(uint32_t))
static long long start_ns;
static pthread_barrier_t go;
static long long rate;        // streaming: datagrams/s offered; 0 = prefill and drain
static double stream_seconds;
static volatile int sender_done;

static long long thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("recvmmsg_drain: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static void usage(void)
{
    die(1, "usage: recvmmsg_drain --queues Q (--count N | --rate PPS --seconds S) [--size 64] [--batch 64] [--v6] [--bare]");
}

static long parse(const char *name, const char *value, long min, long max)
{
    char *end;
    errno = 0;
    long v = value ? strtol(value, &end, 10) : 0;
    if (!value || errno || *end || v < min || v > max)
        die(1, "%s must be an integer in [%ld, %ld]", name, min, max);
    return v;
}

static int get_meminfo(int fd, uint32_t info[MEMINFO_VARS])
{
    socklen_t len = MEMINFO_VARS * sizeof(uint32_t);
    memset(info, 0, len);
    return getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len);
}

// Loopback delivers in the sender's softirq, but a long burst can push the tail to ksoftirqd: wait until the queued
// memory stops changing before draining, so an empty queue really means its share is consumed.
static void settle(void)
{
    long long previous = -1;
    for (int i = 0; i < 200 && now_ns() - start_ns < GIVE_UP_NS; i++) {
        long long total = 0;
        uint32_t info[MEMINFO_VARS];
        for (int q = 0; q < nqueues; q++)
            if (get_meminfo(queues[q].fd, info) == 0)
                total += info[MEMINFO_RMEM_ALLOC] + info[MEMINFO_DROPS];
        if (total == previous)
            return;
        previous = total;
        usleep(10000);
    }
}

static void *drain(void *arg)
{
    struct queue *q = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(q->cpu, &set);
    sched_setaffinity(0, sizeof(set), &set); // best effort: an unpinned drain still measures

    struct mmsghdr *msgs = calloc(batch, sizeof(*msgs));
    struct iovec *iov = calloc(batch, sizeof(*iov));
    char *buffers = malloc((size_t)batch * size);
    struct sockaddr_storage *names = calloc(batch, sizeof(*names));
    char *control = calloc(batch, CONTROL_BYTES);
    if (!msgs || !iov || !buffers || !names || !control)
        die(1, "malloc: %s", strerror(errno));
    for (int i = 0; i < batch; i++) {
        iov[i].iov_base = buffers + (size_t)i * size;
        iov[i].iov_len = size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        if (!bare) {
            msgs[i].msg_hdr.msg_name = &names[i];
            msgs[i].msg_hdr.msg_control = control + (size_t)i * CONTROL_BYTES;
        }
    }

    pthread_barrier_wait(&go);
    long long cpu_start = thread_cpu_ns();
    for (;;) {
        if (!bare) {
            // The kernel shortens both lengths to what it wrote, so every slot is re-armed before each call.
            for (int i = 0; i < batch; i++) {
                msgs[i].msg_hdr.msg_namelen = sizeof(names[i]);
                msgs[i].msg_hdr.msg_controllen = CONTROL_BYTES;
                msgs[i].msg_hdr.msg_flags = 0;
            }
        }
        int n = recvmmsg(q->fd, msgs, batch, rate ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
        if (n > 0 && !bare) {
            for (int i = 0; i < n; i++) {
                struct msghdr *h = &msgs[i].msg_hdr;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
                    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
                        memcpy(&q->drops, CMSG_DATA(c), sizeof(q->drops));
            }
        }
        if (n > 0) {
            long long t = now_ns();
            if (q->received == 0)
                q->first_ns = t;
            q->last_ns = t;
            q->received += n;
            if (!rate && t - start_ns > GIVE_UP_NS) {
                q->timed_out = 1;
                break;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN)
            die(1, "recvmmsg on queue %d: %s", (int)(q - queues), strerror(errno));
        // Streaming: a receive timeout (SO_RCVTIMEO) while the sender still sends is an idle gap, not the end.
        if (rate && !sender_done)
            continue;
        break; // EAGAIN after the queues settled (or the sender finished): this queue's share is consumed
    }
    q->cpu_ns = thread_cpu_ns() - cpu_start;
    free(control);
    free(names);
    free(buffers);
    free(iov);
    free(msgs);
    return NULL;
}

static int allowed_cpu(int index)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0 || CPU_COUNT(&set) == 0)
        return index % (int)sysconf(_SC_NPROCESSORS_ONLN);
    int want = index % CPU_COUNT(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set) && want-- == 0)
            return cpu;
    return 0;
}

/* Points n sendmmsg slots at one zeroed payload of `size` bytes, all to dst; returns the payload to free. */
static char *send_batch(struct mmsghdr *msgs, struct iovec *iov, int n, struct sockaddr_storage *dst, socklen_t dstlen)
{
    char *payload = calloc(1, size);
    if (!payload)
        die(1, "calloc: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        iov[i].iov_base = payload;
        iov[i].iov_len = size;
        memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
        msgs[i].msg_hdr.msg_name = dst;
        msgs[i].msg_hdr.msg_namelen = dstlen;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    return payload;
}

/* One sendmmsg; a full socket buffer or an interrupted call sends nothing this time, anything else is fatal. */
static int send_some(int fd, struct mmsghdr *msgs, int n)
{
    int sent = sendmmsg(fd, msgs, n, 0);
    if (sent < 0 && errno != EINTR && errno != EAGAIN && errno != ENOBUFS)
        die(1, "sendmmsg: %s", strerror(errno));
    return sent > 0 ? sent : 0;
}

static void close_senders(int *senders, char *payload)
{
    for (int s = 0; s < SENDERS; s++)
        close(senders[s]);
    free(payload);
}

static socklen_t loopback(int v6, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_addr = in6addr_loopback;
        return sizeof(*a);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
}

static int open_queue(int v6, int port, long long need)
{
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0)
        die(1, "socket: %s", strerror(errno));
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)
        die(1, "setsockopt SO_REUSEPORT: %s", strerror(errno));
    if (!bare && setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) != 0)
        die(1, "setsockopt SO_RXQ_OVFL: %s", strerror(errno));
    // The kernel doubles the request and accounts truesize against the doubled value; ask for the need itself.
    int request = need > 0x3fffffff ? 0x3fffffff : (int)need;
    const char *how = "SO_RCVBUFFORCE";
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &request, sizeof(request)) != 0) {
        how = "SO_RCVBUF (SO_RCVBUFFORCE needs CAP_NET_ADMIN)";
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &request, sizeof(request)) != 0)
            die(1, "setsockopt SO_RCVBUF %d: %s", request, strerror(errno));
    }
    int effective = 0;
    socklen_t len = sizeof(effective);
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &len) != 0)
        die(1, "getsockopt SO_RCVBUF: %s", strerror(errno));
    if (effective < need)
        die(2, "receive buffer is %d bytes via %s, but holding this queue's share needs about %lld;"
               " grant CAP_NET_ADMIN (run as root), raise net.core.rmem_max or lower --count",
            effective, how, need);
    struct sockaddr_storage ss;
    socklen_t sslen = loopback(v6, port, &ss);
    if (bind(fd, (struct sockaddr *)&ss, sslen) != 0)
        die(1, "bind %s port %d: %s", v6 ? "::1" : "127.0.0.1", port, strerror(errno));
    return fd;
}

static int local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        die(1, "getsockname: %s", strerror(errno));
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);
}

/* SENDERS sockets on ephemeral loopback ports (one flow each) and the destination; returns its length. */
static socklen_t open_senders(int v6, int port, int *senders, struct sockaddr_storage *dst)
{
    struct sockaddr_storage any;
    socklen_t anylen = loopback(v6, 0, &any);
    for (int s = 0; s < SENDERS; s++) {
        senders[s] = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (senders[s] < 0 || bind(senders[s], (struct sockaddr *)&any, anylen) != 0)
            die(1, "sender socket: %s", strerror(errno));
    }
    return loopback(v6, port, dst);
}

// Steers each datagram to the socket of the CPU it is sent from (the kernel's SKF_AD_CPU, modulo the queues), as
// Softnet's reuseport program does without protected flows or shedding.
static void steer_by_cpu(int fd)
{
    struct sock_filter code[] = {
        {BPF_LD | BPF_W | BPF_ABS, 0, 0, (unsigned)(SKF_AD_OFF + SKF_AD_CPU)},
        {BPF_ALU | BPF_MOD | BPF_K, 0, 0, (unsigned)nqueues},
        {BPF_RET | BPF_A, 0, 0, 0},
    };
    struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) != 0)
        die(1, "setsockopt SO_ATTACH_REUSEPORT_CBPF: %s", strerror(errno));
}

struct filler {
    int v6, port, cpu;
    long long count;
    pthread_t thread;
};

// One queue's share, sent from that queue's CPU.
static void *prefill_queue(void *arg)
{
    struct filler *f = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(f->cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        die(1, "sched_setaffinity cpu %d: %s", f->cpu, strerror(errno));
    int senders[SENDERS];
    struct sockaddr_storage dst;
    socklen_t dstlen = open_senders(f->v6, f->port, senders, &dst);
    struct mmsghdr *msgs = calloc(batch, sizeof(*msgs));
    struct iovec *iov = calloc(batch, sizeof(*iov));
    if (!msgs || !iov)
        die(1, "calloc: %s", strerror(errno));
    char *payload = send_batch(msgs, iov, batch, &dst, dstlen);
    long long sent = 0;
    for (long long round = 0; sent < f->count; round++) {
        if (now_ns() - start_ns > GIVE_UP_NS)
            die(3, "gave up prefilling after 30 s with %lld of %lld sent from cpu %d", sent, f->count, f->cpu);
        int want = f->count - sent < batch ? (int)(f->count - sent) : batch;
        sent += send_some(senders[round % SENDERS], msgs, want);
    }
    close_senders(senders, payload);
    free(iov);
    free(msgs);
    return NULL;
}

static void prefill(int v6, int port, long long count)
{
    static struct filler fillers[MAX_QUEUES];
    for (int q = 0; q < nqueues; q++) {
        fillers[q] = (struct filler){v6, port, queues[q].cpu, count / nqueues + (q < count % nqueues), 0};
        if ((errno = pthread_create(&fillers[q].thread, NULL, prefill_queue, &fillers[q])) != 0)
            die(1, "pthread_create: %s", strerror(errno));
    }
    for (int q = 0; q < nqueues; q++)
        pthread_join(fillers[q].thread, NULL);
}

// Streaming: paced like softnet run's UDP load (Softnet.Load's Pacer): bursts of rate × 20 µs datagrams (1..8) from
// one of 64 sockets in turn; ahead of the schedule it yields, or sleeps 1 ms when the next burst is further away.
static long long stream_sent;

static void *stream_send(void *arg)
{
    int port = *(int *)arg;
    pthread_setname_np(pthread_self(), "udp-load/0");
    enum { BURST = 8 };
    int burst = rate * 20 / 1000000 < 1 ? 1 : rate * 20 / 1000000 > BURST ? BURST : (int)(rate * 20 / 1000000);
    int senders[SENDERS];
    struct sockaddr_storage dst;
    socklen_t dstlen = open_senders(0, port, senders, &dst);
    struct mmsghdr msgs[BURST];
    struct iovec iov[BURST];
    char *payload = send_batch(msgs, iov, BURST, &dst, dstlen);
    long long begin = now_ns(), end = begin + (long long)(stream_seconds * 1e9);
    long long sent = 0;
    for (int next = 0;; next = (next + 1) % SENDERS) {
        long long t = now_ns();
        if (t >= end)
            break;
        double ahead_ns = (sent + burst - (t - begin) / 1e9 * rate) / rate * 1e9;
        if (ahead_ns > 0) {
            if (ahead_ns > 1e6) {
                struct timespec nap = {0, 1000000};
                nanosleep(&nap, NULL);
            } else {
                sched_yield();
            }
            continue;
        }
        sent += send_some(senders[next], msgs, burst);
    }
    close_senders(senders, payload);
    stream_sent = sent;
    sender_done = 1;
    return NULL;
}

static int stream(int port);

int main(int argc, char **argv)
{
    long long count = 0;
    int v6 = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--queues"))
            nqueues = (int)parse("--queues", value, 1, MAX_QUEUES), i++;
        else if (!strcmp(argv[i], "--count"))
            count = parse("--count", value, 1, 1000000000L), i++;
        else if (!strcmp(argv[i], "--size"))
            size = (int)parse("--size", value, 1, 65507), i++;
        else if (!strcmp(argv[i], "--batch"))
            batch = (int)parse("--batch", value, 1, MAX_BATCH), i++;
        else if (!strcmp(argv[i], "--v6"))
            v6 = 1;
        else if (!strcmp(argv[i], "--bare"))
            bare = 1;
        else if (!strcmp(argv[i], "--rate"))
            rate = parse("--rate", value, 1, 100000000L), i++;
        else if (!strcmp(argv[i], "--seconds"))
            stream_seconds = parse("--seconds", value, 1, 3600), i++;
        else
            usage();
    }
    if (nqueues == 0 || (count == 0) == (rate == 0) || (rate != 0) != (stream_seconds != 0))
        usage();
    if (rate)
        count = rate * (long long)stream_seconds;
    start_ns = now_ns();

    // The flow hash spreads unevenly, so each queue is sized for twice its fair share (or all of it).
    long long share = (count + nqueues - 1) / nqueues * 2;
    if (share > count)
        share = count;
    long long need = share * (TRUESIZE_OVERHEAD + (long long)size);
    if (need > 0x3fffffffLL * 2)
        die(2, "%lld datagrams of %d bytes per queue need about %lld bytes of receive buffer, over the kernel's"
               " 2 GiB limit; use more --queues or a lower --count",
            share, size, need);
    int port = 0;
    for (int q = 0; q < nqueues; q++) {
        queues[q].fd = open_queue(v6, port, need);
        if (q == 0)
            port = local_port(queues[0].fd);
        queues[q].cpu = allowed_cpu(q);
    }

    if (rate) {
        if (v6)
            die(1, "--rate sends over IPv4 only");
        // Blocking receives that give up after 200 ms without a datagram: the end, once the sender has finished.
        struct timeval timeout = {0, 200000};
        for (int q = 0; q < nqueues; q++) {
            if (fcntl(queues[q].fd, F_SETFL, fcntl(queues[q].fd, F_GETFL) & ~O_NONBLOCK) != 0)
                die(1, "fcntl: %s", strerror(errno));
            if (setsockopt(queues[q].fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0)
                die(1, "setsockopt SO_RCVTIMEO: %s", strerror(errno));
        }
        return stream(port);
    }
    steer_by_cpu(queues[0].fd);
    prefill(v6, port, count);
    settle();
    long long queued_bytes = 0, drops = 0;
    for (int q = 0; q < nqueues; q++) {
        uint32_t info[MEMINFO_VARS];
        if (get_meminfo(queues[q].fd, info) == 0) {
            queued_bytes += info[MEMINFO_RMEM_ALLOC];
            drops += info[MEMINFO_DROPS];
        }
    }
    fprintf(stderr, "recvmmsg_drain: port %d, sent %lld, socket drops %lld, queued %lld bytes (~%lld per datagram)\n",
        port, count, drops, queued_bytes, count > drops ? queued_bytes / (count - drops) : 0);

    pthread_barrier_init(&go, NULL, (unsigned)nqueues);
    for (int q = 0; q < nqueues; q++)
        if ((errno = pthread_create(&queues[q].thread, NULL, drain, &queues[q])) != 0)
            die(1, "pthread_create: %s", strerror(errno));
    long long received = 0, first = 0, last = 0;
    int timed_out = 0;
    for (int q = 0; q < nqueues; q++) {
        pthread_join(queues[q].thread, NULL);
        struct queue *x = &queues[q];
        fprintf(stderr, "recvmmsg_drain: queue %d on cpu %d received %lld, SO_RXQ_OVFL %u\n", q, x->cpu, x->received, x->drops);
        received += x->received;
        timed_out |= x->timed_out;
        if (x->received && (!first || x->first_ns < first))
            first = x->first_ns;
        if (x->received && x->last_ns > last)
            last = x->last_ns;
    }
    double seconds = received ? (last - first) / 1e9 : 0;
    printf("{\"receiver\":\"%s\",\"queues\":%d,\"count\":%lld,\"received\":%lld,\"seconds\":%.6f,\"pps\":%.0f}\n",
        bare ? "c-recvmmsg-bare" : "c-recvmmsg", nqueues, count, received, seconds, seconds > 0 ? received / seconds : 0);
    if (timed_out)
        die(3, "gave up after 30 s");
    return 0;
}

static int stream(int port)
{
    pthread_barrier_init(&go, NULL, (unsigned)nqueues);
    for (int q = 0; q < nqueues; q++)
        if ((errno = pthread_create(&queues[q].thread, NULL, drain, &queues[q])) != 0)
            die(1, "pthread_create: %s", strerror(errno));
    pthread_t sender;
    if ((errno = pthread_create(&sender, NULL, stream_send, &port)) != 0)
        die(1, "pthread_create: %s", strerror(errno));
    pthread_join(sender, NULL);
    long long received = 0, cpu = 0, drops = 0;
    for (int q = 0; q < nqueues; q++) {
        pthread_join(queues[q].thread, NULL);
        received += queues[q].received;
        cpu += queues[q].cpu_ns;
        uint32_t info[MEMINFO_VARS];
        if (get_meminfo(queues[q].fd, info) == 0)
            drops += info[MEMINFO_DROPS];
    }
    printf("{\"receiver\":\"%s\",\"queues\":%d,\"rate\":%lld,\"seconds\":%.0f,\"sent\":%lld,\"received\":%lld,\"dropped\":%lld,\"cpu_ns_per_packet\":%.1f}\n",
        bare ? "c-recvmmsg-bare" : "c-recvmmsg", nqueues, rate, stream_seconds, stream_sent, received, drops, received ? (double)cpu / received : 0);
    return 0;
}
