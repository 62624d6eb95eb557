/*
 * buffer.c: fixed-size byte buffers for the onread option of net.Socket.
 *
 * With onread, reads land in the socket's own buffer instead of the shared
 * one, and Lua reads the bytes it wants from it: no string is made per
 * chunk.  The buffer is a userdata, so its memory is Lua's and lives as
 * long as the socket keeps it.
 */
#include <string.h>

#include "uvnet.h"

#define BUFFER_MT "uvnet.buffer"

typedef struct uvn_buffer {
  size_t len;
  char data[1];
} uvn_buffer;

static uvn_buffer *checkbuffer(lua_State *L, int idx) {
  return (uvn_buffer *) luaL_checkudata(L, idx, BUFFER_MT);
}

/* Converts Lua's 1-based, negative-from-the-end positions, as string.sub
 * does; returns the start offset and the count. */
static size_t range(lua_State *L, uvn_buffer *b, int i, int j, size_t *n) {
  lua_Integer len = (lua_Integer) b->len;
  lua_Integer from = luaL_optinteger(L, i, 1);
  lua_Integer to = luaL_optinteger(L, j, len);
  if (from < 0)
    from = from < -len ? 1 : len + from + 1;
  else if (from == 0)
    from = 1;
  if (to < 0)
    to = len + to + 1;
  else if (to > len)
    to = len;
  *n = from > to ? 0 : (size_t) (to - from + 1);
  return (size_t) (from - 1);
}

/* core.buffer(size): a zero-filled buffer of size bytes (at least 1). */
static int c_buffer(lua_State *L) {
  lua_Integer size = luaL_checkinteger(L, 1);
  uvn_buffer *b;
  luaL_argcheck(L, size > 0 && size <= 0x7fffffff, 1, "size out of range");
  b = (uvn_buffer *) lua_newuserdatauv(L, sizeof(*b) + (size_t) size - 1, 0);
  b->len = (size_t) size;
  memset(b->data, 0, (size_t) size);
  luaL_setmetatable(L, BUFFER_MT);
  return 1;
}

/* buf:tostring([i[, j]]): the bytes from i to j as a string. */
static int b_tostring(lua_State *L) {
  uvn_buffer *b = checkbuffer(L, 1);
  size_t n, off = range(L, b, 2, 3, &n);
  lua_pushlstring(L, b->data + off, n);
  return 1;
}

/* buf:byte([i[, j]]): the byte values from i to j, as string.byte. */
static int b_byte(lua_State *L) {
  uvn_buffer *b = checkbuffer(L, 1);
  size_t n, k, off;
  if (lua_isnoneornil(L, 3) && !lua_isnoneornil(L, 2)) {
    lua_settop(L, 2);
    lua_pushvalue(L, 2);
  } else if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_pushinteger(L, 1);
    lua_pushinteger(L, 1);
  }
  off = range(L, b, 2, 3, &n);
  luaL_checkstack(L, (int) n, "too many results");
  for (k = 0; k < n; k++)
    lua_pushinteger(L, (unsigned char) b->data[off + k]);
  return (int) n;
}

static int b_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer) checkbuffer(L, 1)->len);
  return 1;
}

static int b_name(lua_State *L) {
  lua_pushfstring(L, "uvnet.buffer (%d bytes)", (int) checkbuffer(L, 1)->len);
  return 1;
}

/* Used by stream.c: the memory and size of a buffer argument. */
char *uvn_tobuffer(lua_State *L, int idx, size_t *len) {
  uvn_buffer *b = checkbuffer(L, idx);
  *len = b->len;
  return b->data;
}

static const luaL_Reg buffer_methods[] = { { "tostring", b_tostring },
                                           { "byte", b_byte },
                                           { NULL, NULL } };

static const luaL_Reg buffer_funcs[] = { { "buffer", c_buffer },
                                         { NULL, NULL } };

void uvn_open_buffer(lua_State *L) {
  if (luaL_newmetatable(L, BUFFER_MT)) {
    lua_pushcfunction(L, b_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, b_name);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "Buffer");
    lua_setfield(L, -2, "__name");
    lua_newtable(L);
    luaL_setfuncs(L, buffer_methods, 0);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  uvn_setfuncs(L, buffer_funcs);
}
