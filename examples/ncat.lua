-- A netcat: connects to, or listens on, a TCP port or a Unix socket, and
-- copies stdin to the connection and the connection to stdout.
--
--   uvnet examples/ncat.lua host port           connect over TCP
--   uvnet examples/ncat.lua -U path             connect to a Unix socket
--   uvnet examples/ncat.lua -l [[host] port]    listen over TCP
--   uvnet examples/ncat.lua -l -U path          listen on a Unix socket
--
-- Listening, it takes one client (as nc -l does) on 127.0.0.1 and port 0
-- (any free port) unless told otherwise, and prints where it listens on
-- stderr ("listening on 127.0.0.1 port 41234", "listening on /path"), so
-- that stdout carries only the data.
--
-- stdin and stdout are served by the loop, never by a read that blocks it.
-- What serves each depends on its kind:
--   - a pipe or a socket: a net.Socket over the descriptor;
--   - a terminal: a tty.ReadStream or tty.WriteStream;
--   - a regular file (or /dev/null): a file cannot be watched for
--     readiness, so stdin is read with io.read, 64 KiB per turn of the loop
--     (one chunk per setImmediate, and none while the connection's buffer
--     is full), and stdout is written with io.write, which for a file
--     never waits for long.
--
-- At the end of stdin the connection's sending side is shut down (as
-- nc -N does).  The script exits once the connection has closed both ways
-- and stdout is flushed, with status 0, or 1 after an error; SIGINT and
-- SIGTERM close everything and exit with status 0.
local net = require("uvnet")
local tty = require("uvnet.tty")
local core = require("uvnet.core")

local CHUNK = 64 * 1024
local USAGE = [[
usage: ncat.lua host port         connect over TCP
       ncat.lua -U path           connect to a Unix socket
       ncat.lua -l [[host] port]  listen over TCP (127.0.0.1, port 0)
       ncat.lua -l -U path        listen on a Unix socket
]]

local function usage(problem)
  if problem then io.stderr:write("ncat: ", problem, "\n") end
  io.stderr:write(USAGE)
  os.exit(2)
end

-- Command line ----------------------------------------------------------------

local listen, unix = false, false
local words = {}
for _, a in ipairs(arg) do
  if a == "-h" or a == "--help" then
    io.stdout:write(USAGE)
    os.exit(0)
  elseif a:match("^%-[lU]+$") then
    if a:find("l", 1, true) then listen = true end
    if a:find("U", 1, true) then unix = true end
  elseif a:match("^%-.") then
    usage("unknown option " .. a)
  else
    words[#words + 1] = a
  end
end

local function portnumber(s)
  local n = s:match("^%d+$") and tonumber(s)
  if not n or n > 65535 then usage("not a port: " .. s) end
  return n
end

local where -- options for net.connect or server:listen
if unix then
  if #words ~= 1 then usage("-U takes one path") end
  where = { path = words[1] }
elseif listen then
  if #words > 2 then usage("too many arguments") end
  where = { host = #words == 2 and words[1] or "127.0.0.1",
    port = #words > 0 and portnumber(words[#words]) or 0 }
else
  if #words ~= 2 then usage("connecting takes a host and a port") end
  where = { host = words[1], port = portnumber(words[2]) }
end

-- State -----------------------------------------------------------------------

local status = 0
local conn, server, input, output
local inputstopped = false -- the file reader stops at the next turn
local conndone, outputdone = false, false
local watchers = {}

local function complain(err)
  io.stderr:write("ncat: ", tostring(err), "\n")
  status = 1
end

-- Everything is over: stop what still runs; the loop then has nothing left.
local function finishup()
  for _, w in ipairs(watchers) do w:close() end
  inputstopped = true
  if input then input:destroy() end
  if output then output:destroy() end
  if server then server:close() end
  if status ~= 0 then os.exit(status) end
end

local function maybefinish()
  if conndone and outputdone then finishup() end
end

-- stdin -----------------------------------------------------------------------

-- Reads stdin, a file, in chunks on the loop; stops while the connection
-- is full, and half-closes it at the end.
local function readfile(c)
  local function step()
    if inputstopped or c.destroyed then return end
    local chunk = io.stdin:read(CHUNK)
    if chunk == nil then
      c:finish()
    elseif c:write(chunk) then
      net.setImmediate(step)
    else
      c:once("drain", step)
    end
  end
  net.setImmediate(step)
end

-- Copies stdin to the connection; Socket:pipe ends the connection (our
-- side of it) when stdin ends.
local function readinput(c)
  local kind = core.guesshandle(0)
  if kind == "TTY" then
    input = tty.ReadStream(0)
  elseif kind == "PIPE" or kind == "TCP" then
    input = net.Socket({ fd = 0, readable = true, writable = false })
  elseif kind == "FILE" then
    return readfile(c)
  else
    -- Closed, or nothing that can be read: there is nothing to send.
    return c:finish()
  end
  input:on("error", function(err)
    complain(err)
    c:destroy()
  end)
  input:pipe(c)
end

-- stdout ----------------------------------------------------------------------

local function outputfinished()
  if not outputdone then
    outputdone = true
    maybefinish()
  end
end

-- Copies the connection to stdout, and ends stdout after the connection's
-- end; outputfinished runs once everything is written.
local function writeoutput(c)
  local kind = core.guesshandle(1)
  if kind == "TTY" then
    output = tty.WriteStream(1)
  elseif kind == "PIPE" or kind == "TCP" then
    output = net.Socket({ fd = 1, readable = false, writable = true })
  else
    -- A file: written as the data comes, flushed when the connection
    -- closes.
    c:on("data", function(data) io.stdout:write(data) end)
    return
  end
  output:on("error", function(err)
    complain(err)
    c:destroy()
  end)
  output:on("finish", outputfinished)
  output:on("close", outputfinished)
  c:pipe(output)
end

-- The connection --------------------------------------------------------------

local function serve(c)
  conn = c
  c:on("error", function(err)
    if status == 0 then complain(err) end
  end)
  c:on("close", function()
    conndone = true
    if output == nil then
      io.stdout:flush()
      outputfinished()
    elseif not output.writableEnded then
      -- After a reset or an error no 'end' came: end stdout here.
      output:finish()
    end
    maybefinish()
  end)
  writeoutput(c)
  readinput(c)
end

local function stop(name)
  io.stderr:write("ncat: got ", name, ", closing\n")
  if conn then
    conn:destroy()
  else
    conndone, outputdone = true, true
    finishup()
  end
end
watchers[1] = net.onSignal("SIGINT", stop)
watchers[2] = net.onSignal("SIGTERM", stop)

if listen then
  -- Both ways stay open until each side has ended its own.
  server = net.createServer({ allowHalfOpen = true })
  server:on("connection", function(c)
    if conn then return c:destroy() end
    -- One client: stop listening (a Unix socket's path goes away too).
    server:close()
    server = nil
    serve(c)
  end)
  server:on("error", function(err)
    complain(err)
    conndone, outputdone = true, true
    finishup()
  end)
  server:listen(where, function()
    local addr = server:address()
    if type(addr) == "table" then
      io.stderr:write(("listening on %s port %d\n"):format(addr.address,
        addr.port))
    else
      io.stderr:write("listening on ", addr, "\n")
    end
  end)
else
  where.allowHalfOpen = true
  serve(net.connect(where))
end
