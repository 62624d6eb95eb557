/*
 * handle.c: the lifetime of libuv handles.
 *
 * A handle is C memory, reached from Lua through a small userdata, the box.
 * The box is made first, empty, and the handle is attached to it afterwards
 * (as Lua's liolib creates a file closed and then opens it), so a failed
 * allocation never leaks.  While the handle is open the box is anchored in
 * the registry; the anchor is dropped, and the memory freed, only in libuv's
 * close callback.  A box collected while its handle is open can only happen
 * when the state itself is closing: the handle is then closed without any
 * call into Lua.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "uvnet.h"

static void link_handle(uvn_ctx *ctx, uvn_handle *h) {
  h->next = ctx->handles;
  h->prev = NULL;
  if (ctx->handles != NULL)
    ctx->handles->prev = h;
  ctx->handles = h;
}

static void unlink_handle(uvn_ctx *ctx, uvn_handle *h) {
  if (h->prev != NULL)
    h->prev->next = h->next;
  else
    ctx->handles = h->next;
  if (h->next != NULL)
    h->next->prev = h->prev;
}

/* One metatable a kind; each holds the common methods and its own. */
static const char *const kind_mt[] = { "uvnet.tcp", "uvnet.pipe", "uvnet.timer",
                                       "uvnet.signal", "uvnet.tty" };

/*
 * The size of each kind's libuv handle, in the order of enum uvn_kind: a
 * handle is allocated to its own kind's size, not the union's largest, so
 * a TCP connection does not pay for a terminal's saved settings.
 */
static const size_t kind_size[] = { sizeof(uv_tcp_t), sizeof(uv_pipe_t),
                                    sizeof(uv_timer_t), sizeof(uv_signal_t),
                                    sizeof(uv_tty_t) };

/* Both tables above must name every kind: this fails to compile if not. */
typedef char
    uvn_kind_tables_check[(sizeof(kind_size) / sizeof(kind_size[0]) ==
                               UVN_TTY + 1 &&
                           sizeof(kind_mt) / sizeof(kind_mt[0]) == UVN_TTY + 1)
                              ? 1
                              : -1];

/* Creates an empty box at the top of the stack, with one user value that
 * holds the Lua owner of the handle. */
uvn_box *uvn_newbox(lua_State *L, int kind) {
  uvn_box *box = (uvn_box *) lua_newuserdatauv(L, sizeof(*box), 1);
  box->h = NULL;
  luaL_setmetatable(L, kind_mt[kind]);
  return box;
}

/* Returns the box at idx, whatever its kind, or raises an error. */
uvn_box *uvn_tobox(lua_State *L, int idx) {
  size_t i;
  for (i = 0; i < sizeof(kind_mt) / sizeof(kind_mt[0]); i++) {
    uvn_box *box = (uvn_box *) luaL_testudata(L, idx, kind_mt[i]);
    if (box != NULL)
      return box;
  }
  luaL_typeerror(L, idx, "uvnet handle");
  return NULL;
}

/*
 * Attaches fresh handle memory to the box at the top of the stack and
 * anchors the box.  The caller must initialise the libuv handle next; if
 * that fails it calls uvn_discard, since libuv knows nothing of it yet.
 */
uvn_handle *uvn_open(lua_State *L, uvn_box *box, int kind) {
  uvn_ctx *ctx = uvn_getctx(L);
  size_t size = offsetof(uvn_handle, u) + kind_size[kind];
  uvn_handle *h;
  int ref;
  /* The anchor first: luaL_ref may raise, and nothing is allocated yet. */
  lua_pushvalue(L, -1);
  ref = luaL_ref(L, LUA_REGISTRYINDEX);
  h = (uvn_handle *) malloc(size);
  if (h == NULL) {
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    luaL_error(L, "uvnet: not enough memory");
    return NULL;
  }
  memset(h, 0, size);
  h->ctx = ctx;
  h->kind = kind;
  h->box = box;
  h->u.handle.data = h;
  h->self_ref = ref;
  box->h = h;
  link_handle(ctx, h);
  return h;
}

/*
 * The usual start of a constructor: a box of the kind, owned by the table
 * at stack index owner, with fresh anchored handle memory attached.  The
 * box is left on top of the stack; the caller initialises the libuv
 * handle next.
 */
uvn_handle *uvn_newhandle(lua_State *L, int owner, int kind) {
  uvn_box *box;
  owner = lua_absindex(L, owner);
  box = uvn_newbox(L, kind);
  lua_pushvalue(L, owner);
  lua_setiuservalue(L, -2, 1);
  return uvn_open(L, box, kind);
}

/* Undoes uvn_open for a handle libuv never saw. */
void uvn_discard(uvn_handle *h) {
  lua_State *L = h->ctx->L;
  unlink_handle(h->ctx, h);
  if (h->box != NULL)
    h->box->h = NULL;
  luaL_unref(L, LUA_REGISTRYINDEX, h->self_ref);
  free(h);
}

/*
 * libuv's close callback: the one place a handle's memory is freed.  The Lua
 * owner hears of it unless the state is closing or the owner is gone.
 */
static void on_close(uv_handle_t *handle) {
  uvn_handle *h = (uvn_handle *) handle->data;
  uvn_ctx *ctx = h->ctx;
  if (!ctx->closing && !(h->flags & UVN_F_ORPHAN)) {
    lua_State *L = ctx->L;
    uvn_push_handler(ctx, UVN_EV_CLOSE);
    uvn_push_owner(h);
    uvn_call(ctx, 1);
    (void) L;
  }
  unlink_handle(ctx, h);
  if (h->box != NULL)
    h->box->h = NULL;
  if (!ctx->closing)
    luaL_unref(ctx->L, LUA_REGISTRYINDEX, h->self_ref);
  free(h);
}

/* Starts closing a handle once; later calls do nothing. */
void uvn_close(uvn_handle *h) {
  if (h->flags & UVN_F_CLOSING)
    return;
  h->flags |= UVN_F_CLOSING;
  h->flags &= ~UVN_F_READING;
  uv_close(&h->u.handle, on_close);
}

/* Closes a handle with a TCP reset instead of a FIN where it can. */
static int close_reset(uvn_handle *h) {
  int rc;
  if (h->flags & UVN_F_CLOSING)
    return 0;
  rc = uv_tcp_close_reset(&h->u.tcp, on_close);
  if (rc == 0) {
    h->flags |= UVN_F_CLOSING;
    h->flags &= ~UVN_F_READING;
  }
  return rc;
}

/* Closes every handle of a closing state, without calling Lua. */
void uvn_close_all(uvn_ctx *ctx) {
  uvn_handle *h;
  for (h = ctx->handles; h != NULL; h = h->next) {
    h->flags |= UVN_F_ORPHAN;
    if (h->box != NULL) {
      h->box->h = NULL;
      h->box = NULL;
    }
    uvn_close(h);
  }
}

static uvn_handle *checkopen(lua_State *L, uvn_box *box) {
  if (box->h == NULL || (box->h->flags & UVN_F_CLOSING))
    luaL_error(L, "uvnet: the handle is closed");
  return box->h;
}

uvn_handle *uvn_check(lua_State *L, int idx) {
  return checkopen(L, uvn_tobox(L, idx));
}

uvn_handle *uvn_checkkind(lua_State *L, int idx, int kind) {
  return checkopen(L, (uvn_box *) luaL_checkudata(L, idx, kind_mt[kind]));
}

uvn_handle *uvn_checkstream(lua_State *L, int idx) {
  uvn_handle *h = uvn_check(L, idx);
  if (h->kind != UVN_TCP && h->kind != UVN_PIPE && h->kind != UVN_TTY)
    luaL_argerror(L, idx, "not a stream");
  return h;
}

static int box_gc(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  uvn_handle *h = box->h;
  if (h != NULL) {
    /* Only reachable while the state closes: the anchor kept it alive. */
    box->h = NULL;
    h->box = NULL;
    h->flags |= UVN_F_ORPHAN;
    uvn_close(h);
  }
  return 0;
}

/* h:close(): harmless on a handle that is closing or closed. */
static int box_close(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  if (box->h != NULL)
    uvn_close(box->h);
  return 0;
}

/* h:reset(): close a TCP handle with RST. */
static int box_reset(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  return uvn_pushstatus(L, close_reset(h));
}

static int box_isopen(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  lua_pushboolean(L, box->h != NULL && !(box->h->flags & UVN_F_CLOSING));
  return 1;
}

static int box_ref(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  if (box->h != NULL)
    uv_ref(&box->h->u.handle);
  return 0;
}

static int box_unref(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  if (box->h != NULL)
    uv_unref(&box->h->u.handle);
  return 0;
}

static int box_hasref(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  lua_pushboolean(L, box->h != NULL && uv_has_ref(&box->h->u.handle));
  return 1;
}

static int box_isactive(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  lua_pushboolean(L, box->h != NULL && uv_is_active(&box->h->u.handle));
  return 1;
}

static int box_fileno(lua_State *L) {
  uvn_handle *h = uvn_check(L, 1);
  uv_os_fd_t fd;
  int rc = uv_fileno(&h->u.handle, &fd);
  if (rc < 0)
    return uvn_pushstatus(L, rc);
  lua_pushinteger(L, (lua_Integer) fd);
  return 1;
}

static int box_tostring(lua_State *L) {
  uvn_box *box = uvn_tobox(L, 1);
  lua_pushfstring(L, "uvnet.handle (%s)", box->h ? "open" : "closed");
  return 1;
}

static const luaL_Reg box_methods[] = { { "close", box_close },
                                        { "reset", box_reset },
                                        { "isopen", box_isopen },
                                        { "ref", box_ref },
                                        { "unref", box_unref },
                                        { "hasref", box_hasref },
                                        { "isactive", box_isactive },
                                        { "fileno", box_fileno },
                                        { NULL, NULL } };

/* core.guesshandle(fd): 'TCP', 'PIPE', 'TTY', 'UDP', 'FILE' or
 * 'UNKNOWN', as Node's guessHandleType names them. */
static int c_guesshandle(lua_State *L) {
  int fd = (int) luaL_checkinteger(L, 1);
  const char *name;
  switch (fd < 0 ? UV_UNKNOWN_HANDLE : uv_guess_handle(fd)) {
  case UV_TCP:
    name = "TCP";
    break;
  case UV_NAMED_PIPE:
    name = "PIPE";
    break;
  case UV_TTY:
    name = "TTY";
    break;
  case UV_UDP:
    name = "UDP";
    break;
  case UV_FILE:
    name = "FILE";
    break;
  default:
    name = "UNKNOWN";
  }
  lua_pushstring(L, name);
  return 1;
}

/* core.dupfd(fd): a close-on-exec duplicate of fd, or nil, name, code. */
static int c_dupfd(lua_State *L) {
  int fd = (int) luaL_checkinteger(L, 1);
  int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (nfd < 0)
    return uvn_pushstatus(L, uv_translate_sys_error(errno));
  lua_pushinteger(L, nfd);
  return 1;
}

static const luaL_Reg handle_funcs[] = { { "dupfd", c_dupfd },
                                         { "guesshandle", c_guesshandle },
                                         { NULL, NULL } };

/* Adds methods to the __index table of one kind's metatable. */
void uvn_addmethods(lua_State *L, int kind, const luaL_Reg *l) {
  luaL_getmetatable(L, kind_mt[kind]);
  lua_getfield(L, -1, "__index");
  luaL_setfuncs(L, l, 0);
  lua_pop(L, 2);
}

/* Creates the metatables of the kinds, with the common methods; the other
 * units add their own with uvn_addmethods. */
void uvn_open_handle(lua_State *L) {
  size_t i;
  for (i = 0; i < sizeof(kind_mt) / sizeof(kind_mt[0]); i++) {
    if (luaL_newmetatable(L, kind_mt[i])) {
      lua_pushcfunction(L, box_gc);
      lua_setfield(L, -2, "__gc");
      lua_pushcfunction(L, box_tostring);
      lua_setfield(L, -2, "__tostring");
      lua_newtable(L);
      luaL_setfuncs(L, box_methods, 0);
      lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
  }
  uvn_setfuncs(L, handle_funcs);
}
