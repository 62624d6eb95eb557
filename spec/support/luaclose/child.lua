--- A child process for spec/luaclose_spec.lua: starts one kind of traffic
-- and closes the Lua state in the middle of it.
--
--     lua5.4 spec/support/luaclose/child.lua CASE MODE [DIR]
--
-- CASE is the traffic (see `cases` below); DIR is a directory for Unix
-- socket paths.  MODE says how the state ends once the traffic is under
-- way: "exit" calls os.exit(0, true) from inside a callback, while the
-- loop runs; "return" runs the loop a pass at a time until then and
-- returns from the main chunk with every handle still open, so lua.c
-- closes the state.
--
-- Just before the state closes, the child prints "closing CASE MODE" and
-- nothing else.  Every callback it gives uvnet prints "late: NAME" when it
-- runs after that line, so a callback run while (or after) the state
-- closes shows up as output after the marker; a crash shows up as a
-- status other than 0.  Anything that goes wrong before the marker is
-- printed too, and ends the child with a status other than 0.
-- @script spec.support.luaclose.child

local net = require("uvnet")
local core = require("uvnet.core")

local CASE, MODE, DIR = arg[1], arg[2], arg[3]
local HOST = "127.0.0.1"

io.stdout:setvbuf("no")

if os.getenv("UVNET_GC_STRESS") == "1" then core.gcstress(true) end

local marked = false
local flagged = false

local function fail(status, ...)
  io.write(...)
  io.write("\n")
  os.exit(status)
end

-- A callback for uvnet that reports itself when it runs after the marker.
local function cb(name, f)
  return function(...)
    if marked then io.write("late: ", name, "\n") end
    if f then return f(...) end
  end
end

-- Watches the events of an emitter with such callbacks.
local function watch(name, e, events)
  for _, ev in ipairs(events) do e:on(ev, cb(name .. " " .. ev)) end
end

local function mark()
  marked = true
  io.write("closing ", CASE, " ", MODE, "\n")
end

-- Called from inside a callback once the traffic is under way.
local function ready()
  if flagged then return end
  flagged = true
  if MODE == "exit" then
    mark()
    os.exit(0, true)
  end
end

local cases = {}

-- A server echoing to three clients, each with 2 MiB of writes queued; the
-- state closes once 512 KiB have come back.
function cases.echo()
  local server = net.createServer(function(s)
    watch("conn", s, { "end", "error", "close" })
    s:on("data", cb("conn data", function(d) s:write(d, cb("echo write")) end))
  end)
  watch("server", server, { "error", "close" })
  server:listen(0, HOST, cb("listening", function()
    local port = server:address().port
    local chunk = string.rep("e", 256 * 1024)
    local got = 0
    for _ = 1, 3 do
      local c = net.connect(port, HOST)
      watch("client", c, { "end", "finish", "error", "close" })
      c:on("connect", cb("connect", function()
        for _ = 1, 8 do c:write(chunk, cb("client write")) end
        c:finish(cb("client end"))
      end))
      c:on("data", cb("client data", function(d)
        got = got + #d
        if got >= 512 * 1024 then ready() end
      end))
    end
  end))
end

-- Connects that cannot complete: to a listener that never answers (with
-- writes and end() waiting), by name through a lookup that never answers,
-- and by name with two addresses while the attempt timer runs.
function cases.connect()
  -- Opened first: it runs the loop until its queue is full.
  local hole = assert(require("support.blackhole").open(HOST))
  local c = net.connect({ port = hole.port, host = HOST, autoSelectFamily = false })
  watch("pending", c, { "connect", "error", "close" })
  c:write("queued", cb("queued write"))
  c:finish("last", cb("queued end"))
  local n = net.connect({ port = 9, host = "never.test", lookup = cb("silent lookup") })
  watch("by name", n, { "lookup", "connect", "error", "close" })
  local a = net.connect({ port = hole.port, host = "two.test", autoSelectFamily = true,
    autoSelectFamilyAttemptTimeout = 5000,
    lookup = cb("lookup", function(_, _, answer)
      answer(nil, { { address = HOST, family = 4 }, { address = "::1", family = 6 } })
    end) })
  watch("autoselect", a, { "connectionAttempt", "connectionAttemptFailed",
    "connectionAttemptTimeout", "connect", "error", "close" })
  net.setTimeout(cb("ready timer", ready), 50)
end

-- Lookups on libuv's thread pool: sixteen of 'localhost' and a connect by
-- that name; the state closes in the first turn of the loop.
function cases.lookup()
  local dns = require("uvnet.dns")
  for i = 1, 16 do dns.lookup("localhost", { all = true }, cb("lookup " .. i)) end
  local c = net.connect({ port = 9, host = "localhost" })
  watch("by name", c, { "lookup", "connectionAttempt", "connect", "error", "close" })
  net.setImmediate(cb("immediate", ready))
end

-- Timers of every kind, due and not, with ticks and immediates queued and
-- a signal watcher open; the state closes inside an interval.
function cases.timers()
  for i = 1, 50 do net.setTimeout(cb("timeout " .. i), i) end
  for i = 1, 5 do net.setInterval(cb("interval " .. i), 3) end
  local far = net.setTimeout(cb("far"), 100000)
  net.setTimeout(cb("refresher", function() far:refresh() end), 2)
  net.setTimeout(cb("unref'd"), 5):unref()
  net.setImmediate(cb("immediate"))
  net.onSignal("SIGUSR2", cb("signal"))
  local n = 0
  net.setInterval(cb("ready interval", function()
    n = n + 1
    if n == 3 then
      net.nextTick(cb("tick"))
      net.setImmediate(cb("immediate 2"))
      net.setTimeout(cb("timeout 0"), 0)
      ready()
    end
  end), 4)
end

-- Readers that do not read: a paused socket with data buffered, one in
-- paused mode ('readable') that never calls read(), and one with an onread
-- buffer whose callback pauses it; the server's 2 MiB writes wait.
function cases.paused()
  local server = net.createServer(function(s)
    watch("conn", s, { "end", "finish", "error", "close" })
    s:write(string.rep("p", 2 * 1024 * 1024), cb("big write"))
    s:finish(cb("conn end"))
  end)
  watch("server", server, { "error", "close" })
  server:listen(0, HOST, cb("listening", function()
    local port = server:address().port
    local c = net.connect(port, HOST)
    watch("paused", c, { "end", "error", "close" })
    c:once("data", cb("first data", function()
      c:pause()
      net.setTimeout(cb("ready timer", ready), 30)
    end))
    local r = net.connect(port, HOST)
    watch("readable", r, { "readable", "end", "error", "close" })
    local o = net.connect({ port = port, host = HOST, onread = { buffer = 4096,
      callback = cb("onread", function() return false end) } })
    watch("onread", o, { "end", "error", "close" })
  end))
end

-- A Unix socket server echoing to two clients with 4 MiB of writes queued;
-- the state closes inside the server's 'data' listener.
function cases.unix()
  assert(DIR, "the unix case needs a directory")
  local path = DIR .. "/s.sock"
  local got = 0
  local server = net.createServer(function(s)
    watch("conn", s, { "end", "error", "close" })
    s:on("data", cb("conn data", function(d)
      s:write(d, cb("echo write"))
      got = got + #d
      if got >= 256 * 1024 then ready() end
    end))
  end)
  watch("server", server, { "error", "close" })
  server:listen(path, cb("listening", function()
    local chunk = string.rep("u", 512 * 1024)
    for _ = 1, 2 do
      local c = net.connect(path)
      watch("client", c, { "data", "end", "error", "close" })
      c:on("connect", cb("connect", function()
        for _ = 1, 4 do c:write(chunk, cb("client write")) end
      end))
    end
  end))
end

-- A callback raises while a client and the server are open.  "exit": the
-- state closes from a timer due in the same pass, while the error waits
-- for net.run() to raise it; "return": after net.run() has raised it.
function cases.error()
  local server = net.createServer(function(s)
    watch("conn", s, { "data", "end", "error", "close" })
  end)
  watch("server", server, { "error", "close" })
  server:listen(0, HOST, cb("listening", function()
    local c = net.connect(server:address().port, HOST)
    watch("client", c, { "end", "error", "close" })
    c:on("connect", cb("connect", function()
      c:write("hello", cb("client write"))
      net.setTimeout(cb("raising timer", function() error("raised on purpose") end), 5)
      net.setTimeout(cb("ready timer", ready), 5)
    end))
  end))
end

-- A check of the check: in "return" mode the loop runs once more after
-- the marker, so the timer's callback runs late and says so.
function cases.control()
  net.setTimeout(cb("control timer"), 20)
  net.setImmediate(cb("immediate", ready))
end

local case = cases[CASE]
if case == nil or (MODE ~= "exit" and MODE ~= "return") then
  fail(2, "usage: child.lua CASE exit|return [DIR]")
end
case()
-- Keeps every pass of the loop short, so a bounded number of passes is
-- also bounded in time.
local keepalive = net.setInterval(cb("keepalive"), 5)

local passes, started = 0, os.time()
while not flagged do
  passes = passes + 1
  if passes > 20000 or os.time() - started > 20 then
    fail(3, "the traffic never got under way")
  end
  local ok, err = pcall(net.run, "once")
  if not ok and not (CASE == "error" and tostring(err):find("raised on purpose", 1, true)) then
    fail(4, "the loop raised: ", tostring(err))
  end
end
if MODE == "exit" then fail(5, "os.exit(0, true) returned") end
mark()
if CASE == "control" then
  net.clearInterval(keepalive)
  net.run()
end
-- Returning closes the state with everything above still open.
