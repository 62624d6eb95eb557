/*
 * tcp.c: TCP handles: creation, binding, connecting, options and addresses.
 *
 * Addresses cross the boundary as strings (the IP as text, the port as an
 * integer and the family as 'IPv4' or 'IPv6'), so the Lua side never sees
 * a sockaddr.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "uvnet.h"

/* Parses ip and port into storage; returns 0 or a libuv error. */
static int toaddr(const char *ip, int port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof(*ss));
  if (uv_ip4_addr(ip, port, (struct sockaddr_in *) ss) == 0)
    return 0;
  if (uv_ip6_addr(ip, port, (struct sockaddr_in6 *) ss) == 0)
    return 0;
  return UV_EINVAL;
}

/* Pushes address, port and family of a sockaddr; returns 3, or the three
 * failure values. */
static int pushaddr(lua_State *L, const struct sockaddr_storage *ss) {
  char ip[INET6_ADDRSTRLEN + 1];
  int port;
  if (ss->ss_family == AF_INET) {
    /* cidr.c's dotted-decimal writer: the same text as inet_ntop, at a
     * tenth of its cost, and every accepted connection pays it twice. */
    const struct sockaddr_in *a = (const struct sockaddr_in *) ss;
    size_t n = cidr_format(CIDR_IPV4, (const uint8_t *) &a->sin_addr, ip);
    port = ntohs(a->sin_port);
    lua_pushlstring(L, ip, n);
    lua_pushinteger(L, port);
    lua_pushliteral(L, "IPv4");
    return 3;
  }
  if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *) ss;
    uv_ip6_name(a, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
    lua_pushstring(L, ip);
    lua_pushinteger(L, port);
    lua_pushliteral(L, "IPv6");
    return 3;
  }
  return uvn_pushstatus(L, UV_EAFNOSUPPORT);
}

/* core.tcp(owner[, family]): a new TCP handle; with family 4 or 6 the
 * socket is created at once (to set options before bind). */
static int c_tcp(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  lua_Integer family = luaL_optinteger(L, 2, 0);
  unsigned int flags = AF_UNSPEC;
  uvn_handle *h;
  int rc;
  luaL_checktype(L, 1, LUA_TTABLE);
  if (family == 4)
    flags = AF_INET;
  else if (family == 6)
    flags = AF_INET6;
  lua_settop(L, 1);
  h = uvn_newhandle(L, 1, UVN_TCP);
  rc = uv_tcp_init_ex(&ctx->loop, &h->u.tcp, flags);
  if (rc < 0) {
    uvn_discard(h);
    return uvn_pushstatus(L, rc);
  }
  return 1;
}

/* h:bind(ip, port[, ipv6only]) */
static int t_bind(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  const char *ip = luaL_checkstring(L, 2);
  int port = (int) luaL_checkinteger(L, 3);
  unsigned int flags = lua_toboolean(L, 4) ? UV_TCP_IPV6ONLY : 0;
  struct sockaddr_storage ss;
  int rc = toaddr(ip, port, &ss);
  if (rc == 0)
    rc = uv_tcp_bind(&h->u.tcp, (struct sockaddr *) &ss, flags);
  return uvn_pushstatus(L, rc);
}

/* h:connect(ip, port) */
static int t_connect(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  const char *ip = luaL_checkstring(L, 2);
  int port = (int) luaL_checkinteger(L, 3);
  struct sockaddr_storage ss;
  uv_connect_t *req;
  int rc = toaddr(ip, port, &ss);
  if (rc < 0)
    return uvn_pushstatus(L, rc);
  req = (uv_connect_t *) malloc(sizeof(*req));
  if (req == NULL)
    return luaL_error(L, "uvnet: not enough memory");
  rc = uv_tcp_connect(req, &h->u.tcp, (struct sockaddr *) &ss, uvn_on_connect);
  if (rc < 0)
    free(req);
  return uvn_pushstatus(L, rc);
}

static int t_nodelay(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  return uvn_pushstatus(L, uv_tcp_nodelay(&h->u.tcp, lua_toboolean(L, 2)));
}

/* h:keepalive(on, delay_seconds) */
static int t_keepalive(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  int on = lua_toboolean(L, 2);
  unsigned int delay = (unsigned int) luaL_optinteger(L, 3, 0);
  return uvn_pushstatus(L, uv_tcp_keepalive(&h->u.tcp, on, delay));
}

static int t_sockname(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  struct sockaddr_storage ss;
  int len = (int) sizeof(ss);
  int rc = uv_tcp_getsockname(&h->u.tcp, (struct sockaddr *) &ss, &len);
  if (rc < 0)
    return uvn_pushstatus(L, rc);
  return pushaddr(L, &ss);
}

static int t_peername(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  struct sockaddr_storage ss;
  int len = (int) sizeof(ss);
  int rc = uv_tcp_getpeername(&h->u.tcp, (struct sockaddr *) &ss, &len);
  if (rc < 0)
    return uvn_pushstatus(L, rc);
  return pushaddr(L, &ss);
}

/* h:open(fd): adopts an existing socket. */
static int t_open(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  int fd = (int) luaL_checkinteger(L, 2);
  return uvn_pushstatus(L, uv_tcp_open(&h->u.tcp, (uv_os_sock_t) fd));
}

/* h:reuseport(): SO_REUSEPORT, which libuv 1.44 has no flag for.  The
 * socket must exist already (core.tcp with a family). */
static int t_reuseport(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TCP);
  uv_os_fd_t fd;
  int on = 1;
  int rc = uv_fileno(&h->u.handle, &fd);
  if (rc == 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)))
    rc = uv_translate_sys_error(errno);
  return uvn_pushstatus(L, rc);
}

static const luaL_Reg tcp_methods[] = { { "bind", t_bind },
                                        { "connect", t_connect },
                                        { "nodelay", t_nodelay },
                                        { "keepalive", t_keepalive },
                                        { "sockname", t_sockname },
                                        { "peername", t_peername },
                                        { "open", t_open },
                                        { "reuseport", t_reuseport },
                                        { NULL, NULL } };

static const luaL_Reg tcp_funcs[] = { { "tcp", c_tcp }, { NULL, NULL } };

void uvn_open_tcp(lua_State *L) {
  uvn_addmethods(L, UVN_TCP, tcp_methods);
  uvn_setfuncs(L, tcp_funcs);
}
