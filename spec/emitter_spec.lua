-- EventEmitter: Node's events semantics.
local EventEmitter = require("uvnet.emitter")

describe("uvnet.emitter", function()
  it("calls listeners in order with the arguments and no self", function()
    local e = EventEmitter.new()
    local got = {}
    e:on("x", function(...) got[#got + 1] = { "a", ... } end)
    e:on("x", function(...) got[#got + 1] = { "b", ... } end)
    e:prependListener("x", function(...) got[#got + 1] = { "p", ... } end)
    assert.is_true(e:emit("x", 1, nil, 3))
    assert.is_false(e:emit("y"))
    assert.are.same({ { "p", 1, nil, 3 }, { "a", 1, nil, 3 },
      { "b", 1, nil, 3 } }, got)
  end)

  it("runs once listeners once and removes them through the original",
    function()
      local e = EventEmitter.new()
      local n = 0
      local function f() n = n + 1 end
      e:once("x", f)
      e:emit("x")
      e:emit("x")
      assert.are.equal(1, n)
      e:once("y", f)
      assert.are.equal(1, e:listenerCount("y"))
      assert.are.equal(f, e:listeners("y")[1])
      assert.are_not.equal(f, e:rawListeners("y")[1])
      e:off("y", f)
      assert.are.equal(0, e:listenerCount("y"))
      e:emit("y")
      assert.are.equal(1, n)
    end)

  it("works on a snapshot during emit", function()
    local e = EventEmitter.new()
    local got = {}
    local function b() got[#got + 1] = "b" end
    local function c() got[#got + 1] = "c" end
    e:on("x", function()
      got[#got + 1] = "a"
      e:off("x", b)
      e:on("x", c)
    end)
    e:on("x", b)
    e:emit("x")
    assert.are.same({ "a", "b" }, got)
    got = {}
    e:emit("x")
    assert.are.same({ "a", "c" }, got)
  end)

  it("emits newListener before adding and removeListener after removing",
    function()
      local e = EventEmitter.new()
      local log = {}
      local function f() end
      e:on("newListener", function(name, fn)
        log[#log + 1] = { "new", name, fn == f, e:listenerCount(name) }
      end)
      e:on("removeListener", function(name, fn)
        log[#log + 1] = { "remove", name, fn == f, e:listenerCount(name) }
      end)
      e:once("x", f)
      e:emit("x")
      assert.are.same({ { "new", "removeListener", false, 0 },
        { "new", "x", true, 0 }, { "remove", "x", true, 0 } }, log)
    end)

  it("removes the most recent match and all listeners", function()
    local e = EventEmitter.new()
    local got = {}
    local function f() got[#got + 1] = "f" end
    local function g() got[#got + 1] = "g" end
    e:on("x", f):on("x", g):on("x", f)
    e:removeListener("x", f)
    e:emit("x")
    assert.are.same({ "f", "g" }, got)
    e:on("y", f)
    assert.are.same({ "x", "y" }, e:eventNames())
    e:removeAllListeners("x")
    assert.are.same({ "y" }, e:eventNames())
    e:removeAllListeners()
    assert.are.same({}, e:eventNames())
  end)

  it("raises an 'error' with no listener", function()
    local e = EventEmitter.new()
    local err = { code = "X", message = "boom" }
    local ok, got = pcall(e.emit, e, "error", err)
    assert.is_false(ok)
    assert.are.equal(err, got)
    ok, got = pcall(e.emit, e, "error", "text")
    assert.is_false(ok)
    assert.are.equal("ERR_UNHANDLED_ERROR", got.code)
    assert.are.equal("Unhandled error. ('text')", got.message)
    assert.are.equal("text", got.context)
  end)

  it("validates listeners and max listeners", function()
    local e = EventEmitter.new()
    local ok, err = pcall(e.on, e, "x", 5)
    assert.is_false(ok)
    assert.are.equal("ERR_INVALID_ARG_TYPE", err.code)
    assert.are.equal('The "listener" argument must be of type function. '
      .. "Received type number (5)", err.message)
    ok, err = pcall(e.setMaxListeners, e, -1)
    assert.is_false(ok)
    assert.are.equal("ERR_OUT_OF_RANGE", err.code)
    assert.are.equal(10, e:getMaxListeners())
    e:setMaxListeners(1)
    assert.are.equal(1, e:getMaxListeners())
  end)

  it("warns once on stderr past the listener limit", function()
    local script = [[
      package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
      package.cpath = "build/?.so;" .. package.cpath
      local E = require("uvnet.emitter")
      local e = E.new()
      for _ = 1, 12 do e:on("foo", function() end) end
    ]]
    local f = io.popen("lua5.4 -e '" .. script:gsub("'", "'\\''")
      .. "' 2>&1", "r")
    local out = f:read("a")
    f:close()
    local _, n = out:gsub("MaxListenersExceededWarning", "")
    assert.are.equal(1, n)
    assert.matches("Possible EventEmitter memory leak detected%. 11 foo "
      .. "listeners added to %[EventEmitter%]%. MaxListeners is 10%.", out)
  end)
end)
