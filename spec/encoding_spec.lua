-- uvnet.encoding: Node's encodings for setEncoding and write(text, enc).
-- The vectors below were printed by Node 22 (v22.23.3): Buffer#toString,
-- StringDecoder write/end, and Buffer.from on the string Node's UTF-8
-- decoder makes of the input.  Byte strings are written with printable ASCII
-- as is and other bytes as \x escapes.
local encoding = require("uvnet.encoding")

local format, byte, char, sub, rep = string.format, string.byte, string.char,
  string.sub, string.rep
local concat = table.concat

local ENCODINGS = { "utf8", "utf16le", "latin1", "ascii", "hex", "base64",
  "base64url" }

-- A byte string as hex, for failure messages that can be read.
local function hex(s)
  return (s:gsub(".", function(c) return format("%02x", byte(c)) end))
end

-- Asserts two byte strings are equal, showing both in hex.
local function same(expected, got, what)
  if expected ~= got then
    error(format("%s: expected %s, got %s", what, hex(expected), hex(got)), 2)
  end
end

-- The error a function raises.
local function raised(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return err
end

local TOSTRING = {
  { "", "empty", { utf8 = "", utf16le = "", latin1 = "", ascii = "", hex = "", base64 = "",
      base64url = "", } },
  { "A", "ascii", { utf8 = "A", utf16le = "", latin1 = "A", ascii = "A", hex = "41",
      base64 = "QQ==", base64url = "QQ", } },
  { "\xc3\xa9", "e-acute", { utf8 = "\xc3\xa9", utf16le = "\xea\xa7\x83",
      latin1 = "\xc3\x83\xc2\xa9", ascii = "C)", hex = "c3a9", base64 = "w6k=",
      base64url = "w6k", } },
  { "\xe2\x82\xac", "euro", { utf8 = "\xe2\x82\xac", utf16le = "\xe8\x8b\xa2",
      latin1 = "\xc3\xa2\xc2\x82\xc2\xac", ascii = "b\x02,", hex = "e282ac", base64 = "4oKs",
      base64url = "4oKs", } },
  { "\xf0\x9f\x98\x80", "emoji", { utf8 = "\xf0\x9f\x98\x80",
      utf16le = "\xe9\xbf\xb0\xe8\x82\x98", latin1 = "\xc3\xb0\xc2\x9f\xc2\x98\xc2\x80",
      ascii = "p\x1f\x18\x00", hex = "f09f9880", base64 = "8J+YgA==", base64url = "8J-YgA", } },
  { "\x80", "lone continuation", { utf8 = "\xef\xbf\xbd", utf16le = "", latin1 = "\xc2\x80",
      ascii = "\x00", hex = "80", base64 = "gA==", base64url = "gA", } },
  { "\xbfA", "continuation then ascii", { utf8 = "\xef\xbf\xbdA", utf16le = "\xe4\x86\xbf",
      latin1 = "\xc2\xbfA", ascii = "?A", hex = "bf41", base64 = "v0E=", base64url = "v0E", } },
  { "\xc0\xaf", "overlong C0", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd", utf16le = "\xea\xbf\x80",
      latin1 = "\xc3\x80\xc2\xaf", ascii = "@/", hex = "c0af", base64 = "wK8=",
      base64url = "wK8", } },
  { "\xc1\xbf", "overlong C1", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd", utf16le = "\xeb\xbf\x81",
      latin1 = "\xc3\x81\xc2\xbf", ascii = "A?", hex = "c1bf", base64 = "wb8=",
      base64url = "wb8", } },
  { "\xe0\x80\x9f", "overlong E0", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xe8\x83\xa0", latin1 = "\xc3\xa0\xc2\x80\xc2\x9f", ascii = "`\x00\x1f",
      hex = "e0809f", base64 = "4ICf", base64url = "4ICf", } },
  { "\xf0\x8f\x80\x80", "overlong F0", {
      utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xe8\xbf\xb0\xe8\x82\x80", latin1 = "\xc3\xb0\xc2\x8f\xc2\x80\xc2\x80",
      ascii = "p\x0f\x00\x00", hex = "f08f8080", base64 = "8I+AgA==", base64url = "8I-AgA", } },
  { "\xed\xa0\x80", "surrogate D800", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xea\x83\xad", latin1 = "\xc3\xad\xc2\xa0\xc2\x80", ascii = "m \x00",
      hex = "eda080", base64 = "7aCA", base64url = "7aCA", } },
  { "\xed\xbf\xbf", "surrogate DFFF", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xeb\xbf\xad", latin1 = "\xc3\xad\xc2\xbf\xc2\xbf", ascii = "m??",
      hex = "edbfbf", base64 = "7b+/", base64url = "7b-_", } },
  { "\xed\x9f\xbf", "U+D7FF", { utf8 = "\xed\x9f\xbf", utf16le = "\xe9\xbf\xad",
      latin1 = "\xc3\xad\xc2\x9f\xc2\xbf", ascii = "m\x1f?", hex = "ed9fbf", base64 = "7Z+/",
      base64url = "7Z-_", } },
  { "\xed\xa0\x80\xed\xb0\x80", "surrogate pair in UTF-8", {
      utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xea\x83\xad\xee\xb6\x80\xe8\x82\xb0",
      latin1 = "\xc3\xad\xc2\xa0\xc2\x80\xc3\xad\xc2\xb0\xc2\x80", ascii = "m \x00m0\x00",
      hex = "eda080edb080", base64 = "7aCA7bCA", base64url = "7aCA7bCA", } },
  { "\xf4\x90\x80\x80", "past U+10FFFF", {
      utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xe9\x83\xb4\xe8\x82\x80", latin1 = "\xc3\xb4\xc2\x90\xc2\x80\xc2\x80",
      ascii = "t\x10\x00\x00", hex = "f4908080", base64 = "9JCAgA==", base64url = "9JCAgA", } },
  { "\xf4\x8f\xbf\xbf", "U+10FFFF", { utf8 = "\xf4\x8f\xbf\xbf",
      utf16le = "\xe8\xbf\xb4\xeb\xbe\xbf", latin1 = "\xc3\xb4\xc2\x8f\xc2\xbf\xc2\xbf",
      ascii = "t\x0f??", hex = "f48fbfbf", base64 = "9I+/vw==", base64url = "9I-_vw", } },
  { "\xf5\x80\x80\x80", "F5 lead", {
      utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xe8\x83\xb5\xe8\x82\x80", latin1 = "\xc3\xb5\xc2\x80\xc2\x80\xc2\x80",
      ascii = "u\x00\x00\x00", hex = "f5808080", base64 = "9YCAgA==", base64url = "9YCAgA", } },
  { "\xf8\x88\x80\x80\x80", "5-byte form", {
      utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xe8\xa3\xb8\xe8\x82\x80",
      latin1 = "\xc3\xb8\xc2\x88\xc2\x80\xc2\x80\xc2\x80", ascii = "x\x08\x00\x00\x00",
      hex = "f888808080", base64 = "+IiAgIA=", base64url = "-IiAgIA", } },
  { "\xfc\x84\x80\x80\x80\x80", "6-byte form", {
      utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xe8\x93\xbc\xe8\x82\x80\xe8\x82\x80",
      latin1 = "\xc3\xbc\xc2\x84\xc2\x80\xc2\x80\xc2\x80\xc2\x80",
      ascii = "|\x04\x00\x00\x00\x00", hex = "fc8480808080", base64 = "/ISAgICA",
      base64url = "_ISAgICA", } },
  { "\xfe", "FE", { utf8 = "\xef\xbf\xbd", utf16le = "", latin1 = "\xc3\xbe", ascii = "~",
      hex = "fe", base64 = "/g==", base64url = "_g", } },
  { "\xff", "FF", { utf8 = "\xef\xbf\xbd", utf16le = "", latin1 = "\xc3\xbf", ascii = "\x7f",
      hex = "ff", base64 = "/w==", base64url = "_w", } },
  { "\xe2\x82", "truncated 3-byte", { utf8 = "\xef\xbf\xbd", utf16le = "\xe8\x8b\xa2",
      latin1 = "\xc3\xa2\xc2\x82", ascii = "b\x02", hex = "e282", base64 = "4oI=",
      base64url = "4oI", } },
  { "\xf0\x9f\x98", "truncated 4-byte", { utf8 = "\xef\xbf\xbd", utf16le = "\xe9\xbf\xb0",
      latin1 = "\xc3\xb0\xc2\x9f\xc2\x98", ascii = "p\x1f\x18", hex = "f09f98",
      base64 = "8J+Y", base64url = "8J-Y", } },
  { "\xf0\x9f", "truncated 4-byte (2)", { utf8 = "\xef\xbf\xbd", utf16le = "\xe9\xbf\xb0",
      latin1 = "\xc3\xb0\xc2\x9f", ascii = "p\x1f", hex = "f09f", base64 = "8J8=",
      base64url = "8J8", } },
  { "\xc2", "truncated 2-byte", { utf8 = "\xef\xbf\xbd", utf16le = "", latin1 = "\xc3\x82",
      ascii = "B", hex = "c2", base64 = "wg==", base64url = "wg", } },
  { "\xe2\x82A", "truncated then ascii", { utf8 = "\xef\xbf\xbdA", utf16le = "\xe8\x8b\xa2",
      latin1 = "\xc3\xa2\xc2\x82A", ascii = "b\x02A", hex = "e28241", base64 = "4oJB",
      base64url = "4oJB", } },
  { "\xf0\x9f\xe2\x82\xac", "truncated then euro", { utf8 = "\xef\xbf\xbd\xe2\x82\xac",
      utf16le = "\xe9\xbf\xb0\xe8\x8b\xa2",
      latin1 = "\xc3\xb0\xc2\x9f\xc3\xa2\xc2\x82\xc2\xac", ascii = "p\x1fb\x02,",
      hex = "f09fe282ac", base64 = "8J/igqw=", base64url = "8J_igqw", } },
  { "\xe2\xe2\x82\xac", "lead then euro", { utf8 = "\xef\xbf\xbd\xe2\x82\xac",
      utf16le = "\xee\x8b\xa2\xea\xb2\x82", latin1 = "\xc3\xa2\xc3\xa2\xc2\x82\xc2\xac",
      ascii = "bb\x02,", hex = "e2e282ac", base64 = "4uKCrA==", base64url = "4uKCrA", } },
  { "\xc2A", "C2 then ascii", { utf8 = "\xef\xbf\xbdA", utf16le = "\xe4\x87\x82",
      latin1 = "\xc3\x82A", ascii = "BA", hex = "c241", base64 = "wkE=", base64url = "wkE", } },
  { "\xe0\xa0", "E0 A0 truncated", { utf8 = "\xef\xbf\xbd", utf16le = "\xea\x83\xa0",
      latin1 = "\xc3\xa0\xc2\xa0", ascii = "` ", hex = "e0a0", base64 = "4KA=",
      base64url = "4KA", } },
  { "\xf0\x90", "F0 90 truncated", { utf8 = "\xef\xbf\xbd", utf16le = "\xe9\x83\xb0",
      latin1 = "\xc3\xb0\xc2\x90", ascii = "p\x10", hex = "f090", base64 = "8JA=",
      base64url = "8JA", } },
  { "\xf0\x8f", "F0 8F", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd", utf16le = "\xe8\xbf\xb0",
      latin1 = "\xc3\xb0\xc2\x8f", ascii = "p\x0f", hex = "f08f", base64 = "8I8=",
      base64url = "8I8", } },
  { "\xf4\x8f", "F4 8F truncated", { utf8 = "\xef\xbf\xbd", utf16le = "\xe8\xbf\xb4",
      latin1 = "\xc3\xb4\xc2\x8f", ascii = "t\x0f", hex = "f48f", base64 = "9I8=",
      base64url = "9I8", } },
  { "\xf4\x90", "F4 90", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd", utf16le = "\xe9\x83\xb4",
      latin1 = "\xc3\xb4\xc2\x90", ascii = "t\x10", hex = "f490", base64 = "9JA=",
      base64url = "9JA", } },
  { "A\xffB\xfeC", "FF FE between ascii", { utf8 = "A\xef\xbf\xbdB\xef\xbf\xbdC",
      utf16le = "\xef\xbd\x81\xef\xb9\x82", latin1 = "A\xc3\xbfB\xc3\xbeC",
      ascii = "A\x7fB~C", hex = "41ff42fe43", base64 = "Qf9C/kM=", base64url = "Qf9C_kM", } },
  { "\x00\x01\x02\x7f", "controls", { utf8 = "\x00\x01\x02\x7f",
      utf16le = "\xc4\x80\xe7\xbc\x82", latin1 = "\x00\x01\x02\x7f",
      ascii = "\x00\x01\x02\x7f", hex = "0001027f", base64 = "AAECfw==", base64url = "AAECfw", } },
  { "=\xd8\x00\xde", "UTF-16 pair", { utf8 = "=\xef\xbf\xbd\x00\xef\xbf\xbd",
      utf16le = "\xf0\x9f\x98\x80", latin1 = "=\xc3\x98\x00\xc3\x9e", ascii = "=X\x00^",
      hex = "3dd800de", base64 = "PdgA3g==", base64url = "PdgA3g", } },
  { "=\xd8A\x00", "UTF-16 lone high", { utf8 = "=\xef\xbf\xbdA\x00",
      utf16le = "\xef\xbf\xbdA", latin1 = "=\xc3\x98A\x00", ascii = "=XA\x00",
      hex = "3dd84100", base64 = "PdhBAA==", base64url = "PdhBAA", } },
  { "\x00\xdeA\x00", "UTF-16 lone low", { utf8 = "\x00\xef\xbf\xbdA\x00",
      utf16le = "\xef\xbf\xbdA", latin1 = "\x00\xc3\x9eA\x00", ascii = "\x00^A\x00",
      hex = "00de4100", base64 = "AN5BAA==", base64url = "AN5BAA", } },
  { "A\x00B", "odd length", { utf8 = "A\x00B", utf16le = "A", latin1 = "A\x00B",
      ascii = "A\x00B", hex = "410042", base64 = "QQBC", base64url = "QQBC", } },
  { "=\xd8", "lone high at end", { utf8 = "=\xef\xbf\xbd", utf16le = "\xef\xbf\xbd",
      latin1 = "=\xc3\x98", ascii = "=X", hex = "3dd8", base64 = "Pdg=", base64url = "Pdg", } },
  { "=\xd8=\xd8\x00\xde", "high high low", {
      utf8 = "=\xef\xbf\xbd=\xef\xbf\xbd\x00\xef\xbf\xbd",
      utf16le = "\xef\xbf\xbd\xf0\x9f\x98\x80", latin1 = "=\xc3\x98=\xc3\x98\x00\xc3\x9e",
      ascii = "=X=X\x00^", hex = "3dd83dd800de", base64 = "Pdg92ADe", base64url = "Pdg92ADe", } },
  { "abc", "abc", { utf8 = "abc", utf16le = "\xe6\x89\xa1", latin1 = "abc", ascii = "abc",
      hex = "616263", base64 = "YWJj", base64url = "YWJj", } },
  { "ab", "ab", { utf8 = "ab", utf16le = "\xe6\x89\xa1", latin1 = "ab", ascii = "ab",
      hex = "6162", base64 = "YWI=", base64url = "YWI", } },
  { "a", "a", { utf8 = "a", utf16le = "", latin1 = "a", ascii = "a", hex = "61",
      base64 = "YQ==", base64url = "YQ", } },
  { "\xfb\xff", "FB FF", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd", utf16le = "\xef\xbf\xbb",
      latin1 = "\xc3\xbb\xc3\xbf", ascii = "{\x7f", hex = "fbff", base64 = "+/8=",
      base64url = "-_8", } },
  { "\xfb\xff\xbf", "FB FF BF", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xef\xbf\xbb", latin1 = "\xc3\xbb\xc3\xbf\xc2\xbf", ascii = "{\x7f?",
      hex = "fbffbf", base64 = "+/+/", base64url = "-_-_", } },
  { "A\xe9\xff\x80", "high latin1", { utf8 = "A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xee\xa5\x81\xe8\x83\xbf", latin1 = "A\xc3\xa9\xc3\xbf\xc2\x80",
      ascii = "Ai\x7f\x00", hex = "41e9ff80", base64 = "Qen/gA==", base64url = "Qen_gA", } },
}

local STEPS = {
  { "utf8", { "\xe2", "\x82", "\xac", },
    { "", "", "\xe2\x82\xac", }, "" },
  { "utf8", { "\xe2\x82", "A", },
    { "", "\xef\xbf\xbdA", }, "" },
  { "utf8", { "\xf0\x9f", "\x98", },
    { "", "", }, "\xef\xbf\xbd" },
  { "utf8", { "\xf0\x9f", "\x98\x80", },
    { "", "\xf0\x9f\x98\x80", }, "" },
  { "utf8", { "A\xe2\x82", },
    { "A", }, "\xef\xbf\xbd" },
  { "utf8", { "A\xf0", },
    { "A", }, "\xef\xbf\xbd" },
  { "utf8", { "\xe0", "\x80", },
    { "", "", }, "\xef\xbf\xbd\xef\xbf\xbd" },
  { "utf8", { "\xed", "\xa0", "\x80", },
    { "", "", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", }, "" },
  { "utf8", { "\xf4", "\x90", },
    { "", "", }, "\xef\xbf\xbd\xef\xbf\xbd" },
  { "utf8", { "\xf0", "\x8f", },
    { "", "", }, "\xef\xbf\xbd\xef\xbf\xbd" },
  { "utf8", { "\xf5", "\x80", "\x80", "\x80", },
    { "", "", "", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", }, "" },
  { "utf8", { "\xf8", "\x80", },
    { "\xef\xbf\xbd", "\xef\xbf\xbd", }, "" },
  { "utf8", { "\xc0", "\xaf", },
    { "", "\xef\xbf\xbd\xef\xbf\xbd", }, "" },
  { "utf8", { "\x80", "\x80", },
    { "\xef\xbf\xbd", "\xef\xbf\xbd", }, "" },
  { "utf8", { "A", "\xe2\x82\xacB", },
    { "A", "\xe2\x82\xacB", }, "" },
  { "utf8", { "\xf0\x9f\x98", "\x80\xf0\x9f", "\x98\x80", },
    { "", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", }, "" },
  { "utf8", { "\xe2", "", "\x82", "", "\xac", },
    { "", "", "", "", "\xe2\x82\xac", }, "" },
  { "utf8", { "\xe2", "A\xe2", "\x82", },
    { "", "\xef\xbf\xbdA", "", }, "\xef\xbf\xbd" },
  { "utf8", { "\xbf\xbf\xbf", },
    { "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", }, "" },
  { "utf8", { "A\xbf\xbf\xbf\xbf", },
    { "A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", }, "" },
  { "utf8", { "\xf0", "\x9f", "\xe2", "\x82\xac", },
    { "", "", "\xef\xbf\xbd", "\xe2\x82\xac", }, "" },
  { "utf8", { "\xc2", "\xc2", "\xa9", },
    { "", "\xef\xbf\xbd", "\xc2\xa9", }, "" },
  { "utf16le", { "A", "\x00", "=\xd8", "\x00\xde", "=", },
    { "", "A", "", "\xf0\x9f\x98\x80", "", }, "" },
  { "utf16le", { "=\xd8", "A\x00", },
    { "", "\xef\xbf\xbdA", }, "" },
  { "utf16le", { "=\xd8", },
    { "", }, "\xef\xbf\xbd" },
  { "utf16le", { "\x00\xde", },
    { "\xef\xbf\xbd", }, "" },
  { "utf16le", { "=\xd8=\xd8\x00\xde", },
    { "\xef\xbf\xbd\xf0\x9f\x98\x80", }, "" },
  { "utf16le", { "=", "\xd8", "\x00", "\xde", },
    { "", "\xef\xbf\xbd", "", "\xef\xbf\xbd", }, "" },
  { "utf16le", { "=", "\xd8\x00\xde", },
    { "", "\xf0\x9f\x98\x80", }, "" },
  { "utf16le", { "=\xd8", "\x00", "\xde", },
    { "", "", "\xf0\x9f\x98\x80", }, "" },
  { "utf16le", { "=\xd8\x00", "\xde", },
    { "\xef\xbf\xbd", "\xef\xbf\xbd", }, "" },
  { "utf16le", { "=\xd8", "=\xd8", "\x00\xde", },
    { "", "\xef\xbf\xbd\xef\xbf\xbd", "\xef\xbf\xbd", }, "" },
  { "utf16le", { "=\xd8", "=\xd8\x00\xde", },
    { "", "\xef\xbf\xbd\xf0\x9f\x98\x80", }, "" },
  { "utf16le", { "=\xd8", "\x00\xde", },
    { "", "\xf0\x9f\x98\x80", }, "" },
  { "utf16le", { "A\x00B", },
    { "A", }, "" },
  { "utf16le", { "A\x00=\xd8", },
    { "A", }, "\xef\xbf\xbd" },
  { "utf16le", { "A\x00=\xd8A", },
    { "A\xef\xbf\xbd", }, "" },
  { "utf16le", { "=\xd8\x00", },
    { "\xef\xbf\xbd", }, "" },
  { "utf16le", { "=", },
    { "", }, "" },
  { "base64", { "a", "b", "cd", "efgh", },
    { "", "", "YWJj", "ZGVm", }, "Z2g=" },
  { "base64", { "a", },
    { "", }, "YQ==" },
  { "base64", { "ab", },
    { "", }, "YWI=" },
  { "base64", { "abc", },
    { "YWJj", }, "" },
  { "base64", { "\xfb\xff", },
    { "", }, "+/8=" },
  { "base64url", { "a", "b", "cd", "efgh", },
    { "", "", "YWJj", "ZGVm", }, "Z2g" },
  { "base64url", { "a", },
    { "", }, "YQ" },
  { "base64url", { "ab", },
    { "", }, "YWI" },
  { "base64url", { "\xfb\xff", },
    { "", }, "-_8" },
  { "base64url", { "\xfb\xff\xbf", },
    { "-_-_", }, "" },
  { "hex", { "\x00\xff", "\xab", },
    { "00ff", "ab", }, "" },
  { "latin1", { "A\xe9", "\xff\x80", },
    { "A\xc3\xa9", "\xc3\xbf\xc2\x80", }, "" },
  { "ascii", { "A\xc3\xa9", "\xff\x80", },
    { "AC)", "\x7f\x00", }, "" },
}

local FROM = {
  { "", "empty", { utf8 = "", utf16le = "", ucs2 = "", latin1 = "", binary = "", ascii = "",
      hex = "", base64 = "", base64url = "", } },
  { "abc", "abc", { utf8 = "abc", utf16le = "a\x00b\x00c\x00", ucs2 = "a\x00b\x00c\x00",
      latin1 = "abc", binary = "abc", ascii = "abc", hex = "\xab", base64 = "i\xb7",
      base64url = "i\xb7", } },
  { "caf\xc3\xa9", "cafe", { utf8 = "caf\xc3\xa9", utf16le = "c\x00a\x00f\x00\xe9\x00",
      ucs2 = "c\x00a\x00f\x00\xe9\x00", latin1 = "caf\xe9", binary = "caf\xe9",
      ascii = "caf\xe9", hex = "\xca", base64 = "q\xa7", base64url = "q\xa7", } },
  { "\xc5\x81\xe2\x82\xac", "BMP", { utf8 = "\xc5\x81\xe2\x82\xac", utf16le = "A\x01\xac ",
      ucs2 = "A\x01\xac ", latin1 = "A\xac", binary = "A\xac", ascii = "A\xac", hex = "",
      base64 = "", base64url = "", } },
  { "\xf0\x9f\x98\x80", "non-BMP", { utf8 = "\xf0\x9f\x98\x80", utf16le = "=\xd8\x00\xde",
      ucs2 = "=\xd8\x00\xde", latin1 = "=\x00", binary = "=\x00", ascii = "=\x00", hex = "",
      base64 = "", base64url = "", } },
  { "\xef\xbf\xbd", "U+FFFD", { utf8 = "\xef\xbf\xbd", utf16le = "\xfd\xff",
      ucs2 = "\xfd\xff", latin1 = "\xfd", binary = "\xfd", ascii = "\xfd", hex = "",
      base64 = "", base64url = "", } },
  { "\xff", "invalid FF", { utf8 = "\xef\xbf\xbd", utf16le = "\xfd\xff", ucs2 = "\xfd\xff",
      latin1 = "\xfd", binary = "\xfd", ascii = "\xfd", hex = "", base64 = "", base64url = "", } },
  { "\xed\xa0\x80", "UTF-8 surrogate", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
      utf16le = "\xfd\xff\xfd\xff\xfd\xff", ucs2 = "\xfd\xff\xfd\xff\xfd\xff",
      latin1 = "\xfd\xfd\xfd", binary = "\xfd\xfd\xfd", ascii = "\xfd\xfd\xfd", hex = "",
      base64 = "", base64url = "", } },
  { "\xe2\x82", "truncated", { utf8 = "\xef\xbf\xbd", utf16le = "\xfd\xff", ucs2 = "\xfd\xff",
      latin1 = "\xfd", binary = "\xfd", ascii = "\xfd", hex = "", base64 = "", base64url = "", } },
  { "\xc0\xaf", "overlong", { utf8 = "\xef\xbf\xbd\xef\xbf\xbd", utf16le = "\xfd\xff\xfd\xff",
      ucs2 = "\xfd\xff\xfd\xff", latin1 = "\xfd\xfd", binary = "\xfd\xfd", ascii = "\xfd\xfd",
      hex = "", base64 = "", base64url = "", } },
  { "41", "hex 41", { utf8 = "41", utf16le = "4\x001\x00", ucs2 = "4\x001\x00", latin1 = "41",
      binary = "41", ascii = "41", hex = "A", base64 = "\xe3", base64url = "\xe3", } },
  { "4", "hex odd", { utf8 = "4", utf16le = "4\x00", ucs2 = "4\x00", latin1 = "4",
      binary = "4", ascii = "4", hex = "", base64 = "", base64url = "", } },
  { "414", "hex odd 3", { utf8 = "414", utf16le = "4\x001\x004\x00", ucs2 = "4\x001\x004\x00",
      latin1 = "414", binary = "414", ascii = "414", hex = "A", base64 = "\xe3^",
      base64url = "\xe3^", } },
  { "4142zz43", "hex stops", { utf8 = "4142zz43",
      utf16le = "4\x001\x004\x002\x00z\x00z\x004\x003\x00",
      ucs2 = "4\x001\x004\x002\x00z\x00z\x004\x003\x00", latin1 = "4142zz43",
      binary = "4142zz43", ascii = "4142zz43", hex = "AB", base64 = "\xe3^6\xcf>7",
      base64url = "\xe3^6\xcf>7", } },
  { "41 42", "hex space", { utf8 = "41 42", utf16le = "4\x001\x00 \x004\x002\x00",
      ucs2 = "4\x001\x00 \x004\x002\x00", latin1 = "41 42", binary = "41 42", ascii = "41 42",
      hex = "A", base64 = "\xe3^6", base64url = "\xe3^6", } },
  { "AbcD", "hex case", { utf8 = "AbcD", utf16le = "A\x00b\x00c\x00D\x00",
      ucs2 = "A\x00b\x00c\x00D\x00", latin1 = "AbcD", binary = "AbcD", ascii = "AbcD",
      hex = "\xab\xcd", base64 = "\x01\xb7\x03", base64url = "\x01\xb7\x03", } },
  { "4\xc4\xb1", "hex low byte of U+0131", { utf8 = "4\xc4\xb1", utf16le = "4\x001\x01",
      ucs2 = "4\x001\x01", latin1 = "41", binary = "41", ascii = "41", hex = "A",
      base64 = "\xe3", base64url = "\xe3", } },
  { "\xc4\xb14", "hex U+0131 first", { utf8 = "\xc4\xb14", utf16le = "1\x014\x00",
      ucs2 = "1\x014\x00", latin1 = "14", binary = "14", ascii = "14", hex = "\x14",
      base64 = "\xd7", base64url = "\xd7", } },
  { "41\xc3\xa9", "hex then e-acute", { utf8 = "41\xc3\xa9", utf16le = "4\x001\x00\xe9\x00",
      ucs2 = "4\x001\x00\xe9\x00", latin1 = "41\xe9", binary = "41\xe9", ascii = "41\xe9",
      hex = "A", base64 = "\xe3", base64url = "\xe3", } },
  { "0x41", "hex 0x", { utf8 = "0x41", utf16le = "0\x00x\x004\x001\x00",
      ucs2 = "0\x00x\x004\x001\x00", latin1 = "0x41", binary = "0x41", ascii = "0x41",
      hex = "", base64 = "\xd3\x1e5", base64url = "\xd3\x1e5", } },
  { "QQ==", "b64 QQ==", { utf8 = "QQ==", utf16le = "Q\x00Q\x00=\x00=\x00",
      ucs2 = "Q\x00Q\x00=\x00=\x00", latin1 = "QQ==", binary = "QQ==", ascii = "QQ==",
      hex = "", base64 = "A", base64url = "A", } },
  { "QQ", "b64 QQ", { utf8 = "QQ", utf16le = "Q\x00Q\x00", ucs2 = "Q\x00Q\x00", latin1 = "QQ",
      binary = "QQ", ascii = "QQ", hex = "", base64 = "A", base64url = "A", } },
  { "QQ=", "b64 QQ=", { utf8 = "QQ=", utf16le = "Q\x00Q\x00=\x00", ucs2 = "Q\x00Q\x00=\x00",
      latin1 = "QQ=", binary = "QQ=", ascii = "QQ=", hex = "", base64 = "A", base64url = "A", } },
  { "Q", "b64 Q", { utf8 = "Q", utf16le = "Q\x00", ucs2 = "Q\x00", latin1 = "Q", binary = "Q",
      ascii = "Q", hex = "", base64 = "", base64url = "", } },
  { "QUJD", "b64 QUJD", { utf8 = "QUJD", utf16le = "Q\x00U\x00J\x00D\x00",
      ucs2 = "Q\x00U\x00J\x00D\x00", latin1 = "QUJD", binary = "QUJD", ascii = "QUJD",
      hex = "", base64 = "ABC", base64url = "ABC", } },
  { "QUJDR", "b64 QUJDR", { utf8 = "QUJDR", utf16le = "Q\x00U\x00J\x00D\x00R\x00",
      ucs2 = "Q\x00U\x00J\x00D\x00R\x00", latin1 = "QUJDR", binary = "QUJDR", ascii = "QUJDR",
      hex = "", base64 = "ABC", base64url = "ABC", } },
  { "QUJDRA", "b64 QUJDRA", { utf8 = "QUJDRA", utf16le = "Q\x00U\x00J\x00D\x00R\x00A\x00",
      ucs2 = "Q\x00U\x00J\x00D\x00R\x00A\x00", latin1 = "QUJDRA", binary = "QUJDRA",
      ascii = "QUJDRA", hex = "", base64 = "ABCD", base64url = "ABCD", } },
  { "QU JD", "b64 space", { utf8 = "QU JD", utf16le = "Q\x00U\x00 \x00J\x00D\x00",
      ucs2 = "Q\x00U\x00 \x00J\x00D\x00", latin1 = "QU JD", binary = "QU JD", ascii = "QU JD",
      hex = "", base64 = "ABC", base64url = "ABC", } },
  { "QU\x0aJD\x0d\x0a", "b64 newlines", { utf8 = "QU\x0aJD\x0d\x0a",
      utf16le = "Q\x00U\x00\x0a\x00J\x00D\x00\x0d\x00\x0a\x00",
      ucs2 = "Q\x00U\x00\x0a\x00J\x00D\x00\x0d\x00\x0a\x00", latin1 = "QU\x0aJD\x0d\x0a",
      binary = "QU\x0aJD\x0d\x0a", ascii = "QU\x0aJD\x0d\x0a", hex = "", base64 = "ABC",
      base64url = "ABC", } },
  { "QQ==QUJD", "b64 after padding", { utf8 = "QQ==QUJD",
      utf16le = "Q\x00Q\x00=\x00=\x00Q\x00U\x00J\x00D\x00",
      ucs2 = "Q\x00Q\x00=\x00=\x00Q\x00U\x00J\x00D\x00", latin1 = "QQ==QUJD",
      binary = "QQ==QUJD", ascii = "QQ==QUJD", hex = "", base64 = "A", base64url = "A", } },
  { "=QUJD", "b64 leading =", { utf8 = "=QUJD", utf16le = "=\x00Q\x00U\x00J\x00D\x00",
      ucs2 = "=\x00Q\x00U\x00J\x00D\x00", latin1 = "=QUJD", binary = "=QUJD", ascii = "=QUJD",
      hex = "", base64 = "", base64url = "", } },
  { "QU*JD", "b64 junk", { utf8 = "QU*JD", utf16le = "Q\x00U\x00*\x00J\x00D\x00",
      ucs2 = "Q\x00U\x00*\x00J\x00D\x00", latin1 = "QU*JD", binary = "QU*JD", ascii = "QU*JD",
      hex = "", base64 = "ABC", base64url = "ABC", } },
  { "-_-_", "b64 url alphabet", { utf8 = "-_-_", utf16le = "-\x00_\x00-\x00_\x00",
      ucs2 = "-\x00_\x00-\x00_\x00", latin1 = "-_-_", binary = "-_-_", ascii = "-_-_",
      hex = "", base64 = "\xfb\xff\xbf", base64url = "\xfb\xff\xbf", } },
  { "+/+/", "b64 std alphabet", { utf8 = "+/+/", utf16le = "+\x00/\x00+\x00/\x00",
      ucs2 = "+\x00/\x00+\x00/\x00", latin1 = "+/+/", binary = "+/+/", ascii = "+/+/",
      hex = "", base64 = "\xfb\xff\xbf", base64url = "\xfb\xff\xbf", } },
  { "QUJD====", "b64 extra padding", { utf8 = "QUJD====",
      utf16le = "Q\x00U\x00J\x00D\x00=\x00=\x00=\x00=\x00",
      ucs2 = "Q\x00U\x00J\x00D\x00=\x00=\x00=\x00=\x00", latin1 = "QUJD====",
      binary = "QUJD====", ascii = "QUJD====", hex = "", base64 = "ABC", base64url = "ABC", } },
  { "QU\xc3\xa9JD", "b64 e-acute skipped", { utf8 = "QU\xc3\xa9JD",
      utf16le = "Q\x00U\x00\xe9\x00J\x00D\x00", ucs2 = "Q\x00U\x00\xe9\x00J\x00D\x00",
      latin1 = "QU\xe9JD", binary = "QU\xe9JD", ascii = "QU\xe9JD", hex = "", base64 = "ABC",
      base64url = "ABC", } },
  { "QU\xc5\x81JD", "b64 U+0141 reads as A", { utf8 = "QU\xc5\x81JD",
      utf16le = "Q\x00U\x00A\x01J\x00D\x00", ucs2 = "Q\x00U\x00A\x01J\x00D\x00",
      latin1 = "QUAJD", binary = "QUAJD", ascii = "QUAJD", hex = "", base64 = "A@\x09",
      base64url = "A@\x09", } },
  { "\xf0\x9f\x98\x80QUJD", "b64 emoji reads as =", { utf8 = "\xf0\x9f\x98\x80QUJD",
      utf16le = "=\xd8\x00\xdeQ\x00U\x00J\x00D\x00",
      ucs2 = "=\xd8\x00\xdeQ\x00U\x00J\x00D\x00", latin1 = "=\x00QUJD", binary = "=\x00QUJD",
      ascii = "=\x00QUJD", hex = "", base64 = "", base64url = "", } },
  { "QUJD\xf0\x9f\x98\x80", "b64 emoji at end", { utf8 = "QUJD\xf0\x9f\x98\x80",
      utf16le = "Q\x00U\x00J\x00D\x00=\xd8\x00\xde",
      ucs2 = "Q\x00U\x00J\x00D\x00=\xd8\x00\xde", latin1 = "QUJD=\x00", binary = "QUJD=\x00",
      ascii = "QUJD=\x00", hex = "", base64 = "ABC", base64url = "ABC", } },
  { "YW=Jj", "b64 stop mid-group", { utf8 = "YW=Jj", utf16le = "Y\x00W\x00=\x00J\x00j\x00",
      ucs2 = "Y\x00W\x00=\x00J\x00j\x00", latin1 = "YW=Jj", binary = "YW=Jj", ascii = "YW=Jj",
      hex = "", base64 = "a", base64url = "a", } },
  { "\xffQU", "b64 invalid byte", { utf8 = "\xef\xbf\xbdQU", utf16le = "\xfd\xffQ\x00U\x00",
      ucs2 = "\xfd\xffQ\x00U\x00", latin1 = "\xfdQU", binary = "\xfdQU", ascii = "\xfdQU",
      hex = "", base64 = "A", base64url = "A", } },
}

describe("uvnet.encoding", function()
  describe("normalize", function()
    local NAMES = {
      utf8 = "utf8", ["utf-8"] = "utf8", UTF8 = "utf8", ["UTF-8"] = "utf8",
      Utf8 = "utf8", ucs2 = "utf16le", ["ucs-2"] = "utf16le",
      ["UCS-2"] = "utf16le", utf16le = "utf16le", ["utf-16le"] = "utf16le",
      ["UTF-16LE"] = "utf16le", latin1 = "latin1", LATIN1 = "latin1",
      binary = "latin1", BINARY = "latin1", base64 = "base64",
      BASE64 = "base64", base64url = "base64url", Base64URL = "base64url",
      hex = "hex", HEX = "hex", ascii = "ascii", ASCII = "ascii",
    }
    it("gives Node's canonical name for every spelling", function()
      for name, canonical in pairs(NAMES) do
        assert.are.equal(canonical, encoding.normalize(name), name)
      end
    end)

    it("takes nil and '' as utf8, as normalizeEncoding does", function()
      assert.are.equal("utf8", encoding.normalize(nil))
      assert.are.equal("utf8", encoding.normalize(""))
    end)

    it("gives nil for anything else", function()
      for _, v in ipairs({ "nope", "utf 8", "utf16", "utf-16", "ucs", "raw",
          "raws", "buffer", "latin-1", " utf8", "utf8 ", 5, true, false, {} }) do
        assert.is_nil(encoding.normalize(v), tostring(v))
      end
    end)
  end)

  describe("check", function()
    it("returns the canonical name", function()
      assert.are.equal("latin1", encoding.check("Binary"))
      assert.are.equal("utf16le", encoding.check("UCS-2"))
      assert.are.equal("utf8", encoding.check())
    end)

    -- socket.setEncoding(x) in Node 22: what `x` shows as in the message.
    local UNKNOWN = {
      { "nope", "Unknown encoding: nope" }, { "buffer", "Unknown encoding: buffer" },
      { "utf 8", "Unknown encoding: utf 8" }, { 5, "Unknown encoding: 5" },
      { 1.5, "Unknown encoding: 1.5" }, { 5.0, "Unknown encoding: 5" },
      { -0.0, "Unknown encoding: -0" }, { 1e21, "Unknown encoding: 1e+21" },
      { 0 / 0, "Unknown encoding: NaN" }, { true, "Unknown encoding: true" },
      { false, "Unknown encoding: false" }, { 0, "Unknown encoding: 0" },
      { {}, "Unknown encoding: {}" }, { { 1, 2 }, "Unknown encoding: [ 1, 2 ]" },
      { { a = 1 }, "Unknown encoding: { a: 1 }" },
    }
    it("raises ERR_UNKNOWN_ENCODING with Node's message", function()
      for _, case in ipairs(UNKNOWN) do
        local err = raised(encoding.check, case[1])
        assert.are.equal("ERR_UNKNOWN_ENCODING", err.code)
        assert.are.equal("TypeError", err.name)
        assert.are.equal(case[2], err.message)
      end
      assert.are.equal("TypeError [ERR_UNKNOWN_ENCODING]: Unknown encoding: nope",
        tostring(raised(encoding.check, "nope")))
    end)
  end)

  describe("decode (Buffer#toString)", function()
    it("gives Node's text for every vector", function()
      for _, case in ipairs(TOSTRING) do
        for _, enc in ipairs(ENCODINGS) do
          same(case[3][enc], encoding.decode(case[1], enc),
            format("%s as %s", case[2], enc))
        end
      end
    end)

    it("reads the encoding as toString does", function()
      assert.are.equal("\239\191\189", encoding.decode("\255"))
      assert.are.equal("ff", encoding.decode("\255", "HEX"))
      assert.are.equal("\195\191", encoding.decode("\255", "binary"))
      assert.are.equal("A", encoding.decode("A\0", "UCS-2"))
      -- toString('') is an unknown encoding in Node, unlike setEncoding('').
      assert.are.equal("Unknown encoding: ", raised(encoding.decode, "a", "").message)
      assert.are.equal("ERR_UNKNOWN_ENCODING", raised(encoding.decode, "a", "x").code)
    end)
  end)

  describe("decoder", function()
    it("reports the name socket.readableEncoding shows", function()
      local NAMES = { ["UTF-8"] = "utf8", Utf8 = "utf8", ["ucs-2"] = "utf16le",
        ["UTF-16LE"] = "utf16le", BINARY = "latin1", Base64URL = "base64url",
        HEX = "hex", ASCII = "ascii", base64 = "base64", [""] = "utf8" }
      for name, canonical in pairs(NAMES) do
        assert.are.equal(canonical, encoding.decoder(name).encoding)
      end
      assert.are.equal("utf8", encoding.decoder().encoding)
    end)

    it("raises ERR_UNKNOWN_ENCODING as setEncoding does", function()
      for _, v in ipairs({ "nope", "buffer", 5, true, false, 0, {} }) do
        assert.are.equal("ERR_UNKNOWN_ENCODING", raised(encoding.decoder, v).code)
      end
      assert.are.equal("Unknown encoding: 5", raised(encoding.decoder, 5).message)
    end)

    it("takes only byte strings, with Node's error", function()
      local dec = encoding.decoder("utf8")
      local err = raised(dec.write, dec, 5)
      assert.are.equal("ERR_INVALID_ARG_TYPE", err.code)
      assert.are.equal('The "buf" argument must be an instance of Buffer, '
        .. "TypedArray, or DataView. Received type number (5)", err.message)
      assert.are.equal("ERR_INVALID_ARG_TYPE", raised(dec.finish, dec, {}).code)
    end)

    it("gives what Node's StringDecoder gives at each write and at end", function()
      for n, case in ipairs(STEPS) do
        local dec = encoding.decoder(case[1])
        for k, chunk in ipairs(case[2]) do
          same(case[3][k], dec:write(chunk),
            format("steps #%d (%s) write %d", n, case[1], k))
        end
        same(case[4], dec:finish(), format("steps #%d (%s) end", n, case[1]))
      end
    end)

    it("writes the bytes given to finish first, as end(buf)", function()
      local dec = encoding.decoder("utf8")
      assert.are.equal("", dec:write("\226"))
      assert.are.equal("\226\130\172A", dec:finish("\130\172A"))
      dec = encoding.decoder("base64")
      assert.are.equal("YWJj", dec:write("abcd"))
      assert.are.equal("ZA==", dec:finish())
      assert.are.equal("ZWY=", dec:finish("ef"))
    end)

    it("can be used again after finish", function()
      local dec = encoding.decoder("utf8")
      assert.are.equal("", dec:write("\240\159"))
      assert.are.equal("\239\191\189", dec:finish())
      assert.are.equal("", dec:finish())
      assert.are.equal("\240\159\152\128", dec:write("\240\159\152\128"))
      assert.are.equal("", dec:write(""))
    end)
  end)

  describe("chunk splitting", function()
    -- The inputs of the vectors, and some longer mixtures of them.
    local INPUTS = {}
    for _, case in ipairs(TOSTRING) do INPUTS[#INPUTS + 1] = case[1] end
    INPUTS[#INPUTS + 1] = "h\195\169llo \226\130\172 w\240\159\152\128rld \237\160\128"
      .. "\192\175\244\144\128\128\248\136\128\128\128\255\226\130"
    INPUTS[#INPUTS + 1] = "=\216\0\220A\0\61\216\0\222\0\216\65\0\0\220\61\216"
    INPUTS[#INPUTS + 1] = "\240\159\152\128\240\159\152\226\130\172\226\130\194\169\194"

    local function whole(s, enc)
      local dec = encoding.decoder(enc)
      return dec:write(s) .. dec:finish()
    end

    local function pieces(s, enc, cuts)
      local dec = encoding.decoder(enc)
      local out, last = {}, 0
      for _, c in ipairs(cuts) do
        out[#out + 1] = dec:write(sub(s, last + 1, c))
        last = c
      end
      out[#out + 1] = dec:write(sub(s, last + 1))
      out[#out + 1] = dec:finish()
      return concat(out)
    end

    it("gives the unsplit text for one write, as toString does", function()
      for _, s in ipairs(INPUTS) do
        for _, enc in ipairs(ENCODINGS) do
          same(encoding.decode(s, enc), whole(s, enc), hex(s) .. " " .. enc)
        end
      end
    end)

    -- Node's StringDecoder breaks some UTF-16 surrogate pairs that a write
    -- boundary cuts (see the vectors above): when a write ends inside a code
    -- unit only the odd byte is kept back, so a high surrogate before it goes
    -- out alone; and a write that only completes a kept high surrogate with
    -- another high one sends both out alone.  utf16le is therefore split once
    -- and between code units here; the differential spec covers the rest.
    local function step(enc) return enc == "utf16le" and 2 or 1 end
    local function once(enc) return enc == "utf16le" end

    it("gives the same text for a split at every position", function()
      for _, s in ipairs(INPUTS) do
        for _, enc in ipairs(ENCODINGS) do
          local expected = whole(s, enc)
          for i = 0, #s, step(enc) do
            same(expected, pieces(s, enc, { i }), format("%s %s split at %d", hex(s), enc, i))
          end
        end
      end
    end)

    it("gives the same text for every pair of splits", function()
      for _, s in ipairs(INPUTS) do
        if #s <= 40 then
          for _, enc in ipairs(ENCODINGS) do
            local expected = whole(s, enc)
            for i = 0, once(enc) and -1 or #s do
              for j = i, #s do
                same(expected, pieces(s, enc, { i, j }),
                  format("%s %s split at %d, %d", hex(s), enc, i, j))
              end
            end
          end
        end
      end
    end)

    it("gives the same text one byte at a time", function()
      for _, s in ipairs(INPUTS) do
        local cuts = {}
        for i = 1, #s do cuts[i] = i end
        for _, enc in ipairs(ENCODINGS) do
          if not once(enc) then
            same(whole(s, enc), pieces(s, enc, cuts), hex(s) .. " " .. enc .. " bytewise")
          end
        end
      end
    end)

    it("never splits a character between utf8 writes", function()
      local s = rep("a\195\169\226\130\172\240\159\152\128", 50)
      for size = 1, 11 do
        local dec = encoding.decoder("utf8")
        for i = 1, #s, size do
          local text = dec:write(sub(s, i, i + size - 1))
          assert.is_truthy(utf8.len(text), "whole characters only")
          assert.is_nil(text:find("\239\191\189", 1, true))
        end
        assert.are.equal("", dec:finish())
      end
    end)
  end)

  describe("encode (Buffer.from)", function()
    local ENCS = { "utf8", "utf16le", "ucs2", "latin1", "binary", "ascii", "hex",
      "base64", "base64url" }
    it("gives Node's bytes for every vector", function()
      for _, case in ipairs(FROM) do
        for _, enc in ipairs(ENCS) do
          -- utf8 passes invalid input through; Node's string holds U+FFFD.
          if enc ~= "utf8" or utf8.len(case[1]) then
            same(case[3][enc], encoding.encode(case[1], enc),
              format("%s as %s", case[2], enc))
          end
        end
      end
    end)

    it("passes the bytes through for utf8, valid or not", function()
      for _, s in ipairs({ "", "abc", "\255\254", "\237\160\128", "\226\130" }) do
        assert.are.equal(s, encoding.encode(s, "utf8"))
        assert.are.equal(s, encoding.encode(s, "UTF-8"))
      end
    end)

    it("checks the encoding as socket.write does", function()
      -- JavaScript's falsy values mean the default, utf8; 'buffer' is bytes.
      for _, v in ipairs({ false, "", 0, 0 / 0, "buffer" }) do
        assert.are.equal("\255\226\130\172", encoding.encode("\255\226\130\172", v))
      end
      assert.are.equal("\255\226\130\172", encoding.encode("\255\226\130\172"))
      for _, v in ipairs({ "nope", "Buffer", "BUFFER", 5, true, {} }) do
        local err = raised(encoding.encode, "x", v)
        assert.are.equal("ERR_UNKNOWN_ENCODING", err.code)
      end
      assert.are.equal("Unknown encoding: 5", raised(encoding.encode, "x", 5).message)
      assert.are.equal("ERR_INVALID_ARG_TYPE", raised(encoding.encode, 5, "hex").code)
    end)

    it("turns decoded text back into the same bytes", function()
      local all = {}
      for b = 0, 255 do all[#all + 1] = char(b) end
      local bytes = concat(all)
      for _, enc in ipairs({ "latin1", "hex", "base64", "base64url" }) do
        assert.are.equal(bytes, encoding.encode(encoding.decode(bytes, enc), enc), enc)
      end
      local text = "h\195\169llo \226\130\172 \240\159\152\128 \239\191\189"
      assert.are.equal(text, encoding.decode(encoding.encode(text, "utf16le"), "utf16le"))
      -- ascii drops the high bit when decoding, so only 7-bit bytes come back.
      assert.are.equal("C)\127\0", encoding.encode(encoding.decode("\195\169\255\128",
        "ascii"), "ascii"))
    end)
  end)

  describe("large chunks", function()
    -- 64 KiB of mixed text with a few invalid bytes, as a socket reads it;
    -- each piece after the first five is invalid and worth so many U+FFFD.
    local CHARS = { "a", "Z", " ", "\195\169", "\226\130\172", "\240\159\152\128",
      "\255", "\237\160\128", "\226\130" }
    local WORTH = { 0, 0, 0, 0, 0, 0, 1, 3, 1 }
    local parts, size, fffd = {}, 0, 0
    local seed = 7
    while size < 65536 do
      seed = (seed * 1103515245 + 12345) % 2147483648
      local k = seed % #CHARS + 1
      parts[#parts + 1] = CHARS[k]
      size = size + #CHARS[k]
      fffd = fffd + WORTH[k]
    end
    local big = concat(parts)

    it("decodes them in any chunking as in one piece", function()
      for _, enc in ipairs(ENCODINGS) do
        local expected = encoding.decode(big, enc)
        for _, step in ipairs({ 65536, 4096, 1000, 333 }) do
          local dec = encoding.decoder(enc)
          local out = {}
          for i = 1, #big, step do out[#out + 1] = dec:write(sub(big, i, i + step - 1)) end
          out[#out + 1] = dec:finish()
          same(expected, concat(out), enc .. " in chunks of " .. step)
        end
      end
    end)

    it("replaces each invalid sequence in utf8 with one U+FFFD", function()
      local text = encoding.decode(big, "utf8")
      assert.is_truthy(utf8.len(text))
      local _, count = text:gsub("\239\191\189", "")
      assert.are.equal(fffd, count)
    end)
  end)
end)
