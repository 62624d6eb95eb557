-- net.Socket options and writes, over real sockets.
local net = require("uvnet")
local core = require("uvnet.core")
local loop = require("support.loop")

-- Runs a server that sends `payload` and ends; calls client(port, done).
local function serving(payload, client)
  loop.run(function(t)
    local server
    server = net.createServer(function(c) c:finish(payload) end)
    server:listen(0, "127.0.0.1", t.expect(function()
      client(server:address().port, function() server:close() end, t)
    end))
  end)
end

describe("net.Socket", function()
  it("reads into the onread buffer without 'data' events", function()
    local chunks = {}
    serving("hello world", function(port, done, t)
      local c = net.connect({ port = port, host = "127.0.0.1", onread = {
        buffer = 4,
        callback = function(n, buf)
          assert.are.equal(4, #buf)
          chunks[#chunks + 1] = buf:tostring(1, n)
        end,
      } })
      c:on("data", t.never("data"))
      c:on("end", t.expect())
      c:on("close", t.expect(function()
        assert.are.equal(11, c.bytesRead)
        done()
      end))
    end)
    assert.are.equal("hello world", table.concat(chunks))
    for _, ch in ipairs(chunks) do assert.is_true(#ch <= 4) end
  end)

  it("pauses onread when the callback returns false", function()
    local got = {}
    serving(("x"):rep(10), function(port, done, t)
      local c
      local buf = core.buffer(2)
      c = net.connect({ port = port, host = "127.0.0.1", onread = {
        buffer = function() return buf end,
        callback = function(n, b)
          assert.are.equal(buf, b)
          got[#got + 1] = n
          if #got == 1 then
            net.setTimeout(t.expect(function()
              assert.are.equal(1, #got)
              c:resume()
            end), 20)
            return false
          end
        end,
      } })
      c:on("close", t.expect(done))
    end)
    assert.are.same({ 2, 2, 2, 2, 2 }, got)
  end)

  it("gives buffer bytes as string.byte does", function()
    local b = core.buffer(3)
    assert.are.equal("\0\0\0", b:tostring())
    assert.are.same({ 0, 0 }, { b:byte(1, 2) })
    assert.are.equal(3, #b)
    assert.are.equal("", b:tostring(3, 2))
  end)

  it("adopts a connected descriptor with the fd option", function()
    serving("via fd", function(port, done, t)
      local first = net.connect(port, "127.0.0.1")
      first:pause()
      first:on("connect", t.expect(function()
        local fd = core.dupfd(first._handle:fileno())
        first:destroy()
        local c = net.Socket({ fd = fd })
        assert.is_false(c.pending)
        local got = {}
        c:on("data", function(d) got[#got + 1] = d end)
        c:on("end", t.expect(function()
          assert.are.equal("via fd", table.concat(got))
        end))
        c:on("close", t.expect(done))
      end))
    end)
  end)

  it("validates fd and ignores options Node ignores", function()
    local ok, err = pcall(net.Socket, { fd = -1 })
    assert.is_false(ok)
    assert.are.equal('The value of "fd" is out of range. It must be >= 0 && '
      .. "<= 2147483647. Received -1", err.message)
    ok, err = pcall(net.Socket, { fd = "x" })
    assert.is_false(ok)
    assert.are.equal('The "fd" argument must be of type number. Received type '
      .. "string ('x')", err.message)
    local s = net.Socket("x")
    assert.is_true(s.pending)
    assert.are.equal(s, s:setKeepAlive(true, "x"))
    assert.are.equal(s, s:setNoDelay("x"))
  end)

  it("raises ERR_INVALID_FD_TYPE for a descriptor that is not a socket",
    function()
      local f = io.open("/dev/null")
      local ok, err = pcall(net.Socket, { fd = 0x7fffffff })
      f:close()
      assert.is_false(ok)
      assert.are.equal("ERR_INVALID_FD_TYPE", err.code)
      assert.are.equal("Unsupported fd type: UNKNOWN", err.message)
    end)

  it("writes a sequence of strings as one vectored write", function()
    loop.run(function(t)
      local server
      server = net.createServer(function(c)
        local got = {}
        c:on("data", function(d) got[#got + 1] = d end)
        c:on("end", t.expect(function()
          assert.are.equal("abcdef", table.concat(got))
          server:close()
        end))
      end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect(server:address().port, "127.0.0.1")
        local parts = { "ab", "cd", "ef" }
        assert.is_true(c:write(parts, t.expect()))
        parts[1] = "zz" -- the socket keeps what it was given
        assert.are.equal(6, c.bytesWritten)
        c:finish()
      end))
    end)
  end)
end)

describe("encodings on a socket", function()
  it("never splits a character across 'data' events with setEncoding",
    function()
      local got = {}
      loop.run(function(t)
        local server
        server = net.createServer(function(c)
          -- "é€" split inside both characters, over three writes.
          c:write("\xC3")
          net.setTimeout(function()
            c:write("\xA9\xE2\x82")
            net.setTimeout(function() c:finish("\xAC!") end, 5)
          end, 5)
        end)
        server:listen(0, "127.0.0.1", t.expect(function()
          local c = net.connect(server:address().port, "127.0.0.1")
          assert.are.equal(c, c:setEncoding("UTF-8"))
          assert.are.equal("utf8", c.readableEncoding)
          c:on("data", function(d) got[#got + 1] = d end)
          c:on("close", t.expect(function() server:close() end))
        end))
      end)
      assert.are.equal("é€!", table.concat(got))
      for _, d in ipairs(got) do assert.is_truthy(utf8.len(d)) end
    end)

  it("encodes written text and checks the encoding's name", function()
    local got = {}
    loop.run(function(t)
      local server
      server = net.createServer(function(c)
        c:on("data", function(d) got[#got + 1] = d end)
        c:on("end", t.expect(function() server:close() end))
      end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect(server:address().port, "127.0.0.1")
        c:write("é", "latin1")
        c:write("414243", "hex", t.expect())
        c:write("RA==", "base64")
        local ok, err = pcall(c.write, c, "x", "nope")
        assert.is_false(ok)
        assert.are.equal("ERR_UNKNOWN_ENCODING", err.code)
        ok, err = pcall(c.write, c, { "x" }, "nope")
        assert.is_false(ok)
        assert.are.equal("Unknown encoding: nope", err.message)
        c:finish()
      end))
    end)
    assert.are.equal("\xE9ABCD", table.concat(got))
  end)
end)

describe("pipe, timeout and ref", function()
  it("pipes with backpressure both ways and ends the destination", function()
    -- source --> [proxy: a:pipe(b)] --> sink, with the sink slow to read.
    local total = 4 * 1024 * 1024
    local received, paused_seen = 0, false
    loop.run(function(t)
      local sink, proxy
      sink = net.createServer(function(c)
        c:pause()
        net.setTimeout(function() c:resume() end, 100)
        c:on("data", function(d) received = received + #d end)
        c:on("end", t.expect(function() sink:close() end))
      end)
      proxy = net.createServer(function(a)
        -- A small mark on the destination makes write() say "full" soon.
        local b = net.connect({ port = sink:address().port, host = "127.0.0.1",
          highWaterMark = 1024 })
        assert.are.equal(b, a:pipe(b))
        a:on("pause", function()
          if a:isPaused() then paused_seen = true end
        end)
        b:on("close", t.expect(function() proxy:close() end))
      end)
      sink:listen(0, "127.0.0.1", t.expect(function()
        proxy:listen(0, "127.0.0.1", t.expect(function()
          local src = net.connect(proxy:address().port, "127.0.0.1")
          src:finish(("z"):rep(total))
        end))
      end))
    end, { timeout = 10000 })
    assert.are.equal(total, received)
    assert.is_true(paused_seen)
  end)

  it("keeps the destination open with { end = false }", function()
    loop.run(function(t)
      -- The first connection gets data and an end; the second is held open.
      local server
      local n = 0
      server = net.createServer(function(c)
        n = n + 1
        if n == 1 then c:finish("data") else c:on("data", function() end) end
      end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local a = net.connect(server:address().port, "127.0.0.1")
        local b
        a:on("connect", function()
          b = net.connect(server:address().port, "127.0.0.1")
          a:pipe(b, { ["end"] = false })
        end)
        a:on("end", t.expect(function()
          net.setImmediate(function()
            assert.is_false(b.writableEnded)
            b:destroy()
            server:close()
          end)
        end))
      end))
    end)
  end)

  it("applies net.connect's timeout option as an idle timeout", function()
    loop.run(function(t)
      local server
      server = net.createServer(function() end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect({ port = server:address().port,
          host = "127.0.0.1", timeout = 30 })
        assert.are.equal(30, c.timeout)
        c:on("timeout", t.expect(function()
          assert.is_false(c.destroyed) -- the socket stays open
          c:destroy()
          server:close()
        end))
      end))
    end)
  end)

  it("does not keep the loop alive once unref'd", function()
    local accepted
    local server = net.createServer(function(s)
      accepted = s
      s:unref()
    end)
    local c
    server:listen(0, "127.0.0.1", function()
      server:unref()
      c = net.connect(server:address().port, "127.0.0.1")
      c:unref()
    end)
    assert.is_false(net.run())
    assert.is_false(c.destroyed)
    loop.run(function()
      c:destroy()
      if accepted then accepted:destroy() end
      server:close()
    end)
  end)
end)

describe("options Node validates or converts", function()
  local function err(f, ...)
    local ok, e = pcall(f, ...)
    assert.is_false(ok)
    return e
  end

  it("checks family, hints and lookup before looking a name up", function()
    local e = err(net.connect, { port = 1, host = "localhost", family = 5 })
    assert.are.equal("The property 'options.family' must be one of: 0, 4, 6. "
      .. "Received 5", e.message)
    e = err(net.connect, { port = 1, host = "localhost", hints = 99999 })
    assert.are.equal("The argument 'hints' is invalid. Received 99999", e.message)
    e = err(net.connect, { port = 1, host = "localhost", hints = "x" })
    assert.are.equal("ERR_INVALID_ARG_TYPE", e.code)
    e = err(net.connect, { port = 1, host = "localhost", lookup = 5 })
    assert.are.equal('The "options.lookup" property must be of type function. '
      .. "Received type number (5)", e.message)
    loop.cleanup()
  end)

  it("takes 'IPv4' as a family, as Node does", function()
    loop.run(function(t)
      local seen
      local c = net.connect({ port = 9, host = "example.test", family = "IPv4",
        lookup = t.expect(function(_, opts, cb)
          seen = opts.family
          cb(nil, "127.0.0.1", 4)
        end) })
      c:on("error", t.expect())
      assert.is_truthy(c)
      net.setImmediate(function() assert.are.equal(4, seen) end)
    end)
  end)

  it("refuses listen({ fd = -1 }) as Node does", function()
    local s = net.createServer()
    local e = err(s.listen, s, { fd = -1 })
    assert.are.equal("The argument 'options' must have the property \"port\" "
      .. 'or "path". Received { fd: -1 }', e.message)
  end)

  it("turns a side off with readable or writable false", function()
    local s = net.Socket({ readable = false, writable = false })
    assert.is_false(s.readable)
    assert.is_false(s.writable)
    assert.are.equal("closed", s.readyState)
  end)

  it("raises an error table for an unknown signal", function()
    local e = err(net.onSignal, "SIGNOPE", function() end)
    assert.are.equal("ERR_UNKNOWN_SIGNAL", e.code)
    assert.are.equal("Unknown signal: SIGNOPE", e.message)
  end)
end)

describe("paused mode with read()", function()
  it("reads n bytes, waits for more, and gives the rest at the end", function()
    local reads = {}
    loop.run(function(t)
      local server
      server = net.createServer(function(s) s:finish("abcdefgh") end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect(server:address().port, "127.0.0.1")
        c:on("readable", function()
          while true do
            local chunk = c:read(3)
            if chunk == nil then break end
            reads[#reads + 1] = chunk
          end
          if c.readableLength > 0 and c.readableEnded == false then
            -- Fewer than 3 bytes left at the end: read() gives them.
            local rest = c:read()
            if rest then reads[#reads + 1] = rest end
          end
        end)
        c:on("end", t.expect())
        c:on("close", t.expect(function() server:close() end))
      end))
    end)
    assert.are.equal("abcdefgh", table.concat(reads))
    assert.are.equal("abc", reads[1])
  end)
end)

describe("socket options reach the kernel", function()
  -- ss shows a keepalive timer on sockets with SO_KEEPALIVE set.
  local function keepalive_timer(port)
    local f = io.popen("env -u LD_PRELOAD ss -tno state established '( sport = :" .. port
      .. " )' 2>/dev/null")
    local out = f:read("a")
    f:close()
    return out:find("timer:%(keepalive") ~= nil
  end

  it("turns keep-alive on and off with setKeepAlive", function()
    local on, off
    loop.run(function(t)
      local server
      server = net.createServer(t.expect(function(s)
        local port = server:address().port
        assert.are.equal(s, s:setKeepAlive(true, 60000))
        on = keepalive_timer(port)
        s:setKeepAlive(false)
        off = keepalive_timer(port)
        s:destroy()
        server:close()
      end))
      server:listen(0, "127.0.0.1", t.expect(function()
        net.connect(server:address().port, "127.0.0.1"):on("error", function() end)
      end))
    end)
    assert.is_true(on)
    assert.is_false(off)
  end)

  it("sets keep-alive on accepted sockets with the server option", function()
    local on
    loop.run(function(t)
      local server
      server = net.createServer({ keepAlive = true, keepAliveInitialDelay = 30000 },
        t.expect(function(s)
          on = keepalive_timer(server:address().port)
          s:destroy()
          server:close()
        end))
      server:listen(0, "127.0.0.1", t.expect(function()
        net.connect(server:address().port, "127.0.0.1"):on("error", function() end)
      end))
    end)
    assert.is_true(on)
  end)
end)

describe("socket options on a Unix socket", function()
  it("connects with noDelay and keepAlive, which only TCP has", function()
    local dir = require("support.files").tmpdir()
    local path = dir .. "/s.sock"
    local got = {}
    loop.run(function(t)
      local server
      server = net.createServer(function(s) s:finish("hi") end)
      server:listen(path, t.expect(function()
        local c = net.connect({ path = path, noDelay = true, keepAlive = true })
        c:on("connect", t.expect(function() got[#got + 1] = "connect" end))
        c:on("data", function(d) got[#got + 1] = d end)
        c:on("close", t.expect(function() server:close() end))
      end))
    end)
    os.execute("rm -rf " .. dir)
    assert.are.same({ "connect", "hi" }, got)
  end)
end)

describe("an emit replaced on a socket", function()
  it("still sees every 'data' event", function()
    local names, got = {}, {}
    loop.run(function(t)
      local server
      server = net.createServer(function(s) s:finish("hello") end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect(server:address().port, "127.0.0.1")
        local original = c.emit
        c.emit = function(self, name, ...)
          names[#names + 1] = name
          return original(self, name, ...)
        end
        c:on("data", function(d) got[#got + 1] = d end)
        c:on("close", t.expect(function() server:close() end))
      end))
    end)
    assert.are.equal("hello", table.concat(got))
    local datas = 0
    for _, n in ipairs(names) do if n == "data" then datas = datas + 1 end end
    assert.are.equal(#got, datas)
  end)
end)
