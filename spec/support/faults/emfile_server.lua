--- An echo server for the fd-exhaustion spec, run in a child whose
-- descriptor limit is lowered (`ulimit -n`) so that accept() runs out.
--
--     lua5.4 emfile_server.lua
--
-- Prints `port N` once listening, `error CODE SYSCALL` for each server
-- 'error', and, once a client sends `quit` (which closes every connection
-- and the server), `connections=N errors=N` before it exits.
-- @script emfile_server

local net = require("uvnet")

local io = io

local connections, errors = 0, 0
local open = {}

local server
server = net.createServer(function(c)
  connections = connections + 1
  open[c] = true
  c:on("data", function(d)
    if d == "quit" then
      for s in pairs(open) do s:destroy() end
      server:close()
    else
      c:write(d)
    end
  end)
  c:on("error", function() end)
  c:on("close", function() open[c] = nil end)
end)
server:on("error", function(err)
  errors = errors + 1
  io.write(("error %s %s\n"):format(err.code, err.syscall))
  io.flush()
end)
server:listen(0, "127.0.0.1", function()
  io.write(("port %d\n"):format(server:address().port))
  io.flush()
end)
net.run()
io.write(("connections=%d errors=%d\n"):format(connections, errors))
