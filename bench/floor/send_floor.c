/* send_floor: the kernel's price of one delivery on this machine, right now.
 *
 * Opens N loopback TCP connections, then, R times, send()s one message of B bytes on each of
 * the N server-side sockets (a distinct socket each time, as a fan-out does), and reports the
 * sending thread's CPU time per send() from CLOCK_THREAD_CPUTIME_ID. A second thread drains the
 * client sides with epoll so buffers never fill; its CPU is not counted. One JSON line out.
 *
 * usage: send_floor [connections=1000] [rounds=200] [bytes=100] [cpu=0] [paced=0]
 * (pins the sending thread to `cpu` so it can be compared with a server pinned the same way).
 * paced=1 waits after each round until the drainer has read it all, as a paced fan-out waits
 * for every client before the next message: the receiver is then asleep when each round
 * starts, and waking it is part of the senders' kernel cost, as it is for a server. The wait
 * sleeps, so it adds no CPU to the sending thread.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop_draining;
static atomic_long bytes_drained;

static double thread_cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *drain(void *arg) {
  int epoll_fd = *(int *)arg;
  struct epoll_event events[256];
  char buffer[65536];
  while (!atomic_load(&stop_draining)) {
    int ready = epoll_wait(epoll_fd, events, 256, 50);
    for (int i = 0; i < ready; ++i) {
      ssize_t got;
      while ((got = recv(events[i].data.fd, buffer, sizeof buffer, MSG_DONTWAIT)) > 0) {
        atomic_fetch_add(&bytes_drained, (long)got);
      }
    }
  }
  return NULL;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

int main(int argc, char **argv) {
  int connections = argc > 1 ? atoi(argv[1]) : 1000;
  int rounds = argc > 2 ? atoi(argv[2]) : 200;
  int bytes = argc > 3 ? atoi(argv[3]) : 100;
  int cpu = argc > 4 ? atoi(argv[4]) : 0;
  int paced = argc > 5 ? atoi(argv[5]) : 0;

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 4096)) die("listen");
  getsockname(listener, (struct sockaddr *)&address, &length);

  int *senders = calloc((size_t)connections, sizeof(int));
  int epoll_fd = epoll_create1(0);
  for (int i = 0; i < connections; ++i) {
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, (struct sockaddr *)&address, sizeof address)) die("connect");
    senders[i] = accept(listener, NULL, NULL);
    if (senders[i] < 0) die("accept");
    int one = 1;
    setsockopt(senders[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = client};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &event);
  }

  pthread_t drainer;
  pthread_create(&drainer, NULL, drain, &epoll_fd);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);

  char *message = malloc((size_t)bytes);
  memset(message, 'x', (size_t)bytes);
  long sends = 0;
  double start = thread_cpu_seconds();
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < connections; ++i) {
      if (send(senders[i], message, (size_t)bytes, MSG_NOSIGNAL) == bytes) ++sends;
    }
    const struct timespec pause = {.tv_sec = 0, .tv_nsec = 100000};
    while (paced && atomic_load(&bytes_drained) < sends * (long)bytes) nanosleep(&pause, NULL);
  }
  double cpu_seconds = thread_cpu_seconds() - start;
  atomic_store(&stop_draining, 1);
  pthread_join(drainer, NULL);
  printf("{\"probe\":\"send_floor\",\"connections\":%d,\"rounds\":%d,\"bytes\":%d,\"paced\":%d,\"sends\":%ld,"
         "\"cpu_us_per_send\":%.3f}\n",
         connections, rounds, bytes, paced, sends, cpu_seconds * 1e6 / (double)sends);
  return 0;
}
