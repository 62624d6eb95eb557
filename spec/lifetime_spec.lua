-- Lifetime: open handles keep working when Lua holds no reference to them,
-- closed ones are freed, and collecting in every callback changes nothing.
local net = require("uvnet")
local core = require("uvnet.core")
local loop = require("support.loop")

describe("handle lifetime", function()
  before_each(function() core.gcstress(true) end)
  after_each(function() core.gcstress(os.getenv("UVNET_GC_STRESS") == "1") end)

  it("keeps unreferenced servers and sockets working", function()
    local got = {}
    local weak = setmetatable({}, { __mode = "v" })
    loop.run(function(t)
      -- Nothing here keeps a reference but the loop itself.
      local done = t.expect(function() end)
      local function start()
        local server = net.createServer(function(c)
          c:on("data", function(d) c:write(d:upper()) end)
          c:on("end", function() c:finish() end)
        end)
        weak.server = server
        server:listen(0, "127.0.0.1", function()
          local port = server:address().port
          local c = net.connect(port, "127.0.0.1")
          weak.client = c
          c:on("connect", function()
            for i = 1, 50 do c:write("chunk" .. i .. ";") end
            c:finish()
          end)
          c:on("data", function(d) got[#got + 1] = d end)
          c:on("close", function()
            weak.server:close()
            done()
          end)
        end)
      end
      start()
      collectgarbage("collect")
      collectgarbage("collect")
    end)
    local want = {}
    for i = 1, 50 do want[i] = ("CHUNK" .. i .. ";") end
    assert.are.equal(table.concat(want), table.concat(got))
    -- Closed now: nothing holds them any more.
    collectgarbage("collect")
    collectgarbage("collect")
    assert.is_nil(weak.client)
    assert.is_nil(weak.server)
  end)

  it("fires unreferenced timers and frees them after", function()
    local weak = setmetatable({}, { __mode = "v" })
    local fired = 0
    loop.run(function(t)
      weak.timer = net.setTimeout(t.expect(function() fired = fired + 1 end), 5)
      collectgarbage("collect")
    end)
    collectgarbage("collect")
    assert.are.equal(1, fired)
    assert.is_nil(weak.timer)
  end)
end)
