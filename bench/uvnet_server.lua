--- uvnet_server.lua: the uvnet side of uvnet's benchmarks, the same echo
-- and discard servers as bench/node_server.js, line for line, on the public
-- API only.
--
--   lua5.4 bench/uvnet_server.lua PORT echo|pipe|discard
--
-- It listens on 127.0.0.1:PORT (0 picks a free port), prints
-- "listening <port>" on one line, and runs until killed.

local net = require("uvnet")

local port = tonumber(arg[1] or "0")
local mode = arg[2] or "echo"
local handler, server

local function ignore() end

if mode == "echo" then
  handler = function(c)
    c:on("error", ignore)
    c:on("data", function(d) c:write(d) end)
  end
elseif mode == "pipe" then
  handler = function(c)
    c:on("error", ignore)
    c:pipe(c)
  end
elseif mode == "discard" then
  handler = function(c)
    c:on("error", ignore)
    c:on("data", ignore)
  end
else
  io.stderr:write("usage: lua5.4 uvnet_server.lua PORT echo|pipe|discard\n")
  os.exit(2)
end

server = net.createServer(handler)
server:listen(port, "127.0.0.1", function()
  io.stdout:write(("listening %d\n"):format(server:address().port))
  io.stdout:flush()
end)
net.run()
