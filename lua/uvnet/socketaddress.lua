--- net.SocketAddress: an IP address with a port, a family and a flow label.
--
-- `SocketAddress(options)` and `SocketAddress.new(options)` take Node's
-- options (`address`, `port`, `family`, `flowlabel`) with Node's defaults,
-- normalisation and errors; the fields `address`, `port`, `family` and
-- `flowlabel` are plain fields.  `SocketAddress.parse(text)` reads
-- "address:port" the way Node does, through the WHATWG URL parser's host
-- and port rules.
-- @classmod uvnet.socketaddress

local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local ip = require("uvnet.ip")

local setmetatable, getmetatable, rawget, tonumber, ipairs = setmetatable,
  getmetatable, rawget, tonumber, ipairs
local byte, sub, find, char, gsub, format, lower = string.byte, string.sub,
  string.find, string.char, string.gsub, string.format, string.lower
local concat = table.concat
local utf8len, utf8codes = utf8.len, utf8.codes
local throw = errors.throw
local PACKED = ip.PACKED
local fmt, topacked = ip.format, ip.topacked

local SocketAddress = {}
SocketAddress.__index = SocketAddress
SocketAddress.__name = "SocketAddress"

-- The largest flow label an IPv6 socket address holds (20 bits).  Node
-- aborts the process on a larger one; uvnet raises ERR_OUT_OF_RANGE.
local MAX_FLOWLABEL = 0xFFFFF

-- Makes the object for a packed address; the other fields are valid.
local function make(packed, port, flowlabel)
  local family = ip.family(packed)
  return setmetatable({
    address = fmt(packed),
    port = port,
    family = family,
    flowlabel = family == "ipv6" and flowlabel or 0,
    [PACKED] = packed,
  }, SocketAddress)
end

--- Makes a socket address.
-- @tparam[opt] table options `address` (default '127.0.0.1' for IPv4, '::'
--   for IPv6), `port` (0), `family` ('ipv4' or 'ipv6' in any case; 'ipv4'),
--   `flowlabel` (0; IPv6 only)
-- @treturn SocketAddress
-- @raise ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_SOCKET_BAD_PORT,
--   ERR_OUT_OF_RANGE, ERR_INVALID_ADDRESS as Node raises them
function SocketAddress.new(options)
  if options == nil then options = {} end
  validate.object(options, "options")
  if rawget(options, 1) ~= nil and getmetatable(options) == nil then
    -- A sequence is a JavaScript Array, which validateObject refuses.
    throw("ERR_INVALID_ARG_TYPE", "options", "Object", options)
  end
  local family = options.family
  if family == nil then family = "ipv4" end
  -- Node picks the default address before it lowercases the family.
  local address = options.address
  if address == nil then address = family == "ipv4" and "127.0.0.1" or "::" end
  local port = options.port
  if port == nil then port = 0 end
  local flowlabel = options.flowlabel
  if flowlabel == nil then flowlabel = 0 end

  local name = ip.familyname(family)
  if name == nil then
    throw("ERR_INVALID_ARG_VALUE", "options.family", options.family)
  end
  validate.string(address, "options.address")
  port = validate.port(port, "options.port")
  flowlabel = validate.uint32(flowlabel, "options.flowlabel", false)
  if flowlabel > 0x7FFFFFFF then
    throw("ERR_OUT_OF_RANGE", "options.flowlabel", ">= 0 && <= 2147483647",
      flowlabel)
  end
  local packed = topacked(address, name)
  if name == "ipv6" and flowlabel > MAX_FLOWLABEL then
    throw("ERR_OUT_OF_RANGE", "options.flowlabel",
      ">= 0 && <= " .. MAX_FLOWLABEL, flowlabel)
  end
  return make(packed, port, flowlabel)
end

setmetatable(SocketAddress, { __call = function(_, options)
  return SocketAddress.new(options)
end })

--- Whether a value is a SocketAddress.
-- @param value any value
-- @treturn boolean
function SocketAddress.isSocketAddress(value)
  return ip.packed(value) ~= nil
end

--- The plain table Node's toJSON gives: address, port, family, flowlabel.
-- @treturn table
function SocketAddress:toJSON()
  return {
    address = self.address,
    port = self.port,
    family = self.family,
    flowlabel = self.flowlabel,
  }
end

--- Node's util.inspect form, e.g.
-- `SocketAddress { address: '::1', port: 0, family: 'ipv6', flowlabel: 0 }`.
function SocketAddress:__tostring()
  return format("SocketAddress { address: '%s', port: %d, family: '%s', "
    .. "flowlabel: %d }", self.address, self.port, self.family,
    self.flowlabel)
end

-- SocketAddress.parse ---------------------------------------------------------
--
-- Node reads the text as the host and port of the URL "http://" .. text,
-- and makes a SocketAddress of them when the host is an IP address.  What
-- follows is that part of the WHATWG URL parser.

-- Code points that a URL host maps (by UTS 46) to text that can be part of
-- an IPv4 host: digits, '.', the hex letters and 'x'; an empty text means
-- the code point is dropped.  Every other code point outside ASCII leaves
-- the host outside ASCII, which is never an IP address.  The list was read
-- from Node 22 by parsing each code point in a host.  An entry is
-- "hex=text", or "hex+n=c" for n code points mapped to n consecutive
-- characters from c (or all dropped when c is empty).
local IDNA_DATA = [[
aa=a ad= b2+2=2 b9=1 2e3=x 34f= 180b+3= 180f= 1d2c=a 1d2e=b 1d30+2=d 1d43=a
1d47=b 1d48+2=d 1d9c=c 1da0=f 200b= 2060= 2064= 2070=0 2074+6=4 2080+10=0
2090=a 2091=e 2093=x 2102=c 212c+2=b 212f=e 2130+2=e 213b=fax 2145=d 2146+2=d
2169=x 216d+2=c 2179=x 217d+2=c 2460+9=1 2469=10 246a=11 246b=12 246c=13
246d=14 246e=15 246f=16 2470=17 2471=18 2472=19 2473=20 24b6+6=a 24cd=x
24d0+6=a 24e7=x 24ea=0 3002=. 3251=21 3252=22 3253=23 3254=24 3255=25 3256=26
3257=27 3258=28 3259=29 325a=30 325b=31 325c=32 325d=33 325e=34 325f=35
32b1=36 32b2=37 32b3=38 32b4=39 32b5=40 32b6=41 32b7=42 32b8=43 32b9=44
32ba=45 32bb=46 32bc=47 32bd=48 32be=49 32bf=50 3372=da 33c4=cc 33c5=cd
33c8=db a7f2=c a7f3=f fb00=ff fe00+16= feff= ff0e=. ff10+10=0 ff21+6=a ff38=x
ff41+6=a ff58=x ff61=. 1bca0+4= 1d400+6=a 1d417=x 1d41a+6=a 1d431=x 1d434+6=a
1d44b=x 1d44e+6=a 1d465=x 1d468+6=a 1d47f=x 1d482+6=a 1d499=x 1d49c=a
1d49e+2=c 1d4b3=x 1d4b6+4=a 1d4bb=f 1d4cd=x 1d4d0+6=a 1d4e7=x 1d4ea+6=a
1d501=x 1d504+2=a 1d507+3=d 1d51b=x 1d51e+6=a 1d535=x 1d538+2=a 1d53b+3=d
1d54f=x 1d552+6=a 1d569=x 1d56c+6=a 1d583=x 1d586+6=a 1d59d=x 1d5a0+6=a
1d5b7=x 1d5ba+6=a 1d5d1=x 1d5d4+6=a 1d5eb=x 1d5ee+6=a 1d605=x 1d608+6=a
1d61f=x 1d622+6=a 1d639=x 1d63c+6=a 1d653=x 1d656+6=a 1d66d=x 1d670+6=a
1d687=x 1d68a+6=a 1d6a1=x 1d7ce+10=0 1d7d8+10=0 1d7e2+10=0 1d7ec+10=0
1d7f6+10=0 1f12b=c 1f12d=cd 1f130+6=a 1f147=x 1fbf0+10=0 e0100+240=
]]

local idna_map

local function idna()
  if idna_map then return idna_map end
  idna_map = {}
  for cp, count, text in IDNA_DATA:gmatch("(%x+)%+?(%d*)=(%S*)") do
    cp, count = tonumber(cp, 16), tonumber(count) or 1
    for k = 0, count - 1 do
      idna_map[cp + k] = (#text == 1 and count > 1)
        and char(byte(text) + k) or text
    end
  end
  return idna_map
end

local function split(s, sep)
  local parts, at = {}, 1
  while true do
    local i = find(s, sep, at, true)
    if not i then break end
    parts[#parts + 1] = sub(s, at, i - 1)
    at = i + 1
  end
  parts[#parts + 1] = sub(s, at)
  return parts
end

local LIMIT = 0x100000000 -- More than any part of an IPv4 host may be.

-- The IPv4 number parser: decimal, 0x hex or 0 octal; nil for failure.
local function ipv4_number(s)
  if s == "" then return nil end
  local radix = 10
  local head = lower(sub(s, 1, 2))
  if head == "0x" then
    s, radix = sub(s, 3), 16
  elseif #s >= 2 and sub(s, 1, 1) == "0" then
    s, radix = sub(s, 2), 8
  end
  if s == "" then return 0 end
  local bad = radix == 16 and "[^%x]" or radix == 8 and "[^0-7]" or "%D"
  if find(s, bad) then return nil end
  local v = 0
  for i = 1, #s do
    v = v * radix + tonumber(sub(s, i, i), 16)
    if v >= LIMIT then return LIMIT end
  end
  return v
end

local function ends_in_number(domain)
  local parts = split(domain, ".")
  if parts[#parts] == "" then
    if #parts == 1 then return false end
    parts[#parts] = nil
  end
  local last = parts[#parts]
  if last ~= "" and not find(last, "%D") then return true end
  return ipv4_number(last) ~= nil
end

-- The IPv4 parser: packed address or nil.
local function url_ipv4(domain)
  local parts = split(domain, ".")
  if parts[#parts] == "" and #parts > 1 then parts[#parts] = nil end
  if #parts > 4 then return nil end
  local numbers = {}
  for i, part in ipairs(parts) do
    numbers[i] = ipv4_number(part)
    if numbers[i] == nil then return nil end
  end
  local n = #numbers
  for i = 1, n - 1 do
    if numbers[i] > 255 then return nil end
  end
  local v = numbers[n]
  if v >= 1 << (8 * (5 - n)) then return nil end
  for i = 1, n - 1 do
    v = v + (numbers[i] << (8 * (4 - i)))
  end
  return char(v >> 24 & 255, v >> 16 & 255, v >> 8 & 255, v & 255)
end

local function isdigit(c) return c and c >= 48 and c <= 57 end

-- The IPv6 parser (the text between the brackets): packed address or nil.
local function url_ipv6(s)
  local words = { 0, 0, 0, 0, 0, 0, 0, 0 }
  local piece, compress = 0, nil -- 0-based, as the standard counts
  local i = 1
  local c = byte(s, i)
  if c == 58 then
    if byte(s, i + 1) ~= 58 then return nil end
    i = i + 2
    piece = piece + 1
    compress = piece
  end
  c = byte(s, i)
  while c do
    if piece == 8 then return nil end
    if c == 58 then
      if compress then return nil end
      i = i + 1
      piece = piece + 1
      compress = piece
    else
      local value, length = 0, 0
      while length < 4 and c and find(char(c), "%x") do
        value = value * 16 + tonumber(char(c), 16)
        i, length = i + 1, length + 1
        c = byte(s, i)
      end
      if c == 46 then
        if length == 0 or piece > 6 then return nil end
        i = i - length
        c = byte(s, i)
        local seen = 0
        while c do
          local part
          if seen > 0 then
            if c == 46 and seen < 4 then
              i = i + 1
              c = byte(s, i)
            else
              return nil
            end
          end
          if not isdigit(c) then return nil end
          while isdigit(c) do
            if part == nil then
              part = c - 48
            elseif part == 0 then
              return nil
            else
              part = part * 10 + c - 48
            end
            if part > 255 then return nil end
            i = i + 1
            c = byte(s, i)
          end
          words[piece + 1] = words[piece + 1] * 256 + part
          seen = seen + 1
          if seen == 2 or seen == 4 then piece = piece + 1 end
        end
        if seen ~= 4 then return nil end
        break
      elseif c == 58 then
        i = i + 1
        if byte(s, i) == nil then return nil end
      elseif c then
        return nil
      end
      words[piece + 1] = value
      piece = piece + 1
    end
    c = byte(s, i)
  end
  if compress then
    local swaps = piece - compress
    piece = 7
    while piece ~= 0 and swaps > 0 do
      local j = compress + swaps - 1
      words[piece + 1], words[j + 1] = words[j + 1], words[piece + 1]
      piece, swaps = piece - 1, swaps - 1
    end
  elseif piece ~= 8 then
    return nil
  end
  local bytes = {}
  for k = 1, 8 do
    bytes[2 * k - 1] = char(words[k] >> 8)
    bytes[2 * k] = char(words[k] & 255)
  end
  return concat(bytes)
end

-- A host that is not in brackets: packed IPv4 address, or nil when it is a
-- domain or no host at all.
local function url_domain(host)
  local decoded = gsub(host, "%%(%x%x)", function(h)
    return char(tonumber(h, 16))
  end)
  if not utf8len(decoded) then return nil end
  local out, map = {}, nil
  for _, cp in utf8codes(decoded) do
    if cp < 0x80 then
      out[#out + 1] = char(cp)
    else
      map = map or idna()
      local text = map[cp]
      if text == nil then return nil end
      out[#out + 1] = text
    end
  end
  local domain = lower(concat(out))
  if domain == "" or not ends_in_number(domain) then return nil end
  return url_ipv4(domain)
end

-- The host and port of "http://" .. input: packed address and port, or nil.
local function url_hostport(input)
  local s = gsub(gsub(input, "[\0-\32]+$", ""), "[\t\n\r]", "")
  local first = find(s, "[^/\\]") or #s + 1
  local stop = find(s, "[/\\?#]", first) or #s + 1
  local authority = sub(s, first, stop - 1)
  local at = find(authority, "@[^@]*$")
  if at then authority = sub(authority, at + 1) end
  if authority == "" then return nil end

  -- The host ends at the first ':' outside brackets.
  local colon
  local inside = false
  for k = 1, #authority do
    local c = byte(authority, k)
    if c == 58 and not inside then
      colon = k
      break
    elseif c == 91 then
      inside = true
    elseif c == 93 then
      inside = false
    end
  end
  local host = colon and sub(authority, 1, colon - 1) or authority
  local port = colon and sub(authority, colon + 1) or ""
  if host == "" then return nil end

  local packed
  if sub(host, 1, 1) == "[" then
    if sub(host, -1) ~= "]" then return nil end
    packed = url_ipv6(sub(host, 2, -2))
  else
    packed = url_domain(host)
  end
  if packed == nil then return nil end

  if find(port, "%D") then return nil end
  local number = 0
  for k = 1, #port do
    number = number * 10 + byte(port, k) - 48
    if number > 0xFFFF then return nil end
  end
  if number == 80 then number = 0 end -- http's default port is no port.
  return packed, number
end

--- Reads "address:port" ("[v6]:port" for IPv6; the port may be left out)
-- into a SocketAddress, or nil when the text is not one.  As in Node, the
-- text is read as a URL's host and port, so '127.1', '0x7f.1' and
-- '2130706433' all read as 127.0.0.1, and port 80 reads as 0.
-- @tparam string input
-- @treturn SocketAddress|nil
function SocketAddress.parse(input)
  validate.string(input, "input")
  local packed, port = url_hostport(input)
  if packed == nil then return nil end
  return make(packed, port, 0)
end

return SocketAddress
