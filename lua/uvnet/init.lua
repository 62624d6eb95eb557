--- uvnet: Node.js's `net` module for Lua 5.4, on libuv.
-- @module uvnet

local core = require("uvnet.core")
local timers = require("uvnet.timers")
local validate = require("uvnet.validate")
local EventEmitter = require("uvnet.emitter")
local Socket = require("uvnet.socket")
local Server = require("uvnet.server")
local args = require("uvnet.args")
local ip = require("uvnet.ip")

local net = {}

net.Socket = Socket
net.Server = Server
net.Stream = Socket
net.EventEmitter = EventEmitter
net.BlockList = require("uvnet.blocklist")
net.SocketAddress = require("uvnet.socketaddress")
net.AbortController = require("uvnet.abort").AbortController
net.AbortSignal = require("uvnet.abort").AbortSignal
net.isIP = ip.isIP
net.isIPv4 = ip.isIPv4
net.isIPv6 = ip.isIPv6

--- createServer([options][, connectionListener])
function net.createServer(options, listener)
  return Server.new(options, listener)
end

--- connect(options[, connectListener]), connect(port[, host][, listener]),
-- connect(path[, listener]); createConnection is the same.
function net.connect(...)
  local options, cb = args.normalize(...)
  local sock = Socket.new(options)
  if validate.jstruthy(options.timeout) then sock:setTimeout(options.timeout) end
  if cb then
    return sock:connect(options, cb)
  end
  return sock:connect(options)
end
net.createConnection = net.connect

-- Family autoselection defaults ---------------------------------------------

local autodefaults = require("uvnet.dns").defaults

--- getDefaultAutoSelectFamily(): the default of the autoSelectFamily
-- connect option (true at start).
function net.getDefaultAutoSelectFamily()
  return autodefaults.autoSelectFamily
end

--- setDefaultAutoSelectFamily(value): value is a boolean.
function net.setDefaultAutoSelectFamily(value)
  validate.boolean(value, "value")
  autodefaults.autoSelectFamily = value
end

--- getDefaultAutoSelectFamilyAttemptTimeout(): the default of the
-- autoSelectFamilyAttemptTimeout connect option, in ms (250 at start).
function net.getDefaultAutoSelectFamilyAttemptTimeout()
  return autodefaults.autoSelectFamilyAttemptTimeout
end

--- setDefaultAutoSelectFamilyAttemptTimeout(value): a 32-bit integer of
-- at least 1; values below 10 are taken as 10.
function net.setDefaultAutoSelectFamilyAttemptTimeout(value)
  value = validate.int32(value, "value", 1)
  if value < 10 then value = 10 end
  autodefaults.autoSelectFamilyAttemptTimeout = value
end

local modes = { default = true, once = true, nowait = true }

--- run([mode]): runs the event loop until nothing referenced remains
-- ('default'), or one pass ('once' waits for I/O, 'nowait' does not).
-- Returns whether work remains.  An error raised in a callback stops the
-- loop and is raised here, with the callback's traceback as `stack`.
function net.run(mode)
  if mode ~= nil and not modes[mode] then
    validate.oneof(mode, "mode", { "default", "once", "nowait" })
  end
  return core.run(mode)
end

net.setTimeout = timers.setTimeout
net.clearTimeout = timers.clearTimeout
net.setInterval = timers.setInterval
net.clearInterval = timers.clearInterval
net.setImmediate = timers.setImmediate
net.clearImmediate = timers.clearImmediate
net.nextTick = timers.nextTick

--- onSignal(name, listener): watches a signal ('SIGINT', 'SIGTERM', ...);
-- see uvnet.signal.
net.onSignal = require("uvnet.signal").on

--- The sequential style (uvnet.task): net.spawn(fn, ...) runs fn as a task;
-- net.task.read, .write, .connect, .accept, .sleep, ... suspend it.
net.task = require("uvnet.task")
net.spawn = net.task.spawn

return net
