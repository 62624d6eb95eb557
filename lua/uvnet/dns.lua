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

-- Node's lookupAndConnect for TCP sockets.
function M.lookupandconnect(sock, options)
  local host = options.host
  if host == nil or host == "" or host == false then host = "localhost" end
  local port = options.port
  local localAddress, localPort = options.localAddress, options.localPort
  if localAddress and isip(localAddress) == 0 then
    errors.throw("ERR_INVALID_IP_ADDRESS", localAddress)
  end
  if localPort then validate.number(localPort, "options.localPort") end
  sock._localAddress = localAddress or nil
  sock._localPort = localPort and validate.whole(localPort) or nil
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
  sock:_sethandle(core.tcp(sock))
  sock.connecting = true
  sock:_setstate()
  local family = isip(host)
  if family ~= 0 then
    nextTick(function()
      if sock.connecting then
        sock:_internalconnect(host, port, family)
      end
    end)
    return sock
  end
  local lookup = options.lookup
  if lookup ~= nil then validate.func(lookup, "options.lookup") end
  local dnsfamily = options.family
  if dnsfamily == "IPv4" then
    dnsfamily = 4
  elseif dnsfamily == "IPv6" then
    dnsfamily = 6
  end
  local hints = options.hints
  if hints == nil or hints == 0 or hints == false then hints = 0 end
  if lookup == nil then
    -- What dns.lookup checks, at once, as in Node.
    lookup = M.lookup
    dnsfamily = dnsfamily or 0
    validate.oneof(dnsfamily, "options.family", { 0, 4, 6 })
    if type(hints) ~= "number" then
      errors.throw("ERR_INVALID_ARG_TYPE", "options.hints", "number", hints)
    end
    if hints ~= hints or hints % 1 ~= 0 or (math.tointeger(hints) & ~VALID_HINTS) ~= 0 then
      errors.throw("ERR_INVALID_ARG_VALUE", "hints", hints)
    end
  end
  if dnsfamily ~= 4 and dnsfamily ~= 6 and hints == 0 then hints = core.AI_ADDRCONFIG end
  local dnsopts = { family = dnsfamily or 0, hints = hints }
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
