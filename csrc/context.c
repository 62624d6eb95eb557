/*
 * context.c: the per-state context, the event loop and the way back into Lua.
 *
 * Each Lua state that loads the core gets one context: a userdata kept in
 * the registry under the address of a static, holding the libuv loop, the
 * shared read buffer and references to the Lua handlers.  Every callback
 * into Lua goes through uvn_call, which runs it under lua_pcall with a
 * traceback handler; an error stops the loop and waits for net.run() to
 * raise it, so no Lua error ever unwinds through uv_run.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uvnet.h"

#define CTX_MT "uvnet.context"

static const char ctx_key = 'c'; /* registry: the context userdata */
static const char error_key = 'e'; /* registry: the error to raise */

static const char *const handler_names[UVN_EV_MAX + 1] = {
  "read",  "write",     "connect", "shutdown", "connection", "close",
  "timer", "immediate", "tick",    "signal",   NULL
};

uvn_ctx *uvn_getctx(lua_State *L) {
  uvn_ctx *ctx;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key);
  ctx = (uvn_ctx *) lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (ctx == NULL || ctx->closing)
    luaL_error(L, "uvnet: the core is not loaded in this state");
  return ctx;
}

/* Registers l into the table at the top of the stack. */
void uvn_setfuncs(lua_State *L, const luaL_Reg *l) {
  luaL_setfuncs(L, l, 0);
}

/*
 * The message handler of every protected call.  A string gains the
 * traceback; a table gains a `stack` field with it (unless it has one), as a
 * JavaScript error carries its stack.  Other values pass unchanged.
 */
static int msgh(lua_State *L) {
  int t = lua_type(L, 1);
  if (t == LUA_TSTRING) {
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
  } else if (t == LUA_TTABLE) {
    if (lua_getfield(L, 1, "stack") == LUA_TNIL) {
      const char *text = luaL_tolstring(L, 1, NULL);
      luaL_traceback(L, L, text, 1);
      lua_setfield(L, 1, "stack");
    }
    lua_settop(L, 1);
  }
  return 1;
}

static void drain_ticks(uvn_ctx *ctx);

/*
 * Calls the function below nargs arguments on the context's thread, in
 * protected mode.  On error the first error is kept for net.run() and the
 * loop is asked to stop.  Afterwards the nextTick queue is drained, as Node
 * drains it after every callback.  Returns the lua_pcall status.
 */
int uvn_call(uvn_ctx *ctx, int nargs) {
  lua_State *L = ctx->L;
  int base = lua_gettop(L) - nargs;
  int rc;
  lua_pushcfunction(L, msgh);
  lua_insert(L, base);
  rc = lua_pcall(L, nargs, 0, base);
  if (rc != LUA_OK) {
    if (!ctx->has_error) {
      ctx->has_error = 1;
      lua_rawsetp(L, LUA_REGISTRYINDEX, &error_key);
    } else {
      lua_pop(L, 1);
    }
    /* Only a running loop needs stopping: a stop requested outside uv_run
     * would cut the next run short. */
    if (ctx->in_uv_run)
      uv_stop(&ctx->loop);
  }
  lua_pop(L, 1); /* msgh */
  if (ctx->tick_pending && !ctx->in_tick && !ctx->has_error)
    drain_ticks(ctx);
  if (ctx->gcstress)
    lua_gc(L, LUA_GCCOLLECT);
  return rc;
}

static void drain_ticks(uvn_ctx *ctx) {
  ctx->in_tick = 1;
  while (ctx->tick_pending && !ctx->has_error) {
    ctx->tick_pending = 0;
    uvn_push_handler(ctx, UVN_EV_TICK);
    uvn_call(ctx, 0);
  }
  ctx->in_tick = 0;
}

/* Pushes the Lua handler of an event; returns 0 if none is set. */
int uvn_push_handler(uvn_ctx *ctx, int ev) {
  lua_rawgeti(ctx->L, LUA_REGISTRYINDEX, ctx->handlers[ev]);
  return ctx->handlers[ev] != LUA_NOREF;
}

/* Pushes the owner table of a handle (its box's user value). */
int uvn_push_owner(uvn_handle *h) {
  lua_State *L = h->ctx->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->self_ref);
  lua_getiuservalue(L, -1, 1);
  lua_remove(L, -2);
  return 1;
}

/*
 * The usual return of a core function that may fail with a libuv status:
 * the object or true on success, or nil, the error name and the status.
 */
int uvn_pushstatus(lua_State *L, int status) {
  if (status < 0) {
    lua_pushnil(L);
    lua_pushstring(L, uv_err_name(status));
    lua_pushinteger(L, status);
    return 3;
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* Immediates: the check handle runs them, the idle handle keeps polling
 * from blocking while referenced ones wait. */
static void on_check(uv_check_t *check) {
  uvn_ctx *ctx = (uvn_ctx *) check->data;
  if (ctx->closing || ctx->has_error || !ctx->immediates)
    return;
  uvn_push_handler(ctx, UVN_EV_IMMEDIATE);
  uvn_call(ctx, 0);
}

static void on_idle(uv_idle_t *idle) {
  (void) idle;
}

/* core.setimmediates(pending, referenced) */
static int c_setimmediates(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  ctx->immediates = lua_toboolean(L, 1);
  ctx->immediates_ref = lua_toboolean(L, 2);
  if (ctx->immediates)
    uv_check_start(&ctx->check, on_check);
  else
    uv_check_stop(&ctx->check);
  if (ctx->immediates && ctx->immediates_ref)
    uv_idle_start(&ctx->idle, on_idle);
  else
    uv_idle_stop(&ctx->idle);
  return 0;
}

/* core.gcstress(on): a full collection after every callback into Lua, so
 * specs can show that open handles survive losing every reference. */
static int c_gcstress(lua_State *L) {
  uvn_getctx(L)->gcstress = lua_toboolean(L, 1);
  return 0;
}

/* core.tickpending(): the nextTick queue went from empty to not empty. */
static int c_tickpending(lua_State *L) {
  uvn_getctx(L)->tick_pending = 1;
  return 0;
}

/* core.sethandler(event, f): the Lua function called for one kind of
 * event ('read', 'write', 'connect', ...), for every handle. */
static int c_sethandler(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  int ev = luaL_checkoption(L, 1, NULL, handler_names);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  luaL_unref(L, LUA_REGISTRYINDEX, ctx->handlers[ev]);
  ctx->handlers[ev] = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/*
 * core.run([mode]): runs the loop ('default', 'once' or 'nowait').  Returns
 * whether the loop still has work.  An error kept by a callback is raised
 * here, after the loop has stopped, and the loop stays usable.
 */
static int c_run(lua_State *L) {
  static const char *const modes[] = { "default", "once", "nowait", NULL };
  static const uv_run_mode uvmodes[] = { UV_RUN_DEFAULT, UV_RUN_ONCE,
                                         UV_RUN_NOWAIT };
  uvn_ctx *ctx = uvn_getctx(L);
  int mode = luaL_checkoption(L, 1, "default", modes);
  lua_State *saved = ctx->L;
  int alive = 0;
  if (ctx->running)
    return luaL_error(L, "net.run() cannot be called from inside the loop");
  ctx->L = L;
  ctx->running = 1;
  lua_settop(L, 0);
  if (ctx->tick_pending && !ctx->has_error)
    drain_ticks(ctx);
  if (!ctx->has_error) {
    ctx->in_uv_run = 1;
    alive = uv_run(&ctx->loop, uvmodes[mode]);
    ctx->in_uv_run = 0;
  }
  ctx->running = 0;
  ctx->L = saved;
  if (ctx->has_error) {
    ctx->has_error = 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &error_key);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &error_key);
    return lua_error(L);
  }
  lua_pushboolean(L, alive || uv_loop_alive(&ctx->loop));
  return 1;
}

/* core.stop(): asks a running loop to return. */
static int c_stop(lua_State *L) {
  uv_stop(&uvn_getctx(L)->loop);
  return 0;
}

static int c_alive(lua_State *L) {
  lua_pushboolean(L, uv_loop_alive(&uvn_getctx(L)->loop));
  return 1;
}

static int c_now(lua_State *L) {
  lua_pushinteger(L, (lua_Integer) uv_now(&uvn_getctx(L)->loop));
  return 1;
}

static int c_updatetime(lua_State *L) {
  uv_update_time(&uvn_getctx(L)->loop);
  return 0;
}

static int c_hrtime(lua_State *L) {
  lua_pushinteger(L, (lua_Integer) uv_hrtime());
  return 1;
}

static int c_getpid(lua_State *L) {
  lua_pushinteger(L, (lua_Integer) getpid());
  return 1;
}

/* core.openhandles(): how many of the context's handles are open, and how
 * many of those keep the loop alive; the spec helper checks that a test
 * left none behind. */
static int c_openhandles(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  int referenced = 0, all = 0;
  uvn_handle *h;
  for (h = ctx->handles; h != NULL; h = h->next) {
    if (h->flags & UVN_F_CLOSING)
      continue;
    all++;
    if (uv_is_active(&h->u.handle) && uv_has_ref(&h->u.handle))
      referenced++;
  }
  lua_pushinteger(L, referenced);
  lua_pushinteger(L, all);
  return 2;
}

/*
 * core.closeall(): closes every handle without telling Lua and lets libuv
 * finish closing them.  The spec helper uses it to clean up after a test
 * that failed half-way; returns how many handles it closed.
 */
static int c_closeall(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  int n = 0, turns = 0;
  uvn_handle *h;
  if (ctx->running)
    return luaL_error(L, "core.closeall() cannot run inside the loop");
  for (h = ctx->handles; h != NULL; h = h->next)
    n++;
  uvn_close_all(ctx);
  ctx->L = L;
  while (ctx->handles != NULL && turns++ < 1000)
    uv_run(&ctx->loop, UV_RUN_NOWAIT);
  lua_pushinteger(L, n);
  return 1;
}

/*
 * The context's finaliser runs when the state closes (lua_close or
 * os.exit(code, true)).  It closes whatever is still open without calling
 * into Lua, lets libuv deliver the close callbacks that free the handles,
 * and closes the loop.
 */
static int ctx_gc(lua_State *L) {
  uvn_ctx *ctx = (uvn_ctx *) luaL_checkudata(L, 1, CTX_MT);
  if (ctx->readbuf == NULL)
    return 0; /* never fully opened, or already finalised */
  ctx->closing = 1;
  uvn_close_all(ctx);
  if (!uv_is_closing((uv_handle_t *) &ctx->check))
    uv_close((uv_handle_t *) &ctx->check, NULL);
  if (!uv_is_closing((uv_handle_t *) &ctx->idle))
    uv_close((uv_handle_t *) &ctx->idle, NULL);
  while (uv_run(&ctx->loop, UV_RUN_DEFAULT) != 0) {
  }
  uv_loop_close(&ctx->loop);
  free(ctx->readbuf);
  ctx->readbuf = NULL;
  return 0;
}

/* Creates the context, closed first and then opened, so that a failed
 * allocation leaves nothing behind. */
static uvn_ctx *newctx(lua_State *L) {
  uvn_ctx *ctx = (uvn_ctx *) lua_newuserdatauv(L, sizeof(*ctx), 0);
  int i, rc;
  memset(ctx, 0, sizeof(*ctx));
  for (i = 0; i < UVN_EV_MAX; i++)
    ctx->handlers[i] = LUA_NOREF;
  if (luaL_newmetatable(L, CTX_MT)) {
    lua_pushcfunction(L, ctx_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  rc = uv_loop_init(&ctx->loop);
  if (rc < 0)
    luaL_error(L, "uvnet: cannot create the event loop: %s", uv_strerror(rc));
  uv_check_init(&ctx->loop, &ctx->check);
  uv_idle_init(&ctx->loop, &ctx->idle);
  uv_unref((uv_handle_t *) &ctx->check);
  ctx->check.data = ctx;
  ctx->idle.data = ctx;
  ctx->readbuf = (char *) malloc(UVN_READBUF_SIZE);
  if (ctx->readbuf == NULL) {
    uv_close((uv_handle_t *) &ctx->check, NULL);
    uv_close((uv_handle_t *) &ctx->idle, NULL);
    uv_run(&ctx->loop, UV_RUN_DEFAULT);
    uv_loop_close(&ctx->loop);
    luaL_error(L, "uvnet: not enough memory");
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  ctx->L = lua_tothread(L, -1);
  lua_pop(L, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &ctx_key);
  return ctx;
}

/*
 * core.newobject(mt, nrec): an empty table with room for nrec fields and
 * the metatable mt.  A socket gains some twenty fields in its first
 * moments; made this way it is not rehashed at every power of two.
 */
static int c_newobject(lua_State *L) {
  lua_Integer nrec = luaL_checkinteger(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, nrec >= 0 && nrec <= 1024, 2, "out of range");
  lua_createtable(L, 0, (int) nrec);
  lua_pushvalue(L, 1);
  lua_setmetatable(L, -2);
  return 1;
}

static const luaL_Reg ctx_funcs[] = { { "run", c_run },
                                      { "newobject", c_newobject },
                                      { "stop", c_stop },
                                      { "alive", c_alive },
                                      { "now", c_now },
                                      { "updatetime", c_updatetime },
                                      { "hrtime", c_hrtime },
                                      { "getpid", c_getpid },
                                      { "sethandler", c_sethandler },
                                      { "tickpending", c_tickpending },
                                      { "setimmediates", c_setimmediates },
                                      { "openhandles", c_openhandles },
                                      { "closeall", c_closeall },
                                      { "gcstress", c_gcstress },
                                      { NULL, NULL } };

UVNET_EXPORT int luaopen_uvnet_core(lua_State *L) {
  /* A peer that goes away mid-write must give EPIPE, not kill the process:
   * Node ignores SIGPIPE too. */
  (void) signal(SIGPIPE, SIG_IGN);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key);
  if (lua_isnil(L, -1))
    newctx(L);
  lua_pop(L, 1);
  lua_newtable(L);
  uvn_setfuncs(L, ctx_funcs);
  uvn_open_handle(L);
  uvn_open_errors(L);
  uvn_open_stream(L);
  uvn_open_tcp(L);
  uvn_open_pipe(L);
  uvn_open_tty(L);
  uvn_open_timer(L);
  uvn_open_signal(L);
  uvn_open_cidr(L);
  uvn_open_dns(L);
  uvn_open_buffer(L);
  lua_pushinteger(L, UVN_READBUF_SIZE);
  lua_setfield(L, -2, "READBUF_SIZE");
  return 1;
}
