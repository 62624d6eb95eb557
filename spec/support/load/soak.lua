--- The load and the verdict of the soak (scripts/soak): connect, echo and
-- close in a loop against the uvnet echo server, sampling its resident
-- set size.
--
--     lua5.4 soak.lua PORT PID SECONDS INTERVAL RATE
--
-- Keeps up to 32 connections going for SECONDS, starting at most RATE a
-- second (the server keeps each closed one in TIME_WAIT for a minute, and
-- the kernel's table of those is shared by everything on the machine):
-- each sends 1 to 8 KiB of letters and a newline, checks the echo byte for
-- byte and closes.  Every
-- INTERVAL seconds it prints the server's (process PID) RSS.  After the
-- warm-up (the first tenth of the run), the first sample is the
-- reference; a later sample more than 5 percent above it is growth.  Ends
-- with one verdict line and exits non-zero on growth or on a connection
-- that failed.
-- @script soak

local net = require("uvnet")
local core = require("uvnet.core")

local io, os, tonumber, char = io, os, tonumber, string.char
local format = string.format

local PORT = assert(math.tointeger(tonumber(arg[1])), "PORT")
local PID = assert(math.tointeger(tonumber(arg[2])), "PID")
local SECONDS = assert(tonumber(arg[3]), "SECONDS")
local INTERVAL = assert(tonumber(arg[4]), "INTERVAL")
local RATE = assert(tonumber(arg[5]), "RATE")
local WORKERS = 32
local LIMIT = 0.05

local function rsskb()
  local f = io.open(("/proc/%d/status"):format(PID))
  if not f then return nil end
  local kb = tonumber(f:read("a"):match("VmRSS:%s*(%d+) kB"))
  f:close()
  return kb
end

math.randomseed(11)
local letters
do
  local parts = {}
  for i = 1, 65536 do parts[i] = char(math.random(97, 122)) end
  letters = table.concat(parts)
end

local started = core.hrtime()
local function elapsed() return (core.hrtime() - started) / 1e9 end

local done, failed, bytes, opened = 0, 0, 0, 0
local stopping = false
local samples = {}

local function sample()
  local kb = rsskb()
  if kb == nil then
    failed = failed + 1
    io.write("the server is gone\n")
    return
  end
  local t = elapsed()
  samples[#samples + 1] = { t = t, kb = kb }
  io.write(format("t=%6.1fs rss=%d kB connections=%d\n", t, kb, done))
  io.flush()
end

local worker

-- Starts the next connection, or waits until the rate allows it.
local function nextconnection()
  if stopping then return end
  local early = opened / RATE - elapsed()
  if early > 0 then
    net.setTimeout(nextconnection, math.ceil(early * 1000))
    return
  end
  worker()
end

worker = function()
  opened = opened + 1
  local len = math.random(1024, 8192)
  local off = math.random(1, 65536 - len)
  local want = letters:sub(off, off + len - 1) .. "\n"
  local got, n = {}, 0
  local c = net.connect(PORT, "127.0.0.1")
  c:on("data", function(d)
    n = n + #d
    got[#got + 1] = d
  end)
  c:on("error", function(err)
    io.write("connection error: ", tostring(err), "\n")
  end)
  c:on("close", function()
    if n == #want and table.concat(got) == want then
      done = done + 1
      bytes = bytes + n
    else
      failed = failed + 1
    end
    nextconnection()
  end)
  c:write(want)
end

local sampler = net.setInterval(sample, INTERVAL * 1000)
net.setTimeout(function()
  stopping = true
  net.clearInterval(sampler)
  sample()
end, SECONDS * 1000)
for _ = 1, WORKERS do nextconnection() end
net.run()

-- The verdict.
local ref, peak, low
for _, s in ipairs(samples) do
  if s.t > SECONDS / 10 then
    if ref == nil then
      ref, peak, low = s, s.kb, s.kb
    else
      if s.kb > peak then peak = s.kb end
      if s.kb < low then low = s.kb end
    end
  end
end
local verdict, ok
if ref == nil or #samples < 3 then
  ok, verdict = false, "too few samples"
else
  local growth = (peak - ref.kb) / ref.kb
  ok = growth <= LIMIT and failed == 0
  verdict = format("RSS %d kB after warm-up (t=%.0fs), then %d..%d kB "
    .. "(%+.1f%%, limit +%d%%); %d connections echoed (%d bytes), %d failed, "
    .. "in %.0f s", ref.kb, ref.t, low, peak, growth * 100, LIMIT * 100, done,
    bytes, failed, elapsed())
end
io.write(format("soak: %s: %s\n", ok and "PASS" or "FAIL", verdict))
os.exit(ok and 0 or 1)
