--- The clients of the connection load spec (spec/load_spec.lua), run in a
-- child whose descriptor limit is raised.
--
--     lua5.4 clients.lua PORT COUNT SIZE
--
-- Opens COUNT connections to 127.0.0.1:PORT, at most 128 connecting at a
-- time, and holds them; once all are connected, each sends its own SIZE
-- bytes and checks that exactly those come back.  A connection closed
-- before its echo is complete counts as dropped.  Once every connection is
-- echoed or dropped, the echoed ones end.  Prints
-- `connected=N peak=N echoed=N dropped=N bad=N bytes=N seconds=N`, where
-- bytes counts the echoed bytes that matched and bad the echoes that did
-- not match or connections that failed otherwise.
-- @script clients

local net = require("uvnet")
local core = require("uvnet.core")

local io, tonumber, concat = io, tonumber, table.concat
local format, char = string.format, string.char

local PORT = assert(math.tointeger(tonumber(arg[1])), "PORT")
local COUNT = assert(math.tointeger(tonumber(arg[2])), "COUNT")
local SIZE = assert(math.tointeger(tonumber(arg[3])), "SIZE")
local INFLIGHT = 128

local started = core.hrtime()

-- 64 KiB of pseudo-random bytes; each payload is its number and a slice
-- of them, so every payload differs.
math.randomseed(7)
local base
do
  local parts = {}
  for i = 1, 65536 do parts[i] = char(math.random(0, 255)) end
  base = concat(parts)
end
assert(SIZE >= 16 and SIZE <= 32768, "SIZE must be within 16 .. 32768")

local function payload(i)
  local head = format("%d:", i)
  local off = (i * 7919) % (65536 - SIZE) + 1
  return head .. base:sub(off, off + SIZE - #head - 1)
end

local clients = {}
local connected, failed, open, peak, resolved = 0, 0, 0, 0, 0
local echoed, dropped, bad, bytes = 0, 0, 0, 0
local nextone, connecting, sending = 1, 0, false

local function done()
  for i = 1, COUNT do
    local c = clients[i]
    if c.ok then c:finish() end
  end
end

local function resolve(c, outcome)
  if c.outcome then return end
  c.outcome = outcome
  resolved = resolved + 1
  if outcome == "echoed" then
    echoed = echoed + 1
    bytes = bytes + SIZE
    c.ok = true
  elseif outcome == "dropped" then
    dropped = dropped + 1
  else
    bad = bad + 1
  end
  if sending and resolved == COUNT then done() end
end

local function send()
  sending = true
  for i = 1, COUNT do
    local c = clients[i]
    if not c.outcome and not c.destroyed and not c.writableEnded then
      c:write(c.want)
    end
  end
  if resolved == COUNT then done() end
end

local open_next

local function start(i)
  local c = net.connect(PORT, "127.0.0.1")
  c.want = payload(i)
  clients[i] = c
  local got, n = {}, 0
  connecting = connecting + 1
  -- Once every connection has connected (or failed to), the payloads go.
  local function settled()
    connecting = connecting - 1
    if connected + failed == COUNT then send() else open_next() end
  end
  c:on("connect", function()
    c.wasconnected = true
    connected = connected + 1
    open = open + 1
    if open > peak then peak = open end
    settled()
  end)
  c:on("data", function(d)
    n = n + #d
    got[#got + 1] = d
    if n >= SIZE then
      resolve(c, concat(got) == c.want and n == SIZE and "echoed" or "bad")
    end
  end)
  c:on("error", function() end)
  c:on("close", function(hadError)
    if not c.wasconnected then
      failed = failed + 1
      resolve(c, "bad")
      settled()
      return
    end
    open = open - 1
    if not c.outcome then
      -- Closed before its echo: dropped by the server.
      resolve(c, "dropped")
    elseif c.ok and hadError then
      bad = bad + 1
    end
  end)
end

open_next = function()
  while nextone <= COUNT and connecting < INFLIGHT do
    start(nextone)
    nextone = nextone + 1
  end
end

open_next()
net.run()
local seconds = (core.hrtime() - started) / 1e9
io.write(format("connected=%d peak=%d echoed=%d dropped=%d bad=%d bytes=%d "
  .. "seconds=%.1f\n", connected, peak, echoed, dropped, bad, bytes, seconds))
