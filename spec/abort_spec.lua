-- AbortController and AbortSignal (API.md 8): fields, the listener order of
-- addEventListener, onabort and on, the reasons, AbortSignal.abort, .timeout
-- on the real loop, .any, abort.listen for the net layer, and a trace
-- compared with Node 22.
local net = require("uvnet")
local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local EventEmitter = require("uvnet.emitter")
local abort = require("uvnet.abort")
local loop = require("support.loop")
local node = require("support.node")

local AbortController, AbortSignal = abort.AbortController, abort.AbortSignal

-- The error a call raises.
local function raised(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return err
end

local function check(err, name, code, message)
  assert.is_true(errors.iserror(err), "not a uvnet error: " .. tostring(err))
  assert.are.equal(name, err.name)
  assert.are.equal(code, err.code)
  if message then assert.are.equal(message, err.message) end
end

-- Replaces EventEmitter.warn for the length of fn; returns the warnings.
local function warnings(fn)
  local got, saved = {}, EventEmitter.warn
  EventEmitter.warn = function(kind, message) got[#got + 1] = { kind, message } end
  local ok, err = pcall(fn)
  EventEmitter.warn = saved
  if not ok then error(err, 0) end
  return got
end

describe("uvnet.abort", function()
  after_each(function() loop.cleanup() end)

  describe("AbortController", function()
    it("is made by a call or by .new, with a fresh signal", function()
      local a, b = AbortController(), AbortController.new()
      assert.is_true(abort.isSignal(a.signal))
      assert.is_true(abort.isSignal(b.signal))
      assert.are_not.equal(a.signal, b.signal)
      assert.are.equal(a.signal, a.signal)
      assert.is_false(a.signal.aborted)
      assert.is_nil(a.signal.reason)
      assert.is_nil(a.signal.onabort)
      assert.are.equal("AbortController { signal: AbortSignal { aborted: false } }",
        tostring(a))
    end)

    it("aborts with an AbortError by default, a new one each time", function()
      local a, b = AbortController(), AbortController()
      a:abort()
      b:abort(nil)
      local r = a.signal.reason
      assert.is_true(a.signal.aborted)
      check(r, "AbortError", "ABORT_ERR", "This operation was aborted")
      assert.are.equal("AbortError: This operation was aborted", tostring(r))
      check(b.signal.reason, "AbortError", "ABORT_ERR")
      assert.are_not.equal(r, b.signal.reason)
      assert.are.equal("AbortSignal { aborted: true }", tostring(a.signal))
    end)

    it("keeps the reason it is given, the same value", function()
      local reason = { why = "shutdown" }
      local a = AbortController()
      a:abort(reason)
      assert.are.equal(reason, a.signal.reason)
      local b = AbortController()
      b:abort(false)
      assert.is_false(b.signal.reason)
      assert.is_true(b.signal.aborted)
    end)

    it("does nothing on a second abort", function()
      local a = AbortController()
      local n = 0
      a.signal:addEventListener("abort", function() n = n + 1 end)
      a.signal:on("abort", function() n = n + 1 end)
      a:abort("first")
      a:abort("second")
      a:abort()
      assert.are.equal(2, n)
      assert.are.equal("first", a.signal.reason)
    end)

    it("refuses a call without the controller", function()
      local a = AbortController()
      check(raised(a.abort, "reason"), "TypeError", "ERR_INVALID_THIS",
        'Value of "this" must be of type AbortController')
      assert.is_false(a.signal.aborted)
    end)
  end)

  describe("listeners", function()
    it("runs addEventListener, onabort and on listeners in the order added",
      function()
        local a = AbortController()
        local s = a.signal
        local got, events = {}, {}
        s:addEventListener("abort", function(e)
          got[#got + 1] = "L1"
          events[#events + 1] = e
          -- Fields are set before any listener runs.
          assert.is_true(s.aborted)
          assert.are.equal("R", s.reason)
        end)
        s.onabort = function(e)
          got[#got + 1] = "onabort"
          events[#events + 1] = e
        end
        s:on("abort", function(e)
          got[#got + 1] = "on"
          events[#events + 1] = e
        end)
        s:once("abort", function() got[#got + 1] = "once" end)
        s:addEventListener("abort", function() got[#got + 1] = "L2" end,
          { once = true })
        s:prependListener("abort", function() got[#got + 1] = "prepended" end)
        a:abort("R")
        assert.are.same({ "prepended", "L1", "onabort", "on", "once", "L2" }, got)
        local e = events[1]
        assert.are.equal("abort", e.type)
        assert.are.equal(s, e.target)
        assert.is_true(e.isTrusted)
        -- One event table for the whole dispatch.
        assert.are.equal(e, events[2])
        assert.are.equal(e, events[3])
      end)

    it("keeps the place of onabort from its first assignment", function()
      local got = {}
      local a = AbortController()
      a.signal.onabort = function() got[#got + 1] = "first onabort" end
      a.signal:addEventListener("abort", function() got[#got + 1] = "L" end)
      a.signal.onabort = function() got[#got + 1] = "second onabort" end
      a:abort()
      -- A first assignment of nil takes the place too, as null does in Node.
      local b = AbortController()
      b.signal.onabort = nil
      b.signal:addEventListener("abort", function() got[#got + 1] = "L'" end)
      b.signal.onabort = function() got[#got + 1] = "late onabort" end
      b:abort()
      assert.are.same({ "second onabort", "L", "late onabort", "L'" }, got)
    end)

    it("reads onabort back and ignores one that is not a function", function()
      local a = AbortController()
      local fn = function() end
      a.signal.onabort = fn
      assert.are.equal(fn, a.signal.onabort)
      local handler = { handleEvent = function() error("must not run") end }
      a.signal.onabort = handler
      assert.are.equal(handler, a.signal.onabort)
      a.signal.onabort = 5
      assert.are.equal(5, a.signal.onabort)
      a:abort()
      assert.is_nil(rawget(a.signal, "onabort"))
    end)

    it("adds a listener once per type and capture flag", function()
      local n = 0
      local f = function() n = n + 1 end
      local a = AbortController()
      a.signal:addEventListener("abort", f)
      a.signal:addEventListener("abort", f)
      a.signal:addEventListener("abort", f, { once = true })
      a.signal:addEventListener("abort", f, true)
      a.signal:addEventListener("abort", f, { capture = true })
      a:abort()
      assert.are.equal(2, n)
      -- A once registration blocks a later plain one, and fires once.
      local m = 0
      local g = function() m = m + 1 end
      local b = AbortController()
      b.signal:addEventListener("abort", g, { once = true })
      b.signal:addEventListener("abort", g)
      b:abort()
      assert.are.equal(1, m)
      assert.are.equal(0, b.signal:listenerCount("abort"))
    end)

    it("removes listeners by type and capture flag", function()
      local got = {}
      local f = function() got[#got + 1] = "f" end
      local g = function() got[#got + 1] = "g" end
      local h = function() got[#got + 1] = "h" end
      local a = AbortController()
      local s = a.signal
      s:addEventListener("abort", f)
      s:addEventListener("abort", g, true)
      s:addEventListener("abort", h, { once = true })
      s:removeEventListener("abort", f)
      s:removeEventListener("abort", g)          -- not the capture one
      s:removeEventListener("abort", h, { capture = false })
      s:removeEventListener("abort", nil)
      s:removeEventListener("other", g, true)
      a:abort()
      assert.are.same({ "g" }, got)
    end)

    it("calls handleEvent as a method, looked up at dispatch", function()
      local got = {}
      local obj = { handleEvent = function() got[#got + 1] = "old" end }
      local a = AbortController()
      a.signal:addEventListener("abort", obj)
      a.signal:addEventListener("abort", {})       -- neither: skipped
      local callable = setmetatable({}, { __call = function(_, e)
        got[#got + 1] = "callable " .. e.type
      end })
      a.signal:addEventListener("abort", callable)
      obj.handleEvent = function(self, e)
        got[#got + 1] = (self == obj and "self " or "other ") .. e.type
      end
      a:abort()
      assert.are.same({ "self abort", "callable abort" }, got)
    end)

    it("skips listeners removed during the dispatch and those added then",
      function()
        local got = {}
        local a = AbortController()
        local s = a.signal
        local later = function() got[#got + 1] = "removed" end
        s:addEventListener("abort", function()
          got[#got + 1] = "first"
          s:removeEventListener("abort", later)
          s:addEventListener("abort", function() got[#got + 1] = "added" end)
        end)
        s:addEventListener("abort", later)
        a:abort()
        assert.are.same({ "first" }, got)
      end)

    it("ignores a second abort from inside a listener", function()
      local got = {}
      local a = AbortController()
      a.signal:addEventListener("abort", function()
        a:abort("second")
        got[#got + 1] = a.signal.reason
      end)
      a.signal:addEventListener("abort", function()
        got[#got + 1] = "next"
      end)
      a:abort("first")
      assert.are.same({ "first", "next" }, got)
    end)

    it("does not fire listeners of other types, or added after the abort",
      function()
        local a = AbortController()
        a.signal:addEventListener("foo", function() error("foo fired") end)
        a:abort()
        a.signal:addEventListener("abort", function() error("late") end)
        a.signal.onabort = function() error("late onabort") end
      end)

    it("removes a listener when its options.signal aborts", function()
      local got = {}
      local a, remover = AbortController(), AbortController()
      a.signal:addEventListener("abort", function() got[#got + 1] = "x" end,
        { signal = remover.signal })
      a.signal:addEventListener("abort", function() got[#got + 1] = "y" end,
        { signal = AbortSignal.abort() })
      a.signal:addEventListener("abort", function() got[#got + 1] = "z" end)
      remover:abort()
      a:abort()
      assert.are.same({ "z" }, got)
    end)

    it("forgets every kind of listener on removeAllListeners", function()
      local got = {}
      local f = function() got[#got + 1] = "f" end
      local a, remover = AbortController(), AbortController()
      local s = a.signal
      s:addEventListener("abort", f, { signal = remover.signal })
      s.onabort = function() got[#got + 1] = "old onabort" end
      s:on("abort", function() got[#got + 1] = "on" end)
      s:removeAllListeners("abort")
      assert.is_nil(s.onabort)
      assert.are.equal(0, s:listenerCount("abort"))
      assert.are.equal(0, remover.signal:listenerCount("abort"))
      -- They can be added again, in a new order.
      s:addEventListener("abort", f)
      s.onabort = function() got[#got + 1] = "new onabort" end
      s:removeAllListeners()
      s.onabort = function() got[#got + 1] = "newest onabort" end
      s:addEventListener("abort", f)
      a:abort()
      assert.are.same({ "newest onabort", "f" }, got)
    end)

    it("raises Node's errors for bad arguments", function()
      local s = AbortController().signal
      local missing = 'The "type" and "listener" arguments must be specified'
      check(raised(s.addEventListener, s), "TypeError", "ERR_MISSING_ARGS", missing)
      check(raised(s.addEventListener, s, "abort"), "TypeError",
        "ERR_MISSING_ARGS", missing)
      check(raised(s.removeEventListener, s, "abort"), "TypeError",
        "ERR_MISSING_ARGS", missing)
      check(raised(s.addEventListener, s, "abort", 5), "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "listener" argument must be an instance '
        .. "of EventListener. Received type number (5)")
      check(raised(s.removeEventListener, s, "abort", "f"), "TypeError",
        "ERR_INVALID_ARG_TYPE")
      check(raised(s.addEventListener, s, "abort", print, 5), "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "options" argument must be of type '
        .. "object. Received type number (5)")
      check(raised(s.addEventListener, s, "abort", print, { signal = 5 }),
        "TypeError", "ERR_INVALID_ARG_TYPE", 'The "options.signal" property '
        .. "must be an instance of AbortSignal. Received type number (5)")
      check(raised(s.addEventListener, "abort", print), "TypeError",
        "ERR_INVALID_THIS", 'Value of "this" must be of type AbortSignal')
    end)

    it("warns about a nil listener and adds nothing", function()
      local s = AbortController().signal
      local got = warnings(function() s:addEventListener("abort", nil) end)
      assert.are.same({ { "AddEventListenerArgumentTypeWarning",
        "addEventListener called with undefined which has no effect." } }, got)
      assert.are.equal(0, s:listenerCount("abort"))
    end)

    it("has no listener limit until one is set", function()
      local s = AbortController().signal
      local got = warnings(function()
        for _ = 1, 20 do s:addEventListener("abort", function() end) end
      end)
      assert.are.same({}, got)
      assert.are.equal(20, s:listenerCount("abort"))
    end)

    it("lets the other listeners run and raises a listener's error on the "
      .. "next tick", function()
      local got = {}
      local boom = errors.new("Error", "EBOOM", "boom")
      local a = AbortController()
      a.signal:addEventListener("abort", function() error(boom) end)
      a.signal:addEventListener("abort", function() got[#got + 1] = "L2" end)
      a:abort()
      got[#got + 1] = "after abort"
      assert.are.same({ "L2", "after abort" }, got)
      local ok, err = pcall(net.run)
      assert.is_false(ok)
      assert.are.equal(boom, err)
      assert.matches("abort_spec", err.stack)
      -- The loop can run again afterwards.
      assert.is_true(pcall(net.run))
    end)
  end)

  describe("throwIfAborted", function()
    it("does nothing before the abort and raises the reason after", function()
      local a = AbortController()
      a.signal:throwIfAborted()
      a:abort()
      assert.are.equal(a.signal.reason, raised(a.signal.throwIfAborted, a.signal))
      local b = AbortController()
      b:abort("plain text")
      -- The value itself, without a position prefix.
      assert.are.equal("plain text", raised(b.signal.throwIfAborted, b.signal))
    end)

    it("refuses a call without the signal", function()
      check(raised(AbortController().signal.throwIfAborted), "TypeError",
        "ERR_INVALID_THIS", 'Value of "this" must be of type AbortSignal')
    end)
  end)

  describe("AbortSignal", function()
    it("cannot be constructed directly", function()
      check(raised(AbortSignal), "TypeError", "ERR_ILLEGAL_CONSTRUCTOR",
        "Illegal constructor")
      check(raised(AbortSignal.new), "TypeError", "ERR_ILLEGAL_CONSTRUCTOR")
    end)

    it("abort() gives a signal that has aborted", function()
      local s = AbortSignal.abort()
      assert.is_true(abort.isSignal(s))
      assert.is_true(s.aborted)
      check(s.reason, "AbortError", "ABORT_ERR", "This operation was aborted")
      local reason = {}
      assert.are.equal(reason, AbortSignal.abort(reason).reason)
      assert.are.equal(42, AbortSignal.abort(42).reason)
    end)

    it("is an EventEmitter and passes the validators", function()
      local s = AbortController().signal
      for _, m in ipairs({ "on", "once", "off", "addListener", "removeListener",
        "removeAllListeners", "prependListener", "prependOnceListener", "emit",
        "listenerCount", "listeners", "eventNames" }) do
        assert.is_function(s[m], m)
      end
      assert.are.equal(s, validate.signal(s, "options.signal"))
      assert.are.equal(s, s:on("abort", function() end))
      assert.are.same({ "abort" }, s:eventNames())
      check(raised(validate.signal, 5, "options.signal"), "TypeError",
        "ERR_INVALID_ARG_TYPE")
    end)

    it("isSignal tells signals from other values", function()
      assert.is_true(abort.isSignal(AbortSignal.abort()))
      assert.is_true(abort.isSignal(AbortSignal.any({})))
      assert.is_false(abort.isSignal({ aborted = false }))
      assert.is_false(abort.isSignal(AbortController()))
      assert.is_false(abort.isSignal(nil))
    end)
  end)

  describe("AbortSignal.timeout", function()
    it("aborts after the delay with a TimeoutError", function()
      local started = core.hrtime()
      local s
      loop.run(function(t)
        s = AbortSignal.timeout(30)
        assert.is_false(s.aborted)
        s.onabort = t.expect(function(e)
          assert.are.equal("abort", e.type)
          assert.is_true(core.hrtime() - started >= 29 * 1000000)
        end)
        s:addEventListener("abort", t.expect())
        -- The signal's own timer does not keep the loop running.
        net.setTimeout(t.expect(), 60)
      end)
      assert.is_true(s.aborted)
      check(s.reason, "TimeoutError", "TIMEOUT_ERR",
        "The operation was aborted due to timeout")
      assert.are.equal("TimeoutError: The operation was aborted due to timeout",
        tostring(s.reason))
    end)

    it("does not keep the loop running", function()
      local s = AbortSignal.timeout(100000)
      s:addEventListener("abort", function() error("must not fire") end)
      local started = core.hrtime()
      net.run()
      assert.is_true(core.hrtime() - started < 1000 * 1000000)
      assert.is_false(s.aborted)
      local referenced, all = core.openhandles()
      assert.are.equal(0, referenced)
      assert.are.equal(1, all)
    end)

    it("fires a delay of 0 after a millisecond, and a delay above 2^31 - 1 "
      .. "too, with a warning", function()
      local zero, big
      local got = warnings(function()
        loop.run(function(t)
          zero = AbortSignal.timeout(0)
          big = AbortSignal.timeout(2147483648)
          zero:addEventListener("abort", t.expect())
          big:addEventListener("abort", t.expect())
          net.setTimeout(t.expect(), 20)
          assert.is_false(zero.aborted)
        end)
      end)
      assert.are.equal("TimeoutError", zero.reason.name)
      assert.are.equal("TimeoutError", big.reason.name)
      assert.are.same({ { "TimeoutOverflowWarning", "2147483648 does not fit "
        .. "into a 32-bit signed integer.\nTimeout duration was set to 1." } }, got)
    end)

    it("validates the delay as Node does", function()
      check(raised(AbortSignal.timeout, "x"), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "delay" argument must be of type number. Received type string (\'x\')')
      check(raised(AbortSignal.timeout), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "delay" argument must be of type number. Received undefined')
      check(raised(AbortSignal.timeout, -1), "RangeError", "ERR_OUT_OF_RANGE",
        'The value of "delay" is out of range. It must be >= 0 && <= '
        .. "4294967295. Received -1")
      check(raised(AbortSignal.timeout, 2 ^ 32), "RangeError", "ERR_OUT_OF_RANGE",
        'The value of "delay" is out of range. It must be >= 0 && <= '
        .. "4294967295. Received 4294967296")
      check(raised(AbortSignal.timeout, 1.5), "RangeError", "ERR_OUT_OF_RANGE",
        'The value of "delay" is out of range. It must be an integer. '
        .. "Received 1.5")
      check(raised(AbortSignal.timeout, 0 / 0), "RangeError", "ERR_OUT_OF_RANGE",
        'The value of "delay" is out of range. It must be an integer. '
        .. "Received NaN")
      assert.are.equal(0, core.openhandles())
    end)
  end)

  describe("AbortSignal.any", function()
    it("never aborts for no signals", function()
      local s = AbortSignal.any({})
      assert.is_false(s.aborted)
      assert.is_false(AbortSignal.any({ AbortSignal.any({}) }).aborted)
    end)

    it("has aborted already if one of the signals has, with its reason",
      function()
        local s = AbortSignal.any({ AbortController().signal,
          AbortSignal.abort("first"), AbortSignal.abort("second") })
        assert.is_true(s.aborted)
        assert.are.equal("first", s.reason)
        -- Any table with an `aborted` field counts, as in Node.
        local duck = AbortSignal.any({ { aborted = true, reason = 5 } })
        assert.are.equal(5, duck.reason)
        assert.is_false(AbortSignal.any({ { aborted = false } }).aborted)
      end)

    it("aborts with the same reason as the first signal that does", function()
      local a, b = AbortController(), AbortController()
      local s = AbortSignal.any({ a.signal, b.signal })
      local reason = {}
      local fired = 0
      s:addEventListener("abort", function() fired = fired + 1 end)
      b:abort(reason)
      a:abort("later")
      assert.is_true(s.aborted)
      assert.are.equal(reason, s.reason)
      assert.are.equal(1, fired)
    end)

    it("marks every dependent signal before firing, then fires in order",
      function()
        local got = {}
        local a = AbortController()
        local b = AbortSignal.any({ a.signal })
        local c = AbortSignal.any({ b })
        local d = AbortSignal.any({ a.signal, b })
        a.signal:addEventListener("abort", function()
          got[#got + 1] = ("a %s %s %s"):format(b.aborted, c.aborted, d.aborted)
        end)
        b:addEventListener("abort", function() got[#got + 1] = "b" end)
        c.onabort = function() got[#got + 1] = "c" end
        d:on("abort", function() got[#got + 1] = "d" end)
        a:abort("R")
        assert.are.same({ "a true true true", "b", "c", "d" }, got)
        assert.are.equal("R", c.reason)
        assert.are.equal("R", d.reason)
      end)

    it("follows a timeout signal", function()
      local s
      loop.run(function(t)
        s = AbortSignal.any({ AbortController().signal, AbortSignal.timeout(5) })
        s:addEventListener("abort", t.expect())
        net.setTimeout(t.expect(), 30)
      end)
      assert.are.equal("TimeoutError", s.reason.name)
    end)

    it("validates the signals as Node does", function()
      local seq = "Value can not be converted to sequence."
      check(raised(AbortSignal.any, "x"), "TypeError", "ERR_INVALID_ARG_TYPE", seq)
      check(raised(AbortSignal.any), "TypeError", "ERR_INVALID_ARG_TYPE", seq)
      check(raised(AbortSignal.any, AbortSignal.abort()), "TypeError",
        "ERR_INVALID_ARG_TYPE", seq)
      check(raised(AbortSignal.any, { 1 }), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "signals[0]" argument must be an instance of AbortSignal. '
        .. "Received type number (1)")
      check(raised(AbortSignal.any, { AbortSignal.abort(), "x" }), "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "signals[1]" argument must be an '
        .. "instance of AbortSignal. Received type string ('x')")
      check(raised(AbortSignal.any, table.pack(nil)), "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "signals[0]" argument must be an '
        .. "instance of AbortSignal. Received undefined")
    end)

    it("lets a combined signal nobody holds be collected", function()
      local a = AbortController()
      local weak = setmetatable({}, { __mode = "v" })
      weak[1] = AbortSignal.any({ a.signal })
      collectgarbage()
      collectgarbage()
      assert.is_nil(weak[1])
      -- Many such signals do not pile up in their source.
      for i = 1, 1000 do
        AbortSignal.any({ a.signal })
        if i % 50 == 0 then collectgarbage() end
      end
      assert.is_true(rawget(a.signal, "_dependents").n < 200)
      a:abort()
    end)

    it("keeps a combined signal with listeners alive until it fires",
      function()
        local a = AbortController()
        local got = {}
        do
          AbortSignal.any({ a.signal }):addEventListener("abort",
            function(e) got[#got + 1] = e.target.reason end)
          AbortSignal.any({ a.signal }).onabort = function() got[#got + 1] = "onabort" end
          AbortSignal.any({ a.signal }):on("abort", function() got[#got + 1] = "on" end)
        end
        collectgarbage()
        collectgarbage()
        a:abort("R")
        assert.are.same({ "R", "onabort", "on" }, got)
        assert.is_nil(rawget(a.signal, "_keep"))
      end)
  end)

  describe("listen", function()
    it("calls fn(reason) once when the signal aborts", function()
      local got = {}
      local a = AbortController()
      local remove = abort.listen(a.signal, function(...)
        got[#got + 1] = table.pack(...)
      end)
      assert.is_function(remove)
      a:abort("why")
      a:abort("again")
      assert.are.same({ { n = 1, "why" } }, got)
      remove()
      assert.are.equal(0, a.signal:listenerCount("abort"))
    end)

    it("removes the listener with the function it returns", function()
      local a = AbortController()
      local remove = abort.listen(a.signal, function() error("removed") end)
      assert.are.equal(1, a.signal:listenerCount("abort"))
      remove()
      remove()
      assert.are.equal(0, a.signal:listenerCount("abort"))
      a:abort()
    end)

    it("calls fn on the next tick when the signal has aborted", function()
      local got = {}
      loop.run(function(t)
        local s = AbortSignal.abort("gone")
        abort.listen(s, t.expect(function(reason) got[#got + 1] = reason end))
        got[#got + 1] = "sync"
        abort.listen(s, t.never("cancelled"))()
      end)
      assert.are.same({ "sync", "gone" }, got)
    end)

    it("uses addEventListener of a signal from elsewhere", function()
      local added, removed
      local duck = { aborted = false }
      function duck:addEventListener(name, fn, options)
        added = { name, options.once }
        self.fire = fn
      end
      function duck:removeEventListener(_, fn) removed = fn == self.fire end
      local got
      local remove = abort.listen(duck, function(r) got = r end)
      assert.are.same({ "abort", true }, added)
      duck.aborted, duck.reason = true, "duck"
      duck.fire()
      assert.are.equal("duck", got)
      remove()
      assert.is_true(removed)
    end)

    it("validates its arguments as addAbortListener does", function()
      check(raised(abort.listen, nil, print), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "signal" argument must be an instance of AbortSignal. Received '
        .. "undefined")
      check(raised(abort.listen, 5, print), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "signal" argument must be an instance of AbortSignal. Received '
        .. "type number (5)")
      check(raised(abort.listen, AbortController().signal, 5), "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "listener" argument must be of type '
        .. "function. Received type number (5)")
    end)
  end)

  it("gives Node 22's trace #diff", function()
    local js = [=[
'use strict';
const { addAbortListener } = require('events');
const log = (...a) => console.log(a.join(' '));
// DOMException carries a number; uvnet the name of its DOMException constant.
const codeName = (e) => typeof e.code === 'number'
  ? Object.keys(DOMException).find((k) => DOMException[k] === e.code) : e.code;
const show = (r) => r === undefined ? 'undefined' : (typeof r === 'object'
  ? [r.name, codeName(r), r.message, String(r)].join('|') : String(r));
const fail = (f) => { try { f(); log('no error'); } catch (e) {
  log('error', e.name, e.code, e.message); } };
process.on('uncaughtException', (e) => log('uncaught', e.message));

const ac = new AbortController();
const s = ac.signal;
log('init', s.aborted, show(s.reason), s.onabort == null);
const f = (e) => log('f', e.type, e.target === s, s.aborted, show(s.reason));
s.addEventListener('abort', f);
s.addEventListener('abort', f);
s.onabort = (e) => log('onabort first', e.type);
s.addEventListener('abort', () => log('once'), { once: true });
const g = () => log('g removed');
s.addEventListener('abort', g);
s.removeEventListener('abort', g);
const obj = { handleEvent(e) { log('handleEvent', this === obj, e.type); } };
s.addEventListener('abort', obj);
s.onabort = (e) => log('onabort second', e.type);
s.addEventListener('abort', () => {
  log('reentrant'); ac.abort('again'); log('reason kept', show(s.reason));
});
s.addEventListener('abort', f, true);
log('before');
ac.abort();
log('after', s.aborted, show(s.reason));
ac.abort('x');
log('second abort', show(s.reason));

const n = new AbortController();
n.signal.onabort = null;
n.signal.addEventListener('abort', () => log('n listener'));
n.signal.onabort = () => log('n onabort');
n.abort('why');
log('n reason', show(n.signal.reason));
try { n.signal.throwIfAborted(); } catch (e) { log('thrown', show(e)); }
log('abort()', show(AbortSignal.abort().reason), AbortSignal.abort().aborted);
log('abort(42)', show(AbortSignal.abort(42).reason));

const a = new AbortController();
const b = AbortSignal.any([a.signal]);
const c = AbortSignal.any([b]);
const d = AbortSignal.any([a.signal, b]);
a.signal.addEventListener('abort', () => log('a', b.aborted, c.aborted, d.aborted));
b.addEventListener('abort', () => log('b', show(b.reason)));
c.addEventListener('abort', () => log('c', show(c.reason)));
d.addEventListener('abort', () => log('d', show(d.reason)));
a.abort('R');
const pre = AbortSignal.any([new AbortController().signal, AbortSignal.abort('1st'),
  AbortSignal.abort('2nd')]);
log('pre', pre.aborted, show(pre.reason), AbortSignal.any([]).aborted);

fail(() => AbortSignal.timeout('x'));
fail(() => AbortSignal.timeout());
fail(() => AbortSignal.timeout(-1));
fail(() => AbortSignal.timeout(1.5));
fail(() => AbortSignal.timeout(2 ** 32));
fail(() => AbortSignal.any('x'));
fail(() => AbortSignal.any([1]));
fail(() => AbortSignal.any([a.signal, undefined]));
fail(() => new AbortSignal());
fail(() => s.addEventListener('abort'));
fail(() => s.addEventListener('abort', 5));
fail(() => s.addEventListener('abort', f, 5));
fail(() => s.addEventListener('abort', f, { signal: 5 }));
fail(() => addAbortListener(undefined, f));
fail(() => addAbortListener(s, 5));

const t30 = AbortSignal.timeout(30);
t30.onabort = (e) => log('t30 onabort', e.type, show(t30.reason));
t30.addEventListener('abort', () => log('t30 listener'));
const t0 = AbortSignal.timeout(0);
t0.addEventListener('abort', () => log('t0', show(t0.reason)));
const any20 = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(20)]);
any20.addEventListener('abort', () => log('any20', show(any20.reason)));
const slow = AbortSignal.timeout(100000);
slow.addEventListener('abort', () => log('slow fired'));
setTimeout(() => {
  const gone = AbortSignal.abort('gone');
  addAbortListener(gone, () => log('listen', show(gone.reason)));
  log('listen sync');
}, 10);
setTimeout(() => log('end', slow.aborted, t30.aborted), 60);

setTimeout(() => {
  const h = new AbortController();
  h.signal.addEventListener('abort', () => { throw new Error('boom'); });
  h.signal.addEventListener('abort', () => log('h second listener'));
  h.abort();
  log('after h.abort');
}, 5);
]=]
    local expected = node.run(js)

    local out = {}
    local function log(...)
      local parts = table.pack(...)
      for i = 1, parts.n do parts[i] = tostring(parts[i]) end
      out[#out + 1] = table.concat(parts, " ", 1, parts.n)
    end
    local function show(r)
      if r == nil then return "undefined" end
      if type(r) == "table" then
        return table.concat({ r.name, r.code, r.message, tostring(r) }, "|")
      end
      return tostring(r)
    end
    local function fail(fn, ...)
      local ok, e = pcall(fn, ...)
      if ok then log("no error") else log("error", e.name, e.code, e.message) end
    end

    local ac = AbortController()
    local s = ac.signal
    log("init", s.aborted, show(s.reason), s.onabort == nil)
    local f = function(e)
      log("f", e.type, e.target == s, s.aborted, show(s.reason))
    end
    s:addEventListener("abort", f)
    s:addEventListener("abort", f)
    s.onabort = function(e) log("onabort first", e.type) end
    s:addEventListener("abort", function() log("once") end, { once = true })
    local g = function() log("g removed") end
    s:addEventListener("abort", g)
    s:removeEventListener("abort", g)
    local obj = {}
    function obj:handleEvent(e) log("handleEvent", self == obj, e.type) end
    s:addEventListener("abort", obj)
    s.onabort = function(e) log("onabort second", e.type) end
    s:addEventListener("abort", function()
      log("reentrant")
      ac:abort("again")
      log("reason kept", show(s.reason))
    end)
    s:addEventListener("abort", f, true)
    log("before")
    ac:abort()
    log("after", s.aborted, show(s.reason))
    ac:abort("x")
    log("second abort", show(s.reason))

    local n = AbortController()
    n.signal.onabort = nil
    n.signal:addEventListener("abort", function() log("n listener") end)
    n.signal.onabort = function() log("n onabort") end
    n:abort("why")
    log("n reason", show(n.signal.reason))
    local _, thrown = pcall(n.signal.throwIfAborted, n.signal)
    log("thrown", show(thrown))
    log("abort()", show(AbortSignal.abort().reason), AbortSignal.abort().aborted)
    log("abort(42)", show(AbortSignal.abort(42).reason))

    local a = AbortController()
    local b = AbortSignal.any({ a.signal })
    local c = AbortSignal.any({ b })
    local d = AbortSignal.any({ a.signal, b })
    a.signal:addEventListener("abort", function()
      log("a", b.aborted, c.aborted, d.aborted)
    end)
    b:addEventListener("abort", function() log("b", show(b.reason)) end)
    c:addEventListener("abort", function() log("c", show(c.reason)) end)
    d:addEventListener("abort", function() log("d", show(d.reason)) end)
    a:abort("R")
    local pre = AbortSignal.any({ AbortController().signal,
      AbortSignal.abort("1st"), AbortSignal.abort("2nd") })
    log("pre", pre.aborted, show(pre.reason), AbortSignal.any({}).aborted)

    fail(AbortSignal.timeout, "x")
    fail(AbortSignal.timeout)
    fail(AbortSignal.timeout, -1)
    fail(AbortSignal.timeout, 1.5)
    fail(AbortSignal.timeout, 2 ^ 32)
    fail(AbortSignal.any, "x")
    fail(AbortSignal.any, { 1 })
    fail(AbortSignal.any, table.pack(a.signal, nil))
    fail(AbortSignal)
    fail(s.addEventListener, s, "abort")
    fail(s.addEventListener, s, "abort", 5)
    fail(s.addEventListener, s, "abort", f, 5)
    fail(s.addEventListener, s, "abort", f, { signal = 5 })
    fail(abort.listen, nil, f)
    fail(abort.listen, s, 5)

    local t30 = AbortSignal.timeout(30)
    t30.onabort = function(e) log("t30 onabort", e.type, show(t30.reason)) end
    t30:addEventListener("abort", function() log("t30 listener") end)
    local t0 = AbortSignal.timeout(0)
    t0:addEventListener("abort", function() log("t0", show(t0.reason)) end)
    local any20 = AbortSignal.any({ AbortController().signal,
      AbortSignal.timeout(20) })
    any20:addEventListener("abort", function() log("any20", show(any20.reason)) end)
    local slow = AbortSignal.timeout(100000)
    slow:addEventListener("abort", function() log("slow fired") end)
    net.setTimeout(function()
      local gone = AbortSignal.abort("gone")
      abort.listen(gone, function() log("listen", show(gone.reason)) end)
      log("listen sync")
    end, 10)
    net.setTimeout(function() log("end", slow.aborted, t30.aborted) end, 60)

    net.setTimeout(function()
      local h = AbortController()
      h.signal:addEventListener("abort", function() error({ message = "boom" }) end)
      h.signal:addEventListener("abort", function() log("h second listener") end)
      h:abort()
      log("after h.abort")
    end, 5)

    -- Node reports the listener's error as an uncaught exception and goes
    -- on; here net.run() raises it and is called again.
    repeat
      local done, e = pcall(net.run)
      if not done then log("uncaught", type(e) == "table" and e.message or e) end
    until done
    assert.is_false(slow.aborted)
    assert.are.equal(expected, table.concat(out, "\n") .. "\n")
  end)
end)
