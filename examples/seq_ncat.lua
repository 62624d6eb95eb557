--- A netcat in the sequential style (uvnet.task): copies standard input to
-- a connection and the connection to standard output.
--
--   uvnet examples/seq_ncat.lua host port           connect over TCP
--   uvnet examples/seq_ncat.lua -U path             connect to a Unix socket
--   uvnet examples/seq_ncat.lua -l [port] [host]    listen (port 0: any free
--                                                   port; host 127.0.0.1)
--   uvnet examples/seq_ncat.lua -l -U path          listen on a Unix socket
--
-- Listening, it prints where it listens (to stderr: stdout carries the
-- data), takes one connection and stops listening.  Two tasks then copy the
-- data: one from stdin to the connection (at the end of stdin it ends its
-- side of the connection, as `nc -N` does), the other from the connection
-- to stdout; when the peer ends the connection, the program exits.
--
-- Standard input is read through a net.Socket when it is a pipe or a
-- socket, through uvnet.tty's ReadStream when it is a terminal, and with
-- io.read when it is a file (a file never makes the loop wait long).
-- Standard output likewise (tty.WriteStream for a terminal).
--
-- On SIGINT or SIGTERM the main task is cancelled: the connection, the
-- server and the standard streams are closed by their <close> variables,
-- and the program exits with status 0.  Bad arguments exit with status 2, a
-- failed connect or listen with 1.
local net = require("uvnet")
local task = require("uvnet.task")

local format = string.format
local tonumber, tostring, pcall = tonumber, tostring, pcall
local stderr = io.stderr

local has_tty, tty = pcall(require, "uvnet.tty")
if not has_tty then tty = nil end

local USAGE = "usage: seq_ncat.lua host port | -U path | -l [port] [host]"
  .. " | -l -U path\n"

local function usage(problem)
  if problem then stderr:write("seq_ncat.lua: ", problem, "\n") end
  stderr:write(USAGE)
  os.exit(2)
end

local function fail(err)
  stderr:write("seq_ncat.lua: ", tostring(err), "\n")
  os.exit(1)
end

-- The command line.
local listen, unix = false, false
local words = {}
for _, a in ipairs(arg) do
  if a == "-l" then
    listen = true
  elseif a == "-U" then
    unix = true
  elseif a == "-h" or a == "--help" then
    io.stdout:write(USAGE)
    os.exit(0)
  elseif a:sub(1, 1) == "-" and a ~= "-" then
    usage("unknown option " .. a)
  else
    words[#words + 1] = a
  end
end

local where                       -- listen()'s or connect()'s arguments
if unix then
  if #words ~= 1 then usage("-U takes one path") end
  where = { path = words[1] }
elseif listen then
  if #words > 2 then usage("too many arguments") end
  where = { port = 0, host = "127.0.0.1" }
  for _, w in ipairs(words) do
    if w:match("^%d+$") then where.port = tonumber(w) else where.host = w end
  end
  if where.port > 65535 then usage("the port must be from 0 to 65535") end
else
  if #words ~= 2 or not words[2]:match("^%d+$") then usage() end
  where = { host = words[1], port = tonumber(words[2]) }
  if where.port < 1 or where.port > 65535 then
    usage("the port must be from 1 to 65535")
  end
end

-- Standard input as something with read() (a chunk, or nil at its end)
-- and close().
local function stdin()
  local sock
  if tty and tty.isatty(0) then
    sock = tty.ReadStream(0)
  else
    local ok, s = pcall(net.Socket, { fd = 0, writable = false })
    if ok then sock = s end
  end
  if sock then
    return { read = function() return task.read(sock) end,
      close = function() sock:destroy() end }
  end
  return { read = function() return io.stdin:read(65536) end,
    close = function() end }
end

-- Standard output as something with write(data), flush() and close().
local function stdout()
  local sock
  if tty and tty.isatty(1) then
    sock = tty.WriteStream(1)
  else
    local ok, s = pcall(net.Socket, { fd = 1, readable = false })
    if ok then sock = s end
  end
  if sock then
    return { write = function(d) task.write(sock, d) end,
      flush = function() task.flush(sock) end,
      close = function() sock:destroy() end }
  end
  return { write = function(d) io.stdout:write(d) end,
    flush = function() io.stdout:flush() end, close = function() end }
end

-- Closes what `v` holds when the variable goes out of scope.
local function closing(v)
  return setmetatable(v, { __close = function(x) x.close() end })
end

--- The connection: accepted once (listening) or made.
local function open()
  if not listen then
    local ok, sock = pcall(task.connect, where)
    if not ok then fail(sock) end
    return sock
  end
  local ok, server = pcall(task.listen, where)
  if not ok then fail(server) end
  local _ <close> = server               -- one connection, then no more
  local a = server:address()
  if type(a) == "table" then
    stderr:write(format("listening on %s port %d\n", a.address, a.port))
  else
    stderr:write("listening on " .. a .. "\n")
  end
  stderr:flush()
  return task.accept(server)
end

local watchers = {}

local main = net.spawn(function()
  local conn <close> = open()
  local input <close> = closing(stdin())
  local output <close> = closing(stdout())
  -- stdin -> connection, in a task of its own; cancelled when this one ends.
  local up <close> = net.spawn(function()
    for chunk in input.read do task.write(conn, chunk) end
    task.finish(conn)
  end)
  up:on("error", function(err)
    if type(err) ~= "table" or err.code ~= "ABORT_ERR" then
      stderr:write("seq_ncat.lua: ", tostring(err), "\n")
    end
  end)
  -- connection -> stdout, until the peer ends it.  An error (ECONNRESET,
  -- or the AbortError of a signal) ends the task: see its 'error' listener.
  while true do
    local chunk = task.read(conn)
    if chunk == nil then break end
    output.write(chunk)
  end
  output.flush()
end)

main:on("error", function(err)
  if type(err) ~= "table" or err.code ~= "ABORT_ERR" then fail(err) end
end)
main:on("done", function()
  for _, w in ipairs(watchers) do w:close() end
end)

local function stop()
  for _, w in ipairs(watchers) do w:close() end
  main:cancel()
end
watchers[1] = net.onSignal("SIGINT", stop)
watchers[2] = net.onSignal("SIGTERM", stop)
