/*
 * dns.c: asynchronous name lookups through libuv's getaddrinfo.
 *
 * The lookup runs on libuv's thread pool; the result reaches Lua on the
 * loop as a sequence of { address = ..., family = 4 or 6 } tables, in the
 * resolver's order.
 */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "uvnet.h"

typedef struct lookup_req {
  uv_getaddrinfo_t req;
  uvn_ctx *ctx;
  int cb; /* registry reference to the Lua callback */
} lookup_req;

/* Runs protected: builds the result table and calls the callback. */
static int deliver(lua_State *L) {
  lookup_req *lr = (lookup_req *) lua_touserdata(L, 1);
  int status = (int) lua_tointeger(L, 2);
  struct addrinfo *res = (struct addrinfo *) lua_touserdata(L, 3);
  struct addrinfo *ai;
  char ip[INET6_ADDRSTRLEN + 1];
  int n = 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lr->cb);
  if (status < 0) {
    lua_pushinteger(L, status);
    lua_call(L, 1, 0);
    return 0;
  }
  lua_pushnil(L);
  lua_newtable(L);
  for (ai = res; ai != NULL; ai = ai->ai_next) {
    int family;
    if (ai->ai_family == AF_INET) {
      uv_ip4_name((struct sockaddr_in *) ai->ai_addr, ip, sizeof(ip));
      family = 4;
    } else if (ai->ai_family == AF_INET6) {
      uv_ip6_name((struct sockaddr_in6 *) ai->ai_addr, ip, sizeof(ip));
      family = 6;
    } else {
      continue;
    }
    lua_createtable(L, 0, 2);
    lua_pushstring(L, ip);
    lua_setfield(L, -2, "address");
    lua_pushinteger(L, family);
    lua_setfield(L, -2, "family");
    lua_rawseti(L, -2, ++n);
  }
  lua_call(L, 2, 0);
  return 0;
}

static void on_lookup(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  lookup_req *lr = (lookup_req *) req;
  uvn_ctx *ctx = lr->ctx;
  if (!ctx->closing) {
    lua_State *L = ctx->L;
    lua_pushcfunction(L, deliver);
    lua_pushlightuserdata(L, lr);
    lua_pushinteger(L, status);
    lua_pushlightuserdata(L, res);
    uvn_call(ctx, 3);
    luaL_unref(L, LUA_REGISTRYINDEX, lr->cb);
  }
  uv_freeaddrinfo(res);
  free(lr);
}

/*
 * core.getaddrinfo(host, family, hints, callback): family 0, 4 or 6; hints
 * are getaddrinfo's ai_flags.  The callback gets (nil, results) or (code).
 * Returns true, or nil, name, code if the lookup could not start.
 */
static int c_getaddrinfo(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  const char *host = luaL_checkstring(L, 1);
  lua_Integer family = luaL_optinteger(L, 2, 0);
  lua_Integer flags = luaL_optinteger(L, 3, 0);
  struct addrinfo hints;
  lookup_req *lr;
  int rc;
  luaL_checktype(L, 4, LUA_TFUNCTION);
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = (int) flags;
  lr = (lookup_req *) malloc(sizeof(*lr));
  if (lr == NULL)
    return luaL_error(L, "uvnet: not enough memory");
  lr->ctx = ctx;
  lua_pushvalue(L, 4);
  lr->cb = luaL_ref(L, LUA_REGISTRYINDEX);
  rc = uv_getaddrinfo(&ctx->loop, &lr->req, on_lookup, host, NULL, &hints);
  if (rc < 0) {
    luaL_unref(L, LUA_REGISTRYINDEX, lr->cb);
    free(lr);
  }
  return uvn_pushstatus(L, rc);
}

static const luaL_Reg dns_funcs[] = { { "getaddrinfo", c_getaddrinfo },
                                      { NULL, NULL } };

void uvn_open_dns(lua_State *L) {
  uvn_setfuncs(L, dns_funcs);
  lua_pushinteger(L, AI_ADDRCONFIG);
  lua_setfield(L, -2, "AI_ADDRCONFIG");
  lua_pushinteger(L, AI_V4MAPPED);
  lua_setfield(L, -2, "AI_V4MAPPED");
  lua_pushinteger(L, AI_ALL);
  lua_setfield(L, -2, "AI_ALL");
}
