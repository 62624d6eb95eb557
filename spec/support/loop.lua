--- Runs the uvnet loop inside a busted `it`, with a deadline, and checks
-- that the test called what it expected and left no handle open.
--
--     local loop = require("support.loop")
--
-- UVNET_GC_STRESS=1 in the environment collects garbage after every
-- callback (see below).
--     it("echoes", function()
--       loop.run(function(t)
--         server:listen(0, t.expect(function() ... end))
--       end)
--     end)
--
local net = require("uvnet")
local core = require("uvnet.core")
local timers = require("uvnet.timers")

local M = {}

-- With UVNET_GC_STRESS=1 the collector runs a full cycle after every
-- callback into Lua, at its most aggressive settings.
if os.getenv("UVNET_GC_STRESS") == "1" then
  core.gcstress(true)
  collectgarbage("generational", 1, 1)
end

local function cleanup()
  local n = core.closeall()
  timers.reset()
  collectgarbage("collect")
  collectgarbage("collect")
  return n
end
M.cleanup = cleanup

--- Runs fn(t) and then the loop until it has nothing left, for at most
-- opts.timeout ms (default 5000).
function M.run(fn, opts)
  opts = opts or {}
  local timeout = opts.timeout or 5000
  local expectations = {}
  local t = {}

  --- Wraps f; the test fails unless the wrapper is called exactly n times
  -- (default 1; n = "+" means at least once).
  function t.expect(f, n, name)
    local e = { calls = 0, want = n or 1,
      name = name or debug.traceback("", 2):match("\n%s*([^\n]+)") }
    expectations[#expectations + 1] = e
    return function(...)
      e.calls = e.calls + 1
      if f then return f(...) end
    end
  end

  --- A callback that must never run.
  function t.never(name)
    return function() error("callback must not run: " .. (name or "?"), 2) end
  end

  local ok, err = pcall(fn, t)
  if not ok then
    cleanup()
    error(err, 0)
  end
  local expired = false
  local deadline = timers.setTimeout(function()
    expired = true
    error(("the test did not finish within %d ms"):format(timeout), 0)
  end, timeout)
  deadline:unref()
  ok, err = pcall(net.run)
  timers.clearTimeout(deadline)
  if not ok then
    cleanup()
    error(err, 0)
  end
  assert(not expired)
  local referenced, all = core.openhandles()
  if all > 0 then
    cleanup()
    error(("the test left %d handle(s) open (%d referenced)"):format(all,
      referenced), 0)
  end
  for _, e in ipairs(expectations) do
    if (e.want == "+" and e.calls == 0)
        or (e.want ~= "+" and e.calls ~= e.want) then
      cleanup()
      error(("expected callback %s to run %s time(s), it ran %d"):format(
        e.name, tostring(e.want), e.calls), 0)
    end
  end
  cleanup()
end

return M
