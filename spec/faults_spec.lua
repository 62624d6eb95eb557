-- Faults from the network, each with a real peer on loopback: a raw Python
-- peer that resets, half-closes or never reads (spec/support/faults/peer.py),
-- a refused connect, a Unix socket path removed or not a socket, a server
-- out of descriptors (a uvnet child under a lowered `ulimit -n`), and a
-- server listening again on its port while the old connections sit in
-- TIME_WAIT.  Each expectation is what Node 22 does in the same scenario.
local net = require("uvnet")
local loop = require("support.loop")

local io, os, pairs, ipairs, tonumber = io, os, pairs, ipairs, tonumber
local format, match = string.format, string.match

local PEER = "spec/support/faults/peer.py"
local EMFILE_SERVER = "spec/support/faults/emfile_server.lua"

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- A child's environment: the module this process runs (the same build,
-- sanitized or not).
local LUAENV = "LUA_PATH=" .. quote(package.path) .. " LUA_CPATH="
  .. quote(package.cpath)

-- Starts a command in the background, reading what it prints; at most
-- 30 s, so a peer left waiting by a failed test cannot hang the run.
local function spawn(cmd)
  return assert(io.popen("timeout 30 " .. cmd, "r"))
end

-- The raw peers run without the sanitizer runtime the specs may run under
-- (scripts/test-asan preloads it; it would report Python's own leaks).
local NOSAN = "env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "
  .. "-u UBSAN_OPTIONS "

-- What a started command printed, once it has exited, and its status.
local function collect(p)
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok, code
end

local function peer(args)
  return spawn(NOSAN .. "python3 " .. PEER .. " " .. args)
end

-- Reads `port N` from a child that prints it first.
local function readport(p)
  local line = p:read("l") or ""
  return assert(math.tointeger(tonumber(match(line, "^port (%d+)$"))),
    "no port from the child: " .. line)
end

local tmpdir = require("support.files").tmpdir

-- This process's resident set size, in bytes.
local function rss()
  local f = assert(io.open("/proc/self/status"))
  local s = f:read("a")
  f:close()
  return tonumber(match(s, "VmRSS:%s*(%d+) kB")) * 1024
end

-- Runs the raw peer in `mode` against one uvnet socket and returns what
-- the peer printed.  As "server", uvnet listens (with `options`) and the
-- peer connects; as "client", the peer listens and uvnet connects (with
-- `options`).  onsocket(c, t, done) gets the uvnet socket; done() closes
-- the server, if there is one.
local function against(role, mode, onsocket, options, timeout)
  local p
  local ok, err = pcall(loop.run, function(t)
    if role == "client" then
      p = peer("--listen " .. mode)
      local o = { port = readport(p), host = "127.0.0.1" }
      for k, v in pairs(options or {}) do o[k] = v end
      onsocket(net.connect(o), t, function() end)
    else
      local server
      server = net.createServer(options or {}, t.expect(function(c)
        onsocket(c, t, function() server:close() end)
      end))
      server:listen(0, "127.0.0.1", t.expect(function()
        p = peer(format("--connect %d %s", server:address().port, mode))
      end))
    end
  end, { timeout = timeout or 5000 })
  local out, exited = "", true
  if p then out, exited = collect(p) end
  if not ok then error(err, 0) end
  assert(exited, "the peer failed: " .. out)
  return out
end

-- An error's fields, as the specs compare them.
local function fields(e)
  return { name = e.name, code = e.code, errno = e.errno, syscall = e.syscall,
    address = e.address, port = e.port, message = e.message }
end

describe("a peer that resets", function()
  for _, role in ipairs({ "server", "client" }) do
    it("mid-read gives 'error' ECONNRESET, then 'close' with hadError ("
      .. role .. " side)", function()
      local trace, got = {}, 0
      local out = against(role, "reset-after 1000", function(c, t, done)
        c:on("data", function(d)
          got = got + #d
          -- All 1000 bytes are in: the peer resets when it hears back.
          if got == 1000 then c:write("k") end
        end)
        c:on("end", t.never("end"))
        c:on("error", t.expect(function(err)
          trace[#trace + 1] = fields(err)
        end))
        c:on("close", t.expect(function(hadError)
          trace[#trace + 1] = hadError
          assert.is_true(c.destroyed)
          done()
        end))
      end)
      assert.are.equal("reset\n", out)
      assert.are.equal(1000, got)
      assert.are.same({ { name = "Error", code = "ECONNRESET", errno = -104,
        syscall = "read", message = "read ECONNRESET" }, true }, trace)
    end)

    it("mid-write fails the writes once each, without SIGPIPE (" .. role
      .. " side)", function()
      local MiB = 1024 * 1024
      local chunk = ("w"):rep(MiB)
      local results, failure = {}, nil
      local out = against(role, "read-then-reset 65536", function(c, t, done)
        local function write(i)
          -- 16 MiB, more than the kernel buffers: the reset comes first.
          c:write(chunk, t.expect(function(err)
            results[#results + 1] = { i, err and err.code or "ok" }
          end))
        end
        for i = 1, 16 do write(i) end
        c:on("error", t.expect(function(err) failure = err end))
        c:on("close", t.expect(function(hadError)
          assert.is_true(hadError)
          done()
        end))
      end)
      assert.are.equal("read 65536 reset\n", out)
      local code = failure.code
      assert.is_truthy(code == "ECONNRESET" or code == "EPIPE", code)
      assert.is_truthy(failure.syscall == "write" or failure.syscall == "read")
      assert.are.equal(failure.syscall .. " " .. code, failure.message)
      -- Every callback ran once, in order; once one failed, all after it
      -- failed too.
      -- As in Node, a write that failed hears the socket's error, or
      -- ECANCELED when the socket was destroyed while it was in flight;
      -- none reaches the kernel after the error (it would fail with EPIPE).
      assert.are.equal(16, #results)
      local failed = false
      for i, r in ipairs(results) do
        assert.are.equal(i, r[1])
        if r[2] ~= "ok" then
          failed = true
          assert.is_truthy(r[2] == code or r[2] == "ECANCELED",
            ("write %d failed with %s after %s"):format(i, r[2], code))
        end
        assert.is_truthy(r[2] ~= "ok" or not failed)
      end
      assert.are_not.equal("ok", results[16][2])
    end)
  end

  it("fails writes after a reset as Node does: false, the first error",
    function()
      -- The reset is only seen by the next write (the socket is paused);
      -- Node errors the stream at once, so the writes after it return
      -- false and are failed with that same error (none reaches the
      -- kernel, where it would raise SIGPIPE).
      local returned, results, failure = {}, {}, nil
      local out = against("server", "reset", function(c, t, done)
        net.setTimeout(t.expect(function()
          for i = 1, 3 do
            returned[i] = c:write("x", t.expect(function(err)
              results[i] = err and err.code
            end))
          end
        end), 200)
        c:on("error", t.expect(function(err) failure = fields(err) end))
        c:on("close", t.expect(function(hadError)
          assert.is_true(hadError)
          done()
        end))
      end, { pauseOnConnect = true })
      assert.are.equal("reset\n", out)
      assert.are.same({ name = "Error", code = "ECONNRESET", errno = -104,
        syscall = "write", message = "write ECONNRESET" }, failure)
      assert.are.same({ false, false, false }, returned)
      assert.are.same({ "ECONNRESET", "ECONNRESET", "ECONNRESET" }, results)
    end)

  it("survives SIGPIPE: the module ignores it, as Node does", function()
    -- Straight to the handle, past the socket's own bookkeeping: after the
    -- reset, the first write fails with ECONNRESET, the second with EPIPE,
    -- which raises SIGPIPE; the process must live on.
    local codes = {}
    local out = against("server", "reset", function(c, t, done)
      net.setTimeout(t.expect(function()
        local h = c._handle
        for i = 1, 2 do
          local r, _, code = h:write(("x"):rep(i))
          assert.is_nil(r)
          codes[i] = code
        end
        c:destroy()
        done()
      end), 200)
      c:on("close", t.expect())
    end, { pauseOnConnect = true })
    assert.are.equal("reset\n", out)
    assert.are.same({ -104, -32 }, codes)
  end)
end)

describe("a peer that half-closes", function()
  for _, role in ipairs({ "server", "client" }) do
    it("is ended in turn when allowHalfOpen is false (" .. role .. " side)",
      function()
        local trace = {}
        local out = against(role, "half-close hello", function(c, t, done)
          c:on("data", function(d) c:write(d:upper()) end)
          c:on("end", t.expect(function() trace[#trace + 1] = "end" end))
          c:on("finish", t.expect(function() trace[#trace + 1] = "finish" end))
          c:on("close", t.expect(function(hadError)
            trace[#trace + 1] = "close " .. tostring(hadError)
            done()
          end))
        end)
        -- The peer read to its end: uvnet ended the connection itself.
        assert.are.equal("got " .. ("HELLO"):gsub(".", function(ch)
          return format("%02x", ch:byte())
        end) .. "\n", out)
        assert.are.same({ "end", "finish", "close false" }, trace)
      end)

    it("can still be written to when allowHalfOpen is true (" .. role
      .. " side)", function()
      local trace = {}
      local out = against(role, "half-close hello", function(c, t, done)
        c:on("data", function(d) c:write(d:upper()) end)
        c:on("end", t.expect(function()
          trace[#trace + 1] = "end"
          assert.is_true(c.writable)
          -- Later, from a timer: the half-open socket stays writable.
          net.setTimeout(t.expect(function()
            assert.is_true(c:write(" after end"))
            c:finish("!")
          end), 50)
        end))
        c:on("finish", t.expect(function() trace[#trace + 1] = "finish" end))
        c:on("close", t.expect(function(hadError)
          trace[#trace + 1] = "close " .. tostring(hadError)
          done()
        end))
      end, { allowHalfOpen = true })
      local want = ("HELLO after end!"):gsub(".", function(ch)
        return format("%02x", ch:byte())
      end)
      assert.are.equal("got " .. want .. "\n", out)
      assert.are.same({ "end", "finish", "close false" }, trace)
    end)
  end
end)

describe("a peer that never reads", function()
  it("keeps a writer that honours write() bounded in memory", function()
    local MiB = 1024 * 1024
    local TOTAL = 200 * MiB
    local chunk = ("n"):rep(64 * 1024)
    local peak, maxlen, hwm = 0, 0, nil
    local stalled, falses = nil, 0
    collectgarbage("collect")
    local base = rss()
    -- The peer reads nothing for 1.5 s, then everything.
    local out = against("server", "stall 1.5", function(c, t, done)
      hwm = c.writableHighWaterMark
      local sent = 0
      local function pump()
        while sent < TOTAL do
          sent = sent + #chunk
          local more = c:write(chunk)
          if c.writableLength > maxlen then maxlen = c.writableLength end
          if not more then
            falses = falses + 1
            return
          end
        end
        c:finish()
      end
      c:on("drain", pump)
      local sampler = net.setInterval(function()
        local r = rss()
        if r > peak then peak = r end
      end, 50)
      -- Well inside the stall: what was handed over so far.
      net.setTimeout(t.expect(function() stalled = sent end), 1000)
      c:on("close", t.expect(function(hadError)
        assert.is_false(hadError)
        net.clearInterval(sampler)
        assert.are.equal(TOTAL, c.bytesWritten)
        done()
      end))
      pump()
    end, nil, 30000)
    assert.are.equal(format("got %d bytes\n", TOTAL), out)
    -- Only what the kernel holds got out while the peer did not read.
    assert.is_true(stalled < 16 * MiB, "handed over while stalled: " .. stalled)
    assert.is_true(falses > 0)
    assert.is_true(maxlen <= hwm + #chunk, ("writableLength reached %d"):format(maxlen))
    assert.is_true(peak - base < 32 * MiB,
      ("RSS grew by %d bytes while writing 200 MB"):format(peak - base))
  end)
end)

describe("a connect that cannot succeed", function()
  it("reports ECONNREFUSED with Node's fields", function()
    local port, failure, hadError
    loop.run(function(t)
      -- A port that was just free: nothing listens on it now.
      local probe = net.createServer()
      probe:listen(0, "127.0.0.1", t.expect(function()
        port = probe:address().port
        probe:close(t.expect(function()
          local c = net.connect(port, "127.0.0.1")
          c:on("connect", t.never("connect"))
          c:on("error", t.expect(function(err) failure = err end))
          c:on("close", t.expect(function(h) hadError = h end))
        end))
      end))
    end)
    assert.are.same({ name = "Error", code = "ECONNREFUSED", errno = -111,
      syscall = "connect", address = "127.0.0.1", port = port,
      message = "connect ECONNREFUSED 127.0.0.1:" .. port }, fields(failure))
    assert.are.equal("Error: connect ECONNREFUSED 127.0.0.1:" .. port,
      tostring(failure))
    assert.is_true(hadError)
  end)

  it("reports ENOENT once a listening Unix socket's path is removed, and "
    .. "the server keeps its connections", function()
    local dir = tmpdir()
    local path = dir .. "/s.sock"
    local failure, echoed
    loop.run(function(t)
      local server = net.createServer(function(c) c:pipe(c) end)
      server:listen(path, t.expect(function()
        local a
        a = net.connect(path, t.expect(function()
          assert.is_true(os.remove(path))
          local b = net.connect(path)
          b:on("connect", t.never("connect"))
          b:on("error", t.expect(function(err) failure = err end))
          b:on("close", t.expect(function(hadError)
            assert.is_true(hadError)
            -- The server still serves the connection it has.
            a:write("still here")
            a:once("data", t.expect(function(d)
              echoed = d
              a:finish()
              server:close(t.expect())
            end))
          end))
        end))
      end))
    end)
    os.execute("rm -rf " .. quote(dir))
    assert.are.same({ name = "Error", code = "ENOENT", errno = -2,
      syscall = "connect", address = path,
      message = "connect ENOENT " .. path }, fields(failure))
    assert.are.equal("still here", echoed)
  end)

  it("reports ECONNREFUSED for a path that is not a socket", function()
    local dir = tmpdir()
    local file = dir .. "/plain"
    local f = assert(io.open(file, "w"))
    f:write("not a socket")
    f:close()
    local got = {}
    loop.run(function(t)
      for _, path in ipairs({ file, dir }) do
        local c = net.connect(path)
        c:on("connect", t.never("connect"))
        c:on("error", t.expect(function(err) got[path] = fields(err) end))
        c:on("close", t.expect(function(hadError) assert.is_true(hadError) end))
      end
    end)
    os.execute("rm -rf " .. quote(dir))
    for _, path in ipairs({ file, dir }) do
      assert.are.same({ name = "Error", code = "ECONNREFUSED", errno = -111,
        syscall = "connect", address = path,
        message = "connect ECONNREFUSED " .. path }, got[path])
    end
  end)
end)

describe("a server out of file descriptors", function()
  it("drops what it cannot accept, keeps its connections and accepts "
    .. "again once descriptors free up", function()
    -- The server runs in a child limited to 32 descriptors; the clients
    -- here connect one at a time.  As in Node 22 (libuv's reserve
    -- descriptor), a connection the server has no descriptor for is
    -- accepted and closed at once, and the server emits no 'error'.
    local LIMIT, CLIENTS = 32, 40
    local p = spawn(format("sh -c %s", quote(format("ulimit -n %d && exec "
      .. "env %s lua5.4 %s", LIMIT, LUAENV, EMFILE_SERVER))))
    local port = readport(p)
    local kept, dropped, later = {}, 0, 0
    local ok, err = pcall(loop.run, function(t)
      -- Opens a client that sends `msg`; cb(c) if it is echoed, cb(nil) if
      -- the connection is closed instead.
      local function try(msg, cb)
        local c = net.connect(port, "127.0.0.1")
        local answered = false
        c:on("error", function() end)
        c:once("data", function(d)
          answered = true
          assert.are.equal(msg, d)
          cb(c)
        end)
        c:on("close", function()
          if not answered then cb(nil) end
        end)
        c:write(msg)
      end
      local finish = t.expect(function()
        kept[1]:write("quit")
        for _, c in ipairs(kept) do c:on("end", function() c:finish() end) end
      end)
      local function reopen(n, attempts)
        if n == 0 then return finish() end
        try("again " .. n, function(c)
          if c then
            later = later + 1
            kept[#kept + 1] = c
            return reopen(n - 1, 0)
          end
          -- The server may not have seen a close yet: try a little later.
          assert.is_true(attempts < 20, "the server accepts no more")
          net.setTimeout(function() reopen(n, attempts + 1) end, 50)
        end)
      end
      local function recheck(i)
        if i > #kept then
          -- Free five descriptors in the server, then connect anew.
          for _ = 1, 5 do table.remove(kept):destroy() end
          return net.setTimeout(function() reopen(3, 0) end, 100)
        end
        -- Each kept connection still echoes.
        kept[i]:write("still " .. i)
        kept[i]:once("data", function(d)
          assert.are.equal("still " .. i, d)
          recheck(i + 1)
        end)
      end
      local function open(i)
        if i > CLIENTS then return recheck(1) end
        try("hello " .. i, function(c)
          if c then kept[#kept + 1] = c else dropped = dropped + 1 end
          open(i + 1)
        end)
      end
      open(1)
    end, { timeout = 15000 })
    local out, exited = collect(p)
    if not ok then error(err, 0) end
    assert.is_true(exited, out)
    -- At least one connection found the server out of descriptors, at
    -- least ten were served, and the server's accounts agree.
    assert.is_true(dropped >= 1, "no connection was dropped")
    assert.is_true(#kept - later >= 10, "too few were served")
    assert.are.equal(3, later)
    assert.are.equal(format("connections=%d errors=0\n", CLIENTS - dropped + 3),
      out)
  end)
end)

describe("a server restarted on its port", function()
  -- The TCP sockets in TIME_WAIT whose local port is `port`.
  local function timewait(port)
    local n = 0
    for _, file in ipairs({ "/proc/net/tcp", "/proc/net/tcp6" }) do
      local f = io.open(file)
      if f then
        for line in f:lines() do
          local p, st = match(line, "^%s*%d+: %x+:(%x+) %x+:%x+ (%x%x) ")
          if p and tonumber(p, 16) == port and st == "06" then n = n + 1 end
        end
        f:close()
      end
    end
    return n
  end

  it("listens again at once while old connections are in TIME_WAIT",
    function()
      local port, waiting, echoed
      loop.run(function(t)
        local first
        local closed = 0
        first = net.createServer(function(c)
          -- The server closes first, so TIME_WAIT is on its side.
          c:finish("bye")
          c:on("close", function()
            closed = closed + 1
            if closed < 5 then return end
            first:close(t.expect(function()
              waiting = timewait(port)
              local second = net.createServer(function(s) s:pipe(s) end)
              second:on("error", t.never("error"))
              second:listen(port, "127.0.0.1", t.expect(function()
                local c2 = net.connect(port, "127.0.0.1")
                c2:write("again")
                c2:once("data", t.expect(function(d)
                  echoed = d
                  c2:finish()
                  second:close()
                end))
              end))
            end))
          end)
        end)
        first:listen(0, "127.0.0.1", t.expect(function()
          port = first:address().port
          for _ = 1, 5 do
            local c = net.connect(port, "127.0.0.1")
            c:on("data", function() end)
            c:on("end", function() c:finish() end)
          end
        end))
      end)
      assert.is_true(waiting >= 5, "connections in TIME_WAIT: " .. waiting)
      assert.are.equal("again", echoed)
    end)
end)
