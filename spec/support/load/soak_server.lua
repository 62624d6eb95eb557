--- The uvnet echo server of the soak (scripts/soak).
--
--     lua5.4 soak_server.lua
--
-- Listens on 127.0.0.1 (port 0) and prints `port N pid N`.  Echoes each
-- connection and ends it once it has echoed a newline, so the server
-- closes first (the TIME_WAIT stays on its side, not on the client's
-- ports).  On SIGTERM it closes everything and prints
-- `connections=N bytes=N`.
-- @script soak_server

local net = require("uvnet")

local io, pairs = io, pairs
local format = string.format

local connections, bytes = 0, 0
local open = {}

local server = net.createServer(function(c)
  connections = connections + 1
  open[c] = true
  c:on("data", function(d)
    c:write(d)
    if d:byte(-1) == 10 then c:finish() end
  end)
  c:on("error", function() end)
  c:on("close", function()
    open[c] = nil
    bytes = bytes + c.bytesRead
  end)
end)

local watcher
watcher = net.onSignal("SIGTERM", function()
  watcher:close()
  server:close()
  for c in pairs(open) do c:destroy() end
end)

server:listen(0, "127.0.0.1", function()
  local f = assert(io.open("/proc/self/stat"))
  local pid = f:read("a"):match("^(%d+)")
  f:close()
  io.write(format("port %d pid %s\n", server:address().port, pid))
  io.flush()
end)
net.run()
io.write(format("connections=%d bytes=%d\n", connections, bytes))
