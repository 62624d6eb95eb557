--- Node's text encodings for uvnet: `socket:setEncoding`, `write(text, enc)`.
--
-- Text on the Lua side is UTF-8.  A decoder turns bytes into such text as
-- Node's `StringDecoder` turns them into a JavaScript string, and then writes
-- that string as UTF-8 the way `Buffer.from(str, 'utf8')` does (an unpaired
-- surrogate becomes U+FFFD).  `encode` gives the bytes `Buffer.from(str, enc)`
-- gives for the JavaScript string the Lua text stands for, which is the text
-- read by Node's UTF-8 decoder (an invalid sequence stands for U+FFFD), except
-- for 'utf8', where the bytes pass through as they are.
--
-- Encodings: 'utf8' ('utf-8'), 'utf16le' ('utf-16le', 'ucs2', 'ucs-2'),
-- 'latin1' ('binary'), 'ascii', 'hex', 'base64', 'base64url'; names are
-- matched without regard to case, as Node does.
-- @module uvnet.encoding

local byte, char, sub, gsub, find, lower, format = string.byte, string.char,
  string.sub, string.gsub, string.find, string.lower, string.format
local concat = table.concat
local ulen, uchar = utf8.len, utf8.char
local type, setmetatable, require, tostring, tonumber = type, setmetatable,
  require, tostring, tonumber

local M = {}

local REPL = "\239\191\189" -- U+FFFD in UTF-8

-- The canonical name of every accepted spelling, lower-cased.
local NAMES = {
  ["utf8"] = "utf8", ["utf-8"] = "utf8",
  ["ucs2"] = "utf16le", ["ucs-2"] = "utf16le",
  ["utf16le"] = "utf16le", ["utf-16le"] = "utf16le",
  ["latin1"] = "latin1", ["binary"] = "latin1",
  ["base64"] = "base64", ["base64url"] = "base64url",
  ["hex"] = "hex", ["ascii"] = "ascii",
}

---------------------------------------------------------------------------
-- Errors (uvnet.errors needs the C core, so it is loaded when first needed).

-- The value as Node's `%s` format shows it in "Unknown encoding: %s".
local function shown(enc)
  if type(enc) == "string" then return enc end
  local errors = require("uvnet.errors")
  local t = type(enc)
  if t == "number" then return errors.jsnumber(enc) end
  if t == "boolean" then return tostring(enc) end
  return errors.inspect(enc)
end

local function unknown(enc)
  require("uvnet.errors").throw("ERR_UNKNOWN_ENCODING", shown(enc))
end

local function badbuf(v)
  require("uvnet.errors").throw("ERR_INVALID_ARG_TYPE", "buf",
    { "Buffer", "TypedArray", "DataView" }, v)
end

---------------------------------------------------------------------------
-- Names.

--- Node's normalizeEncoding: the canonical name of an encoding.
-- `nil` and `''` mean 'utf8', as in Node; names are matched without regard
-- to case.
-- @param enc the name
-- @treturn string|nil 'utf8', 'utf16le', 'latin1', 'ascii', 'hex', 'base64'
--   or 'base64url'; nil if `enc` names none of them
-- @usage encoding.normalize("UTF-8")  --> "utf8"
function M.normalize(enc)
  if enc == nil then return "utf8" end
  if type(enc) ~= "string" then return nil end
  if enc == "" then return "utf8" end
  return NAMES[enc] or NAMES[lower(enc)]
end
local normalize = M.normalize

--- The canonical name of an encoding, or Node's error for an unknown one.
-- As `new StringDecoder(enc)` and `socket.setEncoding(enc)`: `nil` and `''`
-- mean 'utf8'; anything else that is not a known name raises TypeError
-- `ERR_UNKNOWN_ENCODING` ("Unknown encoding: x").
-- @param enc the name
-- @treturn string the canonical name
-- @raise ERR_UNKNOWN_ENCODING
-- @usage encoding.check("Binary")  --> "latin1"
function M.check(enc)
  local name = normalize(enc)
  if not name then unknown(enc) end
  return name
end
local check = M.check

---------------------------------------------------------------------------
-- UTF-8 as Node reads it (V8's decoder: each maximal subpart of an invalid
-- sequence becomes one U+FFFD).

-- How many bytes at `p` make one maximal subpart, given that no valid
-- character starts at `p`.
local function badlen(s, p)
  local b1, b2, b3 = byte(s, p, p + 2)
  local lo, hi
  if b1 == 0xE0 then lo, hi = 0xA0, 0xBF
  elseif b1 == 0xED then lo, hi = 0x80, 0x9F
  elseif b1 >= 0xE1 and b1 <= 0xEF then lo, hi = 0x80, 0xBF
  elseif b1 == 0xF0 then lo, hi = 0x90, 0xBF
  elseif b1 >= 0xF1 and b1 <= 0xF3 then lo, hi = 0x80, 0xBF
  elseif b1 == 0xF4 then lo, hi = 0x80, 0x8F
  else return 1 end -- C2-DF without its trail byte, or no lead byte at all
  if not b2 or b2 < lo or b2 > hi then return 1 end
  if b1 < 0xF0 or not b3 or b3 < 0x80 or b3 > 0xBF then return 2 end
  return 3
end

-- The bytes as valid UTF-8, each maximal subpart of an invalid sequence
-- replaced by U+FFFD.  utf8.len (strict in 5.4: no surrogates, overlongs or
-- code points past U+10FFFF) does the scanning.
local function sanitize(s)
  if ulen(s) then return s end
  local out, n = {}, 0
  local i, len = 1, #s
  while i <= len do
    local count, bad = ulen(s, i)
    if count then
      n = n + 1
      out[n] = sub(s, i)
      break
    end
    if bad > i then
      n = n + 1
      out[n] = sub(s, i, bad - 1)
    end
    n = n + 1
    out[n] = REPL
    i = bad + badlen(s, bad)
  end
  return concat(out, "", 1, n)
end

-- The code point of a valid UTF-8 character.
local function codepoint(c)
  local b1, b2, b3, b4 = byte(c, 1, 4)
  if b1 < 0x80 then return b1 end
  if b1 < 0xE0 then return (b1 & 0x1F) << 6 | (b2 & 0x3F) end
  if b1 < 0xF0 then
    return (b1 & 0x0F) << 12 | (b2 & 0x3F) << 6 | (b3 & 0x3F)
  end
  return (b1 & 0x07) << 18 | (b2 & 0x3F) << 12 | (b3 & 0x3F) << 6
    | (b4 & 0x3F)
end

-- The UTF-16 code units of a code point.
local function units(cp)
  if cp < 0x10000 then return cp end
  cp = cp - 0x10000
  return 0xD800 | (cp >> 10), 0xDC00 | (cp & 0x3FF)
end

-- Tables for gsub: a character (as UTF-8) to what it becomes.  The common
-- ones are filled in; the rest are computed by __index without being kept.
local function chartable(f, from)
  local t = setmetatable({}, { __index = function(_, c) return f(c) end })
  for cp = from, 0x7FF do t[uchar(cp)] = f(uchar(cp)) end
  return t
end

-- JavaScript's String -> bytes for 'latin1'/'ascii': each UTF-16 code unit
-- keeps its low byte (so a character past U+FFFF gives two bytes).
local LOW = chartable(function(c)
  local u1, u2 = units(codepoint(c))
  if u2 then return char(u1 & 0xFF, u2 & 0xFF) end
  return char(u1 & 0xFF)
end, 0x80)

-- The code units of a character, little-endian.
local U16 = chartable(function(c)
  local u1, u2 = units(codepoint(c))
  if u2 then
    return char(u1 & 0xFF, u1 >> 8, u2 & 0xFF, u2 >> 8)
  end
  return char(u1 & 0xFF, u1 >> 8)
end, 0)

-- Text to JavaScript code units, keeping the low byte of each.
local function lowbytes(text)
  if ulen(text) == #text then return text end -- ASCII only
  return (gsub(sanitize(text), "[\194-\244][\128-\191]+", LOW))
end

---------------------------------------------------------------------------
-- Bytes to text, one function per encoding (as Buffer#toString).

local HEXOF, LATIN1OF, ASCIIOF = {}, {}, {}
for b = 0, 255 do
  local c = char(b)
  HEXOF[c] = format("%02x", b)
  if b >= 0x80 then
    LATIN1OF[c] = uchar(b)
    ASCIIOF[c] = char(b & 0x7F)
  end
end

local function tohex(s) return (gsub(s, ".", HEXOF)) end
local function tolatin1(s) return (gsub(s, "[\128-\255]", LATIN1OF)) end
local function toascii(s) return (gsub(s, "[\128-\255]", ASCIIOF)) end

-- A UTF-16 code unit (two bytes, little-endian) to UTF-8; a surrogate is
-- written in the 3-byte form for now (ED A0-BF xx), paired up or replaced
-- afterwards.  Units are kept once seen: at most 65536 of them.
local UNIT = setmetatable({}, { __index = function(t, k)
  local lo, hi = byte(k, 1, 2)
  local v = uchar(hi << 8 | lo)
  t[k] = v
  return v
end })
for b = 0, 127 do UNIT[char(b, 0)] = char(b) end

local function pair(h2, h3, l2, l3)
  local hi = 0xD000 | (byte(h2) & 0x3F) << 6 | (byte(h3) & 0x3F)
  local lo = 0xD000 | (byte(l2) & 0x3F) << 6 | (byte(l3) & 0x3F)
  return uchar(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
end

local function toutf16(s)
  if #s % 2 == 1 then s = sub(s, 1, -2) end
  s = gsub(s, "..", UNIT)
  if find(s, "\237[\160-\191]") then
    s = gsub(s, "\237([\160-\175])([\128-\191])\237([\176-\191])([\128-\191])",
      pair)
    s = gsub(s, "\237[\160-\191][\128-\191]", REPL)
  end
  return s
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local PAIRS = {} -- alphabet -> 12 bits -> two characters, built when needed

local function pairsof(alpha)
  local t = PAIRS[alpha]
  if t then return t end
  t = {}
  for v = 0, 4095 do
    local a, b = (v >> 6) + 1, (v & 63) + 1
    t[v] = sub(alpha, a, a) .. sub(alpha, b, b)
  end
  PAIRS[alpha] = t
  return t
end

local function tobase64(s, alpha, pad)
  local P = pairsof(alpha)
  local n = #s
  local full = n - n % 3
  local out, k = {}, 0
  for i = 1, full, 3 do
    local a, b, c = byte(s, i, i + 2)
    local v = a << 16 | b << 8 | c
    out[k + 1] = P[v >> 12]
    out[k + 2] = P[v & 4095]
    k = k + 2
  end
  if n > full then
    local a, b = byte(s, full + 1, n)
    local v = a << 16 | (b or 0) << 8
    local p = P[v >> 12]
    if b then
      local c = (v >> 6 & 63) + 1
      out[k + 1] = p .. sub(alpha, c, c) .. (pad and "=" or "")
    else
      out[k + 1] = p .. (pad and "==" or "")
    end
    k = k + 1
  end
  return concat(out, "", 1, k)
end

local function b64(s) return tobase64(s, B64 .. "+/", true) end
local function b64url(s) return tobase64(s, B64 .. "-_", false) end

local TOTEXT = {
  utf8 = sanitize, utf16le = toutf16, latin1 = tolatin1, ascii = toascii,
  hex = tohex, base64 = b64, base64url = b64url,
}

--- Bytes as text, as Node's `buf.toString(enc)` gives them (in UTF-8).
-- `enc` defaults to 'utf8'; unlike `check`, `''` is an unknown encoding
-- here, as in Node.
-- @tparam string bytes
-- @tparam[opt='utf8'] string enc
-- @treturn string UTF-8 text
-- @raise ERR_UNKNOWN_ENCODING
-- @usage encoding.decode("\xff\x00", "hex")  --> "ff00"
function M.decode(bytes, enc)
  if type(bytes) ~= "string" then badbuf(bytes) end
  local name = "utf8"
  if enc ~= nil then
    name = enc ~= "" and normalize(enc)
    if not name then unknown(enc) end
  end
  return TOTEXT[name](bytes)
end

---------------------------------------------------------------------------
-- Text to bytes (as Buffer.from(string, enc)).

local HEXIN = {}
do
  local digits = "0123456789abcdefABCDEF"
  for i = 1, #digits do
    for j = 1, #digits do
      local a, b = sub(digits, i, i), sub(digits, j, j)
      HEXIN[a .. b] = char(tonumber(a .. b, 16))
    end
  end
end

-- Node's hex decoder: pairs of hex digits up to the first pair that is not.
local function fromhex(s)
  s = lowbytes(s)
  local stop = find(s, "[^0-9a-fA-F]")
  local len = (stop and stop - 1 or #s) // 2 * 2
  return (gsub(sub(s, 1, len), "..", HEXIN))
end

-- Both alphabets are read by both 'base64' and 'base64url'.
local SIX = {}
for i = 1, 64 do SIX[byte(B64 .. "+/", i)] = i - 1 end
SIX[byte("-")] = 62
SIX[byte("_")] = 63

-- Node's lenient base64 decoder: characters outside both alphabets are
-- skipped, the first '=' ends the input, and a last group of 2 or 3
-- characters gives 1 or 2 bytes (a single one gives none).
local function frombase64(s)
  s = lowbytes(s)
  local stop = find(s, "=", 1, true)
  if stop then s = sub(s, 1, stop - 1) end
  s = gsub(s, "[^A-Za-z0-9%+/%-_]", "")
  local n = #s
  local full = n - n % 4
  local out, k = {}, 0
  for i = 1, full, 4 do
    local a, b, c, d = byte(s, i, i + 3)
    local v = SIX[a] << 18 | SIX[b] << 12 | SIX[c] << 6 | SIX[d]
    k = k + 1
    out[k] = char(v >> 16, v >> 8 & 255, v & 255)
  end
  local rest = n - full
  if rest >= 2 then
    local a, b, c = byte(s, full + 1, n)
    local v = SIX[a] << 18 | SIX[b] << 12 | (c and SIX[c] or 0) << 6
    k = k + 1
    out[k] = c and char(v >> 16, v >> 8 & 255) or char(v >> 16)
  end
  return concat(out, "", 1, k)
end

local function fromutf16(s)
  return (gsub(sanitize(s), "[\0-\127\194-\244][\128-\191]*", U16))
end

local function same(s) return s end

local FROMTEXT = {
  utf8 = same, utf16le = fromutf16, latin1 = lowbytes, ascii = lowbytes,
  hex = fromhex, base64 = frombase64, base64url = frombase64,
}

--- Text to bytes, as Node's `Buffer.from(text, enc)` and `socket.write(text,
-- enc)` give them.  `text` is UTF-8; for every encoding but 'utf8' it stands
-- for the JavaScript string Node's UTF-8 decoder makes of it (an invalid
-- sequence stands for U+FFFD); with 'utf8' the bytes pass through unchanged.
--
-- 'latin1', 'binary' and 'ascii' keep the low byte of each UTF-16 code unit
-- (a character past U+FFFF gives two bytes); 'hex' stops at the first pair
-- that is not two hex digits; 'base64' and 'base64url' read both alphabets,
-- skip other characters and stop at the first '='.
--
-- The encoding is checked as `socket.write` checks it: `nil`, `false`, `''`,
-- `0` and NaN (JavaScript's falsy values) mean 'utf8'; 'buffer' passes the
-- bytes through (Lua strings are Node's Buffers too); an unknown name raises
-- `ERR_UNKNOWN_ENCODING`.
-- @tparam string text
-- @param[opt='utf8'] enc
-- @treturn string the bytes
-- @raise ERR_UNKNOWN_ENCODING
-- @usage encoding.encode("café", "latin1")  --> "caf\xe9"
function M.encode(text, enc)
  if type(text) ~= "string" then
    require("uvnet.errors").throw("ERR_INVALID_ARG_TYPE", "first argument",
      "string", text)
  end
  if enc == nil or enc == false or enc == "" or enc == 0 or enc ~= enc
      or enc == "buffer" then
    return text
  end
  return FROMTEXT[check(enc)](text)
end

---------------------------------------------------------------------------
-- The streaming decoder (Node's StringDecoder).

-- Which encodings keep bytes back between writes.
local UTF8, UTF16, BASE64 = 1, 2, 3
local KIND = { utf8 = UTF8, utf16le = UTF16, base64 = BASE64,
  base64url = BASE64 }

local Decoder = {}
Decoder.__index = Decoder
Decoder.__name = "StringDecoder"

--- A streaming decoder, Node's `StringDecoder`: `dec:write(bytes)` gives the
-- text of the bytes so far, keeping back an incomplete character (utf8,
-- utf16le) or the 1-2 bytes past a multiple of three (base64, base64url)
-- until the next write; `dec:finish()` gives what is left, as
-- `decoder.end()`.  `dec.encoding` is the canonical name, as
-- `socket.readableEncoding` shows it.
-- @param[opt='utf8'] enc the encoding, checked as by `check`
-- @treturn table the decoder
-- @raise ERR_UNKNOWN_ENCODING
-- @usage
-- local dec = encoding.decoder("utf8")
-- dec:write("\xe2\x82")   --> ""
-- dec:write("\xac")       --> "€"
function M.decoder(enc)
  local name = check(enc)
  return setmetatable({
    encoding = name,
    _kind = KIND[name],
    _text = TOTEXT[name],
    _buf = "",      -- bytes kept back
    _missing = 0,   -- bytes wanted to complete them
  }, Decoder)
end

-- How many bytes at the end of `data` begin a UTF-8 character still to be
-- completed, and how many are missing; as Node decides it (a lead byte only
-- announces a length, F5-F7 included; the bytes are not checked further).
local function utf8tail(data, n)
  if byte(data, n) < 0x80 then return 0, 0 end
  local kept = 0
  for i = n, 1, -1 do
    kept = kept + 1
    local b = byte(data, i)
    if b & 0xC0 == 0x80 then
      if kept >= 4 or i == 1 then return 0, 0 end
    else
      local want
      if b & 0xE0 == 0xC0 then want = 2
      elseif b & 0xF0 == 0xE0 then want = 3
      elseif b & 0xF8 == 0xF0 then want = 4
      else return 0, 0 end
      if kept >= want then return 0, 0 end
      return kept, want - kept
    end
  end
  return 0, 0
end

--- Decodes the next bytes.
-- @tparam string bytes
-- @treturn string the text they complete (UTF-8)
function Decoder:write(bytes)
  if type(bytes) ~= "string" then badbuf(bytes) end
  local kind, text = self._kind, self._text
  if not kind then return text(bytes) end
  local data, n = bytes, #bytes
  local prepend
  local missing = self._missing
  if missing > 0 then
    -- Complete the character kept back last time.
    if kind == UTF8 then
      for i = 1, n < missing and n or missing do
        if byte(data, i) & 0xC0 ~= 0x80 then
          -- Not a trail byte: the kept character ends here, incomplete.
          self._buf = self._buf .. sub(data, 1, i - 1)
          data = sub(data, i)
          n = n - (i - 1)
          missing = 0
          break
        end
      end
    end
    local found = n < missing and n or missing
    if found > 0 then
      self._buf = self._buf .. sub(data, 1, found)
      data = sub(data, found + 1)
      n = n - found
      missing = missing - found
    end
    self._missing = missing
    if missing == 0 then
      prepend = self._buf
      self._buf = ""
    end
  end
  if n == 0 then return prepend and text(prepend) or "" end
  -- Keep back what may start a character the next write completes.
  local kept
  if kind == UTF8 then
    kept, missing = utf8tail(data, n)
  elseif kind == UTF16 then
    if n % 2 == 1 then
      kept, missing = 1, 1
    elseif byte(data, n) & 0xFC == 0xD8 then
      kept, missing = 2, 2 -- a high surrogate waits for its pair
    else
      kept, missing = 0, 0
    end
  else
    kept = n % 3
    missing = kept > 0 and 3 - kept or 0
  end
  if kept > 0 then
    self._buf = sub(data, n - kept + 1)
    self._missing = missing
    data = sub(data, 1, n - kept)
  end
  if prepend then
    -- UTF-16: JavaScript joins the two strings, so a surrogate pair split
    -- between them becomes one character.
    if kind == UTF16 then return text(prepend .. data) end
    return text(prepend) .. text(data)
  end
  return text(data)
end

--- Flushes the decoder, as Node's `decoder.end([bytes])`: writes `bytes`
-- if given, then gives the text of what was kept back (an incomplete UTF-8
-- character becomes U+FFFD; an odd last byte of UTF-16 is dropped; base64
-- gets its padding).  The decoder can be used again afterwards.
-- @tparam[opt] string bytes
-- @treturn string UTF-8 text
function Decoder:finish(bytes)
  local out = ""
  if bytes ~= nil then out = self:write(bytes) end
  local buf = self._buf
  if buf == "" then return out end
  self._buf, self._missing = "", 0
  if self._kind == UTF16 and #buf % 2 == 1 then buf = sub(buf, 1, -2) end
  if buf == "" then return out end
  return out .. self._text(buf)
end

return M
