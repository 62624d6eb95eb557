---@meta uvnet
-- LuaLS definitions for require("uvnet") (lua/uvnet/init.lua): Node's
-- `net` module for Lua 5.4, with the event loop, timers and signal
-- watchers Node has around it.  Editors only: nothing here runs.  The
-- classes live beside this file in types/uvnet/; spec/meta_spec.lua checks
-- every name against the real module, so the definitions cannot drift.
--
-- To use them, point the language server at this directory: in the
-- repository `.luarc.json` does it; elsewhere add the `types` directory of
-- a checkout, or of the installed rock, to `workspace.library`.

---How `net.run` runs the loop.
---@alias uvnet.RunMode
---| "default" # until no referenced handle, request or timer remains
---| "once"    # one pass, waiting for I/O if nothing is ready
---| "nowait"  # one pass, not waiting

---The module `require("uvnet")`.
---@class uvnet
---@field Socket uvnet.Socket The socket class: `net.Socket(options)`, `net.Socket.new(options)`.
---@field Stream uvnet.Socket The same class as `Socket`.
---@field Server uvnet.Server The server class: `net.Server(options, listener)`.
---@field BlockList uvnet.BlockList The rule set class: `net.BlockList()`.
---@field SocketAddress uvnet.SocketAddress The address class: `net.SocketAddress(options)`.
---@field EventEmitter uvnet.EventEmitter The emitter class: `net.EventEmitter.new([obj])`.
---@field AbortController uvnet.AbortController `net.AbortController()`.
---@field AbortSignal uvnet.AbortSignal `AbortSignal.abort`, `.timeout`, `.any`.
---@field task uvnet.task The sequential style: `net.task.read`, `.write`, `.connect`, `.accept`, `.sleep`, ...
local net = {}

---Creates a server; `connectionListener` is added as a `'connection'` listener.
---@param options? uvnet.ServerOptions
---@param connectionListener? fun(socket: uvnet.Socket)
---@return uvnet.Server
---@overload fun(connectionListener?: fun(socket: uvnet.Socket)): uvnet.Server
function net.createServer(options, connectionListener) end

---Creates a socket and starts connecting it; `'connect'` follows from the
---loop. `connectListener` is added with `once`.
---@param options uvnet.ConnectOptions
---@param connectListener? fun()
---@return uvnet.Socket
---@overload fun(port: integer|string, host?: string, connectListener?: fun()): uvnet.Socket
---@overload fun(port: integer|string, connectListener: fun()): uvnet.Socket
---@overload fun(path: string, connectListener?: fun()): uvnet.Socket
function net.connect(options, connectListener) end

---The same function as `net.connect`.
---@param options uvnet.ConnectOptions
---@param connectListener? fun()
---@return uvnet.Socket
---@overload fun(port: integer|string, host?: string, connectListener?: fun()): uvnet.Socket
---@overload fun(port: integer|string, connectListener: fun()): uvnet.Socket
---@overload fun(path: string, connectListener?: fun()): uvnet.Socket
function net.createConnection(options, connectListener) end

---6 for an IPv6 address, 4 for an IPv4 address, 0 otherwise.
---@param input any
---@return 0|4|6
function net.isIP(input) end

---Whether `net.isIP(input)` is 4.
---@param input any
---@return boolean
function net.isIPv4(input) end

---Whether `net.isIP(input)` is 6.
---@param input any
---@return boolean
function net.isIPv6(input) end

---The default of the `autoSelectFamily` connect option (true at start).
---@return boolean
function net.getDefaultAutoSelectFamily() end

---@param value boolean
function net.setDefaultAutoSelectFamily(value) end

---The default of `autoSelectFamilyAttemptTimeout`, in ms (250 at start).
---@return integer
function net.getDefaultAutoSelectFamilyAttemptTimeout() end

---A 32-bit integer of at least 1; values below 10 are stored as 10.
---@param value integer
function net.setDefaultAutoSelectFamilyAttemptTimeout(value) end

---Runs the event loop; returns whether work remains. An error raised in a
---callback stops the loop and is raised here, with its traceback as `stack`.
---@param mode? uvnet.RunMode
---@return boolean
function net.run(mode) end

---Calls `callback(...)` once after `delay` ms.
---@param callback function
---@param delay? number
---@param ... any
---@return uvnet.Timeout
function net.setTimeout(callback, delay, ...) end

---Cancels a timeout or an interval; anything else is ignored.
---@param timeout? uvnet.Timeout|any
function net.clearTimeout(timeout) end

---Calls `callback(...)` every `delay` ms until cleared.
---@param callback function
---@param delay? number
---@param ... any
---@return uvnet.Timeout
function net.setInterval(callback, delay, ...) end

---The same function as `clearTimeout`.
---@param timeout? uvnet.Timeout|any
function net.clearInterval(timeout) end

---Calls `callback(...)` after the I/O of the current turn of the loop.
---@param callback function
---@param ... any
---@return uvnet.Immediate
function net.setImmediate(callback, ...) end

---Cancels an immediate that has not run; anything else is ignored.
---@param immediate? uvnet.Immediate|any
function net.clearImmediate(immediate) end

---Node's `process.nextTick`: runs `callback(...)` as soon as the current
---callback (or the main chunk) returns, before further I/O.
---@param callback function
---@param ... any
function net.nextTick(callback, ...) end

---Node's `process.on('SIGINT', fn)`: calls `listener(name, signum)` on each
---signal `name`. The watcher does not keep the loop running.
---@param name uvnet.SignalName
---@param listener fun(name: uvnet.SignalName, signum: integer)
---@return uvnet.SignalWatcher
function net.onSignal(name, listener) end

---Runs `fn(...)` as a task (a coroutine the loop schedules), from the next
---tick on; inside it the `net.task` functions wait without blocking the
---loop. The same function as `net.task.spawn`; see docs/sequential.md.
---@param fn function
---@param ... any
---@return uvnet.Task
function net.spawn(fn, ...) end

return net
