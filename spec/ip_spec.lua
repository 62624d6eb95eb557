-- net.isIP, net.isIPv4 and net.isIPv6, with the vectors of Node's own tests
-- (test-net-isip.js, test-net-isipv4.js, test-net-isipv6.js), and the
-- address helpers the rest of uvnet shares.
local ip = require("uvnet.ip")

local isIP, isIPv4, isIPv6 = ip.isIP, ip.isIPv4, ip.isIPv6

-- Node's IPv4 vectors.
local V4 = {
  "0.0.0.0", "8.8.8.8", "127.0.0.1", "100.100.100.100", "192.168.0.1",
  "18.101.25.153", "123.23.34.2", "172.26.168.134", "212.58.241.131",
  "128.0.0.0", "23.71.254.72", "223.255.255.255", "192.0.2.235",
  "99.198.122.146", "46.51.197.88", "173.194.34.134",
}
local NOT_V4 = {
  ".100.100.100.100", "100..100.100.100.", "100.100.100.100.",
  "999.999.999.999", "256.256.256.256", "256.100.100.100.100", "123.123.123",
  "http://123.123.123", "1000.2.3.4", "999.2.3.4", "0000000192.168.0.200",
  "192.168.0.2000000000",
}

-- Node's IPv6 vectors.
local V6 = {
  "::", "1::", "::1", "1::8", "1::7:8", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6::8",
  "1:2:3:4:5:6:7::", "1:2:3:4:5::7:8", "1:2:3:4:5::8", "1:2:3::8",
  "1::4:5:6:7:8", "1::6:7:8", "1::3:4:5:6:7:8", "1:2:3:4::6:7:8",
  "1:2::4:5:6:7:8", "::2:3:4:5:6:7:8", "1:2::8",
  "2001:0000:1234:0000:0000:C1C0:ABCD:0876",
  "3ffe:0b00:0000:0000:0001:0000:0000:000a",
  "FF02:0000:0000:0000:0000:0000:0000:0001",
  "0000:0000:0000:0000:0000:0000:0000:0001",
  "0000:0000:0000:0000:0000:0000:0000:0000", "::ffff:192.168.1.26", "2::10",
  "ff02::1", "fe80::", "2002::", "2001:db8::", "2001:0db8:1234::",
  "::ffff:0:0", "::ffff:192.168.1.1", "1:2:3:4::8", "1::2:3:4:5:6:7",
  "1::2:3:4:5:6", "1::2:3:4:5", "1::2:3:4", "1::2:3", "::2:3:4:5:6:7",
  "::2:3:4:5:6", "::2:3:4:5", "::2:3:4", "::2:3", "::8", "1:2:3:4:5:6::",
  "1:2:3:4:5::", "1:2:3:4::", "1:2:3::", "1:2::", "1:2:3:4::7:8",
  "1:2:3::7:8", "1:2::7:8", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5::1.2.3.4",
  "1:2:3:4::1.2.3.4", "1:2:3::1.2.3.4", "1:2::1.2.3.4", "1::1.2.3.4",
  "1:2:3:4::5:1.2.3.4", "1:2:3::5:1.2.3.4", "1:2::5:1.2.3.4",
  "1::5:1.2.3.4", "1::5:11.22.33.44", "fe80::217:f2ff:254.7.237.98",
  "fe80::217:f2ff:fe07:ed62", "2001:DB8:0:0:8:800:200C:417A",
  "FF01:0:0:0:0:0:0:101", "0:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:0",
  "2001:DB8::8:800:200C:417A", "FF01::101", "0:0:0:0:0:0:13.1.68.3",
  "0:0:0:0:0:FFFF:129.144.52.38", "::13.1.68.3", "::FFFF:129.144.52.38",
  "fe80:0000:0000:0000:0204:61ff:fe9d:f156", "fe80:0:0:0:204:61ff:fe9d:f156",
  "fe80::204:61ff:fe9d:f156", "fe80:0:0:0:204:61ff:254.157.241.86",
  "fe80::204:61ff:254.157.241.86", "fe80::1",
  "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
  "2001:db8:85a3:0:0:8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334",
  "2001:0db8:0000:0000:0000:0000:1428:57ab",
  "2001:0db8:0000:0000:0000::1428:57ab", "2001:0db8:0:0:0:0:1428:57ab",
  "2001:0db8:0:0::1428:57ab", "2001:0db8::1428:57ab", "2001:db8::1428:57ab",
  "::ffff:12.34.56.78", "::ffff:0c22:384e",
  "2001:0db8:1234:0000:0000:0000:0000:0000",
  "2001:0db8:1234:ffff:ffff:ffff:ffff:ffff", "2001:db8:a::123",
  "::ffff:192.0.2.128", "::ffff:c000:280", "a:b:c:d:e:f:f1:f2",
  "a:b:c::d:e:f:f1", "a:b:c::d:e:f", "a:b:c::d:e", "a:b:c::d", "::a",
  "::a:b:c", "::a:b:c:d:e:f:f1", "a::", "a:b:c::", "a:b:c:d:e:f:f1::",
  "a:bb:ccc:dddd:000e:00f:0f::", "0:a:0:a:0:0:0:a", "0:a:0:0:a:0:0:a",
  "2001:db8:1:1:1:1:0:0", "2001:db8:1:1:1:0:0:0", "2001:db8:1:1:0:0:0:0",
  "2001:db8:1:0:0:0:0:0", "2001:db8:0:0:0:0:0:0", "2001:0:0:0:0:0:0:0",
  "A:BB:CCC:DDDD:000E:00F:0F::", "0:0:0:0:0:0:0:a", "0:0:0:0:a:0:0:0",
  "0:0:0:a:0:0:0:0", "a:0:0:a:0:0:a:a", "a:0:0:a:0:0:0:a", "a:0:0:0:a:0:0:a",
  "a:0:0:0:a:0:0:0", "a:0:0:0:0:0:0:0", "fe80::7:8%eth0", "fe80::7:8%1",
}
local NOT_V6 = {
  "", "1:", ":1", "11:36:12", "02001:0000:1234:0000:0000:C1C0:ABCD:0876",
  "2001:0000:1234:0000:00001:C1C0:ABCD:0876",
  "2001:0000:1234: 0000:0000:C1C0:ABCD:0876",
  "2001:1:1:1:1:1:255Z255X255Y255", "3ffe:0b00:0000:0001:0000:0000:000a",
  "FF02:0000:0000:0000:0000:0000:0000:0000:0001", "3ffe:b00::1::a",
  "::1111:2222:3333:4444:5555:6666::", "1:2:3::4:5::7:8", "12345::6:7:8",
  "1::5:400.2.3.4", "1::5:260.2.3.4", "1::5:256.2.3.4", "1::5:1.256.3.4",
  "1::5:1.2.256.4", "1::5:1.2.3.256", "1::5:300.2.3.4", "1::5:1.300.3.4",
  "1::5:1.2.300.4", "1::5:1.2.3.300", "1::5:900.2.3.4", "1::5:1.900.3.4",
  "1::5:1.2.900.4", "1::5:1.2.3.900", "1::5:300.300.300.300",
  "1::5:3000.30.30.30", "1::400.2.3.4", "1::260.2.3.4", "1::256.2.3.4",
  "1::1.256.3.4", "1::1.2.256.4", "1::1.2.3.256", "1::300.2.3.4",
  "1::1.300.3.4", "1::1.2.300.4", "1::1.2.3.300", "1::900.2.3.4",
  "1::1.900.3.4", "1::1.2.900.4", "1::1.2.3.900", "1::300.300.300.300",
  "1::3000.30.30.30", "::400.2.3.4", "::260.2.3.4", "::256.2.3.4",
  "::1.256.3.4", "::1.2.256.4", "::1.2.3.256", "::300.2.3.4", "::1.300.3.4",
  "::1.2.300.4", "::1.2.3.300", "::900.2.3.4", "::1.900.3.4", "::1.2.900.4",
  "::1.2.3.900", "::300.300.300.300", "::3000.30.30.30",
  "2001:DB8:0:0:8:800:200C:417A:221", "FF01::101::2",
  "1111:2222:3333:4444::5555:", "1111:2222:3333::5555:", "1111:2222::5555:",
  "1111::5555:", "::5555:", ":::", "1111:", ":", ":1111:2222:3333:4444::5555",
  ":1111:2222:3333::5555", ":1111:2222::5555", ":1111::5555", ":::5555",
  "1.2.3.4:1111:2222:3333:4444::5555", "1.2.3.4:1111:2222:3333::5555",
  "1.2.3.4:1111:2222::5555", "1.2.3.4:1111::5555", "1.2.3.4::5555",
  "1.2.3.4::", "fe80:0000:0000:0000:0204:61ff:254.157.241.086", "123",
  "ldkfj", "2001::FFD3::57ab", "2001:db8:85a3::8a2e:37023:7334",
  "2001:db8:85a3::8a2e:370k:7334", "1:2:3:4:5:6:7:8:9", "1::2::3",
  "1:::3:4:5", "1:2:3::4:5:6:7:8:9", "::ffff:2.3.4", "::ffff:257.1.2.3",
  "::ffff:12345678901234567890.1.26",
  "2001:0000:1234:0000:0000:C1C0:ABCD:0876 0",
  "02001:0000:1234:0000:0000:C1C0:ABCD:0876",
}

-- A value whose text (through __tostring) is s, as a JavaScript object with
-- a toString method.
local function object(s)
  return setmetatable({}, { __tostring = function() return s end })
end

describe("net.isIPv4", function()
  it("accepts Node's IPv4 vectors", function()
    for _, s in ipairs(V4) do
      assert.is_true(isIPv4(s), s)
      assert.are.equal(4, isIP(s), s)
    end
  end)

  it("refuses Node's non-IPv4 vectors", function()
    for _, s in ipairs(NOT_V4) do
      assert.is_false(isIPv4(s), s)
    end
  end)

  it("refuses leading zeros, signs, blanks and bytes past the text", function()
    for _, s in ipairs({ "01.2.3.4", "1.02.3.4", "1.2.3.00", "00.0.0.0",
        "+1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\0", "1.2.3.4\n",
        "1.2.3.-4", "1.2.3.4/32", "0x1.2.3.4", "1.2.3.4%eth0" }) do
      assert.is_false(isIPv4(s), s)
      assert.are.equal(0, isIP(s), s)
    end
  end)
end)

describe("net.isIPv6", function()
  it("accepts Node's IPv6 vectors", function()
    for _, s in ipairs(V6) do
      assert.is_true(isIPv6(s), s)
      assert.are.equal(6, isIP(s), s)
    end
  end)

  it("refuses Node's non-IPv6 vectors", function()
    for _, s in ipairs(NOT_V6) do
      assert.is_false(isIPv6(s), s)
    end
  end)

  it("takes zone ids of letters, digits, '-', '.' and ':' only", function()
    for _, s in ipairs({ "fe80::1%eth0", "::1%1", "::1%a-b.c:d", "::1%--" }) do
      assert.are.equal(6, isIP(s), s)
    end
    for _, s in ipairs({ "fe80::1%", "fe80::1%a b", "fe80::1%a,b",
        "fe80::1%a%b", "fe80::1%a_b", "fe80::1%é", "%eth0", "1.2.3.4::%x",
        "1.2.3.4%eth0" }) do
      assert.are.equal(0, isIP(s), s)
    end
  end)
end)

describe("net.isIP", function()
  it("answers Node's vectors", function()
    local cases = {
      { "127.0.0.1", 4 }, { "x127.0.0.1", 0 }, { "example.com", 0 },
      { "0000:0000:0000:0000:0000:0000:0000:0000", 6 },
      { "0000:0000:0000:0000:0000:0000:0000:0000::0000", 0 },
      { "1050:0:0:0:5:600:300c:326b", 6 }, { "2001:252:0:1::2008:6", 6 },
      { "2001:dead:beef:1::2008:6", 6 }, { "2001::", 6 }, { "2001:dead::", 6 },
      { "2001:dead:beef::", 6 }, { "2001:dead:beef:1::", 6 },
      { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6 },
      { ":2001:252:0:1::2008:6:", 0 }, { ":2001:252:0:1::2008:6", 0 },
      { "2001:252:0:1::2008:6:", 0 }, { "2001:252::1::2008:6", 0 },
      { "::2001:252:1:2008:6", 6 }, { "::2001:252:1:1.1.1.1", 6 },
      { "::2001:252:1:255.255.255.255", 6 },
      { "::2001:252:1:255.255.255.255.76", 0 }, { "::anything", 0 },
      { "::1", 6 }, { "::", 6 },
      { "0000:0000:0000:0000:0000:0000:12345:0000", 0 }, { "0", 0 },
      { "", 0 },
    }
    for _, c in ipairs(cases) do
      assert.are.equal(c[2], isIP(c[1]), c[1])
    end
  end)

  it("returns Lua integers", function()
    assert.are.equal("integer", math.type(isIP("::1")))
    assert.are.equal("integer", math.type(isIP("nope")))
  end)

  it("reads other values as Node's String() does", function()
    -- undefined, null, numbers, booleans and plain objects never read as
    -- addresses.
    for _, v in ipairs({ 123, 1.5, true, false, {}, { a = 1 }, print }) do
      assert.are.equal(0, isIP(v))
      assert.is_false(isIPv4(v))
      assert.is_false(isIPv6(v))
    end
    assert.are.equal(0, isIP(nil))
    assert.are.equal(0, isIP())
    -- An object with toString (__tostring) reads as its text.
    assert.are.equal(6, isIP(object("::2001:252:1:255.255.255.255")))
    assert.are.equal(4, isIP(object("127.0.0.1")))
    assert.are.equal(0, isIP(object("bla")))
    assert.is_false(isIPv4(object("::2001:252:1:255.255.255.255")))
    assert.is_true(isIPv4(object("127.0.0.1")))
    assert.is_true(isIPv6(object("::2001:252:1:255.255.255.255")))
    assert.is_false(isIPv6(object("127.0.0.1")))
    -- An Array reads as its elements joined with ',': ['::1'] is '::1'.
    assert.are.equal(6, isIP({ "::1" }))
    assert.are.equal(4, isIP({ { "10.0.0.1" } }))
    assert.are.equal(0, isIP({ "::1", "::2" }))
  end)
end)

describe("uvnet.ip helpers", function()
  it("normalise addresses to Node's text", function()
    local cases = {
      { "::0.0.1.1", "::101" }, { "::0.0.0.1", "::1" },
      { "::1.2.3.4", "::1.2.3.4" }, { "0:0:0:0:0:FFFF:0102:0304",
        "::ffff:1.2.3.4" }, { "::ffff:0:0", "::ffff:0.0.0.0" },
      { "::fffe:1.2.3.4", "::fffe:102:304" }, { "1:0:2:3:4:5:6:7",
        "1:0:2:3:4:5:6:7" }, { "0:0:1:0:0:1:0:0", "::1:0:0:1:0:0" },
      { "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" }, { "FE80::1%eth0", "fe80::1" },
      { "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
      { "10.0.0.1", "10.0.0.1" },
    }
    for _, c in ipairs(cases) do
      assert.are.equal(c[2], ip.normalize(c[1]), c[1])
    end
    assert.is_nil(ip.normalize("01.2.3.4"))
    assert.is_nil(ip.normalize("1.2.3.4", "ipv6"))
    assert.is_nil(ip.normalize("::1", "ipv4"))
    assert.are.equal("::1", ip.normalize("::1", "IPv6"))
  end)

  it("read socket addresses as libuv does", function()
    -- The text stops at a NUL byte; the zone id is dropped, and the part
    -- before it is cut to 39 characters first.
    assert.are.equal("1.2.3.4", ip.format(ip.pack("1.2.3.4\0junk")))
    assert.are.equal("::1", ip.format(ip.pack(
      "0000:0000:0000:0000:0000:0000:0000:0001junk%x", "ipv6")))
    assert.are.equal("fe80::1", ip.format(ip.pack("fe80::1%", "ipv6")))
    local p, why = ip.pack("1.2.3.4", "ipv7")
    assert.is_nil(p)
    assert.are.equal("family", why)
    p, why = ip.pack("1.2.3", "ipv4")
    assert.is_nil(p)
    assert.are.equal("address", why)
  end)

  it("pack addresses in network order", function()
    assert.are.equal("\1\2\3\4", ip.pack("1.2.3.4"))
    assert.are.equal(("\0"):rep(15) .. "\1", ip.pack("::1", 6))
    assert.are.equal("ipv4", ip.family(ip.pack("1.2.3.4")))
    assert.are.equal("ipv6", ip.family(ip.pack("::", "ipv6")))
  end)
end)
