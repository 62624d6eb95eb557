--- Timers, immediates and the nextTick queue, with Node's ordering.
--
-- Each armed timeout owns a libuv timer; libuv fires timers due together
-- in the order they were started.  Immediates wait in one queue that the
-- core runs after polling for I/O; ticks wait in another that the core
-- drains after every callback into Lua, before the next I/O callback.
-- @module uvnet.timers

local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")

local type, select, setmetatable, getmetatable = type, select, setmetatable,
  getmetatable
local unpack, pack = table.unpack, table.pack
local tointeger, ceil = math.tointeger, math.ceil
local newtimer, tickpending, setimmediates = core.timer, core.tickpending,
  core.setimmediates
local throw = errors.throw

local M = {}

local TIMEOUT_MAX = 2147483647

-- Node coerces a delay with `after *= 1`: strings are read as numbers,
-- anything else that is not a number is NaN; NaN and anything below 1
-- become 1, and so does anything above TIMEOUT_MAX, with a warning.
local function delay(after)
  local n
  if type(after) == "number" then
    n = after
  elseif type(after) == "string" then
    n = validate.jstonumber(after)
  elseif type(after) == "boolean" then
    n = after and 1 or 0
  else
    n = 0 / 0
  end
  if not (n >= 1 and n <= TIMEOUT_MAX) then
    if n > TIMEOUT_MAX then
      require("uvnet.emitter").warn("TimeoutOverflowWarning",
        errors.jsnumber(n) .. " does not fit into a 32-bit signed integer."
        .. "\nTimeout duration was set to 1.")
    end
    n = 1
  end
  -- Node compares whole-millisecond loop times with the delay, so a
  -- fraction of a millisecond counts as a whole one.
  return tointeger(ceil(n)) or 1
end
M.delay = delay

--- A timer made by setTimeout or setInterval.
local Timeout = {}
Timeout.__index = Timeout
Timeout.__name = "Timeout"
M.Timeout = Timeout

local function arm(t)
  local h = t._handle
  if h == nil then
    h = newtimer(t)
    t._handle = h
    if not t._refed then h:unref() end
  end
  h:start(t._idleTimeout, t._repeat or 0)
end

local function disarm(t)
  local h = t._handle
  if h ~= nil then
    t._handle = nil
    h:close()
  end
end

local function create(fn, after, rep, ...)
  validate.func(fn, "callback")
  local ms = delay(after)
  local t = setmetatable({
    _onTimeout = fn,
    _idleTimeout = ms,
    _repeat = rep and ms or nil,
    _refed = true,
    _destroyed = false,
  }, Timeout)
  if select("#", ...) > 0 then t._args = pack(...) end
  arm(t)
  return t
end

-- Called by the core when a timer falls due.
local function ontimer(t)
  if t._repeat == nil then
    t._destroyed = true
    disarm(t)
  end
  local args = t._args
  if args then
    t._onTimeout(unpack(args, 1, args.n))
  else
    t._onTimeout()
  end
end
core.sethandler("timer", ontimer)

--- Re-arms the timer from now with its delay; returns it.
function Timeout:refresh()
  if self._idleTimeout >= 0 then
    self._destroyed = false
    arm(self)
  end
  return self
end

function Timeout:ref()
  self._refed = true
  if self._handle then self._handle:ref() end
  return self
end

function Timeout:unref()
  self._refed = false
  if self._handle then self._handle:unref() end
  return self
end

function Timeout:hasRef()
  return self._refed
end

--- close(): cancels the timer, as clearTimeout does; returns it.
function Timeout:close()
  M.clearTimeout(self)
  return self
end
Timeout.__close = Timeout.close

--- setTimeout(callback, delay, ...): runs callback once after delay ms.
function M.setTimeout(fn, after, ...)
  return create(fn, after, false, ...)
end

--- setInterval(callback, delay, ...): runs callback every delay ms.
function M.setInterval(fn, after, ...)
  return create(fn, after, true, ...)
end

--- clearTimeout(timer): cancels a timeout or an interval; anything else is
-- ignored, as in Node.
function M.clearTimeout(t)
  if getmetatable(t) ~= Timeout then return end
  t._idleTimeout = -1
  t._destroyed = true
  disarm(t)
end
M.clearInterval = M.clearTimeout

-- Immediates ---------------------------------------------------------------

local Immediate = {}
Immediate.__index = Immediate
Immediate.__name = "Immediate"
M.Immediate = Immediate

local iqueue, ihead, itail = {}, 1, 0
local irefs = 0

local function iupdate()
  setimmediates(ihead <= itail, irefs > 0)
end

--- setImmediate(callback, ...): runs callback after this turn's I/O.
function M.setImmediate(fn, ...)
  validate.func(fn, "callback")
  local im = setmetatable({ _onImmediate = fn, _refed = true,
    _destroyed = false }, Immediate)
  if select("#", ...) > 0 then im._argv = pack(...) end
  itail = itail + 1
  iqueue[itail] = im
  irefs = irefs + 1
  if irefs == 1 or ihead == itail then iupdate() end
  return im
end

--- clearImmediate(immediate)
function M.clearImmediate(im)
  if getmetatable(im) ~= Immediate or im._destroyed then return end
  im._destroyed = true
  if im._refed then
    irefs = irefs - 1
    if irefs == 0 then iupdate() end
  end
end

function Immediate:ref()
  if not self._refed and not self._destroyed then
    self._refed = true
    irefs = irefs + 1
    if irefs == 1 then iupdate() end
  end
  return self
end

function Immediate:unref()
  if self._refed and not self._destroyed then
    self._refed = false
    irefs = irefs - 1
    if irefs == 0 then iupdate() end
  end
  return self
end

function Immediate:hasRef() return self._refed end

-- The ticks -----------------------------------------------------------------

-- The tick queue is one flat array: each tick is its function, its
-- argument count and its arguments in a row, so a tick costs no table.
local tqueue, thead, ttail = {}, 1, 0

-- If a tick raises, the ones after it stay queued and are flagged again,
-- so the next net.run() runs them.
local tickcloser = setmetatable({}, { __close = function()
  if thead <= ttail then tickpending() end
end })

--- Runs queued ticks until the queue is empty, ticks queued meanwhile
-- included.
local function runticks()
  local _ <close> = tickcloser
  local q = tqueue
  while thead <= ttail do
    local h = thead
    local fn, n = q[h], q[h + 1]
    q[h], q[h + 1] = nil, nil
    thead = h + 2 + n
    if n == 0 then
      fn()
    elseif n == 1 then
      local a = q[h + 2]
      q[h + 2] = nil
      fn(a)
    else
      local last = h + 1 + n
      local args = { unpack(q, h + 2, last) }
      for k = h + 2, last do q[k] = nil end
      fn(unpack(args, 1, n))
    end
  end
  thead, ttail = 1, 0
end
M.runticks = runticks
core.sethandler("tick", runticks)

--- nextTick(callback, ...): runs callback after the current callback,
-- before any further I/O.
function M.nextTick(fn, ...)
  if type(fn) ~= "function" then
    throw("ERR_INVALID_ARG_TYPE", "callback", "Function", fn)
  end
  local n = select("#", ...)
  if thead > ttail then tickpending() end
  local t = ttail
  tqueue[t + 1], tqueue[t + 2] = fn, n
  if n == 1 then
    tqueue[t + 3] = ...
  elseif n > 1 then
    local args = { ... }
    for k = 1, n do tqueue[t + 2 + k] = args[k] end
  end
  ttail = t + 2 + n
end

--- Queues a prepared tick entry ({ fn = f, n = k, args... }) as nextTick
-- would, without checks: for callers that keep one entry and queue it
-- again and again (the socket's write path).
function M.queuetick(entry)
  if thead > ttail then tickpending() end
  local n, t = entry.n or 0, ttail
  tqueue[t + 1], tqueue[t + 2] = entry.fn, n
  for k = 1, n do tqueue[t + 2 + k] = entry[k] end
  ttail = t + 2 + n
end

local immcloser = setmetatable({}, { __close = function()
  if ihead > itail then iqueue, ihead, itail = {}, 1, 0 end
  iupdate()
end })

-- Runs the immediates queued before this turn; ones queued while they run
-- wait for the next turn.  Ticks run after each.
local function runimmediates()
  local _ <close> = immcloser
  local last = itail
  while ihead <= last do
    local im = iqueue[ihead]
    iqueue[ihead] = nil
    ihead = ihead + 1
    if not im._destroyed then
      im._destroyed = true
      if im._refed then irefs = irefs - 1 end
      local argv = im._argv
      if argv then
        im._onImmediate(unpack(argv, 1, argv.n))
      else
        im._onImmediate()
      end
      if thead <= ttail then runticks() end
    end
  end
end
core.sethandler("immediate", runimmediates)

--- Forgets every pending tick and immediate (used by the spec helper after
-- a test that failed half-way).
function M.reset()
  tqueue, thead, ttail = {}, 1, 0
  iqueue, ihead, itail = {}, 1, 0
  irefs = 0
  iupdate()
end

return M
