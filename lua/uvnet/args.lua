--- Argument forms shared by connect() and listen(), as Node normalises them.
-- @module uvnet.args

local validate = require("uvnet.validate")
local errors = require("uvnet.errors")

local type, select = type, select
local jstonumber = validate.jstonumber

local M = {}

--- Node's isPipeName: a string that does not read as a port number.
local function ispipename(s)
  if type(s) ~= "string" then return false end
  local n = jstonumber(s)
  return n ~= n or n < 0
end
M.ispipename = ispipename

--- normalizeArgs: (options[, cb]), (path[, cb]) or (port[, host][, cb]).
-- Returns the options table (a new one unless given) and the callback.
function M.normalize(...)
  local n = select("#", ...)
  local cb = n > 0 and select(n, ...) or nil
  if type(cb) ~= "function" then cb = nil end
  if n == 0 then return {}, nil end
  local arg0, arg1 = ...
  local options
  if type(arg0) == "table" then
    options = arg0
  elseif ispipename(arg0) then
    options = { path = arg0 }
  else
    options = { port = arg0 }
    if n > 1 and type(arg1) == "string" then options.host = arg1 end
  end
  return options, cb
end

--- For Socket:connect: the options and the callback.
function M.connect(...)
  return M.normalize(...)
end

--- Makes a socket adopt an existing file descriptor (options.fd).
function M.adoptfd(sock, fd)
  local core = require("uvnet.core")
  fd = validate.int32(fd, "fd", 0)
  local kind = M.fdtype(fd)
  local h, name, code
  if kind == "TCP" then
    h = core.tcp(sock)
  elseif kind == "PIPE" then
    h = core.pipe(sock)
  else
    errors.throw("ERR_INVALID_FD_TYPE", kind)
  end
  local ok
  ok, name, code = h:open(fd)
  if not ok then
    h:close()
    error(errors.errno(code, "open"), 0)
  end
  sock:_adopt(h, kind == "PIPE")
  return name
end

--- The kind of a file descriptor, as Node's guessHandleType names it.
function M.fdtype(fd)
  local core = require("uvnet.core")
  return core.guesshandle(fd)
end

return M
