--- Signal watchers: run a function when the process gets a signal.
--
-- A watcher does not keep the loop alive by itself (like Node's
-- process.on('SIGINT')), and `close()` stops it.
-- @module uvnet.signal

local core = require("uvnet.core")
local validate = require("uvnet.validate")

local setmetatable = setmetatable

local M = {}

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
  local h, err = core.signal(w, name)
  if not h then error("uvnet: cannot watch " .. name .. ": " .. err, 2) end
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
