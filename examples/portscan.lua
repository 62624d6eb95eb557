--- A TCP connect scanner: which ports of a host accept connections.
--
--   uvnet examples/portscan.lua host start-end [--concurrency N] [--timeout ms]
--   uvnet examples/portscan.lua host port [...]
--
-- Unlike the other examples this is a client, so it listens nowhere and its
-- first argument is the host, not a port. It connects to every port from
-- start to end with at most N connections in flight (default 100), gives
-- each attempt `ms` milliseconds (default 1000, through the socket's
-- timeout: `net.connect({ timeout = ms })`), closes each connection as soon
-- as it is made, and at the end prints the open ports in order and a
-- summary: how many were open, closed (refused), timed out (no answer,
-- often a firewall that drops) and failed otherwise.
--
-- A host name is looked up once, by the first attempt (its `'lookup'`
-- event gives the address); the other attempts use that address.
--
-- On SIGINT or SIGTERM it stops starting attempts, destroys those in
-- flight, prints what it found so far with the number of ports scanned,
-- and exits with status 0. Bad arguments exit with status 2.
local net = require("uvnet")

local concat, sort = table.concat, table.sort
local format = string.format
local ipairs, pairs, tonumber, tostring = ipairs, pairs, tonumber, tostring
local stdout, stderr = io.stdout, io.stderr

local USAGE = "usage: portscan.lua host start-end [--concurrency N] [--timeout ms]\n"

local function usage(problem)
  if problem then stderr:write("portscan.lua: ", problem, "\n") end
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
local concurrency, timeout_ms = 100, 1000
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
local next_port = first
local in_flight = {}        -- socket -> port
local in_flight_count = 0
local outcome = {}          -- port -> "open" | "closed" | "timeout" | "error"
local counts = { open = 0, closed = 0, timeout = 0, error = 0 }
local errors = {}           -- error code -> count
local stopping, reported = false, false

--- Notes the first outcome of the attempt on `port`.
local function record(port, what, code)
  if outcome[port] then return end
  outcome[port] = what
  counts[what] = counts[what] + 1
  if code then errors[code] = (errors[code] or 0) + 1 end
end

--- Prints the open ports in order and the summary, once.
local function report()
  if reported then return end
  reported = true
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
  for _, port in ipairs(open) do stdout:write(format("%d/tcp open\n", port)) end
  local scanned = counts.open + counts.closed + counts.timeout + counts.error
  local total = last - first + 1
  stdout:write(format("%s: %d of %d ports scanned%s: %d open, %d closed, %d timed out, %d failed\n",
    host, scanned, total, scanned < total and " (interrupted)" or "",
    counts.open, counts.closed, counts.timeout, counts.error))
  if #timed_out > 0 and #timed_out <= 20 then
    stdout:write("timed out: " .. concat(timed_out, " ") .. "\n")
  end
  local codes = {}
  for code, n in pairs(errors) do codes[#codes + 1] = format("%s x%d", code, n) end
  sort(codes)
  if #codes > 0 then stdout:write("failures: " .. concat(codes, ", ") .. "\n") end
  stdout:flush()
end

local launch

--- Starts the attempt on one port.
local function attempt(port)
  local sock = net.connect({ host = address or host, port = port, timeout = timeout_ms })
  in_flight[sock] = port
  in_flight_count = in_flight_count + 1
  if not address then
    sock:once("lookup", function(err, resolved)
      if not err and resolved and not address then
        address = resolved
        launch()
      end
    end)
  end
  sock:on("connect", function()
    record(port, "open")
    sock:destroy()
  end)
  sock:on("timeout", function()
    record(port, "timeout")
    sock:destroy()
  end)
  sock:on("error", function(err)
    if err.code == "ECONNREFUSED" then
      record(port, "closed")
    else
      record(port, "error", tostring(err.code))
    end
  end)
  sock:on("close", function()
    in_flight[sock] = nil
    in_flight_count = in_flight_count - 1
    launch()
  end)
end

--- Keeps `concurrency` attempts in flight; reports once all are done. While
-- a host name is being looked up, only the first attempt runs.
launch = function()
  while not stopping and next_port <= last and in_flight_count < concurrency
      and (address or next_port == first) do
    attempt(next_port)
    next_port = next_port + 1
  end
  if in_flight_count == 0 and (stopping or next_port > last) then report() end
end

stdout:write(format("scanning %s ports %d-%d, %d at a time, %d ms timeout\n",
  host, first, last, concurrency, timeout_ms))
stdout:flush()
launch()

local function stop(name)
  stdout:write(format("got %s, %s\n", name, stopping and "already stopping" or "stopping"))
  stdout:flush()
  if stopping then return end
  stopping = true
  for sock in pairs(in_flight) do sock:destroy() end
  launch()
end
-- Watchers do not keep the process alive; a second signal is only noted.
net.onSignal("SIGINT", stop)
net.onSignal("SIGTERM", stop)
