-- Differential spec: seeded random byte strings and texts run through Node 22
-- and through uvnet.encoding, every answer compared byte for byte.  Bytes go
-- through StringDecoder (cut into random writes, empty ones included) and
-- Buffer#toString in every encoding; texts through Buffer.from in every
-- encoding; encoding names through StringDecoder, toString and Buffer.from.
-- Data travels to and from Node as hex; Node's strings come back as the
-- bytes Buffer.from(str, 'utf8') gives (an unpaired surrogate as U+FFFD).

local cjson = require("cjson")
local node = require("support.node")
local encoding = require("uvnet.encoding")

local format, byte, char, sub, gsub, upper = string.format, string.byte,
  string.char, string.sub, string.gsub, string.upper
local concat, sort = table.concat, table.sort
local uchar, ulen = utf8.char, utf8.len

local DECODINGS = { "utf8", "utf16le", "latin1", "ascii", "hex", "base64",
  "base64url" }
local ENCODINGS = { "utf8", "utf16le", "ucs2", "latin1", "binary", "ascii",
  "hex", "base64", "base64url" }

-- Node's side: reads cases.json, prints one JSON answer.
local RUNNER = [[
'use strict';
const fs = require('fs');
const path = require('path');
const { StringDecoder } = require('string_decoder');
const data = JSON.parse(fs.readFileSync(path.join(__dirname, 'cases.json'), 'utf8'));
const u = (s) => Buffer.from(s, 'utf8').toString('hex');
const err = (f) => { try { return f(); } catch (e) { return 'E:' + e.code + ':' + e.message; } };
const out = { dec: [], enc: [], names: [] };
for (const [h, cuts] of data.dec) {
  const b = Buffer.from(h, 'hex');
  const r = [];
  for (const enc of data.decodings) {
    const d = new StringDecoder(enc);
    const writes = [];
    let last = 0;
    for (const c of (Array.isArray(cuts) ? cuts : [])) {
      writes.push(u(d.write(b.subarray(last, c))));
      last = c;
    }
    writes.push(u(d.write(b.subarray(last))));
    r.push([u(b.toString(enc)), writes, u(d.end())]);
  }
  out.dec.push(r);
}
for (const h of data.enc) {
  const s = Buffer.from(h, 'hex').toString('utf8');
  out.enc.push(data.encodings.map((e) => Buffer.from(s, e).toString('hex')));
}
for (const n of data.names) {
  out.names.push([
    err(() => new StringDecoder(n).encoding),
    err(() => u(Buffer.from('\u00e9A', 'latin1').toString(n))),
    err(() => Buffer.from('QUJD', n).toString('hex')),
  ]);
}
process.stdout.write(JSON.stringify(out));
]]

-- A deterministic generator (64-bit LCG), the same on every machine.
local state = 0
local function seed(s) state = s end
local function rnd(n)
  state = state * 6364136223846793005 + 1442695040888963407
  return (state >> 33) % n + 1
end
local function pick(t) return t[rnd(#t)] end

local function hex(s)
  return (gsub(s, ".", function(c) return format("%02x", byte(c)) end))
end

-- Code points: anywhere, and near the edges that matter.
local function codepoint()
  local r = rnd(10)
  if r <= 3 then return 0x80 + rnd(0x780) - 1 end
  if r <= 5 then
    local cp = 0x800 + rnd(0xF800) - 1
    if cp >= 0xD800 and cp <= 0xDFFF then cp = cp - 0x800 end
    return cp
  end
  if r <= 7 then return 0x10000 + rnd(0x100000) - 1 end
  return pick({ 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000,
    0x10FFFF, 0x131, 0x141, 0x155, 0x1F600, 0xE9, 0xFF, 0x100 })
end

-- Pieces of byte strings: valid and invalid UTF-8, UTF-16 surrogates.
local BYTE_PIECES = {
  function() return char(rnd(128) - 1) end,
  function() return uchar(codepoint()) end,
  function() return uchar(codepoint()) end,
  function() return char(0x7F + rnd(0x80)) end, -- 80-FF alone
  function() -- a valid character cut short
    local c = uchar(0x80 + rnd(0x10FF7F) - 1)
    if #c == 2 then return sub(c, 1, 1) end
    return sub(c, 1, rnd(#c - 1))
  end,
  function() -- a surrogate written in UTF-8
    local s = 0xD800 + rnd(0x800) - 1
    return char(0xED, 0x80 | (s >> 6 & 0x3F), 0x80 | (s & 0x3F))
  end,
  function() -- overlong forms
    return pick({ "\192\175", "\193\191", "\224\128\175", "\224\159\191",
      "\240\128\128\175", "\240\143\191\191", "\192\128" })
  end,
  function() -- 5- and 6-byte forms, F5-F7 leads, past U+10FFFF
    return pick({ "\248\136\128\128\128", "\252\132\128\128\128\128",
      "\245\128\128\128", "\247\191\191\191", "\244\144\128\128", "\254", "\255" })
  end,
  function() -- continuation bytes in a row
    local t = {}
    for k = 1, rnd(5) do t[k] = char(0x7F + rnd(0x40)) end
    return concat(t)
  end,
  function() -- UTF-16 surrogates, little-endian: pairs and lone ones
    return pick({ "=\216\0\222", "\0\216\0\220", "\255\219\255\223", "=\216",
      "\0\222", "\0\220=\216", "\0\216\0\216\0\220" })
  end,
  function() -- random bytes
    local t = {}
    for k = 1, rnd(6) do t[k] = char(rnd(256) - 1) end
    return concat(t)
  end,
}

local function bytestring()
  local t = {}
  local n = rnd(14) - 1
  if rnd(20) == 1 then n = 40 + rnd(120) end
  for k = 1, n do t[k] = pick(BYTE_PIECES)() end
  return concat(t)
end

-- Cut points for writes: none, a few (repeated ones give empty writes), or
-- every byte.
local function cuts(len)
  local r = rnd(10)
  local t = {}
  if r == 1 then return t end
  if r == 2 then
    for i = 1, len - 1 do t[i] = i end
    return t
  end
  for k = 1, rnd(5) do t[k] = rnd(len + 1) - 1 end
  sort(t)
  return t
end

-- Pieces of texts: the alphabets the encoders read, and the rest.
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"
local TEXT_PIECES = {
  function() local i = rnd(#B64) return sub(B64, i, i) end,
  function() local i = rnd(#B64) return sub(B64, i, i) end,
  function() local i = rnd(22) return sub("0123456789abcdefABCDEF", i, i) end,
  function() local i = rnd(22) return sub("0123456789abcdefABCDEF", i, i) end,
  function() return pick({ "=", "==", " ", "\n", "\r\n", "\t", "*", ".", "%" }) end,
  function() return char(rnd(128) - 1) end,
  function() return uchar(0x7F + rnd(0x80)) end, -- Latin-1 characters
  function() return uchar(codepoint()) end,
  function() -- characters whose low byte is a base64 or hex character
    return uchar(pick({ 0x100, 0x200, 0x1000, 0xFF00 }) + byte(B64, rnd(#B64)))
  end,
  function() return pick(BYTE_PIECES)() end, -- invalid UTF-8 too
}

local function text()
  local t = {}
  local n = rnd(16) - 1
  if rnd(20) == 1 then n = 40 + rnd(100) end
  for k = 1, n do t[k] = pick(TEXT_PIECES)() end
  return concat(t)
end

-- Encoding names: the known ones in mixed case, and near misses.
local NAMES = { "utf8", "utf-8", "ucs2", "ucs-2", "utf16le", "utf-16le",
  "latin1", "binary", "base64", "base64url", "hex", "ascii", "buffer", "" }
local function name()
  local n = pick(NAMES)
  local r = rnd(6)
  if r == 1 then return upper(n) end
  if r == 2 then
    return (gsub(n, ".", function(c) return rnd(2) == 1 and upper(c) or c end))
  end
  if r == 3 and #n > 0 then
    local i = rnd(#n)
    return sub(n, 1, i - 1) .. sub(n, i + 1)
  end
  if r == 4 then
    local i = rnd(#n + 1)
    return sub(n, 1, i - 1) .. pick({ "-", "x", " ", "8", "_" }) .. sub(n, i)
  end
  return n
end

-- uvnet's side, in the shape Node answers in.
local function decode_answers(bytes, cut)
  local r = {}
  for k, enc in ipairs(DECODINGS) do
    local dec = encoding.decoder(enc)
    local writes, last = {}, 0
    for i, c in ipairs(cut) do
      writes[i] = hex(dec:write(sub(bytes, last + 1, c)))
      last = c
    end
    writes[#writes + 1] = hex(dec:write(sub(bytes, last + 1)))
    r[k] = { hex(encoding.decode(bytes, enc)), writes, hex(dec:finish()) }
  end
  return r
end

local function err(f, ...)
  local ok, v = pcall(f, ...)
  if ok then return v end
  return "E:" .. tostring(v.code) .. ":" .. tostring(v.message)
end

local function name_answers(n)
  return {
    err(function() return encoding.decoder(n).encoding end),
    err(function() return hex(encoding.decode("\233A", n)) end),
    err(function() return hex(encoding.encode("QUJD", n)) end),
  }
end

-- A value for a failure message, cut short when long.
local function show(v)
  local s = type(v) == "string" and v or cjson.encode(v)
  if #s > 400 then s = sub(s, 1, 400) .. "..." end
  return s
end

local function same(x, y)
  if type(x) ~= type(y) then return false end
  if type(x) ~= "table" then return x == y end
  if #x ~= #y then return false end
  for k = 1, #x do
    if not same(x[k], y[k]) then return false end
  end
  return true
end

describe("uvnet.encoding agrees with Node 22 #diff", function()
  local DEC, ENC, NAME = 3000, 2500, 300
  local cases = { dec = {}, enc = {}, names = {}, decodings = DECODINGS,
    encodings = ENCODINGS }
  local inputs, texts, names = {}, {}, {}
  seed(20240522)
  for i = 1, DEC do
    local b = bytestring()
    local c = cuts(#b)
    inputs[i] = { b, c }
    cases.dec[i] = { hex(b), c }
  end
  for i = 1, ENC do
    texts[i] = text()
    cases.enc[i] = hex(texts[i])
  end
  for i = 1, NAME do
    names[i] = name()
    cases.names[i] = names[i]
  end

  local answers
  setup(function()
    local out, ok = node.run(RUNNER, { ["cases.json"] = cjson.encode(cases) }, 300)
    assert(ok, out)
    answers = cjson.decode(out)
  end)

  it("decodes as StringDecoder (each write, and end) and toString", function()
    assert.are.equal(DEC, #answers.dec)
    local bad = {}
    for i, case in ipairs(inputs) do
      local got = decode_answers(case[1], case[2])
      for k, enc in ipairs(DECODINGS) do
        if not same(answers.dec[i][k], got[k]) and #bad < 8 then
          bad[#bad + 1] = format("#%d %s bytes %s cuts %s: node %s, uvnet %s", i, enc,
            show(hex(case[1])), show(case[2]), show(answers.dec[i][k]), show(got[k]))
        end
      end
    end
    assert(#bad == 0, "\n" .. concat(bad, "\n"))
  end)

  it("encodes as Buffer.from", function()
    assert.are.equal(ENC, #answers.enc)
    local bad = {}
    local compared = 0
    for i, t in ipairs(texts) do
      for k, enc in ipairs(ENCODINGS) do
        -- utf8 passes invalid UTF-8 through, where Node's string has U+FFFD.
        if enc ~= "utf8" or ulen(t) then
          compared = compared + 1
          local got = hex(encoding.encode(t, enc))
          if got ~= answers.enc[i][k] and #bad < 8 then
            bad[#bad + 1] = format("#%d %s text %s: node %s, uvnet %s", i, enc,
              show(hex(t)), show(answers.enc[i][k]), show(got))
          end
        end
      end
    end
    assert(#bad == 0, "\n" .. concat(bad, "\n"))
    assert.is_true(compared > ENC * 8)
  end)

  it("reads encoding names as StringDecoder, toString and Buffer.from", function()
    assert.are.equal(NAME, #answers.names)
    local bad = {}
    for i, n in ipairs(names) do
      local got = name_answers(n)
      local expected = answers.names[i]
      -- Buffer.from(s, 'buffer') throws; socket.write(s, 'buffer'), which
      -- encode follows, does not: uvnet passes the bytes through.
      if n == "buffer" then got[3], expected[3] = nil, nil end
      if not same(expected, got) and #bad < 8 then
        bad[#bad + 1] = format("%q: node %s, uvnet %s", n, show(expected), show(got))
      end
    end
    assert(#bad == 0, "\n" .. concat(bad, "\n"))
  end)
end)
