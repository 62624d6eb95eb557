--- Name lookups for connect() and listen(), through libuv's getaddrinfo.
-- @module uvnet.dns

local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local timers = require("uvnet.timers")

local type, tostring, tonumber, ipairs = type, tostring, tonumber, ipairs
local find, match = string.find, string.match
local nextTick = timers.nextTick
local errname = core.errname

local M = {}

local EAI_NODATA = core.errno.EAI_NODATA
local EAI_NONAME = core.errno.EAI_NONAME
local EAI_MEMORY = core.errno.EAI_MEMORY
local VALID_HINTS = core.AI_ADDRCONFIG | core.AI_V4MAPPED | core.AI_ALL

local isip = require("uvnet.ip").isIP

--- Node's dnsException for a getaddrinfo status.
function M.exception(status, hostname)
  local code
  if status == EAI_NODATA or status == EAI_NONAME or status == EAI_MEMORY then
    code = "ENOTFOUND"
  else
    code = errname(status)
  end
  return errors.dns(code, "getaddrinfo", hostname, status)
end

--- dns.lookup(hostname, options, callback) with Node's callback forms:
-- callback(err, address, family), or callback(err, addresses) with
-- options.all.
function M.lookup(hostname, options, cb)
  validate.string(hostname, "hostname")
  local family = options.family or 0
  local ip = isip(hostname)
  if ip ~= 0 and (family == 0 or family == ip) then
    nextTick(function()
      if options.all then
        cb(nil, { { address = hostname, family = ip } })
      else
        cb(nil, hostname, ip)
      end
    end)
    return
  end
  local ok, _, code = core.getaddrinfo(hostname, family, options.hints or 0,
    function(status, results)
      if status then
        return cb(M.exception(status, hostname))
      end
      if #results == 0 then
        return cb(M.exception(EAI_NONAME, hostname))
      end
      if options.all then
        cb(nil, results)
      else
        cb(nil, results[1].address, results[1].family)
      end
    end)
  if not ok then
    nextTick(cb, M.exception(code, hostname))
  end
end

--- The defaults of the autoSelectFamily and autoSelectFamilyAttemptTimeout
-- connect options (net.setDefaultAutoSelectFamily and
-- net.setDefaultAutoSelectFamilyAttemptTimeout change them).
M.defaults = { autoSelectFamily = true, autoSelectFamilyAttemptTimeout = 250 }

--- Whether an address is IPv6 link-local (fe80::/10), as Node's
-- isIpv6LinkLocal: the first 10 bits of the first group.
function M.islinklocal(ip)
  if isip(ip) ~= 6 then return false end
  local first = match(ip, "^(%x%x?%x?%x?):") or "0"
  return (tonumber(first, 16) & 0xffc0) == 0xfe80
end

--- The address listen() binds for a host name, as Node's
-- filterOnlyValidAddress picks it: the first that is not IPv6 link-local,
-- else the first.
function M.listenaddress(addresses)
  for _, a in ipairs(addresses) do
    if not M.islinklocal(a.address) then return a end
  end
  return addresses[1]
end

--- Resolves a host name for listen(): callback(err, address, family), with
-- every address asked for and the first one Node would take.
function M.lookuplisten(host, cb)
  M.lookup(host, { all = true }, function(err, addresses)
    if err then return cb(err) end
    local a = M.listenaddress(addresses)
    cb(nil, a.address, a.family or 4)
  end)
end

-- A value as JavaScript's template strings show it.
local function jstext(v)
  if v == nil then return "undefined" end
  if type(v) == "number" then return errors.jsnumber(v) end
  return tostring(v)
end

-- Node's ERR_INVALID_ADDRESS_FAMILY, which keeps the host and port given.
local function familyerror(family, options)
  local e = errors.make("ERR_INVALID_ADDRESS_FAMILY", jstext(family),
    jstext(options.host), jstext(options.port))
  e.host, e.port = options.host, options.port
  return e
end

-- The lookup function and its options for a connect by name, checked as
-- Node's dns.lookup checks them (at once, before anything starts).  A
-- custom lookup gets Node's options object: family as given ('IPv4' and
-- 'IPv6' read as 4 and 6; nil when not given) and hints.
local function lookupoptions(options)
  local lookup = options.lookup
  if lookup ~= nil then validate.func(lookup, "options.lookup") end
  local dnsfamily = options.family
  if dnsfamily == "IPv4" then
    dnsfamily = 4
  elseif dnsfamily == "IPv6" then
    dnsfamily = 6
  end
  local hints = options.hints
  if not validate.jstruthy(hints) then hints = 0 end
  if lookup == nil then
    lookup = M.lookup
    validate.oneof(dnsfamily or 0, "options.family", { 0, 4, 6 })
    if type(hints) ~= "number" then
      errors.throw("ERR_INVALID_ARG_TYPE", "options.hints", "number", hints)
    end
    hints = validate.touint32(hints) -- Node's hints >>> 0
    if (hints & ~VALID_HINTS) ~= 0 then
      errors.throw("ERR_INVALID_ARG_VALUE", "hints", hints)
    end
  end
  if dnsfamily ~= 4 and dnsfamily ~= 6 and hints == 0 then
    hints = core.AI_ADDRCONFIG
  end
  return lookup, { family = dnsfamily, hints = hints }
end

-- Node's lookupAndConnectMultiple: every address of the name, each
-- announced by 'lookup'; the valid ones grouped by family (the family of
-- the first valid one goes first, each address once), then tried
-- alternating between the families.
local function lookupmultiple(sock, lookup, host, options, dnsopts, port,
    timeout)
  lookup(host, dnsopts, function(err, addresses)
    if not sock.connecting then return end
    if err then
      sock:emit("lookup", err, nil, nil, host)
      nextTick(sock.destroy, sock, err)
      return
    end
    if type(addresses) ~= "table" then
      errors.throw("ERR_INVALID_ARG_TYPE", "addresses", "Array", addresses)
    end
    local groups, seen = { {}, {} }, { {}, {} }
    local slot
    for i = 1, #addresses do
      local a = addresses[i]
      local ip, family
      if type(a) == "table" then ip, family = a.address, a.family end
      sock:emit("lookup", nil, ip, family, host)
      if not sock.connecting then return end
      if type(ip) == "string" and isip(ip) ~= 0
          and (family == 4 or family == 6) then
        family = math.tointeger(family)
        slot = slot or (family == 6 and { [6] = 1, [4] = 2 }
          or { [4] = 1, [6] = 2 })
        local g = slot[family]
        if not seen[g][ip] then
          seen[g][ip] = true
          local list = groups[g]
          list[#list + 1] = { address = ip, family = family }
        end
      end
    end
    local first, second = groups[1], groups[2]
    if #first == 0 then
      local a = addresses[1]
      if a == nil then
        errors.throw("ERR_INVALID_ARG_VALUE", "addresses", addresses,
          "must not be empty")
      end
      local ip, family
      if type(a) == "table" then ip, family = a.address, a.family end
      if type(ip) ~= "string" or isip(ip) == 0 then
        nextTick(sock.destroy, sock, errors.make("ERR_INVALID_IP_ADDRESS", ip))
      else
        nextTick(sock.destroy, sock, familyerror(family, options))
      end
      return
    end
    local order = {}
    for i = 1, math.max(#first, #second) do
      if first[i] then order[#order + 1] = first[i] end
      if second[i] then order[#order + 1] = second[i] end
    end
    if #order == 1 then
      sock:_internalconnect(order[1].address, port, order[1].family)
    else
      sock:_connectmultiple(order, port, sock._localPort, timeout)
    end
  end)
end

-- Node's lookupAndConnect for TCP sockets.
function M.lookupandconnect(sock, options)
  local truthy = validate.jstruthy
  -- Node reads these options with JavaScript truthiness: "", 0 and NaN
  -- count as not given.
  local host = options.host
  if not truthy(host) then host = "localhost" end
  validate.string(host, "options.host")
  if find(host, "\0", 1, true) then
    errors.throw("ERR_INVALID_ARG_VALUE", "options.host", host,
      "must be a string without null bytes")
  end
  local port = options.port
  local localAddress, localPort = options.localAddress, options.localPort
  if not truthy(localAddress) then localAddress = nil end
  if not truthy(localPort) then localPort = nil end
  if localAddress and isip(localAddress) == 0 then
    errors.throw("ERR_INVALID_IP_ADDRESS", localAddress)
  end
  if localPort then validate.number(localPort, "options.localPort") end
  if port ~= nil then
    if type(port) ~= "number" and type(port) ~= "string" then
      errors.throw("ERR_INVALID_ARG_TYPE", "options.port",
        { "number", "string" }, port)
    end
    port = validate.port(port)
  else
    port = 0
  end
  local auto = options.autoSelectFamily
  if auto ~= nil then
    validate.boolean(auto, "options.autoSelectFamily")
  else
    auto = M.defaults.autoSelectFamily
  end
  local timeout = options.autoSelectFamilyAttemptTimeout
  if timeout ~= nil then
    timeout = validate.int32(timeout, "options.autoSelectFamilyAttemptTimeout", 1)
    if timeout < 10 then timeout = 10 end
  else
    timeout = M.defaults.autoSelectFamilyAttemptTimeout
  end
  local family = isip(host)
  local lookup, dnsopts
  if family == 0 then lookup, dnsopts = lookupoptions(options) end
  -- Everything is checked: only now does the socket get its handle.
  sock._localAddress = localAddress
  sock._localPort = localPort and validate.whole(localPort) or nil
  sock:_connecthandle(false)
  sock.connecting = true
  sock:_setstate()
  if family ~= 0 then
    nextTick(function()
      if sock.connecting then
        sock:_internalconnect(host, port, family)
      end
    end)
    return sock
  end
  if dnsopts.family ~= 4 and dnsopts.family ~= 6 and not localAddress
      and auto then
    dnsopts.all = true
    lookupmultiple(sock, lookup, host, options, dnsopts, port, timeout)
    return sock
  end
  lookup(host, dnsopts, function(err, ip, addressType)
    sock:emit("lookup", err, ip, addressType, host)
    if not sock.connecting then return end
    if err then
      nextTick(sock.destroy, sock, err)
    elseif type(ip) ~= "string" or isip(ip) == 0 then
      nextTick(sock.destroy, sock, errors.make("ERR_INVALID_IP_ADDRESS", ip))
    elseif addressType ~= 4 and addressType ~= 6 then
      nextTick(sock.destroy, sock, familyerror(addressType, options))
    else
      sock:_internalconnect(ip, port, math.tointeger(addressType))
    end
  end)
  return sock
end

return M
