-- An echo server over TCP or a Unix socket.
--
--   uvnet examples/echo_server.lua [port] [host]   (port 0: any free port)
--   uvnet examples/echo_server.lua /path/to/socket
--
-- It prints where it listens, echoes every byte back, and on SIGINT or
-- SIGTERM stops accepting, ends the open connections and exits.
local net = require("uvnet")

local where = arg[1] or "0"
local host = arg[2] or "127.0.0.1"
local clients = {}

local server = net.createServer(function(c)
  clients[c] = true
  c:on("error", function(err)
    io.stderr:write("client error: ", tostring(err), "\n")
  end)
  c:on("close", function() clients[c] = nil end)
  c:pipe(c)
end)

server:on("error", function(err) error(err) end)
server:on("close", function() print("server closed") end)

local function started()
  local addr = server:address()
  if type(addr) == "table" then
    print(("listening on %s port %d"):format(addr.address, addr.port))
  else
    print("listening on " .. addr)
  end
  io.stdout:flush()
end

if where:match("^%d+$") then
  server:listen(tonumber(where), host, started)
else
  server:listen(where, started)
end

local watchers = {}
local function stop(name)
  print("got " .. name .. ", stopping")
  for _, w in ipairs(watchers) do w:close() end
  server:close()
  for c in pairs(clients) do c:finish() end
end
watchers[1] = net.onSignal("SIGINT", stop)
watchers[2] = net.onSignal("SIGTERM", stop)
