---@meta uvnet.encoding
-- LuaLS definitions for require("uvnet.encoding") (lua/uvnet/encoding.lua):
-- what setEncoding and write(text, encoding) use.  Editors only: nothing
-- here runs.  spec/meta_spec.lua checks these names against the real module.

---Node's StringDecoder, from `encoding.decoder(enc)`.
---@class uvnet.StringDecoder
---@field encoding string The canonical name, as socket.readableEncoding shows it.
local StringDecoder = {}

---The text of the bytes so far, keeping back an incomplete character.
---@param bytes string
---@return string
function StringDecoder:write(bytes) end

---Node's `decoder.end([bytes])`: writes `bytes`, then gives what was kept back.
---@param bytes? string
---@return string
function StringDecoder:finish(bytes) end

---The module `require("uvnet.encoding")`.
---@class uvnet.encoding
local M = {}

---The canonical name ("utf8", "utf16le", "latin1", "ascii", "hex", "base64",
---"base64url"), or nil for an unknown name; nil and "" mean "utf8".
---@param enc? string
---@return string?
function M.normalize(enc) end

---The canonical name, or raises ERR_UNKNOWN_ENCODING.
---@param enc? string
---@return string
function M.check(enc) end

---A streaming decoder for `enc` (default "utf8").
---@param enc? uvnet.Encoding
---@return uvnet.StringDecoder
function M.decoder(enc) end

---The bytes of `Buffer.from(text, enc)`; "buffer" passes bytes through.
---@param text string
---@param enc? uvnet.Encoding|"buffer"
---@return string
function M.encode(text, enc) end

---`buf.toString(enc)`.
---@param bytes string
---@param enc? uvnet.Encoding
---@return string
function M.decode(bytes, enc) end

return M
