--- IP address tests and helpers.
--
-- `net.isIP`, `net.isIPv4` and `net.isIPv6`, and the parsing and formatting
-- the rest of uvnet shares.  The work is done once, in C (csrc/cidr.c):
-- the grammar of net.isIP, and the reading of an address as a socket
-- address (what libuv's uv_ip4_addr and uv_ip6_addr accept) with Node's
-- text form of it.
--
-- Addresses travel between the modules "packed": a string of 4 bytes for
-- IPv4 or 16 for IPv6, in network order.
-- @module uvnet.ip

local core = require("uvnet.core")
local errors = require("uvnet.errors")

local type, tostring, getmetatable, rawget, next = type, tostring,
  getmetatable, rawget, next
local lower = string.lower
local c_isip, c_pack, c_format = core.isip, core.ip_pack, core.ip_format
local throw = errors.throw

local M = {}

--- The key under which a SocketAddress keeps its packed address (internal:
-- like Node's handle, it is what BlockList and the socket code read).
M.PACKED = setmetatable({}, { __name = "uvnet.packed" })

-- The deepest nesting of one-element sequences followed, as JavaScript's
-- join stops at a cycle.
local MAX_DEPTH = 64

-- JavaScript's String(value), as far as the result could be an address:
-- a string is itself, a table with __tostring gives that (a JavaScript
-- object's toString), and a sequence joins its elements with ',' as an
-- Array does, so only a one-element sequence can give an address.  Numbers,
-- booleans and nil never read as an address; they give nil.
local function astext(v, depth)
  local t = type(v)
  if t == "string" then return v end
  if t ~= "table" or depth > MAX_DEPTH then return nil end
  local mt = getmetatable(v)
  if type(mt) == "table" and rawget(mt, "__tostring") ~= nil then
    return tostring(v)
  end
  if mt == nil and rawget(v, 1) ~= nil and next(v, next(v)) == nil then
    return astext(v[1], depth + 1)
  end
  return nil
end

--- net.isIP(input): 6 for an IPv6 address (a zone id allowed), 4 for an
-- IPv4 address in dotted decimal without leading zeros, otherwise 0.
-- Non-strings are read as Node reads them through String().
-- @param input any value
-- @treturn integer 4, 6 or 0
function M.isIP(input)
  local s = astext(input, 0)
  if s == nil then return 0 end
  return c_isip(s)
end
local isIP = M.isIP

--- net.isIPv4(input)
-- @treturn boolean
function M.isIPv4(input)
  return isIP(input) == 4
end

--- net.isIPv6(input)
-- @treturn boolean
function M.isIPv6(input)
  return isIP(input) == 6
end

--- Reads an address as a socket address of the given family does.
-- @tparam string address the text
-- @param family 'ipv4' or 'ipv6' in any case, 4 or 6; nil is IPv4
-- @treturn[1] string the packed address
-- @treturn[2] nil
-- @treturn[2] string 'family' or 'address', what is wrong
function M.pack(address, family)
  return c_pack(address, family)
end

--- The text of a packed address, as Node shows it (e.g. `::ffff:1.2.3.4`).
-- @tparam string packed
-- @treturn string
function M.format(packed)
  return c_format(packed)
end

--- The family of a packed address: 'ipv4' or 'ipv6'.
-- @tparam string packed
-- @treturn string
function M.family(packed)
  return #packed == 4 and "ipv4" or "ipv6"
end

--- An address in Node's text form, or nil if it is not one.  With a family
-- ('ipv4' or 'ipv6') the text must be of that family; without, IPv4 is
-- tried first, then IPv6, as Node does for a host with no family.
-- @tparam string address
-- @tparam[opt] string family
-- @treturn string|nil
function M.normalize(address, family)
  if type(address) ~= "string" then return nil end
  local p
  if family ~= nil then
    p = c_pack(address, family)
  else
    p = c_pack(address, 4) or c_pack(address, 6)
  end
  return p and c_format(p) or nil
end

--- Reads an address as `new SocketAddress({ address, family })` does,
-- raising its errors: ERR_INVALID_ARG_VALUE for a family other than 'ipv4'
-- and 'ipv6' (any case), ERR_INVALID_ADDRESS for text that is not an
-- address of the family.  The caller has checked that both are strings.
-- @tparam string address
-- @tparam string family
-- @treturn string the packed address
function M.topacked(address, family)
  local p, why = c_pack(address, family)
  if p then return p end
  if why == "family" then
    throw("ERR_INVALID_ARG_VALUE", "options.family", family)
  end
  throw("ERR_INVALID_ADDRESS")
end

--- The packed address of a SocketAddress, or nil for any other value.
-- @param v any value
-- @treturn string|nil
function M.packed(v)
  if type(v) ~= "table" then return nil end
  return rawget(v, M.PACKED)
end

--- 'ipv4' or 'ipv6' for a family name in any case, else nil.
-- @param family any value
-- @treturn string|nil
function M.familyname(family)
  if type(family) ~= "string" then return nil end
  local f = lower(family)
  if f == "ipv4" or f == "ipv6" then return f end
  return nil
end

return M
