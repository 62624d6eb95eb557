-- Load: many concurrent connections to one uvnet server, every byte of
-- every echo checked; maxConnections dropping exactly the excess; and a
-- gigabyte streamed through pipe() between two uvnet sockets with a
-- checksum at both ends and the resident set size bounded.
--
-- The connection tests run the server and the clients as two uvnet child
-- processes (spec/support/load/), each with its soft descriptor limit
-- raised to what it needs; they are skipped, saying why, when the hard
-- limit is too low.  Sizes come from the environment, so the soak can go
-- bigger: UVNET_LOAD_CONNS (default 10000 connections), UVNET_LOAD_BYTES
-- (default 1 GiB).  Tagged `load`: the sanitizer and valgrind runs leave
-- it out.
local net = require("uvnet")
local core = require("uvnet.core")
local loop = require("support.loop")

local io, os = io, os
local format, match = string.format, string.match

local SERVER = "spec/support/load/server.lua"
local CLIENTS = "spec/support/load/clients.lua"
local STREAM = "spec/support/load/stream.py"

local function envint(name, default)
  local v = os.getenv(name)
  return v and assert(math.tointeger(tonumber(v)), name) or default
end

local CONNS = envint("UVNET_LOAD_CONNS", 10000)
local BYTES = envint("UVNET_LOAD_BYTES", 1024 * 1024 * 1024)
local PAYLOAD = 1024
-- The maxConnections case: this many clients to a server that keeps
-- DROP_MAX of them.
local DROP_CLIENTS, DROP_MAX = 1500, 1000
-- Descriptors a child needs beyond one per connection.
local SPARE = 64
-- No child may run longer than this (seconds).
local CHILD_LIMIT = 120

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local LUAENV = "LUA_PATH=" .. quote(package.path) .. " LUA_CPATH="
  .. quote(package.cpath)

-- The Python ends run without the sanitizer runtime the specs may run
-- under (it would report Python's own leaks).
local NOSAN = "env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "
  .. "-u UBSAN_OPTIONS "

local function readcmd(cmd)
  local f = assert(io.popen(cmd, "r"))
  local out = f:read("a")
  f:close()
  return out
end

-- The hard descriptor limit children of this process get.
local function hardlimit()
  local s = match(readcmd("sh -c 'ulimit -Hn'"), "^%s*(%S+)")
  if s == "unlimited" then return math.huge end
  return tonumber(s) or 0
end

-- Starts a uvnet script in a child with `nofile` descriptors allowed, and
-- reads the `port N` it prints first.
local function child(nofile, script, ...)
  local cmd = format("ulimit -Sn %d && exec timeout %d env %s lua5.4 %s %s",
    nofile, CHILD_LIMIT, LUAENV, script, table.concat({ ... }, " "))
  return assert(io.popen("sh -c " .. quote(cmd) .. " 2>&1", "r"))
end

local function readport(p)
  local line = p:read("l") or ""
  return assert(math.tointeger(tonumber(match(line, "^port (%d+)$"))),
    "no port from the child: " .. line)
end

-- What a child printed once it has exited, as name=value numbers, and
-- the whole text.
local function results(p)
  local out = p:read("a")
  local ok = p:close()
  assert(ok, "the child failed: " .. out)
  local r = {}
  for k, v in out:gmatch("(%a+)=([%d.]+)") do r[k] = tonumber(v) end
  return r, out
end

-- Runs `count` clients against a server that waits for them all.
local function connections(count, max)
  local nofile = count + SPARE
  local server = child(nofile, SERVER, count, max or "")
  local clients = child(nofile, CLIENTS, readport(server), count, PAYLOAD)
  local c, cout = results(clients)
  local s, sout = results(server)
  -- Shown in the test output: the figures of the run.
  print(("\n  clients: %s  server: %s"):format(cout:gsub("\n$", ""),
    (sout:gsub("\n$", ""))))
  return c, s
end

local function rss()
  local f = assert(io.open("/proc/self/status"))
  local s = f:read("a")
  f:close()
  return tonumber(match(s, "VmRSS:%s*(%d+) kB")) * 1024
end

describe("under load #load", function()
  local hard = hardlimit()

  -- it(), or pending() saying why when the hard descriptor limit is below
  -- what each child needs for `count` connections.
  local function withdescriptors(count, name, fn)
    local need = count + SPARE
    if hard < need then
      pending(("%s: the hard descriptor limit (%d) is below the %d each child "
        .. "needs; raise `ulimit -Hn`"):format(name, hard, need))
    else
      it(name, fn)
    end
  end

  withdescriptors(CONNS, ("holds %d concurrent connections, each echoing its "
    .. "own bytes"):format(CONNS), function()
    local c, s = connections(CONNS)
    -- Every client was connected at the same moment, and so was every
    -- connection at the server.
    assert.are.equal(CONNS, c.connected)
    assert.are.equal(CONNS, c.peak)
    assert.are.equal(CONNS, s.peak)
    assert.are.equal(CONNS, s.connections)
    assert.are.equal(0, s.drops)
    -- Every byte came back as it was sent.
    assert.are.equal(CONNS, c.echoed)
    assert.are.equal(0, c.dropped)
    assert.are.equal(0, c.bad)
    assert.are.equal(CONNS * PAYLOAD, c.bytes)
    assert.are.equal(CONNS * PAYLOAD, s.bytes)
  end)

  withdescriptors(DROP_CLIENTS, ("drops the %d connections beyond "
    .. "maxConnections = %d"):format(DROP_CLIENTS - DROP_MAX, DROP_MAX),
  function()
    local c, s = connections(DROP_CLIENTS, DROP_MAX)
    assert.are.equal(DROP_CLIENTS, c.connected)
    assert.are.equal(DROP_CLIENTS - DROP_MAX, s.drops)
    assert.are.equal(0, s.baddrops)
    assert.are.equal(DROP_MAX, s.connections)
    assert.are.equal(DROP_MAX, s.peak)
    -- The kept connections are intact; the dropped ones got nothing.
    assert.are.equal(DROP_MAX, c.echoed)
    assert.are.equal(DROP_CLIENTS - DROP_MAX, c.dropped)
    assert.are.equal(0, c.bad)
    assert.are.equal(DROP_MAX * PAYLOAD, c.bytes)
    assert.are.equal(DROP_MAX * PAYLOAD, s.bytes)
  end)

  it(("streams %d bytes through pipe() with a checksum at both ends and "
    .. "bounded memory"):format(BYTES), function()
    -- source (Python) --> [a:pipe(b), here] --> sink (Python)
    local sink = assert(io.popen(format("timeout %d %s python3 %s sink",
      CHILD_LIMIT, NOSAN, STREAM), "r"))
    local sinkport = readport(sink)
    local source
    collectgarbage("collect")
    collectgarbage("collect")
    local base, peak, samples = rss(), 0, 0
    local read, written
    local started = core.hrtime()
    local ok, err = pcall(loop.run, function(t)
      local function sample()
        samples = samples + 1
        local r = rss()
        if r > peak then peak = r end
      end
      local sampler = net.setInterval(sample, 100)
      sampler:unref()
      local server, closed = nil, 0
      local function onclose(hadError)
        assert.is_false(hadError)
        closed = closed + 1
        if closed == 2 then
          sample()
          net.clearInterval(sampler)
          server:close()
        end
      end
      server = net.createServer(t.expect(function(a)
        local b = net.connect(sinkport, "127.0.0.1")
        a:pipe(b)
        a:on("close", t.expect(function(hadError)
          read = a.bytesRead
          onclose(hadError)
        end))
        b:on("close", t.expect(function(hadError)
          written = b.bytesWritten
          onclose(hadError)
        end))
      end))
      server:listen(0, "127.0.0.1", t.expect(function()
        source = assert(io.popen(format("timeout %d %s python3 %s source %d "
          .. "%d", CHILD_LIMIT, NOSAN, STREAM, server:address().port, BYTES),
          "r"))
      end))
    end, { timeout = CHILD_LIMIT * 1000 })
    local seconds = (core.hrtime() - started) / 1e9
    local sent = source and source:read("a") or ""
    if source then source:close() end
    local received = sink:read("a")
    sink:close()
    if not ok then error(err, 0) end
    print(("\n  %d bytes in %.1f s; RSS %.1f MB before, peak %.1f MB "
      .. "(+%.1f MB) over %d samples"):format(BYTES, seconds, base / 2^20,
      peak / 2^20, (peak - base) / 2^20, samples))
    local n1, sum1 = match(sent, "^sent (%d+) (%x+)\n$")
    local n2, sum2 = match(received, "^received (%d+) (%x+)\n$")
    assert.are.equal(BYTES, tonumber(n1), sent)
    assert.are.equal(BYTES, tonumber(n2), received)
    assert.are.equal(sum1, sum2)
    assert.are.equal(BYTES, read)
    assert.are.equal(BYTES, written)
    assert.is_true(peak - base < 64 * 2^20,
      ("RSS grew by %.1f MB"):format((peak - base) / 2^20))
  end)
end)
