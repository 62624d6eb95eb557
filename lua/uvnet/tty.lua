--- Node's `tty` module: terminals as streams served by the loop.
--
-- `ReadStream` and `WriteStream` are net Sockets over a libuv terminal
-- handle, as in Node 22: a ReadStream reads only once something consumes
-- it ('data' listener, `resume()`, `read()`), and a WriteStream writes
-- synchronously, so output is neither interleaved nor lost at exit.  The
-- terminal settings from before the first `setRawMode(true)` come back
-- when the process exits.
-- @module uvnet.tty

local core = require("uvnet.core")
local errors = require("uvnet.errors")
local validate = require("uvnet.validate")
local Socket = require("uvnet.socket")
local signal = require("uvnet.signal")

local type, pairs, setmetatable = type, pairs, setmetatable
local tointeger = math.tointeger

local INT32_MAX = 2147483647

local M = {}

-- A whole number from 0 to 2^31 - 1 (a float with a whole value counts),
-- or nil.
local function asfd(fd)
  local n = type(fd) == "number" and tointeger(fd)
  if n and n >= 0 and n <= INT32_MAX then return n end
  return nil
end

-- Node's check `fd >> 0 !== fd || fd < 0`.
local function checkfd(fd)
  local n = asfd(fd)
  if n == nil then
    error(errors.new("RangeError", "ERR_INVALID_FD",
      '"fd" must be a positive integer: ' .. errors.formats(fd)), 0)
  end
  return n
end

-- Node's ERR_TTY_INIT_FAILED, a SystemError with the libuv error in `info`.
local function initfailed(status)
  local code, text = core.errname(status), core.strerror(status)
  local e = errors.new("SystemError", "ERR_TTY_INIT_FAILED",
    ("TTY initialization failed: uv_tty_init returned %s (%s)")
      :format(code, text))
  e.info = { errno = status, code = code, message = text,
    syscall = "uv_tty_init" }
  e.errno = status
  e.syscall = "uv_tty_init"
  return e
end

-- A terminal handle owned by the socket, which takes it as its handle.
local function attach(sock, fd, readable)
  local h, _, status = core.tty(sock, fd, readable)
  if not h then
    -- Undo what the socket's options set up (an AbortSignal listener).
    sock:destroy()
    error(initfailed(status), 0)
  end
  -- Like a pipe, a terminal has no address, no TCP options, no reset.
  Socket._adopt(sock, h, true)
  return h
end

--- isatty(fd): whether fd is an open terminal; false for anything that
-- is not a whole number from 0 to 2^31 - 1, as in Node.
function M.isatty(fd)
  local n = asfd(fd)
  return n ~= nil and core.guesshandle(n) == "TTY"
end

-- ReadStream -----------------------------------------------------------------

--- tty.ReadStream: the reading side of a terminal.
-- @type ReadStream
local ReadStream = setmetatable({}, { __index = Socket,
  __call = function(cls, fd, options) return cls.new(fd, options) end })
ReadStream.__index = ReadStream
ReadStream.__name = "ReadStream"
ReadStream.__close = Socket.__close
ReadStream.isTTY = true
ReadStream.isRaw = false

--- ReadStream(fd[, options]): fd is a terminal (a pipe or socket works
-- too, as in Node, but cannot be put in raw mode); options are those of
-- net.Socket.  Raises ERR_INVALID_FD for a bad fd and ERR_TTY_INIT_FAILED
-- when fd is a file or not open.
function ReadStream.new(fd, options)
  fd = checkfd(fd)
  local opts = {}
  if type(options) == "table" then
    for k, v in pairs(options) do opts[k] = v end
  end
  -- The handle is made here, not from an fd option.
  opts.fd = nil
  local self = setmetatable(Socket.new(opts), ReadStream)
  attach(self, fd, true)
  return self
end

--- setRawMode(mode): raw mode (bytes arrive one at a time, without echo
-- or line editing, and Ctrl+C is a byte, not SIGINT) when mode is truthy,
-- the terminal's normal mode otherwise.  A failure is emitted as 'error'
-- (`setRawMode ENOTTY` on a pipe) and leaves isRaw as it was.
function ReadStream:setRawMode(mode)
  local flag = validate.jstruthy(mode)
  local h = self._handle
  if h then
    local ok, _, status = h:setmode(flag and "raw" or "normal")
    if not ok then
      self:emit("error", errors.errno(status, "setRawMode"))
      return self
    end
  end
  self.isRaw = flag
  return self
end

M.ReadStream = ReadStream

-- WriteStream ----------------------------------------------------------------

--- tty.WriteStream: the writing side of a terminal.
-- @type WriteStream
local WriteStream = setmetatable({}, { __index = Socket,
  __call = function(cls, fd) return cls.new(fd) end })
WriteStream.__index = WriteStream
WriteStream.__name = "WriteStream"
WriteStream.__close = Socket.__close
WriteStream.isTTY = true

--- WriteStream(fd): fd is a terminal.  `columns` and `rows` hold its size
-- (nil when fd is not a terminal), kept up to date on SIGWINCH, with a
-- 'resize' event when they change.
function WriteStream.new(fd)
  fd = checkfd(fd)
  local self = setmetatable(Socket.new(), WriteStream)
  local h = attach(self, fd, false)
  -- As Node: writes finish before write() returns.
  h:setblocking(true)
  local cols, rows = h:winsize()
  if cols then
    self.columns, self.rows = cols, rows
    -- Node refreshes process.stdout and process.stderr on SIGWINCH; here
    -- every terminal WriteStream does.  The watcher does not keep the loop
    -- alive and stops with the stream.
    local watcher = signal.on("SIGWINCH", function()
      if self._handle then self:_refreshSize() end
    end)
    self:once("close", function() watcher:close() end)
  end
  return self
end

--- getWindowSize(): `{ columns, rows }`, as last read.
function WriteStream:getWindowSize()
  return { self.columns, self.rows }
end

--- _refreshSize(): reads the size again; emits 'resize' when it changed,
-- 'error' (`getWindowSize ENOTTY`, ...) when it cannot be read.
function WriteStream:_refreshSize()
  local h = self._handle
  if h == nil then return end
  local cols, rows, status = h:winsize()
  if not cols then
    self:emit("error", errors.errno(status, "getWindowSize"))
    return
  end
  if cols ~= self.columns or rows ~= self.rows then
    self.columns, self.rows = cols, rows
    self:emit("resize")
  end
end

M.WriteStream = WriteStream

return M
