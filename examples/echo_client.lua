-- Sends lines to an echo server and prints what comes back.
--
--   uvnet examples/echo_client.lua port [host] [message...]
--   uvnet examples/echo_client.lua /path/to/socket [message...]
local net = require("uvnet")

local where = arg[1]
if where == nil then
  io.stderr:write("usage: echo_client.lua port [host] [message...] | path [message...]\n")
  os.exit(2)
end

local first = 2
local c
if where:match("^%d+$") then
  local host = arg[2] or "127.0.0.1"
  first = 3
  c = net.connect(tonumber(where), host)
else
  c = net.connect(where)
end

local lines = {}
for i = first, #arg do lines[#lines + 1] = arg[i] end
if #lines == 0 then lines = { "hello", "world" } end

local expected = 0
for _, l in ipairs(lines) do expected = expected + #l + 1 end
local received = {}
local got = 0

c:on("connect", function()
  for _, l in ipairs(lines) do
    print("sent: " .. l)
    c:write(l .. "\n")
  end
end)
c:on("data", function(d)
  received[#received + 1] = d
  got = got + #d
  if got >= expected then c:finish() end
end)
c:on("end", function()
  for l in table.concat(received):gmatch("([^\n]*)\n") do
    print("echo: " .. l)
  end
end)
c:on("error", function(err)
  io.stderr:write("error: ", tostring(err), "\n")
  os.exit(1)
end)
