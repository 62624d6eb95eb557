/*
 * pipe.c: Unix domain socket handles.
 *
 * Paths are byte strings.  A path that starts with a NUL byte is a Linux
 * abstract name; libuv 1.44 measures paths with strlen, so for those the
 * socket is made and bound or connected here and then handed to libuv.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "uvnet.h"

/* core.pipe(owner): a new pipe handle. */
static int c_pipe(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  uvn_handle *h;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  h = uvn_newhandle(L, 1, UVN_PIPE);
  uv_pipe_init(&ctx->loop, &h->u.pipe, 0);
  return 1;
}

/* Fills a sockaddr_un for a path of len bytes; returns its length or a
 * libuv error. */
static int toaddr(const char *path, size_t len, struct sockaddr_un *sa) {
  memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  if (len == 0)
    return UV_EINVAL;
  if (len > sizeof(sa->sun_path) - (path[0] != '\0'))
    return UV_ENAMETOOLONG;
  memcpy(sa->sun_path, path, len);
  return (int) (offsetof(struct sockaddr_un, sun_path) + len);
}

/* Makes a socket of our own for an abstract name, bound or connected. */
static int abstract_socket(uvn_handle *h, const char *path, size_t len,
                           int do_bind) {
  struct sockaddr_un sa;
  int salen = toaddr(path, len, &sa);
  int fd, rc;
  if (salen < 0)
    return salen;
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return uv_translate_sys_error(errno);
  if (do_bind)
    rc = bind(fd, (struct sockaddr *) &sa, (socklen_t) salen);
  else
    rc = connect(fd, (struct sockaddr *) &sa, (socklen_t) salen);
  if (rc != 0) {
    rc = uv_translate_sys_error(errno);
    close(fd);
    return rc;
  }
  rc = uv_pipe_open(&h->u.pipe, fd);
  if (rc < 0)
    close(fd);
  return rc;
}

/* h:bind(path): returns true, or nil, name, code.  A bound path is
 * remembered as created by this handle. */
static int p_bind(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_PIPE);
  size_t len;
  const char *path = luaL_checklstring(L, 2, &len);
  int rc;
  if (len > 0 && path[0] == '\0') {
    rc = abstract_socket(h, path, len, 1);
  } else {
    /* A path name too long for sun_path is cut short by libuv, as Node
     * lets it be; a NUL inside it is refused. */
    rc = strlen(path) != len ? UV_EINVAL : uv_pipe_bind(&h->u.pipe, path);
  }
  if (rc == 0)
    h->flags |= UVN_F_CREATED;
  return uvn_pushstatus(L, rc);
}

/*
 * h:connect(path): a path name connects through libuv, which reports on
 * the loop; an abstract name connects at once and returns "sync", and the
 * Lua side reports it on the loop.
 */
static int p_connect(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_PIPE);
  size_t len;
  const char *path = luaL_checklstring(L, 2, &len);
  uv_connect_t *req;
  if (len > 0 && path[0] == '\0') {
    int rc = abstract_socket(h, path, len, 0);
    if (rc < 0)
      return uvn_pushstatus(L, rc);
    lua_pushliteral(L, "sync");
    return 1;
  }
  if (strlen(path) != len)
    return uvn_pushstatus(L, UV_EINVAL);
  req = (uv_connect_t *) malloc(sizeof(*req));
  if (req == NULL)
    return luaL_error(L, "uvnet: not enough memory");
  uv_pipe_connect(req, &h->u.pipe, path, uvn_on_connect);
  return uvn_pushstatus(L, 0);
}

/* h:chmod(readable, writable) */
static int p_chmod(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_PIPE);
  int flags = 0;
  if (lua_toboolean(L, 2))
    flags |= UV_READABLE;
  if (lua_toboolean(L, 3))
    flags |= UV_WRITABLE;
  if (flags == 0)
    return uvn_pushstatus(L, 0);
  return uvn_pushstatus(L, uv_pipe_chmod(&h->u.pipe, flags));
}

static int p_open(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_PIPE);
  int fd = (int) luaL_checkinteger(L, 2);
  return uvn_pushstatus(L, uv_pipe_open(&h->u.pipe, (uv_file) fd));
}

typedef int (*name_fn)(const uv_pipe_t *, char *, size_t *);

static int pushname(lua_State *L, uvn_handle *h, name_fn fn) {
  char buf[sizeof(((struct sockaddr_un *) 0)->sun_path) + 1];
  size_t len = sizeof(buf);
  int rc = fn(&h->u.pipe, buf, &len);
  if (rc < 0)
    return uvn_pushstatus(L, rc);
  lua_pushlstring(L, buf, len);
  return 1;
}

static int p_sockname(lua_State *L) {
  return pushname(L, uvn_checkkind(L, 1, UVN_PIPE), uv_pipe_getsockname);
}

static int p_peername(lua_State *L) {
  return pushname(L, uvn_checkkind(L, 1, UVN_PIPE), uv_pipe_getpeername);
}

/* h:created(): whether this handle bound (and so created) its path. */
static int p_created(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_PIPE);
  lua_pushboolean(L, (h->flags & UVN_F_CREATED) != 0);
  return 1;
}

static const luaL_Reg pipe_methods[] = {
  { "bind", p_bind },         { "connect", p_connect },
  { "chmod", p_chmod },       { "open", p_open },
  { "sockname", p_sockname }, { "peername", p_peername },
  { "created", p_created },   { NULL, NULL }
};

static const luaL_Reg pipe_funcs[] = { { "pipe", c_pipe }, { NULL, NULL } };

void uvn_open_pipe(lua_State *L) {
  uvn_addmethods(L, UVN_PIPE, pipe_methods);
  uvn_setfuncs(L, pipe_funcs);
}
