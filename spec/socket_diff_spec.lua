-- Differential specs for net.Socket and net.Server: every scenario runs once
-- as JavaScript on Node 22 and once as Lua on uvnet, over loopback
-- (127.0.0.1, port 0) or a Unix socket in a temporary directory, and the two
-- printed traces must be equal.
--
-- A scenario logs lines under a tag, one tag per independent source of
-- events (a client socket, the server side of a connection, a server).
-- Lines keep their order within a tag; the tags are printed in sorted order
-- at the end, so two sockets whose events may interleave either way in one
-- loop turn cannot make the trace flaky.  Ports and paths are printed as
-- <port> and <path> (see hide()).
--
-- Both sides have the same helpers:
--   log(tag, ...)           one line: the values printed as show() does
--   snap(s, field, ...)     "field=value ..." ('isPaused' calls s.isPaused())
--   state(s)                snap() of readyState, pending, connecting,
--                           destroyed, readable, writable
--   watch(tag, s, names)    logs each named event with its arguments
--                           (trailing nil/undefined ones left out)
--   E(err)                  an error's name, code, errno, syscall, address,
--                           port and message
--   A(v)                    an address() result: an object's keys, sorted,
--                           or a string
--   hide(v[, label])        prints v as label (<port> by default)
--
-- Node connects with `autoSelectFamily: false` everywhere: every host here
-- is an IP literal; family autoselection has its own differential spec,
-- spec/connect_diff_spec.lua.
--
-- UVNET_DIFF_REPEAT=n runs each Node side n times and fails if its traces
-- differ (to check that a scenario is deterministic in Node).
local net = require("uvnet")
local core = require("uvnet.core")
local timers = require("uvnet.timers")
local loop = require("support.loop")
local node = require("support.node")
local diff = require("support.diff")

local HOST = "127.0.0.1"
local REPEAT = math.tointeger(tonumber(os.getenv("UVNET_DIFF_REPEAT") or "1")) or 1
local BIG = 8 * 1024 * 1024

-- The harness: spec/support/diff.lua, with A() and BIG added ------------------

local CFG = {
  efields = { "name", "code", "errno", "syscall", "address", "port", "message" },
  state = { "readyState", "pending", "connecting", "destroyed", "readable",
    "writable" },
}

local PRELUDE = diff.prelude(CFG) .. [==[
const BIG = 8 * 1024 * 1024;
function A(v) {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return 'string ' + v;
  return '{' + Object.keys(v).sort().map((k) => k + '=' + show(v[k])).join(' ') + '}';
}
]==]

-- A fresh set of helpers and an empty trace.
local function harness()
  local h = diff.harness(CFG)
  function h.A(v)
    if v == nil then return "nil" end
    if type(v) == "string" then return "string " .. v end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for i, k in ipairs(keys) do keys[i] = k .. "=" .. h.show(v[k]) end
    return "{" .. table.concat(keys, " ") .. "}"
  end
  return h
end

-- Runs fn(), then the loop; when the loop ends, logs "X: loop ended", runs
-- the function fn returned (which sets h.muted and closes what was left
-- unreferenced) and the loop again.  For the ref()/unref() scenarios, where loop.run would call the
-- handles left open a failure.
local function rawrun(h, fn, timeout)
  local deadline = timers.setTimeout(function()
    error(("the test did not finish within %d ms"):format(timeout), 0)
  end, timeout)
  deadline:unref()
  local ok, err = pcall(function()
    local after = fn(h)
    net.run()
    h.log("X", "loop ended")
    if after then after() end
    net.run()
  end)
  timers.clearTimeout(deadline)
  local _, all = core.openhandles()
  loop.cleanup()
  if not ok then error(err, 0) end
  if all > 0 then error(("the test left %d handle(s) open"):format(all), 0) end
end

local tmpdir, exists = require("support.files").tmpdir,
  require("support.files").exists

-- One differential spec: js on Node, fn(h) on uvnet, traces compared.
local function scenario(name, js, fn, o)
  o = o or {}
  it(name .. " #diff", function()
    local src = PRELUDE .. js
    local expected = node.run(src, nil, 30)
    for _ = 2, REPEAT do
      assert.are.equal(expected, (node.run(src, nil, 30)),
        "Node's trace is not deterministic")
    end
    local h = harness()
    local ok, err
    if o.raw then
      ok, err = pcall(rawrun, h, fn, o.timeout or 4000)
    else
      ok, err = pcall(loop.run, function(t) return fn(h, t) end,
        { timeout = o.timeout or 4000 })
    end
    local got = h.text()
    if not ok then got = got .. "!! " .. tostring(err) .. "\n" end
    assert.are.equal(expected, got)
  end)
end

-- Scenarios -------------------------------------------------------------------

describe("net.Socket and net.Server against Node 22", function()

  -- Ending ----------------------------------------------------------------------

  scenario("client ends first", [==[
const server = net.createServer((s) => {
  log('S', 'connection', state(s));
  log('S', 'addresses', snap(s, 'remoteAddress', 'remoteFamily', 'localAddress', 'bytesRead'),
    typeof s.remotePort, s.localPort === server.address().port);
  watch('S', s, ['data', 'end', 'finish', 'close']);
  s.on('data', (d) => s.write(String(d).toUpperCase()));
  s.on('end', () => log('S', 'at end', state(s), snap(s, 'bytesRead')));
  s.on('close', () => log('S', 'at close', state(s), snap(s, 'bytesRead', 'bytesWritten')));
});
server.listen(0, HOST, () => {
  const port = server.address().port;
  hide(port);
  const c = net.connect(opts(port));
  log('C', 'connecting', state(c), snap(c, 'remoteAddress', 'bytesWritten'));
  watch('C', c, ['connect', 'ready', 'data', 'end', 'finish', 'close']);
  c.on('connect', () => {
    log('C', 'at connect', state(c));
    log('C', 'addresses', snap(c, 'remoteAddress', 'remotePort', 'remoteFamily',
      'localAddress'), typeof c.localPort);
    c.write('ping');
    c.end();
    log('C', 'after end()', state(c), snap(c, 'writableEnded', 'writableFinished',
      'bytesWritten'));
  });
  c.on('finish', () => log('C', 'at finish', state(c), snap(c, 'writableFinished')));
  c.on('end', () => log('C', 'at end', state(c), snap(c, 'bytesRead')));
  c.on('close', () => {
    log('C', 'at close', state(c), snap(c, 'bytesRead', 'bytesWritten', 'remoteAddress',
      'remotePort'));
    server.close(() => log('Z', 'server closed'));
  });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s)
      log("S", "connection", state(s))
      log("S", "addresses", snap(s, "remoteAddress", "remoteFamily", "localAddress",
        "bytesRead"), type(s.remotePort), s.localPort == server:address().port)
      watch("S", s, { "data", "end", "finish", "close" })
      s:on("data", function(d) s:write(d:upper()) end)
      s:on("end", function() log("S", "at end", state(s), snap(s, "bytesRead")) end)
      s:on("close", function()
        log("S", "at close", state(s), snap(s, "bytesRead", "bytesWritten"))
      end)
    end)
    server:listen(0, HOST, function()
      local port = server:address().port
      h.hide(port)
      local c = net.connect(h.opts(port))
      log("C", "connecting", state(c), snap(c, "remoteAddress", "bytesWritten"))
      watch("C", c, { "connect", "ready", "data", "end", "finish", "close" })
      c:on("connect", function()
        log("C", "at connect", state(c))
        log("C", "addresses", snap(c, "remoteAddress", "remotePort", "remoteFamily",
          "localAddress"), type(c.localPort))
        c:write("ping")
        c:finish()
        log("C", "after end()", state(c), snap(c, "writableEnded", "writableFinished",
          "bytesWritten"))
      end)
      c:on("finish", function()
        log("C", "at finish", state(c), snap(c, "writableFinished"))
      end)
      c:on("end", function() log("C", "at end", state(c), snap(c, "bytesRead")) end)
      c:on("close", function()
        log("C", "at close", state(c), snap(c, "bytesRead", "bytesWritten",
          "remoteAddress", "remotePort"))
        server:close(function() log("Z", "server closed") end)
      end)
    end)
  end)

  scenario("server ends first", [==[
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end', 'finish', 'close']);
  s.end('welcome');
  log('S', 'after end()', state(s), snap(s, 'writableEnded', 'bytesWritten'));
  s.on('finish', () => log('S', 'at finish', state(s)));
  s.on('end', () => log('S', 'at end', state(s)));
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'data', 'end', 'finish', 'close']);
  c.on('end', () => log('C', 'at end', state(c)));
  c.on('finish', () => log('C', 'at finish', state(c)));
  c.on('close', () => {
    log('C', 'at close', state(c), snap(c, 'bytesRead', 'bytesWritten'));
    server.close();
  });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server = net.createServer(function(s)
      watch("S", s, { "data", "end", "finish", "close" })
      s:finish("welcome")
      log("S", "after end()", state(s), snap(s, "writableEnded", "bytesWritten"))
      s:on("finish", function() log("S", "at finish", state(s)) end)
      s:on("end", function() log("S", "at end", state(s)) end)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "data", "end", "finish", "close" })
      c:on("end", function() log("C", "at end", state(c)) end)
      c:on("finish", function() log("C", "at finish", state(c)) end)
      c:on("close", function()
        log("C", "at close", state(c), snap(c, "bytesRead", "bytesWritten"))
        server:close()
      end)
    end)
  end)

  scenario("both ends call end() at once", [==[
let left = 2;
function done() { if (--left === 0) server.close(); }
const server = net.createServer((s) => {
  const seen = [];
  for (const e of ['data', 'end', 'finish']) s.on(e, () => seen.push(e));
  s.end('from server');
  s.on('close', (he) => {
    log('S', 'close', he, seen.sort().join(','), state(s), snap(s, 'bytesRead'));
    done();
  });
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  const seen = [];
  for (const e of ['data', 'end', 'finish']) c.on(e, () => seen.push(e));
  c.on('connect', () => c.end('from client'));
  c.on('close', (he) => {
    log('C', 'close', he, seen.sort().join(','), state(c), snap(c, 'bytesRead'));
    done();
  });
});
]==], function(h)
    local log, snap, state = h.log, h.snap, h.state
    local left = 2
    local server
    local function done()
      left = left - 1
      if left == 0 then server:close() end
    end
    local function record(s)
      local seen = {}
      for _, e in ipairs({ "data", "end", "finish" }) do
        s:on(e, function() seen[#seen + 1] = e end)
      end
      return seen
    end
    server = net.createServer(function(s)
      local seen = record(s)
      s:finish("from server")
      s:on("close", function(he)
        table.sort(seen)
        log("S", "close", he, table.concat(seen, ","), state(s), snap(s, "bytesRead"))
        done()
      end)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      local seen = record(c)
      c:on("connect", function() c:finish("from client") end)
      c:on("close", function(he)
        table.sort(seen)
        log("C", "close", he, table.concat(seen, ","), state(c), snap(c, "bytesRead"))
        done()
      end)
    end)
  end)

  scenario("allowHalfOpen on the server: it writes after 'end', then ends", [==[
const server = net.createServer({ allowHalfOpen: true }, (s) => {
  log('S', 'allowHalfOpen', s.allowHalfOpen);
  watch('S', s, ['data', 'end', 'finish', 'close']);
  s.on('end', () => {
    log('S', 'at end', state(s));
    log('S', 'write returns', s.write('after-end', () => log('S', 'write cb')));
    s.end('bye');
    log('S', 'after end()', state(s), snap(s, 'writableEnded'));
  });
  s.on('finish', () => log('S', 'at finish', state(s)));
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  let got = '';
  watch('C', c, ['connect', 'end', 'finish', 'close']);
  c.on('data', (d) => { got += d; });
  c.on('connect', () => c.end('hello'));
  c.on('finish', () => log('C', 'at finish', state(c)));
  c.on('end', () => log('C', 'got', got, state(c)));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server = net.createServer({ allowHalfOpen = true }, function(s)
      log("S", "allowHalfOpen", s.allowHalfOpen)
      watch("S", s, { "data", "end", "finish", "close" })
      s:on("end", function()
        log("S", "at end", state(s))
        log("S", "write returns", s:write("after-end", function() log("S", "write cb") end))
        s:finish("bye")
        log("S", "after end()", state(s), snap(s, "writableEnded"))
      end)
      s:on("finish", function() log("S", "at finish", state(s)) end)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      local got = ""
      watch("C", c, { "connect", "end", "finish", "close" })
      c:on("data", function(d) got = got .. d end)
      c:on("connect", function() c:finish("hello") end)
      c:on("finish", function() log("C", "at finish", state(c)) end)
      c:on("end", function() log("C", "got", got, state(c)) end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("allowHalfOpen on the client: it writes after 'end', then ends", [==[
const server = net.createServer((s) => {
  let got = '';
  watch('S', s, ['end', 'finish', 'close']);
  s.on('data', (d) => { got += d; });
  s.on('end', () => log('S', 'got', got, state(s)));
  s.end('bye');
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port, { allowHalfOpen: true }));
  log('C', 'allowHalfOpen', c.allowHalfOpen);
  watch('C', c, ['connect', 'data', 'end', 'finish', 'close']);
  c.on('end', () => {
    log('C', 'at end', state(c));
    c.write('late', () => log('C', 'write cb'));
    c.end(() => log('C', 'end cb'));
    log('C', 'after end()', state(c));
  });
  c.on('close', () => {
    log('C', 'at close', state(c), snap(c, 'bytesWritten'));
    server.close();
  });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server = net.createServer(function(s)
      local got = ""
      watch("S", s, { "end", "finish", "close" })
      s:on("data", function(d) got = got .. d end)
      s:on("end", function() log("S", "got", got, state(s)) end)
      s:finish("bye")
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port, { allowHalfOpen = true }))
      log("C", "allowHalfOpen", c.allowHalfOpen)
      watch("C", c, { "connect", "data", "end", "finish", "close" })
      c:on("end", function()
        log("C", "at end", state(c))
        c:write("late", function() log("C", "write cb") end)
        c:finish(function() log("C", "end cb") end)
        log("C", "after end()", state(c))
      end)
      c:on("close", function()
        log("C", "at close", state(c), snap(c, "bytesWritten"))
        server:close()
      end)
    end)
  end)

  -- destroy() -------------------------------------------------------------------

  scenario("read() in 'readable' added late: data events and every byte", [==[
const server = net.createServer((s) => s.end('a'.repeat(100004)));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  let viaRead = 0, viaData = 0;
  c.on('data', (d) => { viaData += d.length; });
  c.pause();
  c.on('end', () => {
    log('C', 'end', viaRead, viaData);
    server.close();
  });
  setTimeout(() => {
    c.on('readable', () => {
      let d;
      while ((d = c.read()) !== null) viaRead += d.length;
    });
  }, 100);
});
]==], function(h)
    local log = h.log
    local server = net.createServer(function(s)
      s:finish(("a"):rep(100004))
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      local viaRead, viaData = 0, 0
      c:on("data", function(d) viaData = viaData + #d end)
      c:pause()
      c:on("end", function()
        log("C", "end", viaRead, viaData)
        server:close()
      end)
      net.setTimeout(function()
        c:on("readable", function()
          local d = c:read()
          while d ~= nil do
            viaRead = viaRead + #d
            d = c:read()
          end
        end)
      end, 100)
    end)
  end)

  scenario("connect() again while the first connect is in flight", [==[
const server = net.createServer((s) => s.end('hi'));
server.listen(0, HOST, () => {
  const port = server.address().port;
  const c = net.connect(opts(port));
  watch('C', c, ['connect', 'data', 'end', 'close']);
  c.on('error', (e) => log('C', 'error', e.code, e.syscall, e.port === port));
  c.connect(opts(port));
  c.on('close', () => server.close());
});
]==], function(h)
    local watch = h.watch
    local server = net.createServer(function(s) s:finish("hi") end)
    server:listen(0, HOST, function()
      local port = server:address().port
      local c = net.connect(h.opts(port))
      watch("C", c, { "connect", "data", "end", "close" })
      c:on("error", function(e)
        h.log("C", "error", e.code, e.syscall, e.port == port)
      end)
      c:connect(h.opts(port))
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("destroy() on a socket that never connected", [==[
const c = new net.Socket();
log('C', 'fresh', state(c));
log('C', 'fields', snap(c, 'bytesRead', 'bytesWritten', 'writableLength', 'bufferSize',
  'readableFlowing', 'isPaused', 'remoteAddress', 'remotePort', 'localAddress', 'timeout'));
watch('C', c, ['connect', 'error', 'close']);
log('C', 'destroy returns itself', c.destroy() === c);
log('C', 'after destroy()', state(c), snap(c, 'bufferSize'));
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local c = net.Socket()
    log("C", "fresh", state(c))
    log("C", "fields", snap(c, "bytesRead", "bytesWritten", "writableLength", "bufferSize",
      "readableFlowing", "isPaused", "remoteAddress", "remotePort", "localAddress",
      "timeout"))
    watch("C", c, { "connect", "error", "close" })
    log("C", "destroy returns itself", c:destroy() == c)
    log("C", "after destroy()", state(c), snap(c, "bufferSize"))
  end)

  scenario("destroy() right after connect() is called", [==[
const server = net.createServer(() => log('S', 'connection'));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'ready', 'error', 'close']);
  log('C', 'connecting', state(c));
  c.destroy();
  log('C', 'after destroy()', state(c));
  c.on('close', () => server.close(() => log('S', 'server closed')));
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer(function() log("S", "connection") end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "ready", "error", "close" })
      log("C", "connecting", state(c))
      c:destroy()
      log("C", "after destroy()", state(c))
      c:on("close", function()
        server:close(function() log("S", "server closed") end)
      end)
    end)
  end)

  scenario("destroy() while the connect request is in flight", [==[
const server = net.createServer((s) => s.on('error', () => {}));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'ready', 'error', 'close']);
  process.nextTick(() => {
    log('C', 'in flight', state(c));
    c.destroy();
    log('C', 'after destroy()', state(c));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer(function(s) s:on("error", function() end) end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "ready", "error", "close" })
      net.nextTick(function()
        log("C", "in flight", state(c))
        c:destroy()
        log("C", "after destroy()", state(c))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("destroy() after connect", [==[
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end', 'finish', 'error', 'close']);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'ready', 'end', 'finish', 'error', 'close']);
  c.on('connect', () => {
    // Read while connected: Node caches the peer's address on first read,
    // and uvnet keeps it (docs/differences.md).
    log('C', 'connected', snap(c, 'remoteAddress'));
    c.destroy();
    log('C', 'after destroy()', state(c), snap(c, 'remoteAddress'));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server = net.createServer(function(s)
      watch("S", s, { "data", "end", "finish", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "ready", "end", "finish", "error", "close" })
      c:on("connect", function()
        log("C", "connected", snap(c, "remoteAddress"))
        c:destroy()
        log("C", "after destroy()", state(c), snap(c, "remoteAddress"))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("destroy() inside its own 'data' listener", [==[
const server = net.createServer((s) => {
  watch('S', s, ['end', 'close']);
  s.end('hello');
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'data', 'end', 'finish', 'error', 'close']);
  c.on('data', () => {
    c.destroy();
    log('C', 'after destroy()', state(c), snap(c, 'bytesRead'));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server = net.createServer(function(s)
      watch("S", s, { "end", "close" })
      s:finish("hello")
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "data", "end", "finish", "error", "close" })
      c:on("data", function()
        c:destroy()
        log("C", "after destroy()", state(c), snap(c, "bytesRead"))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("destroy() inside its own 'end' listener", [==[
const server = net.createServer((s) => {
  watch('S', s, ['end', 'close']);
  s.end('hello');
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'data', 'end', 'finish', 'error', 'close']);
  c.on('end', () => {
    c.destroy();
    log('C', 'after destroy()', state(c));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer(function(s)
      watch("S", s, { "end", "close" })
      s:finish("hello")
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "data", "end", "finish", "error", "close" })
      c:on("end", function()
        c:destroy()
        log("C", "after destroy()", state(c))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("destroy() and destroy(err) inside its own 'error' listener", [==[
const server = net.createServer();
server.listen(0, HOST, () => {
  const port = server.address().port;
  hide(port);
  server.close(() => {
    const c = net.connect(opts(port));
    watch('C', c, ['connect', 'error', 'close']);
    c.on('error', () => {
      c.destroy();
      c.destroy(new Error('second'));
      log('C', 'after destroy()', state(c));
    });
  });
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer()
    server:listen(0, HOST, function()
      local port = server:address().port
      h.hide(port)
      server:close(function()
        local c = net.connect(h.opts(port))
        watch("C", c, { "connect", "error", "close" })
        c:on("error", function()
          c:destroy()
          c:destroy({ name = "Error", message = "second" })
          log("C", "after destroy()", state(c))
        end)
      end)
    end)
  end)

  scenario("destroy() inside its own 'close' listener", [==[
const server = net.createServer((s) => s.end('hello'));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['data', 'end', 'error', 'close']);
  c.on('close', () => {
    log('C', 'destroy returns itself', c.destroy() === c);
    c.destroy(new Error('late'));
    log('C', 'after destroy()', state(c));
    setImmediate(() => { log('C', 'a turn later'); server.close(); });
  });
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer(function(s) s:finish("hello") end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "data", "end", "error", "close" })
      c:on("close", function()
        log("C", "destroy returns itself", c:destroy() == c)
        c:destroy({ name = "Error", message = "late" })
        log("C", "after destroy()", state(c))
        net.setImmediate(function()
          log("C", "a turn later")
          server:close()
        end)
      end)
    end)
  end)

  scenario("destroy() twice and destroy(err) twice", [==[
const server = net.createServer((s) => s.on('error', () => {}));
server.listen(0, HOST, () => {
  const port = server.address().port;
  let left = 2;
  const done = () => { if (--left === 0) server.close(); };
  const a = net.connect(opts(port));
  watch('A', a, ['connect', 'error', 'close']);
  a.on('connect', () => { a.destroy(); a.destroy(); log('A', 'twice', state(a)); });
  a.on('close', done);
  const b = net.connect(opts(port));
  watch('B', b, ['connect', 'error', 'close']);
  b.on('connect', () => {
    const one = new Error('one');
    one.code = 'EONE';
    const two = new Error('two');
    two.code = 'ETWO';
    b.destroy(one);
    b.destroy(two);
    log('B', 'twice', state(b));
  });
  b.on('close', done);
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server
    server = net.createServer(function(s) s:on("error", function() end) end)
    server:listen(0, HOST, function()
      local port = server:address().port
      local left = 2
      local function done()
        left = left - 1
        if left == 0 then server:close() end
      end
      local a = net.connect(h.opts(port))
      watch("A", a, { "connect", "error", "close" })
      a:on("connect", function()
        a:destroy()
        a:destroy()
        log("A", "twice", state(a))
      end)
      a:on("close", done)
      local b = net.connect(h.opts(port))
      watch("B", b, { "connect", "error", "close" })
      b:on("connect", function()
        b:destroy({ name = "Error", code = "EONE", message = "one" })
        b:destroy({ name = "Error", code = "ETWO", message = "two" })
        log("B", "twice", state(b))
      end)
      b:on("close", done)
    end)
  end)

  scenario("destroy(err) with the user's own error", [==[
const server = net.createServer((s) => watch('S', s, ['end', 'error', 'close']));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  const mine = new Error('mine');
  mine.code = 'EMINE';
  watch('C', c, ['connect', 'end', 'finish', 'error', 'close']);
  c.on('connect', () => {
    c.destroy(mine);
    log('C', 'after destroy(err)', state(c));
  });
  c.on('error', (err) => log('C', 'same value', err === mine, state(c)));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer(function(s)
      watch("S", s, { "end", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      local mine = { name = "Error", code = "EMINE", message = "mine" }
      watch("C", c, { "connect", "end", "finish", "error", "close" })
      c:on("connect", function()
        c:destroy(mine)
        log("C", "after destroy(err)", state(c))
      end)
      c:on("error", function(err) log("C", "same value", rawequal(err, mine), state(c)) end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("destroy() with a write in flight and writes queued behind it", [==[
let peer;
const server = net.createServer((s) => { peer = s; s.pause(); s.on('error', () => {}); });
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['drain', 'finish', 'error', 'close']);
  c.on('connect', () => {
    c.write(Buffer.alloc(BIG, 97), (err) => log('C', 'cb big', err));
    c.write('x', (err) => log('C', 'cb x', err));
    c.write('y', (err) => log('C', 'cb y', err));
    log('C', 'queued', snap(c, 'writableLength', 'bufferSize', 'bytesWritten'));
    setTimeout(() => {
      c.destroy();
      log('C', 'destroyed', state(c), snap(c, 'writableLength', 'bytesWritten'));
    }, 50);
  });
  c.on('close', () => { peer.destroy(); server.close(); });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    local peer
    server = net.createServer(function(s)
      peer = s
      s:pause()
      s:on("error", function() end)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "drain", "finish", "error", "close" })
      local function cb(name)
        return function(err) log("C", name, err) end
      end
      c:on("connect", function()
        c:write(string.rep("a", BIG), cb("cb big"))
        c:write("x", cb("cb x"))
        c:write("y", cb("cb y"))
        log("C", "queued", snap(c, "writableLength", "bufferSize", "bytesWritten"))
        net.setTimeout(function()
          c:destroy()
          log("C", "destroyed", state(c), snap(c, "writableLength", "bytesWritten"))
        end, 50)
      end)
      c:on("close", function()
        peer:destroy()
        server:close()
      end)
    end)
  end)

  scenario("write() while connecting, then destroy()", [==[
const server = net.createServer(() => log('S', 'connection'));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'error', 'close']);
  c.write('a', (err) => log('C', 'cb a', err));
  c.write('b', (err) => log('C', 'cb b', err));
  c.destroy();
  log('C', 'destroyed', state(c), snap(c, 'writableLength', 'bytesWritten'));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function() log("S", "connection") end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "error", "close" })
      c:write("a", function(err) log("C", "cb a", err) end)
      c:write("b", function(err) log("C", "cb b", err) end)
      c:destroy()
      log("C", "destroyed", state(c), snap(c, "writableLength", "bytesWritten"))
      c:on("close", function() server:close() end)
    end)
  end)

  -- Write errors ---------------------------------------------------------------

  scenario("the server destroys the connection while the client writes", [==[
const server = net.createServer((s) => {
  s.once('data', () => { s.destroy(); log('S', 'destroyed', state(s)); });
  watch('S', s, ['end', 'error', 'close']);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  const chunk = Buffer.alloc(1024 * 1024, 120);
  let n = 0;
  function pump() {
    if (c.destroyed || n >= 64) return;
    n++;
    c.write(chunk, (err) => { if (!err) setImmediate(pump); });
  }
  watch('C', c, ['connect', 'end', 'finish', 'close']);
  c.on('connect', pump);
  c.on('error', (err) => {
    log('C', 'error', ['EPIPE', 'ECONNRESET'].includes(err.code), err.name,
      err.message === err.syscall + ' ' + err.code);
    log('C', 'at error', state(c));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer(function(s)
      s:once("data", function()
        s:destroy()
        log("S", "destroyed", state(s))
      end)
      watch("S", s, { "end", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      local chunk = string.rep("x", 1024 * 1024)
      local n = 0
      local pump
      pump = function()
        if c.destroyed or n >= 64 then return end
        n = n + 1
        c:write(chunk, function(err)
          if not err then net.setImmediate(pump) end
        end)
      end
      watch("C", c, { "connect", "end", "finish", "close" })
      c:on("connect", pump)
      c:on("error", function(err)
        log("C", "error", err.code == "EPIPE" or err.code == "ECONNRESET", err.name,
          err.message == tostring(err.syscall) .. " " .. tostring(err.code))
        log("C", "at error", state(c))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("write() after end(): the callback, 'error' and 'close'", [==[
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end', 'error', 'close']);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'finish', 'end', 'error', 'close']);
  c.on('connect', () => {
    c.end('x');
    const r = c.write('y', (err) => log('C', 'write cb', err));
    log('C', 'write returned', r, state(c), snap(c, 'writableEnded', 'bytesWritten'));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server = net.createServer(function(s)
      watch("S", s, { "data", "end", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "finish", "end", "error", "close" })
      c:on("connect", function()
        c:finish("x")
        local r = c:write("y", function(err) log("C", "write cb", err) end)
        log("C", "write returned", r, state(c), snap(c, "writableEnded", "bytesWritten"))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("write() on a socket that never connected", [==[
const c = new net.Socket();
watch('C', c, ['error', 'close']);
const r = c.write('z', (err) => log('C', 'cb', err));
log('C', 'write returns', r, state(c), snap(c, 'bytesWritten', 'writableLength'));
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local c = net.Socket()
    watch("C", c, { "error", "close" })
    local r = c:write("z", function(err) log("C", "cb", err) end)
    log("C", "write returns", r, state(c), snap(c, "bytesWritten", "writableLength"))
  end)

  scenario("write() after the peer ended: EPIPE, ended by the other party", [==[
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.on('data', () => {});
  s.end('bye');
});
server.listen(0, HOST, () => {
  const port = server.address().port;
  let left = 2;
  const done = () => { if (--left === 0) server.close(); };
  const c = net.connect(opts(port));
  watch('C', c, ['data', 'end', 'finish', 'error', 'close']);
  c.on('finish', () => {
    log('C', 'at finish', state(c), snap(c, 'writableEnded'));
    log('C', 'write returns', c.write('late', (err) => log('C', 'cb', err)));
  });
  c.on('close', done);
  const d = net.connect(opts(port));
  watch('D', d, ['data', 'end', 'error', 'close']);
  d.on('close', () => {
    log('D', 'write returns', d.write('late', (err) => log('D', 'cb', err)));
    done();
  });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s)
      s:on("error", function() end)
      s:on("data", function() end)
      s:finish("bye")
    end)
    server:listen(0, HOST, function()
      local port = server:address().port
      local left = 2
      local function done()
        left = left - 1
        if left == 0 then server:close() end
      end
      local c = net.connect(h.opts(port))
      watch("C", c, { "data", "end", "finish", "error", "close" })
      c:on("finish", function()
        log("C", "at finish", state(c), snap(c, "writableEnded"))
        log("C", "write returns", c:write("late", function(err) log("C", "cb", err) end))
      end)
      c:on("close", done)
      local d = net.connect(h.opts(port))
      watch("D", d, { "data", "end", "error", "close" })
      d:on("close", function()
        log("D", "write returns", d:write("late", function(err) log("D", "cb", err) end))
        done()
      end)
    end)
  end)

  scenario("end() twice, end(data) after end(), end(cb) after 'finish' and destroy()", [==[
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.on('data', () => {});
  s.on('end', () => s.end());
});
server.listen(0, HOST, () => {
  const port = server.address().port;
  let left = 2;
  const done = () => { if (--left === 0) server.close(); };
  const d = net.connect(opts(port, { allowHalfOpen: true }));
  watch('D', d, ['finish', 'error', 'close']);
  d.on('connect', () => {
    log('D', 'end returns itself', d.end((err) => log('D', 'cb1', err)) === d);
    d.end((err) => log('D', 'cb2', err));
    d.end('more', (err) => log('D', 'cb3', err));
    log('D', 'after', state(d));
  });
  d.on('close', done);
  const g = net.connect(opts(port, { allowHalfOpen: true }));
  watch('G', g, ['end', 'finish', 'error', 'close']);
  g.on('connect', () => g.end());
  g.on('finish', () => {
    g.end((err) => log('G', 'cb after finish', err));
    g.destroy();
    g.end((err) => log('G', 'cb after destroy', err));
    log('G', 'write returns', g.write('x', (err) => log('G', 'write cb', err)));
  });
  g.on('close', done);
});
const f = new net.Socket();
watch('F', f, ['finish', 'error', 'close']);
f.destroy();
f.end((err) => log('F', 'cb', err));
log('F', 'after', state(f));
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local function cb(tag, name)
      return function(err) log(tag, name, err) end
    end
    local server
    server = net.createServer(function(s)
      s:on("error", function() end)
      s:on("data", function() end)
      s:on("end", function() s:finish() end)
    end)
    server:listen(0, HOST, function()
      local port = server:address().port
      local left = 2
      local function done()
        left = left - 1
        if left == 0 then server:close() end
      end
      local d = net.connect(h.opts(port, { allowHalfOpen = true }))
      watch("D", d, { "finish", "error", "close" })
      d:on("connect", function()
        log("D", "end returns itself", d:finish(cb("D", "cb1")) == d)
        d:finish(cb("D", "cb2"))
        d:finish("more", cb("D", "cb3"))
        log("D", "after", state(d))
      end)
      d:on("close", done)
      local g = net.connect(h.opts(port, { allowHalfOpen = true }))
      watch("G", g, { "end", "finish", "error", "close" })
      g:on("connect", function() g:finish() end)
      g:on("finish", function()
        g:finish(cb("G", "cb after finish"))
        g:destroy()
        g:finish(cb("G", "cb after destroy"))
        log("G", "write returns", g:write("x", cb("G", "write cb")))
      end)
      g:on("close", done)
    end)
    local f = net.Socket()
    watch("F", f, { "finish", "error", "close" })
    f:destroy()
    f:finish(cb("F", "cb"))
    log("F", "after", state(f))
  end)

  scenario("end(data, cb) while connecting", [==[
const server = net.createServer((s) => watch('S', s, ['data', 'end', 'close']));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'ready', 'finish', 'end', 'close']);
  c.end('early', () => log('C', 'end cb'));
  log('C', 'after end()', state(c), snap(c, 'writableLength', 'bytesWritten'));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s) watch("S", s, { "data", "end", "close" }) end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "ready", "finish", "end", "close" })
      c:finish("early", function() log("C", "end cb") end)
      log("C", "after end()", state(c), snap(c, "writableLength", "bytesWritten"))
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("argument errors of setTimeout() and write()", [==[
const e = new net.Socket();
for (const [what, f] of [
  ['setTimeout(-1)', () => e.setTimeout(-1)],
  ["setTimeout('abc')", () => e.setTimeout('abc')],
  ['setTimeout(10, 5)', () => e.setTimeout(10, 5)],
  ['write(123)', () => e.write(123)],
  ['write(undefined)', () => e.write(undefined)],
]) {
  try {
    f();
    log('E', what, 'no throw');
  } catch (err) {
    log('E', what, E(err), snap(e, 'timeout'));
  }
}
e.setTimeout(0);
]==], function(h)
    local log, snap = h.log, h.snap
    local e = net.Socket()
    for _, case in ipairs({
      { "setTimeout(-1)", function() e:setTimeout(-1) end },
      { "setTimeout('abc')", function() e:setTimeout("abc") end },
      { "setTimeout(10, 5)", function() e:setTimeout(10, 5) end },
      { "write(123)", function() e:write(123) end },
      { "write(undefined)", function() e:write(nil) end },
    }) do
      local ok, err = pcall(case[2])
      if ok then
        log("E", case[1], "no throw")
      else
        log("E", case[1], h.E(err), snap(e, "timeout"))
      end
    end
    e:setTimeout(0)
  end)

  scenario("a write() or end() callback that is not a function is ignored", [==[
const e = new net.Socket();
watch('E', e, ['error', 'close']);
try {
  log('E', 'write returns', e.write('x', 'utf8', 5));
} catch (err) {
  log('E', 'write threw', E(err));
}
try {
  log('E', 'end returns itself', e.end('x', 'utf8', 5) === e);
} catch (err) {
  log('E', 'end threw', E(err));
}
]==], function(h)
    local log, watch = h.log, h.watch
    local e = net.Socket()
    watch("E", e, { "error", "close" })
    local ok, r = pcall(e.write, e, "x", "utf8", 5)
    if ok then log("E", "write returns", r) else log("E", "write threw", h.E(r)) end
    ok, r = pcall(e.finish, e, "x", "utf8", 5)
    if ok then log("E", "end returns itself", r == e) else log("E", "end threw", h.E(r)) end
  end)

  scenario("Node's stream state fields: writableCorked, writableNeedDrain, closed, errored", [==[
const f = new net.Socket();
log('F', 'fresh', snap(f, 'writableCorked', 'writableNeedDrain', 'closed', 'errored',
  'readableEnded', 'writableFinished', 'writableEnded'));
f.cork();
f.cork();
log('F', 'corked twice', snap(f, 'writableCorked'));
f.uncork();
log('F', 'uncorked once', snap(f, 'writableCorked'));
f.on('error', () => log('F', 'at error', snap(f, 'closed', 'errored')));
f.on('close', () => log('F', 'at close', snap(f, 'closed', 'errored')));
f.destroy(new Error('boom'));
log('F', 'destroyed', snap(f, 'closed', 'errored'));
let peer;
const server = net.createServer((s) => { peer = s; s.pause(); s.on('error', () => {}); });
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port), () => {
    const r = c.write(Buffer.alloc(BIG, 97));
    log('C', 'big write', r, snap(c, 'writableNeedDrain'));
    c.destroy();
  });
  c.on('close', () => { peer.destroy(); server.close(); });
});
]==], function(h)
    local log, snap = h.log, h.snap
    local f = net.Socket()
    log("F", "fresh", snap(f, "writableCorked", "writableNeedDrain", "closed", "errored",
      "readableEnded", "writableFinished", "writableEnded"))
    f:cork()
    f:cork()
    log("F", "corked twice", snap(f, "writableCorked"))
    f:uncork()
    log("F", "uncorked once", snap(f, "writableCorked"))
    f:on("error", function() log("F", "at error", snap(f, "closed", "errored")) end)
    f:on("close", function() log("F", "at close", snap(f, "closed", "errored")) end)
    f:destroy({ name = "Error", message = "boom" })
    log("F", "destroyed", snap(f, "closed", "errored"))
    local server
    local peer
    server = net.createServer(function(s)
      peer = s
      s:pause()
      s:on("error", function() end)
    end)
    server:listen(0, HOST, function()
      local c
      c = net.connect(h.opts(server:address().port), function()
        local r = c:write(string.rep("a", BIG))
        log("C", "big write", r, snap(c, "writableNeedDrain"))
        c:destroy()
      end)
      c:on("close", function()
        peer:destroy()
        server:close()
      end)
    end)
  end)

  scenario("end(data, cb) then destroy() in the same tick", [==[
const server = net.createServer((s) => watch('S', s, ['data', 'end', 'error', 'close']));
server.listen(0, HOST, () => {
  const a = net.connect(opts(server.address().port));
  watch('A', a, ['finish', 'error', 'close']);
  a.on('connect', () => {
    a.end('x', (err) => log('A', 'end cb', err));
    a.destroy();
    log('A', 'after destroy()', state(a), snap(a, 'writableEnded', 'writableFinished'));
  });
  a.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s)
      watch("S", s, { "data", "end", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local a = net.connect(h.opts(server:address().port))
      watch("A", a, { "finish", "error", "close" })
      a:on("connect", function()
        a:finish("x", function(err) log("A", "end cb", err) end)
        a:destroy()
        log("A", "after destroy()", state(a), snap(a, "writableEnded", "writableFinished"))
      end)
      a:on("close", function() server:close() end)
    end)
  end)

  scenario("end() while corked twice flushes everything", [==[
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end']);
  s.on('end', () => s.end('abc'));
});
server.listen(0, HOST, () => {
  const b = net.connect(opts(server.address().port));
  watch('B', b, ['data', 'finish', 'end', 'close']);
  b.on('connect', () => {
    b.cork();
    b.cork();
    b.write('1');
    b.write('2');
    b.uncork();
    log('B', 'still corked', snap(b, 'writableCorked', 'writableLength'));
    b.end('3');
    log('B', 'after end()', snap(b, 'writableCorked', 'writableLength'));
  });
  b.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s)
      watch("S", s, { "data", "end" })
      s:on("end", function() s:finish("abc") end)
    end)
    server:listen(0, HOST, function()
      local b = net.connect(h.opts(server:address().port))
      watch("B", b, { "data", "finish", "end", "close" })
      b:on("connect", function()
        b:cork()
        b:cork()
        b:write("1")
        b:write("2")
        b:uncork()
        log("B", "still corked", snap(b, "writableCorked", "writableLength"))
        b:finish("3")
        log("B", "after end()", snap(b, "writableCorked", "writableLength"))
      end)
      b:on("close", function() server:close() end)
    end)
  end)

  scenario("'readable' events and read() (paused mode)", [==[
const server = net.createServer((s) => s.end('abc'));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['end', 'close']);
  c.on('readable', () => {
    log('C', 'readable', snap(c, 'readableLength', 'readableFlowing'));
    for (let i = 0; i < 10; i++) {
      const chunk = c.read();
      if (chunk === null) break;
      log('C', 'read', chunk);
    }
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s) s:finish("abc") end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "end", "close" })
      c:on("readable", function()
        log("C", "readable", snap(c, "readableLength", "readableFlowing"))
        for _ = 1, 10 do
          local chunk = c:read()
          if chunk == nil then break end
          log("C", "read", chunk)
        end
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("read(size) in paused mode, and the short read at the end", [==[
const server = net.createServer((s) => s.end('abcdefg'));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['end', 'close']);
  c.on('readable', () => {
    log('C', 'readable', snap(c, 'readableLength', 'readableEnded'));
    for (let i = 0; i < 10; i++) {
      const chunk = c.read(3);
      if (chunk === null) break;
      log('C', 'read(3)', chunk, snap(c, 'readableLength'));
    }
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s) s:finish("abcdefg") end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "end", "close" })
      c:on("readable", function()
        log("C", "readable", snap(c, "readableLength", "readableEnded"))
        for _ = 1, 10 do
          local chunk = c:read(3)
          if chunk == nil then break end
          log("C", "read(3)", chunk, snap(c, "readableLength"))
        end
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  -- Write callbacks, 'drain' and highWaterMark --------------------------------

  scenario("a server highWaterMark of 16: a write the kernel takes at once returns true", [==[
const server = net.createServer({ highWaterMark: 16 }, (s) => {
  log('S', 'hwm', snap(s, 'writableHighWaterMark', 'readableHighWaterMark'));
  watch('S', s, ['drain', 'finish', 'close']);
  const r1 = s.write('0123456789', () => log('S', 'cb1', snap(s, 'writableLength')));
  log('S', 'write 1', r1, snap(s, 'writableLength', 'bufferSize'));
  const r2 = s.write('abcdefghijklmnopqrst', () => {
    log('S', 'cb2', snap(s, 'writableLength'));
    s.end();
  });
  log('S', 'write 2', r2, snap(s, 'writableLength', 'bufferSize', 'bytesWritten'));
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('end', () => log('C', 'got', got));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer({ highWaterMark = 16 }, function(s)
      log("S", "hwm", snap(s, "writableHighWaterMark", "readableHighWaterMark"))
      watch("S", s, { "drain", "finish", "close" })
      local r1 = s:write("0123456789", function()
        log("S", "cb1", snap(s, "writableLength"))
      end)
      log("S", "write 1", r1, snap(s, "writableLength", "bufferSize"))
      local r2 = s:write("abcdefghijklmnopqrst", function()
        log("S", "cb2", snap(s, "writableLength"))
        s:finish()
      end)
      log("S", "write 2", r2, snap(s, "writableLength", "bufferSize", "bytesWritten"))
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      local got = ""
      c:on("data", function(d) got = got .. d end)
      c:on("end", function() log("C", "got", got) end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("a client highWaterMark of 16 with writes queued while connecting", [==[
const server = net.createServer((s) => {
  let got = '';
  s.on('data', (d) => { got += d; });
  s.on('end', () => log('S', 'got', got));
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port, { highWaterMark: 16 }));
  log('C', 'hwm', snap(c, 'writableHighWaterMark', 'readableHighWaterMark'));
  watch('C', c, ['connect', 'ready', 'drain', 'finish', 'close']);
  const r1 = c.write('0123456789', () => log('C', 'cb1'));
  const r2 = c.write('abcdefghij', () => log('C', 'cb2'));
  const r3 = c.write('ABCDEFGHIJ', () => log('C', 'cb3'));
  log('C', 'while connecting', r1, r2, r3, snap(c, 'writableLength', 'bufferSize',
    'bytesWritten', 'pending'));
  c.on('drain', () => { log('C', 'at drain', snap(c, 'writableLength')); c.end(); });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s)
      local got = ""
      s:on("data", function(d) got = got .. d end)
      s:on("end", function() log("S", "got", got) end)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port, { highWaterMark = 16 }))
      log("C", "hwm", snap(c, "writableHighWaterMark", "readableHighWaterMark"))
      watch("C", c, { "connect", "ready", "drain", "finish", "close" })
      local r1 = c:write("0123456789", function() log("C", "cb1") end)
      local r2 = c:write("abcdefghij", function() log("C", "cb2") end)
      local r3 = c:write("ABCDEFGHIJ", function() log("C", "cb3") end)
      log("C", "while connecting", r1, r2, r3, snap(c, "writableLength", "bufferSize",
        "bytesWritten", "pending"))
      c:on("drain", function()
        log("C", "at drain", snap(c, "writableLength"))
        c:finish()
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("an 8 MiB write to a paused peer: 'drain' once the peer resumes", [==[
const server = net.createServer((s) => {
  s.pause();
  log('S', 'paused', snap(s, 'isPaused', 'readableFlowing'));
  let n = 0;
  s.on('data', (d) => { n += d.length; });
  s.on('end', () => log('S', 'end', n, n === BIG, snap(s, 'bytesRead')));
  setTimeout(() => {
    log('S', 'resuming', snap(s, 'isPaused'));
    s.resume();
    log('S', 'resumed', snap(s, 'isPaused', 'readableFlowing'));
  }, 100);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['drain', 'finish', 'close']);
  c.on('connect', () => {
    const r = c.write(Buffer.alloc(BIG, 97), () => {
      log('C', 'write cb', snap(c, 'writableLength'));
      c.end();
    });
    log('C', 'write returned', r, snap(c, 'writableLength', 'bufferSize', 'bytesWritten'));
  });
  c.on('drain', () => log('C', 'at drain', snap(c, 'writableLength', 'bufferSize')));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s)
      s:pause()
      log("S", "paused", snap(s, "isPaused", "readableFlowing"))
      local n = 0
      s:on("data", function(d) n = n + #d end)
      s:on("end", function() log("S", "end", n, n == BIG, snap(s, "bytesRead")) end)
      net.setTimeout(function()
        log("S", "resuming", snap(s, "isPaused"))
        s:resume()
        log("S", "resumed", snap(s, "isPaused", "readableFlowing"))
      end, 100)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "drain", "finish", "close" })
      c:on("connect", function()
        local r = c:write(string.rep("a", BIG), function()
          log("C", "write cb", snap(c, "writableLength"))
          c:finish()
        end)
        log("C", "write returned", r, snap(c, "writableLength", "bufferSize",
          "bytesWritten"))
      end)
      c:on("drain", function() log("C", "at drain", snap(c, "writableLength", "bufferSize")) end)
      c:on("close", function() server:close() end)
    end)
  end, { timeout = 8000 })

  scenario("'drain' then callbacks when writes queue behind a slow 8 MiB write", [==[
const server = net.createServer((s) => {
  s.pause();
  setTimeout(() => s.resume(), 100);
  s.on('end', () => s.end());
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['drain', 'finish', 'close']);
  c.on('drain', () => log('C', 'at drain', snap(c, 'writableLength')));
  c.on('connect', () => {
    const r1 = c.write(Buffer.alloc(BIG, 97), () => log('C', 'cb big',
      snap(c, 'writableLength')));
    const r2 = c.write('x', () => log('C', 'cb x', snap(c, 'writableLength')));
    const r3 = c.write('y', () => {
      log('C', 'cb y', snap(c, 'writableLength'));
      c.end();
    });
    log('C', 'returned', r1, r2, r3, snap(c, 'writableLength'));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s)
      s:pause()
      net.setTimeout(function() s:resume() end, 100)
      s:on("end", function() s:finish() end)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "drain", "finish", "close" })
      c:on("drain", function() log("C", "at drain", snap(c, "writableLength")) end)
      c:on("connect", function()
        local r1 = c:write(string.rep("a", BIG), function()
          log("C", "cb big", snap(c, "writableLength"))
        end)
        local r2 = c:write("x", function() log("C", "cb x", snap(c, "writableLength")) end)
        local r3 = c:write("y", function()
          log("C", "cb y", snap(c, "writableLength"))
          c:finish()
        end)
        log("C", "returned", r1, r2, r3, snap(c, "writableLength"))
      end)
      c:on("close", function() server:close() end)
    end)
  end, { timeout = 8000 })

  -- Flowing and paused -----------------------------------------------------------

  scenario("a 'data' listener then pause() in one tick: Node still reads ahead", [==[
const server = net.createServer((s) => s.write('one'));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  log('C', 'fresh', snap(c, 'isPaused', 'readableFlowing'));
  watch('C', c, ['pause', 'resume', 'data', 'end', 'close']);
  c.pause();
  log('C', 'after pause()', snap(c, 'isPaused', 'readableFlowing'));
  c.on('data', () => {});
  log('C', 'with a data listener', snap(c, 'isPaused', 'readableFlowing'));
  c.on('connect', () => setTimeout(() => {
    log('C', 'still paused', snap(c, 'isPaused', 'readableLength', 'bytesRead'));
    c.resume();
    log('C', 'after resume()', snap(c, 'isPaused', 'readableFlowing'));
    c.once('data', () => {
      log('C', 'at data', snap(c, 'readableLength'));
      c.end();
    });
  }, 200));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s) s:write("one") end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      log("C", "fresh", snap(c, "isPaused", "readableFlowing"))
      watch("C", c, { "pause", "resume", "data", "end", "close" })
      c:pause()
      log("C", "after pause()", snap(c, "isPaused", "readableFlowing"))
      c:on("data", function() end)
      log("C", "with a data listener", snap(c, "isPaused", "readableFlowing"))
      c:on("connect", function()
        net.setTimeout(function()
          log("C", "still paused", snap(c, "isPaused", "readableLength", "bytesRead"))
          c:resume()
          log("C", "after resume()", snap(c, "isPaused", "readableFlowing"))
          c:once("data", function()
            log("C", "at data", snap(c, "readableLength"))
            c:finish()
          end)
        end, 200)
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("pauseOnConnect, then resume()", [==[
const server = net.createServer({ pauseOnConnect: true }, (s) => {
  log('S', 'connection', snap(s, 'isPaused', 'readableFlowing'));
  watch('S', s, ['resume', 'data', 'end', 'close']);
  log('S', 'with a data listener', snap(s, 'isPaused', 'readableFlowing'));
  setTimeout(() => {
    log('S', 'nothing read yet', snap(s, 'readableLength', 'bytesRead'));
    s.resume();
    log('S', 'after resume()', snap(s, 'isPaused', 'readableFlowing'));
  }, 100);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port), () => c.end('hi'));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer({ pauseOnConnect = true }, function(s)
      log("S", "connection", snap(s, "isPaused", "readableFlowing"))
      watch("S", s, { "resume", "data", "end", "close" })
      log("S", "with a data listener", snap(s, "isPaused", "readableFlowing"))
      net.setTimeout(function()
        log("S", "nothing read yet", snap(s, "readableLength", "bytesRead"))
        s:resume()
        log("S", "after resume()", snap(s, "isPaused", "readableFlowing"))
      end, 100)
    end)
    server:listen(0, HOST, function()
      local c
      c = net.connect(h.opts(server:address().port), function() c:finish("hi") end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("data nobody reads holds 'end' back until a 'data' listener", [==[
const server = net.createServer((s) => s.end('abc'));
server.listen(0, HOST, () => {
  const a = net.connect(opts(server.address().port));
  watch('A', a, ['connect', 'end', 'finish', 'close']);
  a.on('connect', () => setTimeout(() => {
    log('A', 'unread', snap(a, 'readableLength', 'bytesRead', 'readableEnded',
      'readableFlowing'));
    a.on('data', (d) => log('A', 'data', d));
  }, 200));
  a.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s) s:finish("abc") end)
    server:listen(0, HOST, function()
      local a = net.connect(h.opts(server:address().port))
      watch("A", a, { "connect", "end", "finish", "close" })
      a:on("connect", function()
        net.setTimeout(function()
          log("A", "unread", snap(a, "readableLength", "bytesRead", "readableEnded",
            "readableFlowing"))
          a:on("data", function(d) log("A", "data", d) end)
        end, 200)
      end)
      a:on("close", function() server:close() end)
    end)
  end)

  scenario("pause() before connecting: nothing is read until resume()", [==[
const server = net.createServer((s) => s.end('abc'));
server.listen(0, HOST, () => {
  const b = net.connect(opts(server.address().port));
  b.pause();
  watch('B', b, ['connect', 'pause', 'resume', 'end', 'finish', 'close']);
  b.on('data', (d) => log('B', 'data', d));
  b.on('connect', () => setTimeout(() => {
    log('B', 'unread', snap(b, 'readableLength', 'bytesRead', 'readableEnded', 'isPaused'));
    b.resume();
  }, 100));
  b.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s) s:finish("abc") end)
    server:listen(0, HOST, function()
      local b = net.connect(h.opts(server:address().port))
      b:pause()
      watch("B", b, { "connect", "pause", "resume", "end", "finish", "close" })
      b:on("data", function(d) log("B", "data", d) end)
      b:on("connect", function()
        net.setTimeout(function()
          log("B", "unread", snap(b, "readableLength", "bytesRead", "readableEnded",
            "isPaused"))
          b:resume()
        end, 100)
      end)
      b:on("close", function() server:close() end)
    end)
  end)

  scenario("'end' comes while paused when nothing is buffered", [==[
const server = net.createServer((s) => s.end('abc'));
server.listen(0, HOST, () => {
  const g = net.connect(opts(server.address().port));
  watch('G', g, ['pause', 'end', 'finish', 'close']);
  g.once('data', (d) => {
    log('G', 'first', d);
    g.pause();
    log('G', 'paused', snap(g, 'isPaused', 'readableLength'));
  });
  g.on('close', () => {
    log('G', 'at close', snap(g, 'isPaused', 'readableEnded'));
    server.close();
  });
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s) s:finish("abc") end)
    server:listen(0, HOST, function()
      local g = net.connect(h.opts(server:address().port))
      watch("G", g, { "pause", "end", "finish", "close" })
      g:once("data", function(d)
        log("G", "first", d)
        g:pause()
        log("G", "paused", snap(g, "isPaused", "readableLength"))
      end)
      g:on("close", function()
        log("G", "at close", snap(g, "isPaused", "readableEnded"))
        server:close()
      end)
    end)
  end)

  -- Connecting -----------------------------------------------------------------

  scenario("connection refused", [==[
const server = net.createServer();
server.listen(0, HOST, () => {
  const port = server.address().port;
  hide(port);
  server.close(() => {
    const c = net.connect(opts(port));
    watch('C', c, ['connectionAttempt', 'connectionAttemptFailed', 'connect', 'error',
      'close']);
    c.on('error', (err) => log('C', 'at error', state(c), String(err), err.port === port));
    c.on('close', () => log('C', 'at close', state(c), snap(c, 'remoteAddress')));
  });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server = net.createServer()
    server:listen(0, HOST, function()
      local port = server:address().port
      h.hide(port)
      server:close(function()
        local c = net.connect(h.opts(port))
        watch("C", c, { "connectionAttempt", "connectionAttemptFailed", "connect", "error",
          "close" })
        c:on("error", function(err)
          log("C", "at error", state(c), tostring(err), err.port == port)
        end)
        c:on("close", function() log("C", "at close", state(c), snap(c, "remoteAddress")) end)
      end)
    end)
  end)

  scenario("connect() to a Unix socket path that does not exist: ENOENT", [==[
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvn-'));
const p = path.join(dir, 'missing.sock');
hide(p, '<path>');
const c = net.connect(p);
watch('C', c, ['connectionAttempt', 'connectionAttemptFailed', 'connect', 'error', 'close']);
c.on('error', (err) => log('C', 'at error', String(err), err.address === p, state(c)));
c.on('close', () => fs.rmSync(dir, { recursive: true, force: true }));
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local dir = tmpdir()
    local p = dir .. "/missing.sock"
    h.hide(p, "<path>")
    local c = net.connect(p)
    watch("C", c, { "connectionAttempt", "connectionAttemptFailed", "connect", "error",
      "close" })
    c:on("error", function(err)
      log("C", "at error", tostring(err), err.address == p, state(c))
    end)
    c:on("close", function() os.execute("rm -rf " .. dir) end)
  end)

  scenario("connect() again on the same socket after 'close'", [==[
let n = 0;
const server = net.createServer((s) => s.end(++n === 1 ? 'one' : 'two'));
server.listen(0, HOST, () => {
  const port = server.address().port;
  hide(port);
  const c = net.connect(opts(port));
  watch('C', c, ['connect', 'data', 'end', 'finish', 'close']);
  c.on('connect', () => log('C', 'at connect', state(c), snap(c, 'remoteAddress',
    'bytesRead')));
  let closes = 0;
  c.on('close', () => {
    log('C', 'at close', state(c), snap(c, 'bytesRead', 'bytesWritten'));
    if (++closes === 1) {
      log('C', 'connect returns itself', c.connect(opts(port)) === c, state(c),
        snap(c, 'bytesRead'));
    } else {
      server.close();
    }
  });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local n = 0
    local server
    server = net.createServer(function(s)
      n = n + 1
      s:finish(n == 1 and "one" or "two")
    end)
    server:listen(0, HOST, function()
      local port = server:address().port
      h.hide(port)
      local c = net.connect(h.opts(port))
      watch("C", c, { "connect", "data", "end", "finish", "close" })
      c:on("connect", function()
        log("C", "at connect", state(c), snap(c, "remoteAddress", "bytesRead"))
      end)
      local closes = 0
      c:on("close", function()
        log("C", "at close", state(c), snap(c, "bytesRead", "bytesWritten"))
        closes = closes + 1
        if closes == 1 then
          log("C", "connect returns itself", c:connect(h.opts(port)) == c, state(c),
            snap(c, "bytesRead"))
        else
          server:close()
        end
      end)
    end)
  end)

  scenario("end() on a socket that never connected", [==[
const b = new net.Socket();
watch('B', b, ['finish', 'end', 'error', 'close']);
log('B', 'end returns itself', b.end(() => log('B', 'end cb')) === b, state(b));
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local b = net.Socket()
    watch("B", b, { "finish", "end", "error", "close" })
    log("B", "end returns itself", b:finish(function() log("B", "end cb") end) == b, state(b))
  end)

  scenario("connect({ localAddress, localPort }), address() and an empty write", [==[
const server = net.createServer((s) => {
  s.on('data', (d) => log('S', 'data', d));
  s.on('end', () => s.end());
});
server.listen(0, HOST, () => {
  const port = server.address().port;
  hide(port);
  const t = net.createServer();
  t.listen(0, HOST, () => {
    const lp = t.address().port;
    hide(lp, '<lport>');
    t.close(() => {
      const c = net.connect(opts(port, { localAddress: HOST, localPort: lp }));
      log('C', 'connecting', A(c.address()));
      c.on('connect', () => {
        log('C', 'connected', A(c.address()), c.localPort === lp, snap(c, 'localAddress'));
        c.write('', (err) => log('C', 'empty write cb', err));
        c.end('z');
      });
      c.on('close', () => {
        log('C', 'closed', A(c.address()));
        server.close();
      });
    });
  });
});
]==], function(h)
    local log, snap = h.log, h.snap
    local server
    server = net.createServer(function(s)
      s:on("data", function(d) log("S", "data", d) end)
      s:on("end", function() s:finish() end)
    end)
    server:listen(0, HOST, function()
      local port = server:address().port
      h.hide(port)
      local t = net.createServer()
      t:listen(0, HOST, function()
        local lp = t:address().port
        h.hide(lp, "<lport>")
        t:close(function()
          local c = net.connect(h.opts(port, { localAddress = HOST, localPort = lp }))
          log("C", "connecting", h.A(c:address()))
          c:on("connect", function()
            log("C", "connected", h.A(c:address()), c.localPort == lp,
              snap(c, "localAddress"))
            c:write("", function(err) log("C", "empty write cb", err) end)
            c:finish("z")
          end)
          c:on("close", function()
            log("C", "closed", h.A(c:address()))
            server:close()
          end)
        end)
      end)
    end)
  end)

  -- Idle timeout ---------------------------------------------------------------

  scenario("setTimeout(ms): 'timeout' fires once and the socket stays open", [==[
const server = net.createServer((s) => s.on('end', () => s.end()));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  let n = 0;
  log('C', 'timeout before', snap(c, 'timeout'));
  watch('C', c, ['connect', 'timeout', 'end', 'close']);
  c.on('connect', () => {
    log('C', 'setTimeout returns itself', c.setTimeout(30) === c, snap(c, 'timeout'));
    setTimeout(() => {
      log('C', 'timeouts seen', n, state(c));
      c.end();
    }, 200);
  });
  c.on('timeout', () => { n++; log('C', 'at timeout', state(c), snap(c, 'timeout')); });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s) s:on("end", function() s:finish() end) end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      local n = 0
      log("C", "timeout before", snap(c, "timeout"))
      watch("C", c, { "connect", "timeout", "end", "close" })
      c:on("connect", function()
        log("C", "setTimeout returns itself", c:setTimeout(30) == c, snap(c, "timeout"))
        net.setTimeout(function()
          log("C", "timeouts seen", n, state(c))
          c:finish()
        end, 200)
      end)
      c:on("timeout", function()
        n = n + 1
        log("C", "at timeout", state(c), snap(c, "timeout"))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("setTimeout(0) turns the idle timeout off", [==[
const server = net.createServer((s) => s.on('end', () => s.end()));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'timeout', 'end', 'close']);
  c.on('connect', () => {
    c.setTimeout(50);
    setTimeout(() => {
      c.setTimeout(0);
      log('C', 'turned off', snap(c, 'timeout'));
      setTimeout(() => { log('C', 'quiet'); c.end(); }, 150);
    }, 10);
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s) s:on("end", function() s:finish() end) end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "timeout", "end", "close" })
      c:on("connect", function()
        c:setTimeout(50)
        net.setTimeout(function()
          c:setTimeout(0)
          log("C", "turned off", snap(c, "timeout"))
          net.setTimeout(function()
            log("C", "quiet")
            c:finish()
          end, 150)
        end, 10)
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("setTimeout(ms, callback) and setTimeout(0, callback)", [==[
const server = net.createServer((s) => s.on('end', () => s.end()));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['timeout', 'end', 'close']);
  function second() { log('C', 'second callback'); }
  c.on('connect', () => {
    c.setTimeout(30, () => {
      log('C', 'first callback', state(c), c.listenerCount('timeout'));
      c.setTimeout(30, second);
      log('C', 'listeners', c.listenerCount('timeout'));
      c.setTimeout(0, second);
      log('C', 'listeners after setTimeout(0, cb)', c.listenerCount('timeout'),
        snap(c, 'timeout'));
      setTimeout(() => { log('C', 'quiet'); c.end(); }, 100);
    });
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s) s:on("end", function() s:finish() end) end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "timeout", "end", "close" })
      local function second() log("C", "second callback") end
      c:on("connect", function()
        c:setTimeout(30, function()
          log("C", "first callback", state(c), c:listenerCount("timeout"))
          c:setTimeout(30, second)
          log("C", "listeners", c:listenerCount("timeout"))
          c:setTimeout(0, second)
          log("C", "listeners after setTimeout(0, cb)", c:listenerCount("timeout"),
            snap(c, "timeout"))
          net.setTimeout(function()
            log("C", "quiet")
            c:finish()
          end, 100)
        end)
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("net.connect({ timeout }) arms the idle timeout", [==[
const server = net.createServer((s) => s.on('end', () => s.end()));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port, { timeout: 30 }));
  log('C', 'at connect()', snap(c, 'timeout'));
  watch('C', c, ['connect', 'timeout', 'end', 'close']);
  c.on('timeout', () => { log('C', 'at timeout', state(c)); c.end(); });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s) s:on("end", function() s:finish() end) end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port, { timeout = 30 }))
      log("C", "at connect()", snap(c, "timeout"))
      watch("C", c, { "connect", "timeout", "end", "close" })
      c:on("timeout", function()
        log("C", "at timeout", state(c))
        c:finish()
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("incoming data postpones 'timeout'", [==[
const server = net.createServer((s) => {
  let i = 0;
  const t = setInterval(() => { s.write('x'); if (++i === 5) clearInterval(t); }, 20);
  s.on('end', () => s.end());
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  c.on('data', () => {});
  c.on('connect', () => c.setTimeout(250));
  c.on('timeout', () => { log('C', 'timeout', snap(c, 'bytesRead')); c.end(); });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap = h.log, h.snap
    local server
    server = net.createServer(function(s)
      local i = 0
      local t
      t = net.setInterval(function()
        s:write("x")
        i = i + 1
        if i == 5 then net.clearInterval(t) end
      end, 20)
      s:on("end", function() s:finish() end)
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      c:on("data", function() end)
      c:on("connect", function() c:setTimeout(250) end)
      c:on("timeout", function()
        log("C", "timeout", snap(c, "bytesRead"))
        c:finish()
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("setTimeout() on a destroyed socket is ignored", [==[
const d = new net.Socket();
d.destroy();
log('D', 'returns itself', d.setTimeout(10) === d, snap(d, 'timeout'));
d.on('timeout', () => log('D', 'timeout event'));
setTimeout(() => log('D', 'waited'), 60);
]==], function(h)
    local log, snap = h.log, h.snap
    local d = net.Socket()
    d:destroy()
    log("D", "returns itself", d:setTimeout(10) == d, snap(d, "timeout"))
    d:on("timeout", function() log("D", "timeout event") end)
    net.setTimeout(function() log("D", "waited") end, 60)
  end)

  -- Server ---------------------------------------------------------------------

  scenario("server.close() with a live connection", [==[
const server = net.createServer((s) => {
  watch('S', s, ['end', 'close']);
  server.close((err) => log('S', 'close callback', err, snap(server, 'listening')));
  log('S', 'after close()', snap(server, 'listening'), A(server.address()));
  server.getConnections((err, n) => log('S', 'connections', err, n));
  const port = s.localPort;
  const d = net.connect(opts(port));
  watch('D', d, ['connect', 'error', 'close']);
  d.on('close', () => s.end('bye'));
});
server.on('close', () => log('S', 'server close event'));
server.listen(0, HOST, () => {
  hide(server.address().port);
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['data', 'end', 'close']);
});
]==], function(h)
    local log, snap, watch, A = h.log, h.snap, h.watch, h.A
    local server
    server = net.createServer(function(s)
      watch("S", s, { "end", "close" })
      server:close(function(err) log("S", "close callback", err, snap(server, "listening")) end)
      log("S", "after close()", snap(server, "listening"), A(server:address()))
      server:getConnections(function(err, n) log("S", "connections", err, n) end)
      local d = net.connect(h.opts(s.localPort))
      watch("D", d, { "connect", "error", "close" })
      d:on("close", function() s:finish("bye") end)
    end)
    server:on("close", function() log("S", "server close event") end)
    server:listen(0, HOST, function()
      h.hide(server:address().port)
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "data", "end", "close" })
    end)
  end)

  scenario("the server destroys each connection at once", [==[
const server = net.createServer((s) => {
  log('S', 'connection', state(s));
  s.destroy();
  log('S', 'destroyed', state(s));
  server.getConnections((err, n) => log('S', 'connections', err, n));
  watch('S', s, ['end', 'error', 'close']);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'data', 'end', 'finish', 'error', 'close']);
  c.on('close', () => server.close(() => log('Z', 'server closed')));
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server
    server = net.createServer(function(s)
      log("S", "connection", state(s))
      s:destroy()
      log("S", "destroyed", state(s))
      server:getConnections(function(err, n) log("S", "connections", err, n) end)
      watch("S", s, { "end", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "data", "end", "finish", "error", "close" })
      c:on("close", function()
        server:close(function() log("Z", "server closed") end)
      end)
    end)
  end)

  scenario("server.close() when not listening", [==[
const a = new net.Server();
a.on('close', () => log('A', 'close event'));
log('A', 'close returns itself', a.close((err) => log('A', 'callback', err)) === a);
log('A', 'listening', a.listening, A(a.address()));
const b = net.createServer();
b.listen(0, HOST, () => b.close(() => {
  log('B', 'closed');
  b.close((err) => log('B', 'second close', err));
}));
]==], function(h)
    local log, A = h.log, h.A
    local a = net.Server()
    a:on("close", function() log("A", "close event") end)
    log("A", "close returns itself", a:close(function(err) log("A", "callback", err) end) == a)
    log("A", "listening", a.listening, A(a:address()))
    local b = net.createServer()
    b:listen(0, HOST, function()
      b:close(function()
        log("B", "closed")
        b:close(function(err) log("B", "second close", err) end)
      end)
    end)
  end)

  scenario("getConnections() as connections come and go", [==[
const conns = [];
const server = net.createServer((s) => {
  conns.push(s);
  server.getConnections((err, n) => {
    log('S', 'connection', conns.length, 'count', err, n);
    if (conns.length === 1) {
      const b = net.connect(opts(server.address().port));
      watch('B', b, ['end', 'close']);
    } else {
      conns[0].destroy();
      server.getConnections((e1, n1) => {
        log('S', 'after one destroy()', e1, n1);
        conns[1].destroy();
        server.getConnections((e2, n2) => {
          log('S', 'after both', e2, n2);
          server.close(() => log('S', 'closed'));
        });
      });
    }
  });
});
server.listen(0, HOST, () => {
  const a = net.connect(opts(server.address().port));
  watch('A', a, ['end', 'close']);
});
]==], function(h)
    local log, watch = h.log, h.watch
    local conns = {}
    local server
    server = net.createServer(function(s)
      conns[#conns + 1] = s
      server:getConnections(function(err, n)
        log("S", "connection", #conns, "count", err, n)
        if #conns == 1 then
          local b = net.connect(h.opts(server:address().port))
          watch("B", b, { "end", "close" })
        else
          conns[1]:destroy()
          server:getConnections(function(e1, n1)
            log("S", "after one destroy()", e1, n1)
            conns[2]:destroy()
            server:getConnections(function(e2, n2)
              log("S", "after both", e2, n2)
              server:close(function() log("S", "closed") end)
            end)
          end)
        end
      end)
    end)
    server:listen(0, HOST, function()
      local a = net.connect(h.opts(server:address().port))
      watch("A", a, { "end", "close" })
    end)
  end)

  scenario("maxConnections = 1 drops the second client with a 'drop' event", [==[
let first;
const server = net.createServer((s) => {
  log('S', 'connection', s.server === server);
  first = s;
  const b = net.connect(opts(server.address().port));
  watch('B', b, ['connect', 'data', 'end', 'error', 'close']);
});
server.maxConnections = 1;
server.on('drop', (d) => {
  log('S', 'drop', Object.keys(d).sort().join(','));
  log('S', 'drop fields', d.localAddress, d.localFamily, d.localPort === server.address().port,
    d.remoteAddress, d.remoteFamily, typeof d.remotePort);
  first.destroy();
  server.close(() => log('S', 'closed'));
});
server.listen(0, HOST, () => {
  const a = net.connect(opts(server.address().port));
  watch('A', a, ['connect', 'end', 'close']);
});
]==], function(h)
    local log, watch = h.log, h.watch
    local first
    local server
    server = net.createServer(function(s)
      log("S", "connection", s.server == server)
      first = s
      local b = net.connect(h.opts(server:address().port))
      watch("B", b, { "connect", "data", "end", "error", "close" })
    end)
    server.maxConnections = 1
    server:on("drop", function(d)
      local keys = {}
      for k in pairs(d or {}) do keys[#keys + 1] = k end
      table.sort(keys)
      log("S", "drop", table.concat(keys, ","))
      d = d or {}
      log("S", "drop fields", d.localAddress, d.localFamily,
        d.localPort == server:address().port, d.remoteAddress, d.remoteFamily,
        type(d.remotePort))
      first:destroy()
      server:close(function() log("S", "closed") end)
    end)
    server:listen(0, HOST, function()
      local a = net.connect(h.opts(server:address().port))
      watch("A", a, { "connect", "end", "close" })
    end)
  end)

  scenario("maxConnections = 0 drops every client (Node 22)", [==[
const server = net.createServer(() => log('S', 'connection'));
server.maxConnections = 0;
server.on('drop', (d) => {
  log('S', 'drop', d.remoteAddress);
  server.close(() => log('S', 'closed'));
});
server.listen(0, HOST, () => {
  const a = net.connect(opts(server.address().port));
  watch('A', a, ['connect', 'end', 'error', 'close']);
});
]==], function(h)
    local log, watch = h.log, h.watch
    local server
    server = net.createServer(function() log("S", "connection") end)
    server.maxConnections = 0
    server:on("drop", function(d)
      log("S", "drop", (d or {}).remoteAddress)
      server:close(function() log("S", "closed") end)
    end)
    server:listen(0, HOST, function()
      local a = net.connect(h.opts(server:address().port))
      watch("A", a, { "connect", "end", "error", "close" })
    end)
  end)

  scenario("listen() on a listening server throws ERR_SERVER_ALREADY_LISTEN", [==[
const server = net.createServer();
server.on('listening', () => log('S', 'listening event'));
server.listen(0, HOST, () => {
  try {
    server.listen(0, HOST);
    log('S', 'no throw');
  } catch (e) {
    log('S', 'thrown', E(e), snap(server, 'listening'));
  }
  setImmediate(() => server.close(() => log('S', 'closed')));
});
const other = net.createServer();
other.listen(0);
try {
  other.listen(0);
  log('T', 'no throw');
} catch (e) {
  log('T', 'thrown in the same tick without a host', E(e));
}
other.close();
]==], function(h)
    local log, snap = h.log, h.snap
    local server = net.createServer()
    server:on("listening", function() log("S", "listening event") end)
    server:listen(0, HOST, function()
      local ok, e = pcall(server.listen, server, 0, HOST)
      if ok then
        log("S", "no throw")
      else
        log("S", "thrown", h.E(e), snap(server, "listening"))
      end
      net.setImmediate(function()
        server:close(function() log("S", "closed") end)
      end)
    end)
    local other = net.createServer()
    other:listen(0)
    local ok, e = pcall(other.listen, other, 0)
    if ok then
      log("T", "no throw")
    else
      log("T", "thrown in the same tick without a host", h.E(e))
    end
    other:close()
  end)

  scenario("listen(port, host) twice in one tick: Node defers the second", [==[
const server = net.createServer();
server.on('listening', () => log('S', 'listening event'));
server.listen(0, HOST, () => log('S', 'first callback'));
try {
  server.listen(0, HOST, () => log('S', 'second callback'));
  log('S', 'no throw');
} catch (e) {
  log('S', 'thrown', E(e));
}
setTimeout(() => server.close(() => log('S', 'closed')), 50);
]==], function(h)
    local log = h.log
    local server = net.createServer()
    server:on("listening", function() log("S", "listening event") end)
    server:listen(0, HOST, function() log("S", "first callback") end)
    local ok, e = pcall(server.listen, server, 0, HOST, function()
      log("S", "second callback")
    end)
    if ok then log("S", "no throw") else log("S", "thrown", h.E(e)) end
    net.setTimeout(function()
      server:close(function() log("S", "closed") end)
    end, 50)
  end)

  scenario("EADDRINUSE", [==[
const first = net.createServer();
first.listen(0, HOST, () => {
  const port = first.address().port;
  hide(port);
  const second = net.createServer();
  watch('S', second, ['listening', 'error', 'close']);
  second.on('error', (err) => {
    log('S', 'at error', snap(second, 'listening'), A(second.address()), String(err),
      err.port === port);
    first.close(() => log('F', 'closed'));
  });
  second.listen(port, HOST);
  log('S', 'after listen()', snap(second, 'listening'));
});
]==], function(h)
    local log, snap, watch, A = h.log, h.snap, h.watch, h.A
    local first = net.createServer()
    first:listen(0, HOST, function()
      local port = first:address().port
      h.hide(port)
      local second = net.createServer()
      watch("S", second, { "listening", "error", "close" })
      second:on("error", function(err)
        log("S", "at error", snap(second, "listening"), A(second:address()), tostring(err),
          err.port == port)
        first:close(function() log("F", "closed") end)
      end)
      second:listen(port, HOST)
      log("S", "after listen()", snap(second, "listening"))
    end)
  end)

  scenario("listen on a Unix socket path and connect to it", [==[
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvn-'));
const p = path.join(dir, 's.sock');
hide(p, '<path>');
const server = net.createServer((s) => {
  log('S', 'connection', state(s));
  log('S', 'addresses', snap(s, 'remoteAddress', 'remotePort', 'remoteFamily',
    'localAddress', 'localPort'), A(s.address()));
  watch('S', s, ['data', 'end', 'close']);
  s.end('over unix');
});
server.listen(p, () => {
  log('S', 'server address', A(server.address()), server.address() === p);
  const c = net.connect(p);
  log('C', 'connecting', state(c));
  watch('C', c, ['connect', 'data', 'end', 'close']);
  c.on('connect', () => {
    log('C', 'at connect', state(c));
    log('C', 'addresses', snap(c, 'remoteAddress', 'remotePort', 'remoteFamily',
      'localAddress', 'localPort'), A(c.address()));
    c.end('hello');
  });
  c.on('close', () => server.close(() => {
    log('Z', 'closed', snap(server, 'listening'), 'path exists', fs.existsSync(p));
    fs.rmSync(dir, { recursive: true, force: true });
  }));
});
]==], function(h)
    local log, snap, state, watch, A = h.log, h.snap, h.state, h.watch, h.A
    local dir = tmpdir()
    local p = dir .. "/s.sock"
    h.hide(p, "<path>")
    local server
    server = net.createServer(function(s)
      log("S", "connection", state(s))
      log("S", "addresses", snap(s, "remoteAddress", "remotePort", "remoteFamily",
        "localAddress", "localPort"), A(s:address()))
      watch("S", s, { "data", "end", "close" })
      s:finish("over unix")
    end)
    server:listen(p, function()
      log("S", "server address", A(server:address()), server:address() == p)
      local c = net.connect(p)
      log("C", "connecting", state(c))
      watch("C", c, { "connect", "data", "end", "close" })
      c:on("connect", function()
        log("C", "at connect", state(c))
        log("C", "addresses", snap(c, "remoteAddress", "remotePort", "remoteFamily",
          "localAddress", "localPort"), A(c:address()))
        c:finish("hello")
      end)
      c:on("close", function()
        server:close(function()
          log("Z", "closed", snap(server, "listening"), "path exists", exists(p))
          os.execute("rm -rf " .. dir)
        end)
      end)
    end)
  end)

  scenario("listen() with no host binds :: and sees IPv4 peers as ::ffff:", [==[
const s = net.createServer((x) => {
  log('S', 'peer', snap(x, 'remoteAddress', 'remoteFamily', 'localAddress', 'localFamily'),
    A(x.address()));
  x.end();
});
s.listen(0, () => {
  hide(s.address().port);
  log('L', A(s.address()), snap(s, 'listening'));
  const c = net.connect(opts(s.address().port));
  c.on('connect', () => log('C', snap(c, 'remoteAddress', 'remoteFamily', 'localAddress',
    'localFamily')));
  c.on('data', () => {});
  c.on('close', () => s.close(() => log('L', 'closed', A(s.address()))));
});
]==], function(h)
    local log, snap = h.log, h.snap
    local s
    s = net.createServer(function(x)
      log("S", "peer", snap(x, "remoteAddress", "remoteFamily", "localAddress", "localFamily"),
        h.A(x:address()))
      x:finish()
    end)
    s:listen(0, function()
      h.hide(s:address().port)
      log("L", h.A(s:address()), snap(s, "listening"))
      local c = net.connect(h.opts(s:address().port))
      c:on("connect", function()
        log("C", snap(c, "remoteAddress", "remoteFamily", "localAddress", "localFamily"))
      end)
      c:on("data", function() end)
      c:on("close", function()
        s:close(function() log("L", "closed", h.A(s:address())) end)
      end)
    end)
  end)

  scenario("EADDRINUSE on a Unix socket path; 'drop' on a Unix socket server", [==[
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvn-'));
const p = path.join(dir, 's.sock');
hide(p, '<path>');
const server = net.createServer(() => log('S', 'connection'));
server.maxConnections = 0;
watch('S', server, ['drop']);
server.listen(p, () => {
  const other = net.createServer();
  other.on('error', (err) => {
    log('O', 'error', err, snap(other, 'listening'));
    const c = net.connect(p);
    watch('C', c, ['connect', 'end', 'error', 'close']);
    c.on('close', () => server.close(() => fs.rmSync(dir, { recursive: true, force: true })));
  });
  other.listen(p);
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local dir = tmpdir()
    local p = dir .. "/s.sock"
    h.hide(p, "<path>")
    local server = net.createServer(function() log("S", "connection") end)
    server.maxConnections = 0
    watch("S", server, { "drop" })
    server:listen(p, function()
      local other = net.createServer()
      other:on("error", function(err)
        log("O", "error", err, snap(other, "listening"))
        local c = net.connect(p)
        watch("C", c, { "connect", "end", "error", "close" })
        c:on("close", function()
          server:close(function() os.execute("rm -rf " .. dir) end)
        end)
      end)
      other:listen(p)
    end)
  end)

  scenario("close() in the same tick as listen(port, host)", [==[
const a = net.createServer();
watch('A', a, ['listening', 'close', 'error']);
a.listen(0, HOST, () => log('A', 'listen callback'));
a.close((err) => log('A', 'close callback', err));
log('A', 'after close()', snap(a, 'listening'), A(a.address()));
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local a = net.createServer()
    watch("A", a, { "listening", "close", "error" })
    a:listen(0, HOST, function() log("A", "listen callback") end)
    a:close(function(err) log("A", "close callback", err) end)
    log("A", "after close()", snap(a, "listening"), h.A(a:address()))
  end)

  scenario("close() twice with a live connection, then listen() again", [==[
const server = net.createServer((s) => {
  server.close((err) => log('S', 'close 1', err));
  server.close((err) => log('S', 'close 2', err));
  log('S', 'closing', snap(server, 'listening'));
  setTimeout(() => s.end(), 20);
});
let closes = 0;
server.on('close', () => {
  log('S', 'close event', snap(server, 'listening'));
  if (++closes === 1) {
    server.listen(0, HOST, () => {
      log('S', 'listening again', snap(server, 'listening'));
      server.close();
    });
  }
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['end', 'close']);
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s)
      server:close(function(err) log("S", "close 1", err) end)
      server:close(function(err) log("S", "close 2", err) end)
      log("S", "closing", snap(server, "listening"))
      net.setTimeout(function() s:finish() end, 20)
    end)
    local closes = 0
    server:on("close", function()
      log("S", "close event", snap(server, "listening"))
      closes = closes + 1
      if closes == 1 then
        server:listen(0, HOST, function()
          log("S", "listening again", snap(server, "listening"))
          server:close()
        end)
      end
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "end", "close" })
    end)
  end)

  -- resetAndDestroy() ------------------------------------------------------------

  scenario("resetAndDestroy(): the peer sees ECONNRESET", [==[
const server = net.createServer((s) => {
  watch('S', s, ['end', 'error', 'close']);
  s.on('error', () => log('S', 'at error', state(s)));
  s.write('hi');
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['data', 'end', 'finish', 'error', 'close']);
  c.on('data', () => {
    log('C', 'returns itself', c.resetAndDestroy() === c);
    log('C', 'after resetAndDestroy()', state(c));
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server
    server = net.createServer(function(s)
      watch("S", s, { "end", "error", "close" })
      s:on("error", function() log("S", "at error", state(s)) end)
      s:write("hi")
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "data", "end", "finish", "error", "close" })
      c:on("data", function()
        log("C", "returns itself", c:resetAndDestroy() == c)
        log("C", "after resetAndDestroy()", state(c))
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("resetAndDestroy() while connecting waits for 'connect'", [==[
const server = net.createServer((s) => s.on('error', () => {}));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'ready', 'data', 'end', 'error', 'close']);
  c.on('connect', () => log('C', 'at connect', state(c)));
  c.resetAndDestroy();
  log('C', 'after resetAndDestroy()', state(c));
  c.on('close', () => { log('C', 'at close', state(c)); server.close(); });
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server
    server = net.createServer(function(s) s:on("error", function() end) end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "ready", "data", "end", "error", "close" })
      c:on("connect", function() log("C", "at connect", state(c)) end)
      c:resetAndDestroy()
      log("C", "after resetAndDestroy()", state(c))
      c:on("close", function()
        log("C", "at close", state(c))
        server:close()
      end)
    end)
  end)

  scenario("resetAndDestroy() on a Unix socket throws ERR_INVALID_HANDLE_TYPE", [==[
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvn-'));
const p = path.join(dir, 's.sock');
const server = net.createServer((s) => s.end());
server.listen(p, () => {
  const c = net.connect(p, () => {
    try {
      c.resetAndDestroy();
      log('C', 'no throw', state(c));
    } catch (e) {
      log('C', 'thrown', E(e), state(c));
    }
  });
  watch('C', c, ['end', 'error', 'close']);
  c.on('close', () => server.close(() => fs.rmSync(dir, { recursive: true, force: true })));
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local dir = tmpdir()
    local p = dir .. "/s.sock"
    local server
    server = net.createServer(function(s) s:finish() end)
    server:listen(p, function()
      local c
      c = net.connect(p, function()
        local ok, e = pcall(c.resetAndDestroy, c)
        if ok then
          log("C", "no throw", state(c))
        else
          log("C", "thrown", h.E(e), state(c))
        end
      end)
      watch("C", c, { "end", "error", "close" })
      c:on("close", function()
        server:close(function() os.execute("rm -rf " .. dir) end)
      end)
    end)
  end)

  -- cork() and vectored writes ---------------------------------------------------

  scenario("cork(), two writes, uncork(): the peer reads one chunk", [==[
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end', 'close']);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['finish', 'close']);
  c.on('connect', () => {
    c.cork();
    const r1 = c.write('a', () => log('C', 'cb a', snap(c, 'writableLength')));
    const r2 = c.write('b', () => log('C', 'cb b', snap(c, 'writableLength')));
    log('C', 'corked', r1, r2, snap(c, 'writableLength', 'bytesWritten'));
    c.uncork();
    log('C', 'uncorked', snap(c, 'writableLength'));
    c.end();
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s)
      watch("S", s, { "data", "end", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "finish", "close" })
      c:on("connect", function()
        c:cork()
        local r1 = c:write("a", function() log("C", "cb a", snap(c, "writableLength")) end)
        local r2 = c:write("b", function() log("C", "cb b", snap(c, "writableLength")) end)
        log("C", "corked", r1, r2, snap(c, "writableLength", "bytesWritten"))
        c:uncork()
        log("C", "uncorked", snap(c, "writableLength"))
        c:finish()
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("write({ 'a', 'b' }) sends what Node's cork/write/write/uncork sends", [==[
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end', 'close']);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['finish', 'close']);
  c.on('connect', () => {
    c.cork();
    c.write('first,');
    const r = c.write('second', () => log('C', 'write cb', snap(c, 'writableLength')));
    c.uncork();
    log('C', 'written', r, snap(c, 'bytesWritten'));
    c.end();
  });
  c.on('close', () => server.close());
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local server
    server = net.createServer(function(s)
      watch("S", s, { "data", "end", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "finish", "close" })
      c:on("connect", function()
        local r = c:write({ "first,", "second" }, function()
          log("C", "write cb", snap(c, "writableLength"))
        end)
        log("C", "written", r, snap(c, "bytesWritten"))
        c:finish()
      end)
      c:on("close", function() server:close() end)
    end)
  end)

  -- destroySoon() ----------------------------------------------------------------

  scenario("destroySoon() ends, then destroys once the writes are out", [==[
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end', 'error', 'close']);
});
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'end', 'finish', 'error', 'close']);
  c.on('connect', () => {
    c.write('last words');
    c.destroySoon();
    log('C', 'after destroySoon()', state(c), snap(c, 'writableEnded'));
  });
  c.on('finish', () => log('C', 'at finish', state(c)));
  c.on('close', () => { log('C', 'at close', state(c)); server.close(); });
});
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local server
    server = net.createServer(function(s)
      watch("S", s, { "data", "end", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "end", "finish", "error", "close" })
      c:on("connect", function()
        c:write("last words")
        c:destroySoon()
        log("C", "after destroySoon()", state(c), snap(c, "writableEnded"))
      end)
      c:on("finish", function() log("C", "at finish", state(c)) end)
      c:on("close", function()
        log("C", "at close", state(c))
        server:close()
      end)
    end)
  end)

  -- ref() and unref() ------------------------------------------------------------

  scenario("an unref()ed server and socket do not keep the loop alive", [==[
process.once('beforeExit', () => log('X', 'loop ended'));
const server = net.createServer((s) => s.unref());
server.listen(0, HOST, () => {
  log('S', 'unref returns itself', server.unref() === server);
  const c = net.connect(opts(server.address().port), () => {
    log('C', 'connect');
    log('C', 'unref returns itself', c.unref() === c);
  });
  watch('C', c, ['end', 'close']);
});
]==], function(h)
    local log, watch = h.log, h.watch
    local server, c
    local accepted = {}
    server = net.createServer(function(s)
      accepted[#accepted + 1] = s
      s:unref()
    end)
    server:listen(0, HOST, function()
      log("S", "unref returns itself", server:unref() == server)
      c = net.connect(h.opts(server:address().port), function()
        log("C", "connect")
        log("C", "unref returns itself", c:unref() == c)
      end)
      watch("C", c, { "end", "close" })
    end)
    return function()
      h.muted = true
      if c then c:destroy() end
      for _, s in ipairs(accepted) do s:destroy() end
      server:close()
    end
  end, { raw = true })

  scenario("ref() after unref() keeps the loop alive", [==[
process.once('beforeExit', () => log('X', 'loop ended'));
const server = net.createServer((s) => {
  s.unref();
  setTimeout(() => s.end('late'), 50).unref();
});
server.listen(0, HOST, () => {
  server.unref();
  const c = net.connect(opts(server.address().port));
  c.unref();
  log('C', 'ref returns itself', c.ref() === c);
  watch('C', c, ['connect', 'data', 'end', 'close']);
  c.on('close', () => server.close());
});
]==], function(h)
    local log, watch = h.log, h.watch
    local server
    server = net.createServer(function(s)
      s:unref()
      net.setTimeout(function() s:finish("late") end, 50):unref()
    end)
    server:listen(0, HOST, function()
      server:unref()
      local c = net.connect(h.opts(server:address().port))
      c:unref()
      log("C", "ref returns itself", c:ref() == c)
      watch("C", c, { "connect", "data", "end", "close" })
      c:on("close", function() server:close() end)
    end)
  end, { raw = true })
end)
