--- Node's argument validators, in one place.
--
-- Each raises the error Node raises for the same mistake (code, class and
-- message) and otherwise returns the value, normalised where Node
-- normalises it (whole numbers become Lua integers).
-- @module uvnet.validate

local errors = require("uvnet.errors")

local type, tostring, ipairs = type, tostring, ipairs
local mtype, tointeger, huge = math.type, math.tointeger, math.huge
local find, match, lower = string.find, string.match, string.lower
local concat = table.concat
local throw = errors.throw

local M = {}

local MAX_SAFE = 9007199254740991

--- Whether v is a whole number (integer, or a float with no fraction).
local function iswhole(v)
  return mtype(v) == "integer" or (type(v) == "number" and v == v
    and v ~= huge and v ~= -huge and v % 1 == 0)
end
M.iswhole = iswhole

--- JavaScript's truthiness: nil, false, 0, NaN and "" are false.
function M.jstruthy(v)
  return v ~= nil and v ~= false and v ~= 0 and v ~= "" and v == v
end

--- JavaScript's ToUint32 (x >>> 0) for a number.
function M.touint32(n)
  if n ~= n or n == huge or n == -huge then return 0 end
  n = n >= 0 and n // 1 or -((-n) // 1)
  return math.tointeger(n % 4294967296) or 0
end

--- JavaScript's ToInt32 (x | 0) for a number.
function M.toint32(n)
  local u = M.touint32(n)
  return u >= 2147483648 and u - 4294967296 or u
end

--- The number as a Lua integer where it is whole and fits.
local function whole(v)
  return tointeger(v) or v
end
M.whole = whole

--- JavaScript's Number(string): decimal, hex, octal and binary literals,
-- Infinity, surrounding white space; anything else is NaN.
function M.jstonumber(s)
  s = match(s, "^[%s\194\160]*(.-)[%s\194\160]*$")
  if s == "" then return 0 end
  local sign, body = match(s, "^([+-]?)(.*)$")
  if find(body, "^0[xX]%x+$") or find(body, "^0[oO][0-7]+$")
      or find(body, "^0[bB][01]+$") then
    if sign ~= "" then return 0 / 0 end
    local base = ({ x = 16, o = 8, b = 2 })[lower(body:sub(2, 2))]
    local n = 0
    for c in body:sub(3):gmatch(".") do n = n * base + tonumber(c, 16) end
    return n
  end
  if body == "Infinity" then return sign == "-" and -huge or huge end
  if find(body, "^%d+%.?%d*$") or find(body, "^%.%d+$")
      or find(body, "^%d+%.?%d*[eE][+-]?%d+$")
      or find(body, "^%.%d+[eE][+-]?%d+$") then
    local n = tonumber(s)
    if n then return whole(n) end
  end
  return 0 / 0
end

function M.string(v, name)
  if type(v) ~= "string" then throw("ERR_INVALID_ARG_TYPE", name, "string", v) end
  return v
end

function M.func(v, name)
  if type(v) ~= "function" then
    throw("ERR_INVALID_ARG_TYPE", name, "Function", v)
  end
  return v
end

function M.boolean(v, name)
  if type(v) ~= "boolean" then throw("ERR_INVALID_ARG_TYPE", name, "boolean", v) end
  return v
end

--- validateObject: a table (Node's plain object).
function M.object(v, name)
  if type(v) ~= "table" then throw("ERR_INVALID_ARG_TYPE", name, "Object", v) end
  return v
end

--- validateNumber(value, name[, min[, max]])
function M.number(v, name, min, max)
  if type(v) ~= "number" then throw("ERR_INVALID_ARG_TYPE", name, "number", v) end
  if (min and v < min) or (max and v > max) or ((min or max) and v ~= v) then
    local range = (min and (">= " .. errors.jsnumber(min)) or "")
      .. ((min and max) and " && " or "")
      .. (max and ("<= " .. errors.jsnumber(max)) or "")
    throw("ERR_OUT_OF_RANGE", name, range, v)
  end
  return whole(v)
end

local function ranged(v, name, min, max)
  if type(v) ~= "number" then throw("ERR_INVALID_ARG_TYPE", name, "number", v) end
  if not iswhole(v) then throw("ERR_OUT_OF_RANGE", name, "an integer", v) end
  if v < min or v > max then
    throw("ERR_OUT_OF_RANGE", name, ">= " .. errors.jsnumber(min) .. " && <= "
      .. errors.jsnumber(max), v)
  end
  return tointeger(v)
end

--- validateInteger(value, name[, min[, max]])
function M.integer(v, name, min, max)
  return ranged(v, name, min or -MAX_SAFE, max or MAX_SAFE)
end

function M.int32(v, name, min, max)
  return ranged(v, name, min or -2147483648, max or 2147483647)
end

function M.uint32(v, name, positive)
  return ranged(v, name, positive and 1 or 0, 4294967295)
end

--- validatePort: a number or numeric string from 0 (unless not allowed) to
-- 65535; returns the port as an integer.
function M.port(v, name, allowzero)
  local t = type(v)
  local n
  if t == "number" then
    n = v
  elseif t == "string" and not find(v, "^[%s\194\160]*$") then
    n = M.jstonumber(v)
  end
  if n == nil or not iswhole(n) or n < 0 or n > 0xFFFF
      or (n == 0 and allowzero == false) then
    throw("ERR_SOCKET_BAD_PORT", name or "Port", v, allowzero ~= false)
  end
  return tointeger(n)
end

--- validateOneOf(value, name, list)
function M.oneof(v, name, list)
  for _, x in ipairs(list) do
    if v == x then return v end
  end
  local shown = {}
  for i, x in ipairs(list) do
    shown[i] = type(x) == "string" and ("'" .. x .. "'") or tostring(x)
  end
  throw("ERR_INVALID_ARG_VALUE", name, v, "must be one of: " .. concat(shown, ", "))
end

--- validateAbortSignal: nil, or an object with `aborted`.
function M.signal(v, name)
  if v ~= nil and (type(v) ~= "table" or v.aborted == nil) then
    throw("ERR_INVALID_ARG_TYPE", name, "AbortSignal", v)
  end
  return v
end


return M
