---@meta uvnet.emitter
-- LuaLS definitions for uvnet's EventEmitter (lua/uvnet/emitter.lua), the
-- class behind Socket, Server and AbortSignal.  Editors only: nothing here
-- runs.  spec/meta_spec.lua checks these names against the real module.

---The events every emitter has, whatever else it emits.
---@alias uvnet.EmitterEvent
---| "newListener"    # (eventName, listener) before a listener is added
---| "removeListener" # (eventName, listener) after a listener is removed
---| "error"          # (err) raised when nothing listens

---Node's `events.EventEmitter`: listeners are called with the event's
---arguments and no `self`; an emit works on a snapshot of the listeners.
---@class uvnet.EventEmitter
---@field defaultMaxListeners integer On the class: the listener limit of new emitters (10).
local EventEmitter = {}

---Makes `obj` (or a new table) an emitter and returns it. The class itself
---is not callable.
---@generic T: table
---@param obj? T
---@return T|uvnet.EventEmitter
function EventEmitter.new(obj) end

---Writes a process warning to stderr as `(uvnet:PID) Kind: message`.
---@param kind string such as "MaxListenersExceededWarning"
---@param message string
function EventEmitter.warn(kind, message) end

---Adds `listener` at the end of the list for `eventName`.
---@param eventName any
---@param listener function
---@return self
function EventEmitter:on(eventName, listener) end

---The same method as `on`.
---@param eventName any
---@param listener function
---@return self
function EventEmitter:addListener(eventName, listener) end

---Adds a listener that is removed before its first call.
---@param eventName any
---@param listener function
---@return self
function EventEmitter:once(eventName, listener) end

---As `on`, at the front of the list.
---@param eventName any
---@param listener function
---@return self
function EventEmitter:prependListener(eventName, listener) end

---As `once`, at the front of the list.
---@param eventName any
---@param listener function
---@return self
function EventEmitter:prependOnceListener(eventName, listener) end

---Removes the most recently added instance of `listener` (also a `once` one).
---@param eventName any
---@param listener function
---@return self
function EventEmitter:removeListener(eventName, listener) end

---The same method as `removeListener`.
---@param eventName any
---@param listener function
---@return self
function EventEmitter:off(eventName, listener) end

---Removes every listener of `eventName`, or of every event.
---@param eventName? any
---@return self
function EventEmitter:removeAllListeners(eventName) end

---Calls the listeners of `eventName` with the arguments; `true` if there
---were any. An `'error'` with no listener is raised.
---@param eventName any
---@param ... any
---@return boolean
function EventEmitter:emit(eventName, ...) end

---The number of listeners of `eventName`, or of those that are `listener`.
---@param eventName any
---@param listener? function
---@return integer
function EventEmitter:listenerCount(eventName, listener) end

---A copy of the listeners, `once` ones unwrapped.
---@param eventName any
---@return function[]
function EventEmitter:listeners(eventName) end

---A copy of the listeners, `once` ones as their wrappers (callable tables
---whose `listener` field is the original).
---@param eventName any
---@return (function|table)[]
function EventEmitter:rawListeners(eventName) end

---The event names that have listeners, in the order they got their first.
---@return any[]
function EventEmitter:eventNames() end

---The listener limit of this emitter; 0 means none.
---@param n number
---@return self
function EventEmitter:setMaxListeners(n) end

---@return number
function EventEmitter:getMaxListeners() end

return EventEmitter
