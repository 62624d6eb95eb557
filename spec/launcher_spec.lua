-- The `uvnet` launcher: runs a script with `arg`, then the loop; an
-- uncaught error prints its traceback and exits 1.
local function run(script, args)
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write(script)
  f:close()
  local p = io.popen('LUA_PATH="lua/?.lua;lua/?/init.lua;;" '
    .. 'LUA_CPATH="build/?.so;;" timeout 10 lua5.4 bin/uvnet ' .. file .. " "
    .. (args or "") .. " 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  os.remove(file)
  return out
end

describe("bin/uvnet", function()
  it("runs the script with arg set and then the loop", function()
    local out = run([[
      local net = require("uvnet")
      print(select("#", ...), arg[1], arg[2], arg[0] ~= nil)
      net.setTimeout(function() print("from the loop") end, 1)
    ]], "a b")
    assert.are.equal("2\ta\tb\ttrue\nfrom the loop\nexit=0\n", out)
  end)

  it("prints an uncaught error from a callback and exits 1", function()
    local out = run([[
      local net = require("uvnet")
      net.setTimeout(function() error("boom in timer") end, 1)
    ]])
    assert.matches("boom in timer\nstack traceback:", out)
    assert.matches("exit=1\n$", out)
  end)

  it("prints an unhandled 'error' event like Node", function()
    local out = run([[
      local net = require("uvnet")
      local c = net.connect(1, "127.0.0.1")
    ]])
    assert.matches("Error: connect ECONNREFUSED 127%.0%.0%.1:1", out)
    assert.matches("exit=1\n$", out)
  end)

  it("exits 1 on an error in the main chunk", function()
    local out = run("error('at top level')")
    assert.matches("at top level", out)
    assert.matches("exit=1\n$", out)
  end)
end)
