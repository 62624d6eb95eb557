-- net.Server options checked against real sockets.
local net = require("uvnet")
local loop = require("support.loop")

describe("net.Server", function()
  it("closes a connection from a blocked address before 'connection'",
    function()
      local trace = {}
      loop.run(function(t)
        local bl = net.BlockList()
        bl:addAddress("127.0.0.1")
        local server = net.createServer({ blockList = bl },
          t.never("connection"))
        server:on("drop", t.never("drop"))
        server:listen(0, "127.0.0.1", t.expect(function()
          local c = net.connect(server:address().port, "127.0.0.1")
          for _, e in ipairs({ "connect", "end", "error" }) do
            c:on(e, function(x)
              trace[#trace + 1] = e .. (x and (" " .. tostring(x.code)) or "")
            end)
          end
          c:on("close", t.expect(function(he)
            trace[#trace + 1] = "close " .. tostring(he)
            server:close()
          end))
        end))
      end)
      -- The same sequence as Node 22.
      assert.are.same({ "connect", "end", "close false" }, trace)
    end)

  it("lets addresses the BlockList does not name through", function()
    loop.run(function(t)
      local bl = net.BlockList()
      bl:addSubnet("10.0.0.0", 8)
      bl:addAddress("::2", "ipv6")
      local server = net.createServer({ blockList = bl }, t.expect(function(c)
        c:finish("welcome")
      end))
      server:listen(0, "127.0.0.1", t.expect(function()
        local c = net.connect(server:address().port, "127.0.0.1")
        c:on("data", t.expect(function(d) assert.are.equal("welcome", d) end))
        c:on("close", t.expect(function() server:close() end))
      end))
    end)
  end)

  it("wants a net.BlockList for options.blockList", function()
    local ok, err = pcall(net.createServer, { blockList = 5 })
    assert.is_false(ok)
    assert.are.equal("ERR_INVALID_ARG_TYPE", err.code)
    assert.are.equal('The "options.blockList" property must be an '
      .. "net.BlockList. Received type number (5)", err.message)
  end)
end)
