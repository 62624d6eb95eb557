--- A TCP connect scanner in the sequential style (uvnet.task): the job of
-- portscan.lua, written top to bottom.
--
--   uvnet examples/seq_portscan.lua host start-end [--concurrency N] [--timeout ms] [--banner]
--   uvnet examples/seq_portscan.lua host port
--
-- It is a client, so it listens nowhere and its first argument is the host.
-- N tasks (default 100) take ports from one shared queue; each connects
-- with task.connect, whose `timeout` option gives up after `ms` (default
-- 1000), and notes the port as open, closed (refused), timed out (no
-- answer, often a firewall that drops) or failed.  With --banner it reads
-- an open port's first line, if one comes within `ms`, and prints it.  At
-- the end it prints the open ports in order and a summary.
--
-- A host name is looked up once, by the first attempt (its socket's
-- 'lookup' event gives the address); the other attempts use that address.
--
-- On SIGINT or SIGTERM the scanning tasks are cancelled (task:cancel raises
-- an AbortError where each one waits, which destroys the socket it was
-- connecting); it prints what it found so far and exits with status 0.
-- Bad arguments exit with status 2, a host that cannot be looked up with 1.
local net = require("uvnet")
local task = require("uvnet.task")

local concat, sort = table.concat, table.sort
local format = string.format
local ipairs, pairs, pcall, tonumber, tostring = ipairs, pairs, pcall,
  tonumber, tostring
local stdout, stderr = io.stdout, io.stderr

local USAGE = "usage: seq_portscan.lua host start-end [--concurrency N] "
  .. "[--timeout ms] [--banner]\n"

local function usage(problem)
  if problem then stderr:write("seq_portscan.lua: ", problem, "\n") end
  stderr:write(USAGE)
  os.exit(2)
end

--- Reads a whole number from `text` within [low, high], or exits with usage.
local function whole(text, what, low, high)
  local n = text and text:match("^%d+$") and tonumber(text)
  if not n or n < low or n > high then
    usage(format("%s must be a whole number from %d to %d", what, low, high))
  end
  return n
end

-- The command line.
local host, range
local concurrency, timeout_ms, banners = 100, 1000, false
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    if a == "--concurrency" then
      concurrency = whole(arg[i + 1], "--concurrency", 1, 10000)
      i = i + 2
    elseif a == "--timeout" then
      timeout_ms = whole(arg[i + 1], "--timeout", 1, 3600000)
      i = i + 2
    elseif a == "--banner" then
      banners = true
      i = i + 1
    elseif a == "-h" or a == "--help" then
      stdout:write(USAGE)
      os.exit(0)
    elseif a:sub(1, 1) == "-" then
      usage("unknown option " .. a)
    elseif not host then
      host = a
      i = i + 1
    elseif not range then
      range = a
      i = i + 1
    else
      usage("too many arguments")
    end
  end
end
if not host or not range then usage() end
local first_text, last_text = range:match("^(%d+)-(%d+)$")
if not first_text then first_text, last_text = range, range end
local first = whole(first_text, "a port", 1, 65535)
local last = whole(last_text, "a port", 1, 65535)
if first > last then usage("the range must go up: " .. range) end

local address = net.isIP(host) ~= 0 and host or nil  -- nil until looked up
local next_port = first                 -- the shared queue: first..last
local outcome, banner = {}, {}          -- port -> what, port -> first line
local counts = { open = 0, closed = 0, timeout = 0, error = 0 }
local failures = {}                     -- error code -> count
local stopping = false
local scanners = {}                     -- the tasks, for cancelling

--- Notes what became of `port`.
local function record(port, what, code)
  outcome[port] = what
  counts[what] = counts[what] + 1
  if code then failures[code] = (failures[code] or 0) + 1 end
end

--- Takes the next port from the queue, or nil when it is empty.
local function take()
  if stopping or next_port > last then return nil end
  local port = next_port
  next_port = next_port + 1
  return port
end

--- Scans one port, in the calling task.  A cancellation (ABORT_ERR) goes
-- on up and ends the task; every other failure is an outcome.
local function scan(port, sock)
  local options = { host = address or host, port = port, timeout = timeout_ms }
  local ok, result
  if sock then
    ok, result = pcall(task.connect, sock, options)
  else
    ok, result = pcall(task.connect, options)
  end
  if not ok then
    local code = result.code
    if code == "ABORT_ERR" then error(result, 0) end
    if code == "ECONNREFUSED" then
      record(port, "closed")
    elseif code == "ETIMEDOUT" then
      record(port, "timeout")
    else
      record(port, "error", tostring(code))
    end
    return
  end
  local conn <close> = result
  record(port, "open")
  if banners then
    local got, line = pcall(task.read, conn, "l", { timeout = timeout_ms })
    if got then
      banner[port] = line
    elseif line.code == "ABORT_ERR" then
      error(line, 0)
    end
  end
end

--- A scanning task: ports from the queue until it is empty.
local function scanner()
  for port in take do scan(port) end
end

--- Prints the open ports in order and the summary.
local function report()
  local open, timed_out = {}, {}
  for port, what in pairs(outcome) do
    if what == "open" then
      open[#open + 1] = port
    elseif what == "timeout" then
      timed_out[#timed_out + 1] = port
    end
  end
  sort(open)
  sort(timed_out)
  for _, port in ipairs(open) do
    local b = banner[port]
    stdout:write(format("%d/tcp open%s\n", port, b and ("  " .. b) or ""))
  end
  local scanned = counts.open + counts.closed + counts.timeout + counts.error
  local total = last - first + 1
  stdout:write(format("%s: %d of %d ports scanned%s: %d open, %d closed, "
    .. "%d timed out, %d failed\n", host, scanned, total,
    scanned < total and " (interrupted)" or "", counts.open, counts.closed,
    counts.timeout, counts.error))
  if #timed_out > 0 and #timed_out <= 20 then
    stdout:write("timed out: " .. concat(timed_out, " ") .. "\n")
  end
  local codes = {}
  for code, n in pairs(failures) do codes[#codes + 1] = format("%s x%d", code, n) end
  sort(codes)
  if #codes > 0 then stdout:write("failures: " .. concat(codes, ", ") .. "\n") end
  stdout:flush()
end

local watchers = {}

--- Waits for a task; its cancellation is expected, anything else is not.
local function settled(t)
  local ok, err = pcall(t.join, t)
  if not ok and err.code ~= "ABORT_ERR" then error(err, 0) end
end

net.spawn(function()
  stdout:write(format("scanning %s ports %d-%d, %d at a time, %d ms timeout\n",
    host, first, last, concurrency, timeout_ms))
  stdout:flush()
  if not address then
    -- The first port on its own: its lookup gives the address for the rest.
    local port = take()
    local sock = net.Socket()
    local lookup_err
    sock:once("lookup", function(err, resolved)
      if err then lookup_err = err else address = resolved end
    end)
    local probe = net.spawn(scan, port, sock)
    scanners[1] = probe
    settled(probe)
    if not address and not stopping then
      stderr:write("seq_portscan.lua: ", tostring(lookup_err or "no address for "
        .. host), "\n")
      os.exit(1)
    end
  end
  local n = math.min(concurrency, last - next_port + 1)
  for i = 1, n do scanners[i] = net.spawn(scanner) end
  for i = 1, n do settled(scanners[i]) end
  report()
  for _, w in ipairs(watchers) do w:close() end
end)

local function stop(name)
  stdout:write(format("got %s, %s\n", name, stopping and "already stopping"
    or "stopping"))
  stdout:flush()
  if stopping then return end
  stopping = true
  for _, t in ipairs(scanners) do t:cancel() end
end
-- Watchers do not keep the process alive; a second signal is only noted.
watchers[1] = net.onSignal("SIGINT", stop)
watchers[2] = net.onSignal("SIGTERM", stop)

