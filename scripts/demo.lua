-- make demo: starts examples/echo_server.lua on a free port, runs
-- examples/echo_client.lua against it, prints the exchange and stops both.
local function sh(cmd)
  local f = assert(io.popen(cmd, "r"))
  local out = f:read("a")
  local ok, _, code = f:close()
  return out, ok, code
end

local env = 'LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="build/?.so;;" '
local tmp = os.tmpname()
local pidfile = tmp .. ".pid"
-- The server runs in the background; its output goes to a file we poll.
os.execute(env .. "lua5.4 bin/uvnet examples/echo_server.lua 0 > " .. tmp
  .. " 2>&1 & echo $! > " .. pidfile)
local pid = assert(io.open(pidfile)):read("l")

local port
for _ = 1, 100 do
  local f = io.open(tmp)
  local text = f and f:read("a") or ""
  if f then f:close() end
  port = text:match("listening on [^ ]+ port (%d+)")
  if port then break end
  os.execute("sleep 0.05")
end
if not port then
  io.stderr:write("demo: the server did not start\n")
  os.execute("kill " .. pid)
  os.exit(1)
end
print("server: listening on 127.0.0.1 port " .. port)

local out, ok = sh(env .. "timeout 10 lua5.4 bin/uvnet examples/echo_client.lua "
  .. port .. " 127.0.0.1 'hello from uvnet' 'second line' 2>&1")
io.write(out)
os.execute("kill -TERM " .. pid)
for _ = 1, 100 do
  if not os.execute("kill -0 " .. pid .. " 2>/dev/null") then break end
  os.execute("sleep 0.05")
end
local f = io.open(tmp)
local log = f:read("a")
f:close()
os.remove(tmp)
os.remove(pidfile)
print("server log:")
io.write((log:gsub("[^\n]+", "  %0")))
local good = ok and out:find("echo: hello from uvnet", 1, true)
  and out:find("echo: second line", 1, true) and log:find("server closed", 1, true)
print(good and "demo: ok" or "demo: FAILED")
os.exit(good and 0 or 1)
