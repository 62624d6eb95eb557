--- Sequential style: tasks that connect, read, write, accept and sleep.
--
-- A task is a function run in a coroutine that the loop schedules.  The
-- functions of this module suspend the task that calls them, and only that
-- task, until what they wait for has happened on the loop; they work on the
-- ordinary `net.Socket` and `net.Server` objects, through their public
-- events and methods, so event style and task style can share one object.
-- Failures are raised in the task as Lua errors, with the same error
-- objects the `'error'` events carry.
--
-- A task is resumed from a tick (as an awaited promise resolves in a
-- microtask), never from inside the emit that woke it.  Reading puts a
-- socket in paused mode, as Node's async iterator does; bytes the task
-- layer has taken from a socket and not yet handed to a task stay in a
-- queue of its own (see `read`), which goes out as one `'data'` event if
-- the socket is later switched to flowing mode.
--
-- See docs/sequential.md for the model, the mixing rules and examples.
-- @module uvnet.task

local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local timers = require("uvnet.timers")
local core = require("uvnet.core")
local EventEmitter = require("uvnet.emitter")
local Socket = require("uvnet.socket")
local Server = require("uvnet.server")

local type, select, error, pcall = type, select, error, pcall
local setmetatable, getmetatable, rawget, rawset = setmetatable,
  getmetatable, rawget, rawset
local tostring, tonumber = tostring, tonumber
local create, resume, yield, running, costatus, coclose = coroutine.create,
  coroutine.resume, coroutine.yield, coroutine.running, coroutine.status,
  coroutine.close
local pack, unpack, concat, remove = table.pack, table.unpack, table.concat,
  table.remove
local find, sub = string.find, string.sub
local mtype, max, min = math.type, math.max, math.min
local traceback = debug.traceback
local nextTick, setTimeout = timers.nextTick, timers.setTimeout
local make, newerror = errors.make, errors.new
local UV_ETIMEDOUT = core.errno.ETIMEDOUT

local M = {}

-- What a task yields to its scheduler; any other yield is a mistake.
local TOKEN = setmetatable({}, { __name = "uvnet.task.suspend" })

-- The task of each running coroutine.
local tasks = setmetatable({}, { __mode = "k" })

-- Helpers ---------------------------------------------------------------------

-- Whether v is an instance of cls or of a class built on it (tty streams
-- are sockets).
local function isa(v, cls)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  for _ = 1, 8 do
    if mt == cls then return true end
    if type(mt) ~= "table" then return false end
    local up = getmetatable(mt)
    mt = type(up) == "table" and rawget(up, "__index") or nil
  end
  return false
end

local function checksocket(v, name)
  if not isa(v, Socket) then
    errors.throw("ERR_INVALID_ARG_TYPE", name or "socket", "net.Socket", v)
  end
  return v
end

local function checkserver(v)
  if not isa(v, Server) then
    errors.throw("ERR_INVALID_ARG_TYPE", "server", "net.Server", v)
  end
  return v
end

-- The `timeout` of an options table, in ms, or nil.
local function timeoutoption(opts)
  if opts == nil then return nil end
  validate.object(opts, "options")
  local ms = opts.timeout
  if ms == nil then return nil end
  return validate.number(ms, "options.timeout", 0, 2147483647)
end

--- The task running now, or nil outside a task.
-- @treturn ?Task
function M.current()
  return tasks[running()]
end

-- The running task; what (a function name) may not be called outside one.
local function current(what)
  local task = tasks[running()]
  if task == nil then
    error(newerror("Error", "ERR_UVNET_NOT_IN_TASK", what
      .. " suspends the running task and must be called inside one"
      .. " (net.spawn)"), 0)
  end
  return task
end

-- Waiting ---------------------------------------------------------------------
--
-- An operation (`op`) is one call of a suspending function: `task`, and
-- `waiting` while the task is suspended in it.  It waits in the `waiters`
-- list of a state (a socket's, a server's, a task's) until that state
-- notifies, or until a timer or a cancellation interrupts it.  Woken, the
-- task looks again at the object and either returns or waits again.

local step

local function newop(task)
  return { task = task, waiting = false }
end

-- Takes op out of the waiters of its state.
local function unpark(op)
  local S = op.state
  if S == nil then return end
  op.state = nil
  local w = S._waiters
  for i = 1, #w do
    if w[i] == op then
      remove(w, i)
      return
    end
  end
end

-- Resumes the task of op on the next tick with (ok, err).
local function wake(op, ok, err)
  if not op.waiting then return false end
  op.waiting = false
  unpark(op)
  local task = op.task
  task._op = nil
  nextTick(step, task, ok, err)
  return true
end

-- Wakes every task waiting on state S, in the order they began to wait.
local function notify(S)
  local w = S._waiters
  if #w == 0 then return end
  S._waiters = {}
  for i = 1, #w do
    local op = w[i]
    op.state = nil
    wake(op, true)
  end
end

-- Ends op's wait with err raised in its task; a timeout that comes while
-- the task is about to be resumed anyway is kept for its next wait.
local function interrupt(op, err)
  if not wake(op, false, err) then op.failure = err end
end

-- Suspends the running task in op, waiting on state S (if given).
local function suspend(op, S)
  local task = op.task
  local c = task._cancel
  if c ~= nil then
    task._cancel = nil
    error(c, 0)
  end
  local f = op.failure
  if f ~= nil then
    op.failure = nil
    error(f, 0)
  end
  if S then
    local w = S._waiters
    w[#w + 1] = op
    op.state = S
  end
  op.waiting = true
  task._op = op
  local ok, err = yield(TOKEN)
  if not ok then error(err, 0) end
end

-- Task ------------------------------------------------------------------------

--- A function running as a task: an EventEmitter with `'done'` and
-- `'error'` events and a `status` field.
-- @type Task
local Task = setmetatable({}, { __index = EventEmitter })
Task.__index = Task
Task.__name = "Task"
M.Task = Task

local FINAL = { done = true, failed = true, cancelled = true }

-- The task has ended: its to-be-closed variables are closed, joiners and
-- listeners hear of it, and an error nobody handles stops the loop.
local function settle(task, ok, r)
  local co = task._co
  task._co = nil
  if ok then
    task.status = "done"
    task._results = r
    notify(task)
    task:emit("done", unpack(r, 2, r.n))
    return
  end
  local err = r
  -- The task's own traceback, taken before its stack goes away.
  local where = traceback(co, type(err) == "string" and err
    or tostring(err))
  local closed, cerr = coclose(co)
  if not closed and cerr ~= err then
    -- A __close handler raised: that error takes the place of the first.
    err = cerr
    where = type(err) == "string" and (err .. "\n(raised while closing the"
      .. " task's variables)") or where
  end
  if type(err) == "table" and rawget(err, "stack") == nil then
    rawset(err, "stack", where)
  end
  local cancelled = task._cancelerrs ~= nil and task._cancelerrs[err] == true
  task.status = cancelled and "cancelled" or "failed"
  task.error = err
  local joined = #task._waiters > 0
  notify(task)
  if task:listenerCount("error") > 0 then
    task:emit("error", err)
  elseif not joined and not cancelled then
    -- Unhandled: stops the loop, and net.run() raises it.
    if type(err) == "string" then error(where, 0) end
    error(err, 0)
  end
end

-- Resumes the task's coroutine with the values given.
step = function(task, ...)
  local co = task._co
  if co == nil or costatus(co) ~= "suspended" then return end
  task.status = "running"
  local r = pack(resume(co, ...))
  if costatus(co) == "dead" then
    if r[1] then return settle(task, true, r) end
    return settle(task, false, r[2])
  end
  task.status = "suspended"
  if r[2] ~= TOKEN then
    -- coroutine.yield called by the task's own code, not by this module.
    settle(task, false, newerror("Error", "ERR_UVNET_FOREIGN_YIELD",
      "A task called coroutine.yield; only uvnet.task functions may suspend"
      .. " a task"))
  end
end

local function start(task, args)
  local c = task._cancel
  if c ~= nil then
    -- Cancelled before it ran: the function never starts.
    task._cancel = nil
    return settle(task, false, c)
  end
  step(task, unpack(args, 1, args.n))
end

--- Runs `fn(...)` as a task, from the next tick on.
-- @tparam function fn the task's body
-- @param ... its arguments
-- @treturn Task
function M.spawn(fn, ...)
  validate.func(fn, "fn")
  local co = create(fn)
  local task = setmetatable({ status = "pending", _co = co, _waiters = {} },
    Task)
  tasks[co] = task
  nextTick(start, task, pack(...))
  return task
end

--- join(): waits (inside another task) until this task ends; returns what
-- its function returned, or raises its error.  A task that is joined when
-- it fails does not stop the loop with its error.
function Task:join()
  local me = current("join")
  if me == self then
    error(make("ERR_INVALID_STATE", "a task cannot join itself"), 0)
  end
  local op
  while not FINAL[self.status] do
    op = op or newop(me)
    suspend(op, self)
  end
  if self.status == "done" then
    local r = self._results
    return unpack(r, 2, r.n)
  end
  error(self.error, 0)
end

--- cancel([reason]): raises an AbortError (code `ABORT_ERR`, `cause` =
-- reason) in the task where it is suspended, or at its next suspension if
-- it is running or about to be resumed; a task that has not started never
-- runs.  Returns false if the task had already ended.
function Task:cancel(reason)
  if FINAL[self.status] then return false end
  local err = errors.abort(reason)
  -- Each cancel's error counts as a cancellation, should several be on
  -- their way before the task sees the first.
  local mine = self._cancelerrs
  if mine == nil then
    mine = setmetatable({}, { __mode = "k" })
    self._cancelerrs = mine
  end
  mine[err] = true
  local op = self._op
  if not (op and wake(op, false, err)) then self._cancel = err end
  return true
end

--- A task held in a to-be-closed variable is cancelled when it goes out of
-- scope.
function Task:__close()
  self:cancel()
end

-- Sleeping --------------------------------------------------------------------

--- sleep(ms): suspends the running task for ms milliseconds (a timer, as
-- `net.setTimeout`'s: 0 and fractions count as at least 1).
function M.sleep(ms)
  local task = current("sleep")
  ms = validate.number(ms, "delay", 0, 2147483647)
  local op = newop(task)
  local _ <close> = setTimeout(wake, ms, op, true)
  suspend(op)
end

-- Socket state ----------------------------------------------------------------
--
-- One per socket a task has used: the waiting tasks, and the bytes taken
-- from the socket but not yet returned by a read, as a queue of chunks
-- (q[qh..qt], the first read from offset `off`; `n` bytes in all; `scan`
-- of them already searched for a line end).

local socks = setmetatable({}, { __mode = "k" })

local function clearheld(S)
  S.q, S.qh, S.qt, S.off, S.n, S.scan = {}, 1, 0, 1, 0, 0
end

local function hold(S, d)
  local t = S.qt + 1
  S.q[t] = d
  S.qt = t
  S.n = S.n + #d
end

-- Takes k bytes (at most S.n) from the front of the held bytes.
local function take(S, k)
  if k <= 0 then return "" end
  local q, h, off = S.q, S.qh, S.off
  local first, parts
  local need = k
  while need > 0 do
    local c = q[h]
    local left = #c - off + 1
    local piece
    if left <= need then
      piece = off == 1 and c or sub(c, off)
      q[h] = nil
      h, off = h + 1, 1
      need = need - left
    else
      piece = sub(c, off, off + need - 1)
      off = off + need
      need = 0
    end
    if first == nil then
      first = piece
    else
      parts = parts or { first }
      parts[#parts + 1] = piece
    end
  end
  S.n = S.n - k
  S.scan = 0
  if h > S.qt then
    S.qh, S.qt, S.off = 1, 0, 1
  else
    S.qh, S.off = h, off
  end
  return parts and concat(parts) or first
end

-- The number of held bytes up to and including the first "\n", or nil.
local function findnl(S)
  local q, skip, base = S.q, S.scan, 0
  for i = S.qh, S.qt do
    local c = q[i]
    local from = i == S.qh and S.off or 1
    local len = #c - from + 1
    if base + len > skip then
      local p = find(c, "\n", from + max(0, skip - base), true)
      if p then return base + p - from + 1 end
    end
    base = base + len
  end
  S.scan = S.n
  return nil
end

-- The socket starts flowing: the bytes held here go first, as one 'data'
-- event (the 'resume' event comes just before the socket's own buffer
-- flows), so switching from tasks to events loses nothing.
local function handoff(S, sock)
  if S.n > 0 then
    local held = take(S, S.n)
    sock:emit("data", held)
  end
end

local function sockstate(sock)
  local S = socks[sock]
  if S then return S end
  S = { _waiters = {} }
  clearheld(S)
  socks[sock] = S
  local function changed() notify(S) end
  -- Errors go to the tasks (the one waiting, or the next operation), not
  -- to the loop: this listener handles them.
  sock:on("error", function(err)
    S.err = err
    notify(S)
  end)
  sock:on("close", changed)
  sock:on("end", changed)
  sock:on("drain", changed)
  sock:on("connect", function()
    -- A new connection: nothing of an earlier one counts any more.
    S.err = nil
    clearheld(S)
    notify(S)
  end)
  sock:on("resume", function()
    handoff(S, sock)
    notify(S)
  end)
  sock:on("timeout", function()
    if sock.connecting then S.timedout = true end
    notify(S)
  end)
  sock:on("connectionAttempt", function(ip, port)
    S.ip, S.port = ip, port
  end)
  return S
end

local function failure(S, sock)
  return sock.errored or S.err
end

-- Connecting ------------------------------------------------------------------

-- The ETIMEDOUT of a connect that got no answer in time.
local function connecttimeout(S, options)
  local address, port = S.ip, S.port
  if address == nil then
    address = options.path or options.host or "localhost"
    port = options.port
  end
  return errors.hostport(UV_ETIMEDOUT, "connect", address,
    mtype(port) == "integer" and port or tonumber(port))
end

local function awaitconnect(op, S, sock, options)
  while true do
    local err = failure(S, sock)
    if err then error(err, 0) end
    if sock.destroyed then
      error(make("ERR_SOCKET_CLOSED_BEFORE_CONNECTION"), 0)
    end
    if not sock.connecting and not sock.pending then return end
    if S.timedout then
      local e = connecttimeout(S, options)
      sock:destroy(e)
      error(e, 0)
    end
    suspend(op, S)
  end
end

--- connect(...): connects and returns the socket once it is connected.
-- Takes `net.connect`'s arguments (options, port and host, or a path), or
-- a `net.Socket` followed by `socket:connect`'s.  Raises the error the
-- socket's `'error'` event carries (ECONNREFUSED, ENOTFOUND, ...); with
-- the `timeout` option, a socket that has not connected when its
-- `'timeout'` comes is destroyed and the call raises `connect ETIMEDOUT`.
-- If the task is cancelled meanwhile, the socket is destroyed with the
-- AbortError.
-- @treturn net.Socket
function M.connect(...)
  local task = current("connect")
  local sock, options
  local first = ...
  local args = require("uvnet.args")
  if isa(first, Socket) then
    sock = first
    options = args.normalize(select(2, ...))
    sock:connect(select(2, ...))
  else
    options = args.normalize(...)
    sock = require("uvnet").connect(...)
  end
  local S = sockstate(sock)
  S.err, S.timedout, S.ip, S.port = nil, false, nil, nil
  local op = newop(task)
  local ok, err = pcall(awaitconnect, op, S, sock, options)
  if not ok then
    if not sock.destroyed then sock:destroy(err) end
    error(err, 0)
  end
  return sock
end

-- Reading ---------------------------------------------------------------------

local CHUNK, COUNT, LINE, KEEPLINE, ALL = 1, 2, 3, 4, 5
local FORMATS = { l = LINE, L = KEEPLINE, a = ALL, ["*l"] = LINE,
  ["*L"] = KEEPLINE, ["*a"] = ALL }

local function readformat(fmt)
  if fmt == nil then return CHUNK end
  if type(fmt) == "number" then
    return COUNT, validate.integer(fmt, "format", 0)
  end
  local kind = FORMATS[fmt]
  if kind == nil then
    if type(fmt) ~= "string" then
      errors.throw("ERR_INVALID_ARG_TYPE", "format", { "string", "number" },
        fmt)
    end
    validate.oneof(fmt, "format", { "l", "L", "a", "*l", "*L", "*a" })
  end
  return kind
end

local function flowingerror()
  return newerror("Error", "ERR_UVNET_SOCKET_FLOWING", "The socket is in"
    .. " flowing mode: its data goes to 'data' listeners, so a task cannot"
    .. " read it (pause() it first)")
end

-- Moves everything the socket has buffered to the held bytes.  The last
-- socket:read() returns nil, which asks the socket for a 'readable' when
-- more comes.
local function pull(S, sock)
  if sock.destroyed then return end
  while true do
    local d = sock:read()
    if d == nil then return end
    if d ~= "" then hold(S, d) end
  end
end

local function stripline(line)
  if sub(line, -2) == "\r\n" then return sub(line, 1, -3) end
  if sub(line, -1) == "\n" then return sub(line, 1, -2) end
  return line
end

-- One attempt at a read: true and the result, or false when it must wait.
local function tryread(S, sock, kind, n)
  if kind == CHUNK and S.n == 0 and not sock.destroyed then
    local d = sock:read()
    while d == "" do d = sock:read() end
    if d then return true, d end
  else
    pull(S, sock)
    if kind == CHUNK then
      if S.n > 0 then return true, take(S, S.n) end
    elseif kind == COUNT then
      if S.n >= n and (n > 0 or S.n > 0) then return true, take(S, n) end
    elseif kind == LINE or kind == KEEPLINE then
      local k = findnl(S)
      if k then
        local line = take(S, k)
        return true, kind == LINE and stripline(line) or line
      end
    end
  end
  local err = failure(S, sock)
  if err then error(err, 0) end
  if sock.readableEnded then
    if kind == ALL then return true, take(S, S.n) end
    if S.n == 0 then return true, nil end
    if kind == COUNT then return true, take(S, min(n, S.n)) end
    return true, take(S, S.n)
  end
  if sock.destroyed then
    error(newerror("Error", "ERR_STREAM_PREMATURE_CLOSE", "Premature close"), 0)
  end
  if sock.readableFlowing then error(flowingerror(), 0) end
  return false
end

--- read(socket[, format][, options]): reads from the socket, as io.read
-- reads a file.  `format`:
--
-- - nil: the next chunk, whatever has arrived (at least one byte);
-- - n (an integer): n bytes, fewer only at the end of the input; 0 waits
--   until there is something to read and returns "";
-- - "l": a line, without its end ("\n" or "\r\n"); "L": with it;
-- - "a": everything until the end of the input ("" if nothing is left).
--
-- At the end of the input every format but "a" returns nil.  An error of
-- the socket is raised (the same object as its 'error' event's, also for
-- later reads), and so is ERR_STREAM_PREMATURE_CLOSE for a socket
-- destroyed before its input ended.  `options.timeout` (ms) bounds the
-- wait: the call raises `read ETIMEDOUT` and nothing is lost.  A socket
-- in flowing mode (a 'data' listener, pipe() or resume()) cannot be read
-- here: ERR_UVNET_SOCKET_FLOWING.
-- @treturn ?string
function M.read(sock, fmt, opts)
  local task = current("read")
  checksocket(sock)
  if type(fmt) == "table" and opts == nil then fmt, opts = nil, fmt end
  local kind, n = readformat(fmt)
  local ms = timeoutoption(opts)
  if sock.readableFlowing then error(flowingerror(), 0) end
  local S = sockstate(sock)
  if not S.reading then
    -- Paused mode with read(), as Node's async iterator reads: each
    -- 'readable' wakes the waiting task.
    S.reading = true
    sock:on("readable", function() notify(S) end)
  end
  local op = newop(task)
  local _ <close> = ms and setTimeout(interrupt, ms, op,
    errors.errno(UV_ETIMEDOUT, "read")) or nil
  while true do
    local done, value = tryread(S, sock, kind, n)
    if done then return value end
    suspend(op, S)
  end
end

--- lines(socket[, format][, options]): an iterator over the lines (or
-- whatever `format` reads, default "l") until the end of the input, as
-- io.lines.
function M.lines(sock, fmt, opts)
  checksocket(sock)
  if type(fmt) == "table" and opts == nil then fmt, opts = nil, fmt end
  fmt = fmt or "l"
  readformat(fmt)
  timeoutoption(opts)
  return function() return M.read(sock, fmt, opts) end
end

--- held(socket): returns the bytes the task layer has taken from the
-- socket and not returned yet (and forgets them), without waiting; "" if
-- none.
function M.held(sock)
  checksocket(sock)
  local S = socks[sock]
  if S == nil then return "" end
  return take(S, S.n)
end

-- Writing ---------------------------------------------------------------------

--- write(socket, data[, encoding]): writes as socket:write does and, when
-- that returns false, waits for 'drain'.  Raises the socket's error (EPIPE,
-- ECONNRESET, ERR_STREAM_WRITE_AFTER_END, ...), also one that came before.
-- Returns the socket.
function M.write(sock, data, enc)
  local task = current("write")
  checksocket(sock)
  local S = sockstate(sock)
  local err = failure(S, sock)
  if err then error(err, 0) end
  if sock.destroyed then error(make("ERR_STREAM_DESTROYED", "write"), 0) end
  if sock:write(data, enc) then return sock end
  local op
  while true do
    err = failure(S, sock)
    if err then error(err, 0) end
    if not sock.writableNeedDrain then return sock end
    if sock.destroyed then error(make("ERR_STREAM_DESTROYED", "write"), 0) end
    op = op or newop(task)
    suspend(op, S)
  end
end

-- Waits for a write or end callback: cb is what to hand the socket.
local function awaitcallback(task, begin)
  local op = newop(task)
  local called, cerr = false, nil
  begin(function(e)
    called, cerr = true, e
    wake(op, true)
  end)
  -- The socket calls it in every case, with the error if the data or the
  -- end could not go out (also when it is destroyed first).
  while not called do suspend(op) end
  if cerr then error(cerr, 0) end
end

--- flush(socket): waits until everything written so far has been handed
-- to the system (a zero-length write's callback).  Raises the write error.
-- Returns the socket.
function M.flush(sock)
  local task = current("flush")
  checksocket(sock)
  local S = sockstate(sock)
  local err = failure(S, sock)
  if err then error(err, 0) end
  awaitcallback(task, function(cb) sock:write("", cb) end)
  return sock
end

--- finish(socket[, data[, encoding]]): Node's end(): writes data, ends
-- the writing side and waits until it is done ('finish'); raises the error
-- end()'s callback gets.  Returns the socket.
function M.finish(sock, data, enc)
  local task = current("finish")
  checksocket(sock)
  sockstate(sock)
  awaitcallback(task, function(cb)
    if data == nil then
      sock:finish(cb)
    else
      sock:finish(data, enc, cb)
    end
  end)
  return sock
end

-- Servers ---------------------------------------------------------------------
--
-- One state per server a task has used: connections that arrived while no
-- task waited in accept(), and the waiting tasks.

local servers = setmetatable({}, { __mode = "k" })

-- Connections queued and never accepted are destroyed when the server
-- closes: no task will take them, and they would keep 'close' away.
local function dropqueue(SS)
  local q = SS.queue
  SS.queue = {}
  for i = 1, #q do q[i]:destroy() end
end

-- server:close(), seen from here (server.lua calls _onclosing): waiting
-- accepts wake up and get nil.
local function onclosing(self)
  local SS = servers[self]
  if SS and not self.listening then
    SS.closed = true
    dropqueue(SS)
    notify(SS)
  end
end

local function serverstate(server)
  local SS = servers[server]
  if SS then return SS end
  SS = { _waiters = {}, queue = {}, closed = false }
  servers[server] = SS
  server:on("connection", function(c)
    sockstate(c)
    local q = SS.queue
    q[#q + 1] = c
    notify(SS)
  end)
  server:on("error", function(err)
    SS.err = err
    notify(SS)
  end)
  server:on("listening", function()
    SS.closed = false
    notify(SS)
  end)
  server:on("close", function()
    SS.closed = true
    notify(SS)
  end)
  server._onclosing = onclosing
  return SS
end

--- listen(...): makes a server listen and returns it once it does.  Takes
-- a `net.Server` followed by `server:listen`'s arguments, or just those
-- arguments (a new server is made).  Raises the listen error (EADDRINUSE,
-- EACCES, ...).  From now on the server queues its connections for
-- `accept`.
-- @treturn net.Server
function M.listen(...)
  local task = current("listen")
  local server = ...
  if isa(server, Server) then
    server:listen(select(2, ...))
  else
    server = Server.new()
    server:listen(...)
  end
  local SS = serverstate(server)
  SS.err = nil
  local op = newop(task)
  local ok, err = pcall(function()
    while not server.listening do
      if SS.err then return end
      suspend(op, SS)
    end
  end)
  if SS.err then
    -- The server's own error: it is not listening, nothing to undo.
    err = SS.err
    SS.err = nil
    error(err, 0)
  end
  if not ok then
    -- Cancelled while it was binding or looking up its host: as Node's
    -- AbortSignal does to a server, close it.
    server:close()
    error(err, 0)
  end
  return server
end

--- accept(server[, options]): returns the next connection, a net.Socket,
-- waiting for one if none is queued; returns nil once the server has been
-- closed.  Raises an accept error the server emitted, ERR_SERVER_NOT_RUNNING
-- for a server that is not listening (listen first: `listen` returns when
-- it does), and `accept ETIMEDOUT` after `options.timeout` ms.
-- @treturn ?net.Socket
function M.accept(server, opts)
  local task = current("accept")
  checkserver(server)
  local ms = timeoutoption(opts)
  local SS = serverstate(server)
  local op = newop(task)
  local _ <close> = ms and setTimeout(interrupt, ms, op,
    errors.errno(UV_ETIMEDOUT, "accept")) or nil
  while true do
    local q = SS.queue
    if #q > 0 then return remove(q, 1) end
    local err = SS.err
    if err then
      SS.err = nil
      error(err, 0)
    end
    if not server.listening then
      if SS.closed then return nil end
      error(make("ERR_SERVER_NOT_RUNNING"), 0)
    end
    suspend(op, SS)
  end
end

return M
