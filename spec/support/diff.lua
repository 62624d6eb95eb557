--- The harness of the differential specs: a scenario runs once as
-- JavaScript on Node 22 and once as Lua on uvnet, and the two printed
-- traces must be equal.  This module holds what the specs share: the
-- JavaScript prelude and the Lua twin of its helpers; each spec adds its
-- own helpers to both sides.
--
--     local diff = require("support.diff")
--     local CFG = { efields = {...}, state = {...} }
--     local PRELUDE = diff.prelude(CFG) .. [==[ ...more JavaScript... ]==]
--     local h = diff.harness(CFG)          -- a fresh trace, per scenario
--
-- Both sides then have:
--   log(tag, ...)         one line under tag: the values as show() prints
--                         them (an error as E() does)
--   E(err)                the error's fields named in cfg.efields, and
--                         an AggregateError's errors
--   snap(s, field, ...)   "field=value ..." ('isPaused' calls s.isPaused())
--   state(s)              snap() of the fields in cfg.state
--   watch(tag, s[, names]) logs each named event (cfg.events by default)
--                         with its arguments, trailing nil/undefined ones
--                         left out
--   opts(port[, more])    connect options for HOST, autoSelectFamily off
--   hide(v[, label])      prints v as label (<port> by default)
--
-- The trace keeps the order of lines within a tag and prints the tags
-- sorted, so independent sockets cannot make it flaky; with cfg.ordered it
-- is printed in the order logged.  In JavaScript, functions pushed on
-- ATEXIT run before the trace is printed.

local M = {}

local HOST = "127.0.0.1"
M.HOST = HOST

local function jslist(list)
  local out = {}
  for i, v in ipairs(list or {}) do out[i] = "'" .. v .. "'" end
  return "[" .. table.concat(out, ", ") .. "]"
end

--- The JavaScript prelude for cfg (efields, state, events, ordered).
function M.prelude(cfg)
  return ([==[
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const HOST = '127.0.0.1';
const EFIELDS = %s;
const SFIELDS = %s;
const EVENTS = %s;
const ORDERED = %s;
const LOGS = {};
const ORDER = [];
const HIDDEN = [];
const ATEXIT = [];
function hide(v, label) { HIDDEN.push([v, label || '<port>']); }
function show(v) {
  if (v === undefined || v === null) return 'nil';
  if (v instanceof Error) return E(v);
  return String(v);
}
function E(e) {
  if (e === undefined || e === null) return 'nil';
  let s = '{' + EFIELDS.map((k) => k + '=' + show(e[k])).join(' ');
  if (e.errors) s += ' errors=[' + e.errors.map(E).join(' ') + ']';
  return s + '}';
}
function snap(s, ...fields) {
  return fields.map((f) => f + '=' + show(f === 'isPaused' ? s.isPaused() : s[f]))
    .join(' ');
}
function state(s) { return snap(s, ...SFIELDS); }
function log(tag, ...a) {
  const line = [tag, ...a].map(show).join(' ');
  if (ORDERED) { ORDER.push(line); return; }
  (LOGS[tag] = LOGS[tag] || []).push(a.map(show).join(' '));
}
function watch(tag, s, names) {
  for (const n of names || EVENTS) {
    s.on(n, (...a) => {
      while (a.length > 0 && a[a.length - 1] === undefined) a.pop();
      log(tag, n, ...a);
    });
  }
}
function opts(port, more) {
  return Object.assign({ port, host: HOST, autoSelectFamily: false }, more || {});
}
function unhide(line) {
  for (const [v, label] of HIDDEN) {
    if (typeof v === 'number') {
      line = line.replace(new RegExp('\\b' + v + '\\b', 'g'), label);
    } else {
      line = line.split(v).join(label);
    }
  }
  return line;
}
process.on('exit', () => {
  for (const f of ATEXIT) f();
  if (ORDERED) {
    for (const line of ORDER) console.log(unhide(line));
    return;
  }
  for (const tag of Object.keys(LOGS).sort()) {
    for (const line of LOGS[tag]) console.log(unhide(tag + ': ' + line));
  }
});
]==]):format(jslist(cfg.efields), jslist(cfg.state), jslist(cfg.events),
    cfg.ordered and "true" or "false")
end

-- A Lua pattern matching s as it is.
local function plain(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

--- A fresh set of Lua helpers and an empty trace, for cfg.
function M.harness(cfg)
  local efields, sfields = cfg.efields, cfg.state or {}
  local logs, order, hidden = {}, {}, {}
  local h = {}
  local show

  function h.E(e)
    if e == nil then return "nil" end
    local parts = {}
    for i, k in ipairs(efields) do parts[i] = k .. "=" .. show(e[k]) end
    local s = "{" .. table.concat(parts, " ")
    if type(e.errors) == "table" then
      local list = {}
      for i, x in ipairs(e.errors) do list[i] = h.E(x) end
      s = s .. " errors=[" .. table.concat(list, " ") .. "]"
    end
    return s .. "}"
  end

  -- JavaScript prints a whole number without a fraction, so does this.
  show = function(v)
    if v == nil then return "nil" end
    if type(v) == "table" and (v.code ~= nil or v.message ~= nil) then
      return h.E(v)
    end
    if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
      return string.format("%d", v)
    end
    return tostring(v)
  end
  h.show = show

  function h.hide(v, label) hidden[#hidden + 1] = { v, label or "<port>" } end

  function h.log(tag, ...)
    if h.muted then return end
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = show((select(i, ...))) end
    if cfg.ordered then
      table.insert(parts, 1, show(tag))
      order[#order + 1] = table.concat(parts, " ")
      return
    end
    local lines = logs[tag]
    if lines == nil then
      lines = {}
      logs[tag] = lines
    end
    lines[#lines + 1] = table.concat(parts, " ")
  end

  function h.snap(s, ...)
    local parts = {}
    for i = 1, select("#", ...) do
      local f = select(i, ...)
      local v
      if f == "isPaused" then v = s:isPaused() else v = s[f] end
      parts[i] = f .. "=" .. show(v)
    end
    return table.concat(parts, " ")
  end

  function h.state(s) return h.snap(s, table.unpack(sfields)) end

  -- Trailing nils are left out: Node's emit('drop') and emit('drop',
  -- undefined) differ in JavaScript but not to a Lua listener.
  function h.watch(tag, s, names)
    for _, n in ipairs(names or cfg.events) do
      s:on(n, function(...)
        local args = table.pack(...)
        while args.n > 0 and args[args.n] == nil do args.n = args.n - 1 end
        h.log(tag, n, table.unpack(args, 1, args.n))
      end)
    end
  end

  function h.opts(port, more)
    local o = { port = port, host = HOST, autoSelectFamily = false }
    for k, v in pairs(more or {}) do o[k] = v end
    return o
  end

  local function unhide(line)
    for _, hv in ipairs(hidden) do
      local v, label = hv[1], hv[2]
      if type(v) == "number" then
        line = line:gsub("%f[%w_]" .. tostring(v) .. "%f[^%w_]", label)
      else
        line = line:gsub(plain(v), (label:gsub("%%", "%%%%")))
      end
    end
    return line
  end

  --- The trace, as the JavaScript side prints it.
  function h.text()
    local out = {}
    if cfg.ordered then
      for _, line in ipairs(order) do out[#out + 1] = unhide(line) .. "\n" end
      return table.concat(out)
    end
    local tags = {}
    for tag in pairs(logs) do tags[#tags + 1] = tag end
    table.sort(tags)
    for _, tag in ipairs(tags) do
      for _, line in ipairs(logs[tag]) do
        out[#out + 1] = unhide(tag .. ": " .. line) .. "\n"
      end
    end
    return table.concat(out)
  end

  return h
end

return M
