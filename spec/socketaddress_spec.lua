-- net.SocketAddress, with the vectors of Node's test-socketaddress.js and
-- the messages Node 22 gives for the same calls.
local SocketAddress = require("uvnet.socketaddress")

local function caught(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "no error raised")
  assert.are.equal("table", type(err), tostring(err))
  return err
end

local function fields(sa)
  return { sa.address, sa.port, sa.family, sa.flowlabel }
end

describe("net.SocketAddress", function()
  it("has Node's defaults", function()
    for _, sa in ipairs({ SocketAddress(), SocketAddress({}),
        SocketAddress.new(), SocketAddress.new({}) }) do
      assert.are.same({ "127.0.0.1", 0, "ipv4", 0 }, fields(sa))
      assert.are.equal("integer", math.type(sa.port))
      assert.are.equal("integer", math.type(sa.flowlabel))
      assert.is_true(SocketAddress.isSocketAddress(sa))
    end
  end)

  it("reads a plain IPv4 address and a port", function()
    assert.are.same({ "123.123.123.123", 0, "ipv4", 0 },
      fields(SocketAddress({ address = "123.123.123.123" })))
    assert.are.same({ "123.123.123.123", 80, "ipv4", 0 },
      fields(SocketAddress({ address = "123.123.123.123", port = 80 })))
  end)

  it("defaults IPv6 to '::' and keeps the flow label", function()
    assert.are.same({ "::", 0, "ipv6", 0 },
      fields(SocketAddress({ family = "ipv6" })))
    assert.are.same({ "::", 0, "ipv6", 1 },
      fields(SocketAddress({ family = "ipv6", flowlabel = 1 })))
  end)

  it("refuses what Node's test refuses, with Node's codes", function()
    for _, v in ipairs({ 1, false, "hello" }) do
      assert.are.equal("ERR_INVALID_ARG_TYPE", caught(SocketAddress, v).code)
    end
    for _, family in ipairs({ 1, false, {}, "test" }) do
      assert.are.equal("ERR_INVALID_ARG_VALUE",
        caught(SocketAddress, { family = family }).code)
    end
    for _, address in ipairs({ 1, false, {} }) do
      assert.are.equal("ERR_INVALID_ARG_TYPE",
        caught(SocketAddress, { address = address }).code)
    end
    for _, port in ipairs({ -1, false, {} }) do
      assert.are.equal("ERR_SOCKET_BAD_PORT",
        caught(SocketAddress, { port = port }).code)
    end
    assert.are.equal("ERR_OUT_OF_RANGE",
      caught(SocketAddress, { flowlabel = -1 }).code)
    -- A sequence is a JavaScript Array, which is not an options object.
    assert.are.equal("ERR_INVALID_ARG_TYPE", caught(SocketAddress, { 1 }).code)
  end)

  it("raises Node's messages", function()
    local cases = {
      { { family = "foo" }, "TypeError", "ERR_INVALID_ARG_VALUE",
        "The property 'options.family' is invalid. Received 'foo'" },
      { { family = 4 }, "TypeError", "ERR_INVALID_ARG_VALUE",
        "The property 'options.family' is invalid. Received 4" },
      { { address = 1 }, "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "options.address" property must be of type string. '
          .. "Received type number (1)" },
      { { address = "1.2.3.4", port = 1.5 }, "RangeError",
        "ERR_SOCKET_BAD_PORT", "options.port should be >= 0 and < 65536. "
          .. "Received type number (1.5)." },
      { { address = "1.2.3.4", port = " " }, "RangeError",
        "ERR_SOCKET_BAD_PORT", "options.port should be >= 0 and < 65536. "
          .. "Received type string (' ')." },
      { { family = "ipv6", flowlabel = 1.5 }, "RangeError", "ERR_OUT_OF_RANGE",
        'The value of "options.flowlabel" is out of range. It must be an '
          .. "integer. Received 1.5" },
      { { family = "ipv6", flowlabel = "1" }, "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "options.flowlabel" property must be of '
          .. "type number. Received type string ('1')" },
      { { family = "ipv6", flowlabel = 2 ^ 32 }, "RangeError",
        "ERR_OUT_OF_RANGE", 'The value of "options.flowlabel" is out of '
          .. "range. It must be >= 0 && <= 4294967295. Received 4294967296" },
      { { address = "01.2.3.4" }, "Error", "ERR_INVALID_ADDRESS",
        "Invalid socket address" },
      { { address = "::1" }, "Error", "ERR_INVALID_ADDRESS",
        "Invalid socket address" },
    }
    for _, c in ipairs(cases) do
      local e = caught(SocketAddress, c[1])
      assert.are.same({ c[2], c[3], c[4] }, { e.name, e.code, e.message })
    end
    local e = caught(SocketAddress, "x")
    assert.are.equal('The "options" argument must be of type object. '
      .. "Received type string ('x')", e.message)
  end)

  it("normalises addresses and takes ports as Node does", function()
    assert.are.equal("::ffff:1.2.3.4", SocketAddress({
      address = "0:0:0:0:0:FFFF:0102:0304", family = "IPv6" }).address)
    assert.are.equal("fe80::1", SocketAddress({ address = "fe80::1%eth0",
      family = "ipv6" }).address)
    -- The text ends at a NUL byte, as the C string Node passes to libuv.
    assert.are.equal("1.2.3.4",
      SocketAddress({ address = "1.2.3.4\0junk" }).address)
    assert.are.equal(80, SocketAddress({ address = "1.2.3.4", port = "80" }).port)
    assert.are.equal(16, SocketAddress({ address = "1.2.3.4", port = "0x10" }).port)
    assert.are.equal("integer", math.type(SocketAddress({ port = 8.0 }).port))
    -- A flow label only belongs to IPv6.
    assert.are.equal(0, SocketAddress({ flowlabel = 5 }).flowlabel)
    assert.are.equal(1048575, SocketAddress({ family = "ipv6",
      flowlabel = 0xFFFFF }).flowlabel)
  end)

  it("picks the default address before it lowercases the family", function()
    -- { family: 'IPv4' } defaults the address to '::' in Node, which is
    -- then not an IPv4 address.
    assert.are.equal("ERR_INVALID_ADDRESS",
      caught(SocketAddress, { family = "IPv4" }).code)
    assert.are.same({ "::", 0, "ipv6", 0 },
      fields(SocketAddress({ family = "IPV6" })))
  end)

  it("refuses flow labels above 20 bits instead of aborting", function()
    -- Node 22 aborts the process here (a failed CHECK in C++).
    local e = caught(SocketAddress, { family = "ipv6", flowlabel = 0x100000 })
    assert.are.equal("ERR_OUT_OF_RANGE", e.code)
    assert.are.equal('The value of "options.flowlabel" is out of range. It '
      .. "must be >= 0 && <= 1048575. Received 1048576", e.message)
    assert.are.equal("ERR_OUT_OF_RANGE",
      caught(SocketAddress, { flowlabel = 2 ^ 31 }).code)
    assert.are.equal(0, SocketAddress({ flowlabel = 0x100000 }).flowlabel)
  end)

  it("gives toJSON and Node's inspect text", function()
    local sa = SocketAddress({ address = "::1", family = "ipv6", port = 443 })
    assert.are.same({ address = "::1", port = 443, family = "ipv6",
      flowlabel = 0 }, sa:toJSON())
    assert.are.equal("SocketAddress { address: '::1', port: 443, family: "
      .. "'ipv6', flowlabel: 0 }", tostring(sa))
  end)

  it("tells socket addresses from other values", function()
    assert.is_true(SocketAddress.isSocketAddress(SocketAddress()))
    for _, v in ipairs({ {}, { address = "1.2.3.4", port = 0,
        family = "ipv4", flowlabel = 0 }, 1, "1.2.3.4", true }) do
      assert.is_false(SocketAddress.isSocketAddress(v))
    end
    assert.is_false(SocketAddress.isSocketAddress(nil))
  end)
end)

describe("SocketAddress.parse", function()
  it("reads Node's good vectors", function()
    local good = {
      { "1.2.3.4", "1.2.3.4", 0, "ipv4" },
      { "192.168.257:1", "192.168.1.1", 1, "ipv4" },
      { "256", "0.0.1.0", 0, "ipv4" },
      { "999999999:12", "59.154.201.255", 12, "ipv4" },
      { "0xffffffff", "255.255.255.255", 0, "ipv4" },
      { "0x.0x.0", "0.0.0.0", 0, "ipv4" },
      { "[1:0::]", "1::", 0, "ipv6" },
      { "[1::8]:123", "1::8", 123, "ipv6" },
    }
    for _, c in ipairs(good) do
      local sa = SocketAddress.parse(c[1])
      assert.is_true(SocketAddress.isSocketAddress(sa), c[1])
      assert.are.same({ c[2], c[3], c[4] }, { sa.address, sa.port, sa.family })
    end
  end)

  it("gives nil for Node's bad vectors", function()
    for _, s in ipairs({ "not an ip", "abc.123", "259.1.1.1", "12:12:12" }) do
      assert.is_nil(SocketAddress.parse(s), s)
    end
  end)

  it("reads hosts as the URL parser does", function()
    local cases = {
      -- http's default port is no port at all.
      { "1.2.3.4:80", "1.2.3.4", 0 }, { "1.2.3.4:0080", "1.2.3.4", 0 },
      { "1.2.3.4:8080", "1.2.3.4", 8080 }, { "1.2.3.4:", "1.2.3.4", 0 },
      { "0x7f.1:1", "127.0.0.1", 1 }, { "1.2.3:5", "1.2.0.3", 5 },
      { "[::ffff:1.2.3.4]:1", "::ffff:1.2.3.4", 1 },
      { "%31.2.3.4:7", "1.2.3.4", 7 }, { "u@1.2.3.4:5", "1.2.3.4", 5 },
      { "1.2.3.4:5@6.7.8.9", "6.7.8.9", 0 }, { "//1.2.3.4:9", "1.2.3.4", 9 },
      { "1.2.3.4/x:9", "1.2.3.4", 0 }, { "1.2.3.4.:3", "1.2.3.4", 3 },
      { "0:1", "0.0.0.0", 1 }, { "4294967295:1", "255.255.255.255", 1 },
      { "1.2.3.4 ", "1.2.3.4", 0 }, { "1.2.3.4\t:5", "1.2.3.4", 5 },
      { "\\\\1.2.3.4:6", "1.2.3.4", 6 }, { "1.2.3.4?x:7", "1.2.3.4", 0 },
      { "[0:0:0:0:0:0:0:0]:9", "::", 9 }, { "[::1.2.3.4]", "::1.2.3.4", 0 },
      { "0x.1:2", "0.0.0.1", 2 }, { "１.２.３.４:5", "1.2.3.4", 5 },
      { "127。0。0。1", "127.0.0.1", 0 },
    }
    for _, c in ipairs(cases) do
      local sa = SocketAddress.parse(c[1])
      assert.is_not_nil(sa, c[1])
      assert.are.same({ c[2], c[3] }, { sa.address, sa.port }, c[1])
    end
    for _, s in ipairs({ "localhost:80", "[::1%eth0]:1", "1.2.3.4:99999",
        " 1.2.3.4", "4294967296:1", "[::1]x", "", "08.1:3", "1..2:3",
        "999.1.1.1:3", ":80", "1.2.3.4:5:6" }) do
      assert.is_nil(SocketAddress.parse(s), s)
    end
  end)

  it("raises ERR_INVALID_ARG_TYPE for a non-string", function()
    local e = caught(SocketAddress.parse, 1)
    assert.are.equal("ERR_INVALID_ARG_TYPE", e.code)
    assert.are.equal('The "input" argument must be of type string. Received '
      .. "type number (1)", e.message)
  end)
end)
