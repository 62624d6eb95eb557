-- An error raised in each kind of callback stops the loop and comes out of
-- net.run() with the traceback of the function that raised it; the loop
-- and the handles that were open stay usable afterwards.
--
-- Each spec runs the loop by hand until it raises, checks what was raised,
-- then finishes the scenario in support.loop's run (which fails on a
-- handle left open or an expected callback never called), and last shows
-- that a new server, client and timer still work.
local net = require("uvnet")
local dns = require("uvnet.dns")
local loop = require("support.loop")

local HOST = "127.0.0.1"
local FILE = "spec/callback_errors_spec.lua"

-- The line it is called from: `line = here(); error(e)` keeps both on one
-- line, so the traceback must name it.
local function here()
  return debug.getinfo(2, "l").currentline
end

-- Runs the loop until it raises, and returns what it raised.
local function raised()
  local ok, err = pcall(net.run)
  assert(not ok, "net.run() returned instead of raising")
  return err
end

-- The traceback names this file's line as a frame, below the text.
local function names(stack, text, line)
  assert.are.equal("string", type(stack))
  assert.are.equal(1, (stack:find(text, 1, true)))
  local at = stack:find("\nstack traceback:\n", 1, true)
  assert.truthy(at, stack)
  assert.truthy(stack:find(FILE .. ":" .. line .. ": in ", at, true), stack)
end

-- A raised table: the same value, with the traceback as `stack`.
local function istable(err, want, line)
  assert.are.equal(want, err)
  names(err.stack, tostring(want), line)
end

-- A raised string: the message (with its position) and the traceback.
local function isstring(err, message, line)
  names(err, FILE .. ":" .. line .. ": " .. message, line)
end

-- A new server, client and timer work from start to end.
local function usable()
  loop.run(function(t)
    net.setTimeout(t.expect(), 1)
    net.setImmediate(t.expect())
    net.nextTick(t.expect())
    local server
    server = net.createServer(function(c)
      c:on("data", function(d) c:finish(d:upper()) end)
    end)
    server:listen(0, HOST, t.expect(function()
      local got = {}
      local c = net.connect(server:address().port, HOST)
      c:on("data", function(d) got[#got + 1] = d end)
      c:on("end", t.expect(function()
        assert.are.equal("STILL HERE", table.concat(got))
      end))
      c:on("close", t.expect(function() server:close(t.expect()) end))
      c:write("still here")
    end))
  end)
end

describe("an error raised in a callback", function()
  after_each(function() loop.cleanup() end)

  it("comes from a 'connection' listener; the server and both ends still work",
    function()
      local boom = { name = "Error", code = "EBOOM", message = "from connection" }
      local line, accepted, client
      local server = net.createServer(function(s)
        accepted = s
        line = here(); error(boom)
      end)
      server:listen(0, HOST, function()
        client = net.connect(server:address().port, HOST)
      end)
      istable(raised(), boom, line)
      assert.is_true(server.listening)
      loop.run(function(t)
        -- The accepted socket reads, answers and ends; the server closes
        -- once its connection has.
        accepted:on("data", t.expect(function(d) accepted:finish(d .. "!") end))
        local got = {}
        client:on("data", function(d) got[#got + 1] = d end)
        client:on("close", t.expect(function()
          assert.are.equal("ping!", table.concat(got))
        end))
        client:write("ping")
        server:close(t.expect(function(err) assert.is_nil(err) end))
      end)
      usable()
    end)

  it("comes from a 'data' listener; the socket reads on and ends", function()
    local line
    local chunks = {}
    local client, peer, server
    server = net.createServer(function(s)
      peer = s
      s:write("one")
    end)
    server:listen(0, HOST, function()
      client = net.connect(server:address().port, HOST)
      client:on("data", function(d)
        chunks[#chunks + 1] = d
        if #chunks == 1 then line = here(); error("boom in data") end
      end)
    end)
    isstring(raised(), "boom in data", line)
    assert.are.same({ "one" }, chunks)
    loop.run(function(t)
      client:on("end", t.expect(function()
        assert.are.same({ "one", "two" }, chunks)
        assert.are.equal(6, client.bytesRead)
      end))
      client:on("close", t.expect(function() server:close(t.expect()) end))
      peer:finish("two")
    end)
    usable()
  end)

  it("comes from a write callback; the others batched with it still run once",
    function()
      local boom = { name = "Error", code = "EWRITECB", message = "from a write callback" }
      local line
      local calls = { a = 0, b = 0, c = 0, finish = 0 }
      local server = net.createServer(function(s)
        s:on("data", function() end)
        s:on("end", function() s:finish() end)
      end)
      local client
      server:listen(0, HOST, function()
        client = net.connect(server:address().port, HOST)
        client:on("connect", function()
          -- The kernel takes each write at once, so all three callbacks
          -- and end()'s are due in the same tick.
          client:write("a", function()
            calls.a = calls.a + 1
            line = here(); error(boom)
          end)
          client:write("b", function() calls.b = calls.b + 1 end)
          client:write("c", function() calls.c = calls.c + 1 end)
          client:finish(function() calls.finish = calls.finish + 1 end)
        end)
      end)
      istable(raised(), boom, line)
      loop.run(function(t)
        client:on("close", t.expect(function() server:close(t.expect()) end))
      end)
      assert.are.same({ a = 1, b = 1, c = 1, finish = 1 }, calls)
      usable()
    end)

  it("comes from a lone write callback; 'finish' and end()'s callback follow",
    function()
      local boom = { name = "Error", code = "EWRITECB", message = "a lone write" }
      local line
      local calls = { write = 0, finish = 0, endcb = 0 }
      local server = net.createServer(function(s)
        s:on("data", function() end)
        s:on("end", function() s:finish() end)
      end)
      local client
      server:listen(0, HOST, function()
        client = net.connect(server:address().port, HOST)
        client:on("connect", function()
          -- 8 MiB is more than the kernel takes at once: the write completes
          -- later, alone, and end() waits for it.
          client:write(("x"):rep(8 * 1024 * 1024), function()
            calls.write = calls.write + 1
            line = here(); error(boom)
          end)
          client:finish(function() calls.endcb = calls.endcb + 1 end)
        end)
        client:on("finish", function() calls.finish = calls.finish + 1 end)
      end)
      istable(raised(), boom, line)
      loop.run(function(t)
        client:on("close", t.expect(function() server:close(t.expect()) end))
      end)
      assert.are.same({ write = 1, finish = 1, endcb = 1 }, calls)
      usable()
    end)

  it("comes from a timer; timers due with it, immediates and intervals go on",
    function()
      local line
      local order = {}
      net.setTimeout(function()
        order[#order + 1] = "first"
        line = here(); error("boom in a timer")
      end, 5)
      net.setTimeout(function() order[#order + 1] = "second" end, 5)
      net.setImmediate(function() order[#order + 1] = "immediate" end)
      isstring(raised(), "boom in a timer", line)
      -- A timer due in the same pass may run before net.run() returns (as
      -- I/O callbacks do); either way it runs once.
      assert.are.same({ "immediate", "first" }, { order[1], order[2] })
      net.run()
      assert.are.same({ "immediate", "first", "second" }, order)

      -- An interval that raises can still be cleared afterwards.
      local n = 0
      local iv = net.setInterval(function()
        n = n + 1
        line = here(); error({ code = "EINTERVAL", message = "tick " .. n })
      end, 2)
      local err = raised()
      assert.are.equal("tick 1", err.message)
      names(err.stack, tostring(err), line)
      net.clearInterval(iv)
      assert.is_false(net.run())
      assert.are.equal(1, n)

      -- An immediate that raises: the ones queued after it run next time.
      local ran = {}
      net.setImmediate(function() line = here(); error("boom in an immediate") end)
      net.setImmediate(function() ran[#ran + 1] = "after" end)
      isstring(raised(), "boom in an immediate", line)
      net.run()
      assert.are.same({ "after" }, ran)
      usable()
    end)

  it("comes from a custom lookup's answer; the socket can be destroyed", function()
    local line
    local c = net.connect({ port = 9, host = "db.test", autoSelectFamily = false,
      lookup = function(_, _, cb) net.setImmediate(cb, nil, "127.0.0.9", 4) end })
    c:on("lookup", function(err, address)
      assert.is_nil(err)
      assert.are.equal("127.0.0.9", address)
      line = here(); error("boom in lookup")
    end)
    isstring(raised(), "boom in lookup", line)
    assert.is_true(c.connecting)
    loop.run(function(t)
      c:on("connect", t.never("connect"))
      c:on("close", t.expect())
      c:destroy()
    end)
    usable()
  end)

  it("comes from a lookup answered by the resolver; the socket can be destroyed",
    function()
      local line
      dns.lookup("localhost", {}, function(err)
        assert.is_nil(err)
        line = here(); error({ code = "ERESOLVED", message = "from the resolver" })
      end)
      local err = raised()
      assert.are.equal("ERESOLVED", err.code)
      names(err.stack, tostring(err), line)

      -- The same through net.connect by name, with the error in 'lookup':
      -- as in Node, where the throw ends emitLookup, no connect follows, and
      -- the socket waits until destroyed.
      local server = net.createServer(function(s) s:destroy() end)
      local c
      server:listen(0, HOST, function()
        c = net.connect({ port = server:address().port, host = "localhost", family = 4 })
        c:once("lookup", function() line = here(); error("boom after the resolver") end)
      end)
      isstring(raised(), "boom after the resolver", line)
      assert.is_true(c.connecting)
      loop.run(function(t)
        c:on("connect", t.never("connect"))
        c:on("close", t.expect(function() server:close(t.expect()) end))
        c:destroy()
      end)
      usable()
    end)

  it("comes from a 'close' listener; the other listeners and the server go on",
    function()
      local line
      local server = net.createServer(function(s) s:destroy() end)
      local client
      local later = 0
      server:listen(0, HOST, function()
        client = net.connect(server:address().port, HOST)
        client:on("close", function() line = here(); error("boom in close") end)
      end)
      isstring(raised(), "boom in close", line)
      assert.is_true(client.destroyed)
      loop.run(function(t)
        -- The server still accepts, and closes once asked.
        local again = net.connect(server:address().port, HOST)
        again:on("close", t.expect(function()
          later = later + 1
          server:close(t.expect())
        end))
      end)
      assert.are.equal(1, later)

      -- A server's own 'close' listener.
      local s2 = net.createServer()
      s2:on("close", function() line = here(); error("boom in server close") end)
      s2:listen(0, HOST, function() s2:close() end)
      isstring(raised(), "boom in server close", line)
      assert.is_false(s2.listening)
      assert.is_false(net.run())
      usable()
    end)

  it("comes from 'listening' and 'connect' listeners", function()
    local line
    local server = net.createServer(function(s) s:finish() end)
    server:on("listening", function() line = here(); error("boom in listening") end)
    server:listen(0, HOST)
    isstring(raised(), "boom in listening", line)
    assert.is_true(server.listening)
    local c = net.connect(server:address().port, HOST)
    c:on("connect", function() line = here(); error("boom in connect") end)
    isstring(raised(), "boom in connect", line)
    loop.run(function(t)
      c:on("end", t.expect())
      c:on("close", t.expect(function() server:close(t.expect()) end))
      c:resume()
    end)
    usable()
  end)
end)
