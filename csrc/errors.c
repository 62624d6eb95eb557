/*
 * errors.c: libuv error codes, names and messages for the Lua error layer.
 *
 * Node reports system errors with libuv's names (ECONNREFUSED), messages
 * (connection refused) and negative codes; these functions expose the same.
 */
#include "uvnet.h"

/* core.errname(code) */
static int c_errname(lua_State *L) {
  int code = (int) luaL_checkinteger(L, 1);
  lua_pushstring(L, uv_err_name(code));
  return 1;
}

/* core.strerror(code) */
static int c_strerror(lua_State *L) {
  int code = (int) luaL_checkinteger(L, 1);
  lua_pushstring(L, uv_strerror(code));
  return 1;
}

static const luaL_Reg error_funcs[] = { { "errname", c_errname },
                                        { "strerror", c_strerror },
                                        { NULL, NULL } };

/* Adds the functions and core.errno, a table from name to code. */
void uvn_open_errors(lua_State *L) {
  uvn_setfuncs(L, error_funcs);
  lua_newtable(L);
#define XX(name, msg)                                                          \
  lua_pushinteger(L, UV_##name);                                               \
  lua_setfield(L, -2, #name);
  UV_ERRNO_MAP(XX)
#undef XX
  lua_setfield(L, -2, "errno");
}
