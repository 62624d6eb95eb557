rockspec_format = "3.0"
package = "uvnet"
version = "0.1.0-1"
source = {
  url = "git+https://github.com/uvnet/uvnet.git",
  tag = "v0.1.0",
}
description = {
  summary = "Node.js's net module for Lua 5.4, in C on libuv",
  detailed = [[
    uvnet gives Lua 5.4 the API of Node.js's net module: TCP and Unix
    socket servers and clients with Node's names, arguments, events and
    error objects, BlockList and SocketAddress, EventEmitter, timers,
    AbortController and signal watchers, on a C core over libuv. A Node
    script translates line by line; the `uvnet` launcher runs a script and
    then the event loop, as `node script.js` does. The rock also carries
    the API reference (docs/) and LuaLS definitions (types/).
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
