-- Timers, immediates and ticks with Node's ordering, on the real loop.
local net = require("uvnet")
local loop = require("support.loop")

describe("uvnet.timers", function()
  it("fires timers with equal delays in creation order", function()
    local got = {}
    loop.run(function(t)
      for i = 1, 5 do
        net.setTimeout(t.expect(function() got[#got + 1] = i end), 5)
      end
    end)
    assert.are.same({ 1, 2, 3, 4, 5 }, got)
  end)

  it("counts a delay from when the timer is armed", function()
    -- Time spent outside the loop must not make a timer fall due early.
    local core = require("uvnet.core")
    local fired
    loop.run(function(t)
      net.setTimeout(t.expect(), 1)
    end)
    local spin = core.hrtime() + 60 * 1000000
    while core.hrtime() < spin do end
    local armed = core.hrtime()
    loop.run(function(t)
      net.setTimeout(t.expect(function() fired = core.hrtime() end), 40)
    end)
    assert.is_true(fired - armed >= 39 * 1000000)
  end)

  it("passes extra arguments and runs intervals until cleared", function()
    local n, args = 0, nil
    loop.run(function(t)
      net.setTimeout(t.expect(function(a, b, c) args = { a, b, c } end), 1,
        "x", nil, 3)
      local iv
      iv = net.setInterval(t.expect(function()
        n = n + 1
        if n == 3 then net.clearInterval(iv) end
      end, 3), 2)
    end)
    assert.are.same({ "x", nil, 3 }, args)
    assert.are.equal(3, n)
  end)

  it("drains nextTick before immediates and immediates after I/O",
    function()
      local got = {}
      loop.run(function(t)
        local server = net.createServer(function(c) c:destroy() end)
        server:listen(0, "127.0.0.1", t.expect(function()
          local c = net.connect(server:address().port, "127.0.0.1")
          c:on("close", t.expect())
          c:on("connect", t.expect(function()
          -- Inside an I/O callback: ticks first, then the immediates, then
          -- the timer.
          net.setTimeout(t.expect(function() got[#got + 1] = "timeout" end), 1)
          net.setImmediate(t.expect(function()
            got[#got + 1] = "immediate"
            net.nextTick(t.expect(function() got[#got + 1] = "tick in imm" end))
          end))
          net.setImmediate(t.expect(function() got[#got + 1] = "immediate2" end))
          net.nextTick(t.expect(function()
            got[#got + 1] = "tick"
            net.nextTick(t.expect(function() got[#got + 1] = "nested tick" end))
          end))
          c:destroy()
          server:close()
          end))
        end))
      end)
      assert.are.same({ "tick", "nested tick", "immediate", "tick in imm",
        "immediate2", "timeout" }, got)
    end)

  it("clears timeouts and immediates", function()
    loop.run(function(t)
      local a = net.setTimeout(t.never("timeout"), 1)
      net.clearTimeout(a)
      local b = net.setImmediate(t.never("immediate"))
      net.clearImmediate(b)
      net.clearTimeout(nil)
      net.clearTimeout("not a timer")
      net.setTimeout(t.expect(), 3)
    end)
  end)

  it("refreshes a timer, also one that fired", function()
    local fired = 0
    loop.run(function(t)
      local tm
      tm = net.setTimeout(t.expect(function()
        fired = fired + 1
        if fired == 1 then tm:refresh() end
      end, 2), 2)
      assert.are.equal(tm, tm:refresh())
    end)
    assert.are.equal(2, fired)
  end)

  it("lets an unref'd timer not hold the loop", function()
    local fired, other = false, false
    local tm = net.setTimeout(function() fired = true end, 100000)
    assert.is_true(tm:hasRef())
    assert.are.equal(tm, tm:unref())
    assert.is_false(tm:hasRef())
    net.setTimeout(function() other = true end, 1)
    -- The loop ends once the referenced timer has run.
    assert.is_false(net.run())
    assert.is_true(other)
    assert.is_false(fired)
    net.clearTimeout(tm)
    loop.cleanup()
  end)

  it("coerces delays as Node does", function()
    local timers = require("uvnet.timers")
    assert.are.equal(1, timers.delay(nil))
    assert.are.equal(1, timers.delay(0))
    assert.are.equal(1, timers.delay(-5))
    assert.are.equal(1, timers.delay(0 / 0))
    assert.are.equal(10, timers.delay("10"))
    assert.are.equal(1, timers.delay({}))
    assert.are.equal(3, timers.delay(2.5))
    assert.are.equal(4, timers.delay(3.9))
    assert.are.equal(1, timers.delay(0.5))
    local ok, err = pcall(net.setTimeout, "x")
    assert.is_false(ok)
    assert.are.equal("ERR_INVALID_ARG_TYPE", err.code)
    assert.are.equal('The "callback" argument must be of type function. '
      .. "Received type string ('x')", err.message)
  end)

  it("warns on stderr for a delay past 32 bits", function()
    local f = io.popen([[lua5.4 -e 'package.path = "lua/?.lua;lua/?/init.lua;"
      .. package.path; package.cpath = "build/?.so;" .. package.cpath
      local net = require("uvnet")
      net.setTimeout(function() print("fired") end, 2^31)
      net.run()' 2>&1]])
    local out = f:read("a")
    f:close()
    assert.matches("%(uvnet:%d+%) TimeoutOverflowWarning: 2147483648 does "
      .. "not fit into a 32%-bit signed integer%.\nTimeout duration was set "
      .. "to 1%.", out)
    assert.matches("fired", out)
  end)
end)
