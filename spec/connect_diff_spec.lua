-- Differential specs for connecting by name: family autoselection (Happy
-- Eyeballs), the lookup option, the blockList option and DNS errors.  Every
-- scenario runs once as JavaScript on Node 22 and once as Lua on uvnet and
-- the two printed traces must be equal.
--
-- Nothing here asks a DNS server: names are answered by custom `lookup`
-- functions (most give several loopback addresses), by /etc/hosts
-- ('localhost'), or refused by the C library itself ('no..such..host').
-- A refused attempt is an address of 127.0.0.0/8 or ::1 where nothing
-- listens; an attempt that never answers is a black hole (a listener whose
-- accept queue is full, see spec/support/blackhole.lua) made by the Lua
-- side before Node runs, whose port both sides get as BH.
--
-- Both sides have the same helpers:
--   log(...)              one line of the trace
--   watch(tag, s)         logs the connect events of s with their arguments
--                         (trailing nil/undefined ones left out)
--   E(err)                an error's fields; an AggregateError's errors too
--   hide(v[, label])      prints v as label (<port> by default)
--   serve(host, port, cb) a server that ends each connection; cb(server, port)
--   Lsync(list), Lasync(list)
--                         lookup functions answering list ({ address,
--                         family } tables) at once or from setImmediate
--   attempt(tag, opts, before, after, done)
--                         a Socket (with opts.blockList) watched, before(s),
--                         s.connect(opts), after(s); at 'close' logs the
--                         attempted addresses and calls done()
--
-- UVNET_DIFF_SHOW=1 prints Node's traces.
local net = require("uvnet")
local loop = require("support.loop")
local node = require("support.node")
local diff = require("support.diff")
local blackhole = require("support.blackhole")

-- The harness: spec/support/diff.lua, printing lines in the order logged,
-- with the helpers above added ----------------------------------------------

local CFG = {
  efields = { "name", "code", "errno", "syscall", "address", "port",
    "localAddress", "localPort", "hostname", "message" },
  events = { "lookup", "connectionAttempt", "connectionAttemptFailed",
    "connectionAttemptTimeout", "connect", "ready", "error", "close" },
  ordered = true,
}

local PRELUDE = diff.prelude(CFG) .. [==[
function A(v) {
  if (v === undefined || v === null) return 'nil';
  return '[' + v.join(',') + ']';
}
function O(o) {
  return '{' + Object.keys(o).sort().filter((k) => o[k] !== undefined)
    .map((k) => k + '=' + show(o[k])).join(' ') + '}';
}
function serve(host, port, cb) {
  const server = net.createServer((c) => c.end());
  server.listen(port, host, () => cb(server, server.address().port));
}
function Lsync(list) { return (host, o, cb) => cb(null, list); }
function Lasync(list) { return (host, o, cb) => setImmediate(() => cb(null, list)); }
function attempt(tag, opts, before, after, done) {
  const s = new net.Socket(opts.blockList ? { blockList: opts.blockList } : undefined);
  watch(tag, s);
  if (before) before(s);
  s.connect(opts);
  if (after) after(s);
  s.on('close', () => {
    log(tag, 'attempted', A(s.autoSelectFamilyAttemptedAddresses));
    if (done) done();
  });
  return s;
}
]==]

-- E and show for the scenarios' own use (they depend on CFG alone).
local E, show
do
  local h = diff.harness(CFG)
  E, show = h.E, h.show
end

local function harness()
  local h = diff.harness(CFG)

  function h.A(v)
    if v == nil then return "nil" end
    return "[" .. table.concat(v, ",") .. "]"
  end

  function h.O(o)
    local keys = {}
    for k in pairs(o) do keys[#keys + 1] = k end
    table.sort(keys)
    for i, k in ipairs(keys) do keys[i] = k .. "=" .. show(o[k]) end
    return "{" .. table.concat(keys, " ") .. "}"
  end

  function h.serve(host, port, cb)
    local server = net.createServer(function(c) c:finish() end)
    server:listen(port, host, function() cb(server, server:address().port) end)
  end

  function h.Lsync(list)
    return function(_, _, cb) cb(nil, list) end
  end

  function h.Lasync(list)
    return function(_, _, cb) net.setImmediate(cb, nil, list) end
  end

  function h.attempt(tag, opts, before, after, done)
    local s = net.Socket(opts.blockList and { blockList = opts.blockList } or nil)
    h.watch(tag, s)
    if before then before(s) end
    s:connect(opts)
    if after then after(s) end
    s:on("close", function()
      h.log(tag, "attempted", h.A(s.autoSelectFamilyAttemptedAddresses))
      if done then done() end
    end)
    return s
  end

  return h
end

-- One differential spec: js on Node, fn(h, t, bh) on uvnet, traces compared.
-- With o.blackhole, black holes are opened first (o.blackhole lists their
-- hosts; the first picks the port, the others use it) and BH is their port.
local function scenario(name, js, fn, o)
  o = o or {}
  it(name .. " #diff", function()
    local holes = {}
    if o.blackhole then
      for i, host in ipairs(o.blackhole) do
        holes[i] = assert(blackhole.open(host, holes[1] and holes[1].port))
      end
    end
    local function closeholes()
      for _, bh in ipairs(holes) do bh:close() end
    end
    local src = PRELUDE .. "const BH = " .. tostring(holes[1] and holes[1].port or 0)
      .. ";\n" .. js
    local ok, expected = pcall(node.run, src, nil, 30)
    if not ok then
      closeholes()
      loop.cleanup()
      error(expected, 0)
    end
    if os.getenv("UVNET_DIFF_SHOW") then io.stderr:write(name, ":\n", expected) end
    local h = harness()
    local err
    ok, err = pcall(loop.run, function(t)
      return fn(h, t, holes[1] and holes[1].port, closeholes)
    end, { timeout = o.timeout or 5000 })
    local got = h.text()
    if not ok then got = got .. "!! " .. tostring(err) .. "\n" end
    assert.are.equal(expected, got)
  end)
end

-- Scenarios -------------------------------------------------------------------

describe("connecting by name against Node 22", function()

  -- Family autoselection --------------------------------------------------------

  scenario("a refused first address gives way to the next", [==[
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  attempt('C', { port, host: 'db.test', lookup: Lsync([{ address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 }]) }, null, null, () => server.close());
});
]==], function(h)
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      h.attempt("C", { port = port, host = "db.test", lookup = h.Lsync({
        { address = "::1", family = 6 }, { address = "127.0.0.1", family = 4 } }) },
        nil, nil, function() server:close() end)
    end)
  end)

  scenario("addresses alternate between the families, each tried once", [==[
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  attempt('C', { port, host: 'db.test', lookup: Lasync([
    { address: '127.0.0.2', family: 4 }, { address: '127.0.0.3', family: 4 },
    { address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 }]) }, null, null, () => server.close());
});
]==], function(h)
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      h.attempt("C", { port = port, host = "db.test", lookup = h.Lasync({
        { address = "127.0.0.2", family = 4 }, { address = "127.0.0.3", family = 4 },
        { address = "127.0.0.2", family = 4 }, { address = "::1", family = 6 },
        { address = "127.0.0.1", family = 4 } }) },
        nil, nil, function() server:close() end)
    end)
  end)

  scenario("every attempt fails: one AggregateError", [==[
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  server.close(() => {
    attempt('C', { port, host: 'db.test', lookup: Lasync([{ address: '::1', family: 6 },
      { address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }]) },
      null, (s) => s.on('error', (e) => log('C', 'String(err)', String(e),
        'errors', e.errors.length)));
  });
});
]==], function(h)
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      server:close(function()
        h.attempt("C", { port = port, host = "db.test", lookup = h.Lasync({
          { address = "::1", family = 6 }, { address = "127.0.0.2", family = 4 },
          { address = "127.0.0.1", family = 4 } }) },
          nil, function(s)
            s:on("error", function(e)
              h.log("C", "String(err)", tostring(e), "errors", #e.errors)
            end)
          end)
      end)
    end)
  end)

  scenario("an address that never answers times out and the next connects", [==[
serve('::1', BH, (server, port) => {
  hide(port);
  attempt('C', { port, host: 'db.test', autoSelectFamilyAttemptTimeout: 50,
    lookup: Lasync([{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]) },
    null, null, () => server.close());
});
]==], function(h, _, bh, closeholes)
    h.serve("::1", bh, function(server, port)
      h.hide(port)
      h.attempt("C", { port = port, host = "db.test", autoSelectFamilyAttemptTimeout = 50,
        lookup = h.Lasync({ { address = "127.0.0.1", family = 4 },
          { address = "::1", family = 6 } }) },
        nil, nil, function() server:close(); closeholes() end)
    end)
  end, { blackhole = { "127.0.0.1" } })

  scenario("timeouts, a refusal and a wrong family in one AggregateError", [==[
hide(BH);
attempt('C', { port: BH, host: 'db.test', autoSelectFamilyAttemptTimeout: 30,
  lookup: Lasync([{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 },
    { address: '127.0.0.2', family: 4 }, { address: '127.0.0.3', family: 6 }]) });
]==], function(h, _, bh, closeholes)
    h.hide(bh)
    h.attempt("C", { port = bh, host = "db.test", autoSelectFamilyAttemptTimeout = 30,
      lookup = h.Lasync({ { address = "127.0.0.1", family = 4 },
        { address = "::1", family = 6 }, { address = "127.0.0.2", family = 4 },
        { address = "127.0.0.3", family = 6 } }) },
      nil, nil, closeholes)
  end, { blackhole = { "127.0.0.1", "::1" } })

  scenario("the last attempt has no timer; destroy() cancels it", [==[
hide(BH);
attempt('C', { port: BH, host: 'db.test', autoSelectFamilyAttemptTimeout: 20,
  lookup: Lasync([{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]) },
  null, (s) => s.on('connectionAttempt', (ip) => {
    if (ip === '::1') setTimeout(() => { log('C', 'destroy'); s.destroy(); }, 100);
  }));
]==], function(h, _, bh, closeholes)
    h.hide(bh)
    h.attempt("C", { port = bh, host = "db.test", autoSelectFamilyAttemptTimeout = 20,
      lookup = h.Lasync({ { address = "127.0.0.1", family = 4 },
        { address = "::1", family = 6 } }) },
      nil, function(s)
        s:on("connectionAttempt", function(ip)
          if ip == "::1" then
            net.setTimeout(function() h.log("C", "destroy"); s:destroy() end, 100)
          end
        end)
      end, closeholes)
  end, { blackhole = { "127.0.0.1", "::1" } })

  scenario("destroy(err) during an attempt", [==[
hide(BH);
attempt('C', { port: BH, host: 'db.test', lookup: Lasync([{ address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 }]) },
  null, (s) => s.on('connectionAttempt', () => setTimeout(() => {
    const e = new Error('stop'); e.code = 'ESTOP'; s.destroy(e);
  }, 20)));
]==], function(h, _, bh, closeholes)
    h.hide(bh)
    h.attempt("C", { port = bh, host = "db.test", lookup = h.Lasync({
      { address = "127.0.0.1", family = 4 }, { address = "::1", family = 6 } }) },
      nil, function(s)
        s:on("connectionAttempt", function()
          net.setTimeout(function()
            s:destroy(setmetatable({ name = "Error", code = "ESTOP", message = "stop" },
              require("uvnet.errors").Error))
          end, 20)
        end)
      end, closeholes)
  end, { blackhole = { "127.0.0.1" } })

  scenario("destroy() while looking up, in 'lookup' and in 'connectionAttemptFailed'", [==[
const list = [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.3', family: 4 },
  { address: '::1', family: 6 }];
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  attempt('A', { port, host: 'db.test', lookup: Lasync(list) }, null, (s) => s.destroy(), () =>
    attempt('B', { port, host: 'db.test', lookup: Lasync(list) },
      (s) => s.once('lookup', () => s.destroy()), null, () =>
      attempt('C', { port, host: 'db.test', lookup: Lasync(list) },
        (s) => s.once('connectionAttemptFailed', () => s.destroy()), null,
        () => server.close())));
});
]==], function(h)
    local list = { { address = "127.0.0.2", family = 4 }, { address = "127.0.0.3", family = 4 },
      { address = "::1", family = 6 } }
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      h.attempt("A", { port = port, host = "db.test", lookup = h.Lasync(list) }, nil,
        function(s) s:destroy() end, function()
          h.attempt("B", { port = port, host = "db.test", lookup = h.Lasync(list) },
            function(s) s:once("lookup", function() s:destroy() end) end, nil, function()
              h.attempt("C", { port = port, host = "db.test", lookup = h.Lasync(list) },
                function(s) s:once("connectionAttemptFailed", function() s:destroy() end) end,
                nil, function() server:close() end)
            end)
        end)
    end)
  end)

  scenario("one address (or one left after duplicates) is a plain connect", [==[
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  attempt('A', { port, host: 'db.test', lookup: Lasync([{ address: '127.0.0.1', family: 4 },
    { address: '127.0.0.1', family: 4 }]) }, null, null, () =>
    attempt('B', { port, host: 'db.test', lookup: Lasync([{ address: '127.0.0.2', family: 4 }]) },
      null, null, () => server.close()));
});
]==], function(h)
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      h.attempt("A", { port = port, host = "db.test", lookup = h.Lasync({
        { address = "127.0.0.1", family = 4 }, { address = "127.0.0.1", family = 4 } }) },
        nil, nil, function()
          h.attempt("B", { port = port, host = "db.test", lookup = h.Lasync({
            { address = "127.0.0.2", family = 4 } }) }, nil, nil,
            function() server:close() end)
        end)
    end)
  end)

  scenario("autoSelectFamily false, a family or a localAddress: one attempt", [==[
const list = [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }];
function one(host, o, cb) { setImmediate(() => cb(null, '127.0.0.2', 4)); }
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  attempt('A', { port, host: 'db.test', autoSelectFamily: false, lookup: one }, null, null, () =>
    attempt('B', { port, host: 'db.test', family: 4, lookup: one }, null, null, () =>
      attempt('C', { port, host: 'db.test', localAddress: '127.0.0.1', lookup: one }, null, null,
        () => {
          net.setDefaultAutoSelectFamily(false);
          attempt('D', { port, host: 'db.test', lookup: one }, null, null, () => {
            net.setDefaultAutoSelectFamily(true);
            attempt('E', { port, host: 'db.test', autoSelectFamily: true,
              lookup: Lasync(list) }, null, null, () => server.close());
          });
        })));
});
]==], function(h)
    local list = { { address = "127.0.0.2", family = 4 }, { address = "127.0.0.1", family = 4 } }
    local function one(_, _, cb) net.setImmediate(cb, nil, "127.0.0.2", 4) end
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      h.attempt("A", { port = port, host = "db.test", autoSelectFamily = false, lookup = one },
        nil, nil, function()
          h.attempt("B", { port = port, host = "db.test", family = 4, lookup = one }, nil, nil,
            function()
              h.attempt("C", { port = port, host = "db.test", localAddress = "127.0.0.1",
                lookup = one }, nil, nil, function()
                net.setDefaultAutoSelectFamily(false)
                h.attempt("D", { port = port, host = "db.test", lookup = one }, nil, nil,
                  function()
                    net.setDefaultAutoSelectFamily(true)
                    h.attempt("E", { port = port, host = "db.test", autoSelectFamily = true,
                      lookup = h.Lasync(list) }, nil, nil, function() server:close() end)
                  end)
              end)
            end)
        end)
    end)
  end)

  scenario("a local port is bound for every attempt", [==[
const probe = net.createServer();
probe.listen(0, '127.0.0.1', () => {
  const lport = probe.address().port;
  hide(lport, '<lport>');
  probe.close(() => serve('127.0.0.1', 0, (server, port) => {
    hide(port);
    attempt('C', { port, host: 'db.test', localPort: lport, lookup: Lasync([
      { address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 }]) }, null,
      (s) => s.on('connect', () => log('C', 'localPort', s.localPort === lport)),
      () => server.close());
  }));
});
]==], function(h)
    local probe = net.createServer()
    probe:listen(0, "127.0.0.1", function()
      local lport = probe:address().port
      h.hide(lport, "<lport>")
      probe:close(function()
        h.serve("127.0.0.1", 0, function(server, port)
          h.hide(port)
          h.attempt("C", { port = port, host = "db.test", localPort = lport,
            lookup = h.Lasync({ { address = "127.0.0.2", family = 4 },
              { address = "::1", family = 6 }, { address = "127.0.0.1", family = 4 } }) },
            nil, function(s)
              s:on("connect", function() h.log("C", "localPort", s.localPort == lport) end)
            end, function() server:close() end)
        end)
      end)
    end)
  end)

  scenario("a local port that is not whole fails as Node's checkBindError does", [==[
attempt('A', { port: 9, host: '127.0.0.1', localPort: 40001.5 }, null, null, () =>
  attempt('B', { port: 9, host: 'db.test', localPort: 40001.5, lookup: Lasync([
    { address: '127.0.0.9', family: 4 }, { address: '127.0.0.10', family: 4 }]) }));
]==], function(h)
    h.attempt("A", { port = 9, host = "127.0.0.1", localPort = 40001.5 }, nil, nil, function()
      h.attempt("B", { port = 9, host = "db.test", localPort = 40001.5, lookup = h.Lasync({
        { address = "127.0.0.9", family = 4 }, { address = "127.0.0.10", family = 4 } }) })
    end)
  end)

  scenario("net.connect with a synchronous lookup: the first events come before listeners",
    [==[
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  const c = net.connect({ port, host: 'db.test', lookup: Lsync([{ address: '127.0.0.2', family: 4 },
    { address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]) });
  watch('C', c);
  c.on('close', () => { log('C', 'attempted', A(c.autoSelectFamilyAttemptedAddresses));
    server.close(); });
});
]==], function(h)
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      local c = net.connect({ port = port, host = "db.test", lookup = h.Lsync({
        { address = "127.0.0.2", family = 4 }, { address = "127.0.0.1", family = 4 },
        { address = "::1", family = 6 } }) })
      h.watch("C", c)
      c:on("close", function()
        h.log("C", "attempted", h.A(c.autoSelectFamilyAttemptedAddresses))
        server:close()
      end)
    end)
  end)

  -- The lookup option ---------------------------------------------------------------

  scenario("the options a custom lookup gets", [==[
const cases = [{}, { autoSelectFamily: false }, { family: 0 }, { family: 4 }, { family: 'IPv6' },
  { hints: 1024 }, { family: 6, hints: 1024 }, { localAddress: '127.0.0.1' },
  { localPort: 0 }];
let i = 0;
function next() {
  if (i === cases.length) return;
  const more = cases[i++];
  const s = net.connect(Object.assign({ port: 9, host: 'db.test', lookup(host, o, cb) {
    log('lookup', host, O(o));
    setImmediate(() => s.destroy());
  } }, more));
  s.on('close', next);
}
next();
]==], function(h)
    local cases = { {}, { autoSelectFamily = false }, { family = 0 }, { family = 4 },
      { family = "IPv6" }, { hints = 1024 }, { family = 6, hints = 1024 },
      { localAddress = "127.0.0.1" }, { localPort = 0 } }
    local i = 0
    local function nextcase()
      if i == #cases then return end
      i = i + 1
      local o = { port = 9, host = "db.test" }
      for k, v in pairs(cases[i]) do o[k] = v end
      local s
      o.lookup = function(host, opts)
        h.log("lookup", host, h.O(opts))
        net.setImmediate(function() s:destroy() end)
      end
      s = net.connect(o)
      s:on("close", nextcase)
    end
    nextcase()
  end)

  scenario("a failing lookup: 'lookup' with the error, then 'error'", [==[
function fail(host, o, cb) {
  setImmediate(() => { const e = new Error('no answer'); e.code = 'EFAIL'; cb(e); });
}
attempt('A', { port: 9, host: 'db.test', lookup: fail }, null, null, () =>
  attempt('B', { port: 9, host: 'db.test', autoSelectFamily: false, lookup: fail }));
]==], function(h)
    local function fail(_, _, cb)
      net.setImmediate(function()
        cb(setmetatable({ name = "Error", code = "EFAIL", message = "no answer" },
          require("uvnet.errors").Error))
      end)
    end
    h.attempt("A", { port = 9, host = "db.test", lookup = fail }, nil, nil, function()
      h.attempt("B", { port = 9, host = "db.test", autoSelectFamily = false, lookup = fail })
    end)
  end)

  scenario("lookup answers that are not addresses", [==[
const cases = [
  [{ address: 'bogus', family: 4 }, { address: '::1', family: 5 }],
  [{ address: '::1', family: 5 }, { address: 'bogus', family: 4 }],
  [{ address: '127.0.0.1', family: 'IPv4' }, { address: '127.0.0.9', family: 4 }],
  [{ address: '127.0.0.9', family: 6 }],
];
let i = 0;
function next() {
  if (i === cases.length) {
    attempt('S1', { port: 9, host: 'db.test', autoSelectFamily: false,
      lookup: (h, o, cb) => cb(null, 'bogus', 4) }, null, null, () =>
      attempt('S2', { port: 9, host: 'db.test', autoSelectFamily: false,
        lookup: (h, o, cb) => cb(null, '127.0.0.9', 5) }, null, null, () =>
        attempt('S3', { port: 9, host: 'db.test', autoSelectFamily: false,
          lookup: (h, o, cb) => cb(null, '127.0.0.9', 6) })));
    return;
  }
  attempt('M' + i, { port: 9, host: 'db.test', lookup: Lasync(cases[i++]) }, null, null, next);
}
next();
]==], function(h)
    local cases = {
      { { address = "bogus", family = 4 }, { address = "::1", family = 5 } },
      { { address = "::1", family = 5 }, { address = "bogus", family = 4 } },
      { { address = "127.0.0.1", family = "IPv4" }, { address = "127.0.0.9", family = 4 } },
      { { address = "127.0.0.9", family = 6 } },
    }
    local i = 0
    local function nextcase()
      if i == #cases then
        h.attempt("S1", { port = 9, host = "db.test", autoSelectFamily = false,
          lookup = function(_, _, cb) cb(nil, "bogus", 4) end }, nil, nil, function()
            h.attempt("S2", { port = 9, host = "db.test", autoSelectFamily = false,
              lookup = function(_, _, cb) cb(nil, "127.0.0.9", 5) end }, nil, nil, function()
                h.attempt("S3", { port = 9, host = "db.test", autoSelectFamily = false,
                  lookup = function(_, _, cb) cb(nil, "127.0.0.9", 6) end })
              end)
          end)
        return
      end
      local tag = "M" .. i
      i = i + 1
      h.attempt(tag, { port = 9, host = "db.test", lookup = h.Lasync(cases[i]) }, nil, nil,
        nextcase)
    end
    nextcase()
  end)

  -- The system resolver ---------------------------------------------------------

  scenario("'localhost' through getaddrinfo, and a name the C library refuses", [==[
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  attempt('A', { port, host: 'localhost' }, null, null, () =>
    attempt('B', { port, host: 'localhost', autoSelectFamily: false }, null, null, () =>
      attempt('C', { port, host: 'no..such..host' }, null, null, () =>
        attempt('D', { port, host: 'no..such..host', autoSelectFamily: false }, null, null,
          () => server.close()))));
});
]==], function(h)
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      h.attempt("A", { port = port, host = "localhost" }, nil, nil, function()
        h.attempt("B", { port = port, host = "localhost", autoSelectFamily = false }, nil, nil,
          function()
            h.attempt("C", { port = port, host = "no..such..host" }, nil, nil, function()
              h.attempt("D", { port = port, host = "no..such..host", autoSelectFamily = false },
                nil, nil, function() server:close() end)
            end)
          end)
      end)
    end)
  end)

  -- The blockList option ----------------------------------------------------------

  scenario("blockList (a Socket option): a blocked address fails after 'connectionAttempt'", [==[
const bl = new net.BlockList();
bl.addAddress('127.0.0.1');
serve('127.0.0.1', 0, (server, port) => {
  hide(port);
  attempt('A', { port, host: '127.0.0.1', blockList: bl }, null, null, () =>
    attempt('B', { port, host: 'db.test', blockList: bl,
      lookup: Lasync([{ address: '127.0.0.1', family: 4 }]) }, null, null, () =>
      attempt('C', { port, host: 'db.test', blockList: bl, autoSelectFamily: false,
        lookup: (h, o, cb) => cb(null, '127.0.0.1', 4) }, null, null, () => {
        const c = net.connect({ port, host: '127.0.0.1', blockList: bl });
        c.on('error', (e) => log('D', 'error', e));
        c.on('close', () => {
          const e = new net.Socket();
          watch('E', e);
          e.connect({ port, host: '127.0.0.1', blockList: bl });
          e.on('connect', () => e.end());
          e.on('close', () => server.close());
        });
      })));
});
]==], function(h)
    local bl = net.BlockList()
    bl:addAddress("127.0.0.1")
    h.serve("127.0.0.1", 0, function(server, port)
      h.hide(port)
      h.attempt("A", { port = port, host = "127.0.0.1", blockList = bl }, nil, nil, function()
        h.attempt("B", { port = port, host = "db.test", blockList = bl,
          lookup = h.Lasync({ { address = "127.0.0.1", family = 4 } }) }, nil, nil, function()
            h.attempt("C", { port = port, host = "db.test", blockList = bl,
              autoSelectFamily = false, lookup = function(_, _, cb) cb(nil, "127.0.0.1", 4) end },
              nil, nil, function()
                local c = net.connect({ port = port, host = "127.0.0.1", blockList = bl })
                c:on("error", function(e) h.log("D", "error", e) end)
                c:on("close", function()
                  local e = net.Socket()
                  h.watch("E", e)
                  e:connect({ port = port, host = "127.0.0.1", blockList = bl })
                  e:on("connect", function() e:finish() end)
                  e:on("close", function() server:close() end)
                end)
              end)
          end)
      end)
    end)
  end)

  scenario("blockList with autoselection: a blocked address fails without an attempt", [==[
const bl4 = new net.BlockList();
bl4.addAddress('127.0.0.1');
const bl6 = new net.BlockList();
bl6.addAddress('::1', 'ipv6');
serve('::1', 0, (server, port) => {
  hide(port);
  attempt('A', { port, host: 'db.test', blockList: bl4, lookup: Lasync([
    { address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]) }, null, null, () =>
    attempt('B', { port, host: 'db.test', blockList: bl4, lookup: Lasync([
      { address: '127.0.0.1', family: 4 }, { address: '127.0.0.1', family: 6 }]) }, null, null,
      () => attempt('C', { port, host: 'db.test', blockList: bl6, lookup: Lasync([
        { address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 }]) }, null, null,
        () => server.close())));
});
]==], function(h)
    local bl4 = net.BlockList()
    bl4:addAddress("127.0.0.1")
    local bl6 = net.BlockList()
    bl6:addAddress("::1", "ipv6")
    h.serve("::1", 0, function(server, port)
      h.hide(port)
      h.attempt("A", { port = port, host = "db.test", blockList = bl4, lookup = h.Lasync({
        { address = "127.0.0.1", family = 4 }, { address = "::1", family = 6 } }) }, nil, nil,
        function()
          h.attempt("B", { port = port, host = "db.test", blockList = bl4, lookup = h.Lasync({
            { address = "127.0.0.1", family = 4 }, { address = "127.0.0.1", family = 6 } }) },
            nil, nil, function()
              h.attempt("C", { port = port, host = "db.test", blockList = bl6,
                lookup = h.Lasync({ { address = "127.0.0.2", family = 4 },
                  { address = "::1", family = 6 } }) }, nil, nil,
                function() server:close() end)
            end)
        end)
    end)
  end)

  -- Checks ------------------------------------------------------------------------

  scenario("the defaults and their setters check their values", [==[
log('defaults', net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout());
const values = [true, false, 1, 'x', undefined, 0, 5, 10, 1.5, -1, 2 ** 31, 2 ** 31 - 1, NaN,
  Infinity, '100'];
for (const v of values) {
  try { net.setDefaultAutoSelectFamily(v); log('family', show(v), 'ok',
    net.getDefaultAutoSelectFamily()); } catch (e) { log('family', show(v), E(e)); }
  try { net.setDefaultAutoSelectFamilyAttemptTimeout(v); log('timeout', show(v), 'ok',
    net.getDefaultAutoSelectFamilyAttemptTimeout()); } catch (e) { log('timeout', show(v), E(e)); }
}
net.setDefaultAutoSelectFamily(true);
net.setDefaultAutoSelectFamilyAttemptTimeout(250);
for (const v of values) {
  for (const k of ['autoSelectFamily', 'autoSelectFamilyAttemptTimeout']) {
    try {
      const s = net.connect({ port: 9, host: '127.0.0.1', [k]: v });
      s.destroy();
      log(k, show(v), 'ok');
    } catch (e) { log(k, show(v), E(e)); }
  }
}
for (const v of [1, 'x', {}, true]) {
  try { new net.Socket({ blockList: v }); log('blockList', 'ok'); } catch (e) {
    log('blockList', E(e)); }
}
for (const v of [false, 0, '', null]) { new net.Socket({ blockList: v }); log('blockList', 'ok'); }
]==], function(h)
    local log = h.log
    log("defaults", net.getDefaultAutoSelectFamily(),
      net.getDefaultAutoSelectFamilyAttemptTimeout())
    local values = { true, false, 1, "x", "nil", 0, 5, 10, 1.5, -1, 2 ^ 31, 2 ^ 31 - 1, 0 / 0,
      math.huge, "100" }
    local function named(v)
      if v == "nil" then return nil, "nil" end
      if v ~= v then return v, "NaN" end
      if v == math.huge then return v, "Infinity" end
      return v, show(v)
    end
    for _, x in ipairs(values) do
      local v, name = named(x)
      local ok, e = pcall(net.setDefaultAutoSelectFamily, v)
      if ok then log("family", name, "ok", net.getDefaultAutoSelectFamily())
      else log("family", name, E(e)) end
      ok, e = pcall(net.setDefaultAutoSelectFamilyAttemptTimeout, v)
      if ok then log("timeout", name, "ok", net.getDefaultAutoSelectFamilyAttemptTimeout())
      else log("timeout", name, E(e)) end
    end
    net.setDefaultAutoSelectFamily(true)
    net.setDefaultAutoSelectFamilyAttemptTimeout(250)
    for _, x in ipairs(values) do
      local v, name = named(x)
      for _, k in ipairs({ "autoSelectFamily", "autoSelectFamilyAttemptTimeout" }) do
        local ok, e = pcall(net.connect, { port = 9, host = "127.0.0.1", [k] = v })
        if ok then
          e:destroy()
          log(k, name, "ok")
        else
          log(k, name, E(e))
        end
      end
    end
    for _, v in ipairs({ 1, "x", {}, true }) do
      local ok, e = pcall(net.Socket, { blockList = v })
      if ok then log("blockList", "ok") else log("blockList", E(e)) end
    end
    for _, v in ipairs({ false, 0, "", "nil" }) do
      net.Socket({ blockList = v ~= "nil" and v or nil })
      log("blockList", "ok")
    end
  end)
end)
