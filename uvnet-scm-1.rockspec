rockspec_format = "3.0"
package = "uvnet"
version = "scm-1"
source = {
  url = "git+https://github.com/uvnet/uvnet.git",
}
description = {
  summary = "Node.js's net module for Lua 5.4, in C on libuv",
  detailed = [[
    uvnet gives Lua 5.4 the API of Node.js's net module: servers and
    sockets over TCP and Unix sockets, EventEmitter, timers, and Node's
    error objects, on a C core over libuv.
  ]],
  license = "MIT",
  homepage = "https://github.com/uvnet/uvnet",
  labels = { "networking", "libuv", "tcp", "async" },
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
external_dependencies = {
  LIBUV = { header = "uv.h", library = "uv" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    LUA_INCLUDE_DIR = "$(LUA_INCDIR)",
    LIBUV_INCLUDE_DIR = "$(LIBUV_INCDIR)",
    LIBUV_LIBRARY_DIR = "$(LIBUV_LIBDIR)",
    LUADIR = "$(LUADIR)",
    LIBDIR = "$(LIBDIR)",
  },
  install = {
    bin = { uvnet = "bin/uvnet" },
  },
  -- The reference and the LuaLS definitions land in the rock's directory:
  -- `luarocks show --rock-dir uvnet` prints where.
  copy_directories = { "docs", "types" },
}
-- `luarocks test` runs the specs with the machine's busted (Debian's
-- lua-busted, which `make test` installs when missing): the busted rock is
-- not needed.
test = {
  type = "command",
  command = "make test",
}
