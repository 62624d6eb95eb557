/*
 * cidr_lua.c: the Lua binding of cidr.c.
 *
 * Addresses cross into Lua packed: a string of 4 bytes for IPv4 or 16 for
 * IPv6, in network order, so the family is the length.  A BlockList handle
 * is a userdata holding the C matcher; the Lua layer (lua/uvnet/blocklist.lua)
 * validates arguments and raises Node's errors, and these functions only
 * report what went wrong.
 */
#include <string.h>

#include "cidr.h"
#include "uvnet.h"

#define BLOCKLIST_MT "uvnet.blocklist"

typedef struct {
  cidr_list *list;
} blocklist_box;

/*
 * Reads a family argument: nil or none for IPv4, 'ipv4' or 'ipv6' in any
 * case, as Node lowercases it, or 4 or 6.  Returns 0 for anything else.
 */
static int getfamily(lua_State *L, int idx) {
  const char *s;
  size_t len;

  switch (lua_type(L, idx)) {
  case LUA_TNONE:
  case LUA_TNIL:
    return CIDR_IPV4;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) {
      lua_Integer n = lua_tointeger(L, idx);
      if (n == CIDR_IPV4 || n == CIDR_IPV6)
        return (int) n;
    }
    return 0;
  case LUA_TSTRING:
    s = lua_tolstring(L, idx, &len);
    if (len != 4 || (s[0] | 0x20) != 'i' || (s[1] | 0x20) != 'p' ||
        (s[2] | 0x20) != 'v')
      return 0;
    return s[3] == '4' ? CIDR_IPV4 : s[3] == '6' ? CIDR_IPV6 : 0;
  default:
    return 0;
  }
}

/* Reads a packed address; returns its family. */
static int checkpacked(lua_State *L, int idx, const uint8_t **addr) {
  size_t len;
  const char *s = luaL_checklstring(L, idx, &len);

  if (len != 4 && len != 16)
    luaL_argerror(L, idx, "packed address of 4 or 16 bytes expected");
  *addr = (const uint8_t *) s;
  return len == 4 ? CIDR_IPV4 : CIDR_IPV6;
}

/* core.isip(s): 4, 6 or 0, as net.isIP answers for a string. */
static int c_isip(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);

  lua_pushinteger(L, cidr_isip(s, len));
  return 1;
}

/*
 * core.ip_pack(address, family): the packed address, or nil and 'family'
 * when the family is not one of 'ipv4' and 'ipv6', or nil and 'address'
 * when the text is not an address of that family.
 */
static int c_ip_pack(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int family = getfamily(L, 2);
  uint8_t addr[16];

  lua_pushnil(L);
  if (family == 0) {
    lua_pushliteral(L, "family");
    return 2;
  }
  if (cidr_pton(family, s, len, addr) != 0) {
    lua_pushliteral(L, "address");
    return 2;
  }
  lua_pushlstring(L, (const char *) addr, family == CIDR_IPV4 ? 4 : 16);
  return 1;
}

/* core.ip_format(packed): the address's text, as Node shows it. */
static int c_ip_format(lua_State *L) {
  const uint8_t *addr;
  int family = checkpacked(L, 1, &addr);
  char text[CIDR_ADDRSTRLEN];
  size_t len = cidr_format(family, addr, text);

  lua_pushlstring(L, text, len);
  return 1;
}

/* BlockList handles ------------------------------------------------------- */

static cidr_list *checklist(lua_State *L) {
  blocklist_box *box = (blocklist_box *) luaL_checkudata(L, 1, BLOCKLIST_MT);

  if (box->list == NULL)
    luaL_error(L, "uvnet: BlockList handle already freed");
  return box->list;
}

/* Raises the error of a failed matcher call, or pushes its success. */
static int pushresult(lua_State *L, int rc) {
  if (rc == CIDR_ENOMEM)
    return luaL_error(L, "not enough memory");
  lua_pushboolean(L, rc == CIDR_OK);
  return 1;
}

static int c_blocklist_gc(lua_State *L) {
  blocklist_box *box = (blocklist_box *) luaL_checkudata(L, 1, BLOCKLIST_MT);

  cidr_list_free(box->list);
  box->list = NULL;
  return 0;
}

/* core.blocklist_new() */
static int c_blocklist_new(lua_State *L) {
  blocklist_box *box =
      (blocklist_box *) lua_newuserdatauv(L, sizeof(blocklist_box), 0);

  box->list = NULL;
  luaL_setmetatable(L, BLOCKLIST_MT);
  box->list = cidr_list_new();
  if (box->list == NULL)
    return luaL_error(L, "not enough memory");
  return 1;
}

/* core.blocklist_add_address(handle, packed) */
static int c_blocklist_add_address(lua_State *L) {
  cidr_list *list = checklist(L);
  const uint8_t *addr;
  int family = checkpacked(L, 2, &addr);

  return pushresult(L, cidr_list_add_address(list, family, addr));
}

/* core.blocklist_add_range(handle, start, end): false if start comes after
 * end. */
static int c_blocklist_add_range(lua_State *L) {
  cidr_list *list = checklist(L);
  const uint8_t *start;
  const uint8_t *end;
  int start_family = checkpacked(L, 2, &start);
  int end_family = checkpacked(L, 3, &end);

  return pushresult(
      L, cidr_list_add_range(list, start_family, start, end_family, end));
}

/* core.blocklist_add_subnet(handle, packed, prefix): false if the prefix is
 * out of range for the family. */
static int c_blocklist_add_subnet(lua_State *L) {
  cidr_list *list = checklist(L);
  const uint8_t *net;
  int family = checkpacked(L, 2, &net);
  lua_Integer prefix = luaL_checkinteger(L, 3);

  if (prefix < 0 || prefix > 128) {
    lua_pushboolean(L, 0);
    return 1;
  }
  return pushresult(L, cidr_list_add_subnet(list, family, net, (int) prefix));
}

/* BlockList methods ------------------------------------------------------ */

/*
 * core.blocklist_methods(key, fallbacks) makes the BlockList methods check,
 * addAddress, addRange and addSubnet as C closures over the key under which
 * an instance keeps its handle (upvalue 1), the handles' metatable (2) and
 * the Lua method of the same name (3).  A closure does the work itself only
 * in the common case, where every argument is a plain, valid string (and a
 * prefix an integer in range); for anything else (a SocketAddress, a
 * mistake to report) it calls the Lua method, which checks the arguments
 * and raises Node's errors.  This keeps a check from Lua to one C call.
 */

/* The matcher of the instance in argument 1, or NULL. */
static cidr_list *instance(lua_State *L) {
  blocklist_box *box;
  int ok;

  if (lua_type(L, 1) != LUA_TTABLE)
    return NULL;
  lua_pushvalue(L, lua_upvalueindex(1));
  if (lua_rawget(L, 1) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    return NULL;
  }
  box = (blocklist_box *) lua_touserdata(L, -1);
  if (!lua_getmetatable(L, -1)) {
    lua_pop(L, 1);
    return NULL;
  }
  ok = lua_rawequal(L, -1, lua_upvalueindex(2));
  lua_pop(L, 2);
  return ok ? box->list : NULL;
}

/* Hands every argument to the Lua method and returns what it returns. */
static int fallback(lua_State *L) {
  int n = lua_gettop(L);

  lua_pushvalue(L, lua_upvalueindex(3));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/*
 * The family argument at idx: CIDR_IPV4 when left out, the family of a
 * valid name, 0 for another string, -1 for another type.
 */
static int strfamily(lua_State *L, int idx) {
  int t = lua_type(L, idx);

  if (t == LUA_TNONE || t == LUA_TNIL)
    return CIDR_IPV4;
  if (t != LUA_TSTRING)
    return -1;
  return getfamily(L, idx);
}

/* Reads the string argument at idx as an address of the family. */
static int straddress(lua_State *L, int idx, int family, uint8_t *addr) {
  size_t len;
  const char *s;

  if (lua_type(L, idx) != LUA_TSTRING)
    return -1;
  s = lua_tolstring(L, idx, &len);
  return cidr_pton(family, s, len, addr);
}

/* blockList:check(address[, family]) */
static int m_check(lua_State *L) {
  cidr_list *list = instance(L);
  int family;
  uint8_t addr[16];
  int rc;

  if (list == NULL || lua_type(L, 2) != LUA_TSTRING)
    return fallback(L);
  family = strfamily(L, 3);
  if (family < 0)
    return fallback(L);
  /* Node answers false when the address does not parse. */
  if (family == 0 || straddress(L, 2, family, addr) != 0) {
    lua_pushboolean(L, 0);
    return 1;
  }
  rc = cidr_list_check(list, family, addr);
  if (rc < 0)
    return luaL_error(L, "not enough memory");
  lua_pushboolean(L, rc);
  return 1;
}

/* blockList:addAddress(address[, family]) */
static int m_add_address(lua_State *L) {
  cidr_list *list = instance(L);
  int family = strfamily(L, 3);
  uint8_t addr[16];

  if (list == NULL || family <= 0 || straddress(L, 2, family, addr) != 0)
    return fallback(L);
  if (cidr_list_add_address(list, family, addr) == CIDR_ENOMEM)
    return luaL_error(L, "not enough memory");
  return 0;
}

/* blockList:addRange(start, end[, family]) */
static int m_add_range(lua_State *L) {
  cidr_list *list = instance(L);
  int family = strfamily(L, 4);
  uint8_t start[16];
  uint8_t end[16];
  int rc;

  if (list == NULL || family <= 0 || straddress(L, 2, family, start) != 0 ||
      straddress(L, 3, family, end) != 0)
    return fallback(L);
  rc = cidr_list_add_range(list, family, start, family, end);
  if (rc == CIDR_ENOMEM)
    return luaL_error(L, "not enough memory");
  if (rc != CIDR_OK)
    return fallback(L); /* It reports the start after the end. */
  return 0;
}

/* blockList:addSubnet(network, prefix[, family]) */
static int m_add_subnet(lua_State *L) {
  cidr_list *list = instance(L);
  int family = strfamily(L, 4);
  uint8_t net[16];
  lua_Integer prefix;

  if (list == NULL || family <= 0 || !lua_isinteger(L, 3) ||
      straddress(L, 2, family, net) != 0)
    return fallback(L);
  prefix = lua_tointeger(L, 3);
  if (prefix < 0 || prefix > (family == CIDR_IPV4 ? 32 : 128))
    return fallback(L);
  if (cidr_list_add_subnet(list, family, net, (int) prefix) == CIDR_ENOMEM)
    return luaL_error(L, "not enough memory");
  return 0;
}

static const luaL_Reg blocklist_methods[] = { { "check", m_check },
                                              { "addAddress", m_add_address },
                                              { "addRange", m_add_range },
                                              { "addSubnet", m_add_subnet },
                                              { NULL, NULL } };

/* core.blocklist_methods(key, fallbacks): a table of the methods. */
static int c_blocklist_methods(lua_State *L) {
  const luaL_Reg *m;

  luaL_checkany(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_newtable(L);
  for (m = blocklist_methods; m->name != NULL; m++) {
    lua_getfield(L, 2, m->name);
    luaL_argcheck(L, lua_isfunction(L, -1), 2, "fallback method missing");
    lua_pushvalue(L, 1);
    luaL_getmetatable(L, BLOCKLIST_MT);
    lua_rotate(L, -3, 2); /* key, metatable, fallback */
    lua_pushcclosure(L, m->func, 3);
    lua_setfield(L, -2, m->name);
  }
  return 1;
}

/* core.blocklist_check_packed(handle, packed) */
static int c_blocklist_check_packed(lua_State *L) {
  cidr_list *list = checklist(L);
  const uint8_t *addr;
  int family = checkpacked(L, 2, &addr);
  int rc = cidr_list_check(list, family, addr);

  if (rc < 0)
    return luaL_error(L, "not enough memory");
  lua_pushboolean(L, rc);
  return 1;
}

/* core.blocklist_rules(handle): a new sequence of the rules' texts, newest
 * first. */
static int c_blocklist_rules(lua_State *L) {
  cidr_list *list = checklist(L);
  size_t n = cidr_list_count(list);
  char text[CIDR_RULESTRLEN];
  size_t i;

  lua_createtable(L, n > (size_t) 0x7fffffff ? 0 : (int) n, 0);
  for (i = 0; i < n; i++) {
    size_t len = cidr_list_rule(list, i, text);
    lua_pushlstring(L, text, len);
    lua_rawseti(L, -2, (lua_Integer) i + 1);
  }
  return 1;
}

/* core.blocklist_count(handle): the number of rules. */
static int c_blocklist_count(lua_State *L) {
  cidr_list *list = checklist(L);

  lua_pushinteger(L, (lua_Integer) cidr_list_count(list));
  return 1;
}

static const luaL_Reg cidr_funcs[] = {
  { "isip", c_isip },
  { "ip_pack", c_ip_pack },
  { "ip_format", c_ip_format },
  { "blocklist_new", c_blocklist_new },
  { "blocklist_add_address", c_blocklist_add_address },
  { "blocklist_add_range", c_blocklist_add_range },
  { "blocklist_add_subnet", c_blocklist_add_subnet },
  { "blocklist_methods", c_blocklist_methods },
  { "blocklist_check_packed", c_blocklist_check_packed },
  { "blocklist_rules", c_blocklist_rules },
  { "blocklist_count", c_blocklist_count },
  { NULL, NULL }
};

/* Registers the functions into the module table at the top of the stack. */
void uvn_open_cidr(lua_State *L) {
  if (luaL_newmetatable(L, BLOCKLIST_MT)) {
    lua_pushcfunction(L, c_blocklist_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  uvn_setfuncs(L, cidr_funcs);
}
