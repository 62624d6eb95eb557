--- AbortController and AbortSignal, as Node 22 has them.
--
-- A signal is a uvnet EventEmitter that is also an EventTarget for its one
-- event, 'abort': `signal:on('abort', fn)` and
-- `signal:addEventListener('abort', fn[, options])` put listeners in one
-- list, called in the order they were added, and `signal.onabort` takes the
-- place in that list it got when it was first assigned, as in Node.  Every
-- listener gets the same event table, `{ type = 'abort', target = signal,
-- isTrusted = true }`.  `signal.aborted` and `signal.reason` are plain fields.
--
-- An error raised by an 'abort' listener does not stop the other listeners
-- or the `abort()` call: it is raised again on the next tick, where it stops
-- the loop and comes out of `net.run()`, as Node reports it as an uncaught
-- exception.
--
-- The reasons uvnet makes itself are uvnet error tables whose `code` is the
-- name of the DOMException constant Node's reason carries as a number:
-- `AbortController:abort()` without a reason gives `{ name = 'AbortError',
-- code = 'ABORT_ERR', message = 'This operation was aborted' }` (Node: a
-- DOMException with code 20, `DOMException.ABORT_ERR`), and
-- `AbortSignal.timeout(ms)` gives `{ name = 'TimeoutError', code =
-- 'TIMEOUT_ERR', message = 'The operation was aborted due to timeout' }`
-- (Node: code 23, `DOMException.TIMEOUT_ERR`).
-- @module uvnet.abort

local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local EventEmitter = require("uvnet.emitter")
local timers = require("uvnet.timers")

local type, select, error, rawget, rawset = type, select, error, rawget, rawset
local setmetatable, getmetatable, xpcall = setmetatable, getmetatable, xpcall
local tostring, next = tostring, next
local format = string.format
local mtype = math.type
local traceback = debug.traceback
local throw, newerror = errors.throw, errors.new
local nextTick, setTimeout = timers.nextTick, timers.setTimeout
local emitter_on, emitter_once = EventEmitter.on, EventEmitter.once
local emitter_prepend = EventEmitter.prependListener
local emitter_prependonce = EventEmitter.prependOnceListener
local emitter_off, rawlisteners = EventEmitter.removeListener,
  EventEmitter.rawListeners

local M = {}

local WEAK_VALUES = { __mode = "v" }

--- The default reason of `AbortController:abort()`: a fresh AbortError.
-- @treturn table `{ name = 'AbortError', code = 'ABORT_ERR', message = 'This
--   operation was aborted' }`
function M.aborterror()
  return newerror("AbortError", "ABORT_ERR", "This operation was aborted")
end
local aborterror = M.aborterror

--- The reason of a signal made by `AbortSignal.timeout`: a fresh TimeoutError.
-- @treturn table `{ name = 'TimeoutError', code = 'TIMEOUT_ERR', message =
--   'The operation was aborted due to timeout' }`
function M.timeouterror()
  return newerror("TimeoutError", "TIMEOUT_ERR",
    "The operation was aborted due to timeout")
end
local timeouterror = M.timeouterror

-- The signal class ----------------------------------------------------------

--- The methods of a signal: EventEmitter's and the EventTarget ones below.
local AbortSignal = {}
M.AbortSignal = AbortSignal

-- The metatable of every signal.  `onabort` is not a raw field, so that its
-- first assignment can take a place in the listener list.
local Signal = { __name = "AbortSignal" }

local function isSignal(v)
  return getmetatable(v) == Signal
end

--- Whether `v` is an AbortSignal made by this module (Node's
-- `v instanceof AbortSignal`).
-- @param v any value
-- @treturn boolean
function M.isSignal(v)
  return isSignal(v)
end

function Signal.__index(self, k)
  if k == "onabort" then
    local handler = rawget(self, "_onabort")
    if handler then return handler.value end
    return nil
  end
  return AbortSignal[k]
end

function Signal.__tostring(self)
  return format("AbortSignal { aborted: %s }", tostring(rawget(self,
    "aborted")))
end

-- Keeps a composite signal (from AbortSignal.any) that has 'abort'
-- listeners alive for as long as its sources are: they hold it strongly
-- from then on, where before they held it weakly.
local function persist(self, name)
  if name ~= "abort" or rawget(self, "aborted") then return end
  local sources = rawget(self, "_sources")
  if sources == nil or rawget(self, "_persistent") then return end
  rawset(self, "_persistent", true)
  for i = 1, #sources do
    local src = sources[i]
    local keep = rawget(src, "_keep")
    if keep == nil then
      keep = {}
      rawset(src, "_keep", keep)
    end
    keep[self] = true
  end
end

local function newsignal()
  -- Node's AbortSignal has no listener limit until one is set.
  return setmetatable({ aborted = false, _maxListeners = 0 }, Signal)
end

local function checkthis(self)
  if not isSignal(self) then throw("ERR_INVALID_THIS", "AbortSignal") end
end

-- Listener records of addEventListener and onabort ------------------------

-- Calls a listener of addEventListener: a function, a table with a
-- `handleEvent` method (looked up at each call, as in the DOM), or a
-- callable table.  A table with neither is silently skipped, as in Node.
local function invoke(listener, event)
  if type(listener) == "function" then return listener(event) end
  local handle = listener.handleEvent
  if type(handle) == "function" then return handle(listener, event) end
  local mt = getmetatable(listener)
  if type(mt) == "table" and rawget(mt, "__call") ~= nil then
    return listener(event)
  end
end

local function targets(self, name, capture, create)
  local all = rawget(self, "_targets")
  if all == nil then
    if not create then return nil end
    all = {}
    rawset(self, "_targets", all)
  end
  local key = capture and "capture" or "bubble"
  local byname = all[name]
  if byname == nil then
    if not create then return nil end
    byname = {}
    all[name] = byname
  end
  local map = byname[key]
  if map == nil and create then
    map = {}
    byname[key] = map
  end
  return map
end

local function forget(self, rec)
  if rec.removed then return end
  rec.removed = true
  local map = targets(self, rec.type, rec.capture, false)
  if map then map[rec.listener] = nil end
  emitter_off(self, rec.type, rec.wrapper)
  local unsubscribe = rec.unsubscribe
  if unsubscribe then
    rec.unsubscribe = nil
    unsubscribe()
  end
end

local subscribe

-- Adds a listener record; returns it, or nil when the listener was there.
local function addrecord(self, name, listener, capture, once, signal)
  local map = targets(self, name, capture, true)
  if map[listener] then return nil end
  local rec = { type = name, listener = listener, capture = capture,
    once = once, removed = false }
  rec.wrapper = function(event)
    if rec.removed then return end
    if rec.once then forget(self, rec) end
    return invoke(rec.listener, event)
  end
  map[listener] = rec
  emitter_on(self, name, rec.wrapper)
  persist(self, name)
  if signal ~= nil then
    rec.unsubscribe = subscribe(signal, function() forget(self, rec) end)
  end
  return rec
end

-- Calls fn() once when `signal` aborts; returns a function that cancels
-- that.  Signals of other libraries are used through their own
-- addEventListener, where they have one.
function subscribe(signal, fn)
  if isSignal(signal) then
    local rec = addrecord(signal, "abort", function() fn() end, false, true)
    return function() forget(signal, rec) end
  end
  local add = signal.addEventListener
  if type(add) ~= "function" then return function() end end
  local listener = function() fn() end
  add(signal, "abort", listener, { once = true })
  return function()
    local remove = signal.removeEventListener
    if type(remove) == "function" then remove(signal, "abort", listener) end
  end
end

function Signal.__newindex(self, k, v)
  if k ~= "onabort" then
    rawset(self, k, v)
    return
  end
  local handler = rawget(self, "_onabort")
  if handler then
    handler.value = v
    return
  end
  -- The first assignment, whatever the value, fixes the handler's place.
  handler = { value = v }
  rawset(self, "_onabort", handler)
  emitter_on(self, "abort", function(event)
    local fn = handler.value
    if type(fn) == "function" then return fn(event) end
  end)
  persist(self, "abort")
end

-- Dispatch -------------------------------------------------------------------

local function rethrow(err) error(err, 0) end

-- Gives a table error the traceback of the listener that raised it, as the
-- loop does for errors raised in callbacks.
local function handler(err)
  if type(err) == "table" and rawget(err, "stack") == nil then
    rawset(err, "stack", traceback(tostring(err), 2))
  end
  return err
end

local function dispatch(self)
  local list = rawlisteners(self, "abort")
  local n = #list
  if n == 0 then return end
  local event = { type = "abort", target = self, isTrusted = true }
  for i = 1, n do
    local ok, err = xpcall(list[i], handler, event)
    if not ok then nextTick(rethrow, err) end
  end
end

-- Forgets the links of a composite signal that has aborted.
local function release(self)
  local sources = rawget(self, "_sources")
  if sources == nil then return end
  rawset(self, "_sources", nil)
  for i = 1, #sources do
    local keep = rawget(sources[i], "_keep")
    if keep then
      keep[self] = nil
      if next(keep) == nil then rawset(sources[i], "_keep", nil) end
    end
  end
  local boxes = rawget(self, "_boxes")
  rawset(self, "_boxes", nil)
  if boxes then
    for i = 1, #boxes do boxes[i][1] = nil end
  end
end

-- Node's abortSignal: marks the signal and then every signal that depends on
-- it as aborted, then fires 'abort' on each in that order.
local function abortsignal(self, reason)
  if rawget(self, "aborted") then return end
  rawset(self, "aborted", true)
  rawset(self, "reason", reason)
  local fire = { self }
  local deps = rawget(self, "_dependents")
  if deps then
    rawset(self, "_dependents", nil)
    for i = 1, deps.n do
      local d = deps[i][1]
      if d ~= nil and not rawget(d, "aborted") then
        rawset(d, "aborted", true)
        rawset(d, "reason", reason)
        fire[#fire + 1] = d
      end
    end
  end
  for i = 1, #fire do
    local s = fire[i]
    release(s)
    dispatch(s)
  end
end

-- Remembers that `dependent` aborts with `source`.  The source holds it
-- through a weak box, so a composite signal nobody uses can be collected;
-- the boxes it leaves are swept out as the list grows.
local function adddependent(source, dependent)
  local deps = rawget(source, "_dependents")
  if deps == nil then
    deps = { n = 0, limit = 8 }
    rawset(source, "_dependents", deps)
  end
  local box = setmetatable({ dependent }, WEAK_VALUES)
  local n = deps.n + 1
  deps[n] = box
  deps.n = n
  if n >= deps.limit then
    local live = 0
    for i = 1, n do
      local b = deps[i]
      deps[i] = nil
      if b[1] ~= nil then
        live = live + 1
        deps[live] = b
      end
    end
    deps.n = live
    deps.limit = live * 2 > 8 and live * 2 or 8
  end
  local boxes = rawget(dependent, "_boxes")
  boxes[#boxes + 1] = box
end

-- EventEmitter methods, so that composite signals learn of listeners ------

--- on(name, listener): EventEmitter's; an 'abort' listener gets the event
-- table.
function AbortSignal:on(name, fn)
  emitter_on(self, name, fn)
  persist(self, name)
  return self
end
AbortSignal.addListener = AbortSignal.on

function AbortSignal:once(name, fn)
  emitter_once(self, name, fn)
  persist(self, name)
  return self
end

function AbortSignal:prependListener(name, fn)
  emitter_prepend(self, name, fn)
  persist(self, name)
  return self
end

function AbortSignal:prependOnceListener(name, fn)
  emitter_prependonce(self, name, fn)
  persist(self, name)
  return self
end

local function dropall(byname)
  for _, map in next, byname do
    for _, rec in next, map do
      rec.removed = true
      local unsubscribe = rec.unsubscribe
      if unsubscribe then
        rec.unsubscribe = nil
        unsubscribe()
      end
    end
  end
end

--- removeAllListeners([name]): EventEmitter's; it also forgets what
-- addEventListener added and, for 'abort', the onabort handler (which then
-- reads nil), so that they can be added again.
function AbortSignal:removeAllListeners(...)
  local name = ...
  local all = rawget(self, "_targets")
  if all then
    if name == nil then
      for _, byname in next, all do dropall(byname) end
      rawset(self, "_targets", nil)
    elseif all[name] then
      dropall(all[name])
      all[name] = nil
    end
  end
  if name == nil or name == "abort" then rawset(self, "_onabort", nil) end
  return EventEmitter.removeAllListeners(self, ...)
end

-- EventTarget methods --------------------------------------------------------

local function eventtype(name)
  if type(name) == "string" then return name end
  if name == nil then return "undefined" end
  return tostring(name)
end

local function checklistener(listener)
  local t = type(listener)
  if t ~= "function" and t ~= "table" then
    throw("ERR_INVALID_ARG_TYPE", "listener", "EventListener", listener)
  end
end

--- addEventListener(type, listener[, options]): adds `listener` unless it is
-- already there for this type and capture flag.
-- @tparam string type the event name, 'abort'
-- @tparam function|table listener a function, or a table with a
--   `handleEvent` method (called as `listener:handleEvent(event)`)
-- @tparam[opt] table|boolean options `once`, `capture`, `passive`, and
--   `signal` (an AbortSignal that removes the listener); a boolean is
--   `capture`
-- @usage signal:addEventListener("abort", function(event) ... end, { once = true })
function AbortSignal:addEventListener(...)
  checkthis(self)
  if select("#", ...) < 2 then throw("ERR_MISSING_ARGS", "type", "listener") end
  local name, listener, options = ...
  if listener == nil then
    EventEmitter.warn("AddEventListenerArgumentTypeWarning",
      "addEventListener called with undefined which has no effect.")
    return
  end
  checklistener(listener)
  local capture, once, signal = false, false, nil
  if type(options) == "boolean" then
    capture = options
  elseif options ~= nil and type(options) ~= "function" then
    -- Node takes any object here; a function has no options to read.
    validate.object(options, "options")
    capture = not not options.capture
    once = not not options.once
    signal = options.signal
    validate.signal(signal, "options.signal")
    if signal ~= nil and signal.aborted then return end
  end
  addrecord(self, eventtype(name), listener, capture, once, signal)
end

--- removeEventListener(type, listener[, options]): removes what
-- addEventListener added with the same type and capture flag.
-- @tparam string type the event name
-- @tparam function|table listener
-- @tparam[opt] table|boolean options `capture`
function AbortSignal:removeEventListener(...)
  checkthis(self)
  if select("#", ...) < 2 then throw("ERR_MISSING_ARGS", "type", "listener") end
  local name, listener, options = ...
  if listener == nil then return end
  checklistener(listener)
  local capture = false
  if type(options) == "boolean" then
    capture = options
  elseif type(options) == "table" then
    capture = not not options.capture
  end
  local map = targets(self, eventtype(name), capture, false)
  local rec = map and map[listener]
  if rec then forget(self, rec) end
end

--- throwIfAborted(): raises `signal.reason` if the signal has aborted.
function AbortSignal:throwIfAborted()
  checkthis(self)
  if rawget(self, "aborted") then error(rawget(self, "reason"), 0) end
end

-- The constructors ------------------------------------------------------------

local function illegal()
  error(newerror("TypeError", "ERR_ILLEGAL_CONSTRUCTOR", "Illegal constructor"), 0)
end

--- AbortSignal() and AbortSignal.new() raise ERR_ILLEGAL_CONSTRUCTOR, as
-- `new AbortSignal()` throws in Node: signals come from a controller or the
-- functions below.
AbortSignal.new = illegal
setmetatable(AbortSignal, { __index = EventEmitter, __call = illegal })

--- AbortSignal.abort([reason]): a signal that has already aborted.
-- @param[opt] reason the reason; an AbortError when nil
-- @treturn table the signal
function AbortSignal.abort(reason)
  local s = newsignal()
  s.aborted = true
  if reason == nil then reason = aborterror() end
  s.reason = reason
  return s
end

--- AbortSignal.timeout(delay): a signal that aborts after `delay` ms with a
-- TimeoutError.  Its timer is unref'd: it does not keep the loop running.
-- @tparam integer delay milliseconds, 0 to 4294967295 (delays above
--   2147483647 become 1 ms with a TimeoutOverflowWarning, as in Node)
-- @treturn table the signal
function AbortSignal.timeout(delay)
  delay = validate.uint32(delay, "delay")
  local s = newsignal()
  local timer = setTimeout(function()
    rawset(s, "_timer", nil)
    abortsignal(s, timeouterror())
  end, delay)
  timer:unref()
  rawset(s, "_timer", timer)
  return s
end

local function notsequence()
  error(newerror("TypeError", "ERR_INVALID_ARG_TYPE",
    "Value can not be converted to sequence."), 0)
end

--- AbortSignal.any(signals): a signal that aborts, with the same reason, as
-- soon as any of `signals` does.
-- @tparam table signals a sequence of signals (`signals.n` counts, when set)
-- @treturn table the signal; already aborted if one of `signals` is
function AbortSignal.any(signals)
  if type(signals) ~= "table" or isSignal(signals)
      or rawget(signals, "aborted") ~= nil then
    notsequence()
  end
  local n = signals.n
  if mtype(n) ~= "integer" or n < 0 then n = #signals end
  for i = 1, n do
    local s = signals[i]
    if type(s) ~= "table" or s.aborted == nil then
      -- Node's text names the JavaScript index, which counts from 0.
      throw("ERR_INVALID_ARG_TYPE", format("signals[%d]", i - 1), "AbortSignal",
        s)
    end
  end
  local result = newsignal()
  for i = 1, n do
    local s = signals[i]
    if s.aborted then
      result.aborted = true
      result.reason = s.reason
      return result
    end
  end
  -- The sources are the signals that can abort by themselves: a composite
  -- signal given here stands for its own sources.
  local sources, seen = {}, {}
  local function add(src)
    if not seen[src] then
      seen[src] = true
      sources[#sources + 1] = src
    end
  end
  for i = 1, n do
    local s = signals[i]
    if isSignal(s) then
      local inner = rawget(s, "_sources")
      if inner then
        for j = 1, #inner do add(inner[j]) end
      elseif rawget(s, "_composite") == nil then
        add(s)
      end
    end
  end
  rawset(result, "_composite", true)
  rawset(result, "_sources", sources)
  rawset(result, "_boxes", {})
  for i = 1, #sources do adddependent(sources[i], result) end
  return result
end

-- The controller ------------------------------------------------------------

--- AbortController: `controller.signal` and `controller:abort([reason])`.
local AbortController = {}
M.AbortController = AbortController

local Controller = { __name = "AbortController" }
Controller.__index = AbortController

function Controller.__tostring(self)
  return format("AbortController { signal: %s }", tostring(self.signal))
end

--- AbortController.new(): a controller with a fresh signal;
-- `AbortController()` is the same.
-- @treturn table the controller
function AbortController.new()
  return setmetatable({ signal = newsignal() }, Controller)
end
setmetatable(AbortController, { __call = function() return AbortController.new() end })

--- abort([reason]): aborts the signal with `reason` (an AbortError when
-- nil): sets `signal.aborted` and `signal.reason` and fires 'abort'.  A
-- second call does nothing.
-- @param[opt] reason any value
function AbortController:abort(reason)
  if getmetatable(self) ~= Controller then
    throw("ERR_INVALID_THIS", "AbortController")
  end
  local s = self.signal
  if rawget(s, "aborted") then return end
  if reason == nil then reason = aborterror() end
  abortsignal(s, reason)
end

-- For the net layer --------------------------------------------------------

--- listen(signal, fn): calls `fn(reason)` once when `signal` aborts, as
-- Node's addAbortListener does; if it has aborted already, `fn` runs on the
-- next tick.  Returns a function that removes the listener (and cancels
-- that next-tick call).
-- @tparam table signal an AbortSignal
-- @tparam function fn called with `signal.reason`
-- @treturn function the remover
-- @usage local remove = abort.listen(options.signal, function() server:close() end)
function M.listen(signal, fn)
  if signal == nil then
    throw("ERR_INVALID_ARG_TYPE", "signal", "AbortSignal", signal)
  end
  validate.signal(signal, "signal")
  validate.func(fn, "listener")
  if signal.aborted then
    local cancelled = false
    nextTick(function()
      if not cancelled then
        cancelled = true
        fn(signal.reason)
      end
    end)
    return function() cancelled = true end
  end
  return subscribe(signal, function() fn(signal.reason) end)
end

return M
