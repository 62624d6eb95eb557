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
