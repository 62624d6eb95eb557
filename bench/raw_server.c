/*
 * raw_server.c: the floor of uvnet's benchmarks, an echo or discard server
 * written straight on libuv with nothing between the loop and the sockets.
 *
 *   raw_server PORT echo|discard
 *
 * It listens on 127.0.0.1:PORT (0 picks a free port), prints
 * "listening <port>" on one line, and runs until killed.  The echo server
 * writes back each chunk it reads without copying it: the chunk's buffer
 * sits behind its write request and goes back to a small free list when the
 * write completes, so that steady traffic allocates nothing.  The discard
 * server reads into one static buffer.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#define CHUNK_SIZE 65536
#define POOL_MAX 64

/* A write request with the chunk it writes right behind it. */
typedef struct echo_req_s {
  uv_write_t req;
  uv_buf_t buf;
  struct echo_req_s *next;
  char data[CHUNK_SIZE];
} echo_req_t;

static echo_req_t *pool;
static int pool_size;

static uv_loop_t *loop;
static uv_tcp_t server;
static int echo_mode;
static char discard_buf[CHUNK_SIZE];

static void on_close(uv_handle_t *handle) {
  free(handle);
}

static echo_req_t *req_new(void) {
  echo_req_t *er;

  if (pool == NULL)
    return malloc(sizeof(*er));
  er = pool;
  pool = er->next;
  pool_size--;
  return er;
}

static void req_free(echo_req_t *er) {
  if (er == NULL)
    return;
  if (pool_size >= POOL_MAX) {
    free(er);
    return;
  }
  er->next = pool;
  pool = er;
  pool_size++;
}

static void echo_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  echo_req_t *er;

  (void) handle;
  (void) suggested;
  er = req_new();
  if (er == NULL) {
    buf->base = NULL;
    buf->len = 0;
    return;
  }
  buf->base = er->data;
  buf->len = sizeof(er->data);
}

static void discard_alloc(uv_handle_t *handle, size_t suggested,
                          uv_buf_t *buf) {
  (void) handle;
  (void) suggested;
  buf->base = discard_buf;
  buf->len = sizeof(discard_buf);
}

static void on_write(uv_write_t *req, int status) {
  (void) status;
  req_free((echo_req_t *) req);
}

static void echo_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  echo_req_t *er;

  er = buf->base == NULL
           ? NULL
           : (echo_req_t *) (buf->base - offsetof(echo_req_t, data));
  if (nread > 0) {
    er->buf = uv_buf_init(er->data, (unsigned int) nread);
    if (uv_write(&er->req, stream, &er->buf, 1, on_write) == 0)
      return;
  }
  req_free(er);
  if (nread < 0 && !uv_is_closing((uv_handle_t *) stream))
    uv_close((uv_handle_t *) stream, on_close);
}

static void discard_read(uv_stream_t *stream, ssize_t nread,
                         const uv_buf_t *buf) {
  (void) buf;
  if (nread < 0 && !uv_is_closing((uv_handle_t *) stream))
    uv_close((uv_handle_t *) stream, on_close);
}

static void on_connection(uv_stream_t *listener, int status) {
  uv_tcp_t *client;

  if (status < 0)
    return;
  client = malloc(sizeof(*client));
  if (client == NULL)
    return;
  uv_tcp_init(loop, client);
  if (uv_accept(listener, (uv_stream_t *) client) != 0) {
    uv_close((uv_handle_t *) client, on_close);
    return;
  }
  if (echo_mode)
    uv_read_start((uv_stream_t *) client, echo_alloc, echo_read);
  else
    uv_read_start((uv_stream_t *) client, discard_alloc, discard_read);
}

int main(int argc, char **argv) {
  struct sockaddr_in addr;
  struct sockaddr_storage name;
  int namelen;
  int port;
  int err;

  if (argc != 3 ||
      (strcmp(argv[2], "echo") != 0 && strcmp(argv[2], "discard") != 0)) {
    fprintf(stderr, "usage: raw_server PORT echo|discard\n");
    return 2;
  }
  port = atoi(argv[1]);
  echo_mode = strcmp(argv[2], "echo") == 0;
  /* A peer that resets with writes pending must not end the process. */
  signal(SIGPIPE, SIG_IGN);
  loop = uv_default_loop();

  uv_tcp_init(loop, &server);
  uv_ip4_addr("127.0.0.1", port, &addr);
  err = uv_tcp_bind(&server, (const struct sockaddr *) &addr, 0);
  if (err == 0)
    err = uv_listen((uv_stream_t *) &server, 511, on_connection);
  if (err != 0) {
    fprintf(stderr, "raw_server: listen: %s\n", uv_strerror(err));
    return 1;
  }
  namelen = sizeof(name);
  uv_tcp_getsockname(&server, (struct sockaddr *) &name, &namelen);
  printf("listening %d\n", ntohs(((struct sockaddr_in *) &name)->sin_port));
  fflush(stdout);
  return uv_run(loop, UV_RUN_DEFAULT);
}
