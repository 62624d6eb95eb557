-- Error objects: Node 22's codes, classes and message texts.  The expected
-- strings were taken from Node 22 runs of the same calls.
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")

local function caught(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  return err
end

describe("uvnet.errors", function()
  it("formats ERR_SOCKET_BAD_PORT as Node does", function()
    local e = caught(validate.port, "abc")
    assert.are.equal("ERR_SOCKET_BAD_PORT", e.code)
    assert.are.equal("RangeError", e.name)
    assert.are.equal("Port should be >= 0 and < 65536. Received type "
      .. "string ('abc').", e.message)
    assert.are.equal("RangeError [ERR_SOCKET_BAD_PORT]: Port should be >= 0 "
      .. "and < 65536. Received type string ('abc').", tostring(e))
    e = caught(validate.port, -1, "options.port")
    assert.are.equal("options.port should be >= 0 and < 65536. Received "
      .. "type number (-1).", e.message)
  end)

  it("describes Lua values in Node's words", function()
    local cases = {
      { function() end, "function " },
      { {}, "an instance of Object" },
      { 1.5, "type number (1.5)" },
      { 2 ^ 53, "type number (9007199254740992)" },
      { 1e21, "type number (1e+21)" },
      { 1e-7, "type number (1e-7)" },
      { 5, "type number (5)" },
      { 0 / 0, "type number (NaN)" },
      { math.huge, "type number (Infinity)" },
      { true, "type boolean (true)" },
      { nil, "undefined" },
      { "a'b", 'type string ("a\'b")' },
      { ("x"):rep(40), "type string ('xxxxxxxxxxxxxxxxxxxxxxxxx...')" },
    }
    for _, c in ipairs(cases) do
      local e = errors.make("ERR_INVALID_ARG_TYPE", "hostname", "string", c[1])
      assert.are.equal('The "hostname" argument must be of type string. '
        .. "Received " .. c[2], e.message)
    end
  end)

  it("builds ERR_INVALID_ARG_TYPE lists as Node does", function()
    local e = errors.make("ERR_INVALID_ARG_TYPE", "chunk",
      { "string", "Buffer", "TypedArray", "DataView" }, 5)
    assert.are.equal('The "chunk" argument must be of type string or an '
      .. "instance of Buffer, TypedArray, or DataView. Received type number "
      .. "(5)", e.message)
    e = errors.make("ERR_INVALID_ARG_TYPE", "options.port",
      { "number", "string" }, true)
    assert.are.equal('The "options.port" property must be one of type number '
      .. "or string. Received type boolean (true)", e.message)
    e = errors.make("ERR_INVALID_ARG_TYPE", "callback", "Function", "x")
    assert.are.equal("TypeError [ERR_INVALID_ARG_TYPE]: The \"callback\" "
      .. "argument must be of type function. Received type string ('x')",
      tostring(e))
  end)

  it("makes system errors from libuv status codes", function()
    local code = errors.code("ECONNREFUSED")
    assert.is_true(code < 0)
    local e = errors.hostport(code, "connect", "127.0.0.1", 9)
    assert.are.equal("Error: connect ECONNREFUSED 127.0.0.1:9", tostring(e))
    assert.are.same({ "ECONNREFUSED", code, "connect", "127.0.0.1", 9 },
      { e.code, e.errno, e.syscall, e.address, e.port })
    e = errors.uvhostport(errors.code("EADDRINUSE"), "listen", "127.0.0.1",
      40713)
    assert.are.equal("listen EADDRINUSE: address already in use "
      .. "127.0.0.1:40713", e.message)
    assert.are.equal(-98, e.errno)
    e = errors.errno(errors.code("ECONNRESET"), "read")
    assert.are.equal("read ECONNRESET", e.message)
  end)

  it("has the codes the net module uses", function()
    for _, code in ipairs({ "ERR_SERVER_ALREADY_LISTEN",
        "ERR_SERVER_NOT_RUNNING", "ERR_SOCKET_CLOSED",
        "ERR_STREAM_WRITE_AFTER_END", "ERR_SOCKET_CONNECTION_TIMEOUT",
        "ERR_INVALID_HANDLE_TYPE", "ABORT_ERR" }) do
      local e = errors.make(code)
      assert.are.equal(code, e.code)
      assert.is_string(e.message)
    end
    assert.are.equal("Listen method has been called more than once without "
      .. "closing.", errors.make("ERR_SERVER_ALREADY_LISTEN").message)
    assert.are.equal("Cannot call write after a stream was destroyed",
      errors.make("ERR_STREAM_DESTROYED", "write").message)
    assert.are.equal('The "options" or "port" or "path" argument must be '
      .. "specified", errors.make("ERR_MISSING_ARGS",
        { "options", "port", "path" }).message)
    assert.are.equal("IP(1.2.3.4) is blocked by net.BlockList",
      errors.make("ERR_IP_BLOCKED", "1.2.3.4").message)
  end)

  it("validates numbers with Node's range texts", function()
    local e = caught(validate.number, -1, "msecs", 0)
    assert.are.equal('The value of "msecs" is out of range. It must be >= 0. '
      .. "Received -1", e.message)
    e = caught(validate.int32, 1.5, "n")
    assert.are.equal('The value of "n" is out of range. It must be an '
      .. "integer. Received 1.5", e.message)
    e = caught(validate.uint32, 2 ^ 33, "n")
    assert.are.equal('The value of "n" is out of range. It must be >= 0 && '
      .. "<= 4294967295. Received 8_589_934_592", e.message)
    assert.are.equal(16, validate.port("0x10"))
    assert.are.equal(80, validate.port(80.0))
    assert.are.equal("integer", math.type(validate.port("80")))
  end)
end)
