-- net.BlockList, with the vectors of Node's test-blocklist.js (as far as
-- Node 22 has the API: no removeAddress or removeSubnet, and duplicate rules
-- are kept) and the messages Node 22 gives for the same calls.
local BlockList = require("uvnet.blocklist")
local SocketAddress = require("uvnet.socketaddress")

local function caught(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "no error raised")
  assert.are.equal("table", type(err), tostring(err))
  return err
end

local function code_of(f, ...)
  return caught(f, ...).code
end

describe("net.BlockList", function()
  it("is made by call or by new, and knows its instances", function()
    local a, b = BlockList(), BlockList.new()
    assert.is_true(BlockList.isBlockList(a))
    assert.is_true(BlockList.isBlockList(b))
    assert.are.same({}, a.rules)
    for _, v in ipairs({ {}, 1, "x", SocketAddress() }) do
      assert.is_false(BlockList.isBlockList(v))
    end
    assert.is_false(BlockList.isBlockList(nil))
  end)

  it("checks argument types as Node does", function()
    local bl = BlockList()
    for _, v in ipairs({ 1, {}, { 1 }, true }) do
      assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.addAddress, bl, v))
      assert.are.equal("ERR_INVALID_ARG_TYPE",
        code_of(bl.addAddress, bl, "1.1.1.1", v))
      assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.addRange, bl, v))
      assert.are.equal("ERR_INVALID_ARG_TYPE",
        code_of(bl.addRange, bl, "1.1.1.1", v))
      assert.are.equal("ERR_INVALID_ARG_TYPE",
        code_of(bl.addRange, bl, "1.1.1.1", "1.1.1.2", v))
    end
    assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.addAddress, bl, nil))
    assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.addRange, bl, nil))
    assert.are.equal("ERR_INVALID_ARG_TYPE",
      code_of(bl.addRange, bl, "1.1.1.1", nil))
    assert.are.equal("ERR_INVALID_ARG_VALUE",
      code_of(bl.addAddress, bl, "1.1.1.1", "foo"))
    assert.are.equal("ERR_INVALID_ARG_VALUE",
      code_of(bl.addRange, bl, "1.1.1.1", "1.1.1.2", "foo"))
    assert.are.same({}, bl.rules)
  end)

  it("matches addresses, and IPv4 with its mapped IPv6 form", function()
    local bl = BlockList()
    bl:addAddress("1.1.1.1")
    bl:addAddress("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6")
    bl:addAddress("::ffff:1.1.1.2", "ipv6")
    assert.is_true(bl:check("1.1.1.1"))
    assert.is_false(bl:check("1.1.1.1", "ipv6"))
    assert.is_false(bl:check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17"))
    assert.is_true(bl:check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6"))
    assert.is_true(bl:check("::ffff:1.1.1.1", "ipv6"))
    assert.is_true(bl:check("::ffff:1.1.1.1", "IPV6"))
    assert.is_true(bl:check("1.1.1.2"))
    assert.is_false(bl:check("1.2.3.4"))
    assert.is_false(bl:check("::1", "ipv6"))
  end)

  it("takes SocketAddress arguments", function()
    local bl = BlockList()
    local sa1 = SocketAddress({ address = "1.1.1.1" })
    local sa2 = SocketAddress({
      address = "8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", family = "ipv6" })
    local sa3 = SocketAddress({ address = "1.1.1.2" })
    bl:addAddress(sa1)
    bl:addAddress(sa2)
    bl:addAddress("::ffff:1.1.1.2", "ipv6")
    assert.is_true(bl:check("1.1.1.1"))
    assert.is_true(bl:check(sa1))
    assert.is_false(bl:check("1.1.1.1", "ipv6"))
    assert.is_false(bl:check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17"))
    assert.is_true(bl:check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6"))
    assert.is_true(bl:check(sa2))
    assert.is_true(bl:check("::ffff:1.1.1.1", "ipv6"))
    assert.is_true(bl:check("::ffff:1.1.1.1", "IPV6"))
    assert.is_true(bl:check("1.1.1.2"))
    assert.is_true(bl:check(sa3))
    assert.is_false(bl:check("1.2.3.4"))
    assert.is_false(bl:check("::1", "ipv6"))
  end)

  it("keeps duplicate rules, as Node 22 lists them", function()
    local bl = BlockList()
    bl:addAddress("1.1.1.1")
    bl:addAddress("1.1.1.1")
    assert.are.same({ "Address: IPv4 1.1.1.1", "Address: IPv4 1.1.1.1" },
      bl.rules)
  end)

  it("matches ranges, both ends included", function()
    for _, as_objects in ipairs({ false, true }) do
      local bl = BlockList()
      if as_objects then
        bl:addRange(SocketAddress({ address = "1.1.1.1" }),
          SocketAddress({ address = "1.1.1.10" }))
        bl:addRange(SocketAddress({ address = "::1", family = "ipv6" }),
          SocketAddress({ address = "::f", family = "ipv6" }))
      else
        bl:addRange("1.1.1.1", "1.1.1.10")
        bl:addRange("::1", "::f", "ipv6")
      end
      assert.is_false(bl:check("1.1.1.0"))
      for n = 1, 10 do assert.is_true(bl:check("1.1.1." .. n)) end
      assert.is_false(bl:check("1.1.1.11"))
      assert.is_false(bl:check("::0", "ipv6"))
      for n = 1, 15 do
        assert.is_true(bl:check(string.format("::%x", n), "ipv6"))
      end
      assert.is_false(bl:check("::10", "ipv6"))
    end
  end)

  it("matches subnets, from strings and from SocketAddress", function()
    for _, as_object in ipairs({ false, true }) do
      local bl = BlockList()
      if as_object then
        bl:addSubnet(SocketAddress({ address = "1.1.1.0" }), 16)
      else
        bl:addSubnet("1.1.1.0", 16)
      end
      bl:addSubnet("8592:757c:efae:4e45::", 64, "ipv6")
      assert.is_true(bl:check("1.1.0.1"))
      assert.is_true(bl:check(SocketAddress({ address = "1.1.1.1" })))
      assert.is_false(bl:check("1.2.0.1"))
      assert.is_true(bl:check("::ffff:1.1.0.1", "ipv6"))
      assert.is_true(bl:check("8592:757c:efae:4e45:f::", "ipv6"))
      assert.is_true(bl:check("8592:757c:efae:4e45::f", "ipv6"))
      assert.is_false(bl:check("8592:757c:efae:4f45::f", "ipv6"))
    end
  end)

  it("lists rules newest first, in Node's words", function()
    local bl = BlockList()
    bl:addAddress("1.1.1.1")
    bl:addRange("10.0.0.1", "10.0.0.10")
    bl:addSubnet("8592:757c:efae:4e45::", 64, "IpV6")
    assert.are.same({
      "Subnet: IPv6 8592:757c:efae:4e45::/64",
      "Range: IPv4 10.0.0.1-10.0.0.10",
      "Address: IPv4 1.1.1.1",
    }, bl.rules)
    assert.are.same(bl.rules, bl:toJSON())
    assert.is_true(bl:check("1.1.1.1"))
    assert.is_true(bl:check("10.0.0.5"))
    assert.is_true(bl:check("::ffff:10.0.0.5", "ipv6"))
    assert.is_true(bl:check("8592:757c:efae:4e45::f", "ipv6"))
    assert.is_false(bl:check("123.123.123.123"))
    assert.is_false(bl:check("8592:757c:efaf:4e45:fb5d:d62a:0d00:8e17", "ipv6"))
    assert.is_false(bl:check("::ffff:123.123.123.123", "ipv6"))
    -- rules is made afresh on each read.
    local rules = bl.rules
    rules[1] = "changed"
    assert.are.equal("Subnet: IPv6 8592:757c:efae:4e45::/64", bl.rules[1])
  end)

  it("respects the boundaries of unaligned prefixes", function()
    local bl = BlockList()
    bl:addSubnet("10.0.0.0", 27)
    bl:addSubnet("8592:757c:efaf::", 51, "ipv6")
    for n = 0, 31 do assert.is_true(bl:check("10.0.0." .. n)) end
    assert.is_false(bl:check("10.0.0.32"))
    assert.is_true(bl:check("8592:757c:efaf:0:0:0:0:0", "ipv6"))
    assert.is_true(bl:check("8592:757c:efaf:1fff:ffff:ffff:ffff:ffff", "ipv6"))
    assert.is_false(bl:check("8592:757c:efaf:2fff:ffff:ffff:ffff:ffff", "ipv6"))
  end)

  it("checks IPv4 ranges by value (nodejs/node#39074)", function()
    local bl = BlockList()
    bl:addRange("10.0.0.2", "10.0.0.10")
    assert.is_true(bl:check("10.0.0.2"))
    assert.is_true(bl:check("10.0.0.10"))
    assert.is_false(bl:check("192.168.0.3"))
    assert.is_false(bl:check("2.2.2.2"))
    assert.is_false(bl:check("255.255.255.255"))
    assert.is_true(bl:check("::ffff:0a00:0002", "ipv6"))
    assert.is_true(bl:check("::ffff:0a00:000a", "ipv6"))
    assert.is_false(bl:check("::ffff:c0a8:0003", "ipv6"))
    assert.is_false(bl:check("::ffff:0202:0202", "ipv6"))
    assert.is_false(bl:check("::ffff:ffff:ffff", "ipv6"))
  end)

  it("refuses a range whose start comes after its end", function()
    local bl = BlockList()
    local e = caught(bl.addRange, bl, "1.1.1.2", "1.1.1.1")
    assert.are.same({ "TypeError", "ERR_INVALID_ARG_VALUE",
      "The argument 'start' must come before end. Received SocketAddress "
        .. "{ address: '1.1.1.2', port: 0, family: 'ipv4', flowlabel: 0 }" },
      { e.name, e.code, e.message })
    e = caught(bl.addRange, bl, "::2", "::1", "ipv6")
    assert.are.equal("ERR_INVALID_ARG_VALUE", e.code)
    assert.are.same({}, bl.rules)
  end)

  it("checks subnet prefixes as Node does", function()
    local bl = BlockList()
    assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.addSubnet, bl, 1))
    assert.are.equal("ERR_INVALID_ARG_TYPE",
      code_of(bl.addSubnet, bl, "1.1.1.1", ""))
    assert.are.equal("ERR_OUT_OF_RANGE",
      code_of(bl.addSubnet, bl, "1.1.1.1", 0 / 0))
    assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.addSubnet, bl, "", 1, 1))
    assert.are.equal("ERR_INVALID_ARG_VALUE",
      code_of(bl.addSubnet, bl, "", 1, ""))
    assert.are.equal("ERR_OUT_OF_RANGE",
      code_of(bl.addSubnet, bl, "1.1.1.1", -1, "ipv4"))
    assert.are.equal("ERR_OUT_OF_RANGE",
      code_of(bl.addSubnet, bl, "1.1.1.1", 33, "ipv4"))
    assert.are.equal("ERR_OUT_OF_RANGE",
      code_of(bl.addSubnet, bl, "::", -1, "ipv6"))
    assert.are.equal("ERR_OUT_OF_RANGE",
      code_of(bl.addSubnet, bl, "::", 129, "ipv6"))
    local e = caught(bl.addSubnet, bl, "1.2.3.4", 33)
    assert.are.equal('The value of "prefix" is out of range. It must be '
      .. ">= 0 && <= 32. Received 33", e.message)
    e = caught(bl.addSubnet, bl, "1.2.3.4", 1.5)
    assert.are.equal('The value of "prefix" is out of range. It must be '
      .. "an integer. Received 1.5", e.message)
    e = caught(bl.addAddress, bl, "1.2.3")
    assert.are.same({ "Error", "ERR_INVALID_ADDRESS", "Invalid socket address" },
      { e.name, e.code, e.message })
    -- A whole float is a whole number.
    bl:addSubnet("1.2.3.0", 24.0)
    assert.are.same({ "Subnet: IPv4 1.2.3.0/24" }, bl.rules)
  end)

  it("checks check's arguments, and answers false for bad ones", function()
    local bl = BlockList()
    bl:addSubnet("0.0.0.0", 0)
    assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.check, bl, 1))
    assert.are.equal("ERR_INVALID_ARG_TYPE", code_of(bl.check, bl, "", 1))
    local e = caught(bl.check, bl, "1.2.3.4", {})
    assert.are.equal('The "family" argument must be of type string. '
      .. "Received an instance of Object", e.message)
    -- An address that does not parse, or an unknown family, is not blocked.
    assert.is_false(bl:check("1.2.3"))
    assert.is_false(bl:check("1.2.3.4", "foo"))
    assert.is_false(bl:check("::1"))
    assert.is_true(bl:check("1.2.3.4", "ipv4"))
    assert.is_true(bl:check("1.2.3.4", "IPv4"))
    assert.is_true(bl:check("::ffff:1.2.3.4", "ipv6"))
    assert.is_false(bl:check("::1", "ipv6"))
  end)

  it("answers the documentation's example", function()
    local bl = BlockList()
    bl:addAddress("123.123.123.123")
    bl:addRange("10.0.0.1", "10.0.0.10")
    bl:addSubnet("8592:757c:efae:4e45::", 64, "ipv6")
    assert.is_true(bl:check("123.123.123.123"))
    assert.is_true(bl:check("10.0.0.3"))
    assert.is_false(bl:check("222.111.111.222"))
    assert.is_true(bl:check("::ffff:7b7b:7b7b", "ipv6"))
    assert.is_true(bl:check("::ffff:123.123.123.123", "ipv6"))
  end)

  it("applies ranges across families exactly as Node compares", function()
    -- An IPv6 range reaches IPv4 addresses only when both ends are mapped.
    local bl = BlockList()
    bl:addRange("::1", "::ffff:255.255.255.255", "ipv6")
    assert.is_false(bl:check("1.2.3.4"))
    assert.is_true(bl:check("::ffff:1.2.3.4", "ipv6"))
    assert.is_true(bl:check("::2", "ipv6"))
    bl = BlockList()
    bl:addRange("::ffff:1.0.0.0", "::ffff:2.0.0.0", "ipv6")
    assert.is_true(bl:check("1.2.3.4"))
    assert.is_false(bl:check("::2", "ipv6"))
    -- A range from IPv4 to unmapped IPv6 is accepted (the ends do not
    -- compare) and matches nothing.
    bl = BlockList()
    bl:addRange(SocketAddress({ address = "1.2.3.4" }),
      SocketAddress({ address = "::1", family = "ipv6" }))
    assert.are.same({ "Range: IPv4 1.2.3.4-::1" }, bl.rules)
    assert.is_false(bl:check("1.2.3.5"))
    assert.is_false(bl:check("::ffff:1.2.3.5", "ipv6"))
    -- Subnets of every family reach mapped addresses.
    bl = BlockList()
    bl:addSubnet("::", 0, "ipv6")
    assert.is_true(bl:check("1.2.3.4"))
    bl = BlockList()
    bl:addSubnet("1.2.3.4", 0)
    assert.is_true(bl:check("::ffff:9.9.9.9", "ipv6"))
    assert.is_false(bl:check("::1", "ipv6"))
  end)

  it("raises ERR_INVALID_THIS when called on something else", function()
    local bl = BlockList()
    for _, m in ipairs({ "addAddress", "addRange", "addSubnet", "check",
        "toJSON", "fromJSON" }) do
      local e = caught(bl[m], {}, "1.2.3.4")
      assert.are.equal("ERR_INVALID_THIS", e.code)
      assert.are.equal('Value of "this" must be of type BlockList', e.message)
    end
  end)

  it("answers right while rules and checks interleave", function()
    local bl = BlockList()
    for n = 0, 199 do
      bl:addAddress(string.format("10.0.%d.%d", n // 256, n % 256))
      assert.is_true(bl:check(string.format("10.0.%d.%d", n // 256, n % 256)))
      assert.is_false(bl:check(string.format("10.1.%d.%d", n // 256, n % 256)))
      assert.is_true(bl:check("10.0.0.0"))
    end
    for n = 0, 199 do
      assert.is_true(bl:check(string.format("::ffff:10.0.0.%d", n), "ipv6"))
    end
    assert.is_false(bl:check("::ffff:10.0.0.200", "ipv6"))
    assert.are.equal(200, #bl.rules)
  end)

  it("handles a hundred thousand rules", function()
    local bl = BlockList()
    for n = 0, 99999 do
      bl:addAddress(string.format("10.%d.%d.%d", n >> 16, n >> 8 & 255,
        n & 255))
    end
    for n = 0, 99999, 997 do
      assert.is_true(bl:check(string.format("10.%d.%d.%d", n >> 16,
        n >> 8 & 255, n & 255)))
    end
    assert.is_false(bl:check("10.1.134.160"))
    assert.is_true(bl:check("10.1.134.159"))
    assert.are.equal(100000, #bl.rules)
  end)
end)

describe("BlockList fromJSON", function()
  local DATA = {
    "Subnet: IPv4 192.168.1.0/24",
    "Address: IPv4 10.0.0.5",
    "Range: IPv4 192.168.2.1-192.168.2.10",
    "Range: IPv4 10.0.0.1-10.0.0.10",
  }

  it("reads the documentation's example as a table and as JSON", function()
    for _, data in ipairs({ DATA, require("cjson").encode(DATA) }) do
      local bl = BlockList()
      bl:fromJSON(data)
      assert.are.same({
        "Range: IPv4 10.0.0.1-10.0.0.10",
        "Range: IPv4 192.168.2.1-192.168.2.10",
        "Address: IPv4 10.0.0.5",
        "Subnet: IPv4 192.168.1.0/24",
      }, bl.rules)
      assert.is_true(bl:check("192.168.1.77"))
      assert.is_true(bl:check("192.168.2.10"))
      assert.is_false(bl:check("192.168.2.11"))
    end
  end)

  it("reads back what toJSON gives, dotted IPv6 tails and mixed ranges too",
    function()
      local bl = BlockList()
      bl:addAddress("::ffff:1.2.3.4", "ipv6")
      bl:addAddress("::1.2.3.4", "ipv6")
      bl:addSubnet("::ffff:10.0.0.0", 104, "ipv6")
      bl:addSubnet("2001:db8::", 100, "ipv6")
      bl:addRange("::ffff:1.1.1.1", "::ffff:1.1.1.9", "ipv6")
      bl:addRange(SocketAddress({ address = "1.2.3.4" }),
        SocketAddress({ address = "1::", family = "ipv6" }))
      bl:addRange(SocketAddress({ address = "::1", family = "ipv6" }),
        SocketAddress({ address = "1.2.3.4" }))
      local copy = BlockList()
      copy:fromJSON(bl:toJSON())
      -- Rules are added in list order, so they come back reversed, as in
      -- Node.
      local want = {}
      for i, r in ipairs(bl.rules) do want[#bl.rules + 1 - i] = r end
      assert.are.same(want, copy.rules)
      for _, c in ipairs({ { "1.2.3.4" }, { "10.0.0.9" }, { "1.1.1.5" },
          { "::ffff:1.2.3.4", "ipv6" }, { "::1.2.3.4", "ipv6" },
          { "2001:db8::1", "ipv6" }, { "::ffff:1.2.3.9", "ipv6" },
          { "::ffff:1.2.3.3", "ipv6" }, { "::2", "ipv6" } }) do
        assert.are.equal(bl:check(c[1], c[2]), copy:check(c[1], c[2]))
      end
    end)

  it("reads other texts as Node 22 does", function()
    local cases = {
      { "xx Address: IPv4 1.2.3.4 yy", { "Address: IPv4 1.2.3.4" } },
      { "subnet: ipv6 ::/64 IPv6", { "Subnet: IPv6 ::/64" } },
      { "Subnet: IPv4 1.2.3.4/100", { "Subnet: IPv4 1.2.3.4/10" } },
      { "Subnet: IPv6 ::/1000", { "Subnet: IPv6 ::/100" } },
      { "Address: IPv6 0000:0000:0000:0000:0000:0000:0000:00001",
        { "Address: IPv6 ::" } },
      { "Address: IPv4 1.2.3.4 IPv6", { "Address: IPv4 1.2.3.4" } },
      { "Address: IPv6 ::ffff:1.2.3.4x", { "Address: IPv6 ::255.255.0.1" } },
      { "Range: IPv6 1:2:3:4:5:6:7:8-1:2:3:4:5:6:7:9",
        { "Range: IPv6 1:2:3:4:5:6:7:8-1:2:3:4:5:6:7:9" } },
      { "nothing here", {} },
    }
    for _, c in ipairs(cases) do
      local bl = BlockList()
      bl:fromJSON({ c[1] })
      assert.are.same(c[2], bl.rules, c[1])
    end
  end)

  it("raises Node's errors", function()
    local bl = BlockList()
    local function msg(v)
      return 'The "data" argument must be of type string or string[]. '
        .. "Received " .. v
    end
    local cases = {
      { { 1 }, msg("an instance of Array") },
      { '{"a":1}', msg("an instance of Object") },
      { "null", msg("undefined") },
      { "[1]", msg("an instance of Array") },
      { '"x"', msg("type string ('x')") },
      { { a = 1 }, msg("an instance of Object") },
      { nil, msg("undefined") },
      { 5, msg("type number (5)") },
    }
    for _, c in ipairs(cases) do
      local e = caught(bl.fromJSON, bl, c[1])
      assert.are.same({ "TypeError", "ERR_INVALID_ARG_TYPE", c[2] },
        { e.name, e.code, e.message })
    end
    local e = caught(bl.fromJSON, bl, "x")
    assert.are.equal("SyntaxError", e.name)
    assert.are.equal("ERR_INVALID_ARG_VALUE", e.code)
    assert.are.equal("ERR_OUT_OF_RANGE",
      code_of(bl.fromJSON, bl, { "Subnet: IPv4 1.2.3.4/33" }))
    assert.are.equal("ERR_INVALID_ADDRESS",
      code_of(bl.fromJSON, bl, { "Address: IPv4 01.2.3.4" }))
    assert.are.equal("ERR_INVALID_ARG_VALUE",
      code_of(bl.fromJSON, bl, { "Range: IPv4 1.2.3.9-1.2.3.4" }))
    -- What was read before the error stays.
    bl = BlockList()
    caught(bl.fromJSON, bl, { "Address: IPv4 1.2.3.4", "Address: IPv4 999.2.3.4" })
    assert.are.same({ "Address: IPv4 1.2.3.4" }, bl.rules)
  end)
end)
