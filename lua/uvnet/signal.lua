--- Signal watchers: run a function when the process gets a signal.
--
-- A watcher does not keep the loop alive by itself (like Node's
-- process.on('SIGINT')), and `close()` stops it.
-- @module uvnet.signal

local core = require("uvnet.core")
local validate = require("uvnet.validate")

local setmetatable = setmetatable

local M = {}

-- The signals a watcher can take.
local KNOWN = { SIGINT = true, SIGTERM = true, SIGHUP = true, SIGQUIT = true,
  SIGUSR1 = true, SIGUSR2 = true, SIGWINCH = true }

local Watcher = {}
Watcher.__index = Watcher

core.sethandler("signal", function(w, signum)
  w.listener(w.name, signum)
end)

--- on(name, listener): calls listener(name, number) on each signal `name`
-- ('SIGINT', 'SIGTERM', 'SIGHUP', ...); returns a watcher with close().
function M.on(name, listener)
  validate.string(name, "signal")
  validate.func(listener, "listener")
  local w = setmetatable({ name = name, listener = listener }, Watcher)
  if not KNOWN[name] then
    require("uvnet.errors").throw("ERR_UNKNOWN_SIGNAL", name)
  end
  local h, _, code = core.signal(w, name)
  if not h then error(require("uvnet.errors").errno(code, "uv_signal_start"), 2) end
  h:unref()
  w._handle = h
  return w
end

--- close(): stops watching.
function Watcher:close()
  if self._handle then
    self._handle:close()
    self._handle = nil
  end
end
Watcher.__close = Watcher.close

return M
