--- A TCP proxy with address rules.
--
--   uvnet examples/proxy.lua [listen_port] target_host:target_port
--       [--deny RULE]... [--allow RULE]... [--bind ADDRESS]
--
-- It listens on ADDRESS (default 127.0.0.1) port listen_port (0, the
-- default: any free port), prints the rules and where it listens, and for
-- every client opens a connection to the target and pipes both ways. An
-- IPv6 target is written in brackets: `[::1]:8080`.
--
-- A RULE is an address (`192.0.2.7`, `::1`), a subnet (`10.0.0.0/8`,
-- `fd00::/8`) or a range (`192.0.2.10-192.0.2.20`). The --deny rules make
-- up a net.BlockList given to the server as its `blockList` option: a
-- client they match is dropped before the proxy sees it. When there are
-- --allow rules, they make up a second BlockList used as an allow list: a
-- client that matches none of them is logged and closed.
--
-- Each direction is a `pipe()`, which pauses the reader while the writer's
-- queue is full, so a slow side slows the other down instead of filling
-- memory. Both sockets allow half-open connections: when one side ends its
-- writing, the other side's writing is ended too and the answer can still
-- flow back. An error on either side destroys the other one; a side that
-- closes cleanly lets the other finish what it has queued. One line per
-- connection is logged when it closes, with the bytes each way.
--
-- On SIGINT or SIGTERM it stops accepting, destroys the open connections,
-- prints the totals and exits.
local net = require("uvnet")

local format = string.format
local ipairs, next, pairs, tonumber, tostring = ipairs, next, pairs, tonumber, tostring
local stdout, stderr = io.stdout, io.stderr

local USAGE = [[
usage: proxy.lua [listen_port] target_host:target_port
                 [--deny RULE]... [--allow RULE]... [--bind ADDRESS]
RULE: an address (192.0.2.7, ::1), a subnet (10.0.0.0/8) or a range
(192.0.2.10-192.0.2.20)
]]

--- Prints one line of the proxy's log and flushes it.
local function log(fmt, ...)
  stdout:write(format(fmt, ...), "\n")
  stdout:flush()
end

local function usage(problem)
  if problem then stderr:write("proxy.lua: ", problem, "\n") end
  stderr:write(USAGE)
  os.exit(2)
end

--- The BlockList family name of an address, or nil if it is not one.
local function family(address)
  local v = net.isIP(address)
  if v == 4 then return "ipv4" elseif v == 6 then return "ipv6" end
  return nil
end

--- Adds one RULE to a BlockList; returns nil and the reason if it is bad.
local function add_rule(list, rule)
  local address, prefix = rule:match("^([^/]+)/(%d+)$")
  if address then
    local fam = family(address)
    if not fam then return nil, "not an address: " .. address end
    local ok, err = pcall(list.addSubnet, list, address, tonumber(prefix), fam)
    if not ok then return nil, tostring(err.message or err) end
    return true
  end
  local first, last = rule:match("^([^-]+)-([^-]+)$")
  if first then
    local fam1, fam2 = family(first), family(last)
    if not fam1 or fam1 ~= fam2 then
      return nil, "a range is two addresses of one family: " .. rule
    end
    local ok, err = pcall(list.addRange, list, first, last, fam1)
    if not ok then return nil, tostring(err.message or err) end
    return true
  end
  local fam = family(rule)
  if not fam then return nil, "not an address, subnet or range: " .. rule end
  list:addAddress(rule, fam)
  return true
end

-- The command line.
local positional = {}
local deny, allow = net.BlockList(), nil
local bind = "127.0.0.1"
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    if a == "--deny" or a == "--allow" then
      local rule = arg[i + 1] or usage(a .. " needs a rule")
      local list = deny
      if a == "--allow" then
        allow = allow or net.BlockList()
        list = allow
      end
      local ok, why = add_rule(list, rule)
      if not ok then usage(why) end
      i = i + 2
    elseif a == "--bind" then
      bind = arg[i + 1] or usage("--bind needs an address")
      i = i + 2
    elseif a == "-h" or a == "--help" then
      stdout:write(USAGE)
      os.exit(0)
    elseif a:sub(1, 2) == "--" then
      usage("unknown option " .. a)
    else
      positional[#positional + 1] = a
      i = i + 1
    end
  end
end
if #positional < 1 or #positional > 2 then usage() end
local listen_port = #positional == 2 and positional[1] or "0"
local target = positional[#positional]
if not listen_port:match("^%d+$") or tonumber(listen_port) > 65535 then
  usage("bad listen port " .. listen_port)
end
local target_host, target_port = target:match("^%[(.+)%]:(%d+)$")
if not target_host then target_host, target_port = target:match("^([^:]+):(%d+)$") end
if not target_host or tonumber(target_port) < 1 or tonumber(target_port) > 65535 then
  usage("the target is host:port or [ipv6]:port, not " .. target)
end
target_port = tonumber(target_port)

local pairs_open = {}     -- client socket -> its upstream socket
local totals = { connections = 0, refused = 0, up = 0, down = 0 }
local stopping = false

--- Prints the totals once stopping and no connection is left.
local function maybe_totals()
  if stopping and next(pairs_open) == nil then
    log("totals: %d connections, %d refused, %d bytes to the target, %d bytes back",
      totals.connections, totals.refused, totals.up, totals.down)
  end
end

--- Joins a client to a new connection to the target.
local function proxy(client)
  local peer = format("%s:%s", tostring(client.remoteAddress), tostring(client.remotePort))
  local fam = client.remoteFamily
  if allow and not (fam and allow:check(client.remoteAddress, fam:lower())) then
    totals.refused = totals.refused + 1
    log("%s refused: not in the allow list", peer)
    client:destroy()
    return
  end
  totals.connections = totals.connections + 1
  local upstream = net.connect({ host = target_host, port = target_port, allowHalfOpen = true })
  pairs_open[client] = upstream
  client:pipe(upstream)
  upstream:pipe(client)

  local problem
  local function on_error(side, other)
    return function(err)
      problem = problem or format("%s: %s", side, tostring(err))
      other:destroy()
    end
  end
  client:on("error", on_error("client", upstream))
  upstream:on("error", on_error("target", client))
  -- A side that closed cleanly has ended both ways, so the other side has
  -- been ended too; destroySoon lets it send what it still has queued.
  client:on("close", function() if not upstream.destroyed then upstream:destroySoon() end end)
  upstream:on("close", function() if not client.destroyed then client:destroySoon() end end)

  local closed = 0
  local function done()
    closed = closed + 1
    if closed < 2 then return end
    pairs_open[client] = nil
    local up, down = client.bytesRead, client.bytesWritten
    totals.up, totals.down = totals.up + up, totals.down + down
    log("%s closed: %d bytes to the target, %d bytes back%s", peer, up, down,
      problem and " (" .. problem .. ")" or "")
    maybe_totals()
  end
  client:on("close", done)
  upstream:on("close", done)
end

local server = net.createServer({ allowHalfOpen = true, blockList = deny }, proxy)
server:on("error", function(err) error(err) end)
server:on("close", function() log("server closed") end)

local function print_rules(name, list)
  local rules = list.rules
  for i = #rules, 1, -1 do log("%s: %s", name, rules[i]) end
end
print_rules("deny", deny)
if allow then print_rules("allow", allow) end

server:listen(tonumber(listen_port), bind, function()
  local addr = server:address()
  log("proxying to %s port %d", target_host, target_port)
  log("listening on %s port %d", addr.address, addr.port)
end)

local function stop(name)
  log("got %s, %s", name, stopping and "already stopping" or "stopping")
  if stopping then return end
  stopping = true
  server:close()
  for client, upstream in pairs(pairs_open) do
    upstream:destroy()
    client:destroy()
  end
  maybe_totals()
end
-- The watchers stay open while stopping, so that a second signal (a
-- supervisor may send one to the process and one to its group) is only
-- noted; they do not keep the process alive.
for _, name in ipairs({ "SIGINT", "SIGTERM" }) do net.onSignal(name, stop) end
