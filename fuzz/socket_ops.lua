--- The driver of fuzz/socket_ops_fuzz.c: runs one fuzz input as a program of
-- socket operations, and checks what uvnet promises along the way.
--
-- Called as a chunk with the input bytes, a directory for Unix socket paths
-- and the port of a loopback listener that never answers.  The first byte
-- holds flags (bit 0: a full collection after every callback, as
-- UVNET_GC_STRESS does); each operation after it is an opcode byte and the
-- bytes its arguments need, reading 0 past the end.  The operations act on
-- a few slots of servers, sockets and abort controllers: listen on loopback
-- TCP (port 0), a Unix socket path or an abstract name; connect to one of
-- them, to nothing, to the port that never answers, or through a lookup
-- function that answers with loopback addresses; write, end, destroy,
-- pause, resume, setEncoding, setTimeout and the rest; run the loop one
-- pass; and add listeners and timers whose bodies are themselves
-- operations, read from the input when they are added.  No host name is
-- ever resolved.
--
-- Misuse raises Node's error tables, which are caught.  A finding is what
-- uvnet should never do: raise a bare Lua error (a runtime error inside the
-- library), emit 'close' more often than a socket lived or while it is not
-- destroyed, or leave a handle open or the loop busy once everything is
-- destroyed and closed.  The driver then raises an error, which the C
-- target turns into a crash.  UVNET_FUZZ_TRACE=1 prints each operation.
--
-- Everything is bounded: at most MAX_OPS operations from the program and
-- MAX_HOOK_OPS from listeners and timers, loop passes that wait GUARD_MS at
-- most, and a teardown limited in passes and in time.

local net = require("uvnet")
local core = require("uvnet.core")

local input, sockdir, holeport = ...

local MAX_OPS = 64 -- operations read from the program
local MAX_HOOK_OPS = 64 -- operations run by listeners, callbacks and timers
local HOOK_LEN = 8 -- bytes of input that make up the body of a listener
local MAX_WRITTEN = 8 * 1024 * 1024 -- bytes of large payloads, in all
local NSERVERS, NSOCKETS, NCONTROLLERS = 3, 6, 2
local GUARD_MS = 1 -- the longest a loop pass waits
local DRAIN_PASSES = 500
local DRAIN_NS = 3 * 1000 * 1000 * 1000
local DEAD_PORT = 1 -- nothing listens there: connections are refused
-- A loopback port whose listener never accepts and has a full queue: the
-- kernel drops SYNs to it, so connections wait (and the attempts of family
-- autoselection time out).  The C target makes it once per process.
local HOLE_PORT = holeport ~= 0 and holeport or DEAD_PORT

local type, tostring, pcall, ipairs = type, tostring, pcall, ipairs
local srep, ssub, schar = string.rep, string.sub, string.char

local function noop() end

-- UVNET_FUZZ_TRACE=1 prints each operation to stderr, to read a reproducer.
local trace = os.getenv("UVNET_FUZZ_TRACE") ~= nil

-- Reading the program ---------------------------------------------------------

local Reader = {}
Reader.__index = Reader

local function reader(s)
  return setmetatable({ s = s, i = 1 }, Reader)
end

--- The next byte, or 0 past the end.
function Reader:byte()
  local b = self.s:byte(self.i)
  if b == nil then return 0 end
  self.i = self.i + 1
  return b
end

--- Whether bytes remain.
function Reader:more()
  return self.i <= #self.s
end

--- The next n bytes (fewer at the end).
function Reader:bytes(n)
  local s = ssub(self.s, self.i, self.i + n - 1)
  self.i = self.i + #s
  return s
end

--- One element of a sequence.
function Reader:pick(list)
  return list[self:byte() % #list + 1]
end

--- A bit of the next byte.
function Reader:flag()
  return self:byte() & 1 == 1
end

-- Values the operations choose from ------------------------------------------

local SIZES = { 0, 1, 2, 3, 5, 16, 100, 1000, 4096, 16383, 16384, 16385,
  65536, 65537, 200000, 1048576 }
local ENCODINGS = { "utf8", "hex", "base64", "base64url", "latin1", "binary",
  "ascii", "utf16le", "ucs2", "UTF-8", "buffer", "nope", "", 42, false }
local ODD = { 42, -1, 0, 1.5, 0 / 0, math.huge, -math.huge, true, false, "",
  "7", {}, { "a", "b" }, { "a", 1 }, noop, 2 ^ 53 }
local TIMEOUTS = { 0, 1, 2, 5, 10, 20 }
local DELAYS = { 0, 1, 2, 5, 10, 20 }
local HWMS = { 0, 1, 2, 16, 1024, 16384, 65536 }
local BACKLOGS = { 0, 1, 2, 511, -1 }
-- Ports listen() must refuse; strings are left out, since a string that is
-- not a number is a path, relative to the working directory.
local BAD_PORTS = { -1, 65536, 1.5, 0 / 0, math.huge, true, {} }
local KEEPALIVE_DELAYS = { 0, 999, 1000, 2500, -1, 0 / 0, "1000" }
local SOCKET_EVENTS = { "data", "end", "close", "error", "drain", "timeout",
  "connect", "ready", "finish", "readable", "lookup", "connectionAttempt",
  "connectionAttemptFailed", "connectionAttemptTimeout", "pause", "resume",
  "pipe" }
local SERVER_EVENTS = { "listening", "close", "error", "connection", "drop" }
local ADD_METHODS = { "on", "once", "prependListener", "prependOnceListener",
  "addListener" }
local READY_STATES = { opening = true, open = true, readOnly = true,
  writeOnly = true, closed = true }
-- What a lookup function answers with: loopback addresses, and a few that
-- are wrong in the ways Node checks.
local LOOKUP_ADDRESSES = {
  { address = "127.0.0.1", family = 4 },
  { address = "127.0.0.2", family = 4 },
  { address = "::1", family = 6 },
  { address = "::ffff:127.0.0.1", family = 6 },
  { address = "127.0.0.1", family = 6 },
  { address = "not an address", family = 4 },
  { address = "127.0.0.1", family = 5 },
  "127.0.0.1",
}

-- State ----------------------------------------------------------------------

local servers, sockets, controllers = {}, {}, {}
local allservers, allsockets, timers = {}, {}, {}
local lostsockets = 0
local raised = false -- a listener raised RAISED
local RAISED = { code = "EFUZZ", message = "fuzz-error raised by a listener" }
local lives = setmetatable({}, { __mode = "k" }) -- socket -> its counters
local lasthook = setmetatable({}, { __mode = "k" }) -- emitter -> event, fn
local hookops, written, accepted = 0, 0, 0
local draining = false
local lost = false -- a connect raised before it gave the socket back
local finding
local step

--- Records the first thing uvnet did wrong.
local function fail(what)
  if finding == nil then finding = what end
end

--- Whether an error is one uvnet may raise: Node's errors are tables, and
-- strings come only from the library's own bugs, or from this driver.
local function expected(err)
  if type(err) == "table" then return true end
  return type(err) == "string" and err:find("fuzz-error", 1, true) ~= nil
end

-- The driver never resolves a name (the lookups it makes are its own
-- functions): a call to getaddrinfo would be a bug of the driver.
core.getaddrinfo = function(host)
  fail("driver: getaddrinfo(" .. tostring(host) .. ")")
  return nil, "EAI_NONAME", core.errno.EAI_NONAME
end

--- A listener or callback whose body is the next HOOK_LEN bytes, run as
-- one operation when it is called.
local function hook(r)
  local body = r:bytes(HOOK_LEN)
  return function()
    if draining or hookops >= MAX_HOOK_OPS then return end
    hookops = hookops + 1
    step(reader(body), true)
  end
end

local function socketat(r)
  return sockets[r:byte() % NSOCKETS + 1]
end

local function serverat(r)
  return servers[r:byte() % NSERVERS + 1]
end

local function pathname(r)
  return sockdir .. "/s" .. r:byte() % 4
end

local function abstractname(r)
  return "\0uvnet-fuzz-" .. core.getpid() .. "-" .. r:byte() % 4
end

--- Bytes to write: a pattern with multibyte and invalid UTF-8 in it, of a
-- size from SIZES (small ones once the large budget is spent).
local function payload(r)
  local size = r:pick(SIZES)
  local b = r:byte()
  if size > 1000 then
    if written + size > MAX_WRITTEN then size = size % 97 end
    written = written + size
  end
  local unit = schar(b, 0xc3, 0xa9, b ~ 0x80, 0xe2, 0x82, 0xac, 0xf0, 0x9f,
    0x98, 0x80, 10)
  return ssub(srep(unit, size // #unit + 1), 1, size)
end

--- What write() and end() are given: bytes, a sequence of them, or odd.
local function chunk(r)
  local k = r:byte() % 10
  if k < 6 then return payload(r) end
  if k < 8 then
    local t = {}
    for i = 1, r:byte() % 20 do t[i] = payload(r) end
    return t
  end
  if k == 8 then return r:pick(ODD) end
  return nil
end

--- Watches a socket: 'close' at most once a life, and (if asked) 'error'
-- likewise; an 'error' listener also keeps errors from stopping the loop.
local function adopt(s, slot, watcherrors)
  local t = { lives = 1, closes = 0, errors = 0, watched = watcherrors }
  lives[s] = t
  allsockets[#allsockets + 1] = s
  sockets[slot] = s
  s:on("close", function()
    -- A socket connected again before its old handle closed hears that
    -- handle's 'close' while alive, as in Node; others must be destroyed.
    if t.lives == 1 and not s.destroyed then
      fail("'close' emitted by a socket not destroyed")
    end
    t.closes = t.closes + 1
    if t.closes > t.lives then
      fail(("'close' emitted %d times by a socket that lived %d times")
        :format(t.closes, t.lives))
    end
  end)
  if watcherrors then
    s:on("error", function()
      t.errors = t.errors + 1
      if t.errors > t.lives then
        fail(("'error' emitted %d times by a socket that lived %d times")
          :format(t.errors, t.lives))
      end
    end)
  end
end

--- A slot for an accepted connection: an empty or destroyed one, else the
-- next in turn.
local function freeslot()
  for i = 1, NSOCKETS do
    if sockets[i] == nil or sockets[i].destroyed then return i end
  end
  accepted = accepted % NSOCKETS + 1
  return accepted
end

local function addtimer(t, clear)
  timers[#timers + 1] = { t = t, clear = clear }
end

-- Operations -------------------------------------------------------------------

--- Reads the state of a socket or a server, and checks that it makes sense.
local function inspect(r)
  local s = socketat(r)
  if s then
    noop(s:address(), s.remoteAddress, s.remotePort, s.remoteFamily,
      s.localAddress, s.localPort, s.bufferSize, s.pending, s.connecting,
      s:isPaused())
    if math.type(s.bytesRead) ~= "integer" or s.bytesRead < 0
        or math.type(s.bytesWritten) ~= "integer" or s.bytesWritten < 0 then
      fail("bytesRead or bytesWritten is not a count: "
        .. tostring(s.bytesRead) .. ", " .. tostring(s.bytesWritten))
    end
    if not READY_STATES[s.readyState] then
      fail("readyState " .. tostring(s.readyState))
    end
  end
  local srv = serverat(r)
  if srv then
    local a = srv:address()
    if srv.listening and a == nil then fail("a listening server has no address") end
  end
end

local function listen(srv, r)
  local form = r:byte() % 10
  local cb = r:flag() and hook(r) or nil
  if form == 0 then
    srv:listen(0, "127.0.0.1", cb)
  elseif form == 1 then
    -- Not reusePort: with it, port 0 may give a port that another
    -- process's reusePort listener holds, and take its connections.
    local f = r:byte()
    srv:listen({ port = 0, host = f & 1 == 0 and "127.0.0.1" or "::1",
      backlog = r:pick(BACKLOGS), exclusive = f & 2 ~= 0,
      ipv6Only = f & 4 ~= 0 }, cb)
  elseif form == 2 then
    srv:listen(pathname(r), cb)
  elseif form == 3 then
    local f = r:byte()
    local path = f & 4 ~= 0 and abstractname(r) or pathname(r)
    srv:listen({ path = path, readableAll = f & 1 ~= 0,
      writableAll = f & 2 ~= 0, backlog = r:pick(BACKLOGS) }, cb)
  elseif form == 4 then
    srv:listen(abstractname(r), cb)
  elseif form == 5 then
    srv:listen(0, "::1", cb)
  elseif form == 6 then
    srv:listen(r:pick(BAD_PORTS), "127.0.0.1", cb)
  elseif form == 7 then
    -- Another server's listening socket (a loopback one, or a path).
    local other = serverat(r)
    srv:listen({ handle = other or r:pick(ODD) }, cb)
  elseif form == 8 then
    local c = controllers[r:byte() % NCONTROLLERS + 1]
    local signal = c and c.signal or r:pick(ODD)
    srv:listen({ port = 0, host = "127.0.0.1", signal = signal }, cb)
  else
    srv:listen(nil, "127.0.0.1", 1, cb)
  end
end

--- A new server in a slot (the one it replaces lives on until teardown).
local function newserver(r)
  local slot = r:byte() % NSERVERS + 1
  local f = r:byte()
  local options = { allowHalfOpen = f & 1 ~= 0, pauseOnConnect = f & 2 ~= 0,
    noDelay = f & 4 ~= 0, keepAlive = f & 8 ~= 0 }
  if f & 16 ~= 0 then options.highWaterMark = r:pick(HWMS) end
  if f & 32 ~= 0 then options.keepAliveInitialDelay = r:pick({ 0, 999, 5000, -1 }) end
  if f & 64 ~= 0 then
    local bl = net.BlockList()
    bl:addAddress(r:pick({ "127.0.0.1", "127.0.0.2" }))
    options.blockList = bl
  end
  local form = r:byte() % 4
  local watcherrors = r:flag()
  local onconnection = hook(r)
  local function listener(c)
    adopt(c, freeslot(), watcherrors)
    onconnection()
  end
  local srv
  if form == 0 then
    srv = net.createServer(options, listener)
  elseif form == 1 then
    srv = net.Server(options, listener)
  elseif form == 2 then
    srv = net.createServer(listener)
  else
    srv = net.createServer(r:pick(ODD), listener)
  end
  if f & 128 ~= 0 then srv:on("error", hook(r)) end
  servers[slot] = srv
  allservers[#allservers + 1] = srv
  listen(srv, r)
end

local function relisten(r)
  local srv = serverat(r)
  if srv then listen(srv, r) end
end

--- A lookup function that answers with addresses from the input: at once,
-- on the next tick, as an immediate, with an error, or never.
local function lookupfn(r)
  local list = {}
  for i = 1, r:byte() % 4 do
    local a = r:pick(LOOKUP_ADDRESSES)
    if type(a) == "table" then a = { address = a.address, family = a.family } end
    list[i] = a
  end
  local mode = r:byte() % 5
  return function(_, options, cb)
    local function answer()
      if mode == 3 then
        return cb({ code = "ENOTFOUND", message = "fuzz-error" })
      end
      if options.all then return cb(nil, list) end
      local a = list[1]
      if type(a) == "table" then return cb(nil, a.address, a.family) end
      return cb(nil, a, 4)
    end
    if mode == 0 or mode == 3 then
      answer()
    elseif mode == 1 then
      net.nextTick(answer)
    elseif mode == 2 then
      addtimer(net.setImmediate(answer), net.clearImmediate)
    end
  end
end

--- Where a connection goes: a server of ours, a path or name nobody
-- listens on, a refused port, or a name a lookup function resolves.
local function target(r)
  local k = r:byte() % 9
  local srv = serverat(r)
  local a = srv and srv:address()
  if k <= 3 and type(a) == "table" then return { port = a.port, host = a.address } end
  if k <= 3 and type(a) == "string" then return { path = a } end
  if k == 4 then return { path = pathname(r) } end
  if k == 5 then return { path = abstractname(r) } end
  if k == 6 then
    local port = type(a) == "table" and a.port or DEAD_PORT
    if r:flag() then port = HOLE_PORT end
    return { port = port, host = "fuzz.invalid", lookup = lookupfn(r),
      autoSelectFamily = r:flag(),
      autoSelectFamilyAttemptTimeout = r:pick({ 10, 15, 1, 0, "x" }) }
  end
  if k == 7 then return { port = DEAD_PORT, host = "127.0.0.1" } end
  return { port = HOLE_PORT, host = "127.0.0.1" }
end

--- The options of a connection beyond where it goes.
local function connectoptions(r, options)
  local f = r:byte()
  if f & 1 ~= 0 then options.allowHalfOpen = true end
  if f & 2 ~= 0 then options.noDelay = true end
  if f & 4 ~= 0 then
    options.keepAlive = true
    options.keepAliveInitialDelay = r:pick(KEEPALIVE_DELAYS)
  end
  if f & 8 ~= 0 then options.highWaterMark = r:pick(HWMS) end
  if f & 16 ~= 0 then options.timeout = r:pick(TIMEOUTS) end
  if f & 32 ~= 0 then
    local size = r:pick({ 1, 2, 7, 64, 65536 })
    local paused = r:flag()
    local body = hook(r)
    options.onread = {
      buffer = r:flag() and function() return size end or size,
      callback = function(nread, buf)
        buf:tostring(1, nread)
        body()
        if paused then return false end
      end,
    }
  end
  if f & 64 ~= 0 then
    local c = controllers[r:byte() % NCONTROLLERS + 1]
    options.signal = c and c.signal or r:pick(ODD)
  end
  if f & 128 ~= 0 then
    local k = r:byte() % 10
    if k == 0 then
      options.localAddress = "127.0.0.1"
    elseif k == 1 then
      options.localAddress = "not an address"
    elseif k == 2 then
      options.port = r:pick(BAD_PORTS)
    elseif k == 3 then
      if options.host then options.host = options.host .. "\0x" end
    elseif k == 4 then
      options.family = r:pick({ 4, 6, "IPv4", 5 })
    elseif k == 5 then
      options.readable = false
    elseif k == 6 then
      options.writable = false
    elseif k == 7 then
      local bl = net.BlockList()
      bl:addAddress("127.0.0.1")
      options.blockList = r:flag() and bl or r:pick(ODD)
    elseif k == 8 then
      -- Neither a port nor a path (nor a host, so nothing is looked up).
      options.port, options.path, options.host, options.lookup = nil, nil, nil, nil
    else
      options.highWaterMark = r:pick({ -1, 1.5, "16" })
    end
  end
  return options
end

local function connect(r)
  local slot = r:byte() % NSOCKETS + 1
  local form = r:byte() % 5
  local options = connectoptions(r, target(r))
  local cb = r:flag() and hook(r) or nil
  local watcherrors = r:flag()
  if form <= 1 then
    -- net.connect: if it raises, the socket it made is out of reach, and
    -- may keep an open handle (unreferenced, as in Node) until the state
    -- closes.
    lost = true
    local s
    if form == 0 then
      s = net.connect(options, cb)
    elseif options.path then
      s = net.createConnection(options.path, cb)
    elseif options.host and options.lookup == nil then
      s = net.connect(options.port, options.host, cb)
    else
      s = net.connect(options, cb)
    end
    lost = false
    adopt(s, slot, watcherrors)
  elseif form <= 3 then
    local s = net.Socket(options)
    adopt(s, slot, watcherrors)
    s:connect(options, cb)
  else
    -- Connect again: a destroyed socket comes back to life.
    local s = sockets[slot]
    if s == nil then return end
    if s.destroyed and lives[s] then lives[s].lives = lives[s].lives + 1 end
    s:connect(options, cb)
  end
end

local function write(r)
  local s = socketat(r)
  if s == nil then return end
  local data = chunk(r)
  local form = r:byte() % 5
  if form == 0 then
    s:write(data)
  elseif form == 1 then
    s:write(data, r:pick(ENCODINGS))
  elseif form == 2 then
    s:write(data, hook(r))
  elseif form == 3 then
    s:write(data, r:pick(ENCODINGS), hook(r))
  else
    s:write(data, nil, r:pick(ODD))
  end
end

local function finish(r)
  local s = socketat(r)
  if s == nil then return end
  local form = r:byte() % 6
  if form == 0 then
    s:finish()
  elseif form == 1 then
    s:finish(chunk(r))
  elseif form == 2 then
    s:finish(chunk(r), r:pick(ENCODINGS))
  elseif form == 3 then
    s:finish(hook(r))
  elseif form == 4 then
    s:finish(chunk(r), hook(r))
  else
    s["end"](s, chunk(r), r:pick(ENCODINGS), hook(r))
  end
end

local function destroy(r)
  local s = socketat(r)
  if s == nil then return end
  local form = r:byte() % 8
  if form == 0 then
    s:destroy()
  elseif form == 1 then
    s:destroy({ code = "EFUZZ", message = "fuzz-error" })
  elseif form == 2 then
    s:destroy("fuzz-error")
  elseif form == 3 then
    s:destroy(r:pick(ODD))
  elseif form == 4 then
    s:destroySoon()
  elseif form == 5 then
    s:resetAndDestroy()
  elseif form == 6 then
    local closing <close> = s -- luacheck: ignore 211
  else
    s:destroy()
    s:destroy({ code = "EFUZZ", message = "fuzz-error" })
  end
end

local function flow(r)
  local s = socketat(r)
  if s == nil then return end
  local form = r:byte() % 9
  if form == 0 then
    s:pause()
  elseif form == 1 then
    s:resume()
  elseif form == 2 then
    s:read()
  elseif form == 3 then
    s:read(r:pick({ 0, 1, 10, 65536, 1048576, -1 }))
  elseif form == 4 then
    s:read(r:pick(ODD))
  elseif form == 5 then
    s:setEncoding(r:pick(ENCODINGS))
  elseif form == 6 then
    s:setEncoding()
  elseif form == 7 then
    s:cork()
  else
    s:uncork()
  end
end

local function options(r)
  local s = socketat(r)
  if s == nil then return end
  local form = r:byte() % 8
  if form == 0 then
    s:setTimeout(r:pick(TIMEOUTS), r:flag() and hook(r) or nil)
  elseif form == 1 then
    s:setTimeout(r:pick(ODD))
  elseif form == 2 then
    s:setNoDelay(r:flag())
  elseif form == 3 then
    s:setKeepAlive(r:flag(), r:pick(KEEPALIVE_DELAYS))
  elseif form == 4 then
    s:ref()
  elseif form == 5 then
    s:unref()
  elseif form == 6 then
    s:setNoDelay()
    s:setKeepAlive()
  else
    s:setTimeout(0, r:pick(ODD))
  end
end

local function serverctl(r)
  local srv = serverat(r)
  if srv == nil then return end
  local form = r:byte() % 8
  if form == 0 then
    srv:close()
  elseif form == 1 then
    srv:close(hook(r))
  elseif form == 2 then
    srv:ref()
  elseif form == 3 then
    srv:unref()
  elseif form == 4 then
    srv:getConnections(hook(r))
  elseif form == 5 then
    srv:getConnections(r:pick(ODD))
  elseif form == 6 then
    srv.maxConnections = r:pick({ 0, 1, 2 })
  else
    srv.maxConnections = nil
  end
end

--- Adds a listener whose body is an operation, or removes the last one.
local function listenon(emitter, events, r)
  local form = r:byte() % 6
  if form == 5 then
    local last = lasthook[emitter]
    if last then emitter:off(last[1], last[2]) end
    return
  end
  local event = r:pick(events)
  local fn = hook(r)
  lasthook[emitter] = { event, fn }
  emitter[ADD_METHODS[form + 1]](emitter, event, fn)
end

local function on(r)
  local s = socketat(r)
  if s then listenon(s, SOCKET_EVENTS, r) end
end

local function onserver(r)
  local srv = serverat(r)
  if srv then listenon(srv, SERVER_EVENTS, r) end
end

-- What bounds the wait of a loop pass: an unreferenced interval wakes the
-- loop every GUARD_MS without keeping it alive.  One serves the whole
-- input, since a timer made and closed for each pass would leave a handle
-- closing, and libuv does not wait at all while one is.
local guard = net.setInterval(noop, GUARD_MS):unref()

--- One pass of the loop, which waits GUARD_MS at most.
local function runonce()
  return net.run("once")
end

local function run(r, inhook)
  -- A listener runs inside the loop, which cannot run again.
  if inhook then return end
  local form = r:byte() % 4
  if form == 0 then
    net.run("nowait")
  elseif form == 1 then
    runonce()
  else
    for _ = 1, r:byte() % 8 + 1 do
      if not runonce() then break end
    end
  end
end

local function timer(r)
  local form = r:byte() % 6
  if form == 0 then
    addtimer(net.setTimeout(hook(r), r:pick(DELAYS)), net.clearTimeout)
  elseif form == 1 then
    addtimer(net.setImmediate(hook(r)), net.clearImmediate)
  elseif form == 2 then
    net.nextTick(hook(r))
  elseif form == 3 then
    addtimer(net.setInterval(hook(r), r:pick(DELAYS)), net.clearInterval)
  else
    local last = timers[#timers]
    if last == nil then return end
    if form == 4 then
      last.clear(last.t)
    else
      -- An Immediate has no refresh().
      local t = last.t
      local method = t[r:pick({ "ref", "unref", "refresh", "hasRef" })]
      if method then method(t) end
    end
  end
end

local function pipe(r)
  local src, dest = socketat(r), socketat(r)
  if src == nil then return end
  local k = r:byte() % 3
  if k == 0 then
    src:pipe(dest)
  elseif k == 1 then
    src:pipe(dest, { ["end"] = false })
  else
    src:pipe(r:pick(ODD))
  end
end

local function abort(r)
  local slot = r:byte() % NCONTROLLERS + 1
  local c = controllers[slot]
  if c == nil or r:flag() then
    controllers[slot] = net.AbortController()
  else
    c:abort(r:pick({ "fuzz-error", { code = "EFUZZ", message = "fuzz-error" } }))
  end
end

--- Collects garbage, or forgets destroyed sockets so that they can be
-- collected while their handles close.
local function gc(r)
  local form = r:byte() % 3
  if form == 0 then
    collectgarbage()
  elseif form == 1 then
    collectgarbage("step")
  else
    local kept = {}
    for _, s in ipairs(allsockets) do
      if s.destroyed then
        for i = 1, NSOCKETS do
          if sockets[i] == s then sockets[i] = nil end
        end
      else
        kept[#kept + 1] = s
      end
    end
    allsockets = kept
  end
end

--- In a listener, raises an error, as an uncaught exception: it stops the
-- loop and comes out of net.run().
local function raise(_, inhook)
  if inhook then
    raised = true
    error(RAISED, 0)
  end
end

-- Operations by weight: the frequent ones appear more than once.
local OPS = {
  { "inspect", inspect }, { "server", newserver }, { "listen", relisten },
  { "connect", connect }, { "connect", connect }, { "write", write },
  { "write", write }, { "write", write }, { "end", finish },
  { "destroy", destroy }, { "flow", flow }, { "options", options },
  { "serverctl", serverctl }, { "on", on }, { "on", on },
  { "onserver", onserver }, { "run", run }, { "run", run }, { "run", run },
  { "timer", timer }, { "pipe", pipe }, { "abort", abort }, { "gc", gc },
  { "raise", raise },
}

--- Runs one operation; an error that is not one of Node's is a finding.
step = function(r, inhook)
  local op = OPS[r:byte() % #OPS + 1]
  if trace then
    io.stderr:write(("%s%s at byte %d\n"):format(inhook and "  listener: " or "",
      op[1], r.i))
  end
  local ok, err = pcall(op[2], r, inhook)
  if lost then
    lost = false
    lostsockets = lostsockets + 1
  end
  if trace and not ok then io.stderr:write("    raised: ", tostring(err), "\n") end
  if not ok and not expected(err) then
    fail(op[1] .. (inhook and " (in a listener)" or "") .. ": " .. tostring(err))
  end
  if not ok and err == RAISED and inhook then error(err, 0) end
end

-- Teardown ---------------------------------------------------------------------

--- Runs the loop until nothing is left, within DRAIN_PASSES and DRAIN_NS.
local function drain()
  local deadline = core.hrtime() + DRAIN_NS
  for _ = 1, DRAIN_PASSES do
    local ok, alive = pcall(runonce)
    if not ok then
      if not expected(alive) then fail("teardown: " .. tostring(alive)) end
    elseif not alive then
      return true
    end
    if core.hrtime() > deadline then break end
  end
  return false
end

--- Clears every timer, destroys every socket, closes every server, drains
-- the loop and checks that nothing is left.
local function teardown()
  draining = true
  for _, t in ipairs(timers) do t.clear(t.t) end
  for _, s in ipairs(allsockets) do
    local ok, err = pcall(s.destroy, s)
    if not ok then fail("teardown: destroy: " .. tostring(err)) end
  end
  for _, srv in ipairs(allservers) do
    local ok, err = pcall(srv.close, srv)
    if not ok then fail("teardown: close: " .. tostring(err)) end
  end
  local drained = drain()
  net.clearInterval(guard)
  local ok, err = pcall(net.run, "nowait") -- lets the guard's handle close
  if not ok and not expected(err) then fail("teardown: " .. tostring(err)) end
  local referenced, open = core.openhandles()
  if not drained or referenced > 0 or (open > 0 and lostsockets == 0) then
    fail(("teardown: the loop %s, %d handles open (%d referenced)")
      :format(drained and "drained" or "did not drain", open, referenced))
  end
  for _, s in ipairs(allsockets) do
    if not s.destroyed then fail("teardown: a socket is not destroyed") end
    -- An error raised by a listener (or an 'error' nobody listens to)
    -- leaves the rest of its tick undone, 'close' included, as in Node,
    -- where an uncaught exception ends the process: so only a socket with
    -- an 'error' listener, in a program whose listeners raised nothing,
    -- must have emitted 'close'.
    local t = lives[s]
    if t.watched and not raised and t.closes == 0 then
      fail("teardown: a socket never emitted 'close'")
    end
  end
end

-- The program -------------------------------------------------------------------

local program = reader(input)
if program:byte() & 1 == 1 then core.gcstress(true) end
local count = 0
while program:more() and count < MAX_OPS and finding == nil do
  count = count + 1
  step(program, false)
end
if finding == nil then teardown() end
if finding ~= nil then error(finding, 0) end
