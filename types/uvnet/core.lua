---@meta uvnet.core
-- LuaLS definitions for the public part of the C core, require("uvnet.core"):
-- the onread buffer and the getaddrinfo flags of the `hints` connect option.
-- The rest of the core serves the Lua layer and is left out on purpose.
-- Editors only: nothing here runs.  spec/meta_spec.lua checks that every
-- name here exists in the real core.

---A byte buffer for the `onread` option, reused for every read; `#buf` is
---its size, not the number of bytes read.
---@class uvnet.Buffer
local Buffer = {}

---The bytes from `i` to `j` as a string, with string.sub's rules (`j`
---defaults to the end of the buffer).
---@param i? integer
---@param j? integer
---@return string
function Buffer:tostring(i, j) end

---The byte values from `i` (default 1) to `j` (default `i`), as string.byte.
---@param i? integer
---@param j? integer
---@return integer ...
function Buffer:byte(i, j) end

---The public part of `require("uvnet.core")`.
---@class uvnet.core
---@field AI_ADDRCONFIG integer getaddrinfo flag for the `hints` option (Node's dns.ADDRCONFIG).
---@field AI_V4MAPPED integer getaddrinfo flag for the `hints` option (Node's dns.V4MAPPED).
---@field AI_ALL integer getaddrinfo flag for the `hints` option (Node's dns.ALL).
local core = {}

---Makes a zero-filled buffer of `size` bytes (1 to 2147483647).
---@param size integer
---@return uvnet.Buffer
function core.buffer(size) end

return core
