---@meta uvnet.socketaddress
-- LuaLS definitions for net.SocketAddress (lua/uvnet/socketaddress.lua).
-- Editors only: nothing here runs.  spec/meta_spec.lua checks these names
-- against the real class.

---The options of `net.SocketAddress(options)`.
---@class uvnet.SocketAddressOptions
---@field address? string Default "127.0.0.1" for IPv4, "::" for IPv6.
---@field family? uvnet.AddressFamily "ipv4" (default) or "ipv6", any case.
---@field port? integer|string 0 to 65535 (default 0).
---@field flowlabel? integer The IPv6 flow label (default 0).

---An IP address with a port, a family and a flow label.
---`net.SocketAddress(options)` and `net.SocketAddress.new(options)` make one;
---`tostring(sa)` gives Node's inspect form.
---@class uvnet.SocketAddress
---@field address string The address in Node's text form.
---@field family "ipv4"|"ipv6"
---@field port integer
---@field flowlabel integer Always 0 for IPv4.
---@overload fun(options?: uvnet.SocketAddressOptions): uvnet.SocketAddress
local SocketAddress = {}

---@param options? uvnet.SocketAddressOptions
---@return uvnet.SocketAddress
function SocketAddress.new(options) end

---Reads "address:port" ("[v6]:port"; the port may be left out), or gives
---nil when the text is not an IP address with an optional port.
---@param input string
---@return uvnet.SocketAddress?
function SocketAddress.parse(input) end

---Whether `value` is a SocketAddress.
---@param value any
---@return boolean
function SocketAddress.isSocketAddress(value) end

---A plain table with address, port, family and flowlabel.
---@return { address: string, port: integer, family: "ipv4"|"ipv6", flowlabel: integer }
function SocketAddress:toJSON() end

return SocketAddress
