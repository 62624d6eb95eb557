/*
 * signal.c: signal watchers, so that scripts and examples can stop cleanly
 * on SIGINT or SIGTERM from the loop instead of dying mid-write.
 */
#include <signal.h>
#include <string.h>

#include "uvnet.h"

static const struct {
  const char *name;
  int signum;
} signals[] = { { "SIGINT", SIGINT },     { "SIGTERM", SIGTERM },
                { "SIGHUP", SIGHUP },     { "SIGQUIT", SIGQUIT },
                { "SIGUSR1", SIGUSR1 },   { "SIGUSR2", SIGUSR2 },
                { "SIGWINCH", SIGWINCH }, { NULL, 0 } };

static void on_signal(uv_signal_t *sig, int signum) {
  uvn_handle *h = (uvn_handle *) sig->data;
  uvn_ctx *ctx = h->ctx;
  if (ctx->closing || (h->flags & UVN_F_ORPHAN))
    return;
  uvn_push_handler(ctx, UVN_EV_SIGNAL);
  uvn_push_owner(h);
  lua_pushinteger(ctx->L, signum);
  uvn_call(ctx, 2);
}

/* core.signal(owner, name): a watcher for a signal by name ('SIGINT'),
 * started; or nil, name, code. */
static int c_signal(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  const char *name = luaL_checkstring(L, 2);
  int i, signum = 0, rc;
  uvn_handle *h;
  luaL_checktype(L, 1, LUA_TTABLE);
  for (i = 0; signals[i].name != NULL; i++)
    if (strcmp(signals[i].name, name) == 0)
      signum = signals[i].signum;
  if (signum == 0)
    return luaL_argerror(L, 2, "unknown signal");
  lua_settop(L, 1);
  h = uvn_newhandle(L, 1, UVN_SIGNAL);
  uv_signal_init(&ctx->loop, &h->u.signal);
  rc = uv_signal_start(&h->u.signal, on_signal, signum);
  if (rc < 0) {
    uvn_close(h);
    return uvn_pushstatus(L, rc);
  }
  return 1;
}

static const luaL_Reg signal_funcs[] = { { "signal", c_signal },
                                         { NULL, NULL } };

void uvn_open_signal(lua_State *L) {
  uvn_setfuncs(L, signal_funcs);
}
