---@meta
-- LuaLS definitions for the timer objects of net.setTimeout, setInterval
-- and setImmediate (lua/uvnet/timers.lua), and the watchers of
-- net.onSignal (lua/uvnet/signal.lua).  Editors only: nothing here runs.
-- spec/meta_spec.lua checks these names against the real classes.

---What `net.setTimeout` and `net.setInterval` give. A timer in a
---to-be-closed variable is cancelled when the scope ends.
---@class uvnet.Timeout
local Timeout = {}

---Lets `net.run()` return without waiting for this timer.
---@return self
function Timeout:unref() end

---Undoes `unref()` (the default).
---@return self
function Timeout:ref() end

---Whether the timer keeps `net.run()` running.
---@return boolean
function Timeout:hasRef() end

---Starts the timer again from now, with its delay, also after it fired.
---@return self
function Timeout:refresh() end

---Cancels the timer, as `net.clearTimeout` does.
---@return self
function Timeout:close() end

---What `net.setImmediate` gives.
---@class uvnet.Immediate
local Immediate = {}

---@return self
function Immediate:unref() end

---@return self
function Immediate:ref() end

---@return boolean
function Immediate:hasRef() end

---Signal names `net.onSignal` takes.
---@alias uvnet.SignalName
---| "SIGINT"
---| "SIGTERM"
---| "SIGHUP"
---| "SIGQUIT"
---| "SIGUSR1"
---| "SIGUSR2"
---| "SIGWINCH"

---What `net.onSignal` gives. It does not keep the loop running; in a
---to-be-closed variable it stops when the scope ends.
---@class uvnet.SignalWatcher
---@field name uvnet.SignalName The signal watched.
---@field listener fun(name: uvnet.SignalName, signum: integer) The function called.
local SignalWatcher = {}

---Stops watching.
function SignalWatcher:close() end
