--- net.Socket: a duplex stream over a TCP or Unix socket, as in Node 22.
--
-- The readable and writable sides follow Node's stream state machines:
-- data read while nobody consumes it is buffered up to highWaterMark and
-- reading then stops; writes go straight to the handle (libuv queues them)
-- except while connecting or corked; end() shuts the write side down after
-- the queued writes; destroy() closes the handle and 'close' follows from
-- libuv's close callback.  Properties are plain fields; their defaults live
-- in the class table, so a socket stores only what differs.
-- @classmod uvnet.socket

local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local timers = require("uvnet.timers")
local EventEmitter = require("uvnet.emitter")
local emit = EventEmitter.emit

local type, setmetatable, getmetatable, ipairs = type, setmetatable,
  getmetatable, ipairs
local concat = table.concat
local nextTick, queuetick = timers.nextTick, timers.queuetick
local make, throw = errors.make, errors.throw
local UV_EOF = core.errno.EOF
local UV_ENOTCONN = core.errno.ENOTCONN
local UV_ECANCELED = core.errno.ECANCELED

local HWM = 65536
local BUFFER_MT = getmetatable(core.buffer(1))

-- Encodings load on first use: most sockets carry bytes.
local function encoding()
  return require("uvnet.encoding")
end

local Socket = setmetatable({}, { __index = EventEmitter })
Socket.__index = Socket
-- One lookup instead of two on the hot path; still overridable per socket.
Socket.emit = EventEmitter.emit
Socket.__name = "Socket"

-- Defaults of the fields, read through __index until a socket sets them.
Socket.connecting = false
Socket.destroyed = false
Socket.pending = true
Socket.readable = true
Socket.writable = true
Socket.allowHalfOpen = false
Socket.readyState = "open"
Socket.bytesRead = 0
Socket.bytesWritten = 0
Socket.writableLength = 0
Socket.readableLength = 0
Socket.writableHighWaterMark = HWM
Socket.readableHighWaterMark = HWM
Socket.writableEnded = false
Socket.writableFinished = false
Socket.readableEnded = false
Socket.readableFlowing = nil
Socket._pendingcb = 0
Socket._rlen = 0
Socket.writableCorked = 0
Socket.writableNeedDrain = false
Socket.closed = false
-- Private state read on every read or write: a default here costs one
-- lookup where a missing field would cost two (instance, class, emitter).
Socket._timer = false
Socket._decoder = false
Socket._writeAfterFIN = false
Socket._ending = false
Socket._wbuf = false
Socket._inflight = false
Socket._syncn = 0

-- Keeps readyState in step with connecting, readable and writable.
local function setstate(self)
  local r, w = self.readable, self.writable
  local s
  if self.connecting then
    s = "opening"
  elseif r and w then
    s = "open"
  elseif r then
    s = "readOnly"
  elseif w then
    s = "writeOnly"
  else
    s = "closed"
  end
  if s ~= self.readyState then self.readyState = s end
  -- Written only when it changes: a field no socket sets costs nothing.
  local pending = self._handle == nil or self.connecting
  if pending ~= self.pending then self.pending = pending end
end
Socket._setstate = setstate

-- Readable side -------------------------------------------------------------

local emitdata, maybeend

-- Delivers chunks buffered while paused, one 'data' at a time, while the
-- socket flows.
local function flow(self)
  local buf = self._rbuf
  while self.readableFlowing and buf and self._rhead <= #buf do
    local i = self._rhead
    local chunk = buf[i]
    buf[i] = false
    self._rhead = i + 1
    self._rlen = self._rlen - #chunk
    self.readableLength = self._rlen
    emitdata(self, chunk)
    buf = self._rbuf
  end
  if buf and self._rhead > #buf then
    self._rbuf = nil
  end
  if self._rlen == 0 then maybeend(self) end
end

-- Starts reading from the handle when the buffer has room.
local function readmore(self)
  local h = self._handle
  if h and not self._reading and not self._eof and not self.connecting
      and self._rlen < self.readableHighWaterMark and not self._noread then
    local ok, name, code = h:readstart()
    if ok then
      self._reading = true
    else
      self:destroy(errors.errno(code, "read"))
      return name
    end
  end
end

local function stopreading(self)
  if self._reading then
    self._reading = nil
    local h = self._handle
    if h then h:readstop() end
  end
end

emitdata = function(self, chunk)
  local dec = self._decoder
  if dec then
    chunk = dec:write(chunk)
    if chunk == "" then return end
  end
  self:emit("data", chunk)
end

-- Paused mode: 'readable' says there is something to read() (or the end).
local function emitreadable_now(self)
  if not self.destroyed and (self._rlen > 0 or self._eof) then
    self:emit("readable")
    self._emittedReadable = false
  end
  self._needReadable = not self.readableFlowing and not self._eof
    and self._rlen <= self.readableHighWaterMark
end

local function emitreadable(self)
  self._needReadable = false
  if not self._emittedReadable then
    self._emittedReadable = true
    nextTick(emitreadable_now, self)
  end
end

-- The handle's data: straight to 'data' when flowing with nothing
-- buffered, otherwise into the buffer (reading stops at highWaterMark).
local function push(self, chunk)
  if self.readableFlowing and self._rlen == 0 then
    emitdata(self, chunk)
    return
  end
  local buf = self._rbuf
  if buf == nil then
    buf = {}
    self._rbuf = buf
    self._rhead = 1
  end
  buf[#buf + 1] = chunk
  self._rlen = self._rlen + #chunk
  self.readableLength = self._rlen
  if self._needReadable then emitreadable(self) end
  if self._rlen >= self.readableHighWaterMark then stopreading(self) end
end

local function endreadable_nt(self)
  if self._endEmitted or self.destroyed or self._rlen > 0 then return end
  self._endEmitted = true
  self.readableEnded = true
  if not self.allowHalfOpen then self._writeAfterFIN = true end
  self.readable = false
  setstate(self)
  if self._decoder then
    local rest = self._decoder:finish()
    if rest ~= "" then self:emit("data", rest) end
  end
  self:emit("end")
  if self.writable and not self.allowHalfOpen then
    nextTick(Socket.finish, self)
  elseif self.writableFinished or self._writableOff then
    self:destroy()
  end
end

maybeend = function(self)
  if self._eof and self._rlen == 0 and not self._endScheduled then
    self._endScheduled = true
    nextTick(endreadable_nt, self)
  end
end

local idle_refresh

-- Called by the core with each read: nread bytes in data, or EOF, or an
-- error code.
local function onread(self, nread, data)
  if nread > 0 then
    self.bytesRead = self.bytesRead + nread
    if self._timer then idle_refresh(self) end
    if data == nil then
      -- onread mode: the bytes are in the socket's buffer.
      local onread_cb = self._onreadcb
      if onread_cb(nread, self._onreadbuf) == false then
        stopreading(self)
      end
      return
    end
    if self.readableFlowing and self._rlen == 0 and not self._decoder then
      -- push(), emitdata() and emit() inline, for the common case: the
      -- listener (or list of them) called straight, unless emit has been
      -- replaced on this socket, which then sees the event as ever.
      local events = self._events
      local list = events and events.data
      if list ~= nil and self.emit == emit then
        list(data)
      else
        self:emit("data", data)
      end
      return
    end
    push(self, data)
  elseif nread == UV_EOF then
    self._reading = nil
    self._eof = true
    if self._readableListening then
      -- As Node's onEofChunk: 'readable' now, for the reader to see the end.
      self._needReadable = false
      self._emittedReadable = true
      emitreadable_now(self)
    end
    maybeend(self)
  else
    self._reading = nil
    self:destroy(errors.errno(nread, "read"))
  end
end
core.sethandler("read", onread)

-- As Node's resume_: reading starts (or waits for the connection) even if
-- pause() came in between, then 'resume', then the buffered data flows.
local function resume_nt(self)
  if self.destroyed then
    self._resumeScheduled = nil
    return
  end
  if self.connecting then
    self._readOnConnect = true
  else
    readmore(self)
  end
  self._resumeScheduled = nil
  self:emit("resume")
  flow(self)
  if self.readableFlowing then readmore(self) end
end

--- resume(): switches to flowing mode.
function Socket:resume()
  if self._onreadcb and self.readableFlowing == false then
    self.readableFlowing = true
    readmore(self)
    return self
  end
  if not self.readableFlowing then
    self.readableFlowing = true
    if not self._resumeScheduled then
      self._resumeScheduled = true
      nextTick(resume_nt, self)
    end
  end
  return self
end

--- pause(): stops 'data' events; reading continues into the buffer up to
-- highWaterMark.
function Socket:pause()
  if self.readableFlowing ~= false then
    self.readableFlowing = false
    self:emit("pause")
  end
  if self._onreadcb then stopreading(self) end
  return self
end

function Socket:isPaused()
  return self.readableFlowing == false
end

--- on(name, listener): a 'data' listener switches to flowing mode, unless
-- paused explicitly.
-- A 'readable' listener switches to paused mode with explicit read()s.
local function onreadable(self)
  if self._endEmitted or self._readableListening then return end
  self._readableListening = true
  self._needReadable = true
  self.readableFlowing = false
  self._emittedReadable = false
  if self._rlen > 0 then
    emitreadable(self)
  elseif not self._reading then
    nextTick(function() self:read(0) end)
  end
end

-- What adding a listener does to reading: 'data' starts the flow unless
-- paused, 'readable' switches to paused mode.
local function listened(self, name)
  if name == "data" and self.readableFlowing ~= false then
    self:resume()
  elseif name == "readable" then
    onreadable(self)
  end
  return self
end

function Socket:on(name, fn)
  EventEmitter.on(self, name, fn)
  return listened(self, name)
end
Socket.addListener = Socket.on

function Socket:once(name, fn)
  EventEmitter.once(self, name, fn)
  return listened(self, name)
end

--- read([size]): takes size bytes (all that is buffered without size)
-- from the buffer, or returns nil when there are not enough yet; with an
-- encoding set, the result is decoded.  read(0) only starts reading.
function Socket:read(n)
  if n ~= nil then n = validate.int32(n, "size", 0) end
  -- As Node's read(): any read but read(0) lets the next 'readable' come.
  if n ~= 0 then self._emittedReadable = false end
  local avail = self._rlen
  if n == 0 or avail == 0 or (n and n > avail and not self._eof) then
    if self._eof and avail == 0 then
      maybeend(self)
    else
      self._needReadable = true
      if self.connecting then
        self._readOnConnect = true
      else
        readmore(self)
      end
    end
    return nil
  end
  local want = (n == nil or n > avail) and avail or n
  local buf, parts, got = self._rbuf, {}, 0
  while got < want do
    local i = self._rhead
    local chunk = buf[i]
    local take = want - got
    if #chunk <= take then
      parts[#parts + 1] = chunk
      buf[i] = false
      self._rhead = i + 1
      got = got + #chunk
    else
      parts[#parts + 1] = chunk:sub(1, take)
      buf[i] = chunk:sub(take + 1)
      got = want
    end
  end
  if self._rhead > #buf then self._rbuf = nil end
  self._rlen = avail - want
  self.readableLength = self._rlen
  local data = #parts == 1 and parts[1] or concat(parts)
  if self._decoder then data = self._decoder:write(data) end
  if self._rlen == 0 and self._eof then maybeend(self) end
  if self._rlen < self.readableHighWaterMark then readmore(self) end
  -- As Node's read(), what it returns is also emitted as 'data'.
  if not self._errorEmitted and not self._closeEmitted then
    self:emit("data", data)
  end
  return data
end

function Socket:prependListener(name, fn)
  EventEmitter.prependListener(self, name, fn)
  return listened(self, name)
end

--- setEncoding(encoding): 'data' gives decoded text from now on.
function Socket:setEncoding(enc)
  self._decoder = encoding().decoder(enc)
  self.readableEncoding = self._decoder.encoding
  local buf = self._rbuf
  if buf then
    -- Already buffered data is decoded too, as Node does.
    local parts = {}
    for i = self._rhead, #buf do parts[#parts + 1] = buf[i] end
    local text = self._decoder:write(concat(parts))
    self._rbuf = text ~= "" and { text } or nil
    self._rhead = 1
    self._decoder = self._decoder
  end
  return self
end

-- Writable side -------------------------------------------------------------

local finishmaybe, afterwrite_nt, clearbuffer, errorbuffer

local function needfinish(self)
  return self._ending and not self.destroyed and self.writableLength == 0
    and not self._wbuf and not self.writableFinished
    and not self._errorEmitted and not self._closeEmitted
    and (self._wqhead or 1) > (self._wqtail or 0)
end

local function finish(self)
  self._pendingcb = self._pendingcb - 1
  self.writableFinished = true
  local cbs = self._onfinished
  self._onfinished = nil
  if cbs then
    for i = 1, #cbs do cbs[i]() end
  end
  self:emit("finish")
  if self._endEmitted or self._readableOff then
    self:destroy()
  end
end

local function onfinal(self, err)
  self._pendingcb = self._pendingcb - 1
  if err then
    local cbs = self._onfinished
    self._onfinished = nil
    if cbs then
      for i = 1, #cbs do cbs[i](err) end
    end
    self:destroy(err)
  elseif needfinish(self) then
    self._prefinished = true
    self:emit("prefinish")
    self._pendingcb = self._pendingcb + 1
    nextTick(finish, self)
  end
end

local function callfinal(self)
  if self.destroyed then return end
  if self.pending and (self.connecting or self._handle == nil) then
    if self.connecting then
      self:once("connect", function() callfinal(self) end)
      return
    end
  end
  local h = self._handle
  if h == nil then return onfinal(self) end
  local ok, _, code = h:shutdown()
  if ok then
    self._shutdownPending = true
  elseif code == UV_ENOTCONN then
    onfinal(self)
  else
    onfinal(self, errors.errno(code, "shutdown"))
  end
end

-- Called by the core when a shutdown completes.  As Node's afterShutdown,
-- its status is not looked at: shutdown(2) fails with ENOTSOCK on a pipe
-- or a terminal, and ending such a stream is still a clean finish.
local function onshutdown(self)
  self._shutdownPending = nil
  if self.destroyed then return end
  onfinal(self)
end
core.sethandler("shutdown", onshutdown)

finishmaybe = function(self, sync)
  if not needfinish(self) then return end
  if not self._prefinished and not self._finalCalled then
    -- As Node's prefinish: the final step (the shutdown) starts now, not a
    -- tick later, so a socket destroyed in the same tick still finishes
    -- when that step completes at once (no handle yet).
    self._finalCalled = true
    self._pendingcb = self._pendingcb + 1
    callfinal(self)
  end
  if self._pendingcb == 0 then
    if sync then
      self._pendingcb = self._pendingcb + 1
      nextTick(function()
        if needfinish(self) then
          finish(self)
        else
          self._pendingcb = self._pendingcb - 1
        end
      end)
    elseif needfinish(self) then
      -- Asked again: the final step may have run listeners meanwhile.
      self._pendingcb = self._pendingcb + 1
      finish(self)
    end
  end
end

-- bufferSize is writableLength while the socket has a handle, and nil
-- (undefined) otherwise, as in Node.
local function setwlen(self, n)
  self.writableLength = n
  if self._handle then self.bufferSize = n end
end

-- Batches of callbacks ------------------------------------------------------
--
-- Every write callback must run exactly once, even when one of a batch
-- raises: the error goes on up to net.run() untouched, and a to-be-closed
-- guard, closed while the error unwinds (after the message handler has
-- taken the traceback), queues the rest of the batch for the next tick.
-- A guard is a table per batch, taken only where there is a callback to
-- run: what must follow the batch (the finish step, errorbuffer, destroy)
-- would otherwise be lost with it.

local BATCH = {}

-- Runs cbs[i..n] with err.  `counted`: each callback is one of _pendingcb;
-- `after(self)` is what the caller does once the batch is through, which
-- the queued rest must then do in its place.
local function runbatch(self, cbs, i, n, err, counted, after)
  local guard <close> = setmetatable({ self, cbs, i, n, err, counted, after },
    BATCH)
  for j = i, n do
    guard[3] = j + 1
    if counted then self._pendingcb = self._pendingcb - 1 end
    local cb = cbs[j]
    if cb then cb(err) end
  end
  guard[1] = false
end

local function resumebatch(self, cbs, i, n, err, counted, after)
  runbatch(self, cbs, i, n, err, counted, after)
  if after then after(self) end
end

function BATCH.__close(guard)
  local self = guard[1]
  if self and (guard[3] <= guard[4] or guard[7]) then
    nextTick(resumebatch, self, guard[2], guard[3], guard[4], guard[5],
      guard[6], guard[7])
  end
end

-- Completion of writes ------------------------------------------------------

local function finishmaybe_async(self)
  finishmaybe(self, false)
end

-- After writes complete: 'drain' first, then the callbacks, as Node does.
local function afterwrite(self, cbs, n)
  if self.writableNeedDrain and not self._ending and not self.destroyed
      and self.writableLength == 0 then
    self.writableNeedDrain = false
    self:emit("drain")
  end
  if n == 1 and not cbs[1] then
    self._pendingcb = self._pendingcb - 1
  elseif n >= 1 then
    -- Guarded even for a lone callback: if it raises, the finish step
    -- that follows still comes, on the next tick.
    runbatch(self, cbs, 1, n, nil, true, finishmaybe_async)
  end
  finishmaybe(self, false)
end

local NOCBS = {}

afterwrite_nt = function(self)
  local cbs, n = self._synccbs, self._syncn
  self._synccbs, self._syncn = nil, 0
  afterwrite(self, cbs or NOCBS, n or 0)
end

-- What follows a failed write's own callback: the buffered writes and
-- end()'s callbacks hear the stream's error, and the socket is destroyed.
local function afterwriteerror(self, err)
  errorbuffer(self)
  self:destroy(err or self.errored)
end

-- As Node's onwriteError.  The stream was errored when the write failed
-- (see writeerror), so writes made since then wait in the buffer for this.
local function onwriteerror_nt(self, err, cb)
  self._pendingcb = self._pendingcb - 1
  if cb then runbatch(self, { cb }, 1, 1, err, false, afterwriteerror) end
  afterwriteerror(self, err)
end

-- A write failed: the stream is errored with the first error at once, as
-- Node's onwrite does, and the callback hears its own error a tick later.
local function writeerror(self, err, cb)
  if self.errored == nil then self.errored = err end
  nextTick(onwriteerror_nt, self, err, cb)
end

-- Queue of writes in flight at the handle: sizes and callbacks in two
-- arrays, so a write allocates no table.
local function wqpush(self, len, cb)
  self._inflight = true
  local t = (self._wqtail or 0) + 1
  if t == 1 then
    self._wqlen = self._wqlen or {}
    self._wqcb = self._wqcb or {}
    self._wqhead = 1
  end
  self._wqtail = t
  self._wqlen[t] = len
  self._wqcb[t] = cb or false
end

-- Hands data to the handle.  `counted` says that writableLength and the
-- pending-callback count include this write already, as for writes that
-- waited in the buffer.  A direct write counts itself only when it does
-- not complete at once, so the common write touches neither field.
-- Returns true when the write failed at once.
local function dowrite(self, data, len, cb, counted)
  local h = self._handle
  local r, _, code = h:write(data)
  if self._timer then idle_refresh(self) end
  if r == 0 then
    if counted then setwlen(self, self.writableLength - len) end
    local n = self._syncn
    if n == 0 and cb == nil and not self.writableNeedDrain
        and not self._ending then
      -- The kernel took it all and the after-write tick would have
      -- nothing to do: no callback, no 'drain', no 'finish' to weigh.
      if counted then self._pendingcb = self._pendingcb - 1 end
      return
    end
    if not counted then self._pendingcb = self._pendingcb + 1 end
    n = n + 1
    self._syncn = n
    if cb or self.writableNeedDrain or self._ending or n > 1 then
      local cbs = self._synccbs
      if cbs == nil then
        cbs = {}
        self._synccbs = cbs
      end
      cbs[n] = cb or false
    end
    if n == 1 then
      -- At most one of these ticks is queued per socket, so its entry is
      -- made once and reused: no table per write.
      local entry = self._afterwriteTick
      if entry == nil then
        entry = { fn = afterwrite_nt, n = 1, self }
        self._afterwriteTick = entry
      end
      queuetick(entry)
    end
    return
  end
  -- Queued or failed, the write now has a callback to come (in onwrite or
  -- onwriteerror_nt); only a queued one still counts in writableLength.
  if not counted then self._pendingcb = self._pendingcb + 1 end
  if r == 1 then
    if not counted then setwlen(self, self.writableLength + len) end
    wqpush(self, len, cb)
  else
    if counted then setwlen(self, self.writableLength - len) end
    writeerror(self, errors.errno(code, "write"), cb)
    return true
  end
end

-- Called by the core when a queued write request completes.
local function onwrite(self, status)
  local i = self._wqhead
  local len, cb = self._wqlen[i], self._wqcb[i]
  self._wqlen[i], self._wqcb[i] = nil, nil
  if i == self._wqtail then
    self._wqhead, self._wqtail = 1, 0
  else
    self._wqhead = i + 1
  end
  setwlen(self, self.writableLength - len)
  if i == self._wqtail or self._wqhead > self._wqtail then
    self._inflight = nil
  end
  if cb == false then cb = nil end
  if self.destroyed then
    -- Cancelled by destroy(): the callback hears why (write ECANCELED),
    -- the writes queued behind it get the same error, and no 'error'
    -- follows, as in Node.
    self._pendingcb = self._pendingcb - 1
    local e
    if status < 0 then
      e = errors.errno(status, "write")
      if self.errored == nil then self.errored = e end
    end
    if cb then runbatch(self, { cb }, 1, 1, e, false, errorbuffer) end
    errorbuffer(self)
    return
  end
  if status < 0 then
    writeerror(self, errors.errno(status, "write"), cb)
    return
  end
  if self._timer then idle_refresh(self) end
  -- What queued up behind this write goes out now, as one write, before
  -- this one's callback: Node's order ('drain' once all is handed over).
  if self._wbuf then clearbuffer(self) end
  local one = self._onecb
  if one == nil then
    one = {}
    self._onecb = one
  end
  one[1] = cb or false
  afterwrite(self, one, 1)
end
core.sethandler("write", onwrite)

-- Writes buffered while connecting or corked go out as one vectored write.
-- Those buffered once the stream is errored wait for errorbuffer instead.
clearbuffer = function(self)
  local buf = self._wbuf
  if not buf or self.writableCorked > 0 or self.connecting or self.destroyed
      or self._handle == nil or self._inflight or self.errored ~= nil then
    return
  end
  self._wbuf = nil
  if #buf == 1 then
    return dowrite(self, buf[1][1], buf[1][2], buf[1][3], true)
  end
  local chunks, total, cbs = {}, 0, {}
  for i, w in ipairs(buf) do
    local data = w[1]
    if type(data) == "table" then
      for _, s in ipairs(data) do chunks[#chunks + 1] = s end
    else
      chunks[#chunks + 1] = data
    end
    total = total + w[2]
    cbs[i] = w[3]
  end
  local n = #buf
  -- One request; its completion runs every buffered callback.
  self._pendingcb = self._pendingcb - (n - 1)
  dowrite(self, chunks, total, function(err)
    runbatch(self, cbs, 1, n, err, false)
  end, true)
end

-- The first write made while connecting waits for the connection outside
-- the buffer (Node's _writeGeneric); when it fails, the stream is errored
-- with its error and, as Node's onwriteError, it hears that error, then the
-- buffered writes and end()'s callbacks hear the stream's.
local function failwaiting(self, err)
  local buf = self._wbuf
  local first = table.remove(buf, 1)
  if #buf == 0 then self._wbuf = nil end
  setwlen(self, self.writableLength - first[2])
  self._pendingcb = self._pendingcb - 1
  if self.errored == nil then self.errored = err end
  if first[3] then
    runbatch(self, { first[3] }, 1, 1, err, false, afterwriteerror)
  end
  afterwriteerror(self, err)
end

-- The socket closed before connecting: the waiting write fails, after
-- 'close', with ERR_SOCKET_CLOSED_BEFORE_CONNECTION, and the others with
-- the stream's error (destroy()'s, or that one).
local function closedbeforeconnect(self)
  self._wbufOnClose = nil
  if self._wbuf then
    failwaiting(self, make("ERR_SOCKET_CLOSED_BEFORE_CONNECTION"))
  end
end

-- Writes made while connecting go out from a 'connect' listener added at
-- the first of them, as Node's do: the first write on its own (its
-- callback and 'drain' come at once, before 'ready', when the kernel takes
-- it), then the rest as one vectored write (callbacks on the next tick).
local function flushonconnect(self)
  local onclose = self._wbufOnClose
  if onclose then
    self._wbufOnClose = nil
    self:removeListener("close", onclose)
  end
  local buf = self._wbuf
  if buf and (self.destroyed or self._handle == nil) then
    -- Destroyed by an earlier 'connect' listener: as Node's _writeGeneric,
    -- the waiting write finds no handle.
    return failwaiting(self, make("ERR_SOCKET_CLOSED"))
  end
  if not buf or self.writableCorked > 0 then
    return
  end
  local first = table.remove(buf, 1)
  if #buf == 0 then self._wbuf = nil end
  local h = self._handle
  local r, _, code = h:write(first[1])
  if r == 0 then
    setwlen(self, self.writableLength - first[2])
    clearbuffer(self)
    local one = self._onecb or {}
    self._onecb = one
    one[1] = first[3] or false
    afterwrite(self, one, 1)
  elseif r == 1 then
    wqpush(self, first[2], first[3])
    clearbuffer(self)
  else
    setwlen(self, self.writableLength - first[2])
    writeerror(self, errors.errno(code, "write"), first[3])
  end
end

local function chunksize(data)
  if type(data) == "string" then return #data end
  local n = 0
  for i = 1, #data do
    local s = data[i]
    if type(s) ~= "string" then
      throw("ERR_INVALID_ARG_TYPE", "chunk", { "string", "Buffer",
        "TypedArray", "DataView" }, s)
    end
    n = n + #s
  end
  return n
end

-- write() itself, and end(data)'s write: returns write()'s result.  When
-- the write fails at once and `fromend` is FROMEND (the data of
-- end(data), which Node writes through the stream's own write, past the
-- socket's writeAfterFIN), the error is left in self._endwriteerr for
-- end()'s callback, as Node hands it over.
local FROMEND = {}

local function writeimpl(self, data, enc, cb, fromend)
  local t = type(data)
  if t ~= "string" and t ~= "table" then
    throw("ERR_INVALID_ARG_TYPE", "chunk", { "string", "Buffer",
      "TypedArray", "DataView" }, data)
  end
  -- Each type() costs a call, so the common write(data) asks none more.
  if enc ~= nil then
    if type(enc) == "function" then
      cb = enc
    elseif t == "string" then
      data = encoding().encode(data, enc)
    else
      -- Bytes need no encoding, but a bad name is still an error.
      encoding().encode("", enc)
    end
  end
  -- As Node, a callback that is not a function is ignored.
  if cb ~= nil and type(cb) ~= "function" then cb = nil end
  local len
  if t == "string" then len = #data else len = chunksize(data) end
  if self._writeAfterFIN and self.writableEnded and fromend ~= FROMEND then
    -- Node's writeAfterFIN: the peer ended and so did we.
    local e = errors.new("Error", "EPIPE",
      "This socket has been ended by the other party")
    if cb then nextTick(cb, e) end
    self:destroy(e)
    return false
  end
  local err
  if self._ending then
    err = make("ERR_STREAM_WRITE_AFTER_END")
  elseif self.destroyed then
    err = make("ERR_STREAM_DESTROYED", "write")
  end
  if err then
    if cb then nextTick(cb, err) end
    self:destroy(err)
    if fromend == FROMEND then self._endwriteerr = err end
    return false
  end
  -- Read once: only a write that fails at once below can change it.
  local errored = self.errored
  if self._handle == nil and not self.connecting and errored == nil then
    -- Nothing to write to: the stream is errored at once, the callback and
    -- 'error' follow, as Node's Writable does.
    local e = make("ERR_SOCKET_CLOSED")
    if self.errored == nil then self.errored = e end
    self.writable = false
    setstate(self)
    self._pendingcb = self._pendingcb + 1
    nextTick(onwriteerror_nt, self, e, cb)
    return false
  end
  self.bytesWritten = self.bytesWritten + len
  if self.connecting or self.writableCorked > 0 or self._wbuf
      or self._inflight or errored ~= nil then
    setwlen(self, self.writableLength + len)
    self._pendingcb = self._pendingcb + 1
    -- An errored stream holds its writes too, as Node's writeOrBuffer
    -- does: errorbuffer fails them with the stream's error.
    local buf = self._wbuf
    if not buf then
      buf = {}
      self._wbuf = buf
    end
    -- Held for later: keep the strings given now, whatever the caller does
    -- to its table meanwhile.
    if type(data) == "table" then data = { table.unpack(data) } end
    buf[#buf + 1] = { data, len, cb }
    if #buf == 1 and self.connecting and self.writableCorked == 0 then
      self:once("connect", function() flushonconnect(self) end)
      local onclose = function() closedbeforeconnect(self) end
      self._wbufOnClose = onclose
      self:once("close", onclose)
    end
  elseif dowrite(self, data, len, cb, false) then
    errored = self.errored
  end
  -- As Node 22, the answer comes after the write: what the kernel took at
  -- once no longer counts.
  local ret = self.writableLength < self.writableHighWaterMark
  if not ret then self.writableNeedDrain = true end
  return ret and errored == nil and not self.destroyed
end

--- write(data[, encoding][, callback]): returns false once the queued
-- bytes reach highWaterMark; 'drain' follows when they are written.
-- (writeimpl itself: no wrapper call on the hottest path.)
Socket.write = writeimpl

--- cork(): holds writes until uncork().
function Socket:cork()
  self.writableCorked = self.writableCorked + 1
end

--- uncork(): writes what cork() held, as one vectored write.
function Socket:uncork()
  if self.writableCorked > 0 then
    self.writableCorked = self.writableCorked - 1
    if self.writableCorked == 0 then clearbuffer(self) end
  end
end

--- finish([data[, encoding]][, callback]): Node's end().  Half-closes the
-- socket once the queued writes are out; `socket["end"]` is the same.
function Socket:finish(data, enc, cb)
  if type(data) == "function" then
    cb, data, enc = data, nil, nil
  elseif type(enc) == "function" then
    cb, enc = enc, nil
  end
  -- As Node, a callback that is not a function is ignored.
  if type(cb) ~= "function" then cb = nil end
  -- A failed write's own error goes to the callback, as in Node.
  local err
  if data ~= nil then
    writeimpl(self, data, enc, nil, FROMEND)
    err = self._endwriteerr
    self._endwriteerr = nil
  end
  if self.writableCorked > 0 then
    self.writableCorked = 1
    self:uncork()
  end
  if err then -- luacheck: ignore 542
  elseif not self.errored and not self._ending then
    self._ending = true
    self.writable = false
    self.writableEnded = true
    -- Node's getter hides the need for 'drain' once the stream is ending.
    if self.writableNeedDrain then self.writableNeedDrain = false end
    setstate(self)
    finishmaybe(self, true)
  elseif self.writableFinished then
    err = make("ERR_STREAM_ALREADY_FINISHED", "end")
  elseif self.destroyed then
    err = make("ERR_STREAM_DESTROYED", "end")
  end
  if cb then
    if err then
      nextTick(cb, err)
    elseif self.errored ~= nil then
      nextTick(cb, self.errored)
    elseif self.writableFinished then
      nextTick(cb)
    else
      local cbs = self._onfinished
      if cbs == nil then
        cbs = {}
        self._onfinished = cbs
      end
      cbs[#cbs + 1] = cb
    end
  end
  return self
end
Socket["end"] = Socket.finish

-- Destruction ---------------------------------------------------------------

local function emiterror_nt(self, err)
  if self._errorEmitted then return end
  self._errorEmitted = true
  self:emit("error", err)
end

local function emitclose_nt(self)
  if self._closeEmitted then return end
  self._closeEmitted = true
  self:emit("close")
end

-- A socket with no handle: 'error' and then 'close' in one tick.
local function emiterrorclose_nt(self, err)
  emiterror_nt(self, err)
  emitclose_nt(self)
end

-- Writes still buffered when the socket is destroyed or errored fail with
-- the stream's error, or ERR_STREAM_DESTROYED, and end()'s callbacks
-- likewise (Node's errorBuffer).  A write still in flight, or waiting for
-- the connection, holds them all back: its failure calls this again.
errorbuffer = function(self)
  if self._inflight or self._wbufOnClose then return end
  local buf = self._wbuf
  if buf then
    self._wbuf = nil
    local n = #buf
    local cbs = {}
    for i = 1, n do
      local w = buf[i]
      setwlen(self, self.writableLength - w[2])
      cbs[i] = w[3] or false
    end
    self._pendingcb = self._pendingcb - n
    -- Should a callback raise, the rest of them, and then end()'s
    -- callbacks (through this again), run on the next tick.
    runbatch(self, cbs, 1, n,
      self.errored or make("ERR_STREAM_DESTROYED", "write"), false, errorbuffer)
  end
  local cbs = self._onfinished
  if cbs then
    self._onfinished = nil
    runbatch(self, cbs, 1, #cbs,
      self.errored or make("ERR_STREAM_DESTROYED", "end"), false)
  end
end

--- destroy([err]): closes the socket now; 'error' (if err) and then
-- 'close' follow from the loop.
function Socket:destroy(err)
  if self.destroyed then return self end
  if self._wbuf or self._onfinished then
    nextTick(errorbuffer, self)
  end
  self.destroyed = true
  self.closed = true
  if err ~= nil and self.errored == nil then self.errored = err end
  -- Node's getter hides the need for 'drain' once the stream is destroyed.
  if self.writableNeedDrain then self.writableNeedDrain = false end
  self.readable = false
  self.writable = false
  if self.connecting then self.connecting = false end
  if self._timer then
    timers.clearTimeout(self._timer)
    self._timer = nil
  end
  local h = self._handle
  if h then
    if err ~= nil then self._closeHadError = true end
    self._reading = nil
    self._handle = nil
    self.bufferSize = nil
    if self._resetAndClose then
      self._resetAndClose = nil
      local ok, _, code = h:reset()
      if not ok then
        h:close()
        nextTick(emiterror_nt, self, errors.errno(code, "reset"))
      end
    else
      h:close()
    end
  end
  setstate(self)
  if h == nil then
    if err ~= nil then
      nextTick(emiterrorclose_nt, self, err)
    else
      nextTick(emitclose_nt, self)
    end
  elseif err ~= nil then
    nextTick(emiterror_nt, self, err)
  end
  local server = self.server
  if server then
    server._connections = server._connections - 1
    server:_emitCloseIfDrained()
  end
  return self
end

-- Called by the core when a handle has closed.
local function onclose(owner)
  local f = owner._onclose
  if f then f(owner) end
end
core.sethandler("close", onclose)

function Socket:_onclose()
  if self._closeEmitted then return end
  self._closeEmitted = true
  self:emit("close", self._closeHadError or false)
end

--- destroySoon(): end() and destroy once the writes are out.
function Socket:destroySoon()
  if self.writable then self:finish() end
  if self.writableFinished then
    self:destroy()
  else
    self:once("finish", function() self:destroy() end)
  end
end

--- resetAndDestroy(): closes a TCP socket with RST.
function Socket:resetAndDestroy()
  if self._handle then
    if self._isPipe then
      throw("ERR_INVALID_HANDLE_TYPE")
    end
    if self.connecting then
      self:once("connect", function() self:resetAndDestroy() end)
      return self
    end
    self._resetAndClose = true
    self:destroy()
  else
    self:destroy(make("ERR_SOCKET_CLOSED"))
  end
  return self
end

-- Idle timeout --------------------------------------------------------------

local function ontimeout(self)
  self:emit("timeout")
end

idle_refresh = function(self)
  self._timer:refresh()
end

--- setTimeout(ms[, callback]): emits 'timeout' after ms of inactivity; 0
-- turns it off.  The socket stays open.
function Socket:setTimeout(ms, cb)
  if self.destroyed then return self end
  self.timeout = ms
  if type(ms) ~= "number" then
    throw("ERR_INVALID_ARG_TYPE", "msecs", "number", ms)
  end
  if not (ms >= 0 and ms < math.huge) then
    throw("ERR_OUT_OF_RANGE", "msecs", "a non-negative finite number", ms)
  end
  ms = validate.whole(ms)
  if ms > 2147483647 then
    EventEmitter.warn("TimeoutOverflowWarning", errors.jsnumber(ms)
      .. " does not fit into a 32-bit signed integer."
      .. "\nTimer duration was truncated to 2147483647.")
    ms = 2147483647
  end
  if self._timer then
    timers.clearTimeout(self._timer)
    self._timer = nil
  end
  if ms == 0 then
    if cb ~= nil then
      validate.func(cb, "callback")
      self:removeListener("timeout", cb)
    end
  else
    self._timer = timers.setTimeout(ontimeout, ms, self):unref()
    if cb ~= nil then
      validate.func(cb, "callback")
      self:once("timeout", cb)
    end
  end
  return self
end

-- Connecting ----------------------------------------------------------------

local function addresses(self)
  local h = self._handle
  if h == nil then return end
  if self._isPipe then
    return
  end
  local a, p, f = h:peername()
  if a then
    self.remoteAddress, self.remotePort, self.remoteFamily = a, p, f
  end
  a, p, f = h:sockname()
  if a then
    self.localAddress, self.localPort, self.localFamily = a, p, f
  end
end

local isip = require("uvnet.ip").isIP
local UV_EINVAL = core.errno.EINVAL
local UV_ETIMEDOUT = core.errno.ETIMEDOUT
local UV_EADDRINUSE = core.errno.EADDRINUSE

-- Node's AggregateError: the errors of every attempt, the code of the
-- first, an empty message; tostring gives the name alone, as
-- String(err) does in JavaScript.
local AggregateError = { __index = errors.Error, __name = "AggregateError" }
function AggregateError.__tostring(e)
  if e.message == "" then return e.name end
  return e.name .. ": " .. e.message
end

local function aggregate(list)
  return setmetatable({ name = "AggregateError", code = list[1].code,
    message = "", errors = list }, AggregateError)
end

-- Binds the handle as Node's bind plus checkBindError: libuv may report a
-- port in use only later, so a port other than the one asked for is
-- EADDRINUSE now.  The port goes down as Node's Int32 of it.
local function bind(h, la, lp)
  local ok, name, code = h:bind(la, validate.toint32(lp or 0))
  if ok and lp and lp > 0 then
    local a, p, c = h:sockname()
    if a == nil then return nil, p, c end
    if p ~= lp then return nil, "EADDRINUSE", UV_EADDRINUSE end
  end
  return ok, name, code
end

-- Starts a TCP connect; an address that is not of the family is EINVAL,
-- as Node's connect (IPv4) and connect6 find.
local function tcpconnect(h, address, port, family)
  if isip(address) ~= family then return nil, "EINVAL", UV_EINVAL end
  return h:connect(address, port)
end

-- The error of a connect that failed at once, with Node's "Local (ip:port)"
-- from the handle's address (undefined:undefined while it has none).
local function syncconnecterror(h, code, address, port)
  local a, p = h:sockname()
  local details = a and (a .. ":" .. p) or "undefined:undefined"
  return errors.hostport(code, "connect", address, port, details)
end

-- Node's createConnectionError: the local end is named when the request
-- had both a local address and port.
local function connecterror(req, status)
  local la, lp = req.localAddress, req.localPort
  local details = la and lp and (la .. ":" .. lp) or nil
  local ex = errors.hostport(status, "connect", req.address, req.port, details)
  if details then ex.localAddress, ex.localPort = la, lp end
  return ex
end

-- The socket is connected: addresses, options, 'connect' and 'ready', then
-- the writes queued while connecting and the first read.
local function connected(self)
  addresses(self)
  setstate(self)
  if self._timer then idle_refresh(self) end
  -- Unix sockets have neither option: Node asks the handle, uvnet the kind.
  if self._noDelay and not self._isPipe then self._handle:nodelay(true) end
  if self._keepAlive and not self._isPipe then
    self._handle:keepalive(true, self._keepAliveInitialDelay or 0)
  end
  self:emit("connect")
  self:emit("ready")
  clearbuffer(self)
  if (self.readableFlowing ~= false or self._readOnConnect)
      and not self.destroyed then
    readmore(self)
  end
end

-- Family autoselection (Node's internalConnectMultiple) --------------------
--
-- One handle per attempt, as Node makes: an attempt that fails or times out
-- gives way to a fresh handle for the next address.  The core calls the
-- socket for every handle it owns, so a handle given up is counted: its
-- cancelled connect (ECANCELED) and its close are not the socket's.

local connectmultiple

local function staleclose(self)
  local n = self._staleCloses - 1
  if n > 0 then
    self._staleCloses = n
    return
  end
  self._staleCloses = nil
  self._onclose = nil     -- the class's _onclose again
end

-- Closes a handle the socket gives up, unless it is closing already.
local function retire(self, h)
  if h and h:isopen() then
    h:close()
    self._staleCloses = (self._staleCloses or 0) + 1
    self._onclose = staleclose
  end
end

local function stoptimer(ctx)
  local t = ctx.timer
  if t then
    ctx.timer = nil
    timers.clearTimeout(t)
  end
end

-- An attempt ran out of time: it is abandoned and the next one starts.
local function attempttimeout(ctx, req, h)
  ctx.timer = nil
  local self = ctx.socket
  self:emit("connectionAttemptTimeout", req.address, req.port, req.family)
  self._staleConnects = (self._staleConnects or 0) + 1
  ctx.errors[#ctx.errors + 1] = connecterror(req, UV_ETIMEDOUT)
  retire(self, h)
  if self.connecting then connectmultiple(ctx) end
end

-- Failure of one attempt: remembered, and the next address is tried.
local function attemptfailed(ctx, address, port, family, ex)
  local self = ctx.socket
  ctx.errors[#ctx.errors + 1] = ex
  self:emit("connectionAttemptFailed", address, port, family, ex)
end

connectmultiple = function(ctx, canceled)
  stoptimer(ctx)
  local self = ctx.socket
  local list = ctx.addresses
  if canceled or ctx.current == #list then
    self._autoctx = nil
    if #ctx.errors == 0 then
      self:destroy(make("ERR_SOCKET_CONNECTION_TIMEOUT"))
    else
      self:destroy(aggregate(ctx.errors))
    end
    return
  end
  local current = ctx.current
  ctx.current = current + 1
  if current > 0 then
    retire(self, self._handle)
    Socket._sethandle(self, core.tcp(self))
  end
  local h = self._handle
  local a = list[current + 1]
  local address, family, port = a.address, a.family, ctx.port
  local lp = ctx.localPort
  local la
  if lp then
    la = family == 4 and "0.0.0.0" or "::"
    local ok, _, code = bind(h, la, lp)
    if not ok then
      ctx.errors[#ctx.errors + 1] = errors.hostport(code, "bind", la, lp)
      if self.connecting then connectmultiple(ctx) end
      return
    end
  end
  local bl = self.blockList
  if bl and bl:check(address, "ipv" .. family) then
    attemptfailed(ctx, address, port, family, make("ERR_IP_BLOCKED", address))
    if self.connecting then connectmultiple(ctx) end
    return
  end
  self:emit("connectionAttempt", address, port, family)
  -- A listener may have destroyed the socket (Node would then fail on the
  -- handle it no longer has).
  if not self.connecting or h ~= self._handle then return end
  local tried = self.autoSelectFamilyAttemptedAddresses
  tried[#tried + 1] = address .. ":" .. port
  local req = { address = address, port = port, family = family,
    localAddress = la, localPort = lp }
  ctx.req = req
  self._connectReq = req
  local ok, _, code = tcpconnect(h, address, port, family)
  if not ok then
    attemptfailed(ctx, address, port, family,
      syncconnecterror(h, code, address, port))
    if self.connecting then connectmultiple(ctx) end
    return
  end
  if current < #list - 1 then
    ctx.timer = timers.setTimeout(attempttimeout, ctx.timeout, ctx, req, h)
  end
end

-- The current attempt completed (Node's afterConnectMultiple).
local function afterconnectmultiple(self, ctx, status)
  stoptimer(ctx)
  if status ~= 0 then
    local req = ctx.req
    attemptfailed(ctx, req.address, req.port, req.family,
      connecterror(req, status))
    if self.connecting then connectmultiple(ctx, status == UV_ECANCELED) end
    return
  end
  self._autoctx = nil
  if self.destroyed then return end
  self.connecting = false
  connected(self)
end

--- Connects to the first of `list` ({ address =, family = } tables, in the
-- order to try) that answers: each attempt but the last has `timeout` ms.
-- Called with the socket connecting and holding a fresh TCP handle.
function Socket._connectmultiple(self, list, port, localPort, timeout)
  self.autoSelectFamilyAttemptedAddresses = {}
  local ctx = { socket = self, addresses = list, current = 0, port = port,
    localPort = localPort, timeout = timeout, errors = {} }
  self._autoctx = ctx
  connectmultiple(ctx)
end

-- Called by the core when a connect request completes.
local function onconnect(self, status)
  local stale = self._staleConnects
  if stale and status == UV_ECANCELED then
    -- The request of an attempt given up on a timeout.
    self._staleConnects = stale > 1 and stale - 1 or nil
    return
  end
  local ctx = self._autoctx
  if ctx then return afterconnectmultiple(self, ctx, status) end
  if self.destroyed then return end
  self.connecting = false
  if status == 0 then
    connected(self)
  else
    local req = self._connectReq or {}
    local ex = connecterror(req, status)
    self:emit("connectionAttemptFailed", req.address, req.port,
      req.family, ex)
    self:destroy(ex)
  end
end
core.sethandler("connect", onconnect)

-- Starts the connection on the handle; errors destroy the socket.
local function internalconnect(self, address, port, family)
  if not self.connecting or self.destroyed then return end
  local h = self._handle
  local ok, code, _
  if self._isPipe then
    self._connectReq = { address = address }
    ok, _, code = h:connect(address)
    if ok == "sync" then
      nextTick(onconnect, self, 0)
      return
    end
    if not ok then
      return self:destroy(errors.hostport(code, "connect", address))
    end
    return
  end
  local la, lp = self._localAddress, self._localPort
  if la or lp then
    la = la or (family == 6 and "::" or "0.0.0.0")
    ok, _, code = bind(h, la, lp)
    if not ok then
      return self:destroy(errors.hostport(code, "bind", la, lp))
    end
  end
  self._connectReq = { address = address, port = port, family = family,
    localAddress = la, localPort = lp }
  self:emit("connectionAttempt", address, port, family)
  if self.destroyed or h ~= self._handle then return end
  local bl = self.blockList
  if bl and bl:check(address, "ipv" .. family) then
    return self:destroy(make("ERR_IP_BLOCKED", address))
  end
  ok, _, code = tcpconnect(h, address, port, family)
  if not ok then
    self:destroy(syncconnecterror(h, code, address, port))
  end
end
Socket._internalconnect = internalconnect

-- Resets a destroyed socket's state so it can connect again.
local function undestroy(self)
  for _, k in ipairs({ "destroyed", "closed", "readable", "writable", "errored",
      "_errorEmitted", "_closeEmitted", "_ending", "writableEnded",
      "writableFinished", "_finalCalled", "_prefinished", "_eof",
      "_endEmitted", "_endScheduled", "readableEnded", "_onfinished",
      "_wbuf", "_rbuf", "_closeHadError" }) do
    self[k] = nil
  end
  self._pendingcb = nil
  self._rlen = nil
  self.readableLength = nil
  self.bytesRead = nil
  self.bytesWritten = nil
  self._inflight = nil
  setwlen(self, 0)
end

--- connect(options[, listener]), connect(port[, host][, listener]),
-- connect(path[, listener])
function Socket:connect(...)
  local options, cb = require("uvnet.args").connect(...)
  if self.destroyed then undestroy(self) end
  if self._handle and not self.connecting and not self.destroyed then
    -- Already connected: Node throws nothing and reconnects nothing.
    if cb then self:once("connect", cb) end
    return self
  end
  if options.port == nil and options.path == nil then
    throw("ERR_MISSING_ARGS", { "options", "port", "path" })
  end
  if cb then self:once("connect", cb) end
  self._autoctx = nil
  local path = options.path
  if validate.jstruthy(path) then
    validate.string(path, "options.path")
    Socket._connecthandle(self, true)
    self.connecting = true
    setstate(self)
    internalconnect(self, path)
    return self
  end
  return require("uvnet.dns").lookupandconnect(self, options)
end

-- The handle a connect() uses.  As Node, a socket still connecting keeps
-- its handle, so a second connect() fails there (EALREADY) rather than
-- leave the first handle open; one of the other kind is closed first.
function Socket._connecthandle(self, ispipe)
  local h = self._handle
  if h ~= nil then
    if (self._isPipe or false) == ispipe then return h end
    retire(self, h)
  end
  Socket._sethandle(self, ispipe and core.pipe(self) or core.tcp(self),
    ispipe)
  return self._handle
end

-- Gives the socket its handle; reads go to the onread buffer if it has one.
function Socket._sethandle(self, handle, ispipe)
  self._handle = handle
  self.bufferSize = self.writableLength
  self._isPipe = ispipe or nil
  if self._onreadbuf then handle:setreadbuf(self._onreadbuf) end
  if self._unrefed then handle:unref() end
end

-- Attaches an accepted or adopted handle to a new socket.
function Socket._adopt(self, handle, ispipe)
  Socket._sethandle(self, handle, ispipe)
  setstate(self)
  if not ispipe then addresses(self) end
end

--- Creates a socket: net.Socket([options]).
function Socket.new(options)
  local self = setmetatable({}, Socket)
  -- Node's legacy form: a number is a file descriptor; anything else that
  -- is not a table is ignored.
  if type(options) == "number" then options = { fd = options } end
  if type(options) == "table" then
    local ah = options.allowHalfOpen
    if ah then self.allowHalfOpen = true end
    -- A side turned off is over from the start, as a Duplex stream's.
    if options.readable == false then
      self._readableOff = true
      self.readable = false
      self._eof, self._endEmitted, self.readableEnded = true, true, true
    end
    if options.writable == false then
      self._writableOff = true
      self.writable = false
      self._ending, self.writableEnded, self.writableFinished = true, true, true
    end
    setstate(self)
    local hwm = options.highWaterMark
    if hwm ~= nil then
      -- Node's Duplex checks it under the name of the readable side.
      if not validate.iswhole(hwm) or hwm < 0 then
        throw("ERR_INVALID_ARG_VALUE", "options.readableHighWaterMark", hwm)
      end
      hwm = math.tointeger(hwm)
      self.readableHighWaterMark = hwm
      self.writableHighWaterMark = hwm
    end
    if options.noDelay then self._noDelay = true end
    if options.keepAlive then
      self._keepAlive = true
      -- Milliseconds in, whole seconds to libuv, as Node's ~~(ms / 1000).
      local d = options.keepAliveInitialDelay
      self._keepAliveInitialDelay = type(d) == "number" and d >= 1000
        and math.tointeger(d // 1000) or 0
    end
    local onreadopt = options.onread
    if type(onreadopt) == "table" and type(onreadopt.callback) == "function" then
      local buf = onreadopt.buffer
      if type(buf) == "function" then buf = buf() end
      if math.type(buf) == "integer" then
        buf = core.buffer(validate.int32(buf, "options.onread.buffer", 1))
      end
      if getmetatable(buf) == BUFFER_MT then
        self._onreadbuf = buf
        self._onreadcb = onreadopt.callback
      end
    end
    if validate.jstruthy(options.signal) then
      local abort = require("uvnet.abort")
      local signal = options.signal
      if not abort.isSignal(signal) then
        throw("ERR_INVALID_ARG_TYPE", "signal", "AbortSignal", signal)
      end
      -- Aborting destroys the socket with an AbortError whose cause is the
      -- signal's reason.
      local remove = abort.listen(signal, function(reason)
        self:destroy(errors.abort(reason))
      end)
      self:once("close", remove)
    end
    if validate.jstruthy(options.blockList) then
      if not require("uvnet.blocklist").isBlockList(options.blockList) then
        throw("ERR_INVALID_ARG_TYPE", "options.blockList", "net.BlockList",
          options.blockList)
      end
      self.blockList = options.blockList
    end
    if options.fd ~= nil then
      require("uvnet.args").adoptfd(self, options.fd)
      if not self._readableOff then readmore(self) end
    end
  end
  return self
end

setmetatable(Socket, { __index = EventEmitter, __call = function(_, options)
  return Socket.new(options)
end })

--- Starts reading an accepted socket at once, as Node does.
function Socket._startreading(self, paused)
  if paused then
    self.readableFlowing = false
  else
    readmore(self)
  end
end

-- Address and options --------------------------------------------------------

--- address(): { port, family, address } of the local end.
function Socket:address()
  local h = self._handle
  if h == nil then return {} end
  if self._isPipe then
    -- Node's pipe handles have no address: an empty table, as {} there.
    return {}
  end
  local a, p, f = h:sockname()
  if not a then return {} end
  return { address = a, family = f, port = p }
end

--- setNoDelay([noDelay]): Nagle off (true, the default) or on.
function Socket:setNoDelay(on)
  if on == nil then on = true end
  self._noDelay = on and true or nil
  local h = self._handle
  if h and not self._isPipe and not self.connecting then h:nodelay(on and true) end
  return self
end

--- setKeepAlive([enable][, initialDelay]): initialDelay in ms.
function Socket:setKeepAlive(on, delay)
  on = on and true or false
  -- Node's ~~(msecs / 1000): anything that is not a finite number counts
  -- as 0, and the quotient is cut towards zero.
  local secs = 0
  if type(delay) == "number" and delay == delay and delay > -math.huge
      and delay < math.huge then
    local q = delay / 1000
    secs = math.tointeger(q >= 0 and q // 1 or -(-q // 1)) or 0
  end
  self._keepAlive = on or nil
  self._keepAliveInitialDelay = secs
  local h = self._handle
  if h and not self._isPipe and not self.connecting then h:keepalive(on, secs) end
  return self
end

function Socket:ref()
  local h = self._handle
  if h then h:ref() else self._unrefed = nil end
  return self
end

function Socket:unref()
  local h = self._handle
  if h then h:unref() else self._unrefed = true end
  return self
end

--- pipe(dest[, {["end"] = bool}]): sends everything read to dest, pausing
-- when dest is full and resuming on its 'drain'; ends dest at 'end'.
function Socket:pipe(dest, opts)
  local src = self
  local dt = type(dest)
  if (dt ~= "table" and dt ~= "userdata") or type(dest.on) ~= "function"
      or type(dest.write) ~= "function" then
    throw("ERR_INVALID_ARG_TYPE", "destination", "Stream", dest)
  end
  local doend = not (type(opts) == "table" and opts["end"] == false)
  local function ondata(chunk)
    if dest:write(chunk) == false then src:pause() end
  end
  local function ondrain()
    if src.readableFlowing == false then src:resume() end
  end
  local function onend()
    if doend then dest:finish() end
  end
  local cleanup
  local function onsrcclose() cleanup() end
  cleanup = function()
    src:removeListener("data", ondata)
    dest:removeListener("drain", ondrain)
    src:removeListener("end", onend)
    src:removeListener("close", onsrcclose)
  end
  src:on("data", ondata)
  dest:on("drain", ondrain)
  src:on("end", onend)
  src:on("close", onsrcclose)
  dest:emit("pipe", src)
  src:resume()
  return dest
end

--- Lua's to-be-closed variables stand for Symbol.asyncDispose.
function Socket:__close()
  self:destroy()
end

return Socket
