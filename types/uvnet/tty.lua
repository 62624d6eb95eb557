---@meta uvnet.tty
-- LuaLS definitions for terminals, require("uvnet.tty") (lua/uvnet/tty.lua,
-- docs/api.md "Terminals").  Editors only: nothing here runs.
-- spec/meta_spec.lua checks these names against the real module.

---A terminal read as a socket: paused until read, `setRawMode` for keys
---one at a time.  `tty.ReadStream(fd)` and `tty.ReadStream.new(fd)`.
---@class uvnet.tty.ReadStream: uvnet.Socket
---@field isTTY true
---@field isRaw boolean Whether raw mode is on.
---@overload fun(fd: integer, options?: table): uvnet.tty.ReadStream
local ReadStream = {}

---@param fd integer A terminal's file descriptor (0 for stdin).
---@param options? table Socket options.
---@return uvnet.tty.ReadStream
function ReadStream.new(fd, options) end

---Raw mode on (keys arrive one at a time, unechoed) or off; a failure is
---emitted as 'error' (`setRawMode ENOTTY`).  The terminal's settings are
---put back at exit.
---@param mode boolean
---@return uvnet.tty.ReadStream
function ReadStream:setRawMode(mode) end

---The events of a terminal WriteStream: a socket's, and 'resize'.
---@alias uvnet.tty.WriteStreamEvent
---| "resize" # () the window's size changed (columns and rows hold it)
---| uvnet.SocketEvent

---A terminal written as a socket; its writes block, as in Node.  Emits
---'resize' when the window's size changes.  `tty.WriteStream(fd)`.
---@class uvnet.tty.WriteStream: uvnet.Socket
---@field isTTY true
---@field columns integer The window's width in characters.
---@field rows integer The window's height in lines.
---@overload fun(fd: integer): uvnet.tty.WriteStream
local WriteStream = {}

---@param fd integer A terminal's file descriptor (1 for stdout).
---@return uvnet.tty.WriteStream
function WriteStream.new(fd) end

---`{ columns, rows }`, as last read.
---@return integer[]
function WriteStream:getWindowSize() end

---The module `require("uvnet.tty")`, Node's `tty`.
---@class uvnet.tty
---@field ReadStream uvnet.tty.ReadStream
---@field WriteStream uvnet.tty.WriteStream
local tty = {}

---Whether fd is a terminal.
---@param fd integer
---@return boolean
function tty.isatty(fd) end

return tty
