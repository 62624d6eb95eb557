/*
 * stream.c: reading, writing, shutting down, listening and accepting on
 * TCP and pipe handles.
 *
 * Reads land in the one read buffer of the state (or in the socket's onread
 * buffer) and reach Lua as one string per chunk.  Writes never copy: the
 * Lua string is written directly, first with uv_try_write, and for what
 * the kernel does not take at once it stays pinned in the registry until
 * libuv's write callback.  A sequence of strings is one vectored write.
 */
#include <stdlib.h>
#include <string.h>

#include "uvnet.h"

#define STACK_BUFS 16

typedef struct write_req {
  uv_write_t req;
  int pin; /* registry reference keeping the written strings alive */
} write_req;

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  uvn_handle *h = (uvn_handle *) handle->data;
  (void) suggested;
  if (h->flags & UVN_F_USERBUF) {
    buf->base = h->userbuf;
    buf->len = h->userbuf_len;
  } else {
    buf->base = h->ctx->readbuf;
    buf->len = UVN_READBUF_SIZE;
  }
}

/* Runs protected: makes the chunk's string and calls the read handler. */
static int read_string(lua_State *L) {
  uvn_handle *h = (uvn_handle *) lua_touserdata(L, 1);
  lua_Integer nread = lua_tointeger(L, 2);
  uvn_push_handler(h->ctx, UVN_EV_READ);
  uvn_push_owner(h);
  lua_pushinteger(L, nread);
  lua_pushlstring(L, h->ctx->readbuf, (size_t) nread);
  lua_call(L, 3, 0);
  return 0;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  uvn_handle *h = (uvn_handle *) stream->data;
  uvn_ctx *ctx = h->ctx;
  lua_State *L = ctx->L;
  (void) buf;
  if (nread == 0 || ctx->closing || (h->flags & UVN_F_ORPHAN))
    return;
  if (nread < 0)
    h->flags &= ~UVN_F_READING; /* libuv stops reading at EOF or error */
  if (nread > 0 && !(h->flags & UVN_F_USERBUF)) {
    lua_pushcfunction(L, read_string);
    lua_pushlightuserdata(L, h);
    lua_pushinteger(L, (lua_Integer) nread);
    uvn_call(ctx, 2);
    return;
  }
  uvn_push_handler(ctx, UVN_EV_READ);
  uvn_push_owner(h);
  lua_pushinteger(L, (lua_Integer) nread);
  uvn_call(ctx, 2);
}

/* h:readstart(): returns true, or nil, name, code. */
static int s_readstart(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  int rc = 0;
  if (!(h->flags & UVN_F_READING)) {
    rc = uv_read_start(&h->u.stream, on_alloc, on_read);
    if (rc == 0)
      h->flags |= UVN_F_READING;
  }
  return uvn_pushstatus(L, rc);
}

static int s_readstop(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  if (h->flags & UVN_F_READING) {
    uv_read_stop(&h->u.stream);
    h->flags &= ~UVN_F_READING;
  }
  return 0;
}

/*
 * h:setreadbuf(buffer): reads land in the buffer (a core.buffer, which the
 * Lua side keeps alive as long as the handle uses it); with no argument,
 * reads go back to the shared buffer.
 */
static int s_setreadbuf(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  if (lua_isnoneornil(L, 2)) {
    h->flags &= ~UVN_F_USERBUF;
    h->userbuf = NULL;
    h->userbuf_len = 0;
    return 0;
  }
  h->userbuf = uvn_tobuffer(L, 2, &h->userbuf_len);
  h->flags |= UVN_F_USERBUF;
  return 0;
}

static void on_write(uv_write_t *req, int status) {
  write_req *wr = (write_req *) req;
  uvn_handle *h = (uvn_handle *) req->handle->data;
  uvn_ctx *ctx = h->ctx;
  h->pending_writes--;
  if (!ctx->closing) {
    lua_State *L = ctx->L;
    luaL_unref(L, LUA_REGISTRYINDEX, wr->pin);
    if (!(h->flags & UVN_F_ORPHAN)) {
      uvn_push_handler(ctx, UVN_EV_WRITE);
      uvn_push_owner(h);
      lua_pushinteger(L, status);
      free(wr);
      uvn_call(ctx, 2);
      return;
    }
  }
  free(wr);
}

/* Collects the strings to write; returns their count and total size. */
static size_t getbufs(lua_State *L, int idx, uv_buf_t **bufs,
                      uv_buf_t *stackbufs, size_t *total) {
  size_t n, i, len;
  const char *s;
  *total = 0;
  if (lua_type(L, idx) == LUA_TSTRING) {
    s = lua_tolstring(L, idx, &len);
    stackbufs[0] = uv_buf_init((char *) s, (unsigned int) len);
    *bufs = stackbufs;
    *total = len;
    return 1;
  }
  luaL_checktype(L, idx, LUA_TTABLE);
  n = (size_t) lua_rawlen(L, idx);
  *bufs = stackbufs;
  if (n > STACK_BUFS) {
    *bufs = (uv_buf_t *) lua_newuserdatauv(L, n * sizeof(uv_buf_t), 0);
    lua_replace(L, 3); /* keep it until the call returns */
  }
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, idx, (lua_Integer) i + 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "uvnet: write: element %d is not a string", (int) i + 1);
    s = lua_tolstring(L, -1, &len);
    lua_pop(L, 1); /* the table keeps it alive during the call */
    (*bufs)[i] = uv_buf_init((char *) s, (unsigned int) len);
    *total += len;
  }
  return n;
}

/* Pins the written strings: the string itself, or a copy of the sequence
 * (the caller may change its table afterwards). */
static int pin(lua_State *L, int idx, size_t n) {
  if (lua_type(L, idx) == LUA_TSTRING) {
    lua_pushvalue(L, idx);
  } else {
    lua_createtable(L, (int) n, 0);
    for (size_t i = 1; i <= n; i++) {
      lua_rawgeti(L, idx, (lua_Integer) i);
      lua_rawseti(L, -2, (lua_Integer) i);
    }
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

/*
 * h:write(data): data is a string or a sequence of strings.  Returns 0 when
 * the kernel took everything at once, 1 when a write request is queued (the
 * write handler will hear of it), or nil, name, code on failure.
 */
static int s_write(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  uv_buf_t stackbufs[STACK_BUFS];
  uv_buf_t *bufs;
  size_t total, n, i;
  write_req *wr;
  int rc;
  lua_settop(L, 2);
  lua_pushnil(L); /* slot 3: a large buffer array, if needed */
  n = getbufs(L, 2, &bufs, stackbufs, &total);
  if (total == 0) {
    lua_pushinteger(L, 0);
    return 1;
  }
  i = 0;
  if (h->pending_writes == 0) {
    rc = uv_try_write(&h->u.stream, bufs, (unsigned int) n);
    if (rc < 0 && rc != UV_EAGAIN && rc != UV_ENOSYS)
      return uvn_pushstatus(L, rc);
    if (rc > 0) {
      size_t done = (size_t) rc;
      if (done == total) {
        lua_pushinteger(L, 0);
        return 1;
      }
      while (done >= bufs[i].len) {
        done -= bufs[i].len;
        i++;
      }
      bufs[i].base += done;
      bufs[i].len -= done;
    }
  }
  wr = (write_req *) malloc(sizeof(*wr));
  if (wr == NULL)
    return luaL_error(L, "uvnet: not enough memory");
  rc = uv_write(&wr->req, &h->u.stream, bufs + i, (unsigned int) (n - i),
                on_write);
  if (rc < 0) {
    free(wr);
    return uvn_pushstatus(L, rc);
  }
  wr->pin = pin(L, 2, n);
  h->pending_writes++;
  lua_pushinteger(L, 1);
  return 1;
}

/* h:writequeuesize(): bytes libuv still holds. */
static int s_writequeuesize(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  lua_pushinteger(L,
                  (lua_Integer) uv_stream_get_write_queue_size(&h->u.stream));
  return 1;
}

static void on_shutdown(uv_shutdown_t *req, int status) {
  uvn_handle *h = (uvn_handle *) req->handle->data;
  uvn_ctx *ctx = h->ctx;
  free(req);
  if (ctx->closing || (h->flags & UVN_F_ORPHAN))
    return;
  uvn_push_handler(ctx, UVN_EV_SHUTDOWN);
  uvn_push_owner(h);
  lua_pushinteger(ctx->L, status);
  uvn_call(ctx, 2);
}

/* h:shutdown(): half-closes after the queued writes. */
static int s_shutdown(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  uv_shutdown_t *req = (uv_shutdown_t *) malloc(sizeof(*req));
  int rc;
  if (req == NULL)
    return luaL_error(L, "uvnet: not enough memory");
  rc = uv_shutdown(req, &h->u.stream, on_shutdown);
  if (rc < 0)
    free(req);
  return uvn_pushstatus(L, rc);
}

void uvn_on_connect(uv_connect_t *req, int status) {
  uvn_handle *h = (uvn_handle *) req->handle->data;
  uvn_ctx *ctx = h->ctx;
  free(req);
  if (ctx->closing || (h->flags & UVN_F_ORPHAN))
    return;
  uvn_push_handler(ctx, UVN_EV_CONNECT);
  uvn_push_owner(h);
  lua_pushinteger(ctx->L, status);
  uvn_call(ctx, 2);
}

void uvn_on_connection(uv_stream_t *server, int status) {
  uvn_handle *h = (uvn_handle *) server->data;
  uvn_ctx *ctx = h->ctx;
  if (ctx->closing || (h->flags & UVN_F_ORPHAN))
    return;
  uvn_push_handler(ctx, UVN_EV_CONNECTION);
  uvn_push_owner(h);
  lua_pushinteger(ctx->L, status);
  uvn_call(ctx, 2);
}

/* h:listen(backlog) */
static int s_listen(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  int backlog = (int) luaL_optinteger(L, 2, 511);
  int rc = uv_listen(&h->u.stream, backlog, uvn_on_connection);
  if (rc == 0)
    h->flags |= UVN_F_SERVER;
  return uvn_pushstatus(L, rc);
}

/*
 * server:accept(owner): a new handle of the server's kind for the pending
 * connection, owned by the given table; or nil, name, code.
 */
static int s_accept(lua_State *L) {
  uvn_handle *server = uvn_checkstream(L, 1);
  uvn_handle *h;
  int rc;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  h = uvn_newhandle(L, 2, server->kind);
  if (server->kind == UVN_TCP)
    rc = uv_tcp_init(&server->ctx->loop, &h->u.tcp);
  else
    rc = uv_pipe_init(&server->ctx->loop, &h->u.pipe, 0);
  if (rc < 0) {
    uvn_discard(h);
    return uvn_pushstatus(L, rc);
  }
  rc = uv_accept(&server->u.stream, &h->u.stream);
  if (rc < 0) {
    /* libuv knows the handle: close it quietly. */
    h->flags |= UVN_F_ORPHAN;
    uvn_close(h);
    return uvn_pushstatus(L, rc);
  }
  lua_settop(L, 3);
  return 1;
}

static int s_isreadable(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  lua_pushboolean(L, uv_is_readable(&h->u.stream));
  return 1;
}

static int s_iswritable(lua_State *L) {
  uvn_handle *h = uvn_checkstream(L, 1);
  lua_pushboolean(L, uv_is_writable(&h->u.stream));
  return 1;
}

static const luaL_Reg stream_methods[] = { { "readstart", s_readstart },
                                           { "readstop", s_readstop },
                                           { "setreadbuf", s_setreadbuf },
                                           { "write", s_write },
                                           { "writequeuesize",
                                             s_writequeuesize },
                                           { "shutdown", s_shutdown },
                                           { "listen", s_listen },
                                           { "accept", s_accept },
                                           { "isreadable", s_isreadable },
                                           { "iswritable", s_iswritable },
                                           { NULL, NULL } };

void uvn_open_stream(lua_State *L) {
  uvn_addmethods(L, UVN_TCP, stream_methods);
  uvn_addmethods(L, UVN_PIPE, stream_methods);
  uvn_addmethods(L, UVN_TTY, stream_methods);
}
