--- A line-based chat server for many clients.
--
--   uvnet examples/chat.lua [port] [host]   (port 0, the default: any free port;
--                                            host: 127.0.0.1 by default)
--
-- Try it with `nc 127.0.0.1 PORT` from a few terminals. A client's first
-- line is its nickname; every later line goes to everyone else as
-- `<name> text`, and everyone hears `*** name joined` and `*** name left`.
-- Commands: `/nick NAME` renames, `/who` lists who is here, `/quit` leaves,
-- `/help` lists the commands.
--
-- Lines end with LF or CRLF and may arrive in any number of pieces; a line
-- still unfinished when its client ends the connection counts as a line,
-- and one cut off by a reset is dropped. A line longer than MAX_LINE bytes
-- ends that client's session. Control characters in a line are shown as `?`.
--
-- Slow clients, the drop policy: when `write()` to a client returns false
-- (its queue passed the socket's high-water mark, 64 KiB), the server stops
-- writing to it and drops what others say to it until its `'drain'` event;
-- then the client is told how many lines it missed. Its queue therefore
-- never holds more than the high-water mark plus one line, however much the
-- others say, and one client that does not read never slows the others.
--
-- A client that leaves with /quit or is sent away gets a last line and the
-- end of the connection; one that has not closed its side GRACE_MS later
-- is cut off. On SIGINT or SIGTERM the server stops accepting, sends every
-- client away so, and exits once all connections are closed.
local net = require("uvnet")

local concat, sort = table.concat, table.sort
local format = string.format
local pairs, tonumber, tostring = pairs, tonumber, tostring
local stdout, stderr = io.stdout, io.stderr

local MAX_LINE = 4096     -- bytes in one line, newline excluded
local MAX_NAME = 24       -- bytes in a nickname
local GRACE_MS = 2000     -- how long a client sent away has to close its side

local where = arg[1] or "0"
local host = arg[2] or "127.0.0.1"
if not where:match("^%d+$") or tonumber(where) > 65535 then
  stderr:write("usage: chat.lua [port] [host]\n")
  os.exit(2)
end

local clients = {}        -- socket -> client state
local by_name = {}        -- nickname -> client state
local stopping = false

--- Prints one line of the server's log and flushes it.
local function log(fmt, ...)
  stdout:write(format(fmt, ...), "\n")
  stdout:flush()
end

--- Sends `text` to one client, under the drop policy described above.
-- @param cl a client state
-- @param text the bytes to send
local function send(cl, text)
  local sock = cl.sock
  if sock.destroyed or sock.writableEnded then return end
  if cl.behind then
    cl.dropped = cl.dropped + 1
    return
  end
  if not sock:write(text) then
    cl.behind = true
    sock:once("drain", function()
      cl.behind = false
      if cl.dropped > 0 then
        local n = cl.dropped
        cl.dropped = 0
        send(cl, format("*** you missed %d line%s while your connection was slow\n",
          n, n == 1 and "" or "s"))
      end
    end)
  end
end

--- Sends a last line to a client and ends its connection; if the peer has
-- not closed its side GRACE_MS later, the connection is destroyed.
local function hang_up(cl, text)
  local sock = cl.sock
  if sock.destroyed or sock.writableEnded then return end
  cl.behind = false
  send(cl, text)
  sock:finish()
  net.setTimeout(function() sock:destroy() end, GRACE_MS):unref()
end

--- Sends `text` to every client with a nickname except `from`.
local function broadcast(from, text)
  for _, cl in pairs(clients) do
    if cl ~= from and cl.name then send(cl, text) end
  end
end

--- The nicknames in the room, sorted, `except` left out.
local function names(except)
  local list = {}
  for name, cl in pairs(by_name) do
    if cl ~= except then list[#list + 1] = name end
  end
  sort(list)
  return list
end

--- Checks a wanted nickname; returns nil when it can be had, else the reason.
local function name_problem(cl, name)
  if name == "" or #name > MAX_NAME or not name:match("^[%w_%.%-]+$") then
    return format("a name is 1 to %d letters, digits, '_', '.' or '-'", MAX_NAME)
  end
  local holder = by_name[name]
  if holder and holder ~= cl then return "that name is taken" end
  return nil
end

local HELP = "*** /nick NAME: rename, /who: who is here, /quit: leave, /help: this\n"

--- Handles one complete line from a client (newline and CR removed).
local function on_line(cl, line)
  line = line:gsub("[\0-\8\10-\31\127]", "?")
  if not cl.name then
    local wanted = line:match("^%s*(.-)%s*$")
    local problem = name_problem(cl, wanted)
    if problem then
      send(cl, "*** " .. problem .. "; your nickname?\n")
      return
    end
    cl.name = wanted
    by_name[wanted] = cl
    local others = names(cl)
    send(cl, format("*** welcome, %s; %s\n", wanted,
      #others == 0 and "nobody else is here yet"
      or "also here: " .. concat(others, ", ")))
    broadcast(cl, format("*** %s joined\n", wanted))
    log("%s joined from %s", wanted, cl.peer)
    return
  end

  local command, rest = line:match("^/(%a+)%s*(.-)%s*$")
  if command == nil then
    if line:match("%S") then
      broadcast(cl, format("<%s> %s\n", cl.name, line))
    end
  elseif command == "nick" then
    local problem = name_problem(cl, rest)
    if problem then
      send(cl, "*** " .. problem .. "\n")
    elseif rest ~= cl.name then
      local old = cl.name
      by_name[old] = nil
      cl.name = rest
      by_name[rest] = cl
      send(cl, format("*** you are now %s\n", rest))
      broadcast(cl, format("*** %s is now known as %s\n", old, rest))
      log("%s is now %s", old, rest)
    end
  elseif command == "who" then
    send(cl, "*** here: " .. concat(names(), ", ") .. "\n")
  elseif command == "quit" then
    hang_up(cl, "*** bye\n")
  elseif command == "help" then
    send(cl, HELP)
  else
    send(cl, format("*** unknown command /%s\n", command) .. HELP)
  end
end

--- Splits what a client sent into lines; keeps an unfinished one for later.
local function on_data(cl, data)
  local buf = cl.partial .. data
  local pos = 1
  while not cl.sock.destroyed and not cl.sock.writableEnded do
    local nl = buf:find("\n", pos, true)
    if not nl then break end
    local stop = nl - 1
    if stop >= pos and buf:byte(stop) == 13 then stop = stop - 1 end
    if stop - pos + 1 > MAX_LINE then break end
    on_line(cl, buf:sub(pos, stop))
    pos = nl + 1
  end
  cl.partial = buf:sub(pos)
  if #cl.partial > MAX_LINE then
    cl.partial = ""
    hang_up(cl, format("*** lines are at most %d bytes; goodbye\n", MAX_LINE))
  end
end

local server = net.createServer(function(sock)
  local cl = {
    sock = sock, name = nil, partial = "", behind = false, dropped = 0,
    peer = format("%s:%s", tostring(sock.remoteAddress), tostring(sock.remotePort)),
  }
  clients[sock] = cl
  sock:on("data", function(data) on_data(cl, data) end)
  sock:on("end", function()
    -- The connection ended mid-line: what came counts as the last line.
    local rest = cl.partial:gsub("\r$", "")
    cl.partial = ""
    if rest ~= "" and not sock.writableEnded then on_line(cl, rest) end
  end)
  sock:on("error", function(err)
    stderr:write(format("client %s: %s\n", cl.peer, tostring(err)))
  end)
  sock:on("close", function(had_error)
    clients[sock] = nil
    if cl.name then
      by_name[cl.name] = nil
      broadcast(cl, format("*** %s left%s\n", cl.name,
        had_error and " (connection lost)" or ""))
      log("%s left", cl.name)
    end
  end)
  send(cl, "*** uvnet chat; your nickname?\n")
end)

server:on("error", function(err) error(err) end)
server:on("close", function() log("server closed") end)

local function started()
  local addr = server:address()
  log("listening on %s port %d", addr.address, addr.port)
end

server:listen(tonumber(where), host, started)

-- The watchers stay open while stopping, so that a second signal (a
-- supervisor may send one to the process and one to its group) is only
-- noted; they do not keep the process alive.
local function stop(name)
  if stopping then
    log("got %s, already stopping", name)
    return
  end
  stopping = true
  log("got %s, stopping", name)
  server:close()
  for _, cl in pairs(clients) do
    hang_up(cl, "*** the server is shutting down\n")
  end
end
net.onSignal("SIGINT", stop)
net.onSignal("SIGTERM", stop)
