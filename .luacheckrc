-- luacheck settings: Lua 5.4, no globals; specs see busted's globals.
std = "lua54"
max_line_length = 100
codes = true
exclude_files = { "build", "build-*", ".tmp", "luarocks-tree" }

files["spec"] = { std = "+busted" }
files["bin/uvnet"] = { globals = { "arg" } }
files["examples"] = { globals = { "arg" } }
files["bench"] = { globals = { "arg" } }
