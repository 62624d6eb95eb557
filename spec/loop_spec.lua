-- net.run(): modes, errors raised from callbacks, and closing the state
-- with handles open.
local net = require("uvnet")
local core = require("uvnet.core")
local loop = require("support.loop")

local LUA = "lua5.4"
local PATHS = 'package.path = "lua/?.lua;lua/?/init.lua;" .. package.path; '
  .. 'package.cpath = "build/?.so;" .. package.cpath; '

local function child(code)
  local f = io.popen(LUA .. " -e '" .. PATHS .. code:gsub("'", "'\\''")
    .. "' 2>&1; echo \"exit=$?\"")
  local out = f:read("a")
  f:close()
  return out
end

describe("net.run", function()
  after_each(function() loop.cleanup() end)

  it("returns when nothing referenced remains", function()
    local n = 0
    net.setTimeout(function() n = n + 1 end, 1)
    assert.is_false(net.run())
    assert.are.equal(1, n)
    loop.cleanup()
  end)

  it("runs one pass with 'once' and 'nowait'", function()
    local n = 0
    local tm = net.setTimeout(function() n = n + 1 end, 100000)
    net.setImmediate(function() n = n + 10 end)
    assert.is_true(net.run("nowait"))
    assert.are.equal(10, n)
    net.clearTimeout(tm)
    net.setTimeout(function() n = n + 1 end, 1)
    while net.run("once") do end
    assert.are.equal(11, n)
    local ok, err = pcall(net.run, "sometimes")
    assert.is_false(ok)
    assert.are.equal("ERR_INVALID_ARG_VALUE", err.code)
    loop.cleanup()
  end)

  it("raises a callback's error with its traceback and can run again",
    function()
      local err = { code = "EBOOM", message = "boom" }
      local later = false
      net.setTimeout(function()
        -- Armed here, it cannot fall due before the loop stops.
        net.setTimeout(function() later = true end, 1)
        error(err)
      end, 1)
      local ok, got = pcall(net.run)
      assert.is_false(ok)
      assert.are.equal(err, got)
      assert.matches("stack traceback", got.stack)
      assert.is_false(later)
      assert.is_false(net.run())
      assert.is_true(later)
      net.nextTick(function() error("plain") end)
      ok, got = pcall(net.run)
      assert.is_false(ok)
      assert.matches("plain\nstack traceback", got)
      loop.cleanup()
    end)

  it("raises errors from ticks and keeps the rest of the queue", function()
    local got = {}
    net.nextTick(function() got[#got + 1] = 1 end)
    net.nextTick(function() error("tick failed") end)
    net.nextTick(function() got[#got + 1] = 3 end)
    local ok = pcall(net.run)
    assert.is_false(ok)
    assert.are.same({ 1 }, got)
    net.run()
    assert.are.same({ 1, 3 }, got)
    loop.cleanup()
  end)

  it("runs fully after a tick queued before the run raised", function()
    local fired = false
    net.setTimeout(function() fired = true end, 30)
    net.nextTick(function() error("early tick") end)
    assert.is_false(pcall(net.run))
    assert.is_false(net.run())
    assert.is_true(fired)
  end)

  it("refuses to run inside the loop", function()
    loop.run(function(t)
      net.setTimeout(t.expect(function()
        local ok, err = pcall(net.run)
        assert.is_false(ok)
        assert.matches("inside the loop", err)
      end), 1)
    end)
  end)

  it("closes open servers and sockets when the state closes", function()
    local out = child([[
      local net = require("uvnet")
      local server = net.createServer(function(c) c:write("hi") end)
      server:listen(0, "127.0.0.1", function()
        local c = net.connect(server:address().port, "127.0.0.1")
        c:on("data", function()
          c:write(("x"):rep(1 << 20))
          net.setTimeout(function() end, 100000)
          io.write("exiting ") io.flush()
          os.exit(0, true)
        end)
      end)
      net.run()
    ]])
    assert.are.equal("exiting exit=0\n", out)
  end)

  it("closes them cleanly under valgrind, with no Lua re-entered", function()
    local script = [[
      local net = require("uvnet")
      local server = net.createServer(function(c)
        c:on("data", function() end)
        c:write(("y"):rep(1 << 20))
      end)
      server:listen(0, "127.0.0.1", function()
        local c = net.connect(server:address().port, "127.0.0.1")
        c:on("connect", function()
          c:write(("x"):rep(1 << 20))
          net.setImmediate(function() os.exit(0, true) end)
        end)
        -- Never called: the state closes first.
        c:on("close", function() print("close ran") end)
      end)
      net.run()
    ]]
    -- The child runs the plain build, without a sanitizer runtime the specs
    -- may be running under.
    local f = io.popen("env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "
      .. "valgrind -q --error-exitcode=99 --leak-check=full "
      .. "--errors-for-leak-kinds=definite " .. LUA .. " -e '" .. PATHS
      .. script:gsub("'", "'\\''") .. "' 2>&1; echo \"exit=$?\"")
    local out = f:read("a")
    f:close()
    assert.are.equal("exit=0\n", out)
  end)

  it("counts open handles for the spec helper", function()
    local referenced, all = core.openhandles()
    assert.are.equal(0, referenced)
    assert.are.equal(0, all)
  end)
end)
