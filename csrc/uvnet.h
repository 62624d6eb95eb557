/*
 * uvnet.h: declarations shared by the translation units of the C core.
 *
 * The core is split by concern: context.c owns the per-state context and
 * the loop, handle.c the lifetime of libuv handles, stream.c reading and
 * writing, tcp.c and pipe.c the two socket kinds, tty.c terminals, timer.c
 * timers and the immediate queue, signal.c signal watchers, dns.c name
 * lookups, errors.c libuv error names and cidr.c IP address parsing and
 * matching.  Only luaopen_uvnet_core is exported from the shared object.
 */
#ifndef UVNET_H
#define UVNET_H

#include <stddef.h>

#include <lauxlib.h>
#include <lua.h>
#include <uv.h>

#define UVNET_EXPORT __attribute__((visibility("default")))

/* Size of the read buffer shared by every stream of one Lua state. */
#define UVN_READBUF_SIZE 65536 /* 64 KiB */

/*
 * Events the core reports to Lua.  For each kind the Lua layer registers one
 * function per state (core.sethandlers); the core calls it with the owner
 * table of the handle as its first argument, so no closure is kept per
 * handle.
 */
enum uvn_event {
  UVN_EV_READ, /* owner, nread or error code, data string or nil */
  UVN_EV_WRITE, /* owner, status */
  UVN_EV_CONNECT, /* owner, status */
  UVN_EV_SHUTDOWN, /* owner, status */
  UVN_EV_CONNECTION, /* owner, status */
  UVN_EV_CLOSE, /* owner */
  UVN_EV_TIMER, /* owner */
  UVN_EV_IMMEDIATE, /* (no owner) runs the queue of immediates */
  UVN_EV_TICK, /* (no owner) drains the nextTick queue */
  UVN_EV_SIGNAL, /* owner, signal number */
  UVN_EV_MAX
};

/* Kinds of handle the core creates. */
enum uvn_kind { UVN_TCP, UVN_PIPE, UVN_TIMER, UVN_SIGNAL, UVN_TTY };

/* Flags of a handle. */
#define UVN_F_CLOSING 0x01u /* uv_close has been called */
#define UVN_F_ORPHAN 0x02u /* the Lua side is gone: never call Lua */
#define UVN_F_READING 0x04u /* uv_read_start is in effect */
#define UVN_F_USERBUF 0x08u /* reads land in the onread buffer */
#define UVN_F_SERVER 0x10u /* listen() succeeded */
#define UVN_F_CREATED 0x20u /* a pipe server created its path */

typedef struct uvn_ctx uvn_ctx;
typedef struct uvn_handle uvn_handle;

/*
 * The Lua userdata that stands for a handle.  It holds only a pointer: the
 * handle itself is C memory that lives until libuv's close callback, even if
 * the Lua side is collected first (as during lua_close).
 */
typedef struct uvn_box {
  uvn_handle *h;
} uvn_box;

/* The per-state context.  It lives in a userdata kept in the registry. */
struct uvn_ctx {
  uv_loop_t loop;
  lua_State *L; /* the thread callbacks run on */
  int handlers[UVN_EV_MAX]; /* registry references to the Lua handlers */
  int running; /* inside net.run() */
  int in_uv_run; /* inside uv_run itself */
  int closing; /* lua_close is tearing the state down */
  int has_error; /* an error is waiting for net.run() to raise */
  int tick_pending; /* the Lua nextTick queue is not empty */
  int in_tick; /* the nextTick queue is being drained */
  int gcstress; /* collect fully after every callback (spec stress) */
  int immediates; /* immediates are waiting to run */
  int immediates_ref; /* ... and keep the loop alive */
  char *readbuf; /* one shared read buffer, UVN_READBUF_SIZE bytes */
  int readbuf_busy; /* handed to libuv and not yet given back */
  uv_check_t check; /* runs immediates after polling */
  uv_idle_t idle; /* keeps the poll from blocking while they wait */
  uvn_handle *handles; /* every handle not yet freed */
};

struct uvn_handle {
  uvn_ctx *ctx;
  uvn_box *box; /* NULL once the Lua side let go */
  int self_ref; /* anchors the box while the handle is open */
  int kind;
  unsigned flags;
  unsigned pending_writes; /* write requests libuv has not completed */
  char *userbuf; /* the onread buffer, when UVN_F_USERBUF */
  size_t userbuf_len;
  uvn_handle *next; /* list of the context's handles */
  uvn_handle *prev;
  /* Last, and allocated only as far as the kind's own member reaches (see
   * kind_size in handle.c): use only the member of h->kind. */
  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    uv_tty_t tty;
    uv_timer_t timer;
    uv_signal_t signal;
  } u;
};

/* context.c */
uvn_ctx *uvn_getctx(lua_State *L);
int uvn_call(uvn_ctx *ctx, int nargs);
int uvn_push_handler(uvn_ctx *ctx, int ev);
int uvn_push_owner(uvn_handle *h);
int uvn_pushstatus(lua_State *L, int status);
void uvn_setfuncs(lua_State *L, const luaL_Reg *l);

/* handle.c */
uvn_box *uvn_newbox(lua_State *L, int kind);
uvn_box *uvn_tobox(lua_State *L, int idx);
void uvn_addmethods(lua_State *L, int kind, const luaL_Reg *l);
uvn_handle *uvn_open(lua_State *L, uvn_box *box, int kind);
uvn_handle *uvn_newhandle(lua_State *L, int owner, int kind);
void uvn_discard(uvn_handle *h);
void uvn_close(uvn_handle *h);
uvn_handle *uvn_check(lua_State *L, int idx);
uvn_handle *uvn_checkkind(lua_State *L, int idx, int kind);
uvn_handle *uvn_checkstream(lua_State *L, int idx);
void uvn_close_all(uvn_ctx *ctx);
void uvn_open_handle(lua_State *L);

/* stream.c */
void uvn_open_stream(lua_State *L);
int uvn_listen_status(uvn_handle *h, int status);
void uvn_on_connection(uv_stream_t *server, int status);
void uvn_on_connect(uv_connect_t *req, int status);

/* tcp.c, pipe.c, tty.c, timer.c, errors.c, cidr.c */
void uvn_open_tcp(lua_State *L);
void uvn_open_pipe(lua_State *L);
void uvn_open_tty(lua_State *L);
void uvn_open_timer(lua_State *L);
void uvn_open_signal(lua_State *L);
void uvn_open_errors(lua_State *L);
void uvn_open_cidr(lua_State *L);
void uvn_open_dns(lua_State *L);
void uvn_open_buffer(lua_State *L);
char *uvn_tobuffer(lua_State *L, int idx, size_t *len);

#endif /* UVNET_H */
