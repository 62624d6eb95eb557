--- Name lookups for connect() and listen(), through libuv's getaddrinfo.
-- @module uvnet.dns

local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local timers = require("uvnet.timers")

local type = type
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

-- The lookup function and its options for a connect by name, checked as
-- Node's dns.lookup checks them (at once, before anything starts).
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
    dnsfamily = dnsfamily or 0
    validate.oneof(dnsfamily, "options.family", { 0, 4, 6 })
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
  return lookup, { family = dnsfamily or 0, hints = hints }
end

-- Node's lookupAndConnect for TCP sockets.
function M.lookupandconnect(sock, options)
  local truthy = validate.jstruthy
  -- Node reads these options with JavaScript truthiness: "", 0 and NaN
  -- count as not given.
  local host = options.host
  if not truthy(host) then host = "localhost" end
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
  if type(host) ~= "string" then
    errors.throw("ERR_INVALID_ARG_TYPE", "options.host", "string", host)
  end
  local family = isip(host)
  local lookup, dnsopts
  if family == 0 then lookup, dnsopts = lookupoptions(options) end
  -- Everything is checked: only now does the socket get its handle.
  sock._localAddress = localAddress
  sock._localPort = localPort and validate.whole(localPort) or nil
  sock:_sethandle(core.tcp(sock))
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
  lookup(host, dnsopts, function(err, ip, addressType)
    sock:emit("lookup", err, ip, addressType, host)
    if not sock.connecting then return end
    if err then
      nextTick(sock.destroy, sock, err)
    elseif isip(ip) == 0 then
      nextTick(sock.destroy, sock, errors.make("ERR_INVALID_IP_ADDRESS", ip))
    else
      sock:_internalconnect(ip, port, addressType)
    end
  end)
  return sock
end

return M
