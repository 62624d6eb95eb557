---@meta uvnet.server
-- LuaLS definitions for net.Server (lua/uvnet/server.lua).  Editors only:
-- nothing here runs.  spec/meta_spec.lua checks these names against the
-- real class.

---The events of a server, with what their listeners get.
---@alias uvnet.ServerEvent
---| "close"      # () closed, and every accepted connection has ended
---| "connection" # (socket: uvnet.Socket) a connection was accepted
---| "error"      # (err: uvnet.Error) listening or accepting failed
---| "listening"  # () bound and listening, always from the loop
---| "drop"       # (data?: table) a connection over maxConnections was closed
---| uvnet.EmitterEvent

---The options of `net.createServer(options)` and `net.Server(options)`.
---@class uvnet.ServerOptions
---@field allowHalfOpen? boolean Accepted sockets stay writable after the peer's end.
---@field pauseOnConnect? boolean Accepted sockets start paused.
---@field noDelay? boolean Nagle's algorithm off on accepted TCP sockets.
---@field keepAlive? boolean Keep-alive on for accepted TCP sockets.
---@field keepAliveInitialDelay? number Milliseconds before the first probe.
---@field highWaterMark? integer The marks of accepted sockets.
---@field blockList? uvnet.BlockList Connections from blocked addresses are closed unseen.

---The options of `server:listen(options)`: `port` (TCP) or `path` (Unix).
---@class uvnet.ListenOptions
---@field port? integer|string 0 picks a free port.
---@field host? string An address or a name to bind.
---@field path? string A Unix socket path; "\0name" is a Linux abstract name.
---@field backlog? integer Pending connections (default 511).
---@field exclusive? boolean Accepted, without effect (no cluster module).
---@field ipv6Only? boolean TCP: binding "::" does not accept IPv4.
---@field reusePort? boolean TCP: SO_REUSEPORT.
---@field readableAll? boolean Unix: readable by every user.
---@field writableAll? boolean Unix: writable by every user.
---@field signal? uvnet.AbortSignal Aborting closes the server.
---@field fd? integer A bound TCP or Unix socket's descriptor.
---@field handle? uvnet.Server|{ fd: integer } Something already bound.

---The data of a `'drop'` event (TCP).
---@class uvnet.DropData
---@field localAddress string
---@field localPort integer
---@field localFamily "IPv4"|"IPv6"
---@field remoteAddress string
---@field remotePort integer
---@field remoteFamily "IPv4"|"IPv6"

---A TCP or Unix socket server, and an EventEmitter. `net.Server(...)`,
---`net.Server.new(...)` and `net.createServer(...)` make one.
---@class uvnet.Server: uvnet.EventEmitter
---@field listening boolean
---@field maxConnections? integer Connections over this many are dropped ('drop').
---@field dropMaxConnection? boolean Accepted, without effect (no cluster module).
---@field allowHalfOpen boolean
---@field pauseOnConnect boolean
---@field noDelay boolean
---@field keepAlive boolean
---@field keepAliveInitialDelay? number
---@field highWaterMark? integer
---@field blockList? uvnet.BlockList
---@overload fun(options?: uvnet.ServerOptions, connectionListener?: fun(socket: uvnet.Socket)): uvnet.Server
---@overload fun(connectionListener: fun(socket: uvnet.Socket)): uvnet.Server
local Server = {}

---Creates a server; the same as `net.createServer(options, connectionListener)`.
---@param options? uvnet.ServerOptions
---@param connectionListener? fun(socket: uvnet.Socket)
---@return uvnet.Server
---@overload fun(connectionListener: fun(socket: uvnet.Socket)): uvnet.Server
function Server.new(options, connectionListener) end

---Starts listening; `'listening'` (or `'error'`) follows from the loop.
---The last argument, if a function, is added as a `'listening'` listener.
---@param port? integer|string TCP port; 0 or none picks a free one.
---@param host? string
---@param backlog? integer
---@param callback? fun()
---@return self
---@overload fun(self: uvnet.Server, callback?: fun()): uvnet.Server
---@overload fun(self: uvnet.Server, port: integer|string, callback: fun()): uvnet.Server
---@overload fun(self: uvnet.Server, port: integer|string, host: string, callback: fun()): uvnet.Server
---@overload fun(self: uvnet.Server, path: string, backlog?: integer, callback?: fun()): uvnet.Server
---@overload fun(self: uvnet.Server, path: string, callback: fun()): uvnet.Server
---@overload fun(self: uvnet.Server, options: uvnet.ListenOptions, callback?: fun()): uvnet.Server
---@overload fun(self: uvnet.Server, handle: uvnet.Server|{ fd: integer }, backlog?: integer, callback?: fun()): uvnet.Server
function Server:listen(port, host, backlog, callback) end

---Stops accepting now; `'close'` once every connection has ended. The
---callback gets ERR_SERVER_NOT_RUNNING if the server was not listening.
---@param callback? fun(err?: uvnet.Error)
---@return self
function Server:close(callback) end

---`{ address, family, port }` for TCP, the path for a Unix socket, or nil.
---@return uvnet.AddressInfo|string|nil
function Server:address() end

---Calls `callback(nil, count)` from the loop.
---@param callback fun(err: nil, count: integer)
---@return self
function Server:getConnections(callback) end

---Lets `net.run()` return while the server listens.
---@return self
function Server:unref() end

---Undoes `unref()`.
---@return self
function Server:ref() end

---@param eventName uvnet.ServerEvent|string
---@param listener function
---@return self
---@overload fun(self: uvnet.Server, eventName: "connection", listener: fun(socket: uvnet.Socket)): uvnet.Server
---@overload fun(self: uvnet.Server, eventName: "error", listener: fun(err: uvnet.Error)): uvnet.Server
---@overload fun(self: uvnet.Server, eventName: "close"|"listening", listener: fun()): uvnet.Server
---@overload fun(self: uvnet.Server, eventName: "drop", listener: fun(data?: uvnet.DropData)): uvnet.Server
function Server:on(eventName, listener) end

---@param eventName uvnet.ServerEvent|string
---@param listener function
---@return self
---@overload fun(self: uvnet.Server, eventName: "connection", listener: fun(socket: uvnet.Socket)): uvnet.Server
---@overload fun(self: uvnet.Server, eventName: "error", listener: fun(err: uvnet.Error)): uvnet.Server
---@overload fun(self: uvnet.Server, eventName: "close"|"listening", listener: fun()): uvnet.Server
function Server:once(eventName, listener) end

return Server
