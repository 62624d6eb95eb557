---@meta uvnet.abort
-- LuaLS definitions for AbortController and AbortSignal
-- (lua/uvnet/abort.lua; also net.AbortController and net.AbortSignal).
-- Editors only: nothing here runs.  spec/meta_spec.lua checks these names
-- against the real module.

---The one event of a signal.
---@alias uvnet.AbortSignalEvent
---| "abort" # (event: uvnet.AbortEvent) the signal aborted
---| uvnet.EmitterEvent

---What every 'abort' listener gets; all listeners of one abort see the same table.
---@class uvnet.AbortEvent
---@field type "abort"
---@field target uvnet.AbortSignal
---@field isTrusted boolean

---An abort listener: a function, a table whose `handleEvent` method is
---called, or a callable table.
---@alias uvnet.AbortListener table|{ handleEvent: fun(self: table, event: uvnet.AbortEvent) }|fun(event: uvnet.AbortEvent)

---The options of `addEventListener`: `true` means `{ capture = true }`.
---@class uvnet.AbortListenerOptions
---@field capture? boolean
---@field once? boolean
---@field signal? uvnet.AbortSignal Another signal whose abort removes the listener.

---An AbortSignal: an EventEmitter that is also an EventTarget for 'abort'.
---Signals come from a controller or the functions below; `AbortSignal()`
---raises ERR_ILLEGAL_CONSTRUCTOR.
---@class uvnet.AbortSignal: uvnet.EventEmitter
---@field aborted boolean
---@field reason any Why it aborted: an AbortError table when abort() got no reason.
---@field onabort? uvnet.AbortListener Takes its place in the list when first assigned.
local AbortSignal = {}

---Raises ERR_ILLEGAL_CONSTRUCTOR, as `new AbortSignal()` throws in Node.
function AbortSignal.new() end

---A signal that has aborted already (reason: an AbortError when nil).
---@param reason? any
---@return uvnet.AbortSignal
function AbortSignal.abort(reason) end

---A signal that aborts after `delay` ms with a TimeoutError; its timer does
---not keep the loop running.
---@param delay integer
---@return uvnet.AbortSignal
function AbortSignal.timeout(delay) end

---A signal that aborts, with the same reason, when the first of `signals` does.
---@param signals uvnet.AbortSignal[]
---@return uvnet.AbortSignal
function AbortSignal.any(signals) end

---Raises `signal.reason` once the signal has aborted.
function AbortSignal:throwIfAborted() end

---Adds `listener` for "abort", once per type and capture flag.
---@param type "abort"|string
---@param listener uvnet.AbortListener
---@param options? uvnet.AbortListenerOptions|boolean
function AbortSignal:addEventListener(type, listener, options) end

---Removes what `addEventListener` added with the same type and capture flag.
---@param type "abort"|string
---@param listener uvnet.AbortListener
---@param options? uvnet.AbortListenerOptions|boolean
function AbortSignal:removeEventListener(type, listener, options) end

---@param eventName uvnet.AbortSignalEvent|string
---@param listener fun(event: uvnet.AbortEvent)
---@return self
function AbortSignal:on(eventName, listener) end

---@param eventName uvnet.AbortSignalEvent|string
---@param listener fun(event: uvnet.AbortEvent)
---@return self
function AbortSignal:addListener(eventName, listener) end

---@param eventName uvnet.AbortSignalEvent|string
---@param listener fun(event: uvnet.AbortEvent)
---@return self
function AbortSignal:once(eventName, listener) end

---@param eventName uvnet.AbortSignalEvent|string
---@param listener fun(event: uvnet.AbortEvent)
---@return self
function AbortSignal:prependListener(eventName, listener) end

---@param eventName uvnet.AbortSignalEvent|string
---@param listener fun(event: uvnet.AbortEvent)
---@return self
function AbortSignal:prependOnceListener(eventName, listener) end

---Also forgets the `addEventListener` registrations and `onabort`.
---@param eventName? uvnet.AbortSignalEvent|string
---@return self
function AbortSignal:removeAllListeners(eventName) end

---`controller.signal` and `controller:abort([reason])`.
---`net.AbortController()` and `net.AbortController.new()` make one.
---@class uvnet.AbortController
---@field signal uvnet.AbortSignal
---@overload fun(): uvnet.AbortController
local AbortController = {}

---@return uvnet.AbortController
function AbortController.new() end

---Aborts the signal with `reason` (an AbortError when nil); a second call does nothing.
---@param reason? any
function AbortController:abort(reason) end

---The module `require("uvnet.abort")`.
---@class uvnet.abort
local M = {}

M.AbortController = AbortController
M.AbortSignal = AbortSignal

---Whether `v` is one of these signals.
---@param v any
---@return boolean
function M.isSignal(v) end

---Calls `fn(signal.reason)` once when the signal aborts, or on the next
---tick if it has already; returns a function that removes the listener.
---@param signal uvnet.AbortSignal
---@param fn fun(reason: any)
---@return fun()
function M.listen(signal, fn) end

---A fresh AbortError: the default reason of `controller:abort()`.
---@return uvnet.Error
function M.aborterror() end

---A fresh TimeoutError: the reason of `AbortSignal.timeout`.
---@return uvnet.Error
function M.timeouterror() end

return M
