--- Error objects with Node's codes, names and message texts.
--
-- Every error uvnet raises or emits is a table made here: `code`, `message`
-- and `name`, plus `errno`, `syscall`, `address`, `port` or `hostname` for
-- system errors, as Node sets them.  `tostring(err)` gives Node's text form.
-- @module uvnet.errors

local core = require("uvnet.core")

local type, tostring, tonumber, next = type, tostring, tonumber, next
local ipairs, pairs = ipairs, pairs
local format, sub, find, gsub = string.format, string.sub, string.find,
  string.gsub
local mtype, huge, floor = math.type, math.huge, math.floor
local concat = table.concat
local setmetatable, getmetatable, rawget = setmetatable, getmetatable, rawget
local errname, strerror = core.errname, core.strerror

local M = {}

--- The metatable of every uvnet error.
local Error = {}
Error.__index = Error
Error.__name = "Error"
M.Error = Error

function Error.__tostring(e)
  local code = rawget(e, "code")
  if type(code) == "string" and sub(code, 1, 4) == "ERR_" then
    return format("%s [%s]: %s", e.name, code, e.message)
  end
  return format("%s: %s", e.name, e.message)
end

--- Whether a value is an error made by this module.
function M.iserror(v)
  return type(v) == "table" and getmetatable(v) == Error
end

--- Makes an error table.
-- @tparam string name 'Error', 'TypeError', 'RangeError', 'AbortError', ...
-- @tparam string code Node's code
-- @tparam string message Node's message text
-- @treturn table
function M.new(name, code, message)
  return setmetatable({ name = name, code = code, message = message }, Error)
end
local new = M.new

-- Numbers as JavaScript prints them: shortest text that reads back, with
-- JavaScript's exponent form.
local function jsnumber(n)
  if mtype(n) == "integer" then return tostring(n) end
  if n ~= n then return "NaN" end
  if n == huge then return "Infinity" end
  if n == -huge then return "-Infinity" end
  if n == 0 then return (1 / n < 0) and "-0" or "0" end
  if n == floor(n) and n > -1e21 and n < 1e21 then
    return format("%.0f", n)
  end
  local s
  for digits = 15, 17 do
    s = format("%." .. digits .. "g", n)
    if tonumber(s) == n then break end
  end
  s = gsub(s, "e([+-])0*(%d)", "e%1%2")
  return s
end
M.jsnumber = jsnumber

-- The name of a table's class, for "an instance of X".
local function classname(v)
  local mt = getmetatable(v)
  local name = type(mt) == "table" and rawget(mt, "__name")
  if type(name) == "string" then return name end
  if #v > 0 or next(v) == nil and mt == nil and rawget(v, 1) ~= nil then
    return "Array"
  end
  return "Object"
end

--- Node's determineSpecificType, for Lua values.
function M.describe(v)
  local t = type(v)
  if v == nil then return "undefined" end
  if t == "number" then return "type number (" .. jsnumber(v) .. ")" end
  if t == "boolean" then return "type boolean (" .. tostring(v) .. ")" end
  if t == "function" then return "function " end
  if t == "string" then
    if #v > 28 then v = sub(v, 1, 25) .. "..." end
    if not find(v, "'", 1, true) then
      return "type string ('" .. v .. "')"
    end
    return "type string (" .. M.jsonstring(v) .. ")"
  end
  if t == "table" then return "an instance of " .. classname(v) end
  if t == "thread" then return "an instance of Coroutine" end
  return "an instance of " .. (t == "userdata" and "Userdata" or t)
end
local describe = M.describe

--- A string as JSON.stringify writes it.
function M.jsonstring(s)
  return '"' .. gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    if c == "\n" then return "\\n" end
    if c == "\r" then return "\\r" end
    if c == "\t" then return "\\t" end
    if c == "\b" then return "\\b" end
    if c == "\f" then return "\\f" end
    return format("\\u%04x", c:byte())
  end) .. '"'
end

--- What util.format's %s makes of a value: strings as they are, numbers
-- as JavaScript writes them, anything else inspected.
function M.formats(v)
  if type(v) == "string" then return v end
  if type(v) == "number" then return jsnumber(v) end
  return M.inspect(v)
end

--- A short form of util.inspect for Lua values.
function M.inspect(v, depth)
  local t = type(v)
  depth = depth or 0
  if v == nil then return "undefined" end
  if t == "number" then return jsnumber(v) end
  if t == "boolean" then return tostring(v) end
  if t == "string" then
    local q = find(v, "'", 1, true) and (find(v, '"', 1, true) and "`" or '"')
      or "'"
    return q .. gsub(v, "[%c\\]", function(c)
      if c == "\\" then return "\\\\" end
      if c == "\n" then return "\\n" end
      if c == "\t" then return "\\t" end
      if c == "\r" then return "\\r" end
      return format("\\x%02X", c:byte())
    end) .. q
  end
  if t == "function" then return "[Function (anonymous)]" end
  if t == "table" then
    if depth > 1 then return "[Object]" end
    local parts = {}
    local n = #v
    for i = 1, n do parts[#parts + 1] = M.inspect(v[i], depth + 1) end
    for k, x in pairs(v) do
      if not (mtype(k) == "integer" and k >= 1 and k <= n) then
        parts[#parts + 1] = tostring(k) .. ": " .. M.inspect(x, depth + 1)
      end
    end
    if #parts == 0 then return n == 0 and "{}" or "[]" end
    if n > 0 and #parts == n then return "[ " .. concat(parts, ", ") .. " ]" end
    return "{ " .. concat(parts, ", ") .. " }"
  end
  return "[" .. t .. "]"
end
local inspect = M.inspect

-- The message of ERR_INVALID_ARG_TYPE, as Node builds it.
local ktypes = {
  string = true, ["function"] = true, number = true, object = true,
  Function = true, Object = true, boolean = true, bigint = true,
  symbol = true,
}

local function joinor(list, prefix)
  local n = #list
  if n > 2 then
    local last = list[n]
    return prefix .. concat(list, ", ", 1, n - 1) .. ", or " .. last
  elseif n == 2 then
    return prefix .. list[1] .. " or " .. list[2]
  end
  return prefix .. list[1]
end

local function invalid_arg_type_message(name, expected, actual)
  if type(expected) ~= "table" then expected = { expected } end
  local msg = "The "
  if sub(name, -9) == " argument" then
    msg = msg .. name .. " "
  else
    msg = msg .. format('"%s" %s ', name,
      find(name, ".", 1, true) and "property" or "argument")
  end
  msg = msg .. "must be "
  local types, instances, other = {}, {}, {}
  for _, v in ipairs(expected) do
    if ktypes[v] then
      types[#types + 1] = v:lower()
    elseif find(v, "^%u[%l%d]*") and not find(v, "[^%w]") then
      instances[#instances + 1] = v
    else
      other[#other + 1] = v
    end
  end
  if #instances > 0 then
    for i, v in ipairs(types) do
      if v == "object" then
        table.remove(types, i)
        instances[#instances + 1] = "Object"
        break
      end
    end
  end
  if #types > 0 then
    if #types > 2 then
      msg = msg .. joinor(types, "one of type ")
    elseif #types == 2 then
      msg = msg .. "one of type " .. types[1] .. " or " .. types[2]
    else
      msg = msg .. "of type " .. types[1]
    end
    if #instances > 0 or #other > 0 then msg = msg .. " or " end
  end
  if #instances > 0 then
    if #instances > 2 then
      msg = msg .. joinor(instances, "an instance of ")
    else
      msg = msg .. "an instance of " .. instances[1]
      if #instances == 2 then msg = msg .. " or " .. instances[2] end
    end
    if #other > 0 then msg = msg .. " or " end
  end
  if #other > 0 then
    if #other > 1 then
      msg = msg .. joinor(other, "one of ")
    else
      if other[1]:lower() ~= other[1] then msg = msg .. "an " end
      msg = msg .. other[1]
    end
  end
  return msg .. ". Received " .. describe(actual)
end

-- Adds Node's numeric separators to an integer's text: 4294967296 as
-- 4_294_967_296.
local function separated(s)
  local sign, digits = s:match("^(-?)(%d+)$")
  if not digits then return s end
  local out = digits:reverse():gsub("(%d%d%d)", "%1_"):reverse()
  if sub(out, 1, 1) == "_" then out = sub(out, 2) end
  return sign .. out
end

-- Node's internal errors, by code: the class name and a message builder.
local messages = {
  ERR_INVALID_ARG_TYPE = { "TypeError", invalid_arg_type_message },
  ERR_INVALID_ARG_VALUE = { "TypeError", function(name, value, reason)
    local s = inspect(value)
    if #s > 128 then s = sub(s, 1, 128) .. "..." end
    return format("The %s '%s' %s. Received %s",
      find(name, ".", 1, true) and "property" or "argument", name,
      reason or "is invalid", s)
  end },
  ERR_OUT_OF_RANGE = { "RangeError", function(str, range, input)
    local received
    if mtype(input) == "integer" or (type(input) == "number"
        and input == floor(input) and input < huge and input > -huge) then
      received = jsnumber(input)
      if input > 2 ^ 32 or input < -(2 ^ 32) then
        received = separated(received)
      end
    else
      received = inspect(input)
    end
    return format('The value of "%s" is out of range. It must be %s. '
      .. "Received %s", str, range, received)
  end },
  ERR_SOCKET_BAD_PORT = { "RangeError", function(name, port, allowzero)
    local op = allowzero == false and ">" or ">="
    return format("%s should be %s 0 and < 65536. Received %s.",
      name or "Port", op, describe(port))
  end },
  ERR_MISSING_ARGS = { "TypeError", function(...)
    local args = { ... }
    local wrapped = {}
    for i, a in ipairs(args) do
      if type(a) == "table" then
        local alts = {}
        for j, x in ipairs(a) do alts[j] = '"' .. x .. '"' end
        wrapped[i] = concat(alts, " or ")
      else
        wrapped[i] = '"' .. a .. '"'
      end
    end
    local msg = "The "
    if #wrapped == 1 then
      msg = msg .. wrapped[1] .. " argument"
    elseif #wrapped == 2 then
      msg = msg .. wrapped[1] .. " and " .. wrapped[2] .. " arguments"
    else
      msg = msg .. concat(wrapped, ", ", 1, #wrapped - 1) .. ", and "
        .. wrapped[#wrapped] .. " arguments"
    end
    return msg .. " must be specified"
  end },
  ERR_SERVER_ALREADY_LISTEN = { "Error",
    "Listen method has been called more than once without closing." },
  ERR_SERVER_NOT_RUNNING = { "Error", "Server is not running." },
  ERR_SOCKET_CLOSED = { "Error", "Socket is closed" },
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION = { "Error",
    "Socket closed before the connection was established" },
  ERR_SOCKET_CONNECTION_TIMEOUT = { "Error", "Socket connection timeout" },
  ERR_STREAM_WRITE_AFTER_END = { "Error", "write after end" },
  ERR_STREAM_DESTROYED = { "Error", function(op)
    return format("Cannot call %s after a stream was destroyed", op)
  end },
  ERR_STREAM_ALREADY_FINISHED = { "Error", function(op)
    return format("Cannot call %s after a stream was finished", op)
  end },
  ERR_STREAM_NULL_VALUES = { "TypeError", "May not write null values to stream" },
  ERR_STREAM_PUSH_AFTER_EOF = { "Error", "stream.push() after EOF" },
  ERR_MULTIPLE_CALLBACK = { "Error", "Callback called multiple times" },
  ERR_UNKNOWN_ENCODING = { "TypeError", function(enc)
    return "Unknown encoding: " .. tostring(enc)
  end },
  ERR_INVALID_FD_TYPE = { "TypeError", function(t)
    return "Unsupported fd type: " .. tostring(t)
  end },
  ERR_INVALID_HANDLE_TYPE = { "TypeError", "This handle type cannot be sent" },
  ERR_INVALID_ADDRESS = { "Error", "Invalid socket address" },
  ERR_INVALID_IP_ADDRESS = { "TypeError", function(ip)
    return "Invalid IP address: " .. M.formats(ip)
  end },
  ERR_IP_BLOCKED = { "Error", function(ip)
    return format("IP(%s) is blocked by net.BlockList", tostring(ip))
  end },
  ERR_INVALID_ADDRESS_FAMILY = { "RangeError", function(family, host, port)
    return format("Invalid address family: %s %s:%s", tostring(family),
      tostring(host), tostring(port))
  end },
  ERR_INVALID_STATE = { "Error", function(msg)
    return "Invalid state: " .. tostring(msg)
  end },
  ERR_INVALID_THIS = { "TypeError", function(t)
    return "Value of \"this\" must be of type " .. tostring(t)
  end },
  ERR_INVALID_RETURN_VALUE = { "TypeError", function(input, name, value)
    return format('Expected %s to be returned from the "%s" function but got %s.',
      input, name, describe(value))
  end },
  ERR_UNHANDLED_ERROR = { "Error", function(err)
    local msg = "Unhandled error."
    if err == nil then return msg end
    return msg .. " (" .. inspect(err) .. ")"
  end },
  ERR_UNKNOWN_SIGNAL = { "TypeError", function(sig)
    return "Unknown signal: " .. tostring(sig)
  end },
  ERR_SOCKET_BAD_TYPE = { "TypeError",
    "Bad socket type specified. Valid types are: udp4, udp6" },
  ABORT_ERR = { "AbortError", "The operation was aborted" },
}

--- Makes Node's internal error `code` with the arguments its message takes.
-- @usage error(errors.make("ERR_SOCKET_BAD_PORT", "Port", port))
function M.make(code, ...)
  local spec = messages[code]
  if not spec then
    error("uvnet.errors: unknown code " .. tostring(code), 2)
  end
  local msg = spec[2]
  if type(msg) == "function" then msg = msg(...) end
  return new(spec[1], code, msg)
end
local make = M.make

--- Raises Node's internal error `code` at the caller's caller.
function M.throw(code, ...)
  error(make(code, ...), 0)
end

--- Node's AbortError: `reason` is the signal's reason, kept as `cause`.
function M.abort(reason)
  local e = make("ABORT_ERR")
  e.cause = reason
  return e
end

-- System errors -------------------------------------------------------------

-- The address part of a host-and-port message, and the error with the
-- fields Node sets (port whenever it is not 0: a Unix path gives -1).
local function hostdetails(address, port)
  if port and port > 0 then
    return format(" %s:%s", address, jsnumber(port))
  elseif address then
    return " " .. address
  end
  return ""
end

local function hosterror(code, message, status, syscall, address, port)
  local e = new("Error", code, message)
  e.errno = status
  e.syscall = syscall
  e.address = address
  if port and port ~= 0 then e.port = port end
  return e
end

--- uvExceptionWithHostPort: `listen EADDRINUSE: address already in use
-- 127.0.0.1:8000`.
function M.uvhostport(status, syscall, address, port)
  local code = errname(status)
  return hosterror(code, format("%s %s: %s%s", syscall, code, strerror(status),
    hostdetails(address, port)), status, syscall, address, port)
end

--- exceptionWithHostPort: `connect ECONNREFUSED 127.0.0.1:9`.
function M.hostport(status, syscall, address, port, additional)
  local code = errname(status)
  local details = hostdetails(address, port)
  if additional then details = details .. " - Local (" .. additional .. ")" end
  return hosterror(code, format("%s %s%s", syscall, code, details), status,
    syscall, address, port)
end

--- errnoException with an error name: `write EPIPE`, `read ECONNRESET`.
function M.errno(status, syscall, original)
  local code = errname(status)
  local msg = original and format("%s %s %s", syscall, code, original)
    or format("%s %s", syscall, code)
  local e = new("Error", code, msg)
  e.errno = status
  e.syscall = syscall
  return e
end

--- dnsException: `getaddrinfo ENOTFOUND example.invalid`.
function M.dns(code, syscall, hostname, errno)
  local e = new("Error", code, format("%s %s%s", syscall, code,
    hostname and (" " .. hostname) or ""))
  e.errno = errno
  e.syscall = syscall
  e.hostname = hostname
  return e
end

--- The libuv status code for an error name, e.g. `M.code("ECONNRESET")`.
function M.code(name)
  return core.errno[name]
end

return M
