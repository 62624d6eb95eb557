-- Name lookups and connecting by name (uvnet.dns and the connect path of
-- uvnet.socket): what spec/connect_diff_spec.lua does not compare with
-- Node line by line: timings of family autoselection, the handles it gives
-- up, the resolver helpers, and the Lua forms of the values.
--
-- No DNS server is asked: names are answered by custom lookup functions,
-- by /etc/hosts ('localhost'), or refused by the C library
-- ('no..such..host').  An address that never answers is a black hole
-- (spec/support/blackhole.lua).
local net = require("uvnet")
local dns = require("uvnet.dns")
local core = require("uvnet.core")
local loop = require("support.loop")
local blackhole = require("support.blackhole")

local function now()
  return core.hrtime() / 1e6
end

local function err(f, ...)
  local ok, e = pcall(f, ...)
  assert.is_false(ok)
  return e
end

-- A lookup answering `list` from a later turn of the loop.
local function answer(list)
  return function(_, _, cb) net.setImmediate(cb, nil, list) end
end

describe("uvnet.dns", function()
  describe("lookup", function()
    it("gives every address with all = true", function()
      loop.run(function(t)
        dns.lookup("localhost", { all = true }, t.expect(function(e, list)
          assert.is_nil(e)
          assert.are.same({ address = "127.0.0.1", family = 4 }, list[1])
          for _, a in ipairs(list) do
            assert.are.equal("integer", math.type(a.family))
          end
        end))
      end)
    end)

    it("answers an IP address from a tick, in both forms", function()
      loop.run(function(t)
        local called = false
        dns.lookup("::1", { all = true }, t.expect(function(e, list)
          called = true
          assert.is_nil(e)
          assert.are.same({ { address = "::1", family = 6 } }, list)
        end))
        dns.lookup("127.0.0.1", {}, t.expect(function(e, address, family)
          assert.is_nil(e)
          assert.are.equal("127.0.0.1", address)
          assert.are.equal(4, family)
        end))
        assert.is_false(called)
      end)
    end)

    it("turns a name the C library refuses into ENOTFOUND with Node's fields", function()
      loop.run(function(t)
        dns.lookup("no..such..host", { all = true }, t.expect(function(e, list)
          assert.is_nil(list)
          assert.are.equal("ENOTFOUND", e.code)
          assert.are.equal("getaddrinfo", e.syscall)
          assert.are.equal("no..such..host", e.hostname)
          assert.are.equal(core.errno.EAI_NONAME, e.errno)
          assert.are.equal("getaddrinfo ENOTFOUND no..such..host", e.message)
          assert.are.equal("Error: getaddrinfo ENOTFOUND no..such..host", tostring(e))
        end))
      end)
    end)

    it("maps getaddrinfo's statuses as Node's dnsException does", function()
      local e = dns.exception(core.errno.EAI_AGAIN, "example.test")
      assert.are.equal("EAI_AGAIN", e.code)
      assert.are.equal("getaddrinfo EAI_AGAIN example.test", e.message)
      assert.are.equal("ENOTFOUND", dns.exception(core.errno.EAI_NODATA, "x").code)
      assert.are.equal("ENOTFOUND", dns.exception(core.errno.EAI_MEMORY, "x").code)
    end)
  end)

  describe("the address listen() takes for a name", function()
    it("knows IPv6 link-local addresses (fe80::/10)", function()
      for _, a in ipairs({ "fe80::1", "FE80::1", "fe80::1%eth0", "febf::1",
          "fe80:0:0:0:0:0:0:1" }) do
        assert.is_true(dns.islinklocal(a), a)
      end
      for _, a in ipairs({ "fec0::1", "fe8::1", "::1", "::ffff:1.2.3.4", "127.0.0.1",
          "fe80.example", 5 }) do
        assert.is_false(dns.islinklocal(a), tostring(a))
      end
    end)

    it("is the first address that is not link-local, else the first", function()
      local a = dns.listenaddress({ { address = "fe80::1", family = 6 },
        { address = "::1", family = 6 }, { address = "127.0.0.1", family = 4 } })
      assert.are.equal("::1", a.address)
      a = dns.listenaddress({ { address = "fe80::1", family = 6 },
        { address = "fe80::2", family = 6 } })
      assert.are.equal("fe80::1", a.address)
    end)

    it("listens on what 'localhost' resolves to", function()
      loop.run(function(t)
        local server = net.createServer()
        server:listen(0, "localhost", t.expect(function()
          assert.are.equal("127.0.0.1", server:address().address)
          server:close()
        end))
      end)
    end)

    it("emits the lookup error of a name it cannot resolve", function()
      loop.run(function(t)
        local server = net.createServer()
        server:on("error", t.expect(function(e)
          assert.are.equal("ENOTFOUND", e.code)
          assert.are.equal("no..such..host", e.hostname)
        end))
        server:listen(0, "no..such..host")
      end)
    end)
  end)
end)

describe("family autoselection defaults", function()
  after_each(function()
    net.setDefaultAutoSelectFamily(true)
    net.setDefaultAutoSelectFamilyAttemptTimeout(250)
  end)

  it("start as Node's: true and 250", function()
    assert.is_true(net.getDefaultAutoSelectFamily())
    assert.are.equal(250, net.getDefaultAutoSelectFamilyAttemptTimeout())
    assert.are.equal("integer", math.type(net.getDefaultAutoSelectFamilyAttemptTimeout()))
  end)

  it("are set and checked", function()
    net.setDefaultAutoSelectFamily(false)
    assert.is_false(net.getDefaultAutoSelectFamily())
    assert.are.equal("ERR_INVALID_ARG_TYPE", err(net.setDefaultAutoSelectFamily, 1).code)
    assert.are.equal("ERR_INVALID_ARG_TYPE", err(net.setDefaultAutoSelectFamily).code)
    net.setDefaultAutoSelectFamilyAttemptTimeout(3)
    assert.are.equal(10, net.getDefaultAutoSelectFamilyAttemptTimeout())
    net.setDefaultAutoSelectFamilyAttemptTimeout(1000.0)
    assert.are.equal(1000, net.getDefaultAutoSelectFamilyAttemptTimeout())
    assert.are.equal("integer", math.type(net.getDefaultAutoSelectFamilyAttemptTimeout()))
    local e = err(net.setDefaultAutoSelectFamilyAttemptTimeout, 0)
    assert.are.equal("ERR_OUT_OF_RANGE", e.code)
    assert.are.equal("RangeError", e.name)
    assert.are.equal("ERR_INVALID_ARG_TYPE",
      err(net.setDefaultAutoSelectFamilyAttemptTimeout, "9").code)
  end)

  it("decide how a name is connected to", function()
    loop.run(function(t)
      net.setDefaultAutoSelectFamily(false)
      local c = net.connect({ port = 9, host = "db.test", lookup = t.expect(function(_, o, cb)
        assert.is_nil(o.all)
        net.setImmediate(cb, nil, "127.0.0.9", 4)
      end) })
      c:on("error", t.expect())
    end)
  end)

  it("give every attempt the default timeout", function()
    local bh = assert(blackhole.open("127.0.0.1"))
    net.setDefaultAutoSelectFamilyAttemptTimeout(20)
    loop.run(function(t)
      local started = now()
      local c = net.connect({ port = bh.port, host = "db.test", lookup = answer({
        { address = "127.0.0.1", family = 4 }, { address = "127.0.0.2", family = 4 },
        { address = "127.0.0.3", family = 4 } }) })
      c:on("connectionAttemptTimeout", t.expect(function()
        local took = now() - started
        assert.is_true(took >= 19 and took < 900, "timed out after " .. took .. " ms")
      end))
      c:on("connectionAttemptFailed", t.expect(nil, 2))
      c:on("error", t.expect(function(e)
        assert.are.equal("AggregateError", e.name)
        assert.are.same({ "ETIMEDOUT", "ECONNREFUSED", "ECONNREFUSED" },
          { e.errors[1].code, e.errors[2].code, e.errors[3].code })
      end))
      c:on("close", function() bh:close() end)
    end)
  end)
end)

describe("connecting by name with family autoselection", function()
  it("connects through the next address when the first never answers", function()
    local bh = assert(blackhole.open("127.0.0.1"))
    loop.run(function(t)
      local server = net.createServer(function(s) s:finish() end)
      server:listen(bh.port, "::1", t.expect(function()
        local started = now()
        local events = {}
        local c = net.Socket()
        for _, name in ipairs({ "connectionAttempt", "connectionAttemptTimeout",
            "connectionAttemptFailed", "connect" }) do
          c:on(name, function(ip) events[#events + 1] = name .. " " .. tostring(ip) end)
        end
        c:connect({ port = bh.port, host = "db.test", autoSelectFamilyAttemptTimeout = 100,
          lookup = answer({ { address = "127.0.0.1", family = 4 },
            { address = "::1", family = 6 } }) }, t.expect(function()
          local took = now() - started
          assert.is_true(took >= 95, "connected after " .. took .. " ms")
          -- The kernel retries a lost SYN after a second: this is the attempt timeout.
          assert.is_true(took < 900, "connected after " .. took .. " ms")
          assert.are.equal("::1", c.remoteAddress)
          assert.are.same({ "connectionAttempt 127.0.0.1", "connectionAttemptTimeout 127.0.0.1",
            "connectionAttempt ::1", "connect nil" }, events)
          assert.are.same({ "127.0.0.1:" .. bh.port, "::1:" .. bh.port },
            c.autoSelectFamilyAttemptedAddresses)
          c:finish()
        end))
        c:on("close", t.expect(function(hadError)
          assert.is_false(hadError)
          server:close()
          bh:close()
        end))
      end))
    end)
  end)

  it("gives each attempt 250 ms by default", function()
    local bh = assert(blackhole.open("127.0.0.1"))
    loop.run(function(t)
      local server = net.createServer(function(s) s:finish() end)
      server:listen(bh.port, "::1", t.expect(function()
        local started = now()
        net.connect({ port = bh.port, host = "db.test", lookup = answer({
          { address = "127.0.0.1", family = 4 }, { address = "::1", family = 6 } }) },
          t.expect(function()
            local took = now() - started
            assert.is_true(took >= 245 and took < 900, "connected after " .. took .. " ms")
          end)):on("close", t.expect(function()
            server:close()
            bh:close()
          end)):resume()
      end))
    end)
  end)

  it("takes a timeout below 10 ms as 10", function()
    local bh = assert(blackhole.open("127.0.0.1"))
    loop.run(function(t)
      local started, timedout
      local c = net.connect({ port = bh.port, host = "db.test",
        autoSelectFamilyAttemptTimeout = 1, lookup = answer({
          { address = "127.0.0.1", family = 4 }, { address = "127.0.0.2", family = 4 } }) })
      c:on("connectionAttempt", function() started = started or now() end)
      c:on("connectionAttemptTimeout", t.expect(function() timedout = now() end))
      c:on("error", t.expect(function(e)
        assert.are.same({ "ETIMEDOUT", "ECONNREFUSED" }, { e.errors[1].code, e.errors[2].code })
        assert.is_true(timedout - started >= 9, "timed out after " .. (timedout - started))
      end))
      c:on("close", function() bh:close() end)
    end)
  end)

  it("emits 'close' once, after the abandoned handles have closed", function()
    local bh = assert(blackhole.open("127.0.0.1"))
    local bh6 = assert(blackhole.open("::1", bh.port))
    loop.run(function(t)
      local c = net.connect({ port = bh.port, host = "db.test", autoSelectFamilyAttemptTimeout = 10,
        lookup = answer({ { address = "127.0.0.1", family = 4 }, { address = "::1", family = 6 },
          { address = "127.0.0.2", family = 4 } }) })
      c:on("connectionAttemptTimeout", t.expect(nil, 2))
      c:on("connectionAttemptFailed", t.expect(function(_, _, _, e)
        assert.are.equal("ECONNREFUSED", e.code)
      end))
      c:on("error", t.expect(function(e)
        assert.are.equal("ETIMEDOUT", e.code)
        assert.are.equal(3, #e.errors)
      end))
      c:on("close", t.expect(function(hadError)
        assert.is_true(hadError)
        bh:close()
        bh6:close()
      end))
    end)
  end)

  it("stops when a 'connectionAttemptTimeout' listener destroys the socket", function()
    local bh = assert(blackhole.open("127.0.0.1"))
    loop.run(function(t)
      local c = net.connect({ port = bh.port, host = "db.test", autoSelectFamilyAttemptTimeout = 10,
        lookup = answer({ { address = "127.0.0.1", family = 4 },
          { address = "::1", family = 6 } }) })
      c:on("connectionAttemptTimeout", t.expect(function() c:destroy() end))
      c:on("connectionAttempt", t.expect(nil, 1))
      c:on("connectionAttemptFailed", t.never("connectionAttemptFailed"))
      c:on("error", t.never("error"))
      c:on("close", t.expect(function(hadError)
        assert.is_false(hadError)
        bh:close()
      end))
    end)
  end)

  it("stops when a 'connectionAttempt' listener destroys the socket", function()
    loop.run(function(t)
      local c = net.connect({ port = 9, host = "db.test", lookup = answer({
        { address = "127.0.0.2", family = 4 }, { address = "::1", family = 6 } }) })
      c:on("connectionAttempt", t.expect(function() c:destroy() end))
      c:on("connectionAttemptFailed", t.never("connectionAttemptFailed"))
      c:on("close", t.expect(function()
        assert.are.same({}, c.autoSelectFamilyAttemptedAddresses)
      end))
    end)
  end)

  it("reports every failure in one AggregateError", function()
    loop.run(function(t)
      local c = net.connect({ port = 9, host = "db.test", lookup = answer({
        { address = "::1", family = 6 }, { address = "127.0.0.9", family = 4 } }) })
      c:on("error", t.expect(function(e)
        assert.are.equal("AggregateError", e.name)
        assert.are.equal("ECONNREFUSED", e.code)
        assert.are.equal("", e.message)
        assert.are.equal("AggregateError", tostring(e))
        assert.are.equal(2, #e.errors)
        assert.are.equal("connect ECONNREFUSED ::1:9", e.errors[1].message)
        assert.are.equal("127.0.0.9", e.errors[2].address)
        assert.are.same({ "::1:9", "127.0.0.9:9" }, c.autoSelectFamilyAttemptedAddresses)
      end))
    end)
  end)

  it("raises an unhandled AggregateError from the loop", function()
    local ok, e = pcall(loop.run, function()
      net.connect({ port = 9, host = "db.test", lookup = answer({
        { address = "::1", family = 6 }, { address = "127.0.0.9", family = 4 } }) })
    end)
    assert.is_false(ok)
    assert.are.equal("AggregateError", e.name)
    assert.are.equal(2, #e.errors)
  end)

  it("connects at once, with no timer, when the first address answers", function()
    loop.run(function(t)
      local server = net.createServer(function(s) s:finish() end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local port = server:address().port
        local c = net.connect({ port = port, host = "db.test", lookup = answer({
          { address = "127.0.0.1", family = 4 }, { address = "::1", family = 6 } }) })
        c:on("connect", t.expect(function()
          assert.are.same({ "127.0.0.1:" .. port }, c.autoSelectFamilyAttemptedAddresses)
        end))
        c:on("connectionAttemptTimeout", t.never("timeout"))
        c:on("close", t.expect(function() server:close() end))
        c:resume()
      end))
    end)
  end)

  it("keeps one attempt for an IP address or a single answer", function()
    loop.run(function(t)
      local server = net.createServer(function(s) s:finish() end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local port = server:address().port
        local a = net.connect({ port = port, host = "127.0.0.1", autoSelectFamily = true })
        a:on("connect", t.expect(function()
          assert.is_nil(a.autoSelectFamilyAttemptedAddresses)
        end))
        a:resume()
        local b = net.connect({ port = port, host = "localhost" })
        b:on("lookup", t.expect(function(e, ip, family, host)
          assert.is_nil(e)
          assert.are.same({ "127.0.0.1", 4, "localhost" }, { ip, family, host })
        end))
        b:on("connect", t.expect(function()
          assert.is_nil(b.autoSelectFamilyAttemptedAddresses)
        end))
        b:resume()
        local left = 2
        local function done()
          left = left - 1
          if left == 0 then server:close() end
        end
        a:on("close", done)
        b:on("close", done)
      end))
    end)
  end)

  it("can connect the same socket again after an autoselected failure", function()
    loop.run(function(t)
      local server = net.createServer(function(s) s:finish() end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local port = server:address().port
        local s = net.Socket()
        s:on("error", t.expect(function(e) assert.are.equal("AggregateError", e.name) end))
        s:once("close", t.expect(function()
          s:connect({ port = port, host = "db.test", lookup = answer({
            { address = "::1", family = 6 }, { address = "127.0.0.1", family = 4 } }) },
            t.expect(function()
              assert.are.same({ "::1:" .. port, "127.0.0.1:" .. port },
                s.autoSelectFamilyAttemptedAddresses)
              s:finish()
            end))
          s:once("close", t.expect(function() server:close() end))
        end))
        s:connect({ port = port, host = "db.test", lookup = answer({
          { address = "::1", family = 6 }, { address = "127.0.0.9", family = 4 } }) })
      end))
    end)
  end)

  it("sends what was written while connecting over the address that answered", function()
    loop.run(function(t)
      local got = {}
      local server
      server = net.createServer(function(s)
        s:on("data", function(d) got[#got + 1] = d end)
        s:on("end", t.expect(function()
          assert.are.equal("hello", table.concat(got))
          server:close()
        end))
      end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect({ port = server:address().port, host = "db.test",
          lookup = answer({ { address = "::1", family = 6 },
            { address = "127.0.0.1", family = 4 } }) })
        c:write("hel")
        c:finish("lo")
      end))
    end)
  end)
end)

describe("the lookup option", function()
  it("gets all = true and answers with a sequence of addresses", function()
    loop.run(function(t)
      local c = net.connect({ port = 9, host = "db.test",
        lookup = t.expect(function(host, o, cb)
          assert.are.equal("db.test", host)
          assert.are.same({ all = true, hints = core.AI_ADDRCONFIG }, o)
          cb(nil, { { address = "127.0.0.9", family = 4 } })
        end) })
      c:on("error", t.expect(function(e) assert.are.equal("ECONNREFUSED", e.code) end))
    end)
  end)

  it("refuses an answer that is not a sequence, as Node throws", function()
    local s = net.Socket()
    local e = err(s.connect, s, { port = 9, host = "db.test",
      lookup = function(_, _, cb) cb(nil, "127.0.0.1") end })
    assert.are.equal("ERR_INVALID_ARG_TYPE", e.code)
    e = err(s.connect, net.Socket(), { port = 9, host = "db.test",
      lookup = function(_, _, cb) cb(nil, {}) end })
    assert.are.equal("ERR_INVALID_ARG_VALUE", e.code)
    loop.cleanup()
  end)

  it("is checked only for a name", function()
    local e = err(net.connect, { port = 9, host = "db.test", lookup = "dns" })
    assert.are.equal("ERR_INVALID_ARG_TYPE", e.code)
    loop.run(function(t)
      local c = net.connect({ port = 9, host = "127.0.0.9", lookup = "dns" })
      c:on("error", t.expect())
    end)
  end)
end)

describe("connect options", function()
  it("are checked in Node's order, the host first", function()
    local e = err(net.connect, { port = 9, host = "a\0b" })
    assert.are.equal("ERR_INVALID_ARG_VALUE", e.code)
    assert.are.equal("The property 'options.host' must be a string without null bytes. "
      .. "Received 'a\\x00b'", e.message)
    e = err(net.connect, { port = "x", host = 5 })
    assert.are.equal('The "options.host" property must be of type string. '
      .. "Received type number (5)", e.message)
    e = err(net.connect, { port = 9, host = "127.0.0.1", autoSelectFamily = 1,
      localAddress = "x" })
    assert.are.equal("ERR_INVALID_IP_ADDRESS", e.code)
    e = err(net.connect, { port = 9, host = "db.test", autoSelectFamily = 1, lookup = 1 })
    assert.are.equal("options.autoSelectFamily", e.message:match('"(.-)"'))
    loop.cleanup()
  end)

  it("take a blockList only as a net.BlockList", function()
    local blocklist = require("uvnet.blocklist")
    assert.is_true(blocklist.isBlockList(net.BlockList()))
    assert.is_false(blocklist.isBlockList({}))
    assert.is_false(blocklist.isBlockList(nil))
    local e = err(net.Socket, { blockList = { check = function() return true end } })
    assert.are.equal("ERR_INVALID_ARG_TYPE", e.code)
    assert.are.equal('The "options.blockList" property must be an net.BlockList. '
      .. "Received an instance of Object", e.message)
    local bl = net.BlockList()
    assert.are.equal(bl, net.Socket({ blockList = bl }).blockList)
    assert.is_nil(net.Socket({ blockList = false }).blockList)
  end)

  it("blockList: a blocked address is refused without touching the network", function()
    loop.run(function(t)
      local bl = net.BlockList()
      bl:addSubnet("127.0.0.0", 8)
      local accepted = 0
      local server = net.createServer(function() accepted = accepted + 1 end)
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect({ port = server:address().port, host = "127.0.0.1",
          blockList = bl })
        c:on("connectionAttempt", t.expect())
        c:on("connectionAttemptFailed", t.never("connectionAttemptFailed"))
        c:on("error", t.expect(function(e)
          assert.are.equal("ERR_IP_BLOCKED", e.code)
          assert.are.equal("IP(127.0.0.1) is blocked by net.BlockList", e.message)
          assert.are.equal("Error [ERR_IP_BLOCKED]: IP(127.0.0.1) is blocked by net.BlockList",
            tostring(e))
        end))
        c:on("close", t.expect(function()
          net.setTimeout(function()
            assert.are.equal(0, accepted)
            server:close()
          end, 20)
        end))
      end))
    end)
  end)

  it("localPort in use is a bind error at once, as Node's checkBindError", function()
    loop.run(function(t)
      local server = net.createServer()
      server:listen(0, "127.0.0.1", t.expect(function()
        local port = server:address().port
        local c = net.connect({ port = port, host = "127.0.0.1", localAddress = "127.0.0.1",
          localPort = port })
        c:on("connectionAttempt", t.never("connectionAttempt"))
        c:on("error", t.expect(function(e)
          assert.are.equal("EADDRINUSE", e.code)
          assert.are.equal("bind", e.syscall)
          assert.are.equal("bind EADDRINUSE 127.0.0.1:" .. port, e.message)
        end))
        c:on("close", t.expect(function() server:close() end))
      end))
    end)
  end)
end)
