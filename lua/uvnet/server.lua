--- net.Server: a TCP or Unix socket server, as in Node 22.
-- @classmod uvnet.server

local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local timers = require("uvnet.timers")
local args = require("uvnet.args")
local EventEmitter = require("uvnet.emitter")
local Socket = require("uvnet.socket")

local type, setmetatable, select = type, setmetatable, select
local nextTick = timers.nextTick
local throw = errors.throw
local jstonumber = validate.jstonumber

local Server = setmetatable({}, { __index = EventEmitter })
Server.__index = Server
Server.__name = "Server"

Server.listening = false
Server._connections = 0

local isip = require("uvnet.ip").isIP
local newobject = core.newobject

-- Room for the fields an accepted socket sets in its first exchange
-- (addresses, state, counters), so that it is not rehashed on the way;
-- an echoing socket holds 15, so 16 slots keep it in the smaller hash.
local SOCKET_FIELDS = 16

--- Creates a server: net.Server([options][, connectionListener]).
function Server.new(options, listener)
  local self = setmetatable({}, Server)
  if type(options) == "function" then
    listener, options = options, nil
  end
  if options == nil then
    options = {}
  elseif type(options) ~= "table" then
    throw("ERR_INVALID_ARG_TYPE", "options", "object", options)
  end
  -- As in Node, a listener that is not a function is ignored.
  if type(listener) == "function" then
    self:on("connection", listener)
  end
  self.allowHalfOpen = options.allowHalfOpen and true or false
  self.pauseOnConnect = options.pauseOnConnect and true or false
  self.noDelay = options.noDelay and true or false
  self.keepAlive = options.keepAlive and true or false
  if options.keepAliveInitialDelay ~= nil then
    local d = validate.number(options.keepAliveInitialDelay,
      "options.keepAliveInitialDelay")
    self.keepAliveInitialDelay = d < 0 and 0 or d
  end
  if options.highWaterMark ~= nil then
    local hwm = validate.number(options.highWaterMark, "options.highWaterMark")
    -- A negative mark means the default, as in Node.
    if hwm >= 0 then self.highWaterMark = math.floor(hwm) end
  end
  if validate.jstruthy(options.blockList) then
    if not require("uvnet.blocklist").isBlockList(options.blockList) then
      throw("ERR_INVALID_ARG_TYPE", "options.blockList", "net.BlockList",
        options.blockList)
    end
    self.blockList = options.blockList
  end
  return self
end

setmetatable(Server, { __index = EventEmitter, __call = function(_, ...)
  return Server.new(...)
end })

local function emiterror_nt(self, err)
  self:emit("error", err)
end

local function emitlistening_nt(self)
  if self._handle then self:emit("listening") end
end

-- Node's `backlog || 511`, handed to C as an Int32.
local function tobacklog(b)
  if not validate.jstruthy(b) then return 511 end
  local n = type(b) == "number" and b
    or (type(b) == "string" and jstonumber(b)) or 0 / 0
  return validate.toint32(n)
end

-- Makes a bound server handle; returns it, or nil and a status.
local function serverhandle(self, address, port, family, flags)
  local h, ok, code, _
  if family == -1 then
    h = core.pipe(self)
    ok, _, code = h:bind(address)
  else
    if flags and flags.reusePort then
      h, _, code = core.tcp(self, family)
      if not h then return nil, code end
      ok, _, code = h:reuseport()
      if ok then ok, _, code = h:bind(address, port, flags.ipv6Only) end
    else
      h = core.tcp(self)
      ok, _, code = h:bind(address, port, flags and flags.ipv6Only)
    end
  end
  if not ok then
    h:close()
    return nil, code
  end
  return h
end

-- Node's setupListenHandle.
local function setuplisten(self, address, port, family, backlog, flags)
  local h, code
  if address == nil then
    h = serverhandle(self, "::", port, 6, flags)
    if h then
      address, family = "::", 6
    else
      address, family = "0.0.0.0", 4
    end
  end
  if h == nil then
    h, code = serverhandle(self, address, port, family, flags)
    if h == nil then
      nextTick(emiterror_nt, self, errors.uvhostport(code, "listen", address,
        port))
      return
    end
  end
  local ok, _, err = h:listen(tobacklog(backlog))
  if not ok then
    h:close()
    nextTick(emiterror_nt, self, errors.uvhostport(err, "listen", address,
      port))
    return
  end
  self._handle = h
  self._isPipe = family == -1
  self._connectionKey = family .. ":" .. address .. ":" .. port
  self.listening = true
  if self._unref then h:unref() end
  nextTick(emitlistening_nt, self)
end

-- listen(handle): an fd ({ fd = n }) or another server's listening socket,
-- which is duplicated so each server owns its own descriptor.
local function listenfd(self, options, backlog)
  local fd = options.fd
  if options.handle then
    local code, _
    fd, _, code = options.handle:fileno()
    if fd then fd, _, code = core.dupfd(fd) end
    if not fd then
      nextTick(emiterror_nt, self, errors.uvhostport(code, "listen"))
      return self
    end
  else
    fd = validate.int32(fd, "options.fd", 0)
  end
  local kind = core.guesshandle(fd)
  local h
  if kind == "TCP" then
    h = core.tcp(self)
  elseif kind == "PIPE" then
    h = core.pipe(self)
  else
    nextTick(emiterror_nt, self, errors.uvhostport(core.errno.EINVAL, "listen"))
    return self
  end
  local ok, _, code = h:open(fd)
  if ok then ok, _, code = h:listen(tobacklog(backlog)) end
  if not ok then
    h:close()
    nextTick(emiterror_nt, self, errors.uvhostport(code, "listen"))
    return self
  end
  self._handle = h
  self._isPipe = kind == "PIPE"
  self._connectionKey = "-1:null:-1"
  self.listening = true
  if self._unref then h:unref() end
  nextTick(emitlistening_nt, self)
  return self
end

local function lookupandlisten(self, port, host, backlog, flags)
  local dns = require("uvnet.dns")
  local id = self._listeningId
  dns.lookuplisten(host, function(err, address, family)
    -- A later listen() or close() makes this lookup stale, as in Node.
    if id ~= self._listeningId then return end
    if err then
      self:emit("error", err)
    else
      setuplisten(self, address, port, family, backlog, flags)
    end
  end)
end

-- listen({ signal = s }): aborting the signal closes the server.
local function addsignal(self, signal)
  local abort = require("uvnet.abort")
  if not abort.isSignal(signal) then
    throw("ERR_INVALID_ARG_TYPE", "options.signal", "AbortSignal", signal)
  end
  local remove = abort.listen(signal, function() self:close() end)
  self:once("close", remove)
end

local function tonum(v)
  if type(v) == "number" then return v >= 0 and v or nil end
  if type(v) == "string" then
    local n = jstonumber(v)
    return n >= 0 and n or nil
  end
  return nil
end

--- listen(): in every form of Node's server.listen.
function Server:listen(...)
  local n = select("#", ...)
  local arg0, arg1, arg2 = ...
  local options, cb = args.normalize(...)
  if self._handle then throw("ERR_SERVER_ALREADY_LISTEN") end
  if cb then self:once("listening", cb) end
  self._listeningId = (self._listeningId or 0) + 1
  local backlogargs = (n > 1 and tonum(arg1)) or (n > 2 and tonum(arg2)) or nil
  -- Node's `options._handle || options.handle || options`.
  local truthy = validate.jstruthy
  local cand = truthy(options._handle) and options._handle
    or (truthy(options.handle) and options.handle) or nil
  if cand ~= nil then
    if type(cand) == "userdata" and type(cand.fileno) == "function" then
      options = { handle = cand }
    elseif type(cand) == "table" then
      options = cand
      if truthy(cand._handle) then options = { handle = cand._handle } end
    elseif type(cand) == "function" then
      throw("ERR_INVALID_ARG_VALUE", "options", cand,
        'must have the property "port" or "path"')
    else
      -- Node reads the primitive as the options and fails on it.
      throw("ERR_INVALID_ARG_TYPE", "options", "Object", cand)
    end
  end
  local flags = { ipv6Only = options.ipv6Only, reusePort = options.reusePort }
  -- Unlike connect's, listen's signal is checked whenever it is given.
  if options.signal ~= nil then addsignal(self, options.signal) end
  if type(options.handle) == "userdata"
      or (type(options.fd) == "number" and options.fd >= 0) then
    return listenfd(self, options, backlogargs)
  end
  if n == 0 or type(arg0) == "function" or (options.port == nil
      and options.path == nil and type(arg0) ~= "table") then
    options.port = 0
  end
  local port = options.port
  if type(port) == "number" or type(port) == "string" then
    port = validate.port(port, "options.port")
    local backlog = options.backlog or backlogargs
    if truthy(options.host) then
      -- As Node, a host is always looked up, an IP literal too: the handle
      -- exists only from a later tick.
      validate.string(options.host, "hostname")
      lookupandlisten(self, port, options.host, backlog, flags)
    else
      setuplisten(self, nil, port, 4, backlog, flags)
    end
    return self
  end
  local path = options.path
  if path ~= nil and args.ispipename(path) then
    if path:sub(1, 1) == "\0" and (options.readableAll or options.writableAll) then
      -- Node's text, spelling included.
      throw("ERR_INVALID_ARG_VALUE", "options", options, "can not set "
        .. "readableAll or writableAllt to true when path is abstract unix socket")
    end
    self._pipeName = path
    setuplisten(self, path, -1, -1, options.backlog or backlogargs, flags)
    if self._handle and (options.readableAll or options.writableAll) then
      local ok, _, code = self._handle:chmod(options.readableAll == true,
        options.writableAll == true)
      if not ok then
        self._handle:close()
        self._handle = nil
        self.listening = false
        error(errors.errno(code, "uv_pipe_chmod"), 0)
      end
    end
    return self
  end
  if options.port == nil and options.path == nil then
    throw("ERR_INVALID_ARG_VALUE", "options", options,
      'must have the property "port" or "path"')
  end
  throw("ERR_INVALID_ARG_VALUE", "options", options)
end

-- Called by the core for each incoming connection.
local function onconnection(self, status)
  if status < 0 then
    self:emit("error", errors.errno(status, "accept"))
    return
  end
  local h = self._handle
  if h == nil then return end
  local sock = newobject(Socket, SOCKET_FIELDS)
  local ch, _, code = h:accept(sock)
  if not ch then
    self:emit("error", errors.errno(code, "accept"))
    return
  end
  local max = self.maxConnections
  if max ~= nil and self._connections >= max then
    local data
    if not self._isPipe then
      local la, lp, lf = ch:sockname()
      local ra, rp, rf = ch:peername()
      data = { localAddress = la, localPort = lp, localFamily = lf,
        remoteAddress = ra, remotePort = rp, remoteFamily = rf }
    end
    ch:close()
    self:emit("drop", data)
    return
  end
  if self.blockList and not self._isPipe then
    local ra = ch:peername()
    local family = ra and isip(ra) or 0
    if family ~= 0 and self.blockList:check(ra, "ipv" .. family) then
      ch:close()
      return
    end
  end
  if self.allowHalfOpen then sock.allowHalfOpen = true end
  local hwm = self.highWaterMark
  if hwm then
    sock.readableHighWaterMark = hwm
    sock.writableHighWaterMark = hwm
  end
  sock:_adopt(ch, self._isPipe)
  if self.noDelay and not self._isPipe then ch:nodelay(true) end
  if self.keepAlive and not self._isPipe then
    ch:keepalive(true, (self.keepAliveInitialDelay or 0) // 1000)
  end
  sock._startreading(sock, self.pauseOnConnect)
  self._connections = self._connections + 1
  sock.server = self
  self:emit("connection", sock)
end
core.sethandler("connection", onconnection)

local function emitclose_nt(self)
  self:emit("close")
end

function Server:_emitCloseIfDrained()
  if self._handle or self._connections > 0 then return end
  nextTick(emitclose_nt, self)
end

--- close([callback]): stops accepting now; 'close' once every connection
-- has ended.
function Server:close(cb)
  self._listeningId = (self._listeningId or 0) + 1
  if type(cb) == "function" then
    if self._handle == nil then
      self:once("close", function() cb(errors.make("ERR_SERVER_NOT_RUNNING")) end)
    else
      self:once("close", cb)
    end
  end
  if self._handle then
    self._handle:close()
    self._handle = nil
    self.listening = false
  end
  -- Node emits nothing when close() is called; uvnet.task needs to know,
  -- to wake the tasks waiting in accept().
  local onclosing = self._onclosing
  if onclosing then onclosing(self) end
  self:_emitCloseIfDrained()
  return self
end

--- address(): { address, family, port }, the path of a Unix socket, or nil.
function Server:address()
  local h = self._handle
  if h == nil then return self._pipeName end
  if self._isPipe then
    -- The name as given, as Node reports it (the kernel's may be cut).
    return self._pipeName or (h:sockname())
  end
  local a, p, f = h:sockname()
  if not a then return nil end
  return { address = a, family = f, port = p }
end

--- getConnections(callback): callback(nil, count) from the loop.
function Server:getConnections(cb)
  validate.func(cb, "callback")
  nextTick(cb, nil, self._connections)
  return self
end

function Server:ref()
  self._unref = nil
  if self._handle then self._handle:ref() end
  return self
end

function Server:unref()
  self._unref = true
  if self._handle then self._handle:unref() end
  return self
end

--- Lua's to-be-closed variables stand for Symbol.asyncDispose.
function Server:__close()
  self:close()
end

return Server
