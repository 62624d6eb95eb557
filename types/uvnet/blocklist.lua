---@meta uvnet.blocklist
-- LuaLS definitions for net.BlockList (lua/uvnet/blocklist.lua).  Editors
-- only: nothing here runs.  spec/meta_spec.lua checks these names against
-- the real class.

---An address family as BlockList and SocketAddress take it (any case).
---@alias uvnet.AddressFamily "ipv4"|"ipv6"|"IPv4"|"IPv6"|string

---Rules that block IPv4 and IPv6 addresses, ranges and subnets.
---`net.BlockList()` and `net.BlockList.new()` make one.
---@class uvnet.BlockList
---@field rules string[] The rules as text, newest first ("Address: IPv4 1.2.3.4", ...); made afresh on each read.
---@overload fun(): uvnet.BlockList
local BlockList = {}

---Makes an empty rule set.
---@return uvnet.BlockList
function BlockList.new() end

---Whether `value` is a BlockList.
---@param value any
---@return boolean
function BlockList.isBlockList(value) end

---Blocks one address (a string of the family `type`, default "ipv4", or a SocketAddress).
---@param address string|uvnet.SocketAddress
---@param type? uvnet.AddressFamily
function BlockList:addAddress(address, type) end

---Blocks the addresses from `start` to `stop`, both included.
---@param start string|uvnet.SocketAddress
---@param stop string|uvnet.SocketAddress
---@param type? uvnet.AddressFamily
function BlockList:addRange(start, stop, type) end

---Blocks a subnet: `prefix` bits, 0 to 32 for IPv4, 0 to 128 for IPv6.
---@param net string|uvnet.SocketAddress
---@param prefix integer
---@param type? uvnet.AddressFamily
function BlockList:addSubnet(net, prefix, type) end

---Whether `address` matches a rule; false for an address that is not of the family.
---@param address string|uvnet.SocketAddress
---@param type? uvnet.AddressFamily
---@return boolean
function BlockList:check(address, type) end

---The same sequence as `rules`: what `fromJSON` reads back.
---@return string[]
function BlockList:toJSON() end

---Adds the rules in `value`: a sequence of rule texts, or a JSON string of one.
---@param value string[]|string
function BlockList:fromJSON(value) end

return BlockList
