--- A TCP address on loopback that never answers, for connection attempts
-- that must time out.
--
-- A listener with a backlog of 0 that never accepts: its accept queue is
-- filled with connections (libuv takes one, the kernel queues one more),
-- after which the kernel drops every further SYN, so a connect to it waits
-- (for minutes) instead of being refused.  No packet leaves loopback.
--
--     local blackhole = require("support.blackhole")
--     local bh = blackhole.open("127.0.0.1")       -- runs the loop a moment
--     ... connect to bh.port ...
--     bh:close()
--
-- `open` runs the loop until the queue is full (about 150 ms), so it is
-- called outside loop.run; what it leaves open is unreferenced, and
-- `close` must run before the test ends (loop.run fails on open handles).
-- @module spec.support.blackhole

local net = require("uvnet")
local core = require("uvnet.core")

local M = {}

local Hole = {}
Hole.__index = Hole

--- Closes the listener and the connections that fill its queue.
function Hole:close()
  for _, c in ipairs(self.held) do c:destroy() end
  self.held = {}
  if self.handle then
    self.handle:close()
    self.handle = nil
  end
end

--- Opens a black hole on host (default 127.0.0.1) and port (default: one
-- the system picks).
-- @treturn[1] table { port = n, host = s, close = fn }
-- @treturn[2] nil
-- @treturn[2] string why (the bind failed)
function M.open(host, port)
  host = host or "127.0.0.1"
  -- The owner of the handle: the core reports connections to it, and a
  -- table with no _handle makes uvnet's handler leave them unaccepted.
  local h = assert(core.tcp({}))
  local ok, name = h:bind(host, port or 0)
  if not ok then
    h:close()
    net.run()
    return nil, name
  end
  assert(h:listen(0))
  h:unref()
  local _, p = h:sockname()
  local hole = setmetatable({ port = p, host = host, handle = h, held = {} },
    Hole)
  local function probe()
    local c = net.connect({ port = p, host = host, autoSelectFamily = false })
    c:on("error", function() end)
    local timer = net.setTimeout(function() c:destroy() end, 150)
    c:on("connect", function()
      net.clearTimeout(timer)
      c:unref()
      hole.held[#hole.held + 1] = c
      probe()
    end)
  end
  probe()
  net.run()
  return hole
end

return M
