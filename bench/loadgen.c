/*
 * loadgen.c: the load generator of uvnet's benchmarks.
 *
 * One thread and one epoll set drive a TCP echo or discard server on a
 * loopback address in one of seven modes (see usage() below) and print one
 * line of key=value figures.  Given the server's process id, it also reads
 * the server's CPU time (utime + stime of /proc/PID/stat) at the start and
 * the end of the measured window, and its resident memory from
 * /proc/PID/status, so that every rate comes with the server's cost per
 * operation.
 *
 * Every loop ends by itself: the main loop runs until the end of its time
 * window, inner loops are bounded in count, and an alarm ends the process
 * should anything still hang.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define IO_ROUNDS 64 /* reads or writes per readiness event */
#define RBUF_SIZE (256 * 1024)
#define WBUF_SIZE (256 * 1024)
#define HIST_BUCKETS 2560
#define HOLD_OPENING 256 /* connections a hold run opens at once */
#define MAX_CONNS 100000
#define MB (1024.0 * 1024.0)

enum mode {
  MODE_PINGPONG,
  MODE_PIPELINE,
  MODE_BULK,
  MODE_BULK_ECHO,
  MODE_CONNRATE,
  MODE_HOLD,
  MODE_FLOOD
};

static const char *mode_names[] = { "pingpong", "pipeline", "bulk", "bulk_echo",
                                    "connrate", "hold",     "flood" };

enum state { ST_IDLE, ST_CONNECTING, ST_OPEN, ST_DEAD };

typedef struct conn_s {
  int fd;
  int state;
  int events; /* what epoll watches for now */
  uint64_t to_write; /* bytes queued and not yet written */
  uint64_t written;
  uint64_t nread;
  uint64_t done; /* messages whose echo came back in full */
  uint64_t sent_at; /* when the message in flight was queued, in ns */
} conn_t;

typedef struct options_s {
  int mode;
  struct sockaddr_in addr;
  int conns;
  size_t size;
  int depth;
  double seconds;
  double warmup;
  pid_t pid;
  uint64_t window;
  double read_rate;
  double max_rss_mb;
  double settle;
  double setup;
} options_t;

static options_t opt;
static int epfd = -1;
static conn_t *conns;
static char rbuf[RBUF_SIZE];
static char wbuf[WBUF_SIZE];

/* Totals since the start; the measured window is the difference of two
 * snapshots. */
static uint64_t ops_total;
static uint64_t bytes_out_total;
static uint64_t bytes_in_total;
static uint64_t errors_total;
static int measuring;

/* Latencies of the measured window, in a log-linear histogram of
 * nanoseconds: 64 buckets per power of two, so about 1.6% precision. */
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_count;
static uint64_t hist_max;

/* The flood mode's read allowance, refilled on each tick, and whether it
 * has stopped writing to take back the rest. */
static double read_budget;
static int draining;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static uint64_t seconds_ns(double s) {
  return (uint64_t) (s * 1e9);
}

static void die(const char *what) {
  fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int hist_index(uint64_t v) {
  int msb;
  int idx;

  if (v < 128)
    return (int) v;
  msb = 63 - __builtin_clzll(v);
  idx = (msb - 6) * 64 + (int) (v >> (msb - 6));
  return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* The middle of a bucket's range of values. */
static uint64_t hist_value(int idx) {
  int msb;
  uint64_t mant;

  if (idx < 128)
    return (uint64_t) idx;
  msb = idx / 64 + 5;
  mant = (uint64_t) (idx - (msb - 6) * 64);
  return (mant << (msb - 6)) + ((1ull << (msb - 6)) >> 1);
}

static void hist_add(uint64_t v) {
  hist[hist_index(v)]++;
  hist_count++;
  if (v > hist_max)
    hist_max = v;
}

static double hist_percentile(double p) {
  uint64_t rank;
  uint64_t seen;
  int i;

  if (hist_count == 0)
    return 0.0;
  rank = (uint64_t) (p / 100.0 * (double) hist_count);
  if (rank >= hist_count)
    rank = hist_count - 1;
  seen = 0;
  for (i = 0; i < HIST_BUCKETS; i++) {
    seen += hist[i];
    if (seen > rank)
      return (double) hist_value(i);
  }
  return (double) hist_max;
}

/* The server's user plus system CPU time in seconds, or -1 when unknown. */
static double server_cpu(void) {
  char path[64];
  char buf[1024];
  char *p;
  unsigned long long utime;
  unsigned long long stime;
  ssize_t n;
  int fd;
  int i;

  if (opt.pid <= 0)
    return -1.0;
  snprintf(path, sizeof(path), "/proc/%d/stat", (int) opt.pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1.0;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return -1.0;
  buf[n] = '\0';
  /* The command name may hold spaces; the fields after it do not. */
  p = strrchr(buf, ')');
  if (p == NULL)
    return -1.0;
  p++;
  /* After the name come state (field 3) up to cmajflt (field 13). */
  for (i = 0; i < 11; i++) {
    p = strchr(p + 1, ' ');
    if (p == NULL)
      return -1.0;
  }
  if (sscanf(p, " %llu %llu", &utime, &stime) != 2)
    return -1.0;
  return (double) (utime + stime) / (double) sysconf(_SC_CLK_TCK);
}

/* A field of /proc/PID/status in KiB (VmRSS, VmHWM), or -1. */
static long server_status_kb(const char *field) {
  char path[64];
  char line[256];
  size_t len;
  long kb;
  FILE *f;

  if (opt.pid <= 0)
    return -1;
  snprintf(path, sizeof(path), "/proc/%d/status", (int) opt.pid);
  f = fopen(path, "re");
  if (f == NULL)
    return -1;
  kb = -1;
  len = strlen(field);
  while (fgets(line, sizeof(line), f) != NULL) {
    if (strncmp(line, field, len) == 0 && line[len] == ':') {
      kb = strtol(line + len + 1, NULL, 10);
      break;
    }
  }
  fclose(f);
  return kb;
}

/* From the first line of /proc/stat, in seconds: the CPU time processes
 * of the machine used (user and system), the time spent in interrupts and
 * softirqs (where the kernel does most of loopback TCP's work, charged to
 * no process), and the time the hypervisor took.  What the server and the
 * load generator did not use of the first was used by other processes. */
static void machine_cpu(double *procs, double *irq, double *steal) {
  unsigned long long v[8];
  char line[512];
  double tick;
  FILE *f;

  *procs = -1.0;
  *irq = -1.0;
  *steal = -1.0;
  f = fopen("/proc/stat", "re");
  if (f == NULL)
    return;
  if (fgets(line, sizeof(line), f) != NULL &&
      sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
             &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
    /* user nice system idle iowait irq softirq steal; guest time is
     * already in user. */
    tick = (double) sysconf(_SC_CLK_TCK);
    *procs = (double) (v[0] + v[1] + v[2]) / tick;
    *irq = (double) (v[5] + v[6]) / tick;
    *steal = (double) v[7] / tick;
  }
  fclose(f);
}

static double self_cpu(void) {
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         (double) ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void watch(conn_t *c, int events) {
  struct epoll_event ev;

  if (c->events == events)
    return;
  ev.events = (uint32_t) events;
  ev.data.ptr = c;
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
    die("epoll_ctl");
  c->events = events;
}

static void conn_close(conn_t *c, int state) {
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
  c->state = state;
  c->events = 0;
}

/* A connection that failed or was closed by the server before its time. */
static void conn_fail(conn_t *c) {
  errors_total++;
  conn_close(c, ST_DEAD);
}

/* Starts a non-blocking connect; the socket reports writable once done. */
static int conn_open(conn_t *c) {
  struct epoll_event ev;
  int one;
  int fd;

  fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    errors_total++;
    return -1;
  }
  one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, (struct sockaddr *) &opt.addr, sizeof(opt.addr)) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    errors_total++;
    return -1;
  }
  memset(c, 0, sizeof(*c));
  c->fd = fd;
  c->state = ST_CONNECTING;
  c->events = EPOLLOUT;
  ev.events = EPOLLOUT;
  ev.data.ptr = c;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
    die("epoll_ctl");
  return 0;
}

/* What the streaming modes queue next: one write of --size bytes, as long
 * as bulk_echo's window has room for it. */
static void conn_fill(conn_t *c) {
  uint64_t outstanding;
  uint64_t room;

  switch (opt.mode) {
  case MODE_BULK:
    c->to_write = opt.size;
    break;
  case MODE_FLOOD:
    c->to_write = draining ? 0 : opt.size;
    break;
  case MODE_BULK_ECHO:
    outstanding = c->written - c->nread;
    room = outstanding < opt.window ? opt.window - outstanding : 0;
    c->to_write = room < opt.size ? room : opt.size;
    break;
  default:
    break;
  }
}

/* Writes what is queued, and what the streaming modes add as it goes, as
 * far as the socket takes it; watches for writability only while something
 * is left. */
static void conn_flush(conn_t *c) {
  size_t len;
  ssize_t n;
  int i;

  for (i = 0; i < IO_ROUNDS; i++) {
    if (c->to_write == 0)
      conn_fill(c);
    if (c->to_write == 0)
      break;
    len = c->to_write < WBUF_SIZE ? (size_t) c->to_write : WBUF_SIZE;
    n = send(c->fd, wbuf, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      conn_fail(c);
      return;
    }
    c->to_write -= (uint64_t) n;
    c->written += (uint64_t) n;
    bytes_out_total += (uint64_t) n;
  }
  if (c->to_write == 0)
    conn_fill(c);
  if (c->to_write > 0)
    watch(c, c->events | EPOLLOUT);
  else
    watch(c, c->events & ~EPOLLOUT);
}

/* Counts the messages whose echo came back in full and queues the next. */
static void conn_messages(conn_t *c, uint64_t t) {
  uint64_t complete;

  complete = c->nread / opt.size;
  while (c->done < complete) {
    c->done++;
    ops_total++;
    if (opt.mode == MODE_PINGPONG) {
      if (measuring)
        hist_add(t - c->sent_at);
      c->sent_at = t;
    }
    c->to_write += opt.size;
  }
}

static void conn_readable(conn_t *c, uint64_t t) {
  size_t len;
  ssize_t n;
  int i;

  for (i = 0; i < IO_ROUNDS; i++) {
    len = RBUF_SIZE;
    if (opt.mode == MODE_FLOOD && measuring) {
      if (read_budget < 1.0) {
        watch(c, c->events & ~EPOLLIN);
        return;
      }
      if (read_budget < (double) len)
        len = (size_t) read_budget;
    }
    n = recv(c->fd, rbuf, len, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return;
      conn_fail(c);
      return;
    }
    if (n == 0) {
      conn_fail(c);
      return;
    }
    c->nread += (uint64_t) n;
    bytes_in_total += (uint64_t) n;
    if (opt.mode == MODE_FLOOD && measuring)
      read_budget -= (double) n;
    switch (opt.mode) {
    case MODE_PINGPONG:
    case MODE_PIPELINE:
      conn_messages(c, t);
      conn_flush(c);
      break;
    case MODE_BULK_ECHO:
      conn_flush(c);
      break;
    case MODE_CONNRATE:
      if (c->nread >= opt.size) {
        ops_total++;
        conn_close(c, ST_IDLE);
        return;
      }
      break;
    case MODE_HOLD:
      if (c->nread >= opt.size && c->done == 0) {
        c->done = 1;
        ops_total++;
      }
      break;
    default:
      break;
    }
    if (c->state != ST_OPEN)
      return;
  }
}

static void on_open(conn_t *c, uint64_t t) {
  c->state = ST_OPEN;
  c->events = EPOLLOUT;
  watch(c, EPOLLIN);
  switch (opt.mode) {
  case MODE_PINGPONG:
  case MODE_CONNRATE:
  case MODE_HOLD:
    c->to_write = opt.size;
    c->sent_at = t;
    break;
  case MODE_PIPELINE:
    c->to_write = (uint64_t) opt.size * (uint64_t) opt.depth;
    break;
  default:
    break;
  }
  conn_flush(c);
}

static void on_event(conn_t *c, uint32_t events, uint64_t t) {
  socklen_t len;
  int err;

  if (c->state == ST_CONNECTING) {
    err = 0;
    len = sizeof(err);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
      conn_fail(c);
      return;
    }
    on_open(c, t);
    return;
  }
  if (c->state != ST_OPEN)
    return;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
    conn_readable(c, t);
  if (c->state == ST_OPEN && (events & EPOLLOUT))
    conn_flush(c);
}

/* One pass of the event loop, waiting at most until the deadline. */
static void poll_once(uint64_t deadline) {
  struct epoll_event events[MAX_EVENTS];
  uint64_t t;
  int timeout;
  int n;
  int i;

  t = now_ns();
  timeout = 0;
  if (deadline > t)
    timeout = (int) ((deadline - t + 999999) / 1000000);
  if (timeout > 10)
    timeout = 10;
  n = epoll_wait(epfd, events, MAX_EVENTS, timeout);
  if (n < 0) {
    if (errno == EINTR)
      return;
    die("epoll_wait");
  }
  t = now_ns();
  for (i = 0; i < n; i++)
    on_event((conn_t *) events[i].data.ptr, events[i].events, t);
}

/* Connects all connections at once and waits for them to open. */
static int connect_all(void) {
  uint64_t deadline;
  int open_count;
  int rounds;
  int i;

  for (i = 0; i < opt.conns; i++) {
    if (conn_open(&conns[i]) != 0) {
      fprintf(stderr, "loadgen: connect: %s\n", strerror(errno));
      return -1;
    }
  }
  deadline = now_ns() + seconds_ns(opt.setup);
  for (rounds = 0; rounds < 1000000; rounds++) {
    open_count = 0;
    for (i = 0; i < opt.conns; i++) {
      if (conns[i].state == ST_DEAD) {
        fprintf(stderr, "loadgen: connection %d failed\n", i);
        return -1;
      }
      if (conns[i].state == ST_OPEN)
        open_count++;
    }
    if (open_count == opt.conns)
      return 0;
    if (now_ns() >= deadline)
      break;
    poll_once(deadline);
  }
  fprintf(stderr, "loadgen: connecting timed out\n");
  return -1;
}

/* Restarts the connect-and-echo cycle of connrate's free slots. */
static void connrate_refill(void) {
  int i;

  for (i = 0; i < opt.conns; i++)
    if (conns[i].state == ST_IDLE || conns[i].state == ST_DEAD)
      conn_open(&conns[i]);
}

typedef struct window_s {
  uint64_t t0, t1;
  uint64_t ops0, ops1;
  uint64_t out0, out1;
  uint64_t in0, in1;
  uint64_t err0, err1;
  double cpu0, cpu1;
  double self0, self1;
  double procs0, procs1;
  double irq0, irq1;
  double steal0, steal1;
} window_t;

static void window_begin(window_t *w) {
  memset(hist, 0, sizeof(hist));
  hist_count = 0;
  hist_max = 0;
  machine_cpu(&w->procs0, &w->irq0, &w->steal0);
  w->cpu0 = server_cpu();
  w->self0 = self_cpu();
  w->t0 = now_ns();
  w->ops0 = ops_total;
  w->out0 = bytes_out_total;
  w->in0 = bytes_in_total;
  w->err0 = errors_total;
  measuring = 1;
}

static void window_end(window_t *w) {
  measuring = 0;
  w->t1 = now_ns();
  w->ops1 = ops_total;
  w->out1 = bytes_out_total;
  w->in1 = bytes_in_total;
  w->err1 = errors_total;
  w->cpu1 = server_cpu();
  w->self1 = self_cpu();
  machine_cpu(&w->procs1, &w->irq1, &w->steal1);
}

/* Runs the loop through the warm-up and the measured window. */
static void run_window(window_t *w) {
  uint64_t start;
  uint64_t stop;
  uint64_t rounds;

  start = now_ns() + seconds_ns(opt.warmup);
  rounds = 0;
  while (now_ns() < start && rounds++ < 100000000u) {
    if (opt.mode == MODE_CONNRATE)
      connrate_refill();
    poll_once(start);
  }
  window_begin(w);
  stop = w->t0 + seconds_ns(opt.seconds);
  rounds = 0;
  while (now_ns() < stop && rounds++ < 100000000u) {
    if (opt.mode == MODE_CONNRATE)
      connrate_refill();
    poll_once(stop);
  }
  window_end(w);
}

/* Prints the figures every timed mode has.  An operation is a round trip,
 * a message or a connection; for the streaming modes it is a megabyte
 * (written for bulk, echoed back for bulk_echo). */
static void print_common(const window_t *w) {
  double secs;
  double cpu;
  double ops;

  secs = (double) (w->t1 - w->t0) / 1e9;
  if (opt.mode == MODE_BULK)
    ops = (double) (w->out1 - w->out0) / MB;
  else if (opt.mode == MODE_BULK_ECHO)
    ops = (double) (w->in1 - w->in0) / MB;
  else
    ops = (double) (w->ops1 - w->ops0);
  cpu = (w->cpu0 >= 0 && w->cpu1 >= 0) ? w->cpu1 - w->cpu0 : -1.0;
  printf("mode=%s conns=%d size=%zu seconds=%.3f ops=%.6g rate=%.6g",
         mode_names[opt.mode], opt.conns, opt.size, secs, ops,
         secs > 0 ? ops / secs : 0.0);
  printf(" out_mbps=%.6g in_mbps=%.6g",
         secs > 0 ? (double) (w->out1 - w->out0) / MB / secs : 0.0,
         secs > 0 ? (double) (w->in1 - w->in0) / MB / secs : 0.0);
  printf(" server_cpu_s=%.4f cpu_us_per_op=%.6g client_cpu_s=%.4f", cpu,
         (cpu >= 0 && ops > 0) ? cpu * 1e6 / ops : -1.0, w->self1 - w->self0);
  printf(" errors=%llu", (unsigned long long) (w->err1 - w->err0));
  if (w->procs0 >= 0 && w->procs1 >= 0 && cpu >= 0)
    printf(" other_cpu_s=%.4f irq_s=%.4f steal_s=%.4f",
           w->procs1 - w->procs0 - cpu - (w->self1 - w->self0),
           w->irq1 - w->irq0, w->steal1 - w->steal0);
}

static int run_traffic(void) {
  window_t w;

  if (connect_all() != 0)
    return 1;
  run_window(&w);
  print_common(&w);
  if (opt.mode == MODE_PINGPONG)
    printf(" p50_us=%.2f p99_us=%.2f max_us=%.2f", hist_percentile(50.0) / 1e3,
           hist_percentile(99.0) / 1e3, (double) hist_max / 1e3);
  if (opt.mode == MODE_PIPELINE)
    printf(" depth=%d", opt.depth);
  if (opt.mode == MODE_BULK_ECHO)
    printf(" window=%llu", (unsigned long long) opt.window);
  printf("\n");
  return (w.ops1 > w.ops0 || w.out1 > w.out0) ? 0 : 1;
}

static int run_connrate(void) {
  window_t w;
  int i;

  for (i = 0; i < opt.conns; i++)
    conns[i].state = ST_IDLE;
  run_window(&w);
  print_common(&w);
  printf("\n");
  return w.ops1 > w.ops0 ? 0 : 1;
}

/* Opens one connection, echoes one message on it and closes it, so that
 * what the server sets up on its first connection is in the baseline. */
static void hold_warm(conn_t *c) {
  uint64_t deadline;
  int rounds;

  if (conn_open(c) != 0)
    return;
  deadline = now_ns() + seconds_ns(5.0);
  for (rounds = 0; rounds < 100000 && now_ns() < deadline; rounds++) {
    if (c->state != ST_CONNECTING && c->state != ST_OPEN)
      break;
    if (c->state == ST_OPEN && c->done)
      break;
    poll_once(deadline);
  }
  ops_total = 0;
  conn_close(c, ST_IDLE);
}

static void sleep_loop(double seconds) {
  uint64_t deadline;
  int rounds;

  deadline = now_ns() + seconds_ns(seconds);
  for (rounds = 0; rounds < 1000000 && now_ns() < deadline; rounds++)
    poll_once(deadline);
}

static int run_hold(void) {
  uint64_t t0;
  uint64_t deadline;
  long before;
  long after;
  int opened;
  int opening;
  int rounds;
  int i;

  hold_warm(&conns[0]);
  sleep_loop(opt.settle);
  before = server_status_kb("VmRSS");
  t0 = now_ns();
  deadline = t0 + seconds_ns(opt.setup);
  opened = 0;
  for (rounds = 0; rounds < 10000000 && now_ns() < deadline; rounds++) {
    /* Those connecting or waiting for their echo. */
    opening = 0;
    for (i = 0; i < opened; i++)
      if ((conns[i].state == ST_OPEN && !conns[i].done) ||
          conns[i].state == ST_CONNECTING)
        opening++;
    while (opening < HOLD_OPENING && opened < opt.conns) {
      if (conn_open(&conns[opened]) != 0)
        conns[opened].state = ST_DEAD;
      opened++;
      opening++;
    }
    if (opened == opt.conns &&
        (int) ops_total + (int) errors_total >= opt.conns)
      break;
    poll_once(deadline);
  }
  sleep_loop(opt.settle);
  after = server_status_kb("VmRSS");
  printf("mode=hold conns=%d size=%zu seconds=%.3f ops=%llu"
         " rss_before_kb=%ld rss_after_kb=%ld kib_per_conn=%.4g errors=%llu\n",
         opt.conns, opt.size, (double) (now_ns() - t0) / 1e9,
         (unsigned long long) ops_total, before, after,
         (before >= 0 && after >= 0 && ops_total > 0)
             ? (double) (after - before) / (double) ops_total
             : -1.0,
         (unsigned long long) errors_total);
  return ops_total == (uint64_t) opt.conns ? 0 : 1;
}

/* Writes as fast as the server takes it and reads the echo at no more than
 * --read-rate, watching the server's memory; then reads the rest back. */
static int run_flood(void) {
  window_t w;
  uint64_t deadline;
  uint64_t tick;
  uint64_t last;
  uint64_t stalled;
  uint64_t t;
  long rss;
  long peak;
  long hwm;
  int capped;
  int rounds;
  int i;

  if (connect_all() != 0)
    return 1;
  window_begin(&w);
  deadline = w.t0 + seconds_ns(opt.seconds);
  peak = server_status_kb("VmRSS");
  capped = 0;
  tick = w.t0;
  for (rounds = 0; rounds < 10000000; rounds++) {
    t = now_ns();
    if (t >= deadline)
      break;
    if (t >= tick) {
      /* Refill the read allowance and look at the server's memory. */
      read_budget = opt.read_rate * MB * 0.01;
      for (i = 0; i < opt.conns; i++)
        if (conns[i].state == ST_OPEN && read_budget >= 1.0)
          watch(&conns[i], conns[i].events | EPOLLIN);
      tick = t + 10000000u;
      rss = server_status_kb("VmRSS");
      if (rss > peak)
        peak = rss;
      if (rss > (long) (opt.max_rss_mb * 1024.0)) {
        capped = 1;
        break;
      }
    }
    poll_once(tick < deadline ? tick : deadline);
  }
  window_end(&w);
  hwm = server_status_kb("VmHWM");

  /* Stop writing and take back what the server still echoes. */
  for (i = 0; i < opt.conns; i++) {
    if (conns[i].state == ST_OPEN) {
      conns[i].to_write = 0;
      watch(&conns[i], EPOLLIN);
    }
  }
  draining = 1;
  deadline = now_ns() + seconds_ns(10.0);
  last = bytes_in_total;
  stalled = now_ns();
  for (rounds = 0; rounds < 10000000; rounds++) {
    t = now_ns();
    if (t >= deadline || bytes_in_total >= bytes_out_total)
      break;
    if (bytes_in_total != last) {
      last = bytes_in_total;
      stalled = t;
    } else if (t - stalled > seconds_ns(2.0)) {
      break;
    }
    poll_once(deadline);
  }
  rss = server_status_kb("VmRSS");
  printf("mode=flood conns=%d seconds=%.3f sent_mb=%.6g echoed_mb=%.6g"
         " sent_mbps=%.6g echoed_mbps=%.6g read_rate=%.6g"
         " peak_rss_kb=%ld hwm_kb=%ld end_rss_kb=%ld capped=%d"
         " total_sent_mb=%.6g total_echoed_mb=%.6g complete=%d errors=%llu\n",
         opt.conns, (double) (w.t1 - w.t0) / 1e9,
         (double) (w.out1 - w.out0) / MB, (double) (w.in1 - w.in0) / MB,
         (double) (w.out1 - w.out0) / MB / ((double) (w.t1 - w.t0) / 1e9),
         (double) (w.in1 - w.in0) / MB / ((double) (w.t1 - w.t0) / 1e9),
         opt.read_rate, peak, hwm, rss, capped, (double) bytes_out_total / MB,
         (double) bytes_in_total / MB, bytes_in_total == bytes_out_total,
         (unsigned long long) errors_total);
  return 0;
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: loadgen MODE --port PORT [options]\n"
      "\n"
      "modes:\n"
      "  pingpong   C connections, one S-byte message in flight on each;\n"
      "             round trips/s and latency percentiles\n"
      "  pipeline   C connections, K messages of S bytes in flight on each;\n"
      "             messages/s\n"
      "  bulk       C connections streaming to a discard server; MB/s sent\n"
      "  bulk_echo  C connections streaming through an echo server with at\n"
      "             most W bytes unanswered; MB/s echoed\n"
      "  connrate   C connectors: connect, send S bytes, read the echo, "
      "close;\n"
      "             connections/s\n"
      "  hold       C idle connections, each after one echo; the server's RSS\n"
      "             growth per connection (needs --pid)\n"
      "  flood      C connections writing as fast as the server reads, "
      "reading\n"
      "             the echo at no more than R MB/s; the server's peak RSS\n"
      "\n"
      "options:\n"
      "  --host ADDR       IPv4 loopback address (127.0.0.0/8), default "
      "127.0.0.1\n"
      "  --port PORT       the server's port (required)\n"
      "  --conns C         connections (default by mode: 100, 16, 1, 1, 16,\n"
      "                    10000, 1)\n"
      "  --size S          message or write size in bytes (default 64; 65536 "
      "for\n"
      "                    bulk, bulk_echo and flood)\n"
      "  --depth K         messages in flight per connection (default 16)\n"
      "  --window W        bulk_echo's unanswered bytes (default 4194304)\n"
      "  --seconds T       measured window (default 5)\n"
      "  --warmup T        traffic before the window (default 1)\n"
      "  --settle T        hold's wait before reading memory (default 0.5)\n"
      "  --timeout T       the most connecting (and hold's echoes) may take\n"
      "                    (default 30)\n"
      "  --pid PID         the server's process, for CPU time and memory\n"
      "  --read-rate R     flood's read rate in MB/s (default 0)\n"
      "  --max-rss MB      flood stops once the server's RSS passes this\n"
      "                    (default 1024)\n");
}

static double parse_number(const char *name, const char *s, double lo,
                           double hi) {
  char *end;
  double v;

  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || *end != '\0' || v < lo || v > hi) {
    fprintf(stderr, "loadgen: bad %s: %s\n", name, s);
    exit(2);
  }
  return v;
}

static void parse_args(int argc, char **argv) {
  static const struct option longopts[] = {
    { "host", required_argument, NULL, 'H' },
    { "port", required_argument, NULL, 'p' },
    { "conns", required_argument, NULL, 'c' },
    { "size", required_argument, NULL, 's' },
    { "depth", required_argument, NULL, 'k' },
    { "window", required_argument, NULL, 'W' },
    { "seconds", required_argument, NULL, 'd' },
    { "warmup", required_argument, NULL, 'w' },
    { "settle", required_argument, NULL, 'S' },
    { "timeout", required_argument, NULL, 't' },
    { "pid", required_argument, NULL, 'P' },
    { "read-rate", required_argument, NULL, 'r' },
    { "max-rss", required_argument, NULL, 'm' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  static const int default_conns[] = { 100, 16, 1, 1, 16, 10000, 1 };
  const char *host;
  int port;
  int ch;
  int i;

  if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    exit(argc < 2 ? 2 : 0);
  }
  opt.mode = -1;
  for (i = 0; i < (int) (sizeof(mode_names) / sizeof(mode_names[0])); i++)
    if (strcmp(argv[1], mode_names[i]) == 0)
      opt.mode = i;
  if (opt.mode < 0) {
    fprintf(stderr, "loadgen: unknown mode: %s\n", argv[1]);
    exit(2);
  }
  host = "127.0.0.1";
  port = -1;
  opt.conns = default_conns[opt.mode];
  opt.size = 64;
  if (opt.mode == MODE_BULK || opt.mode == MODE_BULK_ECHO ||
      opt.mode == MODE_FLOOD)
    opt.size = 65536;
  opt.depth = 16;
  opt.window = 4194304;
  opt.seconds = 5.0;
  opt.warmup = 1.0;
  opt.settle = 0.5;
  opt.setup = 30.0;
  opt.read_rate = 0.0;
  opt.max_rss_mb = 1024.0;
  optind = 2;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (ch) {
    case 'H':
      host = optarg;
      break;
    case 'p':
      port = (int) parse_number("port", optarg, 1, 65535);
      break;
    case 'c':
      opt.conns = (int) parse_number("conns", optarg, 1, MAX_CONNS);
      break;
    case 's':
      opt.size = (size_t) parse_number("size", optarg, 1, 1 << 30);
      break;
    case 'k':
      opt.depth = (int) parse_number("depth", optarg, 1, 1 << 20);
      break;
    case 'W':
      opt.window = (uint64_t) parse_number("window", optarg, 1, 1 << 30);
      break;
    case 'd':
      opt.seconds = parse_number("seconds", optarg, 0.01, 3600);
      break;
    case 'w':
      opt.warmup = parse_number("warmup", optarg, 0, 3600);
      break;
    case 'S':
      opt.settle = parse_number("settle", optarg, 0, 60);
      break;
    case 't':
      opt.setup = parse_number("timeout", optarg, 0.1, 600);
      break;
    case 'P':
      opt.pid = (pid_t) parse_number("pid", optarg, 1, 1 << 30);
      break;
    case 'r':
      opt.read_rate = parse_number("read-rate", optarg, 0, 1e6);
      break;
    case 'm':
      opt.max_rss_mb = parse_number("max-rss", optarg, 1, 1e6);
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      exit(2);
    }
  }
  if (optind != argc || port < 0) {
    usage(stderr);
    exit(2);
  }
  memset(&opt.addr, 0, sizeof(opt.addr));
  opt.addr.sin_family = AF_INET;
  opt.addr.sin_port = htons((uint16_t) port);
  /* Only the loopback network is a target. */
  if (inet_pton(AF_INET, host, &opt.addr.sin_addr) != 1 ||
      (ntohl(opt.addr.sin_addr.s_addr) >> 24) != 127) {
    fprintf(stderr, "loadgen: not an IPv4 loopback address: %s\n", host);
    exit(2);
  }
}

/* Lets the process hold as many sockets as its hard limit allows. */
static void raise_fd_limit(void) {
  struct rlimit rl;

  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
      rl.rlim_cur < (rlim_t) opt.conns + 16) {
    fprintf(stderr,
            "loadgen: %d connections need more descriptors than the"
            " limit of %lu\n",
            opt.conns, (unsigned long) rl.rlim_cur);
    exit(1);
  }
}

int main(int argc, char **argv) {
  double limit;
  int rc;
  int i;

  parse_args(argc, argv);
  raise_fd_limit();
  for (i = 0; i < WBUF_SIZE; i++)
    wbuf[i] = (char) ('a' + i % 26);
  /* A last guard: whatever happens, the process ends. */
  limit = opt.warmup + opt.seconds + 2 * opt.settle + opt.setup + 30.0;
  alarm((unsigned) limit);
  conns = calloc((size_t) opt.conns, sizeof(*conns));
  if (conns == NULL)
    die("calloc");
  for (i = 0; i < opt.conns; i++)
    conns[i].fd = -1;
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0)
    die("epoll_create1");

  switch (opt.mode) {
  case MODE_CONNRATE:
    rc = run_connrate();
    break;
  case MODE_HOLD:
    rc = run_hold();
    break;
  case MODE_FLOOD:
    rc = run_flood();
    break;
  default:
    rc = run_traffic();
    break;
  }
  fflush(stdout);
  for (i = 0; i < opt.conns; i++)
    if (conns[i].fd >= 0)
      close(conns[i].fd);
  close(epfd);
  free(conns);
  return rc;
}
