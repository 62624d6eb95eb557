--- The uvnet echo server of the connection load spec (spec/load_spec.lua),
-- run in a child whose descriptor limit is raised.
--
--     lua5.4 server.lua TOTAL [MAX]
--
-- Listens on 127.0.0.1 (port 0) with `maxConnections` MAX when given and
-- prints `port N`; echoes every connection; once TOTAL connections have
-- been closed or dropped, closes and prints
-- `connections=N drops=N baddrops=N peak=N bytes=N peakrsskb=N`, where
-- peak is the most connections open at once, baddrops counts 'drop'
-- events whose data is not the dropped connection's addresses and
-- peakrsskb is the process's largest resident set size (VmHWM).
-- @script server

local net = require("uvnet")

local io, os, tonumber = io, os, tonumber
local format = string.format

local TOTAL = assert(math.tointeger(tonumber(arg[1])), "TOTAL")
local MAX = math.tointeger(tonumber(arg[2] or ""))

local function peakrsskb()
  local f = assert(io.open("/proc/self/status"))
  local kb = tonumber(f:read("a"):match("VmHWM:%s*(%d+) kB"))
  f:close()
  return kb
end

local connections, open, peak, closed, drops, baddrops, bytes =
  0, 0, 0, 0, 0, 0, 0
local server, port

local function report()
  io.write(format("connections=%d drops=%d baddrops=%d peak=%d bytes=%d "
    .. "peakrsskb=%d\n", connections, drops, baddrops, peak, bytes,
    peakrsskb()))
  io.flush()
end

local function check()
  if closed + drops == TOTAL then server:close() end
end

server = net.createServer(function(c)
  connections = connections + 1
  open = open + 1
  if open > peak then peak = open end
  c:on("error", function() end)
  c:on("close", function()
    open = open - 1
    closed = closed + 1
    bytes = bytes + c.bytesRead
    check()
  end)
  c:pipe(c)
end)
if MAX then server.maxConnections = MAX end
server:on("drop", function(data)
  drops = drops + 1
  if type(data) ~= "table" or data.localAddress ~= "127.0.0.1"
      or data.localPort ~= port or data.localFamily ~= "IPv4"
      or data.remoteAddress ~= "127.0.0.1" or data.remoteFamily ~= "IPv4"
      or math.type(data.remotePort) ~= "integer" then
    baddrops = baddrops + 1
  end
  check()
end)
server:on("error", function(err)
  io.write(format("error %s\n", tostring(err)))
  report()
  os.exit(1)
end)
server:listen(0, "127.0.0.1", function()
  port = server:address().port
  io.write(format("port %d\n", port))
  io.flush()
end)
net.run()
report()
