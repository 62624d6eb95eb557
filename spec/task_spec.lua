-- uvnet.task, the sequential style: every operation against real sockets,
-- over TCP on loopback and over Unix sockets in a temporary directory.
local net = require("uvnet")
local task = require("uvnet.task")
local core = require("uvnet.core")
local loop = require("support.loop")
local blackhole = require("support.blackhole")

local rep, char, concat = string.rep, string.char, table.concat

-- Runs fn(t) as a task under the spec loop; the test fails if the task
-- fails (its error stops the loop) or does not finish.
local function intask(fn, opts)
  loop.run(function(t)
    net.spawn(fn, t):on("done", t.expect())
  end, opts)
end

-- Inside a task: a connected TCP pair (a: accepted, b: client), through
-- listen, connect and accept.  Options go to the server and the client.
local function tcppair(opts)
  local server <close> = task.listen(net.createServer(opts), 0, "127.0.0.1")
  local b = task.connect({ port = server:address().port, host = "127.0.0.1",
    allowHalfOpen = opts and opts.allowHalfOpen })
  local a = task.accept(server)
  return a, b
end

-- A to-be-closed value that destroys the sockets given.
local function closer(...)
  local list = { ... }
  return setmetatable({}, { __close = function()
    for _, s in ipairs(list) do s:destroy() end
  end })
end

local function tempdir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. dir))
  return dir
end

local function rmdir(dir)
  os.execute("rm -rf '" .. dir .. "'")
end

-- Inside a task: a connected Unix socket pair under dir.
local function unixpair(dir)
  local server <close> = task.listen(dir .. "/pair.sock")
  local b = task.connect(dir .. "/pair.sock")
  local a = task.accept(server)
  return a, b
end

-- Sends pieces from a, one write each, with a pause between them so that
-- they arrive as separate chunks; ends a afterwards unless keep is true.
local function sendpieces(a, pieces, keep)
  return net.spawn(function()
    for i, p in ipairs(pieces) do
      if i > 1 then task.sleep(15) end
      task.write(a, p)
    end
    if not keep then task.finish(a) end
  end)
end

local function catch(f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  return err
end

describe("uvnet.task", function()
  describe("tasks", function()
    it("start on the next tick with their arguments and return results", function()
      local ran = false
      loop.run(function(t)
        local tk = net.spawn(function(a, b)
          ran = true
          return a + b, "x"
        end, 2, 3)
        assert.is_false(ran)
        assert.are.equal("pending", tk.status)
        tk:on("done", t.expect(function(sum, x)
          assert.are.equal(5, sum)
          assert.are.equal("x", x)
          assert.are.equal("done", tk.status)
        end))
      end)
      assert.is_true(ran)
    end)

    it("join another task's results, or raise its error", function()
      intask(function()
        local child = net.spawn(function()
          task.sleep(5)
          return 1, nil, 3
        end)
        assert.are.equal("pending", child.status)
        local a, b, c = child:join()
        assert.are.same({ 1, nil, 3 }, { a, b, c })
        local e = {}
        local failing = net.spawn(function()
          task.sleep(1)
          error(e)
        end)
        assert.are.equal(e, catch(failing.join, failing))
        assert.are.equal("failed", failing.status)
        assert.are.equal(e, failing.error)
        -- Joining a task that has ended returns at once.
        assert.are.equal(1, (child:join()))
        local ie = catch(task.current().join, task.current())
        assert.are.equal("ERR_INVALID_STATE", ie.code)
      end)
    end)

    it("are suspended only one at a time: others run meanwhile", function()
      local order = {}
      intask(function()
        local a = net.spawn(function()
          for i = 1, 3 do
            order[#order + 1] = "a" .. i
            task.sleep(10)
          end
        end)
        local b = net.spawn(function()
          task.sleep(5)
          for i = 1, 3 do
            order[#order + 1] = "b" .. i
            task.sleep(10)
          end
        end)
        a:join()
        b:join()
      end)
      assert.are.same({ "a1", "b1", "a2", "b2", "a3", "b3" }, order)
    end)

    it("report their status while they run and wait", function()
      intask(function()
        local me = task.current()
        assert.are.equal("running", me.status)
        local child = net.spawn(function() task.sleep(30) end)
        task.sleep(5)
        assert.are.equal("suspended", child.status)
        child:join()
        assert.are.equal("done", child.status)
      end)
      assert.is_nil(task.current())
    end)
  end)

  describe("outside a task", function()
    it("every suspending function raises ERR_UVNET_NOT_IN_TASK and does nothing", function()
      loop.run(function()
        local s, server = net.Socket(), net.Server()
        local calls = {
          { task.sleep, 1 },
          { task.connect, 9, "127.0.0.1" },
          { task.connect, s, 9, "127.0.0.1" },
          { task.listen, 0, "127.0.0.1" },
          { task.listen, server, 0, "127.0.0.1" },
          { task.accept, server },
          { task.read, s },
          { task.read, s, "l" },
          { task.write, s, "x" },
          { task.flush, s },
          { task.finish, s },
        }
        for _, c in ipairs(calls) do
          local err = catch(table.unpack(c))
          assert.are.equal("ERR_UVNET_NOT_IN_TASK", err.code)
          assert.are.equal("Error", err.name)
        end
        local tk = net.spawn(function() end)
        assert.are.equal("ERR_UVNET_NOT_IN_TASK", catch(tk.join, tk).code)
        -- Nothing was started: no socket connects, no server listens.
        assert.is_true(s.pending and not s.connecting)
        assert.is_false(server.listening)
      end)
    end)

    it("inside a coroutine of the task's own, raises ERR_UVNET_NOT_IN_TASK too", function()
      intask(function()
        local err = catch(coroutine.wrap(function() task.sleep(1) end))
        assert.are.equal("ERR_UVNET_NOT_IN_TASK", err.code)
      end)
    end)

    it("a task that yields by itself fails with ERR_UVNET_FOREIGN_YIELD", function()
      loop.run(function(t)
        local tk = net.spawn(function() coroutine.yield("mine") end)
        tk:on("error", t.expect(function(err)
          assert.are.equal("ERR_UVNET_FOREIGN_YIELD", err.code)
          assert.are.equal("failed", tk.status)
        end))
      end)
    end)
  end)

  describe("read", function()
    it("splits lines across chunks, several in one chunk, with CRLF", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        sendpieces(a, { "one\r", "\ntwo\nthree\r\nfo", "ur\n\n", "five" })
        assert.are.equal("one", task.read(b, "l"))
        assert.are.equal("two", task.read(b, "l"))
        assert.are.equal("three", task.read(b, "l"))
        assert.are.equal("four", task.read(b, "l"))
        assert.are.equal("", task.read(b, "l"))
        assert.are.equal("five", task.read(b, "l"))     -- no end of line
        assert.is_nil(task.read(b, "l"))
        assert.is_nil(task.read(b, "l"))
      end)
    end)

    it("keeps the line end with 'L' and accepts the '*l' spelling", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        sendpieces(a, { "a\r\nb", "\nc\r", "d\n" })
        assert.are.equal("a\r\n", task.read(b, "L"))
        assert.are.equal("b", task.read(b, "*l"))
        assert.are.equal("c\rd\n", task.read(b, "*L"))
        assert.is_nil(task.read(b, "L"))
      end)
    end)

    it("iterates over lines with lines()", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        sendpieces(a, { "x\ny", "\nz\n" })
        local got = {}
        for line in task.lines(b) do got[#got + 1] = line end
        assert.are.same({ "x", "y", "z" }, got)
      end)
    end)

    it("reads n bytes across chunks, fewer only at the end", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        sendpieces(a, { "abc", "defg", "hij", "k" })
        assert.are.equal("abcde", task.read(b, 5))
        assert.are.equal("fghij", task.read(b, 5))
        assert.are.equal("k", task.read(b, 5))
        assert.is_nil(task.read(b, 5))
      end)
    end)

    it("reads n bytes beyond the high-water mark", function()
      local big = rep("0123456789", 30000)          -- 300000 bytes
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        sendpieces(a, { big:sub(1, 1000), big:sub(1001) })
        assert.are.equal(big, task.read(b, #big))
        assert.is_nil(task.read(b, 1))
      end, { timeout = 10000 })
    end)

    it("reads a chunk at a time, what has arrived", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        -- The second piece leaves only once the first has been read, so
        -- the reads see them apart however slow the machine is.
        local firstread = false
        net.spawn(function()
          task.write(a, "first")
          while not firstread do task.sleep(5) end
          task.write(a, "second")
          task.finish(a)
        end)
        assert.are.equal("first", task.read(b))
        firstread = true
        assert.are.equal("second", task.read(b))
        assert.is_nil(task.read(b))
      end)
    end)

    it("reads everything with 'a', and '' once at the end", function()
      local big = rep("xyz", 200000)
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        sendpieces(a, { "head\n", big })
        assert.are.equal("head", task.read(b, "l"))
        assert.are.equal(big, task.read(b, "a"))
        assert.are.equal("", task.read(b, "a"))
        assert.is_nil(task.read(b))
        assert.is_nil(task.read(b, 0))
      end, { timeout = 10000 })
    end)

    it("waits with read(0) until there is data, and consumes none", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        sendpieces(a, { "ready" })
        assert.are.equal("", task.read(b, 0))
        assert.are.equal("ready", task.read(b, "a"))
      end)
    end)

    it("decodes with setEncoding, a character split across chunks", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        b:setEncoding("utf8")
        sendpieces(a, { "caf\xC3", "\xA9\n" })
        assert.are.equal("café", task.read(b, "l"))
        assert.is_nil(task.read(b, "l"))
      end)
    end)

    it("reads lines over a Unix socket", function()
      local dir = tempdir()
      intask(function()
        local a, b = unixpair(dir)
        local _ <close> = closer(a, b)
        sendpieces(a, { "over\na", " path\n" })
        assert.are.equal("over", task.read(b, "l"))
        assert.are.equal("a path", task.read(b, "l"))
        assert.is_nil(task.read(b, "l"))
      end)
      rmdir(dir)
    end)

    it("raises the socket's error, the same object, at once and later", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(b)
        local seen
        b:on("error", function(e) seen = e end)
        task.write(b, "unread")          -- so that a's close resets
        task.sleep(20)
        a:resetAndDestroy()
        local err = catch(task.read, b, "l")
        assert.are.equal("ECONNRESET", err.code)
        assert.are.equal("read", err.syscall)
        assert.are.equal(-104, err.errno)
        assert.are.equal(b.errored, err)
        assert.are.equal(seen, err)
        assert.are.equal(err, catch(task.read, b))
        assert.are.equal(err, catch(task.write, b, "x"))
      end)
    end)

    it("keeps an error that comes between operations for the next one", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(b)
        task.write(b, "unread")             -- b has no 'error' listener of ours
        task.sleep(20)
        a:resetAndDestroy()
        while not b.destroyed do task.sleep(1) end
        task.sleep(5)                       -- the 'error' was emitted meanwhile
        local err = catch(task.read, b)
        assert.are.equal("ECONNRESET", err.code)
        assert.are.equal(b.errored, err)
      end)
    end)

    it("raises ERR_STREAM_PREMATURE_CLOSE when the socket is destroyed first", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a)
        net.setTimeout(function() b:destroy() end, 10)
        local err = catch(task.read, b, "l")
        assert.are.equal("ERR_STREAM_PREMATURE_CLOSE", err.code)
        assert.are.equal("Premature close", err.message)
      end)
    end)

    it("times out with options.timeout, losing nothing", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        local err = catch(task.read, b, { timeout = 1 })  -- options, no format
        assert.are.equal("ETIMEDOUT", err.code)
        task.write(a, "par")
        err = catch(task.read, b, "l", { timeout = 30 })
        assert.are.equal("ETIMEDOUT", err.code)
        assert.are.equal("read", err.syscall)
        assert.are.equal("read ETIMEDOUT", err.message)
        assert.are.equal(core.errno.ETIMEDOUT, err.errno)
        task.write(a, "tial\n")
        assert.are.equal("partial", task.read(b, "l", { timeout = 1000 }))
      end)
    end)

    it("rejects bad formats, options and objects", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        assert.are.equal("ERR_INVALID_ARG_VALUE", catch(task.read, b, "n").code)
        assert.are.equal("ERR_INVALID_ARG_TYPE", catch(task.read, b, true).code)
        assert.are.equal("ERR_OUT_OF_RANGE", catch(task.read, b, -1).code)
        assert.are.equal("ERR_OUT_OF_RANGE", catch(task.read, b, 1.5).code)
        assert.are.equal("ERR_INVALID_ARG_TYPE",
          catch(task.read, b, "l", { timeout = "soon" }).code)
        assert.are.equal("ERR_INVALID_ARG_TYPE", catch(task.read, {}).code)
        assert.are.equal("ERR_INVALID_ARG_TYPE", catch(task.write, "x", "y").code)
        assert.are.equal("ERR_INVALID_ARG_TYPE", catch(task.accept, b).code)
        assert.are.equal("ERR_INVALID_ARG_TYPE", catch(task.write, b, 42).code)
        task.write(a, "still fine\n")
        assert.are.equal("still fine", task.read(b, "l"))
      end)
    end)
  end)

  describe("write", function()
    it("writes 20 MB to a slow reader, waiting for 'drain'", function()
      local CHUNK, COUNT = 65536, 320
      local function piece(k) return rep(char(65 + k % 26), CHUNK) end
      local maxlen, drains, received = 0, 0, 0
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        a:on("drain", function() drains = drains + 1 end)
        local writer = net.spawn(function()
          for k = 0, COUNT - 1 do
            task.write(a, piece(k))
            if a.writableLength > maxlen then maxlen = a.writableLength end
          end
          task.finish(a)
        end)
        -- The reader checks every byte against the stream's pattern.
        local reads = 0
        while true do
          local d = task.read(b, 16384)
          if d == nil then break end
          local k = received // CHUNK
          local off = received % CHUNK
          local first = math.min(#d, CHUNK - off)
          assert(d:sub(1, first) == rep(char(65 + k % 26), first))
          if first < #d then
            assert(d:sub(first + 1) == rep(char(65 + (k + 1) % 26), #d - first))
          end
          received = received + #d
          reads = reads + 1
          if reads % 8 == 0 then task.sleep(1) end
        end
        writer:join()
      end, { timeout = 30000 })
      assert.are.equal(CHUNK * COUNT, received)
      assert.is_true(drains > 0, "the writer never had to wait")
      assert.is_true(maxlen < 65536, "writableLength reached " .. maxlen)
    end)

    it("raises ERR_STREAM_WRITE_AFTER_END and ERR_STREAM_DESTROYED", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a)
        b:finish()
        local err = catch(task.write, b, "late")
        assert.are.equal("ERR_STREAM_WRITE_AFTER_END", err.code)
        assert.are.equal(b.errored, err)
        local c = net.Socket()
        c:destroy()
        assert.are.equal("ERR_STREAM_DESTROYED", catch(task.write, c, "x").code)
      end)
    end)

    it("raises EPIPE or ECONNRESET once the peer has gone", function()
      intask(function()
        local a, b = tcppair({ allowHalfOpen = true })
        local _ <close> = closer(b)
        a:destroy()
        local err
        for _ = 1, 200 do
          local ok, e = pcall(task.write, b, rep("z", 4096))
          if not ok then
            err = e
            break
          end
          task.sleep(2)
        end
        assert.is_table(err)
        assert.is_truthy(err.code == "EPIPE" or err.code == "ECONNRESET", err.code)
        assert.are.equal(b.errored, err)
      end)
    end)

    it("finish ends the writing side and waits for 'finish'", function()
      intask(function()
        local a, b = tcppair({ allowHalfOpen = true })
        local _ <close> = closer(a, b)
        assert.are.equal(b, task.finish(b, "bye"))
        assert.is_true(b.writableFinished)
        assert.are.equal("bye", task.read(a, "a"))
        task.finish(a, "reply")             -- half-open: b still reads
        assert.are.equal("reply", task.read(b, "a"))
        assert.are.equal("ERR_STREAM_ALREADY_FINISHED", catch(task.finish, b).code)
      end)
    end)

    it("flush waits until the writes are handed to the system", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        local size = 16 * 1024 * 1024
        local drained = net.spawn(function()
          task.sleep(20)                       -- the writes queue up meanwhile
          return #task.read(a, size)
        end)
        for _ = 1, 16 do b:write(rep("q", 1024 * 1024)) end
        assert.is_true(b.writableLength > 0)
        assert.are.equal(b, task.flush(b))
        assert.are.equal(0, b.writableLength)
        assert.are.equal(size, drained:join())
      end, { timeout = 30000 })             -- 16 MiB, slow under GC stress
    end)
  end)

  describe("connect and listen", function()
    it("connect raises the error object the 'error' event carries", function()
      intask(function()
        local probe = task.listen(0, "127.0.0.1")
        local port = probe:address().port
        probe:close()
        -- Event style, for comparison.
        local evsock = net.connect(port, "127.0.0.1")
        local everr
        evsock:on("error", function(e) everr = e end)
        -- Task style, on a socket we hold.
        local s = net.Socket()
        local seen
        s:on("error", function(e) seen = e end)
        local err = catch(task.connect, s, port, "127.0.0.1")
        assert.are.equal("ECONNREFUSED", err.code)
        assert.are.equal(s.errored, err)
        assert.are.equal(seen, err)
        while everr == nil do task.sleep(1) end
        for _, k in ipairs({ "code", "errno", "syscall", "address", "port",
            "message", "name" }) do
          assert.are.equal(everr[k], err[k], k)
        end
        assert.are.equal(tostring(everr), tostring(err))
        -- Arguments are checked at once, as net.connect checks them.
        assert.are.equal("ERR_SOCKET_BAD_PORT", catch(task.connect, -1).code)
        assert.are.equal("ERR_MISSING_ARGS", catch(task.connect, {}).code)
      end)
    end)

    it("connect gives up with ETIMEDOUT at the socket's timeout", function()
      local bh = assert(blackhole.open("127.0.0.1"))
      local ok, err = pcall(intask, function()
        -- The timeout option of net.connect ...
        local e = catch(task.connect, { port = bh.port, host = "127.0.0.1",
          timeout = 60 })
        assert.are.equal("ETIMEDOUT", e.code)
        assert.are.equal("connect", e.syscall)
        assert.are.equal("127.0.0.1", e.address)
        assert.are.equal(bh.port, e.port)
        assert.are.equal(core.errno.ETIMEDOUT, e.errno)
        assert.are.equal("connect ETIMEDOUT 127.0.0.1:" .. bh.port, e.message)
        -- ... or socket:setTimeout on a socket of one's own.
        local s = net.Socket()
        s:setTimeout(40)
        local e2 = catch(task.connect, s, bh.port, "127.0.0.1")
        assert.are.equal("ETIMEDOUT", e2.code)
        assert.is_true(s.destroyed)
        assert.are.equal(e2, s.errored)
        bh:close()
      end)
      bh:close()
      assert(ok, err)
    end)

    it("connects over a Unix socket and by options", function()
      local dir = tempdir()
      intask(function()
        local server <close> = task.listen({ path = dir .. "/o.sock" })
        local c <close> = task.connect({ path = dir .. "/o.sock" })
        assert.is_false(c.pending)
        local s <close> = task.accept(server)
        task.write(c, "ping\n")
        assert.are.equal("ping", task.read(s, "l"))
        -- A socket that is connected already is returned as it is.
        assert.are.equal(c, task.connect(c, dir .. "/o.sock"))
      end)
      rmdir(dir)
    end)

    it("listen raises EADDRINUSE as the 'error' event carries it", function()
      intask(function()
        local holder <close> = task.listen(0, "127.0.0.1")
        local port = holder:address().port
        local ev = net.createServer()
        local everr
        ev:on("error", function(e) everr = e end)
        ev:listen(port, "127.0.0.1")
        local err = catch(task.listen, port, "127.0.0.1")
        assert.are.equal("EADDRINUSE", err.code)
        assert.are.equal("listen", err.syscall)
        while everr == nil do task.sleep(1) end
        assert.are.equal(everr.message, err.message)
        assert.are.equal(everr.errno, err.errno)
        -- The same server can listen again elsewhere.
        local server = net.createServer()
        catch(task.listen, server, port, "127.0.0.1")
        assert.are.equal(server, task.listen(server, 0, "127.0.0.1"))
        assert.is_true(server.listening)
        server:close()
      end)
    end)
  end)

  describe("accept", function()
    it("returns several connections, queued while no task waits", function()
      intask(function()
        local server <close> = task.listen(0, "127.0.0.1")
        local port = server:address().port
        local clients = {}
        for i = 1, 4 do
          clients[i] = net.spawn(function()
            local c <close> = task.connect(port, "127.0.0.1")
            task.write(c, "client " .. i .. "\n")
            return task.read(c, "l")
          end)
        end
        task.sleep(50)                      -- all four arrive meanwhile
        local seen = {}
        for _ = 1, 4 do
          local s <close> = task.accept(server, { timeout = 1000 })
          local id = task.read(s, "l")
          seen[#seen + 1] = id
          task.write(s, "hello " .. id .. "\n")
        end
        table.sort(seen)
        assert.are.same({ "client 1", "client 2", "client 3", "client 4" }, seen)
        for i = 1, 4 do
          assert.are.equal("hello client " .. i, clients[i]:join())
        end
      end)
    end)

    it("waits for a connection over a Unix socket", function()
      local dir = tempdir()
      intask(function()
        local server <close> = task.listen(dir .. "/acc.sock")
        net.spawn(function()
          task.sleep(20)
          local c <close> = task.connect(dir .. "/acc.sock")
          task.finish(c, "late\n")
        end)
        local s <close> = task.accept(server)
        assert.are.equal("late", task.read(s, "l"))
      end)
      rmdir(dir)
    end)

    it("returns nil to a waiting task once the server closes", function()
      local closed = false
      intask(function()
        local server = task.listen(0, "127.0.0.1")
        server:on("close", function() closed = true end)
        local waiter = net.spawn(function() return task.accept(server) end)
        task.sleep(10)
        assert.are.equal("suspended", waiter.status)
        server:close()
        assert.is_nil(waiter:join())
        assert.is_nil(task.accept(server))
      end)
      assert.is_true(closed)
    end)

    it("destroys the connections still queued when the server closes", function()
      local closed = false
      intask(function()
        local server = task.listen(0, "127.0.0.1")
        server:on("close", function() closed = true end)
        local port = server:address().port
        local ends = {}
        for i = 1, 3 do
          ends[i] = net.spawn(function()
            local c <close> = task.connect(port, "127.0.0.1")
            local ok, v = pcall(task.read, c, "a")
            return ok and v or v.code
          end)
        end
        task.sleep(40)
        local first = task.accept(server)
        server:close()                      -- two are still queued
        assert.is_nil(task.accept(server))
        first:destroy()
        for i = 1, 3 do
          local o = ends[i]:join()
          assert.is_truthy(o == "" or o == "ECONNRESET", tostring(o))
        end
      end)
      assert.is_true(closed)
    end)

    it("raises an error the server emits, in the waiting task or the next", function()
      intask(function()
        local server <close> = task.listen(0, "127.0.0.1")
        local e1, e2 = { code = "EMFILE" }, { code = "ENFILE" }
        local waiter = net.spawn(function() return task.accept(server) end)
        task.sleep(5)
        server:emit("error", e1)
        assert.are.equal(e1, catch(waiter.join, waiter))
        server:emit("error", e2)            -- nobody waits: kept for the next
        assert.are.equal(e2, catch(task.accept, server))
        assert.is_true(server.listening)
      end)
    end)

    it("times out, and refuses a server that does not listen", function()
      intask(function()
        local server <close> = task.listen(0, "127.0.0.1")
        local err = catch(task.accept, server, { timeout = 20 })
        assert.are.equal("ETIMEDOUT", err.code)
        assert.are.equal("accept", err.syscall)
        local idle = net.createServer()
        assert.are.equal("ERR_SERVER_NOT_RUNNING", catch(task.accept, idle).code)
      end)
    end)
  end)

  describe("two tasks on one socket pair", function()
    it("one reads while the other writes", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        a:pipe(a)                                  -- an echo, event style
        local writer = net.spawn(function()
          for i = 1, 200 do task.write(b, "line " .. i .. "\n") end
        end)
        for i = 1, 200 do
          assert.are.equal("line " .. i, task.read(b, "l"))
        end
        writer:join()
      end)
    end)

    it("two readers share the lines, none lost or repeated", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        local got = {}
        local function reader(name)
          return net.spawn(function()
            local n = 0
            for line in task.lines(b) do
              got[#got + 1] = tonumber(line:match("^(%d+) "))
              assert(line:match(" (%a+)$") == "ok", line)
              n = n + 1
              if n % 7 == 0 then task.sleep(1) end
            end
            return name, n
          end)
        end
        local r1, r2 = reader("r1"), reader("r2")
        for i = 1, 300 do
          task.write(a, i .. " ok\n")
          if i % 50 == 0 then task.sleep(2) end
        end
        task.finish(a)
        local _, n1 = r1:join()
        local _, n2 = r2:join()
        assert.are.equal(300, n1 + n2)
        assert.is_true(n1 > 0 and n2 > 0)
        table.sort(got)
        for i = 1, 300 do assert.are.equal(i, got[i]) end
      end)
    end)
  end)

  describe("mixing events and tasks", function()
    it("event listeners still hear 'end' and 'close' of a socket a task reads", function()
      local heard = {}
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a)
        b:on("end", function() heard[#heard + 1] = "end" end)
        b:on("close", function() heard[#heard + 1] = "close" end)
        sendpieces(a, { "only\n" })
        assert.are.equal("only", task.read(b, "l"))
        assert.is_nil(task.read(b, "l"))
        while not b.closed do task.sleep(1) end
        task.sleep(5)
      end)
      assert.are.same({ "end", "close" }, heard)
    end)

    it("a task writes while a 'data' listener reads the same socket", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        a:pipe(a)
        local got = {}
        b:on("data", function(d) got[#got + 1] = d end)
        b:write("1")
        task.write(b, "2")
        b:write("3")
        task.write(b, "4")
        while #concat(got) < 4 do task.sleep(1) end
        assert.are.equal("1234", concat(got))
        assert.are.equal(true, b.readableFlowing)
      end)
    end)

    it("a flowing socket cannot be read until it is paused", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        local got = {}
        local function ondata(d) got[#got + 1] = d end
        b:on("data", ondata)
        task.write(a, "to events\n")
        local err = catch(task.read, b, "l")
        assert.are.equal("ERR_UVNET_SOCKET_FLOWING", err.code)
        while #got == 0 do task.sleep(1) end
        b:pause()
        b:removeListener("data", ondata)
        task.write(a, "to the task\n")
        assert.are.equal("to the task", task.read(b, "l"))
        assert.are.equal("to events\n", concat(got))
      end)
    end)

    it("a task's read waiting when the socket starts flowing raises, and loses nothing", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        task.write(a, "head\nbody-1 ")
        assert.are.equal("head", task.read(b, "l"))
        local waiting = net.spawn(function() return task.read(b, "l") end)
        task.sleep(30)                       -- it holds "body-1 ", no line yet
        local got = {}
        b:on("data", function(d) got[#got + 1] = d end)
        b:resume()                           -- over to events
        local err = catch(waiting.join, waiting)
        assert.are.equal("ERR_UVNET_SOCKET_FLOWING", err.code)
        task.finish(a, "body-2")
        while not b.readableEnded do task.sleep(1) end
        assert.are.equal("body-1 body-2", concat(got))
      end)
    end)

    it("hands held bytes to pipe() after a task read", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        local c, d = tcppair()
        local _ <close> = closer(c, d)
        task.write(a, "GET\nrest of it, ")
        assert.are.equal("GET", task.read(b, "l"))
        b:pipe(c)
        task.finish(a, "and the end")
        assert.are.equal("rest of it, and the end", task.read(d, "a"))
      end)
    end)

    it("held() gives what the task layer holds", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        task.write(a, "one\ntwo")
        assert.are.equal("one", task.read(b, "l"))
        task.sleep(10)
        assert.are.equal("two", task.held(b))
        assert.are.equal("", task.held(b))
        assert.are.equal("", task.held(net.Socket()))
      end)
    end)

    it("an event-style server serves a task client", function()
      loop.run(function(t)
        local server = net.createServer(function(c)
          c:setEncoding("utf8")
          c:on("data", function(d) c:write(d:upper()) end)
          c:on("end", function() c:finish() end)
        end)
        server:listen(0, "127.0.0.1", function()
          net.spawn(function()
            local s <close> = task.connect(server:address().port, "127.0.0.1")
            task.write(s, "shout\n")
            assert.are.equal("SHOUT", task.read(s, "l"))
            server:close()
          end):on("done", t.expect())
        end)
      end)
    end)
  end)

  describe("cancel", function()
    it("raises an AbortError where the task sleeps, and clears the timer", function()
      local caught
      loop.run(function(t)
        local tk = net.spawn(function()
          local ok, err = pcall(task.sleep, 60000)
          caught = err
          assert(not ok)
          return "went on"
        end)
        tk:on("done", t.expect(function(r) assert.are.equal("went on", r) end))
        net.setTimeout(function() assert.is_true(tk:cancel("stop")) end, 10)
      end, { timeout = 2000 })
      assert.are.equal("ABORT_ERR", caught.code)
      assert.are.equal("AbortError", caught.name)
      assert.are.equal("stop", caught.cause)
    end)

    it("ends a task that does not catch it as 'cancelled', without stopping the loop", function()
      intask(function()
        local tk = net.spawn(function() task.sleep(60000) end)
        task.sleep(5)
        tk:cancel()
        local err = catch(tk.join, tk)
        assert.are.equal("ABORT_ERR", err.code)
        assert.are.equal("cancelled", tk.status)
        assert.is_false(tk:cancel())
      end)
    end)

    it("cancels a task that has not started: it never runs", function()
      loop.run(function(t)
        local tk = net.spawn(t.never("the cancelled task"))
        assert.is_true(tk:cancel())
        net.spawn(function()
          assert.are.equal("ABORT_ERR", catch(tk.join, tk).code)
          assert.are.equal("cancelled", tk.status)
        end):on("done", t.expect())
      end)
    end)

    it("cancelled twice before it sees the first, it ends 'cancelled'", function()
      intask(function()
        local tk = net.spawn(function() task.sleep(60000) end)
        task.sleep(5)
        assert.is_true(tk:cancel("one"))
        assert.is_true(tk:cancel("two"))
        local err = catch(tk.join, tk)
        assert.are.equal("one", err.cause)
        assert.are.equal("cancelled", tk.status)
      end)
    end)

    it("a running task's cancel is raised at its next suspension", function()
      local steps = {}
      intask(function()
        local tk = net.spawn(function()
          task.current():cancel("self")
          steps[#steps + 1] = "still running"
          task.sleep(1)
          steps[#steps + 1] = "never"
        end)
        local err = catch(tk.join, tk)
        assert.are.equal("self", err.cause)
      end)
      assert.are.same({ "still running" }, steps)
    end)

    it("cancelling a read loses no data", function()
      intask(function()
        local a, b = tcppair()
        local _ <close> = closer(a, b)
        task.write(a, "part")
        local r = net.spawn(function() return task.read(b, "l") end)
        task.sleep(20)
        r:cancel()
        assert.are.equal("ABORT_ERR", catch(r.join, r).code)
        task.write(a, "ial\n")
        assert.are.equal("partial", task.read(b, "l"))
      end)
    end)

    it("cancelling a connect destroys the socket with the AbortError", function()
      local bh = assert(blackhole.open("127.0.0.1"))
      local ok, err = pcall(intask, function()
        local s = net.Socket()
        local c = net.spawn(function()
          return task.connect(s, bh.port, "127.0.0.1")
        end)
        task.sleep(30)
        assert.is_true(s.connecting)
        c:cancel("enough")
        local e = catch(c.join, c)
        assert.are.equal("ABORT_ERR", e.code)
        assert.are.equal("enough", e.cause)
        assert.is_true(s.destroyed)
        assert.are.equal(e, s.errored)
        bh:close()
      end)
      bh:close()
      assert(ok, err)
    end)

    it("cancels accept and join, and a task held in a <close> variable", function()
      intask(function()
        local server <close> = task.listen(0, "127.0.0.1")
        local acc = net.spawn(function() return task.accept(server) end)
        local sleeper = net.spawn(function() task.sleep(60000) end)
        local joiner = net.spawn(function() return sleeper:join() end)
        task.sleep(10)
        acc:cancel()
        joiner:cancel()
        assert.are.equal("ABORT_ERR", catch(acc.join, acc).code)
        assert.are.equal("ABORT_ERR", catch(joiner.join, joiner).code)
        assert.are.equal("suspended", sleeper.status)
        do
          local _ <close> = sleeper
        end
        assert.are.equal("ABORT_ERR", catch(sleeper.join, sleeper).code)
        -- The server still works: a connection goes to the next accept.
        net.spawn(function()
          local c <close> = task.connect(server:address().port, "127.0.0.1")
          task.finish(c, "after\n")
        end)
        local s <close> = task.accept(server)
        assert.are.equal("after", task.read(s, "l"))
      end)
    end)
  end)

  describe("errors that no one handles", function()
    after_each(function() loop.cleanup() end)

    it("stop net.run with the same table and a traceback into the task", function()
      local e = { code = "E_TASK" }
      local line
      net.spawn(function()
        task.sleep(1)
        line = debug.getinfo(1, "l").currentline + 1
        error(e)
      end)
      local ok, err = pcall(net.run)
      assert.is_false(ok)
      assert.are.equal(e, err)
      assert.is_string(err.stack)
      assert.is_truthy(err.stack:find("task_spec.lua:" .. line, 1, true), err.stack)
    end)

    it("stop net.run with a string error and the task's traceback", function()
      local line
      local later = false
      net.spawn(function()
        task.sleep(1)
        line = debug.getinfo(1, "l").currentline + 1
        error("kaput")
      end)
      net.spawn(function()
        task.sleep(30)
        later = true
      end)
      local ok, err = pcall(net.run)
      assert.is_false(ok)
      assert.is_truthy(err:find("kaput", 1, true))
      local first = err:match("^(.-)\nstack traceback:.-\nstack traceback:")
        or err
      assert.is_truthy(err:find("task_spec.lua:" .. line .. ": kaput", 1, true))
      assert.is_truthy(first:find("task_spec.lua:" .. line, 1, true))
      -- net.run goes on with what is left.
      net.run()
      assert.is_true(later)
    end)

    it("surface a connect error as the error object, and close <close> variables", function()
      local probe = net.createServer()
      local port
      probe:listen(0, "127.0.0.1", function()
        port = probe:address().port
        probe:close()
      end)
      net.run()
      local held
      net.spawn(function()
        local s <close> = net.Socket()
        held = s
        task.connect(s, port, "127.0.0.1")
      end)
      local ok, err = pcall(net.run)
      assert.is_false(ok)
      assert.are.equal("ECONNREFUSED", err.code)
      assert.are.equal("connect", err.syscall)
      assert.are.equal(held.errored, err)
      assert.is_true(held.destroyed)
      net.run()
      local _, all = require("uvnet.core").openhandles()
      assert.are.equal(0, all)
    end)

    it("do not stop the loop when joined or listened for", function()
      local e1, e2 = {}, {}
      local got
      loop.run(function(t)
        local a = net.spawn(function() task.sleep(1); error(e1) end)
        a:on("error", t.expect(function(err) got = err end))
        net.spawn(function()
          local b = net.spawn(function() task.sleep(1); error(e2) end)
          assert.are.equal(e2, catch(b.join, b))
        end):on("done", t.expect())
      end)
      assert.are.equal(e1, got)
    end)
  end)

  -- The scripts below run in their own lua5.4 processes, each under
  -- `timeout`, from the repository root with this process's paths.
  local function shellquote(v)
    return "'" .. tostring(v):gsub("'", "'\\''") .. "'"
  end

  local function root()
    local source = debug.getinfo(1, "S").source:gsub("^@", "")
    return source:match("^(.*)/spec/[^/]*$") or "."
  end

  -- Runs a shell script; returns its exit status and what it printed.
  local function sh(script)
    local f = io.popen(table.concat({
      "cd", shellquote(root()), "&&",
      "export LUA_PATH=" .. shellquote(package.path),
      "LUA_CPATH=" .. shellquote(package.cpath), "&&",
      "{", script, "\n} 2>&1; echo \"exit=$?\"",
    }, " "))
    local out = f:read("a")
    f:close()
    local status = tonumber(out:match("exit=(%d+)\n$"))
    return status, out:gsub("exit=%d+\n$", "")
  end

  describe("docs/sequential.md", function()
    local f = assert(io.open(root() .. "/docs/sequential.md", "rb"))
    local text = f:read("a")
    f:close()
    local blocks = {}
    for body in text:gmatch("```lua\n(%-%- run\n.-)```") do
      blocks[#blocks + 1] = body
    end

    it("has runnable examples", function()
      assert.is_true(#blocks >= 10)
    end)

    for i, body in ipairs(blocks) do
      it("example " .. i .. " runs", function()
        local name = os.tmpname()
        local out = assert(io.open(name, "wb"))
        out:write(body)
        out:close()
        local status, printed = sh("timeout -k 2 10 lua5.4 " .. shellquote(name)
          .. " </dev/null")
        os.remove(name)
        assert.are.equal(0, status, "example " .. i .. ":\n" .. body
          .. "\nprinted:\n" .. printed)
      end)
    end
  end)

  describe("examples/seq_portscan.lua", function()
    local function scanport(port, extra)
      return sh("timeout -k 2 10 lua5.4 bin/uvnet examples/seq_portscan.lua"
        .. " 127.0.0.1 " .. port .. " " .. (extra or ""))
    end

    it("tells open, closed and timed-out ports apart", function()
      local bh = assert(blackhole.open("127.0.0.1"))
      local ok, err = pcall(loop.run, function()
        -- A listener that accepts nothing itself: the kernel completes the
        -- handshakes while this process waits for the scanner.
        local open = assert(core.tcp({}))
        assert(open:bind("127.0.0.1", 0) and open:listen(16))
        local _, oport = open:sockname()
        local gone = assert(core.tcp({}))
        assert(gone:bind("127.0.0.1", 0))
        local _, cport = gone:sockname()
        gone:close()                          -- bound, never listened: refused
        local status, out = scanport(oport, "--timeout 2000")
        assert.are.equal(0, status, out)
        assert.is_truthy(out:find(oport .. "/tcp open\n", 1, true), out)
        assert.is_truthy(out:find("1 of 1 ports scanned: 1 open, 0 closed", 1, true), out)
        status, out = scanport(cport, "--timeout 2000")
        assert.are.equal(0, status, out)
        assert.is_truthy(out:find("0 open, 1 closed, 0 timed out, 0 failed", 1, true), out)
        status, out = scanport(bh.port, "--timeout 100")
        assert.are.equal(0, status, out)
        assert.is_truthy(out:find("0 open, 0 closed, 1 timed out", 1, true), out)
        assert.is_truthy(out:find("timed out: " .. bh.port, 1, true), out)
        open:close()
        bh:close()
      end, { timeout = 20000 })
      bh:close()
      assert(ok, err)
    end)

    it("reads a banner, from seq_ncat listening", function()
      local status, out = sh([[
        tmp=$(mktemp -d)
        printf 'SSH-2.0-uvnet\r\n' | timeout -k 2 10 lua5.4 bin/uvnet \
          examples/seq_ncat.lua -l >"$tmp/out" 2>"$tmp/err" &
        server=$!
        for _ in $(seq 100); do
          grep -q listening "$tmp/err" && break
          sleep 0.05
        done
        port=$(sed -n 's/.* port //p' "$tmp/err")
        timeout -k 2 10 lua5.4 bin/uvnet examples/seq_portscan.lua \
          127.0.0.1 "$port" --banner --timeout 2000
        wait $server
        echo "server=$?"
        rm -rf "$tmp"
      ]])
      assert.are.equal(0, status, out)
      assert.is_truthy(out:find("/tcp open  SSH%-2%.0%-uvnet\n"), out)
      assert.is_truthy(out:find("server=0", 1, true), out)
    end)

    it("stops on SIGINT in the middle of a scan, reporting what it found", function()
      local bh = assert(blackhole.open("127.0.0.1"))
      local ok, status, out = pcall(sh, [[
        lua5.4 bin/uvnet examples/seq_portscan.lua 127.0.0.1 ]] .. bh.port
          .. [[ --timeout 60000 &
        pid=$!
        sleep 0.4
        kill -INT $pid
        for _ in $(seq 100); do
          kill -0 $pid 2>/dev/null || break
          sleep 0.05
        done
        kill -KILL $pid 2>/dev/null
        wait $pid
        echo "scanner=$?"
      ]])
      bh:close()
      net.run()
      assert(ok, status)
      assert.are.equal(0, status, out)
      assert.is_truthy(out:find("got SIGINT, stopping", 1, true), out)
      assert.is_truthy(out:find("0 of 1 ports scanned (interrupted)", 1, true), out)
      assert.is_truthy(out:find("scanner=0", 1, true), out)
    end)

    it("exits with status 2 on bad arguments", function()
      local status, out = sh("lua5.4 bin/uvnet examples/seq_portscan.lua 127.0.0.1 9-1")
      assert.are.equal(2, status, out)
      assert.is_truthy(out:find("usage:", 1, true), out)
    end)
  end)

  describe("examples/seq_ncat.lua", function()
    local function transfer(listenargs, connectargs)
      return sh([[
        tmp=$(mktemp -d)
        printf 'from the listener\n' | timeout -k 2 10 lua5.4 bin/uvnet \
          examples/seq_ncat.lua ]] .. listenargs .. [[ >"$tmp/lout" 2>"$tmp/lerr" &
        server=$!
        for _ in $(seq 100); do
          grep -q listening "$tmp/lerr" && break
          sleep 0.05
        done
        port=$(sed -n 's/.* port //p' "$tmp/lerr")
        printf 'from the client\n' | timeout -k 2 10 lua5.4 bin/uvnet \
          examples/seq_ncat.lua ]] .. connectargs .. [[ >"$tmp/cout"
        echo "client=$?"
        wait $server
        echo "server=$?"
        echo "listener got: $(cat "$tmp/lout")"
        echo "client got: $(cat "$tmp/cout")"
        cat "$tmp/lerr"
        rm -rf "$tmp"
      ]])
    end

    it("copies both ways over TCP, listening and connecting", function()
      local status, out = transfer("-l 0 127.0.0.1", '127.0.0.1 "$port"')
      assert.are.equal(0, status, out)
      assert.is_truthy(out:find("client=0\nserver=0\n", 1, true), out)
      assert.is_truthy(out:find("listener got: from the client\n", 1, true), out)
      assert.is_truthy(out:find("client got: from the listener\n", 1, true), out)
      assert.is_truthy(out:find("listening on 127.0.0.1 port %d+"), out)
    end)

    it("copies both ways over a Unix socket", function()
      local dir = tempdir()
      local path = dir .. "/ncat.sock"
      local status, out = transfer("-l -U " .. path, "-U " .. path)
      rmdir(dir)
      assert.are.equal(0, status, out)
      assert.is_truthy(out:find("client=0\nserver=0\n", 1, true), out)
      assert.is_truthy(out:find("listener got: from the client\n", 1, true), out)
      assert.is_truthy(out:find("client got: from the listener\n", 1, true), out)
      assert.is_truthy(out:find("listening on " .. path, 1, true), out)
    end)

    it("exits cleanly on SIGTERM while listening and while connected", function()
      local status, out = sh([[
        # Signals pid, waits up to 5 s for it to exit, then kills it.
        stop() {
          kill -"$2" "$1"
          for _ in $(seq 100); do
            kill -0 "$1" 2>/dev/null || break
            sleep 0.05
          done
          kill -KILL "$1" 2>/dev/null
          wait "$1"
        }
        tmp=$(mktemp -d)
        lua5.4 bin/uvnet examples/seq_ncat.lua -l </dev/null >/dev/null \
          2>"$tmp/err" &
        pid=$!
        for _ in $(seq 100); do
          grep -q listening "$tmp/err" && break
          sleep 0.05
        done
        stop $pid TERM
        echo "listening=$?"
        mkfifo "$tmp/in"
        sleep 5 >"$tmp/in" &
        keep=$!
        lua5.4 bin/uvnet examples/seq_ncat.lua -l <"$tmp/in" >/dev/null \
          2>"$tmp/err2" &
        pid=$!
        for _ in $(seq 100); do
          grep -q listening "$tmp/err2" && break
          sleep 0.05
        done
        port=$(sed -n 's/.* port //p' "$tmp/err2")
        sleep 2 | timeout -k 2 10 lua5.4 bin/uvnet examples/seq_ncat.lua \
          127.0.0.1 "$port" >/dev/null &
        client=$!
        sleep 0.3
        stop $pid TERM
        echo "connected=$?"
        wait $client
        echo "client=$?"
        kill $keep
        rm -rf "$tmp"
      ]])
      assert.are.equal(0, status, out)
      assert.is_truthy(out:find("listening=0\n", 1, true), out)
      assert.is_truthy(out:find("connected=0\n", 1, true), out)
      assert.is_truthy(out:find("client=0\n", 1, true), out)
    end)

    it("reports a refused connect with status 1", function()
      local status, out = sh("lua5.4 bin/uvnet examples/seq_ncat.lua 127.0.0.1 1 </dev/null")
      assert.are.equal(1, status, out)
      assert.is_truthy(out:find("ECONNREFUSED", 1, true), out)
    end)
  end)
end)
