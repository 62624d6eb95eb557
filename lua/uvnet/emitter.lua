--- EventEmitter with Node's `events` semantics.
--
-- Listeners are stored per event name as a single function or, once there
-- are several, as a sequence; an emit works on a snapshot, so adding or
-- removing listeners during an emit does not change that emit.  `once`
-- listeners are wrapped in a callable table that remembers the original,
-- so `off(name, original)` removes them.
-- @classmod uvnet.emitter

local errors = require("uvnet.errors")
local validate = require("uvnet.validate")

local type, setmetatable, getmetatable = type, setmetatable, getmetatable
local tostring, rawget, ipairs, error, select = tostring, rawget, ipairs,
  error, select
local remove, insert, unpack = table.remove, table.insert, table.unpack
local throw = errors.throw

local EventEmitter = {}
EventEmitter.__index = EventEmitter
EventEmitter.__name = "EventEmitter"

--- Listeners per event before the leak warning, for new emitters.
EventEmitter.defaultMaxListeners = 10

-- The wrapper of a `once` listener: removes itself, then calls the original.
local Once = {}
Once.__index = Once
function Once.__call(w, ...)
  if w.fired then return end
  w.fired = true
  w.target:removeListener(w.type, w)
  return w.listener(...)
end

-- Two or more listeners of one event: an array that calls them in order,
-- over a snapshot, so that listeners added or removed meanwhile wait for the
-- next emit (as Node's arrayClone).
local List = {}
function List.__call(list, ...)
  local n = #list
  if n == 2 then
    local a, b = list[1], list[2]
    a(...)
    b(...)
  else
    local snapshot = { unpack(list, 1, n) }
    for i = 1, n do snapshot[i](...) end
  end
end

local function checklistener(fn)
  if type(fn) ~= "function" and getmetatable(fn) ~= Once then
    throw("ERR_INVALID_ARG_TYPE", "listener", "Function", fn)
  end
end

local function original(fn)
  if getmetatable(fn) == Once then return fn.listener end
  return fn
end

-- Node takes any value as an event name, undefined and NaN included; in
-- Lua those two cannot be table keys, so they stand behind private keys.
local NILKEY, NANKEY = setmetatable({}, { __name = "undefined" }),
  setmetatable({}, { __name = "NaN" })
local function key(name)
  if name == nil then return NILKEY end
  if name ~= name then return NANKEY end
  return name
end
local function unkey(k)
  if k == NILKEY then return nil end
  if k == NANKEY then return 0 / 0 end
  return k
end

--- Prints a process warning as Node does, to stderr.
function EventEmitter.warn(kind, message)
  local core = require("uvnet.core")
  io.stderr:write(("(uvnet:%d) %s: %s\n"):format(core.getpid(), kind, message))
end

-- The order in which names got their first listener, for eventNames().
-- One name needs no order, so the list starts at the second, and it lives
-- in the events table under a private key: an emitter with listeners costs
-- one table, not two.
local ORDER = setmetatable({}, { __name = "order" })

-- The names of events, in order, as a new array.
local function ordernames(events)
  local names = events[ORDER]
  if names then return { unpack(names) } end
  local k = next(events)
  return { k }
end

local function addlistener(self, name, fn, prepend)
  checklistener(fn)
  local k = key(name)
  local events = rawget(self, "_events")
  if events == nil then
    events = {}
    self._events = events
  elseif events.newListener ~= nil then
    self:emit("newListener", name, original(fn))
    events = self._events
  end
  local existing = events[k]
  if existing == nil then
    local names = events[ORDER]
    if names then
      names[#names + 1] = k
    else
      local first = next(events)
      if first ~= nil then events[ORDER] = { first, k } end
    end
    events[k] = fn
    return self
  end
  if type(existing) ~= "table" or getmetatable(existing) == Once then
    existing = setmetatable({ existing }, List)
    events[k] = existing
  end
  if prepend then insert(existing, 1, fn) else existing[#existing + 1] = fn end
  local max = self:getMaxListeners()
  if max > 0 and #existing > max and not (self._warned and self._warned[k]) then
    self._warned = self._warned or {}
    self._warned[k] = true
    EventEmitter.warn("MaxListenersExceededWarning", ("Possible EventEmitter "
      .. "memory leak detected. %d %s listeners added to [%s]. MaxListeners "
      .. "is %d. Use emitter.setMaxListeners() to increase limit"):format(
      #existing, tostring(name), getmetatable(self).__name or "EventEmitter",
      max))
  end
  return self
end

--- Creates an emitter, or makes `obj` one.
function EventEmitter.new(obj)
  return setmetatable(obj or {}, EventEmitter)
end

--- on(name, listener): adds a listener at the end.
function EventEmitter:on(name, fn) return addlistener(self, name, fn, false) end
EventEmitter.addListener = EventEmitter.on

--- prependListener(name, listener): adds a listener at the front.
function EventEmitter:prependListener(name, fn)
  return addlistener(self, name, fn, true)
end

local function wrap(self, name, fn)
  checklistener(fn)
  return setmetatable({ fired = false, target = self, type = name,
    listener = fn }, Once)
end

--- once(name, listener): a listener that runs at most once.
function EventEmitter:once(name, fn)
  return addlistener(self, name, wrap(self, name, fn), false)
end

function EventEmitter:prependOnceListener(name, fn)
  return addlistener(self, name, wrap(self, name, fn), true)
end

local function forget(self, name)
  local names = self._events[ORDER]
  if names == nil then return end
  for i = #names, 1, -1 do
    if names[i] == name then remove(names, i) break end
  end
end

--- off(name, listener): removes the most recently added match.
function EventEmitter:removeListener(name, fn)
  checklistener(fn)
  name = key(name)
  local events = rawget(self, "_events")
  if events == nil then return self end
  local list = events[name]
  if list == nil then return self end
  local removed
  if list == fn or (getmetatable(list) == Once and list.listener == fn) then
    removed = list
    events[name] = nil
    forget(self, name)
  elseif type(list) == "table" and getmetatable(list) ~= Once then
    for i = #list, 1, -1 do
      local l = list[i]
      if l == fn or (getmetatable(l) == Once and l.listener == fn) then
        removed = l
        -- Copy, so that an emit running over the old list is unaffected.
        local copy = setmetatable({ unpack(list) }, List)
        remove(copy, i)
        if #copy == 1 then copy = copy[1] end
        events[name] = copy
        break
      end
    end
  end
  if removed ~= nil and events.removeListener ~= nil then
    self:emit("removeListener", unkey(name), original(removed))
  end
  return self
end
EventEmitter.off = EventEmitter.removeListener

--- removeAllListeners([name])
function EventEmitter:removeAllListeners(...)
  local name = select("#", ...) > 0 and key((...)) or nil
  local events = rawget(self, "_events")
  if events == nil then return self end
  if events.removeListener == nil then
    if name == nil then
      self._events = {}
    elseif events[name] ~= nil then
      events[name] = nil
      forget(self, name)
    end
    return self
  end
  if name == nil then
    local names = ordernames(events)
    for _, n in ipairs(names) do
      if n ~= "removeListener" then self:removeAllListeners(unkey(n)) end
    end
    self:removeAllListeners("removeListener")
    self._events = {}
    return self
  end
  local list = events[name]
  if type(list) == "function" or getmetatable(list) == Once then
    self:removeListener(unkey(name), list)
  elseif list ~= nil then
    for i = #list, 1, -1 do self:removeListener(unkey(name), list[i]) end
  end
  return self
end

--- emit(name, ...): calls the listeners with the arguments; returns whether
-- there were any.  An 'error' with no listener is raised.
function EventEmitter:emit(name, ...)
  local events = self._events
  local list
  if events then
    -- key(name), inline: emit is the hottest call of all.
    if name == nil then
      list = events[NILKEY]
    elseif name ~= name then
      list = events[NANKEY]
    else
      list = events[name]
    end
  end
  if list == nil then
    if name == "error" then
      local err = ...
      if type(err) == "table" then error(err, 0) end
      local e = errors.make("ERR_UNHANDLED_ERROR", err)
      e.context = err
      error(e, 0)
    end
    return false
  end
  -- A function, a once-wrapper or a List: all three are called alike.
  list(...)
  return true
end

--- listenerCount(name[, listener])
function EventEmitter:listenerCount(name, fn)
  local events = rawget(self, "_events")
  local list = events and events[key(name)]
  if list == nil then return 0 end
  if type(list) == "function" or getmetatable(list) == Once then
    if fn == nil or original(list) == fn then return 1 end
    return 0
  end
  if fn == nil then return #list end
  local n = 0
  for i = 1, #list do
    if original(list[i]) == fn then n = n + 1 end
  end
  return n
end

local function copylisteners(self, name, unwrap)
  local events = rawget(self, "_events")
  local list = events and events[key(name)]
  if list == nil then return {} end
  if type(list) == "function" or getmetatable(list) == Once then
    return { unwrap and original(list) or list }
  end
  local out = {}
  for i = 1, #list do out[i] = unwrap and original(list[i]) or list[i] end
  return out
end

--- listeners(name): a copy of the listeners, `once` ones unwrapped.
function EventEmitter:listeners(name) return copylisteners(self, name, true) end

--- rawListeners(name): a copy, with `once` wrappers as they are.
function EventEmitter:rawListeners(name) return copylisteners(self, name, false) end

--- eventNames(): names with listeners, in the order they got their first.
function EventEmitter:eventNames()
  local events = rawget(self, "_events")
  local out = {}
  if events == nil then return out end
  for i, k in ipairs(ordernames(events)) do out[i] = unkey(k) end
  return out
end

--- setMaxListeners(n): 0 or math.huge for no limit.
function EventEmitter:setMaxListeners(n)
  self._maxListeners = validate.number(n, "setMaxListeners", 0)
  return self
end

function EventEmitter:getMaxListeners()
  local n = rawget(self, "_maxListeners")
  if n == nil then return EventEmitter.defaultMaxListeners end
  return n
end

return EventEmitter
