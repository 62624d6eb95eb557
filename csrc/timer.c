/*
 * timer.c: libuv timers for the Lua timer objects.
 *
 * Each armed Lua timer owns one uv_timer_t; libuv fires timers that fall
 * due together in the order they were started, which gives Node's order
 * for equal delays.
 */
#include "uvnet.h"

static void on_timer(uv_timer_t *timer) {
  uvn_handle *h = (uvn_handle *) timer->data;
  uvn_ctx *ctx = h->ctx;
  if (ctx->closing || (h->flags & UVN_F_ORPHAN))
    return;
  uvn_push_handler(ctx, UVN_EV_TIMER);
  uvn_push_owner(h);
  uvn_call(ctx, 1);
}

/* core.timer(owner) */
static int c_timer(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  uvn_handle *h;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  h = uvn_newhandle(L, 1, UVN_TIMER);
  uv_timer_init(&ctx->loop, &h->u.timer);
  return 1;
}

/* t:start(timeout_ms, repeat_ms) */
static int t_start(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TIMER);
  lua_Integer timeout = luaL_checkinteger(L, 2);
  lua_Integer repeat = luaL_optinteger(L, 3, 0);
  if (timeout < 0)
    timeout = 0;
  if (repeat < 0)
    repeat = 0;
  /* As Node reads the clock afresh when it arms a timer, a delay counts
   * from now, not from the loop's last turn: time spent outside the loop
   * (or blocking inside a callback) must not make a timer fall due early. */
  uv_update_time(&h->ctx->loop);
  return uvn_pushstatus(L,
                        uv_timer_start(&h->u.timer, on_timer,
                                       (uint64_t) timeout, (uint64_t) repeat));
}

static int t_stop(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TIMER);
  uv_timer_stop(&h->u.timer);
  return 0;
}

static const luaL_Reg timer_methods[] = { { "start", t_start },
                                          { "stop", t_stop },
                                          { NULL, NULL } };

static const luaL_Reg timer_funcs[] = { { "timer", c_timer }, { NULL, NULL } };

void uvn_open_timer(lua_State *L) {
  uvn_addmethods(L, UVN_TIMER, timer_methods);
  uvn_setfuncs(L, timer_funcs);
}
