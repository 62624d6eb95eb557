rockspec_format = "3.0"
package = "uvnet"
version = "scm-1"
source = {
  url = "git+file:///dev/null",
}
description = {
  summary = "Node.js's net module for Lua 5.4, in C on libuv",
  detailed = [[
    uvnet gives Lua 5.4 the API of Node.js's net module: servers and
    sockets over TCP and Unix sockets, EventEmitter, timers, and Node's
    error objects, on a C core over libuv.
  ]],
  license = "MIT",
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
}
test = {
  type = "command",
  command = "make test",
}
