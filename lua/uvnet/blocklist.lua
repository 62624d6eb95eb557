--- net.BlockList: rules that block IP addresses, ranges and subnets.
--
-- The rules live in a C matcher (csrc/cidr.c) that answers `check` in
-- O(log n) from sorted, merged intervals, where Node scans every rule.  The
-- answers are Node's, IPv4 rules matching IPv4-mapped IPv6 addresses and
-- the reverse.  `blockList.rules` is a plain field, made afresh from the
-- matcher on each read (newest rule first, duplicates kept, as Node 22
-- lists them).
--
-- On purpose, `fromJSON` reads back every rule that `toJSON` and `rules`
-- produce, where Node 22 loses dotted IPv6 tails and ranges whose ends have
-- different families; any other text is read the way Node 22 reads it.
-- @classmod uvnet.blocklist

local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local ip = require("uvnet.ip")
local SocketAddress = require("uvnet.socketaddress")

local type, rawget, setmetatable, getmetatable, ipairs, pairs, next,
  tonumber, tostring, pcall, require, error = type, rawget, setmetatable,
  getmetatable, ipairs, pairs, next, tonumber, tostring, pcall, require, error
local find, match, sub, lower, format, min = string.find, string.match,
  string.sub, string.lower, string.format, math.min
local throw = errors.throw
local packed_of, pack, fmt, topacked = ip.packed, ip.pack, ip.format,
  ip.topacked
local c_new, c_add_address, c_add_range, c_add_subnet = core.blocklist_new,
  core.blocklist_add_address, core.blocklist_add_range,
  core.blocklist_add_subnet
local c_check_packed, c_rules, c_methods = core.blocklist_check_packed,
  core.blocklist_rules, core.blocklist_methods

-- The key of an instance's C matcher.
local HANDLE = setmetatable({}, { __name = "uvnet.blocklist.handle" })

local BlockList = {}
BlockList.__name = "BlockList"

-- Methods come from the class; `rules` is made on each read.
function BlockList.__index(self, key)
  local v = BlockList[key]
  if v ~= nil then return v end
  if key == "rules" then return c_rules(rawget(self, HANDLE)) end
  return nil
end

local function handle(self)
  local h = type(self) == "table" and rawget(self, HANDLE)
  if not h then throw("ERR_INVALID_THIS", "BlockList") end
  return h
end

--- Makes an empty BlockList.
-- @treturn BlockList
function BlockList.new()
  return setmetatable({ [HANDLE] = c_new() }, BlockList)
end

setmetatable(BlockList, { __call = function() return BlockList.new() end })

--- Whether a value is a BlockList.
-- @param value any value
-- @treturn boolean
function BlockList.isBlockList(value)
  return type(value) == "table" and rawget(value, HANDLE) ~= nil
end

-- The packed address of an argument that is a SocketAddress or a string of
-- the family, checked as Node checks it (argument name `name`).
local function address_arg(value, name, family)
  local p = packed_of(value)
  if p then return p end
  validate.string(value, name)
  if family == nil then family = "ipv4" end
  validate.string(family, "family")
  return topacked(value, family)
end

-- The methods check, addAddress, addRange and addSubnet are C closures
-- (core.blocklist_methods) that do the common case, plain valid strings,
-- in one call, and hand anything else to the Lua methods below, which check
-- every argument and raise Node's errors.
local slow = {}

--- Adds a rule blocking one address.
-- @tparam string|SocketAddress address
-- @tparam[opt='ipv4'] string family 'ipv4' or 'ipv6' (any case)
function slow.addAddress(self, address, family)
  local h = handle(self)
  c_add_address(h, address_arg(address, "address", family))
end

--- Adds a rule blocking the addresses from start to end, both included.
-- @tparam string|SocketAddress start
-- @tparam string|SocketAddress finish the end of the range
-- @tparam[opt='ipv4'] string family 'ipv4' or 'ipv6' (any case)
-- @raise ERR_INVALID_ARG_VALUE when start comes after end
function slow.addRange(self, start, finish, family)
  local h = handle(self)
  local ps = address_arg(start, "start", family)
  local pe = address_arg(finish, "end", family)
  if not c_add_range(h, ps, pe) then
    local shown = SocketAddress.isSocketAddress(start) and start
      or SocketAddress.new({ address = fmt(ps), family = ip.family(ps) })
    local e = errors.make("ERR_INVALID_ARG_VALUE", "start", shown,
      "must come before end")
    e.message = format("The argument 'start' must come before end. "
      .. "Received %s", SocketAddress.__tostring(shown))
    error(e, 0)
  end
end

--- Adds a rule blocking a subnet.
-- @tparam string|SocketAddress network
-- @tparam integer prefix 0 to 32 for IPv4, 0 to 128 for IPv6
-- @tparam[opt='ipv4'] string family 'ipv4' or 'ipv6' (any case)
-- @raise ERR_OUT_OF_RANGE for a prefix outside the family's range
function slow.addSubnet(self, network, prefix, family)
  local h = handle(self)
  local p = address_arg(network, "network", family)
  prefix = validate.int32(prefix, "prefix", 0, #p == 4 and 32 or 128)
  c_add_subnet(h, p, prefix)
end

--- Whether an address matches a rule.  An address that is not valid for
-- the family, or a family other than 'ipv4' and 'ipv6', gives false.
-- @tparam string|SocketAddress address
-- @tparam[opt='ipv4'] string family 'ipv4' or 'ipv6' (any case)
-- @treturn boolean
function slow.check(self, address, family)
  local h = handle(self)
  local p = packed_of(address)
  if p == nil then
    validate.string(address, "address")
    if family == nil then family = "ipv4" end
    validate.string(family, "family")
    p = pack(address, family)
    if p == nil then return false end
  end
  return c_check_packed(h, p)
end

do
  local fast = c_methods(HANDLE, slow)
  for name in pairs(slow) do BlockList[name] = fast[name] end
end

--- The rules, newest first, as Node lists them (also `blockList.rules`).
-- @treturn {string,...}
function BlockList:toJSON()
  return c_rules(handle(self))
end

-- fromJSON ------------------------------------------------------------------

-- The text of an address if it is exactly Node's form of an address of the
-- family, packed; else nil.
local function canonical(text, family)
  local p = pack(text, family)
  if p and fmt(p) == text then return p end
  return nil
end

-- Adds the rule if the text is one that `rules` could list; returns whether
-- it did.
local function exact_rule(h, item)
  local kind, v, rest = match(item, "^(%a+): IPv([46]) (.+)$")
  if not kind then return false end
  local family = v == "4" and "ipv4" or "ipv6"
  if kind == "Address" then
    local p = canonical(rest, family)
    if not p then return false end
    c_add_address(h, p)
    return true
  elseif kind == "Range" then
    local a, b = match(rest, "^([^-]+)-([^-]+)$")
    if not a then return false end
    local pa = canonical(a, family)
    local pb = canonical(b, find(b, ":", 1, true) and "ipv6" or "ipv4")
    return pa ~= nil and pb ~= nil and c_add_range(h, pa, pb)
  elseif kind == "Subnet" then
    local net, digits = match(rest, "^([^/]+)/(%d%d?%d?)$")
    if not net or (#digits > 1 and sub(digits, 1, 1) == "0") then
      return false
    end
    local p = canonical(net, family)
    local prefix = tonumber(digits)
    if not p or prefix > (#p == 4 and 32 or 128) then return false end
    c_add_subnet(h, p, prefix)
    return true
  end
  return false
end

-- Node 22 reads a rule text with unanchored regular expressions; these
-- functions match the same texts.  Each takes the text and the index just
-- after the literal head ("Subnet: IPv4 ") and returns the captures.

-- \d{1,3}(?:\.\d{1,3}){3}, followed by the character `need` if given.
local function v4token(s, i, need)
  local start = i
  for part = 1, 4 do
    local run = match(s, "^%d+", i)
    if not run then return nil end
    if part < 4 or need then
      if #run > 3 then return nil end
      i = i + #run
      if sub(s, i, i) ~= (part < 4 and "." or need) then return nil end
      if part < 4 then i = i + 1 end
    else
      i = i + min(#run, 3)
    end
  end
  return sub(s, start, i - 1), i
end

-- [0-9a-fA-F:]{1,39}, followed by the character `need` if given.
local function v6token(s, i, need)
  local run = match(s, "^[%x:]+", i)
  if not run then return nil end
  if need then
    if #run > 39 or sub(s, i + #run, i + #run) ~= need then return nil end
    return run, i + #run
  end
  return sub(run, 1, 39), i + min(#run, 39)
end

local function prefix_at(s, i, width)
  local run = match(s, "^%d+", i)
  return run and tonumber(sub(run, 1, width))
end

-- Readers of "net/prefix" and "start-end" rule texts, for one family's
-- token reader; prefixes have at most width digits (2 for IPv4, 3 for IPv6).
local function subnetreader(token, width)
  return function(s, i)
    local net, j = token(s, i, "/")
    if not net then return nil end
    local prefix = prefix_at(s, j + 1, width)
    if not prefix then return nil end
    return net, prefix
  end
end

local function rangereader(token)
  return function(s, i)
    local a, j = token(s, i, "-")
    if not a then return nil end
    local b = token(s, j + 1)
    if not b then return nil end
    return a, b
  end
end

local v4subnet, v4range = subnetreader(v4token, 2), rangereader(v4token)
local v6subnet, v6range = subnetreader(v6token, 3), rangereader(v6token)

-- The first place where head (case-insensitive if fold) and then the rest
-- of a pattern match.
local function search(item, head, rest, fold)
  local hay = fold and lower(item) or item
  local needle = fold and lower(head) or head
  local at = 1
  while true do
    local i = find(hay, needle, at, true)
    if not i then return nil end
    local a, b = rest(item, i + #head)
    if a then return a, b end
    at = i + 1
  end
end

-- Node 22's reading of any other text.
local function node_rule(self, item)
  if find(item, "IPv4", 1, true) then
    local a, b = search(item, "Subnet: IPv4 ", v4subnet)
    if a then return self:addSubnet(a, b) end
    a = search(item, "Address: IPv4 ", v4token)
    if a then return self:addAddress(a) end
    a, b = search(item, "Range: IPv4 ", v4range)
    if a then return self:addRange(a, b) end
  end
  if find(item, "IPv6", 1, true) then
    local a, b = search(item, "Subnet: IPv6 ", v6subnet, true)
    if a then return self:addSubnet(a, b, "ipv6") end
    a = search(item, "Address: IPv6 ", v6token, true)
    if a then return self:addAddress(a, "ipv6") end
    a, b = search(item, "Range: IPv6 ", v6range, true)
    if a then return self:addRange(a, b, "ipv6") end
  end
end

local json

-- JSON.parse for fromJSON, with lua-cjson: the value, and whether it is a
-- JSON array (an object decodes to a table too).
local function parse_json(text)
  if json == nil then
    json = require("cjson").new()
    json.decode_invalid_numbers(false)
  end
  local ok, value = pcall(json.decode, text)
  if not ok then
    local shown = #text > 32 and sub(text, 1, 29) .. "..." or text
    error(errors.new("SyntaxError", "ERR_INVALID_ARG_VALUE",
      format("%s is not valid JSON (%s)", errors.jsonstring(shown),
        tostring(value))), 0)
  end
  if value == json.null then return nil, false end
  return value, type(value) == "table" and find(text, "^[ \t\n\r]*%[") ~= nil
end

-- Whether a table is a sequence with no other keys (a JavaScript Array).
local function isarray(t)
  if type(t) ~= "table" or getmetatable(t) ~= nil then return false end
  local n = #t
  for k in next, t do
    if type(k) ~= "number" or k < 1 or k > n or k % 1 ~= 0 then
      return false
    end
  end
  return true
end

local DATA_TYPES = { "string", "string[]" }

--- Adds the rules listed in a sequence of rule texts, or in a JSON string
-- of one, as `toJSON` and `rules` give them.
-- @tparam {string,...}|string data
-- @raise ERR_INVALID_ARG_TYPE when data is not a sequence of strings, nor
--   JSON of one; the errors of the add methods for rules Node reads but
--   refuses
function BlockList:fromJSON(data)
  local h = handle(self)
  local array = isarray(data)
  if type(data) == "string" then data, array = parse_json(data) end
  if not array then throw("ERR_INVALID_ARG_TYPE", "data", DATA_TYPES, data) end
  for _, item in ipairs(data) do
    if type(item) ~= "string" then
      throw("ERR_INVALID_ARG_TYPE", "data", DATA_TYPES, data)
    end
  end
  for _, item in ipairs(data) do
    if not exact_rule(h, item) then node_rule(self, item) end
  end
end

return BlockList
