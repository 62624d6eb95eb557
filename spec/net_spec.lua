-- The first slice of net over real sockets: a server, a client, data both
-- ways, half-close and close, on TCP loopback and on a Unix socket.
local net = require("uvnet")
local loop = require("support.loop")
local node = require("support.node")

local function tmpsock()
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir -p " .. dir)
  return dir .. "/s.sock", dir
end

describe("net (first slice)", function()
  it("echoes over TCP with Node's event order", function()
    local trace = {}
    local function log(s) trace[#trace + 1] = s end
    loop.run(function(t)
      local server = net.createServer(t.expect(function(c)
        assert.are.equal("127.0.0.1", c.remoteAddress)
        c:on("data", function(d) c:write(d) end)
        c:on("end", t.expect(function() log("server: client ended") end))
        c:on("close", t.expect(function(he) log("server: close " .. tostring(he)) end))
      end))
      server:listen(0, "127.0.0.1", t.expect(function()
        local port = server:address().port
        assert.are.equal("integer", math.type(port))
        local c = net.connect(port, "127.0.0.1", t.expect(function()
          log("client: connect")
        end))
        assert.is_true(c.connecting)
        c:on("ready", t.expect(function() log("ready") c:write("hello") end))
        c:on("data", t.expect(function(d)
          log("client got " .. d)
          c:finish()
        end))
        c:on("end", t.expect(function() log("client: end") end))
        c:on("finish", t.expect(function() log("client: finish") end))
        c:on("close", t.expect(function(he)
          log("client: close " .. tostring(he))
          assert.are.equal(5, c.bytesRead)
          assert.are.equal(5, c.bytesWritten)
          assert.are.equal("closed", c.readyState)
          server:close(t.expect(function(err)
            assert.is_nil(err)
            log("server closed")
          end))
        end))
      end))
    end)
    assert.are.same({ "client: connect", "ready", "client got hello",
      "client: finish", "server: client ended", "server: close false",
      "client: end", "client: close false", "server closed" }, trace)
  end)

  it("gives the same trace as Node 22 for the echo exchange #diff", function()
    local js = [[
      const net = require('net');
      const server = net.createServer(c => { c.on('data', d => c.write(d));
        c.on('end', () => console.log('server: end'));
        c.on('close', he => console.log('server: close ' + he)); });
      server.listen(0, '127.0.0.1', () => {
        const c = net.connect(server.address().port,
          '127.0.0.1',
          () => console.log('connect'));
        c.on('ready', () => { console.log('ready'); c.write('ping'); });
        c.on('data', d => { console.log('data ' + d); c.end(); });
        c.on('end', () => console.log('end'));
        c.on('finish', () => console.log('finish'));
        c.on('close', he => { console.log('close ' + he);
          server.close(() => console.log('server closed')); });
      });
    ]]
    local expected = node.run(js)
    local out = {}
    local function log(s) out[#out + 1] = s end
    loop.run(function()
      local server = net.createServer(function(c)
        c:on("data", function(d) c:write(d) end)
        c:on("end", function() log("server: end") end)
        c:on("close", function(he) log("server: close " .. tostring(he)) end)
      end)
      server:listen(0, "127.0.0.1", function()
        local c = net.connect(server:address().port, "127.0.0.1",
          function() log("connect") end)
        c:on("ready", function() log("ready") c:write("ping") end)
        c:on("data", function(d) log("data " .. d) c:finish() end)
        c:on("end", function() log("end") end)
        c:on("finish", function() log("finish") end)
        c:on("close", function(he)
          log("close " .. tostring(he))
          server:close(function() log("server closed") end)
        end)
      end)
    end)
    assert.are.equal(expected, table.concat(out, "\n") .. "\n")
  end)

  it("gives Node 22's trace when the server ends first #diff", function()
    -- The client never writes: its end() must still complete.
    local expected = node.run([[
      const net = require('net');
      const server = net.createServer(c => {
        for (const e of ['end', 'finish', 'close'])
          c.on(e, x => console.log('S ' + e + ' ' + x));
        c.end('welcome');
      });
      server.listen(0, '127.0.0.1', () => {
        const c = net.connect(server.address().port, '127.0.0.1');
        for (const e of ['connect', 'end', 'finish', 'close'])
          c.on(e, x => console.log('C ' + e + ' ' + x));
        c.on('data', d => console.log('data ' + d));
        c.on('close', () => server.close());
      });
    ]])
    local out = {}
    local function log(...)
      local parts = {}
      for i = 1, select("#", ...) do
        local v = select(i, ...)
        parts[i] = v == nil and "undefined" or tostring(v)
      end
      out[#out + 1] = table.concat(parts, " ")
    end
    loop.run(function()
      local server = net.createServer(function(c)
        for _, e in ipairs({ "end", "finish", "close" }) do
          c:on(e, function(x) log("S", e, x) end)
        end
        c:finish("welcome")
      end)
      server:listen(0, "127.0.0.1", function()
        local c = net.connect(server:address().port, "127.0.0.1")
        for _, e in ipairs({ "connect", "end", "finish", "close" }) do
          c:on(e, function(x) log("C", e, x) end)
        end
        c:on("data", function(d) log("data", d) end)
        c:on("close", function() server:close() end)
      end)
    end)
    assert.are.equal(expected, table.concat(out, "\n") .. "\n")
  end)

  it("echoes over a Unix socket and removes its path on close", function()
    local path, dir = tmpsock()
    loop.run(function(t)
      local server = net.createServer(function(c) c:pipe(c) end)
      server:listen(path, t.expect(function()
        assert.are.equal(path, server:address())
        local c = net.connect(path)
        c:on("connect", t.expect(function() c:finish("over unix") end))
        local got = {}
        c:on("data", function(d) got[#got + 1] = d end)
        c:on("end", t.expect(function()
          assert.are.equal("over unix", table.concat(got))
        end))
        c:on("close", t.expect(function() server:close() end))
      end))
    end)
    assert.is_nil(io.open(path))
    os.execute("rm -rf " .. dir)
  end)

  it("reports ECONNREFUSED as an 'error' then 'close'", function()
    local trace = {}
    loop.run(function(t)
      local server = net.createServer()
      server:listen(0, "127.0.0.1", t.expect(function()
        local port = server:address().port
        server:close(t.expect(function()
          local c = net.connect(port, "127.0.0.1")
          c:on("error", t.expect(function(err)
            trace[#trace + 1] = "error"
            assert.are.equal("ECONNREFUSED", err.code)
            assert.are.equal("connect", err.syscall)
            assert.are.equal(port, err.port)
            assert.are.equal("connect ECONNREFUSED 127.0.0.1:" .. port, err.message)
          end))
          c:on("close", t.expect(function(he)
            trace[#trace + 1] = "close " .. tostring(he)
          end))
        end))
      end))
    end)
    assert.are.same({ "error", "close true" }, trace)
  end)

  it("emits EADDRINUSE from the loop with syscall, address and port",
    function()
      loop.run(function(t)
        local a = net.createServer()
        a:listen(0, "127.0.0.1", t.expect(function()
          local port = a:address().port
          local b = net.createServer()
          local sync = true
          b:on("error", t.expect(function(err)
            assert.is_false(sync)
            assert.are.same({ "EADDRINUSE", "listen", "127.0.0.1", port },
              { err.code, err.syscall, err.address, err.port })
            a:close()
          end))
          b:listen(port, "127.0.0.1")
          sync = false
        end))
      end)
    end)

  it("answers nc as a real client", function()
    local dir = os.tmpname()
    loop.run(function(t)
      local server = net.createServer(function(c) c:pipe(c) end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local port = server:address().port
        -- nc runs in the background; the loop keeps serving meanwhile.
        os.execute(("printf 'one\\ntwo\\n' | timeout 5 nc -N 127.0.0.1 %d > %s 2>&1 &")
          :format(port, dir))
        server:on("connection", t.expect(function(c)
          c:on("close", t.expect(function() server:close() end))
        end))
      end))
    end)
    local deadline = os.time() + 5
    local out
    repeat
      local f = io.open(dir)
      out = f and f:read("a") or ""
      if f then f:close() end
    until out == "one\ntwo\n" or os.time() > deadline
    os.remove(dir)
    assert.are.equal("one\ntwo\n", out)
  end)
end)
