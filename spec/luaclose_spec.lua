-- Closing the Lua state in the middle of traffic: each case runs in a child
-- process (spec/support/luaclose/child.lua), which starts the traffic and
-- then closes the state, either with os.exit(0, true) from inside a
-- callback or by returning from its main chunk with every handle open.
-- The child must exit with status 0 and print nothing after its marker
-- line: no crash, and no callback into Lua while or after the state
-- closes.  spec/loop_spec.lua has the first such checks (one echo, under
-- valgrind); this spec runs every kind of traffic in both ways.
--
-- The child loads the same core.so as this process, and inherits its
-- environment: under scripts/test-asan it runs with the sanitizer runtime
-- too.  Otherwise, when valgrind is on PATH and UVNET_LUACLOSE_VALGRIND is
-- not "0", each case also runs under valgrind memcheck, where any memory
-- error or definite leak fails it.
local CHILD = "spec/support/luaclose/child.lua"
local LUA = "lua5.4"

local CASES = { "echo", "connect", "lookup", "timers", "paused", "unix", "error" }
local MODES = { "exit", "return" }

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function readcmd(cmd)
  local f = assert(io.popen(cmd, "r"))
  local out = f:read("a")
  f:close()
  return out
end

-- The core this process loaded, found as require found it.
local CORE = package.searchpath("uvnet.core", package.cpath)
local PRELOAD = os.getenv("LD_PRELOAD") or ""
local SANITIZED = PRELOAD:find("asan", 1, true) ~= nil
  or (CORE ~= nil and CORE:find("asan", 1, true) ~= nil)
local VALGRIND = not SANITIZED and os.getenv("UVNET_LUACLOSE_VALGRIND") ~= "0"
  and readcmd("command -v valgrind 2>/dev/null") ~= ""

-- Runs the child for one case; returns what it printed (stdout and stderr)
-- and its exit status.
local function child(case, mode, dir, valgrind)
  local env = ("LUA_PATH_5_4=%s LUA_CPATH_5_4=%s"):format(quote(package.path),
    quote(package.cpath))
  local prefix, limit = "", 30
  if valgrind then
    prefix = "env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS -u UBSAN_OPTIONS "
      .. "valgrind -q --error-exitcode=99 --leak-check=full "
      .. "--errors-for-leak-kinds=definite "
    limit = 120
  end
  local out = readcmd(("%s timeout -k 5 %d %s%s %s %s %s %s 2>&1 </dev/null; "
    .. "echo \"exit=$?\""):format(env, limit, prefix, LUA, CHILD, case, mode,
    quote(dir)))
  local body, status = out:match("^(.-)exit=(%d+)%s*$")
  return body or out, tonumber(status)
end

local tmpdir = require("support.files").tmpdir

describe("closing the Lua state in the middle of traffic", function()
  it("loads the child with the core this process uses", function()
    assert.is_string(CORE)
    local out = readcmd(("LUA_PATH_5_4=%s LUA_CPATH_5_4=%s %s -e %s 2>&1"):format(
      quote(package.path), quote(package.cpath), LUA,
      quote('require("uvnet"); io.write(package.searchpath("uvnet.core", package.cpath))')))
    assert.are.equal(CORE, out)
  end)

  it("sees a callback that runs after the marker (a check of the check)", function()
    local dir = tmpdir()
    local out, status = child("control", "return", dir)
    os.execute("rm -rf " .. quote(dir))
    assert.are.equal(0, status)
    assert.are.equal("closing control return\nlate: control timer\n", out)
  end)

  for _, case in ipairs(CASES) do
    for _, mode in ipairs(MODES) do
      local how = mode == "exit" and "os.exit(0, true) in a callback"
        or "returning from the main chunk"
      it(("closes cleanly with %s: %s"):format(how, case), function()
        local dir = tmpdir()
        local out, status = child(case, mode, dir)
        local vout, vstatus
        if VALGRIND and status == 0 then
          vout, vstatus = child(case, mode, dir, true)
        end
        os.execute("rm -rf " .. quote(dir))
        local want = ("closing %s %s\n"):format(case, mode)
        assert.are.equal(want, out)
        assert.are.equal(0, status)
        if vout ~= nil then
          assert.are.equal(want, vout, "under valgrind")
          assert.are.equal(0, vstatus, "under valgrind")
        end
      end)
    end
  end
end)
