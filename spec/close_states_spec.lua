-- Closing a socket or a server in every state, compared with Node 22.
--
-- Each scenario runs once as JavaScript on Node 22 and once as Lua on
-- uvnet, and the printed traces must be equal, as in
-- spec/socket_diff_spec.lua (which covers destroy() after connect and in the
-- 'data', 'end', 'error' and 'close' listeners of a TCP socket; this file
-- adds end() (uvnet's finish()) in those places, connects that never
-- complete, long write queues, Unix sockets and servers closed while they
-- accept).  Lines are logged under tags; a tag keeps its order and the tags
-- are printed sorted, so independent sockets cannot make a trace flaky.
--
-- Both sides have the same helpers: log(tag, ...), E(err), state(s),
-- snap(s, field, ...), watch(tag, s, names), hide(v[, label]), opts(port[,
-- more]), sockpath() (a fresh Unix socket path, printed as <path>), and
-- writes(s, n, size, done) (n writes of size bytes; done(summary) once all
-- n callbacks ran, see below).  A scenario with `{ blackhole = true }` gets
-- BH, the port of a loopback listener that never answers
-- (spec/support/blackhole.lua), on both sides; the Lua side closes it with
-- h.closehole() when done.
--
-- Besides the traces, every write callback is counted: a scenario fails if
-- any callback runs twice, or if one was never called when the loop ends.
local net = require("uvnet")
local loop = require("support.loop")
local node = require("support.node")
local diff = require("support.diff")
local blackhole = require("support.blackhole")

local HOST = "127.0.0.1"
local MIB = 1024 * 1024

-- The harness: spec/support/diff.lua, with Unix socket paths, counted
-- write callbacks and their summaries added --------------------------------

local CFG = {
  efields = { "name", "code", "syscall", "message" },
  state = { "readyState", "connecting", "destroyed", "readable", "writable",
    "writableLength" },
}

local PRELUDE = diff.prelude(CFG) .. [==[
const MIB = 1024 * 1024;
const DIRS = [];
ATEXIT.push(() => {
  for (const d of DIRS) fs.rmSync(d, { recursive: true, force: true });
});
function sockpath() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvn-'));
  DIRS.push(dir);
  const p = path.join(dir, 's.sock');
  hide(p, '<path>');
  return p;
}
// n writes of size bytes; done gets a summary of the callbacks: how many
// ran, whether in order, and each run of equal outcomes ("ok" or the code)
// without its length, which depends on the kernel's buffers.
function writes(s, n, size, done) {
  const chunk = Buffer.alloc(size, 120);
  const got = [];
  for (let i = 0; i < n; i++) {
    s.write(chunk, (err) => {
      got.push([i, err ? err.code : 'ok', err]);
      if (got.length === n) {
        const runs = [];
        let first;
        let inorder = true;
        got.forEach(([j, what, e], k) => {
          if (j !== k) inorder = false;
          if (runs[runs.length - 1] !== what) runs.push(what);
          if (e && !first) first = e;
        });
        done(`${got.length} calls, in order ${inorder}, ${runs.join(' then ')}, ` +
          `first error ${E(first)}`);
      }
    });
  }
}
]==]

local tmpdir = require("support.files").tmpdir

-- A fresh set of helpers, an empty trace and a count of write callbacks.
local function harness()
  local dirs = {}
  local h = diff.harness(CFG)
  local E = h.E
  h.pending = {}

  function h.sockpath()
    local dir = tmpdir()
    dirs[#dirs + 1] = dir
    local p = dir .. "/s.sock"
    h.hide(p, "<path>")
    return p
  end

  -- A callback that must run exactly once; h.check() fails on one that
  -- never ran, and a second call raises at once.
  function h.once(name, fn)
    local rec = { name = name, calls = 0 }
    h.pending[#h.pending + 1] = rec
    return function(...)
      rec.calls = rec.calls + 1
      if rec.calls > 1 then
        error(("callback %s ran %d times"):format(name, rec.calls), 2)
      end
      if fn then return fn(...) end
    end
  end

  function h.writes(s, n, size, done)
    local chunk = string.rep("x", size)
    local got = {}
    for i = 0, n - 1 do
      s:write(chunk, h.once("write " .. i, function(err)
        got[#got + 1] = { i, err and err.code or "ok", err }
        if #got == n then
          local runs, first, inorder = {}, nil, true
          for k, g in ipairs(got) do
            if g[1] ~= k - 1 then inorder = false end
            if runs[#runs] ~= g[2] then runs[#runs + 1] = g[2] end
            if g[3] and not first then first = g[3] end
          end
          done(("%d calls, in order %s, %s, first error %s"):format(#got,
            tostring(inorder), table.concat(runs, " then "), E(first)))
        end
      end))
    end
  end

  function h.check()
    for _, rec in ipairs(h.pending) do
      assert(rec.calls == 1, ("callback %s ran %d times"):format(rec.name, rec.calls))
    end
  end

  function h.cleanup()
    for _, d in ipairs(dirs) do os.execute("rm -rf '" .. d .. "'") end
    if h.hole then h.hole:close() end
  end

  return h
end

-- One differential spec: js on Node, fn(h, t) on uvnet, traces compared.
-- o.blackhole: both sides get the port of a listener that never answers,
-- as BH in JavaScript and h.BH in Lua (h.closehole() closes it).
local function scenario(name, js, fn, o)
  o = o or {}
  it(name .. " #diff", function()
    local h = harness()
    local prefix = ""
    if o.blackhole then
      h.hole = assert(blackhole.open(HOST))
      h.BH = h.hole.port
      h.hide(h.BH, "<bh>")
      prefix = ("const BH = %d; hide(BH, '<bh>');\n"):format(h.BH)
    end
    local expected = node.run(PRELUDE .. prefix .. js, nil, 30)
    function h.closehole()
      if h.hole then h.hole:close() end
      h.hole = nil
    end
    local ok, err = pcall(loop.run, function(t) return fn(h, t) end,
      { timeout = o.timeout or 5000 })
    h.cleanup()
    local got = h.text()
    if not ok then got = got .. "!! " .. tostring(err) .. "\n" end
    assert.are.equal(expected, got)
    h.check()
  end)
end

describe("closing a socket or a server in every state, against Node 22", function()

  -- Before connect ---------------------------------------------------------------

  scenario("finish() and destroy(), each twice, on a socket that never connected", [==[
const c = new net.Socket();
watch('C', c, ['finish', 'end', 'error', 'close']);
c.end((err) => log('C', 'end cb 1', err));
c.end((err) => log('C', 'end cb 2', err));
log('C', 'after end() twice', state(c), snap(c, 'writableEnded', 'writableFinished'));
c.destroy();
c.destroy();
log('C', 'after destroy() twice', state(c));
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local c = net.Socket()
    watch("C", c, { "finish", "end", "error", "close" })
    c:finish(h.once("end cb 1", function(err) log("C", "end cb 1", err) end))
    c:finish(h.once("end cb 2", function(err) log("C", "end cb 2", err) end))
    log("C", "after end() twice", state(c), snap(c, "writableEnded", "writableFinished"))
    c:destroy()
    c:destroy()
    log("C", "after destroy() twice", state(c))
  end)

  -- While connecting -------------------------------------------------------------

  scenario("destroy() while connecting to an address that never answers", [==[
const c = net.connect(opts(BH));
watch('C', c, ['connect', 'finish', 'error', 'close']);
c.write('a', (err) => log('C', 'cb a', err));
c.write('b', (err) => log('C', 'cb b', err));
setTimeout(() => {
  log('C', 'still connecting', state(c), snap(c, 'pending'));
  c.destroy();
  c.destroy();
  log('C', 'after destroy()', state(c), snap(c, 'pending'));
}, 50);
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local c = net.connect(h.opts(h.BH))
    watch("C", c, { "connect", "finish", "error", "close" })
    c:write("a", h.once("cb a", function(err) log("C", "cb a", err) end))
    c:write("b", h.once("cb b", function(err) log("C", "cb b", err) end))
    c:on("close", function() h.closehole() end)
    net.setTimeout(function()
      log("C", "still connecting", state(c), snap(c, "pending"))
      c:destroy()
      c:destroy()
      log("C", "after destroy()", state(c), snap(c, "pending"))
    end, 50)
  end, { blackhole = true })

  scenario("destroy(err) while connecting, with writes waiting", [==[
const c = net.connect(opts(BH));
watch('C', c, ['connect', 'finish', 'error', 'close']);
c.write('a', (err) => log('C', 'cb a', err));
c.write('b', (err) => log('C', 'cb b', err));
setTimeout(() => {
  const e = new Error('gave up');
  e.code = 'EGAVEUP';
  c.destroy(e);
  log('C', 'after destroy(err)', state(c));
}, 50);
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local c = net.connect(h.opts(h.BH))
    watch("C", c, { "connect", "finish", "error", "close" })
    c:write("a", h.once("cb a", function(err) log("C", "cb a", err) end))
    c:write("b", h.once("cb b", function(err) log("C", "cb b", err) end))
    c:on("close", function() h.closehole() end)
    net.setTimeout(function()
      c:destroy({ name = "Error", code = "EGAVEUP", message = "gave up" })
      log("C", "after destroy(err)", state(c))
    end, 50)
  end, { blackhole = true })

  scenario("finish(data, cb) twice while connecting, then destroy()", [==[
const c = net.connect(opts(BH));
watch('C', c, ['connect', 'finish', 'end', 'error', 'close']);
c.write('a', (err) => log('C', 'cb a', err));
c.end('z', (err) => log('C', 'end cb 1', err));
c.end((err) => log('C', 'end cb 2', err));
log('C', 'after end()', state(c), snap(c, 'writableEnded', 'writableFinished'));
setTimeout(() => {
  c.destroy();
  log('C', 'after destroy()', state(c));
}, 50);
]==], function(h)
    local log, snap, state, watch = h.log, h.snap, h.state, h.watch
    local c = net.connect(h.opts(h.BH))
    watch("C", c, { "connect", "finish", "end", "error", "close" })
    c:write("a", h.once("cb a", function(err) log("C", "cb a", err) end))
    c:finish("z", h.once("end cb 1", function(err) log("C", "end cb 1", err) end))
    c:finish(h.once("end cb 2", function(err) log("C", "end cb 2", err) end))
    log("C", "after end()", state(c), snap(c, "writableEnded", "writableFinished"))
    c:on("close", function() h.closehole() end)
    net.setTimeout(function()
      c:destroy()
      log("C", "after destroy()", state(c))
    end, 50)
  end, { blackhole = true })

  scenario("a 'timeout' listener destroys a socket still connecting", [==[
const c = net.connect(opts(BH, { timeout: 30 }));
watch('C', c, ['connect', 'timeout', 'error', 'close']);
c.write('a', (err) => log('C', 'cb a', err));
c.on('timeout', () => {
  log('C', 'at timeout', state(c));
  c.destroy();
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local c = net.connect(h.opts(h.BH, { timeout = 30 }))
    watch("C", c, { "connect", "timeout", "error", "close" })
    c:write("a", h.once("cb a", function(err) log("C", "cb a", err) end))
    c:on("timeout", function()
      log("C", "at timeout", state(c))
      c:destroy()
    end)
    c:on("close", function() h.closehole() end)
  end, { blackhole = true })

  scenario("a Unix socket destroyed, or ended, in the tick it connects", [==[
const p = sockpath();
// Whether the server accepts the connections before they close depends on
// timing, so its side is not traced.
const server = net.createServer((s) => s.on('error', () => {}));
server.listen(p, () => {
  let left = 3;
  const done = () => { if (--left === 0) server.close(() => log('S', 'closed')); };
  const a = net.connect(p);
  watch('A', a, ['connect', 'finish', 'error', 'close']);
  a.write('x', (err) => log('A', 'cb x', err));
  a.destroy();
  log('A', 'after destroy()', state(a));
  a.on('close', done);
  const b = net.connect(p);
  watch('B', b, ['connect', 'finish', 'error', 'close']);
  b.write('x', (err) => log('B', 'cb x', err));
  b.end('y', (err) => log('B', 'end cb', err));
  b.destroy();
  log('B', 'after end() and destroy()', state(b));
  b.on('close', done);
  const c = net.connect(p);
  watch('C', c, ['connect', 'finish', 'error', 'close']);
  c.write('x', (err) => log('C', 'cb x', err));
  c.write('y', (err) => log('C', 'cb y', err));
  process.nextTick(() => {
    c.destroy(new Error('in flight'));
    log('C', 'after destroy(err)', state(c));
  });
  c.on('close', done);
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local p = h.sockpath()
    local server
    server = net.createServer(function(s) s:on("error", function() end) end)
    server:listen(p, function()
      local left = 3
      local function done()
        left = left - 1
        if left == 0 then server:close(function() log("S", "closed") end) end
      end
      local function cb(tag, name)
        return h.once(tag .. name, function(err) log(tag, name, err) end)
      end
      local a = net.connect(p)
      watch("A", a, { "connect", "finish", "error", "close" })
      a:write("x", cb("A", "cb x"))
      a:destroy()
      log("A", "after destroy()", state(a))
      a:on("close", done)
      local b = net.connect(p)
      watch("B", b, { "connect", "finish", "error", "close" })
      b:write("x", cb("B", "cb x"))
      b:finish("y", cb("B", "end cb"))
      b:destroy()
      log("B", "after end() and destroy()", state(b))
      b:on("close", done)
      local c = net.connect(p)
      watch("C", c, { "connect", "finish", "error", "close" })
      c:write("x", cb("C", "cb x"))
      c:write("y", cb("C", "cb y"))
      net.nextTick(function()
        c:destroy({ name = "Error", message = "in flight" })
        log("C", "after destroy(err)", state(c))
      end)
      c:on("close", done)
    end)
  end)

  -- While writes are queued ------------------------------------------------------

  -- The peer reads nothing, so the kernel's buffers fill and the rest of the
  -- 16 MiB waits in the socket.
  for _, kind in ipairs({ "TCP", "Unix" }) do
    for _, how in ipairs({ "destroy()", "finish(cb) then destroy()", "destroy(err)" }) do
      local js = ([==[
const KIND = '%s', HOW = '%s';
const p = KIND === 'Unix' ? sockpath() : undefined;
let peer;
const server = net.createServer((s) => {
  peer = s;
  s.pause();
  s.on('error', () => {});
});
server.listen(...(p ? [p] : [0, HOST]), () => {
  const c = p ? net.connect(p) : net.connect(opts(server.address().port));
  watch('C', c, ['drain', 'finish', 'error', 'close']);
  c.on('connect', () => {
    writes(c, 16, MIB, (summary) => log('C', 'write callbacks:', summary));
    if (HOW !== 'destroy()' && HOW !== 'destroy(err)') {
      c.end((err) => log('C', 'end cb', err));
    }
    setTimeout(() => {
      log('C', 'queued', c.writableLength > 0, snap(c, 'writableNeedDrain'));
      if (HOW === 'destroy(err)') {
        const e = new Error('stop');
        e.code = 'ESTOP';
        c.destroy(e);
      } else {
        c.destroy();
      }
      log('C', 'after destroy', state(c).replace(/writableLength=\d+/, ''));
    }, 30);
  });
  c.on('close', () => {
    peer.destroy();
    server.close(() => log('S', 'closed'));
  });
});
]==]):format(kind, how)
      scenario(("%s while 16 MiB of writes wait (%s)"):format(how, kind), js, function(h)
        local log, snap, state, watch = h.log, h.snap, h.state, h.watch
        local p = kind == "Unix" and h.sockpath() or nil
        local peer
        local server = net.createServer(function(s)
          peer = s
          s:pause()
          s:on("error", function() end)
        end)
        local function go()
          local c = p and net.connect(p) or net.connect(h.opts(server:address().port))
          watch("C", c, { "drain", "finish", "error", "close" })
          c:on("connect", function()
            h.writes(c, 16, MIB, function(summary) log("C", "write callbacks:", summary) end)
            if how ~= "destroy()" and how ~= "destroy(err)" then
              c:finish(h.once("end cb", function(err) log("C", "end cb", err) end))
            end
            net.setTimeout(function()
              log("C", "queued", c.writableLength > 0, snap(c, "writableNeedDrain"))
              if how == "destroy(err)" then
                c:destroy({ name = "Error", code = "ESTOP", message = "stop" })
              else
                c:destroy()
              end
              log("C", "after destroy", (state(c):gsub("writableLength=%d+", "")))
            end, 30)
          end)
          c:on("close", function()
            peer:destroy()
            server:close(function() log("S", "closed") end)
          end)
        end
        if p then server:listen(p, go) else server:listen(0, HOST, go) end
      end)
    end
  end

  -- Inside its own listeners ----------------------------------------------------

  for _, kind in ipairs({ "TCP", "Unix" }) do
    scenario(("finish() twice inside its own 'data' listener (%s)"):format(kind), ([==[
const p = '%s' === 'Unix' ? sockpath() : undefined;
const server = net.createServer((s) => {
  watch('S', s, ['data', 'end', 'finish', 'close']);
  s.write('hello');
});
server.listen(...(p ? [p] : [0, HOST]), () => {
  const c = p ? net.connect(p) : net.connect(opts(server.address().port));
  watch('C', c, ['data', 'end', 'finish', 'error', 'close']);
  c.once('data', () => {
    c.end('bye', (err) => log('C', 'end cb 1', err));
    c.end((err) => log('C', 'end cb 2', err));
    log('C', 'after end() twice', state(c), snap(c, 'writableEnded', 'writableFinished'));
  });
  c.on('close', () => server.close(() => log('S', 'closed')));
});
]==]):format(kind), function(h)
      local log, snap, state, watch = h.log, h.snap, h.state, h.watch
      local p = kind == "Unix" and h.sockpath() or nil
      local server = net.createServer(function(s)
        watch("S", s, { "data", "end", "finish", "close" })
        s:write("hello")
      end)
      local function go()
        local c = p and net.connect(p) or net.connect(h.opts(server:address().port))
        watch("C", c, { "data", "end", "finish", "error", "close" })
        c:once("data", function()
          c:finish("bye", h.once("end cb 1", function(err) log("C", "end cb 1", err) end))
          c:finish(h.once("end cb 2", function(err) log("C", "end cb 2", err) end))
          log("C", "after end() twice", state(c), snap(c, "writableEnded", "writableFinished"))
        end)
        c:on("close", function()
          server:close(function() log("S", "closed") end)
        end)
      end
      if p then server:listen(p, go) else server:listen(0, HOST, go) end
    end)
  end

  scenario("finish() twice inside its own 'end' listener, with and without allowHalfOpen", [==[
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.on('data', () => {});
  s.end('bye');
});
server.listen(0, HOST, () => {
  let left = 2;
  const done = () => { if (--left === 0) server.close(); };
  for (const [tag, more] of [['A', {}], ['B', { allowHalfOpen: true }]]) {
    const c = net.connect(opts(server.address().port, more));
    watch(tag, c, ['data', 'end', 'finish', 'error', 'close']);
    c.on('end', () => {
      log(tag, 'at end', state(c), snap(c, 'writableEnded'));
      c.end('last', (err) => log(tag, 'end cb 1', err));
      c.end((err) => log(tag, 'end cb 2', err));
      log(tag, 'after end() twice', state(c));
    });
    c.on('close', done);
  }
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
      local left = 2
      local function done()
        left = left - 1
        if left == 0 then server:close() end
      end
      for _, v in ipairs({ { "A", {} }, { "B", { allowHalfOpen = true } } }) do
        local tag = v[1]
        local c = net.connect(h.opts(server:address().port, v[2]))
        watch(tag, c, { "data", "end", "finish", "error", "close" })
        c:on("end", function()
          log(tag, "at end", state(c), snap(c, "writableEnded"))
          c:finish("last", h.once(tag .. " end cb 1", function(err)
            log(tag, "end cb 1", err)
          end))
          c:finish(h.once(tag .. " end cb 2", function(err) log(tag, "end cb 2", err) end))
          log(tag, "after end() twice", state(c))
        end)
        c:on("close", done)
      end
    end)
  end)

  scenario("finish(), write() and destroy() inside its own 'error' listener", [==[
const server = net.createServer();
server.listen(0, HOST, () => {
  const port = server.address().port;
  hide(port);
  server.close(() => {
    // Refused over TCP; a Unix socket path nobody listens on.
    for (const [tag, o] of [['T', opts(port)], ['U', { path: sockpath() }]]) {
      const c = net.connect(o);
      watch(tag, c, ['connect', 'finish', 'error', 'close']);
      c.once('error', () => {
        c.end((err) => log(tag, 'end cb', err));
        log(tag, 'write returns', c.write('x', (err) => log(tag, 'write cb', err)));
        c.destroy();
        c.end((err) => log(tag, 'end cb after destroy()', err));
        log(tag, 'in error', state(c));
      });
    }
  });
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer()
    server:listen(0, HOST, function()
      local port = server:address().port
      h.hide(port)
      server:close(function()
        for _, v in ipairs({ { "T", h.opts(port) }, { "U", { path = h.sockpath() } } }) do
          local tag = v[1]
          local function cb(name)
            return h.once(tag .. name, function(err) log(tag, name, err) end)
          end
          local c = net.connect(v[2])
          watch(tag, c, { "connect", "finish", "error", "close" })
          c:once("error", function()
            c:finish(cb("end cb"))
            log(tag, "write returns", c:write("x", cb("write cb")))
            c:destroy()
            c:finish(cb("end cb after destroy()"))
            log(tag, "in error", state(c))
          end)
        end
      end)
    end)
  end)

  scenario("finish() and write() inside its own 'close' listener", [==[
const server = net.createServer((s) => s.end('hello'));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['data', 'end', 'finish', 'error', 'close']);
  c.on('close', () => {
    log('C', 'end returns itself', c.end((err) => log('C', 'end cb', err)) === c);
    log('C', 'write returns', c.write('x', (err) => log('C', 'write cb', err)));
    c.end('y', (err) => log('C', 'end(data) cb', err));
    log('C', 'in close', state(c));
    setImmediate(() => {
      log('C', 'a turn later');
      server.close();
    });
  });
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server = net.createServer(function(s) s:finish("hello") end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "data", "end", "finish", "error", "close" })
      local function cb(name)
        return h.once(name, function(err) log("C", name, err) end)
      end
      c:on("close", function()
        log("C", "end returns itself", c:finish(cb("end cb")) == c)
        log("C", "write returns", c:write("x", cb("write cb")))
        c:finish("y", cb("end(data) cb"))
        log("C", "in close", state(c))
        net.setImmediate(function()
          log("C", "a turn later")
          server:close()
        end)
      end)
    end)
  end)

  scenario("destroy() and finish() inside its own 'finish' listener", [==[
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.on('data', () => {});
});
server.listen(0, HOST, () => {
  let left = 2;
  const done = () => { if (--left === 0) server.close(); };
  const a = net.connect(opts(server.address().port, { allowHalfOpen: true }));
  watch('A', a, ['connect', 'finish', 'end', 'error', 'close']);
  a.on('connect', () => a.end('x', (err) => log('A', 'end cb', err)));
  a.on('finish', () => {
    a.destroy();
    log('A', 'in finish', state(a));
  });
  a.on('close', done);
  const b = net.connect(opts(server.address().port, { allowHalfOpen: true }));
  watch('B', b, ['connect', 'finish', 'end', 'error', 'close']);
  b.on('connect', () => b.end((err) => log('B', 'end cb 1', err)));
  b.once('finish', () => {
    b.end((err) => log('B', 'end cb 2', err));
    b.end('more', (err) => log('B', 'end cb 3', err));
    log('B', 'in finish', state(b));
  });
  b.on('close', done);
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server
    server = net.createServer(function(s)
      s:on("error", function() end)
      s:on("data", function() end)
    end)
    server:listen(0, HOST, function()
      local left = 2
      local function done()
        left = left - 1
        if left == 0 then server:close() end
      end
      local function cb(tag, name)
        return h.once(tag .. name, function(err) log(tag, name, err) end)
      end
      local a = net.connect(h.opts(server:address().port, { allowHalfOpen = true }))
      watch("A", a, { "connect", "finish", "end", "error", "close" })
      a:on("connect", function() a:finish("x", cb("A", "end cb")) end)
      a:on("finish", function()
        a:destroy()
        log("A", "in finish", state(a))
      end)
      a:on("close", done)
      local b = net.connect(h.opts(server:address().port, { allowHalfOpen = true }))
      watch("B", b, { "connect", "finish", "end", "error", "close" })
      b:on("connect", function() b:finish(cb("B", "end cb 1")) end)
      b:once("finish", function()
        b:finish(cb("B", "end cb 2"))
        b:finish("more", cb("B", "end cb 3"))
        log("B", "in finish", state(b))
      end)
      b:on("close", done)
    end)
  end)

  scenario("destroy() twice inside its own 'data', 'end' and 'close' listeners (Unix)", [==[
const p = sockpath();
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.end('hello');
});
server.listen(p, () => {
  let left = 3;
  const done = () => { if (--left === 0) server.close(() => log('S', 'closed')); };
  for (const where of ['data', 'end', 'close']) {
    const tag = where.toUpperCase();
    const c = net.connect(p);
    watch(tag, c, ['data', 'end', 'finish', 'error', 'close']);
    c.once(where, () => {
      c.destroy();
      c.destroy(new Error('again'));
      log(tag, 'after destroy() in ' + where, state(c));
    });
    c.on('close', () => setImmediate(done));
  }
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local p = h.sockpath()
    local server = net.createServer(function(s)
      s:on("error", function() end)
      s:finish("hello")
    end)
    server:listen(p, function()
      local left = 3
      local function done()
        left = left - 1
        if left == 0 then server:close(function() log("S", "closed") end) end
      end
      for _, where in ipairs({ "data", "end", "close" }) do
        local tag = where:upper()
        local c = net.connect(p)
        watch(tag, c, { "data", "end", "finish", "error", "close" })
        c:once(where, function()
          c:destroy()
          c:destroy({ name = "Error", message = "again" })
          log(tag, "after destroy() in " .. where, state(c))
        end)
        c:on("close", function() net.setImmediate(done) end)
      end
    end)
  end)

  scenario("destroy() inside its own 'connect' listener with writes made while connecting", [==[
const server = net.createServer((s) => watch('S', s, ['data', 'end', 'error', 'close']));
server.listen(0, HOST, () => {
  const c = net.connect(opts(server.address().port));
  watch('C', c, ['connect', 'finish', 'error', 'close']);
  c.on('connect', () => {
    c.destroy();
    log('C', 'in connect', state(c));
  });
  c.write('a', (err) => log('C', 'cb a', err));
  c.write('b', (err) => log('C', 'cb b', err));
  c.end('z', (err) => log('C', 'end cb', err));
  c.on('close', () => server.close());
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local server
    server = net.createServer(function(s)
      watch("S", s, { "data", "end", "error", "close" })
    end)
    server:listen(0, HOST, function()
      local c = net.connect(h.opts(server:address().port))
      watch("C", c, { "connect", "finish", "error", "close" })
      local function cb(name)
        return h.once(name, function(err) log("C", name, err) end)
      end
      c:on("connect", function()
        c:destroy()
        log("C", "in connect", state(c))
      end)
      c:write("a", cb("cb a"))
      c:write("b", cb("cb b"))
      c:finish("z", cb("end cb"))
      c:on("close", function() server:close() end)
    end)
  end)

  scenario("destroy() inside its own 'lookup' listener: no connect follows", [==[
const c = net.connect({ port: 9, host: 'db.test', autoSelectFamily: false,
  lookup: (host, o, cb) => setImmediate(cb, null, '127.0.0.1', 4) });
watch('C', c, ['lookup', 'connect', 'finish', 'error', 'close']);
c.write('a', (err) => log('C', 'cb a', err));
c.on('lookup', () => {
  c.destroy();
  log('C', 'in lookup', state(c));
});
]==], function(h)
    local log, state, watch = h.log, h.state, h.watch
    local c = net.connect({ port = 9, host = "db.test", autoSelectFamily = false,
      lookup = function(_, _, cb) net.setImmediate(cb, nil, "127.0.0.1", 4) end })
    watch("C", c, { "lookup", "connect", "finish", "error", "close" })
    c:write("a", h.once("cb a", function(err) log("C", "cb a", err) end))
    c:on("lookup", function()
      c:destroy()
      log("C", "in lookup", state(c))
    end)
  end)

  -- Servers ----------------------------------------------------------------------

  scenario("server.close() in the first 'connection' while two more wait to be accepted", [==[
let n = 0;
const server = net.createServer((s) => {
  n++;
  log('S', 'connection', n);
  server.close((err) => log('S', 'close callback', err, snap(server, 'listening')));
  s.on('close', () => log('S', 'connection closed'));
  setTimeout(() => s.end(), 30);
});
server.listen(0, HOST, () => {
  hide(server.address().port);
  for (const tag of ['C1', 'C2', 'C3']) {
    const c = net.connect(opts(server.address().port));
    watch(tag, c, ['end', 'close']);
    // Whether the reset comes before or after 'connect' is the kernel's
    // business: only the code is traced.
    c.on('error', (err) => log(tag, 'error', err.code));
  }
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local n = 0
    local server
    server = net.createServer(function(s)
      n = n + 1
      log("S", "connection", n)
      server:close(h.once("close callback", function(err)
        log("S", "close callback", err, snap(server, "listening"))
      end))
      s:on("close", function() log("S", "connection closed") end)
      net.setTimeout(function() s:finish() end, 30)
    end)
    server:listen(0, HOST, function()
      h.hide(server:address().port)
      for _, tag in ipairs({ "C1", "C2", "C3" }) do
        local c = net.connect(h.opts(server:address().port))
        watch(tag, c, { "end", "close" })
        c:on("error", function(err) log(tag, "error", err.code) end)
      end
    end)
  end)

  scenario("server.close() in the tick the clients connect: they are refused", [==[
const server = net.createServer(() => log('S', 'connection'));
server.listen(0, HOST, () => {
  hide(server.address().port);
  for (const tag of ['C1', 'C2']) {
    const c = net.connect(opts(server.address().port));
    watch(tag, c, ['connect', 'error', 'close']);
  }
  server.close((err) => log('S', 'close callback', err));
});
]==], function(h)
    local log, watch = h.log, h.watch
    local server = net.createServer(function() log("S", "connection") end)
    server:listen(0, HOST, function()
      h.hide(server:address().port)
      for _, tag in ipairs({ "C1", "C2" }) do
        local c = net.connect(h.opts(server:address().port))
        watch(tag, c, { "connect", "error", "close" })
      end
      server:close(h.once("close callback", function(err) log("S", "close callback", err) end))
    end)
  end)

  scenario("a Unix socket server closed with two live connections", [==[
const p = sockpath();
const conns = [];
const server = net.createServer((s) => {
  conns.push(s);
  s.on('error', () => {});
  if (conns.length < 2) return;
  server.close((err) => log('S', 'close callback', err, snap(server, 'listening'),
    'path exists', fs.existsSync(p)));
  log('S', 'after close()', snap(server, 'listening'), 'path exists', fs.existsSync(p));
  server.getConnections((err, n) => log('S', 'connections', err, n));
  const late = net.connect(p);
  watch('L', late, ['connect', 'error', 'close']);
  late.on('close', () => {
    conns[0].end();
    setTimeout(() => server.getConnections((err, n) => {
      log('S', 'connections', err, n);
      conns[1].end();
    }), 20);
  });
});
server.on('close', () => log('S', 'close event'));
server.listen(p, () => {
  for (const tag of ['A', 'B']) {
    const c = net.connect(p);
    watch(tag, c, ['end', 'error', 'close']);
  }
});
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local p = h.sockpath()
    local conns = {}
    local server
    local function exists(path)
      local f = io.open(path)
      if f then f:close() end
      return f ~= nil
    end
    server = net.createServer(function(s)
      conns[#conns + 1] = s
      s:on("error", function() end)
      if #conns < 2 then return end
      server:close(h.once("close callback", function(err)
        log("S", "close callback", err, snap(server, "listening"), "path exists", exists(p))
      end))
      log("S", "after close()", snap(server, "listening"), "path exists", exists(p))
      server:getConnections(function(err, n) log("S", "connections", err, n) end)
      local late = net.connect(p)
      watch("L", late, { "connect", "error", "close" })
      late:on("close", function()
        conns[1]:finish()
        net.setTimeout(function()
          server:getConnections(function(err, n)
            log("S", "connections", err, n)
            conns[2]:finish()
          end)
        end, 20)
      end)
    end)
    server:on("close", function() log("S", "close event") end)
    server:listen(p, function()
      for _, tag in ipairs({ "A", "B" }) do
        local c = net.connect(p)
        watch(tag, c, { "end", "error", "close" })
      end
    end)
  end)

  scenario("server.close() with the last connection destroyed in the same tick, or "
    .. "from its 'close' listener", [==[
let left = 2;
const a = net.createServer((s) => {
  a.close((err) => log('A', 'close callback', err));
  s.on('close', () => log('A', 'connection close'));
  s.destroy();
  log('A', 'destroyed', snap(a, 'listening'));
});
a.on('close', () => log('A', 'close event'));
const b = net.createServer((s) => {
  s.on('close', () => {
    b.close((err) => log('B', 'close callback', err));
    log('B', 'closing from the connection close', snap(b, 'listening'));
  });
  s.end('bye');
});
for (const [tag, server] of [['A', a], ['B', b]]) {
  server.listen(0, HOST, () => {
    const c = net.connect(opts(server.address().port));
    watch(tag + 'C', c, ['data', 'end', 'error', 'close']);
  });
}
]==], function(h)
    local log, snap, watch = h.log, h.snap, h.watch
    local a, b
    a = net.createServer(function(s)
      a:close(h.once("A close", function(err) log("A", "close callback", err) end))
      s:on("close", function() log("A", "connection close") end)
      s:destroy()
      log("A", "destroyed", snap(a, "listening"))
    end)
    a:on("close", function() log("A", "close event") end)
    b = net.createServer(function(s)
      s:on("close", function()
        b:close(h.once("B close", function(err) log("B", "close callback", err) end))
        log("B", "closing from the connection close", snap(b, "listening"))
      end)
      s:finish("bye")
    end)
    for _, v in ipairs({ { "A", a }, { "B", b } }) do
      local tag, server = v[1], v[2]
      server:listen(0, HOST, function()
        local c = net.connect(h.opts(server:address().port))
        watch(tag .. "C", c, { "data", "end", "error", "close" })
      end)
    end
  end)
end)
